using Awaaz.Smartflo.Rest;

namespace Awaaz.Server.Calls;

public static class TransferStatus
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>Why a transfer failed: typed, so operators can count causes rather than parse provider messages.</summary>
public static class TransferFailure
{
    /// <summary>The connection has no REST auth (api-key-only): Smartflo's transfer route cannot be called.</summary>
    public const string NotSupported = "not_supported";
    /// <summary>The call is ending or gone, no Smartflo call id is known, or Smartflo says the call is not active.</summary>
    public const string CallNotActive = "call_not_active";
    /// <summary>Smartflo refused the request (validation or business refusal).</summary>
    public const string Rejected = "rejected";
    /// <summary>Smartflo refused Awaaz's token or credentials.</summary>
    public const string AuthFailed = "auth_failed";
    /// <summary>Smartflo answered 429, or the account's request budget was exhausted locally.</summary>
    public const string RateLimited = "rate_limited";
    /// <summary>Smartflo answered 5xx or could not be reached before the request was sent.</summary>
    public const string ProviderUnavailable = "provider_unavailable";
    /// <summary>No answer within the request timeout: the transfer may or may not have happened.</summary>
    public const string Timeout = "timeout";
    /// <summary>The connection broke after the request was sent: the transfer may or may not have happened.</summary>
    public const string Ambiguous = "ambiguous";

    /// <summary>The typed reason for a Smartflo error on <c>call/options</c>.</summary>
    public static string Of(SmartfloException error) => error.Kind switch
    {
        _ when error.IsCredentialFailure => AuthFailed,
        SmartfloErrorKind.Auth => AuthFailed,
        SmartfloErrorKind.Rejected when SaysNotActive(error.ProviderMessage) => CallNotActive,
        SmartfloErrorKind.Rejected => Rejected,
        SmartfloErrorKind.RateLimited => RateLimited,
        SmartfloErrorKind.Timeout => Timeout,
        SmartfloErrorKind.Unreachable when error.RequestSent => Ambiguous,
        _ => ProviderUnavailable,
    };

    private static readonly string[] NotActivePhrases =
        ["not exist", "does not exist", "doesn't exist", "not found", "not active", "no active", "inactive", "not in progress", "not live", "not ongoing", "invalid call"];

    private static bool SaysNotActive(string message) => NotActivePhrases.Any(p => message.Contains(p, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The outcome of the agent's transfer of a call (partner-api.md §15.2 <c>transfer</c>, Awaaz): where to, whether
/// Smartflo accepted it, when it was asked for, and on failure Smartflo's message and a typed
/// <see cref="TransferFailure"/> reason. <paramref name="Note"/> is the agent's stated reason for transferring.
/// </summary>
public sealed record CallTransfer(string Number, string Status, DateTimeOffset RequestedAt, string? Error = null, string? Reason = null, string? Note = null)
{
    public bool Succeeded => Status == TransferStatus.Succeeded;

    public static CallTransfer Failed(string number, DateTimeOffset requestedAt, string reason, string error, string? note) =>
        new(number, TransferStatus.Failed, requestedAt, error, reason, note);
}
