using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace DetaineeAlertBot.Testing;

/// <summary>The one wait of the test suite: polls a condition on a short real interval until it holds, and fails with
/// what it waited for when it does not within the timeout. The timeout only bounds how long a broken test hangs; no
/// test asserts on how long anything took. To show that something did NOT happen, wait for a positive state that
/// proves the system got past the point where it would have (the outbox row sent, a later message recorded, a
/// counter reached), then assert the absence.</summary>
public static class Eventually
{
    /// <summary>Generous: a loaded CI machine (two cores, several test hosts) must never hit it.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <param name="because">What is awaited, in words; the condition's source text when omitted.</param>
    /// <param name="detail">Read only when the wait fails and shown with the failure: a string or a Task of a string
    /// (the console output, a /healthz body).</param>
    public static Task TrueAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null, Func<object?>? detail = null,
        [CallerArgumentExpression(nameof(condition))] string expression = "") =>
        TrueAsync(() => Task.FromResult(condition()), timeout, because, detail, expression);

    /// <inheritdoc cref="TrueAsync(Func{bool}, TimeSpan?, string?, Func{object?}?, string)"/>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null, Func<object?>? detail = null,
        [CallerArgumentExpression(nameof(condition))] string expression = "")
    {
        var limit = timeout ?? DefaultTimeout;
        var waited = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (waited.Elapsed >= limit)
            {
                var shown = detail?.Invoke() switch
                {
                    Task<string> text => await text.ConfigureAwait(false),
                    var other => other?.ToString(),
                };
                throw new EventuallyTimeoutException(
                    $"Timed out after {limit.TotalSeconds:0.#} s waiting for: {because ?? expression}" + (shown is null ? "" : $"{Environment.NewLine}{shown}"));
            }

            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for <paramref name="condition"/> on a bot that runs on <paramref name="time"/>, moving that clock on by
    /// <paramref name="step"/> after each look that finds it false (the bot's pollers, dispatcher and timed workers wait on it).</summary>
    public static Task TrueAdvancingAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, TimeSpan step, Func<Task<bool>> condition, string because,
        Func<object?>? detail = null) =>
        TrueAsync(async () =>
        {
            if (await condition().ConfigureAwait(false)) return true;
            time.Advance(step);
            return false;
        }, because: because, detail: detail);

    /// <inheritdoc cref="TrueAdvancingAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider, TimeSpan, Func{Task{bool}}, string, Func{object?}?)"/>
    public static Task TrueAdvancingAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, TimeSpan step, Func<bool> condition, string because) =>
        TrueAdvancingAsync(time, step, () => Task.FromResult(condition()), because);

    /// <summary>The Discord gateway tests' spelling of <see cref="TrueAsync(Func{bool}, TimeSpan?, string?, Func{object?}?, string)"/>.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) => TrueAsync(condition, timeout, what);
}

/// <summary>A wait of <see cref="Eventually"/> that ran out: the test fails with what it waited for.</summary>
public sealed class EventuallyTimeoutException(string message) : Exception(message);
