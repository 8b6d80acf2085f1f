using System.Net.WebSockets;
using Awaaz.Server.Tests.Voice.Cloud;
using Awaaz.Server.Voice;
using Connection = Awaaz.Server.Tests.Voice.Cloud.FakeWebSocketVendor.Connection;

namespace Awaaz.Server.Tests.Voice;

/// <summary>What the vendor does on the provider's next use in a call.</summary>
public enum Trouble
{
    None,
    /// <summary>The vendor no longer accepts the key the server was configured with.</summary>
    KeyRevoked,
    /// <summary>The connection resets part-way through the stream.</summary>
    DropMidStream,
    /// <summary>The first byte of the answer comes <see cref="ProviderOnCall.SlowFirstByte"/> late (within every timeout).</summary>
    SlowFirstByte,
    /// <summary>STT only: the stream breaks for good after the first seconds of the call.</summary>
    DiesMidCall,
    /// <summary>LLM only: the stream resets after a whole sentence was spoken (a retry would repeat it).</summary>
    DropAfterHeardSentence,
}

/// <summary>
/// One cloud provider under test on a live call: its fake vendor (speaking the real protocol), the server settings
/// that point at it, an agent whose other two providers are offline, and scripts for each <see cref="Trouble"/>.
/// </summary>
public abstract class ProviderOnCall(string name, string role, string key, int refusedStatus)
{
    public static readonly TimeSpan SlowFirstByte = TimeSpan.FromMilliseconds(700);

    public string Name { get; } = name;
    public string Role { get; } = role;
    /// <summary>The key the server is configured with (it must never show up in a call record or a log).</summary>
    public string Key { get; } = key;
    /// <summary>What the vendor answers a refused key with (HTTP status of the upgrade or request).</summary>
    public int RefusedStatus { get; } = refusedStatus;

    /// <summary>The caller speaks (STT under test) rather than pressing a key.</summary>
    public bool CallerSpeaks => Role == PipelineFailure.Stt;

    /// <summary>The scripted dialogue ends the call after the reply; an LLM under test is a real chat and the caller hangs up.</summary>
    public bool AgentEndsCall => Role != PipelineFailure.Llm;

    public string Greeting => CallerSpeaks ? "Which city should we deliver to?" : "Press a key.";
    public string Reply => Role switch { PipelineFailure.Stt => "You said mumbai.", PipelineFailure.Llm => "You pressed one.", _ => "You pressed 1." };

    /// <summary>The latency breakdown entry the slow vendor shows up in.</summary>
    public string LatencyField => Role switch { PipelineFailure.Stt => "stt_final_ms", PipelineFailure.Llm => "llm_first_token_ms", _ => "tts_first_byte_ms" };

    public abstract IEnumerable<(string Key, string Value)> ServerSettings { get; }
    public abstract void RevokeKey(bool revoked);

    /// <summary>Back to an honest vendor after a test.</summary>
    public virtual void Reset() => RevokeKey(false);

    /// <summary>Scripts the vendor's next use; the task completes once the trouble really happened.</summary>
    public abstract Task Script(Trouble trouble);

    public object Agent => Role switch
    {
        PipelineFailure.Stt => new
        {
            prompt = CityScript,
            pipeline = new { stt = new { provider = Name, language = "en" }, llm = new { provider = "scripted" }, tts = new { provider = "espeak", voice = "gmw/en-US" } },
        },
        PipelineFailure.Llm => new
        {
            prompt = "You are a test agent. Answer in one short sentence.", intro_message = Greeting,
            pipeline = new { stt = new { provider = "pocketsphinx" }, llm = new { provider = Name }, tts = new { provider = "espeak", voice = "gmw/en-US" } },
        },
        _ => new
        {
            prompt = KeyScript,
            pipeline = new { stt = new { provider = "pocketsphinx" }, llm = new { provider = "scripted" }, tts = new { provider = Name, voice = "voice-1" } },
        },
    };

    private const string CityScript = """
        ```awaaz-script
        {"steps":[
          {"id":"ask","say":"Which city should we deliver to?","capture":{"variable":"city","phrases":["mumbai","delhi"]},"next":"bye"},
          {"id":"bye","say":"You said {{city}}. Goodbye.","end":true}]}
        ```
        """;

    private const string KeyScript = """
        ```awaaz-script
        {"steps":[
          {"id":"ask","say":"Press a key.","capture":{"variable":"key","phrases":["1","2"]},"next":"bye"},
          {"id":"bye","say":"You pressed {{key}}. Goodbye.","end":true}]}
        ```
        """;

    public override string ToString() => $"{Name} {Role}";

    /// <summary>Runs <paramref name="script"/> and reports (through <paramref name="happened"/>) that it ran.</summary>
    protected static Func<T, Task> Marked<T>(TaskCompletionSource happened, Func<T, Task> script) => async x =>
    {
        happened.TrySetResult();
        await script(x);
    };
}

