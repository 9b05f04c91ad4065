using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Tollgate.Gateway;
using Tollgate.Hosting;
using Tollgate.Gateway.Stages;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.ChatHistory;

/// <summary>
/// <c>/v1/chat/history</c>: the chat page's conversations kept on the server, only for a key that
/// turned history on, only readable and deletable with that key, and erased
/// <see cref="ChatHistoryOptions.RetentionDays"/> days after their last change. Message text is
/// never logged: nothing here logs at all.
/// </summary>
internal sealed class ChatHistoryEndpoint(Authenticate authenticate, IChatHistoryStore store, IOptions<ChatHistoryOptions> options, TimeProvider time)
{
    public const int MaxMessages = 500;
    public const int MaxDocumentBytes = 1_000_000;
    public const int MaxTitleLength = 200;

    private static readonly string[] Roles = ["user", "assistant", "error"];

    public Task ListAsync(HttpContext http) => RunAsync(http, async key =>
    {
        var enabled = await store.EnabledAtAsync(key.Id, http.RequestAborted) is not null;
        var list = await store.ListAsync(key.Id, http.RequestAborted);
        await WriteAsync(http, StatusCodes.Status200OK, new ChatHistoryList("list", enabled, options.Value.RetentionDays,
            [.. list.Select(c => ChatConversationDto.From(c, Messages(c), withMessages: false))]), ChatHistoryJson.Default.ChatHistoryList);
    });

