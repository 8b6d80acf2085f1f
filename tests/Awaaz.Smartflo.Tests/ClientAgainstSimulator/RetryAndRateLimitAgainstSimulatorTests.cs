using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Simulator.Rest;
using Awaaz.Smartflo.Tests.Simulator;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;
using static Awaaz.Smartflo.Tests.ClientAgainstSimulator.ClientSimKit;

namespace Awaaz.Smartflo.Tests.ClientAgainstSimulator;

/// <summary>
/// Spec §3 retry table and §7 rate limiting, end to end. Waits run on a manual clock shared with the simulator,
/// so "waited 3 s" is read off the clock (and the simulator's request stamps), never off the wall clock.
/// </summary>
public sealed class RetryAndRateLimitAgainstSimulatorTests
{
    [Fact]
    public async Task Get_waits_out_a_429_retry_after_and_succeeds()
    {
        var clock = new ManualTimeProvider();
        var start = clock.GetUtcNow();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock, requestTimeout: NoTimeout);
        sim.Faults.ForceStatus(429, 1, "my_number", retryAfterSeconds: 3);

        var dids = await RunAsync(clock, () => client.GetMyNumbersAsync(TestContext.Current.CancellationToken));

        dids.Count.ShouldBe(2);
        sim.Requests.Count(SmartfloRoute.MyNumber, 429).ShouldBe(1);
        sim.Requests.Count(SmartfloRoute.MyNumber, 200).ShouldBe(1);
        var attempts = sim.Requests.All.Where(r => r.Route == SmartfloRoute.MyNumber).ToList();
        (attempts[1].At - attempts[0].At).ShouldBe(TimeSpan.FromSeconds(3));
        (clock.GetUtcNow() - start).ShouldBe(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Retry_after_in_the_body_alone_is_honoured()
    {
        var clock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock, requestTimeout: NoTimeout);
        sim.Faults.Update(f => f.RetryAfterHeader = false);
        sim.Faults.ForceStatus(429, 1, "live_calls", retryAfterSeconds: 4);

        await RunAsync(clock, () => client.GetLiveCallsAsync(cancellationToken: TestContext.Current.CancellationToken));

        var attempts = sim.Requests.All.Where(r => r.Route == SmartfloRoute.LiveCalls).ToList();
        attempts.Select(r => r.Status).ShouldBe([429, 200]);
        (attempts[1].At - attempts[0].At).ShouldBe(TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Retry_after_longer_than_ten_seconds_is_capped_at_ten()
    {
        var clock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock, requestTimeout: NoTimeout);
        sim.Faults.ForceStatus(429, 1, "users", retryAfterSeconds: 30);

        await RunAsync(clock, () => client.GetUsersAsync(TestContext.Current.CancellationToken));

        var attempts = sim.Requests.All.Where(r => r.Route == SmartfloRoute.Users).ToList();
        attempts.Select(r => r.Status).ShouldBe([429, 200]);
        (attempts[1].At - attempts[0].At).ShouldBe(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Get_gives_up_after_two_429_retries_with_a_typed_rate_limited_error()
    {
        var clock = new ManualTimeProvider();
        var start = clock.GetUtcNow();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock, requestTimeout: NoTimeout);
        sim.Faults.ForceStatus(429, 3, "users", retryAfterSeconds: 2);

        var error = await Should.ThrowAsync<SmartfloException>(() =>
            RunAsync(clock, () => client.GetUsersPageAsync(cancellationToken: TestContext.Current.CancellationToken)));

        error.Kind.ShouldBe(SmartfloErrorKind.RateLimited);
        error.HttpStatus.ShouldBe(429);
        error.ProviderMessage.ShouldBe("Too Many Attempts.");
        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(2));
        error.RequestSent.ShouldBeTrue();
        error.IsAmbiguous.ShouldBeFalse();
        error.IsCredentialFailure.ShouldBeFalse();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 429");
        sim.Requests.Count(SmartfloRoute.Users, 429).ShouldBe(3);
        sim.Requests.Count(SmartfloRoute.Users).ShouldBe(3);
        (clock.GetUtcNow() - start).ShouldBe(TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Support_dial_over_the_cps_limit_waits_for_the_next_window_and_succeeds()
    {
        var clock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock, requestTimeout: NoTimeout);
        sim.Faults.LimitCallsPerSecond(1);

        var first = await RunAsync(clock, () => client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken));
        var second = await RunAsync(clock, () => client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken));

        first.RefId.ShouldNotBeNullOrEmpty();
        second.RefId.ShouldNotBeNullOrEmpty();
        second.RefId.ShouldNotBe(first.RefId);
        var dials = sim.Requests.All.Where(r => r.Route == SmartfloRoute.ClickToCallSupport).ToList();
        dials.Select(r => r.Status).ShouldBe([200, 429, 200]);
        (dials[2].At - dials[1].At).ShouldBe(TimeSpan.FromSeconds(1));
        sim.Calls.All.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Support_dial_against_a_cps_window_that_stays_full_ends_in_a_typed_rate_limited_error()
    {
        // The simulator's clock stands still, so its one-second window never reopens (an account kept busy by
        // other traffic); the client's own clock runs its 429 waits.
        var simClock = new ManualTimeProvider();
        var clientClock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(simClock);
        using var http = Http();
        using var client = Client(sim, http, clientClock, requestTimeout: NoTimeout);
        sim.Faults.LimitCallsPerSecond(1);
        await client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken);

        var error = await Should.ThrowAsync<SmartfloException>(() =>
            RunAsync(clientClock, () => client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken)));

