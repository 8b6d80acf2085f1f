using System.Net;
using System.Text.Json;
using Awaaz.Smartflo.PhoneNumbers;
using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;
using static Awaaz.Smartflo.Tests.Rest.ClientTestKit;

namespace Awaaz.Smartflo.Tests.Rest;

/// <summary>How the client surfaces Smartflo's error bodies (spec §6.1) and what it sends, over an in-test handler.</summary>
public sealed class ClientErrorMappingTests
{
    private static readonly ClickToCallSupportRequest Dial = new()
    {
        CustomerNumber = "+91 98765-43210",
        CallTimeoutSeconds = 630,
        CustomIdentifier = "c1234567-abcd-1234-abcd-123456789012",
        CustomerRingTimeoutSeconds = 45,
    };

    [Fact]
    public async Task Click_to_call_support_success_reads_ref_id_and_sends_the_documented_body()
    {
        var handler = new StubHandler(_ => StubHandler.Json(HttpStatusCode.OK, Fixtures.Text("click-to-call-support-success.json")));
        using var client = Client(handler);

        var result = await client.ClickToCallSupportAsync(Dial, TestContext.Current.CancellationToken);

        result.RefId.ShouldBe("5c4113fa-538e-422b-8925-685bdc6915c0");
        result.Message.ShouldBe("Call originated successfully");
        result.CallerIdFormatUsed.ShouldBeNull();
        var sent = handler.Requests.ShouldHaveSingleItem();
        sent.PathAndQuery.ShouldBe("/v1/click_to_call_support");
        sent.Authorization.ShouldBeNull();
        sent.ContentType.ShouldBe("application/json");
        sent.UserAgent.ShouldNotBeNull().ShouldStartWith("Awaaz/");
        using var body = JsonDocument.Parse(sent.Body!);
        body.RootElement.GetProperty("api_key").GetString().ShouldBe(ApiKey);
        body.RootElement.GetProperty("customer_number").GetString().ShouldBe("9876543210");
        body.RootElement.GetProperty("async").GetInt32().ShouldBe(1);
        body.RootElement.GetProperty("customer_ring_timeout").GetInt32().ShouldBe(30);
        body.RootElement.GetProperty("call_timeout").GetInt32().ShouldBe(630);
        body.RootElement.TryGetProperty("caller_id", out _).ShouldBeFalse();
        sent.Body!.ShouldNotContain("null");
    }

