using System.Text;
using Awaaz.Server.Storage;
using Dapper;

namespace Awaaz.Server.Telephony.Smartflo;

/// <summary>A stored panel webhook: the raw request as received, processed asynchronously.</summary>
public sealed record StoredLifecycleEvent(string Id, string? ConnectionId, string Kind, string Payload, string? ContentType, DateTimeOffset ReceivedAt, int Attempts);

/// <summary>Durable inbox of Smartflo panel webhooks (smartflo.md §10.3, §10.7): stored before acknowledging, deduplicated by idempotency key.</summary>
public sealed class LifecycleEvents(Database database, TimeProvider clock)
{
    /// <summary>Stores the raw event; false when an event with the same idempotency key was already stored (a duplicate).</summary>
    public async Task<(bool Stored, string Id)> StoreAsync(string? connectionId, string idempotencyKey, string kind, string query, byte[] body, string? contentType, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString("D");
        var payload = query + "\n" + Encoding.UTF8.GetString(body);
        await using var db = await database.OpenAsync(ct);
        var inserted = await db.ExecuteAsync(new CommandDefinition("""
            INSERT INTO lifecycle_events (id, connection_id, idempotency_key, kind, payload, content_type, received_at, matched, attempts)
            VALUES (@id, @connectionId, @idempotencyKey, @kind, @payload, @contentType, @now, @no, 0)
            ON CONFLICT (idempotency_key) DO NOTHING
            """, new { id, connectionId, idempotencyKey, kind, payload, contentType, now = DbTime.ToDb(clock.GetUtcNow()), no = false }, cancellationToken: ct));
        return (inserted == 1, id);
    }

    /// <summary>Events to (re)process: never processed, or unmatched and due for another try (within 24 h).</summary>
    public async Task<IReadOnlyList<StoredLifecycleEvent>> DueAsync(int max, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<(string id, string? connection_id, string kind, string payload, string? content_type, long received_at, long attempts)>(new CommandDefinition("""
            SELECT id, connection_id, kind, payload, content_type, received_at, attempts FROM lifecycle_events
            WHERE (processed_at IS NULL) OR (matched = @no AND received_at > @dayAgo AND processed_at < @retryBefore)
            ORDER BY received_at LIMIT @max
            """, new { no = false, dayAgo = DbTime.ToDb(now - TimeSpan.FromHours(24)), retryBefore = DbTime.ToDb(now - TimeSpan.FromSeconds(5)), max }, cancellationToken: ct));
        return rows.Select(r => new StoredLifecycleEvent(r.id, r.connection_id, r.kind, r.payload, r.content_type, DbTime.FromDb(r.received_at), (int)r.attempts)).ToList();
    }

    public async Task MarkAsync(string id, bool matched, string? callId, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE lifecycle_events SET processed_at = @now, matched = @matched, call_id = COALESCE(@callId, call_id), attempts = attempts + 1 WHERE id = @id",
            new { now = DbTime.ToDb(clock.GetUtcNow()), matched, callId, id }, cancellationToken: ct));
    }
}
