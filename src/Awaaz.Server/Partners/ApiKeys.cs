using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Awaaz.Server.Storage;
using Dapper;

namespace Awaaz.Server.Partners;

public sealed record ApiKeyInfo(string Id, string PartnerId, string Prefix, string Last4, string? Label,
    DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>An API key as issued: the plaintext exists only in this object and in the one response that shows it.</summary>
public sealed record IssuedApiKey(ApiKeyInfo Info, string Key);

/// <summary>
/// Issues, verifies and revokes partner API keys (<c>rg_live_</c> + 32 base62 characters).
/// Only the SHA-256 hex of the key, a 12-character prefix and the last 4 characters are stored.
/// Verification results are cached for at most 10 s, so a revocation reaches every node within 10 s.
/// </summary>
public sealed class ApiKeyStore(Database database, TimeProvider clock)
{
    public const string KeyPrefix = "rg_live_";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LastUsedWriteInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (string? PartnerId, string? KeyId, DateTimeOffset CheckedAt)> _cache = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsedWritten = new();

    public static string Generate()
    {
        Span<char> chars = stackalloc char[32];
        for (var i = 0; i < chars.Length; i++) chars[i] = Base62[RandomNumberGenerator.GetInt32(Base62.Length)];
        return KeyPrefix + new string(chars);
    }

    public static bool HasValidFormat(string key) =>
        key.Length == KeyPrefix.Length + 32 && key.StartsWith(KeyPrefix, StringComparison.Ordinal)
        && key.AsSpan(KeyPrefix.Length).IndexOfAnyExcept(Base62) < 0;

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async Task<IssuedApiKey> IssueAsync(string partnerId, string? label, string? presetKey = null, CancellationToken ct = default)
    {
        var key = presetKey ?? Generate();
        if (!HasValidFormat(key)) throw new ArgumentException("API key must match rg_live_[0-9A-Za-z]{32}");
        var info = new ApiKeyInfo(Guid.NewGuid().ToString("D"), partnerId, key[..12], key[^4..], label, clock.GetUtcNow(), null, null);
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO api_keys (id, partner_id, key_hash, prefix, last4, label, created_at)
            VALUES (@Id, @PartnerId, @Hash, @Prefix, @Last4, @Label, @CreatedAt)
            """, new { info.Id, info.PartnerId, Hash = Hash(key), info.Prefix, info.Last4, info.Label, CreatedAt = DbTime.ToDb(info.CreatedAt) }, cancellationToken: ct));
        return new IssuedApiKey(info, key);
    }

    /// <summary>True when a key with this plaintext is stored (used for bootstrap keys from the environment).</summary>
    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM api_keys WHERE key_hash = @hash", new { hash = Hash(key) }, cancellationToken: ct)) > 0;
    }

    /// <summary>Partner id and key id for a valid, unrevoked key, else null.</summary>
    public async Task<(string PartnerId, string KeyId)?> VerifyAsync(string key, CancellationToken ct = default)
    {
        if (!HasValidFormat(key)) return null;
        var hash = Hash(key);
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && now - cached.CheckedAt < CacheTtl)
            return cached.PartnerId is null ? null : (cached.PartnerId, cached.KeyId!);

        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(string id, string partner_id, string key_hash)>(new CommandDefinition(
            "SELECT id, partner_id, key_hash FROM api_keys WHERE key_hash = @hash AND revoked_at IS NULL", new { hash }, cancellationToken: ct));

        // The lookup is by hash; compare again in constant time so equality never short-circuits on secret bytes.
        var valid = row.id is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(row.key_hash), Encoding.ASCII.GetBytes(hash));
        if (_cache.Count > 100_000) _cache.Clear();
        _cache[hash] = valid ? (row.partner_id, row.id, now) : (null, null, now);
        if (!valid) return null;

        if (!_lastUsedWritten.TryGetValue(row.id, out var written) || now - written > LastUsedWriteInterval)
        {
            _lastUsedWritten[row.id] = now;
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE api_keys SET last_used_at = @now WHERE id = @id", new { now = DbTime.ToDb(now), id = row.id }, cancellationToken: ct));
        }
        return (row.partner_id, row.id);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string partnerId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string id, string partner_id, string prefix, string last4, string? label, long created_at, long? last_used_at, long? revoked_at)>(
            new CommandDefinition("SELECT id, partner_id, prefix, last4, label, created_at, last_used_at, revoked_at FROM api_keys WHERE partner_id = @partnerId ORDER BY created_at, id",
                new { partnerId }, cancellationToken: ct));
        return rows.Select(r => new ApiKeyInfo(r.id, r.partner_id, r.prefix, r.last4, r.label,
            DbTime.FromDb(r.created_at), DbTime.FromDb(r.last_used_at), DbTime.FromDb(r.revoked_at))).ToList();
    }

    /// <summary>Revokes a key; false when no such key. Idempotent.</summary>
    public async Task<bool> RevokeAsync(string keyId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var exists = await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM api_keys WHERE id = @keyId", new { keyId }, cancellationToken: ct));
        if (exists == 0) return false;
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @now WHERE id = @keyId AND revoked_at IS NULL",
            new { keyId, now = DbTime.ToDb(clock.GetUtcNow()) }, cancellationToken: ct));
        foreach (var entry in _cache.Where(e => e.Value.KeyId == keyId)) _cache.TryRemove(entry.Key, out _);
        return true;
    }
}
