using System.Text.Json;
using System.Text.Json.Serialization;

namespace Awaaz.Smartflo.Simulator.Configuration;

/// <summary>Everything the simulator is seeded with: accounts and token lifetime. Loaded from `--config` or built in code.</summary>
public sealed class SimulatorConfig
{
    /// <summary>Seed for every random id (call ids, uuids, ref ids, token ids). Null: a random seed.</summary>
    public int? Seed { get; set; }

    /// <summary>Lifetime of tokens issued by login and refresh (spec §16.3, default 3600 s).</summary>
    public int TokenTtlSeconds { get; set; } = 3600;

    public List<AccountConfig> Accounts { get; set; } = [];

    public static SimulatorConfig Load(string path) =>
        Parse(File.ReadAllText(path));

    public static SimulatorConfig Parse(string json) =>
        JsonSerializer.Deserialize<SimulatorConfig>(json, SimJson.Options)
        ?? throw new InvalidDataException("The simulator configuration is empty.");

    public string ToJson() => JsonSerializer.Serialize(this, SimJson.Options);

    public SimulatorConfig Clone() => Parse(ToJson());
}

/// <summary>One Smartflo account (spec §16.2).</summary>
public sealed class AccountConfig
{
    /// <summary>Account number; also the JWT `sub` of its tokens.</summary>
    public string Id { get; set; } = "";

    /// <summary>Panel login id sent as `email` (may be a login code, not an e-mail).</summary>
    public string LoginId { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>Long-lived panel tokens accepted as Bearer tokens until revoked.</summary>
    public List<string> StaticTokens { get; set; } = [];

    /// <summary>Shared request budget of the account (all routes). Null: unlimited.</summary>
    public int? CallsPerSecond { get; set; }

    public int NumberOfDaysLeft { get; set; } = 30;

    public List<UserConfig> Users { get; set; } = [];

    public List<DidConfig> Dids { get; set; } = [];

    public List<ApiKeyConfig> ApiKeys { get; set; } = [];

    public List<WebhookConfig> Webhooks { get; set; } = [];

    /// <summary>How the far end treats this account's outbound calls when no next-call script is queued. Null: it waits for the control API.</summary>
    public FarEndScript? FarEnd { get; set; }

    /// <summary>The account's dynamic VOICE Bot endpoint (spec §9.1, §16.2). Null: calls are never streamed.</summary>
    public VoiceBotConfig? VoiceBot { get; set; }
}

public enum ResolverMethod
{
    Post,
    Get,
}

/// <summary>What the simulator does with a bot frame that breaks a rule of spec §11.4 (spec §16.5).</summary>
public enum ViolationPolicy
{
    /// <summary>Count and list it, carry on.</summary>
    Record,
    /// <summary>Record it, then close the socket with 1008 and end the call.</summary>
    Close,
}

/// <summary>
/// A dynamic VOICE Bot endpoint: which calls are bridged to it and how the resolver is called (spec §9.3, §16.4).
/// Calls bridged: click_to_call_support calls whose API key destination is `voice_bot||…`, inbound calls to a DID whose
/// destination is `voice_bot||…`, and every agent-first click_to_call (its agent leg is the bot, streamed before the
/// customer answers, spec §1.2).
/// </summary>
public sealed class VoiceBotConfig
{
    /// <summary>Resolver URL as configured in the panel (with `?secret=`).</summary>
    public string ResolverUrl { get; set; } = "";

    public ResolverMethod Method { get; set; } = ResolverMethod.Post;

    /// <summary>Smartflo's end-to-end deadline for the resolver reply (spec §9.6).</summary>
    public int DeadlineMs { get; set; } = 2000;

    /// <summary>Strict reply check: HTTP 200, JSON content type, exactly `success` then `wss_url`. False: only `success` and a usable `wss_url`.</summary>
    public bool StrictResponse { get; set; } = true;

    /// <summary>Accept a `ws://` URL when its host is a loopback address (development servers; spec §9.7).</summary>
    public bool AllowLoopbackWs { get; set; } = true;

    /// <summary>Caller audio cadence: 100 (800-byte frames, the default) or 20 (160-byte frames).</summary>
    public int FrameMs { get; set; } = 100;

