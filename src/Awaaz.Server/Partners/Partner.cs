using System.Text.Json;
using Awaaz.Server.Storage;

namespace Awaaz.Server.Partners;

public static class PartnerStatus
{
    public const string Active = "active";
    public const string Pending = "pending";
    public const string Suspended = "suspended";
    public static readonly string[] All = [Active, Pending, Suspended];
}

public sealed record RateLimits(int GeneralPerMinute, int CallsPerMinute, int WebSessionsPerMinute)
{
    public static readonly RateLimits Default = new(60, 10, 10);
}

/// <summary>A tenant of Awaaz: owns agents, keys, connections and calls.</summary>
public sealed record Partner(
    string Id,
    string Name,
    string DisplayName,
    string Status,
    int AgentLimit,
    int ConcurrencyLimit,
    IReadOnlyList<string> AllowedTelephonyProviders,
    IReadOnlyList<string> AllowedLanguages,
    IReadOnlyList<string>? AllowedVoices,
    RateLimits RateLimits,
    bool BalanceEnforcement,
    decimal? Credits,
    int MaxWebhookEndpoints,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const int DefaultAgentLimit = 10;
    public const int DefaultConcurrencyLimit = 5;
    public static readonly string[] DefaultTelephonyProviders = ["tata_smartflo"];
    public static readonly string[] DefaultLanguages = ["en", "hi"];

    public bool AllowsLanguage(string language) =>
        AllowedLanguages.Any(a => string.Equals(a, language, StringComparison.OrdinalIgnoreCase)
            || string.Equals(a, language.Split('-')[0], StringComparison.OrdinalIgnoreCase));
}

/// <summary>Row shape of <c>partners</c>; lists are JSON text.</summary>
internal sealed class PartnerRow
{
    public string id { get; set; } = "";
    public string name { get; set; } = "";
    public string display_name { get; set; } = "";
    public string status { get; set; } = "";
    public long agent_limit { get; set; }
    public long concurrency_limit { get; set; }
    public string allowed_telephony_providers { get; set; } = "[]";
    public string allowed_languages { get; set; } = "[]";
    public string? allowed_voices { get; set; }
    public long general_per_minute { get; set; }
    public long calls_per_minute { get; set; }
    public long web_sessions_per_minute { get; set; }
    public bool balance_enforcement { get; set; }
    public decimal? credits { get; set; }
    public long max_webhook_endpoints { get; set; }
    public long created_at { get; set; }
    public long updated_at { get; set; }

    public Partner ToPartner() => new(
        id, name, display_name, status, (int)agent_limit, (int)concurrency_limit,
        JsonSerializer.Deserialize<string[]>(allowed_telephony_providers)!,
        JsonSerializer.Deserialize<string[]>(allowed_languages)!,
        allowed_voices is null ? null : JsonSerializer.Deserialize<string[]>(allowed_voices),
        new RateLimits((int)general_per_minute, (int)calls_per_minute, (int)web_sessions_per_minute),
        balance_enforcement, credits, (int)max_webhook_endpoints,
        DbTime.FromDb(created_at), DbTime.FromDb(updated_at));

    public static object Parameters(Partner p) => new
    {
        p.Id, p.Name, p.DisplayName, p.Status, p.AgentLimit, p.ConcurrencyLimit,
        AllowedTelephonyProviders = JsonSerializer.Serialize(p.AllowedTelephonyProviders),
        AllowedLanguages = JsonSerializer.Serialize(p.AllowedLanguages),
        AllowedVoices = p.AllowedVoices is null ? null : JsonSerializer.Serialize(p.AllowedVoices),
        p.RateLimits.GeneralPerMinute, p.RateLimits.CallsPerMinute, p.RateLimits.WebSessionsPerMinute,
        p.BalanceEnforcement, p.Credits, p.MaxWebhookEndpoints,
        CreatedAt = DbTime.ToDb(p.CreatedAt), UpdatedAt = DbTime.ToDb(p.UpdatedAt),
    };
}
