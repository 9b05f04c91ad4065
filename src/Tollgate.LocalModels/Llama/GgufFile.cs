namespace Tollgate.LocalModels.Llama;

/// <summary>Cheap checks of a GGUF model path, so an operator's mistake is refused when it is configured.</summary>
public static class GgufFile
{
    private static ReadOnlySpan<byte> Magic => "GGUF"u8;

    /// <summary>Why <paramref name="path"/> cannot be a GGUF model, or null when it looks like one.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return "is required: the path of a GGUF model file";
        if (!Path.IsPathFullyQualified(path)) return $"must be an absolute path ('{path}' is relative)";
        if (Directory.Exists(path)) return $"'{path}' is a directory, not a GGUF file";
        if (!File.Exists(path)) return $"'{path}' does not exist";
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            Span<byte> head = stackalloc byte[4];
            if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4 || !head.SequenceEqual(Magic))
                return $"'{path}' is not a GGUF file (it does not start with the GGUF magic bytes)";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"'{path}' cannot be read ({ex.GetType().Name})";
        }
        return null;
    }
}
