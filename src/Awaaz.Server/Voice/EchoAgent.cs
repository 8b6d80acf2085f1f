using System.Diagnostics;
using Awaaz.Media;
using Awaaz.Server.Calls;

namespace Awaaz.Server.Voice;

/// <summary>
/// The built-in echo test agent: says a short greeting, then plays each thing the caller says back to them after
/// a pause. Speech is detected by energy; an utterance ends after 700 ms of silence (capped at 10 s of audio).
/// Useful to check a Smartflo account end to end and to load-test the media plane.
/// </summary>
public sealed class EchoAgent(GreetingAudio greeting) : IConversationEngine
{
    private const double SpeechRms = 500;
    private static readonly TimeSpan EndOfUtteranceSilence = TimeSpan.FromMilliseconds(700);
    private const int MaxUtteranceSamples = 8000 * 10;

    public async Task RunAsync(ConversationContext context, CancellationToken ct)
    {
        var hello = await greeting.GetAsync(ct);
        var playback = await context.Speech.SpeakAsync(Chunks(hello), ct);
        context.Transcript(new TranscriptTurn("bot", "speech", GreetingAudio.Text, context.Clock.GetUtcNow() - playback.Duration, context.Clock.GetUtcNow(), null, !playback.Completed));

        var heard = new List<short>(8000 * 4);
        var silence = TimeSpan.Zero;
        var speaking = false;
        await foreach (var input in context.Input.ReadAllAsync(ct))
        {
            if (input is not CallerAudio audio) continue;
            var voiced = Rms(audio.Samples) >= SpeechRms;
            var duration = TimeSpan.FromSeconds(audio.Samples.Length / 8000.0);
            if (voiced) { speaking = true; silence = TimeSpan.Zero; }
            else silence += duration;
            if (speaking && heard.Count < MaxUtteranceSamples) heard.AddRange(audio.Samples);
            if (!speaking || (silence < EndOfUtteranceSilence && heard.Count < MaxUtteranceSamples)) continue;

            var echo = Encode(heard);
            heard.Clear();
            speaking = false;
            silence = TimeSpan.Zero;
            var started = Stopwatch.GetTimestamp();
            var result = await context.Speech.SpeakAsync(Chunks(echo), ct);
            context.Transcript(new TranscriptTurn("bot", "speech", "(echo)", context.Clock.GetUtcNow() - Stopwatch.GetElapsedTime(started), context.Clock.GetUtcNow(), null, !result.Completed));
        }
    }

    private static byte[] Encode(List<short> pcm)
    {
        var mulaw = new byte[pcm.Count];
        MuLaw.Encode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pcm), mulaw);
        return mulaw;
    }

    private static double Rms(short[] samples)
    {
        if (samples.Length == 0) return 0;
        double sum = 0;
        foreach (var s in samples) sum += s * (double)s;
        return Math.Sqrt(sum / samples.Length);
    }

    /// <summary>Hands audio to the speech path in 100 ms pieces, as a streaming TTS would.</summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(byte[] mulaw)
    {
        for (var offset = 0; offset < mulaw.Length; offset += 800)
            yield return mulaw.AsMemory(offset, Math.Min(800, mulaw.Length - offset));
        await Task.CompletedTask;
    }
}

/// <summary>
/// The echo agent's greeting: spoken by espeak-ng once per process (22 050 Hz → 8 kHz µ-law), or a two-tone chime
/// when espeak-ng is not installed.
/// </summary>
public sealed class GreetingAudio(ILogger<GreetingAudio> logger)
{
    public const string Text = "Hello! This is the Awaaz echo test. Say something and I will repeat it.";
    private Task<byte[]>? _audio;

    public Task<byte[]> GetAsync(CancellationToken ct) => LazyInitializer.EnsureInitialized(ref _audio, () => SynthesizeAsync());

    private async Task<byte[]> SynthesizeAsync()
    {
        try
        {
            var start = new ProcessStartInfo("espeak-ng") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-v", "en-us", "-s", "165", "--stdout", Text }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            using var wav = new MemoryStream();
            await process.StandardOutput.BaseStream.CopyToAsync(wav);
            await process.WaitForExitAsync();
            var audio = WavReader.ReadAll(wav.ToArray());
            var samples = audio.Channel(0);
            var resampler = new Resampler(audio.Format.SampleRate, 8000);
            var pcm = new short[resampler.GetOutputLength(samples.Length) + resampler.GetFlushLength()];
            var n = resampler.Process(samples, pcm);
            n += resampler.Flush(pcm.AsSpan(n));
            var mulaw = new byte[n];
            MuLaw.Encode(pcm.AsSpan(0, n), mulaw);
            return mulaw;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or WavFormatException)
        {
            logger.LogWarning("espeak-ng unavailable ({Error}); the echo agent greets with a chime", ex.Message);
            return Chime();
        }
    }

    private static byte[] Chime()
    {
        var mulaw = new byte[8000];
        for (var i = 0; i < mulaw.Length; i++)
        {
            var f = i < 4000 ? 660.0 : 880.0;
            mulaw[i] = MuLaw.Encode((short)(8000 * Math.Sin(2 * Math.PI * f * i / 8000.0)));
        }
        return mulaw;
    }
}
