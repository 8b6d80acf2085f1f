using Awaaz.Server.Storage;
using Dapper;

namespace Awaaz.Server.Tests.Operations;

/// <summary>SQLite connections from <see cref="Database"/>: WAL journal.</summary>
public sealed class SqliteLockingTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync();
    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_new_sqlite_file_is_switched_to_wal()
    {
        Assert.SkipWhen(TestDatabase.IsPostgres, "SQLite only");
        await using var database = new Database(_db.ConnectionString);
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        (await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode")).ShouldBe("wal");
    }
}
