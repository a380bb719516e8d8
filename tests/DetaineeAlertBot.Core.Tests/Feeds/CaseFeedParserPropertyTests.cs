using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Feeds;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DetaineeAlertBot.Core.Tests.Feeds;

/// <summary>Generated documents. The seeds are fixed (Replay) so every run checks the same inputs and a failure
/// reproduces; FsCheck prints the seed and the smallest failing input it finds.</summary>
public class CaseFeedParserPropertyTests
{
    private const string Seed = "(20261203,1357911)";

    /// <summary>(a) Valid documents broken at random places: the parser never throws, and what it reports adds up.</summary>
    [Property(MaxTest = 2500, Replay = Seed, Arbitrary = [typeof(FeedArbitraries)])]
    public bool MutatedDocument_NeverThrowsAndAccountsForEveryRecord(MutatedDocument document)
    {
        var result = CaseFeedParser.Parse("feed", document.Bytes);

        // Reasons go to logs and chat: none may carry a control or format character the feed slipped in.
        if (!result.IsValid) return result.Cases.Count == 0 && result.Rejections.Count == 0 && UntrustedText.IdProblem(result.DocumentError!) is null;
        return result.Cases.Count + result.RejectedCount == result.RecordCount
            && result.Rejections.Count == Math.Min(result.RejectedCount, FeedParseResult.MaxRejectionsKept)
            && result.Cases.All(c => UntrustedText.IdProblem(c.Id) is null && ReferenceEquals(c.Name, UntrustedText.CleanLine(c.Name)) && c.Name.Length > 0)
            && result.Rejections.All(r => r.Reason.Length > 0 && UntrustedText.IdProblem(r.Reason) is null && r.Index >= 0 && r.Index < result.RecordCount);
    }

    /// <summary>(b) Valid records interleaved with bad ones of every kind: each valid one applies, each bad one is
    /// rejected at its index with its id, whatever path (whole document or record by record) the parser takes.</summary>
    [Property(MaxTest = 600, Replay = Seed, Arbitrary = [typeof(FeedArbitraries)])]
    public void MixedDocument_AppliesEveryValidRecordAndRejectsEveryBadOne(MixedDocument document)
    {
        var result = CaseFeedParser.Parse("feed", document.Bytes);

        Assert.True(result.IsValid, result.DocumentError);
        var expectedValid = document.Records.Where(r => r.Bad is null).ToList();
        var expectedBad = document.Records.Select((r, index) => (r, index)).Where(x => x.r.Bad is not null).ToList();
        Assert.Equal(expectedValid.Select(r => (r.Id, r.Name)), result.Cases.Select(c => (c.Id, c.Name)));
        Assert.Equal(expectedBad.Count, result.RejectedCount);
        Assert.Equal(expectedBad.Select(x => x.index), result.Rejections.Select(r => r.Index));
        Assert.Equal(expectedBad.Select(x => x.r.Id).ToHashSet(), result.RejectedIds.ToHashSet());
        Assert.Equal(0, result.RejectedWithoutId);
        Assert.Equal(document.Records.Count, result.RecordCount);
    }
}

public sealed record MutatedDocument(byte[] Bytes, string Mutations)
{
    public override string ToString() => $"{Mutations}: {Encoding.UTF8.GetString(Bytes)}";
}

public enum BadKind { LoneSurrogate, InvalidEscape, RawInvalidBytes, SlashDate, DateTimeWithoutOffset, ControlCharInId, NameOverCap, UnknownStatus, MissingName }

public sealed record GeneratedRecord(string Id, string Name, BadKind? Bad, string Json);

public sealed record MixedDocument(IReadOnlyList<GeneratedRecord> Records, bool Wrapped)
{
    public byte[] Bytes
    {
        get
        {
            var array = Encoding.UTF8.GetBytes("[" + string.Join(",\n", Records.Select(r => r.Json)) + "]");
            // Raw invalid bytes cannot be written in a C# string: the marker stands for them.
            array = Replace(array, "<0xFF>"u8.ToArray(), [0xFF, 0xC0]);
            return Wrapped ? [.. "{ \"source\": \"generated\", \"cases\": "u8.ToArray(), .. array, .. " }"u8.ToArray()] : array;
        }
    }

