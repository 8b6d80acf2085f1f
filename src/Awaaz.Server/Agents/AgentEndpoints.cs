namespace Awaaz.Server.Agents;

public static class AgentEndpoints
{
    public static void MapAgentEndpoints(this RouteGroupBuilder api)
    {
    }
}
