using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Vad;
using BenchmarkDotNet.Attributes;

namespace Awaaz.Benchmarks.Voice;

/// <summary>Silero VAD v5 on one 32 ms window (256 samples at 8 kHz), one ONNX Runtime thread. Needs scripts/assets.sh.</summary>
[MemoryDiagnoser]
public class SileroVadBenchmarks
{
    private SileroVad _vad = null!;
    private IVadStream _stream = null!;
    private readonly short[] _window = VadBenchmarkAudio.Window();

    [GlobalSetup]
    public void Setup()
    {
        var assets = VadBenchmarkAudio.Assets();
        _vad = SileroVad.Open(Path.Combine(assets, "libonnxruntime.so"), Path.Combine(assets, "silero_vad.onnx"));
        _stream = _vad.CreateStream();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stream.Dispose();
        _vad.Dispose();
    }

    [Benchmark]
    public float Window32Ms() => _stream.Process(_window);
}

/// <summary>A digitally silent window after a second of silence: skipped (RMS only), as for a caller listening to the agent.</summary>
[MemoryDiagnoser]
public class SileroQuietWindowBenchmarks
{
    private SileroVad _vad = null!;
    private IVadStream _stream = null!;
    private readonly short[] _silence = new short[SileroVad.Window];

    [GlobalSetup]
    public void Setup()
    {
        var assets = VadBenchmarkAudio.Assets();
        _vad = SileroVad.Open(Path.Combine(assets, "libonnxruntime.so"), Path.Combine(assets, "silero_vad.onnx"));
        _stream = _vad.CreateStream();
        for (var i = 0; i <= SileroVad.SettleWindows; i++) _stream.Process(_silence);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stream.Dispose();
        _vad.Dispose();
    }

    [Benchmark]
    public float QuietWindow32Ms() => _stream.Process(_silence);
}

/// <summary>The energy fallback on the same window.</summary>
[MemoryDiagnoser]
public class EnergyVadBenchmarks
{
    private readonly IVadStream _stream = new EnergyVad().CreateStream();
    private readonly short[] _window = VadBenchmarkAudio.Window();

    [Benchmark]
    public float Window32Ms() => _stream.Process(_window);
}

internal static class VadBenchmarkAudio
{
    /// <summary>A voiced-like window: 200 Hz harmonics plus noise, about −20 dBFS.</summary>
    public static short[] Window()
    {
        var random = new Random(3);
        return Enumerable.Range(0, SileroVad.Window).Select(i =>
            (short)(2000 * Math.Sin(2 * Math.PI * 200 * i / 8000) + 1000 * Math.Sin(2 * Math.PI * 600 * i / 8000) + random.Next(-300, 300))).ToArray();
    }

    /// <summary>The repository's ./assets, found from the benchmark's (generated) output directory.</summary>
    public static string Assets()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Awaaz.slnx")))
            {
                var assets = Path.Combine(dir.FullName, "assets");
                if (File.Exists(Path.Combine(assets, "silero_vad.onnx"))) return assets;
                throw new InvalidOperationException($"{assets} has no silero_vad.onnx: run scripts/assets.sh");
            }
        throw new InvalidOperationException($"No Awaaz.slnx above {AppContext.BaseDirectory}");
    }
}
