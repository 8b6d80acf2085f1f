using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Rest;
using Dapper;

namespace Awaaz.Server.Tests.Telephony;

public sealed class PhoneNumberApiTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private SmartfloSimulator _sim = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    private async Task<(TestPartner Partner, string ConnectionId)> PartnerWithConnectionAsync(object? body = null)
    {
        var partner = await factory.CreatePartnerAsync();
        var c = await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", body ?? SimulatedSmartflo.CredentialsConnection(_sim))).ShouldBeSuccessAsync(201);
        return (partner, c["connection"]!.Str("id"));
    }

    private static async Task<JsonNode> SyncAsync(TestPartner partner, string? connectionId = null) =>
        await (await partner.Client.PostJsonAsync("/api/v2/phone-numbers/sync", connectionId is null ? new { provider = "tata_smartflo" } : new { provider = "tata_smartflo", connection_id = connectionId })).ShouldBeSuccessAsync();

    [Fact]
    public async Task Sync_imports_numbers_idempotently_and_skips_unparseable_ones()
    {
        var (partner, connectionId) = await PartnerWithConnectionAsync();
        var first = await SyncAsync(partner);
        first.Str("connection_id").ShouldBe(connectionId);
        first["fetched"]!.GetValue<int>().ShouldBe(3);
        (first["imported"]!.GetValue<int>() + first["updated"]!.GetValue<int>() + first["unchanged"]!.GetValue<int>()).ShouldBe(2);
        first["skipped"]!.AsArray().Single()!.Str("reason").ShouldBe("unparseable number");

        var second = await SyncAsync(partner, connectionId);
        second["imported"]!.GetValue<int>().ShouldBe(0);
        second["updated"]!.GetValue<int>().ShouldBe(0);
        second["unchanged"]!.GetValue<int>().ShouldBe(2);

        var list = await (await partner.Client.GetAsync("/api/v2/phone-numbers?limit=100", Ct)).ShouldBeSuccessAsync();
        list["total"]!.GetValue<int>().ShouldBe(2);
        var sales = list["phone_numbers"]!.AsArray().Single(n => n!.Str("phone_number") == SimulatedSmartflo.SalesDid)!;
        sales["is_default"]!.GetValue<bool>().ShouldBeTrue();
        sales.Str("provider").ShouldBe("TATA_SMARTFLO");
        sales.Str("provider_number_id").ShouldBe("12345");
        sales.Str("provider_destination").ShouldBe("ivr||57000");
        sales.Str("friendly_name").ShouldBe("Main IVR");
        sales["last_synced_at"].ShouldNotBeNull();
        var bot = list["phone_numbers"]!.AsArray().Single(n => n!.Str("phone_number") == SimulatedSmartflo.BotDid)!;
        bot.Str("status").ShouldBe("ACTIVE");
        bot["is_default"]!.GetValue<bool>().ShouldBeFalse();
        bot["provider_missing"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task A_number_that_disappears_becomes_inactive_and_comes_back_when_it_reappears()
    {
        var (partner, _) = await PartnerWithConnectionAsync();
        await SyncAsync(partner);
        DidConfig? removed = null;
        _sim.Accounts.Change(SimulatedSmartflo.AccountId, a => { removed = a.Dids.Single(d => d.Id == "12346"); a.Dids.Remove(removed); });

        var sync = await SyncAsync(partner);
        sync["missing"]!.GetValue<int>().ShouldBe(1);
        var gone = await NumberAsync(partner, SimulatedSmartflo.BotDid);
        gone.Str("status").ShouldBe("INACTIVE");
        gone["provider_missing"]!.GetValue<bool>().ShouldBeTrue();
        (await SyncAsync(partner))["missing"]!.GetValue<int>().ShouldBe(0); // counted once

        _sim.Accounts.Change(SimulatedSmartflo.AccountId, a => a.Dids.Add(removed!));
        await SyncAsync(partner);
        var back = await NumberAsync(partner, SimulatedSmartflo.BotDid);
        back.Str("status").ShouldBe("ACTIVE");
        back["provider_missing"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Assign_rename_and_deactivate_a_number()
    {
        var (partner, _) = await PartnerWithConnectionAsync();
        await SyncAsync(partner);
        var bot = await NumberAsync(partner, SimulatedSmartflo.BotDid);
        var agentId = await InsertAgentAsync(partner.Partner.Id, "Inbound Riya");

        var updated = await (await partner.Client.PutJsonAsync($"/api/v2/phone-numbers/{bot.Str("id")}", new { agent_id = agentId, friendly_name = "Bot line" })).ShouldBeSuccessAsync();
        updated["agent"]!.Str("id").ShouldBe(agentId);
        updated["agent"]!.Str("name").ShouldBe("Inbound Riya");
        updated.Str("friendly_name").ShouldBe("Bot line");
        var filtered = await (await partner.Client.GetAsync($"/api/v2/phone-numbers?agent_id={agentId}", Ct)).ShouldBeSuccessAsync();
        filtered["total"]!.GetValue<int>().ShouldBe(1);

        updated = await (await partner.Client.PatchJsonAsync($"/api/v2/phone-numbers/{bot.Str("id")}", new { status = "INACTIVE" })).ShouldBeSuccessAsync();
        updated.Str("status").ShouldBe("INACTIVE");
        updated["agent"]!.Str("id").ShouldBe(agentId); // unchanged when not sent

        updated = await (await partner.Client.PatchJsonAsync($"/api/v2/phone-numbers/{bot.Str("id")}", new { agent_id = "" })).ShouldBeSuccessAsync();
        updated["agent"].ShouldBeNull();

        await (await partner.Client.PutJsonAsync($"/api/v2/phone-numbers/{bot.Str("id")}", new { agent_id = Guid.NewGuid() })).ShouldBeErrorAsync(404, "NOT_FOUND");
        var error = await (await partner.Client.PutJsonAsync($"/api/v2/phone-numbers/{bot.Str("id")}", new { status = "ON", friendly_name = new string('x', 201) })).ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        error["details"]!["fields"]!.AsArray().Select(f => f!.Str("field")).ShouldBe(["friendly_name", "status"], ignoreOrder: true);

        // Another partner can neither see nor change it, nor assign its own agent to it.
        var other = await factory.CreatePartnerAsync("other");
        await (await other.Client.PutJsonAsync($"/api/v2/phone-numbers/{bot.Str("id")}", new { friendly_name = "mine" })).ShouldBeErrorAsync(404, "NOT_FOUND");
        var foreignAgent = await InsertAgentAsync(other.Partner.Id, "Foreign");
        await (await partner.Client.PutJsonAsync($"/api/v2/phone-numbers/{bot.Str("id")}", new { agent_id = foreignAgent })).ShouldBeErrorAsync(404, "NOT_FOUND");
    }

    [Fact]
    public async Task Sync_needs_exactly_one_connection_and_rest_credentials()
    {
        var partner = await factory.CreatePartnerAsync();
        var none = await (await partner.Client.PostJsonAsync("/api/v2/phone-numbers/sync", new { provider = "tata_smartflo" })).ShouldBeErrorAsync(403, "PROVIDER_NOT_CONFIGURED");
        none.Str("message").ShouldBe("Tata Smartflo not configured");

        var apiKeyOnly = await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", new
        {
            provider = "tata_smartflo", name = "Key only", api_key = SimulatedSmartflo.ApiKey, from_number = SimulatedSmartflo.SalesDid, base_url = _sim.BaseUrl,
        })).ShouldBeSuccessAsync(201);
        apiKeyOnly["connection"]!.Str("auth_mode").ShouldBe("api_key_only");
        apiKeyOnly["connection"]!["health"]!.Str("auth_status").ShouldBe("not_applicable");
        var noRest = await (await partner.Client.PostJsonAsync("/api/v2/phone-numbers/sync", new { provider = "tata_smartflo" })).ShouldBeErrorAsync(403, "PROVIDER_NOT_CONFIGURED");
        noRest["details"]!.Str("missing").ShouldBe("rest_credentials");

        await (await partner.Client.PostJsonAsync("/api/v2/telephony/connections", SimulatedSmartflo.CredentialsConnection(_sim, name: "Second"))).ShouldBeSuccessAsync(201);
        var ambiguous = await (await partner.Client.PostJsonAsync("/api/v2/phone-numbers/sync", new { provider = "tata_smartflo" })).ShouldBeErrorAsync(409, "CONNECTION_AMBIGUOUS");
        ambiguous.Str("message").ShouldBe("Multiple active tata_smartflo connections; pass connection_id");
        ambiguous["details"]!["connection_ids"]!.AsArray().Count.ShouldBe(2);
    }

    [Fact]
    public async Task Smartflo_failure_during_sync_is_502()
    {
        var (partner, _) = await PartnerWithConnectionAsync();
        _sim.Faults.ForceServerErrors(10, 500, "my_number");
        var error = await (await partner.Client.PostJsonAsync("/api/v2/phone-numbers/sync", new { provider = "tata_smartflo" })).ShouldBeErrorAsync(502, "PROVIDER_ERROR");
        error.Str("message").ShouldBe("Tata SmartFlo API error: 500");
        _sim.Requests.Count(SmartfloRoute.MyNumber, 500).ShouldBeGreaterThanOrEqualTo(1);
    }

    private static async Task<JsonNode> NumberAsync(TestPartner partner, string number)
    {
        var list = await (await partner.Client.GetAsync("/api/v2/phone-numbers?limit=100", Ct)).ShouldBeSuccessAsync();
        return list["phone_numbers"]!.AsArray().Single(n => n!.Str("phone_number") == number)!;
    }

    /// <summary>An agent row as the agents API stores it (this test is about numbers, not agents).</summary>
    private async Task<string> InsertAgentAsync(string partnerId, string name)
    {
        var id = Guid.NewGuid().ToString("D");
        await using var db = await factory.Service<Storage.Database>().OpenAsync(Ct);
        await db.ExecuteAsync("INSERT INTO agents (id, partner_id, agent_name, agent_name_key, agent_type, document, created_at, updated_at) VALUES (@id, @partnerId, @name, @key, 'inbound', '{}', 0, 0)",
            new { id, partnerId, name, key = name.ToLowerInvariant() });
        return id;
    }
}
