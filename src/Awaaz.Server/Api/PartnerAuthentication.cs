using Awaaz.Server.Partners;

namespace Awaaz.Server.Api;

/// <summary>The authenticated partner of an <c>/api/v2</c> request. Bind it as a handler parameter.</summary>
public sealed record Caller(Partner Partner, string ApiKeyId)
{
    private const string ItemKey = "awaaz.caller";

    internal void Attach(HttpContext context) => context.Items[ItemKey] = this;

    public static Caller From(HttpContext context) =>
        context.Items[ItemKey] as Caller ?? throw new InvalidOperationException("No authenticated caller on this request.");

    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(From(context));
}

/// <summary>
/// Bearer API-key authentication for <c>/api/v2</c>: 401 for a missing, malformed, unknown or
/// revoked key; 403 for a pending or suspended partner (except <c>GET /config</c>).
/// Runs before routing so that an unknown route without a key still answers 401 (spec check order).
/// </summary>
public sealed class PartnerAuthenticationMiddleware(RequestDelegate next, ApiKeyStore keys, PartnerStore partners)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api/v2"))
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header))
            throw new ApiException(401, ErrorCodes.Unauthorized, "Missing API key");

        var space = header.IndexOf(' ');
        var scheme = space > 0 ? header[..space] : header;
        var key = space > 0 ? header[(space + 1)..].Trim() : "";
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || key.Length == 0)
            throw new ApiException(401, ErrorCodes.Unauthorized, "Invalid API key");

        var verified = await keys.VerifyAsync(key, context.RequestAborted);
        var partner = verified is { } v ? await partners.GetAsync(v.PartnerId, context.RequestAborted) : null;
        if (partner is null)
            throw new ApiException(401, ErrorCodes.Unauthorized, "Invalid API key");

        var isConfigRead = HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Equals("/api/v2/config", StringComparison.OrdinalIgnoreCase);
        if (!isConfigRead && partner.Status == PartnerStatus.Suspended)
            throw new ApiException(403, ErrorCodes.Forbidden, "Partner account is suspended", new { reason = "partner_suspended" });
        if (!isConfigRead && partner.Status == PartnerStatus.Pending)
            throw new ApiException(403, ErrorCodes.Forbidden, "Partner account is not approved", new { reason = "partner_pending" });

        new Caller(partner, verified!.Value.KeyId).Attach(context);
        await next(context);
    }
}
