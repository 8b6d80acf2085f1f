using System.Net;
using System.Text;

namespace Awaaz.Smartflo.Tests.Support;

/// <summary>A recorded request: method, path and query, Authorization header and body text.</summary>
internal sealed record RecordedRequest(HttpMethod Method, string PathAndQuery, string? Authorization, string? Body, string? ContentType, string? UserAgent);

/// <summary>Answers every request with a delegate and records what was sent.</summary>
internal sealed class StubHandler(Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    public StubHandler(Func<RecordedRequest, HttpResponseMessage> respond) : this((r, _) => Task.FromResult(respond(r))) { }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests) return _requests.ToList();
        }
    }

    public int Count(string path)
    {
        lock (_requests) return _requests.Count(r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(
            request.Method,
            request.RequestUri!.PathAndQuery,
            request.Headers.TryGetValues("Authorization", out var auth) ? auth.Single() : null,
            body,
            request.Content?.Headers.ContentType?.MediaType,
            request.Headers.TryGetValues("User-Agent", out var agent) ? string.Join(' ', agent) : null);
        lock (_requests) _requests.Add(recorded);
        return await respond(recorded, cancellationToken);
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Text(HttpStatusCode status, string text, string mediaType = "text/html") =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, mediaType) };
}
