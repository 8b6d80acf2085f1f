using System.Runtime.InteropServices;
using System.Threading.Channels;
using Awaaz.Media;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awaaz.Server.Voice.Offline;

/// <summary>
/// English speech-to-text with libpocketsphinx, in process. With <see cref="SpeechRecognitionOptions.Phrases"/>
/// the decoder searches a JSGF grammar that accepts exactly one of the phrases (every word checked against the
/// dictionary first) and a final transcript is the phrase as written; without phrases it uses the open-vocabulary
/// n-gram model, which is poor on telephone audio. <see cref="SpeechRecognitionOptions.Model"/> may force
/// <c>grammar</c> or <c>open</c>. Each session owns one decoder (about 0.1 s to load; the n-gram model longer).
/// </summary>
public sealed class PocketsphinxSpeechToText : ISpeechToText
{
    public const string ProviderName = "pocketsphinx";

    private readonly PocketsphinxSettings _settings;
    private readonly ILogger _logger;

    public PocketsphinxSpeechToText(PocketsphinxSettings settings, ILogger<PocketsphinxSpeechToText>? logger = null)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _logger = logger ?? NullLogger<PocketsphinxSpeechToText>.Instance;
    }

    public string Name => ProviderName;

    /// <exception cref="PocketsphinxException">The library or model is missing, the language is not English, or phrases have unknown words.</exception>
    public async Task<ISpeechRecognition> StartAsync(SpeechRecognitionOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var language = options.Language?.Trim() ?? "";
        if (!(language.Equals("en", StringComparison.OrdinalIgnoreCase) || language.StartsWith("en-", StringComparison.OrdinalIgnoreCase) || language.StartsWith("en_", StringComparison.OrdinalIgnoreCase)))
            throw new PocketsphinxException(PocketsphinxError.UnsupportedLanguage, $"pocketsphinx recognizes English only; '{options.Language}' was requested.");

        var grammar = PhraseGrammar.Build(options.Phrases ?? []);
        var useGrammar = options.Model?.Trim().ToLowerInvariant() switch
        {
            null or "" => grammar.Alternatives.Count > 0,
            "grammar" when grammar.Alternatives.Count > 0 => true,
            "grammar" => throw new PocketsphinxException(PocketsphinxError.UnsupportedModel, "The pocketsphinx model 'grammar' needs phrases (SpeechRecognitionOptions.Phrases)."),
            "open" => false,
            _ => throw new PocketsphinxException(PocketsphinxError.UnsupportedModel, $"Unknown pocketsphinx model '{options.Model}': use 'grammar', 'open' or none."),
        };
        var native = PocketsphinxNative.Load(_settings.LibraryPath);
        var recognition = await Task.Run(() => PocketsphinxRecognition.Start(native, _settings, useGrammar ? grammar : null), ct);
        _logger.LogDebug("pocketsphinx session started: {Mode} ({Phrases} phrases)", useGrammar ? "grammar" : "open vocabulary", grammar.Alternatives.Count);
        return recognition;
    }
}

/// <summary>One decoder fed 8 kHz audio upsampled to 16 kHz. Calls are serialized; the decoder is freed on dispose (or by the finalizer).</summary>
internal sealed class PocketsphinxRecognition : ISpeechRecognition
{
    private const int InputRate = 8000;
    private const int DecoderRate = 16000;
    private static readonly Lock InitLock = new();

    private readonly Lock _gate = new();
    private readonly PocketsphinxNative _native;
    private readonly DecoderHandle _decoder;
    private readonly PhraseGrammar? _grammar;
    private readonly bool _partials;
    private readonly Resampler _upsampler = new(InputRate, DecoderRate);
    private HighBandNoise _noise = new();
    private readonly Channel<SpeechRecognitionEvent> _events = Channel.CreateUnbounded<SpeechRecognitionEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private short[] _buffer = new short[2048];
    private string? _lastPartial;
    private bool _disposed;

    private PocketsphinxRecognition(PocketsphinxNative native, DecoderHandle decoder, PhraseGrammar? grammar, bool partials)
    {
        _native = native;
        _decoder = decoder;
        _grammar = grammar;
        _partials = partials;
    }

