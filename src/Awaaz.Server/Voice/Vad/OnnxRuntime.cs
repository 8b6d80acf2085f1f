using System.Runtime.InteropServices;

namespace Awaaz.Server.Voice.Vad;

// A minimal wrapper over the ONNX Runtime C API (onnxruntime_c_api.h), loaded with NativeLibrary and called
// through the OrtApi function table: there is no ONNX Runtime NuGet package on our mirror. Only what CPU
// inference of small models needs: environment, session (from a model file), pre-allocated tensors, Run.
// Native objects live in SafeHandles, so a Dispose racing a Run waits for the Run to finish before releasing.

/// <summary>An error status returned by ONNX Runtime, with its message.</summary>
public sealed class OnnxRuntimeException(string message, int errorCode = 0, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>OrtErrorCode (1 = FAIL, 2 = INVALID_ARGUMENT, 3 = NO_SUCHFILE, 7 = INVALID_PROTOBUF…); 0 when the error is ours.</summary>
    public int ErrorCode { get; } = errorCode;
}

/// <summary>Tensor element types (values of ONNXTensorElementDataType).</summary>
public enum OnnxElementType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8, Bool = 9,
    Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13,
}

/// <summary>A model input or output as the model declares it; dynamic dimensions are -1.</summary>
public sealed record OnnxTensorInfo(string Name, OnnxElementType ElementType, IReadOnlyList<long> Shape)
{
    public override string ToString() => $"{Name}: {ElementType}[{string.Join(", ", Shape)}]";
}

/// <summary>A loaded ONNX Runtime library and its environment. The native library stays loaded for the process.</summary>
public sealed unsafe class OnnxRuntime : IDisposable
{
    /// <summary>The C API version requested: ONNX Runtime 1.17 or newer.</summary>
    public const uint ApiVersion = 17;

    internal readonly OrtApi Api;
    internal readonly OrtHandle Env;

    public string LibraryPath { get; }

    /// <summary>e.g. <c>1.28.2</c>.</summary>
    public string Version { get; }

    private OnnxRuntime(string libraryPath, string version, OrtApi api, OrtHandle env) =>
        (LibraryPath, Version, Api, Env) = (libraryPath, version, api, env);

