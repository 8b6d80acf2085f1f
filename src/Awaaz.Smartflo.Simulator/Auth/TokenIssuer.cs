using Awaaz.Smartflo.Simulator.Configuration;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;

namespace Awaaz.Smartflo.Simulator.Auth;

public sealed record IssuedToken(
    string Token,
    string AccountId,
    string Jti,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    bool IsStatic);

public enum TokenCheck
{
    Valid,
    Missing,
    Invalid,
    Expired,
    Revoked,
}

public sealed record TokenValidation(TokenCheck Check, IssuedToken? Token)
{
    /// <summary>The 401 message Smartflo-style APIs give for each failure.</summary>
    public string FailureMessage => Check switch
    {
        TokenCheck.Missing => "Authorization Token not found",
        TokenCheck.Expired => "Token has expired",
        TokenCheck.Revoked => "The token has been blacklisted",
        _ => "Token is invalid",
    };
}

/// <summary>Issues and checks JWT-shaped HS256 tokens (claims iss, iat, exp, nbf, jti, sub as spec §4.2).</summary>
public sealed class TokenIssuer
{
    public const string Issuer = "https://cloudphone.tatateleservices.com/api/v1/auth/login";
    private static readonly string Header = Base64Url("""{"typ":"JWT","alg":"HS256"}"""u8);

    private readonly SimIds _ids;
    private readonly TimeProvider _time;
    private readonly byte[] _signingKey;
    private readonly Dictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly HashSet<string> _revoked = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <param name="seed">Derives the signing key, so issuing draws nothing else from <paramref name="ids"/> than each `jti`.</param>
    public TokenIssuer(SimIds ids, TimeProvider time, int seed)
    {
        _ids = ids;
        _time = time;
        _signingKey = SHA256.HashData(Encoding.ASCII.GetBytes("awaaz-sim-jwt-" + seed));
    }

    public IssuedToken Issue(string accountId, TimeSpan ttl)
    {
        var now = _time.GetUtcNow();
        var iat = now.ToUnixTimeSeconds();
        var exp = iat + (long)ttl.TotalSeconds;
        var jti = _ids.Alnum(16);
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["iat"] = iat,
            ["exp"] = exp,
            ["nbf"] = iat,
            ["jti"] = jti,
            ["sub"] = accountId,
        };
        var unsigned = Header + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString(SimJson.Wire)));
        var signature = Base64Url(HMACSHA256.HashData(_signingKey, Encoding.ASCII.GetBytes(unsigned)));
        var token = new IssuedToken(
            unsigned + "." + signature,
            accountId,
            jti,
            DateTimeOffset.FromUnixTimeSeconds(iat),
            DateTimeOffset.FromUnixTimeSeconds(exp),
            IsStatic: false);
        lock (_gate)
        {
            _tokens[token.Token] = token;
        }

        return token;
    }

    /// <summary>A panel token from the config: valid until revoked.</summary>
    public void RegisterStatic(string token, string accountId)
    {
        lock (_gate)
        {
            _tokens[token] = new IssuedToken(token, accountId, "static", _time.GetUtcNow(), DateTimeOffset.MaxValue, IsStatic: true);
        }
    }

    /// <summary>Checks an `Authorization` header value: `Bearer &lt;t&gt;` in any case, or the raw token (§4.7).</summary>
    public TokenValidation Validate(string? authorization)
    {
        var token = ExtractToken(authorization);
        if (token is null)
        {
            return new TokenValidation(TokenCheck.Missing, null);
        }

        lock (_gate)
        {
            if (!_tokens.TryGetValue(token, out var issued))
            {
                return new TokenValidation(TokenCheck.Invalid, null);
            }

            if (_revoked.Contains(token))
            {
                return new TokenValidation(TokenCheck.Revoked, issued);
            }

            return _time.GetUtcNow() >= issued.ExpiresAt
                ? new TokenValidation(TokenCheck.Expired, issued)
                : new TokenValidation(TokenCheck.Valid, issued);
        }
    }

    public void Revoke(string token)
    {
        lock (_gate)
        {
            _revoked.Add(token);
        }
    }

    /// <summary>Fault "revoke all tokens now": every token issued so far, static ones included, gets 401.</summary>
    public int RevokeAll()
    {
        lock (_gate)
        {
            var before = _revoked.Count;
            _revoked.UnionWith(_tokens.Keys);
            return _revoked.Count - before;
        }
    }

    public int IssuedCount
    {
        get
        {
            lock (_gate)
            {
                return _tokens.Values.Count(t => !t.IsStatic);
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _tokens.Clear();
            _revoked.Clear();
        }
    }

    private static string? ExtractToken(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return null;
        }

        var value = authorization.Trim();
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            value = value[7..].Trim();
        }

        return value.Length == 0 ? null : value;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
