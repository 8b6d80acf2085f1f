using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Awaaz.Server.Storage;

public enum SqlDialect { Sqlite, Postgres }

/// <summary>
/// The one entry point to the database. <c>ConnectionStrings:Awaaz</c> selects the dialect:
/// <c>Host=…</c> is PostgreSQL, <c>Data Source=…</c> is SQLite (the embedded default).
/// Instants are stored as UTC epoch milliseconds (BIGINT) in both dialects; ids as lowercase UUID text.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqliteConnectionString;

    public SqlDialect Dialect { get; }
    public string Description { get; }

    public Database(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("ConnectionStrings:Awaaz is empty.");

        if (IsPostgres(connectionString))
        {
            Dialect = SqlDialect.Postgres;
            _postgres = NpgsqlDataSource.Create(connectionString);
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            Description = $"PostgreSQL {b.Host}:{b.Port}/{b.Database}";
        }
        else
        {
            Dialect = SqlDialect.Sqlite;
            SQLitePCL.Batteries_V2.Init();
            var b = new SqliteConnectionStringBuilder(connectionString);
            var dir = Path.GetDirectoryName(Path.GetFullPath(b.DataSource));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            b.Pooling = true;
            b.ForeignKeys = true;
            b.DefaultTimeout = Math.Max(b.DefaultTimeout, 30);
            _sqliteConnectionString = b.ToString();
            Description = $"SQLite {Path.GetFullPath(b.DataSource)}";
        }
    }

    public static bool IsPostgres(string connectionString) =>
        connectionString.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase)
        || connectionString.Contains(";Host=", StringComparison.OrdinalIgnoreCase)
        || connectionString.Contains("Server=", StringComparison.OrdinalIgnoreCase);

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync(ct);

        var connection = new SqliteConnection(_sqliteConnectionString);
        await connection.OpenAsync(ct);
        using var pragma = connection.CreateCommand();
        // WAL (persistent in the file; set once per process): readers never wait for a writer, and commits do not fsync
        // with synchronous = NORMAL. In the default rollback-journal mode every write blocked every reader.
        var setWal = Volatile.Read(ref _walSet) == 0;
        pragma.CommandText = "PRAGMA busy_timeout = 10000; " + (setWal ? "PRAGMA journal_mode = WAL; " : "") + "PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(ct);
        if (setWal) Volatile.Write(ref _walSet, 1);
        SqliteBusyWait.Install(connection); // replaces busy_timeout's whole-second sleeps (see SqliteBusyWait)
        return connection;
    }

    private int _walSet;

    /// <summary>
    /// Opens a connection and a write transaction. On SQLite the transaction is <c>BEGIN IMMEDIATE</c>
    /// so read-then-write sequences (limits, admission) cannot interleave with another writer.
    /// </summary>
    public async Task<(DbConnection Connection, DbTransaction Transaction)> BeginWriteAsync(CancellationToken ct = default)
    {
        var connection = await OpenAsync(ct);
        try
        {
            var tx = connection is SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: false)
                : await connection.BeginTransactionAsync(ct);
            return (connection, tx);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (_sqliteConnectionString is not null) SqliteConnection.ClearAllPools();
    }
}

/// <summary>UTC instants as stored: epoch milliseconds.</summary>
public static class DbTime
{
    public static long ToDb(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();
    public static DateTimeOffset FromDb(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
    public static DateTimeOffset? FromDb(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}

/// <summary>Portable <c>IN (…)</c> lists: Dapper expands list parameters for SQLite but sends arrays to PostgreSQL.</summary>
public static class SqlList
{
    /// <summary>Adds one parameter per value and returns <c>(@prefix0, @prefix1, …)</c>; <c>(NULL)</c> for an empty list.</summary>
    public static string In(Dapper.DynamicParameters parameters, string prefix, IEnumerable<string> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = $"{prefix}{names.Count}";
            parameters.Add(name, value);
            names.Add("@" + name);
        }
        return names.Count == 0 ? "(NULL)" : $"({string.Join(", ", names)})";
    }
}