/// <summary>Deepgram live STT: finals answer <c>Finalize</c>, as the real service does.</summary>
public sealed class DeepgramOnCall(FakeDeepgram fake) : ProviderOnCall("deepgram", PipelineFailure.Stt, FakeDeepgram.Key, 401)
{
    public override IEnumerable<(string, string)> ServerSettings => [("DEEPGRAM_API_KEY", FakeDeepgram.Key), ("DEEPGRAM_BASE_URL", fake.BaseUrl)];
    public override void RevokeKey(bool revoked) => fake.AcceptedKey = revoked ? "revoked" : FakeDeepgram.Key;

    public override void Reset()
    {
        base.Reset();
        fake.RefuseUpgrades(0);
    }

    public override Task Script(Trouble trouble)
    {
        var happened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        switch (trouble)
        {
            case Trouble.DropMidStream:
                fake.Enqueue(async c => { await c.ReceiveAudioAsync(2 * 8000); happened.TrySetResult(); c.Abort(); }, c => Transcribe(c, TimeSpan.Zero));
                break;
            case Trouble.SlowFirstByte:
                fake.Enqueue(Marked<FakeDeepgram.Connection>(happened, c => Transcribe(c, SlowFirstByte)));
                break;
            case Trouble.DiesMidCall: // the connection resets and every reconnect is refused
                fake.Enqueue(async c => { await c.ReceiveAudioAsync(2 * 8000); fake.RefuseUpgrades(503); happened.TrySetResult(); c.Abort(); });
                break;
            default:
                fake.Enqueue(c => Transcribe(c, TimeSpan.Zero));
                happened.TrySetResult();
                break;
        }
        return happened.Task;
    }

    private static async Task Transcribe(FakeDeepgram.Connection c, TimeSpan delay)
    {
        while (await c.ReceiveAsync() is { } message)
        {
            switch (message.ControlType)
            {
                case "Finalize":
                    await Task.Delay(delay);
                    await c.SendResultsAsync("mumbai", isFinal: true, fromFinalize: true, start: 0, duration: c.Audio.Length / 8000.0);
                    break;
                case "CloseStream":
                    await c.SendMetadataAsync();
                    await c.CloseAsync();
                    return;
            }
        }
    }
}

/// <summary>Sarvam streaming STT: a transcript answers each <c>flush</c>.</summary>
public sealed class SarvamSttOnCall(FakeWebSocketVendor stt, FakeWebSocketVendor host) : ProviderOnCall("sarvam", PipelineFailure.Stt, FakeSarvam.Key, 403)
{
    public override IEnumerable<(string, string)> ServerSettings => [("SARVAM_API_KEY", FakeSarvam.Key), ("SARVAM_BASE_URL", host.WebSocketUrl)];
    public override void RevokeKey(bool revoked) => stt.AcceptedKey = revoked ? "revoked" : FakeSarvam.Key;

    public override Task Script(Trouble trouble)
    {
        var happened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        switch (trouble)
        {
            case Trouble.DropMidStream:
                stt.Enqueue(async c => { await c.ReceiveAudioAsync(2 * 16000); happened.TrySetResult(); c.Abort(); }, c => Transcribe(c, TimeSpan.Zero));
                break;
            case Trouble.SlowFirstByte:
                stt.Enqueue(Marked<Connection>(happened, c => Transcribe(c, SlowFirstByte)));
                break;
            case Trouble.DiesMidCall: // Sarvam checks the key after the upgrade and closes with 4001
                stt.Enqueue(async c => { await c.ReceiveAudioAsync(2 * 16000); happened.TrySetResult(); await c.CloseAsync((WebSocketCloseStatus)4001, "invalid api subscription key"); });
                break;
            default:
                stt.Enqueue(c => Transcribe(c, TimeSpan.Zero));
                happened.TrySetResult();
                break;
        }
        return happened.Task;
    }

    private static async Task Transcribe(Connection c, TimeSpan delay)
    {
        while (await c.ReceiveJsonAsync() is { } message)
        {
            if (message["type"]?.GetValue<string>() != "flush") continue;
            await Task.Delay(delay);
            await c.SendTranscriptAsync("mumbai");
        }
        await c.CloseAsync();
    }
}

/// <summary>An OpenAI-compatible chat endpoint streaming server-sent events.</summary>
public sealed class OpenAiOnCall(FakeOpenAi fake) : ProviderOnCall("openai", PipelineFailure.Llm, FakeOpenAi.Key, 401)
{
    public override IEnumerable<(string, string)> ServerSettings => [("OPENAI_API_KEY", FakeOpenAi.Key), ("OPENAI_BASE_URL", fake.BaseUrl)];
    public override void RevokeKey(bool revoked) => fake.AcceptedKey = revoked ? "revoked" : FakeOpenAi.Key;

