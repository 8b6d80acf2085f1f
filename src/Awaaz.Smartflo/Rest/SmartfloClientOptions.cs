using Awaaz.Smartflo.PhoneNumbers;

namespace Awaaz.Smartflo.Rest;

/// <summary>
/// Settings of one <see cref="SmartfloClient"/>, i.e. one Smartflo connection. A plain class (not a record) so that
/// <see cref="object.ToString"/> never prints the secrets it holds.
/// </summary>
/// <remarks>
/// The auth mode follows from what is set (spec §4.1): <see cref="StaticToken"/> first; <see cref="Email"/> +
/// <see cref="Password"/> when there is no token or the token is rejected; <see cref="ApiKey"/> independently for
/// <c>click_to_call_support</c>. To change credentials or the base URL, build a new client (the token cache belongs
/// to the client instance).
/// </remarks>
public sealed class SmartfloClientOptions
{
    /// <summary>REST base URL; see <see cref="SmartfloHosts"/>. Normalised per spec §2 (trailing <c>/</c> and <c>/v1</c> removed).</summary>
    public string BaseUrl { get; init; } = SmartfloHosts.Smartflo;

    /// <summary>Accept an <c>http://</c> base URL (simulator and tests only; <c>AWAAZ_ALLOW_INSECURE_PROVIDER_URLS</c>).</summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>Panel login id (an e-mail address or a login code; not validated as an e-mail).</summary>
    public string? Email { get; init; }

    /// <summary>Panel password. Never logged.</summary>
    public string? Password { get; init; }

    /// <summary>Long-lived panel token; sent as <c>Bearer &lt;token&gt;</c> unless it already starts with <c>Bearer </c>. Never logged.</summary>
    public string? StaticToken { get; init; }

    /// <summary>Click-to-Call-Support API key, sent in the body of <c>click_to_call_support</c> only. Never logged.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Whole-request timeout including reading the body (spec §3: 10 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one hangup attempt (spec §3: 5 s).</summary>
    public TimeSpan HangupAttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Handle 403 like 401 (re-login once), compatibility switch <c>treat_403_as_expired</c>.</summary>
    public bool Treat403AsExpired { get; init; }

    /// <summary>
    /// The per-account budget to share with other clients of the same Smartflo account (spec §7). When null the
    /// client creates its own with <see cref="MaxRequestsPerSecond"/>.
    /// </summary>
    public SmartfloRequestBudget? RequestBudget { get; init; }

    /// <summary>Connection <c>max_requests_per_second</c> (default 3), used when <see cref="RequestBudget"/> is null.</summary>
    public double MaxRequestsPerSecond { get; init; } = 3;

    /// <summary>The caller-id form to try first (the connection's learned <c>caller_id_format</c>).</summary>
    public CallerIdFormat CallerIdFormat { get; init; } = CallerIdFormat.CountryCode;

    /// <summary><c>User-Agent</c> header; default <c>Awaaz/&lt;library version&gt;</c>.</summary>
    public string? UserAgent { get; init; }

    /// <summary>True when both <see cref="Email"/> and <see cref="Password"/> are set.</summary>
    public bool HasCredentials => !string.IsNullOrWhiteSpace(Email) && !string.IsNullOrEmpty(Password);

    /// <summary>True when authenticated REST routes can be used (static token or credentials).</summary>
    public bool HasRestAuth => HasCredentials || !string.IsNullOrWhiteSpace(StaticToken);

    /// <summary>The auth mode implied by the fields that are set.</summary>
    public SmartfloAuthMode AuthMode =>
        !string.IsNullOrWhiteSpace(StaticToken) ? SmartfloAuthMode.StaticToken
        : HasCredentials ? SmartfloAuthMode.Credentials
        : SmartfloAuthMode.ApiKeyOnly;
}
