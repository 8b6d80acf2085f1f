using Awaaz.Server.Api;
using Awaaz.Server.Functions;
using Awaaz.Server.Voice;
using Microsoft.OpenApi;

namespace Awaaz.Server.Agents;

/// <summary>Agents and voices (partner-api.md §9).</summary>
public static class AgentEndpoints
{
    private const string Resource = "agent";

    public static void MapAgentEndpoints(this RouteGroupBuilder api)
    {
        var agents = api.MapGroup("/agent").WithTags("Agents");

        agents.MapPost("", Create)
            .WithSummary("Create an agent")
            .WithDescription("Fields in snake_case or camelCase (snake_case wins). `voice_id` is required unless `pipeline.tts.voice` is given; `language` defaults to the voice's language.")
            .WithJsonBody<AgentRequest>()
            .Produces<SuccessEnvelope<AgentView>>(StatusCodes.Status201Created)
            .Produces<ErrorEnvelope>(StatusCodes.Status400BadRequest)
            .Produces<ErrorEnvelope>(StatusCodes.Status403Forbidden)
            .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict);

        agents.MapGet("", List)
            .WithSummary("List agents, newest first")
            .WithDescription("Deleted agents are excluded.")
            .WithListQuery()
            .Produces<SuccessEnvelope<AgentList>>()
            .Produces<ErrorEnvelope>(StatusCodes.Status400BadRequest);

        agents.MapGet("/voices", Voices)
            .WithSummary("Voices of the catalog the partner may use")
            .Produces<SuccessEnvelope<VoiceList>>();

        agents.MapGet("/{id}", Get)
            .WithSummary("Get an agent")
            .Produces<SuccessEnvelope<AgentView>>()
            .Produces<ErrorEnvelope>(StatusCodes.Status404NotFound);

        foreach (var update in new[] { agents.MapPut("/{id}", Update), agents.MapPatch("/{id}", Update) })
            update
                .WithSummary("Update an agent (partial)")
                .WithDescription("Only supplied fields change; `null` clears nullable fields; `variables`, `extraction_config` and `functions` are replaced whole (a `functions` header value sent back as its mask keeps the stored value); `pipeline` merges deeply and a key set to `null` returns to its default.")
                .WithJsonBody<AgentRequest>()
                .Produces<SuccessEnvelope<AgentView>>()
                .Produces<ErrorEnvelope>(StatusCodes.Status400BadRequest)
                .Produces<ErrorEnvelope>(StatusCodes.Status404NotFound)
                .Produces<ErrorEnvelope>(StatusCodes.Status409Conflict);

