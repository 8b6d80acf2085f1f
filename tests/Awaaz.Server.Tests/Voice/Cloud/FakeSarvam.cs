using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Connection = Awaaz.Server.Tests.Voice.Cloud.FakeWebSocketVendor.Connection;

namespace Awaaz.Server.Tests.Voice.Cloud;

/// <summary>
/// Sarvam's speech WebSockets: <c>/speech-to-text/ws</c> (base64 audio in <c>{"audio":{data,sample_rate,encoding}}</c>,
/// <c>{"type":"flush"}</c>; <c>data</c> transcripts and <c>events</c> VAD signals back) and <c>/text-to-speech/ws</c>
/// (<c>config</c>, <c>text</c>, <c>flush</c> in; base64 <c>audio</c> and a <c>final</c> event back).
/// <c>api-subscription-key</c> is checked on the upgrade.
/// </summary>
public static class FakeSarvam
{
    public const string Key = "sarvam-fake-key-0123456789";

    public static Task<FakeWebSocketVendor> StartSttAsync() => FakeWebSocketVendor.StartAsync("/speech-to-text/ws", Key, RefuseBadKeyAsync, TranscribeOnCloseAsync);

    public static Task<FakeWebSocketVendor> StartTtsAsync() => FakeWebSocketVendor.StartAsync("/text-to-speech/ws", Key, RefuseBadKeyAsync, SpeakAsync);

    /// <summary>Both endpoints on one host, as on api.sarvam.ai (a server has one <c>SARVAM_BASE_URL</c> for STT and TTS).</summary>
    public static async Task<(FakeWebSocketVendor Stt, FakeWebSocketVendor Tts)> StartBothAsync()
    {
        var stt = await StartSttAsync();
        var tts = await FakeWebSocketVendor.StartAsync("/text-to-speech/ws", Key, RefuseBadKeyAsync, SpeakAsync,
            alsoMap: app => app.Map("/speech-to-text/ws", stt.HandleAsync));
        return (stt, tts);
    }

    private static async Task<bool> RefuseBadKeyAsync(HttpContext context, string key)
    {
        if (context.Request.Headers["api-subscription-key"] == key) return false;
        context.Response.StatusCode = 403;
        await context.Response.WriteAsJsonAsync(new { error = new { message = "Invalid API subscription key", code = "invalid_api_key_error" } });
        return true;
    }

    // ---- STT ----------------------------------------------------------------------------------------

    /// <summary>The decoded PCM of every audio message received so far.</summary>
    public static byte[] Audio(this Connection connection) =>
        connection.Received.Where(m => m["audio"] is not null)
            .SelectMany(m => Convert.FromBase64String(m["audio"]!["data"]!.GetValue<string>())).ToArray();

    public static async Task ReceiveAudioAsync(this Connection connection, int bytes)
    {
        while (connection.Audio().Length < bytes)
            if (await connection.ReceiveJsonAsync() is null) throw new InvalidOperationException($"closed after {connection.Audio().Length} of {bytes} bytes");
    }

    public static async Task ReceiveTypeAsync(this Connection connection, string type)
    {
        while (true)
        {
            var message = await connection.ReceiveJsonAsync() ?? throw new InvalidOperationException($"closed before {type}");
            if (message["type"]?.GetValue<string>() == type) return;
        }
    }

    public static Task SendVadAsync(this Connection connection, string signal) =>
        connection.SendJsonAsync(new JsonObject { ["type"] = "events", ["data"] = new JsonObject { ["signal_type"] = signal, ["occured_at"] = 1.5 } });

    public static Task SendTranscriptAsync(this Connection connection, string transcript) =>
        connection.SendJsonAsync(new JsonObject
        {
            ["type"] = "data",
            ["data"] = new JsonObject { ["request_id"] = "fake", ["transcript"] = transcript, ["language_code"] = "hi-IN", ["metrics"] = new JsonObject { ["audio_duration"] = 1.0 } },
        });

    /// <summary>Default STT script: on the closing flush, answers nothing more and closes when the client does.</summary>
    public static async Task TranscribeOnCloseAsync(Connection connection)
    {
        while (await connection.ReceiveJsonAsync() is not null) { }
        await connection.CloseAsync();
    }

    // ---- TTS ----------------------------------------------------------------------------------------

    /// <summary>Reads config, text and flush; returns (config data, text).</summary>
    public static async Task<(JsonObject Config, string Text)> ReceiveSynthesisAsync(this Connection connection)
    {
        JsonObject? config = null;
        var text = "";
        while (await connection.ReceiveJsonAsync() is { } message)
        {
            switch (message["type"]!.GetValue<string>())
            {
                case "config": config = message["data"]!.AsObject(); break;
                case "text": text += message["data"]!["text"]!.GetValue<string>(); break;
                case "flush": return (config ?? throw new InvalidOperationException("flush before config"), text);
            }
        }

        throw new InvalidOperationException("closed before flush");
    }

    public static Task SendAudioAsync(this Connection connection, string word) =>
        connection.SendJsonAsync(new JsonObject
        {
            ["type"] = "audio",
            ["data"] = new JsonObject { ["audio"] = Convert.ToBase64String(FakeWebSocketVendor.AudioOf(word)), ["content_type"] = "audio/mulaw", ["request_id"] = "fake" },
        });

    public static Task SendFinalEventAsync(this Connection connection) =>
        connection.SendJsonAsync(new JsonObject { ["type"] = "event", ["data"] = new JsonObject { ["event_type"] = "final" } });

    public static async Task SpeakAsync(Connection connection)
    {
        var (_, text) = await connection.ReceiveSynthesisAsync();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries)) await connection.SendAudioAsync(word);
        await connection.SendFinalEventAsync();
        await connection.ReceiveJsonAsync();
    }
}
