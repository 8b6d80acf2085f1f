using Awaaz.Server.Partners;

namespace Awaaz.Server.Voice;

/// <summary>One voice of the catalog (partner-api.md §9.8).</summary>
public sealed record CatalogVoice(
    string Id,
    string Name,
    string Provider,
    string ProviderVoiceId,
    string? Model,
    string Language,
    IReadOnlyList<string> Languages,
    string Gender,
    string Tier,
    string? PreviewUrl);

/// <summary>
/// The voices agents may use. For now the catalog is the set of espeak-ng voices installed on this
/// machine, read once on first use; voices whose provider is not enabled on the server are hidden.
/// </summary>
public sealed class VoiceCatalog
{
    private readonly Lazy<(IReadOnlyList<CatalogVoice> Voices, string? Hint)> _loaded;

    public VoiceCatalog(IConfiguration configuration, PipelineProviders providers, ILogger<VoiceCatalog> logger)
    {
        var espeak = configuration["Awaaz:EspeakPath"] is { Length: > 0 } path ? path : "espeak-ng";
        _loaded = new(() =>
        {
            var (voices, hint) = EspeakVoices.Load(espeak, logger);
            return (voices.Where(v => providers.Tts.Contains(v.Provider)).ToList(), hint);
        });
    }

    public IReadOnlyList<CatalogVoice> Voices => _loaded.Value.Voices;

    /// <summary>Why the catalog is empty and how to fix it; <c>null</c> when voices were found.</summary>
    public string? Hint => _loaded.Value.Hint;

    public CatalogVoice? Find(string id) =>
        Voices.FirstOrDefault(v => string.Equals(v.Id, id, StringComparison.OrdinalIgnoreCase));

    public CatalogVoice? FindByProviderVoice(string provider, string providerVoiceId) =>
        Voices.FirstOrDefault(v => v.Provider == provider && v.ProviderVoiceId == providerVoiceId);

    /// <summary><c>allowed_voices</c> = <c>null</c> allows every catalog voice.</summary>
    public static bool IsAllowed(Partner partner, CatalogVoice voice) =>
        partner.AllowedVoices is null || partner.AllowedVoices.Any(id => string.Equals(id, voice.Id, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<CatalogVoice> VisibleTo(Partner partner) => Voices.Where(v => IsAllowed(partner, v)).ToList();
}
