using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Tollgate.Gateway;
using Tollgate.Gateway.Stages;
using Tollgate.Storage;

namespace Tollgate.Feedback;

/// <summary>
/// <c>POST /v1/feedback</c>: a customer rates one of its own responses up or down. The rating is
/// always kept; a comment only when the customer sets <c>retain_comment</c>, and then only for
/// <see cref="FeedbackOptions.CommentRetentionDays"/> days.
/// </summary>
internal sealed class FeedbackEndpoint(Authenticate authenticate, IFeedbackStore store, IOptions<FeedbackOptions> options, TimeProvider time)
{
    public const int MaxCommentLength = 4000;

    public async Task PostAsync(HttpContext http)
    {
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow());
        if (authenticate.Run(request) is { } error)
        {
            await ApiErrorWriter.WriteAsync(http, error);
            return;
        }
        FeedbackRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(http.Request.Body, FeedbackJson.Default.FeedbackRequest, http.RequestAborted);
        }
        catch (JsonException)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.InvalidRequest("We could not parse the JSON body of your request. Send a JSON object."));
            return;
        }
        if (Check(body) is { } invalid)
        {
            await ApiErrorWriter.WriteAsync(http, invalid);
            return;
        }
        var model = await store.ModelOfRequestAsync(request.Customer.Id, body!.RequestId!, http.RequestAborted);
        if (model is null)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.ResourceMissing($"No request '{body.RequestId}' of this account has been recorded.", "request_id"));
            return;
        }
        var now = time.GetUtcNow();
        var keep = body.RetainComment == true && !string.IsNullOrWhiteSpace(body.Comment);
        var expires = keep ? now.AddDays(options.Value.CommentRetentionDays) : (DateTimeOffset?)null;
        await store.SaveAsync(new FeedbackRecord(body.RequestId!, request.Customer.Id, model, body.Rating!, keep ? body.Comment : null, expires, now),
            http.RequestAborted);
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(
            new FeedbackResponse("feedback", body.RequestId!, model, body.Rating!, keep, expires), FeedbackJson.Default.FeedbackResponse));
    }

    private static ApiError? Check(FeedbackRequest? body)
    {
        if (body is null) return ApiError.InvalidRequest("The request body must be a JSON object.");
        if (string.IsNullOrEmpty(body.RequestId) || body.RequestId.Length > 100)
            return ApiError.InvalidRequest("You must provide a request_id (the x-request-id of the response).", "request_id", "missing_required_parameter");
        if (body.Rating is not ("up" or "down")) return ApiError.InvalidRequest("'rating' must be 'up' or 'down'.", "rating");
        if (body.Comment is { Length: > MaxCommentLength }) return ApiError.InvalidRequest($"'comment' is at most {MaxCommentLength} characters.", "comment");
        return null;
    }
}

internal sealed class FeedbackOptions
{
    public const string Section = "Feedback";

    public int CommentRetentionDays { get; set; } = 30;
}

internal sealed record FeedbackRequest(string? RequestId, string? Rating, string? Comment, bool? RetainComment);

internal sealed record FeedbackResponse(string Object, string RequestId, string Model, string Rating, bool CommentRetained, DateTimeOffset? CommentExpiresAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(FeedbackRequest))]
[JsonSerializable(typeof(FeedbackResponse))]
internal sealed partial class FeedbackJson : JsonSerializerContext;

/// <summary>Erases comment text once its retention has passed, once a minute, on the cluster's leader.</summary>
internal sealed class FeedbackRetention(IFeedbackStore store, TimeProvider time, ILogger<FeedbackRetention> logger, Hosting.ILeadership leadership)
    : Hosting.PeriodicJob(time, logger, leadership)
{
    protected override string Doing => "Erasing expired feedback comments";

    public Task<int> EraseAsync(CancellationToken cancellationToken = default) => store.EraseExpiredCommentsAsync(Time.GetUtcNow(), cancellationToken);

    protected override Task RunPassAsync(CancellationToken cancellationToken) => EraseAsync(cancellationToken);
}
