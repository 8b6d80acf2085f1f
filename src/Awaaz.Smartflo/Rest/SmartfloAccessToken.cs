using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Awaaz.Smartflo.Rest;

/// <summary>
/// A Smartflo bearer token with its lifetime. <see cref="ToString"/> never prints the token itself, so the value is
/// safe to pass to loggers; read <see cref="Value"/> only to send or store it (encrypted).
/// </summary>
public sealed class SmartfloAccessToken
{
    /// <summary>Refresh this long before expiry (spec §4.3).</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime assumed when neither <c>expires_in</c> nor a JWT <c>exp</c> can be read.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    /// <summary>Creates a token received at <paramref name="receivedAt"/> that expires at <paramref name="expiresAt"/>.</summary>
    public SmartfloAccessToken(string value, DateTimeOffset receivedAt, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
        ReceivedAt = receivedAt;
        ExpiresAt = expiresAt;
    }

    /// <summary>The raw token. Never log it.</summary>
    public string Value { get; }

    /// <summary>When the login answered.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary><c>received_at + expires_in</c>.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>
    /// When to log in again: 5 minutes before expiry, or half the lifetime before expiry when the lifetime is 10
    /// minutes or less (spec §4.3).
    /// </summary>
    public DateTimeOffset RefreshAt
    {
        get
        {
            var lifetime = ExpiresAt - ReceivedAt;
            var margin = lifetime <= TimeSpan.FromMinutes(10) ? lifetime / 2 : RefreshMargin;
            return ExpiresAt - margin;
        }
    }

    /// <summary>Token reduced to its first and last 4 characters, with its expiry.</summary>
    public override string ToString() => $"token {SmartfloRedaction.Mask(Value)} (expires {ExpiresAt:O})";

    /// <summary>
    /// Lifetime per spec §4.2: <c>expires_in</c> seconds (number or numeric string) when positive, else the JWT
    /// <c>exp</c> minus now, else one hour.
    /// </summary>
    public static SmartfloAccessToken FromLogin(string value, double? expiresInSeconds, DateTimeOffset now)
    {
        if (expiresInSeconds is > 0 and < 10 * 365 * 86400d)
            return new SmartfloAccessToken(value, now, now.AddSeconds(expiresInSeconds.Value));
        if (SmartfloJwt.TryReadExpiry(value, out var exp) && exp > now)
            return new SmartfloAccessToken(value, now, exp);
        return new SmartfloAccessToken(value, now, now + DefaultLifetime);
    }
}

/// <summary>Reads the <c>exp</c> claim of a JWT-shaped Smartflo token (no signature check; spec §4.2, §4.5).</summary>
public static class SmartfloJwt
{
    /// <summary>
    /// True when <paramref name="token"/> (optionally prefixed with <c>Bearer </c>) is three dot-separated segments
    /// whose middle one is base64url JSON with a numeric <c>exp</c> (seconds since the epoch).
    /// </summary>
    public static bool TryReadExpiry(string? token, out DateTimeOffset expiresAt)
    {
        expiresAt = default;
        if (string.IsNullOrWhiteSpace(token)) return false;
        var text = token.Trim();
        if (text.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) text = text[7..].Trim();

        var parts = text.Split('.');
        if (parts.Length != 3 || parts[1].Length == 0 || parts[1].Length > 8192) return false;

        var payload = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(parts[1].Length));
        try
        {
            if (Base64Url.DecodeFromChars(parts[1], payload, out _, out var written) != OperationStatus.Done) return false;
            if (!LooseJson.TryParse(payload.AsMemory(0, written), out var claims) || claims.ValueKind != JsonValueKind.Object) return false;
            return LooseJson.Double(LooseJson.Property(claims, "exp")) is { } exp && IndianStandardTime.TryFromEpoch(exp, out expiresAt);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }
}
