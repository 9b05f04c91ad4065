namespace Tollgate.LocalModels.Llama;

/// <summary>One message of a conversation, as text, for the model's chat template.</summary>
public sealed record ChatTurn(string Role, string Content);

/// <summary>How to sample a completion; a null seed draws one at random.</summary>
public sealed record GenerationOptions(
    int MaxTokens,
    IReadOnlyList<string> Stop,
    float Temperature = 1f,
    float TopP = 1f,
    uint? Seed = null,
    IReadOnlyDictionary<int, float>? LogitBias = null);

/// <summary>How a model file is loaded: the context each request gets, and the CPU threads it uses.</summary>
public sealed record LlamaLoadOptions(int ContextSize, int? Threads = null);

/// <summary>A model file could not be loaded; the message carries what llama.cpp logged.</summary>
public sealed class LlamaLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The request does not fit the model (its prompt is longer than the context, for one).</summary>
public sealed class LlamaRequestException(string message) : Exception(message);
