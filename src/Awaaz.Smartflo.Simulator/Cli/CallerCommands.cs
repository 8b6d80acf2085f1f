using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Load;
using Awaaz.Smartflo.Streaming;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Awaaz.Smartflo.Simulator.Cli;

/// <summary>`awaaz-sim call --to …` (one call played as Smartflo against a running Awaaz) and `awaaz-sim load`.</summary>
internal static partial class CallerCommands
{
    private const string DefaultResolverUrl = "http://127.0.0.1:8080/api/tata/resolve-wss";

    /// <summary>Exit codes: 0 clean, 1 the call failed or broke, 2 bad arguments, 3 the bot broke protocol rules.</summary>
    private const int Failed = 1, Usage = 2, ViolationsFound = 3;

    /// <summary>Gives the `call` command its own action: a direct call when `--to` is given (subcommands act on simulator calls).</summary>
    public static void AddDirectCall(Command call, IAnsiConsole console)
    {
        var to = new Option<string?>("--to") { Description = "Number called ($toNumber): for an inbound call, a DID of the Awaaz connection" };
        var from = new Option<string>("--from") { Description = "Caller number ($fromNumber)", DefaultValueFactory = _ => "9876543210" };
        var audio = new Option<FileInfo>("--audio") { Description = "Caller audio: WAV (PCM16 or µ-law, 8 kHz mono) or raw µ-law; default silence" };
        audio.AcceptExistingOnly();
        var resolverUrl = ResolverUrlOption();
        var method = MethodOption();
        var hangupAfter = new Option<string>("--hangup-after") { Description = "Caller hangs up this long after start (500ms, 10s, 2m)", DefaultValueFactory = _ => "30s" };
        var dtmf = new Option<string[]>("--dtmf") { Description = "Keys at an offset after start, e.g. 2s:1 or 4500ms:12# (repeatable)" };
        var frameMs = FrameMsOption();
        var direction = DirectionOption();
        var callId = new Option<string?>("--call-id") { Description = "Smartflo call id ($callId, callSid); default a new host-prefixed id" };
        var save = new Option<string?>("--save") { Description = "Where to save what the caller heard (µ-law WAV); default a temp file" };
        var lenient = new Option<bool>("--lenient") { Description = "Accept a resolver reply with extra keys, another key order or content type" };
        var deadline = new Option<int>("--deadline-ms") { Description = "Resolver deadline", DefaultValueFactory = _ => 2000 };
        foreach (var option in new Option[] { to, from, audio, resolverUrl, method, hangupAfter, dtmf, frameMs, direction, callId, save, lenient, deadline })
        {
            call.Add(option);
        }

        call.Description += ". With --to: place one call as Smartflo (resolver → WebSocket → caller audio) against a running Awaaz and print what happened";
        call.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(to) is not { Length: > 0 } number)
            {
                console.MarkupLine("[red]Give --to NUMBER to place a call, or a subcommand (answer, miss, hangup, dtmf).[/]");
                return Usage;
            }

            CallerOptions options;
            try
            {
                options = new CallerOptions
                {
                    ResolverUrl = parse.GetValue(resolverUrl)!,
                    Method = parse.GetValue(method),
                    ResolverDeadline = TimeSpan.FromMilliseconds(parse.GetValue(deadline)),
                    StrictResolverResponse = !parse.GetValue(lenient),
                    CallId = parse.GetValue(callId) ?? CallerOptions.NewCallId(),
                    From = parse.GetValue(from)!,
                    To = number,
                    Direction = parse.GetValue(direction),
                    Audio = parse.GetValue(audio) is { } file ? CallerAudio.FromFile(file.FullName) : CallerAudio.Silence,
                    FrameMs = parse.GetValue(frameMs),
                    HangupAfter = ParseDuration(parse.GetValue(hangupAfter)!),
                    Dtmf = (parse.GetValue(dtmf) ?? []).SelectMany(ParseDtmf).ToList(),
                };
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or IOException)
            {
                console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return Usage;
            }

            console.MarkupLine($"Calling [bold]{Markup.Escape(options.To)}[/] from {Markup.Escape(options.From)} as Smartflo call [bold]{Markup.Escape(options.CallId)}[/] " +
                               $"({Markup.Escape(options.Audio.Description)}, {options.Audio.Duration.TotalSeconds:0.0} s; hang up after {options.HangupAfter!.Value.TotalSeconds:0.#} s; Ctrl+C hangs up now)");
            var caller = SmartfloCaller.Start(options);
            await using var hangupOnCancel = cancellationToken.Register(() => _ = caller.HangUpAsync());
            var result = await caller.Completion;

