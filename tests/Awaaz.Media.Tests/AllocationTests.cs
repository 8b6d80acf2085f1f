using Awaaz.Media.Tests.Support;

namespace Awaaz.Media.Tests;

/// <summary>The per-frame paths run for every call every 20–100 ms: after construction they must not allocate.</summary>
public sealed class AllocationTests
{
    private static long AllocatedBy(Action warmUpAndRun, Action run)
    {
        for (var i = 0; i < 200; i++) warmUpAndRun();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) run();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Resampling_does_not_allocate()
    {
        var up = new Resampler(8000, 16000);
        var down = new Resampler(16000, 8000);
        var tts = new Resampler(22050, 8000);
        var narrow = Signals.Noise(1, 800);
        var wide = new short[1700];
        var back = new short[900];
        var ttsInput = Signals.Noise(2, 2205);
        void Run()
        {
            var n = up.Process(narrow, wide);
            down.Process(wide.AsSpan(0, n), back);
            tts.Process(ttsInput, back);
        }
        AllocatedBy(Run, Run).ShouldBe(0);
        AllocatedBy(() => up.Flush(wide), () => up.Flush(wide)).ShouldBe(0);
    }

    [Fact]
    public void Codec_and_framing_and_pacing_do_not_allocate()
    {
        var time = new ManualClock();
        var framer = new OutboundFramer(time);
        var clock = new PlayoutClock(time);
        var pcm = Signals.Noise(3, 730);
        var codes = new byte[730];
        var frame = new byte[800];
        var i = 0;
        void Run()
        {
            MuLaw.Encode(pcm, codes);
            MuLaw.Decode(codes, pcm);
            framer.Append(codes);
            if (++i % 7 == 0) framer.CompleteUtterance();
            time.AdvanceMs(45);
            framer.TimeUntilNextFrame();
            while (framer.TryTakeFrame(frame, out var f))
            {
                time.Advance(clock.DelayBeforeSending(f.Length));
                clock.Sent(f.Length);
            }
            clock.HeardOf(0, clock.SentBytes);
            if (i % 11 == 0)
            {
                clock.Clear();
                framer.Clear();
            }
        }
        AllocatedBy(Run, Run).ShouldBe(0);
    }

    [Fact]
    public void Recording_does_not_allocate()
    {
        var recorder = new CallRecorder(Stream.Null);
        var chunk = new byte[800];
        var t = 0;
        void Run()
        {
            t += 100;
            recorder.AppendCaller(chunk, t, TimeSpan.FromMilliseconds(t + 100));
            recorder.AppendAgent(chunk, TimeSpan.FromMilliseconds(t + 500));
            if (t % 1000 == 0) recorder.TruncateAgent(TimeSpan.FromMilliseconds(t + 550));
        }
        AllocatedBy(Run, Run).ShouldBe(0);
    }
}
