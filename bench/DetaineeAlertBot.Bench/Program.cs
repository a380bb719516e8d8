using System.Reflection;
using DetaineeAlertBot.Bench;

var commands = typeof(IBenchCommand).Assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBenchCommand).IsAssignableFrom(t))
    .Select(t => (IBenchCommand)Activator.CreateInstance(t)!)
    .OrderBy(c => c.Name, StringComparer.Ordinal)
    .ToArray();

var command = args.Length > 0 ? commands.FirstOrDefault(c => c.Name == args[0]) : null;
if (command is null)
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/DetaineeAlertBot.Bench -- <command> [args]");
    foreach (var c in commands) Console.WriteLine($"  {c.Name,-24} {c.Description}");
    return args.Length == 0 ? 0 : 2;
}

#if DEBUG
Console.Error.WriteLine("warning: a Debug build; measure with -c Release");
#endif
Console.WriteLine($"# {command.Name} · {Environment.ProcessorCount} cores · {System.Runtime.InteropServices.RuntimeInformation.OSDescription} · .NET {Environment.Version} · {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
return await command.RunAsync(args[1..]);
