using Awaaz.Server.Storage;
using Microsoft.Extensions.Options;

namespace Awaaz.Server.Partners;

/// <summary>
/// Start-up work that must finish before the node serves: migrations, then the first-start partner.
/// On an empty database it creates the partner "default" and prints its one-time API key to the
/// console (not to the structured log).
/// </summary>
public sealed class StartupTasks(
    MigrationRunner migrations, PartnerStore partners, ApiKeyStore keys, Telephony.SelfHostedBootstrap selfHosted, ServerMode mode,
    IOptions<AwaazOptions> options, IConfiguration configuration, ILogger<StartupTasks> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await migrations.ApplyAsync(ct);
        await selfHosted.RunAsync(ct);
        if (!mode.IsSingleTenant && options.Value.CreateDefaultPartner && await partners.CountAsync(ct) == 0)
            await CreateDefaultPartnerAsync(ct);
    }

    private async Task CreateDefaultPartnerAsync(CancellationToken ct)
    {
        Partner partner;
        try
        {
            partner = await partners.CreateAsync(partners.NewPartner("default", "Default partner"), ct);
        }
        catch (Api.ApiException)
        {
            return; // another node created it first
        }
        var issued = await keys.IssueAsync(partner.Id, "first-start", ct: ct);
        var url = (configuration["urls"] ?? AwaazOptions.DefaultUrl).Split(';')[0].Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1").Replace("+", "127.0.0.1").Replace("*", "127.0.0.1");
        logger.LogInformation("Created partner 'default' ({PartnerId}) with API key {Prefix}… (printed once on the console)", partner.Id, issued.Info.Prefix);
        Console.Out.WriteLine($"""

            ================================================================
             Awaaz first start: created partner "default".
             API key (shown once, store it now):

               AWAAZ_API_KEY={issued.Key}

             Try it:
               curl -H "Authorization: Bearer {issued.Key}" {url}/api/v2/config

             More keys: awaaz keys create --partner default
            ================================================================

            """);
        await Console.Out.FlushAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
