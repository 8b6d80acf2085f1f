using System.Text.Json;

namespace Awaaz.Smartflo.Webhooks;

/// <summary>What a panel webhook reports (spec §10.7).</summary>
public enum SmartfloCallEventKind
{
    /// <summary>Nothing identifies the trigger (spec kind <c>other</c>): store it, change no state.</summary>
    Unknown,
    /// <summary>Call answered (by customer on click-to-call, or by the agent/voice bot).</summary>
    Answered,
    /// <summary>Call hangup (missed or answered): outcome, billsec, cause, recording.</summary>
    Hangup,
    /// <summary>Call missed by customer.</summary>
    Missed,
    /// <summary>Inbound call received on the server.</summary>
    Received,
    /// <summary>Digits pressed (an <c>event=dtmf</c> trigger, or a payload whose only signal is <c>digit_pressed</c>).</summary>
    Dtmf,
}

/// <summary>Transport a webhook payload arrived in (spec §10.3).</summary>
public enum WebhookPayloadFormat
{
    /// <summary>POST with a JSON body.</summary>
    Json,
    /// <summary>POST <c>application/x-www-form-urlencoded</c>.</summary>
    Form,
    /// <summary>GET with the variables in the query string.</summary>
    Query,
}

/// <summary>An agent reference as Smartflo sends it: a bare number string or <c>{id, name, follow_me_number}</c>.</summary>
/// <param name="Id">Agent id (<c>0507297260059</c>), when sent as an object.</param>
/// <param name="Name">Agent name.</param>
/// <param name="Number">The number as sent (follow-me number or the bare string).</param>
/// <param name="NumberE164">Its E.164 form, or null.</param>
public sealed record SmartfloAgentRef(string? Id, string? Name, string? Number, string? NumberE164);

/// <summary><c>billing_circle</c>: telecom operator and circle of the customer.</summary>
public sealed record BillingCircle(string? Operator, string? Circle);

/// <summary>One step of <c>call_flow</c> (<c>init</c>, <c>Agent</c>, <c>voice-streaming</c>, <c>hangup</c>, …).</summary>
/// <param name="Type">Step type as sent.</param>
/// <param name="Status"><c>started</c>/<c>ended</c> on voice-streaming steps; <c>dialst</c> on agent steps.</param>
/// <param name="Name">Name (agent, bot).</param>
/// <param name="Id">Id, stringified.</param>
/// <param name="Value"><c>value</c> (the call id on the <c>init</c> step).</param>
/// <param name="Time">Step time from epoch seconds (string, integer or fractional), in UTC.</param>
/// <param name="Raw">The step as received.</param>
public sealed record CallFlowStep(string? Type, string? Status, string? Name, string? Id, string? Value, DateTimeOffset? Time, JsonElement Raw);

/// <summary>
/// The one normalised form of every Smartflo panel webhook, whatever its trigger, transport or template quirks
/// (spec §10.4–§10.7). Placeholders, artefacts and empty strings are null; numbers are E.164; timestamps are UTC;
/// <see cref="Raw"/> keeps every field as received (minus a <c>secret</c> query parameter).
/// </summary>
public sealed record SmartfloCallEvent
{
    /// <summary>Trigger kind, from the <c>event</c> parameter when present, else inferred (spec §10.7).</summary>
    public required SmartfloCallEventKind Kind { get; init; }

    /// <summary>True when <see cref="Kind"/> came from the <c>event</c> parameter rather than inference.</summary>
    public bool KindFromEventParameter { get; init; }

    /// <summary>The <c>event</c> parameter as sent.</summary>
    public string? EventParameter { get; init; }

    /// <summary>Transport the payload came in.</summary>
    public WebhookPayloadFormat Format { get; init; }

    /// <summary>Direction from <c>direction</c> (spec Q12).</summary>
    public CallDirection Direction { get; init; }

    /// <summary><c>direction</c> as sent.</summary>
    public string? DirectionRaw { get; init; }

    /// <summary>Smartflo call id verbatim (<c>call_id</c>, else the <c>init</c> step of <c>call_flow</c>).</summary>
    public string? CallId { get; init; }

    /// <summary>Numeric core of <see cref="CallId"/> (<c>1770534283.2156835</c>), for matching.</summary>
    public string? CallIdCore { get; init; }

    /// <summary>13-hex call leg id.</summary>
    public string? Uuid { get; init; }

    /// <summary><c>ref_id</c> returned by click_to_call_support.</summary>
    public string? RefId { get; init; }

    /// <summary>What was sent as <c>custom_identifier</c> (the Awaaz call id), unwrapped from objects or JSON strings (spec Q10).</summary>
    public string? CustomIdentifier { get; init; }

    /// <summary><c>status</c> as sent (<c>answered</c>, <c>missed</c>, <c>Answered by agent</c>…).</summary>
    public string? Status { get; init; }

