using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Load;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>The load generator in-process against the fake bot: counts and invariants, never wall-clock figures.</summary>
public sealed class LoadRunTests
{
    /// <summary>Two utterances per call, each sent ahead of real time and closed by a mark (what Awaaz does).</summary>
    private static async Task TwoUtterances(BotSession session)
    {
        await session.SendAudioAsync(4000, 0x11);
        await session.SendMarkAsync("t1.1");
        await session.WaitForEchoAsync("t1.1");
        await session.SendAudioAsync(2400, 0x12);
        await session.SendMarkAsync("t2.1");
    }

    [Fact]
    public async Task Five_calls_against_a_correct_bot_give_consistent_figures_and_no_violations()
    {
        await using var bot = await FakeBot.StartAsync(TwoUtterances);
        var run = new LoadRun(new LoadOptions
        {
            ResolverUrl = bot.ResolverUrl,
            Calls = 5,
            Ramp = TimeSpan.FromMilliseconds(500),
            Duration = TimeSpan.FromSeconds(3),
            ServerPid = Environment.ProcessId,
            SampleEvery = TimeSpan.FromMilliseconds(250),
        });

        var result = await run.RunAsync(TestContext.Current.CancellationToken);

        result.Calls.ShouldBe(5);
        result.Streamed.ShouldBe(5);
        result.Failed.ShouldBe(0);
        result.CompletedAsScripted.ShouldBe(5);
        result.Outcomes.ShouldBe(new Dictionary<string, int> { ["streamed/caller_hangup"] = 5 });
        result.Errors.ShouldBeEmpty();
        result.ViolationCount.ShouldBe(0);
        bot.ResolverHits.Select(h => h.Body).Distinct().Count().ShouldBe(5);

        result.BotMediaFrames.ShouldBe(5 * 8);
        result.Utterances.ShouldBe(10);
        result.Marks.ShouldBe(10);
        result.MarksEchoed.ShouldBe(10);
        result.LatenessMs.Count.ShouldBe(40);
        result.LatenessMs.Min.ShouldBeLessThanOrEqualTo(0);              // every utterance's first frame is exactly on time
        result.LatenessMs.P50.ShouldBeLessThanOrEqualTo(result.LatenessMs.P95);
        result.LatenessMs.P95.ShouldBeLessThanOrEqualTo(result.LatenessMs.P99);
        result.LatenessMs.P99.ShouldBeLessThanOrEqualTo(result.LatenessMs.Max);
        ((long)result.Underruns).ShouldBeLessThanOrEqualTo(result.BotMediaFrames - result.Utterances);
        result.UnderrunStallMs.Count.ShouldBe(result.Underruns);
        result.ResolverLatencyMs.Count.ShouldBe(5);
        result.FirstAudioMs.Count.ShouldBe(5);
        result.MarkRoundTripMs.Count.ShouldBe(10);
        result.MarkRoundTripMs.Min.ShouldBeGreaterThanOrEqualTo(0);

        result.Server.ShouldNotBeNull();
        result.Server.Samples.ShouldBeGreaterThan(0);
        result.Server.MaxRssMb.ShouldBeGreaterThan(0);
        result.Server.CpuPercent.Min.ShouldBeGreaterThanOrEqualTo(0);
        run.Progress.Started.ShouldBe(5);
        run.Progress.Running.ShouldBe(0);
        result.ToJson().ShouldContain("\"lateness_ms\"");
    }

    [Fact]
    public async Task A_bot_that_stalls_inside_an_utterance_shows_underruns()
    {
        await using var bot = await FakeBot.StartAsync(async session =>
        {
            await session.SendAudioAsync(160, 0x11, frameBytes: 160);   // 20 ms of audio…
            await Task.Delay(300, TestContext.Current.CancellationToken); // …then nothing for longer than that
            await session.SendAudioAsync(160, 0x11, frameBytes: 160);
            await session.SendMarkAsync("t1.1");
        });

        var result = await new LoadRun(new LoadOptions
        {
            ResolverUrl = bot.ResolverUrl,
            Calls = 2,
            Ramp = TimeSpan.Zero,
            Duration = TimeSpan.FromSeconds(2),
            UtteranceGap = TimeSpan.FromSeconds(5),
        }).RunAsync(TestContext.Current.CancellationToken);

        result.Utterances.ShouldBe(2);
        result.Underruns.ShouldBe(2);
        result.UnderrunStallMs.Min.ShouldBeGreaterThan(0);
        result.LatenessMs.Max.ShouldBeGreaterThan(0);
        result.ViolationCount.ShouldBe(0);
    }

    [Fact]
    public async Task Resolver_failures_are_counted_as_errors()
    {
        await using var bot = await FakeBot.StartAsync();
        bot.Reply = ResolverReply.Decline;

        var result = await new LoadRun(new LoadOptions { ResolverUrl = bot.ResolverUrl, Calls = 3, Ramp = TimeSpan.Zero, Duration = TimeSpan.FromSeconds(1) })
            .RunAsync(TestContext.Current.CancellationToken);

        result.Failed.ShouldBe(3);
        result.Outcomes.ShouldBe(new Dictionary<string, int> { ["resolver_failed"] = 3 });
        result.Errors.ShouldBe(new Dictionary<string, int> { ["resolver declined: success is false"] = 3 });
        result.ResolverLatencyMs.Count.ShouldBe(3);
        result.BotMediaFrames.ShouldBe(0);
        bot.SessionCount.ShouldBe(0);
    }
}
