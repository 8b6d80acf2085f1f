using Awaaz.Server.Voice.Offline;

namespace Awaaz.Server.Tests.Voice.Offline;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void Sentences_end_at_terminal_punctuation_followed_by_a_space_and_at_line_breaks()
    {
        SentenceSplitter.Split("Hello there! How are you? I am fine. Thanks…  Bye")
            .ShouldBe(["Hello there!", "How are you?", "I am fine.", "Thanks…", "Bye"]);
        SentenceSplitter.Split("First line\nsecond line.\n\nThird")
            .ShouldBe(["First line", "second line.", "Third"]);
        SentenceSplitter.Split("Really?! \"Yes.\" (Okay.) Done")
            .ShouldBe(["Really?!", "\"Yes.\"", "(Okay.)", "Done"]);
    }

    [Fact]
    public void Decimals_addresses_and_abbreviations_do_not_end_a_sentence()
    {
        SentenceSplitter.Split("The fee is 3.5 percent. Visit awaaz.example.com today.")
            .ShouldBe(["The fee is 3.5 percent.", "Visit awaaz.example.com today."]);
        SentenceSplitter.Split("Dr. Rao and Mrs. Iyer will call, e.g. on Monday. Okay.")
            .ShouldBe(["Dr. Rao and Mrs. Iyer will call, e.g. on Monday.", "Okay."]);
    }

    [Fact]
    public void Hindi_sentences_end_at_the_danda()
    {
        SentenceSplitter.Split("नमस्ते। आपका स्वागत है॥ धन्यवाद")
            .ShouldBe(["नमस्ते।", "आपका स्वागत है॥", "धन्यवाद"]);
    }

    [Fact]
    public void Long_sentences_are_cut_at_a_comma_or_else_a_space_within_the_limit()
    {
        var clauses = string.Join(", ", Enumerable.Range(1, 12).Select(i => $"clause number {i} of a long sentence"));
        var pieces = SentenceSplitter.Split(clauses + ".", maxLength: 100);
        pieces.ShouldAllBe(p => p.Length <= 100);
        pieces.SkipLast(1).ShouldAllBe(p => p.EndsWith(','));
        string.Join(" ", pieces).ShouldBe(clauses + ".");

        var words = string.Join(" ", Enumerable.Repeat("word", 60));
        var cut = SentenceSplitter.Split(words, maxLength: 50);
        cut.ShouldAllBe(p => p.Length <= 50 && !p.StartsWith(' ') && !p.EndsWith(' '));
        string.Join(" ", cut).ShouldBe(words);

        var unbroken = new string('x', 130);
        SentenceSplitter.Split(unbroken, maxLength: 50).ShouldBe([unbroken[..50], unbroken[50..100], unbroken[100..]]);
    }

    [Fact]
    public void Whitespace_is_collapsed_and_empty_pieces_dropped()
    {
        SentenceSplitter.Split("  Hello \t  world.   \r\n \n  ").ShouldBe(["Hello world."]);
        SentenceSplitter.Split("").ShouldBeEmpty();
        SentenceSplitter.Split(" \n\t ").ShouldBeEmpty();
    }
}
