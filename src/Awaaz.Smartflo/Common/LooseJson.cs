using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Awaaz.Smartflo;

/// <summary>
/// Tolerant readers over <see cref="JsonElement"/> for Smartflo's loosely typed JSON: numbers as strings, literal
/// <c>$placeholders</c>, <c>_number</c> substitution artefacts and empty strings all read as absent (spec §10.5 Q2–Q5).
/// None of these methods throw.
/// </summary>
internal static partial class LooseJson
{
    /// <summary>True for values that mean "absent": blank, <c>$placeholder</c>, or <c>_lowercase_artefact</c>.</summary>
    public static bool IsNullLike(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return true;
        var trimmed = value.AsSpan().Trim();
        return trimmed[0] == '$' || (trimmed[0] == '_' && SubstitutionArtefact().IsMatch(trimmed));
    }

    /// <summary>Trimmed string value; numbers as their JSON text; booleans as <c>true</c>/<c>false</c>; null-like → null.</summary>
    public static string? String(JsonElement? element)
    {
        if (element is not { } e) return null;
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                var s = e.GetString();
                return IsNullLike(s) ? null : s!.Trim();
            case JsonValueKind.Number:
                return e.GetRawText();
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            default:
                return null;
        }
    }

    /// <summary>A number read from a JSON number or a numeric string (invariant culture).</summary>
    public static double? Double(JsonElement? element)
    {
        if (element is not { } e) return null;
        if (e.ValueKind == JsonValueKind.Number)
            return e.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;
        var s = String(e);
        return s is not null && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed)
            ? parsed
            : null;
    }

    /// <summary>An integer from a number or numeric string; a fractional value rounds to the nearest integer (midpoint away from zero).</summary>
    public static long? Int64(JsonElement? element)
    {
        if (element is { ValueKind: JsonValueKind.Number } e && e.TryGetInt64(out var exact)) return exact;
        var d = Double(element);
        if (d is not { } value || value is > long.MaxValue or < long.MinValue) return null;
        return (long)Math.Round(value, MidpointRounding.AwayFromZero);
    }

    /// <summary><see cref="Int64"/> limited to the <see cref="int"/> range.</summary>
    public static int? Int32(JsonElement? element) => Int64(element) is { } v and >= int.MinValue and <= int.MaxValue ? (int)v : null;

    /// <summary><c>true</c>/<c>false</c>, <c>1</c>/<c>0</c> and their string forms.</summary>
    public static bool? Bool(JsonElement? element)
    {
        if (element is not { } e) return null;
        if (e.ValueKind == JsonValueKind.True) return true;
        if (e.ValueKind == JsonValueKind.False) return false;
        return String(e)?.ToLowerInvariant() switch
        {
            "1" or "true" or "yes" => true,
            "0" or "false" or "no" => false,
            _ => null,
        };
    }

    /// <summary>
    /// An object or array, including one delivered as a JSON-encoded string (quirk Q8). Null for anything else,
    /// including strings that only look like JSON.
    /// </summary>
    public static JsonElement? Structured(JsonElement? element)
    {
        if (element is not { } e) return null;
        if (e.ValueKind is JsonValueKind.Object or JsonValueKind.Array) return e;
        if (e.ValueKind != JsonValueKind.String) return null;
        var s = e.GetString()?.Trim();
        if (s is null || s.Length < 2 || (s[0] != '{' && s[0] != '[')) return null;
        return TryParse(s, out var parsed) && parsed.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? parsed : null;
    }

    /// <summary>Parses JSON text into a detached element; false on any syntax error.</summary>
    public static bool TryParse(string text, out JsonElement element)
    {
        try
        {
            using var document = JsonDocument.Parse(text, DocumentOptions);
            element = document.RootElement.Clone();
            return true;
        }
        catch (Exception error) when (error is JsonException or ArgumentException)
        {
            element = default;
            return false;
        }
    }

    /// <summary>Parses UTF-8 JSON into a detached element; false on any syntax error.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out JsonElement element)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8, DocumentOptions);
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    /// <summary>Property lookup that trims keys and ignores case (quirks Q1, Q14); the first non-null-like value wins.</summary>
    public static JsonElement? Property(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        JsonElement? fallback = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (!property.Name.AsSpan().Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) continue;
            if (!IsAbsent(property.Value)) return property.Value;
            fallback ??= property.Value;
        }
        return fallback;
    }

    /// <summary>First of several alternative property names that has a non-null value.</summary>
    public static JsonElement? Property(JsonElement obj, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
            if (Property(obj, name) is { } value && !IsAbsent(value)) return value;
        return null;
    }

    /// <summary>JSON null or a null-like string.</summary>
    public static bool IsAbsent(JsonElement value) =>
        value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || (value.ValueKind == JsonValueKind.String && IsNullLike(value.GetString()));

    internal static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    [GeneratedRegex("^_[a-z_]+$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex SubstitutionArtefact();
}
