using Awaaz.Server.Telephony;
using Awaaz.Smartflo.Rest;

namespace Awaaz.Server.Calls;

/// <summary>Watchdog timing (smartflo.md §13.3), configurable under <c>Awaaz:Watchdog</c>.</summary>
public sealed class WatchdogOptions
{
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Added to the ring timeout before a ringing call is reconciled.</summary>
    public TimeSpan RingGrace { get; set; } = TimeSpan.FromSeconds(45);
    /// <summary>An ambiguous originate waits this long for evidence.</summary>
    public TimeSpan AmbiguousDialWait { get; set; } = TimeSpan.FromSeconds(90);
    /// <summary>Added to the max duration before the hard deadline ends a connected call.</summary>
    public TimeSpan DeadlineGrace { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>A connected call whose media session stopped reporting for this long is orphaned (e.g. its node crashed).</summary>
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How long to wait for the hangup webhook after the stream ended without a provider outcome.</summary>
    public TimeSpan HangupWebhookWait { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>A dial claimed but never recorded (crash mid-dial) becomes ambiguous after this.</summary>
    public TimeSpan StuckDialAfter { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Guarantees every call ends (partner-api.md §5.2): heartbeats this node's live sessions, ends calls past their
/// hard deadline, and reconciles calls with no outcome — ring timeouts, ambiguous originates, calls orphaned by a
/// crashed node (also at start-up) — through Smartflo's live calls and call records. A call with no evidence
/// anywhere is finalised from Awaaz's own knowledge; nothing stays non-terminal. A transferred call is finalised the
/// same way but never hung up (<see cref="CallControl.HangupAsync"/> refuses): the caller is on the new leg.
/// </summary>
public sealed class CallWatchdog(CallStore calls, ConnectionStore connections, SmartfloGateway gateway, CallControl control, LiveCalls live,
    StreamTokens tokens, Microsoft.Extensions.Options.IOptions<WatchdogOptions> options, TimeProvider clock, ILogger<CallWatchdog> logger) : BackgroundService
{
    public static readonly string NodeId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
    private static readonly TimeSpan EndedElsewhereGrace = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, DateTimeOffset> _reconcileAttempts = [];
    private DateTimeOffset _lastPurge;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ScanInterval, clock);
        do
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                logger.LogError(ex, "Watchdog scan failed; will retry");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public async Task ScanAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var liveHere = live.CallIds.ToList();
        await calls.HeartbeatAsync(liveHere, NodeId, ct);

        foreach (var call in await calls.ActiveCallsAsync(1000, ct))
        {
            var session = live.Find(call.Id);
            switch (call.Status)
            {
                case CallStatus.Pending when call.DialState == DialStates.Dialing && call.DialClaimedAt is { } claimed && now - claimed > o.StuckDialAfter:
                    logger.LogWarning("Call {CallId}: dial was claimed but never recorded (node restart?); it will not be dialled again", call.Id);
                    await calls.UpdateAsync(call.Id, c => c.DialState == DialStates.Dialing ? CallRules.DialAmbiguous(c, "Dial outcome unknown after a restart") : c, ct);
                    break;
                case CallStatus.Pending when call.DialState == DialStates.Ambiguous && now - call.CreatedAt > o.AmbiguousDialWait:
                    await ReconcileAsync(call, "Provider did not confirm the call", CallStatus.Failed, ct);
                    break;
                case CallStatus.Pending when call.CancelRequested && call.DialState is DialStates.Done or DialStates.None:
                    await calls.UpdateAsync(call.Id, c => CallRules.CancelRequested(c, now), ct);
                    break;
                case CallStatus.Ringing when (call.RingingAt ?? call.CreatedAt) + TimeSpan.FromSeconds(call.RingTimeoutSecs) + o.RingGrace < now && session is null:
                    await ReconcileAsync(call, "No call outcome received from provider", CallStatus.NoAnswer, ct);
                    break;
                case CallStatus.Ringing when call.StreamEndedAt is { } streamEnded && now - streamEnded > o.HangupWebhookWait:
                    await ReconcileAsync(call, "No call outcome received from provider", CallStatus.NoAnswer, ct);
                    break;
                case CallStatus.InProgress when call.StartedAt is { } started && now > started + TimeSpan.FromSeconds(call.MaxDurationSecs) + o.DeadlineGrace:
                    logger.LogWarning("Call {CallId} passed its hard deadline ({Max} s + grace); ending it", call.Id, call.MaxDurationSecs);
                    if (session is not null) await session.EndAsync(EndReasons.MaxDuration, graceful: false);
                    else await EndOrphanAsync(call, EndReasons.MaxDuration, ct);
                    break;
                case CallStatus.InProgress when session is null && IsOrphaned(call, now):
                    logger.LogWarning("Call {CallId} has no live media session (owner {Owner}); reconciling", call.Id, call.OwnerNode ?? "none");
                    await EndOrphanAsync(call, EndReasons.StreamLost, ct);
                    break;
            }
        }

        // Local sessions whose call was ended elsewhere (a hangup webhook, another node) stop here too, after a grace
        // period that lets Smartflo's own stop arrive first.
        foreach (var id in liveHere)
            if (await calls.GetAsync(id, ct) is { IsTerminal: true } ended && now - ended.UpdatedAt > EndedElsewhereGrace && live.Find(id) is { } orphanSession)
                await orphanSession.SendEndEventAndCloseAsync();

        if (now - _lastPurge > TimeSpan.FromMinutes(10))
        {
            _lastPurge = now;
            await tokens.PurgeAsync(ct);
        }
    }

    private bool IsOrphaned(Call call, DateTimeOffset now)
    {
        var o = options.Value;
        var lastSign = call.OwnerHeartbeatAt ?? call.StartedAt ?? call.CreatedAt;
        return now - lastSign > o.OrphanAfter && (call.OwnerHeartbeatAt is not null || call.StreamStartedAt is null || call.OwnerNode is null);
    }

    /// <summary>A connected call nobody is serving: hang up at Smartflo (no orphaned PSTN leg), then finalise.</summary>
    private async Task EndOrphanAsync(Call call, string reason, CancellationToken ct)
    {
        await control.HangupAsync(call, reason, ct);
        await calls.UpdateAsync(call.Id, c => CallRules.StreamEnded(c, clock.GetUtcNow(), reason == EndReasons.StreamLost ? "lost" : "closed", null), ct);
    }

    /// <summary>smartflo.md §13.4: live calls, then call records; otherwise finalise with <paramref name="fallbackStatus"/>.</summary>
    private async Task ReconcileAsync(Call call, string fallbackMessage, string fallbackStatus, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var connection = await connections.GetByIdAsync(call.ConnectionId, ct);
        if (connection is { HasRestAuth: true })
        {
            try
            {
                var client = await gateway.ForConnectionAsync(connection, ct);
                var did = call.Direction == "inbound" ? call.ToNumber : call.FromNumber;
                var liveCalls = await client.GetLiveCallsAsync(new LiveCallsQuery { DidNumber = did }, ct);
                var stillLive = liveCalls.FirstOrDefault(l => l.Matches(did, call.CustomerNumber));
                var firstTry = !_reconcileAttempts.ContainsKey(call.Id);
                if (stillLive is not null && firstTry)
                {
                    _reconcileAttempts[call.Id] = now;
                    await calls.BindProviderIdsAsync(call.ConnectionId, call.Id, [stillLive.CallId], ct);
                    logger.LogInformation("Call {CallId} is still live at Smartflo; waiting once more", call.Id);
                    return;
                }
                _reconcileAttempts.Remove(call.Id);
                var page = await client.GetCallRecordsAsync(new CallRecordsQuery
                {
                    From = call.CreatedAt - TimeSpan.FromMinutes(1), To = now, Destination = Smartflo.PhoneNumbers.PhoneNumber.Last10(call.CustomerNumber),
                }, ct);
                var record = page.Records.FirstOrDefault(r => Smartflo.PhoneNumbers.PhoneNumber.SameNumber(r.ClientNumber, call.CustomerNumber)
                    && (r.StartedAt is null || r.StartedAt >= call.CreatedAt - TimeSpan.FromMinutes(1)));
                if (record is not null)
                {
                    await calls.UpdateAsync(call.Id, c => CallRules.ProviderHangup(c with { ProviderCallId = c.ProviderCallId ?? record.CallId }, new HangupEvidence(
                        now, record.EndedAt, null, record.AnsweredSeconds, record.AnsweredSeconds > 0, record.HangupCause, null, record.Description,
                        record.Reason, record.Status, record.RecordingUrl)), ct);
                    if (stillLive is not null) await control.HangupAsync(call, EndReasons.Failed, ct);
                    return;
                }
                if (stillLive is not null) await control.HangupAsync(call, EndReasons.Failed, ct);
            }
            catch (SmartfloException ex)
            {
                logger.LogWarning("Reconciliation of call {CallId} could not reach Smartflo ({Error}); finalising from Awaaz's own records", call.Id, ex.PartnerMessage);
            }
        }
        await calls.UpdateAsync(call.Id, c => CallRules.TimedOut(c, now, fallbackStatus, fallbackMessage), ct);
    }
}
