using Awaaz.Smartflo.Simulator.Caller;
using FsCheck;
using FsCheck.Fluent;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>Spec §11.5, rule by rule, on the pure playback model (positions in samples: 8 per ms).</summary>
public sealed class PlaybackQueueTests
{
    private static byte[] Audio(int bytes, byte value) => Enumerable.Repeat(value, bytes).ToArray();

    [Fact]
    public void Rule_2_audio_plays_in_real_time_and_an_empty_queue_is_heard_as_silence()
    {
        var queue = new PlaybackQueue();

        queue.AdvanceTo(400);                          // 50 ms of nothing
        queue.EnqueueAudio(Audio(800, 0x11), 400);     // 100 ms of audio
        queue.AdvanceTo(800);                          // half of it played

        queue.PlayedBytes.ShouldBe(400);
        queue.QueuedBytes.ShouldBe(400);
        queue.AdvanceTo(2000);
        queue.HeardAudio.ToArray().ShouldBe([.. Audio(400, 0xFF), .. Audio(800, 0x11), .. Audio(800, 0xFF)]);
    }

    [Fact]
    public void Rule_3_a_mark_is_echoed_when_the_playhead_passes_the_last_byte_before_it()
    {
        var queue = new PlaybackQueue();
        queue.EnqueueAudio(Audio(1600, 0x11), 0);
        queue.EnqueueMark("t1.1", 0).ShouldBeEmpty();
        queue.EnqueueAudio(Audio(800, 0x22), 0);
        queue.EnqueueMark("t1.2", 0).ShouldBeEmpty();
        queue.EnqueueMark("t1.3", 0).ShouldBeEmpty();

        queue.SamplesUntilNextMark.ShouldBe(1600);
        queue.AdvanceTo(1599).ShouldBeEmpty();
        queue.AdvanceTo(1600).ShouldBe([new MarkEcho("t1.1", MarkEchoKind.Played)]);
        queue.SamplesUntilNextMark.ShouldBe(800);
        queue.AdvanceTo(2399).ShouldBeEmpty();
        queue.AdvanceTo(5000).ShouldBe([new MarkEcho("t1.2", MarkEchoKind.Played), new MarkEcho("t1.3", MarkEchoKind.Played)]);
        queue.SamplesUntilNextMark.ShouldBeNull();
    }

    [Fact]
    public void Rule_4_a_mark_with_nothing_queued_ahead_is_echoed_immediately()
    {
        var queue = new PlaybackQueue();

        queue.EnqueueMark("first", 0).ShouldBe([new MarkEcho("first", MarkEchoKind.Immediate)]);
        queue.EnqueueAudio(Audio(160, 0x11), 100);
        queue.EnqueueMark("after-audio", 100).ShouldBeEmpty();
        var echoes = queue.EnqueueMark("drained", 260);

        echoes.ShouldBe([new MarkEcho("after-audio", MarkEchoKind.Played), new MarkEcho("drained", MarkEchoKind.Immediate)]);
    }

    [Fact]
    public void Rule_5_clear_discards_queued_audio_then_echoes_pending_marks_in_order()
    {
        var queue = new PlaybackQueue();
        queue.EnqueueAudio(Audio(800, 0x11), 0);
        queue.EnqueueMark("a", 0);
        queue.EnqueueAudio(Audio(800, 0x22), 0);
        queue.EnqueueMark("b", 0);
        queue.EnqueueAudio(Audio(800, 0x33), 0);
        queue.EnqueueMark("c", 0);

        var outcome = queue.Clear(1000); // "a" played at 800, then 200 bytes of the second segment

        outcome.Echoes.ShouldBe([
            new MarkEcho("a", MarkEchoKind.Played),
            new MarkEcho("b", MarkEchoKind.Flushed),
            new MarkEcho("c", MarkEchoKind.Flushed),
        ]);
        outcome.DiscardedBytes.ShouldBe(600 + 800);
        queue.PlayedBytes.ShouldBe(1000);

        queue.EnqueueAudio(Audio(160, 0x44), 1000); // later audio starts from an empty queue
        queue.EnqueueMark("d", 1000).ShouldBeEmpty();
        queue.AdvanceTo(1160).ShouldBe([new MarkEcho("d", MarkEchoKind.Played)]);
        queue.HeardAudio.ToArray().ShouldBe([.. Audio(800, 0x11), .. Audio(200, 0x22), .. Audio(160, 0x44)]);
    }

    [Fact]
    public void Rule_6_marks_pending_at_stop_are_never_echoed()
    {
        var queue = new PlaybackQueue();
        queue.EnqueueAudio(Audio(800, 0x11), 0);
        queue.EnqueueMark("due", 0);
        queue.EnqueueAudio(Audio(800, 0x22), 0);
        queue.EnqueueMark("pending", 0);

        var atStop = queue.Stop(1000);

        atStop.ShouldBe([new MarkEcho("due", MarkEchoKind.Played)]);
        queue.DroppedMarks.ShouldBe(1);
        queue.DroppedAtStopBytes.ShouldBe(600);
        queue.AdvanceTo(10_000).ShouldBeEmpty();
        queue.EnqueueMark("late", 10_000).ShouldBeEmpty();
        queue.Clear(10_000).Echoes.ShouldBeEmpty();
        queue.HeardAudio.Length.ShouldBe(1000);
    }

    public enum Op { Audio, Mark, Clear, Advance }

    /// <summary>Any sequence of operations: every byte is accounted for, every mark is echoed once at most, in queue order within a kind.</summary>
    [Fact]
    public void Any_sequence_accounts_for_every_byte_and_echoes_marks_at_most_once_in_order()
    {
        var operations =
            (from op in Gen.Elements(Op.Audio, Op.Audio, Op.Mark, Op.Clear, Op.Advance, Op.Advance)
             from size in Gen.Choose(1, 20)
             select (op, size)).ArrayOf();

        Prop.ForAll(operations.ToArbitrary(), steps =>
        {
            var queue = new PlaybackQueue();
            long position = 0, enqueued = 0;
            var sent = new List<string>();
            var echoed = new List<string>();
            foreach (var (op, size) in steps)
            {
                switch (op)
                {
                    case Op.Audio:
                        queue.EnqueueAudio(Audio(size * 160, 0x11), position).ToList().ForEach(e => echoed.Add(e.Name));
                        enqueued += size * 160;
                        break;
                    case Op.Mark:
                        var name = "m" + sent.Count;
                        sent.Add(name);
                        queue.EnqueueMark(name, position).ToList().ForEach(e => echoed.Add(e.Name));
                        break;
                    case Op.Clear:
                        queue.Clear(position).Echoes.ToList().ForEach(e => echoed.Add(e.Name));
                        break;
                    default:
                        position += size * 100;
                        queue.AdvanceTo(position).ToList().ForEach(e => echoed.Add(e.Name));
                        break;
                }

                if (queue.PlayedBytes + queue.DiscardedBytes + queue.QueuedBytes != enqueued || queue.HeardAudio.Length != queue.Position)
                {
                    return false;
                }
            }

            var pending = queue.PendingMarks;
            return echoed.SequenceEqual(sent.Take(sent.Count - pending)) && queue.Position == position;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }
}
