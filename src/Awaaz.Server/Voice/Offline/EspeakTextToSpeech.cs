using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Awaaz.Media;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awaaz.Server.Voice.Offline;

/// <summary>
/// Text-to-speech with the espeak-ng executable: one process per sentence (<c>--stdout</c>, text on stdin), its
/// WAV (22 050 Hz PCM16) read as it is written, resampled to 8 kHz and encoded as µ-law. Chunks of
/// <see cref="EspeakSettings.ChunkMilliseconds"/> are yielded while the sentence is still being read, so the first
/// audio of a long text is out after its first sentence has started, not after the whole text. Cancelling (or
/// abandoning the enumeration) kills the running process. Thread-safe: every call has its own process and state.
/// </summary>
public sealed class EspeakTextToSpeech : ITextToSpeech
{
    public const string ProviderName = "espeak";

    private const int OutputRate = 8000;
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly EspeakSettings _settings;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _voicesLoading = new(1, 1);
    private IReadOnlyList<CatalogVoice>? _voices;

    public EspeakTextToSpeech(EspeakSettings settings, ILogger<EspeakTextToSpeech>? logger = null)
    {
        _settings = settings.Validated();
        _logger = logger ?? NullLogger<EspeakTextToSpeech>.Instance;
    }

    public string Name => ProviderName;

