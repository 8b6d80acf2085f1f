using System.Net;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Shouldly;
using Xunit;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class FarEndScriptTests
{
    [Fact]
    public async Task Scripted_call_answers_presses_keys_and_hangs_up_by_itself()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync(TimeProvider.System);
        sim.Accounts.SetWebhook(AccountId, new WebhookConfig { Trigger = WebhookTrigger.Hangup, Url = receiver.BaseUrl + "/hook?event=hangup" });
        sim.Calls.ScriptNextCall(new FarEndScript { Number = "9876543210", AnswerAfterMs = 50, Dtmf = "5", DtmfAfterMs = 20, HangupAfterMs = 1100 });
        using var http = Client(sim);

        var refId = await http.DialSupportAsync("+919876543210");
        await WaitUntilAsync(() => sim.Calls.Get(refId).State == CallState.Ended);
        var hangup = JsonNode.Parse((await receiver.NextAsync()).Body)!;

        var call = sim.Calls.Get(refId);
        call.Timeline.Select(e => e.Name).ShouldBe(["initiated", "ringing", "script", "answered", "dtmf", "caller_hangup"]);
        call.Dtmf.ShouldBe(["5"]);
        call.Cause!.Reason.ShouldBe("Call Disconnected By Caller");
        hangup["status"]!.GetValue<string>().ShouldBe("answered");
        int.Parse(hangup["billsec"]!.GetValue<string>()).ShouldBeGreaterThanOrEqualTo(1);
        sim.Calls.PendingScripts.ShouldBeEmpty();
    }

    [Fact]
    public async Task Scripted_busy_outcome_ends_the_call_as_missed()
    {
        await using var sim = await StartAsync(TimeProvider.System);
        sim.Calls.ScriptNextCall(new FarEndScript { Outcome = FarEndOutcome.Busy, AnswerAfterMs = 10 });
        using var http = Client(sim);

        var refId = await http.DialSupportAsync("9876543210");
        await WaitUntilAsync(() => sim.Calls.Get(refId).State == CallState.Ended);

        var call = sim.Calls.Get(refId);
        call.WasAnswered.ShouldBeFalse();
        call.Cause!.Key.ShouldBe("USER_BUSY");
    }

    [Fact]
    public async Task Script_for_one_number_leaves_other_calls_ringing()
    {
        await using var sim = await StartAsync(TimeProvider.System);
        sim.Calls.ScriptNextCall(new FarEndScript { Number = "9876543210", AnswerAfterMs = 10 });
        using var http = Client(sim);

        var other = await http.DialSupportAsync("9123456789");
        var scripted = await http.DialSupportAsync("9876543210");
        await WaitUntilAsync(() => sim.Calls.Get(scripted).State == CallState.Answered);

        sim.Calls.Get(other).State.ShouldBe(CallState.Ringing);
    }

    [Fact]
    public async Task Account_default_far_end_applies_when_no_script_is_queued()
    {
        await using var sim = await StartAsync(TimeProvider.System);
        sim.Accounts.Change(AccountId, a => a.FarEnd = new FarEndScript { Outcome = FarEndOutcome.NoAnswer, AnswerAfterMs = 10 });
        using var http = Client(sim);

        var first = await http.DialSupportAsync("9876543210");
        var second = await http.DialSupportAsync("9876543211");
        await WaitUntilAsync(() => sim.Calls.All.All(c => c.State == CallState.Ended));

        sim.Calls.Get(first).Cause!.Key.ShouldBe("NO_ANSWER");
        sim.Calls.Get(second).Cause!.Key.ShouldBe("NO_ANSWER");
    }

    [Fact]
    public async Task Script_step_on_an_already_ended_call_is_skipped()
    {
        await using var sim = await StartAsync(TimeProvider.System);
        sim.Calls.ScriptNextCall(new FarEndScript { AnswerAfterMs = 10, HangupAfterMs = 300 });
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();
        await WaitUntilAsync(() => sim.Calls.Get(refId).State == CallState.Answered);

        var (hangup, _) = await http.PostJsonAsync("v1/call/hangup", new { call_id = sim.Calls.Get(refId).CallId }, StaticToken);
        await WaitUntilAsync(() => sim.Calls.Get(refId).Timeline.Any(e => e.Name == "script_step_skipped"));

        hangup.StatusCode.ShouldBe(HttpStatusCode.OK);
        sim.Calls.Get(refId).Cause!.Reason.ShouldBe("Call Disconnected By Agent");
    }

    [Fact]
    public async Task Next_call_script_through_the_control_api()
    {
        await using var sim = await StartAsync(TimeProvider.System);
        using var http = Client(sim);

        using var put = await http.PutAsync("_sim/next-call-script", new StringContent(
            """{"number":"9876543210","outcome":"reject","answer_after_ms":10}""", System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        var (_, pending) = await http.GetJsonAsync("_sim/next-call-script");
        var refId = await http.DialSupportAsync("9876543210");
        await WaitUntilAsync(() => sim.Calls.Get(refId).State == CallState.Ended);
        using var bad = await http.PutAsync("_sim/next-call-script", new StringContent(
            """{"number":"12"}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        pending.AsArray().Single()!["outcome"]!.GetValue<string>().ShouldBe("reject");
        sim.Calls.Get(refId).Cause!.Key.ShouldBe("CALL_REJECTED");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
