using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Awaaz.Server.Outbound;

namespace Awaaz.Server.Functions;

/// <summary>The call a function runs in, as sent to the endpoint.</summary>
public sealed record FunctionCallInfo(string CallId, string SessionId, string AgentId, IReadOnlyDictionary<string, object?> Variables);

/// <summary>What a function call gave: the text for the LLM, or the error (<see cref="OutboundException"/> wording).</summary>
public sealed record FunctionOutcome(bool Succeeded, string? Result, string? Error)
{
    public static FunctionOutcome Success(string result) => new(true, result, null);
    public static FunctionOutcome Failure(string error) => new(false, null, error);
}

/// <summary>
/// Calls one agent function with the LLM's arguments through the guarded <see cref="OutboundClient"/>. POST sends
/// <c>{"function", "arguments", "call": {call_id, session_id, agent_id, variables}}</c> as JSON; GET sends the
/// arguments as the query string. The function's headers are decrypted per request; neither their values nor any
/// body is logged. A 2xx body (at most 4 KiB of it) is the result the LLM reads.
/// </summary>
public sealed class FunctionRunner(OutboundClient http, FunctionSecrets secrets, ILogger<FunctionRunner> logger)
{
    public const int MaxResultChars = 4096;
    private const string TruncatedMark = "…(truncated)";

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (barge-in, call end).</exception>
    public async Task<FunctionOutcome> InvokeAsync(AgentFunction function, IDictionary<string, object?>? arguments, FunctionCallInfo call, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var args = arguments ?? new Dictionary<string, object?>();
        try
        {
            using var request = Build(function, args, call);
            var response = await http.SendAsync(request, TimeSpan.FromMilliseconds(function.TimeoutMs), ct);
            logger.LogInformation("Function {Function} of call {CallId} answered HTTP {Status} in {DurationMs} ms",
                function.Name, call.CallId, response.Status, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return FunctionOutcome.Success(ResultText(response.Body));
        }
        catch (OutboundException ex)
        {
            return Failed(function, call, ex.Message, started);
        }
        catch (CryptographicException)
        {
            return Failed(function, call, "a header could not be decrypted (was the Data Protection key ring replaced?)", started);
        }
    }

    private FunctionOutcome Failed(AgentFunction function, FunctionCallInfo call, string error, long started)
    {
        logger.LogWarning("Function {Function} of call {CallId} failed after {DurationMs} ms: {Error}",
            function.Name, call.CallId, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds, error);
        return FunctionOutcome.Failure(error);
    }

    private HttpRequestMessage Build(AgentFunction function, IDictionary<string, object?> arguments, FunctionCallInfo call)
    {
        HttpRequestMessage request;
        if (function.Method == "GET")
        {
            request = new HttpRequestMessage(HttpMethod.Get, WithQuery(function.Url, arguments));
        }
        else
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
            {
                ["function"] = function.Name,
                ["arguments"] = arguments,
                ["call"] = new Dictionary<string, object?>
                {
                    ["call_id"] = call.CallId, ["session_id"] = call.SessionId, ["agent_id"] = call.AgentId, ["variables"] = call.Variables,
                },
            }, Json);
            request = new HttpRequestMessage(HttpMethod.Post, function.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        request.Headers.Accept.ParseAdd("application/json, text/plain;q=0.9, */*;q=0.1");
        foreach (var header in function.Headers)
        {
            var value = secrets.Open(header);
            if (!request.Headers.TryAddWithoutValidation(header.Name, value)) request.Content?.Headers.TryAddWithoutValidation(header.Name, value);
        }
        return request;
    }

    /// <summary>The URL with each argument appended as <c>name=value</c> (strings as they are, other values as JSON).</summary>
    private static string WithQuery(string url, IDictionary<string, object?> arguments)
    {
        if (arguments.Count == 0) return url;
        var query = string.Join("&", arguments.Select(a => Uri.EscapeDataString(a.Key) + "=" + Uri.EscapeDataString(QueryValue(a.Value))));
        var fragment = url.IndexOf('#');
        var (head, tail) = fragment < 0 ? (url, "") : (url[..fragment], url[fragment..]);
        return head + (head.Contains('?') ? (head.EndsWith('?') || head.EndsWith('&') ? "" : "&") : "?") + query + tail;
    }

    private static string QueryValue(object? value) => value switch
    {
        null => "",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? "",
        JsonElement e => e.GetRawText(),
        bool b => b ? "true" : "false",
        _ => JsonSerializer.Serialize(value, Json),
    };

    private static string ResultText(string body)
    {
        var text = body.Trim();
        if (text.Length == 0) return "(the function returned no content)";
        return text.Length <= MaxResultChars ? text : text[..(MaxResultChars - TruncatedMark.Length)] + TruncatedMark;
    }
}
