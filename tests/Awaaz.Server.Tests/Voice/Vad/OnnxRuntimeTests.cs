using Awaaz.Server.Voice.Vad;

namespace Awaaz.Server.Tests.Voice.Vad;

/// <summary>The ONNX Runtime C API wrapper: errors carry ONNX Runtime's own message; tensors and sessions are checked.</summary>
public sealed class OnnxRuntimeTests
{
    public OnnxRuntimeTests() => VadAssets.Require();

    [Fact]
    public void A_missing_library_or_model_is_a_file_not_found_naming_the_path()
    {
        Should.Throw<FileNotFoundException>(() => OnnxRuntime.Load("/nonexistent/libonnxruntime.so"))
            .Message.ShouldBe("ONNX Runtime library not found at /nonexistent/libonnxruntime.so");
        using var runtime = OnnxRuntime.Load(VadAssets.OnnxRuntimePath);
        Should.Throw<FileNotFoundException>(() => runtime.OpenSession("/nonexistent/model.onnx")).FileName.ShouldBe("/nonexistent/model.onnx");
    }

    [Fact]
    public void A_file_that_is_not_onnx_runtime_is_refused_with_the_reason()
    {
        Should.Throw<OnnxRuntimeException>(() => OnnxRuntime.Load(VadAssets.ModelPath)).Message.ShouldStartWith($"cannot load {VadAssets.ModelPath}: ");
        var libm = new[] { "/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6" }.First(File.Exists);
        Should.Throw<OnnxRuntimeException>(() => OnnxRuntime.Load(libm)).Message.ShouldContain("is not ONNX Runtime (no OrtGetApiBase export)");
    }

    [Fact]
    public void A_corrupt_model_fails_with_onnx_runtimes_message()
    {
        using var runtime = OnnxRuntime.Load(VadAssets.OnnxRuntimePath);
        var path = Path.Combine(Directory.CreateTempSubdirectory("awaaz-onnx-").FullName, "broken.onnx");
        File.WriteAllBytes(path, File.ReadAllBytes(VadAssets.ModelPath)[..5000]);

        var ex = Should.Throw<OnnxRuntimeException>(() => runtime.OpenSession(path));
        ex.Message.ShouldStartWith($"cannot load model {path}: ");
        ex.Message.Length.ShouldBeGreaterThan($"cannot load model {path}: ".Length + 10);
        ex.ErrorCode.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_run_with_wrong_shapes_fails_with_onnx_runtimes_message_and_the_session_stays_usable()
    {
        using var runtime = OnnxRuntime.Load(VadAssets.OnnxRuntimePath);
        using var session = runtime.OpenSession(VadAssets.ModelPath);
        using var input = runtime.CreateTensor(OnnxElementType.Float, 1, 288);
        using var badState = runtime.CreateTensor(OnnxElementType.Float, 3, 1, 128);
        using var state = runtime.CreateTensor(OnnxElementType.Float, 2, 1, 128);
        using var sr = runtime.CreateTensor(OnnxElementType.Int64);
        sr.AsSpan<long>()[0] = 8000;
        using var output = runtime.CreateTensor(OnnxElementType.Float, 1, 1);
        using var stateN = runtime.CreateTensor(OnnxElementType.Float, 2, 1, 128);

        var ex = Should.Throw<OnnxRuntimeException>(() => session.Run([input, badState, sr], [output, stateN]));
        ex.Message.ShouldContain("state");
        ex.ErrorCode.ShouldBe(2); // ORT_INVALID_ARGUMENT

        output.AsSpan<float>()[0] = -1;
        session.Run([input, state, sr], [output, stateN]);
        output.AsSpan<float>()[0].ShouldBeInRange(0f, 1f); // written into our pre-allocated output
        stateN.AsSpan<float>().ToArray().ShouldContain(v => v != 0f);
    }

    [Fact]
    public void Tensors_check_the_element_type_and_the_argument_counts()
    {
        using var runtime = OnnxRuntime.Load(VadAssets.OnnxRuntimePath);
        using var session = runtime.OpenSession(VadAssets.ModelPath);
        using var tensor = runtime.CreateTensor(OnnxElementType.Float, 2, 3);
        tensor.Length.ShouldBe(6);
        tensor.AsSpan<float>().ToArray().ShouldAllBe(v => v == 0f);
        Should.Throw<InvalidOperationException>(() => tensor.AsSpan<long>());
        Should.Throw<ArgumentException>(() => session.Run([tensor], [tensor, tensor])).Message.ShouldContain("3 inputs");
        Should.Throw<NotSupportedException>(() => runtime.CreateTensor(OnnxElementType.String, 1));

        tensor.Dispose();
        Should.Throw<ObjectDisposedException>(() => tensor.AsSpan<float>());
    }

    [Fact]
    public void A_disposed_session_refuses_runs()
    {
        using var runtime = OnnxRuntime.Load(VadAssets.OnnxRuntimePath);
        var session = runtime.OpenSession(VadAssets.ModelPath);
        using var a = runtime.CreateTensor(OnnxElementType.Float, 1, 288);
        session.Dispose();
        Should.Throw<ObjectDisposedException>(() => session.Run([a, a, a], [a, a]));
    }
}
