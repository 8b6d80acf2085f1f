using System.Diagnostics;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Shouldly;
using Xunit;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class WebhookFaultTests
{
    private static void RouteBoth(Awaaz.Smartflo.Simulator.SmartfloSimulator sim, WebhookReceiver receiver)
    {
        sim.Accounts.SetWebhook(AccountId, new WebhookConfig { Trigger = WebhookTrigger.Answered, Url = receiver.BaseUrl + "/hook?event=answered" });
        sim.Accounts.SetWebhook(AccountId, new WebhookConfig { Trigger = WebhookTrigger.Hangup, Url = receiver.BaseUrl + "/hook?event=hangup" });
    }

    [Fact]
    public async Task Duplicates_send_the_same_payload_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        RouteBoth(sim, receiver);
        sim.Faults.Update(f => f.WebhookDuplicates = 2);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();

        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        var bodies = new[] { await receiver.NextAsync(), await receiver.NextAsync(), await receiver.NextAsync() }.Select(r => r.Body).ToList();

        bodies.Distinct().Count().ShouldBe(1);
        JsonNode.Parse(bodies[0])!["uuid"]!.GetValue<string>().ShouldBe(sim.Calls.Get(refId).Uuid);
        receiver.TryTake(out _).ShouldBeFalse();
        sim.Calls.Get(refId).Webhooks.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Dropped_trigger_is_not_sent_and_is_recorded()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        RouteBoth(sim, receiver);
        sim.Faults.Update(f => f.WebhookDrop = [WebhookTrigger.Answered]);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();

        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        await sim.Calls.CallerHangupAsync(refId, TestContext.Current.CancellationToken);
        var only = await receiver.NextAsync();

        only.Query["event"].ShouldBe("hangup");
        receiver.TryTake(out _).ShouldBeFalse();
        var dropped = sim.Calls.Get(refId).Webhooks.First();
        dropped.Trigger.ShouldBe("answered");
        dropped.Error.ShouldBe("dropped by fault");
    }

    [Fact]
    public async Task Reorder_sends_answered_after_hangup()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        RouteBoth(sim, receiver);
        sim.Faults.Update(f => f.WebhookReorder = true);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();

        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        await sim.Calls.CallerHangupAsync(refId, TestContext.Current.CancellationToken);
        var first = await receiver.NextAsync();
        var second = await receiver.NextAsync();

        first.Query["event"].ShouldBe("hangup");
        second.Query["event"].ShouldBe("answered");
        JsonNode.Parse(second.Body)!["status"]!.GetValue<string>().ShouldBe("Answered by agent");
    }

    [Fact]
    public async Task Delay_is_observable_before_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        RouteBoth(sim, receiver);
        sim.Faults.Update(f => f.WebhookDelayMs = 250);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();

        var stopwatch = Stopwatch.StartNew();
        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        stopwatch.Stop();

        (await receiver.NextAsync()).Query["event"].ShouldBe("answered");
        stopwatch.ElapsedMilliseconds.ShouldBeGreaterThanOrEqualTo(240);
    }

    [Fact]
    public async Task Retries_resend_while_the_receiver_fails()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        RouteBoth(sim, receiver);
        sim.Faults.Update(f => f.WebhookRetries = 3);
        receiver.FailNext(2, 503);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();

        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        var attempts = new[] { await receiver.NextAsync(), await receiver.NextAsync(), await receiver.NextAsync() };

        attempts.Select(a => a.Body).Distinct().Count().ShouldBe(1);
        sim.Calls.Get(refId).Webhooks.Select(d => d.StatusCode).ShouldBe([503, 503, 200]);
        receiver.TryTake(out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Without_retries_a_failed_delivery_is_recorded_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        RouteBoth(sim, receiver);
        receiver.FailNext(1, 500);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();

        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        await receiver.NextAsync();

        sim.Calls.Get(refId).Webhooks.Single().StatusCode.ShouldBe(500);
    }

    [Fact]
    public async Task Call_type_filter_keeps_inbound_webhooks_off_outbound_calls()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        sim.Accounts.SetWebhook(AccountId, new WebhookConfig
        {
            Trigger = WebhookTrigger.Answered, Url = receiver.BaseUrl + "/hook?event=answered", CallType = WebhookCallType.Inbound,
        });
        using var http = Client(sim);
        var outbound = await http.DialSupportAsync();
        var inbound = sim.Calls.StartInbound(AccountId, "9123456780", OtherDid);

        await sim.Calls.AnswerAsync(outbound, TestContext.Current.CancellationToken);
        await sim.Calls.AnswerAsync(inbound.CallId, TestContext.Current.CancellationToken);
        var received = JsonNode.Parse((await receiver.NextAsync()).Body)!;

        received["direction"]!.GetValue<string>().ShouldBe("inbound");
        received["call_id"]!.GetValue<string>().ShouldBe(inbound.CallId);
        received["caller_id_number"]!.GetValue<string>().ShouldBe("9123456780");
        received["call_to_number"]!.GetValue<string>().ShouldBe("+918071000002");
        receiver.TryTake(out _).ShouldBeFalse();
        sim.Calls.Get(outbound).Webhooks.ShouldBeEmpty();
    }
}
