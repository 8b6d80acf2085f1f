using System.Security.Cryptography;

namespace Awaaz.Server.Telephony;

public static class ConnectionStatus
{
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";
}

public static class TelephonyProviders
{
    public const string TataSmartflo = "tata_smartflo";
    public const string TataSmartfloKey = "TATA_SMARTFLO";
    /// <summary>Provider names of the reference API that this server does not implement.</summary>
    public static readonly string[] Reference = ["twilio", "plivo", "exotel", "vonage", "telnyx", "vobiz", "tata_smartflo"];
}

/// <summary>The credentials of a connection. Only ever stored encrypted (Data Protection); never returned or logged.</summary>
public sealed record ConnectionSecrets(string? Password, string? ApiKey, string? AuthToken)
{
    public static string? Mask(string? secret) =>
        string.IsNullOrEmpty(secret) ? null : secret.Length <= 8 ? "****" : $"{secret[..4]}****{secret[^4..]}";
}

/// <summary>Per-connection compatibility switches (smartflo.md §15).</summary>
public sealed record CompatSettings(
    bool SendConnectedFirst = false,
    bool SocketEndEvent = false,
    bool Treat403AsExpired = false,
    bool AgentFirstSpeechStart = true,
    int OutboundFrameBytes = 800,
    int MaxPlayoutLeadMs = 600);

public sealed record ConnectionSettings(
    decimal RatePerMinuteInr = 0,
    int PulseSeconds = 60,
    int RingTimeoutSecs = 30,
    int MaxRequestsPerSecond = 3,
    int CallTimeoutSecs = 300,
    CompatSettings? Compat = null)
{
    public CompatSettings EffectiveCompat => Compat ?? new CompatSettings();
}

public sealed record ConnectionHealth(
    string AuthStatus = "unknown",
    DateTimeOffset? LastLoginAt = null,
    DateTimeOffset? TokenExpiresAt = null,
    int? PasswordDaysLeft = null,
    string CallerIdFormat = "cc",
    IReadOnlyList<string>? Warnings = null,
    string? LastError = null,
    DateTimeOffset? LastErrorAt = null);

/// <summary>A partner's named Tata Smartflo account binding (partner-api.md §11).</summary>
public sealed record TelephonyConnection(
    string Id,
    string PartnerId,
    string Provider,
    string Name,
    string Status,
    bool IsDefault,
    string ManagedBy,
    string? TataEmail,
    bool HasPassword,
    string? ApiKeyMask,
    string? AuthTokenMask,
    string FromNumber,
    string BaseUrl,
    string? AgentNumber,
    ConnectionSettings Settings,
    ConnectionHealth Health,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const string ManagedByApi = "api";
    public const string ManagedByEnv = "env";
    public const string DefaultBaseUrl = "https://api-smartflo.tatateleservices.com";

    public bool IsActive => Status == ConnectionStatus.Active;
    public bool HasApiKey => ApiKeyMask is not null;
    public bool HasStaticToken => AuthTokenMask is not null;
    public bool HasRestAuth => HasStaticToken || (TataEmail is not null && HasPassword);

    /// <summary><c>credentials</c>, <c>static_token</c> or <c>api_key_only</c> (smartflo.md §4.1).</summary>
    public string AuthMode => HasStaticToken ? "static_token" : TataEmail is not null && HasPassword ? "credentials" : "api_key_only";

    /// <summary><c>customer_first</c> with a click-to-call-support key, <c>agent_first</c> with an agent number and REST auth, else null.</summary>
    public string? OutboundMode => HasApiKey ? "customer_first" : AgentNumber is not null && HasRestAuth ? "agent_first" : null;

    /// <summary>A new connection secret: <c>sfs_</c> + 32 base62 characters.</summary>
    public static string NewSmartfloSecret() => "sfs_" + RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 32);

    public static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));

    /// <summary>Trim, strip a trailing <c>/</c> and one trailing <c>/v1</c> (smartflo.md §2).</summary>
    public static string NormalizeBaseUrl(string url)
    {
        var u = url.Trim().TrimEnd('/');
        if (u.EndsWith("/v1", StringComparison.OrdinalIgnoreCase)) u = u[..^3];
        return u.TrimEnd('/');
    }
}
