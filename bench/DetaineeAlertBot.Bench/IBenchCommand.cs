namespace DetaineeAlertBot.Bench;

/// <summary>One bench command: `dotnet run -c Release --project bench/DetaineeAlertBot.Bench -- NAME [args]`.
/// Implementations are discovered by reflection, so adding a command is adding a class.</summary>
public interface IBenchCommand
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args);
}
