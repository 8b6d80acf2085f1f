using System.Collections.Concurrent;

namespace Awaaz.Server.Telephony.Smartflo;

/// <summary>Result of authenticating a request from Smartflo by its connection secret.</summary>
public enum SecretCheck { Valid, Missing, Unknown }

/// <summary>
/// Maps the secret on Smartflo's requests (<c>?secret=</c> or <c>X-Awaaz-Secret</c>) to its connection, by SHA-256
/// lookup, cached for a few seconds so the resolver stays fast. In single-tenant mode without
/// <c>TATA_RESOLVE_SECRET</c> a request without a secret belongs to the environment connection.
/// </summary>
public sealed class SmartfloSecrets(ConnectionStore connections, TimeProvider clock)
{
    private static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (TelephonyConnection? Connection, DateTimeOffset At)> _cache = new();
    private (TelephonyConnection? Connection, DateTimeOffset At) _open;

    public static string? Presented(HttpRequest request)
    {
        var fromQuery = request.Query["secret"].ToString();
        if (!string.IsNullOrEmpty(fromQuery)) return fromQuery;
        var fromHeader = request.Headers["X-Awaaz-Secret"].ToString();
        return string.IsNullOrEmpty(fromHeader) ? null : fromHeader;
    }

    public async Task<(SecretCheck Check, TelephonyConnection? Connection)> CheckAsync(HttpRequest request, CancellationToken ct)
    {
        var secret = Presented(request);
        var now = clock.GetUtcNow();
        if (secret is null)
        {
            if (now - _open.At > CacheTtl) _open = (await connections.FindOpenEnvConnectionAsync(ct), now);
            return _open.Connection is { } open ? (SecretCheck.Valid, open) : (SecretCheck.Missing, null);
        }
        if (secret.Length > 256) return (SecretCheck.Unknown, null);
        if (!_cache.TryGetValue(secret, out var hit) || now - hit.At > CacheTtl)
        {
            if (_cache.Count > 10_000) _cache.Clear();
            hit = (await connections.FindBySecretAsync(secret, ct), now);
            _cache[secret] = hit;
        }
        return hit.Connection is { } c ? (SecretCheck.Valid, c) : (SecretCheck.Unknown, null);
    }
}
