using Awaaz.Server.Api;

namespace Awaaz.Server.Telephony;

/// <summary>Output shapes of connections and phone numbers (partner-api.md §11.1, §12.1).</summary>
public static class ConnectionJson
{
    public const string ResolverBody = "{\"callId\":\"$callId\",\"fromNumber\":\"$fromNumber\",\"toNumber\":\"$toNumber\",\"status\":\"$status\"}";

    public static object Connection(TelephonyConnection c, string publicBase, string? secret, IReadOnlyList<PhoneNumber> numbers)
    {
        var query = secret is null ? "" : $"?secret={secret}";
        var join = secret is null ? "?" : "&";
        var resolver = $"{publicBase}/api/tata/resolve-wss{query}";
        var lifecycle = $"{publicBase}/api/tata/lifecycle{query}";
        var compat = c.Settings.EffectiveCompat;
        return new
        {
            id = c.Id,
            connection_id = c.Id,
            provider = c.Provider,
            provider_key = TelephonyProviders.TataSmartfloKey,
            name = c.Name,
            status = c.Status,
            is_default = c.IsDefault,
            managed_by = c.ManagedBy,
            tata_email = c.TataEmail,
            has_password = c.HasPassword,
            from_number = c.FromNumber,
            base_url = c.BaseUrl,
            agent_number = c.AgentNumber,
            api_key = c.ApiKeyMask,
            auth_token = c.AuthTokenMask,
            auth_mode = c.AuthMode,
            rate_per_minute_inr = c.Settings.RatePerMinuteInr,
            pulse_seconds = c.Settings.PulseSeconds,
            ring_timeout_secs = c.Settings.RingTimeoutSecs,
            max_requests_per_second = c.Settings.MaxRequestsPerSecond,
            compat = new
            {
                send_connected_first = compat.SendConnectedFirst,
                socket_end_event = compat.SocketEndEvent || c.AuthMode == "api_key_only",
                treat_403_as_expired = compat.Treat403AsExpired,
                agent_first_speech_start = compat.AgentFirstSpeechStart,
                outbound_frame_bytes = compat.OutboundFrameBytes,
                max_playout_lead_ms = compat.MaxPlayoutLeadMs,
            },
            capabilities = new { outbound_mode = c.OutboundMode, rest_api = c.HasRestAuth, inbound = true },
            health = new
            {
                auth_status = c.AuthMode == "api_key_only" ? "not_applicable" : c.Health.AuthStatus,
                last_login_at = c.Health.LastLoginAt,
                token_expires_at = c.Health.TokenExpiresAt,
                password_days_left = c.Health.PasswordDaysLeft,
                caller_id_format = c.Health.CallerIdFormat,
                warnings = c.Health.Warnings ?? [],
                last_error = c.Health.LastError,
                last_error_at = c.Health.LastErrorAt,
            },
            smartflo = new
            {
                resolver_url = resolver,
                resolver_method = "POST",
                resolver_headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
                resolver_body = ResolverBody,
                lifecycle_url = lifecycle,
                webhook_triggers = new[]
                {
                    new { trigger = "Call answered by Customer (Click to call)", call_type = "Outbound", url = $"{lifecycle}{join}event=answered" },
                    new { trigger = "Call hangup (Missed or Answered)", call_type = "Outbound", url = $"{lifecycle}{join}event=hangup" },
                    new { trigger = "Call hangup (Missed or Answered)", call_type = "Inbound", url = $"{lifecycle}{join}event=hangup" },
                },
            },
            phone_numbers = numbers.Select(n => new
            {
                id = n.Id, phone_number = n.Number, friendly_name = n.FriendlyName, status = n.Status, is_default = n.IsDefault,
                agent = n.Agent is null ? null : new { id = n.Agent.Id, name = n.Agent.Name },
            }),
            created_at = c.CreatedAt,
            updated_at = c.UpdatedAt,
        };
    }

    public static object Number(PhoneNumber n) => new
    {
        id = n.Id,
        phone_number = n.Number,
        provider = TelephonyProviders.TataSmartfloKey,
        connection_id = n.ConnectionId,
        friendly_name = n.FriendlyName,
        status = n.Status,
        is_default = n.IsDefault,
        agent = n.Agent is null ? null : new { id = n.Agent.Id, name = n.Agent.Name },
        provider_number_id = n.ProviderNumberId,
        provider_alias = n.ProviderAlias,
        provider_destination = n.ProviderDestination,
        provider_destination_name = n.ProviderDestinationName,
        provider_missing = n.ProviderMissing,
        last_synced_at = n.LastSyncedAt,
        created_at = n.CreatedAt,
        updated_at = n.UpdatedAt,
    };
}
