using Awaaz.Server.Api;
using Awaaz.Smartflo.Rest;

namespace Awaaz.Server.Telephony;

public sealed record SkippedNumber(string? Raw, string Reason);

/// <summary>Imports a connection's DIDs from Smartflo <c>GET /v1/my_number</c> (partner-api.md §12.4).</summary>
public sealed class PhoneNumberSync(SmartfloGateway gateway, PhoneNumberStore numbers, ConnectionStore connections, TimeProvider clock, ILogger<PhoneNumberSync> logger)
{
    public async Task<(SyncResult Result, IReadOnlyList<SkippedNumber> Skipped)> RunAsync(TelephonyConnection connection, CancellationToken ct)
    {
        if (!connection.HasRestAuth)
            throw new ApiException(403, ErrorCodes.ProviderNotConfigured, "Connection has no Smartflo REST credentials (tata_email + tata_password or auth_token)",
                new { provider = TelephonyProviders.TataSmartflo, missing = "rest_credentials" });

        var client = await gateway.ForConnectionAsync(connection, ct);
        IReadOnlyList<SmartfloDid> dids;
        try
        {
            dids = await client.GetMyNumbersAsync(ct);
        }
        catch (SmartfloException ex)
        {
            await connections.SaveHealthAsync(connection.Id, connection.Health with { LastError = ex.PartnerMessage, LastErrorAt = clock.GetUtcNow() }, ct);
            throw SmartfloGateway.ToApiException(ex);
        }

        var skipped = dids.Where(d => d.PhoneNumber is null).Select(d => new SkippedNumber(d.Did ?? d.Alias, "unparseable number")).ToList();
        var fetched = dids.Where(d => d.PhoneNumber is not null)
            .Select(d => new ProviderNumber(d.PhoneNumber!, d.Id, d.Alias, d.Destination, d.DestinationName ?? d.Name))
            .ToList();
        var result = await numbers.SyncAsync(connection.PartnerId, connection.Id, fetched, ct);
        return (result with { Fetched = dids.Count }, skipped);
    }

    /// <summary>Runs a sync after a connection was saved; failures are logged and recorded in the connection's health.</summary>
    public void StartInBackground(TelephonyConnection connection) => _ = Task.Run(async () =>
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var (result, _) = await RunAsync(connection, timeout.Token);
            logger.LogInformation("Number sync for connection {ConnectionId}: {Fetched} fetched, {Imported} imported, {Missing} missing",
                connection.Id, result.Fetched, result.Imported, result.Missing);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Background number sync for connection {ConnectionId} failed: {Error}", connection.Id, ex.Message);
        }
    });
}
