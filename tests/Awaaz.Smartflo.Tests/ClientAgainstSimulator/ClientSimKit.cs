using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Tests.Simulator;
using Awaaz.Smartflo.Tests.Support;

namespace Awaaz.Smartflo.Tests.ClientAgainstSimulator;

/// <summary>
/// The real <see cref="SmartfloClient"/> over real HTTP against an in-process <see cref="SmartfloSimulator"/> on
/// 127.0.0.1. Where time matters, simulator and client share one <see cref="ManualTimeProvider"/>, and
/// <see cref="RunAsync{T}"/> moves it to each wait the client arms, so waits are exact and take no real time.
/// </summary>
internal static class ClientSimKit
{
    public const string Customer = "+919876543210";

    /// <summary>Longer than any wait the client may arm (429 waits are capped at 10 s, backoff at 2 s).</summary>
    private static readonly TimeSpan WaitHorizon = TimeSpan.FromMinutes(1);

    /// <summary>Request timeout for manual-clock tests: beyond <see cref="WaitHorizon"/>, so moving the clock never times a request out.</summary>
    public static readonly TimeSpan NoTimeout = TimeSpan.FromHours(1);

    public static Task<SmartfloSimulator> StartSimulatorAsync(TimeProvider clock, int ttlSeconds = 3600) =>
        SmartfloSimulator.StartAsync(
            new SimulatorConfig { Seed = 42, TokenTtlSeconds = ttlSeconds, Accounts = [SimTestKit.Account()] },
            new SimulatorHostOptions { TimeProvider = clock },
            TestContext.Current.CancellationToken);

    /// <summary>A transport as production builds it (3 s connect timeout, pooled connections).</summary>
    public static HttpClient Http() => new(SmartfloClient.CreateDefaultHandler());

    /// <summary>
    /// A client for the test account: credentials, API key and a local budget large enough never to queue
    /// (the simulator's limit is what these tests exercise).
    /// </summary>
    public static SmartfloClient Client(
        SmartfloSimulator sim,
        HttpClient http,
        TimeProvider? clock = null,
        string email = SimTestKit.LoginId,
        string password = SimTestKit.Password,
        string apiKey = SimTestKit.ApiKey,
        TimeSpan? requestTimeout = null,
        CapturingLogger? logger = null) =>
        new(http, new SmartfloClientOptions
        {
            BaseUrl = sim.BaseUrl,
            AllowInsecureHttp = true,
            Email = email,
            Password = password,
            ApiKey = apiKey,
            MaxRequestsPerSecond = 1000,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10),
            HangupAttemptTimeout = requestTimeout == NoTimeout ? NoTimeout : TimeSpan.FromSeconds(5),
        }, logger, clock ?? TimeProvider.System);

    public static ClickToCallSupportRequest SupportDial(string customer = Customer, string? callerId = SimTestKit.KeyDid, string? customIdentifier = null) => new()
    {
        CustomerNumber = customer,
        CallerId = callerId,
        CallTimeoutSeconds = 630,
        CustomIdentifier = customIdentifier ?? Guid.NewGuid().ToString(),
    };

    public static ClickToCallRequest AgentFirstDial(string destination = Customer, string? callerId = "+918071000002", string? customIdentifier = null) => new()
    {
        AgentNumber = SimTestKit.AgentId,
        DestinationNumber = destination,
        CallerId = callerId,
        CallTimeoutSeconds = 630,
        CustomIdentifier = customIdentifier ?? Guid.NewGuid().ToString(),
    };

    /// <summary>
    /// Awaits <paramref name="operation"/>, moving <paramref name="clock"/> straight to each timer the client arms
    /// within a minute (429 waits, backoff). Bounded: at most ~3000 polls.
    /// </summary>
    public static async Task<T> RunAsync<T>(ManualTimeProvider clock, Func<Task<T>> operation)
    {
        var task = operation();
        for (var poll = 0; poll < 3000 && !task.IsCompleted; poll++)
        {
            await Task.WhenAny(task, Task.Delay(2, TestContext.Current.CancellationToken));
            if (task.IsCompleted) break;
            var now = clock.GetUtcNow();
            if (clock.NextDueAt is { } due && due - now <= WaitHorizon)
                clock.Advance(due > now ? due - now : TimeSpan.Zero);
        }

        return await task;
    }

    /// <summary>Polls every 20 ms, at most 10 s, until <paramref name="condition"/> holds.</summary>
    public static Task WaitUntilAsync(Func<bool> condition) => SimTestKit.WaitUntilAsync(condition);
}
