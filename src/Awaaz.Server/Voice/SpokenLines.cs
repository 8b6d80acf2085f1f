namespace Awaaz.Server.Voice;

/// <summary>
/// Platform lines the agent says on its own (not from the agent's configuration), in the agent's language when we
/// have it (English and Hindi), else English.
/// </summary>
public static class SpokenLines
{
    private static readonly Dictionary<string, (string En, string Hi)> Lines = new()
    {
        [nameof(WrapUp)] = ("Just so you know, we have about thirty seconds left on this call.", "बस बता दूँ, इस कॉल में लगभग तीस सेकंड बचे हैं।"),
        [nameof(StillThere)] = ("Are you still there?", "क्या आप अभी भी लाइन पर हैं?"),
        [nameof(TransferHold)] = ("Please hold while I transfer your call.", "कृपया लाइन पर बने रहें, आपकी कॉल ट्रांसफर की जा रही है।"),
        [nameof(TransferFailed)] = ("I am sorry, I could not transfer your call right now.", "माफ़ कीजिए, अभी आपकी कॉल ट्रांसफर नहीं हो पाई।"),
        [nameof(FarewellApology)] = ("Sorry, I am having technical trouble and have to end this call. Please try again later.",
            "माफ़ कीजिए, तकनीकी समस्या के कारण यह कॉल समाप्त करनी पड़ रही है। कृपया बाद में फिर से कोशिश करें।"),
        [nameof(ContinueApology)] = ("Sorry, I had a connection problem. Could you say that again?", "माफ़ कीजिए, कनेक्शन में दिक्कत आई। क्या आप फिर से बता सकते हैं?"),
        [nameof(FunctionError)] = ("Sorry, I could not get that information right now.", "माफ़ कीजिए, अभी यह जानकारी नहीं मिल पाई।"),
    };

    /// <summary>30 s before the call's cap.</summary>
    public static string WrapUp(string language) => For(nameof(WrapUp), language);

    /// <summary>The silence re-prompt.</summary>
    public static string StillThere(string language) => For(nameof(StillThere), language);

    /// <summary>Before a transfer, when the agent has no <c>transferMessage</c>.</summary>
    public static string TransferHold(string language) => For(nameof(TransferHold), language);

    public static string TransferFailed(string language) => For(nameof(TransferFailed), language);

    /// <summary>A provider failed for good: the call ends after this.</summary>
    public static string FarewellApology(string language) => For(nameof(FarewellApology), language);

    /// <summary>A reply broke off after the caller heard part of it: the call goes on.</summary>
    public static string ContinueApology(string language) => For(nameof(ContinueApology), language);

    /// <summary>A custom function failed and the function has no <c>error_message</c>.</summary>
    public static string FunctionError(string language) => For(nameof(FunctionError), language);

    private static string For(string line, string language)
    {
        var (en, hi) = Lines[line];
        return language.Split('-', '_')[0].Equals("hi", StringComparison.OrdinalIgnoreCase) ? hi : en;
    }
}
