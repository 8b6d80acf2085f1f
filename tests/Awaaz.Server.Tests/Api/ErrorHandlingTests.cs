using Awaaz.Server.Api;
using Awaaz.Server.Partners;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Awaaz.Server.Tests.Api;

public sealed class ErrorHandlingTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    [Fact]
    public async Task General_bucket_empties_into_429_with_retry_after_and_headers()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { RateLimits = new RateLimits(3, 2, 2) });
        for (var i = 0; i < 3; i++)
        {
            var ok = await partner.Client.GetAsync("/api/v2/config", TestContext.Current.CancellationToken);
            ok.EnsureSuccessStatusCode();
            ok.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe("3");
            ok.Headers.GetValues("X-RateLimit-Remaining").Single().ShouldBe((2 - i).ToString());
            int.Parse(ok.Headers.GetValues("X-RateLimit-Reset").Single()).ShouldBeGreaterThan(0);
        }
        var limited = await partner.Client.GetAsync("/api/v2/config", TestContext.Current.CancellationToken);
        var error = await limited.ShouldBeErrorAsync(429, "RATE_LIMITED");
        error.Str("message").ShouldBe("Rate limit exceeded");
        error["details"]!.Str("bucket").ShouldBe("general");
        error["details"]!["limit"]!.GetValue<int>().ShouldBe(3);
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single());
        retryAfter.ShouldBeInRange(1, 20);
        error["details"]!["retry_after_seconds"]!.GetValue<int>().ShouldBe(retryAfter);
    }

    [Fact]
    public async Task Buckets_are_per_key_and_unknown_routes_take_no_token()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { RateLimits = new RateLimits(2, 2, 2) });
        for (var i = 0; i < 5; i++)
            await (await partner.Client.GetAsync("/api/v2/no-such-route", TestContext.Current.CancellationToken)).ShouldBeErrorAsync(404, "NOT_FOUND");
        (await partner.Client.GetAsync("/api/v2/config", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await partner.Client.GetAsync("/api/v2/config", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await (await partner.Client.GetAsync("/api/v2/config", TestContext.Current.CancellationToken)).ShouldBeErrorAsync(429, "RATE_LIMITED");

        // A second key of the same partner has its own bucket.
        var second = await factory.Service<ApiKeyStore>().IssueAsync(partner.Partner.Id, "second", ct: TestContext.Current.CancellationToken);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", second.Key);
        (await client.GetAsync("/api/v2/config", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("/api/v2/calls", "POST", RateBucket.Calls)]
    [InlineData("/api/v2/calls/start", "POST", RateBucket.Calls)]
    [InlineData("/api/v2/calls/0f8c2d3e-6a1b-4c5d-9e8f-1a2b3c4d5e6f/extract", "POST", RateBucket.Calls)]
    [InlineData("/api/v2/sessions/web", "POST", RateBucket.WebSessions)]
    [InlineData("/api/v2/agent", "POST", RateBucket.General)]
    [InlineData("/api/v2/config", "GET", RateBucket.General)]
    public void Routes_map_to_the_spec_buckets(string path, string method, RateBucket expected) =>
        PartnerRateLimiter.BucketFor(path, method).ShouldBe(expected);

    [Fact]
    public async Task Unhandled_exception_is_500_with_request_id_and_no_stack_trace()
    {
        var clock = new FailingClock();
        await using var failing = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        var partner = await factory.CreatePartnerAsync();
        var client = failing.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", partner.ApiKey);
        client.DefaultRequestHeaders.Add("X-Request-Id", "req-500-test");
        clock.Fail = true;

        var response = await client.GetAsync("/api/v2/config", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var error = await response.ShouldBeErrorAsync(500, "INTERNAL_ERROR");
        error["details"]!.Str("request_id").ShouldBe("req-500-test");
        text.ShouldNotContain("   at ");
        text.ShouldNotContain(nameof(FailingClock));
        factory.Logs.All.ShouldContain("simulated clock failure");
    }

    [Fact]
    public async Task Malformed_json_is_400_naming_the_body()
    {
        var admin = factory.CreateClient();
        await using var withAdmin = factory.WithWebHostBuilder(b => b.UseSetting("AWAAZ_ADMIN_TOKEN", "admin-secret-token"));
        var client = withAdmin.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "admin-secret-token");
        var error = await (await client.PostRawAsync("/api/admin/partners", "{\"name\": ")).ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        error["details"]!["fields"]![0]!.Str("field").ShouldBe("body");
        await (await client.PostRawAsync("/api/admin/partners", "[1,2]")).ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        await (await admin.PostRawAsync("/api/admin/partners", "{}")).ShouldBeErrorAsync(404, "NOT_FOUND");
    }

    private sealed class FailingClock : TimeProvider
    {
        public volatile bool Fail;
        public override DateTimeOffset GetUtcNow() => Fail ? throw new InvalidOperationException("simulated clock failure") : base.GetUtcNow();
    }
}
