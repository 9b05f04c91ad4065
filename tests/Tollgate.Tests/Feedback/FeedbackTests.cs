using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Feedback;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Contracts;
using Tollgate.Tests.Security;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Feedback;

public sealed class FeedbackTests
{
    [Fact]
    public async Task Post_RatingsWithAndWithoutRetention_CommentKeptOnlyWhenAskedAndUntilItExpires()
    {
        await using var scene = await GateScene.StartAsync();
        var (_, key) = await scene.CustomerAsync();
        using var client = scene.App.ApiClient(key);
        var kept = "canary-kept-" + Guid.NewGuid().ToString("N");
        var dropped = "canary-dropped-" + Guid.NewGuid().ToString("N");
        var first = await ServedAsync(client);
        var second = await ServedAsync(client);

        var up = await PostAsync(client, $$"""{"request_id":"{{first}}","rating":"up","comment":"{{dropped}}"}""");
        var down = await PostAsync(client, $$"""{"request_id":"{{second}}","rating":"down","comment":"{{kept}}","retain_comment":true}""");

        Assert.False(up["comment_retained"]!.GetValue<bool>());
        Assert.True(down["comment_retained"]!.GetValue<bool>());
        Assert.False(DatabaseHolds(scene, dropped));
        Assert.True(DatabaseHolds(scene, kept));
        var summary = (await scene.Admin.GetJsonAsync("/admin/v1/feedback/summary")).Data().Single()!;
        Assert.Equal((1, 1, 1), (summary["up"]!.GetValue<int>(), summary["down"]!.GetValue<int>(), summary["comments"]!.GetValue<int>()));

        scene.Time.Advance(TimeSpan.FromDays(30));
        await scene.App.Services.GetRequiredService<FeedbackRetention>().EraseAsync();

        Assert.False(DatabaseHolds(scene, kept));
        var after = (await scene.Admin.GetJsonAsync($"/admin/v1/feedback/summary?from={scene.Time.GetUtcNow().AddDays(-40):yyyy-MM-ddTHH:mm:ssZ}")).Data().Single()!;
        Assert.Equal((1, 1, 0), (after["up"]!.GetValue<int>(), after["down"]!.GetValue<int>(), after["comments"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Post_RetainedCommentReRatedWithoutRetention_CommentLeavesTheFilesAtOnce()
    {
        await using var scene = await GateScene.StartAsync();
        var (_, key) = await scene.CustomerAsync();
        using var client = scene.App.ApiClient(key);
        var kept = "canary-rerated-" + Guid.NewGuid().ToString("N");
        var replaced = "canary-replaced-" + Guid.NewGuid().ToString("N");
        var first = await ServedAsync(client);
        var second = await ServedAsync(client);
        await PostAsync(client, $$"""{"request_id":"{{first}}","rating":"down","comment":"{{kept}}","retain_comment":true}""");
        await PostAsync(client, $$"""{"request_id":"{{second}}","rating":"down","comment":"{{replaced}}","retain_comment":true}""");
        Assert.True(DatabaseHolds(scene, kept));

        var rerated = await PostAsync(client, $$"""{"request_id":"{{first}}","rating":"up"}""");
        await PostAsync(client, $$"""{"request_id":"{{second}}","rating":"up","comment":"a new opinion","retain_comment":true}""");

        Assert.False(rerated["comment_retained"]!.GetValue<bool>());
        Assert.False(DatabaseHolds(scene, kept));
        Assert.False(DatabaseHolds(scene, replaced));
        Assert.True(DatabaseHolds(scene, "a new opinion"));
    }

    [Fact]
    public async Task Post_AnotherCustomersRequestOrBadRating_RefusedInTheErrorShape()
    {
        await using var scene = await GateScene.StartAsync();
        var (_, key) = await scene.CustomerAsync();
        var (_, otherKey) = await scene.CustomerAsync();
        using var client = scene.App.ApiClient(key);
        using var other = scene.App.ApiClient(otherKey);
        var requestId = await ServedAsync(client);

        using var foreign = await other.PostAsync("/v1/feedback", TollgateCalls.JsonBody($$"""{"request_id":"{{requestId}}","rating":"up"}"""));
        using var badRating = await client.PostAsync("/v1/feedback", TollgateCalls.JsonBody($$"""{"request_id":"{{requestId}}","rating":"meh"}"""));
        using var missing = await client.PostAsync("/v1/feedback", TollgateCalls.JsonBody("""{"rating":"up"}"""));

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var notFound = (await foreign.ReadJsonAsync())!["error"]!;
        Assert.Equal("resource_missing", notFound["code"]!.GetValue<string>());
        Assert.Equal("request_id", notFound["param"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, badRating.StatusCode);
        Assert.Equal("rating", (await badRating.ReadJsonAsync())!["error"]!["param"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    private static async Task<string> ServedAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/v1/chat/completions",
            TollgateCalls.JsonBody("""{"model":"open","max_tokens":5,"messages":[{"role":"user","content":"hello"}]}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("x-request-id").Single();
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> PostAsync(HttpClient client, string json)
    {
        using var response = await client.PostAsync("/v1/feedback", TollgateCalls.JsonBody(json));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())!;
    }

    /// <summary>Whether the text is anywhere in the data directory's files (database, write-ahead log and the rest), in UTF-8 or UTF-16.</summary>
    private static bool DatabaseHolds(GateScene scene, string text) =>
        DataFiles.Read(scene.App.DataDir).Any(f => DataFiles.Contains(f.Bytes, text));
}
