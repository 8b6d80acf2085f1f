namespace Awaaz.Server.Voice.Vad;

/// <summary>
/// Silero VAD v5 (MIT) on ONNX Runtime, at 8 kHz: each 256-sample (32 ms) window is fed with the last 32 samples
/// of the previous one as context, and the model's recurrent state carries from window to window. One session
/// per process serves every call; each <see cref="CreateStream"/> holds its own state, context and tensors.
/// </summary>
public sealed class SileroVad : IVoiceActivityDetector, IDisposable
{
    public const int SampleRate = 8000;
    public const int Window = 256;
    public const int ContextSamples = 32;
    private const int StateSize = 128;

    /// <summary>A window quieter than this (RMS) is quiet: far below speech, and below the −60 dBFS noise Silero scores ≈ 0.01.</summary>
    public const double QuietDbfs = -65;

    /// <summary>
    /// Quiet windows in a row (1 s) that still run through the model — longer than pauses inside speech and than the
    /// end-of-turn silence, so a turn and its endpointing see the model unchanged; later ones are skipped.
    /// </summary>
    public const int SettleWindows = 32;

    private static readonly double QuietSumOfSquares = Window * Math.Pow(32768 * Math.Pow(10, QuietDbfs / 20), 2);

    private readonly OnnxRuntime _runtime;
    private readonly OnnxSession _session;
    private readonly Layout _layout;
    private readonly bool _skipQuiet;
    private volatile bool _disposed;

    public string Name => "silero-v5";
    public int WindowSamples => Window;

    /// <summary>ONNX Runtime version string, e.g. <c>1.28.2</c>.</summary>
    public string RuntimeVersion => _runtime.Version;

    public string ModelPath => _session.ModelPath;

    private SileroVad(OnnxRuntime runtime, OnnxSession session, bool skipQuiet)
    {
        (_runtime, _session, _skipQuiet) = (runtime, session, skipQuiet);
        _layout = Layout.Of(session);
    }

    /// <summary>Loads ONNX Runtime and the model, and checks the model has Silero v5's inputs and outputs.</summary>
    /// <exception cref="FileNotFoundException">The library or the model is missing.</exception>
    /// <exception cref="OnnxRuntimeException">The library or the model does not load.</exception>
    /// <exception cref="InvalidDataException">The model is not Silero VAD v5.</exception>
    /// <param name="skipQuiet">
    /// Skip the model on quiet windows (below <see cref="QuietDbfs"/>) once <see cref="SettleWindows"/> of them in a row
    /// have run: they score 0, only the context moves on, and the state stays where that second of silence left it.
    /// Most of a caller's audio is quiet while the agent speaks, so this saves much of the VAD's CPU. Speech decisions
    /// move by at most one window at a segment's edge (tests on espeak-ng speech).
    /// </param>
    public static SileroVad Open(string onnxRuntimePath, string modelPath, bool skipQuiet = true)
    {
        var runtime = OnnxRuntime.Load(onnxRuntimePath);
        OnnxSession? session = null;
        try
        {
            session = runtime.OpenSession(modelPath, intraOpThreads: 1);
            return new SileroVad(runtime, session, skipQuiet);
        }
        catch
        {
            session?.Dispose();
            runtime.Dispose();
            throw;
        }
    }