    /// <summary><c>call_status</c> as sent (<c>queued</c>, <c>contacted</c>, <c>Answered by customer</c>…).</summary>
    public string? CallStatus { get; init; }

    /// <summary><c>call_to_number</c> in E.164: the customer on outbound, the DID on inbound.</summary>
    public string? CallToNumber { get; init; }

    /// <summary><c>caller_id_number</c> in E.164: the DID on outbound, the caller on inbound.</summary>
    public string? CallerIdNumber { get; init; }

    /// <summary>Customer from <c>customer_no_with_prefix</c>, <c>customer_number_with_prefix</c> or <c>customer_number</c>, in E.164.</summary>
    public string? CustomerNumber { get; init; }

    /// <summary>The customer for number matching (spec §12.5): outbound <see cref="CustomerNumber"/> ?? <see cref="CallToNumber"/>; inbound <see cref="CallerIdNumber"/>.</summary>
    public string? CorrelationCustomerNumber => Direction == CallDirection.Inbound
        ? CallerIdNumber ?? CustomerNumber
        : CustomerNumber ?? CallToNumber;

    /// <summary>The DID for number matching (spec §12.5): outbound <see cref="CallerIdNumber"/>; inbound <see cref="CallToNumber"/>.</summary>
    public string? CorrelationDidNumber => Direction == CallDirection.Inbound ? CallToNumber : CallerIdNumber;

    /// <summary>Who answered: <c>answered_agent_number</c> (string or object) or <c>answer_agent_number</c>.</summary>
    public SmartfloAgentRef? AnsweredAgent { get; init; }

    /// <summary><c>start_stamp</c> in UTC.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary><c>answer_stamp</c> in UTC.</summary>
    public DateTimeOffset? AnsweredAt { get; init; }

    /// <summary><c>end_stamp</c> in UTC.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary><c>billsec</c>: billable seconds.</summary>
    public int? BillSeconds { get; init; }

    /// <summary><c>duration</c> in seconds.</summary>
    public int? DurationSeconds { get; init; }

    /// <summary><c>outbound_sec</c>.</summary>
    public int? OutboundSeconds { get; init; }

    /// <summary><c>customer_ring_time</c> in seconds.</summary>
    public int? CustomerRingSeconds { get; init; }

    /// <summary><c>agent_ring_time</c> in seconds.</summary>
    public int? AgentRingSeconds { get; init; }

    /// <summary><c>call_connected</c> (<c>"1"</c>/<c>"0"</c>).</summary>
    public bool? CallConnected { get; init; }

    /// <summary><c>hangup_cause</c> ?? <c>hangup_cause_key</c>, e.g. <c>NORMAL_CLEARING</c>.</summary>
    public string? HangupCause { get; init; }

    /// <summary><c>hangup_cause_code</c>, e.g. 16.</summary>
    public int? HangupCauseCode { get; init; }

    /// <summary><c>hangup_cause_description</c>, e.g. <c>Normal call clearing</c>.</summary>
    public string? HangupCauseDescription { get; init; }

    /// <summary><c>reason_key</c>, e.g. <c>Call Disconnected By Caller</c>.</summary>
    public string? ReasonKey { get; init; }

    /// <summary>Self-authenticating recording URL.</summary>
    public string? RecordingUrl { get; init; }

    /// <summary><c>digit_pressed</c> ?? <c>digits_dialed</c>.</summary>
    public string? DtmfDigits { get; init; }

    /// <summary><c>call_flow</c> steps, from an array or a JSON-encoded string.</summary>
    public IReadOnlyList<CallFlowStep> CallFlow { get; init; } = [];

    /// <summary>Time of the <c>voice-streaming</c> step with status <c>started</c>.</summary>
    public DateTimeOffset? VoiceStreamingStartedAt { get; init; }

    /// <summary>Time of the <c>voice-streaming</c> step with status <c>ended</c>.</summary>
    public DateTimeOffset? VoiceStreamingEndedAt { get; init; }

    /// <summary><c>billing_circle</c>.</summary>
    public BillingCircle? BillingCircle { get; init; }

    /// <summary>SHA-256 (hex) of the normalised payload: trimmed lower-case keys in order, null-like values dropped.</summary>
    public required string PayloadHash { get; init; }

    /// <summary>
    /// The id part of the idempotency key (spec §10.7): <c>uuid</c> ?? <c>call_id</c> ?? <c>sha256:&lt;hash&gt;</c>.
    /// Combine with the connection and <see cref="Kind"/>.
    /// </summary>
    public string DeduplicationId => Uuid ?? CallId ?? "sha256:" + PayloadHash;

    /// <summary>Every field as received (form and query values as strings).</summary>
    public required JsonElement Raw { get; init; }
}
