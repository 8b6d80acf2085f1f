using System.Net.Http.Headers;

namespace Awaaz.Server.Tests.Telephony;

/// <summary>Single-tenant mode from TATA_* variables, exercised on the real executable.</summary>
public sealed class SelfHostedModeTests
{
    private const string BootstrapKey = "rg_live_SelfHostedBootstrapKey0000000001";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Env(TestDatabase db, string phone = "08069000001") => new()
    {
        ["ConnectionStrings__Awaaz"] = db.ConnectionString,
        ["TATA_API_TOKEN"] = "static-panel-token-288256",
        ["TATA_API_KEY"] = "3f2b8c1e-0000-4000-8000-000000000001",
        ["TATA_AGENT_NUMBER"] = "0502842370097",
        ["TATA_PHONE_NUMBER"] = phone,
        ["TATA_CALL_TIMEOUT"] = "240",
        ["TATA_RESOLVE_SECRET"] = "panel-resolve-secret-1",
        ["PUBLIC_URL"] = "https://awaaz.example.com",
        ["AWAAZ_BOOTSTRAP_API_KEY"] = BootstrapKey,
        ["AWAAZ_CONCURRENCY_LIMIT"] = "8",
    };

    [Fact]
    public async Task Env_variables_configure_the_partner_and_a_read_only_connection()
    {
        await using var db = await TestDatabase.CreateAsync();
        var dir = Directory.CreateTempSubdirectory("awaaz-env-").FullName;
        string connectionId;
        await using (var awaaz = AwaazProcess.Start(dir, Env(db)))
        {
            await awaaz.WaitUntilReadyAsync();
            using var http = new HttpClient { BaseAddress = awaaz.BaseUrl };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BootstrapKey);

            var config = await (await http.GetAsync("/api/v2/config", Ct)).ShouldBeSuccessAsync();
            config.Str("mode").ShouldBe("single_tenant");
            config.Str("name").ShouldBe("self-hosted");
            config["concurrency_limit"]!.GetValue<int>().ShouldBe(8);
            var tata = config["telephony"]!["tata_smartflo"]!;
            tata["configured"]!.GetValue<bool>().ShouldBeTrue();
            tata.Str("from_number").ShouldBe("+918069000001");
            connectionId = tata.Str("connection_id");

            var c = (await (await http.GetAsync($"/api/v2/telephony/connections/{connectionId}", Ct)).ShouldBeSuccessAsync())["connection"]!;
            c.Str("name").ShouldBe("env");
            c.Str("managed_by").ShouldBe("env");
            c.Str("auth_mode").ShouldBe("static_token");
            c.Str("auth_token").ShouldBe("stat****8256");
            c["capabilities"]!.Str("outbound_mode").ShouldBe("customer_first");
            c["smartflo"]!.Str("resolver_url").ShouldBe("https://awaaz.example.com/api/tata/resolve-wss?secret=panel-resolve-secret-1");

            var patch = await (await http.PatchAsync($"/api/v2/telephony/connections/{connectionId}", System.Net.Http.Json.JsonContent.Create(new { name = "renamed" }), Ct))
                .ShouldBeErrorAsync(409, "CONFLICT");
            patch["details"]!.Str("reason").ShouldBe("managed_by_env");
            patch.Str("message").ShouldBe("Connection is managed by environment variables");
            await (await http.DeleteAsync($"/api/v2/telephony/connections/{connectionId}", Ct)).ShouldBeErrorAsync(409, "CONFLICT");

            awaaz.Output.ShouldContain("Tata Telebusiness: configured (static token, customer-first, agent 0502…, DID +9180…)");
            awaaz.Output.ShouldNotContain("static-panel-token-288256");
            awaaz.Output.ShouldNotContain("3f2b8c1e-0000-4000-8000-000000000001");
            awaaz.Output.ShouldNotContain(BootstrapKey);
        }

        // A restart with a changed DID rebuilds the same connection.
        await using (var again = AwaazProcess.Start(dir, Env(db, phone: "+91 80710 00002")))
        {
            await again.WaitUntilReadyAsync();
            using var http = new HttpClient { BaseAddress = again.BaseUrl };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BootstrapKey);
            var tata = (await (await http.GetAsync("/api/v2/config", Ct)).ShouldBeSuccessAsync())["telephony"]!["tata_smartflo"]!;
            tata.Str("connection_id").ShouldBe(connectionId);
            tata.Str("from_number").ShouldBe("+918071000002");
            tata["connections"]!.GetValue<int>().ShouldBe(1);
        }
    }

    [Fact]
    public async Task Agent_first_without_agent_number_is_reported_at_start_up()
    {
        await using var db = await TestDatabase.CreateAsync();
        var env = Env(db);
        env["TATA_API_KEY"] = null;
        env["TATA_AGENT_NUMBER"] = null;
        await using var awaaz = AwaazProcess.Start(Directory.CreateTempSubdirectory("awaaz-env-").FullName, env);
        await awaaz.WaitUntilReadyAsync();
        awaaz.Output.ShouldContain("TATA_AGENT_NUMBER is required");
    }

    [Theory]
    [InlineData("12345", "TATA_PHONE_NUMBER: Invalid phone number. Use format +91XXXXXXXXXX")]
    [InlineData(null, "TATA_PHONE_NUMBER is required")]
    public async Task Invalid_configuration_stops_start_up_with_the_spec_message(string? phone, string message)
    {
        await using var db = await TestDatabase.CreateAsync();
        var env = Env(db);
        env["TATA_PHONE_NUMBER"] = phone;
        var (code, output) = await AwaazProcess.RunCliAsync(Directory.CreateTempSubdirectory("awaaz-env-").FullName, env);
        code.ShouldNotBe(0);
        output.ShouldContain(message);
    }
}
