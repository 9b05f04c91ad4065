using System.Collections.Concurrent;
using System.Reflection;

namespace Tollgate.Storage;

/// <summary>
/// The one place every store call passes on its way to the database (admin changes, console forms,
/// invoice runs, the webhook outbox, the ledger sync...): a stand-in for the store's interface that
/// hands each failure to <see cref="StorageGuard.CallFailed"/>, which trips the gateway when the
/// storage itself is broken, and lets the exception go on to its caller unchanged. Usage commits
/// report to the guard themselves.
/// </summary>
internal class StorageFaultWatch : DispatchProxy
{
    private static readonly ConcurrentDictionary<Type, Func<Task, StorageGuard, Task>> Observers = new();

    private object _inner = null!;
    private StorageGuard _guard = null!;

    /// <summary>Puts every singleton interface whose implementation is built over the database behind a watch.</summary>
    public static void WatchStores(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var registered = services[i];
            if (!registered.ServiceType.IsInterface || registered.IsKeyedService || registered.Lifetime != ServiceLifetime.Singleton) continue;
            var implementation = registered.ImplementationInstance?.GetType() ?? registered.ImplementationType;
            if (implementation is null || !OverDatabase(implementation)) continue;
            services[i] = ServiceDescriptor.Singleton(registered.ServiceType,
                sp => Wrap(registered.ServiceType, registered.ImplementationInstance ?? ActivatorUtilities.CreateInstance(sp, implementation), sp.GetRequiredService<StorageGuard>()));
        }
    }

    /// <summary>A stand-in for <paramref name="inner"/> as <paramref name="service"/> that reports its failures to <paramref name="guard"/>.</summary>
    public static object Wrap(Type service, object inner, StorageGuard guard)
    {
        var proxy = Create(service, typeof(StorageFaultWatch));
        var watch = (StorageFaultWatch)proxy;
        watch._inner = inner;
        watch._guard = guard;
        return proxy;
    }

    public static T Wrap<T>(T inner, StorageGuard guard) where T : class => (T)Wrap(typeof(T), inner, guard);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        object? result;
        try
        {
            result = targetMethod.Invoke(_inner, BindingFlags.DoNotWrapExceptions, null, args, null);
        }
        catch (Exception ex)
        {
            _guard.CallFailed(ex);
            throw;
        }
        if (result is not Task task || task.IsCompletedSuccessfully) return result;
        return Observers.GetOrAdd(targetMethod.ReturnType, ObserverFor)(task, _guard);
    }

    /// <summary>A store is "over the database" when one of its constructors takes it.</summary>
    private static bool OverDatabase(Type implementation) =>
        implementation.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Any(c => c.GetParameters().Any(p => typeof(Sql.SqlDatabase).IsAssignableFrom(p.ParameterType)));

    private static Func<Task, StorageGuard, Task> ObserverFor(Type returnType)
    {
        if (!returnType.IsGenericType) return ObserveAsync;
        var method = typeof(StorageFaultWatch).GetMethod(nameof(ObserveResult), BindingFlags.Static | BindingFlags.NonPublic)!;
        return method.MakeGenericMethod(returnType.GetGenericArguments()[0]).CreateDelegate<Func<Task, StorageGuard, Task>>();
    }

    private static async Task ObserveAsync(Task task, StorageGuard guard)
    {
        try
        {
            await task;
        }
        catch (Exception ex)
        {
            guard.CallFailed(ex);
            throw;
        }
    }

    private static Task ObserveResult<T>(Task task, StorageGuard guard) => ObserveResultAsync((Task<T>)task, guard);

    private static async Task<T> ObserveResultAsync<T>(Task<T> task, StorageGuard guard)
    {
        try
        {
            return await task;
        }
        catch (Exception ex)
        {
            guard.CallFailed(ex);
            throw;
        }
    }
}
