using System.CommandLine;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Cli;
using Shouldly;
using Spectre.Console;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>`awaaz-sim call --to …` and `awaaz-sim load` against the fake bot.</summary>
public sealed class CallerCliTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 220;
        var exitCode = await SimulatorCli.Build(console).Parse(args).InvokeAsync(new InvocationConfiguration(), TestContext.Current.CancellationToken);
        return (exitCode, output.ToString());
    }

    private static string TempPath(string extension) => Path.Combine(Path.GetTempPath(), $"awaaz-cli-{Guid.NewGuid():N}{extension}");

    [Fact]
    public async Task Call_plays_smartflo_against_a_resolver_and_prints_a_summary()
    {
        await using var bot = await FakeBot.StartAsync(async s =>
        {
            await s.SendAudioAsync(1600, 0x11);
            await s.SendMarkAsync("t0.1");
        });
        var wav = CallerStreamTests.WritePcmWav(CallerStreamTests.Tone(1600));
        var save = TempPath(".wav");

        var (exit, output) = await RunAsync("call", "--to", "+918069000001", "--from", "9876543210", "--audio", wav,
            "--resolver-url", bot.ResolverUrl, "--hangup-after", "600ms", "--dtmf", "200ms:1", "--method", "get", "--save", save);
        var session = await bot.NextSessionAsync();

        exit.ShouldBe(0, output);
        output.ShouldContain("Resolver     GET → 200");
        output.ShouldContain("accepted");
        output.ShouldContain("ended by caller_hangup");
        output.ShouldContain("DTMF [1]");
        output.ShouldContain("1 marks");
        output.ShouldContain("Violations   none");
        output.ShouldContain(save);
        (await File.ReadAllBytesAsync(save, TestContext.Current.CancellationToken)).AsSpan(0, 4).SequenceEqual("RIFF"u8).ShouldBeTrue();
        bot.ResolverHits.Single().Query["toNumber"].ShouldBe("+918069000001");
        session.ReceivedEvents.ShouldContain("dtmf");
    }

    [Fact]
    public async Task Call_exits_1_when_the_resolver_declines_and_3_when_the_bot_breaks_rules()
    {
        await using var bot = await FakeBot.StartAsync(s =>
            s.SendTextAsync($$$"""{"event":"media","streamSid":"{{{s.StreamSid}}}","media":{"payload":"AAAA","chunk":1}}"""));

        var (violationExit, violationOutput) = await RunAsync("call", "--to", "8069000001", "--resolver-url", bot.ResolverUrl, "--hangup-after", "300ms", "--save", TempPath(".wav"));
        bot.Reply = ResolverReply.Decline;
        var (declineExit, declineOutput) = await RunAsync("call", "--to", "8069000001", "--resolver-url", bot.ResolverUrl);

        violationExit.ShouldBe(3, violationOutput);
        violationOutput.ShouldContain("payload_size");
        declineExit.ShouldBe(1);
        declineOutput.ShouldContain("declined");
        declineOutput.ShouldContain("Call failed (resolver_failed)");
    }

    [Fact]
    public async Task Call_without_a_number_or_with_a_bad_duration_is_a_usage_error()
    {
        (await RunAsync("call")).ExitCode.ShouldBe(2);
        (await RunAsync("call", "--to", "8069000001", "--hangup-after", "10x")).ExitCode.ShouldBe(2);
        (await RunAsync("call", "--to", "8069000001", "--dtmf", "2s")).ExitCode.ShouldBe(2);
    }

    [Fact]
    public async Task Load_runs_the_calls_prints_the_table_and_writes_json()
    {
        await using var bot = await FakeBot.StartAsync(async s =>
        {
            await s.SendAudioAsync(800, 0x11);
            await s.SendMarkAsync("t1.1");
        });
        var json = TempPath(".json");

        var (exit, output) = await RunAsync("load", "--calls", "3", "--ramp", "300ms", "--duration", "1s", "--resolver-url", bot.ResolverUrl,
            "--server-pid", Environment.ProcessId.ToString(), "--json", json);

        exit.ShouldBe(0, output);
        output.ShouldContain("3 calls in");
        output.ShouldContain("3 streamed");
        output.ShouldContain("playout lateness");
        output.ShouldContain("mark round trip");
        output.ShouldContain("Violations: none");
        var result = JsonNode.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken))!;
        result["calls"]!.GetValue<int>().ShouldBe(3);
        result["bot_media_frames"]!.GetValue<long>().ShouldBe(3);
        result["marks_echoed"]!.GetValue<int>().ShouldBe(3);
        result["lateness_ms"]!["count"]!.GetValue<int>().ShouldBe(3);
    }
}
