using Microsoft.Extensions.Options;
using Tollgate.Budgets;

namespace Tollgate.Webhooks;

internal static class WebhookServices
{
    /// <summary>Endpoints and their secrets, the event outbox and its dispatcher, and budget alerts feeding them.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.AddSingleton<SigningSecrets>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<WebhookOutbox>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookOutbox>());
        services.AddSingleton<IBudgetObserver, BudgetAlerts>();
        return services;
    }
}
