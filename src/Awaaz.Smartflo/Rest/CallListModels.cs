using System.Text.Json;
using Awaaz.Smartflo.PhoneNumbers;

namespace Awaaz.Smartflo.Rest;

/// <summary>Optional filters of <c>GET /v1/live_calls</c> (spec §5.7).</summary>
public sealed record LiveCallsQuery
{
    /// <summary><c>agent_number</c> filter.</summary>
    public string? AgentNumber { get; init; }
    /// <summary><c>extension</c> filter.</summary>
    public string? Extension { get; init; }
    /// <summary><c>did_number</c> filter, sent as given (Awaaz sends the stored E.164).</summary>
    public string? DidNumber { get; init; }
    /// <summary><c>call_id</c> filter.</summary>
    public string? CallId { get; init; }
}

/// <summary>One entry of <c>GET /v1/live_calls</c> (spec §5.7).</summary>
public sealed record SmartfloLiveCall(
    string? Id, string? UserId, string? CallId, CallDirection Direction, string? Source, string? Type, string? Did,
    string? Destination, string? State, DateTimeOffset? CreatedAt, string? CallTime, string? AgentName, string? CustomerNumber,
    JsonElement Raw)
{
    /// <summary>
    /// Spec §5.7 matching: the DID is the same number as <paramref name="did"/>, and <c>customer_number</c> or any
    /// comma-separated element of <c>destination</c> is the same number as <paramref name="customer"/>
    /// (customer check skipped when <paramref name="customer"/> is null).
    /// </summary>
    public bool Matches(string? did, string? customer)
    {
        if (!PhoneNumber.SameNumber(Did, did)) return false;
        if (customer is null) return true;
        if (PhoneNumber.SameNumber(CustomerNumber, customer)) return true;
        return Destination?.Split(',').Any(part => PhoneNumber.SameNumber(part, customer)) == true;
    }

    /// <summary>The matching live call with the most recent <c>created_at</c>, or null.</summary>
    public static SmartfloLiveCall? FindMatch(IEnumerable<SmartfloLiveCall> calls, string? did, string? customer) =>
        calls.Where(c => c.Matches(did, customer)).OrderByDescending(c => c.CreatedAt ?? DateTimeOffset.MinValue).FirstOrDefault();

    internal static SmartfloLiveCall From(JsonElement e) => new(
        LooseJson.String(LooseJson.Property(e, "id")),
        LooseJson.String(LooseJson.Property(e, "user_id")),
        LooseJson.String(LooseJson.Property(e, "call_id")),
        CallDirections.Parse(LooseJson.String(LooseJson.Property(e, "direction"))),
        LooseJson.String(LooseJson.Property(e, "source")),
        LooseJson.String(LooseJson.Property(e, "type")),
        LooseJson.String(LooseJson.Property(e, "did")),
        LooseJson.String(LooseJson.Property(e, "destination")),
        LooseJson.String(LooseJson.Property(e, "state")),
        IndianStandardTime.TryParse(LooseJson.String(LooseJson.Property(e, "created_at")), out var created) ? created : null,
        LooseJson.String(LooseJson.Property(e, "call_time")),
        LooseJson.String(LooseJson.Property(e, "agent_name")),
        LooseJson.String(LooseJson.Property(e, "customer_number")),
        e.Clone());
}

/// <summary><c>call_type</c> filter of the CDR query.</summary>
public enum CallRecordType
{
    /// <summary><c>c</c>: answered calls.</summary>
    Answered,
    /// <summary><c>m</c>: missed calls.</summary>
    Missed,
}

/// <summary>Parameters of <c>GET /v1/call/records</c> (spec §5.8). The window is sent as IST wall-clock text and may span at most 31 days.</summary>
public sealed record CallRecordsQuery
{
    /// <summary>Longest window Smartflo is asked for.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);

    /// <summary>Window start.</summary>
    public required DateTimeOffset From { get; init; }
    /// <summary>Window end.</summary>
    public required DateTimeOffset To { get; init; }
    /// <summary>Page number, from 1.</summary>
    public int Page { get; init; } = 1;
    /// <summary>Page size (Awaaz uses 100).</summary>
    public int Limit { get; init; } = 100;
    /// <summary><c>call_id</c> filter.</summary>
    public string? CallId { get; init; }
    /// <summary><c>destination</c> filter (Awaaz sends the customer's last 10 digits).</summary>
    public string? Destination { get; init; }
    /// <summary><c>did_number</c> filter.</summary>
    public string? DidNumber { get; init; }
    /// <summary><c>direction</c> filter (<c>inbound</c>/<c>outbound</c>); <see cref="CallDirection.Unknown"/> sends none.</summary>
    public CallDirection Direction { get; init; }
    /// <summary><c>call_type</c> filter.</summary>
    public CallRecordType? CallType { get; init; }
}

