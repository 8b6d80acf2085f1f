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

    /// <summary>Records why Awaaz ends the call and asks Smartflo to hang up. Returns true when Smartflo accepted or the call was already gone.</summary>
    public async Task<bool> HangupAsync(Call call, string endReason, CancellationToken ct)
    {
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
}
