using Awaaz.Media;
using BenchmarkDotNet.Attributes;

namespace Awaaz.Benchmarks.Media;

/// <summary>G.711 µ-law on one 100 ms Smartflo frame (800 samples).</summary>
[MemoryDiagnoser]
public class MuLawBenchmarks
{
    private readonly short[] _pcm = new short[800];
    private readonly byte[] _codes = new byte[800];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (var i = 0; i < _pcm.Length; i++) _pcm[i] = (short)random.Next(short.MinValue, short.MaxValue);
        MuLaw.Encode(_pcm, _codes);
    }

    [Benchmark]
    public void Encode800() => MuLaw.Encode(_pcm, _codes);

    [Benchmark]
    public void Decode800() => MuLaw.Decode(_codes, _pcm);
}

/// <summary>Streaming resampling of 100 ms chunks.</summary>
[MemoryDiagnoser]
public class ResamplerBenchmarks
{
    private readonly Resampler _up = new(8000, 16000);
    private readonly Resampler _down = new(16000, 8000);
    private readonly Resampler _tts = new(22050, 8000);
    private readonly short[] _narrow = new short[800];
    private readonly short[] _wide = new short[1600];
    private readonly short[] _tts100Ms = new short[2205];
    private readonly short[] _output = new short[1700];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        for (var i = 0; i < _narrow.Length; i++) _narrow[i] = (short)random.Next(-10_000, 10_000);
        for (var i = 0; i < _wide.Length; i++) _wide[i] = (short)random.Next(-10_000, 10_000);
        for (var i = 0; i < _tts100Ms.Length; i++) _tts100Ms[i] = (short)random.Next(-10_000, 10_000);
    }

    [Benchmark]
    public int Up8kTo16k100Ms() => _up.Process(_narrow, _output);

    [Benchmark]
    public int Down16kTo8k100Ms() => _down.Process(_wide, _output);

    [Benchmark]
    public int Down22050To8k100Ms() => _tts.Process(_tts100Ms, _output);
}

/// <summary>One 800-byte frame through the framer, and through framer plus playout clock.</summary>
[MemoryDiagnoser]
public class OutboundFramerBenchmarks
{
    private readonly byte[] _audio = new byte[800];
    private readonly byte[] _frame = new byte[800];
    private OutboundFramer _framer = null!;
    private PlayoutClock _clock = null!;

    [GlobalSetup]
    public void Setup()
    {
        _framer = new OutboundFramer(TimeProvider.System);
        // A lead far larger than the run, so pacing never asks to wait and the clock keeps counting.
        _clock = new PlayoutClock(TimeProvider.System, TimeSpan.FromDays(1));
    }

    [Benchmark]
    public int AppendAndTakeFrame()
    {
        _framer.Append(_audio);
        _framer.TryTakeFrame(_frame, out var frame);
        return frame.Length;
    }

    [Benchmark]
    public TimeSpan AppendTakeAndPace()
    {
        _framer.Append(_audio);
        _framer.TryTakeFrame(_frame, out var frame);
        var wait = _clock.DelayBeforeSending(frame.Length);
        return _clock.Sent(frame.Length) + wait;
    }
}

/// <summary>Recording 100 ms of caller and 100 ms of agent audio (written to Stream.Null).</summary>
[MemoryDiagnoser]
public class CallRecorderBenchmarks
{
    private readonly byte[] _chunk = new byte[800];
    private CallRecorder _recorder = null!;
    private long _ms;

    [GlobalSetup]
    public void Setup()
    {
        _recorder = new CallRecorder(Stream.Null);
        new Random(3).NextBytes(_chunk);
    }

    [GlobalCleanup]
    public void Cleanup() => _recorder.Dispose();

    [Benchmark]
    public void AppendCallerAndAgent100Ms()
    {
        _ms += 100;
        _recorder.AppendCaller(_chunk, _ms, TimeSpan.FromMilliseconds(_ms + 100));
        _recorder.AppendAgent(_chunk, TimeSpan.FromMilliseconds(_ms + 500));
    }
}
