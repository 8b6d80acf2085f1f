using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Awaaz.Server.Calls;

/// <summary>Something that happened to a live call's transcript.</summary>
public abstract record LiveTranscriptEvent(string CallId, string PartnerId);

/// <summary>A turn was added (bot turns arrive already truncated to what the caller heard).</summary>
public sealed record TranscriptTurnAdded(string CallId, string PartnerId, TranscriptTurn Turn) : LiveTranscriptEvent(CallId, PartnerId);

/// <summary>The media stream ended: no more turns for this call.</summary>
public sealed record TranscriptClosed(string CallId, string PartnerId) : LiveTranscriptEvent(CallId, PartnerId);

/// <summary>
/// Live transcript pub/sub: the node running a call publishes, live views (the dashboard) subscribe. This in-process
/// implementation serves one node; several nodes need a shared backing (PostgreSQL LISTEN/NOTIFY) behind the same seam.
/// </summary>
public interface ILiveTranscripts
{
    /// <summary>Never blocks and never throws: a call must not slow down because somebody is watching it.</summary>
    void Publish(LiveTranscriptEvent e);

    /// <summary>
    /// Events of one partner's calls (all of them, or only <paramref name="callId"/>) from now until <paramref name="ct"/>.
    /// A reader that falls more than <see cref="InProcessLiveTranscripts.SubscriberBuffer"/> events behind loses the oldest.
    /// </summary>
    IAsyncEnumerable<LiveTranscriptEvent> SubscribeAsync(string partnerId, string? callId, CancellationToken ct);
}

public sealed class InProcessLiveTranscripts : ILiveTranscripts
{
    public const int SubscriberBuffer = 256;

    private sealed record Subscriber(string PartnerId, string? CallId, Channel<LiveTranscriptEvent> Events);

    private readonly ConcurrentDictionary<Guid, Subscriber> _subscribers = new();

    public int SubscriberCount => _subscribers.Count;

    public void Publish(LiveTranscriptEvent e)
    {
        foreach (var (_, s) in _subscribers)
            if (s.PartnerId == e.PartnerId && (s.CallId is null || s.CallId == e.CallId))
                s.Events.Writer.TryWrite(e);
    }

    /// <remarks>The subscription starts at this call (not at the first read) and ends when <paramref name="ct"/> is cancelled or the reader stops.</remarks>
    public IAsyncEnumerable<LiveTranscriptEvent> SubscribeAsync(string partnerId, string? callId, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var events = Channel.CreateBounded<LiveTranscriptEvent>(new BoundedChannelOptions(SubscriberBuffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
        });
        _subscribers[id] = new Subscriber(partnerId, callId, events);
        var registration = ct.Register(() => _subscribers.TryRemove(id, out _));
        return ReadAsync(id, events.Reader, callId, registration, ct);
    }

    private async IAsyncEnumerable<LiveTranscriptEvent> ReadAsync(Guid id, ChannelReader<LiveTranscriptEvent> events, string? callId,
        CancellationTokenRegistration registration, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            while (await events.WaitToReadAsync(ct).ConfigureAwait(false))
                while (events.TryRead(out var e))
                {
                    yield return e;
                    if (callId is not null && e is TranscriptClosed) yield break;
                }
        }
        finally
        {
            _subscribers.TryRemove(id, out _);
            await registration.DisposeAsync();
        }
    }
}
