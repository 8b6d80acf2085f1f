using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Smartflo.Simulator.Webhooks;

/// <summary>
/// Builds panel webhook bodies in the captured shapes of spec §10.6 with the quirks of §10.5:
/// the trailing-space key, literal `$placeholders`, `_number` artefacts, numbers as strings,
/// IST stamps without zone and mixed phone formats. Key order follows the fixtures.
/// </summary>
public static class WebhookPayloads
{
    /// <summary>The key Smartflo sends with a trailing space (quirk Q1).</summary>
    public const string CustomerNoWithPrefixKey = "customer_no_with_prefix ";

    /// <param name="recordingHost">Base URL that serves recordings (the simulator itself).</param>
    public static JsonObject Build(
        CallSnapshot call,
        WebhookTrigger trigger,
        DateTimeOffset now,
        string recordingHost,
        string? digitsPressed = null) =>
        trigger switch
        {
            WebhookTrigger.Answered => call.Kind switch
            {
                CallKind.ClickToCall => AnsweredByCustomer(call, now),
                CallKind.Inbound => AnsweredInbound(call),
                _ => AnsweredByAgent(call),
            },
            WebhookTrigger.Hangup => Hangup(call, now, recordingHost),
            WebhookTrigger.Missed => Missed(call, now),
            _ => Dtmf(call, digitsPressed ?? call.Dtmf.LastOrDefault() ?? ""),
        };

    /// <summary>§10.6 (a): click-to-call-support call answered by the VOICE Bot destination.</summary>
    private static JsonObject AnsweredByAgent(CallSnapshot call) => new()
    {
        ["uuid"] = call.Uuid,
        ["call_to_number"] = call.Customer.E164,
        ["caller_id_number"] = DidE164(call),
        ["start_stamp"] = Ist.Stamp(call.CreatedAt),
        ["answer_agent_number"] = call.Customer.E164,
        ["call_id"] = call.CallId,
        ["billing_circle"] = new JsonObject { ["operator"] = call.Operator, ["circle"] = call.Circle },
        ["call_status"] = "queued",
        ["direction"] = "click_to_call",
        [CustomerNoWithPrefixKey] = call.Customer.E164,
        ["ref_id"] = call.RefId,
        ["custom_identifier"] = call.CustomIdentifier ?? "",
        ["status"] = "Answered by agent",
    };

    /// <summary>§10.6 (b): agent-first click-to-call answered by the customer (no call_id, numbers without `+`).</summary>
    private static JsonObject AnsweredByCustomer(CallSnapshot call, DateTimeOffset now) => new()
    {
        ["answered_agent_number"] = new JsonObject
        {
            ["follow_me_number"] = call.AgentFollowMeNumber ?? "",
            ["id"] = call.AgentNumber ?? "",
            ["name"] = call.AgentName ?? "",
        },
        ["billing_circle"] = new JsonObject { ["circle"] = call.Circle, ["operator"] = call.Operator },
        ["call_status"] = "Answered by customer",
        ["call_to_number"] = call.Customer.WithCountryCode,
        ["caller_id_number"] = DidE164(call),
        [CustomerNoWithPrefixKey] = call.Customer.WithCountryCode,
        ["customer_ring_time"] = Text(call.RingSeconds(now)),
        ["direction"] = "click_to_call",
        ["ref_id"] = "",
        ["start_stamp"] = Ist.Stamp(call.CreatedAt),
        ["uuid"] = call.Uuid,
    };

    /// <summary>Inbound call answered by the VOICE Bot: shape (a) with direction `inbound` [A].</summary>
    private static JsonObject AnsweredInbound(CallSnapshot call) => new()
    {
        ["uuid"] = call.Uuid,
        ["call_to_number"] = DidE164(call),
        ["caller_id_number"] = call.Customer.Raw,
        ["start_stamp"] = Ist.Stamp(call.CreatedAt),
        ["answer_agent_number"] = "",
        ["call_id"] = call.CallId,
        ["billing_circle"] = new JsonObject { ["operator"] = call.Operator, ["circle"] = call.Circle },
        ["call_status"] = "answered",
        ["direction"] = "inbound",
        [CustomerNoWithPrefixKey] = call.Customer.E164,
        ["ref_id"] = "",
        ["custom_identifier"] = "$custom_identifier",
        ["status"] = "Answered by agent",
    };

