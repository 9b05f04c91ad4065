using System.Text;

namespace Tollgate.Bench.Load;

/// <summary>
/// An incremental HTTP/1.1 response parser: status, Content-Length or chunked body, nothing
/// else. It keeps the body's last bytes so a stream can be checked to end with <c>[DONE]</c>.
/// </summary>
internal sealed class ResponseReader
{
    private const int MaxHeaderBytes = 16 * 1024;
    private const int TailBytes = 32;
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly byte[] _head = new byte[MaxHeaderBytes];
    private readonly byte[] _tail = new byte[TailBytes];
    private int _headLength;
    private int _tailLength;
    private State _state;
    private long _remaining;
    private long _chunkSize;
    private bool _chunkSizeEnded;
    private int _trailerLineLength;

    private enum State
    {
        Head,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Done,
    }

    public int StatusCode { get; private set; }

    public bool ConnectionClose { get; private set; }

    public void Reset()
    {
        _headLength = 0;
        _tailLength = 0;
        _state = State.Head;
        _remaining = 0;
        StatusCode = 0;
        ConnectionClose = false;
    }

    /// <summary>Whether the body's last bytes, whitespace trimmed, end with <paramref name="suffix"/>.</summary>
    public bool BodyEndsWith(ReadOnlySpan<byte> suffix) => _tail.AsSpan(0, _tailLength).TrimEnd("\r\n "u8).EndsWith(suffix);

    /// <summary>Feeds received bytes; true once the response is complete. Throws on a response it cannot read.</summary>
    public bool Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && _state != State.Done)
        {
            data = _state switch
            {
                State.Head => ReadHead(data),
                State.FixedBody => ReadFixedBody(data),
                State.ChunkSize => ReadChunkSize(data),
                State.ChunkData => ReadChunkData(data),
                State.ChunkDataEnd => ReadChunkDataEnd(data),
                _ => ReadTrailers(data),
            };
        }
        if (!data.IsEmpty) throw new InvalidDataException("bytes after the response (no pipelining was asked for)");
        return _state == State.Done;
    }

    private ReadOnlySpan<byte> ReadHead(ReadOnlySpan<byte> data)
    {
        var searchFrom = Math.Max(0, _headLength - 3);
        var take = Math.Min(data.Length, MaxHeaderBytes - _headLength);
        data[..take].CopyTo(_head.AsSpan(_headLength));
        _headLength += take;
        var end = _head.AsSpan(searchFrom, _headLength - searchFrom).IndexOf(HeaderEnd);
        if (end < 0)
        {
            if (_headLength == MaxHeaderBytes) throw new InvalidDataException("response headers too large");
            return [];
        }
        var headLength = searchFrom + end + HeaderEnd.Length;
        ParseHead(_head.AsSpan(0, headLength));
        // Whatever followed the blank line is body.
        return data[(take - (_headLength - headLength))..];
    }

    private void ParseHead(ReadOnlySpan<byte> head)
    {
        var text = Encoding.ASCII.GetString(head);
        var lines = text.Split("\r\n");
        var status = lines[0].Split(' ');
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(status[1], out var code))
            throw new InvalidDataException("not an HTTP/1.x status line");
        StatusCode = code;
        long? contentLength = null;
        var chunked = false;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase)) contentLength = long.Parse(value);
            else if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)) chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            else if (name.Equals("connection", StringComparison.OrdinalIgnoreCase)) ConnectionClose = value.Equals("close", StringComparison.OrdinalIgnoreCase);
        }
        if (chunked)
        {
            StartChunk();
        }
        else if (contentLength is { } length)
        {
            _remaining = length;
            _state = length == 0 ? State.Done : State.FixedBody;
        }
        else if (code is 204 or 304 or < 200)
        {
            _state = State.Done;
        }
        else
        {
            throw new InvalidDataException("a response body without length or chunking");
        }
    }

    private ReadOnlySpan<byte> ReadFixedBody(ReadOnlySpan<byte> data)
    {
        var take = (int)Math.Min(data.Length, _remaining);
        KeepTail(data[..take]);
        _remaining -= take;
        if (_remaining == 0) _state = State.Done;
        return data[take..];
    }

    private void StartChunk()
    {
        _chunkSize = 0;
        _chunkSizeEnded = false;
        _state = State.ChunkSize;
    }

    private ReadOnlySpan<byte> ReadChunkSize(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            if (b == '\n')
            {
                if (_chunkSize == 0)
                {
                    _trailerLineLength = 0;
                    _state = State.Trailers;
                }
                else
                {
                    _remaining = _chunkSize;
                    _state = State.ChunkData;
                }
                return data[(i + 1)..];
            }
            if (_chunkSizeEnded || b == '\r') continue;
            if (b == ';')
            {
                _chunkSizeEnded = true;
                continue;
            }
            var digit = HexDigit(b);
            if (digit < 0) throw new InvalidDataException("bad chunk size");
            _chunkSize = (_chunkSize * 16) + digit;
        }
        return [];
    }

    private ReadOnlySpan<byte> ReadChunkData(ReadOnlySpan<byte> data)
    {
        var take = (int)Math.Min(data.Length, _remaining);
        KeepTail(data[..take]);
        _remaining -= take;
        if (_remaining == 0)
        {
            _remaining = 2;
            _state = State.ChunkDataEnd;
        }
        return data[take..];
    }

    private ReadOnlySpan<byte> ReadChunkDataEnd(ReadOnlySpan<byte> data)
    {
        var take = (int)Math.Min(data.Length, _remaining);
        _remaining -= take;
        if (_remaining == 0) StartChunk();
        return data[take..];
    }

    private ReadOnlySpan<byte> ReadTrailers(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            if (b == '\n')
            {
                if (_trailerLineLength == 0)
                {
                    _state = State.Done;
                    return data[(i + 1)..];
                }
                _trailerLineLength = 0;
            }
            else if (b != '\r')
            {
                _trailerLineLength++;
            }
        }
        return [];
    }

    private void KeepTail(ReadOnlySpan<byte> body)
    {
        if (body.Length >= TailBytes)
        {
            body[^TailBytes..].CopyTo(_tail);
            _tailLength = TailBytes;
            return;
        }
        var keep = Math.Min(_tailLength, TailBytes - body.Length);
        _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
        body.CopyTo(_tail.AsSpan(keep));
        _tailLength = keep + body.Length;
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
