using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Webhooks;
using Awaaz.Smartflo.Tests.Simulator;
using Awaaz.Smartflo.Tests.Support;
using Awaaz.Smartflo.Webhooks;
using Shouldly;
using static Awaaz.Smartflo.Tests.ClientAgainstSimulator.ClientSimKit;

namespace Awaaz.Smartflo.Tests.ClientAgainstSimulator;

/// <summary>
/// Spec §10: what the simulator delivers over HTTP, in each transport, parses with
/// <see cref="SmartfloWebhookParser.Parse"/> to the normalised event for that call. The three fixture shapes are
/// (a) answered by agent (click_to_call_support), (b) answered by customer (agent-first click_to_call) and
/// (c) hangup of a voice-streaming call; inbound calls use (a) with <c>direction: inbound</c>.
/// Outbound calls are placed by the real client. Each webhook is delivered twice: to the URL the panel setup
/// prescribes (<c>?secret=…&amp;event=…</c>, §10.2) and to the bare URL, where the kind is inferred (§10.7).
/// </summary>
public sealed class WebhookDeliveryAgainstParserTests
{
    private const string Did = "+918069000001";
    private const string OtherDid = "+918071000002";

    public static TheoryData<string, WebhookFormat> CallsAndFormats()
    {
        var data = new TheoryData<string, WebhookFormat>();
        foreach (var call in new[] { "click_to_call_support", "click_to_call", "inbound" })
        foreach (var format in new[] { WebhookFormat.Query, WebhookFormat.Json, WebhookFormat.Form })
            data.Add(call, format);
        return data;
    }

    [Theory]
    [MemberData(nameof(CallsAndFormats))]
    public async Task Answered_and_hangup_webhooks_parse_to_the_calls_event(string kind, WebhookFormat format)
    {
        var clock = new ManualTimeProvider();
        var dialledAt = clock.GetUtcNow();
        await using var receiver = await LifecycleReceiver.StartAsync();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock);
        var customIdentifier = Guid.NewGuid().ToString();

        string? refId = null;
        CallSnapshot call;
        switch (kind)
        {
            case "click_to_call_support":
                refId = (await client.ClickToCallSupportAsync(SupportDial(callerId: Did, customIdentifier: customIdentifier), TestContext.Current.CancellationToken)).RefId;
                call = sim.Calls.Get(refId!);
                break;
            case "click_to_call":
                await client.ClickToCallAsync(AgentFirstDial(callerId: OtherDid, customIdentifier: customIdentifier), TestContext.Current.CancellationToken);
                call = sim.Calls.All.Single();
                break;
            default:
                call = sim.Calls.StartInbound(SimTestKit.AccountId, "9876543210", OtherDid);
                break;
        }

        clock.Advance(TimeSpan.FromSeconds(7));
        await sim.Calls.AnswerAsync(call.CallId, TestContext.Current.CancellationToken);
        var answered = await DeliverAsync(sim, receiver, call.CallId, WebhookTrigger.Answered, format);
        clock.Advance(TimeSpan.FromSeconds(42));
        await sim.Calls.CallerHangupAsync(call.CallId, TestContext.Current.CancellationToken);
        var hangup = await DeliverAsync(sim, receiver, call.CallId, WebhookTrigger.Hangup, format);

