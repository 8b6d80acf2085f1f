using System.Data.Common;
using Awaaz.Server.Api;
using Awaaz.Server.Storage;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Awaaz.Server.Agents;

/// <summary>
/// Agents of a partner. Every query is scoped by partner id, so another partner's agent is simply not
/// found. Deletion is soft (<c>deleted_at</c>); deleted agents free their name and their slot.
/// </summary>
public sealed class AgentStore(Database database, TimeProvider clock)
{
    private const string Columns = "id, partner_id, document, created_at, updated_at";

    /// <summary>Non-deleted agents of a partner (they count against <c>agent_limit</c>).</summary>
    public async Task<int> CountAsync(string partnerId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM agents WHERE partner_id = @partnerId AND deleted_at IS NULL", new { partnerId }, cancellationToken: ct));
    }

    /// <summary>True for a non-deleted agent of the partner.</summary>
    public async Task<bool> ExistsAsync(string partnerId, string agentId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM agents WHERE id = @agentId AND partner_id = @partnerId AND deleted_at IS NULL", new { agentId, partnerId }, cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// Inserts an agent. In one write transaction (the partner row locked on PostgreSQL, the database
    /// on SQLite): agent limit → 403 FORBIDDEN <c>agent_limit_reached</c>, name taken → 409 CONFLICT
    /// <c>duplicate_agent_name</c>, then the insert, so parallel creates never exceed the limit.
    /// </summary>
    public async Task<Agent> CreateAsync(string partnerId, AgentDocument document, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var agent = new Agent(Guid.NewGuid().ToString("D"), partnerId, document, now, now);
        var (connection, tx) = await database.BeginWriteAsync(ct);
        await using (connection)
        await using (tx)
        {
            var agentLimit = await LockPartnerAsync(connection, tx, partnerId, ct);
            var count = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COUNT(*) FROM agents WHERE partner_id = @partnerId AND deleted_at IS NULL", new { partnerId }, tx, cancellationToken: ct));
            if (count >= agentLimit)
                throw new ApiException(403, ErrorCodes.Forbidden, $"Agent limit reached: this account may have at most {agentLimit} agents",
                    new { reason = "agent_limit_reached", agent_limit = agentLimit });
            await ThrowIfNameTakenAsync(connection, tx, partnerId, document.AgentName, exceptId: null, ct);
            try
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO agents (id, partner_id, agent_name, agent_name_key, agent_type, document, created_at, updated_at, deleted_at)
                    VALUES (@Id, @PartnerId, @AgentName, @AgentNameKey, @AgentType, @Document, @CreatedAt, @UpdatedAt, NULL)
                    """, Parameters(agent), tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
            }
            catch (DbException ex) when (IsUniqueViolation(ex))
            {
                throw DuplicateName(document.AgentName);
            }
        }
        return agent;
    }

    public async Task<Agent?> GetAsync(string partnerId, string id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<AgentRow>(new CommandDefinition(
            $"SELECT {Columns} FROM agents WHERE id = @id AND partner_id = @partnerId AND deleted_at IS NULL",
            new { id, partnerId }, cancellationToken: ct));
        return row?.ToAgent();
    }

    /// <summary>Newest first (<c>created_at</c> desc, then <c>id</c> desc), optionally of one <c>agent_type</c>.</summary>
    public async Task<(IReadOnlyList<Agent> Agents, int Total)> ListAsync(string partnerId, string? agentType, int limit, int offset, CancellationToken ct = default)
    {
        var where = "partner_id = @partnerId AND deleted_at IS NULL" + (agentType is null ? "" : " AND agent_type = @agentType");
        var parameters = new { partnerId, agentType, limit, offset };
        await using var connection = await database.OpenAsync(ct);
        var total = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT COUNT(*) FROM agents WHERE {where}", parameters, cancellationToken: ct));
        var rows = await connection.QueryAsync<AgentRow>(new CommandDefinition(
            $"SELECT {Columns} FROM agents WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset",
            parameters, cancellationToken: ct));
        return (rows.Select(r => r.ToAgent()).ToList(), total);
    }

    /// <summary>Replaces the document of a live agent; <c>null</c> when it does not exist (or was deleted meanwhile).</summary>
    public async Task<Agent?> UpdateAsync(Agent current, AgentDocument document, CancellationToken ct = default)
    {
        var updated = current with { Document = document, UpdatedAt = clock.GetUtcNow() };
        var (connection, tx) = await database.BeginWriteAsync(ct);
        await using (connection)
        await using (tx)
        {
            await LockPartnerAsync(connection, tx, current.PartnerId, ct);
            await ThrowIfNameTakenAsync(connection, tx, current.PartnerId, document.AgentName, exceptId: current.Id, ct);
            try
            {
                var changed = await connection.ExecuteAsync(new CommandDefinition("""
                    UPDATE agents SET agent_name = @AgentName, agent_name_key = @AgentNameKey, agent_type = @AgentType,
                      document = @Document, updated_at = @UpdatedAt
                    WHERE id = @Id AND partner_id = @PartnerId AND deleted_at IS NULL
                    """, Parameters(updated), tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                return changed == 1 ? updated : null;
            }
            catch (DbException ex) when (IsUniqueViolation(ex))
            {
                throw DuplicateName(document.AgentName);
            }
        }
    }

    /// <summary>Soft delete; its phone numbers become unassigned. <c>false</c> when there is no live agent with this id for the partner.</summary>
    public async Task<bool> DeleteAsync(string partnerId, string id, CancellationToken ct = default)
    {
        var now = DbTime.ToDb(clock.GetUtcNow());
        var (connection, tx) = await database.BeginWriteAsync(ct);
        await using var _ = connection;
        await using var __ = tx;
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE agents SET deleted_at = @now, updated_at = @now WHERE id = @id AND partner_id = @partnerId AND deleted_at IS NULL",
            new { id, partnerId, now }, tx, cancellationToken: ct)) == 1;
        if (deleted)
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE phone_numbers SET agent_id = NULL, assigned_at = NULL, updated_at = @now WHERE agent_id = @id AND partner_id = @partnerId",
                new { id, partnerId, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return deleted;
    }

    /// <summary>Serialises agent writes of one partner and returns its current <c>agent_limit</c>.</summary>
    private async Task<int> LockPartnerAsync(DbConnection connection, DbTransaction tx, string partnerId, CancellationToken ct)
    {
        // SQLite: BeginWriteAsync already holds the database write lock (BEGIN IMMEDIATE).
        var lockClause = database.Dialect == SqlDialect.Postgres ? " FOR NO KEY UPDATE" : "";
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT agent_limit FROM partners WHERE id = @partnerId{lockClause}", new { partnerId }, tx, cancellationToken: ct));
    }

    private static async Task ThrowIfNameTakenAsync(DbConnection connection, DbTransaction tx, string partnerId, string agentName, string? exceptId, CancellationToken ct)
    {
        var sql = "SELECT COUNT(*) FROM agents WHERE partner_id = @partnerId AND agent_name_key = @key AND deleted_at IS NULL"
            + (exceptId is null ? "" : " AND id <> @exceptId");
        var taken = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            sql, new { partnerId, key = NameKey(agentName), exceptId }, tx, cancellationToken: ct));
        if (taken > 0) throw DuplicateName(agentName);
    }

    /// <summary>Names are unique per partner regardless of case.</summary>
    public static string NameKey(string agentName) => agentName.Trim().ToLowerInvariant();

    private static ApiException DuplicateName(string agentName) =>
        ApiException.Conflict("duplicate_agent_name", $"An agent named '{agentName}' already exists");

    private static bool IsUniqueViolation(DbException ex) => ex switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    private static object Parameters(Agent a) => new
    {
        a.Id,
        a.PartnerId,
        a.Document.AgentName,
        AgentNameKey = NameKey(a.Document.AgentName),
        a.Document.AgentType,
        Document = a.Document.ToJson(),
        CreatedAt = DbTime.ToDb(a.CreatedAt),
        UpdatedAt = DbTime.ToDb(a.UpdatedAt),
    };
}

/// <summary>Row shape of <c>agents</c>.</summary>
internal sealed class AgentRow
{
    public string id { get; set; } = "";
    public string partner_id { get; set; } = "";
    public string document { get; set; } = "";
    public long created_at { get; set; }
    public long updated_at { get; set; }

    public Agent ToAgent() => new(id, partner_id, AgentDocument.FromJson(document), DbTime.FromDb(created_at), DbTime.FromDb(updated_at));
}
