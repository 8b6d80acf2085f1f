using System.Net.Http.Headers;
using System.Text;
using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Rest;

/// <summary>Pure mapping of Smartflo response shapes (spec §3 success rule and message order, §6.1 E1–E7).</summary>
public sealed class ProviderResponseTests
{
    private static readonly DateTimeOffset Now = new(2026, 2, 8, 7, 0, 0, TimeSpan.Zero);

    private static ProviderResponse Read(int status, string body, RetryConditionHeaderValue? retryAfter = null) =>
        ProviderResponse.Read(status, Encoding.UTF8.GetBytes(body), retryAfter, Now);

    [Theory]
    [InlineData(200, """{"success":true,"message":"Originate successfully queued"}""")]
    [InlineData(200, """[{"id":"1"}]""")]
    [InlineData(200, "")]
    [InlineData(200, """{"success":"true","ok":1}""")]
    [InlineData(204, "")]
    [InlineData(200, "<html>ok</html>")]
    public void Success_needs_2xx_and_no_false_like_success_or_ok(int status, string body) =>
        Read(status, body).IsSuccess.ShouldBeTrue();

    [Theory]
    [InlineData(200, """{"success":false,"message":"x"}""")]
    [InlineData(200, """{"success":"false","message":"x"}""")]
    [InlineData(200, """{"success":0}""")]
    [InlineData(200, """{"success":"0"}""")]
    [InlineData(200, """{"ok":false,"message":"x"}""")]
    [InlineData(200, """{"success":true,"ok":"False"}""")]
    [InlineData(422, """{"success":true}""")]
    [InlineData(502, "")]
    public void Anything_else_is_a_failure(int status, string body) =>
        Read(status, body).IsSuccess.ShouldBeFalse();

    [Theory]
    [InlineData(200, """{"success":false,"message":"Agent is busy"}""", SmartfloErrorKind.Rejected, "Agent is busy")] // E1
    [InlineData(400, """{"success":false,"message":"Invalid destination"}""", SmartfloErrorKind.Rejected, "Invalid destination")] // E2
    [InlineData(404, """{"success":false,"message":"Call not found"}""", SmartfloErrorKind.Rejected, "Call not found")] // E2
    [InlineData(401, """{"success":false,"message":"Unauthenticated"}""", SmartfloErrorKind.Auth, "Unauthenticated")] // E2
    [InlineData(403, """{"success":false,"message":"Not allowed"}""", SmartfloErrorKind.Auth, "Not allowed")] // E2
    [InlineData(200, """{"ok":false,"message":"Route disabled"}""", SmartfloErrorKind.Rejected, "Route disabled")] // E3
    [InlineData(422, """{"message":"","errors":{"caller_id":["The caller id is not valid."]}}""", SmartfloErrorKind.Rejected, "The caller id is not valid.")] // E4
    [InlineData(429, """{"message":"Too many requests","retry_after":30}""", SmartfloErrorKind.RateLimited, "Too many requests")] // E5
    [InlineData(429, "", SmartfloErrorKind.RateLimited, "HTTP 429")] // E5
    [InlineData(502, "<html><body>Bad Gateway</body></html>", SmartfloErrorKind.ServerError, "<html><body>Bad Gateway</body></html>")] // E6
    [InlineData(504, "", SmartfloErrorKind.ServerError, "HTTP 504")] // E6
    [InlineData(500, """{"error":"boom"}""", SmartfloErrorKind.ServerError, "boom")]
    [InlineData(500, """{"error":{"message":"nested boom"}}""", SmartfloErrorKind.ServerError, "nested boom")]
    [InlineData(422, """{"errors":["first","second"]}""", SmartfloErrorKind.Rejected, "first")]
    public void Every_error_shape_maps_to_kind_and_message(int status, string body, SmartfloErrorKind kind, string message)
    {
        var error = Read(status, body).ToException(SmartfloEndpoint.ClickToCallSupport);
        error.Kind.ShouldBe(kind);
        error.HttpStatus.ShouldBe(status);
        error.ProviderMessage.ShouldBe(message);
        error.PartnerMessage.ShouldBe($"Tata SmartFlo API error: {status}");
    }

    [Fact]
    public void E7_login_rejection_in_a_200_is_a_credential_failure_reading_401()
    {
        var error = Read(200, Fixtures.Text("login-failure.json")).ToException(SmartfloEndpoint.Login);
        error.Kind.ShouldBe(SmartfloErrorKind.Auth);
        error.IsCredentialFailure.ShouldBeTrue();
        error.HttpStatus.ShouldBe(200);
        error.ProviderMessage.ShouldBe("The username or password is incorrect.");
        error.PartnerStatus.ShouldBe(401);
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 401");
        error.IsAmbiguous.ShouldBeFalse();
    }

