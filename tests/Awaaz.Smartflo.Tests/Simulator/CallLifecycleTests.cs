using System.Net;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Shouldly;
using Xunit;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class CallLifecycleTests
{
    [Fact]
    public async Task Live_calls_show_a_ringing_then_answered_call()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var sim = await StartAsync(clock);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync("9876543210");
        var call = sim.Calls.Get(refId);

        var (_, ringing) = await http.GetJsonAsync("v1/live_calls", StaticToken);
        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(52));
        var (_, answered) = await http.GetJsonAsync("v1/live_calls", StaticToken);

        var entry = ringing.AsArray().Single()!;
        entry["call_id"]!.GetValue<string>().ShouldBe(call.CoreCallId);
        entry["direction"]!.GetValue<int>().ShouldBe(2);
        entry["state"]!.GetValue<string>().ShouldBe("Ringing");
        entry["did"]!.GetValue<string>().ShouldBe("+918069000001");
        entry["customer_number"]!.GetValue<string>().ShouldBe("09876543210");
        entry["destination"]!.GetValue<string>().ShouldBe("09876543210,9876543210");
        entry["created_at"]!.GetValue<string>().ShouldBe("2026-02-08 12:34:53");
        entry["call_time"]!.GetValue<string>().ShouldBe("00:00:00");
        answered.AsArray().Single()!["state"]!.GetValue<string>().ShouldBe("Answered");
        answered.AsArray().Single()!["call_time"]!.GetValue<string>().ShouldBe("00:00:52");
    }

    [Fact]
    public async Task Live_calls_filter_by_did_and_call_id()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var first = sim.Calls.Get(await http.DialSupportAsync("9876543210"));
        await http.DialSupportAsync("9876543211");
        var inbound = sim.Calls.StartInbound(AccountId, "9123456780", OtherDid);

        var (_, byDid) = await http.GetJsonAsync("v1/live_calls?did_number=%2B918071000002", StaticToken);
        var (_, byCallId) = await http.GetJsonAsync($"v1/live_calls?call_id={first.CallId}", StaticToken);

        byDid.AsArray().Single()!["call_id"]!.GetValue<string>().ShouldBe(inbound.CoreCallId);
        byDid.AsArray().Single()!["direction"]!.GetValue<int>().ShouldBe(1);
        byCallId.AsArray().Single()!["call_id"]!.GetValue<string>().ShouldBe(first.CoreCallId);
    }

    [Fact]
    public async Task Hangup_ends_the_call_and_removes_it_from_live_calls()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var token = await http.LoginAsync();
        var refId = await http.DialSupportAsync();
        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        var call = sim.Calls.Get(refId);

        var (before, beforeBody) = await http.GetJsonAsync("v1/live_calls", token);
        var (hangup, hangupBody) = await http.PostJsonAsync("v1/call/hangup", new { call_id = call.CallId }, token);
        var (_, afterBody) = await http.GetJsonAsync("v1/live_calls", token);
        var (again, againBody) = await http.PostJsonAsync("v1/call/hangup", new { call_id = call.CallId }, token);

        before.StatusCode.ShouldBe(HttpStatusCode.OK);
        beforeBody.AsArray().Count.ShouldBe(1);
        hangup.StatusCode.ShouldBe(HttpStatusCode.OK);
        hangupBody.ToJsonString().ShouldBe("""{"success":true,"message":"Call hangup request accepted"}""");
        afterBody.AsArray().ShouldBeEmpty();
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        againBody.ToJsonString().ShouldBe("""{"success":false,"message":"Call does not exist or is not active"}""");
        var ended = sim.Calls.Get(refId);
        ended.State.ShouldBe(CallState.Ended);
        ended.Cause!.Reason.ShouldBe("Call Disconnected By Agent");
    }

    [Fact]
    public async Task Hangup_accepts_numeric_core_and_ref_id_forms()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var byCore = sim.Calls.Get(await http.DialSupportAsync("9876543210"));
        var byRef = sim.Calls.Get(await http.DialSupportAsync("9876543211"));

        var (_, coreBody) = await http.PostJsonAsync("v1/call/hangup", new { call_id = byCore.CoreCallId }, StaticToken);
        var (_, refBody) = await http.PostJsonAsync("v1/call/hangup", new { call_id = byRef.RefId, ref_id = byRef.RefId }, StaticToken);

        coreBody["success"]!.GetValue<bool>().ShouldBeTrue();
        refBody["success"]!.GetValue<bool>().ShouldBeTrue();
        sim.Calls.Get(byCore.CallId).State.ShouldBe(CallState.Ended);
        sim.Calls.Get(byRef.CallId).State.ShouldBe(CallState.Ended);
        sim.Calls.Get(byRef.CallId).Cause!.Key.ShouldBe("ORIGINATOR_CANCEL");
    }

    [Fact]
    public async Task Hangup_id_forms_can_be_restricted_to_the_full_id()
    {
        await using var sim = await StartAsync();
        sim.Faults.Update(f =>
        {
            f.HangupIdForms.Core = false;
            f.HangupIdForms.RefId = false;
        });
        using var http = Client(sim);
        var call = sim.Calls.Get(await http.DialSupportAsync());

        var (_, core) = await http.PostJsonAsync("v1/call/hangup", new { call_id = call.CoreCallId }, StaticToken);
        var (_, refForm) = await http.PostJsonAsync("v1/call/hangup", new { call_id = call.RefId, ref_id = call.RefId }, StaticToken);
        var (_, full) = await http.PostJsonAsync("v1/call/hangup", new { call_id = call.CallId }, StaticToken);

        core["success"]!.GetValue<bool>().ShouldBeFalse();
        refForm["success"]!.GetValue<bool>().ShouldBeFalse();
        full["success"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task Dialer_disconnect_call_ends_the_call_like_hangup()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var call = sim.Calls.Get(await http.DialSupportAsync());

        var (response, body) = await http.PostJsonAsync("v1/dialer/disconnect_call", new { call_id = call.CallId }, StaticToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body["success"]!.GetValue<bool>().ShouldBeTrue();
        sim.Calls.Get(call.CallId).State.ShouldBe(CallState.Ended);
        sim.Requests.Count(Awaaz.Smartflo.Simulator.Rest.SmartfloRoute.DisconnectCall).ShouldBe(1);
    }

    [Fact]
    public async Task Hangup_without_call_id_is_400()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, _) = await http.PostJsonAsync("v1/call/hangup", new { }, StaticToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Call_records_page_newest_first_with_count_limit_size_page()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var sim = await StartAsync(clock);
        using var http = Client(sim);
        var callIds = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var refId = await http.DialSupportAsync($"987654321{i}");
            await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
            clock.Advance(TimeSpan.FromSeconds(10 + i));
            await sim.Calls.CallerHangupAsync(refId, TestContext.Current.CancellationToken);
            callIds.Add(sim.Calls.Get(refId).CallId);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var pages = new List<JsonNode>();
        for (var page = 1; page <= 3; page++)
        {
            var (_, body) = await http.GetJsonAsync($"v1/call/records?page={page}&limit=2", StaticToken);
            pages.Add(body);
        }

        pages.Select(p => p["size"]!.GetValue<int>()).ShouldBe([2, 2, 1]);
        pages.ShouldAllBe(p => p["count"]!.GetValue<int>() == 5 && p["limit"]!.GetValue<int>() == 2);
        pages.Select(p => p["page"]!.GetValue<int>()).ShouldBe([1, 2, 3]);
        var ordered = pages.SelectMany(p => p["results"]!.AsArray()).Select(r => r!["call_id"]!.GetValue<string>()).ToList();
        ordered.ShouldBe(Enumerable.Reverse(callIds).ToList());

        var newest = pages[0]["results"]![0]!;
        newest["status"]!.GetValue<string>().ShouldBe("answered");
        newest["answered_seconds"]!.GetValue<int>().ShouldBe(14);
        newest["call_duration"]!.GetValue<int>().ShouldBe(14);
        newest["client_number"]!.GetValue<string>().ShouldBe("9876543214");
        newest["did_number"]!.GetValue<string>().ShouldBe("+918069000001");
        newest["hangup_cause"]!.GetValue<string>().ShouldBe("NORMAL_CLEARING");
        newest["agent_ring_time"]!.GetValue<string>().ShouldBe("N.A.");
        newest["service"]!.GetValue<string>().ShouldBe("Click To Call Support");
        newest["date"]!.GetValue<string>().ShouldBe("2026-02-08");
        newest["time"]!.GetValue<string>().ShouldBe("12:39:39");
        newest["recording_url"]!.GetValue<string>().ShouldStartWith(sim.BaseUrl + "/file/recording?callId=");
    }

    [Fact]
    public async Task Call_records_filter_missed_calls_and_date_window()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var sim = await StartAsync(clock);
        using var http = Client(sim);
        var answered = await http.DialSupportAsync("9876543210");
        await sim.Calls.AnswerAsync(answered, TestContext.Current.CancellationToken);
        await sim.Calls.CallerHangupAsync(answered, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromHours(2));
        var missed = await http.DialSupportAsync("9876543211");
        clock.Advance(TimeSpan.FromSeconds(30));
        await sim.Calls.MissAsync(missed, MissOutcome.NoAnswer, TestContext.Current.CancellationToken);

        var (_, missedOnly) = await http.GetJsonAsync("v1/call/records?call_type=m", StaticToken);
        var (_, window) = await http.GetJsonAsync("v1/call/records?from_date=2026-02-08%2012:00:00&to_date=2026-02-08%2013:00:00", StaticToken);
        var (badDate, _) = await http.GetJsonAsync("v1/call/records?from_date=08/02/2026", StaticToken);

        var record = missedOnly["results"]!.AsArray().Single()!;
        record["status"]!.GetValue<string>().ShouldBe("missed");
        record["client_number"]!.GetValue<string>().ShouldBe("09876543211");
        record["hangup_cause"]!.GetValue<string>().ShouldBe("NO_ANSWER");
        record["reason"]!.GetValue<string>().ShouldBe("Customer did not answer");
        record["recording_url"].ShouldBeNull();
        record["call_duration"]!.GetValue<int>().ShouldBe(30);
        record["answered_seconds"]!.GetValue<int>().ShouldBe(0);
        window["results"]!.AsArray().Single()!["call_id"]!.GetValue<string>().ShouldBe(sim.Calls.Get(answered).CallId);
        badDate.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Transfer_with_type_4_as_string_and_intercom_array()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();
        var call = sim.Calls.Get(refId);

        var (ringing, ringingBody) = await http.PostJsonAsync("v1/call/options", new JsonObject { ["type"] = 4, ["call_id"] = call.CoreCallId, ["intercom"] = "9811111111" }, StaticToken);
        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        var (badType, _) = await http.PostJsonAsync("v1/call/options", new JsonObject { ["type"] = 7, ["call_id"] = call.CoreCallId, ["intercom"] = "9811111111" }, StaticToken);
        var (badIntercom, _) = await http.PostJsonAsync("v1/call/options", new JsonObject { ["type"] = 4, ["call_id"] = call.CoreCallId, ["intercom"] = "agent x" }, StaticToken);
        var (ok, okBody) = await http.PostJsonAsync("v1/call/options", new JsonObject { ["type"] = "4", ["call_id"] = call.CoreCallId, ["intercom"] = new JsonArray("9811111111") }, StaticToken);

        ringing.StatusCode.ShouldBe(HttpStatusCode.OK);
        ringingBody["success"]!.GetValue<bool>().ShouldBeFalse();
        badType.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badIntercom.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        okBody.ToJsonString().ShouldBe("""{"success":true,"message":"Call transferred successfully"}""");
        sim.Calls.Get(refId).TransferredTo.ShouldBe("9811111111");
    }

    [Fact]
    public async Task Recording_url_serves_a_mulaw_wav_of_the_billed_length()
    {
        var clock = ManualClock.AtFixtureStart();
        await using var sim = await StartAsync(clock);
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();
        await sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(3));
        await sim.Calls.CallerHangupAsync(refId, TestContext.Current.CancellationToken);
        var (_, records) = await http.GetJsonAsync("v1/call/records", StaticToken);
        var url = records["results"]![0]!["recording_url"]!.GetValue<string>();

        var wav = await http.GetByteArrayAsync(url, TestContext.Current.CancellationToken);
        using var wrongToken = await http.GetAsync(url[..url.LastIndexOf('=')] + "=nope", TestContext.Current.CancellationToken);

        System.Text.Encoding.ASCII.GetString(wav, 0, 4).ShouldBe("RIFF");
        BitConverter.ToInt16(wav, 20).ShouldBe((short)7);
        wav.Length.ShouldBe(46 + 3 * 8000);
        wrongToken.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Inbound_call_starts_ringing_on_a_did_of_the_account()
    {
        await using var sim = await StartAsync();

        var call = sim.Calls.StartInbound(AccountId, "9123456780", "+918071000002");

        call.Kind.ShouldBe(CallKind.Inbound);
        call.State.ShouldBe(CallState.Ringing);
        call.RefId.ShouldBe("");
        Should.Throw<ArgumentException>(() => sim.Calls.StartInbound(AccountId, "9123456780", "+918000000009"));
    }

    [Fact]
    public async Task Answering_an_ended_call_is_refused()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();
        await sim.Calls.MissAsync(refId, MissOutcome.Busy, TestContext.Current.CancellationToken);

        await Should.ThrowAsync<CallStateException>(() => sim.Calls.AnswerAsync(refId, TestContext.Current.CancellationToken));
        sim.Calls.Get(refId).Cause!.Key.ShouldBe("USER_BUSY");
    }
}
