using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Faults;
using Awaaz.Smartflo.Simulator.Rest;
using Shouldly;
using Xunit;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class FaultTests
{
    [Fact]
    public async Task Force_unauthorized_answers_the_next_N_bearer_requests_with_401_then_recovers()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var token = await http.LoginAsync();
        sim.Faults.ForceUnauthorized(2);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            var (response, _) = await http.GetJsonAsync("v1/live_calls", token);
            statuses.Add(response.StatusCode);
        }

        var (login, _) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = Password });

        statuses.ShouldBe([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK]);
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        sim.Requests.Count(SmartfloRoute.LiveCalls, 401).ShouldBe(2);
        sim.Requests.All.Count(r => r.Fault == "forced 401").ShouldBe(2);
    }

    [Fact]
    public async Task Calls_per_second_limit_gives_429_with_retry_after_across_all_routes()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var sim = await StartAsync(clock);
        sim.Faults.LimitCallsPerSecond(2);
        using var http = Client(sim);

        var (login, _) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = Password });
        var (numbers, _) = await http.GetJsonAsync("v1/my_number", StaticToken);
        var (third, thirdBody) = await http.GetJsonAsync("v1/users", StaticToken);
        var (dial, _) = await http.PostJsonAsync("v1/click_to_call_support", new JsonObject
        {
            ["api_key"] = ApiKey, ["customer_number"] = "9876543210", ["async"] = 1,
        });
        clock.Advance(TimeSpan.FromSeconds(1));
        var (afterWindow, _) = await http.GetJsonAsync("v1/users", StaticToken);

        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        numbers.StatusCode.ShouldBe(HttpStatusCode.OK);
        third.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        third.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        thirdBody.ToJsonString().ShouldBe("""{"message":"Too Many Attempts.","retry_after":1}""");
        dial.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        sim.Calls.All.ShouldBeEmpty();
        afterWindow.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Account_cps_from_config_applies_without_a_fault()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var sim = await StartAsync(clock);
        sim.Accounts.SetCallsPerSecond(AccountId, 1);
        using var http = Client(sim);

        var (first, _) = await http.GetJsonAsync("v1/my_number", StaticToken);
        var (second, _) = await http.GetJsonAsync("v1/my_number", StaticToken);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Retry_after_header_can_be_left_out_keeping_the_body_value()
    {
        await using var sim = await StartAsync();
        sim.Faults.Update(f => f.RetryAfterHeader = false);
        sim.Faults.ForceStatus(429, 1, "click_to_call_support", retryAfterSeconds: 7);
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/click_to_call_support", new { api_key = ApiKey });

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter.ShouldBeNull();
        body["retry_after"]!.GetValue<int>().ShouldBe(7);
    }

    [Theory]
    [InlineData(500, "<title>500 Internal Server Error</title>")]
    [InlineData(502, "<title>502 Bad Gateway</title>")]
    [InlineData(504, "<title>504 Gateway Time-out</title>")]
    public async Task Server_errors_come_as_html_pages_for_the_next_N_requests(int status, string title)
    {
        await using var sim = await StartAsync();
        sim.Faults.ForceServerErrors(1, status);
        using var http = Client(sim);

        using var failed = await http.GetAsync("v1/my_number", TestContext.Current.CancellationToken);
        var html = await failed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var (next, _) = await http.GetJsonAsync("v1/my_number", StaticToken);

        ((int)failed.StatusCode).ShouldBe(status);
        failed.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        html.ShouldContain(title);
        next.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Service_unavailable_has_an_empty_body_and_hits_login_too()
    {
        await using var sim = await StartAsync();
        sim.Faults.ForceServerErrors(2, 503);
        using var http = Client(sim);

        using var login = await http.PostAsync("v1/auth/login", new StringContent("""{"email":"ops@example.com","password":"panel-password"}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var dial = await http.PostAsync("v1/click_to_call_support", new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        login.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await login.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
        dial.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Forced_fault_on_one_route_leaves_other_routes_alone()
    {
        await using var sim = await StartAsync();
        sim.Faults.ForceServerErrors(1, 500, route: "hangup");
        sim.Faults.ForceStatus(422, 1, route: "click_to_call_support");
        using var http = Client(sim);

        var (numbers, _) = await http.GetJsonAsync("v1/my_number", StaticToken);
        var (dial, dialBody) = await http.PostJsonAsync("v1/click_to_call_support", new { api_key = ApiKey });

        numbers.StatusCode.ShouldBe(HttpStatusCode.OK);
        dial.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        dialBody["errors"]!["caller_id"]![0]!.GetValue<string>().ShouldBe("The selected caller id is invalid.");
        sim.Faults.Current.Forced.Single().Route.ShouldBe("hangup");
        Should.Throw<ArgumentException>(() => sim.Faults.ForceStatus(500, 1, route: "call_hangup"));
    }

    [Fact]
    public async Task Ok_false_variant_and_success_false_with_200()
    {
        await using var sim = await StartAsync();
        sim.Faults.ForceStatus(200, 1, route: "hangup", okFalse: true);
        sim.Faults.ForceStatus(200, 1, route: "hangup");
        using var http = Client(sim);

        var (first, firstBody) = await http.PostJsonAsync("v1/call/hangup", new { call_id = "1" }, StaticToken);
        var (_, secondBody) = await http.PostJsonAsync("v1/call/hangup", new { call_id = "1" }, StaticToken);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        firstBody["ok"]!.GetValue<bool>().ShouldBeFalse();
        secondBody["success"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Probability_one_hits_every_request()
    {
        await using var sim = await StartAsync();
        sim.Faults.Update(f => f.Forced.Add(new ForcedResponse { Route = "users", Status = 403, Probability = 1.0 }));
        using var http = Client(sim);

        for (var i = 0; i < 3; i++)
        {
            var (response, _) = await http.GetJsonAsync("v1/users", StaticToken);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task Added_latency_is_observable_as_a_delay()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        await http.GetJsonAsync("v1/my_number", StaticToken);
        sim.Faults.AddLatency(300);

        var stopwatch = Stopwatch.StartNew();
        var (response, _) = await http.GetJsonAsync("v1/my_number", StaticToken);
        stopwatch.Stop();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        stopwatch.ElapsedMilliseconds.ShouldBeGreaterThanOrEqualTo(290);
        sim.Requests.All[^1].ElapsedMs.ShouldBeGreaterThanOrEqualTo(290);
    }

    [Fact]
    public async Task Faults_are_switchable_through_the_control_api()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        using var put = await http.PutAsync("_sim/faults", new StringContent(
            """{"calls_per_second":4,"latency_ms":5,"forced":[{"route":"authenticated","status":401,"count":3}],"login_failure":"rejected401"}""",
            Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var (_, expired) = await http.PostJsonAsync("_sim/faults/expire-tokens", new { });

        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        var current = sim.Faults.Current;
        current.CallsPerSecond.ShouldBe(4);
        current.LatencyMs.ShouldBe(5);
        current.LoginFailure.ShouldBe(LoginFailureMode.Rejected401);
        current.Forced.Single().Count.ShouldBe(3);
        expired["revoked"]!.GetValue<int>().ShouldBe(1);
    }
}
