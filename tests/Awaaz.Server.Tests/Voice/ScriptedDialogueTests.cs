using Awaaz.Server.Voice.Dialogue;
using Microsoft.Extensions.AI;

namespace Awaaz.Server.Tests.Voice;

public sealed class ScriptedDialogueTests
{
    private const string Prompt = """
        You are a delivery assistant.
        ```awaaz-script
        {"steps":[
          {"id":"ask","say":"Hello {{callee_name}}, which city should we deliver to?","capture":{"variable":"city","phrases":["mumbai","new delhi","pune"]},"next":"confirm"},
          {"id":"confirm","say":"You said {{city}}. Is that right?","intents":{"yes":["yes","haan","correct"],"no":["no","nahin"]},"routes":{"yes":"bye","no":"ask"}},
          {"id":"bye","say":"Thank you, we will deliver to {{city}}. Goodbye.","end":true}]}
        ```
        """;

    private static ScriptedChatClient Client() =>
        DialogueScript.TryParse(Prompt, out var script, out var error)
            ? new ScriptedChatClient(script!, new Dictionary<string, object?> { ["callee_name"] = "Asha" })
            : throw new InvalidOperationException(error);

    private static async Task<(string Text, List<FunctionCallContent> Calls)> ReplyAsync(ScriptedChatClient client, params string[] answers)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, Prompt) };
        messages.AddRange(answers.Select(a => new ChatMessage(ChatRole.User, a)));
        var response = await client.GetResponseAsync(messages);
        return (response.Text, response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList());
    }

    [Fact]
    public async Task Walks_the_script_capturing_and_routing_by_intent()
    {
        var client = Client();
        (await ReplyAsync(client)).Text.ShouldBe("Hello Asha, which city should we deliver to?");

        var (text, calls) = await ReplyAsync(client, "I live in New Delhi actually");
        text.ShouldBe("You said new delhi. Is that right?");
        var capture = calls.Single();
        capture.Name.ShouldBe(ScriptedChatClient.SetVariable);
        capture.Arguments!["name"].ShouldBe("city");
        capture.Arguments!["value"].ShouldBe("new delhi");

        (text, calls) = await ReplyAsync(client, "I live in New Delhi actually", "haan");
        text.ShouldBe("Thank you, we will deliver to new delhi. Goodbye.");
        calls.Single().Name.ShouldBe(ScriptedChatClient.EndCall);
    }

    [Fact]
    public async Task Unrecognised_answers_repeat_the_question_and_no_goes_back()
    {
        var client = Client();
        (await ReplyAsync(client, "chennai")).Text.ShouldBe("Sorry, I did not catch that. Hello Asha, which city should we deliver to?");
        (await ReplyAsync(client, "pune", "no")).Text.ShouldBe("Hello Asha, which city should we deliver to?");
        (await ReplyAsync(client, "pune", "no", "mumbai", "yes")).Text.ShouldBe("Thank you, we will deliver to mumbai. Goodbye.");
    }

    [Fact]
    public void Phrases_feed_the_recognizer_grammar_and_bad_scripts_are_explained()
    {
        DialogueScript.TryParse(Prompt, out var script, out _).ShouldBeTrue();
        script!.Phrases.ShouldBe(["mumbai", "new delhi", "pune", "yes", "haan", "correct", "no", "nahin"], ignoreOrder: true);

        DialogueScript.TryParse("Just be nice.", out _, out var error).ShouldBeFalse();
        error.ShouldContain("awaaz-script");
        DialogueScript.TryParse("""{"steps":[{"id":"a","say":"hi","next":"zzz"}]}""", out _, out error).ShouldBeFalse();
        error.ShouldBe("step a goes to unknown step zzz");
        DialogueScript.TryParse("""{"steps":[{"id":"a","say":""}]}""", out _, out error).ShouldBeFalse();
        error.ShouldBe("step a says nothing");
    }
}
