using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Awaaz.Server.Api;
using Awaaz.Server.Outbound;
using Microsoft.Extensions.Options;

namespace Awaaz.Server.Functions;

/// <summary>
/// Reads and validates the agent field <c>functions</c> (Awaaz). The array replaces the stored one whole; a header
/// value sent back exactly as its mask (as <c>GET /agent/{id}</c> shows it) keeps the stored value of that header of
/// the function with the same name, so a read-modify-write round trip does not destroy credentials.
/// </summary>
public sealed partial class FunctionInput(FunctionSecrets secrets, IOptions<OutboundOptions> outbound)
{
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")]
    private static partial Regex NamePattern();

    /// <summary>HTTP token characters (RFC 9110 §5.6.2).</summary>
    [GeneratedRegex(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$")]
    private static partial Regex HeaderNamePattern();

    /// <summary>Tool names the platform declares itself.</summary>
    public static readonly string[] ReservedNames = [Voice.AgentTools.EndCall, Voice.AgentTools.TransferCall, Voice.AgentTools.SetVariable];

    /// <summary>Headers the HTTP client sets or that would change the framing of the request.</summary>
    private static readonly string[] ForbiddenHeaders =
    [
        "host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
        "trailer", "expect", "proxy-authorization", "proxy-connection",
    ];

    private const int MaxHeaders = 20;
    private const int MaxHeaderValueLength = 4096;
    private const int MaxParametersBytes = 8192;

    /// <summary>
    /// The edit that <c>functions</c> makes to the stored list (<c>null</c> or <c>[]</c> removes them all), or null when the
    /// field is absent or invalid (the errors are in <paramref name="f"/>).
    /// </summary>
    public Func<IReadOnlyList<AgentFunction>, IReadOnlyList<AgentFunction>>? Read(RequestFields f)
    {
        var items = f.ObjectArray("functions");
        if (!items.IsSet) return null;
        if (items.Value is null) return _ => [];
        if (f.Raw("functions").Value.GetArrayLength() > AgentFunction.MaxPerAgent)
        {
            f.Fail("functions", $"must have at most {AgentFunction.MaxPerAgent} items");
            return null;
        }

        var errorsBefore = f.Errors.Count;
        var read = new List<(AgentFunction Function, List<(string Name, string Value)> Headers)>();
        foreach (var item in items.Value)
        {
            if (ReadOne(item) is not { } function) continue;
            if (read.Any(r => string.Equals(r.Function.Name, function.Function.Name, StringComparison.OrdinalIgnoreCase)))
                item.Fail("name", "is a duplicate (names are compared case-insensitively)");
            else read.Add(function);
        }
        if (f.Errors.Count > errorsBefore) return null;

        return stored => read.Select(r => r.Function with { Headers = r.Headers.Select(h => Header(stored, r.Function.Name, h.Name, h.Value)).ToList() }).ToList();
    }

    private FunctionHeader Header(IReadOnlyList<AgentFunction> stored, string function, string name, string value)
    {
        var kept = stored.FirstOrDefault(s => string.Equals(s.Name, function, StringComparison.OrdinalIgnoreCase))?
            .Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
        return kept is not null && kept.Mask == value ? kept with { Name = name } : secrets.Seal(name, value);
    }

    private (AgentFunction Function, List<(string Name, string Value)> Headers)? ReadOne(RequestFields item)
    {
        var errorsBefore = item.Errors.Count;
        var name = item.String("name", max: 64, nullable: false, required: true, pattern: NamePattern(),
            patternMessage: "must match ^[a-zA-Z_][a-zA-Z0-9_]{0,63}$");
        if (name.Value is { } n && ReservedNames.Contains(n, StringComparer.OrdinalIgnoreCase))
            item.Fail("name", $"is reserved for a built-in tool ({string.Join(", ", ReservedNames)})");
        var description = item.String("description", min: 1, max: 1000, nullable: false, required: true);

        var allowPrivate = outbound.Value.AllowPrivateTargets;
        var url = item.String("url", max: 2048, nullable: false, required: true);
        if (url.Value is { } u && OutboundUrl.Problem(u, allowPrivate) is { } problem) item.Fail("url", problem);

        var method = item.String("method", nullable: true);
        var verb = method.Value?.ToUpperInvariant() ?? "POST";
        if (!AgentFunction.Methods.Contains(verb)) item.Fail("method", "must be GET or POST");

        var headers = ReadHeaders(item);
        var parameters = ReadParameters(item);
        var timeout = item.Integer("timeout_ms", "timeoutMs", min: 500, max: 30_000, nullable: true);
        var started = item.String("started_message", "startedMessage", max: 500, nullable: true);
        var error = item.String("error_message", "errorMessage", max: 500, nullable: true);

        if (item.Errors.Count > errorsBefore || name.Value is null || description.Value is null || url.Value is null) return null;
        return (new AgentFunction
        {
            Name = name.Value,
            Description = description.Value,
            Url = url.Value,
            Method = verb,
            Parameters = parameters ?? AgentFunction.EmptyParameters,
            TimeoutMs = (int?)timeout.Value ?? AgentFunction.DefaultTimeoutMs,
            StartedMessage = string.IsNullOrWhiteSpace(started.Value) ? null : started.Value,
            ErrorMessage = string.IsNullOrWhiteSpace(error.Value) ? null : error.Value,
        }, headers);
    }

    private static List<(string Name, string Value)> ReadHeaders(RequestFields item)
    {
        var headers = new List<(string, string)>();
        var raw = item.Raw("headers");
        if (!raw.IsSet || raw.Value.ValueKind == JsonValueKind.Null) return headers;
        if (raw.Value.ValueKind != JsonValueKind.Object)
        {
            item.Fail("headers", "must be an object of header names to string values");
            return headers;
        }
        foreach (var header in raw.Value.EnumerateObject())
        {
            var path = $"headers.{header.Name}";
            if (!HeaderNamePattern().IsMatch(header.Name)) item.Fail(path, "is not a valid HTTP header name");
            else if (ForbiddenHeaders.Contains(header.Name.ToLowerInvariant())) item.Fail(path, "is set by Awaaz and cannot be configured");
            else if (headers.Any(h => string.Equals(h.Item1, header.Name, StringComparison.OrdinalIgnoreCase))) item.Fail(path, "is a duplicate");
            else if (header.Value.ValueKind != JsonValueKind.String) item.Fail(path, "must be a string");
            else if (header.Value.GetString()!.Length > MaxHeaderValueLength) item.Fail(path, $"must be at most {MaxHeaderValueLength} characters");
            else if (header.Value.GetString()!.Any(char.IsControl)) item.Fail(path, "must not contain control characters");
            else headers.Add((header.Name, header.Value.GetString()!));
        }
        if (headers.Count > MaxHeaders) item.Fail("headers", $"must have at most {MaxHeaders} entries");
        return headers;
    }

    /// <summary>A JSON Schema of an object, at most 8 KiB; null (absent or null) means no parameters.</summary>
    private static JsonElement? ReadParameters(RequestFields item)
    {
        var raw = item.Raw("parameters");
        if (!raw.IsSet || raw.Value.ValueKind == JsonValueKind.Null) return null;
        var schema = raw.Value;
        if (schema.ValueKind != JsonValueKind.Object) { item.Fail("parameters", "must be a JSON Schema object"); return null; }
        if (Encoding.UTF8.GetByteCount(schema.GetRawText()) > MaxParametersBytes) { item.Fail("parameters", $"must be at most {MaxParametersBytes} bytes of JSON"); return null; }
        if (!schema.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "object")
        {
            item.Fail("parameters.type", "must be \"object\" (the arguments are a JSON object)");
            return null;
        }
        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind != JsonValueKind.Object)
        {
            item.Fail("parameters.properties", "must be an object");
            return null;
        }
        if (schema.TryGetProperty("required", out var required) &&
            (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String)))
        {
            item.Fail("parameters.required", "must be an array of property names");
            return null;
        }
        // Compact form: the schema goes to the LLM with every request.
        return JsonSerializer.SerializeToElement(JsonNode.Parse(schema.GetRawText()));
    }
}