    /// <summary>§10.6 (c): "Call hangup (Missed or Answered)" with the full default variable set.</summary>
    private static JsonObject Hangup(CallSnapshot call, DateTimeOffset now, string recordingHost)
    {
        var ended = call.EndedAt ?? now;
        var answered = call.WasAnswered;
        var billsec = call.Billsec(now);
        var cause = call.Cause ?? (answered ? HangupCause.CallerHangup : HangupCause.NoAnswer);
        var bridgedToBot = call.Kind != CallKind.ClickToCall;
        return new JsonObject
        {
            ["uuid"] = call.Uuid,
            ["call_to_number"] = call.IsOutbound ? call.Customer.E164 : DidE164(call),
            ["caller_id_number"] = call.IsOutbound ? DidNational(call) : call.Customer.Raw,
            ["start_stamp"] = Ist.Stamp(call.CreatedAt),
            // Observed: voice-streaming calls report an empty answer_stamp even when answered.
            ["answer_stamp"] = answered && !bridgedToBot ? Ist.Stamp(call.AnsweredAt!.Value) : "",
            ["end_stamp"] = Ist.Stamp(ended),
            ["billsec"] = Text(billsec),
            ["digits_dialed"] = string.Concat(call.Dtmf),
            ["direction"] = call.IsOutbound ? "clicktocall" : "inbound",
            ["duration"] = Text(call.Duration(now)),
            ["answered_agent"] = "",
            ["answered_agent_name"] = "",
            ["answered_agent_number"] = "",
            ["missed_agent"] = "",
            ["call_flow"] = CallFlow(call, ended),
            ["broadcast_lead_fields"] = "",
            ["recording_url"] = answered ? RecordingUrl(call, recordingHost) : "",
            ["recording_name"] = "$recording_name",
            ["call_status"] = answered ? "contacted" : "missed",
            ["call_id"] = call.CallId,
            ["outbound_sec"] = Text(billsec),
            ["agent_ring_time"] = Text(answered ? billsec : 0),
            ["agent_transfer_ring_time"] = "$agent_transfer_ring_time",
            ["billing_circle"] = new JsonObject { ["operator"] = call.Operator, ["circle"] = call.Circle },
            ["call_connected"] = answered ? "1" : "0",
            ["aws_call_recording_identifier"] = answered ? call.RecordingIdentifier : "",
            [CustomerNoWithPrefixKey] = call.Customer.E164,
            ["campaign_name"] = "$campaign_name",
            ["campaign_id"] = "$campaign_id",
            ["customer_ring_time"] = Text(call.RingSeconds(now)),
            ["reason_key"] = cause.Reason,
            ["hangup_cause_description"] = cause.Description,
            ["hangup_cause_code"] = cause.Code,
            ["hangup_cause_key"] = cause.Key,
            ["ref_id"] = call.RefId,
            ["custom_identifier"] = call.CustomIdentifier ?? "",
            ["status"] = answered ? "answered" : "missed",
        };
    }

    /// <summary>"Call missed by Customer (Click to Call)" [A]: answered-shape keys, a `_number` artefact (Q3), status `missed`.</summary>
    private static JsonObject Missed(CallSnapshot call, DateTimeOffset now) => new()
    {
        ["uuid"] = call.Uuid,
        ["call_to_number"] = call.Customer.WithCountryCode,
        ["caller_id_number"] = DidE164(call),
        ["start_stamp"] = Ist.Stamp(call.CreatedAt),
        ["call_id"] = call.CallId,
        ["missed_agent"] = "",
        ["answered_agent_number"] = "_number",
        ["billing_circle"] = new JsonObject { ["operator"] = call.Operator, ["circle"] = call.Circle },
        ["call_status"] = "Missed by customer",
        ["direction"] = call.IsOutbound ? "click_to_call" : "inbound",
        [CustomerNoWithPrefixKey] = call.Customer.WithCountryCode,
        ["customer_ring_time"] = Text(call.RingSeconds(now)),
        ["ref_id"] = call.RefId,
        ["custom_identifier"] = call.CustomIdentifier ?? "",
        ["status"] = "missed",
    };

