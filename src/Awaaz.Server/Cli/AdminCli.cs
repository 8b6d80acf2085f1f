using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Awaaz.Server.Api;
using Awaaz.Server.Partners;
using Awaaz.Server.Storage;
using Spectre.Console;

namespace Awaaz.Server.Cli;

/// <summary>
/// Operator CLI in the server executable: <c>awaaz partners create|list|update</c>, <c>awaaz keys create|list|revoke</c>,
/// <c>awaaz migrate</c>. Uses the same configuration (<c>ConnectionStrings__Awaaz</c>) and validation as the admin API.
/// </summary>
public static class AdminCli
{
    private static readonly string[] Commands = ["partners", "keys", "migrate", "--help", "-h", "-?"];

    public static bool Handles(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Piped output (scripts, logs): wide, uncoloured tables so ids never wrap.
            AnsiConsole.Profile.Width = 240;
            AnsiConsole.Profile.Capabilities.ColorSystem = ColorSystem.NoColors;
            AnsiConsole.Profile.Capabilities.Ansi = false;
        }
        var root = new RootCommand("Awaaz: AI voice agents on Tata Smartflo. Run without arguments (or with `serve`) to start the server.");
        root.Subcommands.Add(PartnersCommand());
        root.Subcommands.Add(KeysCommand());
        var migrate = new Command("migrate", "Apply database migrations and exit");
        migrate.SetAction((_, ct) => WithServices(async (sp, ct2) =>
        {
            var applied = await sp.GetRequiredService<MigrationRunner>().ApplyAsync(ct2);
            AnsiConsole.MarkupLine(applied.Count == 0 ? "[green]Database is up to date.[/]" : $"[green]Applied:[/] {Markup.Escape(string.Join(", ", applied))}");
            return 0;
        }, ct));
        root.Subcommands.Add(migrate);
        return await root.Parse(args).InvokeAsync();
    }

    private static Command PartnersCommand()
    {
        var partners = new Command("partners", "Create, list and update partners");

        var name = new Option<string>("--name") { Description = "Unique name: ^[a-z0-9][a-z0-9-]{1,62}$", Required = true };
        var displayName = new Option<string>("--display-name") { Description = "Human-readable name" };
        var settings = PartnerSettingOptions();
        var withKey = new Option<bool>("--with-key") { Description = "Also issue an API key and print it once" };
        var create = new Command("create", "Create a partner") { name, displayName, withKey };
        foreach (var o in settings.All) create.Options.Add(o);
        create.SetAction((parse, ct) => WithServices(async (sp, ct2) =>
        {
            var store = sp.GetRequiredService<PartnerStore>();
            var partnerName = parse.GetRequiredValue(name);
            var body = settings.ToBody(parse);
            body["name"] = partnerName;
            var fields = RequestFields.For(JsonDocument.Parse(body.ToJsonString()).RootElement);
            var nameValue = fields.String("name", required: true, pattern: PartnerRules.NamePattern(), patternMessage: "must match ^[a-z0-9][a-z0-9-]{1,62}$");
            fields.ThrowIfInvalid();
            var partner = PartnerRules.Apply(store.NewPartner(nameValue.Value!, parse.GetValue(displayName) ?? partnerName), fields);
            fields.ThrowIfInvalid();
            partner = await store.CreateAsync(partner, ct2);
            AnsiConsole.MarkupLine($"[green]Created partner[/] [bold]{Markup.Escape(partner.Name)}[/] ({partner.Id})");
            PrintPartners([partner]);
            if (parse.GetValue(withKey)) PrintIssuedKey(await sp.GetRequiredService<ApiKeyStore>().IssueAsync(partner.Id, "cli", ct: ct2));
            return 0;
        }, ct));

        var list = new Command("list", "List partners");
        list.SetAction((_, ct) => WithServices(async (sp, ct2) =>
        {
            PrintPartners(await sp.GetRequiredService<PartnerStore>().ListAsync(ct2));
            return 0;
        }, ct));

        var target = new Argument<string>("partner") { Description = "Partner id or name" };
        var updateSettings = PartnerSettingOptions();
        var update = new Command("update", "Update a partner's status, limits or allow-lists") { target, displayName };
        foreach (var o in updateSettings.All) update.Options.Add(o);
        update.SetAction((parse, ct) => WithServices(async (sp, ct2) =>
        {
            var store = sp.GetRequiredService<PartnerStore>();
            var partner = await FindPartner(store, parse.GetRequiredValue(target), ct2);
            var body = updateSettings.ToBody(parse);
            if (parse.GetValue(displayName) is { } dn) body["display_name"] = dn;
            var fields = RequestFields.For(JsonDocument.Parse(body.ToJsonString()).RootElement);
            var updated = PartnerRules.Apply(partner, fields);
            fields.ThrowIfInvalid();
            updated = await store.UpdateAsync(updated, ct2);
            AnsiConsole.MarkupLine($"[green]Updated partner[/] [bold]{Markup.Escape(updated.Name)}[/]");
            PrintPartners([updated]);
            return 0;
        }, ct));

        partners.Subcommands.Add(create);
        partners.Subcommands.Add(list);
        partners.Subcommands.Add(update);
        return partners;
    }

    private static Command KeysCommand()
    {
        var keys = new Command("keys", "Issue, list and revoke API keys");
        var partner = new Option<string>("--partner") { Description = "Partner id or name", Required = true };
        var label = new Option<string?>("--label") { Description = "Label to recognise the key by" };

        var create = new Command("create", "Issue an API key (printed once)") { partner, label };
        create.SetAction((parse, ct) => WithServices(async (sp, ct2) =>
        {
            var p = await FindPartner(sp.GetRequiredService<PartnerStore>(), parse.GetRequiredValue(partner), ct2);
            PrintIssuedKey(await sp.GetRequiredService<ApiKeyStore>().IssueAsync(p.Id, parse.GetValue(label), ct: ct2));
            return 0;
        }, ct));

        var list = new Command("list", "List a partner's keys (never the secret)") { partner };
        list.SetAction((parse, ct) => WithServices(async (sp, ct2) =>
        {
            var p = await FindPartner(sp.GetRequiredService<PartnerStore>(), parse.GetRequiredValue(partner), ct2);
            var table = new Table().AddColumns("id", "key", "label", "created", "last used", "revoked");
            foreach (var k in await sp.GetRequiredService<ApiKeyStore>().ListAsync(p.Id, ct2))
                table.AddRow(k.Id, $"{k.Prefix}…{k.Last4}", Markup.Escape(k.Label ?? ""), ApiJson.Timestamp(k.CreatedAt),
                    k.LastUsedAt is { } u ? ApiJson.Timestamp(u) : "-", k.RevokedAt is { } r ? $"[red]{ApiJson.Timestamp(r)}[/]" : "-");
            AnsiConsole.Write(table);
            return 0;
        }, ct));

        var keyId = new Argument<string>("key-id") { Description = "Key id (from `awaaz keys list`)" };
        var revoke = new Command("revoke", "Revoke a key (takes effect within 10 s on every node)") { keyId };
        revoke.SetAction((parse, ct) => WithServices(async (sp, ct2) =>
        {
            var id = parse.GetRequiredValue(keyId);
            if (!Guid.TryParse(id, out var g) || !await sp.GetRequiredService<ApiKeyStore>().RevokeAsync(g.ToString("D"), ct2))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] no API key with id {Markup.Escape(id)}");
                return 1;
            }
            AnsiConsole.MarkupLine($"[green]Revoked[/] {g:D}");
            return 0;
        }, ct));

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }

    private sealed record SettingOptions(
        Option<string?> Status, Option<int?> AgentLimit, Option<int?> ConcurrencyLimit,
        Option<string?> Languages, Option<string?> Providers, Option<string?> Voices)
    {
        public Option[] All => [Status, AgentLimit, ConcurrencyLimit, Languages, Providers, Voices];

        /// <summary>The supplied options as an admin-API JSON body, so the CLI validates exactly like the API.</summary>
        public JsonObject ToBody(ParseResult parse)
        {
            static JsonArray? List(string? csv) => csv is null ? null
                : new JsonArray(csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => (JsonNode)s).ToArray());
            var body = new JsonObject();
            if (parse.GetValue(Status) is { } s) body["status"] = s;
            if (parse.GetValue(AgentLimit) is { } a) body["agent_limit"] = a;
            if (parse.GetValue(ConcurrencyLimit) is { } c) body["concurrency_limit"] = c;
            if (parse.GetValue(Languages) is { } l) body["allowed_languages"] = List(l);
            if (parse.GetValue(Providers) is { } p) body["allowed_telephony_providers"] = List(p);
            if (parse.GetValue(Voices) is { } v) body["allowed_voices"] = v == "all" ? null : List(v);
            return body;
        }
    }

    private static SettingOptions PartnerSettingOptions() => new(
        new Option<string?>("--status") { Description = "active | pending | suspended" },
        new Option<int?>("--agent-limit") { Description = "Maximum non-deleted agents (default 10)" },
        new Option<int?>("--concurrency-limit") { Description = "Concurrent calls + web sessions, 1–1000 (default 5)" },
        new Option<string?>("--languages") { Description = "Allowed language codes, comma-separated (default en,hi)" },
        new Option<string?>("--telephony-providers") { Description = "Allowed telephony providers, comma-separated (default tata_smartflo)" },
        new Option<string?>("--voices") { Description = "Allowed voice ids, comma-separated, or `all`" });

    private static async Task<Partner> FindPartner(PartnerStore store, string idOrName, CancellationToken ct) =>
        await store.FindAsync(idOrName, ct) ?? throw ApiException.NotFound("partner", idOrName);

    private static void PrintPartners(IEnumerable<Partner> partners)
    {
        var table = new Table().AddColumns("id", "name", "display name", "status", "agents", "concurrency", "languages", "providers");
        foreach (var p in partners)
            table.AddRow(p.Id, Markup.Escape(p.Name), Markup.Escape(p.DisplayName),
                p.Status == PartnerStatus.Active ? "[green]active[/]" : $"[yellow]{p.Status}[/]",
                p.AgentLimit.ToString(), p.ConcurrencyLimit.ToString(), string.Join(",", p.AllowedLanguages), string.Join(",", p.AllowedTelephonyProviders));
        AnsiConsole.Write(table);
    }

    private static void PrintIssuedKey(IssuedApiKey issued)
    {
        AnsiConsole.MarkupLine($"[green]Issued API key[/] {issued.Info.Id} ({issued.Info.Prefix}…{issued.Info.Last4})");
        AnsiConsole.MarkupLine("Save this key — it will not be shown again:");
        Console.Out.WriteLine(issued.Key);
    }

    private static async Task<int> WithServices(Func<IServiceProvider, CancellationToken, Task<int>> action, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAwaazCore(builder.Configuration);
        using var host = builder.Build();
        try
        {
            await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(ct);
            return await action(host.Services, ct);
        }
        catch (ApiException ex)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
            return ex.Status == 404 ? 3 : 2;
        }
        finally
        {
            await host.Services.GetRequiredService<Database>().DisposeAsync();
        }
    }
}
