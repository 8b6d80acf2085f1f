using Awaaz.Server.Api;

namespace Awaaz.Server.Calls;

/// <summary>Calls API (partner-api.md §10).</summary>
public static class CallEndpoints
{
    public static void MapCallEndpoints(this RouteGroupBuilder api)
    {
        var calls = api.MapGroup("/calls").WithTags("Calls");
        calls.MapPost("/start", Start).WithSummary("Start an outbound call (returns the pending call; dialling happens durably in the background)");
        calls.MapGet("", List).WithSummary("List calls, newest first");
        calls.MapGet("/concurrency", Concurrency).WithSummary("Active calls against the partner's concurrency limit");
        calls.MapGet("/{id}", Get).WithSummary("Get a call with its session and transcript (call_id or session_id)")
            .WithDescription("`transfer` (Awaaz) is null, or the agent's transfer: `{ number, status: succeeded|failed, requested_at, error, reason, note }`. " +
                "`reason` types a failure: not_supported, call_not_active, rejected, auth_failed, rate_limited, provider_unavailable, timeout, ambiguous; " +
                "`note` is the agent's stated reason for transferring. A succeeded transfer ends the call with end_reason `transfer`.");
        calls.MapPost("/{id}/end", End).WithSummary("End or cancel a call");
    }

    private static async Task<IResult> Start(Caller caller, HttpRequest request, CallService service, CancellationToken ct)
    {
        var body = await RequestFields.ReadAsync(request, ct);
        var call = await service.StartAsync(caller.Partner, body, ct);
        return Envelope.Created(new
        {
            call_id = call.Id, session_id = call.SessionId, status = call.Status, provider = Telephony.TelephonyProviders.TataSmartflo,
            connection_id = call.ConnectionId, from_number = call.FromNumber, to_number = call.ToNumber, agent_id = call.AgentId,
        });
    }

    private static async Task<IResult> List(Caller caller, HttpRequest request, CallStore calls, CancellationToken ct)
    {
        var (limit, offset) = RouteValues.Page(request);
        var q = request.Query;
        var errors = new List<FieldError>();
        List<string>? statuses = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            statuses = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => x.ToLowerInvariant()).ToList();
            if (statuses.FirstOrDefault(x => !CallStatus.All.Contains(x)) is { } bad) errors.Add(new("status", $"unknown status {bad}"));
        }
        string? agentId = null;
        if (q["agent_id"].ToString() is { Length: > 0 } a)
        {
            if (Guid.TryParse(a, out var g)) agentId = g.ToString("D");
            else errors.Add(new("agent_id", "must be a UUID"));
        }
        var direction = q["direction"].ToString() is { Length: > 0 } d ? d.ToLowerInvariant() : null;
        if (direction is not null and not ("inbound" or "outbound")) errors.Add(new("direction", "must be inbound or outbound"));
        DateTimeOffset? Instant(string name)
        {
            if (q[name].ToString() is not { Length: > 0 } v) return null;
            if (DateTimeOffset.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)) return t;
            errors.Add(new(name, "must be an ISO-8601 timestamp"));
            return null;
        }
        var after = Instant("created_after");
        var before = Instant("created_before");
        if (q["campaign_id"].ToString() is { Length: > 0 }) return Envelope.Ok(new { calls = Array.Empty<object>(), total = 0, limit, offset });
        if (errors.Count > 0) throw ApiException.Validation(errors);
        var (items, total) = await calls.ListAsync(caller.Partner.Id, new CallFilter(statuses, agentId, direction, after, before, limit, offset), ct);
        return Envelope.Ok(new { calls = items.Select(c => CallJson.Call(c, withSession: false)), total, limit, offset });
    }

    private static async Task<IResult> Concurrency(Caller caller, CallStore calls, CancellationToken ct)
    {
        var active = await calls.CountActiveAsync(caller.Partner.Id, ct);
        var limit = caller.Partner.ConcurrencyLimit;
        return Envelope.Ok(new
        {
            limit,
            limit_source = limit == Partners.Partner.DefaultConcurrencyLimit ? "default" : "partner",
            active,
            remaining = Math.Max(0, limit - active),
            statuses_counted = new[] { "PENDING", "RINGING", "IN_PROGRESS" },
            active_calls = active,
            active_web_sessions = 0,
        });
    }

    private static async Task<IResult> Get(string id, Caller caller, CallStore calls, CancellationToken ct)
    {
        var callId = RouteValues.Id(id, "call");
        var call = await calls.GetForPartnerAsync(caller.Partner.Id, callId, ct) ?? throw ApiException.NotFound("call", callId);
        return Envelope.Ok(CallJson.Call(call, withSession: true));
    }

    private static async Task<IResult> End(string id, Caller caller, HttpRequest request, CallStore calls, CallService service, CancellationToken ct)
    {
        var callId = RouteValues.Id(id, "call");
        var graceful = true;
        if (request.ContentLength is > 0)
        {
            var body = await RequestFields.ReadAsync(request, ct);
            graceful = body.Bool("graceful").Or(true);
            body.String("reason", max: 200); // validated; not stored yet (docs/calls.md)
            body.ThrowIfInvalid();
        }
        var call = await calls.GetForPartnerAsync(caller.Partner.Id, callId, ct) ?? throw ApiException.NotFound("call", callId);
        var after = await service.EndAsync(call, graceful, ct);
        return Envelope.Ok(new { call_id = after.Id, status = after.Status, message = "Call end requested" });
    }
}
