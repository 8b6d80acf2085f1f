using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Offline;

namespace Awaaz.VoiceBench;

/// <summary>
/// Benchmark double of a streaming TTS (provider name <c>fake</c>): real speech — each text rendered once by espeak-ng
/// (8 kHz µ-law) and kept — delivered <see cref="FirstByte"/> after the request, then in 100 ms chunks at
/// <see cref="RealTimeFactor"/>× real time. <see cref="PrerenderAsync"/> renders the known texts before the run, so
/// espeak-ng's own time never counts.
/// </summary>
public sealed class FixedLatencyTextToSpeech(EspeakTextToSpeech espeak, ILogger<FixedLatencyTextToSpeech> logger) : ITextToSpeech
{
    public static readonly TimeSpan FirstByte = TimeSpan.FromMilliseconds(150);
    public const int RealTimeFactor = 5;
    private const int ChunkBytes = 800;

    private readonly ConcurrentDictionary<string, Task<byte[]>> _clips = new();

    public string Name => "fake";

    public async Task PrerenderAsync(IEnumerable<string> texts, SpeechSynthesisOptions options, CancellationToken ct)
    {
        foreach (var text in texts) await Clip(text, options);
    }

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> SynthesizeAsync(string text, SpeechSynthesisOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var clip = Clip(text, options);
        if (!clip.IsCompleted) logger.LogWarning("Bench TTS: '{Text}' was not pre-rendered; rendering it now", text);
        var audio = await clip;
        await Task.Delay(FirstByte, ct);
        var pace = TimeSpan.FromMilliseconds(ChunkBytes / 8.0 / RealTimeFactor);
        for (var offset = 0; offset < audio.Length; offset += ChunkBytes)
        {
            if (offset > 0) await Task.Delay(pace, ct);
            yield return audio.AsMemory(offset, Math.Min(ChunkBytes, audio.Length - offset));
        }
    }

    private Task<byte[]> Clip(string text, SpeechSynthesisOptions options) => _clips.GetOrAdd(text.Trim(), async t =>
    {
        var bytes = new List<byte>();
        await foreach (var chunk in espeak.SynthesizeAsync(t, options with { Voice = "en-us" }, CancellationToken.None)) bytes.AddRange(chunk.ToArray());
        return [.. bytes];
    });
}
