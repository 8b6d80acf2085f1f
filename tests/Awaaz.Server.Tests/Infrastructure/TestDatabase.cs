using Npgsql;

namespace Awaaz.Server.Tests.Infrastructure;

/// <summary>
/// The database a test run uses: <c>AWAAZ_TEST_DB=sqlite</c> (default) gives each caller a fresh SQLite file;
/// <c>AWAAZ_TEST_DB=postgres</c> with <c>AWAAZ_TEST_PG</c> (a server connection string) gives each caller a
/// fresh PostgreSQL database, dropped on dispose. scripts/test.sh runs the suite once per backend.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public static bool IsPostgres => string.Equals(Environment.GetEnvironmentVariable("AWAAZ_TEST_DB"), "postgres", StringComparison.OrdinalIgnoreCase);

    public string ConnectionString { get; }
    private readonly string? _pgDatabase;
    private readonly string? _sqliteDirectory;

    private TestDatabase(string connectionString, string? pgDatabase, string? sqliteDirectory)
    {
        ConnectionString = connectionString;
        _pgDatabase = pgDatabase;
        _sqliteDirectory = sqliteDirectory;
    }

    public static async Task<TestDatabase> CreateAsync()
    {
        if (!IsPostgres)
        {
            var dir = Path.Combine(Path.GetTempPath(), "awaaz-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            return new TestDatabase($"Data Source={Path.Combine(dir, "awaaz.db")}", null, dir);
        }

        var server = ServerConnectionString;
        var name = "awaaz_t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
        return new TestDatabase(builder.ToString(), name, null);
    }

    private static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("AWAAZ_TEST_PG")
        ?? throw new InvalidOperationException("AWAAZ_TEST_DB=postgres needs AWAAZ_TEST_PG (e.g. Host=127.0.0.1;Port=55432;Username=postgres). Run scripts/test.sh.");

    public async ValueTask DisposeAsync()
    {
        if (_pgDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(ServerConnectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        if (_sqliteDirectory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_sqliteDirectory, recursive: true); } catch (IOException) { }
        }
    }
}
