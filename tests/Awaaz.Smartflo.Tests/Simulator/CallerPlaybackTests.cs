using Awaaz.Smartflo.Simulator.Caller;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>Spec §11.5 over a real socket: what the bot gets back for its audio, marks and clears, and what the caller heard.</summary>
public sealed class CallerPlaybackTests
{
    private static IReadOnlyList<string> Echoes(BotSession session) =>
        session.Received.Where(f => f["event"]!.GetValue<string>() == "mark").Select(f => f["mark"]!["name"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Marks_are_echoed_in_order_after_their_audio_and_at_once_when_nothing_is_queued()
    {
        await using var bot = await FakeBot.StartAsync(async session =>
        {
            await session.SendMarkAsync("idle");            // nothing queued: echoed immediately
            await session.WaitForEchoAsync("idle");
            await session.SendAudioAsync(2400, 0x11);       // 300 ms
            await session.SendMarkAsync("t1.1");
            await session.SendAudioAsync(1600, 0x22);       // 200 ms
            await session.SendMarkAsync("t1.2");
            await session.SendMarkAsync("t1.3");             // no audio between: due together with t1.2
        });

        var caller = SmartfloCaller.Start(CallerResolverTests.Options(bot) with { HangupAfter = null }, TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.WaitForEchoAsync("t1.3");
        var result = await caller.HangUpAsync();

        Echoes(session).ShouldBe(["idle", "t1.1", "t1.2", "t1.3"]);
        result.Marks.Select(m => (m.Name, m.Echo)).ShouldBe([
            ("idle", MarkEchoKind.Immediate), ("t1.1", MarkEchoKind.Played), ("t1.2", MarkEchoKind.Played), ("t1.3", MarkEchoKind.Played)]);
        result.Marks.ShouldAllBe(m => m.EchoedMs >= m.ReceivedMs);
        result.PlayedBotBytes.ShouldBe(4000);
        var heard = result.HeardAudio.ToArray();
        heard.Count(b => b == 0x11).ShouldBe(2400);
        heard.Count(b => b == 0x22).ShouldBe(1600);
        Array.IndexOf(heard, (byte)0x22).ShouldBeGreaterThan(Array.LastIndexOf(heard, (byte)0x11)); // played in order
        result.ViolationCount.ShouldBe(0);
    }

    [Fact]
    public async Task Clear_discards_queued_audio_and_flushes_pending_marks_in_order()
    {
        await using var bot = await FakeBot.StartAsync(async session =>
        {
            await session.SendAudioAsync(80_000, 0x22);     // 10 s: still playing when the clear comes
            await session.SendMarkAsync("t1.1");
            await session.SendAudioAsync(40_000, 0x23);
            await session.SendMarkAsync("t1.2");
            await session.WaitForCallerMediaAsync(3);
            await session.SendClearAsync();
            await session.WaitForEchoAsync("t1.2");
            await session.SendAudioAsync(1600, 0x33);
            await session.SendMarkAsync("t2.1");
        });

        var caller = SmartfloCaller.Start(CallerResolverTests.Options(bot) with { HangupAfter = null }, TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.WaitForEchoAsync("t2.1");
        var result = await caller.HangUpAsync();

        var events = session.ReceivedEvents.ToList();
        Echoes(session).ShouldBe(["t1.1", "t1.2", "t2.1"]);
        result.Marks.Select(m => m.Echo).ShouldBe([MarkEchoKind.Flushed, MarkEchoKind.Flushed, MarkEchoKind.Played]);
        var clear = result.Clears.ShouldHaveSingleItem();
        clear.FlushedMarks.ShouldBe(["t1.1", "t1.2"]);
        clear.DiscardedBytes.ShouldBeGreaterThan(40_000);
        (result.PlayedBotBytes + result.DiscardedBotBytes).ShouldBe(80_000 + 40_000 + 1600);

        var heard = result.HeardAudio.ToArray();
        heard.Count(b => b == 0x22).ShouldBe((int)result.PlayedBotBytes - 1600); // truncated by the clear
        heard.Count(b => b == 0x23).ShouldBe(0);
        heard.Count(b => b == 0x33).ShouldBe(1600);
        Array.IndexOf(heard, (byte)0x33).ShouldBeGreaterThan(Array.LastIndexOf(heard, (byte)0x22));
        events.Count(e => e == "mark").ShouldBe(3);
    }

    [Fact]
    public async Task Marks_pending_at_stop_are_never_echoed()
    {
        await using var bot = await FakeBot.StartAsync(async session =>
        {
            await session.SendAudioAsync(80_000, 0x11);
            await session.SendMarkAsync("never");
        });

        var result = await SmartfloCaller.RunAsync(CallerResolverTests.Options(bot) with { HangupAfter = TimeSpan.FromMilliseconds(400) },
            TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.Finished.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        session.ReceivedEvents.ShouldNotContain("mark");
        session.ReceivedEvents[^1].ShouldBe("stop");
        result.Marks.Single().Echo.ShouldBeNull();
        result.MarksDroppedAtStop.ShouldBe(1);
        (result.PlayedBotBytes + result.UnplayedAtStopBytes).ShouldBe(80_000);
        result.UnplayedAtStopBytes.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Bot_end_event_stops_the_stream_and_closes()
    {
        await using var bot = await FakeBot.StartAsync(async session =>
        {
            await session.WaitForCallerMediaAsync(1);
            await session.SendEndAsync();
        });

        var result = await SmartfloCaller.RunAsync(CallerResolverTests.Options(bot) with { HangupAfter = null }, TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.Finished.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        result.EndReason.ShouldBe(StreamEndReason.BotEnded);
        result.StopReason.ShouldBe(StopReasons.CallDisconnected);
        session.ReceivedEvents[^1].ShouldBe("stop");
        result.Bot.Ends.ShouldBe(1);
    }

    [Fact]
    public async Task Bot_closing_first_ends_the_stream_without_a_stop()
    {
        await using var bot = await FakeBot.StartAsync(async session =>
        {
            await session.WaitForCallerMediaAsync(1);
            await session.CloseAsync();
        });

        var result = await SmartfloCaller.RunAsync(CallerResolverTests.Options(bot) with { HangupAfter = null }, TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();

        result.EndReason.ShouldBe(StreamEndReason.BotClosed);
        result.ClosedByBot.ShouldBeTrue();
        result.CloseStatus.ShouldBe(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure);
        result.StopSentMs.ShouldBeNull();
        session.ReceivedEvents.ShouldNotContain("stop");
    }
}
