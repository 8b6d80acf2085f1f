using System.Data.Common;
using Awaaz.Server.Storage;
using Dapper;

namespace Awaaz.Server.Telephony;

public sealed record PhoneNumberAgent(string Id, string Name);

/// <summary>A DID of a connection (partner-api.md §12.1).</summary>
public sealed record PhoneNumber(
    string Id, string PartnerId, string ConnectionId, string Number, string? FriendlyName, string Status, bool IsDefault,
    PhoneNumberAgent? Agent, string? ProviderNumberId, string? ProviderAlias, string? ProviderDestination, string? ProviderDestinationName,
    bool ProviderMissing, DateTimeOffset? LastSyncedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One number as Smartflo's <c>my_number</c> lists it, already normalised to E.164.</summary>
public sealed record ProviderNumber(string Number, string? ProviderNumberId, string? Alias, string? Destination, string? DestinationName);

public sealed record SyncResult(int Fetched, int Imported, int Updated, int Unchanged, int Missing);

public sealed record PhoneNumberFilter(string? ConnectionId, string? AgentId, string? Status, int Limit, int Offset);

public sealed class PhoneNumberStore(Database database, TimeProvider clock)
{
    private const string Select = """
        SELECT n.id, n.partner_id, n.connection_id, n.phone_number, n.friendly_name, n.status, n.agent_id, a.agent_name,
               n.provider_number_id, n.provider_alias, n.provider_destination, n.provider_destination_name, n.provider_missing,
               n.last_synced_at, n.created_at, n.updated_at, c.from_number AS connection_from_number
        FROM phone_numbers n
        JOIN telephony_connections c ON c.id = n.connection_id
        LEFT JOIN agents a ON a.id = n.agent_id AND a.deleted_at IS NULL
        """;

    /// <summary>Adds <paramref name="number"/> to the connection as ACTIVE unless it is already there (used when saving a connection).</summary>
    internal static Task EnsureNumberAsync(DbConnection db, DbTransaction tx, string partnerId, string connectionId, string number, DateTimeOffset now, CancellationToken ct) =>
        db.ExecuteAsync(new CommandDefinition("""
            INSERT INTO phone_numbers (id, partner_id, connection_id, phone_number, status, provider_missing, deactivated_by_sync, created_at, updated_at)
            VALUES (@id, @partnerId, @connectionId, @number, @active, @no, @no, @now, @now)
            ON CONFLICT (connection_id, phone_number) DO NOTHING
            """, new { id = Guid.NewGuid().ToString("D"), partnerId, connectionId, number, active = ConnectionStatus.Active, no = false, now = DbTime.ToDb(now) }, tx, cancellationToken: ct));

    public async Task<(IReadOnlyList<PhoneNumber> Items, int Total)> ListAsync(string partnerId, PhoneNumberFilter filter, CancellationToken ct = default)
    {
        const string where = """
            WHERE n.partner_id = @partnerId AND c.deleted_at IS NULL
              AND (@ConnectionId IS NULL OR n.connection_id = @ConnectionId) AND (@AgentId IS NULL OR n.agent_id = @AgentId) AND (@Status IS NULL OR n.status = @Status)
            """;
        var args = new { partnerId, filter.ConnectionId, filter.AgentId, filter.Status, filter.Limit, filter.Offset };
        await using var db = await database.OpenAsync(ct);
        var total = await db.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT COUNT(*) FROM phone_numbers n JOIN telephony_connections c ON c.id = n.connection_id {where}", args, cancellationToken: ct));
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            $"{Select} {where} ORDER BY n.created_at DESC, n.id DESC LIMIT @Limit OFFSET @Offset", args, cancellationToken: ct));
        return (rows.Select(r => r.ToPhoneNumber()).ToList(), total);
    }

    public async Task<IReadOnlyList<PhoneNumber>> ListForConnectionAsync(string connectionId, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE n.connection_id = @connectionId ORDER BY n.created_at, n.id", new { connectionId }, cancellationToken: ct));
        return rows.Select(r => r.ToPhoneNumber()).ToList();
    }

    /// <summary>The caller ID an agent's outbound calls use on a connection: its earliest-assigned ACTIVE DID there (partner-api.md §11.9).</summary>
    public async Task<string?> AgentCallerIdAsync(string connectionId, string agentId, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        return await db.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT phone_number FROM phone_numbers WHERE connection_id = @connectionId AND agent_id = @agentId AND status = @active ORDER BY assigned_at, id LIMIT 1",
            new { connectionId, agentId, active = ConnectionStatus.Active }, cancellationToken: ct));
    }

    /// <summary>The ACTIVE numbers of a connection (for correlation: any DID of the connection).</summary>
    public async Task<IReadOnlyList<(string Number, string? AgentId)>> ActiveNumbersAsync(string connectionId, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<(string, string?)>(new CommandDefinition(
            "SELECT phone_number, agent_id FROM phone_numbers WHERE connection_id = @connectionId AND status = @active",
            new { connectionId, active = ConnectionStatus.Active }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<PhoneNumber?> GetAsync(string partnerId, string id, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE n.id = @id AND n.partner_id = @partnerId AND c.deleted_at IS NULL", new { id, partnerId }, cancellationToken: ct));
        return row?.ToPhoneNumber();
    }

    /// <summary>Applies a partial update. <paramref name="agentId"/>: not set → unchanged; null → unassigned.</summary>
    public async Task<PhoneNumber> UpdateAsync(PhoneNumber number, Api.Supplied<string?> agentId, Api.Supplied<string?> friendlyName, Api.Supplied<string?> status, CancellationToken ct = default)
    {
        var now = DbTime.ToDb(clock.GetUtcNow());
        await using var db = await database.OpenAsync(ct);
        await db.ExecuteAsync(new CommandDefinition("""
            UPDATE phone_numbers SET
              agent_id = CASE WHEN @setAgent THEN @agentId ELSE agent_id END,
              assigned_at = CASE WHEN @setAgent THEN (CASE WHEN @agentId IS NULL THEN NULL ELSE @now END) ELSE assigned_at END,
              friendly_name = CASE WHEN @setName THEN @friendlyName ELSE friendly_name END,
              status = CASE WHEN @setStatus THEN @status ELSE status END,
              deactivated_by_sync = CASE WHEN @setStatus THEN @no ELSE deactivated_by_sync END,
              updated_at = @now
            WHERE id = @id
            """, new
            {
                setAgent = agentId.IsSet, agentId = agentId.Value, setName = friendlyName.IsSet, friendlyName = friendlyName.Value,
                setStatus = status.IsSet, status = status.Value ?? number.Status, no = false, now, id = number.Id,
            }, cancellationToken: ct));
        return (await GetAsync(number.PartnerId, number.Id, ct))!;
    }

    /// <summary>
    /// Upserts Smartflo's numbers by normalised number; never deletes. A number Smartflo no longer lists gets
    /// <c>provider_missing</c> and becomes INACTIVE (assignment kept); when it comes back, sync reactivates it.
    /// </summary>
    public async Task<SyncResult> SyncAsync(string partnerId, string connectionId, IReadOnlyList<ProviderNumber> fetched, CancellationToken ct = default)
    {
        var now = DbTime.ToDb(clock.GetUtcNow());
        var (db, tx) = await database.BeginWriteAsync(ct);
        await using var _ = db;
        await using var __ = tx;
        // One sync per connection at a time (the background sync after a save can race an explicit one).
        if (database.Dialect == SqlDialect.Postgres)
            await db.ExecuteAsync(new CommandDefinition("SELECT id FROM telephony_connections WHERE id = @connectionId FOR NO KEY UPDATE", new { connectionId }, tx, cancellationToken: ct));
        var existing = (await db.QueryAsync<SyncRow>(new CommandDefinition(
            "SELECT id, phone_number, friendly_name, status, provider_number_id, provider_alias, provider_destination, provider_destination_name, provider_missing, deactivated_by_sync FROM phone_numbers WHERE connection_id = @connectionId",
            new { connectionId }, tx, cancellationToken: ct))).ToDictionary(r => r.phone_number);

        int imported = 0, updated = 0, unchanged = 0, missing = 0;
        var seen = new HashSet<string>();
        foreach (var n in fetched)
        {
            if (!seen.Add(n.Number)) continue;
            if (!existing.TryGetValue(n.Number, out var row))
            {
                await db.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO phone_numbers (id, partner_id, connection_id, phone_number, friendly_name, status, provider_number_id, provider_alias,
                      provider_destination, provider_destination_name, provider_missing, deactivated_by_sync, last_synced_at, created_at, updated_at)
                    VALUES (@id, @partnerId, @connectionId, @Number, @DestinationName, @active, @ProviderNumberId, @Alias, @Destination, @DestinationName, @no, @no, @now, @now, @now)
                    """, new { id = Guid.NewGuid().ToString("D"), partnerId, connectionId, n.Number, n.DestinationName, active = ConnectionStatus.Active, n.ProviderNumberId, n.Alias, n.Destination, no = false, now }, tx, cancellationToken: ct));
                imported++;
                continue;
            }
            var comesBack = row.provider_missing;
            var changed = comesBack || row.provider_number_id != n.ProviderNumberId || row.provider_alias != n.Alias
                || row.provider_destination != n.Destination || row.provider_destination_name != n.DestinationName
                || (row.friendly_name is null && n.DestinationName is not null);
            await db.ExecuteAsync(new CommandDefinition("""
                UPDATE phone_numbers SET provider_number_id = @ProviderNumberId, provider_alias = @Alias, provider_destination = @Destination,
                  provider_destination_name = @DestinationName, friendly_name = COALESCE(friendly_name, @DestinationName), provider_missing = @no,
                  status = CASE WHEN deactivated_by_sync = @yes THEN @active ELSE status END, deactivated_by_sync = @no,
                  last_synced_at = @now, updated_at = CASE WHEN @changed THEN @now ELSE updated_at END
                WHERE id = @id
                """, new { n.ProviderNumberId, n.Alias, n.Destination, n.DestinationName, no = false, yes = true, active = ConnectionStatus.Active, now, changed, id = row.id }, tx, cancellationToken: ct));
            if (changed) updated++; else unchanged++;
        }
        foreach (var gone in existing.Values.Where(r => !seen.Contains(r.phone_number)))
        {
            if (!gone.provider_missing) missing++;
            await db.ExecuteAsync(new CommandDefinition("""
                UPDATE phone_numbers SET provider_missing = @yes,
                  deactivated_by_sync = CASE WHEN status = @active THEN @yes ELSE deactivated_by_sync END,
                  status = @inactive, last_synced_at = @now, updated_at = @now
                WHERE id = @id
                """, new { yes = true, active = ConnectionStatus.Active, inactive = ConnectionStatus.Inactive, now, id = gone.id }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return new SyncResult(fetched.Count, imported, updated, unchanged, missing);
    }

    private sealed class SyncRow
    {
        public string id { get; set; } = "";
        public string phone_number { get; set; } = "";
        public string? friendly_name { get; set; }
        public string status { get; set; } = "";
        public string? provider_number_id { get; set; }
        public string? provider_alias { get; set; }
        public string? provider_destination { get; set; }
        public string? provider_destination_name { get; set; }
        public bool provider_missing { get; set; }
        public bool deactivated_by_sync { get; set; }
    }

    private sealed class Row
    {
        public string id { get; set; } = "";
        public string partner_id { get; set; } = "";
        public string connection_id { get; set; } = "";
        public string phone_number { get; set; } = "";
        public string? friendly_name { get; set; }
        public string status { get; set; } = "";
        public string? agent_id { get; set; }
        public string? agent_name { get; set; }
        public string? provider_number_id { get; set; }
        public string? provider_alias { get; set; }
        public string? provider_destination { get; set; }
        public string? provider_destination_name { get; set; }
        public bool provider_missing { get; set; }
        public long? last_synced_at { get; set; }
        public long created_at { get; set; }
        public long updated_at { get; set; }
        public string connection_from_number { get; set; } = "";

        public PhoneNumber ToPhoneNumber() => new(
            id, partner_id, connection_id, phone_number, friendly_name, status, phone_number == connection_from_number,
            agent_id is not null && agent_name is not null ? new PhoneNumberAgent(agent_id, agent_name) : null,
            provider_number_id, provider_alias, provider_destination, provider_destination_name, provider_missing,
            DbTime.FromDb(last_synced_at), DbTime.FromDb(created_at), DbTime.FromDb(updated_at));
    }
}
