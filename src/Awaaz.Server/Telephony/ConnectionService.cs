using Awaaz.Server.Api;
using Awaaz.Server.Partners;

namespace Awaaz.Server.Telephony;

/// <summary>
/// Creating and changing connections: validation beyond single fields, verification against Smartflo before
/// anything is saved, default bookkeeping, and the background number sync after a save.
/// </summary>
public sealed class ConnectionService(
    ConnectionStore connections, PhoneNumberStore numbers, SmartfloGateway gateway, PhoneNumberSync sync,
    PublicUrls urls, TimeProvider clock)
{
    public static void EnsureProviderAllowed(Partner partner)
    {
        if (!partner.AllowedTelephonyProviders.Contains(TelephonyProviders.TataSmartflo))
            throw new ApiException(403, ErrorCodes.ProviderNotAllowed, "Provider tata_smartflo is not allowed for this account",
                new { provider = TelephonyProviders.TataSmartflo, allowed_telephony_providers = partner.AllowedTelephonyProviders });
    }

    public async Task<TelephonyConnection> CreateAsync(Partner partner, string name, ConnectionInput input, RequestFields body, string managedBy, CancellationToken ct)
    {
        if (!input.FromNumberSent) body.Fail("from_number", "is required");
        var secrets = input.ApplySecrets(new ConnectionSecrets(null, null, null));
        var email = ConnectionInput.Blank(input.Email.Value);
        ValidateAuth(body, email, secrets, input);
        var settings = input.ApplySettings(new ConnectionSettings());
        body.ThrowIfInvalid();
        EnsureProviderAllowed(partner);

        var baseUrl = TelephonyConnection.NormalizeBaseUrl(input.BaseUrl.Value ?? TelephonyConnection.DefaultBaseUrl);
        var (health, verifiedClient) = input.SkipVerification ? (new ConnectionHealth(), null) : await gateway.VerifyAsync(baseUrl, email, secrets, settings, ct);
        var now = clock.GetUtcNow();
        var connection = new TelephonyConnection(
            Guid.NewGuid().ToString("D"), partner.Id, TelephonyProviders.TataSmartflo, name, ConnectionStatus.Active, false, managedBy,
            email, secrets.Password is not null, ConnectionSecrets.Mask(secrets.ApiKey), ConnectionSecrets.Mask(secrets.AuthToken),
            input.FromNumber.Value!, baseUrl, ConnectionInput.Blank(input.AgentNumber.Value), settings, health, now, now);
        connection = await connections.CreateAsync(connection, secrets, TelephonyConnection.NewSmartfloSecret(), ct);
        if (verifiedClient is not null) gateway.Adopt(connection, verifiedClient);
        if (connection.HasRestAuth) sync.StartInBackground(connection);
        return connection;
    }

    public async Task<TelephonyConnection> UpdateAsync(
        Partner partner, TelephonyConnection connection, ConnectionInput input, RequestFields body,
        Supplied<string?> status, bool makeDefault, bool rotateSecret, CancellationToken ct)
    {
        var current = await connections.GetSecretsAsync(connection.Id, ct);
        var secrets = input.ApplySecrets(current);
        var email = input.Email.IsSet ? ConnectionInput.Blank(input.Email.Value) : connection.TataEmail;
        ValidateAuth(body, email, secrets, input);
        var settings = input.ApplySettings(connection.Settings);
        body.ThrowIfInvalid();
        EnsureProviderAllowed(partner);
        if (connection.ManagedBy == TelephonyConnection.ManagedByEnv)
            throw ApiException.Conflict("managed_by_env", "Connection is managed by environment variables");

        var baseUrl = input.BaseUrl.IsSet && input.BaseUrl.Value is { } url ? TelephonyConnection.NormalizeBaseUrl(url) : connection.BaseUrl;
        var health = connection.Health;
        Awaaz.Smartflo.Rest.SmartfloClient? verifiedClient = null;
        if (input.ChangesAuth && !input.SkipVerification)
            (health, verifiedClient) = await gateway.VerifyAsync(baseUrl, email, secrets, settings, ct);

        var updated = connection with
        {
            Name = input.Name.Or(connection.Name)!,
            Status = status.Or(connection.Status)!,
            TataEmail = email,
            HasPassword = secrets.Password is not null,
            ApiKeyMask = ConnectionSecrets.Mask(secrets.ApiKey),
            AuthTokenMask = ConnectionSecrets.Mask(secrets.AuthToken),
            FromNumber = input.FromNumber.Or(connection.FromNumber)!,
            BaseUrl = baseUrl,
            AgentNumber = input.AgentNumber.IsSet ? ConnectionInput.Blank(input.AgentNumber.Value) : connection.AgentNumber,
            Settings = settings,
            Health = health,
        };
        var secretsChanged = secrets != current;
        updated = await connections.UpdateAsync(updated, secretsChanged ? secrets : null, rotateSecret ? TelephonyConnection.NewSmartfloSecret() : null, makeDefault, ct);
        if (verifiedClient is not null) gateway.Adopt(updated, verifiedClient);
        if (updated.HasRestAuth && input.ChangesAuth) sync.StartInBackground(updated);
        return updated;
    }

    /// <summary>Both-or-neither e-mail/password; at least one of credentials, static token, API key.</summary>
    private static void ValidateAuth(RequestFields body, string? email, ConnectionSecrets secrets, ConnectionInput input)
    {
        if ((email is null) != (secrets.Password is null))
            body.Fail(email is null ? "tata_email" : "tata_password", "tata_email and tata_password go together");
        if (email is null && secrets.AuthToken is null && secrets.ApiKey is null)
            body.Fail("auth", "one of tata_email + tata_password, auth_token or api_key is required");
    }

    public async Task<object> RenderAsync(TelephonyConnection connection, HttpRequest request, CancellationToken ct)
    {
        var secret = await connections.GetSmartfloSecretAsync(connection.Id, ct);
        var list = await numbers.ListForConnectionAsync(connection.Id, ct);
        return ConnectionJson.Connection(connection, urls.BaseFor(request), SelfHostedBootstrap.IsOpenSecret(secret) ? null : secret, list);
    }
}