    public static PocketsphinxRecognition Start(PocketsphinxNative native, PocketsphinxSettings settings, PhraseGrammar? grammar)
    {
        RequireFile(settings.DictionaryPath, "dictionary", "DictionaryPath");
        if (!Directory.Exists(settings.ModelPath))
            throw new PocketsphinxException(PocketsphinxError.ModelMissing, $"The pocketsphinx acoustic model directory '{settings.ModelPath}' does not exist. {InstallHint("ModelPath")}");
        foreach (var file in new[] { "mdef", "means", "variances", "transition_matrices", "feat.params" })
            RequireFile(Path.Combine(settings.ModelPath, file), "acoustic model file", "ModelPath");
        var arguments = new List<string> { "-hmm", settings.ModelPath, "-dict", settings.DictionaryPath, "-samprate", DecoderRate.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (grammar is null)
        {
            RequireFile(settings.LanguageModelPath, "language model", "LanguageModelPath");
            arguments.AddRange(["-lm", settings.LanguageModelPath]);
        }

        var config = native.CreateConfig(arguments);
        if (config == 0) throw new PocketsphinxException(PocketsphinxError.DecoderFailed, $"pocketsphinx rejected its configuration ({string.Join(' ', arguments)}).");
        nint decoder;
        lock (InitLock) decoder = native.Init(config);
        native.FreeConfig(config); // the decoder holds its own reference
        if (decoder == 0)
            throw new PocketsphinxException(PocketsphinxError.ModelMissing, $"pocketsphinx could not load its model from '{settings.ModelPath}', '{settings.DictionaryPath}'{(grammar is null ? $" and '{settings.LanguageModelPath}'" : "")}.");
        var handle = new DecoderHandle(native, decoder);
        try
        {
            if (grammar is not null)
            {
                var unknown = grammar.Words.Where(w => native.Pronunciation(decoder, w) is null).ToList();
                if (unknown.Count > 0)
                    throw new PocketsphinxException(PocketsphinxError.UnknownWords,
                        $"Not in the pocketsphinx dictionary ({settings.DictionaryPath}): " +
                        string.Join("; ", unknown.Select(w => $"'{w}' in \"{string.Join("\", \"", grammar.PhrasesWith(w))}\"")) +
                        ". Respell these phrases with dictionary words (numbers as digits or words are fine) or use a dictionary that has them (Awaaz:Pocketsphinx:DictionaryPath).",
                        unknown);
                if (native.SetJsgfString(decoder, PhraseGrammar.SearchName, grammar.ToJsgf()) < 0 || native.SetSearch(decoder, PhraseGrammar.SearchName) < 0)
                    throw new PocketsphinxException(PocketsphinxError.DecoderFailed, "pocketsphinx rejected the grammar built from the phrases:\n" + grammar.ToJsgf());
            }
            if (native.StartUtt(decoder) < 0) throw new PocketsphinxException(PocketsphinxError.DecoderFailed, "pocketsphinx could not start an utterance.");
            return new PocketsphinxRecognition(native, handle, grammar, settings.Partials);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public ValueTask SendAsync(ReadOnlyMemory<short> pcm, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var n = Upsample(pcm.Span);
            Decode(n);
            if (_partials && _native.Hypothesis(_decoder.Raw) is { Length: > 0 } partial && partial != _lastPartial)
            {
                _lastPartial = partial;
                _events.Writer.TryWrite(new SpeechRecognitionEvent(Display(partial), IsFinal: false));
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the utterance and emits its final transcript (empty text when nothing matched), then starts the next one.</summary>
    public ValueTask FlushAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            EnsureBuffer(_upsampler.GetFlushLength());
            Decode(_upsampler.Flush(_buffer));
            _upsampler.Reset();
            _noise.Reset();
            if (_native.EndUtt(_decoder.Raw) < 0) throw new PocketsphinxException(PocketsphinxError.DecoderFailed, "pocketsphinx could not end the utterance.");
            var text = _native.Hypothesis(_decoder.Raw)?.Trim() ?? "";
            _lastPartial = null;
            _events.Writer.TryWrite(new SpeechRecognitionEvent(text.Length == 0 ? "" : Display(text), IsFinal: true, EndOfUtterance: true));
            if (_native.StartUtt(_decoder.Raw) < 0) throw new PocketsphinxException(PocketsphinxError.DecoderFailed, "pocketsphinx could not start an utterance.");
        }
        return ValueTask.CompletedTask;
    }

    public IAsyncEnumerable<SpeechRecognitionEvent> ReadEventsAsync(CancellationToken ct) => _events.Reader.ReadAllAsync(ct);

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return ValueTask.CompletedTask;
            _disposed = true;
            _decoder.Dispose();
            _events.Writer.TryComplete();
        }
        return ValueTask.CompletedTask;
    }

    private string Display(string hypothesis) => _grammar?.PhraseFor(hypothesis) ?? hypothesis;

    private int Upsample(ReadOnlySpan<short> pcm)
    {
        EnsureBuffer(_upsampler.GetOutputLength(pcm.Length));
        return _upsampler.Process(pcm, _buffer);
    }

    private void Decode(int samples)
    {
        if (samples == 0) return;
        _noise.AddTo(_buffer.AsSpan(0, samples));
        if (_native.ProcessRaw(_decoder.Raw, _buffer, (nuint)samples, noSearch: 0, fullUtterance: 0) < 0)
            throw new PocketsphinxException(PocketsphinxError.DecoderFailed, "pocketsphinx could not process the audio.");
    }

    private void EnsureBuffer(int length)
    {
        if (_buffer.Length < length) _buffer = new short[Math.Max(length, _buffer.Length * 2)];
    }

    private static void RequireFile(string path, string what, string key)
    {
        if (!File.Exists(path))
            throw new PocketsphinxException(PocketsphinxError.ModelMissing, $"The pocketsphinx {what} '{path}' does not exist. {InstallHint(key)}");
    }

    private static string InstallHint(string key) =>
        $"Install the model (Debian/Ubuntu: apt-get install pocketsphinx-en-us) or set Awaaz:Pocketsphinx:{key}.";

    /// <summary>Frees the decoder exactly once, also if a session is never disposed.</summary>
    private sealed class DecoderHandle : SafeHandle
    {
        private readonly PocketsphinxNative _native;

        public DecoderHandle(PocketsphinxNative native, nint decoder) : base(0, ownsHandle: true)
        {
            _native = native;
            SetHandle(decoder);
        }

        public nint Raw => handle;

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            _native.Free(handle);
            return true;
        }
    }
}
