using System.Text.Json;

namespace Awaaz.Smartflo.Rest;

/// <summary>One DID from <c>GET /v1/my_number</c> (spec §5.5).</summary>
/// <param name="Id">Provider number id (stringified).</param>
/// <param name="Name">Panel name.</param>
/// <param name="Description">Panel description.</param>
/// <param name="Alias">Panel alias (often the national number).</param>
/// <param name="Did">The <c>did</c> field as sent.</param>
/// <param name="PhoneNumber">E.164 of <c>did</c>, else of <c>alias</c>; null when neither parses.</param>
/// <param name="Destination">Routing as sent, <c>type||id</c> (e.g. <c>ivr||57000</c>); null when unrouted.</param>
/// <param name="DestinationName">Name of the destination.</param>
/// <param name="Raw">The element as received.</param>
public sealed record SmartfloDid(
    string? Id, string? Name, string? Description, string? Alias, string? Did, string? PhoneNumber,
    string? Destination, string? DestinationName, JsonElement Raw)
{
    internal static SmartfloDid From(JsonElement e)
    {
        var did = LooseJson.String(LooseJson.Property(e, "did"));
        var alias = LooseJson.String(LooseJson.Property(e, "alias"));
        return new SmartfloDid(
            LooseJson.String(LooseJson.Property(e, "id")),
            LooseJson.String(LooseJson.Property(e, "name")),
            LooseJson.String(LooseJson.Property(e, "description")),
            alias, did,
            PhoneNumbers.PhoneNumber.Normalize(did) ?? PhoneNumbers.PhoneNumber.Normalize(alias),
            LooseJson.String(LooseJson.Property(e, "destination")),
            LooseJson.String(LooseJson.Property(e, "destination_name")),
            e.Clone());
    }
}

/// <summary>The agent part of a <c>/v1/users</c> entry.</summary>
/// <param name="Id">Agent id, e.g. <c>0502842370097</c>.</param>
/// <param name="Name">Agent name.</param>
/// <param name="Status">0 enabled, 1 blocked, 2 disabled, 3 busy.</param>
/// <param name="FollowMeNumber">Follow-me number as sent.</param>
public sealed record SmartfloAgent(string? Id, string? Name, int? Status, string? FollowMeNumber);

/// <summary>One user from <c>GET /v1/users</c> (spec §5.6).</summary>
public sealed record SmartfloUser(
    string? Id, string? Name, SmartfloAgent? Agent, string? LoginId, string? Extension, string? RoleName, int? UserStatus, JsonElement Raw)
{
    /// <summary>
    /// Spec §5.6 diagnostics: the connection's <c>agent_number</c> equals <c>agent.id</c> or <c>extension</c>, or the
    /// same phone number as <c>agent.follow_me_number</c> (last 10 digits).
    /// </summary>
    public bool HasAgentNumber(string? agentNumber)
    {
        if (string.IsNullOrWhiteSpace(agentNumber)) return false;
        var wanted = agentNumber.Trim();
        return string.Equals(Agent?.Id, wanted, StringComparison.OrdinalIgnoreCase)
               || string.Equals(Extension, wanted, StringComparison.OrdinalIgnoreCase)
               || PhoneNumbers.PhoneNumber.SameNumber(Agent?.FollowMeNumber, wanted);
    }

    internal static SmartfloUser From(JsonElement e)
    {
        var agent = LooseJson.Structured(LooseJson.Property(e, "agent")) is { ValueKind: JsonValueKind.Object } a
            ? new SmartfloAgent(
                LooseJson.String(LooseJson.Property(a, "id")),
                LooseJson.String(LooseJson.Property(a, "name")),
                LooseJson.Int32(LooseJson.Property(a, "status")),
                LooseJson.String(LooseJson.Property(a, "follow_me_number")))
            : null;
        var role = LooseJson.Structured(LooseJson.Property(e, "user_role")) is { ValueKind: JsonValueKind.Object } r
            ? LooseJson.String(LooseJson.Property(r, "name"))
            : null;
        return new SmartfloUser(
            LooseJson.String(LooseJson.Property(e, "id")),
            LooseJson.String(LooseJson.Property(e, "name")),
            agent,
            LooseJson.String(LooseJson.Property(e, "login_id")),
            LooseJson.String(LooseJson.Property(e, "extension")),
            role,
            LooseJson.Int32(LooseJson.Property(e, "user_status")),
            e.Clone());
    }
}

/// <summary>One page of <c>GET /v1/users</c>.</summary>
/// <param name="Users">Users on this page.</param>
/// <param name="HasMore">Whether another page follows.</param>
/// <param name="LastSeenId">Cursor for the next page.</param>
public sealed record SmartfloUsersPage(IReadOnlyList<SmartfloUser> Users, bool HasMore, string? LastSeenId);
