using System.Text.Json;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Faults;
using Awaaz.Smartflo.Simulator.Rest;
using Awaaz.Smartflo.Simulator.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Awaaz.Smartflo.Simulator.Control;

/// <summary>An inbound call; on a VOICE Bot DID the caller follows the optional audio, DTMF and hang-up.</summary>
public sealed record InboundCallRequest(
    string From,
    string To,
    string? AccountId = null,
    string? Audio = null,
    int? HangupAfterMs = null,
    string? Dtmf = null,
    int DtmfAfterMs = 1000);

public sealed record MissRequest(MissOutcome Outcome = MissOutcome.NoAnswer);

public sealed record DtmfRequest(string Digits);

public sealed record WebhookRequest(string? Url = null, WebhookFormat? Format = null);

/// <summary>The simulator's control and assertions API under `/_sim/` (spec §16.7).</summary>
internal static class ControlApi
{
    public static void Map(WebApplication app, SmartfloSimulator sim)
    {
        var control = app.MapGroup("/_sim");

        control.MapGet("/status", () => Ok(Status(sim)));
        control.MapPost("/reset", () =>
        {
            sim.Reset();
            return Ok(new { reset = true });
        });

        control.MapGet("/config", () => Ok(sim.CurrentConfig));
        control.MapPut("/config", Handler(context => Guarded(async () =>
        {
            sim.LoadConfig(await ReadAsync<SimulatorConfig>(context));
            return Ok(sim.CurrentConfig);
        })));

        control.MapGet("/faults", () => Ok(sim.Faults.Current));
        control.MapPut("/faults", Handler(context => Guarded(async () =>
        {
            sim.Faults.Replace(await ReadAsync<FaultSettings>(context));
            return Ok(sim.Faults.Current);
        })));
        control.MapPost("/faults/expire-tokens", () => Ok(new { revoked = sim.Faults.ExpireAllTokensNow() }));

        control.MapGet("/requests", (HttpContext context) =>
        {
            var route = context.Request.Query["route"].ToString();
            var requests = sim.Requests.All.Where(r => route.Length == 0 || r.Route.WireName() == route).ToList();
            return Ok(new { counts = sim.Requests.CountsByRoute, requests });
        });

        control.MapPost("/inbound-calls", Handler(context => Guarded(async () =>
        {
            var request = await ReadAsync<InboundCallRequest>(context);
            var accountId = request.AccountId ?? sim.Accounts.All.FirstOrDefault()?.Id
                ?? throw new ArgumentException("No account is configured.");
            var script = new FarEndScript { Audio = request.Audio, HangupAfterMs = request.HangupAfterMs, Dtmf = request.Dtmf, DtmfAfterMs = request.DtmfAfterMs };
            return Ok(sim.Calls.StartInbound(accountId, request.From, request.To, script), StatusCodes.Status201Created);
        })));

        control.MapGet("/next-call-script", () => Ok(sim.Calls.PendingScripts));
        control.MapPut("/next-call-script", Handler(context => Guarded(async () =>
        {
            sim.Calls.ScriptNextCall(await ReadAsync<FarEndScript>(context));
            return Ok(sim.Calls.PendingScripts);
        })));

        control.MapGet("/calls", (HttpContext context) =>
        {
            var state = context.Request.Query["state"].ToString();
            return Ok(sim.Calls.All.Where(c => state.Length == 0 || c.State.ToString().Equals(state, StringComparison.OrdinalIgnoreCase)).ToList());
        });
        control.MapGet("/calls/{id}", (string id) => Guarded(() => Task.FromResult(Ok(sim.Calls.Get(id)))));
        control.MapGet("/calls/{id}/stream", (string id) => Guarded(() => Task.FromResult(
            sim.Calls.Stream(sim.Calls.Get(id).CallId) is { } stream ? Ok(stream) : Error(StatusCodes.Status404NotFound, $"Call {id} has no media stream."))));
        control.MapGet("/calls/{id}/heard.wav", (string id) => Guarded(() => Task.FromResult(
            sim.Calls.Stream(sim.Calls.Get(id).CallId) is { } stream
                ? Results.File(stream.HeardWav(), "audio/wav", $"heard-{stream.CallId}.wav")
                : Error(StatusCodes.Status404NotFound, $"Call {id} has no media stream."))));
        control.MapPost("/calls/{id}/answer", (string id) => Guarded(async () => Ok(await sim.Calls.AnswerAsync(id))));
        control.MapPost("/calls/{id}/miss", (string id, HttpContext context) => Guarded(async () =>
        {
            var request = await ReadOptionalAsync(context, new MissRequest());
            return Ok(await sim.Calls.MissAsync(id, request.Outcome));
        }));
        control.MapPost("/calls/{id}/hangup", (string id) => Guarded(async () => Ok(await sim.Calls.CallerHangupAsync(id))));
        control.MapPost("/calls/{id}/dtmf", (string id, HttpContext context) => Guarded(async () =>
        {
            var request = await ReadAsync<DtmfRequest>(context);
            return Ok(await sim.Calls.SendDtmfAsync(id, request.Digits));
        }));
        control.MapPost("/calls/{id}/webhooks/{trigger}", (string id, string trigger, HttpContext context) => Guarded(async () =>
        {
            if (!Enum.TryParse<WebhookTrigger>(trigger, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || char.IsDigit(trigger[0]))
            {
                throw new ArgumentException($"Unknown trigger '{trigger}': answered, hangup, missed or dtmf.");
            }

            var request = await ReadOptionalAsync(context, new WebhookRequest());
            var target = request.Url is null ? null : new WebhookTarget(request.Url, request.Format ?? WebhookFormat.Json);
            return Ok(await sim.Calls.EmitWebhookAsync(id, parsed, target));
        }));
    }

    /// <summary>Gives a handler lambda the route-handler overload, so its IResult is written.</summary>
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    private static JsonObject Status(SmartfloSimulator sim)
    {
        var calls = sim.Calls.All;
        var states = new JsonObject();
        foreach (var state in Enum.GetValues<CallState>())
        {
            states[state.ToString().ToLowerInvariant()] = calls.Count(c => c.State == state);
        }

        var accounts = new JsonArray();
        foreach (var account in sim.Accounts.All)
        {
            accounts.Add(new JsonObject
            {
                ["id"] = account.Id,
                ["login_id"] = account.LoginId,
                ["calls_per_second"] = account.CallsPerSecond,
                ["users"] = account.Users.Count,
                ["dids"] = new JsonArray(account.Dids.Select(d => (JsonNode?)d.Did).ToArray()),
                ["api_keys"] = account.ApiKeys.Count,
                ["webhooks"] = new JsonArray(account.Webhooks.Select(w => (JsonNode?)$"{w.Trigger.ToString().ToLowerInvariant()} {w.Format.ToString().ToLowerInvariant()} {w.Url}").ToArray()),
            });
        }

        return new JsonObject
        {
            ["base_url"] = sim.BaseUrl,
            ["seed"] = sim.Seed,
            ["token_ttl_seconds"] = sim.TokenTtlSeconds,
            ["accounts"] = accounts,
            ["calls"] = states,
            ["requests"] = JsonSerializer.SerializeToNode(sim.Requests.CountsByRoute, SimJson.Options),
            ["faults"] = JsonSerializer.SerializeToNode(sim.Faults.Current, SimJson.Options),
        };
    }

    private static IResult Ok(object value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, SimJson.Options, statusCode: status);

    private static IResult Error(int status, string message) =>
        Results.Json(new { error = message }, SimJson.Options, statusCode: status);

    /// <summary>Maps model errors to HTTP: unknown id 404, wrong state 409, bad input 400.</summary>
    private static async Task<IResult> Guarded(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (KeyNotFoundException ex)
        {
            return Error(StatusCodes.Status404NotFound, ex.Message);
        }
        catch (CallStateException ex)
        {
            return Error(StatusCodes.Status409Conflict, ex.Message);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or InvalidOperationException)
        {
            return Error(StatusCodes.Status400BadRequest, ex.Message);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpContext context) =>
        await JsonSerializer.DeserializeAsync<T>(context.Request.Body, SimJson.Options)
        ?? throw new ArgumentException("A JSON body is required.");

    private static async Task<T> ReadOptionalAsync<T>(HttpContext context, T fallback)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync();
        return string.IsNullOrWhiteSpace(text) ? fallback : JsonSerializer.Deserialize<T>(text, SimJson.Options) ?? fallback;
    }
}
