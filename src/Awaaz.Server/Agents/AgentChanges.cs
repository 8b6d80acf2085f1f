using System.Text.RegularExpressions;
using Awaaz.Server.Api;
using Awaaz.Server.Functions;
using Awaaz.Server.Voice;

namespace Awaaz.Server.Agents;

/// <summary>
/// The fields of a create or update body (partner-api.md §9.1, §9.2, §9.10), validated one by one
/// and kept as edits to apply to a document. Only supplied fields produce an edit, so the same reader
/// serves creation (applied to the defaults) and partial updates (applied to the stored agent).
/// Rules that involve several fields, the catalog or the partner are checked by <see cref="AgentRules"/>.
/// </summary>
public sealed partial class AgentChanges
{
    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*$")]
    public static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    public static partial Regex LanguageCode();

    private static readonly string[] KbThresholds = ["low", "medium", "high"];

    private readonly List<Func<AgentDocument, AgentDocument>> _edits = [];
    private readonly List<Func<PipelineSettings, PipelineSettings>> _pipelineEdits = [];

    /// <summary><c>language</c> was absent on create or sent as <c>null</c>: it becomes the voice's language.</summary>
    public bool LanguageFromVoice { get; private set; }

    private AgentChanges() { }

    public AgentDocument ApplyTo(AgentDocument current)
    {
        var document = _edits.Aggregate(current, (d, edit) => edit(d));
        return _pipelineEdits.Count == 0 ? document : document with { Pipeline = _pipelineEdits.Aggregate(document.Pipeline, (p, edit) => edit(p)) };
    }

