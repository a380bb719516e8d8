namespace DetaineeAlertBot.Storage;

/// <summary>StorageException is a database failure we can name: its message says what happened and what to do.
/// The provider's exception is kept as the inner exception.</summary>
public sealed class StorageException(string message, Exception innerException) : Exception(message, innerException);
