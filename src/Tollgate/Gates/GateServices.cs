using Tollgate.Storage;
using Tollgate.Storage.Sqlite;

namespace Tollgate.Gates;

internal static class GateServices
{
    /// <summary>Contracts and gates: the store, the in-memory spend the gate check reads (loaded before the first request), its refresh.</summary>
    public static IServiceCollection AddGates(this IServiceCollection services)
    {
        services.AddSingleton<IContractStore, SqliteContractStore>();
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
        return services;
    }
}
