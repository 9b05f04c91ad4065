using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.ChatHistory;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Contracts;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tests.Security;

namespace Tollgate.Tests.ChatHistory;

public sealed class ChatHistoryEndpointTests
{
    [Fact]
    public async Task History_OffByDefault_OnKeepsPerKey_ErasedAfterRetentionAndWhenTurnedOff()
    {
        await using var scene = await GateScene.StartAsync();
        var (_, key) = await scene.CustomerAsync();
        var (_, otherKey) = await scene.CustomerAsync();
        using var client = scene.App.ApiClient(key);
        using var other = scene.App.ApiClient(otherKey);
        var canary = "canary-chat-" + Guid.NewGuid().ToString("N");
        var conversation = $$"""{"messages":[{"role":"user","content":"{{canary}} question?"},{"role":"assistant","content":"answer","meta":"3 tokens","request_id":"req_1"}]}""";

        var list = await GetAsync(client, "/v1/chat/history");
        Assert.False(list["enabled"]!.GetValue<bool>());
        Assert.Equal(30, list["retention_days"]!.GetValue<int>());
        using (var off = await client.PostAsync("/v1/chat/history", TollgateCalls.JsonBody(conversation)))
            await TollgateCalls.AssertErrorAsync(off, HttpStatusCode.Conflict, "chat_history_off");
        Assert.False(DatabaseHolds(scene, canary));

        await SendAsync(client, HttpMethod.Post, "/v1/chat/history/settings", """{"enabled":true}""", HttpStatusCode.OK);
        var created = await SendAsync(client, HttpMethod.Post, "/v1/chat/history", conversation, HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        Assert.StartsWith(canary, created["title"]!.GetValue<string>());
        Assert.Equal(2, created["message_count"]!.GetValue<int>());
        scene.Time.Advance(TimeSpan.FromDays(10));
        await SendAsync(client, HttpMethod.Put, $"/v1/chat/history/{id}", """{"title":"Renamed","messages":[{"role":"user","content":"q"}]}""", HttpStatusCode.OK);

        var read = await GetAsync(client, $"/v1/chat/history/{id}");
        Assert.Equal("Renamed", read["title"]!.GetValue<string>());
        Assert.Equal("q", read["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(scene.Time.GetUtcNow().AddDays(30), read["expires_at"]!.GetValue<DateTimeOffset>());
        Assert.Single((await GetAsync(client, "/v1/chat/history")).Data());
        // Another key sees nothing, and cannot read, replace or delete it.
        Assert.Empty((await GetAsync(other, "/v1/chat/history")).Data());
        using (var foreign = await other.GetAsync($"/v1/chat/history/{id}")) Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        using (var foreign = await other.DeleteAsync($"/v1/chat/history/{id}")) Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        using (var bad = await client.PostAsync("/v1/chat/history", TollgateCalls.JsonBody("""{"messages":[{"role":"system","content":"x"}]}""")))
            await TollgateCalls.AssertErrorAsync(bad, HttpStatusCode.BadRequest, null, "messages[0]");

        // Thirty days after its last change it is erased (by the once-a-minute job, or this pass if the job has not run yet).
        scene.Time.Advance(TimeSpan.FromDays(30).Subtract(TimeSpan.FromSeconds(1)));
        Assert.Equal(0, await scene.App.Services.GetRequiredService<ChatHistoryRetention>().EraseAsync());
        Assert.Single((await GetAsync(client, "/v1/chat/history")).Data());
        scene.Time.Advance(TimeSpan.FromSeconds(1));
        await scene.App.Services.GetRequiredService<ChatHistoryRetention>().EraseAsync();
        Assert.Empty((await GetAsync(client, "/v1/chat/history")).Data());

        // Turning history off erases everything kept; nothing of it was ever logged.
        await SendAsync(client, HttpMethod.Post, "/v1/chat/history", conversation, HttpStatusCode.Created);
        Assert.True(DatabaseHolds(scene, canary));
        var settings = await SendAsync(client, HttpMethod.Post, "/v1/chat/history/settings", """{"enabled":false}""", HttpStatusCode.OK);
        Assert.False(settings["enabled"]!.GetValue<bool>());
        var after = await GetAsync(client, "/v1/chat/history");
        Assert.False(after["enabled"]!.GetValue<bool>());
        Assert.Empty(after.Data());
        Assert.DoesNotContain(scene.App.Logs.Lines, l => l.Contains(canary, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("off")]
    [InlineData("delete-one")]
    [InlineData("delete-all")]
    public async Task Erase_OnRequest_TextLeavesTheDatabaseFilesAtOnce(string how)
    {
        // Not only the table: the database file and its write-ahead log, read right after the answer, hold no trace.
        await using var scene = await GateScene.StartAsync();
        var (_, key) = await scene.CustomerAsync();
        using var client = scene.App.ApiClient(key);
        var canary = "canary-erase-" + Guid.NewGuid().ToString("N");
        await SendAsync(client, HttpMethod.Post, "/v1/chat/history/settings", """{"enabled":true}""", HttpStatusCode.OK);
        var id = (await SendAsync(client, HttpMethod.Post, "/v1/chat/history",
            $$"""{"messages":[{"role":"user","content":"{{canary}} secret"}]}""", HttpStatusCode.Created))["id"]!.GetValue<string>();
        Assert.True(DatabaseHolds(scene, canary));

        if (how == "off") await SendAsync(client, HttpMethod.Post, "/v1/chat/history/settings", """{"enabled":false}""", HttpStatusCode.OK);
        else await SendAsync(client, HttpMethod.Delete, how == "delete-one" ? $"/v1/chat/history/{id}" : "/v1/chat/history", null, HttpStatusCode.OK);

        Assert.False(DatabaseHolds(scene, canary));
    }

    [Fact]
    public async Task History_DeleteOneAndAll_WithoutKeyRefused()
    {
        await using var scene = await GateScene.StartAsync();
        var (_, key) = await scene.CustomerAsync();
        using var client = scene.App.ApiClient(key);
        await SendAsync(client, HttpMethod.Post, "/v1/chat/history/settings", """{"enabled":true}""", HttpStatusCode.OK);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await SendAsync(client, HttpMethod.Post, "/v1/chat/history", $$"""{"messages":[{"role":"user","content":"q{{i}}"}]}""", HttpStatusCode.Created))["id"]!.GetValue<string>());

        var one = await SendAsync(client, HttpMethod.Delete, $"/v1/chat/history/{ids[0]}", null, HttpStatusCode.OK);
        Assert.Equal(1, one["deleted"]!.GetValue<int>());
        using (var again = await client.DeleteAsync($"/v1/chat/history/{ids[0]}")) Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var all = await SendAsync(client, HttpMethod.Delete, "/v1/chat/history", null, HttpStatusCode.OK);
        Assert.Equal(2, all["deleted"]!.GetValue<int>());
        Assert.True((await GetAsync(client, "/v1/chat/history"))["enabled"]!.GetValue<bool>());
        using var anonymous = scene.App.CreateClient();
        using var refused = await anonymous.GetAsync("/v1/chat/history");
        await TollgateCalls.AssertErrorAsync(refused, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    private static async Task<JsonObject> GetAsync(HttpClient client, string path) => await SendAsync(client, HttpMethod.Get, path, null, HttpStatusCode.OK);

    private static async Task<JsonObject> SendAsync(HttpClient client, HttpMethod method, string path, string? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : TollgateCalls.JsonBody(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static bool DatabaseHolds(GateScene scene, string text) =>
        DataFiles.Read(scene.App.DataDir).Any(f => DataFiles.Contains(f.Bytes, text));
}
