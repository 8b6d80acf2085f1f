using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Awaaz.Server.Api;
using Awaaz.Server.Storage;
using Awaaz.Smartflo;
using Dapper;

namespace Awaaz.Server.Calls;

public sealed record CallFilter(IReadOnlyList<string>? Statuses, string? AgentId, string? Direction, DateTimeOffset? CreatedAfter, DateTimeOffset? CreatedBefore, int Limit, int Offset);

/// <summary>
/// Calls in the database. Writes go through <see cref="UpdateAsync"/> (optimistic concurrency on a version
/// column, retried), so concurrent evidence from several nodes never overwrites each other.
/// </summary>
public sealed class CallStore(Database database, TimeProvider clock, CallEvents events)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Columns = "id, session_id, partner_id, agent_id, agent_name, agent_snapshot, connection_id, direction, dial_mode, from_number, to_number, variables, status, disposition, answered_by, end_reason, error_message, dial_state, dial_claimed_at, provider_call_id, provider_uuid, ref_id, stream_sid, stream_call_sid, billsec, hangup_cause, hangup_cause_code, provider_stop_reason, provider_recording_url, provider_answered_at, hangup_requested_at, hangup_reason, cancel_requested, max_duration_secs, ring_timeout_secs, owner_node, owner_heartbeat_at, transcript, recording_path, created_at, ringing_at, started_at, ended_at, stream_ended_at, stream_end, evidence, updated_at, version";

    /// <summary>
    /// Admits and inserts a new call atomically: partner concurrency (429) and one active call per customer
    /// number and connection (409) are checked in the same write transaction as the insert.
    /// </summary>
    public async Task<Call> CreateAsync(Call call, int concurrencyLimit, bool checkSameNumber, CancellationToken ct = default)
    {
        var (db, tx) = await database.BeginWriteAsync(ct);
        await using var _ = db;
        await using var __ = tx;
        // NO KEY UPDATE serialises admissions of one partner without blocking foreign-key checks of other writers
        // (FOR UPDATE deadlocked with a concurrent number sync inserting rows that reference the partner).
        if (database.Dialect == SqlDialect.Postgres)
            await db.ExecuteAsync(new CommandDefinition("SELECT id FROM partners WHERE id = @PartnerId FOR NO KEY UPDATE", new { call.PartnerId }, tx, cancellationToken: ct));

        var active = await db.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM calls WHERE partner_id = @PartnerId AND status IN ('pending', 'ringing', 'in_progress')", new { call.PartnerId }, tx, cancellationToken: ct));
        if (checkSameNumber)
        {
            var sameNumber = await db.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COUNT(*) FROM calls WHERE connection_id = @ConnectionId AND customer_key = @key AND status IN ('pending', 'ringing', 'in_progress')",
                new { call.ConnectionId, key = CustomerKey(call.CustomerNumber) }, tx, cancellationToken: ct));
            if (sameNumber > 0) throw ApiException.Conflict("active_call_to_number", $"An active call to {call.CustomerNumber} already exists on this connection");
        }
        if (active >= concurrencyLimit)
            throw new ApiException(429, ErrorCodes.ConcurrencyLimitReached, "Concurrent call limit reached",
                new { limit = concurrencyLimit, active, retry_after_seconds = 10 }, 10);

        await db.ExecuteAsync(new CommandDefinition($"INSERT INTO calls ({Columns}, customer_key) VALUES ({ParameterList}, @CustomerKey)", Parameters(call), tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return call;
    }

    public async Task<Call?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition($"SELECT {Columns} FROM calls WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToCall();
    }

    /// <summary>A partner's call by call id or session id; null for another partner's.</summary>
    public async Task<Call?> GetForPartnerAsync(string partnerId, string id, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(
            $"SELECT {Columns} FROM calls WHERE partner_id = @partnerId AND (id = @id OR session_id = @id)", new { partnerId, id }, cancellationToken: ct));
        return row?.ToCall();
    }

    public async Task<(IReadOnlyList<Call> Calls, int Total)> ListAsync(string partnerId, CallFilter f, CancellationToken ct = default)
    {
        var args = new DynamicParameters(new { partnerId, f.AgentId, f.Direction, f.Limit, f.Offset,
            after = f.CreatedAfter is { } a ? DbTime.ToDb(a) : 0, before = f.CreatedBefore is { } b ? DbTime.ToDb(b) : 0 });
        var where = "WHERE partner_id = @partnerId"
            + (f.Statuses is { Count: > 0 } ? " AND status IN " + SqlList.In(args, "status", f.Statuses) : "")
            + (f.AgentId is not null ? " AND agent_id = @AgentId" : "")
            + (f.Direction is not null ? " AND direction = @Direction" : "")
            + (f.CreatedAfter is not null ? " AND created_at >= @after" : "")
            + (f.CreatedBefore is not null ? " AND created_at < @before" : "");
        await using var db = await database.OpenAsync(ct);
        var total = await db.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT COUNT(*) FROM calls {where}", args, cancellationToken: ct));
        var rows = await db.QueryAsync<CallRow>(new CommandDefinition(
            $"SELECT {Columns} FROM calls {where} ORDER BY created_at DESC, id DESC LIMIT @Limit OFFSET @Offset", args, cancellationToken: ct));
        return (rows.Select(r => r.ToCall()).ToList(), total);
    }

    public async Task<int> CountActiveAsync(string partnerId, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        return await db.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM calls WHERE partner_id = @partnerId AND status IN ('pending', 'ringing', 'in_progress')", new { partnerId }, cancellationToken: ct));
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current row and saves it if nobody else changed it meanwhile
    /// (version check); otherwise re-reads and re-applies. Returns null when the call does not exist.
    /// </summary>
    public async Task<Call?> UpdateAsync(string id, Func<Call, Call> change, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var current = await GetAsync(id, ct);
            if (current is null) return null;
            var updated = change(current with { UpdatedAt = clock.GetUtcNow() }) with { Version = current.Version + 1 };
            if (updated == current with { UpdatedAt = updated.UpdatedAt, Version = updated.Version }) return current;
            await using var db = await database.OpenAsync(ct);
            var saved = await db.ExecuteAsync(new CommandDefinition($"""
                UPDATE calls SET status = @Status, disposition = @Disposition, answered_by = @AnsweredBy, end_reason = @EndReason, error_message = @ErrorMessage,
                  dial_state = @DialState, dial_claimed_at = @DialClaimedAt, provider_call_id = @ProviderCallId, provider_uuid = @ProviderUuid, ref_id = @RefId,
                  stream_sid = @StreamSid, stream_call_sid = @StreamCallSid, billsec = @Billsec, hangup_cause = @HangupCause, hangup_cause_code = @HangupCauseCode,
                  provider_stop_reason = @ProviderStopReason, provider_recording_url = @ProviderRecordingUrl, provider_answered_at = @ProviderAnsweredAt,
                  hangup_requested_at = @HangupRequestedAt, hangup_reason = @HangupReason, cancel_requested = @CancelRequested, owner_node = @OwnerNode,
                  owner_heartbeat_at = @OwnerHeartbeatAt, transcript = @Transcript, recording_path = @RecordingPath, ringing_at = @RingingAt, started_at = @StartedAt,
                  ended_at = @EndedAt, stream_ended_at = @StreamEndedAt, stream_end = @StreamEnd, evidence = @Evidence, updated_at = @UpdatedAt, version = @Version
                WHERE id = @Id AND version = @PreviousVersion
                """, Parameters(updated, current.Version), cancellationToken: ct));
            if (saved == 1)
            {
                events.Changed(current, updated);
                return updated;
            }
        }
        throw new InvalidOperationException($"Call {id} kept changing; update abandoned after 20 attempts");
    }

    /// <summary>Binds Smartflo ids (full form and numeric core) to a call, scoped to its connection. First binding wins.</summary>
    public async Task BindProviderIdsAsync(string connectionId, string callId, IEnumerable<string?> ids, CancellationToken ct = default)
    {
        var values = ids.Where(v => !string.IsNullOrWhiteSpace(v)).SelectMany(v => new[] { v!.Trim(), SmartfloCallId.NumericCore(v) }).Where(v => v is not null).Distinct().ToList();
        if (values.Count == 0) return;
        await using var db = await database.OpenAsync(ct);
        foreach (var value in values)
            await db.ExecuteAsync(new CommandDefinition(
                "INSERT INTO call_provider_ids (connection_id, value, call_id) VALUES (@connectionId, @value, @callId) ON CONFLICT (connection_id, value) DO NOTHING",
                new { connectionId, value, callId }, cancellationToken: ct));
    }

    /// <summary>Correlation rule 1: a call that already has one of these Smartflo ids bound (connection-scoped, or any connection when null).</summary>
    public async Task<string?> FindByProviderIdAsync(string? connectionId, IEnumerable<string?> ids, CancellationToken ct = default)
    {
        var values = ids.Where(v => !string.IsNullOrWhiteSpace(v)).SelectMany(v => new[] { v!.Trim(), SmartfloCallId.NumericCore(v) }).Where(v => v is not null).Distinct().ToList();
        if (values.Count == 0) return null;
        // Two statement shapes rather than "(@connectionId IS NULL OR connection_id = @connectionId)": with that OR neither
        // SQLite nor PostgreSQL can use the (connection_id, value) key, and every lookup scanned the whole table.
        var args = new DynamicParameters(new { connectionId });
        var list = SqlList.In(args, "v", values!);
        var where = connectionId is null ? $"value IN {list}" : $"connection_id = @connectionId AND value IN {list}";
        await using var db = await database.OpenAsync(ct);
        return await db.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            $"SELECT call_id FROM call_provider_ids WHERE {where}", args, cancellationToken: ct));
    }

    /// <summary>Correlation rule 2: <c>custom_identifier</c> = Awaaz call id, or a stored <c>ref_id</c>.</summary>
    public async Task<Call?> FindByIdentifiersAsync(string? connectionId, string? customIdentifier, string? refId, CancellationToken ct = default)
    {
        var customId = Guid.TryParse(customIdentifier, out var g) ? g.ToString("D") : null;
        var refIdValue = string.IsNullOrWhiteSpace(refId) ? null : refId.Trim();
        if (customId is null && refIdValue is null) return null;
        await using var db = await database.OpenAsync(ct);
        var row = await db.QueryFirstOrDefaultAsync<CallRow>(new CommandDefinition($"""
            SELECT {Columns} FROM calls
            WHERE (@connectionId IS NULL OR connection_id = @connectionId) AND ((@customId IS NOT NULL AND id = @customId) OR (@refIdValue IS NOT NULL AND ref_id = @refIdValue))
            """, new { connectionId, customId, refIdValue }, cancellationToken: ct));
        return row?.ToCall();
    }

    /// <summary>Correlation rule 3 candidates: this connection's outbound calls in the given statuses created since <paramref name="since"/>, newest first.</summary>
    public async Task<IReadOnlyList<Call>> RecentOutboundAsync(string connectionId, string customerKey, IReadOnlyList<string> statuses, DateTimeOffset since, CancellationToken ct = default)
    {
        var args = new DynamicParameters(new { connectionId, customerKey, since = DbTime.ToDb(since) });
        var list = SqlList.In(args, "s", statuses);
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<CallRow>(new CommandDefinition($"""
            SELECT {Columns} FROM calls
            WHERE connection_id = @connectionId AND direction = 'outbound' AND status IN {list} AND created_at >= @since AND (@customerKey = '' OR customer_key = @customerKey)
            ORDER BY created_at DESC, id DESC LIMIT 20
            """, args, cancellationToken: ct));
        return rows.Select(r => r.ToCall()).ToList();
    }

    /// <summary>Claims up to <paramref name="max"/> queued dial jobs for this node (each claimed by exactly one node).</summary>
    public async Task<IReadOnlyList<Call>> ClaimDialJobsAsync(int max, CancellationToken ct = default)
    {
        var now = DbTime.ToDb(clock.GetUtcNow());
        await using var db = await database.OpenAsync(ct);
        var ids = (await db.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM calls WHERE dial_state = 'queued' ORDER BY created_at LIMIT @max", new { max }, cancellationToken: ct))).ToList();
        var claimed = new List<Call>();
        foreach (var id in ids)
        {
            var won = await db.ExecuteAsync(new CommandDefinition(
                "UPDATE calls SET dial_state = 'dialing', dial_claimed_at = @now, version = version + 1, updated_at = @now WHERE id = @id AND dial_state = 'queued'",
                new { id, now }, cancellationToken: ct));
            if (won == 1 && await GetAsync(id, ct) is { } call) claimed.Add(call);
        }
        return claimed;
    }

    /// <summary>Non-terminal calls, for the watchdog (bounded batch, oldest first).</summary>
    public async Task<IReadOnlyList<Call>> ActiveCallsAsync(int max, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<CallRow>(new CommandDefinition(
            $"SELECT {Columns} FROM calls WHERE status IN ('pending', 'ringing', 'in_progress') ORDER BY created_at LIMIT @max", new { max }, cancellationToken: ct));
        return rows.Select(r => r.ToCall()).ToList();
    }

    public async Task HeartbeatAsync(IReadOnlyCollection<string> callIds, string node, CancellationToken ct = default)
    {
        if (callIds.Count == 0) return;
        var args = new DynamicParameters(new { node, now = DbTime.ToDb(clock.GetUtcNow()) });
        var list = SqlList.In(args, "c", callIds);
        await using var db = await database.OpenAsync(ct);
        await db.ExecuteAsync(new CommandDefinition($"UPDATE calls SET owner_node = @node, owner_heartbeat_at = @now WHERE id IN {list}", args, cancellationToken: ct));
    }

    public static string CustomerKey(string number) => Smartflo.PhoneNumbers.PhoneNumber.MatchKey(number) ?? number;

    private const string ParameterList = "@Id, @SessionId, @PartnerId, @AgentId, @AgentName, @AgentSnapshot, @ConnectionId, @Direction, @DialMode, @FromNumber, @ToNumber, @Variables, @Status, @Disposition, @AnsweredBy, @EndReason, @ErrorMessage, @DialState, @DialClaimedAt, @ProviderCallId, @ProviderUuid, @RefId, @StreamSid, @StreamCallSid, @Billsec, @HangupCause, @HangupCauseCode, @ProviderStopReason, @ProviderRecordingUrl, @ProviderAnsweredAt, @HangupRequestedAt, @HangupReason, @CancelRequested, @MaxDurationSecs, @RingTimeoutSecs, @OwnerNode, @OwnerHeartbeatAt, @Transcript, @RecordingPath, @CreatedAt, @RingingAt, @StartedAt, @EndedAt, @StreamEndedAt, @StreamEnd, @Evidence, @UpdatedAt, @Version";

    private sealed record Evidence(DateTimeOffset? StreamStartedAt, HangupEvidence? Hangup, bool Rejected, string? TimeoutStatus, DateTimeOffset? EndedAtCandidate, CallTransfer? Transfer = null);

    private static object Parameters(Call c, int previousVersion = -1) => new
    {
        c.Id, c.SessionId, c.PartnerId, c.AgentId, c.AgentName, c.AgentSnapshot, c.ConnectionId, c.Direction, c.DialMode, c.FromNumber, c.ToNumber,
        Variables = c.Variables.ToJsonString(), c.Status, c.Disposition, c.AnsweredBy, c.EndReason, c.ErrorMessage, c.DialState,
        DialClaimedAt = Ms(c.DialClaimedAt), c.ProviderCallId, c.ProviderUuid, c.RefId, c.StreamSid, c.StreamCallSid, c.Billsec, c.HangupCause, c.HangupCauseCode,
        c.ProviderStopReason, c.ProviderRecordingUrl, ProviderAnsweredAt = Ms(c.ProviderAnsweredAt), HangupRequestedAt = Ms(c.HangupRequestedAt), c.HangupReason,
        c.CancelRequested, c.MaxDurationSecs, c.RingTimeoutSecs, c.OwnerNode, OwnerHeartbeatAt = Ms(c.OwnerHeartbeatAt),
        Transcript = JsonSerializer.Serialize(c.Transcript, Json), c.RecordingPath, CreatedAt = DbTime.ToDb(c.CreatedAt), RingingAt = Ms(c.RingingAt),
        StartedAt = Ms(c.StartedAt), EndedAt = Ms(c.EndedAt), StreamEndedAt = Ms(c.StreamEndedAt), c.StreamEnd,
        Evidence = JsonSerializer.Serialize(new Evidence(c.StreamStartedAt, c.Hangup, c.Rejected, c.TimeoutStatus, c.EndedAtCandidate, c.Transfer), Json),
        UpdatedAt = DbTime.ToDb(c.UpdatedAt), c.Version, PreviousVersion = previousVersion, CustomerKey = CustomerKey(c.CustomerNumber),
    };

    private static long? Ms(DateTimeOffset? t) => t is { } v ? DbTime.ToDb(v) : null;

    private sealed class CallRow
    {
        public string id { get; set; } = ""; public string session_id { get; set; } = ""; public string partner_id { get; set; } = "";
        public string agent_id { get; set; } = ""; public string agent_name { get; set; } = ""; public string agent_snapshot { get; set; } = "{}";
        public string connection_id { get; set; } = ""; public string direction { get; set; } = ""; public string? dial_mode { get; set; }
        public string from_number { get; set; } = ""; public string to_number { get; set; } = ""; public string variables { get; set; } = "{}";
        public string status { get; set; } = ""; public string? disposition { get; set; } public string? answered_by { get; set; }
        public string? end_reason { get; set; } public string? error_message { get; set; } public string dial_state { get; set; } = "";
        public long? dial_claimed_at { get; set; } public string? provider_call_id { get; set; } public string? provider_uuid { get; set; }
        public string? ref_id { get; set; } public string? stream_sid { get; set; } public string? stream_call_sid { get; set; }
        public long? billsec { get; set; } public string? hangup_cause { get; set; } public long? hangup_cause_code { get; set; }
        public string? provider_stop_reason { get; set; } public string? provider_recording_url { get; set; } public long? provider_answered_at { get; set; }
        public long? hangup_requested_at { get; set; } public string? hangup_reason { get; set; } public bool cancel_requested { get; set; }
        public long max_duration_secs { get; set; } public long ring_timeout_secs { get; set; } public string? owner_node { get; set; }
        public long? owner_heartbeat_at { get; set; } public string transcript { get; set; } = "[]"; public string? recording_path { get; set; }
        public long created_at { get; set; } public long? ringing_at { get; set; } public long? started_at { get; set; } public long? ended_at { get; set; }
        public long? stream_ended_at { get; set; } public string? stream_end { get; set; } public string evidence { get; set; } = "{}";
        public long updated_at { get; set; } public long version { get; set; }

        public Call ToCall()
        {
            var e = JsonSerializer.Deserialize<Evidence>(evidence, Json)!;
            return new Call
            {
                Id = id, SessionId = session_id, PartnerId = partner_id, AgentId = agent_id, AgentName = agent_name, AgentSnapshot = agent_snapshot,
                ConnectionId = connection_id, Direction = direction, DialMode = dial_mode, FromNumber = from_number, ToNumber = to_number,
                Variables = JsonNode.Parse(variables) as JsonObject ?? [], Status = status, Disposition = disposition, AnsweredBy = answered_by,
                EndReason = end_reason, ErrorMessage = error_message, DialState = dial_state, DialClaimedAt = DbTime.FromDb(dial_claimed_at),
                ProviderCallId = provider_call_id, ProviderUuid = provider_uuid, RefId = ref_id, StreamSid = stream_sid, StreamCallSid = stream_call_sid,
                Billsec = (int?)billsec, HangupCause = hangup_cause, HangupCauseCode = (int?)hangup_cause_code, ProviderStopReason = provider_stop_reason,
                ProviderRecordingUrl = provider_recording_url, ProviderAnsweredAt = DbTime.FromDb(provider_answered_at),
                HangupRequestedAt = DbTime.FromDb(hangup_requested_at), HangupReason = hangup_reason, CancelRequested = cancel_requested,
                MaxDurationSecs = (int)max_duration_secs, RingTimeoutSecs = (int)ring_timeout_secs, OwnerNode = owner_node,
                OwnerHeartbeatAt = DbTime.FromDb(owner_heartbeat_at), Transcript = JsonSerializer.Deserialize<List<TranscriptTurn>>(transcript, Json)!,
                RecordingPath = recording_path, CreatedAt = DbTime.FromDb(created_at), RingingAt = DbTime.FromDb(ringing_at), StartedAt = DbTime.FromDb(started_at),
                EndedAt = DbTime.FromDb(ended_at), StreamEndedAt = DbTime.FromDb(stream_ended_at), StreamEnd = stream_end,
                UpdatedAt = DbTime.FromDb(updated_at), Version = (int)version,
                StreamStartedAt = e.StreamStartedAt, Hangup = e.Hangup, Rejected = e.Rejected, TimeoutStatus = e.TimeoutStatus, EndedAtCandidate = e.EndedAtCandidate,
                Transfer = e.Transfer,
            };
        }
    }
}