    /// <summary>Loads the library at <paramref name="libraryPath"/> and creates an environment (logging errors only).</summary>
    /// <exception cref="FileNotFoundException">No file at the path.</exception>
    /// <exception cref="OnnxRuntimeException">The file is not a loadable ONNX Runtime ≥ 1.17.</exception>
    public static OnnxRuntime Load(string libraryPath)
    {
        var path = Path.GetFullPath(libraryPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX Runtime library not found at {path}", path);
        IntPtr library;
        try { library = NativeLibrary.Load(path); }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            throw new OnnxRuntimeException($"cannot load {path}: {ex.Message}", inner: ex);
        }
        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBase))
            throw new OnnxRuntimeException($"{path} is not ONNX Runtime (no OrtGetApiBase export)");

        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
        var apiBase = (IntPtr*)((delegate* unmanaged<IntPtr>)getApiBase)();
        var version = Marshal.PtrToStringUTF8((IntPtr)((delegate* unmanaged<byte*>)apiBase[1])()) ?? "?";
        var table = ((delegate* unmanaged<uint, IntPtr>)apiBase[0])(ApiVersion);
        if (table == IntPtr.Zero)
            throw new OnnxRuntimeException($"ONNX Runtime {version} at {path} does not offer C API version {ApiVersion} (1.17 or newer is needed)");
        var api = new OrtApi((IntPtr*)table);

        var env = new OrtHandle(api.ReleaseEnv);
        IntPtr raw;
        fixed (byte* logId = "awaaz"u8)
            api.Check(api.CreateEnv(3 /* ORT_LOGGING_LEVEL_ERROR */, logId, &raw));
        env.Attach(raw);
        return new OnnxRuntime(path, version, api, env);
    }

    /// <summary>
    /// Loads a model for CPU inference with <paramref name="intraOpThreads"/> threads per Run (1: the calling thread only).
    /// One session serves any number of threads: <see cref="OnnxSession.Run"/> is thread-safe.
    /// </summary>
    public OnnxSession OpenSession(string modelPath, int intraOpThreads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intraOpThreads);
        var path = Path.GetFullPath(modelPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model not found at {path}", path);
        var model = File.ReadAllBytes(path); // CreateSessionFromArray: no platform-specific path encoding

        using var options = new OrtHandle(Api.ReleaseSessionOptions);
        IntPtr raw;
        Api.Check(Api.CreateSessionOptions(&raw));
        options.Attach(raw);
        var o = options.DangerousGetHandle();
        Api.Check(Api.SetIntraOpNumThreads(o, intraOpThreads));
        Api.Check(Api.SetInterOpNumThreads(o, 1));
        Api.Check(Api.SetSessionExecutionMode(o, 0 /* ORT_SEQUENTIAL */));
        Api.Check(Api.SetSessionGraphOptimizationLevel(o, 99 /* ORT_ENABLE_ALL */));

        var session = new OrtHandle(Api.ReleaseSession, parent: Env);
        try
        {
            fixed (byte* data = model)
                Api.Check(Api.CreateSessionFromArray(Env.DangerousGetHandle(), data, (nuint)model.Length, o, &raw), $"cannot load model {path}: ");
            session.Attach(raw);
            return new OnnxSession(this, path, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>A zero-filled tensor in native memory, usable as a Run input or as a pre-allocated output.</summary>
    public OnnxTensor CreateTensor(OnnxElementType type, params ReadOnlySpan<long> shape)
    {
        var elementSize = OnnxTensor.SizeOf(type);
        long length = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            length = checked(length * d);
        }
        var bytes = checked((nuint)(length * elementSize));
        var buffer = NativeMemory.AlignedAlloc(Math.Max(bytes, 1), 64);
        NativeMemory.Clear(buffer, bytes);
        var address = (IntPtr)buffer;
        var value = new OrtHandle(Api.ReleaseValue, cleanup: () => NativeMemory.AlignedFree((void*)address));
        try
        {
            IntPtr info, raw;
            Api.Check(Api.CreateCpuMemoryInfo(1 /* OrtArenaAllocator */, 0 /* OrtMemTypeDefault */, &info));
            try
            {
                fixed (long* dims = shape)
                    Api.Check(Api.CreateTensorWithDataAsOrtValue(info, buffer, bytes, dims, (nuint)shape.Length, (int)type, &raw));
            }
            finally { Api.ReleaseMemoryInfo(info); } // the value keeps its own copy
            value.Attach(raw);
            return new OnnxTensor(type, shape.ToArray(), checked((int)length), buffer, value);
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    /// <summary>Releases the environment once every session opened from it is disposed.</summary>
    public void Dispose() => Env.Dispose();
}

/// <summary>A loaded model. Thread-safe: any number of threads may call <see cref="Run"/> concurrently.</summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private readonly OrtApi _api;
    private readonly OrtHandle _session;
    private readonly byte** _inputNames;  // UTF-8, owned by _session's cleanup
    private readonly byte** _outputNames;

    public string ModelPath { get; }
    public IReadOnlyList<OnnxTensorInfo> Inputs { get; }
    public IReadOnlyList<OnnxTensorInfo> Outputs { get; }

    internal OnnxSession(OnnxRuntime runtime, string modelPath, OrtHandle session)
    {
        (_api, _session, ModelPath) = (runtime.Api, session, modelPath);
        var s = session.DangerousGetHandle();
        nuint inputCount, outputCount;
        _api.Check(_api.SessionGetInputCount(s, &inputCount));
        _api.Check(_api.SessionGetOutputCount(s, &outputCount));
        Inputs = Describe(s, (int)inputCount, output: false);
        Outputs = Describe(s, (int)outputCount, output: true);
        _inputNames = NativeNames(Inputs);
        _outputNames = NativeNames(Outputs);
        var (inputs, outputs) = ((IntPtr)_inputNames, (IntPtr)_outputNames);
        var (ni, no) = (Inputs.Count, Outputs.Count);
        session.AddCleanup(() => { FreeNames((byte**)inputs, ni); FreeNames((byte**)outputs, no); });
    }

    /// <summary>
    /// Runs the model once. <paramref name="inputs"/> and <paramref name="outputs"/> follow the order of
    /// <see cref="Inputs"/> and <see cref="Outputs"/>; outputs are written into the given tensors, whose shapes must match.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime rejected the run (shapes, types…), with its message.</exception>
    public void Run(ReadOnlySpan<OnnxTensor> inputs, ReadOnlySpan<OnnxTensor> outputs)
    {
        if (inputs.Length != Inputs.Count) throw new ArgumentException($"The model takes {Inputs.Count} inputs; {inputs.Length} given.", nameof(inputs));
        if (outputs.Length != Outputs.Count) throw new ArgumentException($"The model has {Outputs.Count} outputs; {outputs.Length} given.", nameof(outputs));
        var count = inputs.Length + outputs.Length;
        var values = stackalloc IntPtr[count];
        Span<bool> added = stackalloc bool[count + 1];
        try
        {
            _session.DangerousAddRef(ref added[count]);
            for (var i = 0; i < count; i++)
            {
                var handle = (i < inputs.Length ? inputs[i] : outputs[i - inputs.Length]).Handle;
                handle.DangerousAddRef(ref added[i]);
                values[i] = handle.DangerousGetHandle();
            }
            _api.Check(_api.Run(_session.DangerousGetHandle(), IntPtr.Zero, _inputNames, values, (nuint)inputs.Length,
                _outputNames, (nuint)outputs.Length, values + inputs.Length));
        }
        finally
        {
            for (var i = 0; i < count; i++)
                if (added[i]) (i < inputs.Length ? inputs[i] : outputs[i - inputs.Length]).Handle.DangerousRelease();
            if (added[count]) _session.DangerousRelease();
        }
    }

    /// <summary>Releases the model once running calls finish; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _session.Dispose();

    private List<OnnxTensorInfo> Describe(IntPtr session, int count, bool output)
    {
        IntPtr allocator;
        _api.Check(_api.GetAllocatorWithDefaultOptions(&allocator));
        var list = new List<OnnxTensorInfo>(count);
        for (var i = 0; i < count; i++)
        {
            byte* name;
            _api.Check(output ? _api.SessionGetOutputName(session, (nuint)i, allocator, &name) : _api.SessionGetInputName(session, (nuint)i, allocator, &name));
            var text = Marshal.PtrToStringUTF8((IntPtr)name)!;
            _api.Check(_api.AllocatorFree(allocator, name));

            IntPtr typeInfo;
            _api.Check(output ? _api.SessionGetOutputTypeInfo(session, (nuint)i, &typeInfo) : _api.SessionGetInputTypeInfo(session, (nuint)i, &typeInfo));
            try
            {
                IntPtr tensorInfo; // owned by typeInfo; null when the value is not a tensor
                _api.Check(_api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo));
                if (tensorInfo == IntPtr.Zero) { list.Add(new OnnxTensorInfo(text, OnnxElementType.Undefined, [])); continue; }
                int type;
                nuint rank;
                _api.Check(_api.GetTensorElementType(tensorInfo, &type));
                _api.Check(_api.GetDimensionsCount(tensorInfo, &rank));
                var dims = new long[(int)rank];
                fixed (long* d = dims) _api.Check(_api.GetDimensions(tensorInfo, d, rank));
                list.Add(new OnnxTensorInfo(text, (OnnxElementType)type, dims));
            }
            finally { _api.ReleaseTypeInfo(typeInfo); }
        }
        return list;
    }

    private static byte** NativeNames(IReadOnlyList<OnnxTensorInfo> infos)
    {
        var names = (byte**)NativeMemory.AllocZeroed((nuint)Math.Max(infos.Count, 1), (nuint)sizeof(byte*));
        for (var i = 0; i < infos.Count; i++) names[i] = (byte*)Marshal.StringToCoTaskMemUTF8(infos[i].Name);
        return names;
    }

    private static void FreeNames(byte** names, int count)
    {
        for (var i = 0; i < count; i++) Marshal.FreeCoTaskMem((IntPtr)names[i]);
        NativeMemory.Free(names);
    }
}

/// <summary>A dense tensor in native memory owned by this object. Not thread-safe; dispose when done.</summary>
public sealed unsafe class OnnxTensor : IDisposable
{
    private readonly void* _data;
    internal OrtHandle Handle { get; }

    public OnnxElementType ElementType { get; }
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    internal OnnxTensor(OnnxElementType type, long[] shape, int length, void* data, OrtHandle handle)
    {
        (ElementType, Shape, Length, Handle) = (type, shape, length, handle);
        _data = data;
    }

    /// <summary>The elements; <typeparamref name="T"/> must match <see cref="ElementType"/> (float for Float, long for Int64…).</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        if (TypeOf<T>() != ElementType) throw new InvalidOperationException($"The tensor holds {ElementType}, not {typeof(T).Name}.");
        return new Span<T>(_data, Length);
    }

    public void Dispose() => Handle.Dispose();

    internal static int SizeOf(OnnxElementType type) => type switch
    {
        OnnxElementType.UInt8 or OnnxElementType.Int8 or OnnxElementType.Bool => 1,
        OnnxElementType.UInt16 or OnnxElementType.Int16 or OnnxElementType.Float16 => 2,
        OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 4,
        OnnxElementType.Int64 or OnnxElementType.Double or OnnxElementType.UInt64 => 8,
        _ => throw new NotSupportedException($"{type} tensors are not supported."),
    };

    private static OnnxElementType TypeOf<T>() =>
        typeof(T) == typeof(float) ? OnnxElementType.Float :
        typeof(T) == typeof(long) ? OnnxElementType.Int64 :
        typeof(T) == typeof(int) ? OnnxElementType.Int32 :
        typeof(T) == typeof(double) ? OnnxElementType.Double :
        typeof(T) == typeof(short) ? OnnxElementType.Int16 :
        typeof(T) == typeof(ushort) ? OnnxElementType.UInt16 :
        typeof(T) == typeof(byte) ? OnnxElementType.UInt8 :
        typeof(T) == typeof(sbyte) ? OnnxElementType.Int8 :
        typeof(T) == typeof(uint) ? OnnxElementType.UInt32 :
        typeof(T) == typeof(ulong) ? OnnxElementType.UInt64 :
        typeof(T) == typeof(bool) ? OnnxElementType.Bool :
        typeof(T) == typeof(Half) ? OnnxElementType.Float16 : OnnxElementType.Undefined;
}

