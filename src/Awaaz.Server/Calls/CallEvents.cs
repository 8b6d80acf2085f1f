using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace Awaaz.Server.Calls;

/// <summary>A call's status changed (published in-process; partner webhooks and the dashboard subscribe).</summary>
public sealed record CallChange(Call Before, Call After);

/// <summary>
/// In-process pub/sub of call changes. Subscribers get a bounded channel each; a slow subscriber loses the
/// oldest notifications, never blocks a call. Multi-node deployments can back this with PostgreSQL NOTIFY.
/// </summary>
public sealed class CallEvents
{
    private readonly List<Channel<CallChange>> _subscribers = [];
    private static readonly Meter Meter = new("Awaaz.Calls");
    private static readonly Counter<long> Transitions = Meter.CreateCounter<long>("awaaz.calls.transitions", description: "Call status transitions");

    public void Changed(Call before, Call after)
    {
        if (before.Status == after.Status) return;
        Transitions.Add(1, new KeyValuePair<string, object?>("status", after.Status));
        Channel<CallChange>[] targets;
        lock (_subscribers) targets = [.. _subscribers];
        foreach (var channel in targets) channel.Writer.TryWrite(new CallChange(before, after));
    }

    public ChannelReader<CallChange> Subscribe(int capacity = 1024)
    {
        var channel = Channel.CreateBounded<CallChange>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_subscribers) _subscribers.Add(channel);
        return channel.Reader;
    }
}
