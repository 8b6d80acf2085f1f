using System.Text.Json;
using System.Text.Json.Serialization;

namespace Awaaz.Server.Agents;

public static class AgentTypes
{
    public const string Inbound = "inbound";
    public const string Outbound = "outbound";
    public static readonly string[] All = [Inbound, Outbound];
}

/// <summary>A stored agent: its row identity and the document of every configurable field.</summary>
public sealed record Agent(string Id, string PartnerId, AgentDocument Document, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// Every configurable field of an agent (partner-api.md §9.1), stored as JSON in <c>agents.document</c>.
/// Defaults are the spec's defaults. <see cref="Pipeline"/> holds only what the partner set; the effective
/// pipeline is computed when the agent is shown or used (<see cref="EffectivePipeline"/>).
/// </summary>
public sealed record AgentDocument
{
    public const int DefaultMaxCallDurationSecs = 600;
    public const int PlatformMaxCallDurationSecs = 3600;

    public required string AgentName { get; init; }
    public required string Prompt { get; init; }
    public string? VoiceId { get; init; }
    public required string Language { get; init; }
    public string AgentType { get; init; } = AgentTypes.Outbound;
    public string? IntroMessage { get; init; }
    public bool VoicemailDetectionEnabled { get; init; }
    public string? VoicemailMessage { get; init; }
    public bool EnableRecording { get; init; }
    public string? KbThreshold { get; init; }
    public bool KbIncludeSummaries { get; init; }
    public string? KbResultFormat { get; init; }
    public bool KbEnableLlmProcessing { get; init; }
    public string? KbLlmSystemPrompt { get; init; }
    public IReadOnlyList<string> Variables { get; init; } = [];
    public ExtractionConfig? ExtractionConfig { get; init; }
    /// <summary><c>null</c> = the partner's default project.</summary>
    public string? ProjectId { get; init; }
    public bool TransferEnabled { get; init; }
    public string? TransferNumber { get; init; }
    public string? TransferMessage { get; init; }
    public string? TransferInstructions { get; init; }
    public bool EndCallEnabled { get; init; } = true;
    public string? EndCallMessage { get; init; }
    public string? EndCallInstructions { get; init; }
    /// <summary><c>null</c> = the platform cap (<see cref="PlatformMaxCallDurationSecs"/>).</summary>
    public int? MaxCallDurationSecs { get; init; } = DefaultMaxCallDurationSecs;
    public string? BackgroundAudioId { get; init; }
    public double BackgroundAudioVolume { get; init; } = 0.5;
    public int DocumentCount { get; init; }
    public PipelineSettings Pipeline { get; init; } = PipelineSettings.Defaults;
    /// <summary>(Awaaz) Custom HTTP functions the LLM may call; header values encrypted.</summary>
    public IReadOnlyList<Functions.AgentFunction> Functions { get; init; } = [];

    private static readonly JsonSerializerOptions StorageJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, StorageJson);

    public static AgentDocument FromJson(string json) =>
        JsonSerializer.Deserialize<AgentDocument>(json, StorageJson) ?? throw new InvalidDataException("Empty agent document");
}

public sealed record ExtractionConfig(string Prompt, IReadOnlyList<ExtractionKey> Keys, bool IncludeToolLogs);

public sealed record ExtractionKey(string Name, string Type, string? Description)
{
    public static readonly string[] Types = ["string", "number", "integer", "boolean", "array", "date", "datetime"];
}

/// <summary>
/// The pipeline values a partner set (partner-api.md §9.2). Every <c>null</c> means "the default",
/// so a key set to <c>null</c> in an update returns to its default.
/// </summary>
public sealed record PipelineSettings(SttSettings Stt, LlmSettings Llm, TtsSettings Tts, TurnSettings Turn)
{
    public static readonly PipelineSettings Defaults = new(new(null, null, null), new(null, null, null, null), new(null, null, null), new(null, null, null, null));
}

public sealed record SttSettings(string? Provider, string? Model, string? Language);

public sealed record LlmSettings(string? Provider, string? Model, string? BaseUrl, double? Temperature);

public sealed record TtsSettings(string? Provider, string? Voice, string? Model);

public sealed record TurnSettings(double? VadThreshold, int? EndOfTurnSilenceMs, int? InterruptionMinSpeechMs, bool? BackchannelFilter);
