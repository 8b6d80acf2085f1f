using Awaaz.Smartflo.Simulator.Auth;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Rest;

namespace Awaaz.Smartflo.Simulator.Faults;

/// <summary>The fault switches of a running simulator; safe to flip from tests while requests are in flight.</summary>
public sealed class SimFaults
{
    private readonly TokenIssuer _tokens;
    private readonly SimIds _ids;
    private readonly Lock _gate = new();
    private FaultSettings _settings = new();

    internal SimFaults(TokenIssuer tokens, SimIds ids)
    {
        _tokens = tokens;
        _ids = ids;
    }

    /// <summary>A copy of the current knobs.</summary>
    public FaultSettings Current
    {
        get
        {
            lock (_gate)
            {
                return _settings.Clone();
            }
        }
    }

    public void Replace(FaultSettings settings)
    {
        Validate(settings);
        lock (_gate)
        {
            _settings = settings.Clone();
        }
    }

    public void Update(Action<FaultSettings> change)
    {
        lock (_gate)
        {
            var copy = _settings.Clone();
            change(copy);
            Validate(copy);
            _settings = copy;
        }
    }

    private static void Validate(FaultSettings settings)
    {
        foreach (var rule in settings.Forced)
        {
            if (rule.Route is not ("*" or "" or "authenticated") && SmartfloRouteFacts.FromWireName(rule.Route) is null)
            {
                throw new ArgumentException(
                    $"Unknown route '{rule.Route}': use *, authenticated or one of {string.Join(", ", Enum.GetValues<SmartfloRoute>().Select(r => r.WireName()))}.");
            }

            if (rule.Status is not (200 or 400 or 401 or 403 or 404 or 422 or 429) and not (>= 500 and <= 599))
            {
                throw new ArgumentException($"Status {rule.Status} cannot be forced: use 200, 400, 401, 403, 404, 422, 429 or 5xx.");
            }
        }
    }

    public void Clear() => Replace(new FaultSettings());

    /// <summary>Every token issued so far (static ones too) is answered with 401 from now on.</summary>
    public int ExpireAllTokensNow() => _tokens.RevokeAll();

    /// <summary>The next <paramref name="count"/> Bearer-authenticated requests get 401.</summary>
    public void ForceUnauthorized(int count) =>
        ForceStatus(401, count, "authenticated");

    /// <summary>The next <paramref name="count"/> requests (any route unless given) get a 5xx (500/502 HTML, 503 empty, 504 HTML).</summary>
    public void ForceServerErrors(int count, int status = 500, string route = "*")
    {
        if (status is < 500 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A server error status is 5xx.");
        }

        ForceStatus(status, count, route);
    }

    public void ForceStatus(int status, int count, string route = "*", int retryAfterSeconds = 30, bool okFalse = false) =>
        Update(s => s.Forced.Add(new ForcedResponse
        {
            Status = status,
            Count = count,
            Route = route,
            RetryAfterSeconds = retryAfterSeconds,
            OkFalse = okFalse,
        }));

    /// <summary>Shared per-account request budget; beyond it 429 with `Retry-After`. Null removes the override.</summary>
    public void LimitCallsPerSecond(int? callsPerSecond) =>
        Update(s => s.CallsPerSecond = callsPerSecond);

    public void AddLatency(int milliseconds, int jitterMilliseconds = 0) =>
        Update(s =>
        {
            s.LatencyMs = milliseconds;
            s.LatencyJitterMs = jitterMilliseconds;
        });

    public void FailLogins(LoginFailureMode mode, int retryAfterSeconds = 30) =>
        Update(s =>
        {
            s.LoginFailure = mode;
            s.LoginRetryAfterSeconds = retryAfterSeconds;
        });

    /// <summary>Latency to add to this request: fixed + uniform jitter from the seeded generator.</summary>
    internal TimeSpan NextLatency()
    {
        var settings = Current;
        if (settings.LatencyMs <= 0 && settings.LatencyJitterMs <= 0)
        {
            return TimeSpan.Zero;
        }

        var jitter = settings.LatencyJitterMs > 0 ? _ids.Next(0, settings.LatencyJitterMs + 1) : 0;
        return TimeSpan.FromMilliseconds(Math.Max(0, settings.LatencyMs) + jitter);
    }

    /// <summary>Consumes the first forced response matching this route, if any.</summary>
    internal ForcedResponse? TakeForced(SmartfloRoute route)
    {
        lock (_gate)
        {
            foreach (var rule in _settings.Forced)
            {
                if (!Matches(rule.Route, route))
                {
                    continue;
                }

                if (rule.Probability is { } probability)
                {
                    if (_ids.NextDouble() < probability)
                    {
                        return Copy(rule);
                    }

                    continue;
                }

                if (rule.Count <= 0)
                {
                    continue;
                }

                rule.Count--;
                var taken = Copy(rule);
                if (rule.Count == 0)
                {
                    _settings.Forced.Remove(rule);
                }

                return taken;
            }

            return null;
        }
    }

    private static bool Matches(string scope, SmartfloRoute route) => scope switch
    {
        "*" or "" => true,
        "authenticated" => route.TakesBearerToken(),
        _ => scope == route.WireName(),
    };

    private static ForcedResponse Copy(ForcedResponse rule) => new()
    {
        Route = rule.Route,
        Status = rule.Status,
        Count = rule.Count,
        Probability = rule.Probability,
        OkFalse = rule.OkFalse,
        RetryAfterSeconds = rule.RetryAfterSeconds,
    };
}
