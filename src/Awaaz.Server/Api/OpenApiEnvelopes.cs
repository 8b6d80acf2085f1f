namespace Awaaz.Server.Api;

/// <summary>OpenAPI shape of the success envelope (partner-api.md §3); responses are written by <see cref="Envelope"/>.</summary>
public sealed record SuccessEnvelope<T>(bool Success, T Data);

/// <summary>OpenAPI shape of the error envelope (partner-api.md §3); responses are written by <see cref="ErrorEnvelopeMiddleware"/>.</summary>
public sealed record ErrorEnvelope(bool Success, ErrorBody Error);

/// <summary><c>details</c> depends on <c>code</c> (partner-api.md §4) and is omitted when empty.</summary>
public sealed record ErrorBody(string Code, string Message, object? Details);

/// <summary><c>data</c> of deletions: <c>{ "message": "… deleted successfully" }</c>.</summary>
public sealed record MessageData(string Message);
