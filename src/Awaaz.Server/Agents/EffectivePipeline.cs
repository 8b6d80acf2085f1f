using Awaaz.Server.Voice;

namespace Awaaz.Server.Agents;

/// <summary>The pipeline an agent runs with: its settings with every default filled in (partner-api.md §9.2).</summary>
public sealed record EffectivePipeline(SttPipeline Stt, LlmPipeline Llm, TtsPipeline Tts, TurnPipeline Turn);

public sealed record SttPipeline(string Provider, string? Model, string Language);

public sealed record LlmPipeline(string Provider, string Model, string? BaseUrl, double Temperature);

public sealed record TtsPipeline(string Provider, string? Voice, string? Model);

public sealed record TurnPipeline(double VadThreshold, int EndOfTurnSilenceMs, int InterruptionMinSpeechMs, bool BackchannelFilter);

/// <summary>Fills the defaults of an agent's pipeline from the server's providers and the voice catalog.</summary>
public sealed class PipelineResolver(PipelineProviders providers, VoiceCatalog catalog)
{
    public const double DefaultTemperature = 0.4;
    public const double DefaultVadThreshold = 0.5;
    public const int DefaultEndOfTurnSilenceMs = 600;
    public const int DefaultInterruptionMinSpeechMs = 300;
    public const bool DefaultBackchannelFilter = true;

    public static string DefaultLlmModel(string provider) => provider switch
    {
        "openai" => "gpt-4o-mini",
        _ => provider,
    };

    public EffectivePipeline Resolve(AgentDocument agent)
    {
        var p = agent.Pipeline;
        var llmProvider = p.Llm.Provider ?? providers.DefaultLlm;
        return new EffectivePipeline(
            new SttPipeline(p.Stt.Provider ?? providers.DefaultStt, p.Stt.Model, p.Stt.Language ?? agent.Language),
            new LlmPipeline(llmProvider, p.Llm.Model ?? DefaultLlmModel(llmProvider), p.Llm.BaseUrl, p.Llm.Temperature ?? DefaultTemperature),
            ResolveTts(p.Tts, agent.VoiceId is { } id ? catalog.Find(id) : null),
            new TurnPipeline(
                p.Turn.VadThreshold ?? DefaultVadThreshold,
                p.Turn.EndOfTurnSilenceMs ?? DefaultEndOfTurnSilenceMs,
                p.Turn.InterruptionMinSpeechMs ?? DefaultInterruptionMinSpeechMs,
                p.Turn.BackchannelFilter ?? DefaultBackchannelFilter));
    }

    /// <summary>
    /// <c>pipeline.tts</c> keys win; the rest comes from the <c>voice_id</c> catalog entry, as long as
    /// that entry belongs to the effective provider. <see cref="TtsPipeline.Voice"/> is <c>null</c> when
    /// neither names a voice.
    /// </summary>
    public TtsPipeline ResolveTts(TtsSettings settings, CatalogVoice? voice)
    {
        var provider = settings.Provider ?? voice?.Provider ?? providers.DefaultTts;
        var catalogApplies = voice is not null && voice.Provider == provider && settings.Voice is null;
        return new TtsPipeline(
            provider,
            settings.Voice ?? (catalogApplies ? voice!.ProviderVoiceId : null),
            settings.Model ?? (catalogApplies ? voice!.Model : null));
    }
}
