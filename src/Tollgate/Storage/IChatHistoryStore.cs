namespace Tollgate.Storage;

/// <summary>
/// One conversation of the chat page kept on the server for the key that opted in: its messages
/// as one JSON document, erased at <see cref="ExpiresAt"/> (retention after the last change).
/// </summary>
internal sealed record ChatConversation(
    string Id, string KeyId, string CustomerId, string Title, string Messages, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset ExpiresAt);

/// <summary>Server-side chat history: off unless a key turns it on; listed, replaced and deleted per key only.</summary>
internal interface IChatHistoryStore
{
    /// <summary>When the key turned history on, or null when it is off.</summary>
    Task<DateTimeOffset?> EnabledAtAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Turns history on for the key (keeping an earlier start), or off — which deletes every conversation of the key.</summary>
    Task SetEnabledAsync(string keyId, string customerId, DateTimeOffset? enabledAt, CancellationToken cancellationToken = default);

    /// <summary>Writes the conversation as it now is (insert or replace); false when the id belongs to another key.</summary>
    Task<bool> SaveAsync(ChatConversation conversation, CancellationToken cancellationToken = default);

    /// <summary>The key's conversations, most recently changed first.</summary>
    Task<IReadOnlyList<ChatConversation>> ListAsync(string keyId, CancellationToken cancellationToken = default);

    Task<ChatConversation?> GetAsync(string keyId, string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes one conversation of the key, or all of them with a null id; returns how many.</summary>
    Task<int> DeleteAsync(string keyId, string? id, CancellationToken cancellationToken = default);

    /// <summary>Erases conversations whose retention ended; returns how many.</summary>
    Task<int> EraseExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}