    /// <summary>Reads every field; problems are collected in <paramref name="f"/> (call <see cref="RequestFields.ThrowIfInvalid"/>).</summary>
    public static AgentChanges Read(RequestFields f, bool creating, PipelineProviders providers, bool allowCustomLlmBaseUrl, FunctionInput functionInput)
    {
        var changes = new AgentChanges();
        var edits = changes._edits;

        var name = f.String("agent_name", "agentName", min: 1, max: 50, nullable: false, required: creating);
        if (name is { IsSet: true, Value: { } n })
        {
            if (string.IsNullOrWhiteSpace(n)) f.Fail("agent_name", "must not be blank");
            else edits.Add(d => d with { AgentName = n.Trim() });
        }

        var prompt = f.String("prompt", min: 1, max: 120_000, nullable: false, required: creating);
        if (prompt is { IsSet: true, Value: { } p }) edits.Add(d => d with { Prompt = p });

        var voiceId = f.String("voice_id", "voiceId", nullable: true);
        if (voiceId.IsSet)
        {
            if (voiceId.Value is null or "") edits.Add(d => d with { VoiceId = null });
            else if (Guid.TryParseExact(voiceId.Value, "D", out var g)) edits.Add(d => d with { VoiceId = g.ToString("D") });
            else f.Fail("voice_id", "must be a voice id (UUID) from GET /agent/voices");
        }

        var language = f.String("language", max: 35, nullable: true);
        if (language.IsSet && language.Value is { Length: > 0 } code)
        {
            if (!LanguageCode().IsMatch(code)) f.Fail("language", "must be a language code such as en, hi or en-IN");
            else edits.Add(d => d with { Language = code });
        }
        changes.LanguageFromVoice = language.IsSet ? string.IsNullOrEmpty(language.Value) : creating;

        var agentType = f.String("agent_type", "agentType", nullable: false);
        if (agentType is { IsSet: true, Value: { } type })
        {
            if (!AgentTypes.All.Contains(type)) f.Fail("agent_type", "must be inbound or outbound");
            else edits.Add(d => d with { AgentType = type });
        }

        Text(f, "intro_message", "introMessage", 500, v => d => d with { IntroMessage = v }, edits);
        Flag(f, "voicemail_detection_enabled", "voicemailDetectionEnabled", v => d => d with { VoicemailDetectionEnabled = v }, edits);
        Text(f, "voicemail_message", "voicemailMessage", 500, v => d => d with { VoicemailMessage = v }, edits);
        Flag(f, "enable_recording", "enableRecording", v => d => d with { EnableRecording = v }, edits);

        var kbThreshold = f.String("kb_threshold", "kbThreshold", nullable: true);
        if (kbThreshold.IsSet)
        {
            if (kbThreshold.Value is null or "") edits.Add(d => d with { KbThreshold = null });
            else if (!KbThresholds.Contains(kbThreshold.Value)) f.Fail("kb_threshold", "must be low, medium, high or null");
            else edits.Add(d => d with { KbThreshold = kbThreshold.Value });
        }
        Flag(f, "kb_include_summaries", "kbIncludeSummaries", v => d => d with { KbIncludeSummaries = v }, edits);
        Text(f, "kb_result_format", "kbResultFormat", 2000, v => d => d with { KbResultFormat = v }, edits);
        Flag(f, "kb_enable_llm_processing", "kbEnableLlmProcessing", v => d => d with { KbEnableLlmProcessing = v }, edits);
        Text(f, "kb_llm_system_prompt", "kbLlmSystemPrompt", 120_000, v => d => d with { KbLlmSystemPrompt = v }, edits);

        var variables = f.StringArray("variables", maxItems: 100, itemPattern: IdentifierPattern(),
            itemMessage: "must be a name matching ^[a-zA-Z_][a-zA-Z0-9_]*$", unique: true, maxItemLength: 100);
        if (variables.IsSet) edits.Add(d => d with { Variables = variables.Value ?? [] });

        var extraction = f.Object("extraction_config", "extractionConfig");
        if (extraction.IsSet)
        {
            var config = extraction.Value is null ? null : ReadExtractionConfig(extraction.Value);
            if (extraction.Value is null || config is not null) edits.Add(d => d with { ExtractionConfig = config });
        }

        Uuid(f, "project_id", "projectId", v => d => d with { ProjectId = v }, edits);

        Flag(f, "transfer_enabled", "transferEnabled", v => d => d with { TransferEnabled = v }, edits);
        var transferNumber = f.String("transfer_number", "transferNumber", max: 32, nullable: true);
        if (transferNumber.IsSet)
        {
            if (transferNumber.Value is null or "") edits.Add(d => d with { TransferNumber = null });
            else if (!E164().IsMatch(transferNumber.Value)) f.Fail("transfer_number", "must be in E.164 format (e.g. +918000000100)");
            else edits.Add(d => d with { TransferNumber = transferNumber.Value });
        }
        Text(f, "transfer_message", "transferMessage", 500, v => d => d with { TransferMessage = v }, edits);
        Text(f, "transfer_instructions", "transferInstructions", 2000, v => d => d with { TransferInstructions = v }, edits);

        Flag(f, "end_call_enabled", "endCallEnabled", v => d => d with { EndCallEnabled = v }, edits);
        Text(f, "end_call_message", "endCallMessage", 500, v => d => d with { EndCallMessage = v }, edits);
        Text(f, "end_call_instructions", "endCallInstructions", 2000, v => d => d with { EndCallInstructions = v }, edits);

        var maxDuration = f.Integer("max_call_duration_secs", "maxCallDurationSecs", min: 60, max: AgentDocument.PlatformMaxCallDurationSecs, nullable: true);
        if (maxDuration.IsSet) edits.Add(d => d with { MaxCallDurationSecs = (int?)maxDuration.Value });

        Uuid(f, "background_audio_id", "backgroundAudioId", v => d => d with { BackgroundAudioId = v }, edits);
        var volume = f.Number("background_audio_volume", "backgroundAudioVolume", min: 0, max: 1);
        if (volume is { IsSet: true, Value: { } vol }) edits.Add(d => d with { BackgroundAudioVolume = vol });

        if (functionInput.Read(f) is { } functions) edits.Add(d => d with { Functions = functions(d.Functions) });

        var pipeline = f.Object("pipeline");
        if (pipeline.IsSet)
        {
            if (pipeline.Value is null) changes._pipelineEdits.Add(_ => PipelineSettings.Defaults);
            else ReadPipeline(pipeline.Value, providers, allowCustomLlmBaseUrl, changes._pipelineEdits);
        }
        return changes;
    }

    /// <summary>Nullable text; <c>""</c> is stored as <c>null</c> (absent values are null).</summary>
    private static void Text(RequestFields f, string name, string alias, int max,
        Func<string?, Func<AgentDocument, AgentDocument>> edit, List<Func<AgentDocument, AgentDocument>> edits)
    {
        var value = f.String(name, alias, max: max, nullable: true);
        if (value.IsSet) edits.Add(edit(string.IsNullOrEmpty(value.Value) ? null : value.Value));
    }

