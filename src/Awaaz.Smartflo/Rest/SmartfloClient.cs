using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awaaz.Smartflo.Rest;

/// <summary>
/// Typed client for the Smartflo REST API (spec §3–§7), for one connection. Point it at any base URL (Smartflo,
/// Acefone, Servetel or a simulator) through <see cref="SmartfloClientOptions.BaseUrl"/>.
/// </summary>
/// <remarks>
/// <para><b>Auth.</b> Credentials mode logs in lazily and caches the token, refreshing it 5 minutes before expiry;
/// concurrent callers share one login. A 401 invalidates the token that was used, logs in again once and repeats
/// the request once. A rejected login blocks further logins for 60 s.</para>
/// <para><b>Errors.</b> Every failure is a <see cref="SmartfloException"/> (except <see cref="HangupAsync"/>, which
/// returns a <see cref="HangupResult"/>), recognising <c>success:false</c> and <c>ok:false</c> bodies in HTTP 200.</para>
/// <para><b>Retries.</b> 429 is retried after Retry-After (≤ 10 s per wait). 5xx, timeouts and network errors are
/// retried only for login, GET routes and hangup. Dials (<see cref="ClickToCallAsync"/>,
/// <see cref="ClickToCallSupportAsync"/>) and <see cref="TransferAsync"/> are never repeated once the request may
/// have reached Smartflo: only a 429 or a connection that was never established is retried. An error whose
/// <see cref="SmartfloException.IsAmbiguous"/> is true after a dial means the call may be ringing.</para>
/// <para><b>Secrets.</b> Passwords, tokens and API keys are never logged; bodies are logged redacted and cut to 2 KB.</para>
/// <para>Thread-safe. Keep one instance per connection for the lifetime of its settings.</para>
/// </remarks>
public sealed partial class SmartfloClient : IDisposable
{
    private const int MaxResponseBytes = 16 * 1024 * 1024;
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly string DefaultUserAgent =
        "Awaaz/" + (typeof(SmartfloClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0");

    private readonly HttpClient _http;
    private readonly SmartfloClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SmartfloRequestBudget _budget;
    private readonly bool _ownsBudget;
    private readonly AccessTokenCache _tokens;
    private readonly string _userAgent;
    private int _callerIdFormat;

    /// <summary>Creates a client for one connection.</summary>
    /// <param name="httpClient">Transport; its <c>BaseAddress</c> is ignored. <see cref="CreateDefaultHandler"/> gives the spec's 3 s connect timeout.</param>
    /// <param name="options">Connection settings.</param>
    /// <param name="logger">Optional logger; receives no secrets.</param>
    /// <param name="timeProvider">Clock for token expiry, waits and timeouts; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">The base URL is invalid (see <see cref="SmartfloBaseUrl.TryNormalize"/>).</exception>
    public SmartfloClient(HttpClient httpClient, SmartfloClientOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        if (!SmartfloBaseUrl.TryNormalize(options.BaseUrl, options.AllowInsecureHttp, out var baseUrl, out var error))
            throw new ArgumentException(error, nameof(options));

        _http = httpClient;
        _options = options;
        BaseUrl = baseUrl;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _ownsBudget = options.RequestBudget is null;
        _budget = options.RequestBudget ?? new SmartfloRequestBudget(options.MaxRequestsPerSecond, _time);
        _userAgent = string.IsNullOrWhiteSpace(options.UserAgent) ? DefaultUserAgent : options.UserAgent;
        _callerIdFormat = (int)options.CallerIdFormat;
        _tokens = new AccessTokenCache(options, LoginCoreAsync, _time, _logger);
    }

    /// <summary>The normalised base URL requests go to.</summary>
    public string BaseUrl { get; }

    /// <summary>The auth mode implied by the options.</summary>
    public SmartfloAuthMode AuthMode => _options.AuthMode;

    /// <summary>True when authenticated routes (everything except click_to_call_support) can be used.</summary>
    public bool HasRestAuth => _options.HasRestAuth;

    /// <summary>True when an API key for click_to_call_support is configured.</summary>
    public bool HasApiKey => !string.IsNullOrWhiteSpace(_options.ApiKey);

    /// <summary>The caller-id form tried first; updated when the §8.4 fallback finds one that works.</summary>
    public PhoneNumbers.CallerIdFormat CallerIdFormat => (PhoneNumbers.CallerIdFormat)Volatile.Read(ref _callerIdFormat);

    /// <summary>Authentication state for connection health.</summary>
    public SmartfloAuthHealth AuthHealth => _tokens.Health;

    /// <summary>Logins started so far by this client (each one a real <c>POST /v1/auth/login</c> sequence).</summary>
    public int LoginCount => _tokens.LoginCount;

    /// <summary>
    /// A handler with the spec's 3 s connect timeout and pooled connections recycled every 5 minutes (DNS changes).
    /// Use it as <c>new HttpClient(SmartfloClient.CreateDefaultHandler())</c>. A connect attempt that runs out of
    /// time surfaces as "connection could not be established", so the client knows the request never left and may
    /// safely retry even a dial; with other handlers a connect timeout is treated as an ambiguous timeout.
    /// </summary>
    public static SocketsHttpHandler CreateDefaultHandler(TimeSpan? connectTimeout = null)
    {
        var limit = connectTimeout ?? TimeSpan.FromSeconds(3);
        return new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                connectTimeout.CancelAfter(limit);
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, connectTimeout.Token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    socket.Dispose();
                    throw new SocketException((int)SocketError.TimedOut);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsBudget) _budget.Dispose();
    }

    private enum Auth { None, Bearer }

    /// <summary>
    /// Sends one logical request with the route's retry policy and the 401 re-login rule. Returns only successful
    /// responses; everything else is a <see cref="SmartfloException"/>.
    /// </summary>
    private async Task<ProviderResponse> SendAsync(
        SmartfloEndpoint endpoint, HttpMethod method, string pathAndQuery, byte[]? body, Auth auth, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var policy = RetryPolicy.For(endpoint);
        var rateLimited = 0;
        var transient = 0;
        var reloggedIn = false;
        while (true)
        {
            string? token = null;
            if (auth == Auth.Bearer)
            {
                if (!_options.HasRestAuth)
                    throw new InvalidOperationException($"{endpoint.Path()} needs a static token or login credentials; this connection has neither.");
                token = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
            }

            ProviderResponse? response = null;
            SmartfloException? sendFailure = null;
            try
            {
                response = await SendOnceAsync(endpoint, method, pathAndQuery, body, token, timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (SmartfloException error)
            {
                sendFailure = error;
            }

            if (response is { IsSuccess: true })
            {
                if (token is not null) _tokens.ReportAccepted();
                return response;
            }
            var failure = sendFailure ?? response!.ToException(endpoint);

            if (response is not null && token is not null && (response.Status == 401 || (response.Status == 403 && _options.Treat403AsExpired)))
            {
                if (!reloggedIn)
                {
                    reloggedIn = true;
                    if (_tokens.Invalidate(token))
                    {
                        _logger.LogInformation("Smartflo {Path} answered {Status}; logging in again and repeating once", endpoint.Path(), response.Status);
                        continue;
                    }
                    throw Logged(Rejected401(endpoint, failure, "static token rejected"));
                }
                var rejected = Rejected401(endpoint, failure, failure.ProviderMessage);
                _tokens.ReportRejected(rejected);
                throw Logged(rejected);
            }

            var decision = policy.Decide(failure, rateLimited, transient);
            if (!decision.Retry) throw Logged(failure);
            if (decision.CountsAsRateLimit) rateLimited++;
            else transient++;
            _logger.LogInformation("Smartflo {Path} {Kind} (status {Status}); retrying in {Delay} ms",
                endpoint.Path(), failure.KindName, failure.HttpStatus, (int)decision.Delay.TotalMilliseconds);
            await Task.Delay(decision.Delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ProviderResponse> SendOnceAsync(
        SmartfloEndpoint endpoint, HttpMethod method, string pathAndQuery, byte[]? body, string? token, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        if (!await _budget.AcquireAsync(endpoint.Priority(), cancellationToken).ConfigureAwait(false))
            throw new SmartfloException(endpoint, SmartfloErrorKind.RateLimited, 0,
                $"local request budget ({_budget.RequestsPerSecond}/s) would queue this request longer than {_budget.MaxWait.TotalSeconds:0.#} s",
                requestSent: false);

        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        using var request = new HttpRequestMessage(method, BaseUrl + pathAndQuery);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        if (token is not null)
            request.Headers.TryAddWithoutValidation("Authorization",
                token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? token : "Bearer " + token);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = JsonMediaType;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var bytes = await ReadBodyAsync(response.Content, linked.Token).ConfigureAwait(false);
            var result = ProviderResponse.Read((int)response.StatusCode, bytes, response.Headers.RetryAfter, _time.GetUtcNow());
            _logger.LogDebug("Smartflo {Method} {Path} -> {Status} in {Elapsed} ms",
                method.Method, endpoint.Path(), result.Status, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException error)
        {
            throw new SmartfloException(endpoint, SmartfloErrorKind.Timeout, 0,
                $"no response within {timeout.TotalSeconds:0.#} s", innerException: error);
        }
        catch (HttpRequestException error)
        {
            var notSent = error.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
                          or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;
            var timedOut = error.InnerException is TimeoutException || error.InnerException?.InnerException is TimeoutException;
            throw new SmartfloException(endpoint, timedOut ? SmartfloErrorKind.Timeout : SmartfloErrorKind.Unreachable, 0,
                Describe(error), requestSent: !notSent, innerException: error);
        }
    }

    private SmartfloException Logged(SmartfloException failure)
    {
        _logger.LogWarning("Smartflo {Path} failed: {Kind} status {Status}: {Message} {Body}",
            failure.Endpoint.Path(), failure.KindName, failure.HttpStatus, failure.ProviderMessage, failure.RawBody);
        return failure;
    }

    private static string Describe(HttpRequestException error)
    {
        var socket = error.InnerException as SocketException ?? error.InnerException?.InnerException as SocketException;
        return socket is not null ? $"{error.HttpRequestError}: {socket.SocketErrorCode}" : $"{error.HttpRequestError}: {error.Message}";
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await stream.ReadAsync(buffer.GetMemory(8192), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > MaxResponseBytes) break;
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static SmartfloException Rejected401(SmartfloEndpoint endpoint, SmartfloException response, string message) => new(
        endpoint, SmartfloErrorKind.Auth, response.HttpStatus, message, response.RawBody, isCredentialFailure: response.HttpStatus == 401);

    private async Task<SmartfloLoginResult> LoginCoreAsync()
    {
        var body = Json(writer =>
        {
            writer.WriteString("email", _options.Email!.Trim());
            writer.WriteString("password", _options.Password);
        });
        var response = await SendAsync(SmartfloEndpoint.Login, HttpMethod.Post, SmartfloEndpoint.Login.Path(), body, Auth.None,
            _options.RequestTimeout, CancellationToken.None).ConfigureAwait(false);

        var json = response.Body;
        var token = LooseJson.String(LooseJson.Property(json, "access_token"));
        if (token is null)
        {
            var message = response.Message == $"HTTP {response.Status}" ? "login response carried no access_token" : response.Message;
            throw new SmartfloException(SmartfloEndpoint.Login, SmartfloErrorKind.Auth, response.Status, message,
                response.RedactedBody, isCredentialFailure: true);
        }
        var expiresIn = LooseJson.Double(LooseJson.Property(json, "expires_in"));
        var daysLeft = LooseJson.Int32(LooseJson.Property(json, "number_of_days_left"));
        return new SmartfloLoginResult(SmartfloAccessToken.FromLogin(token, expiresIn, _time.GetUtcNow()), daysLeft);
    }

    private static byte[] Json(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
