using System.Net;
using System.Net.Sockets;
using Awaaz.Server.Outbound;
using Awaaz.Server.Tests.Voice.Cloud;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Awaaz.Server.Tests.Outbound;

/// <summary>The guarded client against a real local Kestrel server.</summary>
public sealed class OutboundClientTests : IAsyncLifetime
{
    private FakeVendorServer _server = null!;
    private int _hits;
    private int _redirectTargetHits;

    public async ValueTask InitializeAsync() => _server = await FakeVendorServer.StartAsync(app =>
    {
        app.Use(async (context, next) => { Interlocked.Increment(ref _hits); await next(); });
        app.MapGet("/ok", () => Results.Text("""{"ok":true}""", "application/json"));
        app.MapGet("/redirect", () => Results.Redirect("/target"));
        app.MapGet("/target", () => { Interlocked.Increment(ref _redirectTargetHits); return "target"; });
        app.MapGet("/unavailable", () => Results.StatusCode(503));
        app.MapGet("/body/{size:int}", (int size, bool? chunked, HttpContext context) => Body(context, size, chunked == true));
        app.MapGet("/slow", async (HttpContext context) => { await Task.Delay(Timeout.Infinite, context.RequestAborted); });
    });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static async Task Body(HttpContext context, int size, bool chunked)
    {
        if (!chunked) context.Response.ContentLength = size;
        var data = new byte[size];
        data.AsSpan().Fill((byte)'a');
        for (var offset = 0; offset < size; offset += 8192)
        {
            await context.Response.Body.WriteAsync(data.AsMemory(offset, Math.Min(8192, size - offset)));
            await context.Response.Body.FlushAsync();
        }
    }

    private static OutboundClient Client(bool allowPrivate) => new(Options.Create(new OutboundOptions { AllowPrivateTargets = allowPrivate }));

    private static async Task<OutboundException> FailsAsync(OutboundClient client, string url, int timeoutMs = 5000) =>
        await Should.ThrowAsync<OutboundException>(() =>
            client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), TimeSpan.FromMilliseconds(timeoutMs), TestContext.Current.CancellationToken));

    private int Port => new Uri(_server.BaseUrl).Port;

    [Theory]
    [InlineData("http://127.0.0.1:{0}/ok")]
    [InlineData("http://localhost:{0}/ok")]            // a host name resolving to loopback
    [InlineData("http://[::1]:{0}/ok")]
    [InlineData("http://[::ffff:127.0.0.1]:{0}/ok")]   // IPv4-mapped loopback
    [InlineData("http://[::127.0.0.1]:{0}/ok")]        // IPv4-compatible loopback
    [InlineData("http://0.0.0.0:{0}/ok")]
    [InlineData("http://169.254.169.254:{0}/latest/meta-data")]
    public async Task Loopback_and_other_blocked_targets_are_refused_before_connecting(string url)
    {
        using var client = Client(allowPrivate: false);

        var failure = await FailsAsync(client, string.Format(url, Port));

        failure.Message.ShouldBe("blocked target address");
        failure.Status.ShouldBeNull();
        _hits.ShouldBe(0);
    }

    [Fact]
    public async Task Allowing_private_targets_lifts_the_address_check()
    {
        using var client = Client(allowPrivate: true);

        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, _server.BaseUrl + "/ok"), TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        response.Status.ShouldBe(200);
        response.Body.ShouldBe("""{"ok":true}""");
        response.MediaType.ShouldBe("application/json");
        _hits.ShouldBe(1);
    }

    [Fact]
    public void The_server_setting_WEBHOOK_ALLOW_PRIVATE_TARGETS_sets_the_option()
    {
        OutboundOptions Read(string? value)
        {
            var options = new OutboundOptions();
            OutboundOptions.Configure(options, new ConfigurationBuilder().AddInMemoryCollection([new("WEBHOOK_ALLOW_PRIVATE_TARGETS", value)]).Build());
            return options;
        }
        Read("true").AllowPrivateTargets.ShouldBeTrue();
        Read("TRUE").AllowPrivateTargets.ShouldBeTrue();
        Read("1").AllowPrivateTargets.ShouldBeTrue();
        Read("false").AllowPrivateTargets.ShouldBeFalse();
        Read(null).AllowPrivateTargets.ShouldBeFalse();
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        using var client = Client(allowPrivate: true);

        var failure = await FailsAsync(client, _server.BaseUrl + "/redirect");

        failure.Message.ShouldBe("redirect not followed (302)");
        failure.Status.ShouldBe(302);
        _redirectTargetHits.ShouldBe(0);
    }

    [Fact]
    public async Task Error_statuses_are_reported_as_HTTP_status()
    {
        using var client = Client(allowPrivate: true);

        var failure = await FailsAsync(client, _server.BaseUrl + "/unavailable");

        failure.Message.ShouldBe("HTTP 503");
        failure.Status.ShouldBe(503);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_response_body_is_capped_at_64_KiB(bool chunked)
    {
        using var client = Client(allowPrivate: true);
        var ct = TestContext.Current.CancellationToken;

        var atCap = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{_server.BaseUrl}/body/{OutboundClient.MaxResponseBytes}?chunked={chunked}"), TimeSpan.FromSeconds(5), ct);
        var over = await FailsAsync(client, $"{_server.BaseUrl}/body/{OutboundClient.MaxResponseBytes + 1}?chunked={chunked}");

        atCap.Body.Length.ShouldBe(65536);
        over.Message.ShouldBe("response body over 65536 bytes");
    }

    [Fact]
    public async Task A_slow_endpoint_times_out_with_the_configured_deadline_in_the_message()
    {
        using var client = Client(allowPrivate: true);

        var failure = await FailsAsync(client, _server.BaseUrl + "/slow", timeoutMs: 300);

        failure.Message.ShouldBe("timeout after 300 ms");
    }

    [Fact]
    public async Task A_closed_port_is_connection_refused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = Client(allowPrivate: true);

        var failure = await FailsAsync(client, $"http://127.0.0.1:{port}/");

        failure.Message.ShouldBe("connection refused");
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_a_timeout()
    {
        using var client = Client(allowPrivate: true);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var request = client.SendAsync(new HttpRequestMessage(HttpMethod.Get, _server.BaseUrl + "/slow"), TimeSpan.FromSeconds(30), cancel.Token);
        while (_hits == 0) await Task.Delay(10, TestContext.Current.CancellationToken);

        cancel.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => request);
    }
}
