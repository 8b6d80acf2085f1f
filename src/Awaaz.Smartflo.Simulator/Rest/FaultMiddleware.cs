using Awaaz.Smartflo.Simulator.Configuration;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Awaaz.Smartflo.Simulator.Rest;

/// <summary>Endpoint metadata naming the Smartflo route an endpoint serves.</summary>
internal sealed record SmartfloRouteTag(SmartfloRoute Route);

/// <summary>
/// Wraps every Smartflo route: adds the configured latency, answers with a forced fault when one is armed,
/// and records the request with its final status (headers and secrets redacted).
/// </summary>
internal sealed class FaultMiddleware(RequestDelegate next, SmartfloSimulator simulator)
{
    private const int MaxRecordedBody = 4096;

    /// <summary>Status recorded for a request the client abandoned before any response (nginx convention).</summary>
    public const int ClientClosedRequest = 499;
    private static readonly string[] SecretKeys = ["password", "api_key", "access_token"];

    public async Task InvokeAsync(HttpContext context)
    {
        var tag = context.GetEndpoint()?.Metadata.GetMetadata<SmartfloRouteTag>();
        if (tag is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        var receivedAt = simulator.Time.GetUtcNow();
        var body = await CaptureBodyAsync(context.Request).ConfigureAwait(false);
        string? fault = null;
        var recorded = 0;

        // Recorded just before the response starts, so a client that has its answer always finds the request in
        // the log (recording after the pipeline returned raced the client). A request the client gave up on before
        // any response is recorded as 499 (nginx's "client closed request").
        void Record(int status)
        {
            if (Interlocked.Exchange(ref recorded, 1) != 0)
            {
                return;
            }

            simulator.Requests.Add(new RecordedRequest(
                receivedAt,
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                tag.Route,
                status,
                RedactedHeaders(context.Request.Headers),
                body,
                stopwatch.Elapsed.TotalMilliseconds,
                fault));
        }

        context.Response.OnStarting(() =>
        {
            Record(context.Response.StatusCode);
            return Task.CompletedTask;
        });

        try
        {
            var latency = simulator.Faults.NextLatency();
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);
            }

            var forced = simulator.Faults.TakeForced(tag.Route);
            if (forced is not null)
            {
                fault = $"forced {forced.Status}";
                var settings = simulator.Faults.Current;
                await SmartfloResponses.Forced(forced.Status, forced.OkFalse, forced.RetryAfterSeconds, settings.RetryAfterHeader)
                    .ExecuteAsync(context).ConfigureAwait(false);
            }
            else
            {
                await next(context).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            fault = fault is null ? "client closed request" : fault + "; client closed request";
            Record(ClientClosedRequest);
            return;
        }
        catch
        {
            Record(StatusCodes.Status500InternalServerError);
            throw;
        }

        Record(context.Response.StatusCode);
    }

    private static async Task<string> CaptureBodyAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return "";
        }

        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, leaveOpen: true);
        var buffer = new char[MaxRecordedBody];
        var read = await reader.ReadBlockAsync(buffer, 0, buffer.Length).ConfigureAwait(false);
        request.Body.Position = 0;
        return Redact(new string(buffer, 0, read));
    }

    private static string Redact(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject json)
            {
                foreach (var key in SecretKeys.Where(json.ContainsKey))
                {
                    json[key] = "***";
                }

                return json.ToJsonString(SimJson.Wire);
            }
        }
        catch (JsonException)
        {
            // Not JSON: form bodies are redacted field by field below.
        }

        return string.Join("&", body.Split('&').Select(pair =>
            SecretKeys.Any(k => pair.StartsWith(k + "=", StringComparison.OrdinalIgnoreCase)) ? pair[..(pair.IndexOf('=') + 1)] + "***" : pair));
    }

    private static Dictionary<string, string> RedactedHeaders(IHeaderDictionary headers) =>
        headers.ToDictionary(
            h => h.Key,
            h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) ? RedactAuthorization(h.Value.ToString()) : h.Value.ToString(),
            StringComparer.OrdinalIgnoreCase);

    private static string RedactAuthorization(string value) =>
        value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[..7] + "***" : "***";
}
