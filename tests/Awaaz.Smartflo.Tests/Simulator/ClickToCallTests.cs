using System.Net;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Shouldly;
using Xunit;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class ClickToCallTests
{
    private static JsonObject SupportBody(Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["api_key"] = ApiKey,
            ["customer_number"] = "9876543210",
            ["caller_id"] = "918069000001",
            ["async"] = 1,
            ["customer_ring_timeout"] = 30,
            ["call_timeout"] = 630,
            ["custom_identifier"] = "c1234567-abcd-1234-abcd-123456789012",
        };
        change?.Invoke(body);
        return body;
    }

    private static JsonObject AgentFirstBody(Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["agent_number"] = AgentId,
            ["destination_number"] = "9876543210",
            ["caller_id"] = "918069000001",
            ["async"] = 1,
            ["get_call_id"] = 1,
            ["call_timeout"] = 630,
            ["custom_identifier"] = "c1234567-abcd-1234-abcd-123456789012",
        };
        change?.Invoke(body);
        return body;
    }

    [Fact]
    public async Task Support_dial_succeeds_with_ref_id_and_creates_a_ringing_call()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody());

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body["success"]!.GetValue<bool>().ShouldBeTrue();
        body["message"]!.GetValue<string>().ShouldBe("Call originated successfully");
        var refId = body["ref_id"]!.GetValue<string>();
        Guid.TryParse(refId, out _).ShouldBeTrue();

        var call = sim.Calls.Get(refId);
        call.State.ShouldBe(CallState.Ringing);
        call.Kind.ShouldBe(CallKind.ClickToCallSupport);
        call.CustomIdentifier.ShouldBe("c1234567-abcd-1234-abcd-123456789012");
        call.Customer.E164.ShouldBe("+919876543210");
        call.Did.ShouldBe(KeyDid);
        call.CustomerRingTimeout.ShouldBe(30);
        call.CallTimeout.ShouldBe(630);
        call.CallId.ShouldMatch(@"^h\d{1,2}\.08-\d{10}\.\d+$");
        call.Uuid.ShouldMatch("^[0-9a-f]{13}$");
        call.Timeline.Select(e => e.Name).ShouldBe(["initiated", "ringing"]);
    }

    [Fact]
    public async Task Support_dial_with_caller_id_not_on_the_key_is_422()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        // A DID of the account, but not attached to this API key.
        var (response, body) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["caller_id"] = OtherDid));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        body.ToJsonString().ShouldBe("""{"success":false,"message":"The caller id is not valid for this account."}""");
        sim.Calls.All.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("98765abc10")]
    [InlineData("+9198765432101234567")]
    [InlineData("")]
    public async Task Support_dial_with_a_bad_customer_number_is_400(string customer)
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["customer_number"] = customer));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        body["message"]!.GetValue<string>().ShouldBe("Invalid customer number");
    }

    [Theory]
    [InlineData("+919876543210")]
    [InlineData("09876543210")]
    [InlineData("919876543210")]
    [InlineData("14155551234")]
    public async Task Support_dial_accepts_customer_numbers_with_plus91_or_trunk_zero(string customer)
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, _) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["customer_number"] = customer));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        sim.Calls.All.Single().Customer.Raw.ShouldBe(customer);
    }

    [Fact]
    public async Task Async_must_be_1_and_accepts_the_string_form()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (zero, zeroBody) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["async"] = 0));
        var (missing, _) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b.Remove("async")));
        var (text, _) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["async"] = "1"));

        zero.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        zeroBody["success"]!.GetValue<bool>().ShouldBeFalse();
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        text.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(9, HttpStatusCode.BadRequest)]
    [InlineData(10, HttpStatusCode.OK)]
    [InlineData(30, HttpStatusCode.OK)]
    [InlineData(31, HttpStatusCode.BadRequest)]
    public async Task Customer_ring_timeout_must_be_10_to_30(int timeout, HttpStatusCode expected)
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, _) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["customer_ring_timeout"] = timeout));

        response.StatusCode.ShouldBe(expected);
    }

    [Fact]
    public async Task Support_dial_with_unknown_api_key_is_401()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, body) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["api_key"] = "not-a-key"));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        body.ToJsonString().ShouldBe("""{"success":false,"message":"Invalid API key"}""");
    }

    [Fact]
    public async Task Support_ref_id_can_be_switched_off()
    {
        await using var sim = await StartAsync();
        sim.Faults.Update(f => f.SupportReturnsRefId = false);
        using var http = Client(sim);

        var (_, body) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody());

        body.ToJsonString().ShouldBe("""{"success":true,"message":"Call originated successfully"}""");
        sim.Calls.All.Single().RefId.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Agent_first_dial_succeeds_and_records_the_agent()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var token = await http.LoginAsync();

        var (response, body) = await http.PostJsonAsync("v1/click_to_call", AgentFirstBody(), token);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.ToJsonString().ShouldBe("""{"success":true,"message":"Originate successfully queued"}""");
        var call = sim.Calls.All.Single();
        call.Kind.ShouldBe(CallKind.ClickToCall);
        call.AgentNumber.ShouldBe(AgentId);
        call.AgentName.ShouldBe("Voice Bot");
        call.RefId.ShouldBe("");
        call.State.ShouldBe(CallState.Ringing);
    }

    [Fact]
    public async Task Agent_first_dial_can_return_call_id_and_ref_id()
    {
        await using var sim = await StartAsync();
        sim.Faults.Update(f =>
        {
            f.ClickToCallReturnsCallId = true;
            f.ClickToCallReturnsRefId = true;
        });
        using var http = Client(sim);
        var token = await http.LoginAsync();

        var (_, body) = await http.PostJsonAsync("v1/click_to_call", AgentFirstBody(), token);

        var call = sim.Calls.All.Single();
        body["call_id"]!.GetValue<string>().ShouldBe(call.CallId);
        body["ref_id"]!.GetValue<string>().ShouldBe(call.RefId);
    }

    [Fact]
    public async Task Agent_first_dial_needs_a_token_and_a_valid_caller_id()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var token = await http.LoginAsync();

        var (noToken, _) = await http.PostJsonAsync("v1/click_to_call", AgentFirstBody());
        var (foreignDid, foreignBody) = await http.PostJsonAsync("v1/click_to_call", AgentFirstBody(b => b["caller_id"] = "918000000009"), token);
        var (badDestination, _) = await http.PostJsonAsync("v1/click_to_call", AgentFirstBody(b => b["destination_number"] = "98"), token);
        var (noAgent, _) = await http.PostJsonAsync("v1/click_to_call", AgentFirstBody(b => b.Remove("agent_number")), token);

        noToken.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        foreignDid.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        foreignBody["message"]!.GetValue<string>().ShouldContain("caller id");
        badDestination.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        noAgent.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        sim.Calls.All.ShouldBeEmpty();
    }

    [Fact]
    public async Task Caller_id_format_knob_rejects_other_formats_with_422()
    {
        await using var sim = await StartAsync();
        sim.Faults.Update(f => f.AcceptedCallerIdFormats = [CallerIdFormat.National]);
        using var http = Client(sim);

        var (cc, _) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["caller_id"] = "918069000001"));
        var (trunk, _) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["caller_id"] = "08069000001"));
        var (national, _) = await http.PostJsonAsync("v1/click_to_call_support", SupportBody(b => b["caller_id"] = "8069000001"));

        cc.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        trunk.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        national.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
