using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awaaz.Server.Voice.Cloud;

/// <summary>Language codes and auth shared by Sarvam's speech APIs.</summary>
internal static class SarvamProtocol
{
    public const string ProviderName = "sarvam";
    public const string KeyHeader = "api-subscription-key";

    private static readonly HashSet<string> IndianLanguages = ["hi", "bn", "kn", "ml", "mr", "od", "pa", "ta", "te", "gu", "en"];

    /// <summary>Sarvam wants BCP-47 with a region (<c>hi-IN</c>); <c>auto</c> is <c>unknown</c> (language detection).</summary>
    public static string LanguageCode(string? language) => language switch
    {
        null or "" or "auto" => "unknown",
        _ when IndianLanguages.Contains(language.ToLowerInvariant()) => language.ToLowerInvariant() + "-IN",
        _ => language,
    };

    /// <summary>Sarvam accepts bad keys on the upgrade and closes with 4001/4003 (or 1008 naming the key) later.</summary>
    public static CloudProviderException? ClassifyClose(WebSocketCloseStatus? status, string? description)
    {
        var code = (int?)status;
        var aboutTheKey = description is not null && (description.Contains("key", StringComparison.OrdinalIgnoreCase)
                                                      || description.Contains("auth", StringComparison.OrdinalIgnoreCase)
                                                      || description.Contains("subscription", StringComparison.OrdinalIgnoreCase));
        return code is 4001 or 4003 || (code == 1008 && aboutTheKey)
            ? new CloudProviderException(ProviderName, CloudProviderErrorKind.Authentication,
                $"Sarvam refused the API key (close {code}{(string.IsNullOrEmpty(description) ? "" : ": " + description)})") { StatusCode = code }
            : code == 1008
                ? new CloudProviderException(ProviderName, CloudProviderErrorKind.Rejected, $"Sarvam closed the stream: {description}") { StatusCode = code }
                : null;
    }

    /// <summary><c>{"type":"error","data":{"message":…,"code":…}}</c> as an exception.</summary>
    public static CloudProviderException Error(JsonElement root)
    {
        var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : root;
        var message = data.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()
            : data.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : data.GetRawText();
        var code = data.TryGetProperty("code", out var c) ? c.ToString() : null;
        var kind = code is "401" or "403" || (message ?? "").Contains("subscription key", StringComparison.OrdinalIgnoreCase)
            ? CloudProviderErrorKind.Authentication : code == "429" ? CloudProviderErrorKind.RateLimited : CloudProviderErrorKind.Rejected;
        return new CloudProviderException(ProviderName, kind, $"Sarvam error{(code is null ? "" : " " + code)}: {message}");
    }
}

public sealed record SarvamSttSettings : StreamingSttSettings
{
    /// <summary><c>wss://api.sarvam.ai</c>; <c>/speech-to-text/ws</c> is appended.</summary>
    public Uri BaseUrl { get; init; } = new("wss://api.sarvam.ai");

    public string Model { get; init; } = "saarika:v2.5";

    /// <summary>Sarvam's VAD ends a segment after about 0.5 s of silence when high, about 1 s when not.</summary>
    public bool HighVadSensitivity { get; init; } = true;
}

/// <summary>
/// Sarvam streaming STT (<c>wss://api.sarvam.ai/speech-to-text/ws</c>, Saarika): 8 kHz PCM16 as base64 in
/// <c>{"audio":{…}}</c> messages (<c>input_audio_codec=pcm_s16le</c>, <c>sample_rate=8000</c>), one final
/// <c>data</c> transcript per segment its VAD closes (no interim results on this endpoint), <c>{"type":"flush"}</c>
/// on <see cref="ISpeechRecognition.FlushAsync"/>. Reconnects replay the audio since the last transcript.
/// </summary>
public sealed class SarvamSpeechToText(SarvamSttSettings settings, ILogger? logger = null) : ISpeechToText
{
    public string Name => SarvamProtocol.ProviderName;

    public async Task<ISpeechRecognition> StartAsync(SpeechRecognitionOptions options, CancellationToken ct)
    {
        var session = new SarvamRecognition(settings, ListenUri(settings, options), logger ?? NullLogger.Instance);
        await session.StartAsync(ct);
        return session;
    }

    internal static Uri ListenUri(SarvamSttSettings settings, SpeechRecognitionOptions options)
    {
        var query = string.Join('&',
            "language-code=" + Uri.EscapeDataString(SarvamProtocol.LanguageCode(options.Language)),
            "model=" + Uri.EscapeDataString(options.Model ?? settings.Model),
            "sample_rate=8000", "input_audio_codec=pcm_s16le",
            "high_vad_sensitivity=" + (settings.HighVadSensitivity ? "true" : "false"),
            "vad_signals=true", "flush_signal=true");
        return new Uri($"{settings.BaseUrl.ToString().TrimEnd('/')}/speech-to-text/ws?{query}");
    }
}

