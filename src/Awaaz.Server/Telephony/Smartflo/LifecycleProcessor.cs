using System.Text;
using System.Threading.Channels;
using Awaaz.Server.Calls;
using Awaaz.Smartflo.Webhooks;

namespace Awaaz.Server.Telephony.Smartflo;

/// <summary>
/// Applies stored panel webhooks to calls: correlation (smartflo.md §12.5), then evidence for the call's state
/// machine. Unmatched events are retried for 24 h, so a webhook that arrives before the call's ids are known is
/// applied once they are. Picks up events stored before a restart.
/// </summary>
public sealed class LifecycleProcessor(LifecycleEvents events, ConnectionStore connections, CallCorrelator correlator, CallStore calls,
    ILogger<LifecycleProcessor> logger) : BackgroundService
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();

    public void Enqueue(string eventId) => _queue.Writer.TryWrite(eventId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await events.DueAsync(100, stoppingToken);
                foreach (var e in due) await ProcessAsync(e, stoppingToken);
                if (due.Count == 100) continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                logger.LogError(ex, "Lifecycle processing failed; retrying");
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                await _queue.Reader.ReadAsync(wait.Token);
                while (_queue.Reader.TryRead(out _)) { }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            catch (OperationCanceledException) { return; }
        }
    }

    public async Task ProcessAsync(StoredLifecycleEvent stored, CancellationToken ct)
    {
        var split = stored.Payload.IndexOf('\n');
        var parsed = SmartfloWebhookParser.Parse(stored.Payload[..split], Encoding.UTF8.GetBytes(stored.Payload[(split + 1)..]), stored.ContentType);
        if (parsed.Event is not { } e)
        {
            await events.MarkAsync(stored.Id, matched: true, null, ct); // nothing to apply; kept for audit
            return;
        }

        var input = new CorrelationInput([e.CallId, e.Uuid], e.CustomIdentifier, e.RefId, e.CorrelationCustomerNumber, e.CorrelationDidNumber);
        Call? call = null;
        if (stored.ConnectionId is { } connectionId)
        {
            if (await connections.GetByIdAsync(connectionId, ct) is { } connection) call = await correlator.FindOutboundAsync(connection, input, ct, anyState: true, around: e.StartedAt ?? stored.ReceivedAt);
        }
        else
        {
            call = await correlator.FindByIdsAsync(null, input, ct);
            if (call is not null) await calls.BindProviderIdsAsync(call.ConnectionId, call.Id, input.ProviderIds, ct);
        }

        if (call is null)
        {
            await events.MarkAsync(stored.Id, matched: false, null, ct);
            if (stored.Attempts == 0) logger.LogInformation("Smartflo {Kind} webhook for {ProviderCallId} matched no call yet; kept for 24 h", e.Kind, e.CallId);
            return;
        }

        await calls.UpdateAsync(call.Id, c => Apply(c, e, stored.ReceivedAt), ct);
        await events.MarkAsync(stored.Id, matched: true, call.Id, ct);
    }

    /// <summary>The evidence one webhook carries.</summary>
    public static Call Apply(Call call, SmartfloCallEvent e, DateTimeOffset receivedAt)
    {
        call = call with
        {
            ProviderCallId = call.ProviderCallId ?? e.CallId,
            ProviderUuid = call.ProviderUuid ?? e.Uuid,
            RefId = call.RefId ?? e.RefId,
        };
        return e.Kind switch
        {
            SmartfloCallEventKind.Answered => CallRules.ProviderAnswered(call, e.AnsweredAt ?? receivedAt),
            SmartfloCallEventKind.Hangup or SmartfloCallEventKind.Missed => CallRules.ProviderHangup(call, new HangupEvidence(
                receivedAt, e.EndedAt, e.AnsweredAt, e.BillSeconds, e.CallConnected, e.HangupCause, e.HangupCauseCode, e.HangupCauseDescription,
                e.ReasonKey, $"{e.Status} {e.CallStatus}".Trim(), e.RecordingUrl, e.Kind == SmartfloCallEventKind.Missed)),
            _ => call,
        };
    }
}
