using Awaaz.Media;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Offline;

namespace Awaaz.Server.Tests.Voice.Offline;

/// <summary>Real espeak-ng and pocketsphinx, wired as the voice runtime uses them: µ-law 8 kHz out of TTS, PCM16 8 kHz into STT.</summary>
internal static class OfflineSpeechKit
{
    public const string EspeakPath = "/usr/bin/espeak-ng";
    public static readonly SpeechSynthesisOptions English = new("en-us", "en-US");
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static EspeakTextToSpeech Tts(EspeakSettings? settings = null)
    {
        File.Exists(EspeakPath).ShouldBeTrue("these tests need espeak-ng (apt-get install espeak-ng)");
        return new EspeakTextToSpeech(settings ?? new EspeakSettings());
    }

    public static PocketsphinxSpeechToText Stt(PocketsphinxSettings? settings = null)
    {
        Directory.Exists(PocketsphinxSettings.DebianModelRoot).ShouldBeTrue("these tests need pocketsphinx (apt-get install pocketsphinx-en-us libpocketsphinx3)");
        return new PocketsphinxSpeechToText(settings ?? new PocketsphinxSettings());
    }

    public static async Task<List<byte[]>> ChunksAsync(ITextToSpeech tts, string text, SpeechSynthesisOptions? options = null, CancellationToken ct = default)
    {
        var chunks = new List<byte[]>();
        await foreach (var chunk in tts.SynthesizeAsync(text, options ?? English, ct)) chunks.Add(chunk.ToArray());
        return chunks;
    }

    public static async Task<byte[]> SpeakAsync(ITextToSpeech tts, string text, SpeechSynthesisOptions? options = null) =>
        (await ChunksAsync(tts, text, options)).SelectMany(c => c).ToArray();

    public static short[] Decode(byte[] mulaw)
    {
        var pcm = new short[mulaw.Length];
        MuLaw.Decode(mulaw, pcm);
        return pcm;
    }

    public static double Rms(ReadOnlySpan<short> pcm)
    {
        if (pcm.IsEmpty) return 0;
        double sum = 0;
        foreach (var s in pcm) sum += (double)s * s;
        return Math.Sqrt(sum / pcm.Length);
    }

    /// <summary>Sends one utterance in 20 ms frames, as the media plane does, then flushes; returns every event up to the final.</summary>
    public static async Task<List<SpeechRecognitionEvent>> RecognizeAsync(ISpeechRecognition session, short[] pcm)
    {
        using var cts = new CancellationTokenSource(Timeout);
        for (var i = 0; i < pcm.Length; i += 160)
            await session.SendAsync(pcm.AsMemory(i, Math.Min(160, pcm.Length - i)), cts.Token);
        await session.FlushAsync(cts.Token);
        var events = new List<SpeechRecognitionEvent>();
        await foreach (var e in session.ReadEventsAsync(cts.Token))
        {
            events.Add(e);
            if (e.IsFinal) break;
        }
        return events;
    }

    /// <summary>A shell script that logs each run of espeak-ng (pid and arguments) and then runs the real one.</summary>
    public sealed class EspeakWrapper : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("awaaz-espeak-").FullName;

        /// <param name="hangAfterSpeaking">Keep stdout open for a minute after speaking, like a hung espeak-ng.</param>
        public EspeakWrapper(bool hangAfterSpeaking = false)
        {
            Path = System.IO.Path.Combine(_dir, "espeak-ng");
            LogPath = System.IO.Path.Combine(_dir, "runs.log");
            var speak = hangAfterSpeaking ? $"{EspeakPath} \"$@\"; exec sleep 60" : $"exec {EspeakPath} \"$@\"";
            File.WriteAllText(Path, $$"""
                #!/bin/sh
                echo "$$ $*" >> '{{LogPath}}'
                case "$*" in
                  *--stdout*) {{speak}} ;;
                  *) exec {{EspeakPath}} "$@" ;;
                esac
                """.Replace("\r", "") + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public string Path { get; }
        public string LogPath { get; }

        /// <summary>Pids of the synthesis runs so far, in order.</summary>
        public IReadOnlyList<int> SpeakRuns() => File.Exists(LogPath)
            ? File.ReadAllLines(LogPath).Where(l => l.Contains("--stdout")).Select(l => int.Parse(l.Split(' ')[0])).ToList()
            : [];

        public void Dispose() => Directory.Delete(_dir, recursive: true);
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
