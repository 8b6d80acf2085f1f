using Microsoft.Extensions.Logging;

namespace Awaaz.Smartflo.Rest;

/// <summary>
/// The per-connection token lifecycle of spec §4.3–§4.5: cached login tokens refreshed ahead of expiry, single-flight
/// logins (N concurrent callers cause one login), compare-and-swap invalidation on 401, a 60 s cool-down after a
/// rejected login, keeping a still-valid token when a refresh-ahead login fails transiently, and static tokens
/// with a switch to login tokens when one is rejected and credentials exist.
/// </summary>
internal sealed class AccessTokenCache
{
    public static readonly TimeSpan LoginCooldown = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan TransientRetryInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(7);

    private readonly object _gate = new();
    private readonly Func<Task<SmartfloLoginResult>> _login;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SmartfloAuthMode _mode;
    private readonly string? _staticToken;
    private readonly DateTimeOffset? _staticTokenExpiresAt;
    private readonly bool _hasCredentials;

    private bool _staticRejected;
    private SmartfloAccessToken? _current;
    private Task<SmartfloAccessToken>? _inflight;
    private DateTimeOffset _cooldownUntil;
    private SmartfloException? _cooldownCause;
    private DateTimeOffset _retryRefreshAfter;
    private SmartfloAuthStatus _status;
    private DateTimeOffset? _lastLoginAt;
    private int? _passwordDaysLeft;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;

    public AccessTokenCache(SmartfloClientOptions options, Func<Task<SmartfloLoginResult>> login, TimeProvider time, ILogger logger)
    {
        _login = login;
        _time = time;
        _logger = logger;
        _mode = options.AuthMode;
        _hasCredentials = options.HasCredentials;
        _staticToken = string.IsNullOrWhiteSpace(options.StaticToken) ? null : options.StaticToken.Trim();
        if (_staticToken is not null && SmartfloJwt.TryReadExpiry(_staticToken, out var exp)) _staticTokenExpiresAt = exp;
        _status = _mode == SmartfloAuthMode.ApiKeyOnly ? SmartfloAuthStatus.NotApplicable : SmartfloAuthStatus.Unknown;
    }

    /// <summary>Number of logins started (for diagnostics and tests).</summary>
    public int LoginCount { get; private set; }

    /// <summary>The token to send now, logging in if needed. Throws <see cref="SmartfloException"/> when no token can be had.</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        Task<SmartfloAccessToken> pending;
        lock (_gate)
        {
            if (_staticToken is not null && !_staticRejected) return _staticToken;
            if (!_hasCredentials) throw StaticTokenRejected();

            var now = _time.GetUtcNow();
            if (_current is not null && now < _current.RefreshAt) return _current.Value;
            if (now < _cooldownUntil) throw CooldownError();
            if (_current is not null && now < _current.ExpiresAt && now < _retryRefreshAfter) return _current.Value;
            pending = StartLoginLocked();
        }

