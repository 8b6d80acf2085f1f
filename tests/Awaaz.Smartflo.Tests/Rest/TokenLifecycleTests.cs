using System.Net;
using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;
using static Awaaz.Smartflo.Tests.Rest.ClientTestKit;

namespace Awaaz.Smartflo.Tests.Rest;

/// <summary>Token cache, single-flight login, refresh ahead of expiry and 401 handling (spec §4.3–§4.5).</summary>
public sealed class TokenLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Logs in with tokens t1, t2, … and answers my_number only for the token named in <paramref name="accepted"/>.</summary>
    private sealed class Account(Func<string, bool> accepted, int expiresIn = 3600)
    {
        private int _logins;
        public TaskCompletionSource LoginGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool GateLogins { get; init; }

        public StubHandler Handler() => new(async (request, _) =>
        {
            if (request.PathAndQuery == "/v1/auth/login")
            {
                if (GateLogins) await LoginGate.Task;
                return LoginOk(Jwt("t" + Interlocked.Increment(ref _logins)), expiresIn);
            }
            var token = request.Authorization?["Bearer ".Length..];
            return token is not null && accepted(token)
                ? EmptyList()
                : StubHandler.Json(HttpStatusCode.Unauthorized, """{"success":false,"message":"Token has expired"}""");
        });
    }

    private static string TokenName(string jwt) => System.Text.Encoding.UTF8.GetString(
        Convert.FromBase64String(jwt.Split('.')[1].Replace('-', '+').Replace('_', '/').PadRight((jwt.Split('.')[1].Length + 3) / 4 * 4, '=')));

    [Fact]
    public async Task Concurrent_callers_share_one_login()
    {
        var account = new Account(_ => true) { GateLogins = true };
        var handler = account.Handler();
        using var client = Client(handler);

        var calls = Enumerable.Range(0, 20).Select(_ => client.GetMyNumbersAsync(Ct)).ToList();
        await Task.Delay(50, Ct);
        account.LoginGate.SetResult();
        await Task.WhenAll(calls);

        handler.Count("/v1/auth/login").ShouldBe(1);
        client.LoginCount.ShouldBe(1);
        handler.Count("/v1/my_number").ShouldBe(20);
        handler.Requests.Where(r => r.PathAndQuery == "/v1/my_number").Select(r => r.Authorization).Distinct().ShouldHaveSingleItem()
            .ShouldStartWith("Bearer ey");
        client.AuthHealth.Status.ShouldBe(SmartfloAuthStatus.Ok);
    }

    [Fact]
    public async Task Token_is_reused_until_five_minutes_before_expiry()
    {
        var time = new ManualTimeProvider();
        var handler = new Account(_ => true).Handler();
        using var client = Client(handler, time: time);

        await client.GetMyNumbersAsync(Ct);
        time.Advance(TimeSpan.FromMinutes(54));
        await client.GetMyNumbersAsync(Ct);
        handler.Count("/v1/auth/login").ShouldBe(1);
        client.AuthHealth.TokenExpiresAt.ShouldBe(time.GetUtcNow() + TimeSpan.FromMinutes(6));

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await client.GetMyNumbersAsync(Ct);
        handler.Count("/v1/auth/login").ShouldBe(2);
    }

    [Fact]
    public async Task A_burst_of_401s_causes_exactly_one_new_login()
    {
        var rejectFirst = true;
        var handler = new Account(token => !(rejectFirst && TokenName(token).Contains("\"t1\""))).Handler();
        using var client = Client(handler);
        await client.LoginAsync(Ct);

        var calls = Enumerable.Range(0, 10).Select(_ => client.GetMyNumbersAsync(Ct)).ToList();
        await Task.WhenAll(calls);

        handler.Count("/v1/auth/login").ShouldBe(2);
        handler.Requests.Where(r => r.PathAndQuery == "/v1/my_number").Count(r => TokenName(r.Authorization![7..]).Contains("\"t2\"")).ShouldBe(10);
    }

    [Fact]
    public async Task A_second_401_after_relogin_fails_once_without_looping()
    {
        var handler = new Account(_ => false).Handler();
        using var client = Client(handler);

        var error = await Should.ThrowAsync<SmartfloException>(() => client.GetMyNumbersAsync(Ct));

        error.Kind.ShouldBe(SmartfloErrorKind.Auth);
        error.HttpStatus.ShouldBe(401);
        error.IsCredentialFailure.ShouldBeTrue();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 401");
        handler.Count("/v1/my_number").ShouldBe(2);
        handler.Count("/v1/auth/login").ShouldBe(2);
        client.AuthHealth.Status.ShouldBe(SmartfloAuthStatus.Failed);
    }

    [Fact]
    public async Task A_rejected_login_blocks_further_logins_for_60_seconds()
    {
        var time = new ManualTimeProvider();
        var handler = new StubHandler(_ => StubHandler.Json(HttpStatusCode.Unauthorized, """{"success":false,"message":"Invalid credentials"}"""));
        using var client = Client(handler, time: time);

        (await Should.ThrowAsync<SmartfloException>(() => client.GetUsersAsync(Ct))).RequestSent.ShouldBeTrue();
        var blocked = await Should.ThrowAsync<SmartfloException>(() => client.GetLiveCallsAsync(null, Ct));
        blocked.RequestSent.ShouldBeFalse();
        blocked.PartnerStatus.ShouldBe(401);
        blocked.ProviderMessage.ShouldBe("Invalid credentials");
        client.AuthHealth.Warnings.ShouldContain(SmartfloHealthWarnings.LoginCooldown);
        handler.Requests.Count.ShouldBe(1);

        time.Advance(TimeSpan.FromSeconds(61));
        await Should.ThrowAsync<SmartfloException>(() => client.GetUsersAsync(Ct));
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_transient_refresh_failure_keeps_the_still_valid_token()
    {
        var time = new ManualTimeProvider();
        var loginsAnswered = 0;
        var handler = new StubHandler(request => request.PathAndQuery == "/v1/auth/login"
            ? Interlocked.Increment(ref loginsAnswered) == 1 ? LoginOk(Jwt("t1")) : StubHandler.Json(HttpStatusCode.ServiceUnavailable, "")
            : EmptyList());
        using var client = Client(handler, time: time);
        await client.GetMyNumbersAsync(Ct);

        time.Advance(TimeSpan.FromMinutes(56));
        await Pump(client.GetMyNumbersAsync(Ct), time, TimeSpan.FromMilliseconds(500));

        handler.Count("/v1/auth/login").ShouldBe(4); // first login, then one refresh with its 2 retries
        handler.Count("/v1/my_number").ShouldBe(2);
        // No new login attempt for 10 s after the failed refresh.
        await client.GetMyNumbersAsync(Ct);
        handler.Count("/v1/auth/login").ShouldBe(4);
    }

    [Fact]
    public async Task Static_token_is_sent_as_bearer_and_switches_to_login_when_rejected()
    {
        var staticToken = "panel-token-AAAAAAAAAAAAAAAA";
        var handler = new StubHandler(request => request.PathAndQuery == "/v1/auth/login"
            ? LoginOk(Jwt("t1"))
            : request.Authorization == "Bearer " + staticToken ? StubHandler.Json(HttpStatusCode.Unauthorized, "{}") : EmptyList());
        using var client = Client(handler, o => new SmartfloClientOptions
        {
            BaseUrl = o.BaseUrl, AllowInsecureHttp = true, StaticToken = staticToken, Email = Email, Password = Password,
        });
        client.AuthMode.ShouldBe(SmartfloAuthMode.StaticToken);

        await client.GetMyNumbersAsync(Ct);
        await client.GetMyNumbersAsync(Ct);

        handler.Requests.Select(r => r.PathAndQuery).ShouldBe(["/v1/my_number", "/v1/auth/login", "/v1/my_number", "/v1/my_number"]);
        client.AuthHealth.Warnings.ShouldContain(SmartfloHealthWarnings.StaticTokenRejected);
    }

    [Fact]
    public async Task Static_token_without_credentials_is_not_retried_after_a_401()
    {
        var handler = new StubHandler(_ => StubHandler.Json(HttpStatusCode.Unauthorized, "{}"));
        using var client = Client(handler, o => new SmartfloClientOptions { BaseUrl = o.BaseUrl, AllowInsecureHttp = true, StaticToken = "bearer Already-Prefixed-Token" });

        var error = await Should.ThrowAsync<SmartfloException>(() => client.GetMyNumbersAsync(Ct));

        error.ProviderMessage.ShouldBe("static token rejected");
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 401");
        handler.Requests.ShouldHaveSingleItem().Authorization.ShouldBe("bearer Already-Prefixed-Token");
        client.AuthHealth.LastError.ShouldBe("static token rejected");
    }

    [Fact]
    public void Static_jwt_expiry_shows_in_health_with_a_warning_inside_seven_days()
    {
        var time = new ManualTimeProvider();
        using var client = Client(new StubHandler(_ => EmptyList()),
            o => new SmartfloClientOptions { BaseUrl = o.BaseUrl, AllowInsecureHttp = true, StaticToken = Jwt("static", time.GetUtcNow().AddDays(3)) }, time);

        client.AuthHealth.TokenExpiresAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().AddDays(3).ToUnixTimeSeconds()));
        client.AuthHealth.Warnings.ShouldContain(SmartfloHealthWarnings.TokenExpiring);
        client.AuthHealth.StatusName.ShouldBe("unknown");
    }

    [Fact]
    public async Task Password_expiry_warning_comes_from_number_of_days_left()
    {
        var handler = new StubHandler(_ => LoginOk(Jwt("t1"), daysLeft: 5));
        using var client = Client(handler);
        await client.LoginAsync(Ct);
        client.AuthHealth.PasswordDaysLeft.ShouldBe(5);
        client.AuthHealth.Warnings.ShouldContain(SmartfloHealthWarnings.PasswordExpiring);
    }

    [Fact]
    public async Task Secrets_never_reach_the_logs()
    {
        var logger = new CapturingLogger();
        var token = Jwt("secret-subject-t1");
        var calls = 0;
        var handler = new StubHandler(request => request.PathAndQuery switch
        {
            "/v1/auth/login" => LoginOk(token),
            "/v1/my_number" when Interlocked.Increment(ref calls) == 1 =>
                StubHandler.Json(HttpStatusCode.Unauthorized, $$"""{"success":false,"message":"expired","access_token":"{{token}}"}"""),
            "/v1/my_number" => EmptyList(),
            _ => StubHandler.Json(HttpStatusCode.OK, """{"success":false,"message":"Invalid api_key"}"""),
        });
        using var client = Client(handler, logger: logger);

        await client.GetMyNumbersAsync(Ct);
        await Should.ThrowAsync<SmartfloException>(() => client.ClickToCallSupportAsync(
            new ClickToCallSupportRequest { CustomerNumber = "9876543210", CallTimeoutSeconds = 60, CustomIdentifier = "c1" }, Ct));

        logger.Lines.ShouldNotBeEmpty();
        var all = string.Join('\n', logger.Lines);
        all.ShouldNotContain(Password);
        all.ShouldNotContain(token);
        all.ShouldNotContain(token.Split('.')[1]);
        all.ShouldNotContain(ApiKey);
        all.ShouldContain("Smartflo login succeeded");
    }

    [Fact]
    public void Expiry_comes_from_expires_in_else_the_jwt_exp_else_one_hour()
    {
        var now = new DateTimeOffset(2026, 2, 8, 6, 20, 0, TimeSpan.Zero);
        var fixtureToken = System.Text.Json.JsonDocument.Parse(Fixtures.Text("login-success.json")).RootElement.GetProperty("access_token").GetString()!;

        SmartfloAccessToken.FromLogin(fixtureToken, 3600, now).ExpiresAt.ShouldBe(now.AddHours(1));
        // The fixture's exp is 1770535600 = 2026-02-08T07:26:40Z.
        SmartfloJwt.TryReadExpiry(fixtureToken, out var exp).ShouldBeTrue();
        exp.ShouldBe(new DateTimeOffset(2026, 2, 8, 7, 26, 40, TimeSpan.Zero));
        SmartfloAccessToken.FromLogin(fixtureToken, null, now).ExpiresAt.ShouldBe(exp);
        SmartfloAccessToken.FromLogin("opaque-token", null, now).ExpiresAt.ShouldBe(now.AddHours(1));

        var shortLived = SmartfloAccessToken.FromLogin("opaque-token", 600, now);
        shortLived.RefreshAt.ShouldBe(now.AddMinutes(5));
        SmartfloAccessToken.FromLogin("opaque-token", 3600, now).RefreshAt.ShouldBe(now.AddMinutes(55));
        shortLived.ToString().ShouldNotContain("opaque-token");
        SmartfloJwt.TryReadExpiry("Bearer " + fixtureToken, out _).ShouldBeTrue();
        SmartfloJwt.TryReadExpiry("not.a!.jwt", out _).ShouldBeFalse();
    }
}
