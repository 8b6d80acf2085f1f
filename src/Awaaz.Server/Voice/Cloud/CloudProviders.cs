using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awaaz.Server.Voice.Cloud;

/// <summary>
/// The cloud providers this server can use, by pipeline name, built from configuration: a provider exists
/// only when its API key is set (<c>DEEPGRAM_API_KEY</c>, <c>ELEVENLABS_API_KEY</c>, <c>CARTESIA_API_KEY</c>,
/// <c>SARVAM_API_KEY</c>, <c>OPENAI_API_KEY</c>); <c>*_BASE_URL</c> points a provider elsewhere (a proxy,
/// a regional endpoint, a test fake). Keys are never logged.
/// </summary>
public sealed class CloudProviders
{
    public const string Deepgram = "deepgram";
    public const string ElevenLabs = "elevenlabs";
    public const string Cartesia = "cartesia";
    public const string Sarvam = "sarvam";
    public const string OpenAi = "openai";

    /// <summary>Configuration key of each provider's API key.</summary>
    public static readonly IReadOnlyDictionary<string, string> KeyNames = new Dictionary<string, string>
    {
        [Deepgram] = "DEEPGRAM_API_KEY",
        [ElevenLabs] = "ELEVENLABS_API_KEY",
        [Cartesia] = "CARTESIA_API_KEY",
        [Sarvam] = "SARVAM_API_KEY",
        [OpenAi] = "OPENAI_API_KEY",
    };

    /// <summary>Cloud providers per role, in the order they are preferred as defaults.</summary>
    public static readonly IReadOnlyList<string> SttOrder = [Deepgram, Sarvam];
    public static readonly IReadOnlyList<string> LlmOrder = [OpenAi];
    public static readonly IReadOnlyList<string> TtsOrder = [Cartesia, ElevenLabs, Sarvam];

    private readonly IConfiguration _configuration;
    private readonly ILoggerFactory _loggers;

    public CloudProviders(IConfiguration configuration, ILoggerFactory? loggers = null) =>
        (_configuration, _loggers) = (configuration, loggers ?? NullLoggerFactory.Instance);

    /// <summary>Whether <paramref name="name"/> is a cloud provider whose key is configured.</summary>
    public static bool IsConfigured(IConfiguration configuration, string name) =>
        KeyNames.TryGetValue(name, out var key) && !string.IsNullOrWhiteSpace(configuration[key]);

    public static IReadOnlyList<string> ConfiguredStt(IConfiguration configuration) => SttOrder.Where(n => IsConfigured(configuration, n)).ToList();
    public static IReadOnlyList<string> ConfiguredLlm(IConfiguration configuration) => LlmOrder.Where(n => IsConfigured(configuration, n)).ToList();
    public static IReadOnlyList<string> ConfiguredTts(IConfiguration configuration) => TtsOrder.Where(n => IsConfigured(configuration, n)).ToList();

    public bool IsConfigured(string name) => IsConfigured(_configuration, name);

    /// <summary>The streaming recognizer called <paramref name="name"/>, or null when it is unknown or has no key.</summary>
    public ISpeechToText? Stt(string name) => Key(name) is not { } key ? null : name switch
    {
        Deepgram => new DeepgramSpeechToText(new DeepgramSettings { ApiKey = key, BaseUrl = BaseUrl(name, "wss://api.deepgram.com") }, Logger<DeepgramSpeechToText>()),
        Sarvam => new SarvamSpeechToText(new SarvamSttSettings { ApiKey = key, BaseUrl = BaseUrl(name, "wss://api.sarvam.ai") }, Logger<SarvamSpeechToText>()),
        _ => null,
    };

    /// <summary>The streaming synthesizer called <paramref name="name"/>, or null when it is unknown or has no key.</summary>
    public ITextToSpeech? Tts(string name) => Key(name) is not { } key ? null : name switch
    {
        ElevenLabs => new ElevenLabsTextToSpeech(new ElevenLabsSettings { ApiKey = key, BaseUrl = BaseUrl(name, "wss://api.elevenlabs.io") }, Logger<ElevenLabsTextToSpeech>()),
        Cartesia => new CartesiaTextToSpeech(new CartesiaSettings { ApiKey = key, BaseUrl = BaseUrl(name, "wss://api.cartesia.ai") }, Logger<CartesiaTextToSpeech>()),
        Sarvam => new SarvamTextToSpeech(new SarvamTtsSettings { ApiKey = key, BaseUrl = BaseUrl(name, "wss://api.sarvam.ai") }, Logger<SarvamTextToSpeech>()),
        _ => null,
    };

    /// <summary>
    /// The chat client called <paramref name="name"/> for one agent's pipeline, or null when it is unknown or has no key.
    /// An agent's own <paramref name="baseUrl"/> (Groq, Ollama, vLLM… when the operator allows custom URLs) gets
    /// <paramref name="apiKey"/> or a placeholder, never the operator's key, which only goes to the configured endpoint.
    /// </summary>
    public IChatClient? Llm(string name, string? model = null, string? baseUrl = null, double? temperature = null, string? apiKey = null)
    {
        if (name != OpenAi || Key(name) is not { } operatorKey) return null;
        var configured = BaseUrl(name, OpenAiChatSettings.DefaultBaseUrl);
        var endpoint = string.IsNullOrWhiteSpace(baseUrl) ? configured : new Uri(baseUrl);
        var sameEndpoint = Uri.Compare(endpoint, configured, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        return new OpenAiChatClient(new OpenAiChatSettings
        {
            ApiKey = apiKey ?? (sameEndpoint ? operatorKey : "none"),
            BaseUrl = endpoint,
            Model = model ?? "gpt-4o-mini",
            Temperature = temperature is { } t ? (float)t : null,
            ProviderName = sameEndpoint ? OpenAi : $"{OpenAi}-compatible ({endpoint.Host})",
        });
    }

    private string? Key(string name) =>
        KeyNames.TryGetValue(name, out var keyName) && _configuration[keyName] is { } key && !string.IsNullOrWhiteSpace(key) ? key.Trim() : null;

    private Uri BaseUrl(string name, string fallback) =>
        _configuration[name.ToUpperInvariant() + "_BASE_URL"] is { Length: > 0 } configured ? new Uri(configured) : new Uri(fallback);

    private ILogger Logger<T>() => _loggers.CreateLogger<T>();
}
