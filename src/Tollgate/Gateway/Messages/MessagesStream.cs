using System.Buffers;
using System.Text.Json;
using Tollgate.Gateway.Surfaces;

namespace Tollgate.Gateway.Messages;

/// <summary>
/// Chat chunks as Anthropic's event sequence: <c>message_start</c>, then per content block
/// <c>content_block_start</c>, <c>content_block_delta</c> (text or tool input JSON) and
/// <c>content_block_stop</c>, and last <c>message_delta</c> with the stop reason and the billed
/// usage, then <c>message_stop</c>. The usage is known only at the end, so <c>message_start</c>
/// carries zeros and <c>message_delta</c> the whole count (as Anthropic's cumulative usage does).
/// </summary>
internal sealed class MessagesStream(GatewayRequest request) : ChatDeltaStream
{
    private readonly Dictionary<int, int> _toolBlocks = [];
    private bool _started;
    private int _blocks;
    private int? _open;
    private bool _openIsText;
    private bool _calledTools;

    public override void Chunk(IBufferWriter<byte> output, JsonElement chunk)
    {
        Start(output);
        base.Chunk(output, chunk);
    }

    private void Start(IBufferWriter<byte> output)
    {
        if (_started) return;
        _started = true;
        WriteEvent(output, "message_start", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_start");
            w.WriteStartObject("message");
            w.WriteString("id", MessagesSurface.MessageId(request.RequestId));
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteString("model", request.Model.Id);
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", 0);
            w.WriteNumber("cache_creation_input_tokens", 0);
            w.WriteNumber("cache_read_input_tokens", 0);
            w.WriteNumber("output_tokens", 0);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    protected override void OnText(IBufferWriter<byte> output, string text)
    {
        if (_open is null || !_openIsText)
        {
            Close(output);
            OpenBlock(output, text: true, w =>
            {
                w.WriteString("type", "text");
                w.WriteString("text", "");
            });
        }
        Delta(output, _open!.Value, w =>
        {
            w.WriteString("type", "text_delta");
            w.WriteString("text", text);
        });
    }

    protected override void OnToolStart(IBufferWriter<byte> output, int index, string id, string name)
    {
        Close(output);
        _calledTools = true;
        OpenBlock(output, text: false, w =>
        {
            w.WriteString("type", "tool_use");
            w.WriteString("id", id);
            w.WriteString("name", name);
            w.WriteStartObject("input");
            w.WriteEndObject();
        });
        _toolBlocks[index] = _open!.Value;
    }

    protected override void OnToolArguments(IBufferWriter<byte> output, int index, string arguments)
    {
        if (!_toolBlocks.TryGetValue(index, out var block)) return;
        Delta(output, block, w =>
        {
            w.WriteString("type", "input_json_delta");
            w.WriteString("partial_json", arguments);
        });
    }

    public override void Complete(IBufferWriter<byte> output, GatewayRequest settled)
    {
        Start(output);
        Close(output);
        WriteEvent(output, "message_delta", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", MessagesSurface.StopReason(FinishReason, _calledTools));
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            MessagesSurface.WriteUsage(w, settled, "usage");
            w.WriteEndObject();
        });
        WriteEvent(output, "message_stop", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_stop");
            w.WriteEndObject();
        });
    }

    public override byte[] Error(ApiError error) => Event("error", w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", error.Code == "model_overloaded" ? "overloaded_error" : MessagesSurface.ErrorType(error.Status));
        w.WriteString("message", error.Message);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private void OpenBlock(IBufferWriter<byte> output, bool text, Action<Utf8JsonWriter> block)
    {
        var index = _blocks++;
        _open = index;
        _openIsText = text;
        WriteEvent(output, "content_block_start", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_start");
            w.WriteNumber("index", index);
            w.WriteStartObject("content_block");
            block(w);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void Delta(IBufferWriter<byte> output, int index, Action<Utf8JsonWriter> delta) => WriteEvent(output, "content_block_delta", w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "content_block_delta");
        w.WriteNumber("index", index);
        w.WriteStartObject("delta");
        delta(w);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private void Close(IBufferWriter<byte> output)
    {
        if (_open is not { } index) return;
        _open = null;
        WriteEvent(output, "content_block_stop", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_stop");
            w.WriteNumber("index", index);
            w.WriteEndObject();
        });
    }
}
