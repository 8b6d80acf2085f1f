using Awaaz.Server.Api;
using Awaaz.Server.Agents;
using Awaaz.Server.Voice;

namespace Awaaz.Server.Partners;

public static class ConfigEndpoints
{
    public static void MapConfigEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/config", GetConfig).WithTags("Config").WithSummary("The calling partner's configuration, limits and integrations");
    }

    private static async Task<IResult> GetConfig(Caller caller, AgentStore agents, PipelineProviders providers, ServerMode mode, Telephony.ConnectionStore connections, CancellationToken ct)
    {
        var p = caller.Partner;
        var smartflo = await connections.ListAsync(p.Id, Telephony.TelephonyProviders.TataSmartflo, ct: ct);
        var defaultConnection = smartflo.FirstOrDefault(c => c.IsDefault && c.IsActive);
        return Envelope.Ok(new
        {
            partner_id = p.Id,
            name = p.Name,
            display_name = p.DisplayName,
            status = p.Status,
            mode = mode.IsSingleTenant ? "single_tenant" : "multi_tenant",
            agent_limit = p.AgentLimit,
            current_agent_count = await agents.CountAsync(p.Id, ct),
            concurrency_limit = p.ConcurrencyLimit,
            allowed_voices = p.AllowedVoices,
            allowed_languages = p.AllowedLanguages,
            allowed_telephony_providers = p.AllowedTelephonyProviders,
            credits = p.BalanceEnforcement ? p.Credits : null,
            webhook = new { configured = false, url = (string?)null, secret = (string?)null },
            webhooks = Array.Empty<object>(),
            telephony = new
            {
                tata_smartflo = new
                {
                    configured = smartflo.Any(c => c.IsActive),
                    from_number = defaultConnection?.FromNumber,
                    connection_id = defaultConnection?.Id,
                    connections = smartflo.Count,
                },
            },
            rate_limits = new
            {
                general_per_minute = p.RateLimits.GeneralPerMinute,
                calls_per_minute = p.RateLimits.CallsPerMinute,
                web_sessions_per_minute = p.RateLimits.WebSessionsPerMinute,
            },
            pipeline_providers = new { stt = providers.Stt, llm = providers.Llm, tts = providers.Tts },
        });
    }
}

/// <summary>Single-tenant (self-hosted) mode is on when any of TATA_API_KEY, TATA_API_TOKEN, TATA_EMAIL is set.</summary>
public sealed class ServerMode(IConfiguration configuration)
{
    public bool IsSingleTenant { get; } =
        new[] { "TATA_API_KEY", "TATA_API_TOKEN", "TATA_EMAIL" }.Any(k => !string.IsNullOrWhiteSpace(configuration[k]));
}
