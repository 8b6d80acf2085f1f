using System.Text.Json;
using System.Text.RegularExpressions;

namespace Awaaz.Server.Api;

/// <summary>A field read from a request body: whether it was supplied, and its value.</summary>
public readonly record struct Supplied<T>(bool IsSet, T Value)
{
    public static readonly Supplied<T> Absent = new(false, default!);
    public T Or(T fallback) => IsSet ? Value : fallback;
}

/// <summary>
/// Validating reader over a JSON request object. Accepts a snake_case name and an optional
/// camelCase alias (snake_case wins when both are sent), collects every problem with its JSON
/// path, and throws one 400 VALIDATION_ERROR from <see cref="ThrowIfInvalid"/>.
/// </summary>
public sealed class RequestFields
{
    private readonly JsonElement _object;
    private readonly string _prefix;
    private readonly List<FieldError> _errors;

    private RequestFields(JsonElement obj, string prefix, List<FieldError> errors)
    {
        _object = obj;
        _prefix = prefix;
        _errors = errors;
    }

    public IReadOnlyList<FieldError> Errors => _errors;

    public static RequestFields For(JsonElement root) => new(root, "", []);

    /// <summary>Reads the body as one JSON object (1 MiB max). Malformed JSON or a non-object → 400.</summary>
    public static async Task<RequestFields> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        const int maxBytes = 1 << 20;
        if (request.ContentLength > maxBytes)
            throw ApiException.Validation("body", "must not exceed 1 MiB");
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes) throw ApiException.Validation("body", "must not exceed 1 MiB");
        }
        if (buffer.Length == 0) throw ApiException.Validation("body", "is required (a JSON object)");
        try
        {
            using var doc = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw ApiException.Validation("body", "must be a JSON object");
            if (FindUnusableString(doc.RootElement, "") is { } unusable)
                throw ApiException.Validation([unusable]);
            return For(doc.RootElement.Clone());
        }
        catch (JsonException ex)
        {
            throw ApiException.Validation("body", $"is not valid JSON ({ex.Message.Split('.')[0]})");
        }
    }

    /// <summary>
    /// The first string that JSON allows but Awaaz cannot take: an escaped lone surrogate (<c>"\ud800"</c>),
    /// which System.Text.Json refuses to unescape, or a NUL character, which PostgreSQL text cannot store.
    /// </summary>
    private static FieldError? FindUnusableString(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                string text;
                try { text = element.GetString()!; }
                catch (InvalidOperationException) { return new FieldError(path, "contains an unpaired UTF-16 surrogate escape"); }
                return text.Contains('\0') ? new FieldError(path, "must not contain NUL characters") : null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    if (FindUnusableString(item, $"{path}[{i++}]") is { } error) return error;
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try { name = property.Name; }
                    catch (InvalidOperationException) { return new FieldError(path == "" ? "body" : path, "has a key with an unpaired UTF-16 surrogate escape"); }
                    if (FindUnusableString(property.Value, path == "" ? name : $"{path}.{name}") is { } error) return error;
                }
                return null;
            default:
                return null;
        }
    }

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0) throw ApiException.Validation(_errors);
    }

    public void Fail(string name, string message) => _errors.Add(new FieldError(_prefix + name, message));

    public string PathOf(string name) => _prefix + name;

    public bool Has(string name, string? alias = null) => TryFind(name, alias, out _, out _);

    private bool TryFind(string name, string? alias, out JsonElement value, out string usedName)
    {
        if (_object.TryGetProperty(name, out value)) { usedName = name; return true; }
        if (alias is not null && _object.TryGetProperty(alias, out value)) { usedName = name; return true; }
        usedName = name;
        return false;
    }

    public Supplied<JsonElement> Raw(string name, string? alias = null) =>
        TryFind(name, alias, out var v, out _) ? new(true, v) : Supplied<JsonElement>.Absent;

    public Supplied<string?> String(string name, string? alias = null, int min = 0, int max = int.MaxValue,
        bool nullable = true, bool required = false, Regex? pattern = null, string? patternMessage = null)
    {
        if (!TryFind(name, alias, out var v, out _))
        {
            if (required) Fail(name, "is required");
            return Supplied<string?>.Absent;
        }
        if (v.ValueKind == JsonValueKind.Null)
        {
            if (!nullable || required) Fail(name, "must not be null");
            return new(true, null);
        }
        if (v.ValueKind != JsonValueKind.String) { Fail(name, "must be a string"); return Supplied<string?>.Absent; }
        var s = v.GetString()!;
        if (required && string.IsNullOrWhiteSpace(s)) { Fail(name, "is required"); return Supplied<string?>.Absent; }
        if (s.Length < min) { Fail(name, $"must be at least {min} characters"); return Supplied<string?>.Absent; }
        if (s.Length > max) { Fail(name, $"must be at most {max} characters"); return Supplied<string?>.Absent; }
        if (pattern is not null && !pattern.IsMatch(s)) { Fail(name, patternMessage ?? $"must match {pattern}"); return Supplied<string?>.Absent; }
        return new(true, s);
    }

    public Supplied<bool> Bool(string name, string? alias = null)
    {
        if (!TryFind(name, alias, out var v, out _)) return Supplied<bool>.Absent;
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return new(true, v.GetBoolean());
        Fail(name, "must be a boolean");
        return Supplied<bool>.Absent;
    }

    public Supplied<long?> Integer(string name, string? alias = null, long min = long.MinValue, long max = long.MaxValue, bool nullable = false)
    {
        if (!TryFind(name, alias, out var v, out _)) return Supplied<long?>.Absent;
        if (v.ValueKind == JsonValueKind.Null)
        {
            if (nullable) return new(true, null);
            Fail(name, "must not be null");
            return Supplied<long?>.Absent;
        }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n)) { Fail(name, "must be an integer"); return Supplied<long?>.Absent; }
        if (n < min || n > max) { Fail(name, $"must be between {min} and {max}"); return Supplied<long?>.Absent; }
        return new(true, n);
    }

    public Supplied<double?> Number(string name, string? alias = null, double min = double.MinValue, double max = double.MaxValue, bool nullable = false)
    {
        if (!TryFind(name, alias, out var v, out _)) return Supplied<double?>.Absent;
        if (v.ValueKind == JsonValueKind.Null)
        {
            if (nullable) return new(true, null);
            Fail(name, "must not be null");
            return Supplied<double?>.Absent;
        }
        if (v.ValueKind != JsonValueKind.Number) { Fail(name, "must be a number"); return Supplied<double?>.Absent; }
        var d = v.GetDouble();
        if (d < min || d > max) { Fail(name, $"must be between {min} and {max}"); return Supplied<double?>.Absent; }
        return new(true, d);
    }

    /// <summary>An array of strings; each checked by <paramref name="itemPattern"/> when given. <c>null</c> → (true, null).</summary>
    public Supplied<List<string>?> StringArray(string name, string? alias = null, int maxItems = int.MaxValue,
        Regex? itemPattern = null, string? itemMessage = null, bool unique = false, int maxItemLength = 1000, bool nonEmpty = false)
    {
        if (!TryFind(name, alias, out var v, out _)) return Supplied<List<string>?>.Absent;
        if (v.ValueKind == JsonValueKind.Null) return new(true, null);
        if (v.ValueKind != JsonValueKind.Array) { Fail(name, "must be an array of strings"); return Supplied<List<string>?>.Absent; }
        var items = new List<string>();
        var ok = true;
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) { Fail($"{name}[{i}]", "must be a string"); ok = false; }
            else
            {
                var s = item.GetString()!;
                if (s.Length > maxItemLength) { Fail($"{name}[{i}]", $"must be at most {maxItemLength} characters"); ok = false; }
                else if (itemPattern is not null && !itemPattern.IsMatch(s)) { Fail($"{name}[{i}]", itemMessage ?? "is invalid"); ok = false; }
                else if (unique && items.Contains(s)) { Fail($"{name}[{i}]", "is a duplicate"); ok = false; }
                items.Add(s);
            }
            i++;
        }
        if (items.Count > maxItems) { Fail(name, $"must have at most {maxItems} items"); ok = false; }
        if (nonEmpty && items.Count == 0) { Fail(name, "must not be empty"); ok = false; }
        return ok ? new(true, items) : Supplied<List<string>?>.Absent;
    }

    /// <summary>A nested object whose errors carry the path <c>name.child</c>. <c>null</c> → (true, null).</summary>
    public Supplied<RequestFields?> Object(string name, string? alias = null)
    {
        if (!TryFind(name, alias, out var v, out _)) return Supplied<RequestFields?>.Absent;
        if (v.ValueKind == JsonValueKind.Null) return new(true, null);
        if (v.ValueKind != JsonValueKind.Object) { Fail(name, "must be an object"); return Supplied<RequestFields?>.Absent; }
        return new(true, new RequestFields(v, _prefix + name + ".", _errors));
    }

    /// <summary>Each element of an array of objects, with paths <c>name[i].</c>.</summary>
    public Supplied<List<RequestFields>?> ObjectArray(string name, string? alias = null)
    {
        if (!TryFind(name, alias, out var v, out _)) return Supplied<List<RequestFields>?>.Absent;
        if (v.ValueKind == JsonValueKind.Null) return new(true, null);
        if (v.ValueKind != JsonValueKind.Array) { Fail(name, "must be an array"); return Supplied<List<RequestFields>?>.Absent; }
        var list = new List<RequestFields>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) Fail($"{name}[{i}]", "must be an object");
            else list.Add(new RequestFields(item, $"{_prefix}{name}[{i}].", _errors));
            i++;
        }
        return new(true, list);
    }
}

/// <summary>Path and query parameter parsing shared by every list and item route.</summary>
public static class RouteValues
{
    /// <summary>A path id that is not a lowercase-able UUID answers 404 (partner-api.md §1).</summary>
    public static string Id(string raw, string resource) =>
        Guid.TryParseExact(raw, "D", out var g) ? g.ToString("D") : throw ApiException.NotFound(resource, raw);

    public static (int Limit, int Offset) Page(HttpRequest request)
    {
        var errors = new List<FieldError>();
        var limit = ParseInt(request.Query["limit"], 10, 1, 100, "limit", errors);
        var offset = ParseInt(request.Query["offset"], 0, 0, int.MaxValue, "offset", errors);
        if (errors.Count > 0) throw ApiException.Validation(errors);
        return (limit, offset);
    }

    private static int ParseInt(string? raw, int fallback, int min, int max, string name, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(raw)) return fallback;
        if (!int.TryParse(raw, out var v) || v < min || v > max)
        {
            errors.Add(new FieldError(name, max == int.MaxValue ? $"must be an integer ≥ {min}" : $"must be an integer between {min} and {max}"));
            return fallback;
        }
        return v;
    }
}