    public override string ToString() => Encoding.UTF8.GetString(Bytes);

    private static byte[] Replace(byte[] bytes, byte[] marker, byte[] with)
    {
        var output = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes.AsSpan(i).StartsWith(marker))
            {
                output.AddRange(with);
                i += marker.Length - 1;
            }
            else
            {
                output.Add(bytes[i]);
            }
        }
        return [.. output];
    }
}

public static class FeedArbitraries
{
    private static readonly string[] Names =
    [
        "Amir Amiry", "Мира Мутова", "امیر امیری", "José Ramírez", "李明", "Nguyễn Văn An", "O'Brien \"Junior\"", "Sarah Hartsfield",
        "क्षत्रिय", "Ali\u200CReza", "Back\\slash",
    ];

    private static readonly string[] Statuses = ["missing", "detained", "charged", "on_trial", "convicted", "sentenced", "acquitted", "released", "transferred", "deceased", "unknown"];

    private static readonly Gen<string> Date =
        from year in Gen.Choose(1990, 2030)
        from month in Gen.Choose(1, 12)
        from day in Gen.Choose(1, 28)
        select $"{year:D4}-{month:D2}-{day:D2}";

    private static readonly Gen<string> Timestamp =
        from date in Date
        from hour in Gen.Choose(0, 23)
        from minute in Gen.Choose(0, 59)
        from offset in Gen.Elements("Z", "+02:00", "-05:30", "+00:00")
        select $"{date}T{hour:D2}:{minute:D2}:00{offset}";

    private static Gen<string?> Optional(Gen<string> gen) =>
        Gen.Frequency((1, Gen.Constant<string?>(null)), (2, gen.Select(s => (string?)s)));

    private static Gen<GeneratedRecord> ValidRecord(string id) =>
        from name in Gen.Elements(Names)
        from status in Gen.Elements(Statuses)
        from since in Optional(Gen.OneOf(Date, Timestamp))
        from updated in Optional(Gen.OneOf(Date, Timestamp))
        from country in Optional(Gen.Elements("Afghanistan", "Iran", "Россия", "Côte d'Ivoire"))
        select new GeneratedRecord(id, name, null, RecordJson(id, name, status, since, updated, country));

    private static Gen<GeneratedRecord> BadRecord(string id) =>
        from kind in Gen.Elements(Enum.GetValues<BadKind>())
        from name in Gen.Elements(Names)
        select new GeneratedRecord(kind == BadKind.ControlCharInId ? id + "\u0007" : id, name, kind, kind switch
        {
            BadKind.LoneSurrogate => $$"""{"id":"{{id}}","name":"{{name[..1]}}\ud800","status":"detained"}""",
            BadKind.InvalidEscape => $$"""{"id":"{{id}}","name":"bad \x escape","status":"detained"}""",
            BadKind.RawInvalidBytes => $$"""{"id":"{{id}}","name":"raw <0xFF> bytes","status":"detained"}""",
            BadKind.SlashDate => RecordJson(id, name, "detained", "03/04/2025", null, null),
            BadKind.DateTimeWithoutOffset => RecordJson(id, name, "detained", null, "2025-03-04T10:00:00", null),
            BadKind.ControlCharInId => RecordJson(id + "\u0007", name, "detained", null, null, null),
            BadKind.NameOverCap => RecordJson(id, new string('n', CaseFeedParser.MaxNameLength + 1), "detained", null, null, null),
            BadKind.UnknownStatus => RecordJson(id, name, "jailed", null, null, null),
            _ => $$"""{"id":"{{id}}","status":"detained"}""",
        });

