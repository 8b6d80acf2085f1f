using System.Collections.Concurrent;
using Awaaz.Server.Telephony;
using Awaaz.Smartflo.Rest;

namespace Awaaz.Server.Calls;

/// <summary>A media session running on this node, as call control sees it.</summary>
public interface ILiveCall
{
    string CallId { get; }
    /// <summary>Ends the conversation: say the farewell first when <paramref name="graceful"/>, then hang up.</summary>
    Task EndAsync(string endReason, bool graceful);
    /// <summary>Sends the socket <c>end</c> event and closes (api-key-only connections, or <c>socket_end_event</c>).</summary>
    Task SendEndEventAndCloseAsync();
}

/// <summary>The media sessions live on this node, by call id.</summary>
public sealed class LiveCalls
{
    private readonly ConcurrentDictionary<string, ILiveCall> _sessions = new();
    public void Add(ILiveCall call) => _sessions[call.CallId] = call;
    public void Remove(ILiveCall call) => _sessions.TryRemove(new KeyValuePair<string, ILiveCall>(call.CallId, call));
    public ILiveCall? Find(string callId) => _sessions.GetValueOrDefault(callId);
    public ICollection<string> CallIds => _sessions.Keys;
    public int Count => _sessions.Count;
}

/// <summary>
/// Ending calls (smartflo.md §1.4): Smartflo's REST hang-up first — closing the socket alone does not always end
/// the phone call — and the socket <c>end</c> event when there is no REST auth or the REST hang-up failed.
/// </summary>
public sealed class CallControl(CallStore calls, ConnectionStore connections, SmartfloGateway gateway, LiveCalls live,
    TimeProvider clock, ILogger<CallControl> logger)
{
    /// <summary>A connected call: the live session ends it (with a farewell when graceful); without a session here, REST hang-up.</summary>
    public async Task<Call> EndConnectedAsync(Call call, string endReason, bool graceful, CancellationToken ct)
    {
        if (live.Find(call.Id) is { } session)
        {
            await session.EndAsync(endReason, graceful);
            return await calls.GetAsync(call.Id, ct) ?? call;
        }
        await HangupAsync(call, endReason, ct);
        return await calls.GetAsync(call.Id, ct) ?? call;
    }

    /// <summary>
    /// Records why Awaaz ends the call and asks Smartflo to hang up. Returns true when Smartflo accepted or the call was already gone.
    /// A transferred call is never hung up: the caller is on the new leg, and a hang-up would drop them.
    /// </summary>
    public async Task<bool> HangupAsync(Call call, string endReason, CancellationToken ct)
    {
        if ((await calls.GetAsync(call.Id, ct) ?? call).WasTransferred)
        {
            logger.LogInformation("Call {CallId}: not hanging up ({Reason}); the caller was transferred", call.Id, endReason);
            return true;
        }
        call = await calls.UpdateAsync(call.Id, c => CallRules.HangupRequested(c, clock.GetUtcNow(), endReason), ct) ?? call;
        var connection = await connections.GetAsync(call.PartnerId, call.ConnectionId, ct);
        var accepted = false;
        if (connection is { HasRestAuth: true } && (call.ProviderCallId ?? call.StreamCallSid ?? call.RefId) is not null)
        {
            try
            {
                var client = await gateway.ForConnectionAsync(connection, ct);
                var result = await client.HangupAsync(new HangupRequest
                {
                    CallId = call.ProviderCallId ?? call.StreamCallSid, RefId = call.RefId, DidNumber = call.Direction == "inbound" ? call.ToNumber : call.FromNumber,
                    CustomerNumber = call.CustomerNumber,
                }, ct);
                accepted = result.Outcome is HangupOutcome.Accepted or HangupOutcome.NotActive;
                logger.LogInformation("Call {CallId}: REST hang-up {Outcome} ({Reason})", call.Id, result.Outcome, endReason);
            }
            catch (SmartfloException ex)
            {
                logger.LogWarning("Call {CallId}: REST hang-up failed: {Error}", call.Id, ex.PartnerMessage);
            }
        }
        if (!accepted && live.Find(call.Id) is { } session)
            await session.SendEndEventAndCloseAsync();
        return accepted;
    }

    /// <summary>
    /// Asks Smartflo to transfer the caller to <paramref name="number"/> (smartflo.md §5.10: <c>call/options</c> type 4, the
    /// call id chosen like the hang-up forms, never retried once sent) and records the outcome on the call.
    /// </summary>
    public async Task<CallTransfer> TransferAsync(Call call, string number, string? note, CancellationToken ct)
    {
        var requestedAt = clock.GetUtcNow();
        var outcome = await RequestTransferAsync(call, number, note, requestedAt, ct);
        if (outcome.Succeeded) logger.LogInformation("Call {CallId}: transferred to {Number}", call.Id, number);
        else logger.LogWarning("Call {CallId}: transfer to {Number} failed ({Reason}): {Error}", call.Id, number, outcome.Reason, outcome.Error);
        await calls.UpdateAsync(call.Id, c => CallRules.TransferAttempted(c, outcome), CancellationToken.None);
        return outcome;
    }

    private async Task<CallTransfer> RequestTransferAsync(Call call, string number, string? note, DateTimeOffset requestedAt, CancellationToken ct)
    {
        var connection = await connections.GetAsync(call.PartnerId, call.ConnectionId, ct);
        if (connection is not { HasRestAuth: true })
            return CallTransfer.Failed(number, requestedAt, TransferFailure.NotSupported,
                "The connection has no REST credentials (api-key-only); Smartflo's transfer needs a token or panel login", note);
        try
        {
            var client = await gateway.ForConnectionAsync(connection, ct);
            var smartfloCallId = call.ProviderCallId ?? call.StreamCallSid ?? await LiveCallIdAsync(client, call, ct);
            if (smartfloCallId is null)
                return CallTransfer.Failed(number, requestedAt, TransferFailure.CallNotActive, "No Smartflo call id is known for this call", note);
            await client.TransferAsync(new TransferRequest { CallId = smartfloCallId, Intercom = number }, ct);
            return new CallTransfer(number, TransferStatus.Succeeded, requestedAt, Note: note);
        }
        catch (SmartfloException ex)
        {
            var detail = string.IsNullOrWhiteSpace(ex.ProviderMessage) ? "" : $" ({ex.ProviderMessage})";
            return CallTransfer.Failed(number, requestedAt, TransferFailure.Of(ex), ex.PartnerMessage + detail, note);
        }
    }

    /// <summary>Hang-up form 3: the id of the matching entry in Smartflo's live calls.</summary>
    private static async Task<string?> LiveCallIdAsync(SmartfloClient client, Call call, CancellationToken ct)
    {
        var did = call.Direction == "inbound" ? call.ToNumber : call.FromNumber;
        var live = await client.GetLiveCallsAsync(new LiveCallsQuery { DidNumber = did }, ct);
        return live.FirstOrDefault(l => l.Matches(did, call.CustomerNumber))?.CallId;
    }
}
