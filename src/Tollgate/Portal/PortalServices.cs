using Microsoft.Extensions.Options;

namespace Tollgate.Portal;

internal static class PortalServices
{
    public static void AddPortal(this IServiceCollection services)
    {
        services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PortalOptions>, PortalOptionsValidator>();
        services.AddSingleton<CustomerUserService>();
    }
}
