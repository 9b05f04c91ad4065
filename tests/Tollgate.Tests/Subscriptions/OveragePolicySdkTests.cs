using System.ClientModel;
using System.Net;
using OpenAI.Chat;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Subscriptions.SubscriptionScene;

namespace Tollgate.Tests.Subscriptions;

/// <summary>The overage policies through the real pipeline with the official OpenAI SDK as the client.</summary>
public sealed class OveragePolicySdkTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly ChatCompletionOptions Short = new() { MaxOutputTokenCount = 20 };

    [Fact]
    public async Task Block_WithSdk_ClientResultExceptionCarriesAllowanceExhausted()
    {
        await using var scene = await StartAsync(Start);
        await scene.PlanAsync("block", "20", """[{"name":"5h","kind":"session","duration_minutes":300,"size":3}]""");
        var (_, key) = await scene.SubscriberAsync("block");
        var chat = scene.App.OpenAi(key).GetChatClient("big");

        ChatCompletion inside = await chat.CompleteChatAsync([new UserChatMessage("hello")], Short);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("again")], Short));

        Assert.Equal("big", inside.Model);
        TollgateCalls.AssertError(refused, HttpStatusCode.TooManyRequests, "allowance_exhausted", type: "requests");
    }

    [Fact]
    public async Task Downgrade_WithSdk_CompletionNamesTheCheaperModel()
    {
        await using var scene = await StartAsync(Start);
        await scene.PlanAsync("down", "20", """[{"name":"5h","kind":"session","duration_minutes":300,"size":3}]""", overage: "downgrade", downgrade: "small");
        var (_, key) = await scene.SubscriberAsync("down");
        var chat = scene.App.OpenAi(key).GetChatClient("big");

        await chat.CompleteChatAsync([new UserChatMessage("hello")], Short);
        ChatCompletion downgraded = await chat.CompleteChatAsync([new UserChatMessage("again")], Short);

        Assert.Equal("small", downgraded.Model);
    }

    [Fact]
    public async Task Metered_WithSdk_OverageMeetsTheWalletLimitAndIsRefused()
    {
        // The $20 plan starting Nov 10 09:00 costs $13.75 of a $13.7501 wallet, leaving $0.0001:
        // after the allowance, metered requests need the wallet, which cannot cover one.
        await using var scene = await StartAsync(Start);
        await scene.PlanAsync("meter", "20", """[{"name":"month","kind":"calendar","size":3}]""", overage: "metered");
        var (_, key) = await scene.SubscriberAsync("meter", credit: "13.7501");
        var chat = scene.App.OpenAi(key).GetChatClient("big");

        await chat.CompleteChatAsync([new UserChatMessage("hello")], Short);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("again")], Short));

        TollgateCalls.AssertError(refused, HttpStatusCode.TooManyRequests, "insufficient_quota", type: "insufficient_quota");
        Assert.Equal(0m, (await scene.App.UsageAsync()).Sum(u => u.ChargedAmount));
    }

    [Fact]
    public async Task SessionAndWeeklyCap_WeeklyCapOnBigModel_RefusesBigWhileSessionStillServesSmall()
    {
        // Session: 10 units per 5 h for all models; week: 6 units on "big" (weight 3).
        await using var scene = await StartAsync(Start);
        await scene.PlanAsync("mix", "20",
            """[{"name":"5h","kind":"session","duration_minutes":300,"size":10},{"name":"week-big","kind":"rolling","duration_minutes":10080,"size":6,"model":"big"}]""");
        var (_, key) = await scene.SubscriberAsync("mix");

        var firstSession = new List<HttpStatusCode>();
        foreach (var model in new[] { "big", "big", "big", "small" })
            firstSession.Add((await scene.ChatAsync(key, model)).StatusCode);
        scene.Time.Advance(TimeSpan.FromHours(6));
        var bigNextSession = await scene.ChatAsync(key, "big");
        var smallNextSession = await scene.ChatAsync(key, "small");
        scene.Time.Advance(TimeSpan.FromDays(7));
        var bigNextWeek = await scene.ChatAsync(key, "big");

        // big, big use the week's 6 units; the third big is refused by the weekly cap; small fits the session (3+3+1 = 7 ≤ 10).
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], firstSession);
        Assert.Equal(HttpStatusCode.TooManyRequests, bigNextSession.StatusCode);
        Assert.Equal(HttpStatusCode.OK, smallNextSession.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bigNextWeek.StatusCode);
    }
}
