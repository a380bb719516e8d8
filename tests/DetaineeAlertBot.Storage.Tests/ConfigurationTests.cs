using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DetaineeAlertBot.Storage.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void Providers_InCi_IncludePostgres()
    {
        // CI must not go green on SQLite alone: .ci/run starts a server and sets the variable.
        var providers = ((IEnumerable<object[]>)Providers.All).Select(row => (string)row[0]).ToArray();

        Assert.Contains(StorageOptions.Sqlite, providers);
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Contains(StorageOptions.Postgres, providers);
    }

    [Fact]
    public void StorageOptions_Defaults_MatchTheContract()
    {
        var options = new StorageOptions();

        Assert.Equal(("Sqlite", "Data Source=data/detainee-alert-bot.db"), (options.Provider, options.ConnectionString));
    }

    [Fact]
    public void Create_UnknownProvider_ThrowsNamingTheKey()
    {
        var error = Assert.Throws<ArgumentException>(() => StorageDatabase.Create(new StorageOptions { Provider = "MySql" }));

        Assert.Contains("Storage:Provider", error.Message);
        Assert.Contains("MySql", error.Message);
    }

    [Fact]
    public async Task AddStorage_Sqlite_RegistersStoresAsSingletonsOnOneDatabase()
    {
        var directory = Path.Combine(Path.GetTempPath(), "detainee-bot-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var services = new ServiceCollection()
                .AddStorage(new StorageOptions { ConnectionString = $"Data Source={Path.Combine(directory, "bot.db")}" });
            Type[] registered = [typeof(StorageDatabase), typeof(ICaseStore), typeof(IFlapSettler), typeof(IWatchlistStore), typeof(IAlertOutbox), typeof(ICardStore), typeof(IRuleStore), typeof(IDigestStore)];
            Assert.Equal(registered, services.Select(d => d.ServiceType));
            Assert.All(services, d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));

            var provider = new SingletonProvider(services);
            var cases = Assert.IsType<CaseStore>(provider.GetService(typeof(ICaseStore)));
            await cases.MigrateAsync(CancellationToken.None);
            await cases.PingAsync(CancellationToken.None);
            Assert.IsType<WatchlistStore>(provider.GetService(typeof(IWatchlistStore)));
            Assert.IsType<AlertOutbox>(provider.GetService(typeof(IAlertOutbox)));
            Assert.IsType<CardStore>(provider.GetService(typeof(ICardStore)));
            Assert.IsType<RuleStore>(provider.GetService(typeof(IRuleStore)));
            Assert.IsType<DigestStore>(provider.GetService(typeof(IDigestStore)));
            Assert.Same(provider.GetService(typeof(ICaseStore)), provider.GetService(typeof(IFlapSettler)));
            await using var database = Assert.IsType<StorageDatabase>(provider.GetService(typeof(StorageDatabase)));
            Assert.Equal(StorageOptions.Sqlite, database.Provider);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Just enough of a container to run the registered factories (the test project has no DI container).</summary>
    private sealed class SingletonProvider(IServiceCollection services) : IServiceProvider
    {
        private readonly Dictionary<Type, object> _made = [];

        public object? GetService(Type serviceType)
        {
            if (_made.TryGetValue(serviceType, out var made)) return made;
            var descriptor = services.LastOrDefault(d => d.ServiceType == serviceType);
            if (descriptor?.ImplementationFactory is not { } factory) return null;
            return _made[serviceType] = factory(this);
        }
    }

    [Fact]
    public async Task Ping_PostgresNotListening_ThrowsStorageExceptionSayingRefused()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        await using var database = StorageDatabase.Create(new StorageOptions
        {
            Provider = StorageOptions.Postgres,
            ConnectionString = "Host=127.0.0.1;Port=1;Username=bot;Database=bot;Timeout=5",
        });

        var error = await Assert.ThrowsAsync<StorageException>(() => new CaseStore(database).PingAsync(CancellationToken.None));

        Assert.Contains("refused the connection", error.Message);
        Assert.Contains("127.0.0.1:1", error.Message);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
    }
}