/// <summary>
/// Owns one ONNX Runtime object: released with its Release function, then extra cleanup (buffers it points into)
/// runs and the parent (e.g. the environment of a session) is let go. Release waits for in-flight DangerousAddRef users.
/// </summary>
internal sealed unsafe class OrtHandle : SafeHandle
{
    private readonly delegate* unmanaged<IntPtr, void> _release;
    private SafeHandle? _parent;
    private Action? _cleanup;

    public OrtHandle(delegate* unmanaged<IntPtr, void> release, SafeHandle? parent = null, Action? cleanup = null) : base(IntPtr.Zero, ownsHandle: true)
    {
        _release = release;
        _cleanup = cleanup;
        if (parent is null) return;
        var added = false;
        parent.DangerousAddRef(ref added); // throws ObjectDisposedException when the parent is gone
        _parent = parent;
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public void Attach(IntPtr value) => SetHandle(value);

    public void AddCleanup(Action more)
    {
        var previous = _cleanup;
        _cleanup = previous is null ? more : () => { previous(); more(); };
    }

    protected override bool ReleaseHandle()
    {
        _release(handle);
        Detach();
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (IsInvalid) Detach(); // never attached: ReleaseHandle will not run
    }

    private void Detach()
    {
        Interlocked.Exchange(ref _cleanup, null)?.Invoke();
        Interlocked.Exchange(ref _parent, null)?.DangerousRelease();
    }
}

/// <summary>The OrtApi function table: slot numbers are the member order of struct OrtApi, which only ever grows.</summary>
internal sealed unsafe class OrtApi
{
    public readonly delegate* unmanaged<IntPtr, int> GetErrorCode;                                                          // 1
    public readonly delegate* unmanaged<IntPtr, byte*> GetErrorMessage;                                                     // 2
    public readonly delegate* unmanaged<int, byte*, IntPtr*, IntPtr> CreateEnv;                                             // 3
    public readonly delegate* unmanaged<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr> CreateSessionFromArray;              // 8
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr> Run;       // 9
    public readonly delegate* unmanaged<IntPtr*, IntPtr> CreateSessionOptions;                                              // 10
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionExecutionMode;                                       // 13
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionGraphOptimizationLevel;                              // 23
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetIntraOpNumThreads;                                          // 24
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetInterOpNumThreads;                                          // 25
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetInputCount;                                       // 30
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetOutputCount;                                      // 31
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetInputTypeInfo;                            // 33
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetOutputTypeInfo;                           // 34
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetInputName;                         // 36
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetOutputName;                        // 37
    public readonly delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr> CreateTensorWithDataAsOrtValue; // 49
    public readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> CastTypeInfoToTensorInfo;                                  // 55
    public readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetTensorElementType;                                         // 60
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> GetDimensionsCount;                                         // 61
    public readonly delegate* unmanaged<IntPtr, long*, nuint, IntPtr> GetDimensions;                                        // 62
    public readonly delegate* unmanaged<int, int, IntPtr*, IntPtr> CreateCpuMemoryInfo;                                     // 69
    public readonly delegate* unmanaged<IntPtr, void*, IntPtr> AllocatorFree;                                               // 76
    public readonly delegate* unmanaged<IntPtr*, IntPtr> GetAllocatorWithDefaultOptions;                                    // 78
    public readonly delegate* unmanaged<IntPtr, void> ReleaseEnv;                                                           // 92
    public readonly delegate* unmanaged<IntPtr, void> ReleaseStatus;                                                        // 93
    public readonly delegate* unmanaged<IntPtr, void> ReleaseMemoryInfo;                                                    // 94
    public readonly delegate* unmanaged<IntPtr, void> ReleaseSession;                                                       // 95
    public readonly delegate* unmanaged<IntPtr, void> ReleaseValue;                                                         // 96
    public readonly delegate* unmanaged<IntPtr, void> ReleaseTypeInfo;                                                      // 98
    public readonly delegate* unmanaged<IntPtr, void> ReleaseSessionOptions;                                                // 100

