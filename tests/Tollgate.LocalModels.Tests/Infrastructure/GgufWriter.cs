using System.Text;

namespace Tollgate.LocalModels.Tests.Infrastructure;

/// <summary>
/// Writes a GGUF (version 3) file: header, metadata, tensor descriptions, then the tensor data,
/// each tensor aligned to 32 bytes. Only what the tests need: scalar, string and array values,
/// and F32 tensors.
/// </summary>
internal sealed class GgufWriter
{
    private const int Alignment = 32;

    private readonly List<(string Key, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<(string Name, long[] Dimensions, float[] Data)> _tensors = [];

    private enum ValueType : uint
    {
        UInt32 = 4,
        Int32 = 5,
        Float32 = 6,
        Bool = 7,
        String = 8,
        Array = 9,
    }

    public GgufWriter Add(string key, string value) => Meta(key, w => { w.Write((uint)ValueType.String); WriteString(w, value); });

    public GgufWriter Add(string key, uint value) => Meta(key, w => { w.Write((uint)ValueType.UInt32); w.Write(value); });

    public GgufWriter Add(string key, float value) => Meta(key, w => { w.Write((uint)ValueType.Float32); w.Write(value); });

    public GgufWriter Add(string key, bool value) => Meta(key, w => { w.Write((uint)ValueType.Bool); w.Write(value); });

    public GgufWriter Add(string key, IReadOnlyList<string> values) => Meta(key, w =>
    {
        w.Write((uint)ValueType.Array);
        w.Write((uint)ValueType.String);
        w.Write((ulong)values.Count);
        foreach (var value in values) WriteString(w, value);
    });

    public GgufWriter Add(string key, IReadOnlyList<float> values) => Meta(key, w =>
    {
        w.Write((uint)ValueType.Array);
        w.Write((uint)ValueType.Float32);
        w.Write((ulong)values.Count);
        foreach (var value in values) w.Write(value);
    });

    public GgufWriter Add(string key, IReadOnlyList<int> values) => Meta(key, w =>
    {
        w.Write((uint)ValueType.Array);
        w.Write((uint)ValueType.Int32);
        w.Write((ulong)values.Count);
        foreach (var value in values) w.Write(value);
    });

    /// <summary>An F32 tensor; dimensions in ggml order, the innermost (input) dimension first.</summary>
    public GgufWriter Tensor(string name, long[] dimensions, float[] data)
    {
        if (dimensions.Aggregate(1L, (a, b) => a * b) != data.Length) throw new ArgumentException($"tensor {name}: data does not match its dimensions");
        _tensors.Add((name, dimensions, data));
        return this;
    }

    public void WriteTo(string path)
    {
        using var file = File.Create(path);
        using var w = new BinaryWriter(file, Encoding.UTF8);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, write) in _metadata)
        {
            WriteString(w, key);
            write(w);
        }
        long offset = 0;
        foreach (var (name, dimensions, data) in _tensors)
        {
            WriteString(w, name);
            w.Write((uint)dimensions.Length);
            foreach (var d in dimensions) w.Write((ulong)d);
            w.Write(0u); // F32
            w.Write((ulong)offset);
            offset = Align(offset + data.Length * sizeof(float));
        }
        Pad(w);
        var start = file.Position;
        foreach (var (_, _, data) in _tensors)
        {
            foreach (var value in data) w.Write(value);
            w.Flush();
            var written = file.Position - start;
            for (var i = written; i < Align(written); i++) w.Write((byte)0);
        }
    }

    private GgufWriter Meta(string key, Action<BinaryWriter> write)
    {
        _metadata.Add((key, write));
        return this;
    }

    private static void WriteString(BinaryWriter w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void Pad(BinaryWriter w)
    {
        w.Flush();
        var position = w.BaseStream.Position;
        for (var i = position; i < Align(position); i++) w.Write((byte)0);
    }

    private static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;
}