        agents.MapDelete("/{id}", Delete)
            .WithSummary("Delete an agent (soft delete)")
            .Produces<SuccessEnvelope<MessageData>>()
            .Produces<ErrorEnvelope>(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Create(HttpRequest request, Caller caller, AgentStore store, AgentRules rules,
        PipelineResolver pipelines, PipelineProviders providers, FunctionInput functionInput, IConfiguration configuration, CancellationToken ct)
    {
        var fields = await RequestFields.ReadAsync(request, ct);
        var changes = AgentChanges.Read(fields, creating: true, providers, AllowCustomLlmBaseUrl(configuration), functionInput);
        fields.ThrowIfInvalid();

        var blank = new AgentDocument { AgentName = "", Prompt = "", Language = "" };
        var document = rules.Check(caller.Partner, before: null, changes.ApplyTo(blank), changes);
        var agent = await store.CreateAsync(caller.Partner.Id, document, ct);
        return Envelope.Created(AgentView.From(agent, pipelines.Resolve(agent.Document)));
    }

    private static async Task<IResult> List(HttpRequest request, Caller caller, AgentStore store, PipelineResolver pipelines, CancellationToken ct)
    {
        var (limit, offset) = RouteValues.Page(request);
        var agentType = request.Query["agent_type"].FirstOrDefault() ?? request.Query["agentType"].FirstOrDefault();
        if (agentType == "") agentType = null;
        if (agentType is not null && !AgentTypes.All.Contains(agentType))
            throw ApiException.Validation("agent_type", "must be inbound or outbound");

        var (agents, total) = await store.ListAsync(caller.Partner.Id, agentType, limit, offset, ct);
        return Envelope.Ok(new AgentList(agents.Select(a => AgentView.From(a, pipelines.Resolve(a.Document))).ToList(), total, limit, offset));
    }

    private static IResult Voices(Caller caller, VoiceCatalog catalog) =>
        Envelope.Ok(new VoiceList(catalog.VisibleTo(caller.Partner).Select(VoiceView.From).ToList(), catalog.Hint));

    private static async Task<IResult> Get(string id, Caller caller, AgentStore store, PipelineResolver pipelines, CancellationToken ct)
    {
        var agentId = RouteValues.Id(id, Resource);
        var agent = await store.GetAsync(caller.Partner.Id, agentId, ct) ?? throw ApiException.NotFound(Resource, agentId);
        return Envelope.Ok(AgentView.From(agent, pipelines.Resolve(agent.Document)));
    }

    private static async Task<IResult> Update(string id, HttpRequest request, Caller caller, AgentStore store, AgentRules rules,
        PipelineResolver pipelines, PipelineProviders providers, FunctionInput functionInput, IConfiguration configuration, CancellationToken ct)
    {
        var agentId = RouteValues.Id(id, Resource);
        var fields = await RequestFields.ReadAsync(request, ct);
        var changes = AgentChanges.Read(fields, creating: false, providers, AllowCustomLlmBaseUrl(configuration), functionInput);
        fields.ThrowIfInvalid();

        var current = await store.GetAsync(caller.Partner.Id, agentId, ct) ?? throw ApiException.NotFound(Resource, agentId);
        var document = rules.Check(caller.Partner, current.Document, changes.ApplyTo(current.Document), changes);
        var updated = await store.UpdateAsync(current, document, ct) ?? throw ApiException.NotFound(Resource, agentId);
        return Envelope.Ok(AgentView.From(updated, pipelines.Resolve(updated.Document)));
    }

    private static async Task<IResult> Delete(string id, Caller caller, AgentStore store, CancellationToken ct)
    {
        var agentId = RouteValues.Id(id, Resource);
        if (!await store.DeleteAsync(caller.Partner.Id, agentId, ct)) throw ApiException.NotFound(Resource, agentId);
        return Envelope.Message("Agent deleted successfully");
    }

    /// <summary>
    /// Documents the JSON request body without <c>Accepts</c> metadata, which would also make routing
    /// reject bodies sent without <c>Content-Type: application/json</c> (accepted per partner-api.md §1).
    /// </summary>
    private static RouteHandlerBuilder WithJsonBody<TBody>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(TBody), null, ct);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    /// <summary>Documents the query of <c>GET /agent</c>, which the handler reads itself to answer 400 with the parameter's name.</summary>
    private static RouteHandlerBuilder WithListQuery(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(QueryParameter("limit", JsonSchemaType.Integer, "Page size, 1–100 (default 10)."));
            operation.Parameters.Add(QueryParameter("offset", JsonSchemaType.Integer, "Agents to skip, ≥ 0 (default 0)."));
            operation.Parameters.Add(QueryParameter("agent_type", JsonSchemaType.String, "Only `inbound` or only `outbound` agents."));
            return Task.CompletedTask;
        });

    private static OpenApiParameter QueryParameter(string name, JsonSchemaType type, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = type },
    };

    /// <summary>Server setting <c>AWAAZ_ALLOW_CUSTOM_LLM_BASE_URL=true</c> lets agents set <c>pipeline.llm.base_url</c>.</summary>
    private static bool AllowCustomLlmBaseUrl(IConfiguration configuration) =>
        configuration["AWAAZ_ALLOW_CUSTOM_LLM_BASE_URL"]?.Trim().ToLowerInvariant() is "true" or "1";
}
