using System.CommandLine;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Rest;
using Awaaz.Smartflo.Simulator.Webhooks;
using Spectre.Console;

namespace Awaaz.Smartflo.Simulator.Cli;

/// <summary>The `awaaz-sim` command line: `serve` plus scenario commands against a running simulator.</summary>
public static class SimulatorCli
{
    private const string DefaultUrl = "http://127.0.0.1:8090";

    public static RootCommand Build(IAnsiConsole console)
    {
        var root = new RootCommand("Smartflo simulator for Awaaz: the Smartflo REST API, faults, panel webhooks, the media WebSocket caller and a load generator, with no Smartflo account.");
        root.Add(Serve(console));
        root.Add(Status(console));
        root.Add(Calls(console));
        root.Add(Call(console));
        root.Add(Inbound(console));
        root.Add(NextCall(console));
        root.Add(Fault(console));
        root.Add(Webhook(console));
        root.Add(Reset(console));
        root.Add(CallerCommands.Load(console));
        root.Add(CallerCommands.ResolverLoad(console));
        return root;
    }

    private static Option<string> UrlOption() => new("--url")
    {
        Description = "Base URL of a running simulator",
        DefaultValueFactory = _ => DefaultUrl,
    };

    // ---- serve ----

    private static Command Serve(IAnsiConsole console)
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (0: any free port)", DefaultValueFactory = _ => 8090 };
        var host = new Option<string>("--host") { Description = "IP address to bind", DefaultValueFactory = _ => "127.0.0.1" };
        var config = new Option<FileInfo>("--config") { Description = "JSON configuration (accounts, users, DIDs, API keys, webhooks)" };
        config.AcceptExistingOnly();
        var seed = new Option<int?>("--seed") { Description = "Seed for every random id (overrides the config file)" };
        var quiet = new Option<bool>("--quiet") { Description = "Do not print each request and webhook" };

        var command = new Command("serve", "Run the simulator until Ctrl+C") { port, host, config, seed, quiet };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(config);
            var simConfig = file is null ? new SimulatorConfig() : SimulatorConfig.Load(file.FullName);
            simConfig.Seed = parse.GetValue(seed) ?? simConfig.Seed;

            await using var sim = await SmartfloSimulator.StartAsync(
                simConfig,
                new SimulatorHostOptions { Host = parse.GetValue(host)!, Port = parse.GetValue(port) },
                cancellationToken);

            PrintServeSummary(console, sim, file);
            if (!parse.GetValue(quiet))
            {
                sim.Requests.Recorded += r => console.MarkupLine(
                    $"[grey]{r.At:HH:mm:ss}[/] {r.Method,-4} {Markup.Escape(r.Path + r.Query)} → {StatusMarkup(r.Status)}{(r.Fault is null ? "" : $" [yellow]({Markup.Escape(r.Fault)})[/]")}");
                sim.Calls.WebhookSent += (call, d) => console.MarkupLine(
                    $"[grey]{d.SentAt:HH:mm:ss}[/] webhook [blue]{d.Trigger}[/] {d.Method} {Markup.Escape(d.Url)} for {Markup.Escape(call.CallId)} → {(d.StatusCode is { } s ? StatusMarkup(s) : $"[red]{Markup.Escape(d.Error ?? "failed")}[/]")}");
            }

            try
            {
                await sim.WaitForShutdownAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: dispose below stops Kestrel.
            }

