using System.Net.Http.Headers;

namespace Awaaz.Server.Tests.Partners;

public sealed class AdminApiTests : IClassFixture<AdminApiTests.AdminFactory>
{
    public sealed class AdminFactory : AwaazFactory
    {
        public AdminFactory() => With("AWAAZ_ADMIN_TOKEN", "op-token-for-tests");
    }

    private readonly AdminFactory _factory;
    private readonly HttpClient _admin;

    public AdminApiTests(AdminFactory factory)
    {
        _factory = factory;
        _admin = factory.CreateClient();
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "op-token-for-tests");
    }

    [Fact]
    public async Task Operator_creates_partner_issues_key_lists_and_revokes_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = "logistics-" + Guid.NewGuid().ToString("N")[..8];
        var partner = await (await _admin.PostJsonAsync("/api/admin/partners", new
        {
            name, display_name = "Logistics Co", agent_limit = 3, concurrency_limit = 7,
            allowed_languages = new[] { "en", "hi", "ta" }, rate_limits = new { calls_per_minute = 20 },
        })).ShouldBeSuccessAsync(201);
        partner.Str("name").ShouldBe(name);
        partner["agent_limit"]!.GetValue<int>().ShouldBe(3);
        partner["concurrency_limit"]!.GetValue<int>().ShouldBe(7);
        partner["rate_limits"]!["calls_per_minute"]!.GetValue<int>().ShouldBe(20);
        partner["rate_limits"]!["general_per_minute"]!.GetValue<int>().ShouldBe(60);
        partner["allowed_telephony_providers"]![0]!.GetValue<string>().ShouldBe("tata_smartflo");
        var id = partner.Str("id");

        var issued = await (await _admin.PostJsonAsync($"/api/admin/partners/{id}/api-keys", new { label = "prod" })).ShouldBeSuccessAsync(201);
        var key = issued.Str("key");
        key.ShouldMatch("^rg_live_[0-9A-Za-z]{32}$");
        issued.Str("prefix").ShouldBe(key[..12]);
        issued.Str("last4").ShouldBe(key[^4..]);
        issued.Str("message").ShouldBe("Save this key — it will not be shown again.");

        var listed = await (await _admin.GetAsync($"/api/admin/partners/{id}/api-keys", ct)).ShouldBeSuccessAsync();
        var listedText = listed.ToJsonString();
        listedText.ShouldNotContain(key);
        listed["api_keys"]!.AsArray().Count.ShouldBe(1);

        var partnerClient = _factory.CreateClient();
        partnerClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var config = await (await partnerClient.GetAsync("/api/v2/config", ct)).ShouldBeSuccessAsync();
        config.Str("partner_id").ShouldBe(id);
        config["allowed_languages"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["en", "hi", "ta"]);

        await (await _admin.DeleteAsync($"/api/admin/api-keys/{issued.Str("id")}", ct)).ShouldBeSuccessAsync();
        await (await partnerClient.GetAsync("/api/v2/config", ct)).ShouldBeErrorAsync(401, "UNAUTHORIZED");
        var afterRevoke = await (await _admin.GetAsync($"/api/admin/partners/{id}/api-keys", ct)).ShouldBeSuccessAsync();
        afterRevoke["api_keys"]![0]!["revoked_at"].ShouldNotBeNull();
    }

    [Fact]
    public async Task Suspending_through_the_admin_api_locks_the_partner_out()
    {
        var ct = TestContext.Current.CancellationToken;
        var partner = await _factory.CreatePartnerAsync();
        await (await _admin.PatchJsonAsync($"/api/admin/partners/{partner.Partner.Id}", new { status = "suspended" })).ShouldBeSuccessAsync();
        await (await partner.Client.GetAsync("/api/v2/agent", ct)).ShouldBeErrorAsync(403, "FORBIDDEN");
        await (await _admin.PatchJsonAsync($"/api/admin/partners/{partner.Partner.Id}", new { status = "active" })).ShouldBeSuccessAsync();
        (await partner.Client.GetAsync("/api/v2/agent", ct)).StatusCode.ShouldNotBe(System.Net.HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Validation_names_each_bad_field()
    {
        var error = await (await _admin.PostJsonAsync("/api/admin/partners", new
        {
            name = "Bad Name!", display_name = "x", concurrency_limit = 0, allowed_telephony_providers = new[] { "twilio" },
        })).ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        var fields = error["details"]!["fields"]!.AsArray().Select(f => f!.Str("field")).ToList();
        fields.ShouldContain("name");

        error = await (await _admin.PostJsonAsync("/api/admin/partners", new
        {
            name = "valid-" + Guid.NewGuid().ToString("N")[..6], display_name = "x", concurrency_limit = 0, allowed_telephony_providers = new[] { "twilio" },
        })).ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        fields = error["details"]!["fields"]!.AsArray().Select(f => f!.Str("field")).ToList();
        fields.ShouldBe(["concurrency_limit", "allowed_telephony_providers"], ignoreOrder: true);
        error["details"]!["fields"]!.AsArray().Single(f => f!.Str("field") == "allowed_telephony_providers")!.Str("message")
            .ShouldBe("provider twilio is not supported by this server");
    }

    [Fact]
    public async Task Duplicate_partner_name_is_409_and_unknown_partner_is_404()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = "dup-" + Guid.NewGuid().ToString("N")[..8];
        await (await _admin.PostJsonAsync("/api/admin/partners", new { name, display_name = "A" })).ShouldBeSuccessAsync(201);
        await (await _admin.PostJsonAsync("/api/admin/partners", new { name, display_name = "B" })).ShouldBeErrorAsync(409, "CONFLICT");
        await (await _admin.GetAsync($"/api/admin/partners/{Guid.NewGuid()}", ct)).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await _admin.GetAsync("/api/admin/partners/not-a-uuid", ct)).ShouldBeErrorAsync(404, "NOT_FOUND");
    }

    [Fact]
    public async Task Wrong_admin_token_is_401()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "op-token-for-testz");
        await (await client.GetAsync("/api/admin/partners", TestContext.Current.CancellationToken)).ShouldBeErrorAsync(401, "UNAUTHORIZED");
    }
}