/// <summary>One CDR from <c>GET /v1/call/records</c> (spec §5.8). Every other field stays in <see cref="Raw"/>.</summary>
/// <param name="Id">Record id.</param>
/// <param name="CallId">Smartflo call id as sent.</param>
/// <param name="Uuid">Call leg uuid.</param>
/// <param name="Direction">Parsed direction.</param>
/// <param name="Status"><c>answered</c>, <c>missed</c>, or other text.</param>
/// <param name="Description">Human description.</param>
/// <param name="StartedAt"><c>date</c> + <c>time</c> (IST) in UTC.</param>
/// <param name="EndedAt"><c>end_stamp</c> (IST) in UTC.</param>
/// <param name="CallDurationSeconds"><c>call_duration</c>.</param>
/// <param name="AnsweredSeconds"><c>answered_seconds</c>, the billable seconds.</param>
/// <param name="HangupCause"><c>hangup_cause</c>, e.g. <c>NORMAL_CLEARING</c>.</param>
/// <param name="Reason"><c>reason</c> text.</param>
/// <param name="RecordingUrl">Self-authenticating recording URL.</param>
/// <param name="ClientNumber"><c>client_number</c> as sent.</param>
/// <param name="ClientNumberE164">Its E.164 form.</param>
/// <param name="DidNumber"><c>did_number</c> as sent.</param>
/// <param name="DidNumberE164">Its E.164 form.</param>
/// <param name="BlockedNumberId">Non-null when the call hit a blocked number.</param>
/// <param name="Raw">The record as received.</param>
public sealed record SmartfloCallRecord(
    string? Id, string? CallId, string? Uuid, CallDirection Direction, string? Status, string? Description,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, int? CallDurationSeconds, int? AnsweredSeconds,
    string? HangupCause, string? Reason, string? RecordingUrl,
    string? ClientNumber, string? ClientNumberE164, string? DidNumber, string? DidNumberE164, string? BlockedNumberId,
    JsonElement Raw)
{
    internal static SmartfloCallRecord From(JsonElement e)
    {
        var client = LooseJson.String(LooseJson.Property(e, "client_number"));
        var did = LooseJson.String(LooseJson.Property(e, "did_number"));
        return new SmartfloCallRecord(
            LooseJson.String(LooseJson.Property(e, "id")),
            LooseJson.String(LooseJson.Property(e, "call_id")),
            LooseJson.String(LooseJson.Property(e, "uuid")),
            CallDirections.Parse(LooseJson.String(LooseJson.Property(e, "direction"))),
            LooseJson.String(LooseJson.Property(e, "status")),
            LooseJson.String(LooseJson.Property(e, "description")),
            IndianStandardTime.TryParseDateAndTime(
                LooseJson.String(LooseJson.Property(e, "date")), LooseJson.String(LooseJson.Property(e, "time")), out var started) ? started : null,
            IndianStandardTime.TryParse(LooseJson.String(LooseJson.Property(e, "end_stamp")), out var ended) ? ended : null,
            LooseJson.Int32(LooseJson.Property(e, "call_duration")),
            LooseJson.Int32(LooseJson.Property(e, "answered_seconds")),
            LooseJson.String(LooseJson.Property(e, "hangup_cause")),
            LooseJson.String(LooseJson.Property(e, "reason")),
            LooseJson.String(LooseJson.Property(e, "recording_url")),
            client, PhoneNumber.Normalize(client),
            did, PhoneNumber.Normalize(did),
            LooseJson.String(LooseJson.Property(e, "blocked_number_id")),
            e.Clone());
    }
}

/// <summary>One page of CDRs.</summary>
/// <param name="Count">Total matching records.</param>
/// <param name="Limit">Page size.</param>
/// <param name="Page">This page number.</param>
/// <param name="Records">Records on this page.</param>
public sealed record SmartfloCallRecordsPage(int Count, int Limit, int Page, IReadOnlyList<SmartfloCallRecord> Records)
{
    /// <summary>True when later pages exist.</summary>
    public bool HasMore => Limit > 0 && (long)Page * Limit < Count;
}
