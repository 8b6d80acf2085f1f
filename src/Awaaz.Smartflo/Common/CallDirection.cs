namespace Awaaz.Smartflo;

/// <summary>Direction of a Smartflo call as seen from the account.</summary>
public enum CallDirection
{
    /// <summary>Missing or unrecognised value.</summary>
    Unknown,
    /// <summary>A caller dialled one of the account's DIDs.</summary>
    Inbound,
    /// <summary>The account placed the call (click-to-call, dialer, API).</summary>
    Outbound,
}

/// <summary>Reads the many spellings of a call direction (spec §10.5 Q12, §5.7).</summary>
public static class CallDirections
{
    /// <summary>
    /// <c>inbound</c>, <c>Dialer (Inbound)</c>, <c>1</c> → inbound; <c>outbound</c>, <c>click_to_call</c>, <c>clicktocall</c>,
    /// <c>click-to-call</c>, <c>Dialer (Outbound)</c>, <c>2</c> → outbound; anything else → unknown. Case-insensitive.
    /// </summary>
    public static CallDirection Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "inbound" or "dialer (inbound)" or "incoming" or "1" => CallDirection.Inbound,
        "outbound" or "click_to_call" or "clicktocall" or "click-to-call" or "dialer (outbound)" or "outgoing" or "2" => CallDirection.Outbound,
        _ => CallDirection.Unknown,
    };
}