    [Theory]
    [InlineData(422)]
    [InlineData(400)]
    [InlineData(403)]
    public void Any_login_refusal_is_a_credential_failure(int status) =>
        Read(status, """{"success":false,"message":"Invalid credentials"}""").ToException(SmartfloEndpoint.Login).PartnerStatus.ShouldBe(401);

    [Fact]
    public void Login_5xx_and_429_are_not_credential_failures()
    {
        Read(503, "").ToException(SmartfloEndpoint.Login).IsCredentialFailure.ShouldBeFalse();
        Read(429, "").ToException(SmartfloEndpoint.Login).IsCredentialFailure.ShouldBeFalse();
    }

    [Fact]
    public void Retry_after_comes_from_the_header_else_the_body()
    {
        Read(429, """{"retry_after":30}""", new RetryConditionHeaderValue(TimeSpan.FromSeconds(4))).RetryAfter.ShouldBe(TimeSpan.FromSeconds(4));
        Read(429, "", new RetryConditionHeaderValue(Now.AddSeconds(7))).RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
        Read(429, """{"retry_after":"12"}""").RetryAfter.ShouldBe(TimeSpan.FromSeconds(12));
        Read(429, """{"retry_after":2.5}""").RetryAfter.ShouldBe(TimeSpan.FromSeconds(2.5));
        Read(429, "{}").RetryAfter.ShouldBeNull();
    }

    [Fact]
    public void Error_bodies_are_redacted_and_capped()
    {
        var error = Read(401, """{"success":false,"message":"bad","access_token":"eyJsecret","password":"p@ss"}""").ToException(SmartfloEndpoint.Users);
        error.RawBody.ShouldNotContain("eyJsecret");
        error.RawBody.ShouldNotContain("p@ss");
        Read(502, new string('<', 5000)).ToException(SmartfloEndpoint.Users).RawBody.Length.ShouldBeLessThanOrEqualTo(2048);
        Read(502, new string('<', 5000)).ToException(SmartfloEndpoint.Users).ProviderMessage.Length.ShouldBe(200);
    }

    [Fact]
    public void Timeouts_and_network_errors_read_timeout_for_partners()
    {
        var timeout = new SmartfloException(SmartfloEndpoint.ClickToCall, SmartfloErrorKind.Timeout, 0, "no response within 10 s");
        timeout.PartnerMessage.ShouldBe("Tata SmartFlo API error: timeout");
        timeout.PartnerStatus.ShouldBeNull();
        timeout.IsAmbiguous.ShouldBeTrue();
        timeout.KindName.ShouldBe("timeout");

        var refused = new SmartfloException(SmartfloEndpoint.ClickToCall, SmartfloErrorKind.Unreachable, 0, "ConnectionError", requestSent: false);
        refused.PartnerMessage.ShouldBe("Tata SmartFlo API error: timeout");
        refused.IsAmbiguous.ShouldBeFalse();
        refused.KindName.ShouldBe("unavailable");

        var local = new SmartfloException(SmartfloEndpoint.Users, SmartfloErrorKind.RateLimited, 0, "budget", requestSent: false);
        local.PartnerMessage.ShouldBe("Tata SmartFlo API error: 429");
    }
}

/// <summary>The per-route retry table of spec §3 and §7.</summary>
public sealed class RetryPolicyTests
{
    private static SmartfloException Error(SmartfloEndpoint endpoint, SmartfloErrorKind kind, int status, bool sent = true, TimeSpan? retryAfter = null) =>
        new(endpoint, kind, status, "x", retryAfter: retryAfter, requestSent: sent);

    [Theory]
    [InlineData(SmartfloEndpoint.ClickToCall)]
    [InlineData(SmartfloEndpoint.ClickToCallSupport)]
    [InlineData(SmartfloEndpoint.Transfer)]
    public void Calls_that_may_have_been_placed_or_moved_are_never_retried(SmartfloEndpoint endpoint)
    {
        var policy = RetryPolicy.For(endpoint);
        policy.Decide(Error(endpoint, SmartfloErrorKind.ServerError, 502), 0, 0).Retry.ShouldBeFalse();
        policy.Decide(Error(endpoint, SmartfloErrorKind.Timeout, 0), 0, 0).Retry.ShouldBeFalse();
        policy.Decide(Error(endpoint, SmartfloErrorKind.Unreachable, 0, sent: true), 0, 0).Retry.ShouldBeFalse();
        policy.Decide(Error(endpoint, SmartfloErrorKind.Rejected, 422), 0, 0).Retry.ShouldBeFalse();
    }

