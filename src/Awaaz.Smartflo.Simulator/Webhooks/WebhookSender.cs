using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Smartflo.Simulator.Webhooks;

/// <summary>Where and how one webhook is delivered.</summary>
public sealed record WebhookTarget(string Url, WebhookFormat Format);

/// <summary>Delivers webhook payloads as GET-with-query, JSON POST or form POST, with Smartflo's 10 s timeout.</summary>
public sealed class WebhookSender : IDisposable
{
    private const int MaxRecordedBody = 2048;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task<WebhookDelivery> SendAsync(
        WebhookTarget target,
        WebhookTrigger trigger,
        JsonObject payload,
        DateTimeOffset sentAt,
        CancellationToken cancellationToken = default)
    {
        var payloadText = payload.ToJsonString(SimJson.Wire);
        using var request = BuildRequest(target, payload);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return new WebhookDelivery(
                Name(trigger), target.Url, Name(target.Format), request.Method.Method, sentAt,
                (int)response.StatusCode, Truncate(body), null, stopwatch.Elapsed.TotalMilliseconds, payloadText);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new WebhookDelivery(
                Name(trigger), target.Url, Name(target.Format), request.Method.Method, sentAt,
                null, null, ex is TaskCanceledException ? "timeout" : ex.Message, stopwatch.Elapsed.TotalMilliseconds, payloadText);
        }
    }

    public static HttpRequestMessage BuildRequest(WebhookTarget target, JsonObject payload)
    {
        switch (target.Format)
        {
            case WebhookFormat.Query:
                var query = string.Join("&", WebhookPayloads.Flatten(payload)
                    .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
                var separator = target.Url.Contains('?', StringComparison.Ordinal) ? "&" : "?";
                return new HttpRequestMessage(HttpMethod.Get, target.Url + separator + query);
            case WebhookFormat.Form:
                return new HttpRequestMessage(HttpMethod.Post, target.Url)
                {
                    Content = new FormUrlEncodedContent(WebhookPayloads.Flatten(payload)),
                };
            default:
                return new HttpRequestMessage(HttpMethod.Post, target.Url)
                {
                    Content = new StringContent(payload.ToJsonString(SimJson.Wire), Encoding.UTF8, "application/json"),
                };
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Truncate(string body) => body.Length <= MaxRecordedBody ? body : body[..MaxRecordedBody];
}
