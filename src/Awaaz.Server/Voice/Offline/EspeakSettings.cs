namespace Awaaz.Server.Voice.Offline;

/// <summary>Settings of <see cref="EspeakTextToSpeech"/>.</summary>
public sealed record EspeakSettings
{
    /// <summary>The espeak-ng executable: a name looked up on PATH or a full path. Key <c>Awaaz:EspeakPath</c> (shared with the voice catalog).</summary>
    public string ExecutablePath { get; init; } = "espeak-ng";

    /// <summary>Speaking rate (espeak-ng <c>-s</c>, 80–450). Key <c>Awaaz:Espeak:WordsPerMinute</c>.</summary>
    public int WordsPerMinute { get; init; } = 165;

    /// <summary>Size of the µ-law chunks yielded (the last chunk of a sentence may be shorter). Key <c>Awaaz:Espeak:ChunkMilliseconds</c>.</summary>
    public int ChunkMilliseconds { get; init; } = 100;

    /// <summary>Longest piece of text given to one espeak-ng run; longer sentences are cut at a comma or space.</summary>
    public int MaxSentenceLength { get; init; } = SentenceSplitter.DefaultMaxLength;

    public static EspeakSettings FromConfiguration(IConfiguration configuration)
    {
        var defaults = new EspeakSettings();
        return new EspeakSettings
        {
            ExecutablePath = configuration["Awaaz:EspeakPath"] is { Length: > 0 } path ? path : defaults.ExecutablePath,
            WordsPerMinute = configuration.GetValue("Awaaz:Espeak:WordsPerMinute", defaults.WordsPerMinute),
            ChunkMilliseconds = configuration.GetValue("Awaaz:Espeak:ChunkMilliseconds", defaults.ChunkMilliseconds),
        }.Validated();
    }

    public EspeakSettings Validated()
    {
        if (string.IsNullOrWhiteSpace(ExecutablePath)) throw new ArgumentException("The espeak-ng executable path is empty.", nameof(ExecutablePath));
        if (WordsPerMinute is < 80 or > 450) throw new ArgumentOutOfRangeException(nameof(WordsPerMinute), WordsPerMinute, "espeak-ng speaks at 80–450 words per minute.");
        if (ChunkMilliseconds is < 10 or > 2000) throw new ArgumentOutOfRangeException(nameof(ChunkMilliseconds), ChunkMilliseconds, "Chunks must be 10–2000 ms.");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSentenceLength, 20);
        return this;
    }
}

/// <summary>Why espeak-ng could not speak.</summary>
public enum EspeakError
{
    /// <summary>The executable is missing or cannot be started.</summary>
    NotInstalled,

    /// <summary>Neither the voice nor the language of the request is an installed espeak-ng voice.</summary>
    UnknownVoice,

    /// <summary>espeak-ng ran but failed or wrote something that is not PCM16 mono WAV.</summary>
    SynthesisFailed,
}

/// <summary>espeak-ng could not synthesize; <see cref="Error"/> says why.</summary>
public sealed class EspeakException(EspeakError error, string message, Exception? inner = null) : Exception(message, inner)
{
    public EspeakError Error { get; } = error;
}