        try
        {
            return (await pending.WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (SmartfloException error) when (!error.IsCredentialFailure)
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                if (_current is null || now >= _current.ExpiresAt) throw;
                _retryRefreshAfter = now + TransientRetryInterval;
                _logger.LogWarning("Smartflo refresh-ahead login failed ({Kind}); keeping the current token until {ExpiresAt:O}", error.KindName, _current.ExpiresAt);
                return _current.Value;
            }
        }
    }

    /// <summary>Logs in now (joining a login already in flight) and returns the new token's login result.</summary>
    public async Task<SmartfloAccessToken> LoginNowAsync(CancellationToken cancellationToken)
    {
        Task<SmartfloAccessToken> pending;
        lock (_gate)
        {
            if (!_hasCredentials) throw new InvalidOperationException("No Smartflo login credentials are configured.");
            if (_time.GetUtcNow() < _cooldownUntil) throw CooldownError();
            pending = StartLoginLocked();
        }
        return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A request using <paramref name="rejectedToken"/> got a 401. Forgets that token if it is still the current one
    /// (so a burst of 401s causes one login) and says whether a fresh token can be obtained by logging in.
    /// </summary>
    public bool Invalidate(string rejectedToken)
    {
        lock (_gate)
        {
            if (_staticToken is not null && rejectedToken == _staticToken)
            {
                if (!_hasCredentials)
                {
                    RecordFailureLocked("static token rejected");
                    return false;
                }
                if (!_staticRejected)
                {
                    _staticRejected = true;
                    _logger.LogWarning("Smartflo static token {Token} was rejected; switching to login tokens", SmartfloRedaction.Mask(_staticToken));
                }
                return true;
            }
            if (_current is not null && _current.Value == rejectedToken) _current = null;
            return _hasCredentials;
        }
    }

    /// <summary>An authenticated request was rejected even with a fresh token.</summary>
    public void ReportRejected(SmartfloException error)
    {
        lock (_gate) RecordFailureLocked(error.ProviderMessage);
    }

    /// <summary>An authenticated request succeeded.</summary>
    public void ReportAccepted()
    {
        lock (_gate)
            if (_status != SmartfloAuthStatus.NotApplicable) _status = SmartfloAuthStatus.Ok;
    }

    public SmartfloAuthHealth Health
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                var warnings = new List<string>();
                if (_passwordDaysLeft is <= 7) warnings.Add(SmartfloHealthWarnings.PasswordExpiring);
                if (_staticToken is not null && !_staticRejected && _staticTokenExpiresAt is { } exp && exp - now < ExpiryWarning)
                    warnings.Add(SmartfloHealthWarnings.TokenExpiring);
                if (_staticRejected) warnings.Add(SmartfloHealthWarnings.StaticTokenRejected);
                if (now < _cooldownUntil) warnings.Add(SmartfloHealthWarnings.LoginCooldown);
                var expiresAt = _staticToken is not null && !_staticRejected ? _staticTokenExpiresAt : _current?.ExpiresAt;
                return new SmartfloAuthHealth(_mode, _status, _lastLoginAt, expiresAt, _passwordDaysLeft, warnings, _lastError, _lastErrorAt);
            }
        }
    }

    private Task<SmartfloAccessToken> StartLoginLocked()
    {
        if (_inflight is not null) return _inflight;
        var completion = new TaskCompletionSource<SmartfloAccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        _inflight = completion.Task;
        LoginCount++;
        _ = Task.Run(() => RunLoginAsync(completion));
        return completion.Task;
    }

    private async Task RunLoginAsync(TaskCompletionSource<SmartfloAccessToken> completion)
    {
        try
        {
            var result = await _login().ConfigureAwait(false);
            lock (_gate)
            {
                _current = result.Token;
                _inflight = null;
                _retryRefreshAfter = default;
                _lastLoginAt = result.Token.ReceivedAt;
                _passwordDaysLeft = result.PasswordDaysLeft ?? _passwordDaysLeft;
                _status = SmartfloAuthStatus.Ok;
            }
            _logger.LogInformation("Smartflo login succeeded; {Token}", result.Token);
            completion.SetResult(result.Token);
        }
        catch (Exception error)
        {
            lock (_gate)
            {
                _inflight = null;
                if (error is SmartfloException { IsCredentialFailure: true } rejected)
                {
                    _cooldownUntil = _time.GetUtcNow() + LoginCooldown;
                    _cooldownCause = rejected;
                    _current = null;
                    RecordFailureLocked(rejected.ProviderMessage);
                }
            }
            _logger.LogWarning("Smartflo login failed: {Error}", error.Message);
            completion.SetException(error);
        }
    }

    private void RecordFailureLocked(string message)
    {
        _status = SmartfloAuthStatus.Failed;
        _lastError = message;
        _lastErrorAt = _time.GetUtcNow();
    }

    private SmartfloException CooldownError() => new(
        SmartfloEndpoint.Login, SmartfloErrorKind.Auth, 401,
        _cooldownCause?.ProviderMessage ?? "login rejected",
        _cooldownCause?.RawBody, requestSent: false, isCredentialFailure: true);

    private static SmartfloException StaticTokenRejected() => new(
        SmartfloEndpoint.Login, SmartfloErrorKind.Auth, 401, "static token rejected", requestSent: false, isCredentialFailure: true);
}
