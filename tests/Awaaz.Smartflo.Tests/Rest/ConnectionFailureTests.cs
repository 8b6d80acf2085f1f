using System.Net;
using System.Net.Sockets;
using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Rest;

/// <summary>A dial whose connection is refused never reached Smartflo, so it is the one failure a dial may retry.</summary>
public sealed class ConnectionFailureTests
{
    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int Attempts;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Attempts);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Refused_connections_are_not_ambiguous_and_dials_are_retried_twice()
    {
        var time = new ManualTimeProvider();
        var counting = new CountingHandler(SmartfloClient.CreateDefaultHandler());
        using var client = new SmartfloClient(new HttpClient(counting), new SmartfloClientOptions
        {
            BaseUrl = $"http://127.0.0.1:{ClosedPort()}",
            AllowInsecureHttp = true,
            ApiKey = "3f2b8c1e-aaaa-bbbb-cccc-0123456789ab",
        }, timeProvider: time);

        var pending = client.ClickToCallSupportAsync(
            new ClickToCallSupportRequest { CustomerNumber = "9876543210", CallTimeoutSeconds = 60, CustomIdentifier = "c1" },
            TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<SmartfloException>(() => ClientTestKit.Pump(pending, time, TimeSpan.FromMilliseconds(250)));

        error.Kind.ShouldBe(SmartfloErrorKind.Unreachable);
        error.RequestSent.ShouldBeFalse();
        error.IsAmbiguous.ShouldBeFalse();
        error.HttpStatus.ShouldBe(0);
        error.PartnerMessage.ShouldBe("Tata SmartFlo API error: timeout");
        error.ProviderMessage.ShouldContain("ConnectionRefused");
        counting.Attempts.ShouldBe(3);
    }
}
