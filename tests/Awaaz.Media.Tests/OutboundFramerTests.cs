using Awaaz.Media.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Awaaz.Media.Tests;

public sealed class OutboundFramerTests
{
    private enum Step { Append, Advance, Drain, Complete }

    private static readonly Gen<(Step Kind, int Value)> Steps = Gen.Frequency(
        (5, Gen.Choose(0, 1700).Select(n => (Step.Append, n))),
        (3, Gen.Choose(0, 60).Select(ms => (Step.Advance, ms))),
        (4, Gen.Constant((Step.Drain, 0))),
        (1, Gen.Constant((Step.Complete, 0))));

    private static readonly Gen<int> FrameSizes = Gen.Elements(160, 320, 480, 800, 1600, 3200);

    private sealed record Taken(byte[] Audio, bool EndsUtterance);

    private static List<Taken> Drain(OutboundFramer framer)
    {
        var taken = new List<Taken>();
        var buffer = new byte[framer.FrameBytes];
        while (framer.TryTakeFrame(buffer, out var frame))
            taken.Add(new Taken(buffer[..frame.Length], frame.EndsUtterance));
        return taken;
    }

    private static byte[] Bytes(int count, byte seed)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++) bytes[i] = (byte)(seed + i * 7);
        return bytes;
    }

    [Fact]
    public void Any_chunking_yields_the_padded_utterances_in_whole_units_without_crossing_utterance_ends()
    {
        var scenarios =
            from frameBytes in FrameSizes
            from steps in Steps.ArrayOf()
            select (frameBytes, steps);
        Prop.ForAll(scenarios.ToArbitrary(), scenario =>
        {
            var clock = new ManualClock();
            var framer = new OutboundFramer(clock, scenario.frameBytes);
            var taken = new List<Taken>();
            var expected = new List<byte>();
            var utteranceEnds = new List<long>(); // offsets in the expected stream
            var openLength = 0;
            var sinceAppendMs = 0;
            byte seed = 1;

            void Complete()
            {
                var padding = (160 - openLength % 160) % 160;
                expected.AddRange(Enumerable.Repeat(MuLaw.Silence, padding));
                utteranceEnds.Add(expected.Count);
                openLength = 0;
                framer.CompleteUtterance();
            }

            foreach (var (kind, value) in scenario.steps)
            {
                switch (kind)
                {
                    case Step.Append:
                        var audio = Bytes(value, seed++);
                        framer.Append(audio);
                        expected.AddRange(audio);
                        openLength += value;
                        if (value > 0) sinceAppendMs = 0;
                        break;
                    case Step.Advance:
                        clock.AdvanceMs(value);
                        sinceAppendMs += value;
                        break;
                    case Step.Drain:
                        taken.AddRange(Drain(framer));
                        // Nothing due is left behind: no full frame, no completed utterance, no idle partial frame.
                        if (framer.BufferedBytes >= scenario.frameBytes) return false.Label("full frame left");
                        if (framer.TimeUntilNextFrame() == TimeSpan.Zero) return false.Label("due item left");
                        if (sinceAppendMs >= 40 && framer.BufferedBytes >= 160) return false.Label("idle frame left");
                        break;
                    case Step.Complete:
                        Complete();
                        break;
                }
            }
            Complete();
            taken.AddRange(Drain(framer));

            var offset = 0L;
            var ends = new List<long>();
            foreach (var item in taken)
            {
                if (item.Audio.Length == 0 && !item.EndsUtterance) return false.Label("empty frame");
                if (item.Audio.Length % 160 != 0 || item.Audio.Length > scenario.frameBytes) return false.Label($"frame of {item.Audio.Length}");
                if (utteranceEnds.Any(e => e > offset && e < offset + item.Audio.Length)) return false.Label("frame crosses an utterance end");
                offset += item.Audio.Length;
                if (item.EndsUtterance) ends.Add(offset);
            }
            return (taken.SelectMany(t => t.Audio).SequenceEqual(expected) && ends.SequenceEqual(utteranceEnds) && framer.BufferedBytes == 0)
                .Label("content or utterance ends differ");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void Without_idle_time_every_frame_but_an_utterance_tail_is_exactly_frame_bytes() =>
        Prop.ForAll(
            FrameSizes.ToArbitrary(),
            Gen.Choose(0, 2000).ArrayOf().ToArbitrary(),
            (frameBytes, chunks) =>
            {
                var framer = new OutboundFramer(new ManualClock(), frameBytes);
                var taken = new List<Taken>();
                foreach (var size in chunks)
                {
                    framer.Append(new byte[size]);
                    taken.AddRange(Drain(framer));
                }
                var beforeEnd = taken.Count;
                framer.CompleteUtterance();
                taken.AddRange(Drain(framer));
                var total = chunks.Sum();
                return taken.Take(beforeEnd).All(t => t.Audio.Length == frameBytes)
                       && taken.SkipLast(1).All(t => t.Audio.Length == frameBytes && !t.EndsUtterance)
                       && taken[^1].EndsUtterance
                       && taken.Sum(t => t.Audio.Length) == (total + 159) / 160 * 160;
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    [Fact]
    public void Sends_exactly_800_bytes_as_soon_as_800_are_buffered()
    {
        var framer = new OutboundFramer(new ManualClock());
        var frame = new byte[800];
        framer.Append(Bytes(799, 3));
        framer.TryTakeFrame(frame, out _).ShouldBeFalse();
        framer.Append([42]);
        framer.TryTakeFrame(frame, out var taken).ShouldBeTrue();
        taken.ShouldBe(new OutboundFrame(800, EndsUtterance: false));
        frame[799].ShouldBe((byte)42);
        framer.BufferedBytes.ShouldBe(0);
    }

    [Fact]
    public void After_40_ms_without_audio_sends_the_largest_multiple_of_160()
    {
        var clock = new ManualClock();
        var framer = new OutboundFramer(clock);
        var frame = new byte[800];
        framer.Append(Bytes(500, 9));
        framer.TimeUntilNextFrame().ShouldBe(TimeSpan.FromMilliseconds(40));
        clock.AdvanceMs(39);
        framer.TryTakeFrame(frame, out _).ShouldBeFalse();
        framer.TimeUntilNextFrame().ShouldBe(TimeSpan.FromMilliseconds(1));
        clock.AdvanceMs(1);
        framer.TryTakeFrame(frame, out var taken).ShouldBeTrue();
        taken.ShouldBe(new OutboundFrame(480, false));
        frame[..480].ShouldBe(Bytes(500, 9)[..480]);

        // 20 bytes are left: below one unit, so nothing more is due until the utterance ends.
        clock.AdvanceMs(500);
        framer.TryTakeFrame(frame, out _).ShouldBeFalse();
        framer.TimeUntilNextFrame().ShouldBeNull();
        framer.CompleteUtterance();
        framer.TryTakeFrame(frame, out taken).ShouldBeTrue();
        taken.ShouldBe(new OutboundFrame(160, true));
        frame[..20].ShouldBe(Bytes(500, 9)[480..]);
        frame[20..160].ShouldAllBe(b => b == MuLaw.Silence);
    }

    [Fact]
    public void New_audio_restarts_the_idle_wait()
    {
        var clock = new ManualClock();
        var framer = new OutboundFramer(clock);
        framer.Append(new byte[200]);
        clock.AdvanceMs(30);
        framer.Append(new byte[200]);
        clock.AdvanceMs(30);
        framer.TryTakeFrame(new byte[800], out _).ShouldBeFalse();
        clock.AdvanceMs(10);
        framer.TryTakeFrame(new byte[800], out var frame).ShouldBeTrue();
        frame.Length.ShouldBe(320);
    }

    [Fact]
    public void Padding_does_not_count_as_new_audio_for_the_next_utterance()
    {
        var clock = new ManualClock();
        var framer = new OutboundFramer(clock);
        var frame = new byte[800];
        framer.Append(new byte[100]);
        framer.CompleteUtterance();
        framer.TryTakeFrame(frame, out var tail).ShouldBeTrue();
        tail.ShouldBe(new OutboundFrame(160, true));
        framer.TryTakeFrame(frame, out _).ShouldBeFalse();
    }

    [Fact]
    public void An_utterance_whose_audio_already_left_ends_with_an_audio_less_item()
    {
        var clock = new ManualClock();
        var framer = new OutboundFramer(clock);
        var frame = new byte[800];
        framer.Append(new byte[320]);
        clock.AdvanceMs(40);
        framer.TryTakeFrame(frame, out var first).ShouldBeTrue();
        first.ShouldBe(new OutboundFrame(320, false));
        framer.CompleteUtterance();
        framer.TryTakeFrame(frame, out var end).ShouldBeTrue();
        end.ShouldBe(new OutboundFrame(0, true));
        end.HasAudio.ShouldBeFalse();
        framer.TryTakeFrame(frame, out _).ShouldBeFalse();
    }

    [Fact]
    public void A_completed_utterance_is_not_merged_with_the_next_one()
    {
        var framer = new OutboundFramer(new ManualClock());
        var frame = new byte[800];
        framer.Append(Bytes(1000, 1));
        framer.CompleteUtterance();
        framer.Append(Bytes(1000, 2));
        framer.TryTakeFrame(frame, out var a).ShouldBeTrue();
        framer.TryTakeFrame(frame, out var b).ShouldBeTrue();
        framer.TryTakeFrame(frame, out var c).ShouldBeTrue();
        (a, b, c).ShouldBe((new OutboundFrame(800, false), new OutboundFrame(320, true), new OutboundFrame(800, false)));
        framer.BufferedBytes.ShouldBe(200);
    }

    [Fact]
    public void Clear_drops_buffered_audio_and_pending_utterance_ends()
    {
        var clock = new ManualClock();
        var framer = new OutboundFramer(clock);
        framer.Append(new byte[900]);
        framer.CompleteUtterance();
        framer.Append(new byte[50]);
        framer.Clear().ShouldBe(960 + 50);
        framer.BufferedBytes.ShouldBe(0);
        framer.TimeUntilNextFrame().ShouldBeNull();
        framer.TryTakeFrame(new byte[800], out _).ShouldBeFalse();

        // The next utterance is padded from its own start.
        framer.Append(new byte[170]);
        framer.CompleteUtterance();
        framer.TryTakeFrame(new byte[800], out var tail).ShouldBeTrue();
        tail.ShouldBe(new OutboundFrame(320, true));
    }

    [Fact]
    public void Buffer_grows_for_long_utterances_and_keeps_order()
    {
        var framer = new OutboundFramer(new ManualClock(), 160);
        var audio = Bytes(100_003, 5);
        foreach (var chunk in audio.Chunk(4099)) framer.Append(chunk);
        framer.CompleteUtterance();
        Drain(framer).SelectMany(t => t.Audio).Take(audio.Length).ShouldBe(audio);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(161)]
    [InlineData(3360)]
    [InlineData(-160)]
    public void Rejects_frame_sizes_outside_the_spec(int frameBytes) =>
        Should.Throw<ArgumentOutOfRangeException>(() => new OutboundFramer(new ManualClock(), frameBytes));

    [Fact]
    public void Accepts_the_spec_bounds_and_needs_room_for_a_full_frame()
    {
        new OutboundFramer(new ManualClock(), 160).FrameBytes.ShouldBe(160);
        var framer = new OutboundFramer(new ManualClock(), 3200);
        Should.Throw<ArgumentException>(() => framer.TryTakeFrame(new byte[800], out _));
    }
}
