namespace Tollgate.Catalog;

/// <summary>Stored as text; names frozen by a test.</summary>
internal enum BackendKind
{
    /// <summary>Any server speaking OpenAI's wire format.</summary>
    OpenAi,

    /// <summary>The built-in deterministic simulator, for demos and load tests.</summary>
    Simulator,
}
