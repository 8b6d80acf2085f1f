using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Load;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>The open-loop resolver load against the fake bot: counts, request shapes and invariants, never wall-clock figures.</summary>
public sealed class ResolverLoadTests
{
    [Fact]
    public async Task Every_due_request_is_sent_once_with_its_own_call_id_and_caller_and_counted_by_verdict()
    {
        await using var bot = await FakeBot.StartAsync();
        bot.Reply = ResolverReply.Decline;
        var run = new ResolverLoad(new ResolverLoadOptions
        {
            ResolverUrl = bot.ResolverUrl, Rate = 40, Duration = TimeSpan.FromSeconds(1.5), Warmup = TimeSpan.FromSeconds(0.5),
            To = "8071000002", FirstFrom = 9_700_000_000, ServerPid = Environment.ProcessId,
        });

        var result = await run.RunAsync(TestContext.Current.CancellationToken);

        result.Due.ShouldBe(60);
        result.Measured.ShouldBe(40);                                   // due at 0.5 s or later
        result.Verdicts.ShouldBe(new Dictionary<string, int> { ["declined"] = 40 });
        result.Statuses.ShouldBe(new Dictionary<string, int> { ["200"] = 40 });
        result.Failures.ShouldBe(0);
        result.PerSecond.Select(s => s.Due).ShouldBe([40, 20]);
        result.PerSecond.Sum(s => s.Answered).ShouldBe(60);
        result.LatencyMs.Count.ShouldBe(40);
        result.ServiceMs.Count.ShouldBe(40);
        result.SendLagMs.Min.ShouldBeGreaterThanOrEqualTo(0);         // never sent before it was due
        result.LatencyMs.Min.ShouldBeGreaterThanOrEqualTo(result.ServiceMs.Min); // due → answer includes the send lag
        result.LatencyMs.P50.ShouldBeLessThanOrEqualTo(result.LatencyMs.P99);
        result.LatencyMs.P99.ShouldBeLessThanOrEqualTo(result.LatencyMs.P999);
        result.LatencyMs.P999.ShouldBeLessThanOrEqualTo(result.LatencyMs.Max);
        result.Server.ShouldNotBeNull();

        var bodies = bot.ResolverHits.Select(h => JsonNode.Parse(h.Body)!).ToList();
        bodies.Count.ShouldBe(60);
        bodies.Select(b => b["callId"]!.GetValue<string>()).Distinct().Count().ShouldBe(60);
        bodies.Select(b => b["fromNumber"]!.GetValue<string>()).Order().ShouldBe(Enumerable.Range(0, 60).Select(i => (9_700_000_000 + i).ToString()));
        bodies.ShouldAllBe(b => b["toNumber"]!.GetValue<string>() == "8071000002" && b["status"]!.GetValue<string>() == "answered");
    }

    [Fact]
    public async Task Slow_answers_past_the_deadline_are_timeouts_that_count_with_their_full_wait()
    {
        await using var bot = await FakeBot.StartAsync();
        bot.Reply = ResolverReply.Slow;
        bot.SlowBy = TimeSpan.FromSeconds(5);
        var result = await new ResolverLoad(new ResolverLoadOptions
        {
            ResolverUrl = bot.ResolverUrl, Rate = 10, Duration = TimeSpan.FromSeconds(0.5), Deadline = TimeSpan.FromMilliseconds(300),
        }).RunAsync(TestContext.Current.CancellationToken);

        result.Verdicts.ShouldBe(new Dictionary<string, int> { ["timeout"] = 5 });
        result.Failures.ShouldBe(5);
        result.LatencyMs.Count.ShouldBe(5);                             // unanswered requests keep their wait in the sample
        result.LatencyMs.Min.ShouldBeGreaterThan(0);
        result.PerSecond.Single().Answered.ShouldBe(0);
    }

    [Fact]
    public async Task Requests_due_beyond_the_in_flight_cap_are_skipped_and_counted_as_failures()
    {
        await using var bot = await FakeBot.StartAsync();
        bot.Reply = ResolverReply.Slow;
        bot.SlowBy = TimeSpan.FromSeconds(10);
        var result = await new ResolverLoad(new ResolverLoadOptions
        {
            // The first three stay unanswered far longer (deadline 5 s) than the other seven take to fall due (0.45 s).
            ResolverUrl = bot.ResolverUrl, Rate = 20, Duration = TimeSpan.FromSeconds(0.5), Deadline = TimeSpan.FromSeconds(5), MaxInFlight = 3,
        }).RunAsync(TestContext.Current.CancellationToken);

        result.Due.ShouldBe(10);
        result.Verdicts["skipped"].ShouldBe(7);
        result.Verdicts["timeout"].ShouldBe(3);
        result.MaxInFlightSeen.ShouldBe(3);
        result.LatencyMs.Count.ShouldBe(3);                             // skipped requests have no latency
    }

    [Fact]
    public void Options_are_bounded()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new ResolverLoad(new ResolverLoadOptions { ResolverUrl = "http://x", Rate = 0 }));
        Should.Throw<ArgumentOutOfRangeException>(() => new ResolverLoad(new ResolverLoadOptions { ResolverUrl = "http://x", Duration = TimeSpan.FromMinutes(11) }));
        Should.Throw<ArgumentOutOfRangeException>(() => new ResolverLoad(new ResolverLoadOptions { ResolverUrl = "http://x", Warmup = TimeSpan.FromSeconds(10), Duration = TimeSpan.FromSeconds(10) }));
        Should.Throw<ArgumentOutOfRangeException>(() => new ResolverLoad(new ResolverLoadOptions { ResolverUrl = "http://x", MaxInFlight = 0 }));
    }
}
