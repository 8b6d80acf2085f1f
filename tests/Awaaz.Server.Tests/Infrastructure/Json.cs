using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Awaaz.Server.Tests.Infrastructure;

/// <summary>Small JSON conveniences for API tests.</summary>
public static class Json
{
    public static async Task<JsonNode> BodyAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException($"Empty body (HTTP {(int)response.StatusCode})");
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsync(url, JsonContent.Create(body));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object body) =>
        client.PutAsync(url, JsonContent.Create(body));

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body) =>
        client.PatchAsync(url, JsonContent.Create(body));

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string url, string body, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, contentType));

    /// <summary>Asserts the error envelope and returns its <c>error</c> object.</summary>
    public static async Task<JsonNode> ShouldBeErrorAsync(this HttpResponseMessage response, int status, string code)
    {
        var body = await response.BodyAsync();
        ((int)response.StatusCode).ShouldBe(status, body.ToJsonString());
        body["success"]!.GetValue<bool>().ShouldBeFalse();
        body["error"]!["code"]!.GetValue<string>().ShouldBe(code, body.ToJsonString());
        return body["error"]!;
    }

    /// <summary>Asserts the success envelope and returns <c>data</c>.</summary>
    public static async Task<JsonNode> ShouldBeSuccessAsync(this HttpResponseMessage response, int status = 200)
    {
        var body = await response.BodyAsync();
        ((int)response.StatusCode).ShouldBe(status, body.ToJsonString());
        body["success"]!.GetValue<bool>().ShouldBeTrue();
        return body["data"]!;
    }

    public static string Str(this JsonNode node, string key) => node[key]?.GetValue<string>() ?? throw new ShouldAssertException($"{key} missing in {node.ToJsonString()}");

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
