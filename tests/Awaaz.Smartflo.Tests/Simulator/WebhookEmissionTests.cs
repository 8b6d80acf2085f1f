using System.Net;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Webhooks;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;
using Xunit;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class WebhookEmissionTests
{
    private const string TrailingSpaceKey = "customer_no_with_prefix ";

    private static void Route(Awaaz.Smartflo.Simulator.SmartfloSimulator sim, WebhookReceiver receiver, WebhookTrigger trigger, WebhookFormat format) =>
        sim.Accounts.SetWebhook(AccountId, new WebhookConfig
        {
            Trigger = trigger,
            Url = $"{receiver.BaseUrl}/api/tata/lifecycle?secret=s3cret&event={trigger.ToString().ToLowerInvariant()}",
            Format = format,
        });

    [Fact]
    public async Task Answered_json_webhook_of_a_support_call_has_the_captured_shape()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        Route(sim, receiver, WebhookTrigger.Answered, WebhookFormat.Json);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync("9876543210", "1ca7c3d1-9545-3413-80c2-8956b256e716");

        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        var received = await receiver.NextAsync();

        received.Method.ShouldBe("POST");
        received.ContentType.ShouldStartWith("application/json");
        received.Query["event"].ShouldBe("answered");
        received.Query["secret"].ShouldBe("s3cret");
        var body = JsonNode.Parse(received.Body)!.AsObject();
        body.Select(p => p.Key).ShouldBe(FixtureFiles.Load("webhook-answered-c2c-support.json").Select(p => p.Key));
        var call = sim.Calls.Get(refId);
        body["call_id"]!.GetValue<string>().ShouldBe(call.CallId);
        body["uuid"]!.GetValue<string>().ShouldBe(call.Uuid);
        body["ref_id"]!.GetValue<string>().ShouldBe(refId);
        body["custom_identifier"]!.GetValue<string>().ShouldBe("1ca7c3d1-9545-3413-80c2-8956b256e716");
        body[TrailingSpaceKey]!.GetValue<string>().ShouldBe("+919876543210");
        body["call_to_number"]!.GetValue<string>().ShouldBe("+919876543210");
        body["caller_id_number"]!.GetValue<string>().ShouldBe("+918069000001");
        body["start_stamp"]!.GetValue<string>().ShouldBe("2026-02-08 12:34:53");
        body["call_status"]!.GetValue<string>().ShouldBe("queued");
        body["status"]!.GetValue<string>().ShouldBe("Answered by agent");
        body["direction"]!.GetValue<string>().ShouldBe("click_to_call");
        body["billing_circle"].ShouldBeOfType<JsonObject>();

        var delivery = sim.Calls.Get(refId).Webhooks.Single();
        delivery.StatusCode.ShouldBe(200);
        delivery.ResponseBody.ShouldBe("""{"success":true}""");
    }

    [Fact]
    public async Task Hangup_as_get_with_query_carries_every_quirk_and_real_billsec()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync(clock);
        Route(sim, receiver, WebhookTrigger.Hangup, WebhookFormat.Query);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync("9876543210");
        clock.Advance(TimeSpan.FromSeconds(10));
        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(42));

        await sim.Calls.CallerHangupAsync(refId, TestContext.Current.CancellationToken);
        var received = await receiver.NextAsync();

        received.Method.ShouldBe("GET");
        received.Body.ShouldBeEmpty();
        var q = received.Query;
        q.Keys.Except(["secret", "event"]).Order().ShouldBe(FixtureFiles.Load("webhook-hangup-voice-streaming.json").Select(p => p.Key).Order());
        var call = sim.Calls.Get(refId);
        q["event"].ShouldBe("hangup");
        q["call_id"].ShouldBe(call.CallId);
        q["billsec"].ShouldBe("42");
        q["outbound_sec"].ShouldBe("42");
        q["duration"].ShouldBe("52");
        q["customer_ring_time"].ShouldBe("10");
        q["call_connected"].ShouldBe("1");
        q["start_stamp"].ShouldBe("2026-02-08 12:34:53");
        q["answer_stamp"].ShouldBe("");
        q["end_stamp"].ShouldBe("2026-02-08 12:35:45");
        q["recording_name"].ShouldBe("$recording_name");
        q["campaign_id"].ShouldBe("$campaign_id");
        q["agent_transfer_ring_time"].ShouldBe("$agent_transfer_ring_time");
        q[TrailingSpaceKey].ShouldBe("+919876543210");
        q["call_to_number"].ShouldBe("+919876543210");
        q["caller_id_number"].ShouldBe("8069000001");
        q["direction"].ShouldBe("clicktocall");
        q["status"].ShouldBe("answered");
        q["call_status"].ShouldBe("contacted");
        q["hangup_cause_key"].ShouldBe("NORMAL_CLEARING");
        q["hangup_cause_code"].ShouldBe("16");
        q["reason_key"].ShouldBe("Call Disconnected By Caller");
        q["recording_url"].ShouldStartWith(sim.BaseUrl + "/file/recording?callId=");
        var flow = JsonNode.Parse(q["call_flow"])!.AsArray();
        flow.Select(s => s!["type"]!.GetValue<string>()).ShouldBe(["init", "Agent", "voice-streaming", "voice-streaming", "voice-streaming", "hangup"]);
        flow[0]!["value"]!.GetValue<string>().ShouldBe(call.CallId);
        flow[0]!["time"]!.GetValue<string>().ShouldBe("1770534293");
        flow[^1]!["time"]!.GetValue<long>().ShouldBe(1770534345);
        JsonNode.Parse(q["billing_circle"])!["operator"].ShouldNotBeNull();
    }

    [Fact]
    public async Task Hangup_as_form_post_encodes_nested_values_as_json_strings()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync(clock);
        Route(sim, receiver, WebhookTrigger.Hangup, WebhookFormat.Form);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync("9876543210");
        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(6));

        await sim.Calls.CallerHangupAsync(refId, TestContext.Current.CancellationToken);
        var received = await receiver.NextAsync();

        received.Method.ShouldBe("POST");
        received.ContentType.ShouldStartWith("application/x-www-form-urlencoded");
        var form = QueryHelpers.ParseQuery(received.Body).ToDictionary(p => p.Key, p => p.Value.ToString());
        form["billsec"].ShouldBe("6");
        form[TrailingSpaceKey].ShouldBe("+919876543210");
        form["recording_name"].ShouldBe("$recording_name");
        form["ref_id"].ShouldBe(refId);
        JsonNode.Parse(form["billing_circle"]).ShouldBeOfType<JsonObject>();
        JsonNode.Parse(form["call_flow"]).ShouldBeOfType<JsonArray>();
    }

    [Fact]
    public async Task Missed_call_sends_missed_then_hangup_with_zero_billsec()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync(clock);
        Route(sim, receiver, WebhookTrigger.Missed, WebhookFormat.Form);
        Route(sim, receiver, WebhookTrigger.Hangup, WebhookFormat.Json);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync("9876543210");
        clock.Advance(TimeSpan.FromSeconds(30));

        await sim.Calls.MissAsync(refId, MissOutcome.NoAnswer, TestContext.Current.CancellationToken);
        var missed = await receiver.NextAsync();
        var hangup = await receiver.NextAsync();

        missed.Query["event"].ShouldBe("missed");
        var missedForm = QueryHelpers.ParseQuery(missed.Body);
        missedForm["status"].ToString().ShouldBe("missed");
        missedForm["answered_agent_number"].ToString().ShouldBe("_number");
        missedForm["customer_ring_time"].ToString().ShouldBe("30");
        hangup.Query["event"].ShouldBe("hangup");
        var hangupBody = JsonNode.Parse(hangup.Body)!;
        hangupBody["billsec"]!.GetValue<string>().ShouldBe("0");
        hangupBody["call_connected"]!.GetValue<string>().ShouldBe("0");
        hangupBody["status"]!.GetValue<string>().ShouldBe("missed");
        hangupBody["hangup_cause_key"]!.GetValue<string>().ShouldBe("NO_ANSWER");
        hangupBody["hangup_cause_code"]!.GetValue<string>().ShouldBe("19");
        hangupBody["recording_url"]!.GetValue<string>().ShouldBe("");
        hangupBody["call_flow"]![1]!["dialst"]!.GetValue<string>().ShouldBe("Missed");
    }

    [Fact]
    public async Task Dtmf_sends_one_webhook_per_digit()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        Route(sim, receiver, WebhookTrigger.Dtmf, WebhookFormat.Query);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();
        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);

        await sim.Calls.SendDtmfAsync(refId, "1#", TestContext.Current.CancellationToken);
        var first = await receiver.NextAsync();
        var second = await receiver.NextAsync();

        first.Query["event"].ShouldBe("dtmf");
        first.Query["digit_pressed"].ShouldBe("1");
        first.Query["digits_dialed"].ShouldBe("1");
        second.Query["digit_pressed"].ShouldBe("#");
        second.Query["digits_dialed"].ShouldBe("1#");
        sim.Calls.Get(refId).Dtmf.ShouldBe(["1", "#"]);
    }

    [Fact]
    public async Task Answered_by_customer_webhook_of_an_agent_first_call_has_the_captured_shape()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync(clock);
        Route(sim, receiver, WebhookTrigger.Answered, WebhookFormat.Json);
        using var http = Client(sim);
        var (_, _) = await http.PostJsonAsync("v1/click_to_call", new JsonObject
        {
            ["agent_number"] = AgentId, ["destination_number"] = "9876543210", ["caller_id"] = "918069000001", ["async"] = 1,
        }, StaticToken);
        var callId = sim.Calls.All.Single().CallId;
        clock.Advance(TimeSpan.FromSeconds(16));

        await sim.Calls.AnswerAsync(callId, TestContext.Current.CancellationToken);
        var body = JsonNode.Parse((await receiver.NextAsync()).Body)!.AsObject();

        body.Select(p => p.Key).ShouldBe(FixtureFiles.Load("webhook-answered-by-customer.json").Select(p => p.Key));
        body.ContainsKey("call_id").ShouldBeFalse();
        body["answered_agent_number"]!["id"]!.GetValue<string>().ShouldBe(AgentId);
        body["answered_agent_number"]!["name"]!.GetValue<string>().ShouldBe("Voice Bot");
        body["answered_agent_number"]!["follow_me_number"]!.GetValue<string>().ShouldBe("+911140000001");
        body["call_status"]!.GetValue<string>().ShouldBe("Answered by customer");
        body["call_to_number"]!.GetValue<string>().ShouldBe("919876543210");
        body[TrailingSpaceKey]!.GetValue<string>().ShouldBe("919876543210");
        body["customer_ring_time"]!.GetValue<string>().ShouldBe("16");
        body["ref_id"]!.GetValue<string>().ShouldBe("");
    }

    [Fact]
    public async Task Rest_hangup_sends_the_hangup_webhook_after_answering()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        Route(sim, receiver, WebhookTrigger.Hangup, WebhookFormat.Json);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();
        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);

        var (_, hangup) = await http.PostJsonAsync("v1/call/hangup", new { call_id = sim.Calls.Get(refId).CallId }, StaticToken);
        var body = JsonNode.Parse((await receiver.NextAsync()).Body)!;

        hangup["success"]!.GetValue<bool>().ShouldBeTrue();
        body["reason_key"]!.GetValue<string>().ShouldBe("Call Disconnected By Agent");
        body["ref_id"]!.GetValue<string>().ShouldBe(refId);
    }

    [Fact]
    public async Task Control_api_emits_a_webhook_to_a_given_url_and_format()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();
        var callId = sim.Calls.Get(refId).CallId;

        var (emitted, delivery) = await http.PostJsonAsync($"_sim/calls/{callId}/webhooks/answered",
            new JsonObject { ["url"] = receiver.BaseUrl + "/hook?event=answered", ["format"] = "query" });
        var received = await receiver.NextAsync();
        var (unconfigured, _) = await http.PostJsonAsync($"_sim/calls/{callId}/webhooks/hangup", new JsonObject());
        var (badTrigger, _) = await http.PostJsonAsync($"_sim/calls/{callId}/webhooks/ringing", new JsonObject());

        emitted.StatusCode.ShouldBe(HttpStatusCode.OK);
        delivery["status_code"]!.GetValue<int>().ShouldBe(200);
        delivery["method"]!.GetValue<string>().ShouldBe("GET");
        received.Method.ShouldBe("GET");
        received.Query["call_id"].ShouldBe(callId);
        received.Query["status"].ShouldBe("Answered by agent");
        unconfigured.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badTrigger.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Disabled_webhook_is_not_sent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await StartAsync();
        sim.Accounts.SetWebhook(AccountId, new WebhookConfig
        {
            Trigger = WebhookTrigger.Answered, Url = receiver.BaseUrl + "/hook", Format = WebhookFormat.Json, Enabled = false,
        });
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();

        var call = await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);

        call.Webhooks.ShouldBeEmpty();
        receiver.TryTake(out _).ShouldBeFalse();
    }

    [Fact]
    public void Payload_builder_matches_the_hangup_fixture_key_order()
    {
        var call = SyntheticCall.Create(
            new SyntheticCallOptions(WebhookTrigger.Hangup, CallKind.ClickToCallSupport, "h3.08-1770534283.2156835",
                PhoneNumber.TryParse("9876543210")!, "+918065000000", null, null, 6, 10, ""),
            new DateTimeOffset(2026, 2, 8, 7, 4, 59, TimeSpan.Zero));

        var payload = WebhookPayloads.Build(call, WebhookTrigger.Hangup, new DateTimeOffset(2026, 2, 8, 7, 4, 59, TimeSpan.Zero), "https://sim");

        payload.Select(p => p.Key).ShouldBe(FixtureFiles.Load("webhook-hangup-voice-streaming.json").Select(p => p.Key));
        payload["billsec"]!.GetValue<string>().ShouldBe("6");
        payload["end_stamp"]!.GetValue<string>().ShouldBe("2026-02-08 12:34:59");
        payload["call_id"]!.GetValue<string>().ShouldBe("h3.08-1770534283.2156835");
    }
}
