using System.Text.Json.Serialization;
using Tollgate.Storage;

namespace Tollgate.ChatHistory;

internal sealed class ChatHistoryOptions
{
    public const string Section = "ChatHistory";

    /// <summary>Days a conversation is kept after its last change; then it is erased.</summary>
    public int RetentionDays { get; set; } = 30;
}

/// <summary>One message as the chat page keeps it: who said it, the text, and the page's own notes (tokens, charge, rating).</summary>
internal sealed record ChatMessage(string? Role, string? Content, string? Meta = null, string? RequestId = null, string? Rating = null);

internal sealed record ChatHistorySettingsRequest(bool? Enabled);

internal sealed record ChatHistorySettings(string Object, bool Enabled, DateTimeOffset? EnabledAt, int RetentionDays);

internal sealed record ChatConversationRequest(string? Title, IReadOnlyList<ChatMessage>? Messages);

/// <summary>A conversation; <c>messages</c> only when one conversation is read, the count always.</summary>
internal sealed record ChatConversationDto(
    string Object, string Id, string Title, int MessageCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset ExpiresAt,
    IReadOnlyList<ChatMessage>? Messages)
{
    public static ChatConversationDto From(ChatConversation c, IReadOnlyList<ChatMessage> messages, bool withMessages) =>
        new("chat.conversation", c.Id, c.Title, messages.Count, c.CreatedAt, c.UpdatedAt, c.ExpiresAt, withMessages ? messages : null);
}

internal sealed record ChatHistoryList(string Object, bool Enabled, int RetentionDays, IReadOnlyList<ChatConversationDto> Data);

internal sealed record ChatHistoryDeleted(string Object, int Deleted);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatHistorySettingsRequest))]
[JsonSerializable(typeof(ChatHistorySettings))]
[JsonSerializable(typeof(ChatConversationRequest))]
[JsonSerializable(typeof(ChatConversationDto))]
[JsonSerializable(typeof(ChatHistoryList))]
[JsonSerializable(typeof(ChatHistoryDeleted))]
[JsonSerializable(typeof(IReadOnlyList<ChatMessage>))]
internal sealed partial class ChatHistoryJson : JsonSerializerContext;

/// <summary>Erases conversations whose retention has passed, once a minute, on the cluster's leader.</summary>
internal sealed class ChatHistoryRetention(IChatHistoryStore store, TimeProvider time, ILogger<ChatHistoryRetention> logger, Hosting.ILeadership leadership)
    : Hosting.PeriodicJob(time, logger, leadership)
{
    protected override string Doing => "Erasing expired chat history";

    public Task<int> EraseAsync(CancellationToken cancellationToken = default) => store.EraseExpiredAsync(Time.GetUtcNow(), cancellationToken);

    protected override Task RunPassAsync(CancellationToken cancellationToken) => EraseAsync(cancellationToken);
}

internal static class ChatHistoryServices
{
    public static IServiceCollection AddChatHistory(this IServiceCollection services)
    {
        services.AddOptions<ChatHistoryOptions>().BindConfiguration(ChatHistoryOptions.Section);
        services.AddSingleton<ChatHistoryEndpoint>();
        services.AddSingleton<ChatHistoryRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<ChatHistoryRetention>());
        return services;
    }

    public static void MapChatHistory(this RouteGroupBuilder v1)
    {
        v1.MapGet("/chat/history", (HttpContext http, ChatHistoryEndpoint history) => history.ListAsync(http));
        v1.MapDelete("/chat/history", (HttpContext http, ChatHistoryEndpoint history) => history.DeleteAsync(http, null));
        v1.MapPost("/chat/history", (HttpContext http, ChatHistoryEndpoint history) => history.SaveAsync(http, null));
        v1.MapPost("/chat/history/settings", (HttpContext http, ChatHistoryEndpoint history) => history.SettingsAsync(http));
        v1.MapGet("/chat/history/{id}", (HttpContext http, string id, ChatHistoryEndpoint history) => history.GetAsync(http, id));
        v1.MapPut("/chat/history/{id}", (HttpContext http, string id, ChatHistoryEndpoint history) => history.SaveAsync(http, id));
        v1.MapDelete("/chat/history/{id}", (HttpContext http, string id, ChatHistoryEndpoint history) => history.DeleteAsync(http, id));
    }
}