            console.MarkupLine("[grey]Simulator stopped.[/]");
            return 0;
        });
        return command;
    }

    private static void PrintServeSummary(IAnsiConsole console, SmartfloSimulator sim, FileInfo? file)
    {
        console.Write(new Rule("[green]Smartflo simulator[/]").LeftJustified());
        console.MarkupLine($"REST base URL  [bold]{Markup.Escape(sim.BaseUrl)}[/]   control [bold]{Markup.Escape(sim.BaseUrl)}/_sim/status[/]");
        console.MarkupLine($"Config         {Markup.Escape(file?.FullName ?? "(none: PUT /_sim/config to load accounts)")}   seed {sim.Seed}   token TTL {sim.TokenTtlSeconds}s");

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Account", "Login", "CPS", "DIDs", "API keys", "Webhooks");
        foreach (var account in sim.Accounts.All)
        {
            table.AddRow(
                Markup.Escape(account.Id),
                Markup.Escape(account.LoginId),
                account.CallsPerSecond?.ToString() ?? "∞",
                Markup.Escape(string.Join("\n", account.Dids.Select(d => d.Did))),
                Markup.Escape(string.Join("\n", account.ApiKeys.Select(k => k.Key))),
                Markup.Escape(string.Join("\n", account.Webhooks.Select(w => $"{w.Trigger.ToString().ToLowerInvariant()} ({w.Format.ToString().ToLowerInvariant()}) {w.Url}"))));
        }

        console.Write(table);
        console.MarkupLine("[grey]Ctrl+C to stop.[/]");
    }

    // ---- status, calls, reset ----

    private static Command Status(IAnsiConsole console)
    {
        var url = UrlOption();
        var command = new Command("status", "Show accounts, calls, request counts and active faults of a running simulator") { url };
        command.SetAction((parse, _) => Run(console, parse.GetValue(url)!, async client =>
        {
            var status = await client.GetAsync("_sim/status");
            console.MarkupLine($"Simulator [bold]{Markup.Escape(status["base_url"]?.ToString() ?? "")}[/]  seed {status["seed"]}  token TTL {status["token_ttl_seconds"]}s");

            var calls = new Table().Border(TableBorder.Rounded).Title("Calls").AddColumns("State", "Count");
            foreach (var (state, count) in status["calls"]!.AsObject())
            {
                calls.AddRow(state, count?.ToString() ?? "0");
            }

            var requests = new Table().Border(TableBorder.Rounded).Title("Requests").AddColumns("Route", "Count");
            foreach (var (route, count) in status["requests"]!.AsObject())
            {
                requests.AddRow(route, count?.ToString() ?? "0");
            }

            console.Write(new Columns(calls, requests));
            console.Write(new Panel(new Text(ActiveFaults(status["faults"]!.AsObject()))).Header("Faults").Border(BoxBorder.Rounded));
        }));
        return command;
    }

    /// <summary>Only the knobs that differ from a healthy Smartflo.</summary>
    private static string ActiveFaults(JsonObject faults)
    {
        var lines = new List<string>();
        if (faults["latency_ms"]?.GetValue<int>() is > 0 || faults["latency_jitter_ms"]?.GetValue<int>() is > 0)
        {
            lines.Add($"latency {faults["latency_ms"]} ms + jitter {faults["latency_jitter_ms"]} ms");
        }

        if (faults["calls_per_second"] is { } cps)
        {
            lines.Add($"CPS limit {cps}/s (429 beyond)");
        }

        if (faults["login_failure"]?.ToString() is { } login && login != "none")
        {
            lines.Add($"login failure: {login}");
        }

        foreach (var forced in faults["forced"]?.AsArray() ?? [])
        {
            lines.Add($"forced {forced!["status"]} on {forced["route"]} ({(forced["probability"] is { } p ? $"p={p}" : $"next {forced["count"]}")})");
        }

        return lines.Count == 0 ? "none" : string.Join("\n", lines);
    }

    private static Command Calls(IAnsiConsole console)
    {
        var url = UrlOption();
        var command = new Command("calls", "List simulated calls") { url };
        command.SetAction((parse, _) => Run(console, parse.GetValue(url)!, async client =>
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("call_id", "kind", "state", "customer", "DID", "ref_id", "custom_identifier", "webhooks");
            foreach (var call in (await client.GetAsync("_sim/calls")).AsArray())
            {
                table.AddRow(
                    Markup.Escape(call!["call_id"]!.ToString()),
                    call["kind"]!.ToString(),
                    call["state"]!.ToString(),
                    Markup.Escape(call["customer"]!["e164"]!.ToString()),
                    Markup.Escape(call["did"]!.ToString()),
                    Markup.Escape(call["ref_id"]!.ToString()),
                    Markup.Escape(call["custom_identifier"]?.ToString() ?? ""),
                    call["webhooks"]!.AsArray().Count.ToString());
            }

            console.Write(table);
        }));
        return command;
    }

    private static Command Reset(IAnsiConsole console)
    {
        var url = UrlOption();
        var command = new Command("reset", "Clear calls, tokens, requests and faults; reload the configuration") { url };
        command.SetAction((parse, _) => Run(console, parse.GetValue(url)!, async client =>
        {
            await client.PostAsync("_sim/reset");
            console.MarkupLine("[green]Simulator reset.[/]");
        }));
        return command;
    }

    // ---- far end ----

    private static Command Call(IAnsiConsole console)
    {
        var command = new Command("call", "Act as the far end of a call: answer, miss, hangup, dtmf");
        foreach (var action in new[] { "answer", "miss", "hangup", "dtmf" })
        {
            var id = new Argument<string>("call-id") { Description = "call_id, numeric core, uuid, ref_id or custom_identifier" };
            var url = UrlOption();
            var outcome = new Option<string>("--outcome") { Description = "Why the call is missed", DefaultValueFactory = _ => "no_answer" };
            outcome.AcceptOnlyFromAmong("no_answer", "busy", "reject", "invalid_number");
            var digits = new Option<string>("--digits") { Description = "Keys pressed (0-9, *, #)", DefaultValueFactory = _ => "1" };
            var sub = new Command(action, $"The far end does '{action}'") { id, url };
            if (action == "miss")
            {
                sub.Add(outcome);
            }

            if (action == "dtmf")
            {
                sub.Add(digits);
            }

            sub.SetAction((parse, _) => Run(console, parse.GetValue(url)!, async client =>
            {
                var path = $"_sim/calls/{Uri.EscapeDataString(parse.GetValue(id)!)}/{action}";
                JsonNode? body = action switch
                {
                    "miss" => new JsonObject { ["outcome"] = parse.GetValue(outcome) },
                    "dtmf" => new JsonObject { ["digits"] = parse.GetValue(digits) },
                    _ => null,
                };
                var call = await client.PostAsync(path, body);
                PrintCall(console, call);
            }));
            command.Add(sub);
        }

        CallerCommands.AddDirectCall(command, console);
        return command;
    }

    private static Command Inbound(IAnsiConsole console)
    {
        var url = UrlOption();
        var from = new Option<string>("--from") { Description = "Caller number", Required = true };
        var to = new Option<string>("--to") { Description = "DID of the account", Required = true };
        var account = new Option<string?>("--account") { Description = "Account id (default: the first)" };
        var command = new Command("inbound", "Start an inbound call to a DID (it rings until `call answer`)") { from, to, account, url };
        command.SetAction((parse, _) => Run(console, parse.GetValue(url)!, async client =>
        {
            var call = await client.PostAsync("_sim/inbound-calls", new JsonObject
            {
                ["from"] = parse.GetValue(from),
                ["to"] = parse.GetValue(to),
                ["account_id"] = parse.GetValue(account),
            });
            PrintCall(console, call);
        }));
        return command;
    }

    private static Command NextCall(IAnsiConsole console)
    {
        var url = UrlOption();
        var number = new Option<string?>("--number") { Description = "Customer number the script is for (default: the next call to any number)" };
        var outcome = new Option<string>("--outcome") { Description = "What the far end does", DefaultValueFactory = _ => "answer" };
        outcome.AcceptOnlyFromAmong("answer", "no_answer", "busy", "reject", "invalid_number");
        var answerAfter = new Option<int>("--answer-after-ms") { Description = "Ringing time before the outcome", DefaultValueFactory = _ => 2000 };
        var hangupAfter = new Option<int?>("--hangup-after-ms") { Description = "After answering, hang up this much later" };
        var dtmf = new Option<string?>("--dtmf") { Description = "Keys pressed after answering" };
        var dtmfAfter = new Option<int>("--dtmf-after-ms") { Description = "When the keys are pressed, after answering", DefaultValueFactory = _ => 1000 };
        var command = new Command("next-call", "Script the far end of the next outbound call") { number, outcome, answerAfter, hangupAfter, dtmf, dtmfAfter, url };
        command.SetAction((parse, _) => Run(console, parse.GetValue(url)!, async client =>
        {
            var pending = await client.PutAsync("_sim/next-call-script", new JsonObject
            {
                ["number"] = parse.GetValue(number),
                ["outcome"] = parse.GetValue(outcome),
                ["answer_after_ms"] = parse.GetValue(answerAfter),
                ["hangup_after_ms"] = parse.GetValue(hangupAfter),
                ["dtmf"] = parse.GetValue(dtmf),
                ["dtmf_after_ms"] = parse.GetValue(dtmfAfter),
            });
            console.MarkupLine($"[green]Scripted.[/] {pending.AsArray().Count} script(s) waiting for a dial.");
        }));
        return command;
    }

    private static void PrintCall(IAnsiConsole console, JsonNode call)
    {
        console.MarkupLine($"call [bold]{Markup.Escape(call["call_id"]!.ToString())}[/] is [bold]{call["state"]}[/]");
        foreach (var delivery in call["webhooks"]?.AsArray() ?? [])
        {
            console.MarkupLine($"  webhook {delivery!["trigger"]} {delivery["method"]} {Markup.Escape(delivery["url"]!.ToString())} → {Markup.Escape(delivery["status_code"]?.ToString() ?? delivery["error"]?.ToString() ?? "")}");
        }
    }

    // ---- faults ----

    private static Command Fault(IAnsiConsole console)
    {
        var command = new Command("fault", "Switch faults on a running simulator");

        var rate = new Option<int>("--rate") { Description = "Requests per second per account before 429", Required = true };
        command.Add(FaultCommand(console, "429", "Limit every account to N requests/s (429 + Retry-After beyond)", [rate],
            (parse, faults) => faults["calls_per_second"] = parse.GetValue(rate)));

        var count401 = new Option<int>("--count") { Description = "How many requests", DefaultValueFactory = _ => 1 };
        command.Add(FaultCommand(console, "401", "Answer the next N Bearer-authenticated requests with 401", [count401],
            (parse, faults) => AddForced(faults, 401, parse.GetValue(count401), "authenticated")));

        var count5xx = new Option<int>("--count") { Description = "How many requests", DefaultValueFactory = _ => 1 };
        var status = new Option<int>("--status") { Description = "500, 502, 503 or 504", DefaultValueFactory = _ => 500 };
        var route = new Option<string>("--route") { Description = "`*`, `authenticated` or a route such as click_to_call", DefaultValueFactory = _ => "*" };
        status.AcceptOnlyFromAmong("500", "502", "503", "504");
        command.Add(FaultCommand(console, "5xx", "Answer the next N requests with a server error", [count5xx, status, route],
            (parse, faults) => AddForced(faults, parse.GetValue(status), parse.GetValue(count5xx), parse.GetValue(route)!)));

        var ms = new Option<int>("--ms") { Description = "Fixed latency in ms", Required = true };
        var jitter = new Option<int>("--jitter") { Description = "Extra random latency up to this many ms", DefaultValueFactory = _ => 0 };
        command.Add(FaultCommand(console, "latency", "Delay every Smartflo response", [ms, jitter], (parse, faults) =>
        {
            faults["latency_ms"] = parse.GetValue(ms);
            faults["latency_jitter_ms"] = parse.GetValue(jitter);
        }));

        var mode = new Argument<string>("mode") { Description = "none, rejected200, rejected401, rate_limited or missing_access_token" };
        mode.AcceptOnlyFromAmong("none", "rejected200", "rejected401", "rate_limited", "missing_access_token");
        var login = new Command("login", "Make every login fail in one of the documented ways") { mode };
        var loginUrl = UrlOption();
        login.Add(loginUrl);
        login.SetAction((parse, _) => Run(console, parse.GetValue(loginUrl)!, async client =>
        {
            await client.ChangeFaultsAsync(f => f["login_failure"] = parse.GetValue(mode));
            console.MarkupLine($"[yellow]Logins now: {parse.GetValue(mode)}[/]");
        }));
        command.Add(login);

        var expireUrl = UrlOption();
        var expire = new Command("expire-tokens", "Revoke every token issued so far (next use → 401)") { expireUrl };
        expire.SetAction((parse, _) => Run(console, parse.GetValue(expireUrl)!, async client =>
        {
            var result = await client.PostAsync("_sim/faults/expire-tokens");
            console.MarkupLine($"[yellow]{result["revoked"]} token(s) revoked.[/]");
        }));
        command.Add(expire);

        var clearUrl = UrlOption();
        var clear = new Command("clear", "Back to a healthy Smartflo (all fault knobs off)") { clearUrl };
        clear.SetAction((parse, _) => Run(console, parse.GetValue(clearUrl)!, async client =>
        {
            await client.PutAsync("_sim/faults", new JsonObject());
            console.MarkupLine("[green]Faults cleared.[/]");
        }));
        command.Add(clear);
        return command;
    }

    private static Command FaultCommand(IAnsiConsole console, string name, string description, Option[] options, Action<ParseResult, JsonObject> change)
    {
        var url = UrlOption();
        var command = new Command(name, description) { url };
        foreach (var option in options)
        {
            command.Add(option);
        }

        command.SetAction((parse, _) => Run(console, parse.GetValue(url)!, async client =>
        {
            var faults = await client.ChangeFaultsAsync(f => change(parse, f));
            console.MarkupLine($"[yellow]Fault set.[/] Active: {Markup.Escape(ActiveFaults(faults.AsObject()).Replace("\n", "; "))}");
        }));
        return command;
    }

    private static void AddForced(JsonObject faults, int status, int count, string route)
    {
        var forced = faults["forced"] as JsonArray ?? [];
        forced.Add(new JsonObject { ["route"] = route, ["status"] = status, ["count"] = count });
        faults["forced"] = forced;
    }

    // ---- webhook (standalone) ----

    private static Command Webhook(IAnsiConsole console)
    {
        var command = new Command("webhook", "Send one panel webhook, shaped like Smartflo's, to any URL (no running simulator needed)");
        foreach (var trigger in Enum.GetValues<WebhookTrigger>())
        {
            command.Add(WebhookCommand(console, trigger));
        }

        return command;
    }

    private static Command WebhookCommand(IAnsiConsole console, WebhookTrigger trigger)
    {
        var toUrl = new Option<string>("--to-url") { Description = "Receiver URL, e.g. http://127.0.0.1:8080/api/tata/lifecycle?event=hangup", Required = true };
        var callId = new Option<string?>("--call-id") { Description = "Smartflo call_id (default: a new host-prefixed id)" };
        var format = new Option<WebhookFormat>("--format") { Description = "query (GET), json or form (POST)", DefaultValueFactory = _ => WebhookFormat.Json };
        var customer = new Option<string>("--customer") { Description = "Customer number", DefaultValueFactory = _ => "9876543210" };
        var did = new Option<string>("--did") { Description = "DID (caller id)", DefaultValueFactory = _ => "+918069000001" };
        var refId = new Option<string?>("--ref-id") { Description = "ref_id of a click_to_call_support call" };
        var customIdentifier = new Option<string?>("--custom-identifier") { Description = "custom_identifier echoed back (the Awaaz call id)" };
        var billsec = new Option<int>("--billsec") { Description = "Billable seconds of the call", DefaultValueFactory = _ => 42 };
        var ringSeconds = new Option<int>("--ring-seconds") { Description = "Seconds the customer's phone rang", DefaultValueFactory = _ => 8 };
        var digits = new Option<string>("--digits") { Description = "DTMF digit(s) pressed", DefaultValueFactory = _ => "1" };
        var kind = new Option<string>("--kind") { Description = "Call the webhook is about", DefaultValueFactory = _ => "click_to_call_support" };
        kind.AcceptOnlyFromAmong("click_to_call_support", "click_to_call", "inbound");

        var command = new Command(trigger.ToString().ToLowerInvariant(), $"Send a '{trigger.ToString().ToLowerInvariant()}' webhook")
        {
            toUrl, callId, format, customer, did, refId, customIdentifier, billsec, ringSeconds, digits, kind,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var number = PhoneNumber.TryParse(parse.GetValue(customer));
            if (number is null)
            {
                console.MarkupLine("[red]--customer must be 10-15 digits with optional +91/0.[/]");
                return 2;
            }

            var call = SyntheticCall.Create(new SyntheticCallOptions(
                trigger, Enum.Parse<CallKind>(parse.GetValue(kind)!.Replace("_", ""), ignoreCase: true), parse.GetValue(callId), number, parse.GetValue(did)!,
                parse.GetValue(refId), parse.GetValue(customIdentifier), parse.GetValue(billsec), parse.GetValue(ringSeconds),
                parse.GetValue(digits)!), TimeProvider.System.GetUtcNow());
            var payload = WebhookPayloads.Build(call, trigger, TimeProvider.System.GetUtcNow(), "https://cloudphone.tatateleservices.com", parse.GetValue(digits));

            using var sender = new WebhookSender();
            var delivery = await sender.SendAsync(new WebhookTarget(parse.GetValue(toUrl)!, parse.GetValue(format)), trigger, payload, TimeProvider.System.GetUtcNow(), cancellationToken);
            console.MarkupLine($"{delivery.Method} {Markup.Escape(delivery.Url)} ({delivery.Format}) for call [bold]{Markup.Escape(call.CallId)}[/]");
            console.Write(new Panel(new Text(payload.ToJsonString(SimJson.Options))).Header("payload"));
            if (delivery.StatusCode is { } code)
            {
                console.MarkupLine($"→ {StatusMarkup(code)} {Markup.Escape(delivery.ResponseBody ?? "")}");
                return code is >= 200 and < 300 ? 0 : 1;
            }

            console.MarkupLine($"[red]→ {Markup.Escape(delivery.Error ?? "failed")}[/]");
            return 1;
        });
        return command;
    }

    // ---- shared ----

    private static async Task<int> Run(IAnsiConsole console, string url, Func<SimControlClient, Task> action)
    {
        using var client = new SimControlClient(url);
        try
        {
            await action(client);
            return 0;
        }
        catch (SimControlException ex)
        {
            console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 1;
        }
        catch (HttpRequestException ex)
        {
            console.MarkupLine($"[red]Cannot reach the simulator at {Markup.Escape(url)}: {Markup.Escape(ex.Message)}[/]");
            return 1;
        }
    }

    private static string StatusMarkup(int status) => status switch
    {
        < 300 => $"[green]{status}[/]",
        < 500 => $"[yellow]{status}[/]",
        _ => $"[red]{status}[/]",
    };
}
