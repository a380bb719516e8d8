using DetaineeAlertBot.Storage.Migrations;

namespace DetaineeAlertBot.Storage.Tests;

public sealed class MigrationTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Migrate_RunTwice_RecordsEachVersionOnce(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        var expected = Migrator.Load(provider);

        await db.Cases.MigrateAsync(CancellationToken.None);
        await db.Cases.MigrateAsync(CancellationToken.None);

        Assert.NotEmpty(expected);
        Assert.Equal(1, expected[0].Version);
        Assert.Equal(expected.Count, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(expected[^1].Version, await db.CountAsync("SELECT MAX(version) FROM schema_migrations"));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM cases"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Migrate_ConcurrentStarts_ApplyEachVersionOnce(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        // Two "processes" (separate StorageDatabase instances, separate pools) migrate at the same moment.
        await using var other = StorageDatabase.Create(db.Options);

        await Task.WhenAll(
            Task.Run(() => db.Cases.MigrateAsync(CancellationToken.None)),
            Task.Run(() => new CaseStore(other).MigrateAsync(CancellationToken.None)));

        Assert.Equal(Migrator.Load(provider).Count, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public void Load_BothProviders_HaveTheSameVersions()
    {
        // A migration added for one database only would leave the other schema behind.
        Assert.Equal(
            Migrator.Load(StorageOptions.Sqlite).Select(m => m.Name),
            Migrator.Load(StorageOptions.Postgres).Select(m => m.Name));
    }
}
