using Awaaz.Server.Calls;

namespace Awaaz.Server.Tests.Calls;

/// <summary>Every arrival order of the same evidence converges to the same call record (smartflo.md §10.7, §13).</summary>
public sealed class CallRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 8, 7, 4, 0, TimeSpan.Zero);

    private static Call NewCall(string dialMode = DialModes.CustomerFirst) => new()
    {
        Id = "c1", SessionId = "s1", PartnerId = "p", AgentId = "a", AgentName = "Riya", AgentSnapshot = "{}", ConnectionId = "conn",
        Direction = "outbound", DialMode = dialMode, FromNumber = "+918069000001", ToNumber = "+919800000001", Variables = [],
        DialState = DialStates.Queued, MaxDurationSecs = 600, RingTimeoutSecs = 30, CreatedAt = T0, UpdatedAt = T0,
    };

    private static readonly HangupEvidence AnsweredHangup = new(T0.AddSeconds(40), EndedAt: T0.AddSeconds(39), AnsweredAt: T0.AddSeconds(12),
        Billsec: 27, CallConnected: true, HangupCause: "NORMAL_CLEARING", HangupCauseCode: 16, Description: "Normal call clearing",
        StatusText: "answered contacted", RecordingUrl: "https://cloudphone.example/rec");

    private static IEnumerable<IEnumerable<T>> Permutations<T>(IReadOnlyList<T> items) =>
        items.Count <= 1 ? [items] : items.SelectMany((item, i) => Permutations(items.Where((_, j) => j != i).ToList()).Select(rest => rest.Prepend(item)));

    private static Call Comparable(Call c) => c with { UpdatedAt = T0, Version = 0, Hangup = null };

    [Fact]
    public void Answered_hangup_and_socket_stop_converge_in_every_order_with_duplicates()
    {
        var connected = CallRules.StreamStarted(CallRules.DialAccepted(NewCall(), T0.AddSeconds(1), "ref-1", null), T0.AddSeconds(12), "MZ1", "h3.08-1770534283.2156835");
        Func<Call, Call>[] events =
        [
            c => CallRules.ProviderAnswered(c, T0.AddSeconds(11)),
            c => CallRules.ProviderHangup(c, AnsweredHangup),
            c => CallRules.StreamEnded(c, T0.AddSeconds(39.4), "stop", "The caller disconnected the call"),
            c => CallRules.ProviderHangup(c, AnsweredHangup with { ReceivedAt = T0.AddSeconds(55) }), // duplicate delivery
        ];
        var results = Permutations(events).Select(order => order.Aggregate(connected, (c, e) => e(c))).Select(Comparable).ToList();

        var first = results[0];
        first.Status.ShouldBe(CallStatus.Completed);
        first.EndReason.ShouldBe(EndReasons.UserHangup);
        first.Disposition.ShouldBe("user_hangup_no_speech");
        first.AnsweredBy.ShouldBe("unknown");
        first.Billsec.ShouldBe(27);
        first.HangupCause.ShouldBe("NORMAL_CLEARING");
        first.ProviderStopReason.ShouldBe("The caller disconnected the call");
        first.StartedAt.ShouldBe(T0.AddSeconds(12));
        first.EndedAt.ShouldBe(T0.AddSeconds(39));
        first.DurationSeconds.ShouldBe(27);
        results.Count.ShouldBe(24);
        results.ShouldAllBe(r => r == first);
    }

    [Fact]
    public void Agent_first_connects_on_answer_whatever_arrives_first()
    {
        var ringing = CallRules.DialAccepted(NewCall(DialModes.AgentFirst), T0.AddSeconds(1), null, "1770534283.2156835");
        Func<Call, Call>[] events =
        [
            c => CallRules.StreamStarted(c, T0.AddSeconds(5), "MZ2", "h3.08-1770534283.2156835"),
            c => CallRules.ProviderAnswered(c, T0.AddSeconds(14)),
            c => CallRules.StreamEnded(c, T0.AddSeconds(39.2), "stop", "The caller disconnected the call"),
            c => CallRules.ProviderHangup(c, AnsweredHangup with { AnsweredAt = T0.AddSeconds(14) }),
        ];
        // Agent-first: the bot leg (the stream) comes up before the customer is rung; everything after it can arrive in any order.
        var orders = Permutations(events).Where(o => o.First() == events[0]).ToList();
        var results = orders.Select(order => Comparable(order.Aggregate(ringing, (c, e) => e(c)))).ToList();
        var names = new[] { "start", "answered", "stop", "hangup" };
        var described = orders.Select((o, i) => $"{string.Join(">", o.Select(e => names[Array.IndexOf(events, e)]))}: {results[i].Status} started={results[i].StartedAt:ss} ended={results[i].EndedAt:ss.fff} reason={results[i].EndReason}").ToList();
        results.ShouldAllBe(r => r == results[0], string.Join("\n", described));
        results[0].Status.ShouldBe(CallStatus.Completed);
        results[0].StartedAt.ShouldBe(T0.AddSeconds(14));

        // Before the customer answers, a started stream keeps an agent-first call ringing.
        CallRules.StreamStarted(ringing, T0.AddSeconds(5), "MZ2", null).Status.ShouldBe(CallStatus.Ringing);
    }

    [Theory]
    [InlineData("USER_BUSY", 17, 0, null, CallStatus.Busy, "busy")]
    [InlineData("NO_ANSWER", 19, 0, null, CallStatus.NoAnswer, "no_answer")]
    [InlineData("NORMAL_CLEARING", 16, 0, false, CallStatus.NoAnswer, "no_answer")]
    [InlineData("UNALLOCATED_NUMBER", 1, 0, null, CallStatus.Failed, "failed")]
    [InlineData("NORMAL_CLEARING", 16, 12, true, CallStatus.Completed, "user_hangup_no_speech")]
    public void Unconnected_outcomes_follow_the_hangup_cause(string cause, int code, int billsec, bool? connected, string status, string disposition)
    {
        var ringing = CallRules.DialAccepted(NewCall(), T0, "ref", null);
        var ended = CallRules.ProviderHangup(ringing, new HangupEvidence(T0.AddSeconds(30), T0.AddSeconds(29), null, billsec, connected, cause, code, "desc"));
        ended.Status.ShouldBe(status);
        ended.Disposition.ShouldBe(disposition);
        ended.EndedAt.ShouldBe(T0.AddSeconds(29));
    }

    [Fact]
    public void Terminal_status_is_sticky_and_late_evidence_only_fills_fields()
    {
        var ringing = CallRules.DialAccepted(NewCall(), T0, "ref", null);
        var noAnswer = CallRules.ProviderHangup(ringing, new HangupEvidence(T0.AddSeconds(40), HangupCause: "NO_ANSWER", HangupCauseCode: 19));
        noAnswer.Status.ShouldBe(CallStatus.NoAnswer);
        var late = CallRules.StreamStarted(CallRules.ProviderAnswered(noAnswer, T0.AddSeconds(20)), T0.AddSeconds(45), "MZ", null);
        late.Status.ShouldBe(CallStatus.NoAnswer);
        late.ProviderAnsweredAt.ShouldBe(T0.AddSeconds(20));
    }

    [Fact]
    public void Cancel_before_answer_is_canceled_and_a_rejected_dial_is_failed()
    {
        var canceled = CallRules.CancelRequested(CallRules.DialAccepted(NewCall(), T0, "ref", null), T0.AddSeconds(3));
        canceled.Status.ShouldBe(CallStatus.Canceled);
        canceled.EndReason.ShouldBe(EndReasons.Canceled);
        canceled.AnsweredBy.ShouldBe("not_answered");

        var failed = CallRules.DialRejected(NewCall(), T0, "Tata SmartFlo API error: 422 The caller id field is invalid.");
        failed.Status.ShouldBe(CallStatus.Failed);
        failed.ErrorMessage.ShouldBe("Tata SmartFlo API error: 422 The caller id field is invalid.");
    }

    [Fact]
    public void Awaaz_end_reason_wins_and_a_lost_stream_is_stream_lost()
    {
        var live = CallRules.StreamStarted(CallRules.DialAccepted(NewCall(), T0, "ref", null), T0.AddSeconds(5), "MZ", null);
        var ended = CallRules.StreamEnded(CallRules.HangupRequested(live, T0.AddSeconds(600), EndReasons.MaxDuration), T0.AddSeconds(601), "stop", "x");
        ended.EndReason.ShouldBe(EndReasons.MaxDuration);
        ended.Status.ShouldBe(CallStatus.Completed);

        var lost = CallRules.StreamEnded(live, T0.AddSeconds(30), "lost", null);
        lost.EndReason.ShouldBe(EndReasons.StreamLost);
        CallRules.ProviderHangup(lost, AnsweredHangup).EndReason.ShouldBe(EndReasons.StreamLost);
    }

    [Fact]
    public void Transfer_success_is_final_ends_with_transfer_in_every_order_and_later_failures_do_not_undo_it()
    {
        var live = CallRules.StreamStarted(CallRules.DialAccepted(NewCall(), T0, "ref", null), T0.AddSeconds(5), "MZ", "h1.1770534283.1");
        var failed = CallTransfer.Failed("+919800000002", T0.AddSeconds(20), TransferFailure.RateLimited, "Tata SmartFlo API error: 429", null);
        var succeeded = new CallTransfer("+919800000002", TransferStatus.Succeeded, T0.AddSeconds(30), Note: "billing");
        var evidence = new List<Func<Call, Call>>
        {
            c => CallRules.TransferAttempted(c, failed),
            c => CallRules.TransferAttempted(c, succeeded),
            c => CallRules.StreamEnded(c, T0.AddSeconds(31), "stop", "The call was transferred"),
            c => CallRules.ProviderHangup(c, AnsweredHangup with { ReceivedAt = T0.AddSeconds(90), EndedAt = T0.AddSeconds(89) }),
        };
        var outcomes = Permutations(evidence).Select(order => order.Aggregate(live, (c, apply) => apply(c))).ToList();
        foreach (var c in outcomes)
        {
            c.Status.ShouldBe(CallStatus.Completed);
            c.EndReason.ShouldBe(EndReasons.Transfer);
            c.Transfer.ShouldBe(succeeded);
            c.WasTransferred.ShouldBeTrue();
            c.HangupRequestedAt.ShouldBeNull(); // Awaaz never asked Smartflo to hang up
        }

        var onlyFailed = CallRules.StreamEnded(CallRules.TransferAttempted(live, failed), T0.AddSeconds(40), "stop", null);
        onlyFailed.EndReason.ShouldBe(EndReasons.UserHangup);
        onlyFailed.Transfer!.Reason.ShouldBe(TransferFailure.RateLimited);
        onlyFailed.WasTransferred.ShouldBeFalse();
    }

    [Theory]
    [InlineData(Awaaz.Smartflo.Rest.SmartfloErrorKind.Rejected, 200, "Invalid intercom number", true, TransferFailure.Rejected)]
    [InlineData(Awaaz.Smartflo.Rest.SmartfloErrorKind.Rejected, 200, "Call does not exist or is not active", true, TransferFailure.CallNotActive)]
    [InlineData(Awaaz.Smartflo.Rest.SmartfloErrorKind.Auth, 401, "Unauthenticated", true, TransferFailure.AuthFailed)]
    [InlineData(Awaaz.Smartflo.Rest.SmartfloErrorKind.RateLimited, 429, "Too Many Attempts.", true, TransferFailure.RateLimited)]
    [InlineData(Awaaz.Smartflo.Rest.SmartfloErrorKind.ServerError, 502, "HTTP 502", true, TransferFailure.ProviderUnavailable)]
    [InlineData(Awaaz.Smartflo.Rest.SmartfloErrorKind.Unreachable, 0, "connection refused", false, TransferFailure.ProviderUnavailable)]
    [InlineData(Awaaz.Smartflo.Rest.SmartfloErrorKind.Unreachable, 0, "connection reset", true, TransferFailure.Ambiguous)]
    [InlineData(Awaaz.Smartflo.Rest.SmartfloErrorKind.Timeout, 0, "timed out", true, TransferFailure.Timeout)]
    public void Transfer_failures_get_a_typed_reason(Awaaz.Smartflo.Rest.SmartfloErrorKind kind, int status, string message, bool sent, string reason) =>
        TransferFailure.Of(new Awaaz.Smartflo.Rest.SmartfloException(Awaaz.Smartflo.Rest.SmartfloEndpoint.Transfer, kind, status, message, requestSent: sent)).ShouldBe(reason);
}
