using System.Text.Json;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Smartflo.Simulator.Faults;

/// <summary>How logins fail when the login fault is on (spec §16.6 Auth).</summary>
public enum LoginFailureMode
{
    None,
    /// <summary>HTTP 200 `{"success":false,"message":"The username or password is incorrect.","login_failed_count":n}`.</summary>
    Rejected200,
    /// <summary>The same body with HTTP 401.</summary>
    Rejected401,
    /// <summary>HTTP 429 `{"message":"Too Many Attempts.","retry_after":n}` (+ `Retry-After`).</summary>
    RateLimited,
    /// <summary>HTTP 200 `success:true` without `access_token` (how an expired password shows up).</summary>
    MissingAccessToken,
}

/// <summary>Forced answer for the next <see cref="Count"/> matching requests, or for each one with <see cref="Probability"/>.</summary>
public sealed class ForcedResponse
{
    /// <summary>`*` (every Smartflo route), `authenticated` (Bearer routes) or a route name such as `click_to_call`.</summary>
    public string Route { get; set; } = "*";

    /// <summary>200 (body `success:false`), 400, 401, 403, 404, 422, 429, 500, 502, 503 or 504.</summary>
    public int Status { get; set; }

    public int Count { get; set; } = 1;

    /// <summary>When set, every matching request is hit with this probability and <see cref="Count"/> is ignored.</summary>
    public double? Probability { get; set; }

    /// <summary>With status 200: `{"ok":false,...}` (E3) instead of `{"success":false,...}` (E1).</summary>
    public bool OkFalse { get; set; }

    /// <summary>With status 429: seconds in `Retry-After` and body `retry_after`.</summary>
    public int RetryAfterSeconds { get; set; } = 30;
}

/// <summary>What `POST /v1/call/options` type 4 does to an answered call (spec §5.10, open question 14).</summary>
public enum TransferBehaviour
{
    /// <summary>Accepted; the media stream stops (`stop` "The call was transferred", close); the call goes on on the new leg.</summary>
    StopStream,
    /// <summary>Accepted, but the media stream stays open (the other reading of open question 14); the call goes on on the new leg.</summary>
    KeepStream,
    /// <summary>Refused: HTTP 200 `{"success":false,"message":"Transfer failed: the destination could not be reached"}`; the call is untouched.</summary>
    Reject,
}

/// <summary>Which id forms `POST /v1/call/hangup` accepts (spec §16.3).</summary>
public sealed class HangupIdForms
{
    public bool Full { get; set; } = true;
    public bool Core { get; set; } = true;
    public bool RefId { get; set; } = true;
}

/// <summary>Every fault and variant knob (`PUT /_sim/faults` body). Defaults: a healthy Smartflo.</summary>
public sealed class FaultSettings
{
    public int LatencyMs { get; set; }
    public int LatencyJitterMs { get; set; }

    /// <summary>Overrides every account's CPS: requests per second, shared by all routes of an account.</summary>
    public int? CallsPerSecond { get; set; }

    /// <summary>Send `Retry-After` with a 429 (the body always has `retry_after`).</summary>
    public bool RetryAfterHeader { get; set; } = true;

    public LoginFailureMode LoginFailure { get; set; }
    public int LoginRetryAfterSeconds { get; set; } = 30;

    /// <summary>Overrides the account's `number_of_days_left` in login answers.</summary>
    public int? NumberOfDaysLeft { get; set; }

    public List<ForcedResponse> Forced { get; set; } = [];

    public List<CallerIdFormat> AcceptedCallerIdFormats { get; set; } =
        [CallerIdFormat.E164, CallerIdFormat.Cc, CallerIdFormat.National, CallerIdFormat.Trunk];

    public HangupIdForms HangupIdForms { get; set; } = new();

    public CallIdStyle CallIdStyle { get; set; } = CallIdStyle.HostPrefixed;

    /// <summary>`click_to_call` success also carries `call_id` / `ref_id` (tolerated variants of §5.3).</summary>
    public bool ClickToCallReturnsCallId { get; set; }
    public bool ClickToCallReturnsRefId { get; set; }

    /// <summary>`click_to_call_support` success carries `ref_id` (observed; off tests its absence).</summary>
    public bool SupportReturnsRefId { get; set; } = true;

    /// <summary>Wait before each webhook delivery.</summary>
    public int WebhookDelayMs { get; set; }

    /// <summary>Send every webhook this many extra times (duplicates, §10.5 Q13).</summary>
    public int WebhookDuplicates { get; set; }

    /// <summary>Triggers whose webhooks are not sent (recorded on the call as dropped).</summary>
    public List<WebhookTrigger> WebhookDrop { get; set; } = [];

    /// <summary>Hold `answered` webhooks until the call's `hangup` webhook has been sent (out-of-order delivery).</summary>
    public bool WebhookReorder { get; set; }

    /// <summary>Resend a webhook up to this many times while the receiver answers non-2xx or fails.</summary>
    public int WebhookRetries { get; set; }

    public TransferBehaviour Transfer { get; set; } = TransferBehaviour.StopStream;

    /// <summary>After an accepted transfer, the new leg's far end hangs up after this long; null: it talks until `/_sim/calls/{id}/hangup` or the far-end script.</summary>
    public int? TransferLegHangupAfterMs { get; set; }

    public FaultSettings Clone() =>
        JsonSerializer.Deserialize<FaultSettings>(JsonSerializer.Serialize(this, SimJson.Options), SimJson.Options)!;
}