    public OrtApi(IntPtr* t)
    {
        GetErrorCode = (delegate* unmanaged<IntPtr, int>)t[1];
        GetErrorMessage = (delegate* unmanaged<IntPtr, byte*>)t[2];
        CreateEnv = (delegate* unmanaged<int, byte*, IntPtr*, IntPtr>)t[3];
        CreateSessionFromArray = (delegate* unmanaged<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr>)t[8];
        Run = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr>)t[9];
        CreateSessionOptions = (delegate* unmanaged<IntPtr*, IntPtr>)t[10];
        SetSessionExecutionMode = (delegate* unmanaged<IntPtr, int, IntPtr>)t[13];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)t[23];
        SetIntraOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)t[24];
        SetInterOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)t[25];
        SessionGetInputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)t[30];
        SessionGetOutputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)t[31];
        SessionGetInputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)t[33];
        SessionGetOutputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)t[34];
        SessionGetInputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[36];
        SessionGetOutputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[37];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)t[49];
        CastTypeInfoToTensorInfo = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)t[55];
        GetTensorElementType = (delegate* unmanaged<IntPtr, int*, IntPtr>)t[60];
        GetDimensionsCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)t[61];
        GetDimensions = (delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)t[62];
        CreateCpuMemoryInfo = (delegate* unmanaged<int, int, IntPtr*, IntPtr>)t[69];
        AllocatorFree = (delegate* unmanaged<IntPtr, void*, IntPtr>)t[76];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged<IntPtr*, IntPtr>)t[78];
        ReleaseEnv = (delegate* unmanaged<IntPtr, void>)t[92];
        ReleaseStatus = (delegate* unmanaged<IntPtr, void>)t[93];
        ReleaseMemoryInfo = (delegate* unmanaged<IntPtr, void>)t[94];
        ReleaseSession = (delegate* unmanaged<IntPtr, void>)t[95];
        ReleaseValue = (delegate* unmanaged<IntPtr, void>)t[96];
        ReleaseTypeInfo = (delegate* unmanaged<IntPtr, void>)t[98];
        ReleaseSessionOptions = (delegate* unmanaged<IntPtr, void>)t[100];
    }

    /// <summary>Turns a non-null OrtStatus into an <see cref="OnnxRuntimeException"/> carrying ONNX Runtime's message.</summary>
    public void Check(IntPtr status, string? context = null)
    {
        if (status == IntPtr.Zero) return;
        var code = GetErrorCode(status);
        var message = Marshal.PtrToStringUTF8((IntPtr)GetErrorMessage(status)) ?? "unknown error";
        ReleaseStatus(status);
        throw new OnnxRuntimeException(context + message, code);
    }
}
