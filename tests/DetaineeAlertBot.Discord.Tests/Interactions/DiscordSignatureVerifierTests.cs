using System.Text;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Interactions;
using NSec.Cryptography;

namespace DetaineeAlertBot.Discord.Tests.Interactions;

public class DiscordSignatureVerifierTests
{
    // Discord's PING body as sent by discord-interactions-js tests.
    private static readonly byte[] Ping = """{"id":"787053080478613555","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}"""u8.ToArray();
    private const string Timestamp = "1732617600";

    private static (DiscordSignatureVerifier Verifier, string Signature) Signed(byte[] body, string timestamp = Timestamp)
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var publicKey = Convert.ToHexString(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var signature = SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(timestamp).Concat(body).ToArray());
        return (new DiscordSignatureVerifier(publicKey), Convert.ToHexString(signature));
    }

    [Fact]
    public void Verify_Rfc8032Test2_Valid()
    {
        // RFC 8032 §7.1 TEST 2: message 0x72 ("r"), here split as timestamp "r" + empty body.
        var verifier = new DiscordSignatureVerifier("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        const string signature = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

        Assert.True(verifier.Verify(signature, "r", []));
        Assert.False(verifier.Verify(signature, "s", []));
    }

    [Fact]
    public void Verify_SignedPing_Valid()
    {
        var (verifier, signature) = Signed(Ping);

        Assert.True(verifier.Verify(signature, Timestamp, Ping));
    }

    [Fact]
    public async Task Verify_SignedByFakeDiscord_Valid()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        var verifier = new DiscordSignatureVerifier(fake.PublicKeyHex);

        Assert.True(verifier.Verify(fake.Sign(Timestamp, Ping), Timestamp, Ping));
    }

    [Fact]
    public void Verify_BodyTampered_Invalid()
    {
        var (verifier, signature) = Signed(Ping);
        var tampered = Ping.ToArray();
        tampered[^3] ^= 1;

        Assert.False(verifier.Verify(signature, Timestamp, tampered));
    }

    [Fact]
    public void Verify_TimestampTampered_Invalid()
    {
        var (verifier, signature) = Signed(Ping);

        Assert.False(verifier.Verify(signature, "1732617601", Ping));
    }

    [Fact]
    public void Verify_OtherKey_Invalid()
    {
        var (_, signature) = Signed(Ping);
        var (otherVerifier, _) = Signed(Ping);

        Assert.False(otherVerifier.Verify(signature, Timestamp, Ping));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("abcd")]
    [InlineData("not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-h")]
    public void Verify_MalformedSignature_InvalidWithoutThrowing(string? signature)
    {
        var (verifier, _) = Signed(Ping);

        Assert.False(verifier.Verify(signature, Timestamp, Ping));
    }

    [Fact]
    public void Verify_MissingTimestamp_Invalid()
    {
        var (verifier, signature) = Signed(Ping);

        Assert.False(verifier.Verify(signature, null, Ping));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1234")]
    [InlineData("zz4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")]
    public void Constructor_MalformedPublicKey_Throws(string key)
    {
        Assert.False(DiscordSignatureVerifier.IsValidPublicKey(key));
        Assert.Throws<FormatException>(() => new DiscordSignatureVerifier(key));
    }
}
