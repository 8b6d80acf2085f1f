using System.Text;
using System.Text.Json;
using Awaaz.Smartflo.Tests.Support;
using Awaaz.Smartflo.Webhooks;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Webhooks;

public sealed class WebhookTransportTests
{
    /// <summary>The hangup fixture as a form body: scalars as text, objects and arrays JSON-encoded (spec §10.3).</summary>
    private static string AsForm(string json)
    {
        using var document = JsonDocument.Parse(json);
        return string.Join('&', document.RootElement.EnumerateObject().Select(p =>
            Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(
                p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())));
    }

    [Fact]
    public void Form_body_gives_the_same_event_as_json()
    {
        var json = WebhookFixtureTests.Unredacted("webhook-hangup-voice-streaming.json");
        var fromJson = SmartfloWebhookParser.ParseJson(json).Event!;
        var fromForm = SmartfloWebhookParser.ParseForm(AsForm(json), "hangup");

        fromForm.IsSuccess.ShouldBeTrue();
        var e = fromForm.Event;
        e.Format.ShouldBe(WebhookPayloadFormat.Form);
        e.KindFromEventParameter.ShouldBeTrue();
        e.Kind.ShouldBe(SmartfloCallEventKind.Hangup);
        e.CallId.ShouldBe(fromJson.CallId);
        e.Uuid.ShouldBe(fromJson.Uuid);
        e.CustomerNumber.ShouldBe(fromJson.CustomerNumber);
        e.StartedAt.ShouldBe(fromJson.StartedAt);
        e.BillSeconds.ShouldBe(6);
        e.CallConnected.ShouldBe(true);
        // call_flow and billing_circle arrived as JSON strings (quirk Q8).
        e.CallFlow.Count.ShouldBe(6);
        e.VoiceStreamingEndedAt.ShouldBe(fromJson.VoiceStreamingEndedAt);
        e.BillingCircle.ShouldBe(new BillingCircle("Idea", "Mumbai"));
    }

    [Fact]
    public void Get_query_string_carries_every_variable_and_the_secret_is_dropped()
    {
        var query = "?secret=sfs_abcdefghijklmnopqrstuvwxyz012345&event=hangup&uuid=6988359567e27&call_id=h3.08-1770534283.2156835"
                    + "&customer_no_with_prefix%20=%2B919712345678&start_stamp=2026-02-08+12%3A34%3A53&billsec=6&answer_stamp=&recording_name=%24recording_name";
        var result = SmartfloWebhookParser.Parse(query, ReadOnlySpan<byte>.Empty, null);

        result.IsSuccess.ShouldBeTrue();
        var e = result.Event;
        e.Format.ShouldBe(WebhookPayloadFormat.Query);
        e.Kind.ShouldBe(SmartfloCallEventKind.Hangup);
        e.KindFromEventParameter.ShouldBeTrue();
        e.CustomerNumber.ShouldBe("+919712345678");
        e.StartedAt.ShouldBe(new DateTimeOffset(2026, 2, 8, 7, 4, 53, TimeSpan.Zero));
        e.AnsweredAt.ShouldBeNull();
        e.BillSeconds.ShouldBe(6);
        e.Raw.ToString().ShouldNotContain("sfs_");
        e.Raw.TryGetProperty("secret", out _).ShouldBeFalse();
        SmartfloWebhookParser.ParseQuery(query).Event!.PayloadHash.ShouldBe(e.PayloadHash);
    }

