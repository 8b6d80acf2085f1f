using System.Data.Common;
using System.Text.Json;
using Awaaz.Server.Api;
using Awaaz.Server.Storage;
using Dapper;
using Microsoft.AspNetCore.DataProtection;

namespace Awaaz.Server.Telephony;

/// <summary>
/// Telephony connections and their encrypted credentials. Credentials and the connection secret are
/// encrypted with ASP.NET Data Protection; the connection secret also has a SHA-256 index for lookups.
/// Keeps exactly one ACTIVE default per partner and provider.
/// </summary>
public sealed class ConnectionStore(Database database, IDataProtectionProvider dataProtection, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Awaaz.Telephony.Connection.v1");

    private const string Columns = "id, partner_id, provider, name, status, is_default, managed_by, tata_email, has_password, api_key_mask, auth_token_mask, from_number, base_url, agent_number, settings, health, created_at, updated_at";

    public static readonly TimeSpan PreviousSecretGrace = TimeSpan.FromHours(24);

    public async Task<TelephonyConnection> CreateAsync(TelephonyConnection connection, ConnectionSecrets secrets, string smartfloSecret, CancellationToken ct = default)
    {
        // Encrypt before taking the write lock: the first Protect() may write a new key to the key ring.
        var protectedSecrets = _protector.Protect(JsonSerializer.Serialize(secrets, Json));
        var protectedSmartfloSecret = _protector.Protect(smartfloSecret);
        var (db, tx) = await database.BeginWriteAsync(ct);
        await using var _ = db;
        await using var __ = tx;
        await LockPartnerAsync(db, tx, connection.PartnerId, ct);
        await EnsureNameFreeAsync(db, tx, connection.PartnerId, connection.Name, null, ct);
        var hasDefault = await db.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM telephony_connections WHERE partner_id = @PartnerId AND provider = @Provider AND is_default = @yes AND deleted_at IS NULL",
            new { connection.PartnerId, connection.Provider, yes = true }, tx, cancellationToken: ct)) > 0;
        connection = connection with { IsDefault = connection.IsActive && !hasDefault };

        await db.ExecuteAsync(new CommandDefinition("""
            INSERT INTO telephony_connections (id, partner_id, provider, name, name_key, status, is_default, managed_by, tata_email, protected_secrets,
              has_password, api_key_mask, auth_token_mask, from_number, base_url, agent_number, settings, protected_smartflo_secret, smartflo_secret_hash,
              health, created_at, updated_at)
            VALUES (@Id, @PartnerId, @Provider, @Name, @NameKey, @Status, @IsDefault, @ManagedBy, @TataEmail, @ProtectedSecrets,
              @HasPassword, @ApiKeyMask, @AuthTokenMask, @FromNumber, @BaseUrl, @AgentNumber, @Settings, @ProtectedSmartfloSecret, @SecretHash,
              @Health, @CreatedAt, @UpdatedAt)
            """, Parameters(connection, protectedSecrets, protectedSmartfloSecret, TelephonyConnection.HashSecret(smartfloSecret)), tx, cancellationToken: ct));
        await PhoneNumberStore.EnsureNumberAsync(db, tx, connection.PartnerId, connection.Id, connection.FromNumber, clock.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
        return connection;
    }

    /// <summary>Saves changed fields. <paramref name="secrets"/> null keeps the stored ones; <paramref name="newSmartfloSecret"/> rotates (old one valid 24 h).</summary>
    public async Task<TelephonyConnection> UpdateAsync(TelephonyConnection connection, ConnectionSecrets? secrets, string? newSmartfloSecret, bool makeDefault, CancellationToken ct = default, bool keepPreviousSecret = true)
    {
        connection = connection with { UpdatedAt = clock.GetUtcNow() };
        var protectedSecrets = secrets is null ? null : _protector.Protect(JsonSerializer.Serialize(secrets, Json));
        var protectedNewSecret = newSmartfloSecret is null ? null : _protector.Protect(newSmartfloSecret);
        var (db, tx) = await database.BeginWriteAsync(ct);
        await using var _ = db;
        await using var __ = tx;
        await LockPartnerAsync(db, tx, connection.PartnerId, ct);
        await EnsureNameFreeAsync(db, tx, connection.PartnerId, connection.Name, connection.Id, ct);

        await db.ExecuteAsync(new CommandDefinition("""
            UPDATE telephony_connections SET name = @Name, name_key = @NameKey, status = @Status, tata_email = @TataEmail, has_password = @HasPassword,
              api_key_mask = @ApiKeyMask, auth_token_mask = @AuthTokenMask, from_number = @FromNumber, base_url = @BaseUrl, agent_number = @AgentNumber,
              settings = @Settings, health = @Health, updated_at = @UpdatedAt
            WHERE id = @Id
            """, Parameters(connection, null, null, null), tx, cancellationToken: ct));
        if (protectedSecrets is not null)
            await db.ExecuteAsync(new CommandDefinition("UPDATE telephony_connections SET protected_secrets = @protectedSecrets WHERE id = @id",
                new { protectedSecrets, id = connection.Id }, tx, cancellationToken: ct));
        if (newSmartfloSecret is not null)
            await db.ExecuteAsync(new CommandDefinition("""
                UPDATE telephony_connections SET previous_secret_hash = CASE WHEN @keep THEN smartflo_secret_hash ELSE NULL END,
                  previous_secret_expires_at = CASE WHEN @keep THEN @expires ELSE NULL END,
                  smartflo_secret_hash = @hash, protected_smartflo_secret = @protectedSecret WHERE id = @id
                """, new
                {
                    keep = keepPreviousSecret, expires = DbTime.ToDb(clock.GetUtcNow() + PreviousSecretGrace), hash = TelephonyConnection.HashSecret(newSmartfloSecret),
                    protectedSecret = protectedNewSecret, id = connection.Id,
                }, tx, cancellationToken: ct));

        if (makeDefault && connection.IsActive)
        {
            await db.ExecuteAsync(new CommandDefinition(
                "UPDATE telephony_connections SET is_default = (id = @Id) WHERE partner_id = @PartnerId AND provider = @Provider AND deleted_at IS NULL",
                new { connection.Id, connection.PartnerId, connection.Provider }, tx, cancellationToken: ct));
        }
        await PhoneNumberStore.EnsureNumberAsync(db, tx, connection.PartnerId, connection.Id, connection.FromNumber, clock.GetUtcNow(), ct);
        await RepairDefaultAsync(db, tx, connection.PartnerId, connection.Provider, ct);
        await tx.CommitAsync(ct);
        return (await GetAsync(connection.PartnerId, connection.Id, ct))!;
    }

    /// <summary>Soft delete: numbers become INACTIVE and unassigned, the secret stops working, the default moves on.</summary>
    public async Task DeleteAsync(TelephonyConnection connection, CancellationToken ct = default)
    {
        var now = DbTime.ToDb(clock.GetUtcNow());
        var (db, tx) = await database.BeginWriteAsync(ct);
        await using var _ = db;
        await using var __ = tx;
        await LockPartnerAsync(db, tx, connection.PartnerId, ct);
        await db.ExecuteAsync(new CommandDefinition("""
            UPDATE telephony_connections SET deleted_at = @now, updated_at = @now, is_default = @no, status = @inactive,
              smartflo_secret_hash = 'deleted:' || id, previous_secret_hash = NULL, previous_secret_expires_at = NULL
            WHERE id = @id
            """, new { now, no = false, inactive = ConnectionStatus.Inactive, id = connection.Id }, tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE phone_numbers SET status = @inactive, agent_id = NULL, assigned_at = NULL, updated_at = @now WHERE connection_id = @id",
            new { inactive = ConnectionStatus.Inactive, now, id = connection.Id }, tx, cancellationToken: ct));
        await RepairDefaultAsync(db, tx, connection.PartnerId, connection.Provider, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<TelephonyConnection?> GetAsync(string partnerId, string id, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<ConnectionRow>(new CommandDefinition(
            $"SELECT {Columns} FROM telephony_connections WHERE id = @id AND partner_id = @partnerId AND deleted_at IS NULL", new { id, partnerId }, cancellationToken: ct));
        return row?.ToConnection();
    }

    /// <summary>A connection by id whatever its partner (internal use: webhooks, media sessions), deleted ones included.</summary>
    public async Task<TelephonyConnection?> GetByIdAsync(string id, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<ConnectionRow>(new CommandDefinition(
            $"SELECT {Columns} FROM telephony_connections WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToConnection();
    }

    public async Task<IReadOnlyList<TelephonyConnection>> ListAsync(string partnerId, string? provider = null, string? status = null, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<ConnectionRow>(new CommandDefinition($"""
            SELECT {Columns} FROM telephony_connections
            WHERE partner_id = @partnerId AND deleted_at IS NULL AND (@provider IS NULL OR provider = @provider) AND (@status IS NULL OR status = @status)
            ORDER BY created_at, id
            """, new { partnerId, provider, status }, cancellationToken: ct));
        return rows.Select(r => r.ToConnection()).ToList();
    }

    /// <summary>The connection a request means: the given id, else the only ACTIVE one; several → 409 CONNECTION_AMBIGUOUS; none → 403.</summary>
    public async Task<TelephonyConnection> ResolveAsync(string partnerId, string? connectionId, CancellationToken ct = default)
    {
        if (connectionId is not null)
        {
            var chosen = await GetAsync(partnerId, connectionId, ct) ?? throw ApiException.NotFound("connection", connectionId);
            if (!chosen.IsActive) throw ApiException.Conflict("connection_inactive", "Connection is INACTIVE");
            return chosen;
        }
        var active = await ListAsync(partnerId, TelephonyProviders.TataSmartflo, ConnectionStatus.Active, ct);
        return active.Count switch
        {
            0 => throw new ApiException(403, ErrorCodes.ProviderNotConfigured, "Tata Smartflo not configured", new { provider = TelephonyProviders.TataSmartflo, missing = "connection" }),
            1 => active[0],
            _ => throw new ApiException(409, ErrorCodes.ConnectionAmbiguous, "Multiple active tata_smartflo connections; pass connection_id",
                new { provider = TelephonyProviders.TataSmartflo, connection_ids = active.Select(c => c.Id).ToArray() }),
        };
    }

    public async Task<ConnectionSecrets> GetSecretsAsync(string connectionId, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var protectedSecrets = await db.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT protected_secrets FROM telephony_connections WHERE id = @connectionId", new { connectionId }, cancellationToken: ct));
        return JsonSerializer.Deserialize<ConnectionSecrets>(_protector.Unprotect(protectedSecrets!), Json)!;
    }

    public async Task<string> GetSmartfloSecretAsync(string connectionId, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var protectedSecret = await db.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT protected_smartflo_secret FROM telephony_connections WHERE id = @connectionId", new { connectionId }, cancellationToken: ct));
        return _protector.Unprotect(protectedSecret!);
    }

    /// <summary>The live connection whose current (or, for 24 h after rotation, previous) secret this is.</summary>
    public async Task<TelephonyConnection?> FindBySecretAsync(string secret, CancellationToken ct = default)
    {
        var hash = TelephonyConnection.HashSecret(secret);
        await using var db = await database.OpenAsync(ct);
        var row = await db.QueryFirstOrDefaultAsync<ConnectionRow>(new CommandDefinition($"""
            SELECT {Columns} FROM telephony_connections
            WHERE deleted_at IS NULL AND (smartflo_secret_hash = @hash OR (previous_secret_hash = @hash AND previous_secret_expires_at > @now))
            """, new { hash, now = DbTime.ToDb(clock.GetUtcNow()) }, cancellationToken: ct));
        return row?.ToConnection();
    }

    /// <summary>The environment connection when it accepts requests without a secret (single-tenant, TATA_RESOLVE_SECRET unset).</summary>
    public async Task<TelephonyConnection?> FindOpenEnvConnectionAsync(CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<(string id, string partner_id, string protected_smartflo_secret)>(new CommandDefinition(
            "SELECT id, partner_id, protected_smartflo_secret FROM telephony_connections WHERE managed_by = @env AND deleted_at IS NULL",
            new { env = TelephonyConnection.ManagedByEnv }, cancellationToken: ct));
        foreach (var row in rows)
            if (SelfHostedBootstrap.IsOpenSecret(_protector.Unprotect(row.protected_smartflo_secret)))
                return await GetAsync(row.partner_id, row.id, ct);
        return null;
    }

    public async Task SaveHealthAsync(string connectionId, ConnectionHealth health, CancellationToken ct = default)
    {
        await using var db = await database.OpenAsync(ct);
        await db.ExecuteAsync(new CommandDefinition("UPDATE telephony_connections SET health = @health WHERE id = @connectionId",
            new { health = JsonSerializer.Serialize(health, Json), connectionId }, cancellationToken: ct));
    }

    private static async Task LockPartnerAsync(DbConnection db, DbTransaction tx, string partnerId, CancellationToken ct)
    {
        if (db is Npgsql.NpgsqlConnection)
            await db.ExecuteAsync(new CommandDefinition("SELECT id FROM partners WHERE id = @partnerId FOR NO KEY UPDATE", new { partnerId }, tx, cancellationToken: ct));
    }

    private static async Task EnsureNameFreeAsync(DbConnection db, DbTransaction tx, string partnerId, string name, string? exceptId, CancellationToken ct)
    {
        var taken = await db.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM telephony_connections WHERE partner_id = @partnerId AND name_key = @key AND deleted_at IS NULL AND (@exceptId IS NULL OR id <> @exceptId)",
            new { partnerId, key = name.Trim().ToLowerInvariant(), exceptId }, tx, cancellationToken: ct));
        if (taken > 0) throw ApiException.Conflict("duplicate_connection_name", $"A connection named '{name}' already exists");
    }

    /// <summary>If no ACTIVE default remains, the oldest ACTIVE connection becomes default; INACTIVE ones never are.</summary>
    private static async Task RepairDefaultAsync(DbConnection db, DbTransaction tx, string partnerId, string provider, CancellationToken ct)
    {
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE telephony_connections SET is_default = @no WHERE partner_id = @partnerId AND provider = @provider AND (status <> @active OR deleted_at IS NOT NULL)",
            new { no = false, partnerId, provider, active = ConnectionStatus.Active }, tx, cancellationToken: ct));
        var hasDefault = await db.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM telephony_connections WHERE partner_id = @partnerId AND provider = @provider AND is_default = @yes AND deleted_at IS NULL",
            new { partnerId, provider, yes = true }, tx, cancellationToken: ct)) > 0;
        if (hasDefault) return;
        var oldest = await db.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT id FROM telephony_connections WHERE partner_id = @partnerId AND provider = @provider AND status = @active AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1",
            new { partnerId, provider, active = ConnectionStatus.Active }, tx, cancellationToken: ct));
        if (oldest is not null)
            await db.ExecuteAsync(new CommandDefinition("UPDATE telephony_connections SET is_default = @yes WHERE id = @oldest",
                new { yes = true, oldest }, tx, cancellationToken: ct));
    }

    private static object Parameters(TelephonyConnection c, string? protectedSecrets, string? protectedSmartfloSecret, string? secretHash) => new
    {
        c.Id, c.PartnerId, c.Provider, c.Name, NameKey = c.Name.Trim().ToLowerInvariant(), c.Status, c.IsDefault, c.ManagedBy, c.TataEmail,
        ProtectedSecrets = protectedSecrets,
        c.HasPassword, c.ApiKeyMask, c.AuthTokenMask, c.FromNumber, c.BaseUrl, c.AgentNumber,
        Settings = JsonSerializer.Serialize(c.Settings, Json),
        ProtectedSmartfloSecret = protectedSmartfloSecret,
        SecretHash = secretHash,
        Health = JsonSerializer.Serialize(c.Health, Json),
        CreatedAt = DbTime.ToDb(c.CreatedAt), UpdatedAt = DbTime.ToDb(c.UpdatedAt),
    };

    private sealed class ConnectionRow
    {
        public string id { get; set; } = "";
        public string partner_id { get; set; } = "";
        public string provider { get; set; } = "";
        public string name { get; set; } = "";
        public string status { get; set; } = "";
        public bool is_default { get; set; }
        public string managed_by { get; set; } = "";
        public string? tata_email { get; set; }
        public bool has_password { get; set; }
        public string? api_key_mask { get; set; }
        public string? auth_token_mask { get; set; }
        public string from_number { get; set; } = "";
        public string base_url { get; set; } = "";
        public string? agent_number { get; set; }
        public string settings { get; set; } = "{}";
        public string health { get; set; } = "{}";
        public long created_at { get; set; }
        public long updated_at { get; set; }

        public TelephonyConnection ToConnection() => new(
            id, partner_id, provider, name, status, is_default, managed_by, tata_email, has_password, api_key_mask, auth_token_mask,
            from_number, base_url, agent_number,
            JsonSerializer.Deserialize<ConnectionSettings>(settings, Json)!,
            JsonSerializer.Deserialize<ConnectionHealth>(health, Json)!,
            DbTime.FromDb(created_at), DbTime.FromDb(updated_at));
    }
}
