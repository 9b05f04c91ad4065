using System.Text;
using LLama.Native;

namespace Tollgate.LocalModels.Llama;

/// <summary>
/// The native llama.cpp library, configured once. Its log goes nowhere by default (it is chatty
/// and would reach stderr); while a model loads on a thread, that thread's warnings and errors
/// are kept, because a failed load throws a bare exception and the reason is only in the log.
/// </summary>
internal static class LlamaRuntime
{
    private const int MaxKeptLines = 12;

    [ThreadStatic]
    private static List<string>? t_captured;

    private static int s_configured;

    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref s_configured, 1) == 1) return;
        // Before the library loads, the callback is part of its configuration; after, it is set directly.
        if (NativeLibraryConfig.LLama.LibraryHasLoaded) NativeLogConfig.llama_log_set(OnLog);
        else NativeLibraryConfig.All.WithLogCallback(OnLog);
    }

    /// <summary>Runs <paramref name="load"/>; returns its result or error, and the native warnings and errors it logged.</summary>
    public static (T? Result, Exception? Error, string Log) Capture<T>(Func<T> load) where T : class
    {
        EnsureConfigured();
        t_captured = [];
        try
        {
            return (load(), null, string.Join("; ", t_captured));
        }
        catch (Exception ex) when (ex is LLama.Exceptions.RuntimeError or InvalidOperationException or ArgumentException)
        {
            return (null, ex, string.Join("; ", t_captured));
        }
        finally
        {
            t_captured = null;
        }
    }

    private static void OnLog(LLamaLogLevel level, string message)
    {
        // Progress dots arrive as Continue; only warnings and errors explain a failure.
        if (t_captured is not { } lines || level is not (LLamaLogLevel.Warning or LLamaLogLevel.Error)) return;
        var line = message.Trim();
        if (line.Length == 0) return;
        if (lines.Count == MaxKeptLines) lines.RemoveAt(0);
        lines.Add(line.Length > 300 ? line[..300] + "…" : line);
    }

    public static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
