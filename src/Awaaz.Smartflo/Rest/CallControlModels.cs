using System.Text.Json;
using Awaaz.Smartflo.PhoneNumbers;

namespace Awaaz.Smartflo.Rest;

/// <summary>Agent-first dial, <c>POST /v1/click_to_call</c> (spec §5.3). <c>async: 1</c> and <c>get_call_id: 1</c> are always sent.</summary>
public sealed record ClickToCallRequest
{
    /// <summary>Agent id, extension, intercom or DID routed to the voice bot; sent verbatim.</summary>
    public required string AgentNumber { get; init; }

    /// <summary>Customer number in any loose form; sent as 10-digit national (Indian) or digits without <c>+</c>.</summary>
    public required string DestinationNumber { get; init; }

    /// <summary>DID to present, any form; sent per the client's caller-id format, with the §8.4 fallback. Omitted when null.</summary>
    public string? CallerId { get; init; }

    /// <summary><c>call_timeout</c>: effective max call duration + 30 s (spec §13.5).</summary>
    public required int CallTimeoutSeconds { get; init; }

    /// <summary>The caller's own call id, echoed back in webhooks as <c>custom_identifier</c>.</summary>
    public required string CustomIdentifier { get; init; }
}

/// <summary>Customer-first dial, <c>POST /v1/click_to_call_support</c> (spec §5.4), authenticated by the API key only.</summary>
public sealed record ClickToCallSupportRequest
{
    /// <summary>Customer number in any loose form; sent as 10-digit national (Indian) or digits without <c>+</c>.</summary>
    public required string CustomerNumber { get; init; }

    /// <summary>DID attached to the API key, any form. Omitted when null.</summary>
    public string? CallerId { get; init; }

    /// <summary><c>customer_ring_timeout</c>, clamped to 10–30 s (default 30).</summary>
    public int CustomerRingTimeoutSeconds { get; init; } = 30;

    /// <summary><c>call_timeout</c>: effective max call duration + 30 s (spec §13.5).</summary>
    public required int CallTimeoutSeconds { get; init; }

    /// <summary>The caller's own call id, echoed back in webhooks as <c>custom_identifier</c>. Always a plain string.</summary>
    public required string CustomIdentifier { get; init; }
}

/// <summary>An accepted dial. Smartflo only queued it: the outcome arrives by stream and webhooks.</summary>
/// <param name="Message">Smartflo's message (<c>Originate successfully queued</c>, <c>Call originated successfully</c>…).</param>
/// <param name="RefId"><c>ref_id</c> at top level or in <c>data</c>; store it for correlation.</param>
/// <param name="CallId"><c>call_id</c> at top level or in <c>data</c>, when Smartflo sends one.</param>
/// <param name="CallerIdFormatUsed">The caller-id form that was accepted (null when no caller id was sent); persist it as the connection's <c>caller_id_format</c>.</param>
/// <param name="Raw">The response body.</param>
public sealed record OriginateResult(string Message, string? RefId, string? CallId, CallerIdFormat? CallerIdFormatUsed, JsonElement Raw);

/// <summary>What to hang up (spec §5.9). Give every id you know; the client tries them in the spec's order.</summary>
public sealed record HangupRequest
{
    /// <summary>Smartflo call id exactly as received (webhook <c>call_id</c>, resolver <c>$callId</c> or stream <c>callSid</c>).</summary>
    public string? CallId { get; init; }

    /// <summary>The <c>ref_id</c> returned by click_to_call_support; tried last.</summary>
    public string? RefId { get; init; }

    /// <summary>The call's DID (E.164); enables the <c>live_calls?did_number=</c> lookup.</summary>
    public string? DidNumber { get; init; }

    /// <summary>The customer's number; picks the right live call when the DID has several.</summary>
    public string? CustomerNumber { get; init; }
}

/// <summary>Which identifier a hangup attempt used (spec §5.9 order).</summary>
public enum HangupIdForm
{
    /// <summary>The Smartflo call id exactly as received.</summary>
    FullCallId,
    /// <summary>Its numeric core (<c>1776875353.216650</c>).</summary>
    NumericCore,
    /// <summary>The <c>call_id</c> of the matching <c>live_calls</c> entry.</summary>
    LiveCallId,
    /// <summary>The <c>ref_id</c>, sent as both <c>call_id</c> and <c>ref_id</c>.</summary>
    RefId,
}

/// <summary>Overall result of <see cref="SmartfloClient.HangupAsync"/>.</summary>
public enum HangupOutcome
{
    /// <summary>Smartflo accepted a hangup (not yet disconnected: confirmation is the stream <c>stop</c> or the hangup webhook).</summary>
    Accepted,
    /// <summary>
    /// No form was accepted and Smartflo said the call does not exist or is not active. If a <c>stop</c> or hangup
    /// webhook was already seen, treat as ended.
    /// </summary>
    NotActive,
    /// <summary>Every form failed; <see cref="HangupResult.LastError"/> says why.</summary>
    Failed,
}

/// <summary>One hangup attempt (after its own retries).</summary>
/// <param name="Form">Id form tried.</param>
/// <param name="CallId">Id sent.</param>
/// <param name="Error">Why it failed; null when it was accepted.</param>
public sealed record HangupAttempt(HangupIdForm Form, string CallId, SmartfloException? Error);

/// <summary>Result of a hangup: never thrown as an exception, because the caller always needs the attempts made.</summary>
/// <param name="Outcome">Accepted, not active, or failed.</param>
/// <param name="Attempts">Every form tried, in order.</param>
/// <param name="Message">Smartflo's message for the accepted form, else the last error's.</param>
public sealed record HangupResult(HangupOutcome Outcome, IReadOnlyList<HangupAttempt> Attempts, string? Message)
{
    /// <summary>The id Smartflo accepted, when <see cref="Outcome"/> is <see cref="HangupOutcome.Accepted"/>.</summary>
    public string? AcceptedCallId => Outcome == HangupOutcome.Accepted ? Attempts[^1].CallId : null;

    /// <summary>The last failure, if any attempt failed.</summary>
    public SmartfloException? LastError => Attempts.LastOrDefault(a => a.Error is not null)?.Error;
}

/// <summary>Transfer, <c>POST /v1/call/options</c> with <c>type: 4</c> (spec §5.10).</summary>
public sealed record TransferRequest
{
    /// <summary>Smartflo call id (full form as received, or the live-call id).</summary>
    public required string CallId { get; init; }

    /// <summary>Where to transfer: a phone number (any form, sent per §8.4) or an extension (digits, sent as is).</summary>
    public required string Intercom { get; init; }
}

/// <summary>A plain <c>{"success":true,"message":…}</c> answer.</summary>
/// <param name="Message">Smartflo's message, or empty.</param>
/// <param name="Raw">The response body.</param>
public sealed record SmartfloAck(string Message, JsonElement Raw);
