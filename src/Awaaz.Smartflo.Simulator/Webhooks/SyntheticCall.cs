using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Smartflo.Simulator.Webhooks;

public sealed record SyntheticCallOptions(
    WebhookTrigger Trigger,
    CallKind Kind,
    string? CallId,
    PhoneNumber Customer,
    string Did,
    string? RefId,
    string? CustomIdentifier,
    int Billsec,
    int RingSeconds,
    string Digits);

/// <summary>
/// A call that exists only to shape one webhook (the `webhook` CLI command): timings are laid out backwards
/// from "now" so that the payload's billsec, ring time and stamps agree with each other.
/// </summary>
public static class SyntheticCall
{
    public static CallSnapshot Create(SyntheticCallOptions options, DateTimeOffset now)
    {
        var ids = new SimIds(Environment.TickCount);
        var answered = options.Trigger is WebhookTrigger.Answered or WebhookTrigger.Hangup or WebhookTrigger.Dtmf;
        var talk = answered && options.Trigger != WebhookTrigger.Answered ? Math.Max(0, options.Billsec) : 0;
        var ring = Math.Max(0, options.RingSeconds);
        var created = now.AddSeconds(-(ring + talk));
        var ended = options.Trigger is WebhookTrigger.Hangup or WebhookTrigger.Missed ? now : (DateTimeOffset?)null;
        return new CallSnapshot
        {
            CallId = options.CallId ?? ids.CallId(created, CallIdStyle.HostPrefixed),
            Uuid = ids.Uuid(created),
            RefId = options.RefId ?? (options.Kind == CallKind.ClickToCallSupport ? ids.Guid() : ""),
            CustomIdentifier = options.CustomIdentifier,
            AccountId = "cli",
            Kind = options.Kind,
            State = ended is null ? CallState.Answered : CallState.Ended,
            Customer = options.Customer,
            Did = options.Did,
            AgentNumber = options.Kind == CallKind.ClickToCall ? "0502842370097" : null,
            AgentName = options.Kind == CallKind.ClickToCall ? "Voice Bot" : null,
            CreatedAt = created,
            RingingAt = created,
            AnsweredAt = answered ? created.AddSeconds(ring) : null,
            EndedAt = ended,
            Cause = answered ? HangupCause.CallerHangup : HangupCause.NoAnswer,
            Dtmf = options.Trigger == WebhookTrigger.Dtmf ? options.Digits.Select(d => d.ToString()).ToList() : [],
            RecordId = ids.RecordId(created),
            RecordingToken = ids.Hex(32),
            RecordingIdentifier = ids.Hex(32),
            StreamId = ids.Guid(),
        };
    }
}
