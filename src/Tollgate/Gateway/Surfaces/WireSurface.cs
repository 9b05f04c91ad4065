using System.Buffers;
using System.Text.Json;

namespace Tollgate.Gateway.Surfaces;

/// <summary>
/// A wire format other than chat completions, over the same pipeline. A surface owns only three
/// things: translating the client's body into a chat-completions body (which every stage then
/// admits, limits, reserves, forwards, meters and settles as it would a chat request), translating
/// the answer (whole or streamed) back, and its error shape. One instance serves one request.
/// </summary>
internal abstract class WireSurface
{
    /// <summary>The chat-completions body for this request, or the refusal in this surface's terms.</summary>
    public abstract SurfaceTranslation ToChat(JsonElement root);

    /// <summary>A stage's refusal that names a chat field (<c>max_completion_tokens</c>) says the field this surface's client sent.</summary>
    public virtual ApiError Rename(ApiError error) => error;

    /// <summary>Writes the finished chat completion as this surface's answer, with the billed usage.</summary>
    public abstract void WriteResponse(IBufferWriter<byte> output, JsonElement completion, GatewayRequest request);

    /// <summary>A translator for one streamed answer.</summary>
    public abstract SurfaceStream OpenStream(GatewayRequest request);

    /// <summary>The HTTP status this surface's clients expect for <paramref name="error"/>.</summary>
    public virtual int StatusOf(ApiError error) => error.Status;

    /// <summary>The error body in this surface's shape.</summary>
    public virtual byte[] ErrorJson(ApiError error) => ApiErrorWriter.ToJson(error);

    /// <summary>A backend's 4xx body (OpenAI's shape) in this surface's shape.</summary>
    public virtual byte[] PassThrough(int status, byte[] body) => body;

    /// <summary>The surface's clients may send the key in <c>x-api-key</c> (Anthropic's) instead of a bearer token.</summary>
    public virtual bool AcceptsApiKeyHeader => false;

    /// <summary>Keeps the finished answer where the surface and the operator allow it; called after settle, before the client's last bytes.</summary>
    public virtual Task KeepAsync(GatewayRequest request) => Task.CompletedTask;

    /// <summary>Response headers this surface's clients read (e.g. Anthropic's <c>request-id</c>).</summary>
    public virtual void WriteHeaders(HttpResponse response, string requestId)
    {
    }
}

/// <summary>The translated body, or why there is none.</summary>
internal readonly record struct SurfaceTranslation(byte[]? Body, ApiError? Error)
{
    public static SurfaceTranslation Refused(ApiError error) => new(null, error);

    public static SurfaceTranslation Of(byte[] body) => new(body, null);
}

/// <summary>
/// Turns chat-completion chunks into a surface's stream events. The tail (the events that carry
/// usage) is written by <see cref="Complete"/>, only after the usage is durable.
/// </summary>
internal abstract class SurfaceStream
{
    /// <summary>Writes the events for one chat chunk (its usage, if any, is ignored here).</summary>
    public abstract void Chunk(IBufferWriter<byte> output, JsonElement chunk);

    /// <summary>Writes the stream's closing events, with the billed usage.</summary>
    public abstract void Complete(IBufferWriter<byte> output, GatewayRequest request);

    /// <summary>The closing event of a stream that failed after its 200 was sent.</summary>
    public abstract byte[] Error(ApiError error);

    /// <summary>Writes one SSE event: <c>event: NAME</c> and <c>data: JSON</c>.</summary>
    protected static void WriteEvent(IBufferWriter<byte> output, string name, Action<Utf8JsonWriter> write)
    {
        WriteAscii(output, "event: ");
        WriteAscii(output, name);
        WriteAscii(output, "\ndata: ");
        using (var w = new Utf8JsonWriter(output, Hosting.JsonWriting.Options)) write(w);
        WriteAscii(output, "\n\n");
    }

    protected static byte[] Event(string name, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteEvent(buffer, name, write);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++) span[i] = (byte)text[i];
        output.Advance(text.Length);
    }
}
