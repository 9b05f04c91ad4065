using Xunit.Abstractions;
using Xunit.Sdk;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// The outside service (PostgreSQL, Redis) a test class needs, named by the environment variable
/// that locates it. Unset, its tests are skipped on a developer's machine and fail in CI (CI=true),
/// so a CI run without the service can never pass by running nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class RequiresServiceAttribute(string variable) : Attribute
{
    public string Variable { get; } = variable;

    public static string? Value(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The variable's value; in CI a missing one is a failure, elsewhere the test was skipped before it got here.</summary>
    public static string Require(string variable) =>
        Value(variable) ?? throw new InvalidOperationException($"{variable} is not set: this test needs the service it names (CI must provide it).");
}

/// <summary>A fact that honours the test class's <see cref="RequiresServiceAttribute"/>s, including those of a subclass running inherited tests.</summary>
[XunitTestCaseDiscoverer("Tollgate.Tests.Infrastructure.ServiceFactDiscoverer", "Tollgate.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ServiceFactAttribute : FactAttribute;

public sealed class ServiceFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var missing = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresServiceAttribute))
            .Select(a => a.GetConstructorArguments().Single() as string)
            .FirstOrDefault(v => v is not null && RequiresServiceAttribute.Value(v) is null);
        var skip = missing is not null && !RequiresServiceAttribute.InCi ? $"{missing} is not set (CI sets it; see .ci/run)." : null;
        yield return new ServiceTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skip);
    }
}

public sealed class ServiceTestCase : XunitTestCase
{
    private string? _skip;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public ServiceTestCase()
    {
    }

    public ServiceTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod, string? skip)
        : base(diagnostics, display, displayOptions, testMethod) => _skip = skip;

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _skip ?? base.GetSkipReason(factAttribute);

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("ServiceSkip", _skip);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _skip = data.GetValue<string>("ServiceSkip");
        base.Deserialize(data);
    }
}
