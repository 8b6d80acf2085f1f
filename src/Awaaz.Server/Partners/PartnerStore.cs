using Awaaz.Server.Storage;
using Dapper;

namespace Awaaz.Server.Partners;

public sealed class PartnerStore(Database database, TimeProvider clock)
{
    private const string Columns = "id, name, display_name, status, agent_limit, concurrency_limit, allowed_telephony_providers, allowed_languages, allowed_voices, general_per_minute, calls_per_minute, web_sessions_per_minute, balance_enforcement, credits, max_webhook_endpoints, created_at, updated_at";

    public Partner NewPartner(string name, string displayName) => new(
        Guid.NewGuid().ToString("D"), name, displayName, PartnerStatus.Active,
        Partner.DefaultAgentLimit, Partner.DefaultConcurrencyLimit,
        Partner.DefaultTelephonyProviders, Partner.DefaultLanguages, null,
        RateLimits.Default, false, null, 5, clock.GetUtcNow(), clock.GetUtcNow());

    /// <summary>Inserts a partner; a taken name → 409 CONFLICT.</summary>
    public async Task<Partner> CreateAsync(Partner partner, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var inserted = await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO partners ({Columns}) VALUES
            (@Id, @Name, @DisplayName, @Status, @AgentLimit, @ConcurrencyLimit, @AllowedTelephonyProviders, @AllowedLanguages, @AllowedVoices,
             @GeneralPerMinute, @CallsPerMinute, @WebSessionsPerMinute, @BalanceEnforcement, @Credits, @MaxWebhookEndpoints, @CreatedAt, @UpdatedAt)
            ON CONFLICT (name) DO NOTHING
            """, PartnerRow.Parameters(partner), cancellationToken: ct));
        if (inserted == 0) throw Api.ApiException.Conflict("duplicate_partner_name", $"A partner named '{partner.Name}' already exists");
        return partner;
    }

    public async Task<Partner> UpdateAsync(Partner partner, CancellationToken ct = default)
    {
        var updated = partner with { UpdatedAt = clock.GetUtcNow() };
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE partners SET display_name = @DisplayName, status = @Status, agent_limit = @AgentLimit, concurrency_limit = @ConcurrencyLimit,
              allowed_telephony_providers = @AllowedTelephonyProviders, allowed_languages = @AllowedLanguages, allowed_voices = @AllowedVoices,
              general_per_minute = @GeneralPerMinute, calls_per_minute = @CallsPerMinute, web_sessions_per_minute = @WebSessionsPerMinute,
              balance_enforcement = @BalanceEnforcement, credits = @Credits, max_webhook_endpoints = @MaxWebhookEndpoints, updated_at = @UpdatedAt
            WHERE id = @Id
            """, PartnerRow.Parameters(updated), cancellationToken: ct));
        return updated;
    }

    public async Task<Partner?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<PartnerRow>(new CommandDefinition(
            $"SELECT {Columns} FROM partners WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToPartner();
    }

    public async Task<Partner?> GetByNameAsync(string name, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<PartnerRow>(new CommandDefinition(
            $"SELECT {Columns} FROM partners WHERE name = @name", new { name }, cancellationToken: ct));
        return row?.ToPartner();
    }

    /// <summary>By id or by name, for the CLI.</summary>
    public async Task<Partner?> FindAsync(string idOrName, CancellationToken ct = default) =>
        Guid.TryParse(idOrName, out var g) ? await GetAsync(g.ToString("D"), ct) : await GetByNameAsync(idOrName, ct);

    public async Task<IReadOnlyList<Partner>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<PartnerRow>(new CommandDefinition(
            $"SELECT {Columns} FROM partners ORDER BY created_at, id", cancellationToken: ct));
        return rows.Select(r => r.ToPartner()).ToList();
    }

    public async Task<int> CountAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM partners", cancellationToken: ct));
    }
}
