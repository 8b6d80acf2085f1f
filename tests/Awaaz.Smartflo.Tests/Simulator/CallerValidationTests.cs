using System.Net.WebSockets;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Configuration;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>Spec §11.1, §11.4, §16.5: every bot frame is checked; violations are counted and listed.</summary>
public sealed class CallerValidationTests
{
    private static string Payload(int bytes) => Convert.ToBase64String(Enumerable.Repeat((byte)0x11, bytes).ToArray());

    [Fact]
    public async Task Each_broken_rule_is_recorded_and_a_correct_frame_is_not()
    {
        await using var bot = await FakeBot.StartAsync(async s =>
        {
            var sid = s.StreamSid;
            await s.SendTextAsync($$$"""{"event":"media","streamSid":"{{{sid}}}","media":{"payload":"{{{Payload(160)}}}","chunk":1}}""");     // fine
            await s.SendTextAsync($$$"""{"event":"media","streamSid":"{{{sid}}}","media":{"payload":"{{{Payload(100)}}}","chunk":2}}""");     // 100 bytes
            await s.SendTextAsync($$$"""{"event":"media","streamSid":"MZwrong","media":{"payload":"{{{Payload(160)}}}","chunk":3}}""");     // wrong sid
            await s.SendTextAsync($$$"""{"event":"media","streamSid":"{{{sid}}}","media":{"payload":"{{{Payload(160)}}}","chunk":"3"}}""");   // string chunk
            await s.SendTextAsync($$$"""{"event":"media","streamSid":"{{{sid}}}","media":{"payload":"{{{Payload(160)}}}","chunk":9}}""");     // skipped chunk
            await s.SendTextAsync($$$"""{"event":"media","streamSid":"{{{sid}}}","media":{"payload":"@@not base64@@","chunk":10}}""");
            await s.SendTextAsync("""{"event":"media",""");
            await s.SendTextAsync($$$"""{"event":"start","streamSid":"{{{sid}}}","start":{"streamSid":"{{{sid}}}"}}""");
            await s.SendTextAsync($$$"""{"event":"dance","streamSid":"{{{sid}}}"}""");
            await s.SendBinaryAsync([1, 2, 3]);
            await s.SendTextAsync($$$"""{"event":"mark","streamSid":"{{{sid}}}","mark":{"name":"ok"}}""");
            await s.WaitForEchoAsync("ok");
        });

        var caller = SmartfloCaller.Start(CallerResolverTests.Options(bot) with { HangupAfter = null }, TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.WaitForEchoAsync("ok");
        var result = await caller.HangUpAsync();

        result.ViolationCounts.ShouldBe(new Dictionary<ViolationKind, int>
        {
            [ViolationKind.PayloadSize] = 1,
            [ViolationKind.WrongStreamSid] = 1,
            [ViolationKind.ChunkNotInteger] = 1,
            [ViolationKind.ChunkOutOfSequence] = 1,
            [ViolationKind.PayloadNotBase64] = 1,
            [ViolationKind.InvalidJson] = 1,
            [ViolationKind.BotSentStart] = 1,
            [ViolationKind.UnknownEvent] = 1,
            [ViolationKind.BinaryFrame] = 1,
        }, ignoreOrder: true);
        result.ViolationCount.ShouldBe(9);
        result.Violations.Single(v => v.Kind == ViolationKind.PayloadSize).Detail.ShouldContain("100 bytes");
        result.Violations.Single(v => v.Kind == ViolationKind.WrongStreamSid).Detail.ShouldContain("MZwrong");
        result.Violations.Single(v => v.Kind == ViolationKind.ChunkOutOfSequence).Detail.ShouldBe("chunk 9, expected 4");
        result.Bot.Media.ShouldBe(4);                      // the wrong-sid and non-base64 frames are not played
        result.PlayedBotBytes.ShouldBe(160 + 100 + 160 + 160);
        result.Bot.Ignored.ShouldBe(6);
    }

    [Fact]
    public async Task A_correct_bot_has_no_violations()
    {
        await using var bot = await FakeBot.StartAsync(async s =>
        {
            for (var turn = 1; turn <= 3; turn++)
            {
                await s.SendAudioAsync(1600, 0x11);
                await s.SendAudioAsync(480, 0x12, frameBytes: 160);
                await s.SendMarkAsync($"t{turn}.1");
            }

            await s.SendClearAsync();
            await s.SendAudioAsync(800, 0x13);
            await s.SendMarkAsync("t4.1");
        });

        var caller = SmartfloCaller.Start(CallerResolverTests.Options(bot) with { HangupAfter = null }, TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.WaitForEchoAsync("t4.1");
        var result = await caller.HangUpAsync();

        result.ViolationCount.ShouldBe(0);
        result.Bot.Media.ShouldBe(3 * (2 + 3) + 1);
        result.Bot.Marks.ShouldBe(4);
        result.Bot.Clears.ShouldBe(1);
    }

    [Fact]
    public async Task Close_policy_closes_the_socket_with_1008_on_the_first_violation()
    {
        await using var bot = await FakeBot.StartAsync(s =>
            s.SendTextAsync($$$"""{"event":"media","streamSid":"{{{s.StreamSid}}}","media":{"payload":"{{{Payload(100)}}}","chunk":1}}"""));

        var result = await SmartfloCaller.RunAsync(
            CallerResolverTests.Options(bot) with { HangupAfter = null, ViolationPolicy = ViolationPolicy.Close }, TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.Finished.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        result.EndReason.ShouldBe(StreamEndReason.ViolationClose);
        session.CloseStatus.ShouldBe(WebSocketCloseStatus.PolicyViolation);
        session.ReceivedEvents.ShouldNotContain("stop");
    }

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(5000, 0, 1)]
    public async Task A_frame_after_stop_is_a_violation_unless_it_was_in_flight(int graceMs, int violations, int inFlight)
    {
        await using var bot = await FakeBot.StartAsync();
        bot.FrameAfterStop = """{"event":"mark","streamSid":"{streamSid}","mark":{"name":"late"}}""";

        var result = await SmartfloCaller.RunAsync(
            CallerResolverTests.Options(bot) with { AfterStopGrace = TimeSpan.FromMilliseconds(graceMs) }, TestContext.Current.CancellationToken);

        result.ViolationCounts.GetValueOrDefault(ViolationKind.AfterStop).ShouldBe(violations);
        result.Bot.InFlightAfterStop.ShouldBe(inFlight);
        result.Marks.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_bot_speaking_before_start_is_caught()
    {
        // The bot sends right after the upgrade, before reading anything: frames Smartflo has no stream for yet.
        await using var bot = await FakeBot.StartAsync();
        bot.SendOnConnect = """{"event":"connected"}""";

        var result = await SmartfloCaller.RunAsync(CallerResolverTests.Options(bot), TestContext.Current.CancellationToken);

        (result.ViolationCounts.GetValueOrDefault(ViolationKind.BeforeStart) + result.ViolationCounts.GetValueOrDefault(ViolationKind.BotSentConnected))
            .ShouldBe(1);
    }
}
