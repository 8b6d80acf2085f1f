using Awaaz.Server.Calls;

namespace Awaaz.Server.Media;

/// <summary>
/// <c>/api/tata/stream/{token}</c>: the Smartflo media WebSocket (partner-api.md §16.4). The one-time token is
/// consumed before the upgrade; unknown, expired or used tokens get 403 and no WebSocket.
/// </summary>
public static class StreamEndpoint
{
    public static void MapMediaStream(this IEndpointRouteBuilder app) =>
        app.Map("/api/tata/stream/{token}", Accept).ExcludeFromDescription();

    private static async Task Accept(HttpContext context, string token, StreamTokens tokens, StreamServices services)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var grant = await tokens.ConsumeAsync(token, context.RequestAborted);
        if (grant is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromSeconds(20),
            DangerousEnableCompression = false,
        });
        var session = new StreamSession(socket, grant, services);
        await session.RunAsync(context.RequestAborted);
    }
}
