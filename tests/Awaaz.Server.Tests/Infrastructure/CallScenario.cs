using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator;

namespace Awaaz.Server.Tests.Infrastructure;

/// <summary>A partner with a Smartflo connection (to the simulator) and an agent, created through the public API.</summary>
public sealed record CallScenario(TestPartner Partner, string ConnectionId, string AgentId)
{
    /// <param name="customerFirst">true: connection with the click-to-call-support key; false: agent-first (agent number + credentials).</param>
    public static async Task<CallScenario> CreateAsync(AwaazFactory factory, SmartfloSimulator sim, bool customerFirst = true,
        Func<Server.Partners.Partner, Server.Partners.Partner>? configure = null, object? agentExtras = null)
    {
        // Tests poll calls often: lift the per-key request limits unless the test sets its own.
        var partner = await factory.CreatePartnerAsync("calls", p => (configure ?? (x => x))(p with { RateLimits = new(100_000, 100_000, 100_000) }));
        var connection = await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", customerFirst
            ? SimulatedSmartflo.CredentialsConnection(sim)
            : new
            {
                provider = "tata_smartflo", name = "Agent first", tata_email = SimulatedSmartflo.Email, tata_password = SimulatedSmartflo.Password,
                from_number = SimulatedSmartflo.SalesDid, base_url = sim.BaseUrl, agent_number = SimulatedSmartflo.AgentNumber,
            })).ShouldBeSuccessAsync(201);
        var agentId = await CreateAgentAsync(partner, "Echo tester", agentExtras);
        return new CallScenario(partner, connection["connection"]!.Str("id"), agentId);
    }

    public static async Task<string> CreateAgentAsync(TestPartner partner, string name, object? extras = null)
    {
        var voices = await (await partner.Client.GetAsync("/api/v2/agent/voices")).ShouldBeSuccessAsync();
        var voice = voices["voices"]!.AsArray().First(v => v!.Str("language").StartsWith("en"))!.Str("id");
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new
        {
            agent_name = name, prompt = "#echo test agent speaking with {{callee_name}}.", voice_id = voice, language = "en",
            variables = new[] { "callee_name" }, max_call_duration_secs = 120,
        }))!.AsObject();
        if (extras is not null)
            foreach (var (k, v) in JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extras))!.AsObject().ToList())
                body[k] = v?.DeepClone();
        var agent = await (await partner.Client.PostAsync("/api/v2/agent", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).ShouldBeSuccessAsync(201);
        return agent.Str("id");
    }

    public Task<HttpResponseMessage> StartAsync(string to = "+919800000001", object? variables = null, string? connectionId = null) =>
        Partner.Client.PostJsonAsync("/api/v2/calls/start", new { agent_id = AgentId, to_number = to, variables = variables ?? new { callee_name = "Asha" }, connection_id = connectionId });

    public async Task<JsonNode> GetCallAsync(string callId) =>
        await (await Partner.Client.GetAsync($"/api/v2/calls/{callId}")).ShouldBeSuccessAsync();

    /// <summary>Polls the call (bounded) until <paramref name="done"/> holds.</summary>
    public async Task<JsonNode> WaitForAsync(string callId, Func<JsonNode, bool> done, int seconds = 20)
    {
        JsonNode call = null!;
        for (var i = 0; i < seconds * 10; i++)
        {
            call = await GetCallAsync(callId);
            if (done(call)) return call;
            await Task.Delay(100);
        }
        throw new TimeoutException($"call {callId} did not reach the expected state: {call.ToJsonString()}");
    }
}
