using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Awaaz.Server.Calls;
using Awaaz.Server.Partners;
using Microsoft.AspNetCore.WebUtilities;

namespace Awaaz.Server.Telephony.Smartflo;

/// <summary>
/// Smartflo's Dynamic Voice-Bot endpoint (smartflo.md §9). Answers within the 2000 ms deadline whatever happens:
/// correlation gets 1200 ms, after which (or on any error) an unbound token is issued and the call is correlated
/// when the socket's <c>start</c> arrives. Never a 5xx, never late.
/// </summary>
public static class ResolverEndpoint
{
    public static readonly byte[] DeclineBody = "{\"success\":false,\"wss_url\":\"wss://declined.invalid/\"}"u8.ToArray();
    private static readonly TimeSpan CorrelationBudget = TimeSpan.FromMilliseconds(1200);
    private static readonly Meter Meter = new("Awaaz.Resolver");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("awaaz.resolver.duration", "ms", "Resolver answer time");
    private static readonly Counter<long> Outcomes = Meter.CreateCounter<long>("awaaz.resolver.outcomes", description: "Resolver answers by outcome");

    public static void MapResolver(this IEndpointRouteBuilder app) =>
        app.MapMethods("/api/tata/resolve-wss", ["GET", "POST"], Resolve).WithTags("Smartflo").ExcludeFromDescription();

