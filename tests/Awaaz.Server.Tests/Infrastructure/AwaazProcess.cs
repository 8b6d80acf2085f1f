using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Awaaz.Server.Tests.Infrastructure;

/// <summary>
/// The real <c>awaaz</c> executable started as a child process (as the README's run command does),
/// with its output captured. Always killed on dispose.
/// </summary>
public sealed partial class AwaazProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _gate = new();

    public string Output { get { lock (_gate) return _output.ToString(); } }
    public Uri BaseUrl { get; }

    private AwaazProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, "awaaz.dll");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <c>dotnet awaaz.dll args…</c> in <paramref name="workingDirectory"/>.</summary>
    public static AwaazProcess Start(string workingDirectory, IDictionary<string, string?> environment, params string[] args)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ExecutablePath);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        foreach (var (k, v) in environment)
        {
            if (v is null) start.Environment.Remove(k);
            else start.Environment[k] = v;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var result = new AwaazProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (result._gate) result._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (result._gate) result._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Runs a CLI command to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunCliAsync(string workingDirectory, IDictionary<string, string?> environment, params string[] args)
    {
        await using var process = Start(workingDirectory, environment, args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process._process.WaitForExitAsync(timeout.Token);
        process._process.WaitForExit(); // flush redirected output
        return (process._process.ExitCode, process.Output);
    }

    /// <summary>Waits (bounded) until <c>/readyz</c> answers 200.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? within = null)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"awaaz exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"awaaz did not become ready:\n{Output}");
    }

    /// <summary>The API key printed on first start.</summary>
    public async Task<string> WaitForPrintedKeyAsync()
    {
        for (var i = 0; i < 300; i++)
        {
            var match = PrintedKey().Match(Output);
            if (match.Success) return match.Groups[1].Value;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no API key printed:\n{Output}");
    }

    [GeneratedRegex("AWAAZ_API_KEY=(rg_live_[0-9A-Za-z]{32})")]
    private static partial Regex PrintedKey();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
