using System.Text;
using DetaineeAlertBot.Slack.Signing;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Slack.Tests.Signing;

public sealed class SlackRequestVerifierTests
{
    // Slack's published example (https://docs.slack.dev/authentication/verifying-requests-from-slack),
    // also used by python-slack-sdk tests/slack_sdk/signature/test_signature_verifier.py.
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private const string Body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    public static TheoryData<string, string, string?, string?, int, SlackSignatureCheck> Cases => new()
    {
        // The published vector verifies at the moment it was signed.
        { Secret, Body, Timestamp, Signature, 0, SlackSignatureCheck.Valid },
        // Clock skew inside the five-minute window, either way, is accepted.
        { Secret, Body, Timestamp, Signature, 299, SlackSignatureCheck.Valid },
        { Secret, Body, Timestamp, Signature, -299, SlackSignatureCheck.Valid },
        // A tampered body (python-slack-sdk appends "------") fails.
        { Secret, Body + "------", Timestamp, Signature, 0, SlackSignatureCheck.InvalidSignature },
        // One changed character in the command text fails.
        { Secret, Body.Replace("text=&", "text=x&", StringComparison.Ordinal), Timestamp, Signature, 0, SlackSignatureCheck.InvalidSignature },
        // A wrong secret fails.
        { "8f742231b10e8888abcd99yyyzzz85a6", Body, Timestamp, Signature, 0, SlackSignatureCheck.InvalidSignature },
        // A stale timestamp fails even with a correct signature (replay).
        { Secret, Body, Timestamp, Signature, 301, SlackSignatureCheck.StaleTimestamp },
        // A timestamp far in the future fails too.
        { Secret, Body, Timestamp, Signature, -301, SlackSignatureCheck.StaleTimestamp },
        // Reality: today is years after the vector was signed.
        { Secret, Body, Timestamp, Signature, 250_000_000, SlackSignatureCheck.StaleTimestamp },
        // Missing headers fail.
        { Secret, Body, null, Signature, 0, SlackSignatureCheck.MissingHeaders },
        { Secret, Body, Timestamp, null, 0, SlackSignatureCheck.MissingHeaders },
        // A timestamp that is not an integer fails.
        { Secret, Body, "1531420618.5", Signature, 0, SlackSignatureCheck.InvalidTimestamp },
        { Secret, Body, "-1531420618", Signature, 0, SlackSignatureCheck.InvalidTimestamp },
        // Upper-case hex or another version prefix is not Slack's format.
        { Secret, Body, Timestamp, Signature.ToUpperInvariant(), 0, SlackSignatureCheck.InvalidSignature },
        { Secret, Body, Timestamp, "v1=" + Signature[3..], 0, SlackSignatureCheck.InvalidSignature },
        // A truncated signature fails.
        { Secret, Body, Timestamp, Signature[..^1], 0, SlackSignatureCheck.InvalidSignature },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verify_Case_GivesExpectedResult(string secret, string body, string? timestamp, string? signature, int nowOffsetSeconds, SlackSignatureCheck expected)
    {
        var time = new FakeTimeProvider(SignedAt.AddSeconds(nowOffsetSeconds));
        var verifier = new SlackRequestVerifier(secret, time);

        var result = verifier.Verify(Encoding.UTF8.GetBytes(body), timestamp, signature);

        Assert.Equal(expected, result);
    }

    [Fact]
    public void Verify_PublishedVectorWithTimestampNotMatchingSignature_Fails()
    {
        var time = new FakeTimeProvider(SignedAt.AddSeconds(1));
        var verifier = new SlackRequestVerifier(Secret, time);

        var result = verifier.Verify(Encoding.UTF8.GetBytes(Body), "1531420619", Signature);

        Assert.Equal(SlackSignatureCheck.InvalidSignature, result);
    }
}
