namespace Tollgate.Storage;

/// <summary>Where a usage event's token counts came from. Stored as text; names frozen by a test.</summary>
internal enum UsageSource
{
    /// <summary>The backend's own usage numbers.</summary>
    Backend,

    /// <summary>Counted by the gateway with the model's tokenizer (usage missing, absurd or cut off).</summary>
    Tokenizer,
}