    /// <summary>Default caller audio (WAV PCM16/µ-law 8 kHz mono, or raw µ-law); null: silence. A far-end script may override it.</summary>
    public string? CallerAudio { get; set; }

    /// <summary>Put `custom_identifier` and `ref_id` into `start.customParameters` (real accounts send `{}`; spec §17.7).</summary>
    public bool IncludeCallIdentifiers { get; set; }

    /// <summary>End the call when the bot sends `end` (spec §11.4, §16.5).</summary>
    public bool HonourEndEvent { get; set; } = true;

    public ViolationPolicy ViolationPolicy { get; set; } = ViolationPolicy.Record;
}

/// <summary>What the far end of an outbound call does by itself (spec §16.4 scripted far end, timings only).</summary>
public sealed class FarEndScript
{
    /// <summary>Customer number the script is for (last 10 digits compared); null: any number.</summary>
    public string? Number { get; set; }

    public FarEndOutcome Outcome { get; set; } = FarEndOutcome.Answer;

    /// <summary>Ringing time before the outcome happens.</summary>
    public int AnswerAfterMs { get; set; } = 2000;

    /// <summary>After answering, the caller hangs up this much later; null: the call stays up.</summary>
    public int? HangupAfterMs { get; set; }

    /// <summary>Keys the caller presses after answering.</summary>
    public string? Dtmf { get; set; }

    public int DtmfAfterMs { get; set; } = 1000;

    /// <summary>What the caller says on a streamed call (WAV PCM16/µ-law 8 kHz mono, or raw µ-law); null: the VOICE Bot's default.</summary>
    public string? Audio { get; set; }
}

public enum FarEndOutcome
{
    Answer,
    NoAnswer,
    Busy,
    Reject,
    InvalidNumber,
}

/// <summary>Which calls a panel webhook fires for (the panel's Inbound/Outbound call type).</summary>
public enum WebhookCallType
{
    Any,
    Inbound,
    Outbound,
}

/// <summary>A panel user with its agent (`GET /v1/users`).</summary>
public sealed class UserConfig
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string AgentId { get; set; } = "";
    public string? FollowMeNumber { get; set; }
    public string? LoginId { get; set; }
    public string? Extension { get; set; }
    public string Role { get; set; } = "Agent";
    public int RoleId { get; set; } = 54630;

    /// <summary>0 enabled, 1 blocked, 2 disabled, 3 busy.</summary>
    public int AgentStatus { get; set; }

    public int UserStatus { get; set; } = 1;
}

/// <summary>A DID of the account (`GET /v1/my_number`).</summary>
public sealed class DidConfig
{
    public string Id { get; set; } = "";
    public string Did { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public string? Destination { get; set; }
    public string? DestinationName { get; set; }
}

/// <summary>A Click-to-Call-Support API key with the DIDs usable as its caller id.</summary>
public sealed class ApiKeyConfig
{
    public string Key { get; set; } = "";
    public List<string> Dids { get; set; } = [];
    public string Destination { get; set; } = "voice_bot||553";
    public string DestinationName { get; set; } = "Awaaz Bot";
}

/// <summary>One panel webhook: trigger, target URL (the operator adds `&event=...`) and transport.</summary>
public sealed class WebhookConfig
{
    public WebhookTrigger Trigger { get; set; }
    public string Url { get; set; } = "";
    public WebhookFormat Format { get; set; } = WebhookFormat.Json;
    public WebhookCallType CallType { get; set; } = WebhookCallType.Any;
    public bool Enabled { get; set; } = true;
}

public enum WebhookTrigger
{
    Answered,
    Hangup,
    Missed,
    Dtmf,
}

public enum WebhookFormat
{
    /// <summary>GET with every variable in the query string.</summary>
    Query,
    /// <summary>POST application/json.</summary>
    Json,
    /// <summary>POST application/x-www-form-urlencoded; nested values as JSON strings.</summary>
    Form,
}

/// <summary>JSON settings for the config file and the `/_sim/` API: snake_case keys and enum names.</summary>
public static class SimJson
{
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>For bodies on the wire: `+` and non-ASCII stay literal, as Smartflo writes them.</summary>
    public static readonly JsonSerializerOptions Wire = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            PropertyNameCaseInsensitive = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
