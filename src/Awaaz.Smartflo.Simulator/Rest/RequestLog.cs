using System.Collections.Concurrent;

namespace Awaaz.Smartflo.Simulator.Rest;

/// <summary>One Smartflo REST request as the simulator saw and answered it (secrets redacted).</summary>
public sealed record RecordedRequest(
    DateTimeOffset At,
    string Method,
    string Path,
    string Query,
    SmartfloRoute Route,
    int Status,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    double ElapsedMs,
    string? Fault);

/// <summary>Every Smartflo REST request received, for assertions such as "50 concurrent requests caused 1 login".</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    /// <summary>Raised after each recorded request (the CLI prints them).</summary>
    public event Action<RecordedRequest>? Recorded;

    public IReadOnlyList<RecordedRequest> All => _requests.ToArray();

    public int Count(SmartfloRoute route) => _requests.Count(r => r.Route == route);

    public int Count(SmartfloRoute route, int status) => _requests.Count(r => r.Route == route && r.Status == status);

    /// <summary>Requests per route name (`login`, `click_to_call`...).</summary>
    public IReadOnlyDictionary<string, int> CountsByRoute =>
        _requests.GroupBy(r => r.Route.WireName()).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    public void Clear() => _requests.Clear();

    internal void Add(RecordedRequest request)
    {
        _requests.Enqueue(request);
        Recorded?.Invoke(request);
    }
}
