using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Awaaz.Server.Agents;
using Awaaz.Server.Api;
using Awaaz.Server.Partners;
using Awaaz.Server.Telephony;
using Awaaz.Smartflo.PhoneNumbers;

namespace Awaaz.Server.Calls;

/// <summary>Starting and ending calls through the API (partner-api.md §10.1, §10.12).</summary>
public sealed partial class CallService(
    CallStore calls, AgentStore agents, ConnectionStore connections, PhoneNumberStore numbers, DialWorker dialer,
    CallControl control, ServerMode mode, TimeProvider clock)
{
    public const int PlatformMaxDurationSecs = 3600;
    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")] private static partial Regex E164();
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")] private static partial Regex VariableName();
    private static readonly string[] ReferenceProviders = ["mcube", "twilio", "exotel", "plivo", "vobiz", "sip", "voicelink"];

    public async Task<Call> StartAsync(Partner partner, RequestFields body, CancellationToken ct)
    {
        var agentId = body.String("agent_id", "agentId", required: true);
        if (agentId is { IsSet: true, Value: { } a } && !Guid.TryParse(a, out _)) body.Fail("agent_id", "must be a UUID");
        var toNumber = ReadNumber(body);
        var provider = body.String("provider").Value ?? TelephonyProviders.TataSmartflo;
        if (provider != TelephonyProviders.TataSmartflo)
            body.Fail("provider", ReferenceProviders.Contains(provider) ? $"{provider} is not supported by this server" : "must be tata_smartflo");
        var connectionId = body.String("connection_id", "connectionId");
        if (connectionId is { IsSet: true, Value: { } cid } && !Guid.TryParse(cid, out _)) body.Fail("connection_id", "must be a UUID");
        var variables = ReadVariables(body);
        body.ThrowIfInvalid();

        var agent = await agents.GetAsync(partner.Id, Guid.Parse(agentId.Value!).ToString("D"), ct) ?? throw ApiException.NotFound("agent", agentId.Value);
        ConnectionService.EnsureProviderAllowed(partner);
        var connection = await connections.ResolveAsync(partner.Id, connectionId.Value is { } c ? Guid.Parse(c).ToString("D") : null, ct);
        var dialMode = connection.OutboundMode ?? throw NotDiallable(connection);

        var callerId = await numbers.AgentCallerIdAsync(connection.Id, agent.Id, ct) ?? connection.FromNumber;
        var call = Call.New(partner.Id, agent, connection, "outbound", callerId, toNumber!, variables, clock.GetUtcNow()) with
        {
            DialMode = dialMode,
            DialState = DialStates.Queued,
        };
        call = await calls.CreateAsync(call, partner.ConcurrencyLimit, checkSameNumber: true, ct);
        dialer.Wake();
        return call;
    }

    /// <summary>Cancels a call that has not connected, or ends a connected one (gracefully when asked).</summary>
    public async Task<Call> EndAsync(Call call, bool graceful, CancellationToken ct)
    {
        if (call.IsTerminal) throw ApiException.Conflict("call_already_ended", "Call has already ended");
        if (call.StartedAt is null)
        {
            var canceled = await calls.UpdateAsync(call.Id, c => CallRules.CancelRequested(c, clock.GetUtcNow()), ct) ?? call;
            await control.HangupAsync(canceled, EndReasons.Canceled, ct);
            return canceled;
        }
        return await control.EndConnectedAsync(call, EndReasons.ApiEnd, graceful, ct);
    }

    private string? ReadNumber(RequestFields body)
    {
        var raw = body.String("to_number", "toNumber", required: true, nullable: false);
        if (!raw.IsSet || raw.Value is null) return null;
        if (mode.IsSingleTenant)
        {
            if (IndianPhoneNumber.TryNormalize(raw.Value, out var e164)) return e164;
            body.Fail("to_number", IndianPhoneNumber.InvalidMessage);
            return null;
        }
        if (E164().IsMatch(raw.Value)) return raw.Value;
        body.Fail("to_number", "must be in E.164 format");
        return null;
    }

    private static JsonObject ReadVariables(RequestFields body)
    {
        var raw = body.Raw("variables");
        if (!raw.IsSet || raw.Value.ValueKind == JsonValueKind.Null) return [];
        if (raw.Value.ValueKind != JsonValueKind.Object) { body.Fail("variables", "must be an object"); return []; }
        var result = new JsonObject();
        foreach (var p in raw.Value.EnumerateObject())
        {
            if (!VariableName().IsMatch(p.Name)) { body.Fail($"variables.{p.Name}", "name must match ^[a-zA-Z_][a-zA-Z0-9_]*$"); continue; }
            if (p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array) { body.Fail($"variables.{p.Name}", "must be a string, number, boolean or null"); continue; }
            if (p.Value.GetRawText().Length > 2000) { body.Fail($"variables.{p.Name}", "must be at most 2000 characters"); continue; }
            result[p.Name] = JsonNode.Parse(p.Value.GetRawText());
        }
        if (result.Count > 100) body.Fail("variables", "must have at most 100 keys");
        if (result.ToJsonString().Length > 16 * 1024) body.Fail("variables", "must be at most 16 KiB");
        return result;
    }

    private ApiException NotDiallable(TelephonyConnection connection) => mode.IsSingleTenant && connection.ManagedBy == TelephonyConnection.ManagedByEnv
        ? new ApiException(403, ErrorCodes.ProviderNotConfigured, "TATA_AGENT_NUMBER is required", new { provider = TelephonyProviders.TataSmartflo, missing = "agent_number" })
        : new ApiException(403, ErrorCodes.ProviderNotConfigured, "Connection cannot place calls: set api_key (customer-first) or agent_number with REST credentials (agent-first)",
            new { provider = TelephonyProviders.TataSmartflo, missing = "api_key_or_agent_number" });
}
