using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Rest;

namespace Awaaz.Server.Tests.Calls;

public sealed class CallApiTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private SmartfloSimulator _sim = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task Customer_first_start_returns_pending_then_dials_once_with_custom_identifier()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        var started = await (await s.StartAsync()).ShouldBeSuccessAsync(201);
        started.Str("status").ShouldBe("pending");
        started.Str("from_number").ShouldBe(SimulatedSmartflo.SalesDid);
        started.Str("to_number").ShouldBe("+919800000001");
        started.Str("connection_id").ShouldBe(s.ConnectionId);
        var callId = started.Str("call_id");

        var ringing = await s.WaitForAsync(callId, c => c.Str("status") != "pending");
        ringing.Str("status").ShouldBe("ringing");
        ringing["ringing_at"].ShouldNotBeNull();
        ringing["telephony"]!.Str("ref_id").ShouldNotBeNullOrEmpty();
        ringing["variables"]!.Str("callee_name").ShouldBe("Asha");
        _sim.Requests.Count(SmartfloRoute.ClickToCallSupport).ShouldBe(1);
        var simCall = _sim.Calls.Get(callId);
        simCall.CustomIdentifier.ShouldBe(callId);
        simCall.RefId.ShouldBe(ringing["telephony"]!.Str("ref_id"));
    }

    [Fact]
    public async Task Agent_first_dials_click_to_call_with_the_agent_number()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, customerFirst: false);
        var callId = (await (await s.StartAsync()).ShouldBeSuccessAsync(201)).Str("call_id");
        var ringing = await s.WaitForAsync(callId, c => c.Str("status") != "pending");
        ringing.Str("status").ShouldBe("ringing");
        _sim.Requests.Count(SmartfloRoute.ClickToCall).ShouldBe(1);
        _sim.Calls.Get(callId).AgentNumber.ShouldBe(SimulatedSmartflo.AgentNumber);
    }

    [Fact]
    public async Task A_rejected_dial_makes_the_call_failed_with_smartflos_status()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        _sim.Faults.ForceStatus(422, 1, "click_to_call_support");
        var callId = (await (await s.StartAsync()).ShouldBeSuccessAsync(201)).Str("call_id");
        var failed = await s.WaitForAsync(callId, c => c.Str("status") != "pending");
        failed.Str("status").ShouldBe("failed");
        failed.Str("disposition").ShouldBe("failed");
        failed.Str("error_message").ShouldStartWith("Tata SmartFlo API error: 422");
        var listed = await (await s.Partner.Client.GetAsync("/api/v2/calls?status=failed", Ct)).ShouldBeSuccessAsync();
        listed["calls"]!.AsArray().Select(c => c!.Str("call_id")).ShouldContain(callId);
    }

    [Fact]
    public async Task Concurrency_admission_is_atomic()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, configure: p => p with { ConcurrencyLimit = 1, RateLimits = new(100, 100, 100) });
        var responses = await Task.WhenAll(s.StartAsync("+919800000011"), s.StartAsync("+919800000012"));
        responses.Count(r => (int)r.StatusCode == 201).ShouldBe(1);
        var limited = responses.Single(r => (int)r.StatusCode == 429);
        var error = await limited.ShouldBeErrorAsync(429, "CONCURRENCY_LIMIT_REACHED");
        error.Str("message").ShouldBe("Concurrent call limit reached");
        limited.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(10));
        var concurrency = await (await s.Partner.Client.GetAsync("/api/v2/calls/concurrency", Ct)).ShouldBeSuccessAsync();
        concurrency["limit"]!.GetValue<int>().ShouldBe(1);
        concurrency["active"]!.GetValue<int>().ShouldBe(1);
        concurrency["remaining"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task Second_active_call_to_the_same_number_is_409()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        await (await s.StartAsync("+919800000021")).ShouldBeSuccessAsync(201);
        var error = await (await s.StartAsync("+919800000021")).ShouldBeErrorAsync(409, "CONFLICT");
        error["details"]!.Str("reason").ShouldBe("active_call_to_number");
    }

    [Fact]
    public async Task Several_connections_without_connection_id_is_409_connection_ambiguous()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        var second = await (await s.Partner.Client.PostJsonAsync("/api/v2/telephony/connections", SimulatedSmartflo.CredentialsConnection(_sim, name: "Second"))).ShouldBeSuccessAsync(201);
        var error = await (await s.StartAsync()).ShouldBeErrorAsync(409, "CONNECTION_AMBIGUOUS");
        error.Str("message").ShouldBe("Multiple active tata_smartflo connections; pass connection_id");
        error["details"]!["connection_ids"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe([s.ConnectionId, second["connection"]!.Str("id")], ignoreOrder: true);
        await (await s.StartAsync(connectionId: s.ConnectionId)).ShouldBeSuccessAsync(201);
    }

    [Fact]
    public async Task Start_checks_in_the_documented_order()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        var error = await (await s.Partner.Client.PostJsonAsync("/api/v2/calls/start", new { agent_id = "nope", to_number = "9800000001", variables = new { bad_name_ = 1, _ok = new[] { 1 } } }))
            .ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        error["details"]!["fields"]!.AsArray().Select(f => f!.Str("field")).ShouldBe(["agent_id", "to_number", "variables._ok"], ignoreOrder: true);
        await (await s.Partner.Client.PostJsonAsync("/api/v2/calls/start", new { agent_id = Guid.NewGuid(), to_number = "+919800000001" })).ShouldBeErrorAsync(404, "NOT_FOUND");
        var provider = await (await s.Partner.Client.PostJsonAsync("/api/v2/calls/start", new { agent_id = s.AgentId, to_number = "+919800000001", provider = "twilio" }))
            .ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        provider.Str("message").ShouldBe("provider twilio is not supported by this server");

        var noConnection = await factory.CreatePartnerAsync("bare");
        var agent = await CallScenario.CreateAgentAsync(noConnection, "Bare agent");
        var notConfigured = await (await noConnection.Client.PostJsonAsync("/api/v2/calls/start", new { agent_id = agent, to_number = "+919800000001" }))
            .ShouldBeErrorAsync(403, "PROVIDER_NOT_CONFIGURED");
        notConfigured.Str("message").ShouldBe("Tata Smartflo not configured");

        var other = await factory.CreatePartnerAsync("other");
        await (await other.Client.PostJsonAsync("/api/v2/calls/start", new { agent_id = s.AgentId, to_number = "+919800000001" })).ShouldBeErrorAsync(404, "NOT_FOUND");
    }

    [Fact]
    public async Task Calls_are_private_to_their_partner_and_filterable()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        var callId = (await (await s.StartAsync()).ShouldBeSuccessAsync(201)).Str("call_id");
        var other = await factory.CreatePartnerAsync("other");
        await (await other.Client.GetAsync($"/api/v2/calls/{callId}", Ct)).ShouldBeErrorAsync(404, "NOT_FOUND");
        await (await other.Client.PostJsonAsync($"/api/v2/calls/{callId}/end", new { })).ShouldBeErrorAsync(404, "NOT_FOUND");
        (await (await other.Client.GetAsync("/api/v2/calls", Ct)).ShouldBeSuccessAsync())["total"]!.GetValue<int>().ShouldBe(0);

        var mine = await (await s.Partner.Client.GetAsync($"/api/v2/calls?agent_id={s.AgentId}&direction=outbound&status=PENDING,ringing", Ct)).ShouldBeSuccessAsync();
        mine["total"]!.GetValue<int>().ShouldBe(1);
        var byDirection = await (await s.Partner.Client.GetAsync("/api/v2/calls?direction=inbound", Ct)).ShouldBeSuccessAsync();
        byDirection["total"]!.GetValue<int>().ShouldBe(0);
        await (await s.Partner.Client.GetAsync("/api/v2/calls?status=done", Ct)).ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        var full = await s.GetCallAsync(callId);
        full["session"]!.Str("session_id").ShouldBe(full.Str("session_id"));
        (await s.GetCallAsync(full.Str("session_id"))).Str("call_id").ShouldBe(callId);
    }

    [Fact]
    public async Task Ending_a_ringing_call_cancels_it_and_hangs_up_at_smartflo()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        var callId = (await (await s.StartAsync()).ShouldBeSuccessAsync(201)).Str("call_id");
        await s.WaitForAsync(callId, c => c.Str("status") == "ringing");
        var ended = await (await s.Partner.Client.PostJsonAsync($"/api/v2/calls/{callId}/end", new { reason = "opted out" })).ShouldBeSuccessAsync();
        ended.Str("status").ShouldBe("canceled");
        ended.Str("message").ShouldBe("Call end requested");
        var call = await s.GetCallAsync(callId);
        call.Str("disposition").ShouldBe("canceled");
        call.Str("end_reason").ShouldBe("canceled");
        _sim.Requests.Count(SmartfloRoute.Hangup).ShouldBeGreaterThanOrEqualTo(1);
        var again = await (await s.Partner.Client.PostJsonAsync($"/api/v2/calls/{callId}/end", new { })).ShouldBeErrorAsync(409, "CONFLICT");
        again["details"]!.Str("reason").ShouldBe("call_already_ended");
    }

    [Fact]
    public async Task Webhooks_from_smartflo_drive_an_unanswered_call_to_no_answer()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        var connection = (await (await s.Partner.Client.GetAsync($"/api/v2/telephony/connections/{s.ConnectionId}", Ct)).ShouldBeSuccessAsync())["connection"]!;
        var lifecycle = connection["smartflo"]!.Str("lifecycle_url");
        lifecycle.ShouldStartWith(factory.BaseUrl); // derived from the request: PUBLIC_URL is not set in tests
        var callId = (await (await s.StartAsync()).ShouldBeSuccessAsync(201)).Str("call_id");
        await s.WaitForAsync(callId, c => c.Str("status") == "ringing");

        // Deliver Smartflo's missed/hangup webhooks to the in-memory server in each transport.
        var delivery = await _sim.Calls.EmitWebhookAsync(callId, Awaaz.Smartflo.Simulator.Configuration.WebhookTrigger.Hangup,
            new Awaaz.Smartflo.Simulator.Webhooks.WebhookTarget(lifecycle + "&event=hangup", Awaaz.Smartflo.Simulator.Configuration.WebhookFormat.Form), Ct);
        delivery.ShouldNotBeNull();
        var call = await s.WaitForAsync(callId, c => c.Str("status") != "ringing");
        call.Str("status").ShouldBe("no_answer");
        call.Str("answered_by").ShouldBe("not_answered");
    }
}
