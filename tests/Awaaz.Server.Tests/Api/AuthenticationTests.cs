using System.Net.Http.Headers;
using Awaaz.Server.Partners;

namespace Awaaz.Server.Tests.Api;

public sealed class AuthenticationTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    [Fact]
    public async Task Missing_key_is_401_with_envelope()
    {
        var error = await factory.CreateClient().GetAsync("/api/v2/config").Result.ShouldBeErrorAsync(401, "UNAUTHORIZED");
        error.Str("message").ShouldBe("Missing API key");
    }

    [Theory]
    [InlineData("Bearer rg_live_0000000000000000000000000000000")]
    [InlineData("Bearer rg_live_00000000000000000000000000000000")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    public async Task Malformed_or_unknown_key_is_401(string header)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        var error = await (await client.GetAsync("/api/v2/config")).ShouldBeErrorAsync(401, "UNAUTHORIZED");
        error.Str("message").ShouldBe("Invalid API key");
    }

    [Fact]
    public async Task Scheme_word_is_case_insensitive()
    {
        var partner = await factory.CreatePartnerAsync();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bEaReR " + partner.ApiKey);
        await (await client.GetAsync("/api/v2/config")).ShouldBeSuccessAsync();
    }

    [Fact]
    public async Task Revoked_key_is_401()
    {
        var partner = await factory.CreatePartnerAsync();
        await (await partner.Client.GetAsync("/api/v2/config")).ShouldBeSuccessAsync();
        (await factory.Service<ApiKeyStore>().RevokeAsync(partner.ApiKeyId)).ShouldBeTrue();
        await (await partner.Client.GetAsync("/api/v2/config")).ShouldBeErrorAsync(401, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Suspended_partner_is_403_except_config()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { Status = PartnerStatus.Suspended });
        var data = await (await partner.Client.GetAsync("/api/v2/config")).ShouldBeSuccessAsync();
        data.Str("status").ShouldBe("suspended");
        var error = await (await partner.Client.GetAsync("/api/v2/agent")).ShouldBeErrorAsync(403, "FORBIDDEN");
        error.Str("message").ShouldBe("Partner account is suspended");
        error["details"]!.Str("reason").ShouldBe("partner_suspended");
    }

    [Fact]
    public async Task Pending_partner_is_403()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { Status = PartnerStatus.Pending });
        var error = await (await partner.Client.GetAsync("/api/v2/agent")).ShouldBeErrorAsync(403, "FORBIDDEN");
        error["details"]!.Str("reason").ShouldBe("partner_pending");
    }

    [Fact]
    public async Task Unknown_route_is_401_without_key_and_404_with_key()
    {
        await (await factory.CreateClient().GetAsync("/api/v2/nothing-here")).ShouldBeErrorAsync(401, "UNAUTHORIZED");
        var partner = await factory.CreatePartnerAsync();
        await (await partner.Client.GetAsync("/api/v2/nothing-here")).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await partner.Client.DeleteAsync("/api/v2/config")).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await factory.CreateClient().GetAsync("/not-an-api")).ShouldBeErrorAsync(404, "NOT_FOUND");
    }

    [Fact]
    public async Task Request_id_is_echoed_or_generated()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Request-Id", "abc-123");
        var response = await client.GetAsync("/api/v2/config");
        response.Headers.GetValues("X-Request-Id").Single().ShouldBe("abc-123");
        var generated = await factory.CreateClient().GetAsync("/healthz");
        generated.Headers.GetValues("X-Request-Id").Single().Length.ShouldBe(32);
    }
}