    [Fact]
    public async Task E1_success_false_in_a_200_is_a_rejection_reading_200()
    {
        var handler = new StubHandler(_ => StubHandler.Json(HttpStatusCode.OK, """{"success":false,"message":"Customer number is in DND"}"""));
        using var client = Client(handler);

        var error = await Should.ThrowAsync<SmartfloException>(() => client.ClickToCallSupportAsync(Dial, TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Rejected);
        error.HttpStatus.ShouldBe(200);
        error.ProviderMessage.ShouldBe("Customer number is in DND");
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 200");
        error.IsAmbiguous.ShouldBeFalse();
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task E3_ok_false_on_transfer_is_a_rejection_and_is_not_retried()
    {
        var handler = new StubHandler(_ => StubHandler.Json(HttpStatusCode.OK, """{"ok":false,"message":"Transfer not allowed"}"""));
        using var client = Client(handler, o => new SmartfloClientOptions { BaseUrl = o.BaseUrl, AllowInsecureHttp = true, StaticToken = "panel-static-token-123456" });

        var error = await Should.ThrowAsync<SmartfloException>(() => client.TransferAsync(new TransferRequest { CallId = "1770534283.2156835", Intercom = "+919876543210" }, TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.Rejected);
        error.Endpoint.ShouldBe(SmartfloEndpoint.Transfer);
        error.ProviderMessage.ShouldBe("Transfer not allowed");
        var sent = handler.Requests.ShouldHaveSingleItem();
        sent.Authorization.ShouldBe("Bearer panel-static-token-123456");
        sent.Body.ShouldBe("""{"type":4,"call_id":"1770534283.2156835","intercom":"9876543210"}""");
    }

    [Fact]
    public async Task E4_caller_id_rejection_walks_the_fallback_forms_and_remembers_the_one_that_works()
    {
        var handler = new StubHandler(request =>
            request.PathAndQuery == "/v1/auth/login" ? LoginOk(Jwt("u1"))
            : request.Body!.Contains("\"caller_id\":\"8069123456\"")
                ? StubHandler.Json(HttpStatusCode.OK, """{"success":true,"message":"Originate successfully queued","data":{"call_id":"1770534283.2156835"}}""")
                : StubHandler.Json(HttpStatusCode.UnprocessableEntity, """{"message":"","errors":{"caller_id":["The caller id is not valid for this account."]}}"""));
        using var client = Client(handler);

        var result = await client.ClickToCallAsync(new ClickToCallRequest
        {
            AgentNumber = "0502842370097",
            DestinationNumber = "09876543210",
            CallerId = "+918069123456",
            CallTimeoutSeconds = 630,
            CustomIdentifier = "c1",
        }, TestContext.Current.CancellationToken);

        result.CallerIdFormatUsed.ShouldBe(CallerIdFormat.National);
        result.CallId.ShouldBe("1770534283.2156835");
        client.CallerIdFormat.ShouldBe(CallerIdFormat.National);
        handler.Requests.Where(r => r.PathAndQuery == "/v1/click_to_call").Select(r => JsonDocument.Parse(r.Body!).RootElement.GetProperty("caller_id").GetString())
            .ShouldBe(["918069123456", "8069123456"]);
    }

    [Fact]
    public async Task E4_caller_id_rejected_in_every_form_surfaces_the_422()
    {
        var handler = new StubHandler(request => request.PathAndQuery.StartsWith("/v1/auth")
            ? LoginOk(Jwt("u1"))
            : StubHandler.Json(HttpStatusCode.UnprocessableEntity, """{"success":false,"message":"Invalid caller id"}"""));
        using var client = Client(handler);

        var error = await Should.ThrowAsync<SmartfloException>(() => client.ClickToCallAsync(new ClickToCallRequest
        {
            AgentNumber = "0502842370097", DestinationNumber = "9876543210", CallerId = "918069123456", CallTimeoutSeconds = 60, CustomIdentifier = "c1",
        }, TestContext.Current.CancellationToken));

        error.HttpStatus.ShouldBe(422);
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 422");
        handler.Count("/v1/click_to_call").ShouldBe(3);
        client.CallerIdFormat.ShouldBe(CallerIdFormat.CountryCode);
    }

    [Fact]
    public async Task E6_gateway_html_on_a_dial_is_ambiguous_and_never_retried()
    {
        var handler = new StubHandler(_ => StubHandler.Text(HttpStatusCode.BadGateway, "<html><head><title>502 Bad Gateway</title></head></html>"));
        using var client = Client(handler);

        var error = await Should.ThrowAsync<SmartfloException>(() => client.ClickToCallSupportAsync(Dial, TestContext.Current.CancellationToken));

        error.Kind.ShouldBe(SmartfloErrorKind.ServerError);
        error.HttpStatus.ShouldBe(502);
        error.ProviderMessage.ShouldBe("<html><head><title>502 Bad Gateway</title></head></html>");
        error.IsAmbiguous.ShouldBeTrue();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 502");
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_dial_that_times_out_is_ambiguous_and_reads_timeout()
    {
        var handler = new StubHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return StubHandler.Json(HttpStatusCode.OK, "{}");
        });
        var time = new ManualTimeProvider();
        using var client = Client(handler, time: time);

        var pending = client.ClickToCallSupportAsync(Dial, TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<SmartfloException>(() => Pump(pending, time, TimeSpan.FromSeconds(1)));

        error.Kind.ShouldBe(SmartfloErrorKind.Timeout);
        error.HttpStatus.ShouldBe(0);
        error.IsAmbiguous.ShouldBeTrue();
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: timeout");
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task E7_login_rejection_fails_the_request_as_a_credential_failure()
    {
        var handler = new StubHandler(_ => StubHandler.Json(HttpStatusCode.OK, Fixtures.Text("login-failure.json")));
        using var client = Client(handler);

        var error = await Should.ThrowAsync<SmartfloException>(() => client.GetMyNumbersAsync(TestContext.Current.CancellationToken));

        error.Endpoint.ShouldBe(SmartfloEndpoint.Login);
        error.Kind.ShouldBe(SmartfloErrorKind.Auth);
        error.IsCredentialFailure.ShouldBeTrue();
        error.ProviderMessage.ShouldBe("The username or password is incorrect.");
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: 401");
        client.AuthHealth.Status.ShouldBe(SmartfloAuthStatus.Failed);
        client.AuthHealth.LastError.ShouldBe("The username or password is incorrect.");
        handler.Count("/v1/my_number").ShouldBe(0);
    }

    [Fact]
    public async Task A_login_answer_without_access_token_is_a_credential_failure()
    {
        var handler = new StubHandler(_ => StubHandler.Json(HttpStatusCode.OK, """{"success":true,"token_type":"bearer"}"""));
        using var client = Client(handler);

        var error = await Should.ThrowAsync<SmartfloException>(() => client.LoginAsync(TestContext.Current.CancellationToken));

        error.IsCredentialFailure.ShouldBeTrue();
        error.ProviderMessage.ShouldBe("login response carried no access_token");
    }

    [Fact]
    public async Task Hangup_walks_the_id_forms_and_reports_every_attempt()
    {
        var handler = new StubHandler(request => request.PathAndQuery switch
        {
            "/v1/auth/login" => LoginOk(Jwt("u1")),
            "/v1/call/hangup" when request.Body!.Contains("\"call_id\":\"1776875353.216650\"") =>
                StubHandler.Json(HttpStatusCode.OK, """{"success":true,"message":"Call hangup request accepted"}"""),
            "/v1/call/hangup" => StubHandler.Json(HttpStatusCode.BadRequest, """{"success":false,"message":"Call does not exist"}"""),
            _ => StubHandler.Json(HttpStatusCode.NotFound, "{}"),
        });
        using var client = Client(handler);

        var result = await client.HangupAsync(new HangupRequest { CallId = "h11.08-1776875353.216650", RefId = "5c4113fa-538e-422b-8925-685bdc6915c0" }, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(HangupOutcome.Accepted);
        result.AcceptedCallId.ShouldBe("1776875353.216650");
        result.Attempts.Select(a => a.Form).ShouldBe([HangupIdForm.FullCallId, HangupIdForm.NumericCore]);
        result.Attempts[0].Error!.ProviderMessage.ShouldBe("Call does not exist");
        result.Message.ShouldBe("Call hangup request accepted");
    }

    [Fact]
    public async Task Hangup_of_a_call_that_no_longer_exists_is_reported_as_not_active()
    {
        var handler = new StubHandler(request => request.PathAndQuery switch
        {
            "/v1/auth/login" => LoginOk(Jwt("u1")),
            _ => StubHandler.Json(HttpStatusCode.OK, """{"success":false,"message":"No active call found"}"""),
        });
        using var client = Client(handler);

        var result = await client.HangupAsync(new HangupRequest { CallId = "1739257917.28918", RefId = "5c4113fa-538e-422b-8925-685bdc6915c0" }, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(HangupOutcome.NotActive);
        result.Attempts.Select(a => a.Form).ShouldBe([HangupIdForm.FullCallId, HangupIdForm.RefId]);
        handler.Requests.Last().Body.ShouldBe("""{"call_id":"5c4113fa-538e-422b-8925-685bdc6915c0","ref_id":"5c4113fa-538e-422b-8925-685bdc6915c0"}""");
        result.LastError!.Kind.ShouldBe(SmartfloErrorKind.Rejected);
    }
}
