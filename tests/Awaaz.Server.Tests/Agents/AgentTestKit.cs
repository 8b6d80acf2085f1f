using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Server.Partners;

namespace Awaaz.Server.Tests.Agents;

/// <summary>Voices, bodies and calls shared by the agent tests.</summary>
internal static class AgentTestKit
{
    // RFC 4122 v5 ids of "espeak:<voice file>" in namespace 8f4d3c2a-6b1e-4f7a-9c5d-2e8b1a7f6c30, computed
    // independently with Python's uuid.uuid5 (not with the code under test).
    public const string HindiVoice = "110460d0-1f1b-5121-aa31-0c7c19e34fe2";     // espeak:inc/hi
    public const string EnglishUsVoice = "7ef4bed0-c6cd-55d3-8a68-553c3193324c"; // espeak:gmw/en-US

    /// <summary>Tests that make many requests lift the per-key general rate limit.</summary>
    public static Partner Unthrottled(Partner p) => p with { RateLimits = new RateLimits(10_000, 10, 10) };

    public static JsonObject Minimal(string name = "Support Agent", string voiceId = HindiVoice) => new()
    {
        ["agent_name"] = name,
        ["prompt"] = "You are a helpful assistant.",
        ["voice_id"] = voiceId,
    };

    public static JsonObject With(this JsonObject body, string key, JsonNode? value)
    {
        body[key] = value;
        return body;
    }

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, JsonNode body) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") });

    public static async Task<JsonNode> CreateAgentAsync(this HttpClient client, JsonNode body) =>
        await (await client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", body)).ShouldBeSuccessAsync(201);

    public static async Task<JsonNode> UpdateAgentAsync(this HttpClient client, string id, JsonNode body, HttpMethod? method = null) =>
        await (await client.SendJsonAsync(method ?? HttpMethod.Put, $"/api/v2/agent/{id}", body)).ShouldBeSuccessAsync();

    public static async Task<JsonNode> GetAgentAsync(this HttpClient client, string id) =>
        await (await client.GetAsync($"/api/v2/agent/{id}")).ShouldBeSuccessAsync();

    /// <summary>Asserts a 400 VALIDATION_ERROR whose <c>details.fields</c> name <paramref name="field"/>; returns that field's message.</summary>
    public static async Task<string> ShouldBeInvalidAsync(this HttpResponseMessage response, string field)
    {
        var error = await response.ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        var fields = error["details"]!["fields"]!.AsArray();
        var match = fields.FirstOrDefault(f => f!["field"]!.GetValue<string>() == field);
        match.ShouldNotBeNull($"expected an error on '{field}', got {error.ToJsonString()}");
        error.Str("message").ShouldContain(field);
        return match!["message"]!.GetValue<string>();
    }

    public static string Json(this JsonNode? node) => node?.ToJsonString() ?? "null";
}

/// <summary>A server with cloud providers "configured" (keys are never used by these tests) and custom LLM base URLs allowed.</summary>
public sealed class CloudProvidersFactory : AwaazFactory
{
    public CloudProvidersFactory()
    {
        With("DEEPGRAM_API_KEY", "test-only");
        With("OPENAI_API_KEY", "test-only");
        With("CARTESIA_API_KEY", "test-only");
        With("AWAAZ_ALLOW_CUSTOM_LLM_BASE_URL", "true");
    }
}
