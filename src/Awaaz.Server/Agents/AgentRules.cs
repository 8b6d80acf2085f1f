using Awaaz.Server.Api;
using Awaaz.Server.Partners;
using Awaaz.Server.Voice;

namespace Awaaz.Server.Agents;

/// <summary>
/// The rules of an agent that involve several fields, the voice catalog or the partner: voice in the
/// catalog and allowed, a voice to speak with, the language (default: the voice's) allowed, and a
/// transfer number when transfer is enabled. Only what a request changed is re-checked against the
/// catalog and the partner, so an agent stays editable when the operator later narrows an allow-list.
/// </summary>
public sealed class AgentRules(VoiceCatalog catalog, PipelineResolver pipelines)
{
    /// <summary>Completes <paramref name="after"/> (default language) or throws 400 naming each field at fault.</summary>
    public AgentDocument Check(Partner partner, AgentDocument? before, AgentDocument after, AgentChanges changes)
    {
        var errors = new List<FieldError>();
        var voiceChanged = before is null || before.VoiceId != after.VoiceId;
        var ttsChanged = before is null || before.Pipeline.Tts != after.Pipeline.Tts;

        CatalogVoice? voice = null;
        if (after.VoiceId is { } voiceId)
        {
            voice = catalog.Find(voiceId);
            if (voiceChanged && voice is null)
                errors.Add(new("voice_id", "is not a voice of the catalog (see GET /agent/voices)"));
            else if (voiceChanged && !VoiceCatalog.IsAllowed(partner, voice!))
                errors.Add(new("voice_id", "is not allowed for this account"));
        }

        var tts = pipelines.ResolveTts(after.Pipeline.Tts, voice);
        if ((voiceChanged || ttsChanged) && tts.Voice is null && errors.Count == 0)
        {
            if (after.VoiceId is null)
                errors.Add(new("voice_id", "is required unless pipeline.tts.voice is given"));
            else
                errors.Add(new("pipeline.tts.voice", $"is required when pipeline.tts.provider ({tts.Provider}) is not the provider of voice_id ({voice?.Provider})"));
        }

        var document = after;
        if (changes.LanguageFromVoice)
        {
            var language = voice?.Language
                ?? (tts.Voice is { } v ? catalog.FindByProviderVoice(tts.Provider, v)?.Language : null)
                ?? partner.AllowedLanguages.FirstOrDefault()
                ?? "en";
            document = after with { Language = language };
            if (!partner.AllowsLanguage(language) && errors.Count == 0)
                errors.Add(new("language", $"defaults to the voice's language '{language}', which is not allowed for this account; pass one of: {string.Join(", ", partner.AllowedLanguages)}"));
        }
        else if ((before is null || before.Language != after.Language) && !partner.AllowsLanguage(after.Language))
        {
            errors.Add(new("language", $"is not allowed for this account; use one of: {string.Join(", ", partner.AllowedLanguages)}"));
        }

        if (after.TransferEnabled && after.TransferNumber is null)
            errors.Add(new("transfer_number", "is required when transfer is enabled"));

        if (errors.Count > 0) throw ApiException.Validation(errors);
        return document;
    }
}
