using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.Gateway;
using Tollgate.Upstreams;

namespace Tollgate.MicroBench;

/// <summary>Parsing a typical chat body and rewriting it for a backend (UpstreamBody.For).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in [GlobalCleanup], which BenchmarkDotNet calls.")]
public class UpstreamBodyBenchmarks
{
    private readonly byte[] _body = Samples.ChatBody;
    private GatewayRequest _request = null!;
    private BackendEntry _backend = null!;

    [GlobalSetup]
    public void Setup()
    {
        var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _backend = new BackendEntry("be_1", "gpt-4o-mini", 0, BackendKind.OpenAi,
            new BackendSettings { UpstreamModel = "gpt-4o-mini-2024-07-18", CapParameter = "max_completion_tokens" }, []);
        var model = new ModelEntry("gpt-4o-mini", ModelKind.Chat, ModelTier.Standard, "o200k_base", 16_384, "openai", created, [], [_backend]);
        var body = Samples.ChatBody;
        var rented = ArrayPool<byte>.Shared.Rent(body.Length);
        body.CopyTo(rented, 0);
        _request = new GatewayRequest(new DefaultHttpContext(), ModelOperation.ChatCompletions, "req_1", created)
        {
            Model = model,
            Stream = true,
            OutputCap = 512,
        };
        _request.SetBody(rented, body.Length, JsonDocument.Parse(rented.AsMemory(0, body.Length)));
    }

    [GlobalCleanup]
    public void Cleanup() => _request.Dispose();

    /// <summary>JsonDocument.Parse of the body, as admission does (disposed, so pooled buffers go back).</summary>
    [Benchmark]
    public int ParseBody()
    {
        using var document = JsonDocument.Parse(_body);
        return document.RootElement.GetArrayLength2();
    }

    /// <summary>UpstreamBody.For: model renamed, cap field replaced, stream_options merged.</summary>
    [Benchmark]
    public int RewriteBody() => UpstreamBody.For(_request, _backend).Length;
}

internal static class JsonElementExtensions
{
    /// <summary>Touches the parsed document so the parse cannot be skipped.</summary>
    public static int GetArrayLength2(this JsonElement root) => root.GetProperty("messages").GetArrayLength();
}
