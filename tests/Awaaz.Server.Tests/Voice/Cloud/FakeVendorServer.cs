using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Awaaz.Server.Tests.Voice.Cloud;

/// <summary>A tiny Kestrel app on 127.0.0.1:0 that a fake vendor maps its routes onto.</summary>
public sealed class FakeVendorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeVendorServer(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    /// <summary><see cref="BaseUrl"/> with the <c>ws</c> scheme.</summary>
    public string WebSocketUrl => "ws" + BaseUrl["http".Length..];

    public static async Task<FakeVendorServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeVendorServer(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class Waits
{
    /// <summary>A token for waiting on something that should happen promptly; a failed wait fails the test instead of hanging it.</summary>
    public static CancellationToken Soon(int seconds = 10)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(TimeSpan.FromSeconds(seconds));
        return source.Token;
    }
}
