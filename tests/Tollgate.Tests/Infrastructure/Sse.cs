namespace Tollgate.Tests.Infrastructure;

/// <summary>One server-sent event: its <c>event</c> name (null for the default) and its data.</summary>
internal sealed record SseEvent(string? Event, string Data);

/// <summary>Splits a whole SSE response body into its events.</summary>
internal static class Sse
{
    public static IReadOnlyList<SseEvent> Parse(string body)
    {
        var events = new List<SseEvent>();
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new List<string>();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Add(line["data: ".Length..]);
            }
            if (name is not null || data.Count > 0) events.Add(new SseEvent(name, string.Join('\n', data)));
        }
        return events;
    }

    /// <summary>Reads events as they arrive, for tests that act in the middle of a stream.</summary>
    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream body)
    {
        using var reader = new StreamReader(body);
        var block = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length > 0)
            {
                block.Append(line).Append('\n');
                continue;
            }
            foreach (var parsed in Parse(block.ToString())) yield return parsed;
            block.Clear();
        }
        foreach (var parsed in Parse(block.ToString())) yield return parsed;
    }

    /// <summary>The JSON chunks of a chat stream: every default event but the closing <c>[DONE]</c>.</summary>
    public static IReadOnlyList<string> Chunks(string body) =>
        [.. Parse(body).Where(e => e.Event is null && e.Data != "[DONE]").Select(e => e.Data)];
}
