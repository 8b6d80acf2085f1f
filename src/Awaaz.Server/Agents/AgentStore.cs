using Awaaz.Server.Storage;
using Dapper;

namespace Awaaz.Server.Agents;

public sealed class AgentStore(Database database)
{
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
}
