namespace Tollgate.Web;

/// <summary>
/// The admin scope a console form handler needs — the same scope the admin API route for that
/// change requires. A POST handler without one is refused: the console fails closed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ConsoleScopeAttribute(string scope) : Attribute
{
    public string Scope { get; } = scope;
}