internal sealed class SarvamRecognition(SarvamSttSettings settings, Uri uri, ILogger logger)
    : StreamingRecognition(settings, bytesPerSecond: 16000, logger) // 8 kHz PCM16: two bytes a sample
{
    private const string Flush = """{"type":"flush"}""";
    private static readonly byte[] SilentFrame = new byte[320]; // 20 ms

    protected override string Provider => SarvamProtocol.ProviderName;

    protected override Task<ClientWebSocket> ConnectAsync(CancellationToken ct) =>
        CloudWebSocket.ConnectAsync(Provider, uri, [new(SarvamProtocol.KeyHeader, settings.ApiKey)], settings.ConnectTimeout, ct);

    protected override byte[] Encode(ReadOnlySpan<short> pcm)
    {
        var bytes = MemoryMarshal.AsBytes(pcm).ToArray();
        if (!BitConverter.IsLittleEndian)
            for (var i = 0; i < bytes.Length; i += 2) (bytes[i], bytes[i + 1]) = (bytes[i + 1], bytes[i]);
        return bytes;
    }

    protected override Task SendAudioAsync(ClientWebSocket socket, ReadOnlyMemory<byte> audio, CancellationToken ct) =>
        CloudWebSocket.SendTextAsync(socket, new JsonObject
        {
            ["audio"] = new JsonObject { ["data"] = Convert.ToBase64String(audio.Span), ["sample_rate"] = 8000, ["encoding"] = "audio/wav" },
        }.ToJsonString(), ct);

    protected override Task SendFlushAsync(ClientWebSocket socket, CancellationToken ct) => CloudWebSocket.SendTextAsync(socket, Flush, ct);

    /// <summary>Flush what was said, then close our side; Sarvam answers with its last transcript and the close.</summary>
    protected override async Task SendCloseAsync(ClientWebSocket socket, CancellationToken ct)
    {
        await CloudWebSocket.SendTextAsync(socket, Flush, ct);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", ct);
    }

    /// <summary>The endpoint has no keep-alive message; its docs ask for a continuous stream, so silence bridges the gap.</summary>
    protected override Task SendKeepAliveAsync(ClientWebSocket socket, CancellationToken ct) => SendAudioAsync(socket, SilentFrame, ct);

    protected override CloudProviderException? ClassifyClose(WebSocketCloseStatus? status, string? description) =>
        SarvamProtocol.ClassifyClose(status, description);

    protected override void Handle(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        switch (root.TryGetProperty("type", out var type) ? type.GetString() : null)
        {
            case "data":
                var data = root.GetProperty("data");
                var transcript = data.TryGetProperty("transcript", out var t) ? t.GetString() ?? "" : "";
                SettleAllSent(); // a transcript covers the segment; what follows is silence or a new segment
                FlushAnswered();
                if (transcript.Length > 0) Emit(new SpeechRecognitionEvent(transcript, IsFinal: true, EndOfUtterance: true));
                break;
            case "events":
                break; // START_SPEECH / END_SPEECH: the transcript that follows carries the words
            case "error":
                throw SarvamProtocol.Error(root);
        }
    }
}

public sealed record SarvamTtsSettings : WebSocketTtsSettings
{
    /// <summary><c>wss://api.sarvam.ai</c>; <c>/text-to-speech/ws</c> is appended.</summary>
    public Uri BaseUrl { get; init; } = new("wss://api.sarvam.ai");

    public string Model { get; init; } = "bulbul:v2";
}

/// <summary>
/// Sarvam Bulbul streaming TTS over <c>wss://api.sarvam.ai/text-to-speech/ws</c>: a <c>config</c> message
/// (language, speaker, <c>output_audio_codec: mulaw</c>, <c>speech_sample_rate: 8000</c>), the <c>text</c>,
/// a <c>flush</c>; base64 <c>audio</c> messages back until the <c>final</c> event. Sarvam sends no
/// timings, so after a drop only an utterance with no audio yet is retried; later drops fail as interrupted.
/// </summary>
public sealed class SarvamTextToSpeech(SarvamTtsSettings settings, ILogger? logger = null) : WebSocketTextToSpeech(settings, logger)
{
    public override string Name => SarvamProtocol.ProviderName;

    private protected override Uri ConnectUri(SpeechSynthesisOptions options) =>
        new($"{settings.BaseUrl.ToString().TrimEnd('/')}/text-to-speech/ws?model={Uri.EscapeDataString(options.Model ?? settings.Model)}&send_completion_event=true");

    private protected override IEnumerable<KeyValuePair<string, string>> Headers() => [new(SarvamProtocol.KeyHeader, settings.ApiKey)];

    private protected override async Task SendTextAsync(ClientWebSocket socket, string text, SpeechSynthesisOptions options, CancellationToken ct)
    {
        var language = SarvamProtocol.LanguageCode(options.Language);
        await CloudWebSocket.SendTextAsync(socket, new JsonObject
        {
            ["type"] = "config",
            ["data"] = new JsonObject
            {
                ["target_language_code"] = language == "unknown" ? "hi-IN" : language,
                ["speaker"] = options.Voice,
                ["output_audio_codec"] = "mulaw",
                ["speech_sample_rate"] = 8000,
                ["enable_preprocessing"] = true,
            },
        }.ToJsonString(), ct);
        await CloudWebSocket.SendTextAsync(socket, new JsonObject { ["type"] = "text", ["data"] = new JsonObject { ["text"] = text } }.ToJsonString(), ct);
        await CloudWebSocket.SendTextAsync(socket, """{"type":"flush"}""", ct);
    }

    private protected override TtsReply Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        switch (root.TryGetProperty("type", out var type) ? type.GetString() : null)
        {
            case "audio" when data.ValueKind == JsonValueKind.Object && data.TryGetProperty("audio", out var audio):
                return new TtsReply.Audio(Convert.FromBase64String(audio.GetString() ?? ""));
            case "event" when data.ValueKind == JsonValueKind.Object && data.TryGetProperty("event_type", out var eventType) && eventType.GetString() == "final":
                return new TtsReply.Done();
            case "error":
                var error = SarvamProtocol.Error(root);
                return new TtsReply.Failed(error.Kind, error.Message[(SarvamProtocol.ProviderName.Length + 2)..]);
            default:
                return new TtsReply.Ignored();
        }
    }

    private protected override CloudProviderException? ClassifyClose(WebSocketCloseStatus? status, string? reason) =>
        SarvamProtocol.ClassifyClose(status, reason);
}