    [Fact]
    public void Json_post_takes_event_from_the_query_and_fills_missing_keys_from_it()
    {
        var body = Encoding.UTF8.GetBytes("""{"uuid":"69882f281b4b0","status":"missed"}""");
        var result = SmartfloWebhookParser.Parse("secret=s3cr3t-value&event=answered&ref_id=5c4113fa-538e-422b-8925-685bdc6915c0", body, "application/json; charset=utf-8");

        result.IsSuccess.ShouldBeTrue();
        result.Event.Kind.ShouldBe(SmartfloCallEventKind.Answered);
        result.Event.EventParameter.ShouldBe("answered");
        result.Event.RefId.ShouldBe("5c4113fa-538e-422b-8925-685bdc6915c0");
        result.Event.Raw.ToString().ShouldNotContain("s3cr3t");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/octet-stream")]
    public void Unknown_content_type_tries_json_then_form(string? contentType)
    {
        var json = SmartfloWebhookParser.Parse(null, """{"uuid":"abc","billsec":"3"}"""u8, contentType);
        json.Event!.Format.ShouldBe(WebhookPayloadFormat.Json);
        json.Event.BillSeconds.ShouldBe(3);

        var form = SmartfloWebhookParser.Parse(null, "uuid=abc&billsec=3"u8, contentType);
        form.Event!.Format.ShouldBe(WebhookPayloadFormat.Form);
        form.Event.BillSeconds.ShouldBe(3);
        form.Event.Kind.ShouldBe(SmartfloCallEventKind.Hangup);
    }

    [Fact]
    public void Form_content_type_is_read_as_form()
    {
        var result = SmartfloWebhookParser.Parse("event=missed", "uuid=u1&call_status=missed&custom_identifier=c1"u8, "application/x-www-form-urlencoded");
        result.Event!.Kind.ShouldBe(SmartfloCallEventKind.Missed);
        result.Event.CustomIdentifier.ShouldBe("c1");
    }

    [Theory]
    [InlineData("", WebhookParseErrorCode.EmptyPayload)]
    [InlineData("   ", WebhookParseErrorCode.EmptyPayload)]
    [InlineData("{", WebhookParseErrorCode.InvalidJson)]
    [InlineData("{\"uuid\":}", WebhookParseErrorCode.InvalidJson)]
    [InlineData("[1,2,3]", WebhookParseErrorCode.NotAnObject)]
    [InlineData("\"hangup\"", WebhookParseErrorCode.NotAnObject)]
    [InlineData("{}", WebhookParseErrorCode.EmptyPayload)]
    [InlineData("{\"secret\":\"x\"}", WebhookParseErrorCode.EmptyPayload)]
    public void Bad_json_gives_typed_errors(string body, WebhookParseErrorCode code)
    {
        var result = SmartfloWebhookParser.ParseJson(body);
        result.IsSuccess.ShouldBeFalse();
        result.Error.Code.ShouldBe(code);
    }

    [Fact]
    public void Bad_forms_and_oversized_payloads_give_typed_errors()
    {
        SmartfloWebhookParser.ParseForm("just some text").Error!.Code.ShouldBe(WebhookParseErrorCode.InvalidForm);
        SmartfloWebhookParser.ParseQuery("?").Error!.Code.ShouldBe(WebhookParseErrorCode.EmptyPayload);
        SmartfloWebhookParser.Parse(null, "<html>bad gateway</html>"u8, "text/html").Error!.Code.ShouldBe(WebhookParseErrorCode.InvalidJson);
        var huge = new byte[SmartfloWebhookParser.MaxPayloadBytes + 1];
        SmartfloWebhookParser.ParseJson(huge).Error!.Code.ShouldBe(WebhookParseErrorCode.TooLarge);
        SmartfloWebhookParser.Parse(null, huge, "application/json").Error!.Code.ShouldBe(WebhookParseErrorCode.TooLarge);
    }
}

public sealed class WebhookQuirkTests
{
    private static SmartfloCallEvent Parse(string json, string? eventParameter = null) =>
        SmartfloWebhookParser.ParseJson(json, eventParameter).Event ?? throw new ShouldAssertException("did not parse");

    [Fact]
    public void Q1_trimmed_and_untrimmed_duplicates_take_the_first_non_null() =>
        Parse("""{"customer_no_with_prefix":"","customer_no_with_prefix ":"+919876543210","uuid":"u"}""").CustomerNumber.ShouldBe("+919876543210");

    [Theory]
    [InlineData("$answered_agent_number")]
    [InlineData("_number")]
    [InlineData("_name")]
    [InlineData("")]
    [InlineData("   ")]
    public void Q2_Q3_Q4_placeholders_artefacts_and_empty_strings_are_null(string value)
    {
        var e = Parse($$"""{"uuid":"u","answered_agent_number":"{{value}}","ref_id":"{{value}}","recording_url":"{{value}}","billsec":"{{value}}"}""");
        e.AnsweredAgent.ShouldBeNull();
        e.RefId.ShouldBeNull();
        e.RecordingUrl.ShouldBeNull();
        e.BillSeconds.ShouldBeNull();
    }

    [Fact]
    public void Q5_numbers_come_from_numbers_or_numeric_strings()
    {
        var e = Parse("""{"uuid":"u","billsec":6,"duration":"7.4","outbound_sec":"N.A.","call_connected":1,"hangup_cause_code":"17"}""");
        e.BillSeconds.ShouldBe(6);
        e.DurationSeconds.ShouldBe(7);
        e.OutboundSeconds.ShouldBeNull();
        e.CallConnected.ShouldBe(true);
        e.HangupCauseCode.ShouldBe(17);
    }

