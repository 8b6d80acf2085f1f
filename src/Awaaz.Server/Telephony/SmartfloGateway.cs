using System.Collections.Concurrent;
using Awaaz.Server.Api;
using Awaaz.Smartflo.Rest;

namespace Awaaz.Server.Telephony;

/// <summary>
/// Gives each stored connection its long-lived <see cref="SmartfloClient"/> (token cache, request budget),
/// rebuilt when the connection changes, and maps Smartflo failures to the partner error codes.
/// </summary>
public sealed class SmartfloGateway(ConnectionStore connections, IConfiguration configuration, ILoggerFactory loggers, TimeProvider clock) : IDisposable
{
    private readonly HttpClient _http = new(SmartfloClient.CreateDefaultHandler()) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ConcurrentDictionary<string, (DateTimeOffset Version, SmartfloClient Client)> _clients = new();

    /// <summary><c>AWAAZ_ALLOW_INSECURE_PROVIDER_URLS=true</c> allows <c>http://</c> base URLs (simulator and tests).</summary>
    public bool AllowInsecureUrls => configuration.GetValue<bool>("AWAAZ_ALLOW_INSECURE_PROVIDER_URLS");

    public SmartfloClient CreateClient(string baseUrl, string? email, ConnectionSecrets secrets, ConnectionSettings settings) =>
        new(_http, new SmartfloClientOptions
        {
            BaseUrl = baseUrl,
            AllowInsecureHttp = AllowInsecureUrls,
            Email = email,
            Password = secrets.Password,
            StaticToken = secrets.AuthToken,
            ApiKey = secrets.ApiKey,
            MaxRequestsPerSecond = settings.MaxRequestsPerSecond,
            Treat403AsExpired = settings.EffectiveCompat.Treat403AsExpired,
        }, loggers.CreateLogger<SmartfloClient>(), clock);

    /// <summary>The cached client of a connection (a new one after the connection was updated).</summary>
    public async Task<SmartfloClient> ForConnectionAsync(TelephonyConnection connection, CancellationToken ct = default)
    {
        if (_clients.TryGetValue(connection.Id, out var cached) && cached.Version >= connection.UpdatedAt)
            return cached.Client;
        var secrets = await connections.GetSecretsAsync(connection.Id, ct);
        lock (_clients)
        {
            if (_clients.TryGetValue(connection.Id, out cached) && cached.Version >= connection.UpdatedAt)
                return cached.Client;
            var client = CreateClient(connection.BaseUrl, connection.TataEmail, secrets, connection.Settings);
            _clients[connection.Id] = (connection.UpdatedAt, client);
            cached.Client?.Dispose(); // the superseded client only owned its request budget
            return client;
        }
    }

    /// <summary>
    /// Checks REST auth before a connection is saved: login for credentials, <c>GET /v1/my_number</c> for a static token
    /// (the static token wins when both are set, as at call time). An API key alone cannot be checked without dialling.
    /// Rejected → 422 PROVIDER_CREDENTIALS_REJECTED; unreachable, timeout or 5xx → 502 PROVIDER_ERROR.
    /// </summary>
    public async Task<(ConnectionHealth Health, SmartfloClient? Client)> VerifyAsync(string baseUrl, string? email, ConnectionSecrets secrets, ConnectionSettings settings, CancellationToken ct)
    {
        var client = CreateClient(baseUrl, email, secrets, settings);
        if (!client.HasRestAuth)
        {
            client.Dispose();
            return (new ConnectionHealth(AuthStatus: "not_applicable"), null);
        }
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            if (client.AuthMode == SmartfloAuthMode.StaticToken)
                await client.GetMyNumbersAsync(budget.Token);
            else
                await client.LoginAsync(budget.Token);
            var health = client.AuthHealth;
            return (new ConnectionHealth(AuthStatus: "ok", LastLoginAt: health.LastLoginAt, TokenExpiresAt: health.TokenExpiresAt, Warnings: []), client);
        }
        catch (SmartfloException ex)
        {
            client.Dispose();
            throw ToApiException(ex);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            client.Dispose();
            throw new ApiException(502, ErrorCodes.ProviderError, "Tata SmartFlo API error: timeout",
                new { provider = TelephonyProviders.TataSmartflo, provider_status = (int?)null, provider_message = "no answer within 10 s" });
        }
    }

    /// <summary>Keeps a verified client (and its fresh token) as the connection's client, so saving does not log in twice.</summary>
    public void Adopt(TelephonyConnection connection, SmartfloClient client)
    {
        lock (_clients)
        {
            if (_clients.TryGetValue(connection.Id, out var old) && old.Version >= connection.UpdatedAt)
            {
                client.Dispose();
                return;
            }
            _clients[connection.Id] = (connection.UpdatedAt, client);
            old.Client?.Dispose();
        }
    }

    /// <summary>Credential failures → 422, everything else → 502 (with Retry-After for a final 429).</summary>
    public static ApiException ToApiException(SmartfloException ex, string? callId = null)
    {
        if (ex.IsCredentialFailure || ex.Kind == SmartfloErrorKind.Auth)
            return new ApiException(422, ErrorCodes.ProviderCredentialsRejected, ex.ProviderMessage,
                new { provider = TelephonyProviders.TataSmartflo, provider_status = ex.PartnerStatus, provider_message = ex.ProviderMessage });
        int? retryAfter = ex.Kind == SmartfloErrorKind.RateLimited ? Math.Max(1, (int)Math.Ceiling((ex.RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds)) : null;
        object details = callId is null
            ? new { provider = TelephonyProviders.TataSmartflo, provider_status = ex.PartnerStatus, provider_message = ex.ProviderMessage, retry_after_seconds = retryAfter }
            : new { provider = TelephonyProviders.TataSmartflo, provider_status = ex.PartnerStatus, provider_message = ex.ProviderMessage, call_id = callId, retry_after_seconds = retryAfter };
        return new ApiException(502, ErrorCodes.ProviderError, ex.PartnerMessage, details, retryAfter);
    }

    public void Dispose()
    {
        foreach (var (_, entry) in _clients) entry.Client.Dispose();
        _http.Dispose();
    }
}
