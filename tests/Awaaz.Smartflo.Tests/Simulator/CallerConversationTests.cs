using Awaaz.Media;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Load;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>The conversational caller of `awaaz-sim load --conversation`: turn-taking frame by frame, and barge-in measured end to end.</summary>
public sealed class CallerConversationTests
{
    private const int Frame = 800; // 100 ms

    /// <summary><paramref name="leadMs"/> of silence, <paramref name="toneMs"/> of a loud 300 Hz tone, <paramref name="tailMs"/> of silence.</summary>
    private static CallerAudio Utterance(int leadMs = 200, int toneMs = 600, int tailMs = 200)
    {
        var pcm = new short[(leadMs + toneMs + tailMs) * 8];
        for (var i = 0; i < toneMs * 8; i++) pcm[leadMs * 8 + i] = (short)(5000 * Math.Sin(2 * Math.PI * 300 * i / 8000.0));
        return CallerAudio.FromPcm16(pcm);
    }

    private static ConversationOptions Options(int bargeInEvery = 0) => new()
    {
        Utterances = [Utterance()],
        BargeInEvery = bargeInEvery,
        BargeInAfter = TimeSpan.FromMilliseconds(300),
        ReplyPause = TimeSpan.FromMilliseconds(500),
        ReplyTimeout = TimeSpan.FromSeconds(1),
    };

    /// <summary>Runs frames from <paramref name="fromMs"/> while <paramref name="botAudible"/> says so; returns the frames.</summary>
    private static List<(double At, ConversationFrame Frame)> Run(CallerConversation caller, double fromMs, double toMs, Func<double, bool> botAudible)
    {
        var frames = new List<(double, ConversationFrame)>();
        var payload = new byte[Frame];
        for (var at = fromMs; at < toMs; at += 100) frames.Add((at, caller.Next(at, botAudible(at + 100), payload)));
        return frames;
    }

    [Fact]
    public void Speech_span_finds_the_tone_between_the_silences()
    {
        var (onset, end) = CallerConversation.SpeechSpan(Utterance().MuLawBytes.Span, 300);
        onset.ShouldBe(200 * 8);
        end.ShouldBe(800 * 8);
        CallerConversation.SpeechSpan(new byte[800].AsSpan().ToArray().Select(_ => MuLaw.Silence).ToArray(), 300).ShouldBe((0, 0));
    }

    [Fact]
    public void With_no_bot_audio_the_caller_speaks_after_the_reply_timeout_and_reports_onset_and_end()
    {
        var caller = new CallerConversation(Options());
        var frames = Run(caller, 0, 3000, _ => false);
        var first = frames.FindIndex(f => f.Frame.SpeechBytes > 0);
        frames[first].At.ShouldBe(900);                         // the frame ending at 1 000 ms (the timeout)
        frames.Single(f => f.Frame.OnsetMs is not null && f.At < 2000).Frame.OnsetMs.ShouldBe(1100);   // 200 ms lead-in
        frames.Single(f => f.Frame.SpeechEndMs is not null && f.At < 2000).Frame.SpeechEndMs.ShouldBe(1700);
        frames.ShouldAllBe(f => !f.Frame.BargeIn);
    }

    [Fact]
    public void The_caller_waits_for_the_reply_to_end_before_speaking_again()
    {
        var caller = new CallerConversation(Options());
        Run(caller, 0, 2000, _ => false);                       // first utterance: 1 000–2 000 ms
        caller.Turns.ShouldBe(1);
        // The bot replies from 2 500 to 4 000 ms: nothing is said over it, and the next turn starts 500 ms after it.
        var frames = Run(caller, 2000, 6000, t => t is > 2500 and <= 4000);
        frames.Where(f => f.At < 4400).ShouldAllBe(f => f.Frame.SpeechBytes == 0);
        frames.First(f => f.Frame.SpeechBytes > 0).At.ShouldBe(4400);
        caller.Turns.ShouldBe(2);
    }

    [Fact]
    public void Every_nth_turn_interrupts_the_bot_after_the_configured_audio()
    {
        var caller = new CallerConversation(Options(bargeInEvery: 2));
        Run(caller, 0, 2000, _ => false);
        var frames = Run(caller, 2000, 3000, t => t > 2500);    // the bot keeps talking
        var start = frames.First(f => f.Frame.SpeechBytes > 0);
        start.At.ShouldBe(2800);                                 // bot heard from 2 600 (end of frame 2 500); 300 ms later is the end of frame 2 800
        start.Frame.BargeIn.ShouldBeTrue();
        caller.SpeakingOverBot.ShouldBeTrue();
    }

    [Fact]
    public void Without_barge_ins_the_caller_never_talks_over_a_long_reply()
    {
        var caller = new CallerConversation(Options(bargeInEvery: 0));
        Run(caller, 0, 2000, _ => false);
        Run(caller, 2000, 12_000, t => t > 2500).ShouldAllBe(f => f.Frame.SpeechBytes == 0);
    }

    [Fact]
    public async Task A_load_run_measures_barge_in_onset_to_clear_against_a_bot_that_clears_on_speech()
    {
        await using var bot = await FakeBot.StartAsync(async session =>
        {
            await session.SendAudioAsync(8000 * 4, 0x11);      // 4 s of reply, sent ahead of real time
            await session.SendMarkAsync("t1.1");
            await session.WaitForAsync("media", f => Convert.FromBase64String(f["media"]!["payload"]!.GetValue<string>()).Any(b => b != MuLaw.Silence));
            await session.SendClearAsync();
        });
        var run = new LoadRun(new LoadOptions
        {
            ResolverUrl = bot.ResolverUrl,
            Calls = 2,
            Ramp = TimeSpan.Zero,
            Duration = TimeSpan.FromSeconds(3),
            Conversation = Options(bargeInEvery: 1),
        });

        var result = await run.RunAsync(TestContext.Current.CancellationToken);

        result.Streamed.ShouldBe(2);
        result.ViolationCount.ShouldBe(0);
        result.BargeIns.ShouldBe(2);
        result.BargeInsCleared.ShouldBe(2);
        result.BargeInMs.Count.ShouldBe(2);
        result.BargeInMs.Min.ShouldBeGreaterThan(0);             // the clear follows the onset it answers
        result.ClearsOnOtherTurns.ShouldBe(0);
        result.ToJson().ShouldContain("\"barge_in_ms\"");
    }
}
