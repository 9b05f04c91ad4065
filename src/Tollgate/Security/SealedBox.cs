using System.Security.Cryptography;

namespace Tollgate.Security;

/// <summary>AES-256-GCM under one key: sealed bytes are nonce, ciphertext and tag; a wrong key or a changed byte fails to open.</summary>
internal sealed class SealedBox(byte[] key)
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>A box whose key lives only in this process's memory: what it seals is unreadable after a restart.</summary>
    public static SealedBox Ephemeral() => new(RandomNumberGenerator.GetBytes(32));

    public byte[] Seal(ReadOnlySpan<byte> plain)
    {
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length));
        return sealedBytes;
    }

    /// <summary>The plain bytes, or null when the box was sealed under another key or was altered.</summary>
    public byte[]? TryOpen(byte[] sealedBytes)
    {
        var length = sealedBytes.Length - NonceBytes - TagBytes;
        if (length < 0) return null;
        var plain = new byte[length];
        using var aes = new AesGcm(key, TagBytes);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, length), sealedBytes.AsSpan(NonceBytes + length), plain);
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
