using System.Globalization;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Accounts;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Faults;
using Awaaz.Smartflo.Simulator.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static Awaaz.Smartflo.Simulator.Rest.SmartfloResponses;

namespace Awaaz.Smartflo.Simulator.Rest;

/// <summary>The Smartflo REST API of spec §4–§5 and §16.3, answered from the account model and the call engine.</summary>
internal sealed class SmartfloApi(SmartfloSimulator sim)
{
    private const string InvalidCallerId = "The caller id is not valid for this account.";
    private const string CallNotActive = "Call does not exist or is not active";
    private const string TransferRejected = "Transfer failed: the destination could not be reached";

    public static void Map(WebApplication app, SmartfloSimulator sim)
    {
        var api = new SmartfloApi(sim);
        Tag(app.MapPost("/v1/auth/login", (Delegate)api.LoginAsync), SmartfloRoute.Login);
        Tag(app.MapPost("/v1/auth/refresh", (Delegate)api.Refresh), SmartfloRoute.Refresh);
        Tag(app.MapPost("/v1/click_to_call", (Delegate)api.ClickToCallAsync), SmartfloRoute.ClickToCall);
        Tag(app.MapPost("/v1/click_to_call_support", (Delegate)api.ClickToCallSupportAsync), SmartfloRoute.ClickToCallSupport);
        Tag(app.MapGet("/v1/my_number", (Delegate)api.MyNumbers), SmartfloRoute.MyNumber);
        Tag(app.MapPut("/v1/my_number/{id}", (Delegate)api.UpdateMyNumberAsync), SmartfloRoute.UpdateMyNumber);
        Tag(app.MapGet("/v1/users", (Delegate)api.Users), SmartfloRoute.Users);
        Tag(app.MapGet("/v1/user/{id}", (Delegate)api.User), SmartfloRoute.User);
        Tag(app.MapGet("/v1/live_calls", (Delegate)api.LiveCalls), SmartfloRoute.LiveCalls);
        Tag(app.MapGet("/v1/call/records", (Delegate)api.CallRecords), SmartfloRoute.CallRecords);
        Tag(app.MapPost("/v1/call/hangup", (Delegate)api.HangupAsync), SmartfloRoute.Hangup);
        Tag(app.MapPost("/v1/dialer/disconnect_call", (Delegate)api.HangupAsync), SmartfloRoute.DisconnectCall);
        Tag(app.MapPost("/v1/call/options", (Delegate)api.CallOptionsAsync), SmartfloRoute.CallOptions);
        Tag(app.MapGet("/file/recording", (Delegate)api.Recording), SmartfloRoute.Recording);
    }

    private static void Tag(RouteHandlerBuilder endpoint, SmartfloRoute route) =>
        endpoint.WithMetadata(new SmartfloRouteTag(route));

    private DateTimeOffset Now => sim.Time.GetUtcNow();

    private FaultSettings Faults => sim.Faults.Current;

    // ---- auth (§4) ----