    public override Task Script(Trouble trouble)
    {
        var happened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = FakeOpenAi.Text("You pressed ", "one.");
        switch (trouble)
        {
            case Trouble.DropMidStream: // reset before the first sentence is complete: nothing was heard, the runtime asks again
                fake.Enqueue(Marked(happened, FakeOpenAi.Dropped(FakeOpenAi.TextChunks("You ", "pressed"))), reply);
                break;
            case Trouble.SlowFirstByte:
                fake.Enqueue(Marked(happened, FakeOpenAi.After(Task.Delay(SlowFirstByte), reply)));
                break;
            case Trouble.DropAfterHeardSentence: // the reset waits a moment so that the first sentence is read before it
                fake.Enqueue(Marked(happened, FakeOpenAi.Dropped(FakeOpenAi.TextChunks("You pressed one. ", "What else"), abortWhen: Task.Delay(1000))));
                break;
            default:
                fake.Enqueue(reply);
                happened.TrySetResult();
                break;
        }
        return happened.Task;
    }
}

/// <summary>The streaming WebSocket TTS vendors: the drop comes after the first word's audio.</summary>
public abstract class WebSocketTtsOnCall(string name, FakeWebSocketVendor fake, string key, int refusedStatus, string keySetting, string urlSetting)
    : ProviderOnCall(name, PipelineFailure.Tts, key, refusedStatus)
{
    protected FakeWebSocketVendor Fake { get; } = fake;
    public override IEnumerable<(string, string)> ServerSettings => [(keySetting, Key), (urlSetting, Fake.WebSocketUrl)];
    public override void RevokeKey(bool revoked) => Fake.AcceptedKey = revoked ? "revoked" : Key;

    public override Task Script(Trouble trouble)
    {
        var happened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        switch (trouble)
        {
            case Trouble.DropMidStream:
                Fake.Enqueue(async c => { await SpeakFirstWordAsync(c); happened.TrySetResult(); c.Abort(); });
                break;
            case Trouble.SlowFirstByte:
                Fake.Enqueue(Marked<Connection>(happened, c => SpeakAsync(c, SlowFirstByte)));
                break;
            default:
                happened.TrySetResult(); // the fake's default script speaks every word
                break;
        }
        return happened.Task;
    }

    protected abstract Task SpeakFirstWordAsync(Connection c);
    protected abstract Task SpeakAsync(Connection c, TimeSpan firstByteDelay);

    protected static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

public sealed class ElevenLabsOnCall(FakeWebSocketVendor fake)
    : WebSocketTtsOnCall("elevenlabs", fake, FakeElevenLabs.Key, 401, "ELEVENLABS_API_KEY", "ELEVENLABS_BASE_URL")
{
    protected override async Task SpeakFirstWordAsync(Connection c) => await c.SendWordAsync(Words(await c.ReceiveUtteranceAsync())[0]);

    protected override async Task SpeakAsync(Connection c, TimeSpan firstByteDelay)
    {
        var text = await c.ReceiveUtteranceAsync();
        await Task.Delay(firstByteDelay);
        foreach (var word in Words(text)) await c.SendWordAsync(word);
        await c.SendFinalAsync();
    }
}

public sealed class CartesiaOnCall(FakeWebSocketVendor fake)
    : WebSocketTtsOnCall("cartesia", fake, FakeCartesia.Key, 401, "CARTESIA_API_KEY", "CARTESIA_BASE_URL")
{
    protected override async Task SpeakFirstWordAsync(Connection c)
    {
        var request = await c.ReceiveRequestAsync();
        await c.SendWordsAsync(request, Words(request["transcript"]!.GetValue<string>()).Take(1));
    }

    protected override async Task SpeakAsync(Connection c, TimeSpan firstByteDelay)
    {
        var request = await c.ReceiveRequestAsync();
        await Task.Delay(firstByteDelay);
        await c.SendWordsAsync(request, Words(request["transcript"]!.GetValue<string>()));
        await c.SendDoneAsync(request);
        await c.ReceiveJsonAsync();
    }
}

/// <summary>Sarvam TTS sends no timings: after a drop the client cannot resume, so the runtime speaks the sentence again.</summary>
public sealed class SarvamTtsOnCall(FakeWebSocketVendor fake)
    : WebSocketTtsOnCall("sarvam", fake, FakeSarvam.Key, 403, "SARVAM_API_KEY", "SARVAM_BASE_URL")
{
    protected override async Task SpeakFirstWordAsync(Connection c) => await c.SendAudioAsync(Words((await c.ReceiveSynthesisAsync()).Text)[0]);

    protected override async Task SpeakAsync(Connection c, TimeSpan firstByteDelay)
    {
        var (_, text) = await c.ReceiveSynthesisAsync();
        await Task.Delay(firstByteDelay);
        foreach (var word in Words(text)) await c.SendAudioAsync(word);
        await c.SendFinalEventAsync();
        await c.ReceiveJsonAsync();
    }
}
