using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Storage.Sql;

[JsonSerializable(typeof(IReadOnlyCollection<string>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
