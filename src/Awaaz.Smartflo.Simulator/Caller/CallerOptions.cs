using System.Security.Cryptography;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Streaming;

namespace Awaaz.Smartflo.Simulator.Caller;

/// <summary>A key the caller presses <see cref="At"/> after the stream started.</summary>
public sealed record DtmfPress(TimeSpan At, char Digit);

/// <summary>Stop reasons the simulator sends (free text on the wire; spec §11.3 documents only the first).</summary>
public static class StopReasons
{
    public const string CallerDisconnected = "The caller disconnected the call";

    /// <summary>[A] wording for a REST hangup or a bot `end`; Awaaz never branches on it.</summary>
    public const string CallDisconnected = "The call was disconnected";

    /// <summary>[A] wording for the stop after a transfer (spec §11.3 lists "transferred" among the causes, not the text).</summary>
    public const string CallTransferred = "The call was transferred";
}

/// <summary>Everything one simulated Smartflo call needs: how to reach the resolver, who calls whom, what the caller says and does.</summary>
public sealed record CallerOptions
{
    /// <summary>The Dynamic VOICE Bot endpoint URL (e.g. `http://127.0.0.1:8080/api/tata/resolve-wss?secret=…`).</summary>
    public required string ResolverUrl { get; init; }

    public ResolverMethod Method { get; init; } = ResolverMethod.Post;

    /// <summary>Smartflo's deadline for the resolver reply (spec §9.6: 2000 ms).</summary>
    public TimeSpan ResolverDeadline { get; init; } = TimeSpan.FromMilliseconds(2000);

    public bool StrictResolverResponse { get; init; } = true;

    public bool AllowLoopbackWs { get; init; } = true;

    /// <summary>`$callId` and `start.callSid`.</summary>
    public string CallId { get; init; } = NewCallId();

    /// <summary>`$fromNumber` and `start.from`, as sent (10-digit national form in captures).</summary>
    public required string From { get; init; }

    /// <summary>`$toNumber` and `start.to`.</summary>
    public required string To { get; init; }

    /// <summary>`$status` (undocumented values; stored verbatim by Awaaz).</summary>
    public string Status { get; init; } = "answered";

    public CallDirection Direction { get; init; } = CallDirection.Inbound;

    public string AccountSid { get; init; } = "AC" + RandomHex(32);

    public string StreamSid { get; init; } = "MZ" + RandomHex(32);

    public IReadOnlyDictionary<string, string> CustomParameters { get; init; } = new Dictionary<string, string>();

    public CallerAudio Audio { get; init; } = CallerAudio.Silence;

    /// <summary>Talk with the bot (speak, listen, sometimes interrupt) instead of streaming <see cref="Audio"/> once.</summary>
    public ConversationOptions? Conversation { get; init; }

    /// <summary>Caller media cadence: 100 ms (800-byte payloads) or 20 ms (160 bytes); any 10–1000 ms value works.</summary>
    public int FrameMs { get; init; } = 100;

    /// <summary>The caller hangs up this long after `start`; null: the call lasts until the bot ends it, <see cref="SmartfloCaller.HangUpAsync"/>, or <see cref="MaxDuration"/>.</summary>
    public TimeSpan? HangupAfter { get; init; }

    public IReadOnlyList<DtmfPress> Dtmf { get; init; } = [];

    /// <summary>Agent-first: the stream opens before the customer answers; caller audio waits for <see cref="SmartfloCaller.Answer"/> (silence until then).</summary>
    public bool WaitForAnswer { get; init; }

    /// <summary>End the call when the bot sends `end`.</summary>
    public bool HonourEndEvent { get; init; } = true;

    public ViolationPolicy ViolationPolicy { get; init; } = ViolationPolicy.Record;

    /// <summary>Hard bound on one stream.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for the bot's close frame after ours (spec §11.6: the bot closes within 2 s of `stop`).</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Bot frames that arrive this soon after `stop` was sent were in flight when the bot got it: counted, not violations.
    /// Later ones are `after_stop` violations.
    /// </summary>
    public TimeSpan AfterStopGrace { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Keep what the caller heard (µ-law, silence included). Off in load runs.</summary>
    public bool RecordHeardAudio { get; init; } = true;

    /// <summary>Frames (both ways) kept in <see cref="CallerResult.Frames"/>; 0 keeps none.</summary>
    public int MaxFrameLog { get; init; } = 5000;

    /// <summary>Called for each milestone (resolver result, connected, start, stop, close); the engine writes them to the call's timeline.</summary>
    public Action<string, string?>? OnEvent { get; init; }

    /// <summary>A host-prefixed Smartflo call id (`h3.08-1770534283.2156835`) for calls not made by the call engine.</summary>
    public static string NewCallId() =>
        $"h{RandomNumberGenerator.GetInt32(1, 13)}.08-{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{RandomNumberGenerator.GetInt32(1_000_000, 9_999_999)}";

    internal static string RandomHex(int length) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(length / 2));
}
