using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Awaaz.Server.Voice;

/// <summary>
/// Reads the espeak-ng voices installed on this machine from <c>espeak-ng --voices</c>.
/// A voice is identified by its voice file (e.g. <c>gmw/en-US</c>): unlike the language code it is
/// unique, and unlike the printed name (spaces shown as <c>_</c>) <c>espeak-ng -v</c> accepts it as is.
/// </summary>
public static partial class EspeakVoices
{
    public const string Provider = "espeak";

    public const string InstallHint =
        "No voices: espeak-ng is not installed on this server. Install it (Debian/Ubuntu: apt-get install espeak-ng) and restart Awaaz.";

    public const string NoVoicesHint =
        "No voices: espeak-ng is installed but lists no voices. Reinstall its data (apt-get install --reinstall espeak-ng espeak-ng-data).";

    // " 5  en-us           --/M      English_(America)  gmw/en-US            (en 3)"
    [GeneratedRegex(@"^\s*(?<priority>\d+)\s+(?<language>\S+)\s+(?<agegender>\S+)\s+(?<name>\S+)\s+(?<file>\S+)\s*(?<others>.*)$")]
    private static partial Regex VoiceLine();

    [GeneratedRegex(@"\((?<language>[^\s()]+)\s+\d+\)")]
    private static partial Regex OtherLanguage();

    public static string IdFor(string voiceFile) => NameBasedUuid.Create($"{Provider}:{voiceFile}");

    /// <summary>Parses the table printed by <c>espeak-ng --voices</c>; the header and unreadable lines are skipped.</summary>
    public static IReadOnlyList<CatalogVoice> Parse(string output)
    {
        var voices = new List<CatalogVoice>();
        foreach (var line in output.Split('\n'))
        {
            var match = VoiceLine().Match(line.TrimEnd('\r'));
            if (!match.Success) continue;
            var file = match.Groups["file"].Value;
            if (voices.Any(v => v.ProviderVoiceId == file)) continue;

            var language = match.Groups["language"].Value;
            var languages = new List<string> { language };
            foreach (Match other in OtherLanguage().Matches(match.Groups["others"].Value))
                if (!languages.Contains(other.Groups["language"].Value)) languages.Add(other.Groups["language"].Value);

            var gender = match.Groups["agegender"].Value.Split('/') is [_, var g] ? g : "";
            voices.Add(new CatalogVoice(
                Id: IdFor(file),
                Name: match.Groups["name"].Value.Replace('_', ' ').Trim(),
                Provider: Provider,
                ProviderVoiceId: file,
                Model: null,
                Language: language,
                Languages: languages,
                Gender: gender switch { "M" or "m" => "male", "F" or "f" => "female", _ => "neutral" },
                Tier: "standard",
                PreviewUrl: null));
        }
        return voices;
    }

    /// <summary>Runs <c>espeak-ng --voices</c>. When it cannot run, returns no voices and <see cref="InstallHint"/>.</summary>
    public static (IReadOnlyList<CatalogVoice> Voices, string? Hint) Load(string executable, ILogger logger)
    {
        try
        {
            var start = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("--voices");
            using var process = Process.Start(start) ?? throw new Win32Exception("espeak-ng did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                logger.LogWarning("{Executable} --voices did not finish within 10 s; the voice catalog is empty", executable);
                return ([], InstallHint);
            }
            if (process.ExitCode != 0)
            {
                logger.LogWarning("{Executable} --voices exited with {ExitCode}: {Error}", executable, process.ExitCode, stderr.Result.Trim());
                return ([], InstallHint);
            }
            var voices = Parse(stdout.Result);
            logger.LogInformation("Voice catalog: {Count} espeak-ng voices from {Executable}", voices.Count, executable);
            return voices.Count > 0 ? (voices, null) : (voices, NoVoicesHint);
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or IOException)
        {
            logger.LogWarning("espeak-ng not available ({Executable}: {Error}); the voice catalog is empty", executable, ex.Message);
            return ([], InstallHint);
        }
    }
}
