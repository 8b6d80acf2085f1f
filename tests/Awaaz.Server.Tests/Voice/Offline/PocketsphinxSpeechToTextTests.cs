using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Offline;
using static Awaaz.Server.Tests.Voice.Offline.OfflineSpeechKit;

namespace Awaaz.Server.Tests.Voice.Offline;

public sealed class PocketsphinxSpeechToTextTests
{
    private static readonly string[] Script =
        ["yes", "no", "My name is Asha.", "tomorrow at 10", "Call me back later", "I don't know", "two thousand rupees"];

    [Fact]
    public async Task Espeak_phrases_after_a_mulaw_round_trip_are_recognized_exactly_with_a_grammar()
    {
        var tts = Tts();
        await using var session = await Stt().StartAsync(new SpeechRecognitionOptions("en-IN", Phrases: Script), TestContext.Current.CancellationToken);
        foreach (var (spoken, expected) in new[] { ("yes", "yes"), ("no", "no"), ("my name is asha", "My name is Asha."), ("tomorrow at ten", "tomorrow at 10"), ("I don't know", "I don't know"), ("two thousand rupees", "two thousand rupees"), ("call me back later", "Call me back later") })
        {
            var events = await RecognizeAsync(session, Decode(await SpeakAsync(tts, spoken)));
            TestContext.Current.TestOutputHelper?.WriteLine($"{spoken}: {string.Join(" | ", events)}");
            var final = events[^1];
            final.IsFinal.ShouldBeTrue();
            final.EndOfUtterance.ShouldBeTrue();
            final.Text.ShouldBe(expected);
        }
    }
}
