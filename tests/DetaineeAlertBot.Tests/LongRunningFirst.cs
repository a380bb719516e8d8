using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("DetaineeAlertBot.Tests.LongRunningFirstOrderer", "DetaineeAlertBot.Tests")]

namespace DetaineeAlertBot.Tests;

/// <summary>A test class whose tests together wait long (rate limits, bot processes starting and dying): it is started
/// among the first, so a parallel run does not end with one of these started last while the other threads are idle.
/// Order only: the class still runs in parallel with the others, its tests one after another. Keep it on fewer classes
/// than xunit.runner.json's maxParallelThreads (4), so they all start at once and one thread is left for the short ones.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class LongRunningAttribute : Attribute;

/// <summary>xunit's default collection order with the collections of <see cref="LongRunningAttribute"/> classes moved to
/// the front (in that same order).</summary>
public sealed class LongRunningFirstOrderer : ITestCollectionOrderer
{
    /// <summary>How xunit names the collection of a class without [Collection].</summary>
    private const string PerClassPrefix = "Test collection for ";

    private readonly DefaultTestCollectionOrderer _default = new();

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        _default.OrderTestCollections(testCollections).OrderBy(c => IsLongRunning(c) ? 0 : 1).ToList(); // OrderBy is stable

    private static bool IsLongRunning(ITestCollection collection)
    {
        if (!collection.DisplayName.StartsWith(PerClassPrefix, StringComparison.Ordinal)) return false;
        var type = collection.TestAssembly.Assembly.GetType(collection.DisplayName[PerClassPrefix.Length..]);
        return type?.GetCustomAttributes(typeof(LongRunningAttribute).AssemblyQualifiedName).Any() == true;
    }
}
