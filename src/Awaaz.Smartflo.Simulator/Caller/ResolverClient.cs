using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Smartflo.Simulator.Caller;

/// <summary>How a resolver exchange ended.</summary>
public enum ResolverVerdict
{
    /// <summary>HTTP 200 with `{"success":true,"wss_url":…}` and a usable URL.</summary>
    Accepted,
    /// <summary>`{"success":false,"wss_url":…}` (HTTP 200 or 401).</summary>
    Declined,
    /// <summary>No complete reply within the deadline.</summary>
    Timeout,
    /// <summary>Connection refused, reset, DNS…</summary>
    Unreachable,
    /// <summary>A status other than 200 without the decline body.</summary>
    HttpError,
    /// <summary>Body is not JSON, or the content type is not JSON (strict).</summary>
    InvalidJson,
    /// <summary>JSON, but not exactly `success` (boolean) then `wss_url` (string).</summary>
    WrongShape,
    /// <summary>`wss_url` is not `wss://…` (nor `ws://` to a loopback host, when allowed).</summary>
    BadUrl,
}

/// <summary>One call to the Dynamic VOICE Bot endpoint and what came back (spec §9).</summary>
public sealed record ResolverExchange(
    string Method,
    string Url,
    string? RequestBody,
    int? StatusCode,
    string? ContentType,
    string? ResponseBody,
    double LatencyMs,
    ResolverVerdict Verdict,
    string? WssUrl,
    string? Problem)
{
    public bool Accepted => Verdict == ResolverVerdict.Accepted;
}

/// <summary>The variables Smartflo substitutes into the resolver request (`$callId`, `$fromNumber`, `$toNumber`, `$status`).</summary>
public sealed record ResolverRequest(
    string ResolverUrl,
    ResolverMethod Method,
    string CallId,
    string FromNumber,
    string ToNumber,
    string Status,
    TimeSpan Deadline,
    bool Strict = true,
    bool AllowLoopbackWs = true);

/// <summary>Calls a resolver as Smartflo does (spec §9.3: GET with query, or POST with the JSON body template) and checks the reply (spec §9.7).</summary>
public static class ResolverClient
{
    private const int MaxRecordedBody = 2048;

    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static async Task<ResolverExchange> CallAsync(ResolverRequest request, CancellationToken cancellationToken = default)
    {
        using var message = Build(request, out var url, out var body);
        var method = request.Method == ResolverMethod.Get ? "GET" : "POST";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(request.Deadline);
        var stopwatch = Stopwatch.StartNew();
        int status;
        string? contentType;
        string text;
        try
        {
            using var response = await Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            contentType = response.Content.Headers.ContentType?.ToString();
            text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(ResolverVerdict.Timeout, $"no reply within {request.Deadline.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException ex)
        {
            return Fail(ResolverVerdict.Unreachable, ex.Message);
        }

        var latency = stopwatch.Elapsed.TotalMilliseconds;
        var (verdict, wssUrl, problem) = Check(request, status, contentType, text);
        return new ResolverExchange(method, url, body, status, contentType, Truncate(text), latency, verdict, wssUrl, problem);

        ResolverExchange Fail(ResolverVerdict verdict, string problem) =>
            new(method, url, body, null, null, null, stopwatch.Elapsed.TotalMilliseconds, verdict, null, problem);
    }

    /// <summary>The exact request: GET `url&amp;callId=…&amp;fromNumber=…&amp;toNumber=…&amp;status=…`, or POST with the panel's JSON body.</summary>
    private static HttpRequestMessage Build(ResolverRequest request, out string url, out string? body)
    {
        if (request.Method == ResolverMethod.Get)
        {
            var separator = request.ResolverUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            url = request.ResolverUrl + separator
                  + $"callId={Uri.EscapeDataString(request.CallId)}&fromNumber={Uri.EscapeDataString(request.FromNumber)}"
                  + $"&toNumber={Uri.EscapeDataString(request.ToNumber)}&status={Uri.EscapeDataString(request.Status)}";
            body = null;
            return new HttpRequestMessage(HttpMethod.Get, url);
        }

        url = request.ResolverUrl;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = SimJson.Wire.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("callId", request.CallId);
            json.WriteString("fromNumber", request.FromNumber);
            json.WriteString("toNumber", request.ToNumber);
            json.WriteString("status", request.Status);
            json.WriteEndObject();
        }

        body = Encoding.UTF8.GetString(buffer.WrittenSpan);
        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
    }

    private static (ResolverVerdict Verdict, string? WssUrl, string? Problem) Check(ResolverRequest request, int status, string? contentType, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return status == 200
                ? (ResolverVerdict.InvalidJson, null, $"body is not JSON: {ex.Message}")
                : (ResolverVerdict.HttpError, null, $"HTTP {status}");
        }

        using (document)
        {
            var root = document.RootElement;
            var shape = ShapeProblem(root, request.Strict);
            var success = shape is null && root.GetProperty("success").GetBoolean();
            if (status != 200)
            {
                return shape is null && !success
                    ? (ResolverVerdict.Declined, null, $"declined with HTTP {status}")
                    : (ResolverVerdict.HttpError, null, $"HTTP {status}");
            }

            if (request.Strict && !IsJsonContentType(contentType))
            {
                return (ResolverVerdict.InvalidJson, null, $"content type '{contentType}' is not application/json");
            }

            if (shape is not null)
            {
                return (ResolverVerdict.WrongShape, null, shape);
            }

            if (!success)
            {
                return (ResolverVerdict.Declined, null, "success is false");
            }

            var wssUrl = root.GetProperty("wss_url").GetString()!;
            return UrlProblem(wssUrl, request.AllowLoopbackWs) is { } problem
                ? (ResolverVerdict.BadUrl, wssUrl, problem)
                : (ResolverVerdict.Accepted, wssUrl, null);
        }
    }

    /// <summary>Strict: an object with exactly `success` (boolean) then `wss_url` (string). Lenient: both present with those types.</summary>
    private static string? ShapeProblem(JsonElement root, bool strict)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return $"reply is a JSON {root.ValueKind}, not an object";
        }

        var names = root.EnumerateObject().Select(p => p.Name).ToList();
        if (strict && !names.SequenceEqual(["success", "wss_url"]))
        {
            return $"keys are [{string.Join(", ", names)}]; exactly [success, wss_url] expected";
        }

        if (!root.TryGetProperty("success", out var success) || success.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return "success is missing or not a boolean";
        }

        if (!root.TryGetProperty("wss_url", out var url) || url.ValueKind != JsonValueKind.String)
        {
            return "wss_url is missing or not a string";
        }

        return null;
    }

    private static string? UrlProblem(string wssUrl, bool allowLoopbackWs)
    {
        if (!Uri.TryCreate(wssUrl, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return $"wss_url '{wssUrl}' is not an absolute URL";
        }

        if (uri.Scheme == "wss" && wssUrl.StartsWith("wss://", StringComparison.Ordinal))
        {
            return null;
        }

        if (uri.Scheme == "ws" && wssUrl.StartsWith("ws://", StringComparison.Ordinal))
        {
            if (!IsLoopback(uri.Host))
            {
                return $"wss_url '{wssUrl}' is ws:// to a host that is not loopback";
            }

            return allowLoopbackWs ? null : $"wss_url '{wssUrl}' is ws:// and loopback ws:// is not allowed";
        }

        return $"wss_url '{wssUrl}' does not start with wss://";
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static bool IsJsonContentType(string? contentType) =>
        contentType is not null
        && MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    private static string Truncate(string body) => body.Length <= MaxRecordedBody ? body : body[..MaxRecordedBody];
}
