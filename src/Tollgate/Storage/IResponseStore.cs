namespace Tollgate.Storage;

/// <summary>
/// A Responses API answer kept because the operator turned response storage on and the request
/// asked for it (<c>store: true</c>): the response object as the client received it, readable and
/// deletable only with the key that created it, erased at <see cref="ExpiresAt"/>. <see cref="Conversation"/>
/// is the conversation up to and including this answer, as Responses input items, which a later
/// request continues with <c>previous_response_id</c>.
/// </summary>
internal sealed record KeptResponse(string Id, string KeyId, string CustomerId, string Response, string Conversation, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>Stored responses, per key; every erasure takes the text out of the database files too.</summary>
internal interface IResponseStore
{
    Task SaveAsync(KeptResponse response, CancellationToken cancellationToken = default);

    /// <summary>Null when no response of that id is kept for that key (another key's is never found).</summary>
    Task<KeptResponse?> GetAsync(string keyId, string id, CancellationToken cancellationToken = default);

    /// <summary>Erases one response of the key; returns how many rows went (0 or 1).</summary>
    Task<int> DeleteAsync(string keyId, string id, CancellationToken cancellationToken = default);

    Task<int> EraseExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}