        error.Kind.ShouldBe(SmartfloErrorKind.RateLimited);
        error.HttpStatus.ShouldBe(429);
        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
        error.RequestSent.ShouldBeTrue();
        error.IsAmbiguous.ShouldBeFalse(); // Smartflo did not accept it: safe to dial again later
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 429");
        sim.Requests.All.Where(r => r.Route == SmartfloRoute.ClickToCallSupport).Select(r => r.Status).ShouldBe([200, 429, 429, 429]);
        sim.Calls.All.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Local_budget_queues_a_dial_it_can_send_within_the_wait_and_refuses_one_it_cannot()
    {
        var clock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var budget = new SmartfloRequestBudget(requestsPerSecond: 1, clock, maxWait: TimeSpan.FromSeconds(1));
        using var client = new SmartfloClient(http, new SmartfloClientOptions
        {
            BaseUrl = sim.BaseUrl,
            AllowInsecureHttp = true,
            ApiKey = SimTestKit.ApiKey,
            RequestBudget = budget,
            RequestTimeout = NoTimeout,
        }, timeProvider: clock);

        await client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken);
        var queued = client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken); // 1 s wait: allowed

        var error = await Should.ThrowAsync<SmartfloException>(() => client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.RateLimited);
        error.HttpStatus.ShouldBe(0);
        error.RequestSent.ShouldBeFalse();
        error.IsAmbiguous.ShouldBeFalse();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 429");
        queued.IsCompleted.ShouldBeFalse();
        sim.Requests.Count(SmartfloRoute.ClickToCallSupport).ShouldBe(1);

        var second = await RunAsync(clock, () => queued);
        second.RefId.ShouldNotBeNullOrEmpty();
        sim.Requests.Count(SmartfloRoute.ClickToCallSupport).ShouldBe(2);
        sim.Calls.All.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("click_to_call_support", 500)]
    [InlineData("click_to_call_support", 502)]
    [InlineData("click_to_call_support", 503)]
    [InlineData("click_to_call_support", 504)]
    [InlineData("click_to_call", 500)]
    [InlineData("click_to_call", 502)]
    [InlineData("click_to_call", 503)]
    [InlineData("click_to_call", 504)]
    public async Task Dial_is_never_repeated_after_a_server_error(string route, int status)
    {
        // Real clock: were the client to retry, its 0.5 s backoff would run out, the second dial would succeed and
        // nothing would be thrown. The error reaching the caller means the retry loop is over.
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        sim.Faults.ForceServerErrors(1, status, route);

        var error = await Should.ThrowAsync<SmartfloException>(() => route == "click_to_call"
            ? client.ClickToCallAsync(AgentFirstDial(), TestContext.Current.CancellationToken)
            : client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.ServerError);
        error.HttpStatus.ShouldBe(status);
        error.IsAmbiguous.ShouldBeTrue();
        error.RequestSent.ShouldBeTrue();
        error.PartnerMessage.ShouldBe($"Tata SmartFlo API error: {status}");
        var dialRoute = route == "click_to_call" ? SmartfloRoute.ClickToCall : SmartfloRoute.ClickToCallSupport;
        sim.Requests.Count(dialRoute).ShouldBe(1);
        sim.Calls.All.ShouldBeEmpty();
    }

    [Fact]
    public async Task Dial_that_times_out_is_ambiguous_and_not_repeated()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http, requestTimeout: TimeSpan.FromSeconds(1));
        sim.Faults.AddLatency(10_000);

        var error = await Should.ThrowAsync<SmartfloException>(() => client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken));
        await WaitUntilAsync(() => sim.Requests.Count(SmartfloRoute.ClickToCallSupport) >= 1);

        error.Kind.ShouldBe(SmartfloErrorKind.Timeout);
        error.HttpStatus.ShouldBe(0);
        error.IsAmbiguous.ShouldBeTrue();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: timeout");
        sim.Requests.Count(SmartfloRoute.ClickToCallSupport).ShouldBe(1);
        sim.Requests.Count(SmartfloRoute.ClickToCallSupport, 499).ShouldBe(1);
    }

    [Fact]
    public async Task Get_is_retried_after_server_errors_with_one_then_two_seconds_of_backoff()
    {
        var clock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock, requestTimeout: NoTimeout);
        sim.Faults.ForceServerErrors(2, 502, "live_calls");

        var live = await RunAsync(clock, () => client.GetLiveCallsAsync(cancellationToken: TestContext.Current.CancellationToken));

        live.ShouldBeEmpty();
        var attempts = sim.Requests.All.Where(r => r.Route == SmartfloRoute.LiveCalls).ToList();
        attempts.Select(r => r.Status).ShouldBe([502, 502, 200]);
        (attempts[1].At - attempts[0].At).ShouldBe(TimeSpan.FromSeconds(1));
        (attempts[2].At - attempts[1].At).ShouldBe(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Hangup_is_retried_after_a_server_error_because_ending_a_call_twice_is_harmless()
    {
        var clock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock, requestTimeout: NoTimeout);
        var dial = await client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken);
        var call = sim.Calls.Get(dial.RefId!);
        sim.Faults.ForceServerErrors(1, 500, "hangup");

        var result = await RunAsync(clock, () => client.HangupAsync(new HangupRequest { CallId = call.CallId, RefId = dial.RefId }, TestContext.Current.CancellationToken));

        result.Outcome.ShouldBe(HangupOutcome.Accepted);
        result.AcceptedCallId.ShouldBe(call.CallId);
        var attempts = sim.Requests.All.Where(r => r.Route == SmartfloRoute.Hangup).ToList();
        attempts.Select(r => r.Status).ShouldBe([500, 200]);
        (attempts[1].At - attempts[0].At).ShouldBe(TimeSpan.FromMilliseconds(500));
        sim.Calls.Get(call.CallId).State.ShouldBe(Awaaz.Smartflo.Simulator.Calls.CallState.Ended);
    }
}
