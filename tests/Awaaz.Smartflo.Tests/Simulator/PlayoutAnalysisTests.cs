using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Load;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>The exact definitions of utterance, playout lateness and underrun (docs/smartflo-simulator.md, load generator).</summary>
public sealed class PlayoutAnalysisTests
{
    private static BotAudioEvent Media(double at, int bytes = 800) => new(at, BotAudioEventKind.Media, bytes);
    private static BotAudioEvent Mark(double at) => new(at, BotAudioEventKind.Mark, 0);
    private static BotAudioEvent Clear(double at) => new(at, BotAudioEventKind.Clear, 0);
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(500);

    [Fact]
    public void A_burst_ahead_of_real_time_is_early_and_never_underruns()
    {
        var report = PlayoutAnalysis.Analyse([Media(0), Media(1), Media(2)], Gap);

        report.Utterances.ShouldBe(1);
        report.Frames.Select(f => f.DeadlineMs).ShouldBe([0, 100, 200]);
        report.Frames.Select(f => f.LatenessMs).ShouldBe([0, -99, -198]);
        report.Underruns.ShouldBe(0);
    }

    [Fact]
    public void Frames_exactly_on_the_real_time_schedule_are_on_time()
    {
        var report = PlayoutAnalysis.Analyse([Media(0), Media(100), Media(200, 160), Media(220)], Gap);

        report.Frames.Select(f => f.LatenessMs).ShouldBe([0, 0, 0, 0]);
        report.Underruns.ShouldBe(0);
    }

    [Fact]
    public void A_frame_after_the_audio_before_it_finished_is_an_underrun_with_its_stall()
    {
        var report = PlayoutAnalysis.Analyse([Media(0), Media(150), Media(260)], Gap);

        report.Frames.Select(f => f.LatenessMs).ShouldBe([0, 50, 60]);
        report.Frames.Select(f => f.Underrun).ShouldBe([false, true, true]);
        report.Frames.Select(f => f.StallMs).ShouldBe([0, 50, 10]); // playback restarts at 150, ends at 250
    }

    [Fact]
    public void Marks_and_clears_end_an_utterance()
    {
        var report = PlayoutAnalysis.Analyse([Media(0), Mark(10), Media(400), Clear(450), Media(460), Media(470)], Gap);

        report.Utterances.ShouldBe(3);
        report.Frames.Select(f => f.Utterance).ShouldBe([0, 1, 2, 2]);
        report.Frames.Select(f => f.LatenessMs).ShouldBe([0, 0, 0, -90]);
        report.Underruns.ShouldBe(0);
    }

    [Fact]
    public void A_silence_longer_than_the_gap_starts_a_new_utterance_and_a_shorter_one_is_an_underrun()
    {
        var split = PlayoutAnalysis.Analyse([Media(0), Media(700)], Gap);            // 600 ms of silence after 100 ms of audio
        var joined = PlayoutAnalysis.Analyse([Media(0), Media(700)], TimeSpan.FromSeconds(1));

        split.Utterances.ShouldBe(2);
        split.Underruns.ShouldBe(0);
        joined.Utterances.ShouldBe(1);
        joined.Frames[1].Underrun.ShouldBeTrue();
        joined.Frames[1].StallMs.ShouldBe(600);
        joined.Frames[1].LatenessMs.ShouldBe(600);
    }

    [Fact]
    public void Distribution_uses_nearest_rank_over_the_sorted_sample()
    {
        var d = Distribution.Of(Enumerable.Range(1, 200).Select(i => (double)i).Reverse());

        (d.Count, d.Min, d.P50, d.P95, d.P99, d.Max, d.Mean).ShouldBe((200, 1.0, 100.0, 190.0, 198.0, 200.0, 100.5));
        Distribution.Of([]).ShouldBe(Distribution.Empty);
    }
}