    public Task SettingsAsync(HttpContext http) => RunAsync(http, async key =>
    {
        if (await ReadAsync(http, ChatHistoryJson.Default.ChatHistorySettingsRequest) is not { Enabled: { } enabled })
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.InvalidRequest("Send {\"enabled\": true} to keep conversations on the server, or false to stop and erase them.", "enabled"));
            return;
        }
        await store.SetEnabledAsync(key.Id, key.CustomerId, enabled ? time.UtcNowStored() : null, http.RequestAborted);
        await WriteAsync(http, StatusCodes.Status200OK,
            new ChatHistorySettings("chat.history_settings", enabled, await store.EnabledAtAsync(key.Id, http.RequestAborted), options.Value.RetentionDays),
            ChatHistoryJson.Default.ChatHistorySettings);
    });

    public Task GetAsync(HttpContext http, string id) => RunAsync(http, async key =>
    {
        if (await store.GetAsync(key.Id, id, http.RequestAborted) is not { } conversation)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.NotFound($"No conversation '{id}' is kept for this key."));
            return;
        }
        await WriteAsync(http, StatusCodes.Status200OK, ChatConversationDto.From(conversation, Messages(conversation), withMessages: true),
            ChatHistoryJson.Default.ChatConversationDto);
    });

    /// <summary>Creates (POST, <paramref name="id"/> null) or replaces (PUT) a conversation; refused while history is off.</summary>
    public Task SaveAsync(HttpContext http, string? id) => RunAsync(http, async key =>
    {
        if (await store.EnabledAtAsync(key.Id, http.RequestAborted) is null)
        {
            await ApiErrorWriter.WriteAsync(http, new ApiError(StatusCodes.Status409Conflict, "invalid_request_error", "chat_history_off",
                "Chat history is off for this key: turn it on with POST /v1/chat/history/settings {\"enabled\": true} first."));
            return;
        }
        if (http.Request.ContentLength > MaxDocumentBytes)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.InvalidRequest($"A conversation is at most {MaxDocumentBytes:N0} bytes.", "messages"));
            return;
        }
        var body = await ReadAsync(http, ChatHistoryJson.Default.ChatConversationRequest);
        if (Check(body) is { } invalid)
        {
            await ApiErrorWriter.WriteAsync(http, invalid);
            return;
        }
        var now = time.UtcNowStored();
        var existing = id is null ? null : await store.GetAsync(key.Id, id, http.RequestAborted);
        if (id is not null && existing is null)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.NotFound($"No conversation '{id}' is kept for this key."));
            return;
        }
        var messages = JsonSerializer.Serialize(body!.Messages!, ChatHistoryJson.Default.IReadOnlyListChatMessage);
        if (messages.Length > MaxDocumentBytes)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.InvalidRequest($"A conversation is at most {MaxDocumentBytes:N0} bytes.", "messages"));
            return;
        }
        var conversation = new ChatConversation(existing?.Id ?? RandomText.Id("conv_"), key.Id, key.CustomerId, Title(body), messages,
            existing?.CreatedAt ?? now, now, now.AddDays(options.Value.RetentionDays));
        if (!await store.SaveAsync(conversation, http.RequestAborted))
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.NotFound($"No conversation '{id}' is kept for this key."));
            return;
        }
        await WriteAsync(http, existing is null ? StatusCodes.Status201Created : StatusCodes.Status200OK,
            ChatConversationDto.From(conversation, body.Messages!, withMessages: false), ChatHistoryJson.Default.ChatConversationDto);
    });

    /// <summary>Deletes one conversation, or with a null <paramref name="id"/> every conversation of the key (history stays on).</summary>
    public Task DeleteAsync(HttpContext http, string? id) => RunAsync(http, async key =>
    {
        var deleted = await store.DeleteAsync(key.Id, id, http.RequestAborted);
        if (id is not null && deleted == 0)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.NotFound($"No conversation '{id}' is kept for this key."));
            return;
        }
        await WriteAsync(http, StatusCodes.Status200OK, new ChatHistoryDeleted("chat.history_deleted", deleted), ChatHistoryJson.Default.ChatHistoryDeleted);
    });

    private async Task RunAsync(HttpContext http, Func<Catalog.KeyEntry, Task> action)
    {
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow());
        if (authenticate.Run(request) is { } error)
        {
            await ApiErrorWriter.WriteAsync(http, error);
            return;
        }
        try
        {
            await action(request.Key);
        }
        catch (JsonException)
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.InvalidRequest("We could not parse the JSON body of your request. Send a JSON object."));
        }
    }

    private static ApiError? Check(ChatConversationRequest? body)
    {
        if (body?.Messages is not { } messages) return ApiError.InvalidRequest("'messages' is required: the conversation's messages in order.", "messages");
        if (messages.Count > MaxMessages) return ApiError.InvalidRequest($"A conversation keeps at most {MaxMessages} messages.", "messages");
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not { Role: { } role, Content: not null } || !Roles.Contains(role))
                return ApiError.InvalidRequest($"'messages[{i}]' needs a 'role' (user, assistant or error) and a 'content' string.", $"messages[{i}]");
        }
        if (body.Title is { Length: > MaxTitleLength }) return ApiError.InvalidRequest($"'title' is at most {MaxTitleLength} characters.", "title");
        return null;
    }

    /// <summary>The given title, else the start of the first question.</summary>
    private static string Title(ChatConversationRequest body)
    {
        if (!string.IsNullOrWhiteSpace(body.Title)) return body.Title.Trim();
        var first = body.Messages!.FirstOrDefault(m => m.Role == "user")?.Content?.Trim() ?? "";
        first = first.ReplaceLineEndings(" ");
        return first.Length == 0 ? "Conversation" : first.Length <= 60 ? first : first[..60] + "…";
    }

    private static IReadOnlyList<ChatMessage> Messages(ChatConversation c) =>
        JsonSerializer.Deserialize(c.Messages, ChatHistoryJson.Default.IReadOnlyListChatMessage) ?? [];

    private static async Task<T?> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> type) =>
        http.Request.ContentLength == 0 ? default : await JsonSerializer.DeserializeAsync(http.Request.Body, type, http.RequestAborted);

    private static async Task WriteAsync<T>(HttpContext http, int status, T document, JsonTypeInfo<T> type)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(document, type), http.RequestAborted);
    }
}
