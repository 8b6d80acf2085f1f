using System.Text.Json.Nodes;
using Awaaz.Server.Operations;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Vad;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Awaaz.Server.Tests.Voice.Vad;

/// <summary>Silero when its assets load, else the energy fallback: logged once and shown in /readyz.</summary>
public sealed class VadSelectionTests
{
    public VadSelectionTests() => VadAssets.Require();

    private static (IVoiceActivityDetector Vad, LogCapture Logs, ReadinessState Readiness) Select(string? library, string? model)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [VadSelection.OnnxRuntimePathKey] = library,
            [VadSelection.SileroModelPathKey] = model,
        }).Build();
        var logs = new LogCapture();
        var readiness = new ReadinessState();
        return (VadSelection.Select(configuration, logs.CreateLogger("vad"), readiness), logs, readiness);
    }

    private static string Detail(ReadinessState readiness) => readiness.Details.Single(d => d.Key == "vad").Value;

    [Fact]
    public void Silero_is_chosen_when_the_library_and_model_load()
    {
        var (vad, logs, readiness) = Select(VadAssets.OnnxRuntimePath, VadAssets.ModelPath);
        using var _ = (IDisposable)vad;

        var silero = vad.ShouldBeOfType<SileroVad>();
        Detail(readiness).ShouldBe($"silero-v5 (ONNX Runtime {silero.RuntimeVersion})");
        logs.Lines.ShouldHaveSingleItem().ShouldStartWith("Information vad: Voice activity detection: Silero VAD v5 on ONNX Runtime 1.");
    }

    [Fact]
    public void A_wrong_library_path_falls_back_to_energy_with_the_reason()
    {
        var (vad, logs, readiness) = Select("/nonexistent/libonnxruntime.so", VadAssets.ModelPath);

        vad.ShouldBeOfType<EnergyVad>();
        const string reason = "ONNX Runtime library not found at /nonexistent/libonnxruntime.so (run scripts/assets.sh or set Awaaz:Vad:OnnxRuntimePath)";
        Detail(readiness).ShouldBe($"energy (fallback: {reason})");
        logs.Lines.ShouldHaveSingleItem().ShouldStartWith($"Warning vad: Voice activity detection: energy fallback, Silero VAD unavailable: {reason}");
    }

    [Fact]
    public void A_missing_model_names_the_model_setting()
    {
        var (vad, _, readiness) = Select(VadAssets.OnnxRuntimePath, "/nonexistent/silero_vad.onnx");

        vad.ShouldBeOfType<EnergyVad>();
        Detail(readiness).ShouldBe("energy (fallback: ONNX model not found at /nonexistent/silero_vad.onnx (run scripts/assets.sh or set Awaaz:Vad:SileroModelPath))");
    }

    [Fact]
    public void A_library_that_does_not_load_or_a_corrupt_model_gives_the_loaders_message()
    {
        var (vad, _, readiness) = Select(VadAssets.ModelPath, VadAssets.ModelPath);
        vad.ShouldBeOfType<EnergyVad>();
        Detail(readiness).ShouldStartWith($"energy (fallback: cannot load {VadAssets.ModelPath}: ");

        var broken = Path.Combine(Directory.CreateTempSubdirectory("awaaz-vad-").FullName, "silero_vad.onnx");
        File.WriteAllBytes(broken, "not a model"u8.ToArray());
        (vad, _, readiness) = Select(VadAssets.OnnxRuntimePath, broken);
        vad.ShouldBeOfType<EnergyVad>();
        Detail(readiness).ShouldStartWith($"energy (fallback: cannot load model {broken}: ");
    }

    [Fact]
    public void A_model_that_is_not_silero_is_refused_with_what_it_declares()
    {
        // An ONNX model with other inputs: the test project's own copy of Silero would be identical, so use a
        // tiny hand-written graph (Identity: x → y) serialized as ONNX protobuf.
        var path = Path.Combine(Directory.CreateTempSubdirectory("awaaz-vad-").FullName, "identity.onnx");
        File.WriteAllBytes(path, IdentityModel());
        var (vad, _, readiness) = Select(VadAssets.OnnxRuntimePath, path);

        vad.ShouldBeOfType<EnergyVad>();
        Detail(readiness).ShouldBe($"energy (fallback: {path} is not a Silero VAD v5 model: inputs [x: Float[1]], outputs [y: Float[1]])");
    }

    [Fact]
    public async Task The_server_reports_the_fallback_in_readyz_and_logs_it_once()
    {
        await using var factory = new AwaazFactory().With(VadSelection.OnnxRuntimePathKey, "/nonexistent/libonnxruntime.so");
        await factory.InitializeAsync();
        var ready = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/readyz", TestContext.Current.CancellationToken))!;

        ready["checks"]!["vad"]!.GetValue<string>().ShouldStartWith("energy (fallback: ONNX Runtime library not found at /nonexistent/libonnxruntime.so");
        ready["status"]!.GetValue<string>().ShouldBe("ready");
        factory.Service<IVoiceActivityDetector>().ShouldBeOfType<EnergyVad>();
        factory.Logs.Lines.Count(l => l.Contains("Voice activity detection")).ShouldBe(1);
    }

    [Fact]
    public async Task The_server_uses_silero_when_configured_with_the_assets()
    {
        await using var factory = new AwaazFactory()
            .With(VadSelection.OnnxRuntimePathKey, VadAssets.OnnxRuntimePath)
            .With(VadSelection.SileroModelPathKey, VadAssets.ModelPath);
        await factory.InitializeAsync();
        var ready = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/readyz", TestContext.Current.CancellationToken))!;

        ready["checks"]!["vad"]!.GetValue<string>().ShouldStartWith("silero-v5 (ONNX Runtime 1.");
        var vad = factory.Service<IVoiceActivityDetector>();
        vad.ShouldBeSameAs(factory.Service<IVoiceActivityDetector>());
        Probabilities(vad).Max().ShouldBeGreaterThan(0.9f);
    }

    private static float[] Probabilities(IVoiceActivityDetector vad) =>
        TestAudio.Probabilities(vad, TestAudio.Concat(TestAudio.Speech("Is anybody there?"), TestAudio.Silence(0.2)));

    /// <summary>ModelProto{ir_version 8, opset 13, graph{ Identity(x) → y; x, y: float[1] }} in protobuf wire format.</summary>
    private static byte[] IdentityModel()
    {
        static byte[] Field(int number, byte[] payload) => [(byte)(number << 3 | 2), .. Varint(payload.Length), .. payload];
        static byte[] Str(int number, string s) => Field(number, System.Text.Encoding.UTF8.GetBytes(s));
        static byte[] Int(int number, long v) => [(byte)(number << 3), .. Varint(v)];
        static byte[] Varint(long v)
        {
            var bytes = new List<byte>();
            do { var b = (byte)(v & 0x7F); v >>= 7; bytes.Add(v != 0 ? (byte)(b | 0x80) : b); } while (v != 0);
            return [.. bytes];
        }
        // ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type FLOAT, shape {dim {dim_value 1}}}}}
        byte[] Value(string name) => [.. Str(1, name), .. Field(2, Field(1, [.. Int(1, 1), .. Field(2, Field(1, Int(1, 1)))]))];
        byte[] node = [.. Str(1, "x"), .. Str(2, "y"), .. Str(4, "Identity")];
        byte[] graph = [.. Field(1, node), .. Str(2, "g"), .. Field(11, Value("x")), .. Field(12, Value("y"))];
        return [.. Int(1, 8), .. Field(7, graph), .. Field(8, Int(2, 13))];
    }
}
