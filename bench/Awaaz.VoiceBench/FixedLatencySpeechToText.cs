using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Awaaz.Server.Voice;

namespace Awaaz.VoiceBench;

/// <summary>
/// Benchmark double of a streaming STT (provider name <c>fake</c>): a final transcript <see cref="FinalLatency"/> after
/// each <c>FlushAsync</c>, and — like Deepgram's interim results — one partial after <see cref="PartialAfter"/> of voiced
/// audio since the last flush. It recognises nothing: the texts come from <see cref="BenchSpeech"/>.
/// </summary>
public sealed class FixedLatencySpeechToText : ISpeechToText
{
    public static readonly TimeSpan FinalLatency = TimeSpan.FromMilliseconds(150);
    public static readonly TimeSpan PartialAfter = TimeSpan.FromMilliseconds(200);

    public string Name => "fake";

    public Task<ISpeechRecognition> StartAsync(SpeechRecognitionOptions options, CancellationToken ct) =>
        Task.FromResult<ISpeechRecognition>(new Session());

    private sealed class Session : ISpeechRecognition
    {
        private const double VoicedRms = 300;
        private readonly Channel<SpeechRecognitionEvent> _events = Channel.CreateUnbounded<SpeechRecognitionEvent>();
        private readonly CancellationTokenSource _disposed = new();
        private int _voicedSamples;
        private bool _partialSent;
        private int _finals;

        public ValueTask SendAsync(ReadOnlyMemory<short> pcm, CancellationToken ct)
        {
            double sum = 0;
            foreach (var s in pcm.Span) sum += s * (double)s;
            if (pcm.Length > 0 && Math.Sqrt(sum / pcm.Length) >= VoicedRms) _voicedSamples += pcm.Length;
            if (!_partialSent && _voicedSamples >= PartialAfter.TotalSeconds * 8000)
            {
                _partialSent = true;
                var words = BenchSpeech.Transcript(_finals).Split(' ');
                _events.Writer.TryWrite(new SpeechRecognitionEvent(string.Join(' ', words.Take(2)), IsFinal: false));
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken ct)
        {
            var text = BenchSpeech.Transcript(_finals++);
            _voicedSamples = 0;
            _partialSent = false;
            _ = Task.Delay(FinalLatency, _disposed.Token).ContinueWith(
                t => { if (!t.IsCanceled) _events.Writer.TryWrite(new SpeechRecognitionEvent(text, IsFinal: true, EndOfUtterance: true)); },
                TaskScheduler.Default);
            return ValueTask.CompletedTask;
        }

        public async IAsyncEnumerable<SpeechRecognitionEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var e in _events.Reader.ReadAllAsync(ct)) yield return e;
        }

        public ValueTask DisposeAsync()
        {
            _disposed.Cancel();
            _events.Writer.TryComplete();
            _disposed.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
