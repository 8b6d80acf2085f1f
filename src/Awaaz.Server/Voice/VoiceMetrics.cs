using System.Diagnostics.Metrics;

namespace Awaaz.Server.Voice;

/// <summary>Where the time of one agent turn went (ms). Stored with the bot turn and recorded as histograms.</summary>
public sealed record TurnLatency(int Endpointing, int SttFinal, int LlmFirstToken, int TtsFirstByte, int Total)
{
    /// <summary>Time not spent waiting on VAD, STT, LLM or TTS: queues, framing, pacing and our own code.</summary>
    public int Orchestration => Math.Max(0, Total - Endpointing - SttFinal - LlmFirstToken - TtsFirstByte);
}

public sealed class VoiceMetrics
{
    private static readonly Meter Meter = new("Awaaz.Voice");
    private readonly Histogram<int> _endpointing = Meter.CreateHistogram<int>("awaaz.voice.turn.endpointing", "ms");
    private readonly Histogram<int> _stt = Meter.CreateHistogram<int>("awaaz.voice.turn.stt_final", "ms");
    private readonly Histogram<int> _llm = Meter.CreateHistogram<int>("awaaz.voice.turn.llm_first_token", "ms");
    private readonly Histogram<int> _tts = Meter.CreateHistogram<int>("awaaz.voice.turn.tts_first_byte", "ms");
    private readonly Histogram<int> _orchestration = Meter.CreateHistogram<int>("awaaz.voice.turn.orchestration", "ms");
    private readonly Histogram<int> _total = Meter.CreateHistogram<int>("awaaz.voice.turn.latency", "ms", "End of user speech to first agent audio frame sent");
    private readonly Counter<long> _bargeIns = Meter.CreateCounter<long>("awaaz.voice.barge_ins");
    private readonly Histogram<int> _bargeInLatency = Meter.CreateHistogram<int>("awaaz.voice.barge_in.latency", "ms", "First speech window of the interrupting speech (VAD) to clear sent");

    public void Record(TurnLatency l)
    {
        _endpointing.Record(l.Endpointing);
        _stt.Record(l.SttFinal);
        _llm.Record(l.LlmFirstToken);
        _tts.Record(l.TtsFirstByte);
        _orchestration.Record(l.Orchestration);
        _total.Record(l.Total);
    }

    public void BargeIn() => _bargeIns.Add(1);

    public void BargeInCleared(TimeSpan speechOnsetToClearSent) => _bargeInLatency.Record((int)Math.Round(speechOnsetToClearSent.TotalMilliseconds));
}
