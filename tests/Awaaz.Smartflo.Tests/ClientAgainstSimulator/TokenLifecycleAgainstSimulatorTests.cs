using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Simulator.Rest;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;
using static Awaaz.Smartflo.Tests.ClientAgainstSimulator.ClientSimKit;

namespace Awaaz.Smartflo.Tests.ClientAgainstSimulator;

/// <summary>Spec §4.3–§4.4: token cache, single-flight login, refresh before expiry, re-login after 401.</summary>
public sealed class TokenLifecycleAgainstSimulatorTests
{
    [Fact]
    public async Task Fifty_concurrent_requests_share_one_login()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);

        var calls = Enumerable.Range(0, 50).Select(_ => client.GetMyNumbersAsync(TestContext.Current.CancellationToken)).ToList();
        var results = await Task.WhenAll(calls);

        results.ShouldAllBe(dids => dids.Count == 2);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(1);
        sim.Requests.Count(SmartfloRoute.MyNumber, 200).ShouldBe(50);
        sim.Requests.Count(SmartfloRoute.MyNumber).ShouldBe(50);
        client.LoginCount.ShouldBe(1);
        client.AuthHealth.Status.ShouldBe(SmartfloAuthStatus.Ok);
    }

    [Fact]
    public async Task Token_is_renewed_five_minutes_before_expiry_without_any_401()
    {
        var clock = new ManualTimeProvider();
        var start = clock.GetUtcNow();
        await using var sim = await StartSimulatorAsync(clock, ttlSeconds: 3600);
        using var http = Http();
        using var client = Client(sim, http, clock);

        await client.GetMyNumbersAsync(TestContext.Current.CancellationToken);
        client.AuthHealth.TokenExpiresAt.ShouldBe(start.AddHours(1));

        clock.Advance(TimeSpan.FromMinutes(55) - TimeSpan.FromSeconds(1));
        await client.GetMyNumbersAsync(TestContext.Current.CancellationToken);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(1);

        clock.Advance(TimeSpan.FromSeconds(1)); // 55 min: inside the 5-minute margin, token still valid at Smartflo
        await client.GetMyNumbersAsync(TestContext.Current.CancellationToken);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(2);
        var renewal = sim.Requests.All.Where(r => r.Route == SmartfloRoute.Login).Last();
        renewal.At.ShouldBe(start.AddMinutes(55));
        renewal.At.ShouldBeLessThan(start.AddHours(1));
        client.AuthHealth.TokenExpiresAt.ShouldBe(start.AddMinutes(55).AddHours(1));

        clock.Advance(TimeSpan.FromMinutes(6)); // the first token has now expired at Smartflo
        await client.GetMyNumbersAsync(TestContext.Current.CancellationToken);

        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(2);
        sim.Requests.Count(SmartfloRoute.MyNumber).ShouldBe(4);
        sim.Requests.All.ShouldAllBe(r => r.Status == 200);
    }

    [Fact]
    public async Task Short_lived_token_is_renewed_at_half_its_lifetime()
    {
        var clock = new ManualTimeProvider();
        var start = clock.GetUtcNow();
        await using var sim = await StartSimulatorAsync(clock, ttlSeconds: 300);
        using var http = Http();
        using var client = Client(sim, http, clock);

        await client.GetUsersAsync(TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(149));
        await client.GetUsersAsync(TestContext.Current.CancellationToken);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(1);

        clock.Advance(TimeSpan.FromSeconds(1));
        await client.GetUsersAsync(TestContext.Current.CancellationToken);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(2);
        sim.Requests.All.Where(r => r.Route == SmartfloRoute.Login).Last().At.ShouldBe(start.AddSeconds(150));
        client.AuthHealth.TokenExpiresAt.ShouldBe(start.AddSeconds(450));
        sim.Requests.All.ShouldAllBe(r => r.Status == 200);
    }

    [Theory]
    [InlineData("expire-all-tokens")]
    [InlineData("force-401")]
    public async Task Rejected_token_costs_exactly_one_extra_login_and_the_request_succeeds(string fault)
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        await client.GetMyNumbersAsync(TestContext.Current.CancellationToken);

        if (fault == "expire-all-tokens") sim.Faults.ExpireAllTokensNow();
        else sim.Faults.ForceUnauthorized(1);
        var dids = await client.GetMyNumbersAsync(TestContext.Current.CancellationToken);

        dids.Count.ShouldBe(2);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(2);
        sim.Requests.Count(SmartfloRoute.MyNumber, 401).ShouldBe(1);
        sim.Requests.Count(SmartfloRoute.MyNumber, 200).ShouldBe(2);
        client.AuthHealth.Status.ShouldBe(SmartfloAuthStatus.Ok);
    }

    [Fact]
    public async Task Burst_of_401s_after_revocation_causes_one_login()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        await client.GetMyNumbersAsync(TestContext.Current.CancellationToken);

        sim.Faults.ExpireAllTokensNow();
        // Latency keeps the burst in flight together; without it a fast 401 can complete synchronously and the
        // later calls start after the new login (they then never see a 401, which is fine but proves less).
        sim.Faults.AddLatency(100);
        var calls = Enumerable.Range(0, 20).Select(_ => client.GetMyNumbersAsync(TestContext.Current.CancellationToken)).ToList();
        var results = await Task.WhenAll(calls);

        results.ShouldAllBe(dids => dids.Count == 2);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(2);
        client.LoginCount.ShouldBe(2);
        var rejected = sim.Requests.Count(SmartfloRoute.MyNumber, 401);
        rejected.ShouldBeInRange(1, 20);
        sim.Requests.Count(SmartfloRoute.MyNumber, 200).ShouldBe(1 + 20);
        sim.Requests.Count(SmartfloRoute.MyNumber).ShouldBe(1 + 20 + rejected);
    }

    [Fact]
    public async Task Second_401_after_the_relogin_fails_as_a_credential_error()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        sim.Faults.ForceUnauthorized(2);

        var error = await Should.ThrowAsync<SmartfloException>(() => client.GetLiveCallsAsync(cancellationToken: TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Auth);
        error.HttpStatus.ShouldBe(401);
        error.ProviderMessage.ShouldBe("Token has expired");
        error.IsCredentialFailure.ShouldBeTrue();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 401");
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(2);
        sim.Requests.Count(SmartfloRoute.LiveCalls, 401).ShouldBe(2);
        client.AuthHealth.Status.ShouldBe(SmartfloAuthStatus.Failed);
    }
}
