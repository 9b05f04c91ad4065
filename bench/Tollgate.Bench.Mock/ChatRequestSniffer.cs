using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace Tollgate.Bench.Mock;

/// <summary>What the mock needs from a request body: whether to stream, and whether to send usage in the stream.</summary>
internal readonly record struct ChatRequestShape(bool Stream, bool IncludeUsage);

/// <summary>Reads the whole body (so the connection stays reusable) and looks at two top-level fields only.</summary>
internal static class ChatRequestSniffer
{
    public static async ValueTask<ChatRequestShape> ReadAsync(PipeReader body, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await body.ReadAsync(cancellationToken);
            if (result.IsCompleted || result.IsCanceled)
            {
                var shape = Sniff(result.Buffer);
                body.AdvanceTo(result.Buffer.End);
                return shape;
            }
            // Consume nothing until the body is complete, so the pipe hands back all of it at once.
            body.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static ChatRequestShape Sniff(ReadOnlySequence<byte> json)
    {
        var stream = false;
        var includeUsage = false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    includeUsage = ReadIncludeUsage(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return default;
        }
        return new ChatRequestShape(stream, stream && includeUsage);
    }

    private static bool ReadIncludeUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }
        var include = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage) include = reader.TokenType == JsonTokenType.True;
            else reader.Skip();
        }
        return include;
    }
}
