using System.Text.Json;
using Awaaz.Smartflo.Tests.Support;
using Awaaz.Smartflo.Webhooks;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Webhooks;

/// <summary>Every captured webhook parses to the expected normalised event (spec §10.6, fixtures README).</summary>
public sealed class WebhookFixtureTests
{
    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Fixture with every redaction X replaced by 7, for number-matching checks (the README's advice).</summary>
    internal static string Unredacted(string name) => Fixtures.Text(name).Replace('X', '7');

    private static SmartfloCallEvent Parse(string json, string? eventParameter = null)
    {
        var result = SmartfloWebhookParser.ParseJson(json, eventParameter);
        result.IsSuccess.ShouldBeTrue(result.Error?.Message);
        return result.Event!;
    }

    [Fact]
    public void Answered_by_agent_on_click_to_call_support()
    {
        var e = Parse(Fixtures.Text("webhook-answered-c2c-support.json"));

        e.Kind.ShouldBe(SmartfloCallEventKind.Answered);
        e.KindFromEventParameter.ShouldBeFalse();
        e.Format.ShouldBe(WebhookPayloadFormat.Json);
        e.Uuid.ShouldBe("69882f281b4b0");
        e.CallId.ShouldBe("h11.08-1770532638.2135633");
        e.CallIdCore.ShouldBe("1770532638.2135633");
        e.RefId.ShouldBe("5c4113fa-538e-422b-8925-685bdc6915c0");
        e.CustomIdentifier.ShouldBe("1ca7c3d1-9545-3413-80c2-8956b256e716");
        e.Status.ShouldBe("Answered by agent");
        e.CallStatus.ShouldBe("queued");
        e.Direction.ShouldBe(CallDirection.Outbound);
        e.DirectionRaw.ShouldBe("click_to_call");
        e.StartedAt.ShouldBe(Utc("2026-02-08T06:37:18Z"));
        e.AnsweredAt.ShouldBeNull();
        e.EndedAt.ShouldBeNull();
        e.BillSeconds.ShouldBeNull();
        e.BillingCircle.ShouldBe(new BillingCircle("Idea", "Mumbai"));
        e.AnsweredAgent.ShouldBe(new SmartfloAgentRef(null, null, "+9195XXXXXXXX", null));
        // Redacted numbers are not numbers.
        e.CallToNumber.ShouldBeNull();
        e.CallerIdNumber.ShouldBeNull();
        e.CustomerNumber.ShouldBeNull();
        e.DeduplicationId.ShouldBe("69882f281b4b0");
        e.Raw.TryGetProperty("customer_no_with_prefix ", out _).ShouldBeTrue();
    }

    [Fact]
    public void Answered_by_agent_numbers_resolve_once_digits_replace_the_redaction()
    {
        var e = Parse(Unredacted("webhook-answered-c2c-support.json"), "answered");

        e.KindFromEventParameter.ShouldBeTrue();
        e.CallToNumber.ShouldNotBeNull().ShouldStartWith("+9195");
        e.CallerIdNumber.ShouldNotBeNull().ShouldStartWith("+918065");
        // Read through the trailing-space key "customer_no_with_prefix ".
        e.CustomerNumber.ShouldBe(e.CallToNumber);
        e.CorrelationCustomerNumber.ShouldBe(e.CustomerNumber);
        e.CorrelationDidNumber.ShouldBe(e.CallerIdNumber);
        e.AnsweredAgent!.NumberE164.ShouldStartWith("+9195");
    }

    [Fact]
    public void Answered_by_customer_on_agent_first_click_to_call()
    {
        var e = Parse(Fixtures.Text("webhook-answered-by-customer.json"));

        e.Kind.ShouldBe(SmartfloCallEventKind.Answered);
        e.CallStatus.ShouldBe("Answered by customer");
        e.Status.ShouldBeNull();
        e.Uuid.ShouldBe("69d753c963a5d");
        e.CallId.ShouldBeNull();
        e.RefId.ShouldBeNull();
        e.CustomIdentifier.ShouldBeNull();
        e.Direction.ShouldBe(CallDirection.Outbound);
        e.StartedAt.ShouldBe(Utc("2026-04-09T07:22:49Z"));
        e.CustomerRingSeconds.ShouldBe(16);
        e.AnsweredAgent.ShouldBe(new SmartfloAgentRef("0507297260059", "Kapil", "+9182XXXXXXXX", null));
        e.BillingCircle.ShouldBe(new BillingCircle("Reliance Mobile GSM", "Delhi"));
        e.DeduplicationId.ShouldBe("69d753c963a5d");
    }

    [Fact]
    public void Answered_by_customer_mixes_number_formats_that_all_normalise()
    {
        var e = Parse(Unredacted("webhook-answered-by-customer.json"));

        // "91…" without plus, "+91…" and the trailing-space key all reach E.164.
        e.CallToNumber.ShouldNotBeNull().ShouldMatch(@"^\+9182\d{8}$");
        e.CallerIdNumber.ShouldNotBeNull().ShouldMatch(@"^\+919240\d{6}$");
        e.CustomerNumber.ShouldNotBeNull().ShouldMatch(@"^\+9182\d{8}$");
        e.AnsweredAgent!.NumberE164.ShouldNotBeNull().ShouldMatch(@"^\+9182\d{8}$");
    }

    [Fact]
    public void Hangup_of_a_voice_streaming_call()
    {
        var e = Parse(Fixtures.Text("webhook-hangup-voice-streaming.json"));

        e.Kind.ShouldBe(SmartfloCallEventKind.Hangup);
        e.Uuid.ShouldBe("6988359567e27");
        e.CallId.ShouldBe("h3.08-1770534283.2156835");
        e.CallIdCore.ShouldBe("1770534283.2156835");
        e.RefId.ShouldBe("1b4e38a7-b0d4-497e-8004-385a86532f58");
        e.CustomIdentifier.ShouldBe("3d5af0f4-bb88-312f-9ecd-a12583efd7f4");
        e.Status.ShouldBe("answered");
        e.CallStatus.ShouldBe("contacted");
        e.DirectionRaw.ShouldBe("clicktocall");
        e.Direction.ShouldBe(CallDirection.Outbound);

        e.StartedAt.ShouldBe(Utc("2026-02-08T07:04:53Z"));
        e.AnsweredAt.ShouldBeNull();
        e.EndedAt.ShouldBe(Utc("2026-02-08T07:04:59Z"));
        e.BillSeconds.ShouldBe(6);
        e.DurationSeconds.ShouldBe(6);
        e.OutboundSeconds.ShouldBe(6);
        e.AgentRingSeconds.ShouldBe(6);
        e.CustomerRingSeconds.ShouldBe(10);
        e.CallConnected.ShouldBe(true);

        e.HangupCause.ShouldBe("NORMAL_CLEARING");
        e.HangupCauseCode.ShouldBe(16);
        e.HangupCauseDescription.ShouldBe("Normal call clearing");
        e.ReasonKey.ShouldBe("Call Disconnected By Caller");
        e.RecordingUrl.ShouldBe("https://cloudphone.tatateleservices.com/file/recording?callId=h3.08-1770534283.2156835&type=rec&token=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");
        e.AnsweredAgent.ShouldBeNull();
        e.DtmfDigits.ShouldBeNull();
        e.BillingCircle.ShouldBe(new BillingCircle("Idea", "Mumbai"));
    }

    [Fact]
    public void Hangup_call_flow_mixes_string_integer_and_fractional_times()
    {
        var e = Parse(Fixtures.Text("webhook-hangup-voice-streaming.json"));

        e.CallFlow.Select(s => s.Type).ShouldBe(["init", "Agent", "voice-streaming", "voice-streaming", "voice-streaming", "hangup"]);
        e.CallFlow[0].Value.ShouldBe("h3.08-1770534283.2156835");
        // The init step's string epoch cross-checks the IST start_stamp.
        e.CallFlow[0].Time.ShouldBe(e.StartedAt);
        e.CallFlow[1].Time.ShouldBe(Utc("2026-02-08T07:04:53Z"));
        e.CallFlow[1].Status.ShouldBe("Dialed");
        e.CallFlow[3].Id.ShouldBe("553");
        e.VoiceStreamingStartedAt.ShouldBe(Utc("2026-02-08T07:04:54.338Z"));
        e.VoiceStreamingEndedAt.ShouldBe(Utc("2026-02-08T07:04:58.911Z"));
        e.CallFlow[5].Time.ShouldBe(Utc("2026-02-08T07:04:59Z"));
    }

    [Fact]
    public void Hangup_placeholders_and_empty_strings_never_surface_as_values()
    {
        var e = Parse(Fixtures.Text("webhook-hangup-voice-streaming.json"));

        var strings = typeof(SmartfloCallEvent).GetProperties()
            .Where(p => p.PropertyType == typeof(string))
            .Select(p => (string?)p.GetValue(e))
            .Where(v => v is not null)
            .ToList();
        strings.ShouldNotBeEmpty();
        strings.ShouldAllBe(v => !v!.StartsWith('$') && v.Length > 0);
        // The literal placeholders are still in the raw record.
        e.Raw.GetProperty("recording_name").GetString().ShouldBe("$recording_name");
        e.Raw.GetProperty("campaign_id").GetString().ShouldBe("$campaign_id");
    }

    [Fact]
    public void Hangup_numbers_mix_plus91_and_bare_national_forms()
    {
        var e = Parse(Unredacted("webhook-hangup-voice-streaming.json"));

        e.CallToNumber.ShouldNotBeNull().ShouldMatch(@"^\+9197\d{8}$");
        e.CallerIdNumber.ShouldNotBeNull().ShouldMatch(@"^\+918065\d{6}$");
        e.CustomerNumber.ShouldBe(e.CallToNumber);
        e.CorrelationDidNumber.ShouldBe(e.CallerIdNumber);
    }

    [Fact]
    public void The_same_fixture_parses_identically_from_bytes_and_text()
    {
        var fromBytes = SmartfloWebhookParser.ParseJson(Fixtures.Bytes("webhook-hangup-voice-streaming.json")).Event!;
        var fromText = Parse(Fixtures.Text("webhook-hangup-voice-streaming.json"));
        fromBytes.PayloadHash.ShouldBe(fromText.PayloadHash);
        fromBytes.BillSeconds.ShouldBe(fromText.BillSeconds);
        JsonSerializer.Serialize(fromBytes.Raw).ShouldBe(JsonSerializer.Serialize(fromText.Raw));
    }
}
