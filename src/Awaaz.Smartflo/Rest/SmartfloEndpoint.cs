namespace Awaaz.Smartflo.Rest;

/// <summary>The Smartflo REST routes Awaaz calls (spec §5.1).</summary>
public enum SmartfloEndpoint
{
    /// <summary><c>POST /v1/auth/login</c></summary>
    Login,
    /// <summary><c>POST /v1/click_to_call</c> (agent-first dial)</summary>
    ClickToCall,
    /// <summary><c>POST /v1/click_to_call_support</c> (customer-first dial, API-key auth)</summary>
    ClickToCallSupport,
    /// <summary><c>GET /v1/my_number</c></summary>
    MyNumber,
    /// <summary><c>GET /v1/users</c></summary>
    Users,
    /// <summary><c>GET /v1/live_calls</c></summary>
    LiveCalls,
    /// <summary><c>GET /v1/call/records</c></summary>
    CallRecords,
    /// <summary><c>POST /v1/call/hangup</c></summary>
    Hangup,
    /// <summary><c>POST /v1/call/options</c> with <c>type: 4</c> (transfer)</summary>
    Transfer,
}

/// <summary>Paths and properties of <see cref="SmartfloEndpoint"/>.</summary>
public static class SmartfloEndpoints
{
    /// <summary>Path relative to the base URL, starting with <c>/v1/</c>.</summary>
    public static string Path(this SmartfloEndpoint endpoint) => endpoint switch
    {
        SmartfloEndpoint.Login => "/v1/auth/login",
        SmartfloEndpoint.ClickToCall => "/v1/click_to_call",
        SmartfloEndpoint.ClickToCallSupport => "/v1/click_to_call_support",
        SmartfloEndpoint.MyNumber => "/v1/my_number",
        SmartfloEndpoint.Users => "/v1/users",
        SmartfloEndpoint.LiveCalls => "/v1/live_calls",
        SmartfloEndpoint.CallRecords => "/v1/call/records",
        SmartfloEndpoint.Hangup => "/v1/call/hangup",
        SmartfloEndpoint.Transfer => "/v1/call/options",
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
    };

    /// <summary>True for routes that may place, end or move a live call, which are never blindly retried.</summary>
    public static bool ActsOnCall(this SmartfloEndpoint endpoint) =>
        endpoint is SmartfloEndpoint.ClickToCall or SmartfloEndpoint.ClickToCallSupport or SmartfloEndpoint.Hangup or SmartfloEndpoint.Transfer;

    /// <summary>Queue priority inside the per-account request budget (spec §7): hangup &gt; transfer &gt; originate &gt; login &gt; rest.</summary>
    public static SmartfloRequestPriority Priority(this SmartfloEndpoint endpoint) => endpoint switch
    {
        SmartfloEndpoint.Hangup => SmartfloRequestPriority.Hangup,
        SmartfloEndpoint.Transfer => SmartfloRequestPriority.Transfer,
        SmartfloEndpoint.ClickToCall or SmartfloEndpoint.ClickToCallSupport => SmartfloRequestPriority.Originate,
        SmartfloEndpoint.Login => SmartfloRequestPriority.Login,
        _ => SmartfloRequestPriority.Other,
    };
}
