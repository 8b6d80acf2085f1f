using System.Net;

namespace Awaaz.Server.Outbound;

/// <summary>
/// Checks a partner-chosen URL when it is saved: absolute <c>https://</c> (or <c>http://</c> when private targets are
/// allowed), no user credentials, and no IP literal that the connection guard would refuse anyway. Host names are
/// checked where it counts, on the resolved address at connect time (<see cref="OutboundClient"/>).
/// </summary>
public static class OutboundUrl
{
    /// <summary>The problem with <paramref name="url"/> as a field message ("must …"), or null when it is acceptable.</summary>
    public static string? Problem(string url, bool allowPrivateTargets)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            return "must be an absolute URL";
        if (uri.Scheme != Uri.UriSchemeHttps && !(allowPrivateTargets && uri.Scheme == Uri.UriSchemeHttp))
            return allowPrivateTargets ? "must be an http:// or https:// URL" : "must be an https:// URL";
        if (uri.UserInfo.Length > 0)
            return "must not contain user credentials (send them in headers)";
        if (!allowPrivateTargets && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && TargetAddress.IsBlocked(address))
            return "must not target a loopback, private, link-local or reserved address";
        return null;
    }
}
