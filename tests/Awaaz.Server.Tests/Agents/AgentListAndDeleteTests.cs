using System.Text.Json.Nodes;
using static Awaaz.Server.Tests.Agents.AgentTestKit;

namespace Awaaz.Server.Tests.Agents;

public sealed class AgentListAndDeleteTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    private static async Task<JsonNode> ListAsync(HttpClient client, string query = "") =>
        await (await client.GetAsync("/api/v2/agent" + query)).ShouldBeSuccessAsync();

    private static string[] Ids(JsonNode list) => list["agents"]!.AsArray().Select(a => a!.Str("id")).ToArray();

    [Fact]
    public async Task List_pages_newest_first()
    {
        var partner = await factory.CreatePartnerAsync(configure: Unthrottled);
        var created = new List<JsonNode>();
        for (var i = 0; i < 5; i++)
            created.Add(await partner.Client.CreateAgentAsync(Minimal($"Agent {i}")));
        var expectedOrder = created
            .OrderByDescending(a => a.Str("created_at"), StringComparer.Ordinal)
            .ThenByDescending(a => a.Str("id"), StringComparer.Ordinal)
            .Select(a => a.Str("id")).ToArray();

        var all = await ListAsync(partner.Client);
        all.AsObject().Select(p => p.Key).ShouldBe(["agents", "total", "limit", "offset"]);
        all["total"]!.GetValue<int>().ShouldBe(5);
        all["limit"]!.GetValue<int>().ShouldBe(10);
        all["offset"]!.GetValue<int>().ShouldBe(0);
        Ids(all).ShouldBe(expectedOrder);
        all["agents"]![0].Json().ShouldBe(created.Single(a => a.Str("id") == expectedOrder[0]).Json());

        var pages = new List<string>();
        foreach (var offset in new[] { 0, 2, 4 })
        {
            var page = await ListAsync(partner.Client, $"?limit=2&offset={offset}");
            page["total"]!.GetValue<int>().ShouldBe(5);
            page["limit"]!.GetValue<int>().ShouldBe(2);
            page["offset"]!.GetValue<int>().ShouldBe(offset);
            pages.AddRange(Ids(page));
        }
        pages.ShouldBe(expectedOrder);

        var beyond = await ListAsync(partner.Client, "?offset=10");
        Ids(beyond).ShouldBeEmpty();
        beyond["total"]!.GetValue<int>().ShouldBe(5);
    }

    [Fact]
    public async Task List_filters_by_agent_type()
    {
        var partner = await factory.CreatePartnerAsync();
        var inbound = await partner.Client.CreateAgentAsync(Minimal("In").With("agent_type", "inbound"));
        await partner.Client.CreateAgentAsync(Minimal("Out 1"));
        await partner.Client.CreateAgentAsync(Minimal("Out 2").With("agentType", "outbound"));

        var inboundList = await ListAsync(partner.Client, "?agent_type=inbound");
        Ids(inboundList).ShouldBe([inbound.Str("id")]);
        inboundList["total"]!.GetValue<int>().ShouldBe(1);
        var outboundList = await ListAsync(partner.Client, "?agent_type=outbound");
        outboundList["total"]!.GetValue<int>().ShouldBe(2);
        outboundList["agents"]!.AsArray().ShouldAllBe(a => a!["agent_type"]!.GetValue<string>() == "outbound");
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?limit=abc", "limit")]
    [InlineData("?offset=-1", "offset")]
    [InlineData("?agent_type=both", "agent_type")]
    public async Task Bad_list_query_is_400(string query, string field)
    {
        var partner = await factory.CreatePartnerAsync();
        await (await partner.Client.GetAsync("/api/v2/agent" + query)).ShouldBeInvalidAsync(field);
    }

    [Fact]
    public async Task Soft_delete_hides_the_agent_frees_its_name_and_its_slot()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { AgentLimit = 2 });
        var doomed = (await partner.Client.CreateAgentAsync(Minimal("Doomed"))).Str("id");
        var kept = (await partner.Client.CreateAgentAsync(Minimal("Kept"))).Str("id");
        var config = await (await partner.Client.GetAsync("/api/v2/config")).ShouldBeSuccessAsync();
        config["current_agent_count"]!.GetValue<int>().ShouldBe(2);

        var deleted = await (await partner.Client.DeleteAsync($"/api/v2/agent/{doomed}")).ShouldBeSuccessAsync();
        deleted.Json().ShouldBe("""{"message":"Agent deleted successfully"}""");

        await (await partner.Client.GetAsync($"/api/v2/agent/{doomed}")).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await partner.Client.DeleteAsync($"/api/v2/agent/{doomed}")).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await partner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/agent/{doomed}", new JsonObject { ["prompt"] = "x" })).ShouldBeErrorAsync(404, "NOT_FOUND");
        var list = await ListAsync(partner.Client);
        Ids(list).ShouldBe([kept]);
        list["total"]!.GetValue<int>().ShouldBe(1);
        config = await (await partner.Client.GetAsync("/api/v2/config")).ShouldBeSuccessAsync();
        config["current_agent_count"]!.GetValue<int>().ShouldBe(1);

        // Name and slot are free again (the limit is 2).
        var reborn = await partner.Client.CreateAgentAsync(Minimal("DOOMED"));
        reborn.Str("id").ShouldNotBe(doomed);
        (await ListAsync(partner.Client))["total"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task Duplicate_name_is_409_case_insensitively()
    {
        var partner = await factory.CreatePartnerAsync();
        await partner.Client.CreateAgentAsync(Minimal("Sales Assistant"));
        var error = await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal("sales ASSISTANT")))
            .ShouldBeErrorAsync(409, "CONFLICT");
        error["details"].Json().ShouldBe("""{"reason":"duplicate_agent_name"}""");
        error.Str("message").ShouldContain("sales ASSISTANT");
        (await ListAsync(partner.Client))["total"]!.GetValue<int>().ShouldBe(1);

        // Another partner may use the same name.
        var other = await factory.CreatePartnerAsync("other");
        await other.Client.CreateAgentAsync(Minimal("Sales Assistant"));
    }

    [Fact]
    public async Task Parallel_creates_with_one_name_make_exactly_one_agent()
    {
        var partner = await factory.CreatePartnerAsync(configure: Unthrottled);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal(i % 2 == 0 ? "Twin" : "TWIN"))));
        responses.Count(r => (int)r.StatusCode == 201).ShouldBe(1);
        foreach (var conflict in responses.Where(r => (int)r.StatusCode != 201))
            (await conflict.ShouldBeErrorAsync(409, "CONFLICT"))["details"]!.Str("reason").ShouldBe("duplicate_agent_name");
        (await ListAsync(partner.Client))["total"]!.GetValue<int>().ShouldBe(1);
    }
}
