using System.Data.Common;
using System.Reflection;
using Dapper;

namespace Awaaz.Server.Storage;

public sealed record Migration(string Version, string Name, string Sql);

/// <summary>
/// Applies the embedded, versioned SQL scripts of the current dialect in one transaction and
/// records each in <c>schema_migrations</c>. On PostgreSQL a transaction-scoped advisory lock
/// makes concurrent nodes apply them exactly once; on SQLite <c>BEGIN IMMEDIATE</c> does.
/// </summary>
public sealed class MigrationRunner(Database database, ILogger<MigrationRunner> logger)
{
    private const long AdvisoryLockKey = 0x41_57_41_41_5A; // "AWAAZ"

    public static IReadOnlyList<Migration> Load(SqlDialect dialect)
    {
        var folder = dialect == SqlDialect.Postgres ? ".postgres." : ".sqlite.";
        var assembly = typeof(MigrationRunner).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Storage.Migrations" + folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[(n.IndexOf(folder, StringComparison.Ordinal) + folder.Length)..^4];
                var split = file.IndexOf('_');
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return new Migration(file[..split], file[(split + 1)..], reader.ReadToEnd());
            })
            .OrderBy(m => m.Version, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken ct = default)
    {
        var all = Load(database.Dialect);
        var (connection, tx) = await database.BeginWriteAsync(ct);
        await using var _ = connection;
        await using var __ = tx;

        if (database.Dialect == SqlDialect.Postgres)
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = AdvisoryLockKey }, tx);

        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            transaction: tx);
        var applied = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations", transaction: tx)).ToHashSet();

        var newlyApplied = new List<string>();
        foreach (var migration in all.Where(m => !applied.Contains(m.Version)))
        {
            await connection.ExecuteAsync(migration.Sql, transaction: tx);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                new { migration.Version, migration.Name, At = DbTime.ToDb(DateTimeOffset.UtcNow) }, tx);
            newlyApplied.Add($"{migration.Version}_{migration.Name}");
        }
        await tx.CommitAsync(ct);

        if (newlyApplied.Count > 0)
            logger.LogInformation("Applied {Count} migration(s) to {Database}: {Migrations}", newlyApplied.Count, database.Description, string.Join(", ", newlyApplied));
        return newlyApplied;
    }

    /// <summary>True when every embedded migration is recorded (used by /readyz).</summary>
    public async Task<bool> IsUpToDateAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var applied = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations")).ToHashSet();
        return Load(database.Dialect).All(m => applied.Contains(m.Version));
    }
}