            var path = parse.GetValue(save) ?? Path.Combine(Path.GetTempPath(), "awaaz-sim", $"heard-{result.StreamSid}.wav");
            if (result.Outcome == CallerOutcome.Streamed)
            {
                result.SaveHeardWav(path);
            }

            PrintCall(console, result, result.Outcome == CallerOutcome.Streamed ? Path.GetFullPath(path) : null);
            return result.Outcome != CallerOutcome.Streamed || result.EndReason is StreamEndReason.StreamLost ? Failed
                : result.ViolationCount > 0 ? ViolationsFound
                : 0;
        });
    }

    public static Command Load(IAnsiConsole console)
    {
        var calls = new Option<int>("--calls") { Description = "Concurrent calls in total (1–5000)", DefaultValueFactory = _ => 10 };
        var ramp = new Option<string>("--ramp") { Description = "Calls start evenly over this time", DefaultValueFactory = _ => "10s" };
        var duration = new Option<string>("--duration") { Description = "Each call streams this long, then hangs up", DefaultValueFactory = _ => "30s" };
        var resolverUrl = ResolverUrlOption();
        var method = MethodOption();
        var audio = new Option<FileInfo>("--audio") { Description = "What every caller says (WAV PCM16/µ-law 8 kHz mono or raw µ-law); default silence" };
        audio.AcceptExistingOnly();
        var frameMs = FrameMsOption();
        var to = new Option<string>("--to") { Description = "Number called: a DID of the Awaaz connection", DefaultValueFactory = _ => "8069000001" };
        var firstFrom = new Option<long>("--first-from") { Description = "Call i comes from this number + i", DefaultValueFactory = _ => 9_800_000_000 };
        var direction = DirectionOption();
        var gap = new Option<string>("--utterance-gap") { Description = "Silence that starts a new bot utterance", DefaultValueFactory = _ => "500ms" };
        var serverPid = new Option<int?>("--server-pid") { Description = "Sample this process's CPU and RSS from /proc" };
        var json = new Option<string?>("--json") { Description = "Also write the result as JSON to this file" };
        var conversation = new Option<DirectoryInfo?>("--conversation") { Description = "Callers talk with the bot, saying these utterances (*.wav, 8 kHz mono, in name order) in turn; replaces --audio" };
        conversation.AcceptExistingOnly();
        var bargeInEvery = new Option<int>("--barge-in-every") { Description = "With --conversation: every n-th utterance interrupts the bot's reply (0: never)", DefaultValueFactory = _ => 3 };
        var bargeInAfter = new Option<string>("--barge-in-after") { Description = "With --conversation: bot audio heard before interrupting", DefaultValueFactory = _ => "800ms" };
        var command = new Command("load", "Run N concurrent simulated Smartflo calls against a voice-bot server and measure playout lateness, underruns, mark round trips and violations")
        {
            calls, ramp, duration, resolverUrl, method, audio, frameMs, to, firstFrom, direction, gap, serverPid, json, conversation, bargeInEvery, bargeInAfter,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            LoadRun run;
            try
            {
                run = new LoadRun(new LoadOptions
                {
                    ResolverUrl = parse.GetValue(resolverUrl)!,
                    Calls = parse.GetValue(calls),
                    Ramp = ParseDuration(parse.GetValue(ramp)!),
                    Duration = ParseDuration(parse.GetValue(duration)!),
                    Method = parse.GetValue(method),
                    Audio = parse.GetValue(audio) is { } file ? CallerAudio.FromFile(file.FullName) : CallerAudio.Silence,
                    FrameMs = parse.GetValue(frameMs),
                    To = parse.GetValue(to)!,
                    FirstFrom = parse.GetValue(firstFrom),
                    Direction = parse.GetValue(direction),
                    UtteranceGap = ParseDuration(parse.GetValue(gap)!),
                    ServerPid = parse.GetValue(serverPid),
                    Conversation = parse.GetValue(conversation) is { } directory
                        ? new ConversationOptions
                        {
                            Utterances = [.. directory.GetFiles("*.wav").OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => CallerAudio.FromFile(f.FullName))],
                            BargeInEvery = parse.GetValue(bargeInEvery),
                            BargeInAfter = ParseDuration(parse.GetValue(bargeInAfter)!),
                        }
                        : null,
                });
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or IOException or ArgumentException)
            {
                console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return Usage;
            }

            var options = run.Options;
            console.MarkupLine($"Load: [bold]{options.Calls}[/] calls over {options.Ramp.TotalSeconds:0.#} s, {options.Duration.TotalSeconds:0.#} s each → {Markup.Escape(options.ResolverUrl)}");
            var running = run.RunAsync(cancellationToken);
            await ShowProgressAsync(console, run, running);
            LoadResult result;
            try
            {
                result = await running;
            }
            catch (OperationCanceledException)
            {
                console.MarkupLine("[yellow]Cancelled.[/]");
                return 130;
            }

            PrintLoad(console, result);
            if (parse.GetValue(json) is { } jsonPath)
            {
                await File.WriteAllTextAsync(jsonPath, result.ToJson(), CancellationToken.None);
                console.MarkupLine($"JSON written to [bold]{Markup.Escape(Path.GetFullPath(jsonPath))}[/]");
            }

            return result.Failed > 0 ? Failed : result.ViolationCount > 0 ? ViolationsFound : 0;
        });
        return command;
    }

    public static Command ResolverLoad(IAnsiConsole console)
    {
        var rate = new Option<double>("--rate") { Description = "Requests per second, open loop (1–20000)", DefaultValueFactory = _ => 100 };
        var duration = new Option<string>("--duration") { Description = "Requests are due during this time (≤ 10m)", DefaultValueFactory = _ => "10s" };
        var warmup = new Option<string>("--warmup") { Description = "Requests due before this are sent but left out of the figures", DefaultValueFactory = _ => "0s" };
        var resolverUrl = ResolverUrlOption();
        var method = MethodOption();
        var to = new Option<string>("--to") { Description = "$toNumber: an assigned DID creates inbound calls; an unknown number exercises the decline path", DefaultValueFactory = _ => "8000000000" };
        var firstFrom = new Option<long>("--first-from") { Description = "Request i comes from this number + i", DefaultValueFactory = _ => 9_700_000_000 };
        var deadline = new Option<int>("--deadline-ms") { Description = "A request without a complete answer by then is a timeout", DefaultValueFactory = _ => 2000 };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "Requests due while this many are unanswered are skipped (and count as failures)", DefaultValueFactory = _ => 2000 };
        var serverPid = new Option<int?>("--server-pid") { Description = "Sample this process's CPU and RSS from /proc" };
        var json = new Option<string?>("--json") { Description = "Also write the result as JSON to this file" };
        var command = new Command("resolver-load", "Call a Dynamic VOICE Bot resolver at a fixed rate (open loop, no coordinated omission) and report latency percentiles")
        {
            rate, duration, warmup, resolverUrl, method, to, firstFrom, deadline, maxInFlight, serverPid, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ResolverLoad run;
            try
            {
                run = new ResolverLoad(new ResolverLoadOptions
                {
                    ResolverUrl = parse.GetValue(resolverUrl)!,
                    Rate = parse.GetValue(rate),
                    Duration = ParseDuration(parse.GetValue(duration)!),
                    Warmup = ParseDuration(parse.GetValue(warmup)!),
                    Method = parse.GetValue(method),
                    To = parse.GetValue(to)!,
                    FirstFrom = parse.GetValue(firstFrom),
                    Deadline = TimeSpan.FromMilliseconds(parse.GetValue(deadline)),
                    MaxInFlight = parse.GetValue(maxInFlight),
                    ServerPid = parse.GetValue(serverPid),
                });
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return Usage;
            }

            var o = run.Options;
            console.MarkupLine($"Resolver load: [bold]{o.Rate:0.#}/s[/] for {o.Duration.TotalSeconds:0.#} s (warm-up {o.Warmup.TotalSeconds:0.#} s), to {Markup.Escape(o.To)} → {Markup.Escape(RedactSecret(o.ResolverUrl))}");
            var running = run.RunAsync(cancellationToken);
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(2000, CancellationToken.None));
                var (elapsed, sent, answered, inFlight) = run.Progress;
                if (!running.IsCompleted)
                {
                    console.MarkupLine($"[grey]{elapsed,6:0.0} s[/] sent {sent}, answered {answered}, in flight {inFlight}");
                }
            }

            ResolverLoadResult r;
            try
            {
                r = await running;
            }
            catch (OperationCanceledException)
            {
                console.MarkupLine("[yellow]Cancelled.[/]");
                return 130;
            }

            console.Write(new Rule("[bold]Resolver load result[/]").LeftJustified());
            console.MarkupLine($"{r.Due} requests due, {r.Measured} measured (after warm-up); sent at {r.AchievedSendRate:0.0}/s; max in flight {r.MaxInFlightSeen}; generator CPU {r.GeneratorCpuPercent:0}%");
            console.MarkupLine($"Verdicts: {string.Join(", ", r.Verdicts.Select(v => $"{v.Key} {v.Value}"))}; HTTP: {string.Join(", ", r.Statuses.Select(v => $"{v.Key} {v.Value}"))}");
            var table = new Table().Border(TableBorder.Rounded).AddColumns("ms", "count", "min", "mean", "p50", "p90", "p99", "p99.9", "max");
            foreach (var (name, d) in new[] { ("latency (due → answer)", r.LatencyMs), ("service (sent → answer)", r.ServiceMs), ("send lag (due → sent)", r.SendLagMs) })
            {
                table.AddRow(name, $"{d.Count}", F2(d.Min), F2(d.Mean), F2(d.P50), F2(d.P90), F2(d.P99), F2(d.P999), F2(d.Max));
            }

            console.Write(table);
            if (r.Server is { } server)
            {
                console.MarkupLine($"Server (pid {server.Pid}) CPU %: p50 {server.CpuPercent.P50:0} max {server.CpuPercent.Max:0}; RSS max {server.MaxRssMb:0.0} MB, last {server.LastRssMb:0.0} MB");
            }

            var seconds = new Table().Border(TableBorder.Rounded).Title("per second (by due time)").AddColumns("s", "due", "answered", "p50", "p99", "max");
            foreach (var s in r.PerSecond)
            {
                seconds.AddRow($"{s.Second}", $"{s.Due}", $"{s.Answered}", F2(s.P50), F2(s.P99), F2(s.Max));
            }

            console.Write(seconds);
            if (parse.GetValue(json) is { } jsonPath)
            {
                await File.WriteAllTextAsync(jsonPath, r.ToJson(), CancellationToken.None);
                console.MarkupLine($"JSON written to [bold]{Markup.Escape(Path.GetFullPath(jsonPath))}[/]");
            }

            return r.Failures > 0 ? Failed : 0;
        });
        return command;
    }

    private static string RedactSecret(string url) => SecretPattern().Replace(url, "secret=…");

    [GeneratedRegex(@"secret=[^&]*")]
    private static partial Regex SecretPattern();

    private static string F2(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>`10s`, `500ms`, `2m`, `1.5s`, or plain seconds.</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a duration (500ms, 10s, 2m).");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "m" => TimeSpan.FromMinutes(value),
            _ => TimeSpan.FromSeconds(value),
        };
    }

    /// <summary>`2s:1` → key 1 at 2 s; `2s:12#` → 1, 2, # at 2 s, 2.2 s, 2.4 s.</summary>
    internal static IEnumerable<DtmfPress> ParseDtmf(string text)
    {
        var separator = text.LastIndexOf(':');
        var digits = separator < 0 ? "" : text[(separator + 1)..];
        if (separator <= 0 || digits.Length == 0 || digits.Any(d => !char.IsAsciiDigit(d) && d is not '*' and not '#'))
        {
            throw new FormatException($"'{text}' is not OFFSET:DIGITS (e.g. 2s:1).");
        }

        var at = ParseDuration(text[..separator]);
        return digits.Select((digit, i) => new DtmfPress(at + TimeSpan.FromMilliseconds(200 * i), digit));
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m)?$")]
    private static partial Regex DurationPattern();

    private static Option<string> ResolverUrlOption() => new("--resolver-url")
    {
        Description = "Awaaz resolver URL with its secret, e.g. http://127.0.0.1:8080/api/tata/resolve-wss?secret=…",
        DefaultValueFactory = _ => DefaultResolverUrl,
    };

    private static Option<ResolverMethod> MethodOption() => new("--method")
    {
        Description = "post (JSON body, the default panel setup) or get (query string)",
        DefaultValueFactory = _ => ResolverMethod.Post,
    };

    private static Option<int> FrameMsOption() => new("--frame-ms")
    {
        Description = "Caller media cadence: 100 (800-byte frames) or 20 (160-byte frames)",
        DefaultValueFactory = _ => 100,
    };

    private static Option<CallDirection> DirectionOption() => new("--direction")
    {
        Description = "start.direction: inbound (a caller dials the DID) or outbound",
        DefaultValueFactory = _ => CallDirection.Inbound,
    };

    private static void PrintCall(IAnsiConsole console, CallerResult result, string? savedTo)
    {
        var resolver = result.Resolver;
        console.Write(new Rule($"[bold]Call {Markup.Escape(result.CallId)}[/]").LeftJustified());
        if (resolver is not null)
        {
            var verdict = resolver.Accepted ? "[green]accepted[/]" : $"[red]{Snake(resolver.Verdict)}[/]";
            console.MarkupLine($"Resolver     {resolver.Method} → {(resolver.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "no reply")} in [bold]{resolver.LatencyMs:0} ms[/]: {verdict}" +
                               $"{(resolver.WssUrl is null ? "" : " " + Markup.Escape(resolver.WssUrl))}{(resolver.Problem is null ? "" : " — " + Markup.Escape(resolver.Problem))}");
        }

        if (result.Outcome != CallerOutcome.Streamed)
        {
            console.MarkupLine($"[red]Call failed ({Snake(result.Outcome)}): {Markup.Escape(result.Failure ?? "")}[/]");
            return;
        }

        console.MarkupLine($"Stream       {Markup.Escape(result.StreamSid)}: {result.StreamMs / 1000:0.0} s, ended by [bold]{Snake(result.EndReason ?? StreamEndReason.Cancelled)}[/]" +
                           $"{(result.StopReason is null ? "" : $" (stop: {Markup.Escape(result.StopReason)})")}, close {result.CloseStatus?.ToString() ?? "none"}{(result.ClosedByBot ? " by the bot" : "")}");
        console.MarkupLine($"Sent         {result.CallerMediaFrames} media frames, DTMF {Markup.Escape($"[{string.Join(" ", result.DtmfSent)}]")}");
        var bot = result.Bot;
        console.MarkupLine($"Received     {bot.Frames} frames: {bot.Media} media ({bot.MediaBytes / 8000.0:0.00} s of audio), {bot.Marks} marks, {bot.Clears} clears, {bot.Ends} end; " +
                           $"first audio {(result.FirstBotAudioMs is { } first ? $"{first:0} ms after start" : "never")}");
        console.MarkupLine($"Heard        {result.HeardSeconds:0.00} s (bot audio played {result.PlayedBotBytes / 8000.0:0.00} s, discarded by clear {result.DiscardedBotBytes / 8000.0:0.00} s, unplayed at stop {result.UnplayedAtStopBytes / 8000.0:0.00} s)");
        if (savedTo is not null)
        {
            console.MarkupLine($"Saved        [bold]{Markup.Escape(savedTo)}[/]");
        }

        if (result.Marks.Count > 0)
        {
            var marks = new Table().Border(TableBorder.Rounded).Title("Marks").AddColumns("name", "echo", "round trip ms");
            foreach (var mark in result.Marks)
            {
                marks.AddRow(Markup.Escape(mark.Name), mark.Echo is { } echo ? Snake(echo) : "[yellow]not echoed[/]", mark.RoundTripMs is { } rtt ? rtt.ToString("0", CultureInfo.InvariantCulture) : "");
            }

            console.Write(marks);
        }

        foreach (var clear in result.Clears)
        {
            console.MarkupLine($"Clear        at {clear.AtMs:0} ms: {clear.DiscardedBytes / 8000.0:0.00} s discarded, flushed {Markup.Escape($"[{string.Join(", ", clear.FlushedMarks)}]")}");
        }

        if (result.ViolationCount == 0)
        {
            console.MarkupLine("Violations   [green]none[/]");
        }
        else
        {
            console.MarkupLine($"Violations   [red]{result.ViolationCount}[/]: {string.Join(", ", result.ViolationCounts.Select(v => $"{Snake(v.Key)} ×{v.Value}"))}");
            var table = new Table().Border(TableBorder.Rounded).AddColumns("ms", "kind", "detail");
            foreach (var violation in result.Violations.Take(20))
            {
                table.AddRow(violation.AtMs.ToString("0", CultureInfo.InvariantCulture), Snake(violation.Kind), Markup.Escape(violation.Detail));
            }

            console.Write(table);
        }
    }

    private static async Task ShowProgressAsync(IAnsiConsole console, LoadRun run, Task running)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Live(ProgressTable(run.Progress)).StartAsync(async live =>
            {
                while (!running.IsCompleted)
                {
                    await Task.WhenAny(running, Task.Delay(500));
                    live.UpdateTarget(ProgressTable(run.Progress));
                }
            });
            return;
        }

        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(2000));
            var p = run.Progress;
            console.MarkupLine($"[grey]{p.ElapsedSeconds,6:0.0} s[/] started {p.Started}, running {p.Running}, done {p.Finished}, failed {p.Failed}; " +
                               $"bot frames {p.BotMediaFrames}, marks {p.Marks}, violations {p.Violations}{ServerText(p.Server)}");
        }
    }

    private static IRenderable ProgressTable(LoadProgress p) =>
        new Table().Border(TableBorder.Rounded).Title("awaaz-sim load")
            .AddColumns("elapsed", "started", "running", "done", "failed", "bot frames", "marks", "violations", "server")
            .AddRow($"{p.ElapsedSeconds:0.0} s", $"{p.Started}", $"{p.Running}", $"{p.Finished}", p.Failed > 0 ? $"[red]{p.Failed}[/]" : "0",
                $"{p.BotMediaFrames}", $"{p.Marks}", p.Violations > 0 ? $"[red]{p.Violations}[/]" : "0", ServerText(p.Server).Trim(' ', ';'));

    private static string ServerText(ProcessSample? sample) =>
        sample is null ? "" : $"; server CPU {sample.CpuPercent:0}% RSS {sample.RssMb:0} MB";

    private static void PrintLoad(IAnsiConsole console, LoadResult r)
    {
        console.Write(new Rule("[bold]Load result[/]").LeftJustified());
        console.MarkupLine($"{r.Calls} calls in {r.ElapsedSeconds:0.0} s: [green]{r.Streamed} streamed[/] ({r.CompletedAsScripted} as scripted), {(r.Failed > 0 ? $"[red]{r.Failed} failed[/]" : "0 failed")}");
        console.MarkupLine($"Bot audio: {r.BotMediaFrames} frames in {r.Utterances} utterances, [bold]{r.Underruns} underruns[/]; marks {r.MarksEchoed}/{r.Marks} echoed; {r.Clears} clears");
        if (r.CallerTurns > 0)
        {
            console.MarkupLine($"Caller: {r.CallerTurns} utterances, {r.BargeIns} barge-ins ({r.BargeInsCleared} cleared), {r.ClearsOnOtherTurns} clears on other turns");
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("ms", "count", "min", "p50", "p95", "p99", "max");
        foreach (var (name, d) in new[]
                 {
                     ("resolver latency", r.ResolverLatencyMs), ("first audio after start", r.FirstAudioMs), ("playout lateness", r.LatenessMs),
                     ("underrun stall", r.UnderrunStallMs), ("mark round trip", r.MarkRoundTripMs),
                     ("barge-in onset → clear", r.BargeInMs), ("speech end → reply audio", r.ReplyMs),
                 })
        {
            table.AddRow(name, $"{d.Count}", F(d.Min), F(d.P50), F(d.P95), F(d.P99), F(d.Max));
        }

        if (r.Server is { } server)
        {
            var cpu = server.CpuPercent;
            table.AddRow($"server CPU % (pid {server.Pid})", $"{cpu.Count}", F(cpu.Min), F(cpu.P50), F(cpu.P95), F(cpu.P99), F(cpu.Max));
            console.Write(table);
            console.MarkupLine($"Server RSS: max {server.MaxRssMb:0.0} MB, last {server.LastRssMb:0.0} MB");
        }
        else
        {
            console.Write(table);
        }

        console.MarkupLine(r.ViolationCount == 0
            ? "Violations: [green]none[/]"
            : $"Violations: [red]{r.ViolationCount}[/] ({string.Join(", ", r.Violations.Select(v => $"{Snake(v.Key)} ×{v.Value}"))})");
        foreach (var (error, count) in r.Errors)
        {
            console.MarkupLine($"[red]{count} × {Markup.Escape(error)}[/]");
        }
    }

    private static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Snake<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
