using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awaaz.Server.Voice.Cloud;

/// <summary>Connection and resilience settings shared by the WebSocket TTS providers.</summary>
public abstract record WebSocketTtsSettings
{
    public required string ApiKey { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>From sending the text to the first audio chunk.</summary>
    public TimeSpan FirstChunkTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Between two messages once audio flows.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reconnects after a dropped socket or a timeout before the utterance fails.</summary>
    public int MaxReconnectAttempts { get; init; } = 2;

    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>What a vendor message means to the synthesis loop.</summary>
internal abstract record TtsReply
{
    public sealed record Audio(byte[] Bytes, int AlignedChars = 0) : TtsReply;
    public sealed record WordTimes(IReadOnlyList<(string Word, double EndSeconds)> Words) : TtsReply;
    public sealed record Done : TtsReply;
    public sealed record Failed(CloudProviderErrorKind Kind, string Message) : TtsReply;
    public sealed record Ignored : TtsReply;
}

/// <summary>How far into the sent text the received audio goes, to resume after a drop without repeating words.</summary>
internal sealed class SpeechProgress
{
    private const int BytesPerSecond = 8000;
    private readonly List<(string Word, double EndSeconds)> _words = [];

    public long AudioBytes { get; private set; }
    public int AlignedChars { get; private set; }

    public void Add(TtsReply reply)
    {
        switch (reply)
        {
            case TtsReply.Audio audio:
                AudioBytes += audio.Bytes.Length;
                AlignedChars += audio.AlignedChars;
                break;
            case TtsReply.WordTimes times:
                _words.AddRange(times.Words);
                break;
        }
    }

    /// <summary>
    /// The part of <paramref name="sent"/> still to speak, starting at the first word whose audio did not arrive
    /// whole; null when audio arrived but the vendor said nothing that locates it in the text.
    /// </summary>
    public string? Remaining(string sent)
    {
        if (AudioBytes == 0) return sent;
        if (AlignedChars > 0) return FromWordContaining(sent, AlignedChars);
        if (_words.Count == 0) return null;
        var seconds = (double)AudioBytes / BytesPerSecond;
        var spokenWords = _words.TakeWhile(w => w.EndSeconds <= seconds + 0.001).Count(); // 1 ms of rounding slack
        return AfterWords(sent, spokenWords);
    }

    internal static string FromWordContaining(string text, int index)
    {
        if (index >= text.Length) return "";
        var start = index;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1]) && !char.IsWhiteSpace(text[start])) start--;
        return text[start..].TrimStart();
    }

    internal static string AfterWords(string text, int words)
    {
        var position = 0;
        for (var i = 0; i < words; i++)
        {
            while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
            while (position < text.Length && !char.IsWhiteSpace(text[position])) position++;
        }

        return text[position..].TrimStart();
    }
}

/// <summary>
/// The synthesis loop of a streaming WebSocket TTS: one connection per utterance, audio yielded as it arrives,
/// first-chunk/idle timeouts, and after a drop a reconnect that speaks only the words not yet heard.
/// </summary>
public abstract class WebSocketTextToSpeech(WebSocketTtsSettings settings, ILogger? logger) : ITextToSpeech
{
    protected ILogger Logger { get; } = logger ?? NullLogger.Instance;

    public abstract string Name { get; }

    /// <summary>Connection attempts so far (for logs and diagnostics).</summary>
    public int ConnectAttempts => _connectAttempts;
    private int _connectAttempts;

    private protected abstract Uri ConnectUri(SpeechSynthesisOptions options);
    private protected abstract IEnumerable<KeyValuePair<string, string>> Headers();
    private protected abstract Task SendTextAsync(ClientWebSocket socket, string text, SpeechSynthesisOptions options, CancellationToken ct);
    private protected abstract TtsReply Parse(ReadOnlySpan<byte> json);

