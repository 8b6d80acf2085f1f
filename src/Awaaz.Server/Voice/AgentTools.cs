using System.Text.Json;
using Awaaz.Server.Agents;
using Awaaz.Server.Functions;
using Awaaz.Server.Voice.Dialogue;
using Microsoft.Extensions.AI;

namespace Awaaz.Server.Voice;

/// <summary>
/// The tools an agent's LLM may call, from the agent's configuration (partner-api.md §9.11). The names are the
/// ones the scripted dialogue uses too, so both kinds of LLM drive the call the same way.
/// </summary>
public sealed class AgentTools
{
    public const string EndCall = ScriptedChatClient.EndCall;
    public const string SetVariable = ScriptedChatClient.SetVariable;
    public const string TransferCall = ScriptedChatClient.TransferCall;

    private static readonly JsonElement TransferParameters = JsonDocument.Parse("""
        {"type":"object","properties":{"reason":{"type":"string","description":"Why the caller is being transferred, in a few words."}},"additionalProperties":false}
        """).RootElement.Clone();

    private static readonly JsonElement NoParameters = JsonDocument.Parse("""{"type":"object","properties":{},"additionalProperties":false}""").RootElement.Clone();

    /// <summary>What the LLM is told it can call, in the order declared.</summary>
    public IReadOnlyList<AITool> Declarations { get; }

    private readonly IReadOnlyList<AgentFunction> _functions;

    private AgentTools(IReadOnlyList<AITool> declarations, IReadOnlyList<AgentFunction> functions) => (Declarations, _functions) = (declarations, functions);

    /// <summary>The agent's custom HTTP function called <paramref name="name"/>, if any.</summary>
    public AgentFunction? Function(string name) => _functions.FirstOrDefault(f => f.Name == name);

    public static AgentTools For(AgentDocument agent)
    {
        var tools = new List<AITool>();
        if (agent.EndCallEnabled)
            tools.Add(AIFunctionFactory.CreateDeclaration(EndCall,
                Describe("End the phone call after saying goodbye.", agent.EndCallInstructions), NoParameters));
        if (agent.TransferEnabled && agent.TransferNumber is not null)
            tools.Add(AIFunctionFactory.CreateDeclaration(TransferCall,
                Describe("Transfer the caller to a human colleague. Call it without saying anything first: the caller is told they are being transferred. " +
                    "If it fails, the result says why and the caller has been told.", agent.TransferInstructions), TransferParameters));
        foreach (var function in agent.Functions)
            tools.Add(AIFunctionFactory.CreateDeclaration(function.Name, function.Description, function.Parameters));
        return new AgentTools(tools, agent.Functions);
    }

    private static string Describe(string what, string? when) =>
        string.IsNullOrWhiteSpace(when) ? what : $"{what} When to use it: {when.Trim()}";
}
