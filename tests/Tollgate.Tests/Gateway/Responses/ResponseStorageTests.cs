using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Gateway.Responses;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tests.Security;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway.Responses;

/// <summary>
/// Response storage, the operator's switch: off (the default) refuses <c>store: true</c> naming the
/// field and keeps nothing; on, a response that asked to be stored is kept for the key that made it
/// (another customer's key finds nothing: 404), deleted for real on request and after retention.
/// </summary>
public sealed class ResponseStorageTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 10, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly string _canary = "canary-stored-" + Guid.NewGuid().ToString("N");
    private TollgateFactory _app = null!;
    private StubUpstream _stub = null!;

    public async Task InitializeAsync() => _stub = await StubUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await _stub.DisposeAsync();
    }

    private async Task StartAsync(bool storage)
    {
        _app = new TollgateFactory(_time);
        if (storage) _app.Configuration["ResponseStorage:Enabled"] = "true";
        _app.Configuration["ResponseStorage:RetentionDays"] = "7";
        await FixedBilling.PutModelAsync(_app, _stub.BaseUrl("main"));
    }

    private string Body(bool? store, bool stream = false) =>
        $$"""{"model":"up-chat","input":"hi","stream":{{(stream ? "true" : "false")}},"metadata":{"tag":"{{_canary}}"}{{(store is { } s ? $",\"store\":{(s ? "true" : "false")}" : "")}}}""";

    [Fact]
    public async Task Post_StorageOffStoreTrue_400NamingStoreAndNothingKept()
    {
        await StartAsync(storage: false);
        _stub.On("main", Stub.Completion(Stub.Usage(12, 9)));
        using var client = _app.ApiClient();

        using var refused = await client.PostAsync("/v1/responses", JsonBody(Body(store: true)));
        using var get = await client.GetAsync("/v1/responses/resp_anything");

        await AssertErrorAsync(refused, HttpStatusCode.BadRequest, "unsupported_parameter", "store");
        await AssertErrorAsync(get, HttpStatusCode.NotFound, "response_storage_disabled");
        Assert.Empty(_stub.Received("main"));
        Assert.False(DatabaseHolds(_canary));
    }

    [Fact]
    public async Task Post_StorageOnStoreTrue_KeptForItsKeyOnlyThenDeletedForReal()
    {
        await StartAsync(storage: true);
        _stub.On("main", Stub.Completion(Stub.Usage(12, 9)));
        var owner = await _app.CreateKeyAsync();
        var stranger = await _app.CreateKeyAsync();
        using var client = _app.ApiClient(owner.Secret);
        using var other = _app.ApiClient(stranger.Secret);

        var created = await PostOkAsync(client, Body(store: true));
        var id = created["id"]!.GetValue<string>();
        using var read = await client.GetAsync($"/v1/responses/{id}");
        var readText = await read.Content.ReadAsStringAsync();
        using var strangerRead = await other.GetAsync($"/v1/responses/{id}");
        using var strangerDelete = await other.DeleteAsync($"/v1/responses/{id}");
        using var stillThere = await client.GetAsync($"/v1/responses/{id}");
        using var deleted = await client.DeleteAsync($"/v1/responses/{id}");
        using var gone = await client.GetAsync($"/v1/responses/{id}");

        Assert.True(created["store"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(created.ToJsonString(), JsonNode.Parse(readText)!.ToJsonString());
        OpenAiSchemas.AssertValid("Response", readText);
        await AssertErrorAsync(strangerRead, HttpStatusCode.NotFound, "response_not_found");
        await AssertErrorAsync(strangerDelete, HttpStatusCode.NotFound, "response_not_found");
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.True((await deleted.Content.ReadFromJsonAsync<JsonObject>())!["deleted"]!.GetValue<bool>());
        await AssertErrorAsync(gone, HttpStatusCode.NotFound, "response_not_found");
        Assert.False(DatabaseHolds(_canary));
    }

    [Fact]
    public async Task Post_StorageOnStoreLeftOutOrFalse_NothingKept()
    {
        await StartAsync(storage: true);
        _stub.On("main", Stub.Completion(Stub.Usage(12, 9)));
        using var client = _app.ApiClient();

        var omitted = await PostOkAsync(client, Body(store: null));
        var refusedToStore = await PostOkAsync(client, Body(store: false));
        using var first = await client.GetAsync($"/v1/responses/{omitted["id"]!.GetValue<string>()}");
        using var second = await client.GetAsync($"/v1/responses/{refusedToStore["id"]!.GetValue<string>()}");

        Assert.False(omitted["store"]!.GetValue<bool>());
        await AssertErrorAsync(first, HttpStatusCode.NotFound, "response_not_found");
        await AssertErrorAsync(second, HttpStatusCode.NotFound, "response_not_found");
        Assert.False(DatabaseHolds(_canary));
    }

    [Fact]
    public async Task PostStreaming_StorageOnStoreTrue_KeptAsTheCompletedEventsResponse()
    {
        await StartAsync(storage: true);
        _stub.On("main", Stub.Stream(Stub.Usage(12, 10)));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/responses", JsonBody(Body(store: true, stream: true)));
        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        var completed = JsonNode.Parse(events.Single(e => e.Event == "response.completed").Data)!["response"]!;
        using var read = await client.GetAsync($"/v1/responses/{completed["id"]!.GetValue<string>()}");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(completed.ToJsonString(), JsonNode.Parse(await read.Content.ReadAsStringAsync())!.ToJsonString());
        Assert.Equal(string.Concat(Stub.Pieces), completed["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_StorageOnPreviousResponseId_ContinuesItsKeysConversationAndNoOtherKeys()
    {
        await StartAsync(storage: true);
        _stub.On("main", Stub.Completion(Stub.Usage(12, 9)));
        var owner = await _app.CreateKeyAsync();
        var stranger = await _app.CreateKeyAsync();
        using var client = _app.ApiClient(owner.Secret);
        using var other = _app.ApiClient(stranger.Secret);
        var first = await PostOkAsync(client, """{"model":"up-chat","store":true,"instructions":"Be brief.","input":"My name is Ada."}""");
        var id = first["id"]!.GetValue<string>();

        var second = await PostOkAsync(client, $$"""{"model":"up-chat","store":true,"previous_response_id":"{{id}}","input":[{"role":"user","content":"What is my name?"}]}""");
        var third = await PostOkAsync(client, $$"""{"model":"up-chat","previous_response_id":"{{second["id"]!.GetValue<string>()}}","input":"And again?"}""");
        using var foreign = await other.PostAsync("/v1/responses", JsonBody($$"""{"model":"up-chat","previous_response_id":"{{id}}","input":"What is my name?"}"""));
        using var unknown = await client.PostAsync("/v1/responses", JsonBody("""{"model":"up-chat","previous_response_id":"resp_nope","input":"hi"}"""));

        Assert.Equal(id, second["previous_response_id"]!.GetValue<string>());
        var sent = _stub.Received("main").Select(r => r.Body["messages"]!.AsArray()).ToList();
        Assert.Equal(3, sent.Count);
        // Instructions are not carried over (as OpenAI does); the conversation is.
        Assert.Equal(["user:My name is Ada.", "assistant:" + Stub.Text, "user:What is my name?"], sent[1].Select(Describe));
        Assert.Equal(["user:My name is Ada.", "assistant:" + Stub.Text, "user:What is my name?", "assistant:" + Stub.Text, "user:And again?"], sent[2].Select(Describe));
        await AssertErrorAsync(foreign, HttpStatusCode.BadRequest, "previous_response_not_found", "previous_response_id");
        await AssertErrorAsync(unknown, HttpStatusCode.BadRequest, "previous_response_not_found", "previous_response_id");
        Assert.False(third["store"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Post_StorageOffPreviousResponseId_400NamingIt()
    {
        await StartAsync(storage: false);
        using var client = _app.ApiClient();

        using var refused = await client.PostAsync("/v1/responses", JsonBody("""{"model":"up-chat","previous_response_id":"resp_x","input":"hi"}"""));

        await AssertErrorAsync(refused, HttpStatusCode.BadRequest, "unsupported_parameter", "previous_response_id");
    }

    private static string Describe(JsonNode? message) =>
        $"{message!["role"]!.GetValue<string>()}:{(message["content"] is JsonValue v ? v.GetValue<string>() : string.Concat(message["content"]!.AsArray().Select(p => p!["text"]!.GetValue<string>())))}";

    [Fact]
    public async Task Retention_StoredResponsePastItsDays_ErasedFromTheDatabaseFiles()
    {
        await StartAsync(storage: true);
        _stub.On("main", Stub.Completion(Stub.Usage(12, 9)));
        using var client = _app.ApiClient();
        var id = (await PostOkAsync(client, Body(store: true)))["id"]!.GetValue<string>();
        var storage = _app.Services.GetRequiredService<ResponseStorage>();

        _time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        await storage.EraseExpiredAsync();
        using var beforeExpiry = await client.GetAsync($"/v1/responses/{id}");
        _time.Advance(TimeSpan.FromSeconds(1));
        await storage.EraseExpiredAsync();
        using var atExpiry = await client.GetAsync($"/v1/responses/{id}");

        Assert.Equal(HttpStatusCode.OK, beforeExpiry.StatusCode);
        await AssertErrorAsync(atExpiry, HttpStatusCode.NotFound, "response_not_found");
        Assert.False(DatabaseHolds(_canary));
    }

    private static async Task<JsonObject> PostOkAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/v1/responses", JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private bool DatabaseHolds(string text) => DataFiles.Read(_app.DataDir).Any(f => DataFiles.Contains(f.Bytes, text));
}
