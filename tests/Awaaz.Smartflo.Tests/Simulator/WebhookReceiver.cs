using Xunit;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed record ReceivedWebhook(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? ContentType, string Body);

/// <summary>A tiny Kestrel app on 127.0.0.1 that records every request it gets and answers `{"success":true}`.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();

    private int _failuresLeft;
    private int _failureStatus = 500;

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The next <paramref name="count"/> requests are answered with <paramref name="status"/> (still recorded).</summary>
    public void FailNext(int count, int status = 500)
    {
        _failureStatus = status;
        Interlocked.Exchange(ref _failuresLeft, count);
    }

    public string BaseUrl { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
            await receiver._received.Writer.WriteAsync(new ReceivedWebhook(
                context.Request.Method, context.Request.Path.Value ?? "", query, context.Request.ContentType, body));
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0)
            {
                context.Response.StatusCode = receiver._failureStatus;
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"success":true}""");
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    /// <summary>The next request received, waiting at most 10 s.</summary>
    public async Task<ReceivedWebhook> NextAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public bool TryTake(out ReceivedWebhook? webhook) => _received.Reader.TryRead(out webhook);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
