using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Connection = Awaaz.Server.Tests.Voice.Cloud.FakeWebSocketVendor.Connection;

namespace Awaaz.Server.Tests.Voice.Cloud;

/// <summary>
/// Cartesia <c>/tts/websocket</c>: the key (<c>X-API-Key</c> or <c>Authorization: Bearer</c>) and
/// <c>Cartesia-Version</c> checked on the upgrade; a generation request answered with one base64 <c>chunk</c>
/// per word, preceded by its <c>timestamps</c> (0.05 s of audio per word) and <c>done</c>, all carrying its <c>context_id</c>.
/// </summary>
public static class FakeCartesia
{
    public const string Key = "sk_car_fake_0123456789";
    public const int BytesPerWord = 400; // 0.05 s of 8 kHz µ-law

    public static Task<FakeWebSocketVendor> StartAsync() => FakeWebSocketVendor.StartAsync("/tts/websocket", Key, RefuseAsync, SpeakAsync);

    private static async Task<bool> RefuseAsync(HttpContext context, string key)
    {
        var headers = context.Request.Headers;
        if (headers["X-API-Key"] != key && headers.Authorization != "Bearer " + key)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { error = "Invalid API key" });
            return true;
        }

        if (string.IsNullOrEmpty(headers["Cartesia-Version"]))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = "Missing Cartesia-Version" });
            return true;
        }

        return false;
    }

    public static async Task<JsonObject> ReceiveRequestAsync(this Connection connection) =>
        await connection.ReceiveJsonAsync() ?? throw new InvalidOperationException("closed before a generation request");

    public static async Task SendWordsAsync(this Connection connection, JsonObject request, IEnumerable<string> words, int alreadySent = 0)
    {
        var contextId = request["context_id"]!.GetValue<string>();
        var index = alreadySent;
        foreach (var word in words)
        {
            await connection.SendJsonAsync(new JsonObject
            {
                ["type"] = "timestamps", ["done"] = false, ["status_code"] = 206, ["context_id"] = contextId,
                ["word_timestamps"] = new JsonObject
                {
                    ["words"] = new JsonArray(word), ["start"] = new JsonArray(index * 0.05), ["end"] = new JsonArray((index + 1) * 0.05),
                },
            });
            await connection.SendJsonAsync(new JsonObject
            {
                ["type"] = "chunk", ["data"] = Convert.ToBase64String(FakeWebSocketVendor.AudioOf(word, BytesPerWord)),
                ["done"] = false, ["status_code"] = 206, ["step_time"] = 12.5, ["context_id"] = contextId,
            });
            index++;
        }
    }

    public static Task SendDoneAsync(this Connection connection, JsonObject request) =>
        connection.SendJsonAsync(new JsonObject { ["type"] = "done", ["done"] = true, ["status_code"] = 206, ["context_id"] = request["context_id"]!.GetValue<string>() });

    /// <summary>Default script: speaks every word of the transcript, then waits for the client to close.</summary>
    public static async Task SpeakAsync(Connection connection)
    {
        var request = await connection.ReceiveRequestAsync();
        await connection.SendWordsAsync(request, request["transcript"]!.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        await connection.SendDoneAsync(request);
        await connection.ReceiveJsonAsync();
    }
}
