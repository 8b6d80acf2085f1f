using System.Net;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Shouldly;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>Spec §1, §16.4: calls bridged to the VOICE Bot are streamed by the call engine, and end with `stop` before the hangup webhook.</summary>
public sealed class CallEngineStreamingTests
{
    private static async Task<SmartfloSimulator> StartWithBotAsync(FakeBot bot, WebhookReceiver? receiver = null, Action<VoiceBotConfig>? change = null)
    {
        var sim = await StartAsync(TimeProvider.System);
        var voiceBot = new VoiceBotConfig { ResolverUrl = bot.ResolverUrl };
        change?.Invoke(voiceBot);
        sim.Accounts.Change(AccountId, a =>
        {
            a.VoiceBot = voiceBot;
            a.Dids.Single(d => d.Did == OtherDid).Destination = "voice_bot||553";
        });
        if (receiver is not null)
        {
            sim.Accounts.SetWebhook(AccountId, new WebhookConfig { Trigger = WebhookTrigger.Hangup, Url = receiver.BaseUrl + "/hook?event=hangup" });
        }

        return sim;
    }

    [Fact]
    public async Task Answered_support_call_streams_to_the_bot_and_stops_before_the_hangup_webhook()
    {
        await using var bot = await FakeBot.StartAsync(async s =>
        {
            await s.SendAudioAsync(1600, 0x11);
            await s.SendMarkAsync("t0.1");
        });
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartWithBotAsync(bot, receiver);
        var audio = CallerStreamTests.WritePcmWav(CallerStreamTests.Tone(4000));
        sim.Calls.ScriptNextCall(new FarEndScript { AnswerAfterMs = 10, Dtmf = "4", DtmfAfterMs = 600, HangupAfterMs = 1300, Audio = audio });
        using var http = Client(sim);

        var refId = await http.DialSupportAsync("+919876543210");
        var session = await bot.NextSessionAsync();
        var hangup = await receiver.NextAsync();
        var eventsWhenWebhookArrived = session.ReceivedEvents.ToList();
        var call = sim.Calls.Get(refId);
        var start = (await session.StartFrame)["start"]!;
        var stream = sim.Calls.Stream(refId)!;
        using var wav = await http.GetAsync($"_sim/calls/{call.CallId}/heard.wav", TestContext.Current.CancellationToken);
        var (_, streamJson) = await http.GetJsonAsync($"_sim/calls/{refId}/stream");

        eventsWhenWebhookArrived[^1].ShouldBe("stop");
        eventsWhenWebhookArrived.ShouldContain("dtmf");
        start["callSid"]!.GetValue<string>().ShouldBe(call.CallId);
        start["from"]!.GetValue<string>().ShouldBe("8069000001");
        start["to"]!.GetValue<string>().ShouldBe("9876543210");
        start["direction"]!.GetValue<string>().ShouldBe("outbound");
        start["customParameters"]!.ToJsonString().ShouldBe("{}");
        JsonNode.Parse(bot.ResolverHits.Single().Body)!["callId"]!.GetValue<string>().ShouldBe(call.CallId);

        var hangupPayload = JsonNode.Parse(hangup.Body)!;
        hangupPayload["call_id"]!.GetValue<string>().ShouldBe(call.CallId);
        int.Parse(hangupPayload["billsec"]!.GetValue<string>()).ShouldBe(call.Billsec(call.EndedAt!.Value));
        int.Parse(hangupPayload["billsec"]!.GetValue<string>()).ShouldBeGreaterThanOrEqualTo(1);
        call.Timeline.Select(e => e.Name).Where(n => n != "dtmf").ShouldBe(
            ["initiated", "ringing", "script", "answered", "stream_resolver_accepted", "stream_connected", "stream_start",
             "caller_hangup", "stream_stop", "stream_closed", "stream_ended"], ignoreOrder: false, customMessage: string.Join(",", call.Timeline.Select(e => e.Name)));
        call.Dtmf.ShouldBe(["4"]);

        stream.EndReason.ShouldBe(StreamEndReason.CallerHangup);
        stream.Marks.Single().Echo.ShouldBe(MarkEchoKind.Played);
        stream.DtmfSent.ShouldBe(["4"]);
        stream.ViolationCount.ShouldBe(0);
        wav.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await wav.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length.ShouldBe(46 + stream.HeardAudio.Length);
        streamJson["stream_sid"]!.GetValue<string>().ShouldBe(stream.StreamSid);
        streamJson["outcome"]!.GetValue<string>().ShouldBe("streamed");
    }

