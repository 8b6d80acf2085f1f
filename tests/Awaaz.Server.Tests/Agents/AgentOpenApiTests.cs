using System.Text.Json.Nodes;

namespace Awaaz.Server.Tests.Agents;

public sealed class AgentOpenApiTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    [Fact]
    public async Task Agent_routes_are_documented_with_their_bodies_and_responses()
    {
        var document = await (await factory.CreateClient().GetAsync("/openapi/v1.json")).BodyAsync();
        var paths = document["paths"]!;
        var operations = new (string Path, string Method, string[] Statuses)[]
        {
            ("/api/v2/agent", "post", ["201", "400", "403", "409"]),
            ("/api/v2/agent", "get", ["200", "400"]),
            ("/api/v2/agent/voices", "get", ["200"]),
            ("/api/v2/agent/{id}", "get", ["200", "404"]),
            ("/api/v2/agent/{id}", "put", ["200", "400", "404", "409"]),
            ("/api/v2/agent/{id}", "patch", ["200", "400", "404", "409"]),
            ("/api/v2/agent/{id}", "delete", ["200", "404"]),
        };
        foreach (var (path, method, statuses) in operations)
        {
            var operation = paths[path]?[method];
            operation.ShouldNotBeNull($"{method} {path}");
            operation!["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ShouldBe(["Agents"]);
            operation["summary"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
            operation["responses"]!.AsObject().Select(r => r.Key).ShouldBe(statuses, ignoreOrder: true);
        }

        var created = paths["/api/v2/agent"]!["post"]!["responses"]!["201"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        created.ShouldBe("#/components/schemas/SuccessEnvelopeOfAgentView");
        var agentView = document["components"]!["schemas"]!["AgentView"]!["properties"]!.AsObject();
        agentView.Select(p => p.Key).ShouldContain("transferEnabled");
        agentView.Select(p => p.Key).ShouldContain("endCallMessage");
        agentView.Select(p => p.Key).ShouldContain("end_call_instructions");
        agentView["max_call_duration_secs"]!["type"].Json().ShouldBe("""["null","integer"]""");

        var body = paths["/api/v2/agent"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var bodyProperties = body["properties"]!.AsObject();
        bodyProperties.Select(p => p.Key).ShouldContain("agent_name");
        bodyProperties["pipeline"]!["properties"]!["turn"]!["properties"]!["vad_threshold"]!["minimum"]!.GetValue<double>().ShouldBe(0.1);
        paths["/api/v2/agent/{id}"]!["patch"]!["requestBody"].ShouldNotBeNull();
        paths["/api/v2/agent"]!["get"]!["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ShouldBe(["limit", "offset", "agent_type"]);
    }
}
