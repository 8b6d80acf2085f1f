using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Awaaz.Server.Agents;

/// <summary>
/// OpenAPI description of the body of <c>POST /agent</c> and <c>PUT|PATCH /agent/{id}</c>. Bodies are
/// read by <see cref="AgentChanges"/> (which also accepts every camelCase name and reports errors by
/// JSON path); this type only documents them. On update every field is optional.
/// </summary>
[Description("Agent fields (partner-api.md §9.1). Every key is also accepted in camelCase (snake_case wins). On create `agent_name` and `prompt` are required, and `voice_id` unless `pipeline.tts.voice` is given; on update only supplied fields change.")]
public sealed class AgentRequest
{
    [StringLength(50, MinimumLength = 1), Description("Unique per partner, case-insensitive.")]
    public string? AgentName { get; init; }
    [StringLength(120_000, MinimumLength = 1), Description("`{{var}}` placeholders are replaced with call variables.")]
    public string? Prompt { get; init; }
    [Description("A voice id from GET /agent/voices allowed for the partner.")]
    public string? VoiceId { get; init; }
    [Description("A code from the partner's allowed_languages; default: the voice's language.")]
    public string? Language { get; init; }
    [Description("`inbound` | `outbound` (default).")]
    public string? AgentType { get; init; }
    [MaxLength(500)] public string? IntroMessage { get; init; }
    public bool? VoicemailDetectionEnabled { get; init; }
    [MaxLength(500)] public string? VoicemailMessage { get; init; }
    public bool? EnableRecording { get; init; }
    [Description("`low` | `medium` | `high` | null.")]
    public string? KbThreshold { get; init; }
    public bool? KbIncludeSummaries { get; init; }
    [MaxLength(2000)] public string? KbResultFormat { get; init; }
    public bool? KbEnableLlmProcessing { get; init; }
    [MaxLength(120_000)] public string? KbLlmSystemPrompt { get; init; }
    [MaxLength(100), Description("Unique names matching ^[a-zA-Z_][a-zA-Z0-9_]*$; replaced whole on update.")]
    public IReadOnlyList<string>? Variables { get; init; }
    [Description("Replaced whole on update; null removes it.")]
    public ExtractionConfigRequest? ExtractionConfig { get; init; }
    public Guid? ProjectId { get; init; }
    [Description("Requires `transfer_number`.")]
    public bool? TransferEnabled { get; init; }
    [MaxLength(32), RegularExpression(@"^\+[1-9]\d{6,14}$")]
    public string? TransferNumber { get; init; }
    [MaxLength(500)] public string? TransferMessage { get; init; }
    [MaxLength(2000)] public string? TransferInstructions { get; init; }
    public bool? EndCallEnabled { get; init; }
    [MaxLength(500)] public string? EndCallMessage { get; init; }
    [MaxLength(2000)] public string? EndCallInstructions { get; init; }
    [Range(60, 3600), Description("Default 600; null = platform cap (3600).")]
    public int? MaxCallDurationSecs { get; init; }
    public Guid? BackgroundAudioId { get; init; }
    [Range(0.0, 1.0)] public double? BackgroundAudioVolume { get; init; }
    [Description("(Awaaz) Merged deeply on update; a key set to null returns to its default.")]
    public PipelineRequest? Pipeline { get; init; }
}

public sealed class ExtractionConfigRequest
{
    [StringLength(20_000, MinimumLength = 1)] public string? Prompt { get; init; }
    [MinLength(1), MaxLength(50)] public IReadOnlyList<ExtractionKeyRequest>? Keys { get; init; }
    [JsonPropertyName("includeToolLogs")] public bool? IncludeToolLogs { get; init; }
}

public sealed class ExtractionKeyRequest
{
    [RegularExpression("^[a-zA-Z_][a-zA-Z0-9_]*$")] public string? Name { get; init; }
    [Description("string (default) | number | integer | boolean | array | date | datetime")]
    public string? Type { get; init; }
    [MaxLength(500)] public string? Description { get; init; }
}

[Description("Provider names must be enabled on the server (GET /config → pipeline_providers).")]
public sealed class PipelineRequest
{
    public SttRequest? Stt { get; init; }
    public LlmRequest? Llm { get; init; }
    public TtsRequest? Tts { get; init; }
    public TurnRequest? Turn { get; init; }
}

public sealed class SttRequest
{
    public string? Provider { get; init; }
    [MaxLength(100)] public string? Model { get; init; }
    [Description("A language code or `auto`; default: the agent's language.")]
    public string? Language { get; init; }
}

public sealed class LlmRequest
{
    public string? Provider { get; init; }
    [MaxLength(100)] public string? Model { get; init; }
    [MaxLength(2048), Description("https:// URL; accepted only when the server sets AWAAZ_ALLOW_CUSTOM_LLM_BASE_URL=true.")]
    public string? BaseUrl { get; init; }
    [Range(0.0, 2.0)] public double? Temperature { get; init; }
}

public sealed class TtsRequest
{
    public string? Provider { get; init; }
    [MaxLength(200), Description("Provider voice id.")]
    public string? Voice { get; init; }
    [MaxLength(100)] public string? Model { get; init; }
}

public sealed class TurnRequest
{
    [Range(0.1, 0.95)] public double? VadThreshold { get; init; }
    [Range(200, 3000)] public int? EndOfTurnSilenceMs { get; init; }
    [Range(0, 5000)] public int? InterruptionMinSpeechMs { get; init; }
    public bool? BackchannelFilter { get; init; }
}
