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
