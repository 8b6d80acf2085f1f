using System.Net;
using Awaaz.Smartflo.Simulator.Accounts;
using Awaaz.Smartflo.Simulator.Auth;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Control;
using Awaaz.Smartflo.Simulator.Faults;
using Awaaz.Smartflo.Simulator.Rest;
using Awaaz.Smartflo.Simulator.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Awaaz.Smartflo.Simulator;

/// <summary>Where the simulator listens and which clock it uses.</summary>
public sealed class SimulatorHostOptions
{
    /// <summary>IP address to bind; loopback by default.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port to bind; 0 picks a free one (read it back from <see cref="SmartfloSimulator.BaseUrl"/>).</summary>
    public int Port { get; init; }

    /// <summary>Clock for token expiry, CPS windows, call timings and stamps. Tests pass a controllable one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// A running Smartflo simulator on real Kestrel: the Smartflo REST API under `/v1/`, recordings under `/file/`
/// and the control API under `/_sim/`. Start one per test with <see cref="StartAsync"/>.
/// </summary>
public sealed class SmartfloSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WebhookSender _webhookSender;
    private SimulatorConfig _startConfig;

    private SmartfloSimulator(SimulatorConfig config, SimulatorHostOptions options, WebApplication app)
    {
        _app = app;
        _startConfig = config.Clone();
        Time = options.TimeProvider;
        Seed = config.Seed ?? Random.Shared.Next();
        Ids = new SimIds(Seed);
        Tokens = new TokenIssuer(Ids, Time, Seed);
        Accounts = new SimAccounts(Tokens);
        Faults = new SimFaults(Tokens, Ids);
        Requests = new RequestLog();
        _webhookSender = new WebhookSender();
        Calls = new CallEngine(Ids, Time, Accounts, Faults, _webhookSender, () => BaseUrl);
        TokenTtlSeconds = config.TokenTtlSeconds;
        Accounts.ReplaceAll(config.Accounts);
    }

    /// <summary>`http://127.0.0.1:&lt;port&gt;`: the connection `base_url` for clients.</summary>
    public string BaseUrl { get; private set; } = "";

    public int Seed { get; private set; }

    /// <summary>The account model: seed and inspect accounts, users, DIDs, API keys and webhooks.</summary>
    public SimAccounts Accounts { get; }

    /// <summary>Fault switches (token expiry, forced 401/5xx, CPS limit with 429, latency, variants).</summary>
    public SimFaults Faults { get; }

    /// <summary>Every Smartflo REST request received, with counts per route.</summary>
    public RequestLog Requests { get; }

    /// <summary>The call engine: every simulated call, and the far-end actions (answer, miss, hang up, DTMF, webhooks).</summary>
    public CallEngine Calls { get; }

    public TimeProvider Time { get; }

    /// <summary>Lifetime of tokens issued from now on.</summary>
    public int TokenTtlSeconds { get; set; }

    internal TokenIssuer Tokens { get; }

    internal SimIds Ids { get; }

    /// <summary>The configuration as it is now (accounts with everything added since start).</summary>
    public SimulatorConfig CurrentConfig => new()
    {
        Seed = Seed,
        TokenTtlSeconds = TokenTtlSeconds,
        Accounts = [.. Accounts.All],
    };

    public static async Task<SmartfloSimulator> StartAsync(
        SimulatorConfig config,
        SimulatorHostOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new SimulatorHostOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.Host), options.Port));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();

        var simulator = new SmartfloSimulator(config, options, app);
        app.UseRouting();
        app.UseMiddleware<FaultMiddleware>(simulator);
        SmartfloApi.Map(app, simulator);
        ControlApi.Map(app, simulator);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        simulator.BaseUrl = address.TrimEnd('/');
        return simulator;
    }

    /// <summary>A token for an account without a login request (not counted as a login).</summary>
    public IssuedToken IssueToken(string accountId) =>
        Tokens.Issue(Accounts.Get(accountId).Id, TimeSpan.FromSeconds(TokenTtlSeconds));

    /// <summary>Back to the start: configuration as loaded, no calls, tokens, requests or faults; ids from the seed again.</summary>
    public void Reset() => Load(_startConfig);

    /// <summary>Replaces the configuration (accounts, TTL) and clears all state, as `PUT /_sim/config`.</summary>
    public void LoadConfig(SimulatorConfig config)
    {
        if (config.Accounts.FirstOrDefault(a => string.IsNullOrWhiteSpace(a.Id)) is not null)
        {
            throw new ArgumentException("Every account needs an id.", nameof(config));
        }

        _startConfig = config.Clone();
        Load(_startConfig);
    }

    public async ValueTask DisposeAsync()
    {
        await Calls.StopAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _webhookSender.Dispose();
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    private void Load(SimulatorConfig config)
    {
        Seed = config.Seed ?? Seed;
        Ids.Reseed(Seed);
        Calls.Clear();
        Tokens.Clear();
        Requests.Clear();
        Faults.Clear();
        TokenTtlSeconds = config.TokenTtlSeconds;
        Accounts.ReplaceAll(config.Clone().Accounts);
    }
}
