using System.Buffers;

namespace Tollgate.Gateway;

/// <summary>Reads a request body into a pooled buffer, refusing it past a size limit.</summary>
internal static class RequestBodyReader
{
    /// <summary>Returns the rented buffer and the length used, or null when the body is over the limit.</summary>
    public static async Task<(byte[] Buffer, int Length)?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) return null;
        var reader = request.BodyReader;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, maxBytes) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var sequence = result.Buffer;
                if (length + sequence.Length > maxBytes)
                {
                    reader.AdvanceTo(sequence.End);
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
                if (length + sequence.Length > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(buffer.Length * 2L, length + sequence.Length), maxBytes + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                sequence.CopyTo(buffer.AsSpan(length));
                length += (int)sequence.Length;
                reader.AdvanceTo(sequence.End);
                if (result.IsCompleted) return (buffer, length);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
