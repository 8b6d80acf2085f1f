namespace Awaaz.Server;

/// <summary>Server settings, section <c>Awaaz</c> (environment: <c>Awaaz__PublicUrl</c> etc.).</summary>
public sealed class AwaazOptions
{
    public const string Section = "Awaaz";

    /// <summary>Public base URL (https) used to build callback URLs; <c>PUBLIC_URL</c> / <c>NEXT_PUBLIC_APP_URL</c> also set it.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Create a "default" partner and print its one-time key when the database has no partner.</summary>
    public bool CreateDefaultPartner { get; set; } = true;

    /// <summary>Bearer token for <c>/api/admin</c>; the admin API answers 404 while unset (<c>AWAAZ_ADMIN_TOKEN</c>).</summary>
    public string? AdminToken { get; set; }

    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const string DefaultConnectionString = "Data Source=./data/awaaz.db";
}
