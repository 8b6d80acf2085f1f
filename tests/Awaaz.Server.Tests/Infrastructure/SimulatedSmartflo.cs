using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Server.Tests.Infrastructure;

/// <summary>A Smartflo simulator on 127.0.0.1 with one seeded account, for server tests.</summary>
public static class SimulatedSmartflo
{
    public const string AccountId = "288256";
    public const string Email = "ops@example.com";
    public const string Password = "panel-password";
    public const string StaticToken = "static-panel-token-288256";
    public const string ApiKey = "3f2b8c1e-0000-4000-8000-000000000001";
    public const string AgentNumber = "0502842370097";
    public const string SalesDid = "+918069000001";
    public const string BotDid = "+918071000002";

    public static Task<SmartfloSimulator> StartAsync() => SmartfloSimulator.StartAsync(SimulatorConfig.Parse($$"""
        {
          "seed": 7,
          "token_ttl_seconds": 3600,
          "accounts": [{
            "id": "{{AccountId}}", "login_id": "{{Email}}", "password": "{{Password}}",
            "static_tokens": ["{{StaticToken}}"], "number_of_days_left": 30,
            "users": [{ "id": 314678, "name": "Voice Bot", "agent_id": "{{AgentNumber}}", "follow_me_number": "+911140000001", "role": "Agent" }],
            "dids": [
              { "id": "12345", "did": "{{SalesDid}}", "name": "Sales line", "destination": "ivr||57000", "destination_name": "Main IVR" },
              { "id": "12346", "did": "918071000002", "name": "Voice bot line", "destination": null, "destination_name": null },
              { "id": "12347", "did": "8000XXXXXX", "name": "Broken", "destination": null, "destination_name": null }
            ],
            "api_keys": [{ "key": "{{ApiKey}}", "dids": ["{{SalesDid}}"], "destination": "voice_bot||553", "destination_name": "Awaaz Bot" }]
          }]
        }
        """));

    /// <summary>Body of <c>POST /telephony/connections</c> with panel credentials against the simulator.</summary>
    public static object CredentialsConnection(SmartfloSimulator sim, string name = "Smartflo Mumbai", string password = Password) => new
    {
        provider = "tata_smartflo", name, tata_email = Email, tata_password = password,
        from_number = SalesDid, base_url = sim.BaseUrl, api_key = ApiKey,
    };
}
