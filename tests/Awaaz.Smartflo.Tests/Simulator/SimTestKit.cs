using Xunit;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>A clock tests move by hand (token expiry, CPS windows, billsec).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    /// <summary>2026-02-08 12:34:53 IST, the start_stamp of the hangup fixture.</summary>
    public static ManualClock AtFixtureStart() => new(new DateTimeOffset(2026, 2, 8, 7, 4, 53, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }
}

/// <summary>The account most tests use, and shortcuts for talking to a simulator over plain HTTP.</summary>
public static class SimTestKit
{
    public const string AccountId = "288256";
    public const string LoginId = "ops@example.com";
    public const string Password = "panel-password";
    public const string StaticToken = "static-panel-token-288256";
    public const string ApiKey = "3f2b8c1e-0000-4000-8000-000000000001";
    public const string KeyDid = "+918069000001";
    public const string OtherDid = "918071000002";
    public const string AgentId = "0502842370097";

    public static AccountConfig Account() => new()
    {
        Id = AccountId,
        LoginId = LoginId,
        Password = Password,
        StaticTokens = [StaticToken],
        NumberOfDaysLeft = 30,
        Users =
        [
            new UserConfig { Id = 314678, Name = "Voice Bot", AgentId = AgentId, FollowMeNumber = "+911140000001", LoginId = "bot@example.com" },
            new UserConfig { Id = 314679, Name = "Asha", AgentId = "0502842370098", Extension = "201" },
            new UserConfig { Id = 314680, Name = "Ravi", AgentId = "0502842370099", Extension = "202" },
        ],
        Dids =
        [
            new DidConfig { Id = "12345", Did = KeyDid, Name = "Sales line", Destination = "ivr||57000", DestinationName = "Main IVR" },
            new DidConfig { Id = "12346", Did = OtherDid, Name = "Voice bot line", Description = "Inbound AI agent" },
        ],
        ApiKeys = [new ApiKeyConfig { Key = ApiKey, Dids = [KeyDid], Destination = "voice_bot||553", DestinationName = "Awaaz Bot" }],
    };

    public static Task<SmartfloSimulator> StartAsync(TimeProvider? clock = null, int seed = 42, int ttlSeconds = 3600) =>
        SmartfloSimulator.StartAsync(
            new SimulatorConfig { Seed = seed, TokenTtlSeconds = ttlSeconds, Accounts = [Account()] },
            new SimulatorHostOptions { TimeProvider = clock ?? ManualClock.AtFixtureStart() },
            TestContext.Current.CancellationToken);

    public static HttpClient Client(SmartfloSimulator sim) => new() { BaseAddress = new Uri(sim.BaseUrl + "/") };

    public static async Task<(HttpResponseMessage Response, JsonNode Body)> PostJsonAsync(
        this HttpClient http, string path, object body, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body is JsonNode node ? node.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await SendAsync(http, request);
    }

    public static async Task<(HttpResponseMessage Response, JsonNode Body)> GetJsonAsync(this HttpClient http, string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await SendAsync(http, request);
    }

    public static async Task<string> LoginAsync(this HttpClient http)
    {
        var (response, body) = await http.PostJsonAsync("v1/auth/login", new { email = LoginId, password = Password });
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        return body["access_token"]!.GetValue<string>();
    }

    /// <summary>A customer-first dial through click_to_call_support; returns its ref_id.</summary>
    public static async Task<string> DialSupportAsync(this HttpClient http, string customer = "9876543210", string? customIdentifier = null)
    {
        var (response, body) = await http.PostJsonAsync("v1/click_to_call_support", new JsonObject
        {
            ["api_key"] = ApiKey,
            ["customer_number"] = customer,
            ["caller_id"] = "918069000001",
            ["async"] = 1,
            ["customer_ring_timeout"] = 30,
            ["call_timeout"] = 630,
            ["custom_identifier"] = customIdentifier ?? Guid.NewGuid().ToString(),
        });
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        body["success"]!.GetValue<bool>().ShouldBeTrue();
        return body["ref_id"]!.GetValue<string>();
    }

    /// <summary>Polls every 20 ms, at most 10 s, until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 500 && !condition(); attempt++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        condition().ShouldBeTrue();
    }

    private static async Task<(HttpResponseMessage, JsonNode)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        JsonNode body;
        try
        {
            body = string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
        }
        catch (System.Text.Json.JsonException)
        {
            body = JsonValue.Create(text);
        }

        return (response, body);
    }
}
