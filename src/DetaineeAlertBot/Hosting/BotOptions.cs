using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Hosting;

/// <summary>
/// BotOptions is the one way a configuration section becomes settings: <c>AddOptions&lt;T&gt;().BindConfiguration(section)
/// .ValidateOnStart()</c>, validated by <see cref="IValidateOptions{TOptions}"/> validators whose messages name the key and
/// the fix, and also registered as <typeparamref name="T"/> itself (its <c>IOptions&lt;T&gt;.Value</c>) for the services that
/// take the settings directly. Nothing reads a section at registration time, so the Add* methods may run in any order;
/// <see cref="ThrowIfInvalid"/> resolves every registered section once and reports all problems together.
/// </summary>
public static partial class BotOptions
{
    /// <param name="bind">How the section fills <typeparamref name="T"/> when it is not an object the binder fills as it is
    /// (a list such as Sources:N); <c>BindConfiguration(section)</c> when null.</param>
    /// <param name="registerValue">False to validate the section without offering <typeparamref name="T"/> as a service
    /// (a platform that is off: its services test for the options' presence).</param>
    public static OptionsBuilder<T> AddBotOptions<T>(this IServiceCollection services, string section,
        Func<OptionsBuilder<T>, OptionsBuilder<T>>? bind = null, bool registerValue = true) where T : class
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISectionCheck, SectionCheck<T>>());
        if (registerValue) services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<T>>().Value);
        var options = services.AddOptions<T>();
        return (bind is null ? options.BindConfiguration(section) : bind(options)).ValidateOnStart();
    }

    /// <summary>Adds a validator of <typeparamref name="T"/> (once, however often it is asked for).</summary>
    public static OptionsBuilder<T> ValidateWith<T, TValidator>(this OptionsBuilder<T> options)
        where T : class where TValidator : class, IValidateOptions<T>
    {
        options.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, TValidator>());
        return options;
    }

    /// <summary>Adds the validator that asks the options themselves (<see cref="IValidatableOptions.Validate"/>).</summary>
    public static OptionsBuilder<T> ValidateItself<T>(this OptionsBuilder<T> options) where T : class, IValidatableOptions =>
        options.ValidateWith<T, SelfValidator<T>>();

    /// <summary>Every registered section, resolved once: one exception listing every bad key of every section, so an
    /// operator fixes the configuration in one pass instead of one key per restart.</summary>
    public static void ThrowIfInvalid(IServiceProvider services)
    {
        var failures = services.GetServices<ISectionCheck>().SelectMany(check => check.Failures()).ToArray();
        if (failures.Length > 0) throw new OptionsValidationException("configuration", typeof(BotOptions), failures);
    }

    /// <summary>A raw value for a registration decision that depends on configuration ("register Discord only with a bot
    /// token", "leader election only on PostgreSQL"). This is the only place the Add* methods read configuration; the
    /// value itself is validated with its section.</summary>
    public static string Setting(this IConfiguration configuration, string key) => configuration[key]?.Trim() ?? "";

    /// <summary>Whether <paramref name="key"/> holds a non-blank value (see <see cref="Setting"/>).</summary>
    public static bool IsSet(this IConfiguration configuration, string key) => configuration.Setting(key).Length > 0;

    /// <summary>A configured list (<see cref="BotConfiguration.ReadList"/>) when the key is present, else <paramref name="otherwise"/>.
    /// The binder cannot read the comma-separated form, and it would add configured entries to a default list instead of
    /// replacing it.</summary>
    public static IReadOnlyList<string> ListOr(IConfigurationSection section, IReadOnlyList<string> otherwise) =>
        section.Value is not null || section.GetChildren().Any() ? BotConfiguration.ReadList(section) : otherwise;

    /// <summary>The binder's conversion failure ("Failed to convert configuration value 'x' at 'A:B' to type 'System.Boolean'.")
    /// rewritten to name the key and the fix like every other message; null for any other exception.</summary>
    internal static string? DescribeBindingFailure(InvalidOperationException exception)
    {
        var match = BindingFailure().Match(exception.Message);
        if (!match.Success) return null;
        var (key, value, type) = (match.Groups["key"].Value, match.Groups["value"].Value, match.Groups["type"].Value);
        // Nullable<T> is named System.Nullable`1[[System.TimeSpan, ...]]: match the inner type's name.
        var (expected, fix) = type.Contains("System.TimeSpan", StringComparison.Ordinal) ? ("a duration", "write it as [d.]hh:mm:ss, e.g. 00:05:00 for five minutes")
            : type.Contains("System.Boolean", StringComparison.Ordinal) ? ("true or false", "use true or false")
            : type.Contains("System.Int", StringComparison.Ordinal) ? ("a whole number", "use digits only, e.g. 16777216")
            : ($"a {type}", "see the README's configuration table");
        return $"{key} is '{value}', which is not {expected}: {fix}.";
    }

    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex BindingFailure();

    private interface ISectionCheck
    {
        IEnumerable<string> Failures();
    }

    private sealed class SectionCheck<T>(IOptions<T> options) : ISectionCheck where T : class
    {
        public IEnumerable<string> Failures()
        {
            try
            {
                _ = options.Value;
                return [];
            }
            catch (OptionsValidationException ex)
            {
                return ex.Failures;
            }
            catch (InvalidOperationException ex) when (DescribeBindingFailure(ex) is { } failure)
            {
                return [failure];
            }
        }
    }
}

/// <summary>The shape of this bot's validators: options that can list their own problems, each message naming the key
/// and the fix.</summary>
public abstract class BotOptionsValidator<T> : IValidateOptions<T> where T : class
{
    protected abstract IEnumerable<string> Failures(T options);

    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = Failures(options).ToArray();
        return failures.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Options that list their own problems (<see cref="BotOptions.ValidateItself"/>).</summary>
public interface IValidatableOptions
{
    /// <summary>Each problem names the key and says how to fix it; empty when valid.</summary>
    IEnumerable<string> Validate();
}

internal sealed class SelfValidator<T> : BotOptionsValidator<T> where T : class, IValidatableOptions
{
    protected override IEnumerable<string> Failures(T options) => options.Validate();
}
