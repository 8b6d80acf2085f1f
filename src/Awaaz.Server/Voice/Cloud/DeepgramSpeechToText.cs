using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Awaaz.Media;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awaaz.Server.Voice.Cloud;

public sealed record DeepgramSettings : StreamingSttSettings
{
    /// <summary><c>wss://api.deepgram.com</c>; <c>/v1/listen</c> is appended.</summary>
    public Uri BaseUrl { get; init; } = new("wss://api.deepgram.com");

    public string Model { get; init; } = "nova-3";

    /// <summary>Silence (ms) after speech that makes Deepgram send <c>speech_final</c>.</summary>
    public int EndpointingMs { get; init; } = 300;

    /// <summary>Word gap (ms, ≥ 1000) after which Deepgram sends <c>UtteranceEnd</c> when noise hides the silence.</summary>
    public int UtteranceEndMs { get; init; } = 1000;
}

/// <summary>
/// Deepgram live streaming STT (<c>wss://api.deepgram.com/v1/listen</c>): 8 kHz µ-law audio as binary frames,
/// <c>Results</c>/<c>UtteranceEnd</c>/<c>Metadata</c> JSON back, <c>KeepAlive</c> during silence, <c>Finalize</c>
/// on <see cref="ISpeechRecognition.FlushAsync"/>, <c>CloseStream</c> on dispose. A dropped socket is
/// reconnected with backoff and the audio not yet covered by a final result is replayed, so no final is lost.
/// </summary>
public sealed class DeepgramSpeechToText(DeepgramSettings settings, ILogger? logger = null) : ISpeechToText
{
    public const string ProviderName = "deepgram";

    public string Name => ProviderName;

    public async Task<ISpeechRecognition> StartAsync(SpeechRecognitionOptions options, CancellationToken ct)
    {
        var session = new DeepgramRecognition(settings, ListenUri(settings, options), logger ?? NullLogger.Instance);
        await session.StartAsync(ct);
        return session;
    }

    internal static Uri ListenUri(DeepgramSettings settings, SpeechRecognitionOptions options)
    {
        var model = options.Model ?? settings.Model;
        var language = options.Language is null or "" or "auto" ? "multi" : options.Language;
        var query = new List<string>
        {
            "encoding=mulaw", "sample_rate=8000", "channels=1",
            "model=" + Uri.EscapeDataString(model), "language=" + Uri.EscapeDataString(language),
            "interim_results=true", "endpointing=" + settings.EndpointingMs, "utterance_end_ms=" + settings.UtteranceEndMs,
            "vad_events=true", "smart_format=true", "punctuate=true",
        };
        // nova-3 boosts phrases with keyterm; older models with keywords.
        var phraseParameter = model.StartsWith("nova-3", StringComparison.Ordinal) ? "keyterm" : "keywords";
        foreach (var phrase in options.Phrases ?? []) query.Add(phraseParameter + "=" + Uri.EscapeDataString(phrase));
        var root = settings.BaseUrl.ToString().TrimEnd('/');
        return new Uri($"{root}/v1/listen?{string.Join('&', query)}");
    }
}

internal sealed class DeepgramRecognition(DeepgramSettings settings, Uri uri, ILogger logger)
    : StreamingRecognition(settings, bytesPerSecond: 8000, logger) // 8 kHz µ-law, one byte a sample
{
    private const string KeepAlive = """{"type":"KeepAlive"}""";
    private const string Finalize = """{"type":"Finalize"}""";
    private const string CloseStream = """{"type":"CloseStream"}""";

    private bool _utteranceOpen;

    protected override string Provider => DeepgramSpeechToText.ProviderName;

    protected override Task<ClientWebSocket> ConnectAsync(CancellationToken ct) =>
        CloudWebSocket.ConnectAsync(Provider, uri, [new("Authorization", "Token " + settings.ApiKey)], settings.ConnectTimeout, ct);

    protected override byte[] Encode(ReadOnlySpan<short> pcm)
    {
        var audio = new byte[pcm.Length];
        MuLaw.Encode(pcm, audio);
        return audio;
    }

    protected override Task SendAudioAsync(ClientWebSocket socket, ReadOnlyMemory<byte> audio, CancellationToken ct) =>
        socket.SendAsync(audio, WebSocketMessageType.Binary, true, ct).AsTask();

    protected override Task SendFlushAsync(ClientWebSocket socket, CancellationToken ct) => CloudWebSocket.SendTextAsync(socket, Finalize, ct);

    protected override Task SendCloseAsync(ClientWebSocket socket, CancellationToken ct) => CloudWebSocket.SendTextAsync(socket, CloseStream, ct);

    protected override Task SendKeepAliveAsync(ClientWebSocket socket, CancellationToken ct) => CloudWebSocket.SendTextAsync(socket, KeepAlive, ct);

    /// <summary>Deepgram closes with 1008 for audio it cannot use (e.g. <c>DATA-0000</c>): reconnecting would not help.</summary>
    protected override CloudProviderException? ClassifyClose(WebSocketCloseStatus? status, string? description) =>
        status == WebSocketCloseStatus.PolicyViolation
            ? new CloudProviderException(Provider, CloudProviderErrorKind.Rejected, $"Deepgram closed the stream: {description}")
            : null;

    protected override void Handle(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        switch (root.TryGetProperty("type", out var type) ? type.GetString() : null)
        {
            case "Results":
                HandleResults(root);
                break;
            case "UtteranceEnd":
                if (_utteranceOpen)
                {
                    _utteranceOpen = false;
                    Emit(new SpeechRecognitionEvent("", IsFinal: true, EndOfUtterance: true));
                }

                break;
            case "Metadata":
                if (CloseRequested) CloseAcknowledged(); // CloseStream's answer: every final is in
                break;
            case "SpeechStarted":
                break;
            default:
                Logger.LogDebug("Deepgram sent {Message}", Encoding.UTF8.GetString(json));
                break;
        }
    }

    private void HandleResults(JsonElement root)
    {
        var isFinal = root.TryGetProperty("is_final", out var f) && f.ValueKind == JsonValueKind.True;
        var speechFinal = root.TryGetProperty("speech_final", out var s) && s.ValueKind == JsonValueKind.True;
        var fromFinalize = root.TryGetProperty("from_finalize", out var z) && z.ValueKind == JsonValueKind.True;
        var alternative = root.TryGetProperty("channel", out var channel) && channel.TryGetProperty("alternatives", out var alternatives)
                          && alternatives.GetArrayLength() > 0 ? alternatives[0] : default;
        var transcript = alternative.ValueKind == JsonValueKind.Object && alternative.TryGetProperty("transcript", out var t) ? t.GetString() ?? "" : "";
        double? confidence = alternative.ValueKind == JsonValueKind.Object && alternative.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number
            ? c.GetDouble() : null;

        if (isFinal)
        {
            Settle((root.TryGetProperty("start", out var start) ? start.GetDouble() : 0)
                   + (root.TryGetProperty("duration", out var duration) ? duration.GetDouble() : 0));
            if (fromFinalize) FlushAnswered();
        }

        var endOfUtterance = isFinal && (speechFinal || fromFinalize);
        if (transcript.Length == 0 && !(endOfUtterance && _utteranceOpen)) return;
        if (isFinal) _utteranceOpen = !endOfUtterance;
        Emit(new SpeechRecognitionEvent(transcript, isFinal, endOfUtterance, confidence));
    }
}
