using System.Threading.Channels;
using Awaaz.Server.Telephony;
using Awaaz.Smartflo.Rest;

namespace Awaaz.Server.Calls;

/// <summary>
/// Places queued calls with Smartflo. The job is the call row itself (<c>dial_state = queued</c>), so a restart
/// between accept and dial loses nothing; a row is claimed by exactly one node before dialling, and a claim that
/// never recorded its outcome is never dialled again (it becomes ambiguous and is reconciled).
/// </summary>
public sealed class DialWorker(CallStore calls, ConnectionStore connections, SmartfloGateway gateway,
    IConfiguration configuration, TimeProvider clock, ILogger<DialWorker> logger) : BackgroundService
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks the worker to look for jobs now (it also polls every second, for jobs queued by other nodes).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // `Awaaz:Dialer:Enabled=false` makes an API-only node: it accepts calls, other nodes dial them.
        if (!configuration.GetValue("Awaaz:Dialer:Enabled", true))
        {
            logger.LogInformation("Dialer disabled on this node (Awaaz:Dialer:Enabled=false)");
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var jobs = await calls.ClaimDialJobsAsync(16, stoppingToken);
                await Task.WhenAll(jobs.Select(job => DialAsync(job, stoppingToken)));
                if (jobs.Count > 0) continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                logger.LogError(ex, "Dial loop failed; retrying");
            }
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            poll.CancelAfter(TimeSpan.FromSeconds(1));
            try { await _wake.Reader.ReadAsync(poll.Token); }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task DialAsync(Call call, CancellationToken ct)
    {
        if (call.CancelRequested)
        {
            await calls.UpdateAsync(call.Id, c => c with { DialState = DialStates.Done }, ct);
            return;
        }
        var connection = await connections.GetAsync(call.PartnerId, call.ConnectionId, ct);
        if (connection is null || !connection.IsActive)
        {
            await Record(call.Id, c => CallRules.DialRejected(c, clock.GetUtcNow(), "Connection is no longer active"), ct);
            return;
        }
        try
        {
            var client = await gateway.ForConnectionAsync(connection, ct);
            var callTimeout = connection.ManagedBy == TelephonyConnection.ManagedByEnv ? connection.Settings.CallTimeoutSecs : call.MaxDurationSecs + 30;
            var result = call.DialMode == DialModes.CustomerFirst
                ? await client.ClickToCallSupportAsync(new ClickToCallSupportRequest
                {
                    CustomerNumber = call.ToNumber, CallerId = call.FromNumber, CustomerRingTimeoutSeconds = call.RingTimeoutSecs,
                    CallTimeoutSeconds = callTimeout, CustomIdentifier = call.Id,
                }, ct)
                : await client.ClickToCallAsync(new ClickToCallRequest
                {
                    AgentNumber = connection.AgentNumber!, DestinationNumber = call.ToNumber, CallerId = call.FromNumber,
                    CallTimeoutSeconds = callTimeout, CustomIdentifier = call.Id,
                }, ct);
            await calls.BindProviderIdsAsync(call.ConnectionId, call.Id, [result.CallId], ct);
            await Record(call.Id, c => CallRules.DialAccepted(c, clock.GetUtcNow(), result.RefId, result.CallId), ct);
            logger.LogInformation("Call {CallId} dialled ({Mode}); Smartflo: {Message}", call.Id, call.DialMode, result.Message);
        }
        catch (SmartfloException ex) when (ex.IsAmbiguous)
        {
            logger.LogWarning("Call {CallId}: dial outcome unknown ({Error}); it will be settled by correlation or reconciliation", call.Id, ex.PartnerMessage);
            await Record(call.Id, c => CallRules.DialAmbiguous(c, $"{ex.PartnerMessage} (outcome unknown)"), ct);
        }
        catch (SmartfloException ex)
        {
            logger.LogWarning("Call {CallId}: Smartflo rejected the dial: {Error}", call.Id, ex.PartnerMessage);
            await Record(call.Id, c => CallRules.DialRejected(c, clock.GetUtcNow(), $"{ex.PartnerMessage} {ex.ProviderMessage}".Trim()), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Call {CallId}: dial failed before reaching Smartflo", call.Id);
            await Record(call.Id, c => CallRules.DialRejected(c, clock.GetUtcNow(), "Dial failed: " + ex.Message), ct);
        }
    }

    private Task Record(string callId, Func<Call, Call> change, CancellationToken ct) => calls.UpdateAsync(callId, change, ct);
}
