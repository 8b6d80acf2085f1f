using Awaaz.Smartflo.Simulator.Configuration;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Awaaz.Smartflo.Simulator.Cli;

/// <summary>Talks to a running simulator's `/_sim/` API for the CLI commands.</summary>
internal sealed class SimControlClient(string baseUrl) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(15) };

    public Task<JsonNode> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<JsonNode> PostAsync(string path, JsonNode? body = null) => SendAsync(HttpMethod.Post, path, body);

    public Task<JsonNode> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body);

    /// <summary>Reads the fault knobs, lets <paramref name="change"/> edit them, and writes them back.</summary>
    public async Task<JsonNode> ChangeFaultsAsync(Action<JsonObject> change)
    {
        var faults = (JsonObject)await GetAsync("_sim/faults");
        change(faults);
        return await PutAsync("_sim/faults", faults);
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(SimJson.Wire), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
        if (!response.IsSuccessStatusCode)
        {
            throw new SimControlException((int)response.StatusCode, json["error"]?.GetValue<string>() ?? text);
        }

        return json;
    }

    public void Dispose() => _http.Dispose();
}

internal sealed class SimControlException(int status, string message) : Exception($"HTTP {status}: {message}");
