using System.Buffers;
using System.Text;
using System.Text.Json;
using Tollgate.Gateway.Surfaces;

namespace Tollgate.Gateway.Responses;

/// <summary>
/// Chat chunks as the Responses event sequence: <c>response.created</c>, <c>response.in_progress</c>,
/// then per output item <c>response.output_item.added</c>, its content part and text deltas (or
/// function-call argument deltas) and their <c>…done</c> events, and last
/// <c>response.completed</c> (or <c>response.incomplete</c>) carrying the billed usage.
/// </summary>
internal sealed class ResponsesStream(ResponsesSurface surface, GatewayRequest request) : ChatDeltaStream
{
    private readonly string _id = ResponsesSurface.Ids.Of(request.RequestId);
    private readonly List<Item> _items = [];
    private readonly Dictionary<int, Item> _tools = [];
    private long _created;
    private int _sequence;
    private bool _started;
    private Item? _open;

    public override void Chunk(IBufferWriter<byte> output, JsonElement chunk)
    {
        if (!_started) Start(output, chunk.TryGetProperty("created", out var c) && c.TryReadInt64(out var t) ? t : 0);
        base.Chunk(output, chunk);
    }

    private void Start(IBufferWriter<byte> output, long created)
    {
        _started = true;
        _created = created > 0 ? created : request.StartedAt.ToUnixTimeSeconds();
        Emit(output, "response.created", w => WriteResponse(w, ("in_progress", null), withUsage: false));
        Emit(output, "response.in_progress", w => WriteResponse(w, ("in_progress", null), withUsage: false));
    }

    protected override void OnText(IBufferWriter<byte> output, string text)
    {
        if (_open is not { Call: null } message)
        {
            Close(output);
            message = new Item(_items.Count, ResponsesSurface.Ids.Message(request.RequestId) + (_items.Count == 0 ? "" : $"_{_items.Count}"), null, null);
            _items.Add(message);
            _open = message;
            Emit(output, "response.output_item.added", w =>
            {
                w.WriteNumber("output_index", message.Index);
                w.WritePropertyName("item");
                ResponsesSurface.WriteMessageItem(w, message.Id, null, "in_progress");
            });
            Emit(output, "response.content_part.added", w =>
            {
                WritePosition(w, message, content: true);
                w.WritePropertyName("part");
                ResponsesSurface.WriteTextPart(w, "");
            });
        }
        message.Text.Append(text);
        Emit(output, "response.output_text.delta", w =>
        {
            WritePosition(w, message, content: true);
            w.WriteString("delta", text);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
        });
    }

    protected override void OnToolStart(IBufferWriter<byte> output, int index, string id, string name)
    {
        Close(output);
        var call = new Item(_items.Count, ResponsesSurface.Ids.FunctionCall(request.RequestId, _tools.Count), id, name);
        _items.Add(call);
        _tools[index] = call;
        _open = call;
        Emit(output, "response.output_item.added", w =>
        {
            w.WriteNumber("output_index", call.Index);
            w.WritePropertyName("item");
            ResponsesSurface.WriteFunctionCall(w, call.Id, id, name, "", "in_progress");
        });
    }

    protected override void OnToolArguments(IBufferWriter<byte> output, int index, string arguments)
    {
        if (!_tools.TryGetValue(index, out var call)) return;
        call.Text.Append(arguments);
        Emit(output, "response.function_call_arguments.delta", w =>
        {
            WritePosition(w, call, content: false);
            w.WriteString("delta", arguments);
        });
    }

    public override void Complete(IBufferWriter<byte> output, GatewayRequest settled)
    {
        if (!_started) Start(output, 0);
        Close(output);
        var state = ResponsesSurface.Finished(FinishReason);
        Emit(output, state.Status == "completed" ? "response.completed" : "response.incomplete", w => WriteResponse(w, state, withUsage: true));
        // What a stored response is: the object the last event carried.
        surface.Answer = ChatAnswer.Json(w => surface.WriteObject(w, settled, _id, _created, state, o =>
        {
            foreach (var item in _items) WriteItem(o, item);
        }, withUsage: true));
    }

    public override byte[] Error(ApiError error)
    {
        var sequence = _sequence++;
        return Event("error", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "error");
            if (error.Code is null) w.WriteNull("code");
            else w.WriteString("code", error.Code);
            w.WriteString("message", error.Message);
            if (error.Param is null) w.WriteNull("param");
            else w.WriteString("param", error.Param);
            w.WriteNumber("sequence_number", sequence);
            w.WriteEndObject();
        });
    }

    /// <summary>Ends the open item: its text or arguments are final.</summary>
    private void Close(IBufferWriter<byte> output)
    {
        if (_open is not { } item) return;
        _open = null;
        var text = item.Text.ToString();
        if (item.Call is null)
        {
            Emit(output, "response.output_text.done", w =>
            {
                WritePosition(w, item, content: true);
                w.WriteString("text", text);
                w.WriteStartArray("logprobs");
                w.WriteEndArray();
            });
            Emit(output, "response.content_part.done", w =>
            {
                WritePosition(w, item, content: true);
                w.WritePropertyName("part");
                ResponsesSurface.WriteTextPart(w, text);
            });
        }
        else
        {
            Emit(output, "response.function_call_arguments.done", w =>
            {
                WritePosition(w, item, content: false);
                w.WriteString("name", item.Name);
                w.WriteString("arguments", text);
            });
        }
        Emit(output, "response.output_item.done", w =>
        {
            w.WriteNumber("output_index", item.Index);
            w.WritePropertyName("item");
            WriteItem(w, item);
        });
    }

    private void WriteResponse(Utf8JsonWriter w, (string Status, string? Reason) state, bool withUsage)
    {
        w.WritePropertyName("response");
        surface.WriteObject(w, request, _id, _created, state, o =>
        {
            if (!withUsage) return;
            foreach (var item in _items) WriteItem(o, item);
        }, withUsage);
    }

    private static void WriteItem(Utf8JsonWriter w, Item item)
    {
        if (item.Call is null) ResponsesSurface.WriteMessageItem(w, item.Id, item.Text.ToString(), "completed");
        else ResponsesSurface.WriteFunctionCall(w, item.Id, item.Call, item.Name!, item.Text.ToString(), "completed");
    }

    private static void WritePosition(Utf8JsonWriter w, Item item, bool content)
    {
        w.WriteString("item_id", item.Id);
        w.WriteNumber("output_index", item.Index);
        if (content) w.WriteNumber("content_index", 0);
    }

    private void Emit(IBufferWriter<byte> output, string type, Action<Utf8JsonWriter> fields)
    {
        var sequence = _sequence++;
        WriteEvent(output, type, w =>
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteNumber("sequence_number", sequence);
            fields(w);
            w.WriteEndObject();
        });
    }

    /// <summary>One output item: a message (no <see cref="Call"/>) or a function call; <see cref="Text"/> is its text or arguments.</summary>
    private sealed record Item(int Index, string Id, string? Call, string? Name)
    {
        public StringBuilder Text { get; } = new();
    }
}
