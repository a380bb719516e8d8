namespace DetaineeAlertBot.Core.Changes;

/// <summary>
/// FlapPolicy says when a case is flapping (Alerts:FlapThreshold, Alerts:FlapWindow): more than <see cref="Threshold"/>
/// status changes inside any <see cref="Window"/> (sliding). The changes up to the threshold are alerted at once, the
/// first included; the one that crosses it becomes one "changing repeatedly" notice per channel; the rest are recorded in
/// the history but not alerted; once a whole window passes without a change, each channel gets one "settled" alert.
/// A feed that glitches (a roster page that briefly drops people and lists them as discharged) thus costs a channel a
/// few messages, not one per glitch.
/// </summary>
public sealed record FlapPolicy(int Threshold, TimeSpan Window)
{
    public static readonly FlapPolicy Default = new(3, TimeSpan.FromMinutes(10));

    /// <summary>Threshold 0 turns flap damping off.</summary>
    public bool IsOff => Threshold <= 0;

    /// <summary>Whether a case with <paramref name="changesInWindow"/> changes (this one included) inside the window is flapping.</summary>
    public bool IsFlapping(int changesInWindow) => !IsOff && changesInWindow > Threshold;
}

/// <summary>What routing does with one status change.</summary>
public enum FlapVerdict
{
    /// <summary>An ordinary change: alert it.</summary>
    Alert,

    /// <summary>The change that crossed the threshold: one "changing repeatedly" notice instead of its alert.</summary>
    Notice,

    /// <summary>The case is flapping: record the change, alert nobody (the "settled" alert comes later).</summary>
    Hold,
}
