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
    [MaxLength(20), Description("(Awaaz) Custom HTTP functions the LLM may call (docs/functions.md). Replaced whole on update; null or [] removes them.")]
    public IReadOnlyList<FunctionRequest>? Functions { get; init; }
}

[Description("A custom HTTP function: a tool the agent's LLM may call, answered by your endpoint.")]
public sealed class FunctionRequest
{
    [Required, StringLength(64, MinimumLength = 1), RegularExpression("^[a-zA-Z_][a-zA-Z0-9_]{0,63}$"),
     Description("Tool name the LLM sees; unique per agent (case-insensitive); not end_call, transfer_call or set_variable.")]
    public string? Name { get; init; }
    [Required, StringLength(1000, MinimumLength = 1), Description("Tells the LLM what the function does and when to call it.")]
    public string? Description { get; init; }
    [Required, MaxLength(2048), Description("https:// URL without user credentials (http:// and private addresses only when the server sets WEBHOOK_ALLOW_PRIVATE_TARGETS=true). The host must resolve to public addresses when the call connects.")]
    public string? Url { get; init; }
    [Description("`GET` (arguments as the query string) | `POST` (default; JSON body `{function, arguments, call}`).")]
    public string? Method { get; init; }
    [Description("Up to 20 request headers, name → value. Values are stored encrypted and shown masked (`****` + last 4 characters); sending the mask back keeps the stored value.")]
    public Dictionary<string, string>? Headers { get; init; }
    [Description("JSON Schema (`\"type\": \"object\"`, ≤ 8 KiB) of the arguments; default: no arguments.")]
    public System.Text.Json.Nodes.JsonObject? Parameters { get; init; }
    [Range(500, 30000), Description("Default 5000.")]
    public int? TimeoutMs { get; init; }
    [MaxLength(500), Description("Spoken while the request runs; null: nothing.")]
    public string? StartedMessage { get; init; }
    [MaxLength(500), Description("Spoken when the request fails or times out; null: \"Sorry, I could not get that information right now.\"")]
    public string? ErrorMessage { get; init; }
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
