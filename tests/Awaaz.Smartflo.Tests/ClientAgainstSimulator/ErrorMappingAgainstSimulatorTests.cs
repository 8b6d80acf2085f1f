using Awaaz.Smartflo.PhoneNumbers;
using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Simulator.Faults;
using Awaaz.Smartflo.Simulator.Rest;
using Awaaz.Smartflo.Tests.Simulator;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;
using static Awaaz.Smartflo.Tests.ClientAgainstSimulator.ClientSimKit;
using SimCallerIdFormat = Awaaz.Smartflo.Simulator.Calls.CallerIdFormat;

namespace Awaaz.Smartflo.Tests.ClientAgainstSimulator;

/// <summary>
/// Spec §6: every failure body of §6.1 (E1–E7) as the simulator produces it, read by the real client into one
/// <see cref="SmartfloException"/> with the documented Kind, HttpStatus, ProviderMessage and PartnerMessage (§6.3).
/// </summary>
public sealed class ErrorMappingAgainstSimulatorTests
{
    public static TheoryData<string, int, string> LoginFailures => new()
    {
        // E7: wrong password, HTTP 200 with login_failed_count
        { "wrong-password", 200, "The username or password is incorrect." },
        // E1 shape from login: unknown login id
        { "unknown-login", 200, "Invalid credentials" },
        // E2: the same body delivered as HTTP 401
        { "rejected401", 401, "The username or password is incorrect." },
        // §4.2: success without access_token is a login failure too
        { "missing-access-token", 200, "login response carried no access_token" },
    };

    [Theory]
    [MemberData(nameof(LoginFailures))]
    public async Task Login_failure_is_a_credential_error_reported_as_401_and_starts_the_cooldown(string failure, int status, string message)
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        var logger = new CapturingLogger();
        using var client = failure switch
        {
            "wrong-password" => Client(sim, http, password: "not-the-password", logger: logger),
            "unknown-login" => Client(sim, http, email: "nobody@example.com", logger: logger),
            _ => Client(sim, http, logger: logger),
        };
        if (failure == "rejected401") sim.Faults.FailLogins(LoginFailureMode.Rejected401);
        if (failure == "missing-access-token") sim.Faults.FailLogins(LoginFailureMode.MissingAccessToken);

        var error = await Should.ThrowAsync<SmartfloException>(() => client.GetMyNumbersAsync(TestContext.Current.CancellationToken));
        var duringCooldown = await Should.ThrowAsync<SmartfloException>(() => client.GetUsersAsync(TestContext.Current.CancellationToken));

