namespace Awaaz.Server.Voice;

// The seams of the voice runtime. Every provider works on 8 kHz telephone audio: PCM16 in, µ-law out.
// LLMs use Microsoft.Extensions.AI's IChatClient (streaming, tool calls).

/// <summary>Speech probability per window; one stream per call, the model (if any) shared per process.</summary>
public interface IVoiceActivityDetector
{
    /// <summary>e.g. <c>silero-v5</c> or <c>energy</c>.</summary>
    string Name { get; }

    /// <summary>Samples per window the stream expects (Silero v5 at 8 kHz: 256 = 32 ms).</summary>
    int WindowSamples { get; }

    IVadStream CreateStream();
}

public interface IVadStream : IDisposable
{
    /// <summary>Speech probability 0–1 of one window of exactly <see cref="IVoiceActivityDetector.WindowSamples"/> 8 kHz samples.</summary>
    float Process(ReadOnlySpan<short> window);

    void Reset();
}

public sealed record SpeechRecognitionOptions(string Language, string? Model = null, IReadOnlyList<string>? Phrases = null);

/// <summary>A transcript from a recognizer. <see cref="IsFinal"/> texts are stable; <see cref="EndOfUtterance"/> is the provider's endpointing.</summary>
public sealed record SpeechRecognitionEvent(string Text, bool IsFinal, bool EndOfUtterance = false, double? Confidence = null);

/// <summary>Streaming speech-to-text (Deepgram, Sarvam, pocketsphinx…).</summary>
public interface ISpeechToText
{
    string Name { get; }
    Task<ISpeechRecognition> StartAsync(SpeechRecognitionOptions options, CancellationToken ct);
}

/// <summary>One recognition session, usually one per call (providers that need it reconnect inside).</summary>
public interface ISpeechRecognition : IAsyncDisposable
{
    /// <summary>Caller audio, 8 kHz PCM16, in order.</summary>
    ValueTask SendAsync(ReadOnlyMemory<short> pcm, CancellationToken ct);

    /// <summary>The VAD heard the end of the user's speech: finalise what was said so far.</summary>
    ValueTask FlushAsync(CancellationToken ct);

    /// <summary>Partial and final transcripts, until the session is disposed.</summary>
    IAsyncEnumerable<SpeechRecognitionEvent> ReadEventsAsync(CancellationToken ct);
}

public sealed record SpeechSynthesisOptions(string Voice, string Language, string? Model = null);

/// <summary>Streaming text-to-speech (ElevenLabs, Sarvam, Cartesia, espeak-ng…): 8 kHz µ-law chunks as soon as they exist.</summary>
public interface ITextToSpeech
{
    string Name { get; }
    IAsyncEnumerable<ReadOnlyMemory<byte>> SynthesizeAsync(string text, SpeechSynthesisOptions options, CancellationToken ct);
}
