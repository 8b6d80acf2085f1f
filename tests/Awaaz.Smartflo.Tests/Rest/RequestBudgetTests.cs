using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Rest;

/// <summary>The per-account token bucket of spec §7.</summary>
public sealed class RequestBudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_burst_of_rate_requests_passes_then_requests_wait_for_refill()
    {
        var time = new ManualTimeProvider();
        using var budget = new SmartfloRequestBudget(3, time);

        for (var i = 0; i < 3; i++) (await budget.AcquireAsync(SmartfloRequestPriority.Other, Ct)).ShouldBeTrue();
        var fourth = budget.AcquireAsync(SmartfloRequestPriority.Other, Ct).AsTask();
        fourth.IsCompleted.ShouldBeFalse();

        time.Advance(TimeSpan.FromMilliseconds(340));
        (await fourth.WaitAsync(TimeSpan.FromSeconds(5), Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task Hangups_jump_the_queue()
    {
        var time = new ManualTimeProvider();
        using var budget = new SmartfloRequestBudget(1, time);
        (await budget.AcquireAsync(SmartfloRequestPriority.Other, Ct)).ShouldBeTrue();

        var order = new List<string>();
        var list = budget.AcquireAsync(SmartfloRequestPriority.Other, Ct).AsTask().ContinueWith(_ => { lock (order) order.Add("list"); }, Ct);
        var dial = budget.AcquireAsync(SmartfloRequestPriority.Originate, Ct).AsTask().ContinueWith(_ => { lock (order) order.Add("dial"); }, Ct);
        var hangup = budget.AcquireAsync(SmartfloRequestPriority.Hangup, Ct).AsTask().ContinueWith(_ => { lock (order) order.Add("hangup"); }, Ct);

        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20, Ct);
        }
        await Task.WhenAll(list, dial, hangup).WaitAsync(TimeSpan.FromSeconds(5), Ct);
        order.ShouldBe(["hangup", "dial", "list"]);
    }

    [Fact]
    public async Task A_request_that_would_wait_longer_than_the_limit_is_refused_at_once()
    {
        var time = new ManualTimeProvider();
        using var budget = new SmartfloRequestBudget(1, time, TimeSpan.FromSeconds(5));
        (await budget.AcquireAsync(SmartfloRequestPriority.Other, Ct)).ShouldBeTrue();
        var waiting = Enumerable.Range(0, 5).Select(_ => budget.AcquireAsync(SmartfloRequestPriority.Other, Ct).AsTask()).ToList();

        var refused = budget.AcquireAsync(SmartfloRequestPriority.Other, Ct);
        refused.IsCompleted.ShouldBeTrue();
        (await refused).ShouldBeFalse();

        time.Advance(TimeSpan.FromSeconds(6));
        (await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(5), Ct)).ShouldAllBe(granted => granted);
    }

    [Fact]
    public async Task A_waiter_passed_over_by_higher_priorities_gives_up_after_the_limit()
    {
        var time = new ManualTimeProvider();
        using var budget = new SmartfloRequestBudget(1, time, TimeSpan.FromSeconds(2));
        (await budget.AcquireAsync(SmartfloRequestPriority.Other, Ct)).ShouldBeTrue();
        var low = budget.AcquireAsync(SmartfloRequestPriority.Other, Ct).AsTask();

        for (var second = 1; second <= 2; second++)
        {
            var hangup = budget.AcquireAsync(SmartfloRequestPriority.Hangup, Ct).AsTask();
            time.Advance(TimeSpan.FromSeconds(1));
            (await hangup.WaitAsync(TimeSpan.FromSeconds(5), Ct)).ShouldBeTrue();
            low.IsCompleted.ShouldBeFalse();
        }

        time.Advance(TimeSpan.FromMilliseconds(600));
        (await low.WaitAsync(TimeSpan.FromSeconds(5), Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task Cancelled_waiters_leave_the_queue()
    {
        var time = new ManualTimeProvider();
        using var budget = new SmartfloRequestBudget(1, time);
        (await budget.AcquireAsync(SmartfloRequestPriority.Other, Ct)).ShouldBeTrue();
        using var cancel = new CancellationTokenSource();
        var cancelled = budget.AcquireAsync(SmartfloRequestPriority.Other, cancel.Token).AsTask();
        var next = budget.AcquireAsync(SmartfloRequestPriority.Other, Ct).AsTask();

        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => cancelled);
        time.Advance(TimeSpan.FromSeconds(1));
        (await next.WaitAsync(TimeSpan.FromSeconds(5), Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task The_client_refuses_locally_when_the_shared_budget_is_exhausted()
    {
        var time = new ManualTimeProvider();
        using var budget = new SmartfloRequestBudget(1, time, TimeSpan.FromSeconds(1));
        var handler = new StubHandler(_ => ClientTestKit.EmptyList());
        using var client = ClientTestKit.Client(handler,
            o => new SmartfloClientOptions { BaseUrl = o.BaseUrl, AllowInsecureHttp = true, StaticToken = "static-token-0123456789", RequestBudget = budget }, time);
        (await budget.AcquireAsync(SmartfloRequestPriority.Other, Ct)).ShouldBeTrue();
        var queued = budget.AcquireAsync(SmartfloRequestPriority.Other, Ct).AsTask();

        var error = await Should.ThrowAsync<SmartfloException>(() => client.GetMyNumbersAsync(Ct));

        error.Kind.ShouldBe(SmartfloErrorKind.RateLimited);
        error.RequestSent.ShouldBeFalse();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 429");
        handler.Requests.ShouldBeEmpty();
        time.Advance(TimeSpan.FromSeconds(1));
        (await queued.WaitAsync(TimeSpan.FromSeconds(5), Ct)).ShouldBeTrue();
    }

    [Fact]
    public void Invalid_rates_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new SmartfloRequestBudget(0));
        Should.Throw<ArgumentOutOfRangeException>(() => new SmartfloRequestBudget(double.NaN));
    }
}
