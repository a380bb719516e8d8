namespace DetaineeAlertBot.Discord.Fake;

/// <summary>Waits for a condition without asserting on time: polls until true or a generous timeout.</summary>
public static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }
}
