using System.Diagnostics;
using Awaaz.Media;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Vad;

namespace Awaaz.Server.Tests.Voice.Vad;

/// <summary>The assets scripts/assets.sh fetches into the repository's ./assets.</summary>
public static class VadAssets
{
    public static string Root { get; } = FindRoot();
    public static string OnnxRuntimePath => Path.Combine(Root, "assets", "libonnxruntime.so");
    public static string ModelPath => Path.Combine(Root, "assets", "silero_vad.onnx");

    /// <summary>Fails (never skips) when the assets are missing.</summary>
    public static void Require()
    {
        foreach (var path in new[] { OnnxRuntimePath, ModelPath })
            if (!File.Exists(path))
                throw new InvalidOperationException($"{path} is missing: run scripts/assets.sh (scripts/test.sh does) before the VAD tests.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Awaaz.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No Awaaz.slnx above {AppContext.BaseDirectory}");
    }
}

/// <summary>One Silero detector (one ONNX Runtime session) shared by a test class, as in the server.</summary>
public sealed class SileroFixture : IDisposable
{
    public SileroVad Vad { get; }

    public SileroFixture()
    {
        VadAssets.Require();
        Vad = SileroVad.Open(VadAssets.OnnxRuntimePath, VadAssets.ModelPath);
    }

    public void Dispose() => Vad.Dispose();
}

/// <summary>Test audio at 8 kHz: espeak-ng speech, tones, noise, silence.</summary>
public static class TestAudio
{
    public const int Rate = 8000;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), short[]> SpeechCache = new();

    /// <summary><paramref name="text"/> spoken by espeak-ng (22 050 Hz) resampled to 8 kHz with <see cref="Resampler"/>.</summary>
    public static short[] Speech(string text, string voice = "en-us") => SpeechCache.GetOrAdd((text, voice), key =>
    {
        var psi = new ProcessStartInfo("/usr/bin/espeak-ng") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-v", key.Item2, "--stdout", key.Item1 }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        using var wav = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(wav);
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"espeak-ng failed: {process.StandardError.ReadToEnd()}");
        var audio = WavReader.ReadAll(wav.ToArray());
        var resampler = new Resampler(audio.Format.SampleRate, Rate);
        var samples = audio.Channel(0);
        var output = new short[resampler.GetOutputLength(samples.Length) + resampler.GetFlushLength() + 64];
        var n = resampler.Process(samples, output);
        n += resampler.Flush(output.AsSpan(n));
        return output[..n];
    });

    public static short[] Silence(double seconds) => new short[(int)(seconds * Rate)];

    /// <summary>Gaussian-ish white noise with the given RMS level in dBFS.</summary>
    public static short[] Noise(double seconds, double dbfs, int seed = 1)
    {
        var random = new Random(seed);
        var rms = 32768 * Math.Pow(10, dbfs / 20);
        return Enumerable.Range(0, (int)(seconds * Rate)).Select(_ =>
        {
            // Box–Muller
            var g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return (short)Math.Clamp(Math.Round(g * rms), short.MinValue, short.MaxValue);
        }).ToArray();
    }

    /// <summary>A sine at <paramref name="hz"/> with the given peak level in dBFS.</summary>
    public static short[] Tone(double seconds, double hz, double peakDbfs)
    {
        var peak = 32767 * Math.Pow(10, peakDbfs / 20);
        return Enumerable.Range(0, (int)(seconds * Rate)).Select(i => (short)Math.Round(peak * Math.Sin(2 * Math.PI * hz * i / Rate))).ToArray();
    }

    public static short[] Concat(params short[][] parts) => parts.SelectMany(p => p).ToArray();

    public static short[] Mix(short[] a, short[] b) =>
        Enumerable.Range(0, Math.Max(a.Length, b.Length))
            .Select(i => (short)Math.Clamp((i < a.Length ? a[i] : 0) + (i < b.Length ? b[i] : 0), short.MinValue, short.MaxValue)).ToArray();

    /// <summary>Through G.711 µ-law and back, as on the Smartflo line.</summary>
    public static short[] ThroughMuLaw(short[] pcm)
    {
        var codes = new byte[pcm.Length];
        MuLaw.Encode(pcm, codes);
        var back = new short[pcm.Length];
        MuLaw.Decode(codes, back);
        return back;
    }

    /// <summary>Runs whole windows of <paramref name="audio"/> through <paramref name="stream"/> (a trailing partial window is dropped).</summary>
    public static float[] Probabilities(IVadStream stream, short[] audio, int window)
    {
        var result = new float[audio.Length / window];
        for (var i = 0; i < result.Length; i++) result[i] = stream.Process(audio.AsSpan(i * window, window));
        return result;
    }

    public static float[] Probabilities(IVoiceActivityDetector vad, short[] audio)
    {
        using var stream = vad.CreateStream();
        return Probabilities(stream, audio, vad.WindowSamples);
    }
}
