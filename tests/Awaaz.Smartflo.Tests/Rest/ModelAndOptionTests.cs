using System.Text.Json;
using Awaaz.Smartflo.PhoneNumbers;
using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Rest;

/// <summary>Success bodies mapped to typed records (spec §5.5–§5.8), base URLs (§2) and pure client rules.</summary>
public sealed class ModelAndOptionTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void My_number_fixture_maps_to_dids()
    {
        var dids = Json(Fixtures.Text("my_number.json")).EnumerateArray().Select(SmartfloDid.From).ToList();

        dids.Count.ShouldBe(2);
        dids[0].ShouldSatisfyAllConditions(
            d => d.Id.ShouldBe("12345"),
            d => d.Name.ShouldBe("Sales line"),
            d => d.Description.ShouldBeNull(),
            d => d.Alias.ShouldBe("8069XXXXXX"),
            d => d.Did.ShouldBe("+918069XXXXXX"),
            d => d.PhoneNumber.ShouldBeNull(),
            d => d.Destination.ShouldBe("ivr||57000"),
            d => d.DestinationName.ShouldBe("Main IVR"));
        dids[1].Destination.ShouldBeNull();
        dids[1].DestinationName.ShouldBeNull();
        dids[1].Did.ShouldBe("918071XXXXXX");

        var unredacted = Json(Fixtures.Text("my_number.json").Replace('X', '5')).EnumerateArray().Select(SmartfloDid.From).ToList();
        unredacted[0].PhoneNumber.ShouldBe("+918069555555");
        unredacted[1].PhoneNumber.ShouldBe("+918071555555");
        SmartfloDid.From(Json("""{"id":7,"did":"n/a","alias":"8069123456"}""")).ShouldSatisfyAllConditions(
            d => d.Id.ShouldBe("7"),
            d => d.PhoneNumber.ShouldBe("+918069123456"));
    }

    [Fact]
    public void Call_records_fixture_maps_answered_and_missed_cdrs()
    {
        var body = Json(Fixtures.Text("call-records.json"));
        var records = body.GetProperty("results").EnumerateArray().Select(SmartfloCallRecord.From).ToList();

        var answered = records[0];
        answered.CallId.ShouldBe("h3.08-1770534283.2156835");
        answered.Uuid.ShouldBe("6988359567e27");
        answered.Direction.ShouldBe(CallDirection.Outbound);
        answered.Status.ShouldBe("answered");
        answered.StartedAt.ShouldBe(new DateTimeOffset(2026, 2, 8, 7, 4, 53, TimeSpan.Zero));
        answered.EndedAt.ShouldBe(new DateTimeOffset(2026, 2, 8, 7, 4, 59, TimeSpan.Zero));
        answered.CallDurationSeconds.ShouldBe(6);
        answered.AnsweredSeconds.ShouldBe(6);
        answered.HangupCause.ShouldBe("NORMAL_CLEARING");
        answered.Reason.ShouldBe("Call Disconnected By Caller");
        answered.RecordingUrl.ShouldNotBeNull().ShouldStartWith("https://cloudphone.tatateleservices.com/file/recording?callId=h3.08");
        answered.Raw.GetProperty("agent_ring_time").GetString().ShouldBe("N.A.");
        answered.BlockedNumberId.ShouldBeNull();

        var missed = records[1];
        missed.CallId.ShouldBe("1739257917.28918");
        missed.Status.ShouldBe("missed");
        missed.AnsweredSeconds.ShouldBe(0);
        missed.HangupCause.ShouldBe("NO_ANSWER");
        missed.RecordingUrl.ShouldBeNull();
        missed.ClientNumber.ShouldBe("09XXXXXXXXX");
        missed.ClientNumberE164.ShouldBeNull();
        SmartfloCallRecord.From(Json("""{"client_number":"09876543210","did_number":"+918065123456","call_duration":"30"}""")).ShouldSatisfyAllConditions(
            r => r.ClientNumberE164.ShouldBe("+919876543210"),
            r => r.DidNumberE164.ShouldBe("+918065123456"),
            r => r.CallDurationSeconds.ShouldBe(30));
        new SmartfloCallRecordsPage(2, 20, 1, records).HasMore.ShouldBeFalse();
        new SmartfloCallRecordsPage(250, 100, 2, records).HasMore.ShouldBeTrue();
    }

    [Fact]
    public void Live_calls_match_by_did_and_customer_and_the_latest_wins()
    {
        var calls = Json("""
            [
              {"id":176363835,"call_id":"1715252026.405915","direction":2,"did":"+918065123456","destination":"09876512345,0987654321x","state":"Answered","created_at":"2024-05-09 16:23:46","customer_number":"09876512345"},
              {"id":176363836,"call_id":"1715252099.1","direction":"2","did":"8065123456","destination":"","state":"Ringing","created_at":"2024-05-09 16:25:00","customer_number":"+919876512345"},
              {"id":176363837,"call_id":"1715252100.1","direction":1,"did":"+918065999999","customer_number":"9876512345","created_at":"2024-05-09 16:26:00"}
            ]
            """).EnumerateArray().Select(SmartfloLiveCall.From).ToList();

        calls[0].Direction.ShouldBe(CallDirection.Outbound);
        calls[2].Direction.ShouldBe(CallDirection.Inbound);
        calls[0].CreatedAt.ShouldBe(new DateTimeOffset(2024, 5, 9, 10, 53, 46, TimeSpan.Zero));
        SmartfloLiveCall.FindMatch(calls, "+918065123456", "+919876512345")!.CallId.ShouldBe("1715252099.1");
        SmartfloLiveCall.FindMatch(calls, "+918065123456", "+910000000000").ShouldBeNull();
        calls[0].Matches("+918065123456", "9876512345").ShouldBeTrue();
    }

    [Fact]
    public void Users_match_the_agent_number_by_id_extension_or_follow_me_number()
    {
        var user = SmartfloUser.From(Json("""
            {"id":314678,"name":"Voice Bot","agent":{"id":"0502842370097","name":"Voice Bot","status":"0","follow_me_number":"+911123456789"},
             "login_id":"bot@example.com","user_role":{"id":54630,"name":"Agent"},"extension":null,"user_status":1}
            """));

        user.Id.ShouldBe("314678");
        user.Agent.ShouldBe(new SmartfloAgent("0502842370097", "Voice Bot", 0, "+911123456789"));
        user.RoleName.ShouldBe("Agent");
        user.Extension.ShouldBeNull();
        user.HasAgentNumber("0502842370097").ShouldBeTrue();
        user.HasAgentNumber("01123456789").ShouldBeTrue();
        user.HasAgentNumber("0502842370098").ShouldBeFalse();
        user.HasAgentNumber("").ShouldBeFalse();
    }

    [Theory]
    [InlineData("https://api-smartflo.tatateleservices.com", "https://api-smartflo.tatateleservices.com")]
    [InlineData(" https://api.acefone.in/v1/ ", "https://api.acefone.in")]
    [InlineData("https://api.servetel.in/", "https://api.servetel.in")]
    [InlineData("https://sim.local:8443/tenant/v1", "https://sim.local:8443/tenant")]
    public void Base_urls_are_normalised(string raw, string expected)
    {
        SmartfloBaseUrl.TryNormalize(raw, false, out var normalized, out var error).ShouldBeTrue(error);
        normalized.ShouldBe(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("api.acefone.in")]
    [InlineData("http://api.acefone.in")]
    [InlineData("ftp://api.acefone.in")]
    [InlineData("https://api.acefone.in/?x=1")]
    public void Bad_base_urls_are_refused_with_a_reason(string? raw)
    {
        SmartfloBaseUrl.TryNormalize(raw, false, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNullOrWhiteSpace();
        Should.Throw<ArgumentException>(() => new SmartfloClient(new HttpClient(), new SmartfloClientOptions { BaseUrl = raw! }));
    }

    [Fact]
    public void Plain_http_is_allowed_only_when_asked_for()
    {
        SmartfloBaseUrl.TryNormalize("http://127.0.0.1:5099", true, out var normalized, out _).ShouldBeTrue();
        normalized.ShouldBe("http://127.0.0.1:5099");
        using var client = new SmartfloClient(new HttpClient(), new SmartfloClientOptions { BaseUrl = SmartfloHosts.AcefoneUk });
        client.BaseUrl.ShouldBe("https://api-account-uk.acefone.com");
        client.AuthMode.ShouldBe(SmartfloAuthMode.ApiKeyOnly);
        client.AuthHealth.Status.ShouldBe(SmartfloAuthStatus.NotApplicable);
        client.HasRestAuth.ShouldBeFalse();
    }

    [Fact]
    public void Options_imply_the_auth_mode_and_never_print_secrets()
    {
        var options = new SmartfloClientOptions { Email = "ops", Password = "hunter2", ApiKey = "key-123" };
        options.AuthMode.ShouldBe(SmartfloAuthMode.Credentials);
        options.ToString()!.ShouldNotContain("hunter2");
        new SmartfloClientOptions { StaticToken = "t", Email = "ops", Password = "p" }.AuthMode.ShouldBe(SmartfloAuthMode.StaticToken);
        new SmartfloClientOptions { ApiKey = "k" }.AuthMode.ShouldBe(SmartfloAuthMode.ApiKeyOnly);
        new SmartfloClientOptions { Email = "ops" }.HasCredentials.ShouldBeFalse();
    }

    [Fact]
    public async Task Api_key_only_connections_cannot_call_bearer_routes()
    {
        using var client = new SmartfloClient(new HttpClient(new StubHandler(_ => ClientTestKit.EmptyList())),
            new SmartfloClientOptions { BaseUrl = "http://sim", AllowInsecureHttp = true, ApiKey = "k" });
        await Should.ThrowAsync<InvalidOperationException>(() => client.GetMyNumbersAsync(TestContext.Current.CancellationToken));
        await Should.ThrowAsync<InvalidOperationException>(() => client.HangupAsync(new HangupRequest { CallId = "1" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Dials_refuse_input_that_is_not_dialable_before_sending_anything()
    {
        var handler = new StubHandler(_ => ClientTestKit.EmptyList());
        using var client = ClientTestKit.Client(handler);
        var ct = TestContext.Current.CancellationToken;

        await Should.ThrowAsync<ArgumentException>(() => client.ClickToCallSupportAsync(
            new ClickToCallSupportRequest { CustomerNumber = "98XXXXXXXX", CallTimeoutSeconds = 60, CustomIdentifier = "c1" }, ct));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => client.ClickToCallAsync(
            new ClickToCallRequest { AgentNumber = "0502842370097", DestinationNumber = "9876543210", CallTimeoutSeconds = 0, CustomIdentifier = "c1" }, ct));
        await Should.ThrowAsync<ArgumentException>(() => client.GetCallRecordsAsync(
            new CallRecordsQuery { From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.UnixEpoch.AddDays(32) }, ct));
        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public void Caller_id_candidates_start_with_the_learned_form_and_skip_duplicates()
    {
        SmartfloClient.CallerIdCandidates("+918069123456", CallerIdFormat.National).Select(c => c.CallerId)
            .ShouldBe(["8069123456", "918069123456", "08069123456"]);
        SmartfloClient.CallerIdCandidates("+14155551234", CallerIdFormat.CountryCode).Select(c => c.CallerId).ShouldBe(["14155551234"]);
        SmartfloClient.CallerIdCandidates("0502842370097", CallerIdFormat.CountryCode).ShouldBe([((CallerIdFormat?)null, (string?)"0502842370097")]);
        SmartfloClient.CallerIdCandidates(null, CallerIdFormat.CountryCode).ShouldBeEmpty();
    }

    [Fact]
    public void Caller_id_fallback_triggers_only_on_rejections_mentioning_the_caller()
    {
        SmartfloClient.IsCallerIdRejection(new SmartfloException(SmartfloEndpoint.ClickToCall, SmartfloErrorKind.Rejected, 422, "Invalid Caller ID")).ShouldBeTrue();
        SmartfloClient.IsCallerIdRejection(new SmartfloException(SmartfloEndpoint.ClickToCall, SmartfloErrorKind.Rejected, 200, "caller_id not allowed")).ShouldBeTrue();
        SmartfloClient.IsCallerIdRejection(new SmartfloException(SmartfloEndpoint.ClickToCall, SmartfloErrorKind.Rejected, 422, "Agent busy")).ShouldBeFalse();
        SmartfloClient.IsCallerIdRejection(new SmartfloException(SmartfloEndpoint.ClickToCall, SmartfloErrorKind.ServerError, 502, "caller")).ShouldBeFalse();
    }

    [Fact]
    public void Hangup_id_forms_follow_the_spec_order()
    {
        HangupForms.Initial("h11.08-1776875353.216650").ShouldBe([(HangupIdForm.FullCallId, "h11.08-1776875353.216650"), (HangupIdForm.NumericCore, "1776875353.216650")]);
        HangupForms.Initial("1739257917.28918").ShouldBe([(HangupIdForm.FullCallId, "1739257917.28918")]);
        HangupForms.Initial(" ").ShouldBeEmpty();
        HangupForms.SaysNotActive("Call does not exist").ShouldBeTrue();
        HangupForms.SaysNotActive("No active call found for this id").ShouldBeTrue();
        HangupForms.SaysNotActive("Unauthorized").ShouldBeFalse();
    }
}