        var outbound = kind != "inbound";
        var did = kind == "click_to_call_support" ? Did : OtherDid;
        var bridgedToBot = kind != "click_to_call"; // voice-streaming calls report an empty answer_stamp (fixture c)
        foreach (var e in answered)
        {
            e.Kind.ShouldBe(SmartfloCallEventKind.Answered);
            e.Uuid.ShouldBe(call.Uuid);
            e.DeduplicationId.ShouldBe(call.Uuid);
            e.Direction.ShouldBe(outbound ? CallDirection.Outbound : CallDirection.Inbound);
            e.CorrelationCustomerNumber.ShouldBe(Customer);
            e.CorrelationDidNumber.ShouldBe(did);
            e.StartedAt.ShouldBe(dialledAt);
            e.BillingCircle.ShouldNotBeNull().Circle.ShouldBe(call.Circle);
            switch (kind)
            {
                case "click_to_call_support": // fixture (a)
                    e.CallId.ShouldBe(call.CallId);
                    e.CallIdCore.ShouldBe(call.CoreCallId);
                    e.RefId.ShouldBe(refId);
                    e.CustomIdentifier.ShouldBe(customIdentifier);
                    e.CallToNumber.ShouldBe(Customer);
                    e.CallerIdNumber.ShouldBe(Did);
                    e.CustomerNumber.ShouldBe(Customer);
                    e.Status.ShouldBe("Answered by agent");
                    e.CallStatus.ShouldBe("queued");
                    break;
                case "click_to_call": // fixture (b): no call_id, ref_id "", numbers without +
                    e.CallId.ShouldBeNull();
                    e.RefId.ShouldBeNull();
                    e.CustomIdentifier.ShouldBeNull();
                    e.CallToNumber.ShouldBe(Customer);
                    e.CallerIdNumber.ShouldBe(OtherDid);
                    e.CustomerNumber.ShouldBe(Customer);
                    e.CallStatus.ShouldBe("Answered by customer");
                    e.CustomerRingSeconds.ShouldBe(7);
                    var agent = e.AnsweredAgent.ShouldNotBeNull();
                    agent.Id.ShouldBe(SimTestKit.AgentId);
                    agent.Name.ShouldBe("Voice Bot");
                    agent.NumberE164.ShouldBe("+911140000001");
                    break;
                default: // inbound: shape (a) with direction inbound, placeholder custom_identifier
                    e.CallId.ShouldBe(call.CallId);
                    e.RefId.ShouldBeNull();
                    e.CustomIdentifier.ShouldBeNull();
                    e.CallToNumber.ShouldBe(OtherDid);
                    e.CallerIdNumber.ShouldBe(Customer);
                    e.CallStatus.ShouldBe("answered");
                    break;
            }
        }

