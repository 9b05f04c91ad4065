using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Distillation;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Contracts;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Distillation;

/// <summary>Harvesting traffic through the gateway raises a flag with its evidence; the operator's review throttles or suspends.</summary>
public sealed class DistillationReviewTests
{
    private static readonly Dictionary<string, string?> SmallDay = new() { ["Distillation:MinRequests"] = "30" };

    [Fact]
    public async Task Review_HarvestingThroughTheGateway_FlagWithEvidenceWebhookThenSuspendThrottleLift()
    {
        await using var scene = await GateScene.StartAsync(settings: SmallDay);
        var (customer, key) = await scene.CustomerAsync();
        await scene.ContractAsync(customer);
        using var client = scene.App.ApiClient(key);
        for (var i = 0; i < 40; i++) Assert.Equal(HttpStatusCode.OK, await HarvestAsync(client, i));

        var raised = await scene.App.Services.GetRequiredService<DistillationReviewer>().ReviewAsync();

        Assert.Equal(1, raised);
        var flag = (await scene.Admin.GetJsonAsync($"/admin/v1/flags?status=open&customer={customer}")).Data().Single()!.AsObject();
        Assert.Equal(GateScene.Gated, flag["model"]!.GetValue<string>());
        Assert.True(flag["score"]!.GetValue<double>() >= new DistillationOptions().FlagScore);
        Assert.Equal(40, flag["evidence"]!["requests"]!.GetValue<long>());
        Assert.Equal(1.0, flag["evidence"]!["many_completions_share"]!.GetValue<double>());
        Assert.DoesNotContain("world-class", flag.ToJsonString(), StringComparison.Ordinal);
        Assert.Single((await scene.Admin.GetJsonAsync("/admin/v1/webhook-events?type=flag.raised")).Data());
        // Reviewing again the same day raises nothing new.
        Assert.Equal(0, await scene.App.Services.GetRequiredService<DistillationReviewer>().ReviewAsync());

        await scene.Admin.PostJsonAsync($"/admin/v1/flags/{flag.Id()}/review", """{"action":"suspended","note":"templated harvesting"}""", HttpStatusCode.OK);
        var suspended = await scene.CallAsync(key);
        Assert.Equal(403, suspended?.Status);
        Assert.Contains("suspended", suspended?.Body, StringComparison.Ordinal);
        Assert.Null(await scene.CallAsync(key, "open"));

        await scene.Admin.PostJsonAsync($"/admin/v1/flags/{flag.Id()}/review", """{"action":"throttled","requests_per_minute":2}""", HttpStatusCode.OK);
        scene.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await scene.CallAsync(key));
        Assert.Null(await scene.CallAsync(key));
        Assert.Equal(429, (await scene.CallAsync(key))?.Status);

