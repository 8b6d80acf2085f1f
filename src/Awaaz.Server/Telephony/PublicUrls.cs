using Microsoft.Extensions.Options;

namespace Awaaz.Server.Telephony;

/// <summary>
/// The public base URL for URLs handed to Smartflo and partners: <c>PUBLIC_URL</c> (alias <c>NEXT_PUBLIC_APP_URL</c>),
/// else derived per request from X-Forwarded-Proto/X-Forwarded-Host/Host (logged once as a warning).
/// </summary>
public sealed class PublicUrls(IOptions<AwaazOptions> options, ILogger<PublicUrls> logger)
{
    private int _warned;

    public string BaseFor(HttpRequest request)
    {
        if (!string.IsNullOrWhiteSpace(options.Value.PublicUrl)) return options.Value.PublicUrl.TrimEnd('/');
        if (Interlocked.Exchange(ref _warned, 1) == 0)
            logger.LogWarning("PUBLIC_URL is not set; deriving public URLs from request headers. Set PUBLIC_URL to the https address Smartflo reaches.");
        var proto = request.Headers["X-Forwarded-Proto"].ToString().Split(',')[0].Trim();
        var host = request.Headers["X-Forwarded-Host"].ToString().Split(',')[0].Trim();
        if (string.IsNullOrEmpty(proto)) proto = request.Scheme;
        if (string.IsNullOrEmpty(host)) host = request.Host.Value ?? "localhost";
        return $"{proto}://{host}";
    }

    /// <summary>Public base when no request is at hand (start-up logs, background work); null when unknown.</summary>
    public string? Configured => string.IsNullOrWhiteSpace(options.Value.PublicUrl) ? null : options.Value.PublicUrl.TrimEnd('/');
}
