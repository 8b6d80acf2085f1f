namespace Awaaz.Server.Outbound;

/// <summary>Settings of requests Awaaz sends to partner-chosen URLs (agent functions; partner webhooks later).</summary>
public sealed class OutboundOptions
{
    /// <summary>
    /// <c>WEBHOOK_ALLOW_PRIVATE_TARGETS=true</c> (development and tests only): lifts the address check and also allows
    /// <c>http://</c> URLs (partner-api.md §8.1).
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    public static void Configure(OutboundOptions options, IConfiguration configuration) =>
        options.AllowPrivateTargets = configuration["WEBHOOK_ALLOW_PRIVATE_TARGETS"]?.Trim().ToLowerInvariant() is "true" or "1";
}
