using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Feeds;

namespace DetaineeAlertBot.Core.Tests.Cases;

public sealed class SharedValuesTests
{
    [Fact]
    public void Parse_RepeatedFieldValues_AreOneInstanceEach_AndReadAsWritten()
    {
        var document = Encoding.UTF8.GetBytes("""
            [{"id": "a", "name": "A", "status": "detained", "country": "Iran", "nationality": "Germany", "heldBy": "Judiciary", "location": "Evin Prison"},
             {"id": "b", "name": "B", "status": "detained", "country": "Iran", "nationality": "Germany", "heldBy": "Judiciary", "location": "Evin Prison"}]
            """);

        var cases = CaseFeedParser.Parse("feed", document).Cases;

        Assert.Equal(("Iran", "Germany", "Judiciary", "Evin Prison"), (cases[0].Country, cases[0].Nationality, cases[0].HeldBy, cases[0].Location));
        Assert.Same(cases[0].Country, cases[1].Country);
        Assert.Same(cases[0].Nationality, cases[1].Nationality);
        Assert.Same(cases[0].HeldBy, cases[1].HeldBy);
        Assert.Same(cases[0].Location, cases[1].Location);
    }

    [Fact]
    public void Of_EqualValues_GiveOneInstance_LongOnesAreKeptAsTheyAre()
    {
        var first = new string("Ministry of Intelligence".AsSpan());
        var second = new string("Ministry of Intelligence".AsSpan());
        var longValue = new string('x', SharedValues.MaxLength + 1);

        Assert.Same(SharedValues.Of(first), SharedValues.Of(second));
        Assert.Equal("Ministry of Intelligence", SharedValues.Of(second));
        Assert.Same(longValue, SharedValues.Of(longValue));
        Assert.Null(SharedValues.Of(null));
    }
}
