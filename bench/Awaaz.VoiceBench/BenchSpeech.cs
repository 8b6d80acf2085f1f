namespace Awaaz.VoiceBench;

/// <summary>The words of the benchmark conversation: what callers say, and the bench LLM's replies (1–2 sentences).</summary>
public static class BenchSpeech
{
    public static readonly string[] CallerUtterances =
    [
        "Hello, I would like to know the status of my order.",
        "It was placed last Tuesday from Mumbai.",
        "Can you tell me when it will be delivered?",
        "Yes, please send me a message with the details.",
        "I also want to change my delivery address.",
        "Thank you, that is all for today.",
    ];

    public static readonly string[] Replies =
    [
        "Sure, let me check that for you. Your order is on its way and should arrive in two days.",
        "Thank you for the details. I can see the order in our system.",
        "It will be delivered by Friday evening. You will get a message before the delivery.",
        "Of course, I have sent the details to your phone.",
        "I can help with that. Please tell me the new address with the pin code.",
        "You are welcome. Have a nice day.",
    ];

    /// <summary>What the bench STT returns as the caller's words (the n-th final of a session).</summary>
    public static string Transcript(int n) => CallerUtterances[n % CallerUtterances.Length];

    /// <summary>Texts the server itself says (greeting, reprompt, goodbye): pre-rendered too so TTS latency stays fixed.</summary>
    public static readonly string[] ServerPhrases =
    [
        "Hello, thank you for calling. How can I help you today?",
        "Are you still there?",
        "Thank you for your time. Goodbye!",
        "Sorry, I am having trouble right now.",
    ];
}