    [Theory]
    [InlineData("\"2026-02-08 12:34:53\"")]
    [InlineData("1770534293")]
    [InlineData("\"1770534293\"")]
    [InlineData("\"2026-02-08T07:04:53Z\"")]
    [InlineData("\"2026-02-08T12:34:53+05:30\"")]
    public void Q6_timestamps_in_ist_epoch_or_iso_reach_the_same_utc_instant(string value) =>
        Parse($$"""{"uuid":"u","end_stamp":{{value}}}""").EndedAt.ShouldBe(new DateTimeOffset(2026, 2, 8, 7, 4, 53, TimeSpan.Zero));

    [Fact]
    public void Q8_answered_agent_as_object_array_or_json_string()
    {
        Parse("""{"uuid":"u","answered_agent_number":{"id":"0507297260059","name":"Kapil","follow_me_number":"+919812345678"}}""")
            .AnsweredAgent.ShouldBe(new SmartfloAgentRef("0507297260059", "Kapil", "+919812345678", "+919812345678"));
        Parse("""{"uuid":"u","answered_agent_number":"{\"id\":\"05\",\"follow_me_number\":\"09812345678\"}"}""")
            .AnsweredAgent!.NumberE164.ShouldBe("+919812345678");
        Parse("""{"uuid":"u","answered_agent_number":[{"id":"05","name":"A"}]}""").AnsweredAgent!.Name.ShouldBe("A");
        Parse("""{"uuid":"u","answered_agent_number":"9812345678"}""").AnsweredAgent!.NumberE164.ShouldBe("+919812345678");
        Parse("""{"uuid":"u","call_flow":"not json [","billing_circle":"{broken"}""").CallFlow.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("\"c1234567-abcd-1234-abcd-123456789012\"")]
    [InlineData("{\"awaaz_call_id\":\"c1234567-abcd-1234-abcd-123456789012\",\"call_id\":\"other\"}")]
    [InlineData("{\"call_id\":\"c1234567-abcd-1234-abcd-123456789012\",\"ref_id\":\"other\"}")]
    [InlineData("{\"ref_id\":\"c1234567-abcd-1234-abcd-123456789012\"}")]
    [InlineData("{\"whatever\":\"x\",\"id\":\"c1234567-abcd-1234-abcd-123456789012\"}")]
    [InlineData("\"{\\\"awaaz_call_id\\\":\\\"c1234567-abcd-1234-abcd-123456789012\\\"}\"")]
    [InlineData("\"\\\"c1234567-abcd-1234-abcd-123456789012\\\"\"")]
    public void Q10_custom_identifier_is_unwrapped_from_objects_and_json_strings(string value) =>
        Parse($$"""{"uuid":"u","custom_identifier":{{value}}}""").CustomIdentifier.ShouldBe("c1234567-abcd-1234-abcd-123456789012");

    [Fact]
    public void Q11_echoed_request_parameters_are_ignored()
    {
        var e = Parse("""{"uuid":"u","async":1,"get_call_id":1,"status":"Answered by customer"}""");
        e.Kind.ShouldBe(SmartfloCallEventKind.Answered);
        e.Raw.GetProperty("async").GetInt32().ShouldBe(1);
    }

    [Theory]
    [InlineData("inbound", CallDirection.Inbound)]
    [InlineData("Dialer (Inbound)", CallDirection.Inbound)]
    [InlineData("outbound", CallDirection.Outbound)]
    [InlineData("click_to_call", CallDirection.Outbound)]
    [InlineData("clicktocall", CallDirection.Outbound)]
    [InlineData("click-to-call", CallDirection.Outbound)]
    [InlineData("Dialer (Outbound)", CallDirection.Outbound)]
    [InlineData("broadcast", CallDirection.Unknown)]
    public void Q12_direction_spellings(string raw, CallDirection expected) =>
        Parse($$"""{"uuid":"u","direction":"{{raw}}"}""").Direction.ShouldBe(expected);

    [Fact]
    public void Inbound_correlation_uses_the_caller_as_customer_and_call_to_as_did()
    {
        var e = Parse("""{"uuid":"u","direction":"inbound","caller_id_number":"09812345678","call_to_number":"918069123456"}""");
        e.CorrelationCustomerNumber.ShouldBe("+919812345678");
        e.CorrelationDidNumber.ShouldBe("+918069123456");
    }

