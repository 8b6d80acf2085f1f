namespace Awaaz.Server.Voice.Offline;

/// <summary>Settings of <see cref="PocketsphinxSpeechToText"/>; the defaults are the paths of Debian's packages.</summary>
public sealed record PocketsphinxSettings
{
    public const string DebianModelRoot = "/usr/share/pocketsphinx/model/en-us";

    /// <summary>libpocketsphinx 5prealpha (a name for the loader or a full path). Key <c>Awaaz:Pocketsphinx:LibraryPath</c>.</summary>
    public string LibraryPath { get; init; } = "libpocketsphinx.so.3";

    /// <summary>The acoustic model directory (<c>-hmm</c>). Key <c>Awaaz:Pocketsphinx:ModelPath</c>.</summary>
    public string ModelPath { get; init; } = DebianModelRoot + "/en-us";

    /// <summary>The pronunciation dictionary (<c>-dict</c>). Key <c>Awaaz:Pocketsphinx:DictionaryPath</c>.</summary>
    public string DictionaryPath { get; init; } = DebianModelRoot + "/cmudict-en-us.dict";

    /// <summary>The n-gram language model of open-vocabulary mode (<c>-lm</c>). Key <c>Awaaz:Pocketsphinx:LanguageModelPath</c>.</summary>
    public string LanguageModelPath { get; init; } = DebianModelRoot + "/en-us.lm.bin";

    /// <summary>Emit partial transcripts while audio arrives. Key <c>Awaaz:Pocketsphinx:Partials</c>.</summary>
    public bool Partials { get; init; } = true;

    public static PocketsphinxSettings FromConfiguration(IConfiguration configuration)
    {
        var defaults = new PocketsphinxSettings();
        string Get(string key, string fallback) => configuration[$"Awaaz:Pocketsphinx:{key}"] is { Length: > 0 } value ? value : fallback;
        return new PocketsphinxSettings
        {
            LibraryPath = Get("LibraryPath", defaults.LibraryPath),
            ModelPath = Get("ModelPath", defaults.ModelPath),
            DictionaryPath = Get("DictionaryPath", defaults.DictionaryPath),
            LanguageModelPath = Get("LanguageModelPath", defaults.LanguageModelPath),
            Partials = configuration.GetValue("Awaaz:Pocketsphinx:Partials", defaults.Partials),
        };
    }
}

/// <summary>Why a pocketsphinx recognition could not start or go on.</summary>
public enum PocketsphinxError
{
    /// <summary>libpocketsphinx cannot be loaded.</summary>
    NotInstalled,

    /// <summary>The acoustic model, dictionary or language model files are missing or unreadable.</summary>
    ModelMissing,

    /// <summary>The request is for a language other than English.</summary>
    UnsupportedLanguage,

    /// <summary><see cref="SpeechRecognitionOptions.Model"/> is not <c>grammar</c>, <c>open</c> or empty, or <c>grammar</c> came without phrases.</summary>
    UnsupportedModel,

    /// <summary>Words of the phrases are not in the pronunciation dictionary; see <see cref="PocketsphinxException.UnknownWords"/>.</summary>
    UnknownWords,

    /// <summary>The decoder refused the configuration, the grammar or the audio.</summary>
    DecoderFailed,
}

/// <summary>pocketsphinx could not recognize; <see cref="Error"/> says why.</summary>
public sealed class PocketsphinxException(PocketsphinxError error, string message, IReadOnlyList<string>? unknownWords = null) : Exception(message)
{
    public PocketsphinxError Error { get; } = error;

    /// <summary>For <see cref="PocketsphinxError.UnknownWords"/>: the words missing from the dictionary, in phrase order.</summary>
    public IReadOnlyList<string> UnknownWords { get; } = unknownWords ?? [];
}
