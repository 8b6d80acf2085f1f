using System.Text.Json.Serialization;
using Awaaz.Server.Functions;
using Awaaz.Server.Voice;

namespace Awaaz.Server.Agents;

/// <summary>
/// The agent object exactly as the API shows it (partner-api.md §9.1): every key always present, in the
/// reference API's mixed casing. The only place agent output keys are defined.
/// </summary>
public sealed record AgentView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("agent_name")] string AgentName,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("voice_id")] string? VoiceId,
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("agent_type")] string AgentType,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("intro_message")] string? IntroMessage,
    [property: JsonPropertyName("voicemail_detection_enabled")] bool VoicemailDetectionEnabled,
    [property: JsonPropertyName("voicemail_message")] string? VoicemailMessage,
    [property: JsonPropertyName("enable_recording")] bool EnableRecording,
    [property: JsonPropertyName("kb_threshold")] string? KbThreshold,
    [property: JsonPropertyName("kb_include_summaries")] bool KbIncludeSummaries,
    [property: JsonPropertyName("kb_result_format")] string? KbResultFormat,
    [property: JsonPropertyName("kb_enable_llm_processing")] bool KbEnableLlmProcessing,
    [property: JsonPropertyName("kb_llm_system_prompt")] string? KbLlmSystemPrompt,
    [property: JsonPropertyName("variables")] IReadOnlyList<string> Variables,
    [property: JsonPropertyName("extraction_config")] ExtractionConfigView? ExtractionConfig,
    [property: JsonPropertyName("project_id")] string ProjectId,
    [property: JsonPropertyName("transferEnabled")] bool TransferEnabled,
    [property: JsonPropertyName("transferNumber")] string? TransferNumber,
    [property: JsonPropertyName("transferMessage")] string? TransferMessage,
    [property: JsonPropertyName("transfer_instructions")] string? TransferInstructions,
    [property: JsonPropertyName("endCallEnabled")] bool EndCallEnabled,
    [property: JsonPropertyName("endCallMessage")] string? EndCallMessage,
    [property: JsonPropertyName("end_call_instructions")] string? EndCallInstructions,
    [property: JsonPropertyName("max_call_duration_secs")] int? MaxCallDurationSecs,
    [property: JsonPropertyName("background_audio_id")] string? BackgroundAudioId,
    [property: JsonPropertyName("background_audio_volume")] double BackgroundAudioVolume,
    [property: JsonPropertyName("document_count")] int DocumentCount,
    [property: JsonPropertyName("pipeline")] EffectivePipeline Pipeline,
    [property: JsonPropertyName("functions")] IReadOnlyList<FunctionView> Functions,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt)
{
    public const string ActiveStatus = "active";

    /// <summary>Projects are not a feature yet; every partner has one default project with a stable id.</summary>
    public static string DefaultProjectId(string partnerId) => NameBasedUuid.Create($"project:default:{partnerId}");

    public static AgentView From(Agent agent, EffectivePipeline pipeline)
    {
        var d = agent.Document;
        return new AgentView(
            agent.Id, d.AgentName, d.Prompt, d.VoiceId, d.Language, d.AgentType, ActiveStatus,
            d.IntroMessage, d.VoicemailDetectionEnabled, d.VoicemailMessage, d.EnableRecording,
            d.KbThreshold, d.KbIncludeSummaries, d.KbResultFormat, d.KbEnableLlmProcessing, d.KbLlmSystemPrompt,
            d.Variables,
            d.ExtractionConfig is { } e ? new ExtractionConfigView(e.Prompt, e.Keys.Select(k => new ExtractionKeyView(k.Name, k.Type, k.Description)).ToList(), e.IncludeToolLogs) : null,
            d.ProjectId ?? DefaultProjectId(agent.PartnerId),
            d.TransferEnabled, d.TransferNumber, d.TransferMessage, d.TransferInstructions,
            d.EndCallEnabled, d.EndCallMessage, d.EndCallInstructions,
            d.MaxCallDurationSecs, d.BackgroundAudioId, d.BackgroundAudioVolume, d.DocumentCount,
            pipeline, d.Functions.Select(FunctionView.From).ToList(), agent.CreatedAt, agent.UpdatedAt);
    }
}

public sealed record ExtractionConfigView(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("keys")] IReadOnlyList<ExtractionKeyView> Keys,
    [property: JsonPropertyName("includeToolLogs")] bool IncludeToolLogs);

public sealed record ExtractionKeyView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("description")] string? Description);

public sealed record AgentList(
    [property: JsonPropertyName("agents")] IReadOnlyList<AgentView> Agents,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("offset")] int Offset);

/// <summary>One voice of <c>GET /agent/voices</c> (partner-api.md §9.8).</summary>
public sealed record VoiceView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("provider_voice_id")] string ProviderVoiceId,
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("languages")] IReadOnlyList<string> Languages,
    [property: JsonPropertyName("gender")] string Gender,
    [property: JsonPropertyName("tier")] string Tier,
    [property: JsonPropertyName("preview_url")] string? PreviewUrl)
{
    public static VoiceView From(CatalogVoice v) => new(v.Id, v.Name, v.Provider, v.ProviderVoiceId, v.Language, v.Languages, v.Gender, v.Tier, v.PreviewUrl);
}

/// <summary><c>hint</c> (Awaaz) explains an empty catalog, e.g. espeak-ng not installed; <c>null</c> otherwise.</summary>
public sealed record VoiceList(
    [property: JsonPropertyName("voices")] IReadOnlyList<VoiceView> Voices,
    [property: JsonPropertyName("hint")] string? Hint);
