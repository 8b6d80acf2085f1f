using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Awaaz.Server.Voice.Cloud;

public sealed record CartesiaSettings : WebSocketTtsSettings
{
    /// <summary><c>wss://api.cartesia.ai</c>; <c>/tts/websocket</c> is appended.</summary>
    public Uri BaseUrl { get; init; } = new("wss://api.cartesia.ai");

    public string Model { get; init; } = "sonic-2";

    /// <summary>The <c>Cartesia-Version</c> this client was written against.</summary>
    public string ApiVersion { get; init; } = "2024-11-13";
}

/// <summary>
/// Cartesia Sonic over the <c>/tts/websocket</c> WebSocket: one generation request per utterance with its own
/// <c>context_id</c> and <c>output_format {container: raw, encoding: pcm_mulaw, sample_rate: 8000}</c>; base64
/// <c>chunk</c> messages back until <c>done</c>. Word <c>timestamps</c> locate the audio heard in the text,
/// so a reconnect after a drop speaks only what is left.
/// </summary>
public sealed class CartesiaTextToSpeech(CartesiaSettings settings, ILogger? logger = null) : WebSocketTextToSpeech(settings, logger)
{
    public const string ProviderName = "cartesia";

    public override string Name => ProviderName;

    private protected override Uri ConnectUri(SpeechSynthesisOptions options) =>
        new(settings.BaseUrl.ToString().TrimEnd('/') + "/tts/websocket");

    // The key goes in headers, never the URL: X-API-Key for the dated API versions, Bearer for the newer ones.
    private protected override IEnumerable<KeyValuePair<string, string>> Headers() =>
    [
        new("X-API-Key", settings.ApiKey),
        new("Authorization", "Bearer " + settings.ApiKey),
        new("Cartesia-Version", settings.ApiVersion),
    ];

    private protected override Task SendTextAsync(ClientWebSocket socket, string text, SpeechSynthesisOptions options, CancellationToken ct)
    {
        var request = new JsonObject
        {
            ["model_id"] = options.Model ?? settings.Model,
            ["transcript"] = text,
            ["voice"] = new JsonObject { ["mode"] = "id", ["id"] = options.Voice },
            ["output_format"] = new JsonObject { ["container"] = "raw", ["encoding"] = "pcm_mulaw", ["sample_rate"] = 8000 },
            ["context_id"] = Guid.NewGuid().ToString(),
            ["add_timestamps"] = true,
            ["continue"] = false,
        };
        if (options.Language is { Length: > 0 } language && language != "auto") request["language"] = language.Split('-', '_')[0].ToLowerInvariant();
        return CloudWebSocket.SendTextAsync(socket, request.ToJsonString(), ct);
    }

    private protected override TtsReply Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        switch (root.TryGetProperty("type", out var type) ? type.GetString() : null)
        {
            case "chunk" when root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String:
                return new TtsReply.Audio(Convert.FromBase64String(data.GetString()!));
            case "timestamps" when root.TryGetProperty("word_timestamps", out var times):
                var words = times.GetProperty("words").EnumerateArray().Select(w => w.GetString() ?? "");
                var ends = times.GetProperty("end").EnumerateArray().Select(e => e.GetDouble());
                return new TtsReply.WordTimes(words.Zip(ends).ToList());
            case "done":
                return new TtsReply.Done();
            case "error":
                var status = root.TryGetProperty("status_code", out var code) && code.ValueKind == JsonValueKind.Number ? code.GetInt32() : 0;
                var message = string.Join(": ", new[] { "error_code", "title", "message", "error" }
                    .Select(name => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                    .Where(s => !string.IsNullOrEmpty(s)).Distinct());
                return new TtsReply.Failed(status is 401 or 403 ? CloudProviderErrorKind.Authentication
                    : status == 429 ? CloudProviderErrorKind.RateLimited : CloudProviderErrorKind.Rejected,
                    $"Cartesia error {status}: {message}");
            default:
                return new TtsReply.Ignored();
        }
    }
}
