using Awaaz.Server.Agents;
using Awaaz.Server.Voice.Dialogue;
using Microsoft.Extensions.AI;

namespace Awaaz.Server.Voice;

/// <summary>Creates the chat client (LLM) an agent's pipeline names.</summary>
public interface IChatClientProvider
{
    string Name { get; }

    /// <param name="promptTemplate">The agent's prompt with its <c>{{placeholders}}</c> (the caller renders it for the chat history).</param>
    IChatClient Create(LlmPipeline llm, string promptTemplate, IReadOnlyDictionary<string, object?> variables);
}

/// <summary>The <c>scripted</c> LLM: the dialogue script in the agent's prompt.</summary>
public sealed class ScriptedChatProvider : IChatClientProvider
{
    public string Name => "scripted";

    public IChatClient Create(LlmPipeline llm, string promptTemplate, IReadOnlyDictionary<string, object?> variables) =>
        DialogueScript.TryParse(promptTemplate, out var script, out var error)
            ? new ScriptedChatClient(script!, variables)
            : throw new VoiceProviderException($"scripted dialogue: {error}");
}

public sealed class VoiceProviderException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A cloud LLM (OpenAI-compatible) as an agent's chat client: model, base URL and temperature from the pipeline.</summary>
public sealed class CloudChatProvider(Cloud.CloudProviders cloud, string name) : IChatClientProvider
{
    public string Name => name;

    public IChatClient Create(LlmPipeline llm, string promptTemplate, IReadOnlyDictionary<string, object?> variables) =>
        cloud.Llm(name, llm.Model, llm.BaseUrl, llm.Temperature) ?? throw new VoiceProviderException($"LLM provider '{name}' has no API key configured");
}

/// <summary>
/// The providers available on this server, by the names agents use in <c>pipeline</c>: the offline ones registered
/// in the container, then the cloud ones whose API keys are configured.
/// </summary>
public sealed class VoiceProviderRegistry(IEnumerable<ISpeechToText> stt, IEnumerable<ITextToSpeech> tts, IEnumerable<IChatClientProvider> llm, Cloud.CloudProviders cloud)
{
    private readonly Dictionary<string, ISpeechToText> _stt = stt.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ITextToSpeech> _tts = tts.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IChatClientProvider> _llm = llm.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public ISpeechToText Stt(string name) => _stt.GetValueOrDefault(name) ?? cloud.Stt(name)
        ?? throw new VoiceProviderException($"STT provider '{name}' is not available on this server");

    public ITextToSpeech Tts(string name) => _tts.GetValueOrDefault(name) ?? cloud.Tts(name)
        ?? throw new VoiceProviderException($"TTS provider '{name}' is not available on this server");

    /// <summary>The offline voice (espeak-ng) that apologises when a call's own TTS failed; null when not registered.</summary>
    public ITextToSpeech? OfflineTts => _tts.GetValueOrDefault(Offline.EspeakTextToSpeech.ProviderName);

    public IChatClientProvider Llm(string name) => _llm.GetValueOrDefault(name)
        ?? (cloud.IsConfigured(name) ? new CloudChatProvider(cloud, name) : throw new VoiceProviderException($"LLM provider '{name}' is not available on this server"));
}