    private static void Flag(RequestFields f, string name, string alias,
        Func<bool, Func<AgentDocument, AgentDocument>> edit, List<Func<AgentDocument, AgentDocument>> edits)
    {
        var value = f.Bool(name, alias);
        if (value.IsSet) edits.Add(edit(value.Value));
    }

    private static void Uuid(RequestFields f, string name, string alias,
        Func<string?, Func<AgentDocument, AgentDocument>> edit, List<Func<AgentDocument, AgentDocument>> edits)
    {
        var value = f.String(name, alias, nullable: true);
        if (!value.IsSet) return;
        if (value.Value is null or "") edits.Add(edit(null));
        else if (Guid.TryParseExact(value.Value, "D", out var g)) edits.Add(edit(g.ToString("D")));
        else f.Fail(name, "must be a UUID or null");
    }

    /// <summary>The whole <c>extraction_config</c> object; <c>null</c> when it is invalid (the errors are in <paramref name="e"/>).</summary>
    private static ExtractionConfig? ReadExtractionConfig(RequestFields e)
    {
        var prompt = e.String("prompt", min: 1, max: 20_000, nullable: false, required: true);
        var includeToolLogs = e.Bool("include_tool_logs", "includeToolLogs");
        var items = e.ObjectArray("keys");
        if (!items.IsSet) e.Fail("keys", "is required");
        else if (items.Value is null) e.Fail("keys", "must not be null");
        else if (e.Raw("keys").Value.GetArrayLength() is < 1 or > 50) e.Fail("keys", "must have between 1 and 50 items");

        var keys = new List<ExtractionKey>();
        foreach (var item in items.Value ?? [])
        {
            var name = item.String("name", max: 100, nullable: false, required: true,
                pattern: IdentifierPattern(), patternMessage: "must match ^[a-zA-Z_][a-zA-Z0-9_]*$");
            var type = item.String("type", nullable: true);
            var description = item.String("description", max: 500, nullable: true);
            if (type.Value is { } t && !ExtractionKey.Types.Contains(t))
                item.Fail("type", $"must be one of: {string.Join(", ", ExtractionKey.Types)}");
            if (name.Value is not { } keyName) continue;
            if (keys.Any(k => k.Name == keyName)) item.Fail("name", "is a duplicate");
            else keys.Add(new ExtractionKey(keyName, type.Value ?? "string", string.IsNullOrEmpty(description.Value) ? null : description.Value));
        }
        return prompt.Value is { } text && items.Value is not null ? new ExtractionConfig(text, keys, includeToolLogs.Or(false)) : null;
    }

    private static void ReadPipeline(RequestFields pf, PipelineProviders providers, bool allowCustomLlmBaseUrl,
        List<Func<PipelineSettings, PipelineSettings>> edits)
    {
        var stt = pf.Object("stt");
        if (stt.IsSet && stt.Value is null) edits.Add(p => p with { Stt = PipelineSettings.Defaults.Stt });
        else if (stt.Value is { } s)
        {
            var provider = Provider(s, providers.Stt);
            if (provider.IsSet) edits.Add(p => p with { Stt = p.Stt with { Provider = provider.Value } });
            var model = OptionalText(s, "model", null, 100);
            if (model.IsSet) edits.Add(p => p with { Stt = p.Stt with { Model = model.Value } });
            var language = OptionalText(s, "language", null, 35);
            if (language is { IsSet: true, Value: { } code } && code != "auto" && !LanguageCode().IsMatch(code))
                s.Fail("language", "must be a language code such as en, hi or en-IN, or auto");
            else if (language.IsSet) edits.Add(p => p with { Stt = p.Stt with { Language = language.Value } });
        }

        var llm = pf.Object("llm");
        if (llm.IsSet && llm.Value is null) edits.Add(p => p with { Llm = PipelineSettings.Defaults.Llm });
        else if (llm.Value is { } l)
        {
            var provider = Provider(l, providers.Llm);
            if (provider.IsSet) edits.Add(p => p with { Llm = p.Llm with { Provider = provider.Value } });
            var model = OptionalText(l, "model", null, 100);
            if (model.IsSet) edits.Add(p => p with { Llm = p.Llm with { Model = model.Value } });
            var baseUrl = OptionalText(l, "base_url", "baseUrl", 2048);
            if (baseUrl is { IsSet: true, Value: { } url })
            {
                if (!allowCustomLlmBaseUrl)
                    l.Fail("base_url", "is not accepted by this server (the operator has not set AWAAZ_ALLOW_CUSTOM_LLM_BASE_URL=true)");
                else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(uri.Host))
                    l.Fail("base_url", "must be an absolute https:// URL");
                else edits.Add(p => p with { Llm = p.Llm with { BaseUrl = url } });
            }
            else if (baseUrl.IsSet) edits.Add(p => p with { Llm = p.Llm with { BaseUrl = null } });
            var temperature = l.Number("temperature", min: 0, max: 2, nullable: true);
            if (temperature.IsSet) edits.Add(p => p with { Llm = p.Llm with { Temperature = temperature.Value } });
        }

