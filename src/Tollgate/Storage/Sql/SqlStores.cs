using Tollgate.Budgets;
using Tollgate.Webhooks;

namespace Tollgate.Storage.Sql;

/// <summary>The stores both relational backends share, over whichever database is open.</summary>
internal static class SqlStores
{
    public static CoreStores Core(SqlDatabase database, TimeProvider time) =>
        new(new SqlCatalogStore(database), new SqlModelStore(database, time), new SqlCustomerStore(database),
            new SqlWalletStore(database), new SqlAdminTokenStore(database), new SqlContractStore(database));

    public static void Add(IServiceCollection services, SqlDatabase database)
    {
        services.AddSingleton(database);
        services.AddSingleton<IAuditLog, SqlAuditLog>();
        services.AddSingleton<IIdempotencyStore, SqlIdempotencyStore>();
        services.AddSingleton<IUsageQueries, SqlUsageQueries>();
        services.AddSingleton<IInvoiceStore, SqlInvoiceStore>();
        services.AddSingleton<IReconciler, SqlReconciler>();
        services.AddSingleton<ISubscriptionStore, SqlSubscriptionStore>();
        services.AddSingleton<ITierStore, SqlTierStore>();
        services.AddSingleton<IWebhookStore, SqlWebhookStore>();
        services.AddSingleton<IContractStore, SqlContractStore>();
        services.AddSingleton<IEconomicsQueries, SqlEconomicsQueries>();
        services.AddSingleton<IFlagStore, SqlFlagStore>();
        services.AddSingleton<IFeedbackStore, SqlFeedbackStore>();
        services.AddSingleton<IChatHistoryStore, SqlChatHistoryStore>();
        services.AddSingleton<ICustomerUserStore, SqlCustomerUserStore>();
        services.AddSingleton<IResponseStore, SqlResponseStore>();
    }
}
