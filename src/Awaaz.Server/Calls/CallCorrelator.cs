using Awaaz.Server.Agents;
using Awaaz.Server.Api;
using Awaaz.Server.Partners;
using Awaaz.Server.Telephony;
using Numbers = Awaaz.Smartflo.PhoneNumbers.PhoneNumber;

namespace Awaaz.Server.Calls;

/// <summary>The identifiers and numbers one Smartflo event carries (resolver request, stream start, webhook).</summary>
public sealed record CorrelationInput(IReadOnlyList<string?> ProviderIds, string? CustomIdentifier, string? RefId, string? NumberA, string? NumberB);

/// <summary>
/// Finds the call a Smartflo event belongs to (smartflo.md §12.2): 1. a bound Smartflo id, 2. custom_identifier /
/// ref_id, 3. number matching among recent pending/ringing outbound calls of the connection (agent-first calls also
/// by the agent number). For the resolver it also creates inbound calls for DIDs assigned to an agent (§12.3).
/// </summary>
public sealed class CallCorrelator(CallStore calls, PhoneNumberStore numbers, AgentStore agents, PartnerStore partners, TimeProvider clock)
{
    public static readonly TimeSpan MatchWindow = TimeSpan.FromMinutes(10);
    private static readonly string[] Unanswered = [CallStatus.Pending, CallStatus.Ringing];

    /// <summary>Rules 1–3 within a connection (rule 3 only for calls not yet bound to a stream). On a match, binds the event's ids to the call.</summary>
    public async Task<Call?> FindOutboundAsync(TelephonyConnection connection, CorrelationInput input, CancellationToken ct, bool anyState = false, DateTimeOffset? around = null)
    {
        var call = await FindByIdsAsync(connection.Id, input, ct) ?? await FindByNumbersAsync(connection, input, anyState, around, ct);
        if (call is not null) await calls.BindProviderIdsAsync(connection.Id, call.Id, input.ProviderIds, ct);
        return call;
    }

    /// <summary>Rules 1–2 only; <paramref name="connectionId"/> null searches every connection (secretless webhooks).</summary>
    public async Task<Call?> FindByIdsAsync(string? connectionId, CorrelationInput input, CancellationToken ct)
    {
        if (await calls.FindByProviderIdAsync(connectionId, input.ProviderIds, ct) is { } bound) return await calls.GetAsync(bound, ct);
        return await calls.FindByIdentifiersAsync(connectionId, input.CustomIdentifier, input.RefId, ct);
    }

    private async Task<Call?> FindByNumbersAsync(TelephonyConnection connection, CorrelationInput input, bool anyState, DateTimeOffset? around, CancellationToken ct)
    {
        var since = (around ?? clock.GetUtcNow()) - MatchWindow;
        var statuses = anyState ? CallStatus.All : Unanswered;
        var dids = (await numbers.ActiveNumbersAsync(connection.Id, ct)).Select(n => n.Number).Append(connection.FromNumber).ToList();
        bool IsDidOrMissing(string? n, Call c) => Numbers.Normalize(n) is null || Numbers.SameNumber(n, c.FromNumber) || dids.Any(d => Numbers.SameNumber(n, d));

        foreach (var (customer, other) in new[] { (input.NumberA, input.NumberB), (input.NumberB, input.NumberA) })
        {
            if (Numbers.MatchKey(customer) is not { } key) continue;
            var candidates = await calls.RecentOutboundAsync(connection.Id, key, statuses, since, ct);
            var match = candidates.FirstOrDefault(c => (anyState || c.StreamSid is null) && IsDidOrMissing(other, c));
            if (match is not null) return match;
        }

        // Agent-first: the first leg rings the agent, so the event may show the agent number instead of the customer.
        if (connection.AgentNumber is { } agentNumber)
        {
            bool IsAgent(string? n) => n is not null && (n.TrimStart('+') == agentNumber.TrimStart('+') || Numbers.SameNumber(n, agentNumber));
            var other = IsAgent(input.NumberA) ? input.NumberB : IsAgent(input.NumberB) ? input.NumberA : null;
            if (IsAgent(input.NumberA) || IsAgent(input.NumberB))
            {
                var ringing = await calls.RecentOutboundAsync(connection.Id, "", anyState ? CallStatus.All : [CallStatus.Ringing], since, ct);
                return ringing.FirstOrDefault(c => c.DialMode == DialModes.AgentFirst && (anyState || c.StreamSid is null) && IsDidOrMissing(other, c));
            }
        }
        return null;
    }

    /// <summary>
    /// §12.3: a call to an ACTIVE DID of the connection assigned to a live agent becomes an inbound call (created
    /// <c>in_progress</c>); swapped inputs are tolerated. Returns the decline reason when there is none to create.
    /// </summary>
    public async Task<(Call? Call, string? Decline)> CreateInboundAsync(TelephonyConnection connection, CorrelationInput input, CancellationToken ct)
    {
        var active = await numbers.ActiveNumbersAsync(connection.Id, ct);
        (string Did, string AgentId, string? Caller)? route = null;
        foreach (var (did, caller) in new[] { (input.NumberB, input.NumberA), (input.NumberA, input.NumberB) })
        {
            var hit = active.FirstOrDefault(n => n.AgentId is not null && Numbers.SameNumber(n.Number, did));
            if (hit.AgentId is not null) { route = (hit.Number, hit.AgentId, caller); break; }
        }
        if (route is not { } r) return (null, "no matching outbound call and no agent assigned to the DID");

        var partner = await partners.GetAsync(connection.PartnerId, ct);
        if (partner is null || partner.Status != PartnerStatus.Active) return (null, "partner not active");
        var agent = await agents.GetAsync(connection.PartnerId, r.AgentId, ct);
        if (agent is null) return (null, "agent assigned to the DID no longer exists");

        var now = clock.GetUtcNow();
        var call = Call.New(partner.Id, agent, connection, "inbound", Numbers.Normalize(r.Caller) ?? r.Caller ?? "unknown", r.Did, [], now) with
        {
            Status = CallStatus.InProgress,
            StartedAt = now,
        };
        try
        {
            call = await calls.CreateAsync(call, partner.ConcurrencyLimit, checkSameNumber: false, ct);
        }
        catch (ApiException ex) when (ex.Code == ErrorCodes.ConcurrencyLimitReached)
        {
            return (null, "inbound call would exceed the partner's concurrency limit");
        }
        await calls.BindProviderIdsAsync(connection.Id, call.Id, input.ProviderIds, ct);
        return (call, null);
    }
}
