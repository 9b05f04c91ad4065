namespace Tollgate.Gates;

internal static class GateServices
{
    /// <summary>Contracts and gates: the store, the in-memory spend the gate check reads (loaded before the first request), its refresh.</summary>
    public static IServiceCollection AddGates(this IServiceCollection services)
    {
        services.AddSingleton<GateSpend>();
        services.AddSingleton<Gatekeeper>();
        services.AddSingleton<GateSpendRefresher>();
        services.AddHostedService(sp =>
        {
            var refresher = sp.GetRequiredService<GateSpendRefresher>();
            // Once, at start: the store is local and this is not on a request's path.
            refresher.RefreshAsync().GetAwaiter().GetResult();
            return refresher;
        });
        services.AddSingleton<Contracts.ContractService>();

        // Distillation watch: sketches and counts in memory, flags reviewed once a minute.
        services.AddOptions<Distillation.DistillationOptions>().BindConfiguration(Distillation.DistillationOptions.Section);
        services.AddSingleton<Distillation.DistillationWatch>();
        services.AddSingleton<Distillation.IPromptEmbedder, Distillation.MiniLmPromptEmbedder>();
        services.AddSingleton<Distillation.DistillationReviewer>();
        services.AddSingleton<Distillation.FlagService>();
        services.AddHostedService(sp => sp.GetRequiredService<Distillation.DistillationReviewer>());

        // Feedback on answers: ratings kept, comments only on request and until their retention ends.
        services.AddOptions<Feedback.FeedbackOptions>().BindConfiguration(Feedback.FeedbackOptions.Section);
        services.AddSingleton<Feedback.FeedbackEndpoint>();
        services.AddSingleton<Feedback.FeedbackRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<Feedback.FeedbackRetention>());
        return services;
    }
}
