using System.Security.Cryptography;
using System.Text;
using Awaaz.Server.Api;
using Microsoft.Extensions.Options;

namespace Awaaz.Server.Partners;

/// <summary>Operator admin API (partner-api.md §19): <c>/api/admin</c>, bearer <c>AWAAZ_ADMIN_TOKEN</c>; 404 while unset.</summary>
public static class AdminEndpoints
{
    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").AddEndpointFilter(RequireAdminToken).WithTags("Admin").ExcludeFromDescription();

        admin.MapPost("/partners", async (HttpRequest request, PartnerStore partners, CancellationToken ct) =>
        {
            var body = await RequestFields.ReadAsync(request, ct);
            var name = body.String("name", required: true, pattern: PartnerRules.NamePattern(), patternMessage: "must match ^[a-z0-9][a-z0-9-]{1,62}$");
            var displayName = body.String("display_name", required: true, max: 200);
            body.ThrowIfInvalid();
            var partner = PartnerRules.Apply(partners.NewPartner(name.Value!, displayName.Value!), body);
            body.ThrowIfInvalid();
            return Envelope.Created(PartnerRules.ToJson(await partners.CreateAsync(partner, ct)));
        });
        admin.MapGet("/partners", async (PartnerStore partners, CancellationToken ct) =>
            Envelope.Ok(new { partners = (await partners.ListAsync(ct)).Select(PartnerRules.ToJson) }));
        admin.MapGet("/partners/{id}", async (string id, PartnerStore partners, CancellationToken ct) =>
            Envelope.Ok(PartnerRules.ToJson(await Require(partners, id, ct))));
        admin.MapMethods("/partners/{id}", ["PATCH", "PUT"], async (string id, HttpRequest request, PartnerStore partners, CancellationToken ct) =>
        {
            var partner = await Require(partners, id, ct);
            var body = await RequestFields.ReadAsync(request, ct);
            var updated = PartnerRules.Apply(partner, body);
            body.ThrowIfInvalid();
            return Envelope.Ok(PartnerRules.ToJson(await partners.UpdateAsync(updated, ct)));
        });
        admin.MapPost("/partners/{id}/api-keys", async (string id, HttpRequest request, PartnerStore partners, ApiKeyStore keys, CancellationToken ct) =>
        {
            var partner = await Require(partners, id, ct);
            string? label = null;
            if (request.ContentLength > 0)
            {
                var body = await RequestFields.ReadAsync(request, ct);
                label = body.String("label", max: 100).Value;
                body.ThrowIfInvalid();
            }
            var issued = await keys.IssueAsync(partner.Id, label, ct: ct);
            return Envelope.Created(new
            {
                id = issued.Info.Id, key = issued.Key, prefix = issued.Info.Prefix, last4 = issued.Info.Last4,
                label = issued.Info.Label, created_at = issued.Info.CreatedAt,
                message = "Save this key — it will not be shown again.",
            });
        });
        admin.MapGet("/partners/{id}/api-keys", async (string id, PartnerStore partners, ApiKeyStore keys, CancellationToken ct) =>
        {
            var partner = await Require(partners, id, ct);
            return Envelope.Ok(new { api_keys = (await keys.ListAsync(partner.Id, ct)).Select(PartnerRules.ToJson) });
        });
        admin.MapDelete("/api-keys/{id}", async (string id, ApiKeyStore keys, CancellationToken ct) =>
        {
            var keyId = RouteValues.Id(id, "api_key");
            return await keys.RevokeAsync(keyId, ct) ? Envelope.Message("API key revoked") : throw ApiException.NotFound("api_key", keyId);
        });
    }

    private static async Task<Partner> Require(PartnerStore partners, string id, CancellationToken ct) =>
        await partners.GetAsync(RouteValues.Id(id, "partner"), ct) ?? throw ApiException.NotFound("partner", id);

    private static async ValueTask<object?> RequireAdminToken(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var token = context.RequestServices.GetRequiredService<IOptions<AwaazOptions>>().Value.AdminToken;
        if (string.IsNullOrEmpty(token))
            throw new ApiException(404, ErrorCodes.NotFound, "Route not found");
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(token))))
            throw new ApiException(401, ErrorCodes.Unauthorized, presented.Length == 0 ? "Missing admin token" : "Invalid admin token");
        return await next(invocation);
    }
}
