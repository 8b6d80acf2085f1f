using System.Text.Json.Nodes;
using Awaaz.Server.Agents;
using Awaaz.Server.Partners;
using static Awaaz.Server.Tests.Agents.AgentTestKit;

namespace Awaaz.Server.Tests.Agents;

public sealed class AgentLimitAndIsolationTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    [Fact]
    public async Task Creating_beyond_the_agent_limit_is_403_agent_limit_reached()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { AgentLimit = 2 });
        await partner.Client.CreateAgentAsync(Minimal("One"));
        await partner.Client.CreateAgentAsync(Minimal("Two"));

        var error = await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal("Three"))).ShouldBeErrorAsync(403, "FORBIDDEN");
        error["details"].Json().ShouldBe("""{"reason":"agent_limit_reached","agent_limit":2}""");
        error.Str("message").ShouldContain("2");

        // Permission is checked before conflicts: a taken name at the limit is still 403.
        var taken = await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal("One"))).ShouldBeErrorAsync(403, "FORBIDDEN");
        taken["details"]!.Str("reason").ShouldBe("agent_limit_reached");
        // Validation comes before the limit.
        await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal("").With("prompt", ""))).ShouldBeInvalidAsync("prompt");

        (await factory.Service<AgentStore>().CountAsync(partner.Partner.Id)).ShouldBe(2);
    }

    [Fact]
    public async Task The_limit_in_force_is_read_at_creation()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { AgentLimit = 1 });
        await partner.Client.CreateAgentAsync(Minimal("One"));
        await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal("Two"))).ShouldBeErrorAsync(403, "FORBIDDEN");

        await factory.Service<PartnerStore>().UpdateAsync(partner.Partner with { AgentLimit = 2 });
        await partner.Client.CreateAgentAsync(Minimal("Two"));
    }

    [Fact]
    public async Task Parallel_creates_at_the_limit_never_overshoot()
    {
        const int limit = 3;
        var partner = await factory.CreatePartnerAsync(configure: p => Unthrottled(p) with { AgentLimit = limit });
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal($"Racer {i}"))));

        responses.Count(r => (int)r.StatusCode == 201).ShouldBe(limit);
        foreach (var rejected in responses.Where(r => (int)r.StatusCode != 201))
            (await rejected.ShouldBeErrorAsync(403, "FORBIDDEN"))["details"]!.Str("reason").ShouldBe("agent_limit_reached");
        (await factory.Service<AgentStore>().CountAsync(partner.Partner.Id)).ShouldBe(limit);
        var list = await (await partner.Client.GetAsync("/api/v2/agent")).ShouldBeSuccessAsync();
        list["total"]!.GetValue<int>().ShouldBe(limit);
    }

    [Fact]
    public async Task Another_partners_agent_is_404_on_every_route()
    {
        var owner = await factory.CreatePartnerAsync("owner");
        var intruder = await factory.CreatePartnerAsync("intruder");
        var agent = await owner.Client.CreateAgentAsync(Minimal("Private"));
        var url = $"/api/v2/agent/{agent.Str("id")}";
        var change = new JsonObject { ["prompt"] = "hijacked" };

        var responses = new[]
        {
            await intruder.Client.GetAsync(url),
            await intruder.Client.SendJsonAsync(HttpMethod.Put, url, change),
            await intruder.Client.SendJsonAsync(HttpMethod.Patch, url, change),
            await intruder.Client.DeleteAsync(url),
        };
        foreach (var response in responses)
        {
            var error = await response.ShouldBeErrorAsync(404, "NOT_FOUND");
            error.Str("message").ShouldBe("Agent not found");
        }

        var intruderList = await (await intruder.Client.GetAsync("/api/v2/agent")).ShouldBeSuccessAsync();
        intruderList["total"]!.GetValue<int>().ShouldBe(0);
        (await owner.Client.GetAgentAsync(agent.Str("id"))).Json().ShouldBe(agent.Json());
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("12345")]
    [InlineData("3c90c3cc0d444b5088888dd25736052a")]
    public async Task Non_uuid_id_is_404_on_every_route(string id)
    {
        var partner = await factory.CreatePartnerAsync();
        var url = $"/api/v2/agent/{id}";
        await (await partner.Client.GetAsync(url)).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await partner.Client.SendJsonAsync(HttpMethod.Put, url, new JsonObject { ["prompt"] = "x" })).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await partner.Client.SendJsonAsync(HttpMethod.Patch, url, new JsonObject { ["prompt"] = "x" })).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await partner.Client.DeleteAsync(url)).ShouldBeErrorAsync(404, "NOT_FOUND");
    }

    [Fact]
    public async Task Upper_case_id_finds_the_agent()
    {
        var partner = await factory.CreatePartnerAsync();
        var agent = await partner.Client.CreateAgentAsync(Minimal());
        var read = await partner.Client.GetAgentAsync(agent.Str("id").ToUpperInvariant());
        read.Str("id").ShouldBe(agent.Str("id"));
    }

    [Fact]
    public async Task Agent_routes_need_authentication()
    {
        var anonymous = factory.CreateClient();
        await (await anonymous.GetAsync("/api/v2/agent")).ShouldBeErrorAsync(401, "UNAUTHORIZED");
        await (await anonymous.GetAsync("/api/v2/agent/voices")).ShouldBeErrorAsync(401, "UNAUTHORIZED");
        await (await anonymous.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal())).ShouldBeErrorAsync(401, "UNAUTHORIZED");
    }
}