    private async Task<IResult> LoginAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context.Request).ConfigureAwait(false);
        if (body is null)
        {
            return Failure(400, "Invalid JSON body");
        }

        var email = RequestBody.Text(body, "email")?.Trim();
        var password = RequestBody.Text(body, "password");
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password))
        {
            return Failure(422, "The email and password fields are required.");
        }

        var account = sim.Accounts.FindByLogin(email);
        var faults = Faults;
        if (account is not null && Throttle(account, faults) is { } throttled)
        {
            return throttled;
        }

        switch (faults.LoginFailure)
        {
            case LoginFailureMode.RateLimited:
                return TooManyRequests(faults.LoginRetryAfterSeconds, faults.RetryAfterHeader);
            case LoginFailureMode.Rejected200:
            case LoginFailureMode.Rejected401:
                return WrongPassword(account, faults.LoginFailure == LoginFailureMode.Rejected401 ? 401 : 200);
            case LoginFailureMode.MissingAccessToken:
                return Json(new JsonObject
                {
                    ["success"] = true,
                    ["token_type"] = "bearer",
                    ["expires_in"] = sim.TokenTtlSeconds,
                    ["number_of_days_left"] = 0,
                });
        }

        if (account is null)
        {
            return Failure(200, "Invalid credentials");
        }

        if (!string.Equals(account.Config.Password, password, StringComparison.Ordinal))
        {
            return WrongPassword(account, 200);
        }

        account.ResetLoginFailures();
        return TokenAnswer(account.Id, faults.NumberOfDaysLeft ?? account.Config.NumberOfDaysLeft);
    }

    private IResult WrongPassword(SimAccount? account, int status)
    {
        var count = account?.RecordLoginFailure() ?? 1;
        return Json(new JsonObject
        {
            ["success"] = false,
            ["message"] = "The username or password is incorrect.",
            ["login_failed_count"] = count,
        }, status);
    }

    private IResult TokenAnswer(string accountId, int daysLeft)
    {
        var token = sim.Tokens.Issue(accountId, TimeSpan.FromSeconds(sim.TokenTtlSeconds));
        return Json(new JsonObject
        {
            ["success"] = true,
            ["access_token"] = token.Token,
            ["token_type"] = "bearer",
            ["expires_in"] = sim.TokenTtlSeconds,
            ["number_of_days_left"] = daysLeft,
        });
    }

    /// <summary>§4.6: a new token for an unexpired one; the old one is revoked.</summary>
    private IResult Refresh(HttpContext context)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        sim.Tokens.Revoke(sim.Tokens.Validate(context.Request.Headers.Authorization).Token!.Token);
        return TokenAnswer(account.Id, Faults.NumberOfDaysLeft ?? account.Config.NumberOfDaysLeft);
    }

    /// <summary>Bearer (any case) or raw token → the account, then the account's CPS budget.</summary>
    private IResult? Authenticate(HttpContext context, out SimAccount account)
    {
        account = null!;
        var validation = sim.Tokens.Validate(context.Request.Headers.Authorization);
        if (validation.Check != Auth.TokenCheck.Valid)
        {
            return Failure(401, validation.FailureMessage);
        }

        var found = sim.Accounts.Find(validation.Token!.AccountId);
        if (found is null)
        {
            return Failure(401, "Token is invalid");
        }

        account = found;
        return Throttle(found, Faults);
    }

    private IResult? Throttle(SimAccount account, FaultSettings faults)
    {
        var limit = faults.CallsPerSecond ?? account.Config.CallsPerSecond;
        if (account.TryAdmit(Now, limit, out var retryAfter))
        {
            return null;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        return TooManyRequests(seconds, faults.RetryAfterHeader);
    }

    // ---- originate (§5.3, §5.4) ----

    private async Task<IResult> ClickToCallAsync(HttpContext context)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        var body = await RequestBody.ReadAsync(context.Request).ConfigureAwait(false);
        if (body is null)
        {
            return Failure(400, "Invalid JSON body");
        }

        var agentNumber = RequestBody.Text(body, "agent_number")?.Trim();
        if (string.IsNullOrEmpty(agentNumber))
        {
            return Failure(400, "The agent number field is required.");
        }

        var destination = PhoneNumber.TryParse(RequestBody.Text(body, "destination_number"));
        if (destination is null)
        {
            return Failure(400, "Invalid destination number");
        }

        if (CheckCommon(body) is { } invalid)
        {
            return invalid;
        }

        var faults = Faults;
        var accountConfig = sim.Accounts.Get(account.Id);
        var callerId = RequestBody.Text(body, "caller_id");
        var did = callerId is null
            ? accountConfig.Dids.FirstOrDefault()
            : AcceptedCallerId(callerId, faults, accountConfig.Dids.Select(d => d.Did)) is { } number
                ? SimAccounts.FindDid(accountConfig, number)
                : null;
        if (did is null)
        {
            return Failure(422, InvalidCallerId);
        }

        RequestBody.TryInt(body, "call_timeout", out var callTimeout);
        var call = sim.Calls.StartOutbound(new OutboundDial(
            account.Id, CallKind.ClickToCall, destination, did.Did, agentNumber,
            RequestBody.Text(body, "custom_identifier"), null, callTimeout, null, faults.ClickToCallReturnsRefId));

        var extra = new JsonObject();
        if (faults.ClickToCallReturnsCallId)
        {
            extra["call_id"] = call.CallId;
        }

        if (faults.ClickToCallReturnsRefId)
        {
            extra["ref_id"] = call.RefId;
        }

        return Success("Originate successfully queued", extra);
    }

    private async Task<IResult> ClickToCallSupportAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context.Request).ConfigureAwait(false);
        if (body is null)
        {
            return Failure(400, "Invalid JSON body");
        }

        var apiKey = RequestBody.Text(body, "api_key");
        var owner = string.IsNullOrWhiteSpace(apiKey) ? null : sim.Accounts.FindByApiKey(apiKey);
        if (owner is null)
        {
            return Failure(401, "Invalid API key");
        }

        var (account, key) = owner.Value;

        var faults = Faults;
        if (Throttle(account, faults) is { } throttled)
        {
            return throttled;
        }

        var customer = PhoneNumber.TryParse(RequestBody.Text(body, "customer_number"));
        if (customer is null)
        {
            return Failure(400, "Invalid customer number");
        }

        if (CheckCommon(body) is { } invalid)
        {
            return invalid;
        }

        if (!RequestBody.TryInt(body, "customer_ring_timeout", out var ringTimeout) || ringTimeout is < 10 or > 30)
        {
            return Failure(400, "The customer ring timeout must be between 10 and 30.");
        }

        var callerId = RequestBody.Text(body, "caller_id");
        var did = callerId is null
            ? key.Dids.FirstOrDefault()
            : AcceptedCallerId(callerId, faults, key.Dids);
        if (did is null)
        {
            return Failure(422, InvalidCallerId);
        }

        RequestBody.TryInt(body, "call_timeout", out var callTimeout);
        var call = sim.Calls.StartOutbound(new OutboundDial(
            account.Id, CallKind.ClickToCallSupport, customer, did, null,
            RequestBody.Text(body, "custom_identifier"), key, callTimeout, ringTimeout ?? 30, WithRefId: true));

        return Success("Call originated successfully", faults.SupportReturnsRefId ? new JsonObject { ["ref_id"] = call.RefId } : null);
    }

    /// <summary>`async` must be 1 (number or string); `call_timeout`, when sent, a positive integer.</summary>
    private static IResult? CheckCommon(JsonObject body)
    {
        if (!RequestBody.TryInt(body, "async", out var asyncFlag) || asyncFlag != 1)
        {
            return Failure(400, "The async field must be 1; synchronous calls are discontinued.");
        }

        if (!RequestBody.TryInt(body, "call_timeout", out var callTimeout) || callTimeout is <= 0)
        {
            return Failure(400, "The call timeout must be a positive integer.");
        }

        return null;
    }

    /// <summary>The DID a caller id designates, if its format is accepted and it is one of <paramref name="allowed"/>.</summary>
    private static string? AcceptedCallerId(string callerId, FaultSettings faults, IEnumerable<string> allowed)
    {
        var format = PhoneNumber.DetectCallerIdFormat(callerId);
        if (format is null || !faults.AcceptedCallerIdFormats.Contains(format.Value))
        {
            return null;
        }

        return allowed.FirstOrDefault(d => PhoneNumber.SameLast10(d, callerId));
    }

    // ---- numbers and users (§5.5, §5.6) ----

    private IResult MyNumbers(HttpContext context)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        var dids = new JsonArray();
        foreach (var did in sim.Accounts.Get(account.Id).Dids)
        {
            dids.Add(new JsonObject
            {
                ["id"] = did.Id,
                ["name"] = did.Name,
                ["description"] = did.Description,
                ["alias"] = PhoneNumber.DigitsOf(did.Did) is { Length: >= 10 } digits ? digits[^10..] : did.Did,
                ["did"] = did.Did,
                ["destination"] = did.Destination,
                ["destination_name"] = did.DestinationName,
                ["sms_templates"] = null,
            });
        }

        return Json(dids);
    }

    private async Task<IResult> UpdateMyNumberAsync(HttpContext context, string id)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        var body = await RequestBody.ReadAsync(context.Request).ConfigureAwait(false);
        if (body is null)
        {
            return Failure(400, "Invalid JSON body");
        }

        var found = false;
        sim.Accounts.Change(account.Id, config =>
        {
            var did = config.Dids.FirstOrDefault(d => d.Id == id);
            if (did is null)
            {
                return;
            }

            found = true;
            did.Destination = body.ContainsKey("destination") ? RequestBody.Text(body, "destination") : did.Destination;
            did.DestinationName = body.ContainsKey("destination_name") ? RequestBody.Text(body, "destination_name") : did.DestinationName;
            did.Name = RequestBody.Text(body, "name") ?? did.Name;
            did.Description = RequestBody.Text(body, "description") ?? did.Description;
        });
        return found ? Success("Number updated successfully") : Failure(404, "Number not found");
    }

    private IResult Users(HttpContext context)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        if (!TryQueryInt(context, "limit", 100, out var limit) || limit is < 1 or > 1000
            || !TryQueryInt(context, "last_seen_id", 0, out var lastSeen))
        {
            return Failure(400, "The limit and last_seen_id parameters must be integers.");
        }

        var all = sim.Accounts.Get(account.Id).Users.OrderBy(u => u.Id).Where(u => u.Id > lastSeen).ToList();
        var page = all.Take(limit).ToList();
        var data = new JsonArray();
        foreach (var user in page)
        {
            data.Add(UserJson(user));
        }

        return Json(new JsonObject
        {
            ["has_more"] = all.Count > page.Count,
            ["count"] = page.Count,
            ["last_seen_id"] = page.Count > 0 ? page[^1].Id : lastSeen,
            ["data"] = data,
        });
    }

    private IResult User(HttpContext context, string id)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        var user = sim.Accounts.Get(account.Id).Users.FirstOrDefault(u => u.Id.ToString(CultureInfo.InvariantCulture) == id);
        return user is null ? Failure(404, "User not found") : Json(UserJson(user));
    }

    private static JsonObject UserJson(UserConfig user) => new()
    {
        ["id"] = user.Id,
        ["name"] = user.Name,
        ["agent"] = new JsonObject
        {
            ["id"] = user.AgentId,
            ["name"] = user.Name,
            ["status"] = user.AgentStatus,
            ["follow_me_number"] = user.FollowMeNumber,
        },
        ["login_id"] = user.LoginId,
        ["is_login_based_calling_enabled"] = false,
        ["is_international_outbound_enabled"] = false,
        ["user_role"] = new JsonObject { ["id"] = user.RoleId, ["name"] = user.Role },
        ["extension"] = user.Extension,
        ["user_status"] = user.UserStatus,
    };

    // ---- live calls and CDR (§5.7, §5.8) ----

    private IResult LiveCalls(HttpContext context)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        var query = context.Request.Query;
        var agentNumber = NonEmpty(query["agent_number"]);
        var extension = NonEmpty(query["extension"]);
        var didNumber = NonEmpty(query["did_number"]);
        var callId = NonEmpty(query["call_id"]);
        var users = sim.Accounts.Get(account.Id).Users;
        var now = Now;

        var live = new JsonArray();
        foreach (var call in sim.Calls.All.Where(c => c.AccountId == account.Id && c.State != CallState.Ended).OrderByDescending(c => c.CreatedAt))
        {
            if ((agentNumber is not null && call.AgentNumber != agentNumber)
                || (extension is not null && !users.Any(u => u.Extension == extension && u.AgentId == call.AgentNumber))
                || (didNumber is not null && !PhoneNumber.SameLast10(call.Did, didNumber))
                || (callId is not null && call.CallId != callId && call.CoreCallId != callId))
            {
                continue;
            }

            var talking = call.AnsweredAt is { } answered ? now - answered : TimeSpan.Zero;
            live.Add(new JsonObject
            {
                ["id"] = call.LiveId,
                ["user_id"] = call.UserId ?? 0,
                ["call_id"] = call.CoreCallId,
                ["direction"] = call.IsOutbound ? 2 : 1,
                ["source"] = "+910" + Last10(call.Did),
                ["type"] = call.IsOutbound ? "click-to-call" : "incoming",
                ["did"] = "+91" + Last10(call.Did),
                ["destination"] = call.Customer.Trunk + "," + call.Customer.National,
                ["state"] = call.State == CallState.Answered ? "Answered" : "Ringing",
                ["created_at"] = Ist.Stamp(call.CreatedAt),
                ["call_time"] = talking.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture),
                ["agent_name"] = call.AgentName ?? "",
                ["customer_number"] = call.Customer.Trunk,
            });
        }

        return Json(live);
    }

    private IResult CallRecords(HttpContext context)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        var query = context.Request.Query;
        var from = NonEmpty(query["from_date"]);
        var to = NonEmpty(query["to_date"]);
        var fromDate = Ist.TryParse(from);
        var toDate = Ist.TryParse(to);
        if ((from is not null && fromDate is null) || (to is not null && toDate is null))
        {
            return Failure(400, "Dates must be in the format YYYY-MM-DD HH:MM:SS.");
        }

        if (!TryQueryInt(context, "page", 1, out var page) || page < 1
            || !TryQueryInt(context, "limit", 20, out var limit) || limit is < 1 or > 100)
        {
            return Failure(400, "The page must be at least 1 and the limit between 1 and 100.");
        }

        var callId = NonEmpty(query["call_id"]);
        var destination = NonEmpty(query["destination"]);
        var didNumber = NonEmpty(query["did_number"]);
        var direction = NonEmpty(query["direction"]);
        var callType = NonEmpty(query["call_type"]);

        var matching = sim.Calls.All
            .Where(c => c.AccountId == account.Id && c.State == CallState.Ended)
            .Where(c => fromDate is null || c.CreatedAt >= fromDate)
            .Where(c => toDate is null || c.CreatedAt <= toDate)
            .Where(c => callId is null || c.CallId == callId || c.CoreCallId == callId)
            .Where(c => destination is null || PhoneNumber.DigitsOf(c.Customer.Digits).EndsWith(PhoneNumber.DigitsOf(destination), StringComparison.Ordinal))
            .Where(c => didNumber is null || PhoneNumber.SameLast10(c.Did, didNumber))
            .Where(c => direction is null || (direction == "inbound") != c.IsOutbound)
            .Where(c => callType is null || (callType == "c") == c.WasAnswered)
            .OrderByDescending(c => c.CreatedAt)
            .ThenByDescending(c => c.LiveId)
            .ToList();

        var results = new JsonArray();
        foreach (var call in matching.Skip((page - 1) * limit).Take(limit))
        {
            results.Add(CallRecord(call, account.Id));
        }

        return Json(new JsonObject
        {
            ["count"] = matching.Count,
            ["limit"] = limit,
            ["size"] = results.Count,
            ["page"] = page,
            ["results"] = results,
        });
    }

    /// <summary>One CDR in the shape of `call-records.json` (numbers as numbers here, `agent_ring_time: "N.A."`).</summary>
    private JsonObject CallRecord(CallSnapshot call, string accountId)
    {
        var answered = call.WasAnswered;
        var billsec = call.Billsec(Now);
        var minutes = (int)Math.Ceiling(billsec / 60.0);
        var cause = call.Cause ?? HangupCause.CallerHangup;
        var isAgentFirst = call.Kind == CallKind.ClickToCall;
        return new JsonObject
        {
            ["id"] = call.RecordId,
            ["call_id"] = call.CallId,
            ["uuid"] = call.Uuid,
            ["direction"] = call.IsOutbound ? "outbound" : "inbound",
            ["description"] = (call.IsOutbound, answered) switch
            {
                (true, true) => "Call answered by customer",
                (true, false) => "Call missed by customer",
                (false, true) => "Call answered by agent",
                _ => "Missed call",
            },
            ["detailed_description"] = null,
            ["status"] = answered ? "answered" : "missed",
            ["blocked_number_id"] = null,
            ["recording_url"] = answered ? WebhookPayloads.RecordingUrl(call, sim.BaseUrl) : null,
            ["service"] = call.Kind switch
            {
                CallKind.ClickToCallSupport => "Click To Call Support",
                CallKind.ClickToCall => "Click To Call",
                _ => "Inbound",
            },
            ["date"] = Ist.Date(call.CreatedAt),
            ["time"] = Ist.Time(call.CreatedAt),
            ["end_stamp"] = Ist.Stamp(call.EndedAt!.Value),
            ["broadcast_id"] = null,
            ["dtmf_input"] = call.Dtmf.Count > 0 ? string.Concat(call.Dtmf) : null,
            ["call_duration"] = call.Duration(Now),
            ["answered_seconds"] = billsec,
            ["minutes_consumed"] = minutes,
            ["charges"] = minutes * 0.5,
            ["department_name"] = null,
            ["agent_number"] = isAgentFirst ? call.AgentNumber : "",
            ["agent_number_with_prefix"] = isAgentFirst ? call.AgentFollowMeNumber ?? "" : "",
            ["agent_name"] = isAgentFirst ? call.AgentName ?? "" : "",
            ["client_number"] = answered ? call.Customer.National : call.Customer.Trunk,
            ["did_number"] = "+91" + Last10(call.Did),
            ["reason"] = cause.Reason,
            ["hangup_cause"] = cause.Key,
            ["notes"] = new JsonArray(),
            ["contact_details"] = null,
            ["missed_agents"] = new JsonArray(),
            ["agent_hangup_data"] = null,
            ["call_tags"] = null,
            ["accountid"] = accountId,
            ["agent_ring_time"] = "N.A.",
            ["circle"] = new JsonObject { ["operator"] = call.Operator, ["circle"] = call.Circle },
            ["transfer_missed_agent"] = new JsonArray(),
            ["call_flow"] = new JsonArray(),
            ["call_hint"] = null,
            ["lead_id"] = null,
            ["sid"] = null,
            ["sname"] = null,
            ["is_incoming_from_broadcast"] = false,
            ["caller_id_num"] = answered ? "91" + Last10(call.Did) : Last10(call.Did),
            ["sip_agent_ids"] = null,
            ["dialer_call_details"] = null,
            ["custom_status"] = null,
            ["is_whatsapp"] = 0,
            ["aws_call_recording_identifier"] = answered ? call.RecordingIdentifier : null,
        };
    }

    // ---- hangup and transfer (§5.9, §5.10) ----

    private async Task<IResult> HangupAsync(HttpContext context)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        var body = await RequestBody.ReadAsync(context.Request).ConfigureAwait(false);
        if (body is null)
        {
            return Failure(400, "Invalid JSON body");
        }

        var id = RequestBody.Text(body, "call_id")?.Trim();
        var refId = RequestBody.Text(body, "ref_id")?.Trim();
        if (string.IsNullOrEmpty(id) && string.IsNullOrEmpty(refId))
        {
            return Failure(400, "The call id field is required.");
        }

        var call = FindByAcceptedForm(account.Id, id, refId, Faults.HangupIdForms);
        if (call is null || call.State == CallState.Ended)
        {
            return Failure(200, CallNotActive);
        }

        try
        {
            sim.Calls.EndFromApi(call.CallId, HangupCause.ApiHangup);
        }
        catch (CallStateException)
        {
            return Failure(200, CallNotActive);
        }

        return Success("Call hangup request accepted");
    }

    /// <summary>The account's call that <paramref name="id"/> (or <paramref name="refId"/>) names in an accepted form.</summary>
    private CallSnapshot? FindByAcceptedForm(string accountId, string? id, string? refId, HangupIdForms forms)
    {
        var calls = sim.Calls.All.Where(c => c.AccountId == accountId).ToList();
        if (!string.IsNullOrEmpty(id))
        {
            var match = calls.FirstOrDefault(c =>
                (forms.Full && c.CallId == id)
                || (forms.Core && c.CoreCallId == id)
                || (forms.RefId && c.RefId.Length > 0 && c.RefId == id));
            if (match is not null)
            {
                return match;
            }
        }

        return forms.RefId && !string.IsNullOrEmpty(refId)
            ? calls.FirstOrDefault(c => c.RefId.Length > 0 && c.RefId == refId)
            : null;
    }

    private async Task<IResult> CallOptionsAsync(HttpContext context)
    {
        if (Authenticate(context, out var account) is { } failure)
        {
            return failure;
        }

        var body = await RequestBody.ReadAsync(context.Request).ConfigureAwait(false);
        if (body is null)
        {
            return Failure(400, "Invalid JSON body");
        }

        if (!RequestBody.TryInt(body, "type", out var type) || type is not (1 or 2 or 3 or 4))
        {
            return Failure(400, "The type must be 1 (monitor), 2 (whisper), 3 (barge) or 4 (transfer).");
        }

        var id = RequestBody.Text(body, "call_id")?.Trim();
        if (string.IsNullOrEmpty(id))
        {
            return Failure(400, "The call id field is required.");
        }

        var intercom = body["intercom"] switch
        {
            JsonArray array => array.Select(n => n?.ToString()).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s)),
            _ => RequestBody.Text(body, "intercom"),
        };
        if (string.IsNullOrWhiteSpace(intercom) || !PhoneNumber.DigitsOf(intercom).Equals(intercom.Trim().TrimStart('+'), StringComparison.Ordinal))
        {
            return Failure(400, "The intercom field must be a number or an array of numbers.");
        }

        var call = FindByAcceptedForm(account.Id, id, null, new HangupIdForms { RefId = false });
        if (call is null || call.State != CallState.Answered)
        {
            return Failure(200, CallNotActive);
        }

        if (type == 4)
        {
            if (Faults.Transfer == TransferBehaviour.Reject)
            {
                sim.Calls.Note(call.CallId, "transfer_rejected", intercom.Trim());
                return Failure(200, TransferRejected);
            }

            try
            {
                sim.Calls.Transfer(call.CallId, intercom.Trim());
            }
            catch (CallStateException)
            {
                return Failure(200, CallNotActive);
            }

            return Success("Call transferred successfully");
        }

        var option = type switch { 1 => "monitor", 2 => "whisper", _ => "barge" };
        sim.Calls.Note(call.CallId, option, intercom.Trim());
        return Success($"Call {option} started successfully");
    }

    /// <summary>`recording_url` target: a µ-law WAV as long as the billed seconds (silence until media is simulated).</summary>
    private IResult Recording(HttpContext context)
    {
        var call = sim.Calls.Find(context.Request.Query["callId"].ToString());
        if (call is null || !call.WasAnswered || call.State != CallState.Ended
            || context.Request.Query["token"].ToString() != call.RecordingToken)
        {
            return Failure(404, "Recording not found");
        }

        return Results.File(SilentWav.MuLaw(call.Billsec(Now)), "audio/wav", $"{call.CallId}.wav");
    }

    private static bool TryQueryInt(HttpContext context, string key, int fallback, out int value)
    {
        var raw = context.Request.Query[key].ToString();
        if (string.IsNullOrWhiteSpace(raw))
        {
            value = fallback;
            return true;
        }

        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    private static string? NonEmpty(Microsoft.Extensions.Primitives.StringValues value) =>
        string.IsNullOrWhiteSpace(value.ToString()) ? null : value.ToString().Trim();

    private static string Last10(string number) => PhoneNumber.DigitsOf(number)[^10..];
}