    private static string RecordJson(string id, string name, string status, string? since, string? updated, string? country)
    {
        var fields = new List<string> { $"\"id\":{JsonSerializer.Serialize(id)}", $"\"name\":{JsonSerializer.Serialize(name)}", $"\"status\":\"{status}\"" };
        if (since is not null) fields.Add($"\"statusSince\":\"{since}\"");
        if (updated is not null) fields.Add($"\"updatedAt\":\"{updated}\"");
        if (country is not null) fields.Add($"\"country\":{JsonSerializer.Serialize(country)}");
        return "{" + string.Join(",", fields) + "}";
    }

    private static Gen<IReadOnlyList<GeneratedRecord>> Records(int badWeight) =>
        from count in Gen.Choose(0, 60)
        from kinds in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(false)), (badWeight, Gen.Constant(true))), count)
        from records in kinds.Select((bad, i) => bad ? BadRecord($"b-{i}") : ValidRecord($"v-{i}")).ToArray().Pipe(Sequence)
        select (IReadOnlyList<GeneratedRecord>)records;

    public static Arbitrary<MixedDocument> Mixed() =>
        Arb.From(from records in Records(badWeight: 2)
                 from wrapped in Gen.Elements(true, false)
                 select new MixedDocument(records, wrapped));

    private enum Mutation { LoneSurrogateEscape, Truncate, FlipByte, ControlChar, DuplicateBracket, InvalidEscape, DeleteByte }

    public static Arbitrary<MutatedDocument> Mutated() =>
        Arb.From(from records in Records(badWeight: 1)
                 from wrapped in Gen.Elements(true, false)
                 from mutations in Gen.ListOf(from kind in Gen.Elements(Enum.GetValues<Mutation>())
                                                  from position in Gen.Choose(0, int.MaxValue)
                                                  from value in Gen.Choose(0, 255)
                                                  select (kind, position, value))
                 select Mutate(new MixedDocument(records, wrapped).Bytes, mutations));

    private static MutatedDocument Mutate(byte[] original, IEnumerable<(Mutation Kind, int Where, int Value)> mutations)
    {
        var bytes = new List<byte>(original);
        var applied = new List<string>();
        foreach (var (kind, where, value) in mutations.Take(8))
        {
            var at = bytes.Count == 0 ? 0 : where % (bytes.Count + 1);
            switch (kind)
            {
                case Mutation.LoneSurrogateEscape:
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes(value % 2 == 0 ? "\\ud800" : "\\udfff"));
                    break;
                case Mutation.Truncate:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case Mutation.FlipByte when bytes.Count > 0:
                    bytes[at % bytes.Count] ^= (byte)(value | 1);
                    break;
                case Mutation.ControlChar:
                    bytes.Insert(at, (byte)(value % 32));
                    break;
                case Mutation.DuplicateBracket:
                    var bracket = bytes.FindIndex(Math.Min(at, bytes.Count), b => b is (byte)'[' or (byte)']' or (byte)'{' or (byte)'}');
                    if (bracket >= 0) bytes.Insert(bracket, bytes[bracket]);
                    break;
                case Mutation.InvalidEscape:
                    bytes.InsertRange(at, "\\x"u8.ToArray());
                    break;
                case Mutation.DeleteByte when bytes.Count > 0:
                    bytes.RemoveAt(at % bytes.Count);
                    break;
            }
            applied.Add($"{kind}@{at}/{value}");
        }
        return new MutatedDocument([.. bytes], applied.Count == 0 ? "unmutated" : string.Join(", ", applied));
    }

    private static Gen<GeneratedRecord[]> Sequence(Gen<GeneratedRecord>[] gens) =>
        gens.Aggregate(Gen.Constant(Array.Empty<GeneratedRecord>()), (all, next) => from a in all from n in next select (GeneratedRecord[])[.. a, n]);

    private static TOut Pipe<TIn, TOut>(this TIn input, Func<TIn, TOut> f) => f(input);
}