    /// <summary>A close frame before the end: authentication, rejection, or null for a drop worth a reconnect.</summary>
    private protected virtual CloudProviderException? ClassifyClose(WebSocketCloseStatus? status, string? reason) => null;

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> SynthesizeAsync(string text, SpeechSynthesisOptions options,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var remaining = text.Trim();
        var attempt = 0;
        while (remaining.Length > 0)
        {
            var progress = new SpeechProgress();
            var socket = await ConnectAsync(options, attempt, ct);
            CloudProviderException? drop = null;
            try
            {
                drop = await TrySendAsync(socket, remaining, options, ct);
                while (drop is null)
                {
                    var (reply, dropped) = await NextAsync(socket, progress.AudioBytes == 0, ct);
                    if (dropped is not null) { drop = dropped; break; }
                    progress.Add(reply!);
                    if (reply is TtsReply.Audio { Bytes.Length: > 0 } audio) yield return audio.Bytes;
                    else if (reply is TtsReply.Done) yield break;
                    else if (reply is TtsReply.Failed failed) throw new CloudProviderException(Name, failed.Kind, failed.Message);
                }
            }
            finally
            {
                await CloudWebSocket.CloseQuietlyAsync(socket, TimeSpan.FromSeconds(1));
            }

            var rest = progress.Remaining(remaining);
            if (rest is { Length: 0 }) yield break; // every word was heard; only the end marker was lost
            if (rest is null)
                throw new CloudProviderException(Name, CloudProviderErrorKind.Interrupted,
                    "the stream dropped after audio that cannot be placed in the text; not repeating it", drop);
            if (++attempt > settings.MaxReconnectAttempts)
                throw new CloudProviderException(Name, drop!.Kind == CloudProviderErrorKind.Timeout ? CloudProviderErrorKind.Timeout : CloudProviderErrorKind.Interrupted,
                    $"{drop.Message}; gave up after {settings.MaxReconnectAttempts} reconnects", drop);
            Logger.LogInformation("{Provider} TTS stream dropped ({Reason}); reconnecting for the last {Characters} characters",
                Name, drop!.Message, rest.Length);
            remaining = rest;
        }
    }

    private async Task<ClientWebSocket> ConnectAsync(SpeechSynthesisOptions options, int attempt, CancellationToken ct)
    {
        while (true)
        {
            if (attempt > 0) await Task.Delay(CloudWebSocket.Backoff(attempt, settings.ReconnectBaseDelay, settings.MaxReconnectDelay), ct);
            Interlocked.Increment(ref _connectAttempts);
            try
            {
                return await CloudWebSocket.ConnectAsync(Name, ConnectUri(options), Headers(), settings.ConnectTimeout, ct);
            }
            catch (CloudProviderException e) when (e.Kind is CloudProviderErrorKind.Unavailable or CloudProviderErrorKind.Timeout
                                                   && attempt < settings.MaxReconnectAttempts)
            {
                attempt++;
            }
        }
    }

    private async Task<CloudProviderException?> TrySendAsync(ClientWebSocket socket, string text, SpeechSynthesisOptions options, CancellationToken ct)
    {
        try
        {
            await SendTextAsync(socket, text, options, ct);
            return null;
        }
        catch (Exception e) when (e is WebSocketException or IOException && !ct.IsCancellationRequested)
        {
            return new CloudProviderException(Name, CloudProviderErrorKind.Interrupted, "the connection broke while sending the text", e);
        }
    }

    /// <summary>The next meaningful reply, or the reason the connection is lost.</summary>
    private async Task<(TtsReply? Reply, CloudProviderException? Drop)> NextAsync(ClientWebSocket socket, bool firstChunk, CancellationToken ct)
    {
        var limit = firstChunk ? settings.FirstChunkTimeout : settings.IdleTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        try
        {
            while (true)
            {
                var (type, data) = await CloudWebSocket.ReceiveAsync(socket, deadline.Token);
                if (type == WebSocketMessageType.Close)
                {
                    if (ClassifyClose(socket.CloseStatus, socket.CloseStatusDescription) is { } fatal) throw fatal;
                    return (null, new CloudProviderException(Name, CloudProviderErrorKind.Interrupted,
                        $"the vendor closed the stream before the end ({socket.CloseStatus} {socket.CloseStatusDescription})".TrimEnd()));
                }

                if (type != WebSocketMessageType.Text) continue;
                var reply = Parse(data);
                if (reply is not TtsReply.Ignored) return (reply, null);
            }
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            return (null, new CloudProviderException(Name, CloudProviderErrorKind.Timeout,
                firstChunk ? $"no audio within {limit.TotalSeconds:0.###} s" : $"no message for {limit.TotalSeconds:0.###} s", e));
        }
        catch (Exception e) when (e is WebSocketException or IOException && !ct.IsCancellationRequested)
        {
            return (null, new CloudProviderException(Name, CloudProviderErrorKind.Interrupted, "the connection broke mid-utterance", e));
        }
    }
}