    [Fact]
    public void Q14_keys_match_case_insensitively() =>
        Parse("""{"UUID":"69882f281b4b0","Call_Id":"1739257917.28918","Hangup_Cause":"NO_ANSWER"}""")
            .ShouldSatisfyAllConditions(
                e => e.Uuid.ShouldBe("69882f281b4b0"),
                e => e.CallIdCore.ShouldBe("1739257917.28918"),
                e => e.Kind.ShouldBe(SmartfloCallEventKind.Hangup));

    [Theory]
    [InlineData("""{"uuid":"u","end_stamp":"2026-02-08 12:34:59"}""", SmartfloCallEventKind.Hangup)]
    [InlineData("""{"uuid":"u","hangup_cause_key":"NO_ANSWER","status":"missed"}""", SmartfloCallEventKind.Hangup)]
    [InlineData("""{"uuid":"u","billsec":"0"}""", SmartfloCallEventKind.Hangup)]
    [InlineData("""{"uuid":"u","status":"Answered by agent"}""", SmartfloCallEventKind.Answered)]
    [InlineData("""{"uuid":"u","call_status":"Call missed by customer"}""", SmartfloCallEventKind.Missed)]
    [InlineData("""{"uuid":"u","digit_pressed":"1"}""", SmartfloCallEventKind.Dtmf)]
    [InlineData("""{"uuid":"u","call_status":"queued"}""", SmartfloCallEventKind.Unknown)]
    [InlineData("""{"uuid":"u","billsec":"$billsec","end_stamp":""}""", SmartfloCallEventKind.Unknown)]
    public void Kind_is_inferred_in_the_spec_order_when_no_event_parameter(string json, SmartfloCallEventKind kind) =>
        Parse(json).Kind.ShouldBe(kind);

    [Theory]
    [InlineData("answered", SmartfloCallEventKind.Answered)]
    [InlineData("HANGUP", SmartfloCallEventKind.Hangup)]
    [InlineData("missed", SmartfloCallEventKind.Missed)]
    [InlineData("received", SmartfloCallEventKind.Received)]
    [InlineData("dtmf", SmartfloCallEventKind.Dtmf)]
    public void Event_parameter_wins_over_inference(string eventParameter, SmartfloCallEventKind kind)
    {
        var e = Parse("""{"uuid":"u","end_stamp":"2026-02-08 12:34:59"}""", eventParameter);
        e.Kind.ShouldBe(kind);
        e.KindFromEventParameter.ShouldBeTrue();
    }

    [Fact]
    public void Deduplication_falls_back_to_a_hash_that_ignores_key_order_spacing_and_casing()
    {
        var a = Parse("""{"status":"answered","call_to_number":"9812345678","start_stamp":"2026-02-08 12:34:53"}""");
        var b = Parse("""{"Start_Stamp ":"2026-02-08 12:34:53","call_to_number":"9812345678","status":"answered","recording_name":"$recording_name"}""");
        var c = Parse("""{"status":"answered","call_to_number":"9812345679","start_stamp":"2026-02-08 12:34:53"}""");

        a.DeduplicationId.ShouldBe("sha256:" + a.PayloadHash);
        a.PayloadHash.ShouldBe(b.PayloadHash);
        a.PayloadHash.ShouldNotBe(c.PayloadHash);
        Parse("""{"call_id":"1739257917.28918"}""").DeduplicationId.ShouldBe("1739257917.28918");
    }

    [Fact]
    public void Call_id_falls_back_to_the_init_step_of_call_flow()
    {
        var e = Parse("""{"uuid":"u","call_flow":[{"type":"init","value":"h3.08-1770534283.2156835","time":"1770534293"}]}""");
        e.CallId.ShouldBe("h3.08-1770534283.2156835");
        e.CallIdCore.ShouldBe("1770534283.2156835");
    }
}

public sealed class WebhookEmptinessTests
{
    [Theory]
    [InlineData("""{"EVENT":"hangup"}""")]
    [InlineData("""{" event ":"hangup","Secret":"s"}""")]
    public void A_payload_with_only_the_event_name_carries_no_variables(string json) =>
        SmartfloWebhookParser.ParseJson(json).Error!.Code.ShouldBe(WebhookParseErrorCode.EmptyPayload);
}