    [Fact]
    public async Task Declined_resolver_fails_the_call_and_sends_the_hangup_webhook()
    {
        await using var bot = await FakeBot.StartAsync();
        bot.Reply = ResolverReply.Decline;
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartWithBotAsync(bot, receiver);
        sim.Calls.ScriptNextCall(new FarEndScript { AnswerAfterMs = 10 });
        using var http = Client(sim);

        var refId = await http.DialSupportAsync();
        var hangup = JsonNode.Parse((await receiver.NextAsync()).Body)!;

        var call = sim.Calls.Get(refId);
        call.State.ShouldBe(CallState.Ended);
        call.Cause.ShouldBe(HangupCause.BotUnavailable);
        call.Timeline.Select(e => e.Name).ShouldContain("stream_resolver_failed");
        call.Timeline.Single(e => e.Name == "stream_resolver_failed").Detail!.ShouldStartWith("declined");
        call.Timeline[^1].Name.ShouldBe("bot_unavailable");
        hangup["hangup_cause_key"]!.GetValue<string>().ShouldBe("NORMAL_TEMPORARY_FAILURE");
        sim.Calls.Stream(refId)!.Outcome.ShouldBe(CallerOutcome.ResolverFailed);
        bot.SessionCount.ShouldBe(0);
    }

    [Fact]
    public async Task Inbound_call_to_a_bot_did_is_answered_and_streamed_at_once()
    {
        await using var bot = await FakeBot.StartAsync();
        await using var sim = await StartWithBotAsync(bot, change: b => b.Method = ResolverMethod.Get);

        var call = sim.Calls.StartInbound(AccountId, "+919812345678", OtherDid, new FarEndScript { HangupAfterMs = 400 });
        var session = await bot.NextSessionAsync();
        await sim.Calls.WhenStreamDoneAsync(call.CallId).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => sim.Calls.Get(call.CallId).State == CallState.Ended);