    [Theory]
    [InlineData(SmartfloEndpoint.ClickToCall, 2)]
    [InlineData(SmartfloEndpoint.ClickToCallSupport, 2)]
    [InlineData(SmartfloEndpoint.Transfer, 1)]
    public void Calls_are_retried_only_when_nothing_reached_smartflo(SmartfloEndpoint endpoint, int retries)
    {
        var policy = RetryPolicy.For(endpoint);
        var refused = Error(endpoint, SmartfloErrorKind.Unreachable, 0, sent: false);
        for (var i = 0; i < retries; i++) policy.Decide(refused, 0, i).Retry.ShouldBeTrue();
        policy.Decide(refused, 0, retries).Retry.ShouldBeFalse();

        var limited = Error(endpoint, SmartfloErrorKind.RateLimited, 429, retryAfter: TimeSpan.FromSeconds(3));
        var decision = policy.Decide(limited, 0, 0);
        decision.Retry.ShouldBeTrue();
        decision.Delay.ShouldBe(TimeSpan.FromSeconds(3));
        decision.CountsAsRateLimit.ShouldBeTrue();
        policy.Decide(limited, retries, 0).Retry.ShouldBeFalse();
    }

    [Theory]
    [InlineData(SmartfloEndpoint.Login)]
    [InlineData(SmartfloEndpoint.MyNumber)]
    [InlineData(SmartfloEndpoint.Users)]
    [InlineData(SmartfloEndpoint.LiveCalls)]
    [InlineData(SmartfloEndpoint.CallRecords)]
    public void Login_and_gets_retry_transient_failures_after_1_then_2_seconds(SmartfloEndpoint endpoint)
    {
        var policy = RetryPolicy.For(endpoint);
        var failure = Error(endpoint, SmartfloErrorKind.ServerError, 503);
        policy.Decide(failure, 0, 0).Delay.ShouldBe(TimeSpan.FromSeconds(1));
        policy.Decide(failure, 0, 1).Delay.ShouldBe(TimeSpan.FromSeconds(2));
        policy.Decide(failure, 0, 2).Retry.ShouldBeFalse();
        policy.Decide(Error(endpoint, SmartfloErrorKind.Timeout, 0), 0, 0).Retry.ShouldBeTrue();
        policy.Decide(Error(endpoint, SmartfloErrorKind.Auth, 401), 0, 0).Retry.ShouldBeFalse();
        policy.Decide(Error(endpoint, SmartfloErrorKind.Rejected, 200), 0, 0).Retry.ShouldBeFalse();
    }

    [Fact]
    public void Hangup_gets_three_attempts_per_id_form_with_short_backoff()
    {
        var policy = RetryPolicy.For(SmartfloEndpoint.Hangup);
        var failure = Error(SmartfloEndpoint.Hangup, SmartfloErrorKind.Timeout, 0);
        policy.Decide(failure, 0, 0).Delay.ShouldBe(TimeSpan.FromMilliseconds(500));
        policy.Decide(failure, 0, 1).Delay.ShouldBe(TimeSpan.FromSeconds(1));
        policy.Decide(failure, 0, 2).Retry.ShouldBeFalse();
    }

    [Fact]
    public void Rate_limit_waits_default_to_one_second_and_are_capped_at_ten()
    {
        var policy = RetryPolicy.For(SmartfloEndpoint.MyNumber);
        policy.Decide(Error(SmartfloEndpoint.MyNumber, SmartfloErrorKind.RateLimited, 429), 0, 0).Delay.ShouldBe(TimeSpan.FromSeconds(1));
        policy.Decide(Error(SmartfloEndpoint.MyNumber, SmartfloErrorKind.RateLimited, 429, retryAfter: TimeSpan.FromMinutes(5)), 0, 0)
            .Delay.ShouldBe(TimeSpan.FromSeconds(10));
        // A local budget refusal is not retried: it already waited as long as allowed.
        policy.Decide(Error(SmartfloEndpoint.MyNumber, SmartfloErrorKind.RateLimited, 0, sent: false), 0, 0).Retry.ShouldBeFalse();
    }
}
