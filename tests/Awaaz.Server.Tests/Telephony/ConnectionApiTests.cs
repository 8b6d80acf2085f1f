using System.Text.Json.Nodes;
using Awaaz.Server.Telephony;
using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Rest;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Awaaz.Server.Tests.Telephony;

public sealed class ConnectionApiTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private SmartfloSimulator _sim = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    private async Task<JsonNode> CreateAsync(TestPartner partner, object body) =>
        (await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", body)).ShouldBeSuccessAsync(201))["connection"]!;

    [Fact]
    public async Task Create_verifies_by_login_and_returns_masked_connection_with_panel_urls()
    {
        var partner = await factory.CreatePartnerAsync();
        var c = await CreateAsync(partner, SimulatedSmartflo.CredentialsConnection(_sim));

        _sim.Requests.Count(SmartfloRoute.Login).ShouldBe(1);
        c.Str("id").ShouldBe(c.Str("connection_id"));
        c.Str("provider").ShouldBe("tata_smartflo");
        c.Str("provider_key").ShouldBe("TATA_SMARTFLO");
        c.Str("status").ShouldBe("ACTIVE");
        c["is_default"]!.GetValue<bool>().ShouldBeTrue();
        c.Str("managed_by").ShouldBe("api");
        c.Str("tata_email").ShouldBe(SimulatedSmartflo.Email);
        c["has_password"]!.GetValue<bool>().ShouldBeTrue();
        c.Str("api_key").ShouldBe("3f2b****0001");
        c["auth_token"].ShouldBeNull();
        c.Str("auth_mode").ShouldBe("credentials");
        c["capabilities"]!.Str("outbound_mode").ShouldBe("customer_first");
        c["health"]!.Str("auth_status").ShouldBe("ok");
        c.Str("base_url").ShouldBe(_sim.BaseUrl);
        var resolver = c["smartflo"]!.Str("resolver_url");
        resolver.ShouldMatch(@"^http://127\.0\.0\.1:\d+/api/tata/resolve-wss\?secret=sfs_[0-9A-Za-z]{32}$");
        var secret = resolver[(resolver.IndexOf("secret=", StringComparison.Ordinal) + 7)..];
        c["smartflo"]!.Str("lifecycle_url").ShouldEndWith($"/api/tata/lifecycle?secret={secret}");
        c["smartflo"]!["webhook_triggers"]![0]!.Str("url").ShouldEndWith($"secret={secret}&event=answered");
        c["phone_numbers"]!.AsArray().Select(n => n!.Str("phone_number")).ShouldContain(SimulatedSmartflo.SalesDid);
        c.ToJsonString().ShouldNotContain(SimulatedSmartflo.Password);
        c.ToJsonString().ShouldNotContain(SimulatedSmartflo.ApiKey);

        var config = await (await partner.Client.GetAsync("/api/v2/config", Ct)).ShouldBeSuccessAsync();
        config["telephony"]!["tata_smartflo"]!["configured"]!.GetValue<bool>().ShouldBeTrue();
        config["telephony"]!["tata_smartflo"]!.Str("from_number").ShouldBe(SimulatedSmartflo.SalesDid);
        config["telephony"]!["tata_smartflo"]!.Str("connection_id").ShouldBe(c.Str("id"));

        // The connection secret selects this connection, and only it.
        var found = await factory.Service<ConnectionStore>().FindBySecretAsync(secret, Ct);
        found!.Id.ShouldBe(c.Str("id"));
    }

    [Fact]
    public async Task Rejected_credentials_are_422_with_smartflos_message_and_nothing_is_saved()
    {
        var partner = await factory.CreatePartnerAsync();
        var response = await partner.Client.PostJsonAsync("/api/v2/telephony/connections", SimulatedSmartflo.CredentialsConnection(_sim, password: "wrong"));
        var error = await response.ShouldBeErrorAsync(422, "PROVIDER_CREDENTIALS_REJECTED");
        error["details"]!["provider_status"]!.GetValue<int>().ShouldBe(401);
        error["details"]!.Str("provider_message").ShouldNotBeNullOrWhiteSpace();
        error.Str("message").ShouldBe(error["details"]!.Str("provider_message"));
        var list = await (await partner.Client.GetAsync("/api/v2/telephony/connections", Ct)).ShouldBeSuccessAsync();
        list["connections"]!.AsArray().Count.ShouldBe(0);
    }

    [Fact]
    public async Task Rejected_static_token_is_422()
    {
        var partner = await factory.CreatePartnerAsync();
        var error = await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", new
        {
            provider = "tata_smartflo", name = "Token", auth_token = "not-a-real-token", from_number = SimulatedSmartflo.SalesDid, base_url = _sim.BaseUrl,
        })).ShouldBeErrorAsync(422, "PROVIDER_CREDENTIALS_REJECTED");
        error["details"]!["provider_status"]!.GetValue<int>().ShouldBe(401);
    }

    [Fact]
    public async Task Unreachable_smartflo_is_502_and_nothing_is_saved()
    {
        var partner = await factory.CreatePartnerAsync();
        var closedPort = AwaazProcess.FreePort();
        var error = await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", new
        {
            provider = "tata_smartflo", name = "Down", tata_email = "a@b.c", tata_password = "x", from_number = SimulatedSmartflo.SalesDid,
            base_url = $"http://127.0.0.1:{closedPort}",
        })).ShouldBeErrorAsync(502, "PROVIDER_ERROR");
        error.Str("message").ShouldBe("Tata SmartFlo API error: timeout");
        (await (await partner.Client.GetAsync("/api/v2/telephony/connections", Ct)).ShouldBeSuccessAsync())["connections"]!.AsArray().Count.ShouldBe(0);
    }

    [Fact]
    public async Task Smartflo_5xx_is_502_with_the_status()
    {
        var partner = await factory.CreatePartnerAsync();
        _sim.Faults.ForceServerErrors(10, 503);
        var error = await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", SimulatedSmartflo.CredentialsConnection(_sim)))
            .ShouldBeErrorAsync(502, "PROVIDER_ERROR");
        error.Str("message").ShouldBe("Tata SmartFlo API error: 503");
    }

    [Theory]
    [InlineData("twilio", 400, "VALIDATION_ERROR")]
    [InlineData("tata_smartflo", 403, "PROVIDER_NOT_ALLOWED")]
    public async Task Provider_gate(string provider, int status, string code)
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { AllowedTelephonyProviders = [] });
        var error = await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", new
        {
            provider, name = "X", tata_email = SimulatedSmartflo.Email, tata_password = SimulatedSmartflo.Password, from_number = SimulatedSmartflo.SalesDid, base_url = _sim.BaseUrl,
        })).ShouldBeErrorAsync(status, code);
        if (status == 400) error.Str("message").ShouldBe("provider twilio is not supported by this server");
        else error.Str("message").ShouldBe("Provider tata_smartflo is not allowed for this account");
    }

    [Fact]
    public async Task Validation_names_each_field()
    {
        var partner = await factory.CreatePartnerAsync();
        var error = await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", new
        {
            provider = "tata_smartflo", name = "", from_number = "08000000100", tata_email = "a@b.c", base_url = "ftp://x",
            pulse_seconds = 0, compat = new { outbound_frame_bytes = 500 },
        })).ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        var fields = error["details"]!["fields"]!.AsArray().Select(f => f!.Str("field")).ToList();
        fields.ShouldBe(["name", "from_number", "base_url", "pulse_seconds", "tata_password", "compat.outbound_frame_bytes"], ignoreOrder: true, customMessage: string.Join(",", fields));
    }

    [Fact]
    public async Task Duplicate_name_is_409_and_other_partners_see_404()
    {
        var partner = await factory.CreatePartnerAsync();
        var c = await CreateAsync(partner, SimulatedSmartflo.CredentialsConnection(_sim));
        var dup = await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", SimulatedSmartflo.CredentialsConnection(_sim, name: "SMARTFLO mumbai")))
            .ShouldBeErrorAsync(409, "CONFLICT");
        dup["details"]!.Str("reason").ShouldBe("duplicate_connection_name");

        var other = await factory.CreatePartnerAsync("other");
        var id = c.Str("id");
        await (await other.Client.GetAsync($"/api/v2/telephony/connections/{id}", Ct)).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await other.Client.PatchJsonAsync($"/api/v2/telephony/connections/{id}", new { name = "mine" })).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await other.Client.DeleteAsync($"/api/v2/telephony/connections/{id}", Ct)).ShouldBeErrorAsync(404, "NOT_FOUND");
        (await (await other.Client.GetAsync("/api/v2/telephony/connections", Ct)).ShouldBeSuccessAsync())["connections"]!.AsArray().Count.ShouldBe(0);
        (await (await other.Client.GetAsync("/api/v2/phone-numbers", Ct)).ShouldBeSuccessAsync())["total"]!.GetValue<int>().ShouldBe(0);
        await (await other.Client.GetAsync("/api/v2/telephony/connections/not-a-uuid", Ct)).ShouldBeErrorAsync(404, "NOT_FOUND");
    }

    [Fact]
    public async Task Deactivating_or_deleting_the_default_moves_it_to_the_oldest_active()
    {
        var partner = await factory.CreatePartnerAsync();
        var first = await CreateAsync(partner, SimulatedSmartflo.CredentialsConnection(_sim, name: "First"));
        var second = await CreateAsync(partner, SimulatedSmartflo.CredentialsConnection(_sim, name: "Second"));
        second["is_default"]!.GetValue<bool>().ShouldBeFalse();

        var deactivated = (await (await partner.Client.PatchJsonAsync($"/api/v2/telephony/connections/{first.Str("id")}", new { status = "INACTIVE" })).ShouldBeSuccessAsync())["connection"]!;
        deactivated["is_default"]!.GetValue<bool>().ShouldBeFalse();
        var now = (await (await partner.Client.GetAsync($"/api/v2/telephony/connections/{second.Str("id")}", Ct)).ShouldBeSuccessAsync())["connection"]!;
        now["is_default"]!.GetValue<bool>().ShouldBeTrue();

        await (await partner.Client.PatchJsonAsync($"/api/v2/telephony/connections/{first.Str("id")}", new { status = "ACTIVE", is_default = true })).ShouldBeSuccessAsync();
        now = (await (await partner.Client.GetAsync($"/api/v2/telephony/connections/{second.Str("id")}", Ct)).ShouldBeSuccessAsync())["connection"]!;
        now["is_default"]!.GetValue<bool>().ShouldBeFalse();

        var deleted = await (await partner.Client.DeleteAsync($"/api/v2/telephony/connections/{first.Str("id")}", Ct)).ShouldBeSuccessAsync();
        deleted.Str("message").ShouldBe("Connection deleted successfully");
        now = (await (await partner.Client.GetAsync($"/api/v2/telephony/connections/{second.Str("id")}", Ct)).ShouldBeSuccessAsync())["connection"]!;
        now["is_default"]!.GetValue<bool>().ShouldBeTrue();
        await (await partner.Client.GetAsync($"/api/v2/telephony/connections/{first.Str("id")}", Ct)).ShouldBeErrorAsync(404, "NOT_FOUND");
        var numbers = await (await partner.Client.GetAsync($"/api/v2/phone-numbers?connection_id={first.Str("id")}&limit=100", Ct)).ShouldBeSuccessAsync();
        numbers["total"]!.GetValue<int>().ShouldBe(0); // a deleted connection's numbers are no longer listed
    }

    [Fact]
    public async Task Rotating_the_secret_keeps_the_old_one_working_for_24h()
    {
        var partner = await factory.CreatePartnerAsync();
        var c = await CreateAsync(partner, SimulatedSmartflo.CredentialsConnection(_sim));
        var oldSecret = c["smartflo"]!.Str("resolver_url").Split("secret=")[1];
        var rotated = (await (await partner.Client.PatchJsonAsync($"/api/v2/telephony/connections/{c.Str("id")}", new { rotate_smartflo_secret = true })).ShouldBeSuccessAsync())["connection"]!;
        var newSecret = rotated["smartflo"]!.Str("resolver_url").Split("secret=")[1];
        newSecret.ShouldNotBe(oldSecret);
        var store = factory.Service<ConnectionStore>();
        (await store.FindBySecretAsync(newSecret, Ct))!.Id.ShouldBe(c.Str("id"));
        (await store.FindBySecretAsync(oldSecret, Ct))!.Id.ShouldBe(c.Str("id"));
        (await store.FindBySecretAsync("sfs_" + new string('x', 32), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Changing_the_password_is_verified_and_a_bad_one_keeps_the_old()
    {
        var partner = await factory.CreatePartnerAsync();
        var c = await CreateAsync(partner, SimulatedSmartflo.CredentialsConnection(_sim));
        await (await partner.Client.PatchJsonAsync($"/api/v2/telephony/connections/{c.Str("id")}", new { tata_password = "nope" }))
            .ShouldBeErrorAsync(422, "PROVIDER_CREDENTIALS_REJECTED");
        var secrets = await factory.Service<ConnectionStore>().GetSecretsAsync(c.Str("id"), Ct);
        secrets.Password.ShouldBe(SimulatedSmartflo.Password);
    }

    [Fact]
    public async Task Put_config_creates_then_updates_the_default_connection()
    {
        var partner = await factory.CreatePartnerAsync();
        var created = await (await partner.Client.PutJsonAsync("/api/v2/config/telephony/tata-smartflo", new
        {
            email = SimulatedSmartflo.Email, password = SimulatedSmartflo.Password, from_number = SimulatedSmartflo.SalesDid, base_url = _sim.BaseUrl + "/v1/",
        })).ShouldBeSuccessAsync();
        created.Str("message").ShouldBe("Tata Smartflo credentials updated successfully.");
        created.Str("base_url").ShouldBe(_sim.BaseUrl);
        created.Str("email").ShouldBe(SimulatedSmartflo.Email);

        var updated = await (await partner.Client.PutJsonAsync("/api/v2/config/telephony/tata-smartflo", new { agent_number = SimulatedSmartflo.AgentNumber })).ShouldBeSuccessAsync();
        updated.Str("connection_id").ShouldBe(created.Str("connection_id"));
        updated.Str("agent_number").ShouldBe(SimulatedSmartflo.AgentNumber);
        var c = (await (await partner.Client.GetAsync($"/api/v2/telephony/connections/{created.Str("connection_id")}", Ct)).ShouldBeSuccessAsync())["connection"]!;
        c.Str("name").ShouldBe("Tata Smartflo");
        c.Str("agent_number").ShouldBe(SimulatedSmartflo.AgentNumber);
        c["capabilities"]!.Str("outbound_mode").ShouldBe("agent_first");
    }

    [Fact]
    public async Task Secrets_never_in_clear_and_another_node_with_the_key_ring_decrypts_and_dials()
    {
        var partner = await factory.CreatePartnerAsync();
        var c = await CreateAsync(partner, SimulatedSmartflo.CredentialsConnection(_sim));
        var dump = await Partners.SecretsAtRestTests.DumpAsync(factory.Service<Storage.Database>());
        dump.ShouldNotContain(SimulatedSmartflo.Password);
        dump.ShouldNotContain(SimulatedSmartflo.ApiKey);
        dump.ShouldNotContain(c["smartflo"]!.Str("resolver_url").Split("secret=")[1]);
        dump.ShouldContain("<key id="); // the Data Protection key ring lives in the database
        factory.Logs.All.ShouldNotContain(SimulatedSmartflo.Password);

        // A second node: its own host and Data Protection stack, same database.
        await using var secondNode = new AwaazFactory();
        await secondNode.InitializeAsync();
        var sameDb = secondNode.With("ConnectionStrings:Awaaz", factory.Database.ConnectionString);
        var store = sameDb.Services.GetRequiredService<ConnectionStore>();
        var connection = (await store.GetAsync(partner.Partner.Id, c.Str("id"), Ct))!;
        var client = await sameDb.Services.GetRequiredService<SmartfloGateway>().ForConnectionAsync(connection, Ct);
        var dial = await client.ClickToCallSupportAsync(new ClickToCallSupportRequest { CustomerNumber = "+919800000001", CallerId = SimulatedSmartflo.SalesDid, CallTimeoutSeconds = 300, CustomIdentifier = Guid.NewGuid().ToString() }, Ct);
        dial.ShouldNotBeNull();
        _sim.Requests.Count(SmartfloRoute.ClickToCallSupport, 200).ShouldBe(1);
    }
}

/// <summary>Credentials saved by one node are decrypted and used by another server process sharing the database.</summary>
public sealed class SecondProcessTests : IClassFixture<SecondProcessTests.ApiOnlyFactory>
{
    public sealed class ApiOnlyFactory : AwaazFactory
    {
        public ApiOnlyFactory() => With("Awaaz:Dialer:Enabled", "false");
    }

    private readonly ApiOnlyFactory _factory;
    public SecondProcessTests(ApiOnlyFactory factory) => _factory = factory;

    [Fact]
    public async Task Another_process_with_the_same_key_ring_decrypts_the_credentials_and_dials()
    {
        await using var sim = await SimulatedSmartflo.StartAsync();
        var s = await CallScenario.CreateAsync(_factory, sim);
        var callId = (await (await s.StartAsync("+919800000071")).ShouldBeSuccessAsync(201)).Str("call_id");
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        (await s.GetCallAsync(callId)).Str("status").ShouldBe("pending"); // this node does not dial

        await using var dialer = AwaazProcess.Start(Directory.CreateTempSubdirectory("awaaz-dialer-").FullName, new Dictionary<string, string?>
        {
            ["ConnectionStrings__Awaaz"] = _factory.Database.ConnectionString,
            ["Awaaz__CreateDefaultPartner"] = "false",
            ["AWAAZ_ALLOW_INSECURE_PROVIDER_URLS"] = "true",
        });
        await dialer.WaitUntilReadyAsync();
        var ringing = await s.WaitForAsync(callId, c => c.Str("status") != "pending", 30);
        ringing.Str("status").ShouldBe("ringing");
        sim.Requests.Count(Awaaz.Smartflo.Simulator.Rest.SmartfloRoute.ClickToCallSupport, 200).ShouldBe(1); // the API key was decrypted by the other process
        sim.Calls.Get(callId).CustomIdentifier.ShouldBe(callId);
    }
}
