using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Awaaz.Server.Voice.Cloud;

public sealed record ElevenLabsSettings : WebSocketTtsSettings
{
    /// <summary><c>wss://api.elevenlabs.io</c>; <c>/v1/text-to-speech/{voice_id}/stream-input</c> is appended.</summary>
    public Uri BaseUrl { get; init; } = new("wss://api.elevenlabs.io");

    /// <summary>Flash v2.5: lowest latency, multilingual (Hindi and other Indian languages).</summary>
    public string Model { get; init; } = "eleven_flash_v2_5";
}

/// <summary>
/// ElevenLabs streaming TTS over the <c>stream-input</c> WebSocket with <c>output_format=ulaw_8000</c>: the
/// opening message (<c>{"text":" "}</c>), the text with <c>flush</c>, the closing <c>{"text":""}</c>; base64
/// <c>audio</c> chunks back until <c>isFinal</c>. Per-chunk <c>alignment</c> tells how much of the text was
/// heard, so a reconnect after a drop speaks only what is left.
/// </summary>
public sealed class ElevenLabsTextToSpeech(ElevenLabsSettings settings, ILogger? logger = null) : WebSocketTextToSpeech(settings, logger)
{
    public const string ProviderName = "elevenlabs";

    public override string Name => ProviderName;

    private protected override Uri ConnectUri(SpeechSynthesisOptions options)
    {
        var model = options.Model ?? settings.Model;
        var query = $"model_id={Uri.EscapeDataString(model)}&output_format=ulaw_8000";
        // language_code is only accepted by the v2.5 (Flash/Turbo) models.
        if (model.EndsWith("_v2_5", StringComparison.Ordinal) && LanguageCode(options.Language) is { } language)
            query += "&language_code=" + language;
        var root = settings.BaseUrl.ToString().TrimEnd('/');
        return new Uri($"{root}/v1/text-to-speech/{Uri.EscapeDataString(options.Voice)}/stream-input?{query}");
    }

    /// <summary>ISO 639-1 from <c>hi</c>, <c>hi-IN</c>, <c>en-IN</c>…; null for <c>auto</c>.</summary>
    private static string? LanguageCode(string? language) =>
        language is null or "" or "auto" ? null : language.Split('-', '_')[0].ToLowerInvariant();

    private protected override IEnumerable<KeyValuePair<string, string>> Headers() => [new("xi-api-key", settings.ApiKey)];

    private protected override async Task SendTextAsync(ClientWebSocket socket, string text, SpeechSynthesisOptions options, CancellationToken ct)
    {
        await CloudWebSocket.SendTextAsync(socket, new JsonObject { ["text"] = " " }.ToJsonString(), ct);
        // Text ends with a space per the docs; flush generates it now instead of waiting for more.
        await CloudWebSocket.SendTextAsync(socket, new JsonObject { ["text"] = text + " ", ["flush"] = true }.ToJsonString(), ct);
        await CloudWebSocket.SendTextAsync(socket, new JsonObject { ["text"] = "" }.ToJsonString(), ct);
    }

    private protected override TtsReply Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        if (root.TryGetProperty("audio", out var audio) && audio.ValueKind == JsonValueKind.String && audio.GetString() is { Length: > 0 })
        {
            var chars = root.TryGetProperty("alignment", out var alignment) && alignment.ValueKind == JsonValueKind.Object
                        && alignment.TryGetProperty("chars", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.GetArrayLength() : 0;
            return new TtsReply.Audio(Convert.FromBase64String(audio.GetString()!), chars);
        }

        if (root.TryGetProperty("isFinal", out var isFinal) && isFinal.ValueKind == JsonValueKind.True) return new TtsReply.Done();
        if (root.TryGetProperty("error", out var error) || root.TryGetProperty("message", out error))
        {
            var message = error.ValueKind == JsonValueKind.String ? error.GetString() ?? "" : error.GetRawText();
            return new TtsReply.Failed(IsAboutTheKey(message) ? CloudProviderErrorKind.Authentication : CloudProviderErrorKind.Rejected, message);
        }

        return new TtsReply.Ignored();
    }

    /// <summary>ElevenLabs ends a refused stream with close code 1008 (policy violation) and a reason.</summary>
    private protected override CloudProviderException? ClassifyClose(WebSocketCloseStatus? status, string? reason) =>
        status == WebSocketCloseStatus.PolicyViolation
            ? new CloudProviderException(ProviderName, IsAboutTheKey(reason) ? CloudProviderErrorKind.Authentication : CloudProviderErrorKind.Rejected,
                $"ElevenLabs closed the stream: {reason}")
            : null;

    private static bool IsAboutTheKey(string? message) =>
        message is not null && (message.Contains("api key", StringComparison.OrdinalIgnoreCase)
                                || message.Contains("api_key", StringComparison.OrdinalIgnoreCase)
                                || message.Contains("unauthori", StringComparison.OrdinalIgnoreCase));
}
