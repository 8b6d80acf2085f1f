using Awaaz.Server.Api;
using Awaaz.Server.Partners;

namespace Awaaz.Server.Telephony;

/// <summary>Tata Smartflo connections (partner-api.md §11) and phone numbers (§12).</summary>
public static class TelephonyEndpoints
{
    public static void MapTelephonyEndpoints(this RouteGroupBuilder api)
    {
        var connections = api.MapGroup("/telephony/connections").WithTags("Telephony");
        connections.MapPost("", Create).WithSummary("Create a Tata Smartflo connection (credentials verified before saving)");
        connections.MapGet("", List).WithSummary("List connections");
        connections.MapGet("/{id}", Get).WithSummary("Get a connection");
        connections.MapMethods("/{id}", ["PATCH", "PUT"], Update).WithSummary("Update, activate/deactivate, make default, or rotate the Smartflo secret");
        connections.MapDelete("/{id}", Delete).WithSummary("Delete a connection (soft)");

        api.MapPut("/config/telephony/tata-smartflo", PutDefault).WithTags("Telephony").WithSummary("Create or update the default Tata Smartflo connection");

        var numbers = api.MapGroup("/phone-numbers").WithTags("Phone numbers");
        numbers.MapGet("", ListNumbers).WithSummary("List phone numbers (DIDs)");
        numbers.MapMethods("/{id}", ["PUT", "PATCH"], UpdateNumber).WithSummary("Assign an agent, set friendly_name or status");
        numbers.MapPost("/sync", SyncNumbers).WithSummary("Import the DIDs of a connection from Smartflo (idempotent, never deletes)");
    }

    private static async Task<IResult> Create(Caller caller, HttpRequest request, ConnectionService service, SmartfloGateway gateway, CancellationToken ct)
    {
        var body = await RequestFields.ReadAsync(request, ct);
        var provider = body.String("provider", required: true);
        if (provider is { IsSet: true, Value: { } p } && p != TelephonyProviders.TataSmartflo)
            body.Fail("provider", $"{p} is not supported by this server");
        var input = ConnectionInput.Read(body, legacyNames: false, gateway.AllowInsecureUrls, requireName: true);
        var connection = await service.CreateAsync(caller.Partner, input.Name.Value?.Trim() ?? "", input, body, TelephonyConnection.ManagedByApi, ct);
        return Envelope.Created(new { connection = await service.RenderAsync(connection, request, ct) });
    }

    private static async Task<IResult> List(Caller caller, HttpRequest request, ConnectionStore store, ConnectionService service, string? provider, string? status, CancellationToken ct)
    {
        if (provider is not null && provider != TelephonyProviders.TataSmartflo)
            throw ApiException.Validation("provider", $"{provider} is not supported by this server");
        if (status is not null && status != ConnectionStatus.Active && status != ConnectionStatus.Inactive)
            throw ApiException.Validation("status", "must be ACTIVE or INACTIVE");
        var list = await store.ListAsync(caller.Partner.Id, provider, status, ct);
        var rendered = new List<object>();
        foreach (var c in list) rendered.Add(await service.RenderAsync(c, request, ct));
        return Envelope.Ok(new { connections = rendered });
    }

    private static async Task<IResult> Get(string id, Caller caller, HttpRequest request, ConnectionStore store, ConnectionService service, CancellationToken ct) =>
        Envelope.Ok(new { connection = await service.RenderAsync(await Require(store, caller, id, ct), request, ct) });

    private static async Task<IResult> Update(string id, Caller caller, HttpRequest request, ConnectionStore store, ConnectionService service, SmartfloGateway gateway, CancellationToken ct)
    {
        var connection = await Require(store, caller, id, ct);
        var body = await RequestFields.ReadAsync(request, ct);
        if (body.Has("provider")) body.Fail("provider", "cannot be changed");
        var input = ConnectionInput.Read(body, legacyNames: false, gateway.AllowInsecureUrls);
        var status = body.String("status", nullable: false);
        if (status is { IsSet: true, Value: { } s } && s != ConnectionStatus.Active && s != ConnectionStatus.Inactive)
            body.Fail("status", "must be ACTIVE or INACTIVE");
        var makeDefault = body.Bool("is_default", "isDefault");
        if (makeDefault is { IsSet: true, Value: false }) body.Fail("is_default", "only true is accepted (make another connection default instead)");
        var rotate = body.Bool("rotate_smartflo_secret").Or(false);
        var updated = await service.UpdateAsync(caller.Partner, connection, input, body, status, makeDefault.Or(false), rotate, ct);
        return Envelope.Ok(new { connection = await service.RenderAsync(updated, request, ct) });
    }

    private static async Task<IResult> Delete(string id, Caller caller, ConnectionStore store, CancellationToken ct)
    {
        var connection = await Require(store, caller, id, ct);
        if (connection.ManagedBy == TelephonyConnection.ManagedByEnv)
            throw ApiException.Conflict("managed_by_env", "Connection is managed by environment variables");
        await store.DeleteAsync(connection, ct);
        return Envelope.Message("Connection deleted successfully");
    }

    private static async Task<IResult> PutDefault(Caller caller, HttpRequest request, ConnectionStore store, ConnectionService service, SmartfloGateway gateway, CancellationToken ct)
    {
        var body = await RequestFields.ReadAsync(request, ct);
        var input = ConnectionInput.Read(body, legacyNames: true, gateway.AllowInsecureUrls);
        var existing = (await store.ListAsync(caller.Partner.Id, TelephonyProviders.TataSmartflo, ct: ct)).FirstOrDefault(c => c.IsDefault);
        var connection = existing is null
            ? await service.CreateAsync(caller.Partner, await FreeDefaultNameAsync(store, caller.Partner.Id, ct), input, body, TelephonyConnection.ManagedByApi, ct)
            : await service.UpdateAsync(caller.Partner, existing, input, body, Supplied<string?>.Absent, false, false, ct);
        return Envelope.Ok(new
        {
            connection_id = connection.Id,
            email = connection.TataEmail,
            from_number = connection.FromNumber,
            base_url = connection.BaseUrl,
            agent_number = connection.AgentNumber,
            message = "Tata Smartflo credentials updated successfully.",
        });
    }

