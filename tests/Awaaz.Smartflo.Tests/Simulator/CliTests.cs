using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Cli;
using Awaaz.Smartflo.Simulator.Faults;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;
using Spectre.Console;
using Xunit;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class CliTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args) =>
        await RunAsync(TestContext.Current.CancellationToken, args);

    private static async Task<(int ExitCode, string Output)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        var exitCode = await SimulatorCli.Build(console).Parse(args).InvokeAsync(new InvocationConfiguration(), cancellationToken);
        return (exitCode, output.ToString());
    }

    [Fact]
    public async Task Fault_429_sets_the_calls_per_second_limit()
    {
        await using var sim = await StartAsync();

        var (exit, output) = await RunAsync("fault", "429", "--rate", "2", "--url", sim.BaseUrl);

        exit.ShouldBe(0);
        sim.Faults.Current.CallsPerSecond.ShouldBe(2);
        output.ShouldContain("CPS limit 2/s");
    }

    [Fact]
    public async Task Fault_401_5xx_latency_and_login_add_up_then_clear_resets()
    {
        await using var sim = await StartAsync();

        (await RunAsync("fault", "401", "--count", "3", "--url", sim.BaseUrl)).ExitCode.ShouldBe(0);
        (await RunAsync("fault", "5xx", "--count", "2", "--status", "502", "--route", "click_to_call", "--url", sim.BaseUrl)).ExitCode.ShouldBe(0);
        (await RunAsync("fault", "latency", "--ms", "20", "--jitter", "5", "--url", sim.BaseUrl)).ExitCode.ShouldBe(0);
        (await RunAsync("fault", "login", "rate_limited", "--url", sim.BaseUrl)).ExitCode.ShouldBe(0);
        var armed = sim.Faults.Current;
        var (clearExit, _) = await RunAsync("fault", "clear", "--url", sim.BaseUrl);

        armed.Forced.Select(f => (f.Route, f.Status, f.Count)).ShouldBe([("authenticated", 401, 3), ("click_to_call", 502, 2)]);
        armed.LatencyMs.ShouldBe(20);
        armed.LatencyJitterMs.ShouldBe(5);
        armed.LoginFailure.ShouldBe(LoginFailureMode.RateLimited);
        clearExit.ShouldBe(0);
        sim.Faults.Current.Forced.ShouldBeEmpty();
        sim.Faults.Current.LatencyMs.ShouldBe(0);
    }

    [Fact]
    public async Task Fault_5xx_rejects_a_non_server_status()
    {
        await using var sim = await StartAsync();

        var (exit, _) = await RunAsync("fault", "5xx", "--status", "404", "--url", sim.BaseUrl);

        exit.ShouldNotBe(0);
        sim.Faults.Current.Forced.ShouldBeEmpty();
    }

    [Fact]
    public async Task Fault_expire_tokens_revokes_issued_tokens()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var token = await http.LoginAsync();

        var (exit, output) = await RunAsync("fault", "expire-tokens", "--url", sim.BaseUrl);
        var (response, _) = await http.GetJsonAsync("v1/my_number", token);

        exit.ShouldBe(0);
        output.ShouldContain("2 token(s) revoked.");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Status_shows_calls_and_request_counts()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        await http.LoginAsync();
        await http.DialSupportAsync();
        sim.Faults.LimitCallsPerSecond(5);

        var (exit, output) = await RunAsync("status", "--url", sim.BaseUrl);

        exit.ShouldBe(0);
        output.ShouldContain(sim.BaseUrl);
        output.ShouldContain("click_to_call_support");
        output.ShouldContain("ringing");
        output.ShouldContain("CPS limit 5/s");
    }

    [Fact]
    public async Task Call_and_inbound_commands_drive_the_far_end()
    {
        await using var sim = await StartAsync();

        var (inboundExit, inboundOutput) = await RunAsync("inbound", "--from", "9123456780", "--to", OtherDid, "--url", sim.BaseUrl);
        var callId = sim.Calls.All.Single().CallId;
        var (answerExit, answerOutput) = await RunAsync("call", "answer", callId, "--url", sim.BaseUrl);
        var (dtmfExit, _) = await RunAsync("call", "dtmf", callId, "--digits", "9", "--url", sim.BaseUrl);
        var (hangupExit, _) = await RunAsync("call", "hangup", callId, "--url", sim.BaseUrl);
        var (listExit, listOutput) = await RunAsync("calls", "--url", sim.BaseUrl);

        inboundExit.ShouldBe(0);
        inboundOutput.ShouldContain($"call {callId} is ringing");
        answerExit.ShouldBe(0);
        answerOutput.ShouldContain($"call {callId} is answered");
        dtmfExit.ShouldBe(0);
        hangupExit.ShouldBe(0);
        listExit.ShouldBe(0);
        listOutput.ShouldContain(callId);
        var call = sim.Calls.Get(callId);
        call.State.ShouldBe(CallState.Ended);
        call.Dtmf.ShouldBe(["9"]);
    }

    [Fact]
    public async Task Call_miss_with_outcome()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);
        var refId = await http.DialSupportAsync();

        var (exit, _) = await RunAsync("call", "miss", refId, "--outcome", "busy", "--url", sim.BaseUrl);

        exit.ShouldBe(0);
        sim.Calls.Get(refId).Cause!.Key.ShouldBe("USER_BUSY");
    }

    [Fact]
    public async Task Next_call_queues_a_far_end_script()
    {
        await using var sim = await StartAsync();

        var (exit, output) = await RunAsync("next-call", "--number", "9876543210", "--outcome", "busy", "--answer-after-ms", "500", "--url", sim.BaseUrl);

        exit.ShouldBe(0);
        output.ShouldContain("1 script(s) waiting");
        var script = sim.Calls.PendingScripts.Single();
        script.Number.ShouldBe("9876543210");
        script.Outcome.ShouldBe(Awaaz.Smartflo.Simulator.Configuration.FarEndOutcome.Busy);
        script.AnswerAfterMs.ShouldBe(500);
        script.HangupAfterMs.ShouldBeNull();
    }

    [Fact]
    public async Task Webhook_hangup_form_reaches_the_receiver_with_the_given_call_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();

        var (exit, output) = await RunAsync(
            "webhook", "hangup", "--to-url", receiver.BaseUrl + "/api/tata/lifecycle?event=hangup",
            "--call-id", "h3.08-1770534283.2156835", "--format", "form", "--billsec", "6",
            "--custom-identifier", "3d5af0f4-bb88-312f-9ecd-a12583efd7f4");
        var received = await receiver.NextAsync();

        exit.ShouldBe(0);
        output.ShouldContain("200");
        received.Method.ShouldBe("POST");
        received.Query["event"].ShouldBe("hangup");
        var form = QueryHelpers.ParseQuery(received.Body);
        form["call_id"].ToString().ShouldBe("h3.08-1770534283.2156835");
        form["billsec"].ToString().ShouldBe("6");
        form["custom_identifier"].ToString().ShouldBe("3d5af0f4-bb88-312f-9ecd-a12583efd7f4");
        form["customer_no_with_prefix "].ToString().ShouldBe("+919876543210");
        form["status"].ToString().ShouldBe("answered");
    }

    [Fact]
    public async Task Webhook_answered_query_and_json_formats()
    {
        await using var receiver = await WebhookReceiver.StartAsync();

        var (queryExit, _) = await RunAsync("webhook", "answered", "--to-url", receiver.BaseUrl + "/hook", "--call-id", "h11.08-1770532638.2135633", "--format", "query");
        var query = await receiver.NextAsync();
        var (jsonExit, _) = await RunAsync("webhook", "answered", "--to-url", receiver.BaseUrl + "/hook", "--kind", "click_to_call", "--format", "json");
        var json = JsonNode.Parse((await receiver.NextAsync()).Body)!;

        queryExit.ShouldBe(0);
        query.Method.ShouldBe("GET");
        query.Query["call_id"].ShouldBe("h11.08-1770532638.2135633");
        query.Query["status"].ShouldBe("Answered by agent");
        jsonExit.ShouldBe(0);
        json["call_status"]!.GetValue<string>().ShouldBe("Answered by customer");
        json["answered_agent_number"]!["id"]!.GetValue<string>().ShouldBe("0502842370097");
    }

    [Fact]
    public async Task Unreachable_simulator_exits_with_1()
    {
        var port = FreePort();

        var (exit, output) = await RunAsync("status", "--url", $"http://127.0.0.1:{port}");

        exit.ShouldBe(1);
        output.ShouldContain("Cannot reach the simulator");
    }

    [Fact]
    public async Task Serve_runs_with_a_config_until_cancelled()
    {
        var port = FreePort();
        var config = Path.Combine(FixtureFiles.RepositoryRoot(), "src", "Awaaz.Smartflo.Simulator", "sim.example.json");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var serving = RunAsync(stop.Token, "serve", "--port", port.ToString(), "--config", config, "--quiet");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        JsonNode? status = null;
        for (var attempt = 0; attempt < 50 && status is null; attempt++)
        {
            try
            {
                status = JsonNode.Parse(await http.GetStringAsync("_sim/status", TestContext.Current.CancellationToken));
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        stop.Cancel();
        var (exit, output) = await serving.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        status.ShouldNotBeNull();
        status["seed"]!.GetValue<int>().ShouldBe(42);
        status["accounts"]![0]!["id"]!.GetValue<string>().ShouldBe("288256");
        exit.ShouldBe(0);
        output.ShouldContain($"http://127.0.0.1:{port}");
        output.ShouldContain("Simulator stopped.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