    /// <summary>DTMF received during an answered call [A]: `digit_pressed` plus every digit so far in `digits_dialed`.</summary>
    private static JsonObject Dtmf(CallSnapshot call, string digitsPressed) => new()
    {
        ["uuid"] = call.Uuid,
        ["call_id"] = call.CallId,
        ["call_to_number"] = call.IsOutbound ? call.Customer.E164 : DidE164(call),
        ["caller_id_number"] = call.IsOutbound ? DidNational(call) : call.Customer.Raw,
        ["start_stamp"] = Ist.Stamp(call.CreatedAt),
        ["digit_pressed"] = digitsPressed,
        ["digits_dialed"] = string.Concat(call.Dtmf),
        ["direction"] = call.IsOutbound ? "click_to_call" : "inbound",
        [CustomerNoWithPrefixKey] = call.Customer.E164,
        ["ref_id"] = call.RefId,
        ["custom_identifier"] = call.CustomIdentifier ?? "",
        ["call_status"] = "contacted",
        ["status"] = "answered",
    };

    /// <summary>`call_flow` steps; `time` mixes a string, integers and fractional numbers as captured (Q5).</summary>
    private static JsonArray CallFlow(CallSnapshot call, DateTimeOffset ended)
    {
        var start = call.CreatedAt.ToUnixTimeSeconds();
        var flow = new JsonArray
        {
            new JsonObject { ["type"] = "init", ["value"] = call.CallId, ["time"] = Text(start) },
        };
        if (call.Kind == CallKind.ClickToCall)
        {
            flow.Add(new JsonObject
            {
                ["type"] = "Agent",
                ["id"] = call.AgentNumber ?? "",
                ["name"] = call.AgentName ?? "",
                ["dialst"] = "Dialed",
                ["num"] = call.AgentFollowMeNumber ?? call.AgentNumber ?? "",
                ["time"] = start,
            });
        }
        else if (call.IsOutbound)
        {
            flow.Add(new JsonObject
            {
                ["type"] = "Agent",
                ["id"] = "",
                ["name"] = "",
                ["dialst"] = call.WasAnswered ? "Dialed" : "Missed",
                ["num"] = call.Customer.E164,
                ["time"] = start,
            });
        }

        if (call.WasAnswered && call.Kind != CallKind.ClickToCall)
        {
            var answered = call.AnsweredAt!.Value;
            flow.Add(new JsonObject { ["type"] = "voice-streaming", ["name"] = call.BotName, ["id"] = call.BotId, ["time"] = answered.ToUnixTimeSeconds() });
            flow.Add(StreamStep(call, "started", Fractional(answered)));
            flow.Add(StreamStep(call, "ended", Fractional(ended)));
        }

        flow.Add(new JsonObject { ["type"] = "hangup", ["time"] = ended.ToUnixTimeSeconds() });
        return flow;
    }

    private static JsonObject StreamStep(CallSnapshot call, string status, double time) => new()
    {
        ["id"] = int.TryParse(call.BotId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : 0,
        ["name"] = call.BotName,
        ["type"] = "voice-streaming",
        ["s_id"] = call.StreamId,
        ["s_ip"] = "10.0.0.35",
        ["s_port"] = 12544,
        ["a_h"] = "TTLHYD-Server-003-telephony-8",
        ["r_h"] = "vpaas-rtp-docker-35",
        ["status"] = status,
        ["time"] = time,
    };

    public static string RecordingUrl(CallSnapshot call, string host) =>
        $"{host}/file/recording?callId={Uri.EscapeDataString(call.CallId)}&type=rec&token={call.RecordingToken}";

    /// <summary>Flattens a payload for GET-query and form transport: nested values become JSON strings (Q8).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Flatten(JsonObject payload) =>
        payload.Select(p => new KeyValuePair<string, string>(p.Key, p.Value switch
        {
            null => "",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v => v.ToJsonString(SimJson.Wire),
            var nested => nested.ToJsonString(SimJson.Wire),
        })).ToList();

    private static string DidE164(CallSnapshot call) => "+91" + PhoneNumber.DigitsOf(call.Did)[^10..];

    private static string DidNational(CallSnapshot call) => PhoneNumber.DigitsOf(call.Did)[^10..];

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static double Fractional(DateTimeOffset instant) =>
        Math.Round(instant.ToUnixTimeMilliseconds() / 1000.0, 3);
}
