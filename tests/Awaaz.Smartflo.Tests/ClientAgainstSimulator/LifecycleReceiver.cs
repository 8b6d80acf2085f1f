using System.Net;
using System.Threading.Channels;
using Awaaz.Smartflo.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Awaaz.Smartflo.Tests.ClientAgainstSimulator;

/// <summary>One webhook request exactly as it reached the receiver, parsed the way the lifecycle route parses it.</summary>
internal sealed record DeliveredWebhook(string Method, string? RawQuery, string? ContentType, byte[] Body, WebhookParseResult Parsed);

/// <summary>
/// A tiny lifecycle endpoint on 127.0.0.1:0: keeps the raw query string, body bytes and content type of each request,
/// runs <see cref="SmartfloWebhookParser.Parse"/> on them and answers <c>{"success":true}</c> (spec §10.3).
/// </summary>
internal sealed class LifecycleReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<DeliveredWebhook> _received = Channel.CreateUnbounded<DeliveredWebhook>();

    private LifecycleReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<LifecycleReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new LifecycleReceiver(app);
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var body = buffer.ToArray();
            var query = context.Request.QueryString.Value;
            var parsed = SmartfloWebhookParser.Parse(query, body, context.Request.ContentType);
            await receiver._received.Writer.WriteAsync(new DeliveredWebhook(context.Request.Method, query, context.Request.ContentType, body, parsed));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"success":true}""");
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return receiver;
    }

    /// <summary>The next request received, waiting at most 10 s.</summary>
    public async Task<DeliveredWebhook> NextAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
