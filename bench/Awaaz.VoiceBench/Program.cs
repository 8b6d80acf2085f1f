using System.Text.RegularExpressions;
using Awaaz.Media;
using Awaaz.Server;
using Awaaz.Server.Cli;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Offline;
using Awaaz.VoiceBench;

// awaaz-voice-bench [serve] [--urls …]     the real Awaaz server with the fixed-latency "fake" STT, LLM and TTS
// awaaz-voice-bench partners|keys|migrate  the admin CLI, as `awaaz`
// awaaz-voice-bench render-caller DIR       the callers' utterances (espeak-ng, 8 kHz PCM16 WAV) for `awaaz-sim load --conversation DIR`
if (args is ["render-caller", var directory])
{
    await RenderCallerAsync(directory);
    return 0;
}
if (AdminCli.Handles(args))
    return await AdminCli.RunAsync(args);

var serveArgs = (args.Length > 0 && args[0] == "serve" ? args[1..] : args).Prepend("--Awaaz:EnableFakeProviders=true").ToArray();
var app = AwaazApp.Build(serveArgs, services =>
{
    services.AddSingleton<VoiceMetricsRecorder>();
    services.AddSingleton(sp => new FixedLatencyTextToSpeech(new EspeakTextToSpeech(sp.GetRequiredService<EspeakSettings>()), sp.GetRequiredService<ILogger<FixedLatencyTextToSpeech>>()));
    services.AddSingleton<ITextToSpeech>(sp => sp.GetRequiredService<FixedLatencyTextToSpeech>());
    services.AddSingleton<ISpeechToText, FixedLatencySpeechToText>();
    services.AddSingleton<IChatClientProvider, FixedLatencyChatProvider>();
});
var recorder = app.Services.GetRequiredService<VoiceMetricsRecorder>();
app.MapGet("/_bench/voice-metrics", (bool? reset) => Results.Json(recorder.Summary(reset == true)));
var speakable = BenchSpeech.Replies.Concat(BenchSpeech.ServerPhrases).SelectMany(Sentences).Distinct().ToList();
await app.Services.GetRequiredService<FixedLatencyTextToSpeech>().PrerenderAsync(speakable, new SpeechSynthesisOptions("en-us", "en"), CancellationToken.None);
app.Logger.LogInformation("Voice bench: fake STT/LLM/TTS registered, {Count} sentences pre-rendered", speakable.Count);
await app.RunAsync();
return 0;

// The server speaks sentence by sentence (VoiceAgent splits at . ! ? before whitespace).
static IEnumerable<string> Sentences(string text) => Regex.Split(text, @"(?<=[.!?])\s+").Where(s => s.Length > 0);

static async Task RenderCallerAsync(string directory)
{
    Directory.CreateDirectory(directory);
    var espeak = new EspeakTextToSpeech(new EspeakSettings());
    for (var i = 0; i < BenchSpeech.CallerUtterances.Length; i++)
    {
        var mulaw = new List<byte>();
        await foreach (var chunk in espeak.SynthesizeAsync(BenchSpeech.CallerUtterances[i], new SpeechSynthesisOptions("en-us", "en"), CancellationToken.None))
            mulaw.AddRange(chunk.ToArray());
        var pcm = new short[mulaw.Count];
        MuLaw.Decode(mulaw.ToArray(), pcm);
        var path = Path.Combine(directory, $"caller-{i + 1:00}.wav");
        using (var writer = new WavWriter(File.Create(path), 8000, 1)) writer.Write(pcm);
        Console.WriteLine($"{path} ({pcm.Length / 8} ms)");
    }
}
