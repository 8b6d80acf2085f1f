using System.Security.Cryptography;
using System.Text.Json;
using Awaaz.Server.Storage;
using Dapper;

namespace Awaaz.Server.Calls;

/// <summary>What the resolver learned, kept with an (un)bound stream token for correlation at stream start.</summary>
public sealed record ResolverInputs(string? CallId, string? FromNumber, string? ToNumber, string? Status, string? RefId, string? CustomIdentifier);

public sealed record StreamGrant(string ConnectionId, string? CallId, ResolverInputs Inputs);

/// <summary>
/// One-time stream tokens (smartflo.md §9.8): 32 random bytes base64url, stored hashed with the connection, the call
/// (or none when correlation was deferred) and the resolver inputs; valid 60 s; consumed by the first upgrade.
/// </summary>
public sealed class StreamTokens(Database database, TimeProvider clock, Microsoft.AspNetCore.DataProtection.IDataProtectionProvider dataProtection)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private const int StoredTokenLength = 43;
    private readonly Microsoft.AspNetCore.DataProtection.ITimeLimitedDataProtector _sealed =
        Microsoft.AspNetCore.DataProtection.DataProtectionAdvancedExtensions.ToTimeLimitedDataProtector(dataProtection.CreateProtector("Awaaz.StreamToken.v1"));

    /// <summary>
    /// A token that needs no database write: the grant sealed with Data Protection (any node with the key ring opens it),
    /// valid 60 s, single use enforced when consumed. The resolver falls back to it when the database is too slow to
    /// store a token within Smartflo's deadline.
    /// </summary>
    public string IssueSealed(string connectionId, string? callId, ResolverInputs inputs)
    {
        var payload = JsonSerializer.Serialize(new StreamGrant(connectionId, callId, inputs));
        return Base64Url(_sealed.Protect(System.Text.Encoding.UTF8.GetBytes(payload), clock.GetUtcNow() + Lifetime));
    }

    public async Task<string> IssueAsync(string connectionId, string? callId, ResolverInputs inputs, CancellationToken ct)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        await using var db = await database.OpenAsync(ct);
        await db.ExecuteAsync(new CommandDefinition("""
            INSERT INTO stream_tokens (token_hash, connection_id, call_id, resolver_inputs, issued_at, expires_at)
            VALUES (@hash, @connectionId, @callId, @inputs, @now, @expires)
            """, new { hash = Hash(token), connectionId, callId, inputs = JsonSerializer.Serialize(inputs), now = DbTime.ToDb(now), expires = DbTime.ToDb(now + Lifetime) }, cancellationToken: ct));
        return token;
    }

    /// <summary>Consumes a token; null when unknown, expired or already used. The first socket of a call also invalidates the call's other tokens.</summary>
    public async Task<StreamGrant?> ConsumeAsync(string token, CancellationToken ct)
    {
        if (token.Length > StoredTokenLength) return await ConsumeSealedAsync(token, ct);
        if (token.Length != StoredTokenLength) return null;
        var hash = Hash(token);
        var now = DbTime.ToDb(clock.GetUtcNow());
        await using var db = await database.OpenAsync(ct);
        var taken = await db.ExecuteAsync(new CommandDefinition(
            "UPDATE stream_tokens SET consumed_at = @now WHERE token_hash = @hash AND consumed_at IS NULL AND expires_at > @now", new { hash, now }, cancellationToken: ct));
        if (taken != 1) return null;
        var row = await db.QuerySingleAsync<(string connection_id, string? call_id, string resolver_inputs)>(new CommandDefinition(
            "SELECT connection_id, call_id, resolver_inputs FROM stream_tokens WHERE token_hash = @hash", new { hash }, cancellationToken: ct));
        if (row.call_id is not null)
            await db.ExecuteAsync(new CommandDefinition("UPDATE stream_tokens SET consumed_at = @now WHERE call_id = @callId AND consumed_at IS NULL",
                new { now, callId = row.call_id }, cancellationToken: ct));
        return new StreamGrant(row.connection_id, row.call_id, JsonSerializer.Deserialize<ResolverInputs>(row.resolver_inputs)!);
    }

    private async Task<StreamGrant?> ConsumeSealedAsync(string token, CancellationToken ct)
    {
        if (token.Length > 4096) return null;
        StreamGrant? grant;
        try
        {
            var bytes = _sealed.Unprotect(FromBase64Url(token), out var expires);
            if (expires < clock.GetUtcNow()) return null;
            grant = JsonSerializer.Deserialize<StreamGrant>(bytes);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException or JsonException)
        {
            return null;
        }
        if (grant is null) return null;
        // Single use: the first upgrade records the token as consumed; a second one finds it there.
        var now = clock.GetUtcNow();
        await using var db = await database.OpenAsync(ct);
        var inserted = await db.ExecuteAsync(new CommandDefinition("""
            INSERT INTO stream_tokens (token_hash, connection_id, call_id, resolver_inputs, issued_at, expires_at, consumed_at)
            VALUES (@hash, @ConnectionId, @CallId, '{}', @now, @expires, @now) ON CONFLICT (token_hash) DO NOTHING
            """, new { hash = Hash(token), grant.ConnectionId, grant.CallId, now = DbTime.ToDb(now), expires = DbTime.ToDb(now + Lifetime) }, cancellationToken: ct));
        return inserted == 1 ? grant : null;
    }

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + (4 - b.Length % 4) % 4, '='));
    }

    /// <summary>Deletes tokens that expired more than an hour ago (called by the watchdog).</summary>
    public async Task PurgeAsync(CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await db.ExecuteAsync(new CommandDefinition("DELETE FROM stream_tokens WHERE expires_at < @cutoff",
            new { cutoff = DbTime.ToDb(clock.GetUtcNow() - TimeSpan.FromHours(1)) }, cancellationToken: ct));
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
