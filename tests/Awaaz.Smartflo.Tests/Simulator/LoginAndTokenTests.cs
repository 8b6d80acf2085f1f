using Xunit;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Faults;
using Awaaz.Smartflo.Simulator.Rest;
using Shouldly;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class LoginAndTokenTests
{
    [Fact]
    public async Task Login_success_returns_jwt_with_spec_claims()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var sim = await StartAsync(clock, ttlSeconds: 3600);
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = Password });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body["success"]!.GetValue<bool>().ShouldBeTrue();
        body["token_type"]!.GetValue<string>().ShouldBe("bearer");
        body["expires_in"]!.GetValue<int>().ShouldBe(3600);
        body["number_of_days_left"]!.GetValue<int>().ShouldBe(30);

        var parts = body["access_token"]!.GetValue<string>().Split('.');
        parts.Length.ShouldBe(3);
        var header = JsonNode.Parse(Base64UrlDecode(parts[0]))!;
        header["alg"]!.GetValue<string>().ShouldBe("HS256");
        header["typ"]!.GetValue<string>().ShouldBe("JWT");
        var claims = JsonNode.Parse(Base64UrlDecode(parts[1]))!;
        var iat = clock.GetUtcNow().ToUnixTimeSeconds();
        claims["iss"]!.GetValue<string>().ShouldBe("https://cloudphone.tatateleservices.com/api/v1/auth/login");
        claims["iat"]!.GetValue<long>().ShouldBe(iat);
        claims["nbf"]!.GetValue<long>().ShouldBe(iat);
        claims["exp"]!.GetValue<long>().ShouldBe(iat + 3600);
        claims["sub"]!.GetValue<string>().ShouldBe(AccountId);
        claims["jti"]!.GetValue<string>().Length.ShouldBe(16);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(1);
    }

    [Fact]
    public async Task Login_with_wrong_password_returns_incorrect_body_with_growing_failed_count()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (first, firstBody) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = "wrong" });
        var (_, secondBody) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = "wrong" });

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        firstBody.ToJsonString().ShouldBe("""{"success":false,"message":"The username or password is incorrect.","login_failed_count":1}""");
        secondBody["login_failed_count"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task Login_with_unknown_login_id_returns_invalid_credentials_body()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/auth/login", new { email = "nobody@example.com", password = Password });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.ToJsonString().ShouldBe("""{"success":false,"message":"Invalid credentials"}""");
    }

    [Fact]
    public async Task Login_without_password_is_422()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId });

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        body["success"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Login_fault_rejected401_answers_401_with_incorrect_body()
    {
        await using var sim = await StartAsync();
        sim.Faults.FailLogins(LoginFailureMode.Rejected401);
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = Password });

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        body["message"]!.GetValue<string>().ShouldBe("The username or password is incorrect.");
        body["login_failed_count"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task Login_fault_rate_limited_answers_429_with_retry_after()
    {
        await using var sim = await StartAsync();
        sim.Faults.FailLogins(LoginFailureMode.RateLimited, retryAfterSeconds: 30);
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = Password });

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(30));
        body["retry_after"]!.GetValue<int>().ShouldBe(30);
    }

    [Fact]
    public async Task Login_fault_missing_access_token_answers_success_without_token()
    {
        await using var sim = await StartAsync();
        sim.Faults.FailLogins(LoginFailureMode.MissingAccessToken);
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = Password });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body["success"]!.GetValue<bool>().ShouldBeTrue();
        body.AsObject().ContainsKey("access_token").ShouldBeFalse();
    }

    [Fact]
    public async Task Number_of_days_left_knob_changes_login_answer()
    {
        await using var sim = await StartAsync();
        sim.Faults.Update(f => f.NumberOfDaysLeft = 5);
        using var http = Client(sim);

        var (_, body) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = Password });

        body["number_of_days_left"]!.GetValue<int>().ShouldBe(5);
    }

    [Fact]
    public async Task Token_is_rejected_with_401_once_its_ttl_has_passed()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var sim = await StartAsync(clock, ttlSeconds: 5);
        using var http = Client(sim);
        var token = await http.LoginAsync();

        var (before, _) = await http.GetJsonAsync("v1/my_number", token);
        clock.Advance(TimeSpan.FromSeconds(5));
        var (after, body) = await http.GetJsonAsync("v1/my_number", token);

        before.StatusCode.ShouldBe(HttpStatusCode.OK);
        after.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        body.ToJsonString().ShouldBe("""{"success":false,"message":"Token has expired"}""");
    }

    [Fact]
    public async Task Token_is_accepted_as_bearer_in_any_case_and_raw()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var token = await http.LoginAsync();

        foreach (var header in new[] { "Bearer " + token, "bearer " + token, "BEARER " + token, token })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "v1/my_number");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, header[..6]);
        }
    }

    [Fact]
    public async Task Missing_and_unknown_tokens_get_401()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (missing, missingBody) = await http.GetJsonAsync("v1/users");
        var (unknown, unknownBody) = await http.GetJsonAsync("v1/users", "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.c2ln");

        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        missingBody["message"]!.GetValue<string>().ShouldBe("Authorization Token not found");
        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        unknownBody["message"]!.GetValue<string>().ShouldBe("Token is invalid");
    }

    [Fact]
    public async Task Static_token_from_config_is_accepted()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, body) = await http.GetJsonAsync("v1/my_number", StaticToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.AsArray().Count.ShouldBe(2);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(0);
    }

    [Fact]
    public async Task Expire_all_tokens_now_revokes_login_and_static_tokens()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var token = await http.LoginAsync();

        var revoked = sim.Faults.ExpireAllTokensNow();
        var (loginToken, loginBody) = await http.GetJsonAsync("v1/my_number", token);
        var (staticToken, _) = await http.GetJsonAsync("v1/my_number", StaticToken);
        var fresh = await http.LoginAsync();
        var (freshToken, _) = await http.GetJsonAsync("v1/my_number", fresh);

        revoked.ShouldBe(2);
        loginToken.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        loginBody["message"]!.GetValue<string>().ShouldBe("The token has been blacklisted");
        staticToken.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        freshToken.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Refresh_returns_a_new_token_and_revokes_the_old_one()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var token = await http.LoginAsync();

        var (response, body) = await http.PostJsonAsync("v1/auth/refresh", new { }, token);
        var newToken = body["access_token"]!.GetValue<string>();
        var (old, _) = await http.GetJsonAsync("v1/users", token);
        var (renewed, _) = await http.GetJsonAsync("v1/users", newToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        newToken.ShouldNotBe(token);
        old.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        renewed.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static string Base64UrlDecode(string segment)
    {
        var padded = segment.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }
}
