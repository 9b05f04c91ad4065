using System.Text.Json;
using Microsoft.Extensions.Options;
using Tollgate.Gateway.Stages;
using Tollgate.Storage;

namespace Tollgate.Gateway.Responses;

/// <summary>
/// Response storage (configuration section <c>ResponseStorage</c>). Off by default: prompts and
/// answers never reach disk unless the operator turns it on.
/// </summary>
internal sealed class ResponseStorageOptions
{
    public const string Section = "ResponseStorage";

    /// <summary>When on, a request with <c>store: true</c> keeps its response for the key that sent it.</summary>
    public bool Enabled { get; set; }

    /// <summary>Days a stored response is kept; then it is erased.</summary>
    public int RetentionDays { get; set; } = 30;
}

/// <summary>
/// Keeps and serves stored responses: <c>store: true</c> answers (only while the operator's switch
/// is on), <c>GET</c> and <c>DELETE /v1/responses/{id}</c> with the key that created them. Another
/// key, even of the same customer, finds nothing (404). Nothing here logs response text.
/// </summary>
internal sealed partial class ResponseStorage(IResponseStore store, Authenticate authenticate, IOptions<ResponseStorageOptions> options,
    IOptions<GatewayOptions> gateway, TimeProvider time, ILogger<ResponseStorage> logger)
{
    public bool Enabled => options.Value.Enabled;

    /// <summary>
    /// A fresh surface for one <c>POST /v1/responses</c>, which may store its answer only while
    /// storage is on. Then a <c>previous_response_id</c> is looked up first, for the key the request
    /// presents: the body is read here (in memory, within the gateway's size limit) and given back
    /// to the pipeline unchanged. Whatever goes wrong here (no length, bad JSON, a wrong key) is left
    /// to the pipeline, which refuses it in its usual way.
    /// </summary>
    public async Task<ResponsesSurface> SurfaceAsync(HttpContext http)
    {
        if (!Enabled) return new ResponsesSurface();
        var length = http.Request.ContentLength;
        if (length is not { } known || known > gateway.Value.MaxRequestBytes) return new ResponsesSurface { Storage = this };
        var body = new byte[known];
        await http.Request.Body.ReadExactlyAsync(body, http.RequestAborted);
        http.Request.Body = new MemoryStream(body, writable: false);
        string? previousId;
        try
        {
            using var document = JsonDocument.Parse(body);
            previousId = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("previous_response_id", out var named)
                && named.ValueKind == JsonValueKind.String ? named.GetString() : null;
        }
        catch (JsonException)
        {
            previousId = null;
        }
        if (previousId is null) return new ResponsesSurface { Storage = this };
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow());
        var kept = authenticate.Run(request) is null ? await store.GetAsync(request.Key.Id, previousId, http.RequestAborted) : null;
        return new ResponsesSurface { Storage = this, PreviousResponseId = previousId, Previous = kept?.Conversation };
    }

    /// <summary>
    /// Keeps the answer before the client is sent its last bytes. A failure is logged and the answer
    /// still goes out: it was served and billed, only not kept.
    /// </summary>
    public async Task KeepAsync(GatewayRequest request, string id, byte[] answer, byte[] inputItems)
    {
        var now = time.GetUtcNow();
        try
        {
            await store.SaveAsync(new KeptResponse(id, request.Key.Id, request.Customer.Id, System.Text.Encoding.UTF8.GetString(answer),
                Conversation(inputItems, answer), now, now.AddDays(options.Value.RetentionDays)), CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogNotKept(logger, ex, request.RequestId);
        }
    }

    /// <summary>The input items so far, then the answer's output items: the conversation a later request continues.</summary>
    private static string Conversation(byte[] inputItems, byte[] answer)
    {
        using var output = JsonDocument.Parse(answer);
        using var input = JsonDocument.Parse(inputItems.Length == 0 ? "[]"u8.ToArray() : inputItems);
        return System.Text.Encoding.UTF8.GetString(Surfaces.ChatAnswer.Json(w =>
        {
            w.WriteStartArray();
            foreach (var item in input.RootElement.EnumerateArray()) item.WriteTo(w);
            foreach (var item in output.RootElement.GetProperty("output").EnumerateArray()) item.WriteTo(w);
            w.WriteEndArray();
        }));
    }

    public Task GetAsync(HttpContext http, string id) => WithKeyAsync(http, async key =>
    {
        if (await store.GetAsync(key.Id, id, http.RequestAborted) is not { } stored)
        {
            await ApiErrorWriter.WriteAsync(http, NotFound(id));
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(stored.Response, http.RequestAborted);
    });

    public Task DeleteAsync(HttpContext http, string id) => WithKeyAsync(http, async key =>
    {
        if (await store.DeleteAsync(key.Id, id, http.RequestAborted) == 0)
        {
            await ApiErrorWriter.WriteAsync(http, NotFound(id));
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(Surfaces.ChatAnswer.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", "response");
            w.WriteBoolean("deleted", true);
            w.WriteEndObject();
        }), http.RequestAborted);
    });

    public Task EraseExpiredAsync(CancellationToken cancellationToken = default) => store.EraseExpiredAsync(time.GetUtcNow(), cancellationToken);

    private static ApiError NotFound(string id) => new(StatusCodes.Status404NotFound, "invalid_request_error", "response_not_found",
        $"No response with id '{id}' is stored for this API key.");

    private async Task WithKeyAsync(HttpContext http, Func<Catalog.KeyEntry, Task> action)
    {
        if (!Enabled)
        {
            await ApiErrorWriter.WriteAsync(http, ResponsesSurface.NotStored());
            return;
        }
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow());
        if (authenticate.Run(request) is { } error)
        {
            await ApiErrorWriter.WriteAsync(http, error);
            return;
        }
        await action(request.Key);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The response of request {RequestId} was served but could not be stored")]
    private static partial void LogNotKept(ILogger logger, Exception exception, string requestId);
}

/// <summary>Erases stored responses whose retention has passed, once a minute, on the cluster's leader.</summary>
internal sealed class ResponseStorageRetention(ResponseStorage storage, TimeProvider time, ILogger<ResponseStorageRetention> logger, Hosting.ILeadership leadership)
    : Hosting.PeriodicJob(time, logger, leadership)
{
    protected override string Doing => "Erasing expired stored responses";

    // Runs whether storage is on or off: responses kept before the switch was turned off still go at their time.
    protected override Task RunPassAsync(CancellationToken cancellationToken) => storage.EraseExpiredAsync(cancellationToken);
}

internal static class ResponseStorageServices
{
    public static IServiceCollection AddResponseStorage(this IServiceCollection services)
    {
        services.AddOptions<ResponseStorageOptions>().BindConfiguration(ResponseStorageOptions.Section)
            .Validate(o => o.RetentionDays is >= 1 and <= 3650, "ResponseStorage:RetentionDays must be 1 to 3650.").ValidateOnStart();
        services.AddSingleton<ResponseStorage>();
        services.AddSingleton<ResponseStorageRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<ResponseStorageRetention>());
        return services;
    }
}