    private static async Task Resolve(HttpContext context, SmartfloSecrets secrets, CallCorrelator correlator, StreamTokens tokens, CallStore calls,
        PublicUrls urls, ILoggerFactory loggers)
    {
        var started = Stopwatch.GetTimestamp();
        var logger = loggers.CreateLogger("Awaaz.Resolver");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(1500));
        var outcome = "declined";
        try
        {
            var inputs = await ReadInputsAsync(context.Request, deadline.Token);
            var (check, connection) = await secrets.CheckAsync(context.Request, deadline.Token);
            if (check != SecretCheck.Valid || connection is null)
            {
                outcome = "bad_secret";
                await WriteAsync(context, 401, DeclineBody);
                return;
            }
            if (!connection.IsActive)
            {
                logger.LogInformation("Resolver declined: connection {ConnectionId} is inactive", connection.Id);
                await WriteAsync(context, 200, DeclineBody);
                return;
            }

            var input = new CorrelationInput([inputs.CallId], inputs.CustomIdentifier, inputs.RefId, inputs.FromNumber, inputs.ToNumber);
            // On the thread pool: SQLite's "async" calls block while the database is busy, and the deadline must still hold.
            var correlate = Task.Run(() => CorrelateAsync(connection, input, correlator, deadline.Token), deadline.Token);
            (Call? Call, string? Decline) result;
            try
            {
                result = await correlate.WaitAsync(CorrelationBudget, deadline.Token);
            }
            catch (Exception ex) when (ex is TimeoutException || (ex is not OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
            {
                // Too slow (or failing): answer now; the call is correlated when the socket's start arrives (§9.6).
                logger.LogWarning("Resolver correlation did not finish in time ({Error}); issuing an unbound token", ex.GetType().Name);
                outcome = "unbound";
                await WriteAsync(context, 200, AcceptBody(urls.BaseFor(context.Request), tokens.IssueSealed(connection.Id, null, inputs)));
                return;
            }

            if (result.Call is not { } call)
            {
                logger.LogInformation("Resolver declined call {ProviderCallId}: {Reason}", inputs.CallId, result.Decline);
                await WriteAsync(context, 200, DeclineBody);
                return;
            }
            string token;
            try
            {
                token = await Task.Run(() => tokens.IssueAsync(connection.Id, call.Id, inputs, deadline.Token), deadline.Token).WaitAsync(TokenStoreBudget(started), deadline.Token);
            }
            catch (Exception ex) when (ex is TimeoutException or System.Data.Common.DbException)
            {
                logger.LogWarning("Could not store a stream token in time ({Error}); issuing a sealed one", ex.GetType().Name);
                token = tokens.IssueSealed(connection.Id, call.Id, inputs);
            }
            outcome = call.Direction == "inbound" ? "inbound" : "outbound";
            await WriteAsync(context, 200, AcceptBody(urls.BaseFor(context.Request), token));
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            logger.LogError(ex, "Resolver failed; declining");
            outcome = "error";
            await WriteAsync(context, 200, DeclineBody);
        }
        finally
        {
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("outcome", outcome));
            Outcomes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>What is left of the 1 450 ms budget for storing the token (at least 50 ms).</summary>
    private static TimeSpan TokenStoreBudget(long started)
    {
        var left = TimeSpan.FromMilliseconds(1450) - Stopwatch.GetElapsedTime(started);
        return left > TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50);
    }

    private static async Task<(Call? Call, string? Decline)> CorrelateAsync(TelephonyConnection connection, CorrelationInput input, CallCorrelator correlator, CancellationToken ct)
    {
        var outbound = await correlator.FindOutboundAsync(connection, input, ct);
        if (outbound is not null)
        {
            if (outbound.IsTerminal || outbound.CancelRequested) return (null, $"call {outbound.Id} is {outbound.Status}");
            return (outbound, null);
        }
        return await correlator.CreateInboundAsync(connection, input, ct);
    }

    /// <summary>Exactly <c>{"success":true,"wss_url":"wss://…/api/tata/stream/&lt;token&gt;"}</c> (https → wss; http → ws for development).</summary>
    public static byte[] AcceptBody(string publicBase, string token)
    {
        var wsBase = publicBase.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "wss://" + publicBase[8..]
            : publicBase.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "ws://" + publicBase[7..] : publicBase;
        return Encoding.UTF8.GetBytes($"{{\"success\":true,\"wss_url\":\"{wsBase}/api/tata/stream/{token}\"}}");
    }

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    private static readonly string[] CallIdKeys = ["callid", "call_id", "callsid", "call_sid", "uuid"];
    private static readonly string[] FromKeys = ["fromnumber", "from_number", "from", "caller_id_number", "callernumber"];
    private static readonly string[] ToKeys = ["tonumber", "to_number", "to", "call_to_number", "did"];
    private static readonly string[] StatusKeys = ["status", "call_status", "callstatus"];
    private static readonly string[] RefIdKeys = ["refid", "ref_id"];
    private static readonly string[] CustomIdKeys = ["customidentifier", "custom_identifier"];

    /// <summary>Query string, then JSON / form / text body (body keys override query keys); keys case-insensitive, placeholders are null (§9.4).</summary>
    public static async Task<ResolverInputs> ReadInputsAsync(HttpRequest request, CancellationToken ct)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in request.Query) values[k.Trim()] = v.ToString();
        if (HttpMethods.IsPost(request.Method) && request.ContentLength is not 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await ReadLimitedAsync(reader, 64 * 1024, request.ContentLength, ct);
            if (!string.IsNullOrWhiteSpace(body))
            {
                if (!TryReadJson(body, values))
                    foreach (var (k, v) in QueryHelpers.ParseQuery(body.StartsWith('?') ? body : "?" + body))
                        if (!k.Equals("secret", StringComparison.OrdinalIgnoreCase)) values[k.Trim()] = v.ToString();
            }
        }
        string? Pick(string[] keys)
        {
            foreach (var key in keys)
                if (values.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) && !v.TrimStart().StartsWith('$')) return v.Trim();
            return null;
        }
        return new ResolverInputs(Pick(CallIdKeys), Pick(FromKeys), Pick(ToKeys), Pick(StatusKeys), Pick(RefIdKeys), Pick(CustomIdKeys));
    }

    private static bool TryReadJson(string body, Dictionary<string, string?> values)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name.Equals("secret", StringComparison.OrdinalIgnoreCase)) continue;
                values[p.Name.Trim()] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Number => p.Value.GetRawText(),
                    JsonValueKind.Null => null,
                    _ => p.Value.GetRawText(),
                };
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads at most <paramref name="max"/> characters. The buffer starts small and is pooled: resolver bodies are about
    /// 100 bytes, and a fresh 64 K-char array per request would land on the large-object heap and force a gen-2 GC every
    /// few hundred requests.
    /// </summary>
    private static async Task<string> ReadLimitedAsync(StreamReader reader, int max, long? contentLength, CancellationToken ct)
    {
        var size = (int)Math.Clamp(contentLength is > 0 and < int.MaxValue ? contentLength.Value + 1 : 1024, 1, max + 1);
        var buffer = ArrayPool<char>.Shared.Rent(size);
        try
        {
            var total = 0;
            while (total <= max)
            {
                if (total == buffer.Length)
                {
                    var larger = ArrayPool<char>.Shared.Rent(Math.Min(buffer.Length * 2, max + 1));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await reader.ReadAsync(buffer.AsMemory(total, Math.Min(buffer.Length, max + 1) - total), ct);
                if (read == 0) break;
                total += read;
            }
            return new string(buffer, 0, Math.Min(total, max));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