        error.Endpoint.ShouldBe(SmartfloEndpoint.Login);
        error.Kind.ShouldBe(SmartfloErrorKind.Auth);
        error.HttpStatus.ShouldBe(status);
        error.ProviderMessage.ShouldBe(message);
        error.IsCredentialFailure.ShouldBeTrue();
        error.IsAmbiguous.ShouldBeFalse();
        error.PartnerStatus.ShouldBe(401);
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 401");
        error.RawBody.ShouldNotContain(SimTestKit.Password);
        duringCooldown.Kind.ShouldBe(SmartfloErrorKind.Auth);
        duringCooldown.HttpStatus.ShouldBe(401);
        duringCooldown.RequestSent.ShouldBeFalse();
        duringCooldown.PartnerMessage.ShouldBe("Tata SmartFlo API error: 401");
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(1);
        sim.Requests.Count(SmartfloRoute.MyNumber).ShouldBe(0);
        client.AuthHealth.Status.ShouldBe(SmartfloAuthStatus.Failed);
        client.AuthHealth.LastError.ShouldBe(message);
        logger.Lines.ShouldAllBe(line => !line.Contains(SimTestKit.Password));
    }

    [Fact]
    public async Task Rejected_login_blocks_logins_for_sixty_seconds_then_tries_again()
    {
        var clock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock);
        sim.Faults.FailLogins(LoginFailureMode.Rejected200);
        await Should.ThrowAsync<SmartfloException>(() => client.GetMyNumbersAsync(TestContext.Current.CancellationToken));
        sim.Faults.Clear(); // the password was fixed in the panel

        clock.Advance(TimeSpan.FromSeconds(59));
        var blocked = await Should.ThrowAsync<SmartfloException>(() => client.GetMyNumbersAsync(TestContext.Current.CancellationToken));
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(1);

        clock.Advance(TimeSpan.FromSeconds(1));
        var dids = await client.GetMyNumbersAsync(TestContext.Current.CancellationToken);

        blocked.IsCredentialFailure.ShouldBeTrue();
        blocked.RequestSent.ShouldBeFalse();
        dids.Count.ShouldBe(2);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(2);
        client.AuthHealth.Status.ShouldBe(SmartfloAuthStatus.Ok);
    }

    [Fact]
    public async Task Rate_limited_login_is_retried_then_reported_as_429_not_as_a_credential_failure()
    {
        var clock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock, requestTimeout: NoTimeout);
        sim.Faults.FailLogins(LoginFailureMode.RateLimited, retryAfterSeconds: 2);

        var error = await Should.ThrowAsync<SmartfloException>(() =>
            RunAsync(clock, () => client.GetMyNumbersAsync(TestContext.Current.CancellationToken)));

        error.Endpoint.ShouldBe(SmartfloEndpoint.Login);
        error.Kind.ShouldBe(SmartfloErrorKind.RateLimited);
        error.HttpStatus.ShouldBe(429);
        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(2));
        error.IsCredentialFailure.ShouldBeFalse();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 429");
        var logins = sim.Requests.All.Where(r => r.Route == SmartfloRoute.Login).ToList();
        logins.Select(r => r.Status).ShouldBe([429, 429, 429]);
        (logins[2].At - logins[0].At).ShouldBe(TimeSpan.FromSeconds(4));
        client.AuthHealth.Status.ShouldNotBe(SmartfloAuthStatus.Failed);
    }

    [Fact]
    public async Task Caller_id_not_on_the_account_is_a_422_rejection_after_each_caller_id_form()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);

        // The API key's only DID is +918069000001; +918071000002 belongs to the account but not to the key.
        var error = await Should.ThrowAsync<SmartfloException>(() =>
            client.ClickToCallSupportAsync(SupportDial(callerId: "+918071000002"), TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Rejected);
        error.HttpStatus.ShouldBe(422);
        error.ProviderMessage.ShouldBe("The caller id is not valid for this account.");
        error.IsAmbiguous.ShouldBeFalse();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 422");
        var sent = sim.Requests.All.Where(r => r.Route == SmartfloRoute.ClickToCallSupport)
            .Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.Body)!["caller_id"]!.GetValue<string>()).ToList();
        sent.ShouldBe(["918071000002", "8071000002", "08071000002"]); // §8.4: cc, national, trunk — then give up
        sim.Requests.Count(SmartfloRoute.ClickToCallSupport, 422).ShouldBe(3);
        sim.Calls.All.ShouldBeEmpty();
        client.CallerIdFormat.ShouldBe(CallerIdFormat.CountryCode);
    }

    [Fact]
    public async Task Caller_id_fallback_learns_the_form_the_account_accepts()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        sim.Faults.Update(f => f.AcceptedCallerIdFormats = [SimCallerIdFormat.National]);

        var first = await client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken);
        var second = await client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken);

        first.CallerIdFormatUsed.ShouldBe(CallerIdFormat.National);
        second.CallerIdFormatUsed.ShouldBe(CallerIdFormat.National);
        client.CallerIdFormat.ShouldBe(CallerIdFormat.National);
        sim.Requests.All.Where(r => r.Route == SmartfloRoute.ClickToCallSupport).Select(r => r.Status).ShouldBe([422, 200, 200]);
        sim.Calls.All.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Validation_error_with_an_errors_map_is_rejected_with_its_message()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        sim.Faults.ForceStatus(422, 1, "click_to_call_support"); // E4: {"message":"The given data was invalid.","errors":{"caller_id":[…]}}

        var error = await Should.ThrowAsync<SmartfloException>(() =>
            client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Rejected);
        error.HttpStatus.ShouldBe(422);
        error.ProviderMessage.ShouldBe("The given data was invalid.");
        error.RawBody.ShouldContain("The selected caller id is invalid.");
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 422");
        // §8.4 falls back only when the message mentions "caller"; E4's top-level message does not.
        sim.Requests.Count(SmartfloRoute.ClickToCallSupport).ShouldBe(1);
    }

    [Theory]
    [InlineData("click_to_call_support", "Invalid customer number")]
    [InlineData("click_to_call", "Invalid destination number")]
    public async Task Number_smartflo_refuses_is_a_400_rejection_and_not_retried(string route, string message)
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        const string tooShort = "+12345678"; // a valid-looking international number, 8 digits: Smartflo wants 10–15

        var error = await Should.ThrowAsync<SmartfloException>(() => route == "click_to_call"
            ? client.ClickToCallAsync(AgentFirstDial(destination: tooShort), TestContext.Current.CancellationToken)
            : client.ClickToCallSupportAsync(SupportDial(customer: tooShort), TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Rejected);
        error.HttpStatus.ShouldBe(400);
        error.ProviderMessage.ShouldBe(message);
        error.IsAmbiguous.ShouldBeFalse();
        error.IsCredentialFailure.ShouldBeFalse();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 400");
        sim.Requests.Count(route == "click_to_call" ? SmartfloRoute.ClickToCall : SmartfloRoute.ClickToCallSupport).ShouldBe(1);
        sim.Calls.All.ShouldBeEmpty();
    }

    [Fact]
    public async Task Success_false_in_http_200_is_rejected_with_status_200()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);

        // E1 from the simulator's own logic: transfer of a call that does not exist.
        var error = await Should.ThrowAsync<SmartfloException>(() => client.TransferAsync(
            new TransferRequest { CallId = "h3.08-1770534283.999999", Intercom = "+919812345678" }, TestContext.Current.CancellationToken));
        // E1 as a forced fault on a GET, which is not retried either.
        sim.Faults.ForceStatus(200, 1, "my_number");
        var forced = await Should.ThrowAsync<SmartfloException>(() => client.GetMyNumbersAsync(TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Rejected);
        error.HttpStatus.ShouldBe(200);
        error.ProviderMessage.ShouldBe("Call does not exist or is not active");
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 200");
        forced.Kind.ShouldBe(SmartfloErrorKind.Rejected);
        forced.HttpStatus.ShouldBe(200);
        forced.ProviderMessage.ShouldBe("Request could not be processed");
        forced.PartnerMessage.ShouldBe("Tata SmartFlo API error: 200");
        sim.Requests.Count(SmartfloRoute.CallOptions).ShouldBe(1);
        sim.Requests.Count(SmartfloRoute.MyNumber).ShouldBe(1);
    }

    [Fact]
    public async Task Ok_false_in_http_200_is_rejected_with_status_200()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        sim.Faults.ForceStatus(200, 1, "live_calls", okFalse: true); // E3

        var error = await Should.ThrowAsync<SmartfloException>(() => client.GetLiveCallsAsync(cancellationToken: TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Rejected);
        error.HttpStatus.ShouldBe(200);
        error.ProviderMessage.ShouldBe("Request could not be processed");
        error.RawBody.ShouldContain("\"ok\":false");
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 200");
        sim.Requests.Count(SmartfloRoute.LiveCalls).ShouldBe(1);
    }

    [Theory]
    [InlineData(500, "500 Internal Server Error")]
    [InlineData(502, "502 Bad Gateway")]
    [InlineData(504, "504 Gateway Time-out")]
    [InlineData(503, null)]
    public async Task Server_error_page_or_empty_body_is_a_server_error_after_the_get_retries(int status, string? title)
    {
        var clock = new ManualTimeProvider();
        await using var sim = await StartSimulatorAsync(clock);
        using var http = Http();
        using var client = Client(sim, http, clock, requestTimeout: NoTimeout);
        sim.Faults.ForceServerErrors(3, status, "users"); // E6: nginx HTML, or 503 with no body

        var error = await Should.ThrowAsync<SmartfloException>(() =>
            RunAsync(clock, () => client.GetUsersPageAsync(cancellationToken: TestContext.Current.CancellationToken)));

        error.Kind.ShouldBe(SmartfloErrorKind.ServerError);
        error.HttpStatus.ShouldBe(status);
        if (title is null)
        {
            error.ProviderMessage.ShouldBe("HTTP 503");
            error.RawBody.ShouldBeEmpty();
        }
        else
        {
            error.ProviderMessage.ShouldStartWith("<html>");
            error.ProviderMessage.ShouldContain($"<title>{title}</title>");
            error.ProviderMessage.Length.ShouldBeLessThanOrEqualTo(200);
            error.RawBody.ShouldContain("nginx");
        }
        error.IsAmbiguous.ShouldBeTrue();
        error.PartnerMessage.ShouldBe($"Tata SmartFlo API error: {status}");
        sim.Requests.Count(SmartfloRoute.Users, status).ShouldBe(3);
    }

    [Fact]
    public async Task Forbidden_is_an_auth_error_without_a_relogin()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        await client.GetMyNumbersAsync(TestContext.Current.CancellationToken);
        sim.Faults.ForceStatus(403, 1, "users");

        var error = await Should.ThrowAsync<SmartfloException>(() => client.GetUsersAsync(TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Auth);
        error.HttpStatus.ShouldBe(403);
        error.ProviderMessage.ShouldBe("This action is unauthorized.");
        error.IsCredentialFailure.ShouldBeFalse();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 403");
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(1);
        sim.Requests.Count(SmartfloRoute.Users).ShouldBe(1);
    }

    [Fact]
    public async Task Not_found_is_a_rejection()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http);
        sim.Faults.ForceStatus(404, 1, "call_records");

        var now = DateTimeOffset.UtcNow;
        var error = await Should.ThrowAsync<SmartfloException>(() =>
            client.GetCallRecordsAsync(new CallRecordsQuery { From = now.AddDays(-1), To = now }, TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Rejected);
        error.HttpStatus.ShouldBe(404);
        error.ProviderMessage.ShouldBe("Not Found");
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 404");
        sim.Requests.Count(SmartfloRoute.CallRecords).ShouldBe(1);
    }

    [Fact]
    public async Task Unknown_api_key_is_a_credential_failure_without_a_login()
    {
        await using var sim = await StartSimulatorAsync(TimeProvider.System);
        using var http = Http();
        using var client = Client(sim, http, apiKey: "00000000-0000-4000-8000-000000000000");

        var error = await Should.ThrowAsync<SmartfloException>(() =>
            client.ClickToCallSupportAsync(SupportDial(), TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Auth);
        error.HttpStatus.ShouldBe(401);
        error.ProviderMessage.ShouldBe("Invalid API key");
        error.IsCredentialFailure.ShouldBeTrue();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 401");
        sim.Requests.Count(SmartfloRoute.ClickToCallSupport).ShouldBe(1);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(0);
    }
}
