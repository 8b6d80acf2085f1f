using System.Text.RegularExpressions;
using Awaaz.Server.Api;

namespace Awaaz.Server.Partners;

/// <summary>Validation and field updates of partners, shared by the admin API and the admin CLI (partner-api.md §19).</summary>
public static partial class PartnerRules
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    public static partial Regex NamePattern();

    [GeneratedRegex("^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]
    public static partial Regex LanguagePattern();

    public static readonly string[] SupportedTelephonyProviders = ["tata_smartflo"];

    /// <summary>Applies the supplied fields of an admin request to <paramref name="partner"/>; collects errors in <paramref name="body"/>.</summary>
    public static Partner Apply(Partner partner, RequestFields body)
    {
        var displayName = body.String("display_name", min: 1, max: 200, nullable: false);
        var status = body.String("status", nullable: false);
        if (status.IsSet && !PartnerStatus.All.Contains(status.Value)) body.Fail("status", "must be one of active, pending, suspended");
        var agentLimit = body.Integer("agent_limit", min: 0, max: 10_000);
        var concurrency = body.Integer("concurrency_limit", min: 1, max: 1000);
        var providers = body.StringArray("allowed_telephony_providers", unique: true);
        if (providers is { IsSet: true, Value: { } pv } && pv.FirstOrDefault(p => !SupportedTelephonyProviders.Contains(p)) is { } bad)
            body.Fail("allowed_telephony_providers", $"provider {bad} is not supported by this server");
        var languages = body.StringArray("allowed_languages", itemPattern: LanguagePattern(), itemMessage: "must be a language code like en, hi or en-IN", unique: true);
        var voices = body.StringArray("allowed_voices", unique: true);
        var maxWebhooks = body.Integer("max_webhook_endpoints", min: 0, max: 100);
        var balance = body.Bool("balance_enforcement");
        var credits = body.Number("credits", nullable: true);
        var limits = partner.RateLimits;
        if (body.Object("rate_limits") is { IsSet: true, Value: { } rl })
        {
            limits = new RateLimits(
                (int)rl.Integer("general_per_minute", min: 1, max: 100_000).Or(limits.GeneralPerMinute)!,
                (int)rl.Integer("calls_per_minute", min: 1, max: 100_000).Or(limits.CallsPerMinute)!,
                (int)rl.Integer("web_sessions_per_minute", min: 1, max: 100_000).Or(limits.WebSessionsPerMinute)!);
        }
        return partner with
        {
            DisplayName = displayName.Or(partner.DisplayName)!,
            Status = status.Or(partner.Status)!,
            AgentLimit = (int)agentLimit.Or(partner.AgentLimit)!,
            ConcurrencyLimit = (int)concurrency.Or(partner.ConcurrencyLimit)!,
            AllowedTelephonyProviders = providers.IsSet ? providers.Value ?? [] : partner.AllowedTelephonyProviders,
            AllowedLanguages = languages.IsSet ? languages.Value ?? [] : partner.AllowedLanguages,
            AllowedVoices = voices.IsSet ? voices.Value : partner.AllowedVoices,
            MaxWebhookEndpoints = (int)maxWebhooks.Or(partner.MaxWebhookEndpoints)!,
            BalanceEnforcement = balance.Or(partner.BalanceEnforcement),
            Credits = credits.IsSet ? (credits.Value is { } c ? Math.Round((decimal)c, 4, MidpointRounding.AwayFromZero) : null) : partner.Credits,
            RateLimits = limits,
        };
    }

    public static object ToJson(Partner p) => new
    {
        id = p.Id,
        name = p.Name,
        display_name = p.DisplayName,
        status = p.Status,
        agent_limit = p.AgentLimit,
        concurrency_limit = p.ConcurrencyLimit,
        allowed_telephony_providers = p.AllowedTelephonyProviders,
        allowed_languages = p.AllowedLanguages,
        allowed_voices = p.AllowedVoices,
        rate_limits = new { general_per_minute = p.RateLimits.GeneralPerMinute, calls_per_minute = p.RateLimits.CallsPerMinute, web_sessions_per_minute = p.RateLimits.WebSessionsPerMinute },
        balance_enforcement = p.BalanceEnforcement,
        credits = p.Credits,
        max_webhook_endpoints = p.MaxWebhookEndpoints,
        created_at = p.CreatedAt,
        updated_at = p.UpdatedAt,
    };

    public static object ToJson(ApiKeyInfo k) => new
    {
        id = k.Id, prefix = k.Prefix, last4 = k.Last4, label = k.Label,
        created_at = k.CreatedAt, last_used_at = k.LastUsedAt, revoked_at = k.RevokedAt,
    };
}