        var tts = pf.Object("tts");
        if (tts.IsSet && tts.Value is null) edits.Add(p => p with { Tts = PipelineSettings.Defaults.Tts });
        else if (tts.Value is { } t)
        {
            var provider = Provider(t, providers.Tts);
            if (provider.IsSet) edits.Add(p => p with { Tts = p.Tts with { Provider = provider.Value } });
            var voice = OptionalText(t, "voice", null, 200);
            if (voice.IsSet) edits.Add(p => p with { Tts = p.Tts with { Voice = voice.Value } });
            var model = OptionalText(t, "model", null, 100);
            if (model.IsSet) edits.Add(p => p with { Tts = p.Tts with { Model = model.Value } });
        }

        var turn = pf.Object("turn");
        if (turn.IsSet && turn.Value is null) edits.Add(p => p with { Turn = PipelineSettings.Defaults.Turn });
        else if (turn.Value is { } u)
        {
            var vad = u.Number("vad_threshold", "vadThreshold", min: 0.1, max: 0.95, nullable: true);
            if (vad.IsSet) edits.Add(p => p with { Turn = p.Turn with { VadThreshold = vad.Value } });
            var silence = u.Integer("end_of_turn_silence_ms", "endOfTurnSilenceMs", min: 200, max: 3000, nullable: true);
            if (silence.IsSet) edits.Add(p => p with { Turn = p.Turn with { EndOfTurnSilenceMs = (int?)silence.Value } });
            var bargeIn = u.Integer("interruption_min_speech_ms", "interruptionMinSpeechMs", min: 0, max: 5000, nullable: true);
            if (bargeIn.IsSet) edits.Add(p => p with { Turn = p.Turn with { InterruptionMinSpeechMs = (int?)bargeIn.Value } });
            var backchannel = u.Raw("backchannel_filter", "backchannelFilter");
            if (backchannel is { IsSet: true, Value.ValueKind: System.Text.Json.JsonValueKind.Null })
                edits.Add(p => p with { Turn = p.Turn with { BackchannelFilter = null } });
            else if (u.Bool("backchannel_filter", "backchannelFilter") is { IsSet: true } filter)
                edits.Add(p => p with { Turn = p.Turn with { BackchannelFilter = filter.Value } });
        }
    }

    /// <summary>A provider name enabled on this server (<c>GET /config</c> → <c>pipeline_providers</c>), or null for the default.</summary>
    private static Supplied<string?> Provider(RequestFields f, IReadOnlyList<string> enabled)
    {
        var value = OptionalText(f, "provider", null, 50);
        if (value is { IsSet: true, Value: { } name } && !enabled.Contains(name))
        {
            f.Fail("provider", $"'{name}' is not enabled on this server; use one of: {string.Join(", ", enabled)}");
            return Supplied<string?>.Absent;
        }
        return value;
    }

    /// <summary>Nullable string; <c>""</c> counts as <c>null</c> (the default).</summary>
    private static Supplied<string?> OptionalText(RequestFields f, string name, string? alias, int max)
    {
        var value = f.String(name, alias, max: max, nullable: true);
        return value.IsSet && value.Value == "" ? new(true, null) : value;
    }
}
