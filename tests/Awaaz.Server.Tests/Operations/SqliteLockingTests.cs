using Awaaz.Server.Storage;
using Dapper;

namespace Awaaz.Server.Tests.Operations;

/// <summary>SQLite connections from <see cref="Database"/>: WAL journal, and lock waits through the millisecond busy handler.</summary>
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

    [Fact]
    public async Task A_writer_waiting_for_another_writer_waits_in_the_millisecond_handler_and_then_succeeds()
    {
        Assert.SkipWhen(TestDatabase.IsPostgres, "SQLite only");
        var ct = TestContext.Current.CancellationToken;
        await using var database = new Database(_db.ConnectionString);
        await using (var setup = await database.OpenAsync(ct))
            await setup.ExecuteAsync("CREATE TABLE t (v INTEGER)");

        var (holder, holding) = await database.BeginWriteAsync(ct);
        var before = SqliteBusyWait.Waits;
        var second = Task.Run(async () =>
        {
            var (connection, tx) = await database.BeginWriteAsync(ct);
            await using var _ = connection;
            await connection.ExecuteAsync("INSERT INTO t VALUES (2)", transaction: tx);
            await tx.CommitAsync(ct);
        }, ct);

        // Bounded wait until the second writer is parked in our handler (the default handler never counts).
        for (var i = 0; i < 1000 && SqliteBusyWait.Waits == before && !second.IsCompleted; i++) await Task.Delay(10, ct);
        SqliteBusyWait.Waits.ShouldBeGreaterThan(before);
        second.IsCompleted.ShouldBeFalse();

        await holder.ExecuteAsync("INSERT INTO t VALUES (1)", transaction: holding);
        await holding.CommitAsync(ct);
        await holding.DisposeAsync();
        await holder.DisposeAsync();
        await second;

        await using var check = await database.OpenAsync(ct);
        (await check.QueryAsync<long>("SELECT v FROM t ORDER BY v")).ShouldBe([1L, 2L]);
    }
}
