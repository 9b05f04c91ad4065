using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Webhooks;

/// <summary>One POST as the receiver got it: the raw body (what the signature covers) and Tollgate's headers.</summary>
internal sealed record ReceivedWebhook(string Path, string Body, string? Signature, string? EventId, string? EventType, string? DeliveryId)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
}

/// <summary>
/// A webhook receiver on loopback (Kestrel, port chosen by the OS) that keeps every request and
/// answers with the status codes it was told, in order, then with <see cref="DefaultStatus"/>.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentQueue<int> _statuses = new();

    private WebhookReceiver()
    {
    }

    public int Port { get; private set; }

    public int DefaultStatus { get; set; } = StatusCodes.Status200OK;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        (receiver._app, receiver.Port) = await LoopbackServer.StartAsync(app => app.MapPost("/{**path}", receiver.HandleAsync));
        return receiver;
    }

    public string Url(string path = "hooks") => $"http://127.0.0.1:{Port}/{path}";

    /// <summary>The next requests get these statuses, one each.</summary>
    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses) _statuses.Enqueue(status);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = http.Request.Headers;
        _received.Enqueue(new ReceivedWebhook(http.Request.Path, body, headers["Tollgate-Signature"].FirstOrDefault(), headers["Tollgate-Event-Id"].FirstOrDefault(),
            headers["Tollgate-Event-Type"].FirstOrDefault(), headers["Tollgate-Delivery-Id"].FirstOrDefault()));
        http.Response.StatusCode = _statuses.TryDequeue(out var status) ? status : DefaultStatus;
    }
}
