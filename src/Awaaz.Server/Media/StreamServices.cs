using Awaaz.Server.Agents;
using Awaaz.Server.Calls;
using Awaaz.Server.Telephony;
using Awaaz.Server.Voice;

namespace Awaaz.Server.Media;

/// <summary>The node services a media session uses.</summary>
public sealed class StreamServices(
    CallStore calls, ConnectionStore connections, CallCorrelator correlator, CallControl control, LiveCalls live,
    ConversationEngines engines, ILiveTranscripts transcripts, TimeProvider clock, ILoggerFactory loggers, IConfiguration configuration)
{
    public CallStore Calls { get; } = calls;
    public ConnectionStore Connections { get; } = connections;
    public CallCorrelator Correlator { get; } = correlator;
    public CallControl Control { get; } = control;
    public LiveCalls Live { get; } = live;
    public ConversationEngines Engines { get; } = engines;
    public ILiveTranscripts Transcripts { get; } = transcripts;
    public TimeProvider Clock { get; } = clock;
    public ILoggerFactory Loggers { get; } = loggers;

    /// <summary>Where call recordings are written: <c>Awaaz:RecordingsDirectory</c>, default <c>./data/recordings</c>.</summary>
    public string RecordingsDirectory { get; } = Path.GetFullPath(configuration["Awaaz:RecordingsDirectory"] ?? Path.Combine("data", "recordings"));
}

/// <summary>
/// Chooses the conversation engine for an agent: the voice runtime, or the echo test agent for agents whose prompt
/// starts with <c>#echo</c> (media-plane checks and load tests).
/// </summary>
public sealed class ConversationEngines(EchoAgent echo, VoiceAgent voice)
{
    public const string EchoMarker = "#echo";

    public IConversationEngine For(AgentDocument agent) =>
        agent.Prompt.TrimStart().StartsWith(EchoMarker, StringComparison.OrdinalIgnoreCase) ? echo : voice;
}
