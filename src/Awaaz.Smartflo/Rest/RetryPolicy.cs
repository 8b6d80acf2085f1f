namespace Awaaz.Smartflo.Rest;

/// <summary>
/// Per-route retry rules of spec §3/§7, as a pure decision so they can be checked without HTTP.
/// <list type="bullet">
/// <item>429 is always safe to retry (Smartflo did not accept the request): wait Retry-After, else body
/// <c>retry_after</c>, else 1 s, at most 10 s per wait.</item>
/// <item>5xx, timeouts and network errors are retried only on routes where a repeat cannot do harm: login and GETs
/// (1 s, 2 s) and hangup (0.5 s, 1 s; ending a call twice is harmless).</item>
/// <item>Dials (click_to_call, click_to_call_support) and transfers are never retried after the request may have
/// reached Smartflo; they are retried only when it is certain nothing was sent (connection not established).</item>
/// <item><c>success:false</c> and 4xx are never retried here (credentials or input problem).</item>
/// </list>
/// </summary>
internal sealed record RetryPolicy(int RateLimitRetries, int TransientRetries, int NotSentRetries, TimeSpan[] Backoff)
{
    /// <summary>Longest single wait honoured for a 429.</summary>
    public static readonly TimeSpan MaxRateLimitWait = TimeSpan.FromSeconds(10);

    /// <summary>Wait after a 429 that names no delay.</summary>
    public static readonly TimeSpan DefaultRateLimitWait = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan[] SlowBackoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];
    private static readonly TimeSpan[] FastBackoff = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)];

    /// <summary>The policy for one route.</summary>
    public static RetryPolicy For(SmartfloEndpoint endpoint) => endpoint switch
    {
        SmartfloEndpoint.Login => new(RateLimitRetries: 2, TransientRetries: 2, NotSentRetries: 2, SlowBackoff),
        SmartfloEndpoint.ClickToCall or SmartfloEndpoint.ClickToCallSupport => new(2, 0, NotSentRetries: 2, FastBackoff),
        SmartfloEndpoint.Hangup => new(2, TransientRetries: 2, NotSentRetries: 2, FastBackoff),
        SmartfloEndpoint.Transfer => new(1, 0, NotSentRetries: 1, FastBackoff),
        _ => new(2, TransientRetries: 2, NotSentRetries: 2, SlowBackoff),
    };

    /// <summary>
    /// Whether to try again after <paramref name="failure"/>, and after what delay. <paramref name="rateLimitedSoFar"/>
    /// and <paramref name="transientSoFar"/> count earlier retries of each class for this request.
    /// </summary>
    public RetryDecision Decide(SmartfloException failure, int rateLimitedSoFar, int transientSoFar)
    {
        switch (failure.Kind)
        {
            case SmartfloErrorKind.RateLimited when failure.HttpStatus == 429:
                if (rateLimitedSoFar >= RateLimitRetries) return RetryDecision.Stop;
                var wait = failure.RetryAfter ?? DefaultRateLimitWait;
                return RetryDecision.After(wait > MaxRateLimitWait ? MaxRateLimitWait : wait, rateLimited: true);

            case SmartfloErrorKind.ServerError or SmartfloErrorKind.Timeout or SmartfloErrorKind.Unreachable:
                var allowed = failure.RequestSent ? TransientRetries : Math.Max(TransientRetries, NotSentRetries);
                if (transientSoFar >= allowed) return RetryDecision.Stop;
                return RetryDecision.After(Backoff[Math.Min(transientSoFar, Backoff.Length - 1)], rateLimited: false);

            default:
                return RetryDecision.Stop;
        }
    }
}

/// <summary>Outcome of <see cref="RetryPolicy.Decide"/>.</summary>
internal readonly record struct RetryDecision(bool Retry, TimeSpan Delay, bool CountsAsRateLimit)
{
    public static RetryDecision Stop => default;

    public static RetryDecision After(TimeSpan delay, bool rateLimited) => new(true, delay, rateLimited);
}
