using System.Text.Json.Nodes;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Cloud;

namespace Awaaz.Server.Tests.Voice.Cloud;

public sealed class CartesiaTextToSpeechTests : IAsyncLifetime
{
    private FakeWebSocketVendor _fake = null!;

    public async ValueTask InitializeAsync() => _fake = await FakeCartesia.StartAsync();
    public async ValueTask DisposeAsync() => await _fake.DisposeAsync();

    private CartesiaTextToSpeech Tts(string key = FakeCartesia.Key) => new(new CartesiaSettings
    {
        ApiKey = key, BaseUrl = new Uri(_fake.WebSocketUrl),
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(20), MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
    });

    private static readonly SpeechSynthesisOptions Voice = new("a0e99841-438c-4a64-b679-ae501e7d6091", "hi-IN");

    private static byte[] AudioOf(params string[] words) => words.SelectMany(w => FakeWebSocketVendor.AudioOf(w, FakeCartesia.BytesPerWord)).ToArray();

    private static async Task<List<byte[]>> ChunksAsync(ITextToSpeech tts, string text, Action<int>? afterChunk = null)
    {
        var chunks = new List<byte[]>();
        await foreach (var chunk in tts.SynthesizeAsync(text, Voice, TestContext.Current.CancellationToken).WithCancellation(Waits.Soon()))
        {
            chunks.Add(chunk.ToArray());
            afterChunk?.Invoke(chunks.Count);
        }

        return chunks;
    }

    [Fact]
    public async Task Sends_one_mulaw_8k_generation_request_and_yields_its_chunks_in_order()
    {
        var firstChunkSeen = new TaskCompletionSource();
        _fake.Enqueue(async c =>
        {
            var request = await c.ReceiveRequestAsync();
            await c.SendWordsAsync(request, ["Swagat"]);
            await firstChunkSeen.Task.WaitAsync(Waits.Soon());
            await c.SendWordsAsync(request, ["hai"], alreadySent: 1);
            await c.SendDoneAsync(request);
            await c.ReceiveJsonAsync();
        });

        var chunks = await ChunksAsync(Tts(), "Swagat hai", _ => firstChunkSeen.TrySetResult());

        chunks.ShouldBe([AudioOf("Swagat"), AudioOf("hai")]);
        var connection = _fake.Connections.ShouldHaveSingleItem();
        (connection.Headers["X-API-Key"], connection.Headers["Cartesia-Version"]).ShouldBe((FakeCartesia.Key, "2024-11-13"));
        connection.Query.ShouldBeEmpty(); // the key never travels in the URL
        var sent = connection.Received.ShouldHaveSingleItem();
        sent["model_id"]!.GetValue<string>().ShouldBe("sonic-2");
        sent["transcript"]!.GetValue<string>().ShouldBe("Swagat hai");
        sent["language"]!.GetValue<string>().ShouldBe("hi");
        sent["voice"]!.ToJsonString().ShouldBe("""{"mode":"id","id":"a0e99841-438c-4a64-b679-ae501e7d6091"}""");
        sent["output_format"]!.ToJsonString().ShouldBe("""{"container":"raw","encoding":"pcm_mulaw","sample_rate":8000}""");
        Guid.TryParse(sent["context_id"]!.GetValue<string>(), out _).ShouldBeTrue();
        sent["continue"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task A_rejected_key_is_an_authentication_error()
    {
        var failure = await Should.ThrowAsync<CloudProviderException>(() => ChunksAsync(Tts(key: "sk_car_wrong_555"), "Namaste"));

        failure.Kind.ShouldBe(CloudProviderErrorKind.Authentication);
        failure.StatusCode.ShouldBe(401);
        failure.Message.ShouldNotContain("sk_car_wrong_555");
    }

    [Fact]
    public async Task An_error_message_fails_the_utterance_without_reconnects()
    {
        _fake.Enqueue(async c =>
        {
            var request = await c.ReceiveRequestAsync();
            await c.SendJsonAsync(new JsonObject
            {
                ["type"] = "error", ["done"] = true, ["status_code"] = 400, ["context_id"] = request["context_id"]!.GetValue<string>(),
                ["title"] = "Invalid voice", ["message"] = "Voice not found.", ["error_code"] = "voice_not_found",
            });
            await c.ReceiveJsonAsync();
        });

        var failure = await Should.ThrowAsync<CloudProviderException>(() => ChunksAsync(Tts(), "Namaste"));

        failure.Kind.ShouldBe(CloudProviderErrorKind.Rejected);
        failure.Message.ShouldContain("voice_not_found: Invalid voice: Voice not found.");
        _fake.Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task A_drop_mid_utterance_resumes_after_the_last_word_fully_heard()
    {
        var twoChunksSeen = new TaskCompletionSource();
        _fake.Enqueue(async c =>
        {
            var request = await c.ReceiveRequestAsync();
            await c.SendWordsAsync(request, ["Aapki", "booking"]);
            await twoChunksSeen.Task.WaitAsync(Waits.Soon());
            c.Abort();
        });

        var chunks = await ChunksAsync(Tts(), "Aapki booking confirm ho gayi hai", count => { if (count == 2) twoChunksSeen.SetResult(); });

        chunks.SelectMany(c => c).ToArray().ShouldBe(AudioOf("Aapki", "booking", "confirm", "ho", "gayi", "hai"));
        _fake.Connections.Count.ShouldBe(2);
        _fake.Connections[1].Received.ShouldHaveSingleItem()["transcript"]!.GetValue<string>().ShouldBe("confirm ho gayi hai");
    }

    [Fact]
    public async Task A_drop_before_any_audio_retries_the_whole_text()
    {
        _fake.Enqueue(async c =>
        {
            await c.ReceiveRequestAsync();
            c.Abort();
        });

        (await ChunksAsync(Tts(), "Dhanyavaad")).SelectMany(c => c).ToArray().ShouldBe(AudioOf("Dhanyavaad"));
        _fake.Connections.Count.ShouldBe(2);
    }
}
