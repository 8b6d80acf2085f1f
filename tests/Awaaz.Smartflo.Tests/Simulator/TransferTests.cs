using System.Net;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Faults;
using Shouldly;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>Spec §5.10 and open question 14: `call/options` type 4 on a streamed call, and the `transfer` fault.</summary>
public sealed class TransferTests
{
    private static async Task<SmartfloSimulator> StartWithBotAsync(FakeBot bot, WebhookReceiver receiver)
    {
        var sim = await StartAsync(TimeProvider.System);
        sim.Accounts.Change(AccountId, a => a.VoiceBot = new VoiceBotConfig { ResolverUrl = bot.ResolverUrl });
        sim.Accounts.SetWebhook(AccountId, new WebhookConfig { Trigger = WebhookTrigger.Hangup, Url = receiver.BaseUrl + "/hook?event=hangup" });
        return sim;
    }

    private static Task<(HttpResponseMessage, JsonNode)> TransferAsync(HttpClient http, CallSnapshot call, string intercom = "9811111111") =>
        http.PostJsonAsync("v1/call/options", new JsonObject { ["type"] = 4, ["call_id"] = call.CallId, ["intercom"] = intercom }, StaticToken);

    [Fact]
    public async Task Transfer_stops_the_stream_and_the_call_goes_on_until_the_new_leg_hangs_up()
    {
        await using var bot = await FakeBot.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartWithBotAsync(bot, receiver);
        sim.Calls.ScriptNextCall(new FarEndScript { AnswerAfterMs = 10 });
        using var http = Client(sim);
        var refId = await http.DialSupportAsync("+919876543210");
        var session = await bot.NextSessionAsync();
        await session.StartFrame;

        var (response, body) = await TransferAsync(http, sim.Calls.Get(refId));
        var stop = await session.WaitForAsync("stop");
        await sim.Calls.WhenStreamDoneAsync(refId).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => sim.Calls.Get(refId).Timeline.Any(e => e.Name == "bot_leg_ended"));
        var duringNewLeg = sim.Calls.Get(refId);
        var (again, againBody) = await TransferAsync(http, duringNewLeg);
        await sim.Calls.CallerHangupAsync(refId, TestContext.Current.CancellationToken);
        var hangup = JsonNode.Parse((await receiver.NextAsync()).Body)!;

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body["success"]!.GetValue<bool>().ShouldBeTrue();
        stop["stop"]!["reason"]!.GetValue<string>().ShouldBe(StopReasons.CallTransferred);
        sim.Calls.Stream(refId)!.EndReason.ShouldBe(StreamEndReason.Transferred);
        duringNewLeg.State.ShouldBe(CallState.Answered);
        duringNewLeg.TransferredTo.ShouldBe("9811111111");
        againBody["success"]!.GetValue<bool>().ShouldBeFalse(); // one transfer per call
        again.StatusCode.ShouldBe(HttpStatusCode.OK);

        var ended = sim.Calls.Get(refId);
        ended.Cause.ShouldBe(HangupCause.Transferred);
        ended.Timeline.Select(e => e.Name).ShouldContain("transferred");
        ended.Timeline[^1].Name.ShouldBe("transfer_leg_hangup");
        hangup["reason_key"]?.GetValue<string>().ShouldBe("Call Transferred", hangup.ToJsonString());
        hangup["hangup_cause_key"]!.GetValue<string>().ShouldBe("NORMAL_CLEARING");
    }

    [Fact]
    public async Task Keep_stream_fault_leaves_the_stream_open_and_the_bot_closing_it_does_not_end_the_call()
    {
        await using var bot = await FakeBot.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartWithBotAsync(bot, receiver);
        sim.Faults.Update(f => f.Transfer = TransferBehaviour.KeepStream);
        sim.Calls.ScriptNextCall(new FarEndScript { AnswerAfterMs = 10 });
        using var http = Client(sim);
        var refId = await http.DialSupportAsync("+919876543211");
        var session = await bot.NextSessionAsync();
        await session.StartFrame;

        var (_, body) = await TransferAsync(http, sim.Calls.Get(refId));
        var mediaBefore = session.ReceivedEvents.Count(e => e == "media");
        await session.WaitForCallerMediaAsync(mediaBefore + 3); // still streaming after the transfer
        session.ReceivedEvents.ShouldNotContain("stop");
        await session.CloseAsync();
        await sim.Calls.WhenStreamDoneAsync(refId).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => sim.Calls.Get(refId).Timeline.Any(e => e.Name == "bot_leg_ended"));

        body["success"]!.GetValue<bool>().ShouldBeTrue();
        sim.Calls.Get(refId).State.ShouldBe(CallState.Answered);
        sim.Calls.Get(refId).Timeline.Select(e => e.Name).ShouldContain("transfer_kept_stream");

        await sim.Calls.CallerHangupAsync(refId, TestContext.Current.CancellationToken);
        sim.Calls.Get(refId).Cause.ShouldBe(HangupCause.Transferred);
        (await receiver.NextAsync()).Body.ShouldContain("Call Transferred");
    }

    [Fact]
    public async Task Reject_fault_refuses_the_transfer_and_the_stream_goes_on()
    {
        await using var bot = await FakeBot.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartWithBotAsync(bot, receiver);
        sim.Faults.Update(f => f.Transfer = TransferBehaviour.Reject);
        sim.Calls.ScriptNextCall(new FarEndScript { AnswerAfterMs = 10 });
        using var http = Client(sim);
        var refId = await http.DialSupportAsync("+919876543212");
        var session = await bot.NextSessionAsync();
        await session.StartFrame;

        var (response, body) = await TransferAsync(http, sim.Calls.Get(refId));
        var mediaBefore = session.ReceivedEvents.Count(e => e == "media");
        await session.WaitForCallerMediaAsync(mediaBefore + 3);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body["success"]!.GetValue<bool>().ShouldBeFalse();
        body["message"]!.GetValue<string>().ShouldContain("Transfer failed");
        var call = sim.Calls.Get(refId);
        call.TransferredTo.ShouldBeNull();
        call.Timeline.Select(e => e.Name).ShouldContain("transfer_rejected");
        session.ReceivedEvents.ShouldNotContain("stop");

        await sim.Calls.CallerHangupAsync(refId, TestContext.Current.CancellationToken);
        sim.Calls.Get(refId).Cause.ShouldBe(HangupCause.CallerHangup);
    }

    [Fact]
    public async Task New_leg_hangs_up_by_itself_after_the_configured_time()
    {
        await using var bot = await FakeBot.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartWithBotAsync(bot, receiver);
        sim.Faults.Update(f => f.TransferLegHangupAfterMs = 300);
        sim.Calls.ScriptNextCall(new FarEndScript { AnswerAfterMs = 10 });
        using var http = Client(sim);
        var refId = await http.DialSupportAsync("+919876543213");
        var session = await bot.NextSessionAsync();
        await session.StartFrame;

        await TransferAsync(http, sim.Calls.Get(refId));
        var hangup = JsonNode.Parse((await receiver.NextAsync()).Body)!;

        sim.Calls.Get(refId).Cause.ShouldBe(HangupCause.Transferred);
        hangup["call_id"]!.GetValue<string>().ShouldBe(sim.Calls.Get(refId).CallId);
        session.ReceivedEvents.ShouldContain("stop");
    }
}
