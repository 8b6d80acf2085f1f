using Awaaz.Media.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Awaaz.Media.Tests;

public sealed class PlayoutClockTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    /// <summary>Sends <paramref name="frames"/> frames the way the call engine does: wait as told, then send.</summary>
    private static List<TimeSpan> PacedSend(ManualClock time, PlayoutClock clock, int frames, int bytes = 800)
    {
        var sendTimes = new List<TimeSpan>();
        for (var i = 0; i < frames; i++)
        {
            time.Advance(clock.DelayBeforeSending(bytes));
            sendTimes.Add(clock.Now);
            clock.Sent(bytes);
            clock.Lead.ShouldBeLessThanOrEqualTo(clock.MaxLead);
        }
        return sendTimes;
    }

    [Fact]
    public void Sends_up_to_the_lead_at_once_then_one_frame_per_frame_duration()
    {
        var time = new ManualClock();
        var clock = new PlayoutClock(time);
        var sendTimes = PacedSend(time, clock, 10);
        sendTimes.ShouldBe([Ms(0), Ms(0), Ms(0), Ms(0), Ms(0), Ms(0), Ms(100), Ms(200), Ms(300), Ms(400)]);
        clock.Lead.ShouldBe(Ms(600));
        clock.SentBytes.ShouldBe(8000);
        clock.PlayedBytes.ShouldBe(3200);
    }

    [Fact]
    public void A_smaller_lead_is_honoured()
    {
        var time = new ManualClock();
        var clock = new PlayoutClock(time, Ms(400));
        PacedSend(time, clock, 6, 320).ShouldBe([Ms(0), Ms(0), Ms(0), Ms(0), Ms(0), Ms(0)]); // 6 × 40 ms = 240 ms
        PacedSend(time, clock, 6, 320).ShouldBe([Ms(0), Ms(0), Ms(0), Ms(0), Ms(40), Ms(80)]);
    }

    [Fact]
    public void Lead_never_exceeds_the_maximum_and_playback_never_runs_dry_under_a_late_sender()
    {
        var scenarios =
            from leadMs in Gen.Choose(100, 1000)
            from frames in Gen.Choose(1, 20).Select(units => units * 160).Where(b => b * 1000 / 8000 <= leadMs).ArrayOf()
            from lateness in Gen.Choose(0, 30).ArrayOf(frames.Length)
            select (leadMs, frames, lateness);
        Prop.ForAll(scenarios.ToArbitrary(), s =>
        {
            var time = new ManualClock();
            var clock = new PlayoutClock(time, Ms(s.leadMs));
            var expectedStart = TimeSpan.Zero;
            for (var i = 0; i < s.frames.Length; i++)
            {
                var delay = clock.DelayBeforeSending(s.frames[i]);
                if (delay > clock.Lead) return false.Label("waits past the end of playback");
                time.Advance(delay);
                var wasPlaying = clock.IsPlaying;
                var start = clock.Sent(s.frames[i]);
                if (clock.Lead > clock.MaxLead) return false.Label($"lead {clock.Lead}");
                // While playing, each frame starts exactly where the previous one ends.
                if (wasPlaying && start != expectedStart) return false.Label("gap or overlap in the playout");
                if (!wasPlaying && start != clock.Now) return false.Label("idle start not now");
                expectedStart = start + PlayoutClock.DurationOf(s.frames[i]);
                time.AdvanceMs(s.lateness[i]);
            }
            return true.Label("ok");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void Playback_restarts_from_now_after_the_queue_drains()
    {
        var time = new ManualClock();
        var clock = new PlayoutClock(time);
        clock.Sent(800).ShouldBe(Ms(0));
        clock.Sent(800).ShouldBe(Ms(100));
        time.AdvanceMs(150);
        clock.IsPlaying.ShouldBeTrue();
        clock.Lead.ShouldBe(Ms(50));
        clock.PlayedBytes.ShouldBe(1200);
        time.AdvanceMs(850);
        clock.IsPlaying.ShouldBeFalse();
        clock.Lead.ShouldBe(TimeSpan.Zero);
        clock.PlayedBytes.ShouldBe(1600);
        clock.DelayBeforeSending(3200).ShouldBe(TimeSpan.Zero);
        clock.Sent(800).ShouldBe(Ms(1000)); // not 200 ms: the caller heard silence in between
        time.AdvanceMs(50);
        clock.PlayedBytes.ShouldBe(2000);
    }

    [Fact]
    public void Clear_stops_playback_and_reports_what_was_heard()
    {
        var time = new ManualClock();
        var clock = new PlayoutClock(time);
        var segment1 = (Start: clock.SentBytes, End: 0L);
        PacedSend(time, clock, 3);
        segment1.End = clock.SentBytes;
        var segment2 = (Start: clock.SentBytes, End: 0L);
        PacedSend(time, clock, 3);
        segment2.End = clock.SentBytes;

        time.AdvanceMs(250);
        clock.HeardOf(segment1.Start, segment1.End).ShouldBe(Ms(250));
        clock.HeardOf(segment2.Start, segment2.End).ShouldBe(TimeSpan.Zero);
        time.AdvanceMs(120);
        clock.HeardOf(segment1.Start, segment1.End).ShouldBe(Ms(300));
        clock.HeardOf(segment2.Start, segment2.End).ShouldBe(Ms(70));

        clock.Clear().ShouldBe(2960);
        clock.IsPlaying.ShouldBeFalse();
        clock.Lead.ShouldBe(TimeSpan.Zero);
        clock.DelayBeforeSending(800).ShouldBe(TimeSpan.Zero);
        time.AdvanceMs(500);
        clock.HeardOf(segment2.Start, segment2.End).ShouldBe(Ms(70));

        // The next turn plays from now; the discarded rest of segment 2 stays unheard.
        clock.Sent(800).ShouldBe(Ms(870));
        time.AdvanceMs(300);
        clock.PlayedBytes.ShouldBe(4800 + 800);
        clock.HeardOf(segment2.Start, segment2.End).ShouldBe(Ms(70));
        clock.HeardOf(segment2.End, clock.SentBytes).ShouldBe(Ms(100));
    }

    [Fact]
    public void Clear_while_idle_discards_nothing()
    {
        var time = new ManualClock();
        var clock = new PlayoutClock(time);
        clock.Sent(160);
        time.AdvanceMs(100);
        clock.Clear().ShouldBe(160);
        clock.HeardOf(0, 160).ShouldBe(Ms(20));
    }

    [Fact]
    public void A_frame_longer_than_the_lead_waits_at_most_until_playback_ends()
    {
        var time = new ManualClock();
        var clock = new PlayoutClock(time, Ms(200));
        clock.Sent(800);
        time.AdvanceMs(50);
        clock.DelayBeforeSending(3200).ShouldBe(Ms(50));
    }

    [Fact]
    public void Rejects_invalid_arguments()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new PlayoutClock(new ManualClock(), TimeSpan.Zero));
        var clock = new PlayoutClock(new ManualClock());
        Should.Throw<ArgumentOutOfRangeException>(() => clock.Sent(-1));
        Should.Throw<ArgumentOutOfRangeException>(() => clock.DelayBeforeSending(-1));
        Should.Throw<ArgumentException>(() => clock.HeardOf(10, 5));
        clock.Sent(0).ShouldBe(TimeSpan.Zero);
        clock.IsPlaying.ShouldBeFalse();
    }
}
