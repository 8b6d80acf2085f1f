using System.Threading.Channels;
using Awaaz.Server.Agents;
using Awaaz.Server.Calls;

namespace Awaaz.Server.Voice;

/// <summary>What the caller's side of the stream delivers to the agent, in order.</summary>
public abstract record CallerInput(TimeSpan MediaTime);

/// <summary>Caller audio decoded to 8 kHz PCM16; <see cref="CallerInput.MediaTime"/> is its position on the stream timeline.</summary>
public sealed record CallerAudio(TimeSpan MediaTime, short[] Samples) : CallerInput(MediaTime);

public sealed record CallerDtmf(TimeSpan MediaTime, string Digit) : CallerInput(MediaTime);

/// <summary>How much of an utterance the caller heard: all of it, or up to a barge-in.</summary>
public sealed record SpeechPlayback(bool Completed, TimeSpan Heard, TimeSpan Duration, DateTimeOffset? FirstFrameSentAt);

/// <summary>
/// The agent's voice on the call. Audio goes out through one ordered path (framer → pacer → socket);
/// an utterance ends with a mark, and its playback result says what the caller actually heard.
/// </summary>
public interface ISpeechOutput
{
    /// <summary>Queues one utterance of 8 kHz µ-law. Completes when the caller heard it all, or it was cleared or cut by the turn token.</summary>
    Task<SpeechPlayback> SpeakAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> mulaw, CancellationToken turn);

    /// <summary>Barge-in: drop everything queued and send <c>clear</c>.</summary>
    Task ClearAsync();

    /// <summary>True while agent audio is queued or playing at Smartflo.</summary>
    bool IsSpeaking { get; }
}

/// <summary>What a conversation may do to its call, besides speaking.</summary>
public interface ICallActions
{
    /// <summary>Hangs up through the call path (REST hang-up, confirmation, reconciliation) with <paramref name="endReason"/>.</summary>
    Task EndCallAsync(string endReason);

    /// <summary>Records why the voice pipeline failed as the call's <c>error_message</c> (the call goes on until ended).</summary>
    Task ReportFailureAsync(string error);

    /// <summary>
    /// Asks Smartflo to move the caller to <paramref name="number"/> (smartflo.md §5.10) and records the outcome on the call.
    /// On success Awaaz's part of the call is over: no hang-up follows, the stream stops (or is closed after 10 s).
    /// At most one transfer is in flight per call. <paramref name="note"/> is the agent's stated reason.
    /// </summary>
    Task<CallTransfer> TransferAsync(string number, string? note);

    /// <summary>Stores a captured value in the call's <c>variables</c>.</summary>
    Task SetVariableAsync(string name, string? value);
}

/// <summary>Everything a conversation engine gets for one call.</summary>
public sealed record ConversationContext(
    Call Call,
    AgentDocument Agent,
    ChannelReader<CallerInput> Input,
    ISpeechOutput Speech,
    ICallActions Actions,
    Action<TranscriptTurn> Transcript,
    TimeProvider Clock,
    ILogger Logger);

/// <summary>The agent behind a call's media stream: the voice runtime, or the echo test agent.</summary>
public interface IConversationEngine
{
    Task RunAsync(ConversationContext context, CancellationToken ct);
}