        using var lift = await scene.Admin.RawAsync(HttpMethod.Delete, $"/admin/v1/customers/{customer}/gate-restrictions/{GateScene.Gated}");
        Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
        Assert.Null(await scene.CallAsync(key));
        var audit = (await scene.Admin.GetJsonAsync($"/admin/v1/audit?target_type=flag&target_id={flag.Id()}")).Data();
        Assert.Equal(3, audit.Count);
    }

    [Fact]
    public async Task Review_ParaphrasedTemplateOverFourKeys_FlaggedAndNoPromptTextAtRest()
    {
        await using var scene = await GateScene.StartAsync(settings: SmallDay);
        var (customer, key) = await scene.CustomerAsync();
        await scene.ContractAsync(customer);
        var keys = new List<string> { key };
        for (var k = 1; k < 4; k++) keys.Add((await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/keys", "{}"))["key"]!.GetValue<string>());
        var random = new Random(11);
        var prompts = new List<string>();
        for (var i = 0; i < 48; i++)
        {
            using var client = scene.App.ApiClient(keys[i % 4]);
            prompts.Add(LabelledWorkloads.Paraphrase(random));
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(
                $$"""{"model":"flag","n":4,"max_tokens":50,"logprobs":true,"messages":[{"role":"user","content":"{{prompts[^1]}}"}]}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var raised = await scene.App.Services.GetRequiredService<DistillationReviewer>().ReviewAsync();

        var days = scene.App.Services.GetRequiredService<DistillationWatch>().Days().Select(d => d.Counts.Signals(0.8));
        Assert.True(raised == 1, string.Join("; ", days));
        var flag = (await scene.Admin.GetJsonAsync($"/admin/v1/flags?customer={customer}")).Data().Single()!.AsObject();
        Assert.True(flag["evidence"]!["semantic_duplicate_share"]!.GetValue<double>() >= 0.5, flag.ToJsonString());
        Assert.Equal(48, flag["evidence"]!["meaning_samples"]!.GetValue<int>());
        var files = Security.DataFiles.Read(scene.App.DataDir);
        Assert.DoesNotContain(prompts, p => files.Any(f => Security.DataFiles.Contains(f.Bytes, p)));
    }

    [Fact]
    public async Task Review_ClassifierAppWithFixedSystemPromptAndLogprobs_NoFlag()
    {
        await using var scene = await GateScene.StartAsync(settings: SmallDay);
        var (customer, key) = await scene.CustomerAsync();
        await scene.ContractAsync(customer);
        using var client = scene.App.ApiClient(key);
        var random = new Random(12);
        for (var i = 0; i < 48; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(
                $$"""{"model":"flag","max_tokens":1,"logprobs":true,"messages":[{"role":"system","content":"{{LabelledWorkloads.ClassifierSystemPrompt}}"},""" +
                $$"""{"role":"user","content":"{{SyntheticTraffic.Ordinary(random)}}"}]}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, await scene.App.Services.GetRequiredService<DistillationReviewer>().ReviewAsync());
    }

    [Fact]
    public async Task Lift_NothingToLiftOrNoSuchCustomer_NotFoundAndNotAudited()
    {
        await using var scene = await GateScene.StartAsync(settings: SmallDay);
        var (customer, _) = await scene.CustomerAsync();

        using var unrestricted = await scene.Admin.RawAsync(HttpMethod.Delete, $"/admin/v1/customers/{customer}/gate-restrictions/{GateScene.Gated}");
        using var nobody = await scene.Admin.RawAsync(HttpMethod.Delete, $"/admin/v1/customers/cus_nobody/gate-restrictions/{GateScene.Gated}");

        Assert.Equal(HttpStatusCode.NotFound, unrestricted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        var lifts = (await scene.Admin.GetJsonAsync("/admin/v1/audit?target_type=customer")).Data()
            .Where(e => e!["action"]!.GetValue<string>() == "gate_restriction.lift");
        Assert.Empty(lifts);
    }

    [Fact]
    public async Task Review_OrdinaryTrafficOnTheGatedModel_NoFlag()
    {
        await using var scene = await GateScene.StartAsync(settings: SmallDay);
        var (customer, key) = await scene.CustomerAsync();
        await scene.ContractAsync(customer);
        using var client = scene.App.ApiClient(key);
        var random = new Random(3);
        for (var i = 0; i < 40; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(
                $$"""{"model":"flag","max_tokens":5,"messages":[{"role":"user","content":"{{SyntheticTraffic.Ordinary(random)}}"}]}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, await scene.App.Services.GetRequiredService<DistillationReviewer>().ReviewAsync());
        Assert.Empty((await scene.Admin.GetJsonAsync("/admin/v1/flags")).Data());
    }

    private static async Task<HttpStatusCode> HarvestAsync(HttpClient client, int i)
    {
        using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(
            $$"""{"model":"flag","n":4,"max_tokens":40,"logprobs":true,"messages":[{"role":"user","content":"{{SyntheticTraffic.Harvesting(i)}}"}]}"""));
        return response.StatusCode;
    }
}
