using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;

namespace Awaaz.Server.Functions;

/// <summary>
/// A custom HTTP function (Awaaz extension of the agent): a tool the agent's LLM may call, answered by the partner's
/// endpoint. Header values are credentials: stored only encrypted (<see cref="FunctionSecrets"/>), shown masked.
/// </summary>
public sealed record AgentFunction
{
    public const int MaxPerAgent = 20;
    public const int DefaultTimeoutMs = 5000;
    public static readonly string[] Methods = ["GET", "POST"];
    public static readonly JsonElement EmptyParameters = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string Url { get; init; }
    public string Method { get; init; } = "POST";
    public IReadOnlyList<FunctionHeader> Headers { get; init; } = [];
    /// <summary>JSON Schema (an object schema) of the arguments the LLM passes.</summary>
    public JsonElement Parameters { get; init; } = EmptyParameters;
    public int TimeoutMs { get; init; } = DefaultTimeoutMs;
    /// <summary>Spoken while the request runs; null: nothing.</summary>
    public string? StartedMessage { get; init; }
    /// <summary>Spoken when the request fails; null: the platform line (<see cref="Voice.SpokenLines.FunctionError"/>).</summary>
    public string? ErrorMessage { get; init; }
}

/// <summary>One request header of a function: its value encrypted with Data Protection, and the mask shown instead.</summary>
public sealed record FunctionHeader(string Name, string ProtectedValue, string Mask);

/// <summary>Encrypts and decrypts function header values (any node with the shared key ring can decrypt).</summary>
public sealed class FunctionSecrets(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Awaaz.Agents.FunctionHeaders.v1");

    public FunctionHeader Seal(string name, string value) => new(name, _protector.Protect(value), Mask(value));

    public string Open(FunctionHeader header) => _protector.Unprotect(header.ProtectedValue);

    /// <summary><c>****</c> plus the last 4 characters of values of 12 characters or more; <c>****</c> otherwise.</summary>
    public static string Mask(string value) => value.Length >= 12 ? "****" + value[^4..] : "****";
}

/// <summary>A function as the agents API shows it: header names with masked values, never the values.</summary>
public sealed record FunctionView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers,
    [property: JsonPropertyName("parameters")] JsonElement Parameters,
    [property: JsonPropertyName("timeout_ms")] int TimeoutMs,
    [property: JsonPropertyName("started_message")] string? StartedMessage,
    [property: JsonPropertyName("error_message")] string? ErrorMessage)
{
    public static FunctionView From(AgentFunction f) => new(
        f.Name, f.Description, f.Url, f.Method, f.Headers.ToDictionary(h => h.Name, h => h.Mask, StringComparer.Ordinal),
        f.Parameters, f.TimeoutMs, f.StartedMessage, f.ErrorMessage);
}
