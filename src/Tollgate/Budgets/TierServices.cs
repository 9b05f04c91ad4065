using Microsoft.Extensions.Options;

namespace Tollgate.Budgets;

internal static class TierServices
{
    /// <summary>The tier table (validated at start), every customer's standing loaded from storage, and its periodic refresh.</summary>
    public static IServiceCollection AddSpendTiers(this IServiceCollection services)
    {
        services.AddOptions<TierOptions>().BindConfiguration(TierOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TierOptions>, TierOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TierOptions>>().Value;
            var tiers = new Tiers(options.Table, options.Enabled);
            if (!options.Enabled) return tiers;
            // Once, at start, before the first request: the store is local and this is not on a request's path.
            var store = sp.GetRequiredService<ITierStore>();
            tiers.SetPaid(store.LoadPaidAsync().GetAwaiter().GetResult());
            tiers.SetOverrides(store.LoadOverridesAsync().GetAwaiter().GetResult().ToDictionary(o => o.Key, o => o.Value.Level, StringComparer.Ordinal));
            return tiers;
        });
        services.AddSingleton<TierRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<TierRefresher>());
        return services;
    }
}