    /// <exception cref="EspeakException">espeak-ng is missing, the voice is unknown, or synthesis failed.</exception>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> SynthesizeAsync(string text, SpeechSynthesisOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        var voice = await ResolveVoiceAsync(options, ct);
        var chunkBytes = OutputRate * _settings.ChunkMilliseconds / 1000;
        foreach (var sentence in SentenceSplitter.Split(text, _settings.MaxSentenceLength))
            await foreach (var chunk in SpeakSentenceAsync(sentence, voice, chunkBytes, ct))
            {
                ct.ThrowIfCancellationRequested();
                yield return chunk;
            }
    }

    /// <summary>
    /// The <c>-v</c> argument for a request: <see cref="SpeechSynthesisOptions.Voice"/> as an espeak-ng voice file
    /// (<c>gmw/en-US</c>), language (<c>en-us</c>), name or catalog id, optionally with a <c>+variant</c>; when no
    /// voice is given, <see cref="SpeechSynthesisOptions.Language"/> (<c>hi-IN</c> falls back to <c>hi</c>).
    /// </summary>
    /// <exception cref="EspeakException">espeak-ng is missing or has no such voice or language.</exception>
    public async Task<string> ResolveVoiceAsync(SpeechSynthesisOptions options, CancellationToken ct)
    {
        var voices = await LoadVoicesAsync(ct);
        if (!string.IsNullOrWhiteSpace(options.Voice))
        {
            var requested = options.Voice.Trim();
            var plus = requested.IndexOf('+');
            var (name, variant) = plus > 0 ? (requested[..plus], requested[plus..]) : (requested, "");
            if (voices.FirstOrDefault(v => Same(v.ProviderVoiceId, name) || Same(v.Id, name) || Same(v.Name, name.Replace('_', ' '))) is { } voice)
                return voice.ProviderVoiceId + variant;
            if (voices.Any(v => v.Languages.Any(l => Same(l, name))))
                return name.ToLowerInvariant() + variant; // espeak-ng picks the language's preferred voice
            throw new EspeakException(EspeakError.UnknownVoice,
                $"espeak-ng has no voice '{requested}'. Use a voice file such as gmw/en-US or inc/hi, or a language such as en-us or hi " +
                $"({voices.Count} voices installed; list them with espeak-ng --voices).");
        }
        if (string.IsNullOrWhiteSpace(options.Language))
            throw new EspeakException(EspeakError.UnknownVoice, "No espeak-ng voice or language was given.");
        var language = options.Language.Trim().Replace('_', '-').ToLowerInvariant();
        for (var candidate = language; candidate.Length > 0; candidate = candidate.Contains('-') ? candidate[..candidate.LastIndexOf('-')] : "")
            if (voices.Any(v => v.Languages.Any(l => Same(l, candidate))))
                return candidate;
        throw new EspeakException(EspeakError.UnknownVoice, $"espeak-ng has no voice for the language '{options.Language}' (list them with espeak-ng --voices).");
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private async Task<IReadOnlyList<CatalogVoice>> LoadVoicesAsync(CancellationToken ct)
    {
        if (_voices is { } loaded) return loaded;
        await _voicesLoading.WaitAsync(ct);
        try
        {
            if (_voices is { } raced) return raced;
            using var process = Start(["--voices"]);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            string output;
            try
            {
                output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                ct.ThrowIfCancellationRequested();
                throw new EspeakException(EspeakError.NotInstalled, $"'{_settings.ExecutablePath} --voices' did not finish within 10 s.");
            }
            var voices = EspeakVoices.Parse(output);
            if (process.ExitCode != 0 || voices.Count == 0)
                throw new EspeakException(EspeakError.NotInstalled,
                    $"'{_settings.ExecutablePath} --voices' exited with {process.ExitCode} and listed {voices.Count} voices: {(await stderr).Trim()}. {EspeakVoices.NoVoicesHint}");
            return _voices = voices;
        }
        finally
        {
            _voicesLoading.Release();
        }
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> SpeakSentenceAsync(string sentence, string voice, int chunkBytes, [EnumeratorCancellation] CancellationToken ct)
    {
        using var process = Start(["--stdout", "-v", voice, "-s", _settings.WordsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var killOnCancel = ct.Register(() => Kill(process));
            try
            {
                await process.StandardInput.WriteAsync(sentence.AsMemory(), ct);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // espeak-ng exited before reading its input (e.g. a bad voice); the exit code below says why.
            }

            var stdout = process.StandardOutput.BaseStream;
            var buffer = new byte[8192];
            var header = new MemoryStream();
            var pending = 0;                  // bytes of buffer not yet consumed (header or an odd PCM byte)
            Resampler? resampler = null;
            short[] resampled = [];
            var chunk = new byte[chunkBytes];
            var filled = 0;
            int read;
            while ((read = await stdout.ReadAsync(buffer.AsMemory(pending), ct)) > 0)
            {
                var available = pending + read;
                if (resampler is null)
                {
                    header.Write(buffer, pending, read);
                    if (TryReadHeader(header) is not { } format)
                    {
                        pending = 0;
                        continue;
                    }
                    resampler = new Resampler(format.SampleRate, OutputRate);
                    // The samples after the header are what is left of the header bytes.
                    var dataStart = (int)header.Position;
                    var rest = (int)header.Length - dataStart;
                    header.GetBuffer().AsSpan(dataStart, rest).CopyTo(buffer);
                    available = rest;
                }
                var whole = available / 2 * 2;
                var samples = MemoryMarshal.Cast<byte, short>(buffer.AsSpan(0, whole)); // WAV is little-endian, as is x64/arm64
                EnsureCapacity(ref resampled, resampler.GetOutputLength(samples.Length));
                var n = resampler.Process(samples, resampled);
                foreach (var c in Encode(resampled.AsSpan(0, n), ref chunk, ref filled)) yield return c;
                pending = available - whole;
                if (pending > 0) buffer[0] = buffer[whole];
            }
            ct.ThrowIfCancellationRequested();

            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0 || resampler is null)
            {
                var error = (await stderr).Trim();
                throw new EspeakException(
                    error.Contains("voice does not exist", StringComparison.OrdinalIgnoreCase) ? EspeakError.UnknownVoice : EspeakError.SynthesisFailed,
                    $"espeak-ng -v {voice} exited with {process.ExitCode}{(resampler is null ? " without writing a WAV header" : "")}: {(error.Length > 0 ? error : "no message")}");
            }
            EnsureCapacity(ref resampled, resampler.GetFlushLength());
            var tail = resampler.Flush(resampled);
            foreach (var c in Encode(resampled.AsSpan(0, tail), ref chunk, ref filled)) yield return c;
            if (filled > 0) yield return chunk.AsMemory(0, filled);
            _logger.LogDebug("espeak-ng spoke {Characters} characters with {Voice} in {Elapsed} ms",
                sentence.Length, voice, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            Kill(process);
        }
    }

    /// <summary>Parses the WAV header once enough bytes are in; null while more are needed.</summary>
    private static WavFormat? TryReadHeader(MemoryStream header)
    {
        var length = header.Length;
        header.Position = 0;
        try
        {
            using var reader = WavReader.Open(header, leaveOpen: true);
            if (reader.Format is not { Encoding: WavEncoding.Pcm16, Channels: 1 })
                throw new EspeakException(EspeakError.SynthesisFailed, $"espeak-ng wrote {reader.Format}; PCM16 mono was expected.");
            return reader.Format;
        }
        catch (WavFormatException ex) when (ex.Error is WavError.Truncated or WavError.MissingFormat or WavError.MissingData && length < 4096)
        {
            header.Position = length;
            return null;
        }
        catch (WavFormatException ex)
        {
            throw new EspeakException(EspeakError.SynthesisFailed, $"espeak-ng did not write a readable WAV: {ex.Message}", ex);
        }
    }

    /// <summary>Encodes samples to µ-law into the current chunk; returns every chunk that became full.</summary>
    private static List<ReadOnlyMemory<byte>> Encode(ReadOnlySpan<short> samples, ref byte[] chunk, ref int filled)
    {
        var full = new List<ReadOnlyMemory<byte>>();
        while (!samples.IsEmpty)
        {
            var n = Math.Min(samples.Length, chunk.Length - filled);
            MuLaw.Encode(samples[..n], chunk.AsSpan(filled, n));
            filled += n;
            samples = samples[n..];
            if (filled < chunk.Length) continue;
            full.Add(chunk);
            chunk = new byte[chunk.Length];
            filled = 0;
        }
        return full;
    }

    private static void EnsureCapacity(ref short[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new short[Math.Max(length, buffer.Length * 2)];
    }

    private Process Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(_settings.ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            return Process.Start(start) ?? throw new EspeakException(EspeakError.NotInstalled, $"'{_settings.ExecutablePath}' did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new EspeakException(EspeakError.NotInstalled,
                $"espeak-ng cannot be started ('{_settings.ExecutablePath}': {ex.Message}). Install it (Debian/Ubuntu: apt-get install espeak-ng) or set Awaaz:EspeakPath.", ex);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
