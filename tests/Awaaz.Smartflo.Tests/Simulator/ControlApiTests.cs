using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Rest;
using Shouldly;
using Xunit;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class ControlApiTests
{
    [Fact]
    public async Task Fifty_concurrent_requests_and_one_login_are_counted_exactly()
    {
        await using var sim = await StartAsync(TimeProvider.System);
        using var http = Client(sim);
        var token = await http.LoginAsync();

        var requests = Enumerable.Range(0, 50).Select(_ => http.GetJsonAsync("v1/my_number", token));
        var responses = await Task.WhenAll(requests);

        responses.ShouldAllBe(r => r.Response.StatusCode == HttpStatusCode.OK);
        sim.Requests.Count(SmartfloRoute.Login).ShouldBe(1);
        sim.Requests.Count(SmartfloRoute.MyNumber).ShouldBe(50);
        var (_, log) = await http.GetJsonAsync("_sim/requests");
        log["counts"]!["login"]!.GetValue<int>().ShouldBe(1);
        log["counts"]!["my_number"]!.GetValue<int>().ShouldBe(50);
    }

    [Fact]
    public async Task Request_log_redacts_secrets()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var token = await http.LoginAsync();
        await http.GetJsonAsync("v1/users", token);
        await http.DialSupportAsync();

        var (_, log) = await http.GetJsonAsync("_sim/requests");
        var requests = log["requests"]!.AsArray();

        var login = requests.Single(r => r!["route"]!.GetValue<string>() == "login")!;
        JsonNode.Parse(login["body"]!.GetValue<string>())!["password"]!.GetValue<string>().ShouldBe("***");
        var users = requests.Single(r => r!["route"]!.GetValue<string>() == "users")!;
        users["headers"]!["Authorization"]!.GetValue<string>().ShouldBe("Bearer ***");
        var dial = requests.Single(r => r!["route"]!.GetValue<string>() == "click_to_call_support")!;
        JsonNode.Parse(dial["body"]!.GetValue<string>())!["api_key"]!.GetValue<string>().ShouldBe("***");
        log.ToJsonString().ShouldNotContain(Password);
        log.ToJsonString().ShouldNotContain(token);
    }

    [Fact]
    public async Task Inbound_call_answer_dtmf_hangup_through_the_control_api()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (created, call) = await http.PostJsonAsync("_sim/inbound-calls", new { from = "9123456780", to = OtherDid });
        var id = call["call_id"]!.GetValue<string>();
        var (_, answered) = await http.PostJsonAsync($"_sim/calls/{id}/answer", new { });
        var (_, dtmf) = await http.PostJsonAsync($"_sim/calls/{id}/dtmf", new { digits = "42" });
        var (_, ended) = await http.PostJsonAsync($"_sim/calls/{id}/hangup", new { });
        var (again, _) = await http.PostJsonAsync($"_sim/calls/{id}/answer", new { });
        var (unknown, _) = await http.GetJsonAsync("_sim/calls/nope");

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        call["kind"]!.GetValue<string>().ShouldBe("inbound");
        call["state"]!.GetValue<string>().ShouldBe("ringing");
        answered["state"]!.GetValue<string>().ShouldBe("answered");
        dtmf["dtmf"]!.AsArray().Select(d => d!.GetValue<string>()).ShouldBe(["4", "2"]);
        ended["state"]!.GetValue<string>().ShouldBe("ended");
        ended["cause"]!["reason"]!.GetValue<string>().ShouldBe("Call Disconnected By Caller");
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Miss_with_an_outcome_through_the_control_api()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();

        var (_, missed) = await http.PostJsonAsync($"_sim/calls/{refId}/miss", new { outcome = "reject" });

        missed["state"]!.GetValue<string>().ShouldBe("ended");
        missed["cause"]!["key"]!.GetValue<string>().ShouldBe("CALL_REJECTED");
        missed["cause"]!["code"]!.GetValue<string>().ShouldBe("21");
    }

    [Fact]
    public async Task Put_config_replaces_accounts_and_reset_restores_the_loaded_config()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        await http.DialSupportAsync();

        using var put = await http.PutAsync("_sim/config", new StringContent("""
            {"token_ttl_seconds": 60, "accounts": [{"id": "777", "login_id": "other", "password": "pw",
             "dids": [{"id": "1", "did": "+918000000001"}]}]}
            """, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var (oldLogin, _) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = Password });
        var (newLogin, newBody) = await http.PostJsonAsync("v1/auth/login", new { email = "other", password = "pw" });
        sim.Accounts.AddDid("777", new DidConfig { Id = "2", Did = "+918000000002" });
        var (reset, _) = await http.PostJsonAsync("_sim/reset", new { });
        var (_, status) = await http.GetJsonAsync("_sim/status");

        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        sim.Calls.All.ShouldBeEmpty();
        oldLogin.StatusCode.ShouldBe(HttpStatusCode.OK);
        newLogin.StatusCode.ShouldBe(HttpStatusCode.OK);
        newBody["expires_in"]!.GetValue<int>().ShouldBe(60);
        reset.StatusCode.ShouldBe(HttpStatusCode.OK);
        status["accounts"]!.AsArray().Single()!["dids"]!.AsArray().Select(d => d!.GetValue<string>()).ShouldBe(["+918000000001"]);
        status["requests"]!.AsObject().Count.ShouldBe(0);
        status["token_ttl_seconds"]!.GetValue<int>().ShouldBe(60);
    }

    [Fact]
    public async Task Same_seed_gives_the_same_ids()
    {
        var ids = new List<(string CallId, string Uuid, string RefId)>();
        for (var run = 0; run < 2; run++)
        {
            await using var sim = await StartAsync(ManualClock.AtFixtureStart(), seed: 7);
            using var http = Client(sim);
            var call = sim.Calls.Get(await http.DialSupportAsync());
            ids.Add((call.CallId, call.Uuid, call.RefId));
        }

        ids[0].ShouldBe(ids[1]);
        ids[0].CallId.ShouldContain("-1770534293.");
        ids[0].Uuid.ShouldStartWith("69883595");
    }

    [Fact]
    public async Task Reset_replays_the_same_ids_from_the_seed()
    {
        await using var sim = await StartAsync(ManualClock.AtFixtureStart(), seed: 7);
        using var http = Client(sim);
        var before = sim.Calls.Get(await http.DialSupportAsync());

        sim.Reset();
        var after = sim.Calls.Get(await http.DialSupportAsync());

        (after.CallId, after.Uuid, after.RefId).ShouldBe((before.CallId, before.Uuid, before.RefId));
    }

    [Fact]
    public async Task Legacy_call_id_style_is_a_knob()
    {
        await using var sim = await StartAsync();
        sim.Faults.Update(f => f.CallIdStyle = Awaaz.Smartflo.Simulator.Calls.CallIdStyle.Legacy);
        using var http = Client(sim);

        var call = sim.Calls.Get(await http.DialSupportAsync());

        call.CallId.ShouldMatch(@"^1770534293\.\d{1,5}$");
        call.CoreCallId.ShouldBe(call.CallId);
    }

    [Fact]
    public async Task Example_config_file_loads_and_serves()
    {
        var path = Path.Combine(FixtureFiles.RepositoryRoot(), "src", "Awaaz.Smartflo.Simulator", "sim.example.json");
        var config = SimulatorConfig.Load(path);
        await using var sim = await SmartfloSimulator.StartAsync(config, new SimulatorHostOptions(), TestContext.Current.CancellationToken);
        using var http = Client(sim);

        var (login, _) = await http.PostJsonAsync("v1/auth/login", new { email = "ops@example.com", password = "panel-password" });
        var (_, numbers) = await http.GetJsonAsync("v1/my_number", "static-panel-token-288256");

        config.Accounts.Single().Webhooks.Count.ShouldBe(4);
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        numbers.AsArray().Count.ShouldBe(2);
        sim.Seed.ShouldBe(42);
    }
}