    public IVadStream CreateStream()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new Stream(this);
    }

    /// <summary>Releases the model (after running windows finish); streams then throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        _session.Dispose();
        _runtime.Dispose();
    }

    /// <summary>Positions of Silero's tensors in the session's input and output order, and the shape of <c>sr</c>.</summary>
    private sealed record Layout(int Input, int State, int Rate, long[] RateShape, int Output, int StateOut)
    {
        public static Layout Of(OnnxSession session)
        {
            int Find(IReadOnlyList<OnnxTensorInfo> list, string name, OnnxElementType type, params int[] ranks)
            {
                var i = list.Select((t, n) => (t, n)).Where(p => p.t.Name == name).Select(p => p.n).DefaultIfEmpty(-1).First();
                if (i < 0 || list[i].ElementType != type || !ranks.Contains(list[i].Shape.Count))
                    throw new InvalidDataException($"{session.ModelPath} is not a Silero VAD v5 model: expected {name} ({type}, rank {string.Join(" or ", ranks)}); " +
                        $"inputs [{string.Join("; ", session.Inputs)}], outputs [{string.Join("; ", session.Outputs)}]");
                return i;
            }
            if (session.Inputs.Count != 3 || session.Outputs.Count != 2)
                throw new InvalidDataException($"{session.ModelPath} is not a Silero VAD v5 model: inputs [{string.Join("; ", session.Inputs)}], outputs [{string.Join("; ", session.Outputs)}]");
            var rate = Find(session.Inputs, "sr", OnnxElementType.Int64, 0, 1);
            return new Layout(
                Find(session.Inputs, "input", OnnxElementType.Float, 2),
                Find(session.Inputs, "state", OnnxElementType.Float, 3),
                rate,
                session.Inputs[rate].Shape.Count == 0 ? [] : [1],
                Find(session.Outputs, "output", OnnxElementType.Float, 2),
                Find(session.Outputs, "stateN", OnnxElementType.Float, 3));
        }
    }

    /// <summary>One call's detector state. Not thread-safe: one caller at a time.</summary>
    private sealed class Stream : IVadStream
    {
        private readonly OnnxSession _session;
        private readonly OnnxTensor[] _inputs = new OnnxTensor[3];
        private readonly OnnxTensor[] _outputs = new OnnxTensor[2];
        private readonly OnnxTensor _x, _state, _probability, _stateOut;
        private readonly SileroVad _owner;
        private readonly bool _skipQuiet;
        private int _quietRun;

        public Stream(SileroVad owner)
        {
            _session = owner._session;
            _owner = owner;
            _skipQuiet = owner._skipQuiet;
            var layout = owner._layout;
            var runtime = owner._runtime;
            try
            {
                _x = _inputs[layout.Input] = runtime.CreateTensor(OnnxElementType.Float, 1, ContextSamples + Window);
                _state = _inputs[layout.State] = runtime.CreateTensor(OnnxElementType.Float, 2, 1, StateSize);
                var rate = _inputs[layout.Rate] = runtime.CreateTensor(OnnxElementType.Int64, layout.RateShape);
                rate.AsSpan<long>()[0] = SampleRate;
                _probability = _outputs[layout.Output] = runtime.CreateTensor(OnnxElementType.Float, 1, 1);
                _stateOut = _outputs[layout.StateOut] = runtime.CreateTensor(OnnxElementType.Float, 2, 1, StateSize);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public float Process(ReadOnlySpan<short> window)
        {
            if (window.Length != Window)
                throw new ArgumentException($"Silero VAD takes windows of {Window} samples at 8 kHz; {window.Length} given.", nameof(window));
            var x = _x.AsSpan<float>(); // [32 samples of context][256 new samples]
            var samples = x[ContextSamples..];
            if (_skipQuiet)
                _quietRun = IsQuiet(window) ? Math.Min(_quietRun + 1, SettleWindows + 1) : 0;
            if (_quietRun > SettleWindows)
            {
                ObjectDisposedException.ThrowIf(_owner._disposed, _owner); // as a run of the model would
                for (var i = 0; i < ContextSamples; i++) x[i] = window[Window - ContextSamples + i] * (1f / 32768f);
                return 0f;
            }
            for (var i = 0; i < window.Length; i++) samples[i] = window[i] * (1f / 32768f);

            _session.Run(_inputs, _outputs);

            _stateOut.AsSpan<float>().CopyTo(_state.AsSpan<float>());
            x[^ContextSamples..].CopyTo(x[..ContextSamples]);
            return Math.Clamp(_probability.AsSpan<float>()[0], 0f, 1f);
        }

        private static bool IsQuiet(ReadOnlySpan<short> window)
        {
            long sum = 0;
            foreach (var s in window) sum += s * s;
            return sum < QuietSumOfSquares;
        }

        public void Reset()
        {
            _quietRun = 0;
            _x.AsSpan<float>().Clear();
            _state.AsSpan<float>().Clear();
        }

        public void Dispose()
        {
            foreach (var t in _inputs) t?.Dispose();
            foreach (var t in _outputs) t?.Dispose();
        }
    }
}
