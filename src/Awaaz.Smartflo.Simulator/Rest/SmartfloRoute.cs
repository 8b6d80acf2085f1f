namespace Awaaz.Smartflo.Simulator.Rest;

/// <summary>The Smartflo REST routes the simulator serves; used for request counts and fault targeting.</summary>
public enum SmartfloRoute
{
    Login,
    Refresh,
    ClickToCall,
    ClickToCallSupport,
    MyNumber,
    UpdateMyNumber,
    Users,
    User,
    LiveCalls,
    CallRecords,
    Hangup,
    CallOptions,
    DisconnectCall,
    Recording,
}

public static class SmartfloRouteFacts
{
    /// <summary>Routes that take a Bearer token (all but login, click_to_call_support and recordings).</summary>
    public static bool TakesBearerToken(this SmartfloRoute route) =>
        route is not (SmartfloRoute.Login or SmartfloRoute.ClickToCallSupport or SmartfloRoute.Recording);

    /// <summary>snake_case name used in the `/_sim/` API (`click_to_call_support`, `call_records`...).</summary>
    public static string WireName(this SmartfloRoute route) =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(route.ToString());

    public static SmartfloRoute? FromWireName(string name) =>
        Enum.GetValues<SmartfloRoute>().Cast<SmartfloRoute?>().FirstOrDefault(r => r!.Value.WireName() == name);
}
