using System.Threading.RateLimiting;

namespace Awaaz.Server.Api;

public enum RateBucket { General, Calls, WebSessions }

/// <summary>
/// Per-API-key token buckets (partner-api.md §5.1): capacity = limit, refill = limit/60 per second.
/// Applied as an endpoint filter on the <c>/api/v2</c> group, so unknown routes (404) take no token.
/// Every answer carries X-RateLimit-Limit/Remaining/Reset; an empty bucket answers 429 RATE_LIMITED
/// with Retry-After.
/// </summary>
public sealed class PartnerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(string KeyId, RateBucket Bucket, int Limit)> _limiter =
        PartitionedRateLimiter.Create<(string KeyId, RateBucket Bucket, int Limit), (string, RateBucket, int)>(
            key => RateLimitPartition.GetTokenBucketLimiter(key, k => new TokenBucketRateLimiterOptions
            {
                TokenLimit = k.Limit,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromSeconds(60.0 / k.Limit),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    public static RateBucket BucketFor(PathString path, string method) =>
        path.StartsWithSegments("/api/v2/calls") ? RateBucket.Calls
        : path.StartsWithSegments("/api/v2/sessions/web") && HttpMethods.IsPost(method) ? RateBucket.WebSessions
        : RateBucket.General;

    public async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var caller = Caller.From(context);
        var bucket = BucketFor(context.Request.Path, context.Request.Method);
        var limit = bucket switch
        {
            RateBucket.Calls => caller.Partner.RateLimits.CallsPerMinute,
            RateBucket.WebSessions => caller.Partner.RateLimits.WebSessionsPerMinute,
            _ => caller.Partner.RateLimits.GeneralPerMinute,
        };
        var key = (caller.ApiKeyId, bucket, Math.Max(1, limit));
        using var lease = _limiter.AttemptAcquire(key);
        var secondsPerToken = 60.0 / key.Item3;
        var remaining = (int)(_limiter.GetStatistics(key)?.CurrentAvailablePermits ?? 0);
        var headers = context.Response.Headers;
        headers["X-RateLimit-Limit"] = key.Item3.ToString();
        headers["X-RateLimit-Remaining"] = remaining.ToString();
        headers["X-RateLimit-Reset"] = ((int)Math.Ceiling((key.Item3 - remaining) * secondsPerToken)).ToString();

        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
                : Math.Max(1, (int)Math.Ceiling(secondsPerToken));
            throw new ApiException(429, ErrorCodes.RateLimited, "Rate limit exceeded",
                new { bucket = bucket switch { RateBucket.Calls => "calls", RateBucket.WebSessions => "web_sessions", _ => "general" }, limit = key.Item3, window_seconds = 60, retry_after_seconds = retryAfter },
                retryAfter);
        }
        return await next(invocation);
    }

    public void Dispose() => _limiter.Dispose();
}