    private static async Task<string> FreeDefaultNameAsync(ConnectionStore store, string partnerId, CancellationToken ct)
    {
        var names = (await store.ListAsync(partnerId, ct: ct)).Select(c => c.Name.ToLowerInvariant()).ToHashSet();
        var name = "Tata Smartflo";
        for (var i = 2; names.Contains(name.ToLowerInvariant()); i++) name = $"Tata Smartflo {i}";
        return name;
    }

    private static async Task<IResult> ListNumbers(Caller caller, HttpRequest request, PhoneNumberStore numbers, CancellationToken ct)
    {
        var (limit, offset) = RouteValues.Page(request);
        var q = request.Query;
        if (q["provider"].ToString() is { Length: > 0 } provider && provider != TelephonyProviders.TataSmartflo && provider != TelephonyProviders.TataSmartfloKey)
            throw ApiException.Validation("provider", $"{provider} is not supported by this server");
        var status = q["status"].ToString() is { Length: > 0 } s ? s : null;
        if (status is not null && status != ConnectionStatus.Active && status != ConnectionStatus.Inactive)
            throw ApiException.Validation("status", "must be ACTIVE or INACTIVE");
        string? Uuid(string name) => q[name].ToString() is { Length: > 0 } v
            ? (Guid.TryParse(v, out var g) ? g.ToString("D") : throw ApiException.Validation(name, "must be a UUID"))
            : null;
        var (items, total) = await numbers.ListAsync(caller.Partner.Id, new PhoneNumberFilter(Uuid("connection_id"), Uuid("agent_id"), status, limit, offset), ct);
        return Envelope.Ok(new { phone_numbers = items.Select(ConnectionJson.Number), total, limit, offset });
    }

    private static async Task<IResult> UpdateNumber(string id, Caller caller, HttpRequest request, PhoneNumberStore numbers, Agents.AgentStore agents, CancellationToken ct)
    {
        var numberId = RouteValues.Id(id, "phone_number");
        var body = await RequestFields.ReadAsync(request, ct);
        var agentId = body.String("agent_id", "agentId");
        var friendlyName = body.String("friendly_name", "friendlyName", max: 200);
        var status = body.String("status", nullable: false);
        if (status is { IsSet: true, Value: { } s } && s != ConnectionStatus.Active && s != ConnectionStatus.Inactive)
            body.Fail("status", "must be ACTIVE or INACTIVE");
        if (agentId is { IsSet: true, Value: { Length: > 0 } a } && !Guid.TryParse(a, out _)) body.Fail("agent_id", "must be a UUID, null or \"\"");
        body.ThrowIfInvalid();

        var number = await numbers.GetAsync(caller.Partner.Id, numberId, ct) ?? throw ApiException.NotFound("phone_number", numberId);
        var agent = agentId.IsSet ? (string.IsNullOrEmpty(agentId.Value) ? null : Guid.Parse(agentId.Value).ToString("D")) : null;
        if (agent is not null && !await agents.ExistsAsync(caller.Partner.Id, agent, ct)) throw ApiException.NotFound("agent", agent);
        var updated = await numbers.UpdateAsync(number, agentId.IsSet ? new Supplied<string?>(true, agent) : Supplied<string?>.Absent, friendlyName, status, ct);
        return Envelope.Ok(ConnectionJson.Number(updated));
    }

    private static async Task<IResult> SyncNumbers(Caller caller, HttpRequest request, ConnectionStore store, PhoneNumberSync sync, PhoneNumberStore numbers, CancellationToken ct)
    {
        string? connectionId = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var body = await RequestFields.ReadAsync(request, ct);
            var provider = body.String("provider");
            if (provider is { IsSet: true, Value: { } p } && p != TelephonyProviders.TataSmartflo)
                body.Fail("provider", $"{p} is not supported by this server");
            var id = body.String("connection_id", "connectionId");
            if (id is { IsSet: true, Value: { } v })
            {
                if (Guid.TryParse(v, out var g)) connectionId = g.ToString("D");
                else body.Fail("connection_id", "must be a UUID");
            }
            body.ThrowIfInvalid();
        }
        ConnectionService.EnsureProviderAllowed(caller.Partner);
        var connection = await store.ResolveAsync(caller.Partner.Id, connectionId, ct);
        var (result, skipped) = await sync.RunAsync(connection, ct);
        var list = await numbers.ListForConnectionAsync(connection.Id, ct);
        return Envelope.Ok(new
        {
            provider = TelephonyProviders.TataSmartflo,
            connection_id = connection.Id,
            fetched = result.Fetched,
            imported = result.Imported,
            updated = result.Updated,
            unchanged = result.Unchanged,
            missing = result.Missing,
            skipped = skipped.Select(s => new { raw = s.Raw, reason = s.Reason }),
            phone_numbers = list.Select(ConnectionJson.Number),
        });
    }

    private static async Task<TelephonyConnection> Require(ConnectionStore store, Caller caller, string id, CancellationToken ct)
    {
        var connectionId = RouteValues.Id(id, "connection");
        return await store.GetAsync(caller.Partner.Id, connectionId, ct) ?? throw ApiException.NotFound("connection", connectionId);
    }
}
