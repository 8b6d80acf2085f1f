using System.Globalization;
using System.Text;
using System.Text.Json;
using Awaaz.Smartflo.PhoneNumbers;
using Microsoft.Extensions.Logging;

namespace Awaaz.Smartflo.Rest;

public sealed partial class SmartfloClient
{
    private const int MaxUserPages = 20;

    /// <summary>
    /// Logs in now (<c>POST /v1/auth/login</c>), replacing the cached token; concurrent callers share the login.
    /// Use it to verify credentials when a connection is saved. Normal requests log in by themselves.
    /// </summary>
    /// <exception cref="SmartfloException">Login rejected (<see cref="SmartfloException.IsCredentialFailure"/>), rate limited, or Smartflo unavailable.</exception>
    /// <exception cref="InvalidOperationException">No credentials are configured.</exception>
    public async Task<SmartfloAccessToken> LoginAsync(CancellationToken cancellationToken = default) =>
        await _tokens.LoginNowAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Agent-first dial (spec §5.3). On a caller-id rejection (422 or <c>success:false</c> mentioning "caller") the
    /// request is repeated once per remaining caller-id form (spec §8.4); nothing else is retried except a 429 or a
    /// connection that was never established.
    /// </summary>
    /// <exception cref="SmartfloException">The dial was not accepted. If <see cref="SmartfloException.IsAmbiguous"/>, it may still be ringing.</exception>
    /// <exception cref="ArgumentException">The destination is not a phone number, or the timeout is not positive.</exception>
    public Task<OriginateResult> ClickToCallAsync(ClickToCallRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.AgentNumber);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.CustomIdentifier);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.CallTimeoutSeconds);
        var destination = PhoneNumber.ToDialString(request.DestinationNumber)
                          ?? throw new ArgumentException("DestinationNumber is not a phone number.", nameof(request));

        return OriginateAsync(SmartfloEndpoint.ClickToCall, Auth.Bearer, request.CallerId, callerId => Json(writer =>
        {
            writer.WriteString("agent_number", request.AgentNumber.Trim());
            writer.WriteString("destination_number", destination);
            if (callerId is not null) writer.WriteString("caller_id", callerId);
            writer.WriteNumber("async", 1);
            writer.WriteNumber("get_call_id", 1);
            writer.WriteNumber("call_timeout", request.CallTimeoutSeconds);
            writer.WriteString("custom_identifier", request.CustomIdentifier);
        }), cancellationToken);
    }

    /// <summary>
    /// Customer-first dial (spec §5.4), authenticated by the API key in the body and no <c>Authorization</c> header.
    /// Same retry and caller-id rules as <see cref="ClickToCallAsync"/>.
    /// </summary>
    /// <exception cref="SmartfloException">The dial was not accepted. If <see cref="SmartfloException.IsAmbiguous"/>, it may still be ringing.</exception>
    /// <exception cref="ArgumentException">The customer number is not a phone number, or the timeout is not positive.</exception>
    /// <exception cref="InvalidOperationException">No API key is configured.</exception>
    public Task<OriginateResult> ClickToCallSupportAsync(ClickToCallSupportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.CustomIdentifier);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.CallTimeoutSeconds);
        if (!HasApiKey) throw new InvalidOperationException("click_to_call_support needs an API key; none is configured.");
        var customer = PhoneNumber.ToDialString(request.CustomerNumber)
                       ?? throw new ArgumentException("CustomerNumber is not a phone number.", nameof(request));
        var ringTimeout = Math.Clamp(request.CustomerRingTimeoutSeconds, 10, 30);

        return OriginateAsync(SmartfloEndpoint.ClickToCallSupport, Auth.None, request.CallerId, callerId => Json(writer =>
        {
            writer.WriteString("api_key", _options.ApiKey!.Trim());
            writer.WriteString("customer_number", customer);
            if (callerId is not null) writer.WriteString("caller_id", callerId);
            writer.WriteNumber("async", 1);
            writer.WriteNumber("customer_ring_timeout", ringTimeout);
            writer.WriteNumber("call_timeout", request.CallTimeoutSeconds);
            writer.WriteString("custom_identifier", request.CustomIdentifier);
        }), cancellationToken);
    }

    /// <summary>DIDs of the account, <c>GET /v1/my_number</c> (spec §5.5). Accepts a bare array or <c>{"data":[…]}</c>.</summary>
    /// <exception cref="SmartfloException">The request failed.</exception>
    public async Task<IReadOnlyList<SmartfloDid>> GetMyNumbersAsync(CancellationToken cancellationToken = default)
    {
        var response = await GetAsync(SmartfloEndpoint.MyNumber, SmartfloEndpoint.MyNumber.Path(), cancellationToken).ConfigureAwait(false);
        return Items(response.Body).Select(SmartfloDid.From).ToList();
    }

    /// <summary>One page of <c>GET /v1/users</c> (spec §5.6).</summary>
    /// <exception cref="SmartfloException">The request failed.</exception>
    public async Task<SmartfloUsersPage> GetUsersPageAsync(int limit = 100, string? lastSeenId = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder().Add("limit", limit.ToString(CultureInfo.InvariantCulture)).Add("last_seen_id", lastSeenId);
        var response = await GetAsync(SmartfloEndpoint.Users, SmartfloEndpoint.Users.Path() + query, cancellationToken).ConfigureAwait(false);
        var body = response.Body;
        var users = Items(body).Select(SmartfloUser.From).ToList();
        var hasMore = body.ValueKind == JsonValueKind.Object && LooseJson.Bool(LooseJson.Property(body, "has_more")) == true;
        var cursor = body.ValueKind == JsonValueKind.Object ? LooseJson.String(LooseJson.Property(body, "last_seen_id")) : null;
        return new SmartfloUsersPage(users, hasMore, cursor);
    }

    /// <summary>All users, paging with <c>limit=100</c> until <c>has_more</c> is false (at most 20 pages).</summary>
    /// <exception cref="SmartfloException">A page request failed.</exception>
    public async Task<IReadOnlyList<SmartfloUser>> GetUsersAsync(CancellationToken cancellationToken = default)
    {
        var users = new List<SmartfloUser>();
        string? cursor = null;
        for (var page = 0; page < MaxUserPages; page++)
        {
            var result = await GetUsersPageAsync(100, cursor, cancellationToken).ConfigureAwait(false);
            users.AddRange(result.Users);
            if (!result.HasMore || result.LastSeenId is null || result.LastSeenId == cursor) break;
            cursor = result.LastSeenId;
        }
        return users;
    }

    /// <summary>Calls in progress, <c>GET /v1/live_calls</c> (spec §5.7).</summary>
    /// <exception cref="SmartfloException">The request failed.</exception>
    public async Task<IReadOnlyList<SmartfloLiveCall>> GetLiveCallsAsync(LiveCallsQuery? query = null, CancellationToken cancellationToken = default)
    {
        var parameters = new QueryBuilder()
            .Add("agent_number", query?.AgentNumber)
            .Add("extension", query?.Extension)
            .Add("did_number", query?.DidNumber)
            .Add("call_id", query?.CallId);
        var response = await GetAsync(SmartfloEndpoint.LiveCalls, SmartfloEndpoint.LiveCalls.Path() + parameters, cancellationToken).ConfigureAwait(false);
        return Items(response.Body).Select(SmartfloLiveCall.From).ToList();
    }

    /// <summary>One page of call detail records, <c>GET /v1/call/records</c> (spec §5.8).</summary>
    /// <exception cref="SmartfloException">The request failed.</exception>
    /// <exception cref="ArgumentException">The window is reversed or longer than 31 days, or page/limit are not positive.</exception>
    public async Task<SmartfloCallRecordsPage> GetCallRecordsAsync(CallRecordsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.To < query.From || query.To - query.From > CallRecordsQuery.MaxWindow)
            throw new ArgumentException("The CDR window must run forwards and span at most 31 days.", nameof(query));
        if (query.Page < 1 || query.Limit < 1)
            throw new ArgumentException("Page and Limit must be positive.", nameof(query));

        var parameters = new QueryBuilder()
            .Add("from_date", IndianStandardTime.ToWallClock(query.From))
            .Add("to_date", IndianStandardTime.ToWallClock(query.To))
            .Add("page", query.Page.ToString(CultureInfo.InvariantCulture))
            .Add("limit", query.Limit.ToString(CultureInfo.InvariantCulture))
            .Add("call_id", query.CallId)
            .Add("destination", query.Destination)
            .Add("did_number", query.DidNumber)
            .Add("direction", query.Direction switch { CallDirection.Inbound => "inbound", CallDirection.Outbound => "outbound", _ => null })
            .Add("call_type", query.CallType switch { CallRecordType.Answered => "c", CallRecordType.Missed => "m", _ => null });
        var response = await GetAsync(SmartfloEndpoint.CallRecords, SmartfloEndpoint.CallRecords.Path() + parameters, cancellationToken).ConfigureAwait(false);

        var body = response.Body;
        var records = Items(body, "results").Select(SmartfloCallRecord.From).ToList();
        var isObject = body.ValueKind == JsonValueKind.Object;
        return new SmartfloCallRecordsPage(
            (isObject ? LooseJson.Int32(LooseJson.Property(body, "count")) : null) ?? records.Count,
            (isObject ? LooseJson.Int32(LooseJson.Property(body, "limit")) : null) ?? query.Limit,
            (isObject ? LooseJson.Int32(LooseJson.Property(body, "page")) : null) ?? query.Page,
            records);
    }

    /// <summary>
    /// Ends a call, <c>POST /v1/call/hangup</c> (spec §5.9), trying the id forms in order until one is accepted:
    /// the id as received, its numeric core, the matching <c>live_calls</c> entry (needs <see cref="HangupRequest.DidNumber"/>),
    /// then the <c>ref_id</c>. Each form gets up to 3 attempts on 5xx/timeouts (5 s each) and 2 waits on 429.
    /// Acceptance is not disconnection: confirm with the stream <c>stop</c> or the hangup webhook.
    /// Never throws <see cref="SmartfloException"/>; the result lists every attempt.
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection has no REST auth (API-key-only connections end calls over the socket).</exception>
    public async Task<HangupResult> HangupAsync(HangupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!HasRestAuth) throw new InvalidOperationException("call/hangup needs a static token or login credentials.");

        var attempts = new List<HangupAttempt>();
        var tried = new List<string>();
        foreach (var (form, callId) in HangupForms.Initial(request.CallId))
        {
            var outcome = await TryHangupAsync(form, callId, null, attempts, tried, cancellationToken).ConfigureAwait(false);
            if (outcome is not null) return outcome;
        }

        if (!string.IsNullOrWhiteSpace(request.DidNumber))
        {
            var liveId = await FindLiveCallIdAsync(request, attempts, cancellationToken).ConfigureAwait(false);
            if (liveId is not null && !tried.Any(t => SmartfloCallId.AreSame(t, liveId)))
            {
                var outcome = await TryHangupAsync(HangupIdForm.LiveCallId, liveId, null, attempts, tried, cancellationToken).ConfigureAwait(false);
                if (outcome is not null) return outcome;
            }
        }

        if (!string.IsNullOrWhiteSpace(request.RefId) && !tried.Contains(request.RefId.Trim()))
        {
            var refId = request.RefId.Trim();
            var outcome = await TryHangupAsync(HangupIdForm.RefId, refId, refId, attempts, tried, cancellationToken).ConfigureAwait(false);
            if (outcome is not null) return outcome;
        }

        var notActive = attempts.Any(a => a.Error is { Kind: SmartfloErrorKind.Rejected } e && HangupForms.SaysNotActive(e.ProviderMessage));
        return new HangupResult(notActive ? HangupOutcome.NotActive : HangupOutcome.Failed, attempts, attempts.LastOrDefault(a => a.Error is not null)?.Error?.ProviderMessage);
    }

    /// <summary>
    /// Transfers the caller, <c>POST /v1/call/options</c> with <c>type: 4</c> (spec §5.10). Never retried once it may
    /// have reached Smartflo (the transfer may have happened); 429 is retried once.
    /// </summary>
    /// <exception cref="SmartfloException">Smartflo refused or failed the transfer; <see cref="SmartfloException.Kind"/> says why.</exception>
    public async Task<SmartfloAck> TransferAsync(TransferRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.CallId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Intercom);
        var intercom = PhoneNumber.ToDialString(request.Intercom) ?? request.Intercom.Trim();
        var body = Json(writer =>
        {
            writer.WriteNumber("type", 4);
            writer.WriteString("call_id", request.CallId.Trim());
            writer.WriteString("intercom", intercom);
        });
        var response = await SendAsync(SmartfloEndpoint.Transfer, HttpMethod.Post, SmartfloEndpoint.Transfer.Path(), body, Auth.Bearer,
            _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return new SmartfloAck(response.Message == $"HTTP {response.Status}" ? "" : response.Message, response.Body);
    }

    private async Task<OriginateResult> OriginateAsync(
        SmartfloEndpoint endpoint, Auth auth, string? callerIdRaw, Func<string?, byte[]> buildBody, CancellationToken cancellationToken)
    {
        var candidates = CallerIdCandidates(callerIdRaw, CallerIdFormat);
        for (var i = 0; ; i++)
        {
            var (format, callerId) = candidates.Count == 0 ? (null, null) : candidates[i];
            try
            {
                var response = await SendAsync(endpoint, HttpMethod.Post, endpoint.Path(), buildBody(callerId), auth,
                    _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                if (format is { } accepted && accepted != CallerIdFormat)
                {
                    Volatile.Write(ref _callerIdFormat, (int)accepted);
                    _logger.LogInformation("Smartflo accepted caller_id in {Format} form; using it first from now on", accepted.ToWireName());
                }
                return ToOriginateResult(response, format);
            }
            catch (SmartfloException error) when (i + 1 < candidates.Count && IsCallerIdRejection(error))
            {
                _logger.LogInformation("Smartflo rejected caller_id in {Format} form ({Message}); trying {Next} form",
                    format?.ToWireName(), error.ProviderMessage, candidates[i + 1].Format?.ToWireName());
            }
        }
    }

    /// <summary>Caller-id forms to try, preferred first, then the others in the spec's order, without duplicates.</summary>
    internal static IReadOnlyList<(CallerIdFormat? Format, string? CallerId)> CallerIdCandidates(string? callerIdRaw, CallerIdFormat preferred)
    {
        if (string.IsNullOrWhiteSpace(callerIdRaw)) return [];
        var result = new List<(CallerIdFormat?, string?)>();
        foreach (var format in new[] { preferred, CallerIdFormat.CountryCode, CallerIdFormat.National, CallerIdFormat.Trunk })
        {
            var formatted = PhoneNumber.ToCallerId(callerIdRaw, format);
            if (formatted is null)
            {
                // Not a phone number we can reformat: send it as given, once.
                return [(null, callerIdRaw.Trim())];
            }
            if (result.All(r => r.Item2 != formatted)) result.Add((format, formatted));
        }
        return result;
    }

    /// <summary>Spec §8.4: a 422 or <c>success:false</c> whose message mentions the caller id.</summary>
    internal static bool IsCallerIdRejection(SmartfloException error) =>
        error.Kind == SmartfloErrorKind.Rejected && error.ProviderMessage.Contains("caller", StringComparison.OrdinalIgnoreCase);

    private static OriginateResult ToOriginateResult(ProviderResponse response, CallerIdFormat? format)
    {
        var body = response.Body;
        var data = body.ValueKind == JsonValueKind.Object ? LooseJson.Structured(LooseJson.Property(body, "data")) : null;
        string? Field(string name) =>
            (body.ValueKind == JsonValueKind.Object ? LooseJson.String(LooseJson.Property(body, name)) : null)
            ?? (data is { ValueKind: JsonValueKind.Object } d ? LooseJson.String(LooseJson.Property(d, name)) : null);
        return new OriginateResult(
            response.Message == $"HTTP {response.Status}" ? "" : response.Message,
            Field("ref_id"), Field("call_id"), format, body);
    }

    private async Task<HangupResult?> TryHangupAsync(
        HangupIdForm form, string callId, string? refId, List<HangupAttempt> attempts, List<string> tried, CancellationToken cancellationToken)
    {
        tried.Add(callId);
        var body = Json(writer =>
        {
            writer.WriteString("call_id", callId);
            if (refId is not null) writer.WriteString("ref_id", refId);
        });
        try
        {
            var response = await SendAsync(SmartfloEndpoint.Hangup, HttpMethod.Post, SmartfloEndpoint.Hangup.Path(), body, Auth.Bearer,
                _options.HangupAttemptTimeout, cancellationToken).ConfigureAwait(false);
            attempts.Add(new HangupAttempt(form, callId, null));
            return new HangupResult(HangupOutcome.Accepted, attempts, response.Message);
        }
        catch (SmartfloException error)
        {
            attempts.Add(new HangupAttempt(form, callId, error));
            // Credential problems affect every form alike: stop early.
            return error.IsCredentialFailure
                ? new HangupResult(HangupOutcome.Failed, attempts, error.ProviderMessage)
                : null;
        }
    }

    private async Task<string?> FindLiveCallIdAsync(HangupRequest request, List<HangupAttempt> attempts, CancellationToken cancellationToken)
    {
        try
        {
            var live = await GetLiveCallsAsync(new LiveCallsQuery { DidNumber = request.DidNumber }, cancellationToken).ConfigureAwait(false);
            var match = SmartfloLiveCall.FindMatch(live, request.DidNumber, request.CustomerNumber);
            return match?.CallId;
        }
        catch (SmartfloException error)
        {
            _logger.LogWarning("Smartflo live_calls lookup for hangup failed: {Kind} {Message}", error.KindName, error.ProviderMessage);
            return null;
        }
    }

    private Task<ProviderResponse> GetAsync(SmartfloEndpoint endpoint, string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(endpoint, HttpMethod.Get, pathAndQuery, null, Auth.Bearer, _options.RequestTimeout, cancellationToken);

    /// <summary>Array items: the body itself if it is an array, else its <paramref name="listKey"/> (or <c>data</c>) array.</summary>
    private static IEnumerable<JsonElement> Items(JsonElement body, string listKey = "data")
    {
        var list = body.ValueKind == JsonValueKind.Array
            ? body
            : LooseJson.Structured(LooseJson.Property(body, listKey)) ?? LooseJson.Structured(LooseJson.Property(body, "data"));
        if (list is not { ValueKind: JsonValueKind.Array } array) return [];
        return array.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.Object).ToList();
    }

    /// <summary>Builds <c>?a=b&amp;c=d</c>, skipping empty values.</summary>
    private sealed class QueryBuilder
    {
        private readonly StringBuilder _text = new();

        public QueryBuilder Add(string name, string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) return this;
            _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value.Trim()));
            return this;
        }

        public override string ToString() => _text.ToString();
    }
}

/// <summary>Pure parts of the hangup id-form rules (spec §5.9).</summary>
internal static class HangupForms
{
    private static readonly string[] NotActivePhrases =
    [
        "not exist", "doesn't exist", "does not exist", "not found", "not active", "no active", "inactive", "not in progress",
        "already", "no such", "invalid call", "not live", "not ongoing",
    ];

    /// <summary>Forms 1 and 2: the id as received, then its numeric core when different.</summary>
    public static IReadOnlyList<(HangupIdForm Form, string CallId)> Initial(string? callId)
    {
        if (string.IsNullOrWhiteSpace(callId)) return [];
        var full = callId.Trim();
        var core = SmartfloCallId.NumericCore(full);
        return core is null || core == full
            ? [(HangupIdForm.FullCallId, full)]
            : [(HangupIdForm.FullCallId, full), (HangupIdForm.NumericCore, core)];
    }

    /// <summary>Whether a refusal says the call does not exist or is no longer active.</summary>
    public static bool SaysNotActive(string message) =>
        NotActivePhrases.Any(phrase => message.Contains(phrase, StringComparison.OrdinalIgnoreCase));
}
