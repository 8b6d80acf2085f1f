namespace Awaaz.Server.Voice.Cloud;

/// <summary>Why a cloud provider call failed; decides whether a caller should retry, fall back or give up.</summary>
public enum CloudProviderErrorKind
{
    /// <summary>The API key was refused (HTTP 401/403 or the vendor's auth close code). Retrying will not help.</summary>
    Authentication,

    /// <summary>Rate limited (HTTP 429) beyond the bounded retries.</summary>
    RateLimited,

    /// <summary>The vendor refused the request itself (HTTP 4xx other than auth/429, or a protocol error message).</summary>
    Rejected,

    /// <summary>The vendor could not be reached or answered 5xx beyond the bounded retries.</summary>
    Unavailable,

    /// <summary>No first byte, or no next chunk, within the configured timeout.</summary>
    Timeout,

    /// <summary>The stream ended before the vendor said it was complete; nothing partial was passed on as complete.</summary>
    Interrupted,
}

/// <summary>A failed call to a cloud provider. The message names the provider and never contains the API key.</summary>
public sealed class CloudProviderException(string provider, CloudProviderErrorKind kind, string message, Exception? inner = null)
    : Exception($"{provider}: {message}", inner)
{
    public string Provider { get; } = provider;
    public CloudProviderErrorKind Kind { get; } = kind;

    /// <summary>For <see cref="CloudProviderErrorKind.RateLimited"/>: how long the vendor asked to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The HTTP status of the failed request or WebSocket upgrade, when there was one.</summary>
    public int? StatusCode { get; init; }
}
