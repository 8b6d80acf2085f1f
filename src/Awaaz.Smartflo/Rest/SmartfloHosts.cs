using System.Diagnostics.CodeAnalysis;

namespace Awaaz.Smartflo.Rest;

/// <summary>REST base URLs of Smartflo and its white-label twins (spec §2). Paths such as <c>/v1/auth/login</c> are appended.</summary>
public static class SmartfloHosts
{
    /// <summary>Tata Smartflo (default).</summary>
    public const string Smartflo = "https://api-smartflo.tatateleservices.com";
    /// <summary>Acefone India.</summary>
    public const string AcefoneIndia = "https://api.acefone.in";
    /// <summary>Acefone UK.</summary>
    public const string AcefoneUk = "https://api-account-uk.acefone.com";
    /// <summary>Acefone UK, older host.</summary>
    public const string AcefoneUkLegacy = "https://api.acefone.co.uk";
    /// <summary>Servetel.</summary>
    public const string Servetel = "https://api.servetel.in";
    /// <summary>Smartflo panel and recording host (appears in <c>recording_url</c> and the JWT <c>iss</c>); not a REST base.</summary>
    public const string SmartfloPanel = "https://cloudphone.tatateleservices.com";
}

/// <summary>Validation and normalisation of a connection's <c>base_url</c> (spec §2).</summary>
public static class SmartfloBaseUrl
{
    /// <summary>
    /// Trims whitespace, strips trailing <c>/</c> and one trailing <c>/v1</c>, and requires an absolute
    /// <c>https://</c> URL (<c>http://</c> only when <paramref name="allowInsecureHttp"/>, for simulators and tests).
    /// Returns false with a human-readable <paramref name="error"/> otherwise.
    /// </summary>
    public static bool TryNormalize(string? raw, bool allowInsecureHttp, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            error = "base_url is empty";
            return false;
        }
        var text = raw.Trim().TrimEnd('/');
        if (text.EndsWith("/v1", StringComparison.OrdinalIgnoreCase)) text = text[..^3].TrimEnd('/');

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = "base_url must be an absolute URL";
            return false;
        }
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            error = "base_url must not contain a query or fragment";
            return false;
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !allowInsecureHttp)
        {
            error = "base_url must use https://";
            return false;
        }
        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            error = "base_url must use https://";
            return false;
        }
        normalized = text;
        error = null;
        return true;
    }
}
