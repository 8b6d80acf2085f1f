using System.Text;
using Awaaz.Server.Telephony.Smartflo;
using Microsoft.AspNetCore.Http;

namespace Awaaz.Server.Tests.Telephony;

/// <summary>Resolver request parsing (smartflo.md §9.4) for bodies of every size the pooled body reader handles.</summary>
public sealed class ResolverInputTests
{
    private static HttpRequest Post(string body, string contentType = "application/json", bool sendLength = true, string query = "?secret=s")
    {
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Method = "POST";
        context.Request.QueryString = new QueryString(query);
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(bytes);
        if (sendLength) context.Request.ContentLength = bytes.Length;
        return context.Request;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Panel_json_body_is_read_with_or_without_a_content_length(bool sendLength)
    {
        var inputs = await ResolverEndpoint.ReadInputsAsync(
            Post("""{"callId":"h3.08-1770534283.2156835","fromNumber":"9876543210","toNumber":"8071000002","status":"answered"}""", sendLength: sendLength),
            TestContext.Current.CancellationToken);
        inputs.ShouldBe(new Awaaz.Server.Calls.ResolverInputs("h3.08-1770534283.2156835", "9876543210", "8071000002", "answered", null, null));
    }

    [Theory]
    [InlineData(1_500)]      // beyond the first buffer when no length is sent
    [InlineData(40_000)]     // several buffer doublings
    [InlineData(65_536)]     // exactly the limit
    public async Task Bodies_larger_than_the_first_buffer_are_read_whole(int size)
    {
        const string head = "{\"callId\":\"c1\",\"fromNumber\":\"9876543210\",\"toNumber\":\"8071000002\",\"status\":\"answered\",\"padding\":\"";
        var body = head + new string('x', size - head.Length - 2) + "\"}";
        body.Length.ShouldBe(size);
        foreach (var sendLength in new[] { true, false })
        {
            var inputs = await ResolverEndpoint.ReadInputsAsync(Post(body, sendLength: sendLength), TestContext.Current.CancellationToken);
            inputs.CallId.ShouldBe("c1");
            inputs.ToNumber.ShouldBe("8071000002");
        }
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_cut_at_the_limit_and_read_as_a_form()
    {
        // Cut JSON is not JSON: the reader falls back to form parsing of the first 64 Ki characters, as before.
        var body = "callId=c2&toNumber=8071000002&fromNumber=9876543210&pad=" + new string('y', 70_000) + "&status=late";
        var inputs = await ResolverEndpoint.ReadInputsAsync(Post(body, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken);
        inputs.CallId.ShouldBe("c2");
        inputs.ToNumber.ShouldBe("8071000002");
        inputs.Status.ShouldBeNull();
    }
}
