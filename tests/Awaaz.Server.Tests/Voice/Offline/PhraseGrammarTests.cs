using Awaaz.Server.Voice.Offline;

namespace Awaaz.Server.Tests.Voice.Offline;

public sealed class PhraseGrammarTests
{
    [Theory]
    [InlineData("Yes!", "yes")]
    [InlineData("My name is Asha.", "my name is asha")]
    [InlineData("I don’t know", "i don't know")]
    [InlineData("'Okay', then - fine", "okay then fine")]
    [InlineData("tomorrow at 10", "tomorrow at ten")]
    [InlineData("at 10:30", "at ten thirty")]
    [InlineData("0 7 19 20 45 100 115 999", "zero seven nineteen twenty forty five one hundred one hundred fifteen nine hundred ninety nine")]
    [InlineData("1947", "one thousand nine hundred forty seven")]
    [InlineData("2000 rupees", "two thousand rupees")]
    [InlineData("PIN 0471", "pin zero four seven one")]
    [InlineData("98450", "nine eight four five zero")]
    [InlineData("the 1st one", "the 1st one")]
    [InlineData("...", "")]
    public void Phrases_become_lower_case_dictionary_words(string phrase, string words) =>
        string.Join(' ', PhraseGrammar.ToWords(phrase)).ShouldBe(words);

    [Fact]
    public void The_grammar_accepts_each_phrase_once_and_maps_words_back_to_the_phrase_as_written()
    {
        var grammar = PhraseGrammar.Build(["Yes.", "yes", "  Tomorrow at 10 ", "", "?!", "I don't know"]);
        grammar.Alternatives.ShouldBe(["yes", "tomorrow at ten", "i don't know"]);
        grammar.Words.ShouldBe(["yes", "tomorrow", "at", "ten", "i", "don't", "know"]);
        grammar.ToJsgf().ShouldBe("#JSGF V1.0;\ngrammar awaaz;\npublic <phrase> = yes\n    | tomorrow at ten\n    | i don't know;\n");

        grammar.PhraseFor("yes").ShouldBe("Yes.");
        grammar.PhraseFor("tomorrow  at ten").ShouldBe("Tomorrow at 10");
        grammar.PhraseFor("tomorrow at").ShouldBeNull();
        grammar.PhrasesWith("at").ShouldBe(["Tomorrow at 10"]);
    }
}
