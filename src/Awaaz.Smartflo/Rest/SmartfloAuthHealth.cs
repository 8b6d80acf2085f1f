namespace Awaaz.Smartflo.Rest;

/// <summary>How a client authenticates (spec §4.1), derived from <see cref="SmartfloClientOptions"/>.</summary>
public enum SmartfloAuthMode
{
    /// <summary>Email/login id + password: the client logs in and caches short-lived tokens.</summary>
    Credentials,
    /// <summary>A long-lived panel token; never logs in unless it is rejected and credentials are also configured.</summary>
    StaticToken,
    /// <summary>Only a Click-to-Call-Support API key: only <c>click_to_call_support</c> is usable.</summary>
    ApiKeyOnly,
}

/// <summary>Connection health <c>auth_status</c> values (partner-api §11.1).</summary>
public enum SmartfloAuthStatus
{
    /// <summary>No authenticated request has completed yet.</summary>
    Unknown,
    /// <summary>The last login or authenticated request succeeded.</summary>
    Ok,
    /// <summary>Credentials or token rejected; see <see cref="SmartfloAuthHealth.LastError"/>.</summary>
    Failed,
    /// <summary>API-key-only connection: nothing to authenticate.</summary>
    NotApplicable,
}

/// <summary>Health warning names (partner-api §11.1) this library can raise.</summary>
public static class SmartfloHealthWarnings
{
    /// <summary>The panel password must be changed within 7 days (<c>number_of_days_left</c> ≤ 7).</summary>
    public const string PasswordExpiring = "password_expiring";
    /// <summary>The static token's JWT <c>exp</c> is less than 7 days away.</summary>
    public const string TokenExpiring = "token_expiring";
    /// <summary>The static token got a 401 and the client switched to login tokens.</summary>
    public const string StaticTokenRejected = "static_token_rejected";
    /// <summary>A login was rejected; no new login is attempted for 60 s.</summary>
    public const string LoginCooldown = "login_cooldown";
}

/// <summary>Snapshot of a client's authentication state, for connection health (partner-api §11.1).</summary>
/// <param name="Mode">Configured auth mode.</param>
/// <param name="Status">Current <c>auth_status</c>.</param>
/// <param name="LastLoginAt">When the last successful login answered.</param>
/// <param name="TokenExpiresAt">Expiry of the token in use (login token, or static token JWT <c>exp</c>).</param>
/// <param name="PasswordDaysLeft">Last <c>number_of_days_left</c> seen at login.</param>
/// <param name="Warnings">Names from <see cref="SmartfloHealthWarnings"/>.</param>
/// <param name="LastError">Provider message of the last authentication failure (never a secret).</param>
/// <param name="LastErrorAt">When that failure happened.</param>
public sealed record SmartfloAuthHealth(
    SmartfloAuthMode Mode,
    SmartfloAuthStatus Status,
    DateTimeOffset? LastLoginAt,
    DateTimeOffset? TokenExpiresAt,
    int? PasswordDaysLeft,
    IReadOnlyList<string> Warnings,
    string? LastError,
    DateTimeOffset? LastErrorAt)
{
    /// <summary><c>ok</c>, <c>failed</c>, <c>unknown</c> or <c>not_applicable</c>.</summary>
    public string StatusName => Status switch
    {
        SmartfloAuthStatus.Ok => "ok",
        SmartfloAuthStatus.Failed => "failed",
        SmartfloAuthStatus.NotApplicable => "not_applicable",
        _ => "unknown",
    };
}

/// <summary>A successful <c>POST /v1/auth/login</c>. <see cref="ToString"/> does not reveal the token.</summary>
/// <param name="Token">The token and its lifetime.</param>
/// <param name="PasswordDaysLeft"><c>number_of_days_left</c> before the forced password change, when sent.</param>
public sealed record SmartfloLoginResult(SmartfloAccessToken Token, int? PasswordDaysLeft)
{
    /// <summary>True when the panel password expires within 7 days.</summary>
    public bool PasswordExpiring => PasswordDaysLeft is <= 7;
}
