namespace Tollgate.Storage;

/// <summary>A rating of one served request; the comment only when the customer asked for it to be kept, until it expires.</summary>
internal sealed record FeedbackRecord(string RequestId, string CustomerId, string ModelId, string Rating, string? Comment, DateTimeOffset? CommentExpiresAt,
    DateTimeOffset CreatedAt);

/// <summary>Ratings per UTC day and model; <c>Comments</c> counts comments still kept.</summary>
internal sealed record FeedbackDay(string Day, string ModelId, long Up, long Down, long Comments);

internal interface IFeedbackStore
{
    /// <summary>The model of the customer's request with this id, or null when the customer made no such request.</summary>
    Task<string?> ModelOfRequestAsync(string customerId, string requestId, CancellationToken cancellationToken = default);

    /// <summary>Stores the rating, replacing an earlier one of the same request.</summary>
    Task SaveAsync(FeedbackRecord feedback, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<FeedbackDay>> SummaryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Erases comment text whose retention ended; returns how many.</summary>
    Task<int> EraseExpiredCommentsAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}
