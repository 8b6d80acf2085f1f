using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Awaaz.Server.Tests.Voice.Cloud;

/// <summary>
/// An OpenAI-compatible <c>POST {prefix}/chat/completions</c> speaking the documented streaming format:
/// <c>text/event-stream</c> of <c>data: {chat.completion.chunk}</c> events closed by <c>data: [DONE]</c>,
/// <c>Authorization: Bearer</c> keys, and OpenAI's <c>{"error":{…}}</c> bodies. Each request takes the next
/// scripted reply; requests are recorded for assertions.
/// </summary>
public sealed class FakeOpenAi : IAsyncDisposable
{
    public const string Key = "sk-fake-openai-0123456789";

    private readonly FakeVendorServer _server;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _replies = new();
    private readonly Channel<JsonObject> _received = Channel.CreateUnbounded<JsonObject>();
    private readonly List<RecordedRequest> _requests = [];

    public sealed record RecordedRequest(string Path, string? Authorization, JsonObject Body);

    private FakeOpenAi(FakeVendorServer server) => _server = server;

    /// <summary>The base URL a client is configured with, e.g. <c>http://127.0.0.1:1234/v1</c>.</summary>
    public string BaseUrl => _server.BaseUrl + "/v1";

    public string ServerUrl => _server.BaseUrl;

    /// <summary>The key accepted; change it to revoke <see cref="Key"/>.</summary>
    public string AcceptedKey { get; set; } = Key;

    public IReadOnlyList<RecordedRequest> Requests { get { lock (_requests) return _requests.ToList(); } }

    public static async Task<FakeOpenAi> StartAsync()
    {
        FakeOpenAi? fake = null;
        var server = await FakeVendorServer.StartAsync(app =>
            app.MapPost("/{**prefix}", async (HttpContext context, string prefix) =>
            {
                if (!prefix.EndsWith("chat/completions", StringComparison.Ordinal)) { context.Response.StatusCode = 404; return; }
                await fake!.HandleAsync(context);
            }));
        return fake = new FakeOpenAi(server);
    }

    public void Enqueue(params Func<HttpContext, Task>[] replies)
    {
        foreach (var reply in replies) _replies.Enqueue(reply);
    }

    /// <summary>The body of the next request the fake receives.</summary>
    public async Task<JsonObject> NextRequestAsync() => await _received.Reader.ReadAsync(Waits.Soon());

    private async Task HandleAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var authorization = context.Request.Headers.Authorization.ToString();
        lock (_requests) _requests.Add(new RecordedRequest(context.Request.Path, authorization, body));
        await _received.Writer.WriteAsync(body);
        if (authorization != "Bearer " + AcceptedKey)
        {
            await Error(401, "invalid_api_key", $"Incorrect API key provided: {Mask(authorization)}.")(context);
            return;
        }

        if (!_replies.TryDequeue(out var reply)) reply = Error(500, "server_error", "the fake has no scripted reply left");
        await reply(context);
    }

    private static string Mask(string authorization) =>
        authorization.Length > 12 ? authorization[7..10] + "***" + authorization[^3..] : "***";

    // ---- scripted replies ---------------------------------------------------------------------------

    public static Func<HttpContext, Task> Text(params string[] pieces) => Sse(TextChunks(pieces).Append(FinishChunk("stop")).Append(UsageChunk()), done: true);

    public static Func<HttpContext, Task> ToolCall(string id, string name, params string[] argumentPieces) =>
        Sse(ToolCallChunks(id, name, argumentPieces).Append(FinishChunk("tool_calls")).Append(UsageChunk()), done: true);

    public static Func<HttpContext, Task> Error(int status, string code, string message, params (string Name, string Value)[] headers) =>
        async context =>
        {
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers) context.Response.Headers[name] = value;
            await context.Response.WriteAsJsonAsync(new { error = new { message, type = "invalid_request_error", param = (string?)null, code } });
        };

    /// <summary>Holds the response (no status line, no byte) until <paramref name="release"/> completes.</summary>
    public static Func<HttpContext, Task> After(Task release, Func<HttpContext, Task> then) =>
        async context =>
        {
            await release.WaitAsync(context.RequestAborted);
            await then(context);
        };

    /// <summary>Sends the chunks, then (once <paramref name="abortWhen"/> completes) resets the connection without <c>[DONE]</c>.</summary>
    public static Func<HttpContext, Task> Dropped(IEnumerable<JsonObject> chunks, Task? abortWhen = null) =>
        async context =>
        {
            await Sse(chunks, done: false)(context);
            if (abortWhen is not null) await abortWhen.WaitAsync(context.RequestAborted);
            context.Abort();
        };

    /// <summary>Sends the chunks and ends the response cleanly, but without a finish_reason or <c>[DONE]</c>.</summary>
    public static Func<HttpContext, Task> Truncated(IEnumerable<JsonObject> chunks) => Sse(chunks, done: false);

    public static Func<HttpContext, Task> Sse(IEnumerable<JsonObject> chunks, bool done) =>
        async context =>
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.StartAsync();
            foreach (var chunk in chunks)
            {
                await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
                await context.Response.Body.FlushAsync();
            }

            if (done) await context.Response.WriteAsync("data: [DONE]\n\n");
        };

    public static IEnumerable<JsonObject> TextChunks(params string[] pieces)
    {
        yield return Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" });
        foreach (var piece in pieces) yield return Chunk(new JsonObject { ["content"] = piece });
    }

    public static IEnumerable<JsonObject> ToolCallChunks(string id, string name, params string[] argumentPieces)
    {
        yield return Chunk(new JsonObject
        {
            ["role"] = "assistant", ["content"] = null,
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["id"] = id, ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = name, ["arguments"] = "" },
            }),
        });
        foreach (var piece in argumentPieces)
            yield return Chunk(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = piece } }),
            });
    }

    public static JsonObject FinishChunk(string reason) => Chunk(new JsonObject(), reason);

    public static JsonObject UsageChunk() => new()
    {
        ["id"] = "chatcmpl-fake", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = "fake-model",
        ["choices"] = new JsonArray(),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 12, ["completion_tokens"] = 5, ["total_tokens"] = 17 },
    };

    private static JsonObject Chunk(JsonObject delta, string? finishReason = null) => new()
    {
        ["id"] = "chatcmpl-fake", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = "fake-model",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason }),
    };

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
