using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Upstreams.Simulator;

/// <summary>Deterministic unit-length vectors: the same text always maps to the same vector.</summary>
internal static class SimulatedEmbedding
{
    public static float[] For(string text, int dimensions)
    {
        var seed = BinaryPrimitives.ReadInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var random = new Random(seed);
        var vector = new float[dimensions];
        double sumOfSquares = 0;
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
            sumOfSquares += vector[i] * (double)vector[i];
        }
        var norm = (float)Math.Sqrt(sumOfSquares);
        for (var i = 0; i < dimensions; i++) vector[i] /= norm;
        return vector;
    }
}
