using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Connection = Awaaz.Server.Tests.Voice.Cloud.FakeWebSocketVendor.Connection;

namespace Awaaz.Server.Tests.Voice.Cloud;

/// <summary>
/// ElevenLabs <c>/v1/text-to-speech/{voice_id}/stream-input</c>: <c>xi-api-key</c> checked on the upgrade
/// (401 <c>invalid_api_key</c> otherwise); reads the opening <c>{"text":" "}</c>, text messages and the closing
/// <c>{"text":""}</c>; answers one base64 <c>audio</c> chunk per word with its <c>alignment</c>, then <c>isFinal</c>.
/// </summary>
public static class FakeElevenLabs
{
    public const string Key = "xi-fake-key-0123456789";

    public static Task<FakeWebSocketVendor> StartAsync() =>
        FakeWebSocketVendor.StartAsync("/v1/text-to-speech/{voice}/stream-input", Key, RefuseBadKeyAsync, SpeakAsync);

    private static async Task<bool> RefuseBadKeyAsync(HttpContext context, string key)
    {
        if (context.Request.Headers["xi-api-key"] == key) return false;
        context.Response.StatusCode = 401;
        await context.Response.WriteAsJsonAsync(new { detail = new { status = "invalid_api_key", message = "Invalid API key" } });
        return true;
    }

    /// <summary>Reads the opening message, the text and the closing message; returns the text.</summary>
    public static async Task<string> ReceiveUtteranceAsync(this Connection connection)
    {
        var opening = await connection.ReceiveJsonAsync() ?? throw new InvalidOperationException("closed before the opening message");
        if (opening["text"]?.GetValue<string>() != " ") throw new InvalidOperationException($"the first message must be {{\"text\":\" \"}}, was {opening}");
        var text = "";
        while (await connection.ReceiveJsonAsync() is { } message)
        {
            var piece = message["text"]!.GetValue<string>();
            if (piece.Length == 0) return text;
            text += piece;
        }

        throw new InvalidOperationException("closed before the closing {\"text\":\"\"}");
    }

    public static Task SendWordAsync(this Connection connection, string word)
    {
        var chars = new JsonArray((word + " ").Select(c => (JsonNode)c.ToString()).ToArray());
        var alignment = new JsonObject
        {
            ["chars"] = chars,
            ["charStartTimesMs"] = new JsonArray(Enumerable.Range(0, chars.Count).Select(i => (JsonNode)(i * 50)).ToArray()),
            ["charDurationsMs"] = new JsonArray(Enumerable.Range(0, chars.Count).Select(_ => (JsonNode)50).ToArray()),
        };
        return connection.SendJsonAsync(new JsonObject
        {
            ["audio"] = Convert.ToBase64String(FakeWebSocketVendor.AudioOf(word)),
            ["isFinal"] = null,
            ["normalizedAlignment"] = alignment.DeepClone(),
            ["alignment"] = alignment,
        });
    }

    public static async Task SendFinalAsync(this Connection connection)
    {
        await connection.SendJsonAsync(new JsonObject { ["isFinal"] = true });
        await connection.CloseAsync();
    }

    /// <summary>Default script: speaks every word of the utterance.</summary>
    public static async Task SpeakAsync(Connection connection)
    {
        var text = await connection.ReceiveUtteranceAsync();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries)) await connection.SendWordAsync(word);
        await connection.SendFinalAsync();
    }
}
