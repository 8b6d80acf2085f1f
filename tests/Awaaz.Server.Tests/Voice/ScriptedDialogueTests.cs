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

    [Fact]
    public async Task A_transfer_step_calls_transfer_call_and_a_failed_transfer_goes_on_at_next()
    {
        const string prompt = """
            {"steps":[
              {"id":"menu","say":"Press one for a person.","intents":{"person":["1"]},"routes":{"person":"handoff"}},
              {"id":"handoff","transfer":true,"next":"after"},
              {"id":"after","say":"Anything else?","intents":{"no":["no"]},"routes":{"no":"bye"}},
              {"id":"bye","say":"Goodbye.","end":true}]}
            """;
        DialogueScript.TryParse(prompt, out var script, out var error).ShouldBeTrue(error);
        script!.Find("handoff")!.ExpectsAnswer.ShouldBeFalse();
        var client = new ScriptedChatClient(script, new Dictionary<string, object?>());
        var messages = new List<ChatMessage> { new(ChatRole.System, prompt), new(ChatRole.User, "1") };

        var transfer = await client.GetResponseAsync(messages);
        transfer.Text.ShouldBeEmpty(); // Awaaz says the agent's transferMessage
        var call = transfer.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        call.Name.ShouldBe(ScriptedChatClient.TransferCall);
        call.Name.ShouldBe(Server.Voice.AgentTools.TransferCall);

        // What the voice agent appends after a failed transfer: the call, then its result.
        messages.Add(new ChatMessage(ChatRole.Assistant, [call]));
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, new { status = "failed", reason = "rejected" })]));
        (await client.GetResponseAsync(messages)).Text.ShouldBe("Anything else?");
        messages.Add(new ChatMessage(ChatRole.Assistant, "Anything else?"));
        messages.Add(new ChatMessage(ChatRole.User, "no"));
        (await client.GetResponseAsync(messages)).Text.ShouldBe("Goodbye.");
    }

    [Theory]
    [InlineData("""{"steps":[{"id":"a","transfer":true}]}""", "needs next")]
    [InlineData("""{"steps":[{"id":"a","say":"Bye.","transfer":true,"end":true,"next":"a"}]}""", "cannot both end and transfer")]
    public void Transfer_steps_must_say_where_to_go_on(string prompt, string explained)
    {
        DialogueScript.TryParse(prompt, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain(explained);
    }

    [Fact]
    public void Transfer_tool_is_declared_only_when_enabled_and_carries_the_instructions()
    {
        var agent = new Server.Agents.AgentDocument { AgentName = "A", Prompt = "p", Language = "en" };
        Server.Voice.AgentTools.For(agent).Declarations.ShouldNotContain(t => t.Name == Server.Voice.AgentTools.TransferCall);
        var enabled = agent with { TransferEnabled = true, TransferNumber = "+919800000002", TransferInstructions = "When the caller asks about billing." };
        var tool = Server.Voice.AgentTools.For(enabled).Declarations.Single(t => t.Name == Server.Voice.AgentTools.TransferCall);
        tool.Description.ShouldContain("When to use it: When the caller asks about billing.");
    }
}
