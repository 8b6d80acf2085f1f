using Awaaz.Server.Operations;

namespace Awaaz.Server.Voice.Vad;

/// <summary>
/// Chooses the process's <see cref="IVoiceActivityDetector"/> at start-up: Silero VAD v5 when ONNX Runtime and the
/// model load, else the <see cref="EnergyVad"/>. Logs the choice once and reports it in <c>/readyz</c> as <c>vad</c>.
/// Settings: <c>Awaaz:Vad:OnnxRuntimePath</c> and <c>Awaaz:Vad:SileroModelPath</c> (relative paths: from the current
/// directory, then from the application's directory), defaulting to what <c>scripts/assets.sh</c> fetches;
/// <c>Awaaz:Vad:SkipQuietWindows</c> (default true, see <see cref="SileroVad.Open"/>).
/// </summary>
public static class VadSelection
{
    public const string OnnxRuntimePathKey = "Awaaz:Vad:OnnxRuntimePath";
    public const string SileroModelPathKey = "Awaaz:Vad:SileroModelPath";
    public const string SkipQuietWindowsKey = "Awaaz:Vad:SkipQuietWindows";
    public const string DefaultOnnxRuntimePath = "assets/libonnxruntime.so";
    public const string DefaultSileroModelPath = "assets/silero_vad.onnx";

    /// <summary>Registers the detector as a singleton, created when the host starts.</summary>
    public static IServiceCollection AddVoiceActivityDetection(this IServiceCollection services)
    {
        services.AddSingleton(sp => Select(sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(VadSelection).FullName!), sp.GetService<ReadinessState>()));
        services.AddHostedService<Startup>();
        return services;
    }

    /// <summary>Silero when it loads, else energy; logs which and why, and reports it to <paramref name="readiness"/>.</summary>
    public static IVoiceActivityDetector Select(IConfiguration configuration, ILogger logger, ReadinessState? readiness)
    {
        var library = Resolve(configuration[OnnxRuntimePathKey], DefaultOnnxRuntimePath);
        var model = Resolve(configuration[SileroModelPathKey], DefaultSileroModelPath);
        string reason;
        try
        {
            var silero = SileroVad.Open(library, model, configuration.GetValue(SkipQuietWindowsKey, true));
            logger.LogInformation("Voice activity detection: Silero VAD v5 on ONNX Runtime {OrtVersion} ({OnnxRuntimePath}, model {SileroModelPath})",
                silero.RuntimeVersion, library, model);
            readiness?.Report("vad", $"{silero.Name} (ONNX Runtime {silero.RuntimeVersion})");
            return silero;
        }
        catch (FileNotFoundException ex)
        {
            var key = ex.FileName == Path.GetFullPath(library) ? OnnxRuntimePathKey : SileroModelPathKey;
            reason = $"{ex.Message} (run scripts/assets.sh or set {key})";
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            reason = ex.Message;
        }
        var energy = new EnergyVad();
        logger.LogWarning("Voice activity detection: energy fallback, Silero VAD unavailable: {VadFallbackReason}", reason);
        readiness?.Report("vad", $"{energy.Name} (fallback: {reason})");
        return energy;
    }

    private static string Resolve(string? configured, string fallback)
    {
        var path = string.IsNullOrWhiteSpace(configured) ? fallback : configured;
        if (Path.IsPathRooted(path) || File.Exists(path)) return Path.GetFullPath(path);
        var besideApp = Path.Combine(AppContext.BaseDirectory, path);
        return Path.GetFullPath(File.Exists(besideApp) ? besideApp : path);
    }

    /// <summary>Resolving the detector in a hosted service makes the choice (and its log line) happen at start-up.</summary>
    private sealed class Startup(IVoiceActivityDetector detector) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            GC.KeepAlive(detector);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
