using Awaaz.Server.Partners;
using Awaaz.Smartflo.PhoneNumbers;

namespace Awaaz.Server.Telephony;

/// <summary>The <c>TATA_*</c> deployment settings of single-tenant mode (partner-api.md §17), validated.</summary>
public sealed record SelfHostedSettings(
    string? ApiKey, string? ApiToken, string? Email, string? Password, string? AgentNumber, string PhoneNumber,
    int CallTimeoutSecs, string? ResolveSecret, string BaseUrl, string? BootstrapApiKey, int ConcurrencyLimit)
{
    /// <summary>Reads and validates the variables; a misconfiguration throws with the message the spec gives.</summary>
    public static SelfHostedSettings? Read(IConfiguration c)
    {
        string? Get(string key) => string.IsNullOrWhiteSpace(c[key]) ? null : c[key]!.Trim();
        var apiKey = Get("TATA_API_KEY");
        var apiToken = Get("TATA_API_TOKEN");
        var email = Get("TATA_EMAIL");
        if (apiKey is null && apiToken is null && email is null) return null;

        var rawPhone = Get("TATA_PHONE_NUMBER") ?? throw new SelfHostedConfigurationException("TATA_PHONE_NUMBER is required");
        if (!IndianPhoneNumber.TryNormalize(rawPhone, out var phone))
            throw new SelfHostedConfigurationException($"TATA_PHONE_NUMBER: {IndianPhoneNumber.InvalidMessage}");
        var password = Get("TATA_PASSWORD");
        if (email is not null && password is null) throw new SelfHostedConfigurationException("TATA_PASSWORD is required when TATA_EMAIL is set");

        var timeout = 300;
        if (Get("TATA_CALL_TIMEOUT") is { } t && (!int.TryParse(t, out timeout) || timeout < 60 || timeout > 7200))
            throw new SelfHostedConfigurationException("TATA_CALL_TIMEOUT must be a whole number of seconds between 60 and 7200");
        var concurrency = 5;
        if (Get("AWAAZ_CONCURRENCY_LIMIT") is { } l && (!int.TryParse(l, out concurrency) || concurrency < 1 || concurrency > 1000))
            throw new SelfHostedConfigurationException("AWAAZ_CONCURRENCY_LIMIT must be between 1 and 1000");
        var bootstrap = Get("AWAAZ_BOOTSTRAP_API_KEY");
        if (bootstrap is not null && !ApiKeyStore.HasValidFormat(bootstrap))
            throw new SelfHostedConfigurationException("AWAAZ_BOOTSTRAP_API_KEY must match rg_live_[0-9A-Za-z]{32}");
        var agent = Get("TATA_AGENT_NUMBER");
        if (agent is not null && !agent.TrimStart('+').All(char.IsAsciiDigit))
            throw new SelfHostedConfigurationException("TATA_AGENT_NUMBER must be digits with an optional leading +");

        return new SelfHostedSettings(apiKey, apiToken, email, password, agent, phone, timeout, Get("TATA_RESOLVE_SECRET"),
            TelephonyConnection.NormalizeBaseUrl(Get("TATA_BASE_URL") ?? TelephonyConnection.DefaultBaseUrl), bootstrap, concurrency);
    }

    public string AuthDescription => ApiToken is not null ? "static token" : Email is not null ? "panel login" : "click-to-call-support key only";

    /// <summary>Customer-first with TATA_API_KEY, else agent-first (which needs TATA_AGENT_NUMBER and REST auth).</summary>
    public string? OutboundProblem =>
        ApiKey is not null ? null
        : AgentNumber is null ? "TATA_AGENT_NUMBER is required"
        : ApiToken is null && Email is null ? "TATA_API_TOKEN or TATA_EMAIL is required for agent-first calls" : null;
}

public sealed class SelfHostedConfigurationException(string message) : Exception(message);

