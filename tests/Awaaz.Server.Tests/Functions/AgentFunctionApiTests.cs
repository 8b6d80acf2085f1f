using System.Text.Json.Nodes;
using Awaaz.Server.Agents;
using Awaaz.Server.Functions;
using Awaaz.Server.Storage;
using Awaaz.Server.Tests.Partners;
using static Awaaz.Server.Tests.Agents.AgentTestKit;

namespace Awaaz.Server.Tests.Functions;

/// <summary>The agent field <c>functions</c> (Awaaz): validation, defaults, replacement, and header values encrypted and never shown.</summary>
public sealed class AgentFunctionApiTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    private const string Secret = "Bearer sk-live-9c41e7a2b8d05f36";

    private static JsonObject Lookup(string name = "lookup_order") => new()
    {
        ["name"] = name,
        ["description"] = "Looks up an order by its id.",
        ["url"] = "https://orders.example.com/lookup",
        ["headers"] = new JsonObject { ["Authorization"] = Secret, ["X-Tenant"] = "acme" },
        ["parameters"] = JsonNode.Parse("""{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}"""),
        ["timeout_ms"] = 3000,
        ["started_message"] = "One moment, {{callee_name}}.",
        ["error_message"] = "Sorry, the order system is down.",
    };

    private static JsonObject AgentWith(params JsonNode[] functions) => Minimal(name: $"Fn {Guid.NewGuid():N}"[..20]).With("functions", new JsonArray(functions));

    [Fact]
    public async Task Create_stores_functions_and_shows_header_names_with_masked_values()
    {
        var partner = await factory.CreatePartnerAsync("fn", Unthrottled);

        var agent = await partner.Client.CreateAgentAsync(AgentWith(Lookup(), new JsonObject
        {
            ["name"] = "check_slots", ["description"] = "Free delivery slots.", ["url"] = "https://slots.example.com/free",
        }));

        var functions = agent["functions"]!.AsArray();
        functions.Count.ShouldBe(2);
        JsonNode.DeepEquals(functions[0], JsonNode.Parse("""
            {"name":"lookup_order","description":"Looks up an order by its id.","url":"https://orders.example.com/lookup","method":"POST",
             "headers":{"Authorization":"****5f36","X-Tenant":"****"},
             "parameters":{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]},
             "timeout_ms":3000,"started_message":"One moment, {{callee_name}}.","error_message":"Sorry, the order system is down."}
            """)).ShouldBeTrue(functions[0].Json());
        JsonNode.DeepEquals(functions[1], JsonNode.Parse("""
            {"name":"check_slots","description":"Free delivery slots.","url":"https://slots.example.com/free","method":"POST",
             "headers":{},"parameters":{"type":"object","properties":{}},"timeout_ms":5000,"started_message":null,"error_message":null}
            """)).ShouldBeTrue(functions[1].Json());
        (await partner.Client.GetAgentAsync(agent.Str("id")))["functions"].Json().ShouldBe(functions.Json());
        (await partner.Client.CreateAgentAsync(Minimal(name: "No functions")))["functions"].Json().ShouldBe("[]");
    }

    [Fact]
    public async Task CamelCase_keys_are_accepted()
    {
        var partner = await factory.CreatePartnerAsync("fn", Unthrottled);

        var agent = await partner.Client.CreateAgentAsync(AgentWith(new JsonObject
        {
            ["name"] = "lookup", ["description"] = "d", ["url"] = "https://api.example.com/x", ["method"] = "get",
            ["timeoutMs"] = 800, ["startedMessage"] = "Checking.", ["errorMessage"] = "Could not check.",
        }));

        var function = agent["functions"]![0]!;
        function.Str("method").ShouldBe("GET");
        function["timeout_ms"]!.GetValue<int>().ShouldBe(800);
        function.Str("started_message").ShouldBe("Checking.");
        function.Str("error_message").ShouldBe("Could not check.");
    }

    /// <summary>(a change to the valid function → expected error field).</summary>
    public static TheoryData<string, string> InvalidFunctions => new()
    {
        { """{"name":null}""", "functions[0].name" },
        { """{"name":"1st"}""", "functions[0].name" },
        { """{"name":"has-dash"}""", "functions[0].name" },
        { "{\"name\":\"" + new string('a', 65) + "\"}", "functions[0].name" },
        { """{"name":"end_call"}""", "functions[0].name" },
        { """{"name":"Transfer_Call"}""", "functions[0].name" },
        { """{"name":"set_variable"}""", "functions[0].name" },
        { """{"description":""}""", "functions[0].description" },
        { "{\"description\":\"" + new string('d', 1001) + "\"}", "functions[0].description" },
        { """{"description":null}""", "functions[0].description" },
        { """{"url":null}""", "functions[0].url" },
        { """{"url":"http://orders.example.com/lookup"}""", "functions[0].url" },
        { """{"url":"orders.example.com/lookup"}""", "functions[0].url" },
        { """{"url":"https://user:pw@orders.example.com/lookup"}""", "functions[0].url" },
        { """{"url":"https://127.0.0.1/lookup"}""", "functions[0].url" },
        { """{"url":"https://169.254.169.254/latest/meta-data"}""", "functions[0].url" },
        { """{"url":"https://10.1.2.3/lookup"}""", "functions[0].url" },
        { """{"url":"https://[::1]/lookup"}""", "functions[0].url" },
        { """{"url":"https://[fd00::1]/lookup"}""", "functions[0].url" },
        { "{\"url\":\"https://example.com/" + new string('p', 2030) + "\"}", "functions[0].url" },
        { """{"method":"PUT"}""", "functions[0].method" },
        { """{"headers":"Authorization: x"}""", "functions[0].headers" },
        { """{"headers":{"Bad Header":"x"}}""", "functions[0].headers.Bad Header" },
        { """{"headers":{"Host":"internal"}}""", "functions[0].headers.Host" },
        { """{"headers":{"Content-Length":"1"}}""", "functions[0].headers.Content-Length" },
        { """{"headers":{"X-Key":42}}""", "functions[0].headers.X-Key" },
        { """{"headers":{"X-Key":"a\r\nInjected: yes"}}""", "functions[0].headers.X-Key" },
        { """{"headers":{"X-Key":"a","x-key":"b"}}""", "functions[0].headers.x-key" },
        { "{\"headers\":{" + string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"X-H{i}\":\"v\"")) + "}}", "functions[0].headers" },
        { """{"parameters":"order_id"}""", "functions[0].parameters" },
        { """{"parameters":{"type":"string"}}""", "functions[0].parameters.type" },
        { """{"parameters":{"properties":{}}}""", "functions[0].parameters.type" },
        { """{"parameters":{"type":"object","properties":[]}}""", "functions[0].parameters.properties" },
        { """{"parameters":{"type":"object","required":"order_id"}}""", "functions[0].parameters.required" },
        { "{\"parameters\":{\"type\":\"object\",\"description\":\"" + new string('p', 8200) + "\"}}", "functions[0].parameters" },
        { """{"timeout_ms":499}""", "functions[0].timeout_ms" },
        { """{"timeout_ms":30001}""", "functions[0].timeout_ms" },
        { """{"timeoutMs":"5000"}""", "functions[0].timeout_ms" },
        { "{\"started_message\":\"" + new string('s', 501) + "\"}", "functions[0].started_message" },
        { "{\"errorMessage\":\"" + new string('e', 501) + "\"}", "functions[0].error_message" },
    };

    [Theory]
    [MemberData(nameof(InvalidFunctions))]
    public async Task Each_rule_is_a_validation_error_on_its_field(string change, string field)
    {
        var partner = await factory.CreatePartnerAsync("fn", Unthrottled);
        var function = Lookup();
        foreach (var (key, value) in JsonNode.Parse(change)!.AsObject())
        {
            function.Remove(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(key)); // snake_case would win over a camelCase key
            function[key] = value?.DeepClone();
        }

        var response = await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", AgentWith(function));

        await response.ShouldBeInvalidAsync(field);
    }

    [Theory]
    [InlineData("\"lookup\"", "functions")]
    [InlineData("[\"lookup\"]", "functions[0]")]
    public async Task Functions_must_be_an_array_of_objects(string value, string field)
    {
        var partner = await factory.CreatePartnerAsync("fn", Unthrottled);

        var response = await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal().With("functions", JsonNode.Parse(value)));

        await response.ShouldBeInvalidAsync(field);
    }

    [Fact]
    public async Task Names_are_unique_case_insensitively_and_at_most_20_functions_are_allowed()
    {
        var partner = await factory.CreatePartnerAsync("fn", Unthrottled);

        var duplicate = await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", AgentWith(Lookup("lookup"), Lookup("LOOKUP")));
        var tooMany = await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", AgentWith(Enumerable.Range(0, 21).Select(i => (JsonNode)Lookup($"f{i}")).ToArray()));
        var twenty = await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", AgentWith(Enumerable.Range(0, 20).Select(i => (JsonNode)Lookup($"f{i}")).ToArray()));

        (await duplicate.ShouldBeInvalidAsync("functions[1].name")).ShouldContain("duplicate");
        (await tooMany.ShouldBeInvalidAsync("functions")).ShouldBe("must have at most 20 items");
        (await twenty.ShouldBeSuccessAsync(201))["functions"]!.AsArray().Count.ShouldBe(20);
    }

    [Fact]
    public async Task Update_replaces_the_whole_array_and_null_removes_it()
    {
        var partner = await factory.CreatePartnerAsync("fn", Unthrottled);
        var id = (await partner.Client.CreateAgentAsync(AgentWith(Lookup("a"), Lookup("b")))).Str("id");

        var patched = await partner.Client.UpdateAgentAsync(id, new JsonObject { ["intro_message"] = "Hi" }, HttpMethod.Patch);
        var replaced = await partner.Client.UpdateAgentAsync(id, new JsonObject { ["functions"] = new JsonArray(Lookup("c")) });
        var cleared = await partner.Client.UpdateAgentAsync(id, new JsonObject { ["functions"] = null });

        patched["functions"]!.AsArray().Select(f => f!.Str("name")).ShouldBe(["a", "b"]);
        replaced["functions"]!.AsArray().Select(f => f!.Str("name")).ShouldBe(["c"]);
        cleared["functions"].Json().ShouldBe("[]");
    }

    [Fact]
    public async Task A_header_sent_back_as_its_mask_keeps_its_value_and_a_new_value_replaces_it()
    {
        var partner = await factory.CreatePartnerAsync("fn", Unthrottled);
        var created = await partner.Client.CreateAgentAsync(AgentWith(Lookup()));
        var id = created.Str("id");

        // GET → edit → PUT: the masks go back unchanged, one header gets a new value.
        var function = created["functions"]![0]!.DeepClone().AsObject();
        function["description"] = "Looks up an order (v2).";
        function["headers"]!["X-Tenant"] = "globex";
        await partner.Client.UpdateAgentAsync(id, new JsonObject { ["functions"] = new JsonArray(function) });

        var stored = (await factory.Service<AgentStore>().GetAsync(partner.Partner.Id, id, TestContext.Current.CancellationToken))!.Document.Functions.Single();
        var secrets = factory.Service<FunctionSecrets>();
        stored.Description.ShouldBe("Looks up an order (v2).");
        stored.Headers.Select(h => (h.Name, secrets.Open(h))).ShouldBe([("Authorization", Secret), ("X-Tenant", "globex")]);
    }

    [Fact]
    public async Task Header_values_are_encrypted_at_rest_and_never_returned()
    {
        var partner = await factory.CreatePartnerAsync("fn", Unthrottled);
        var id = (await partner.Client.CreateAgentAsync(AgentWith(Lookup()))).Str("id");

        var shown = (await partner.Client.GetAsync($"/api/v2/agent/{id}", TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var listed = (await partner.Client.GetAsync("/api/v2/agent", TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var dump = await SecretsAtRestTests.DumpAsync(factory.Service<Database>());

        (await shown).ShouldNotContain("sk-live");
        (await listed).ShouldNotContain("sk-live");
        dump.ShouldContain("lookup_order");
        dump.ShouldNotContain("sk-live-9c41e7a2b8d0");
        dump.ShouldNotContain("acme\"");
        factory.Logs.All.ShouldNotContain("sk-live");
    }
}

public sealed class AgentFunctionOpenApiTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    [Fact]
    public async Task Functions_are_documented_in_the_agent_request_and_the_agent_object()
    {
        var document = await (await factory.CreateClient().GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).BodyAsync();
        var schemas = document["components"]!["schemas"]!;
        var body = document["paths"]!["/api/v2/agent"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;

        body["properties"]!["functions"]!["maxItems"]!.GetValue<int>().ShouldBe(20);
        var request = body["properties"]!["functions"]!["items"]!;
        request["properties"]!.AsObject().Select(p => p.Key).ShouldBe(
            ["name", "description", "url", "method", "headers", "parameters", "timeout_ms", "started_message", "error_message"]);
        request["required"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldBe(["name", "description", "url"], ignoreOrder: true);
        request["properties"]!["timeout_ms"]!["minimum"]!.GetValue<int>().ShouldBe(500);
        request["properties"]!["timeout_ms"]!["maximum"]!.GetValue<int>().ShouldBe(30000);
        schemas["AgentView"]!["properties"]!["functions"].ShouldNotBeNull();
        schemas["FunctionView"]!["properties"]!.AsObject().Select(p => p.Key).ShouldContain("headers");
    }
}