        var start = (await session.StartFrame)["start"]!;
        start["direction"]!.GetValue<string>().ShouldBe("inbound");
        start["from"]!.GetValue<string>().ShouldBe("9812345678");
        start["to"]!.GetValue<string>().ShouldBe("8071000002");
        bot.ResolverHits.Single().Query["toNumber"].ShouldBe("8071000002");
        sim.Calls.Get(call.CallId).Cause.ShouldBe(HangupCause.CallerHangup);
        session.ReceivedEvents[^1].ShouldBe("stop");
    }

    [Fact]
    public async Task Bot_end_event_ends_the_call_as_a_bot_hangup()
    {
        await using var bot = await FakeBot.StartAsync(async s =>
        {
            await s.WaitForCallerMediaAsync(2);
            await s.SendEndAsync();
        });
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartWithBotAsync(bot, receiver);
        sim.Calls.ScriptNextCall(new FarEndScript { AnswerAfterMs = 10 });
        using var http = Client(sim);

        var refId = await http.DialSupportAsync();
        var session = await bot.NextSessionAsync();
        await receiver.NextAsync();

        var call = sim.Calls.Get(refId);
        call.Cause!.Reason.ShouldBe("Call Disconnected By Agent");
        call.Timeline[^1].Name.ShouldBe("bot_hangup");
        session.ReceivedEvents[^1].ShouldBe("stop");
        sim.Calls.Stream(refId)!.StopReason.ShouldBe(StopReasons.CallDisconnected);
    }

    [Fact]
    public async Task Rest_hangup_stops_the_stream_before_the_hangup_webhook()
    {
        await using var bot = await FakeBot.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartWithBotAsync(bot, receiver);
        sim.Calls.ScriptNextCall(new FarEndScript { AnswerAfterMs = 10 });
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();
        var session = await bot.NextSessionAsync();
        await session.WaitForCallerMediaAsync(1);

        var (response, _) = await http.PostJsonAsync("v1/call/hangup", new { call_id = sim.Calls.Get(refId).CallId }, StaticToken);
        await receiver.NextAsync();
        var events = session.ReceivedEvents.ToList();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        events[^1].ShouldBe("stop");
        session.Received[^1]["stop"]!["reason"]!.GetValue<string>().ShouldBe(StopReasons.CallDisconnected);
        sim.Calls.Stream(refId)!.EndReason.ShouldBe(StreamEndReason.CallEnded);
    }

    [Fact]
    public async Task Agent_first_call_streams_while_ringing_and_a_missed_customer_stops_it()
    {
        await using var bot = await FakeBot.StartAsync();
        await using var sim = await StartWithBotAsync(bot);
        using var http = Client(sim);

        var (dial, _) = await http.PostJsonAsync("v1/click_to_call",
            new { agent_number = AgentId, destination_number = "9876543210", caller_id = "918069000001", async = 1 }, StaticToken);
        var session = await bot.NextSessionAsync();
        await session.WaitForCallerMediaAsync(1);
        var call = sim.Calls.All.Single();
        var stateWhileStreaming = call.State;
        await sim.Calls.MissAsync(call.CallId, MissOutcome.Busy, TestContext.Current.CancellationToken);

        dial.StatusCode.ShouldBe(HttpStatusCode.OK);
        stateWhileStreaming.ShouldBe(CallState.Ringing);
        session.ReceivedEvents[^1].ShouldBe("stop");
        var stream = sim.Calls.Stream(call.CallId)!;
        stream.EndReason.ShouldBe(StreamEndReason.CallEnded);
        sim.Calls.Get(call.CallId).Cause!.Key.ShouldBe("USER_BUSY");
    }
}

/// <summary>The `voice_bot` block of the configuration file.</summary>
public sealed class VoiceBotConfigTests
{
    [Fact]
    public void Voice_bot_settings_read_from_snake_case_json_and_the_example_file()
    {
        var example = SimulatorConfig.Load(Path.Combine(FixtureFiles.RepositoryRoot(), "src", "Awaaz.Smartflo.Simulator", "sim.example.json"));
        var parsed = SimulatorConfig.Parse("""
            {"accounts":[{"id":"1","voice_bot":{"resolver_url":"http://127.0.0.1:8080/r?secret=s","method":"get","deadline_ms":1500,
              "strict_response":false,"frame_ms":20,"caller_audio":"/tmp/a.wav","include_call_identifiers":true,"violation_policy":"close"}}]}
            """).Accounts.Single().VoiceBot!;

        example.Accounts.Single().VoiceBot!.Method.ShouldBe(ResolverMethod.Post);
        example.Accounts.Single().Dids.Count(d => d.Destination == "voice_bot||553").ShouldBe(1);
        (parsed.ResolverUrl, parsed.Method, parsed.DeadlineMs, parsed.StrictResponse, parsed.FrameMs, parsed.CallerAudio, parsed.IncludeCallIdentifiers, parsed.ViolationPolicy)
            .ShouldBe(("http://127.0.0.1:8080/r?secret=s", ResolverMethod.Get, 1500, false, 20, "/tmp/a.wav", true, ViolationPolicy.Close));
        parsed.AllowLoopbackWs.ShouldBeTrue();
        parsed.HonourEndEvent.ShouldBeTrue();
    }
}
