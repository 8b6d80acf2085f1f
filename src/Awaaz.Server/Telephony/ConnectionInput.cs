using System.Text.RegularExpressions;
using Awaaz.Server.Api;

namespace Awaaz.Server.Telephony;

/// <summary>
/// The writable fields of a connection as read from a request (partner-api.md §11.2, §11.3, §11.6), each
/// <see cref="Supplied{T}"/> so updates change only what was sent.
/// </summary>
public sealed partial class ConnectionInput
{
    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")] private static partial Regex E164();
    [GeneratedRegex(@"^\+?\d{1,31}$")] private static partial Regex AgentNumberPattern();

    public Supplied<string?> Name { get; private init; }
    public Supplied<string?> Email { get; private init; }
    public Supplied<string?> Password { get; private init; }
    public Supplied<string?> FromNumber { get; private init; }
    public bool FromNumberSent { get; private init; }
    public Supplied<string?> BaseUrl { get; private init; }
    public Supplied<string?> AgentNumber { get; private init; }
    public Supplied<string?> ApiKey { get; private init; }
    public Supplied<string?> AuthToken { get; private init; }
    public Supplied<double?> RatePerMinuteInr { get; private init; }
    public Supplied<long?> PulseSeconds { get; private init; }
    public Supplied<long?> RingTimeoutSecs { get; private init; }
    public Supplied<long?> MaxRequestsPerSecond { get; private init; }
    public RequestFields? Compat { get; private init; }
    public bool SkipVerification { get; private init; }

    /// <summary>Reads the fields; <paramref name="legacyNames"/> reads <c>email</c>/<c>password</c> (PUT /config/telephony/tata-smartflo).</summary>
    public static ConnectionInput Read(RequestFields body, bool legacyNames, bool allowInsecureUrls, bool requireName = false)
    {
        var input = new ConnectionInput
        {
            Name = legacyNames ? Supplied<string?>.Absent : body.String("name", min: 1, max: 100, nullable: false, required: requireName),
            Email = legacyNames ? body.String("email", max: 254) : body.String("tata_email", "tataEmail", max: 254),
            Password = legacyNames ? body.String("password", max: 256) : body.String("tata_password", "tataPassword", max: 256),
            FromNumber = body.String("from_number", "fromNumber", nullable: false, pattern: E164(), patternMessage: "must be in E.164 format"),
            FromNumberSent = body.Has("from_number", "fromNumber"),
            BaseUrl = body.String("base_url", "baseUrl", max: 2048),
            AgentNumber = body.String("agent_number", "agentNumber", max: 32, pattern: AgentNumberPattern(), patternMessage: "must be digits with an optional leading +"),
            ApiKey = body.String("api_key", "apiKey", max: 128),
            AuthToken = body.String("auth_token", "authToken", max: 4096),
            RatePerMinuteInr = body.Number("rate_per_minute_inr", "ratePerMinuteInr", 0, 100),
            PulseSeconds = body.Integer("pulse_seconds", "pulseSeconds", 1, 300),
            RingTimeoutSecs = body.Integer("ring_timeout_secs", "ringTimeoutSecs", 10, 30),
            MaxRequestsPerSecond = body.Integer("max_requests_per_second", "maxRequestsPerSecond", 1, 50),
            Compat = body.Object("compat").Value,
            SkipVerification = body.Bool("skip_verification", "skipVerification").Or(false),
        };
        if (input.BaseUrl is { IsSet: true, Value: { } url })
        {
            var ok = Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttps || (allowInsecureUrls && uri.Scheme == Uri.UriSchemeHttp));
            if (!ok) body.Fail("base_url", allowInsecureUrls ? "must be an http(s) URL" : "must be an https:// URL");
        }
        return input;
    }

    /// <summary>Applies supplied compat switches over <paramref name="current"/>.</summary>
    public CompatSettings? ApplyCompat(CompatSettings? current)
    {
        if (Compat is null) return current;
        var c = current ?? new CompatSettings();
        var frame = Compat.Integer("outbound_frame_bytes", min: 160, max: 3200);
        if (frame is { IsSet: true, Value: { } f } && f % 160 != 0) Compat.Fail("outbound_frame_bytes", "must be a multiple of 160");
        return new CompatSettings(
            Compat.Bool("send_connected_first").Or(c.SendConnectedFirst),
            Compat.Bool("socket_end_event").Or(c.SocketEndEvent),
            Compat.Bool("treat_403_as_expired").Or(c.Treat403AsExpired),
            Compat.Bool("agent_first_speech_start").Or(c.AgentFirstSpeechStart),
            (int)frame.Or(c.OutboundFrameBytes)!,
            (int)Compat.Integer("max_playout_lead_ms", min: 100, max: 5000).Or(c.MaxPlayoutLeadMs)!);
    }

    public ConnectionSettings ApplySettings(ConnectionSettings current) => current with
    {
        RatePerMinuteInr = RatePerMinuteInr.IsSet ? Math.Round((decimal)RatePerMinuteInr.Value!.Value, 4, MidpointRounding.AwayFromZero) : current.RatePerMinuteInr,
        PulseSeconds = (int)PulseSeconds.Or(current.PulseSeconds)!,
        RingTimeoutSecs = (int)RingTimeoutSecs.Or(current.RingTimeoutSecs)!,
        MaxRequestsPerSecond = (int)MaxRequestsPerSecond.Or(current.MaxRequestsPerSecond)!,
        Compat = ApplyCompat(current.Compat),
    };

    /// <summary>Secrets after this input: supplied values replace, <c>null</c>/<c>""</c> removes, absent keeps.</summary>
    public ConnectionSecrets ApplySecrets(ConnectionSecrets current) => new(
        Password.IsSet ? Blank(Password.Value) : current.Password,
        ApiKey.IsSet ? Blank(ApiKey.Value) : current.ApiKey,
        AuthToken.IsSet ? Blank(AuthToken.Value) : current.AuthToken);

    public bool ChangesAuth => Email.IsSet || Password.IsSet || AuthToken.IsSet || BaseUrl.IsSet;

    public static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