/// <summary>
/// At start-up in single-tenant mode: the built-in partner <c>self-hosted</c>, its connection <c>env</c> rebuilt
/// from the variables, and an API key. Logs one line with the integration state.
/// </summary>
public sealed class SelfHostedBootstrap(
    IConfiguration configuration, PartnerStore partners, ApiKeyStore keys, ConnectionStore connections,
    PublicUrls urls, TimeProvider clock, ILogger<SelfHostedBootstrap> logger)
{
    public const string PartnerName = "self-hosted";
    public const string ConnectionName = "env";
    private const string OpenSecretMarker = "sfs_open_";

    /// <summary>True when the env connection accepts requests without a secret (TATA_RESOLVE_SECRET unset).</summary>
    public static bool IsOpenSecret(string secret) => secret.StartsWith(OpenSecretMarker, StringComparison.Ordinal);

    public async Task RunAsync(CancellationToken ct)
    {
        SelfHostedSettings? settings;
        try
        {
            settings = SelfHostedSettings.Read(configuration);
        }
        catch (SelfHostedConfigurationException ex)
        {
            logger.LogCritical("Tata Telebusiness: misconfigured: {Problem}", ex.Message);
            throw;
        }
        if (settings is null) return;

        var partner = await partners.GetByNameAsync(PartnerName, ct);
        if (partner is null)
        {
            var fresh = partners.NewPartner(PartnerName, "Self-hosted") with { AllowedTelephonyProviders = [TelephonyProviders.TataSmartflo], ConcurrencyLimit = settings.ConcurrencyLimit };
            try
            {
                partner = await partners.CreateAsync(fresh, ct);
            }
            catch (Api.ApiException)
            {
                // Another node created it at the same moment.
                partner = await partners.GetByNameAsync(PartnerName, ct) ?? throw new InvalidOperationException("self-hosted partner vanished");
            }
        }
        else if (partner.ConcurrencyLimit != settings.ConcurrencyLimit || !partner.AllowedTelephonyProviders.Contains(TelephonyProviders.TataSmartflo) || partner.Status != PartnerStatus.Active)
        {
            partner = await partners.UpdateAsync(partner with
            {
                ConcurrencyLimit = settings.ConcurrencyLimit,
                Status = PartnerStatus.Active,
                AllowedTelephonyProviders = partner.AllowedTelephonyProviders.Union([TelephonyProviders.TataSmartflo]).ToList(),
            }, ct);
        }

        var connection = await EnsureConnectionAsync(partner, settings, ct);
        await EnsureApiKeyAsync(partner, settings, ct);

        var agent = settings.AgentNumber is { } a ? $", agent {a[..Math.Min(4, a.Length)]}…" : "";
        var mode = settings.ApiKey is not null ? "customer-first" : "agent-first";
        logger.LogInformation("Tata Telebusiness: configured ({Auth}, {Mode}{Agent}, DID {Did}), connection {ConnectionId}",
            settings.AuthDescription, mode, agent, $"{settings.PhoneNumber[..5]}…", connection.Id);
        if (settings.OutboundProblem is { } problem)
            logger.LogWarning("Tata Telebusiness: outbound calls are unavailable: {Problem}", problem);
        if (settings.ResolveSecret is null)
            logger.LogWarning("Tata Telebusiness: TATA_RESOLVE_SECRET is not set; /api/tata/resolve-wss and /api/tata/lifecycle accept requests without a secret");
        if (urls.Configured is null)
            logger.LogWarning("Tata Telebusiness: PUBLIC_URL is not set; stream URLs will be derived from request headers");
    }

    private async Task<TelephonyConnection> EnsureConnectionAsync(Partner partner, SelfHostedSettings s, CancellationToken ct)
    {
        var secrets = new ConnectionSecrets(s.Password, s.ApiKey, s.ApiToken);
        var secret = s.ResolveSecret ?? OpenSecretMarker + TelephonyConnection.NewSmartfloSecret()[4..];
        var existing = (await connections.ListAsync(partner.Id, ct: ct)).FirstOrDefault(c => c.ManagedBy == TelephonyConnection.ManagedByEnv);
        var now = clock.GetUtcNow();
        var settings = (existing?.Settings ?? new ConnectionSettings()) with { CallTimeoutSecs = s.CallTimeoutSecs };
        var desired = new TelephonyConnection(
            existing?.Id ?? Guid.NewGuid().ToString("D"), partner.Id, TelephonyProviders.TataSmartflo, ConnectionName, ConnectionStatus.Active, true,
            TelephonyConnection.ManagedByEnv, s.Email, s.Password is not null, ConnectionSecrets.Mask(s.ApiKey), ConnectionSecrets.Mask(s.ApiToken),
            s.PhoneNumber, s.BaseUrl, s.AgentNumber, settings, existing?.Health ?? new ConnectionHealth(), existing?.CreatedAt ?? now, now);
        if (existing is null)
            return await connections.CreateAsync(desired, secrets, secret, ct);

        var currentSecret = await connections.GetSmartfloSecretAsync(existing.Id, ct);
        var keepSecret = s.ResolveSecret is null ? IsOpenSecret(currentSecret) : currentSecret == s.ResolveSecret;
        return await connections.UpdateAsync(desired, secrets, keepSecret ? null : secret, makeDefault: true, ct, keepPreviousSecret: false);
    }

    private async Task EnsureApiKeyAsync(Partner partner, SelfHostedSettings s, CancellationToken ct)
    {
        if (s.BootstrapApiKey is { } preset)
        {
            if (!await keys.ExistsAsync(preset, ct)) await keys.IssueAsync(partner.Id, "AWAAZ_BOOTSTRAP_API_KEY", preset, ct);
            return;
        }
        if ((await keys.ListAsync(partner.Id, ct)).Any(k => k.RevokedAt is null)) return;
        var issued = await keys.IssueAsync(partner.Id, "self-hosted bootstrap", ct: ct);
        Console.Out.WriteLine($"""

            ================================================================
             Awaaz self-hosted: API key for partner "{PartnerName}" (shown once):

               AWAAZ_API_KEY={issued.Key}

             Set AWAAZ_BOOTSTRAP_API_KEY to choose the key yourself.
            ================================================================

            """);
        await Console.Out.FlushAsync(ct);
    }
}