        foreach (var e in hangup) // fixture (c)
        {
            e.Kind.ShouldBe(SmartfloCallEventKind.Hangup);
            e.CallId.ShouldBe(call.CallId);
            e.CallIdCore.ShouldBe(call.CoreCallId);
            e.Uuid.ShouldBe(call.Uuid);
            e.RefId.ShouldBe(refId);
            e.CustomIdentifier.ShouldBe(kind == "inbound" ? null : customIdentifier);
            e.Direction.ShouldBe(outbound ? CallDirection.Outbound : CallDirection.Inbound);
            e.CallToNumber.ShouldBe(outbound ? Customer : OtherDid);
            e.CallerIdNumber.ShouldBe(outbound ? did : Customer);
            e.CustomerNumber.ShouldBe(Customer);
            e.CorrelationCustomerNumber.ShouldBe(Customer);
            e.CorrelationDidNumber.ShouldBe(did);
            e.StartedAt.ShouldBe(dialledAt);
            e.AnsweredAt.ShouldBe(bridgedToBot ? null : dialledAt.AddSeconds(7));
            e.EndedAt.ShouldBe(dialledAt.AddSeconds(49));
            e.BillSeconds.ShouldBe(42);
            e.DurationSeconds.ShouldBe(49);
            e.CallConnected.ShouldBe(true);
            e.HangupCause.ShouldBe("NORMAL_CLEARING");
            e.HangupCauseCode.ShouldBe(16);
            e.ReasonKey.ShouldBe("Call Disconnected By Caller");
            e.RecordingUrl.ShouldNotBeNull().ShouldStartWith(sim.BaseUrl + "/file/recording?callId=");
            e.Status.ShouldBe("answered");
            e.CallStatus.ShouldBe("contacted");
            e.CallFlow.First().Type.ShouldBe("init");
            e.CallFlow.First().Value.ShouldBe(call.CallId);
            e.CallFlow.Last().Type.ShouldBe("hangup");
            e.VoiceStreamingStartedAt.ShouldBe(bridgedToBot ? dialledAt.AddSeconds(7) : null);
            e.VoiceStreamingEndedAt.ShouldBe(bridgedToBot ? dialledAt.AddSeconds(49) : null);
            e.Raw.TryGetProperty("recording_name", out _).ShouldBeTrue(); // literal "$recording_name" kept raw only
        }
    }

    [Theory]
    [InlineData(WebhookFormat.Query)]
    [InlineData(WebhookFormat.Json)]
    [InlineData(WebhookFormat.Form)]
    public async Task Missed_then_hangup_webhooks_of_a_busy_customer_parse_to_a_missed_call(WebhookFormat format)
    {
        var clock = new ManualTimeProvider();
        var dialledAt = clock.GetUtcNow();
        await using var receiver = await LifecycleReceiver.StartAsync();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock);
        var dial = await client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken);
        var call = sim.Calls.Get(dial.RefId!);

        clock.Advance(TimeSpan.FromSeconds(12));
        await sim.Calls.MissAsync(call.CallId, MissOutcome.Busy, TestContext.Current.CancellationToken);
        var missed = await DeliverAsync(sim, receiver, call.CallId, WebhookTrigger.Missed, format);
        var hangup = await DeliverAsync(sim, receiver, call.CallId, WebhookTrigger.Hangup, format);

        foreach (var e in missed)
        {
            e.Kind.ShouldBe(SmartfloCallEventKind.Missed);
            e.CallId.ShouldBe(call.CallId);
            e.RefId.ShouldBe(dial.RefId);
            e.CorrelationCustomerNumber.ShouldBe(Customer);
            e.CustomerRingSeconds.ShouldBe(12);
            e.AnsweredAgent.ShouldBeNull(); // "_number" artefact (Q3)
        }

        foreach (var e in hangup)
        {
            e.Kind.ShouldBe(SmartfloCallEventKind.Hangup);
            e.CallId.ShouldBe(call.CallId);
            e.BillSeconds.ShouldBe(0);
            e.CallConnected.ShouldBe(false);
            e.AnsweredAt.ShouldBeNull();
            e.EndedAt.ShouldBe(dialledAt.AddSeconds(12));
            e.HangupCause.ShouldBe("USER_BUSY");
            e.HangupCauseCode.ShouldBe(17);
            e.RecordingUrl.ShouldBeNull();
            e.Status.ShouldBe("missed");
        }
    }

    [Theory]
    [InlineData(WebhookFormat.Query)]
    [InlineData(WebhookFormat.Json)]
    [InlineData(WebhookFormat.Form)]
    public async Task Dtmf_webhook_with_the_event_parameter_parses_to_the_key_pressed(WebhookFormat format)
    {
        var clock = new ManualTimeProvider();
        await using var receiver = await LifecycleReceiver.StartAsync();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock);
        var dial = await client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken);
        var call = sim.Calls.Get(dial.RefId!);
        await sim.Calls.AnswerAsync(call.CallId, TestContext.Current.CancellationToken);
        await sim.Calls.SendDtmfAsync(call.CallId, "4#", TestContext.Current.CancellationToken);

        await sim.Calls.EmitWebhookAsync(call.CallId, WebhookTrigger.Dtmf,
            new WebhookTarget($"{receiver.BaseUrl}/api/tata/lifecycle?secret=s3cret&event=dtmf", format), TestContext.Current.CancellationToken);
        var received = await receiver.NextAsync();

        received.Parsed.IsSuccess.ShouldBeTrue();
        var e = received.Parsed.Event!;
        e.Kind.ShouldBe(SmartfloCallEventKind.Dtmf);
        e.KindFromEventParameter.ShouldBeTrue();
        e.CallId.ShouldBe(call.CallId);
        e.DtmfDigits.ShouldBe("#"); // digit_pressed: the last key; digits_dialed carries "4#"
        e.Raw.GetProperty("digits_dialed").GetString().ShouldBe("4#");
    }

    /// <summary>
    /// Emits <paramref name="trigger"/> for the call to the panel-style URL (<c>secret</c> + <c>event</c>) and to the
    /// bare URL, and returns both parsed events after checking transport, method and the <c>secret</c> being dropped.
    /// </summary>
    private static async Task<IReadOnlyList<SmartfloCallEvent>> DeliverAsync(
        SmartfloSimulator sim, LifecycleReceiver receiver, string callId, WebhookTrigger trigger, WebhookFormat format)
    {
        var name = trigger.ToString().ToLowerInvariant();
        var events = new List<SmartfloCallEvent>();
        foreach (var withEvent in new[] { true, false })
        {
            var url = withEvent ? $"{receiver.BaseUrl}/api/tata/lifecycle?secret=s3cret&event={name}" : $"{receiver.BaseUrl}/api/tata/lifecycle";
            var delivery = await sim.Calls.EmitWebhookAsync(callId, trigger, new WebhookTarget(url, format), TestContext.Current.CancellationToken);
            var received = await receiver.NextAsync();

            delivery.StatusCode.ShouldBe(200);
            received.Method.ShouldBe(format == WebhookFormat.Query ? "GET" : "POST");
            received.Parsed.IsSuccess.ShouldBeTrue(received.Parsed.Error?.Message);
            var e = received.Parsed.Event!;
            e.Format.ShouldBe(format switch
            {
                WebhookFormat.Query => WebhookPayloadFormat.Query,
                WebhookFormat.Form => WebhookPayloadFormat.Form,
                _ => WebhookPayloadFormat.Json,
            });
            e.KindFromEventParameter.ShouldBe(withEvent);
            e.EventParameter.ShouldBe(withEvent ? name : null);
            e.Raw.TryGetProperty("secret", out _).ShouldBeFalse();
            events.Add(e);
        }

        return events;
    }
}
