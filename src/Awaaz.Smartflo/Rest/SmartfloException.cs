namespace Awaaz.Smartflo.Rest;

/// <summary>Why a Smartflo request failed (spec §6.2).</summary>
public enum SmartfloErrorKind
{
    /// <summary>Credentials or token rejected (login failure, 401 after one re-login, 403, login cool-down). Spec kind <c>auth</c>.</summary>
    Auth,
    /// <summary>
    /// Smartflo refused the request: validation errors (400/404/422, <c>errors</c> maps) or a business refusal in a
    /// <c>success:false</c> / <c>ok:false</c> body, whatever the HTTP status. Spec kind <c>rejected</c>.
    /// </summary>
    Rejected,
    /// <summary>Smartflo answered 429, or the local per-account budget would have queued the request too long. Spec kind <c>rate_limited</c>.</summary>
    RateLimited,
    /// <summary>Smartflo or a gateway answered 5xx. Spec kind <c>unavailable</c>.</summary>
    ServerError,
    /// <summary>No complete response within the request timeout. Spec kind <c>timeout</c>.</summary>
    Timeout,
    /// <summary>The host could not be reached (DNS, connection refused/reset, TLS). Spec kind <c>unavailable</c>.</summary>
    Unreachable,
}

/// <summary>
/// The single error type of <see cref="SmartfloClient"/> (spec §6.2). It carries the HTTP status (0 when no response
/// was received), Smartflo's own message, a <see cref="Kind"/>, a redacted body excerpt, and what partners are told
/// (<see cref="PartnerMessage"/>, spec §6.3). Never contains credentials or tokens.
/// </summary>
public sealed class SmartfloException : Exception
{
    /// <summary>Creates an error; <paramref name="rawBody"/> must already be redacted.</summary>
    public SmartfloException(
        SmartfloEndpoint endpoint,
        SmartfloErrorKind kind,
        int httpStatus,
        string providerMessage,
        string? rawBody = null,
        TimeSpan? retryAfter = null,
        bool requestSent = true,
        bool isCredentialFailure = false,
        Exception? innerException = null)
        : base(Describe(endpoint, kind, httpStatus, providerMessage), innerException)
    {
        Endpoint = endpoint;
        Kind = kind;
        HttpStatus = httpStatus;
        ProviderMessage = providerMessage;
        RawBody = rawBody ?? "";
        RetryAfter = retryAfter;
        RequestSent = requestSent;
        IsCredentialFailure = isCredentialFailure;
    }

    /// <summary>The route that failed.</summary>
    public SmartfloEndpoint Endpoint { get; }

    /// <summary>Failure category.</summary>
    public SmartfloErrorKind Kind { get; }

    /// <summary>HTTP status Smartflo returned; 0 for timeouts, network errors and local refusals.</summary>
    public int HttpStatus { get; }

    /// <summary>Smartflo's message (spec §3 "Error message" order), or a short local description.</summary>
    public string ProviderMessage { get; }

    /// <summary>At most 2 KB of the response body with secrets replaced; empty when there was none.</summary>
    public string RawBody { get; }

    /// <summary>How long Smartflo asked to wait (Retry-After header or <c>retry_after</c>), for rate-limit errors.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>False when it is certain nothing reached Smartflo (connection not established, local budget refusal, login cool-down).</summary>
    public bool RequestSent { get; }

    /// <summary>Login rejected, token rejected after re-login, or login cool-down: the connection's credentials need attention.</summary>
    public bool IsCredentialFailure { get; }

    /// <summary>
    /// True when Smartflo may have carried out the request although no success was seen (5xx, timeout, connection
    /// lost after sending). For a dial this means the phone may already be ringing: never dial again, reconcile
    /// instead (spec §13.3). False for 4xx, <c>success:false</c>, 429 and anything that was never sent.
    /// </summary>
    public bool IsAmbiguous => RequestSent && Kind is SmartfloErrorKind.ServerError or SmartfloErrorKind.Timeout or SmartfloErrorKind.Unreachable;

    /// <summary>The spec's kind names: <c>auth</c>, <c>rejected</c>, <c>rate_limited</c>, <c>unavailable</c>, <c>timeout</c>.</summary>
    public string KindName => Kind switch
    {
        SmartfloErrorKind.Auth => "auth",
        SmartfloErrorKind.Rejected => "rejected",
        SmartfloErrorKind.RateLimited => "rate_limited",
        SmartfloErrorKind.Timeout => "timeout",
        _ => "unavailable",
    };

    /// <summary>
    /// <c>provider_status</c> shown to partners (spec §6.3): 401 for every credential failure, the HTTP status otherwise
    /// (so a <c>success:false</c> in HTTP 200 reads 200), 429 for local rate limiting, <c>null</c> for timeouts and network errors.
    /// </summary>
    public int? PartnerStatus => Kind switch
    {
        _ when IsCredentialFailure => 401,
        SmartfloErrorKind.Timeout or SmartfloErrorKind.Unreachable => null,
        SmartfloErrorKind.RateLimited when HttpStatus == 0 => 429,
        _ => HttpStatus,
    };

    /// <summary>The partner-facing message: <c>Tata SmartFlo API error: &lt;status&gt;</c>, or <c>… error: timeout</c>.</summary>
    public string PartnerMessage => $"Tata SmartFlo API error: {PartnerStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "timeout"}";

    private static string Describe(SmartfloEndpoint endpoint, SmartfloErrorKind kind, int status, string message) =>
        status == 0
            ? $"Smartflo {endpoint.Path()} failed ({kind}): {message}"
            : $"Smartflo {endpoint.Path()} failed ({kind}, HTTP {status}): {message}";
}
