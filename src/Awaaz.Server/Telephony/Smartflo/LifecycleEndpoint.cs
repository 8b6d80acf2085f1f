using Awaaz.Server.Calls;
using Awaaz.Smartflo.Webhooks;

namespace Awaaz.Server.Telephony.Smartflo;

/// <summary>
/// Smartflo panel webhooks (smartflo.md §10): <c>/api/tata/lifecycle</c> and the alias <c>/api/self-hosted-voice/webhook</c>.
/// The raw payload is stored durably, then acknowledged with 200 within a second; processing is asynchronous.
/// </summary>
public static class LifecycleEndpoint
{
    private static readonly byte[] Ok = "{\"success\":true}"u8.ToArray();
    private static readonly byte[] Unmatched = "{\"success\":true,\"matched\":false}"u8.ToArray();
    private static readonly byte[] Rejected = "{\"success\":false}"u8.ToArray();

    public static void MapLifecycle(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/tata/lifecycle", ["GET", "POST"], Receive).WithTags("Smartflo").ExcludeFromDescription();
        app.MapMethods("/api/self-hosted-voice/webhook", ["GET", "POST"], Receive).WithTags("Smartflo").ExcludeFromDescription();
    }

    private static async Task Receive(HttpContext context, SmartfloSecrets secrets, LifecycleEvents events, LifecycleProcessor processor,
        CallCorrelator correlator, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Awaaz.Lifecycle");
        var request = context.Request;
        var (check, connection) = await secrets.CheckAsync(request, context.RequestAborted);
        if (check == SecretCheck.Unknown)
        {
            await WriteAsync(context, 401, Rejected);
            return;
        }

        var body = await ReadBodyAsync(request, context.RequestAborted);
        var query = request.QueryString.Value ?? "";
        var parsed = SmartfloWebhookParser.Parse(query, body, request.ContentType);
        var kind = parsed.Event?.Kind.ToString().ToLowerInvariant() ?? "unparseable";

        if (connection is null && parsed.Event is { } secretless)
        {
            // Without a secret only unguessable ids may match (custom_identifier = call id, or a stored ref_id).
            var match = await correlator.FindByIdsAsync(null, new CorrelationInput([], secretless.CustomIdentifier, secretless.RefId, null, null), context.RequestAborted);
            if (match is null)
            {
                await WriteAsync(context, 200, Unmatched);
                return;
            }
        }
        else if (connection is null)
        {
            await WriteAsync(context, 200, Unmatched);
            return;
        }

        var dedupe = parsed.Event?.DeduplicationId ?? "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
        try
        {
            var (stored, id) = await events.StoreAsync(connection?.Id, $"{connection?.Id ?? "none"}|{kind}|{dedupe}", kind, query, body, request.ContentType, context.RequestAborted);
            if (stored) processor.Enqueue(id);
            else logger.LogInformation("Duplicate Smartflo {Kind} webhook ignored", kind);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not store a Smartflo webhook");
            context.Response.Headers.RetryAfter = "5";
            await WriteAsync(context, 503, Rejected);
            return;
        }
        if (!parsed.IsSuccess) logger.LogWarning("Stored an unparseable Smartflo webhook: {Error}", parsed.Error?.Message);
        await WriteAsync(context, 200, Ok);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (!HttpMethods.IsPost(request.Method)) return [];
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > SmartfloWebhookParser.MaxPayloadBytes) break;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
