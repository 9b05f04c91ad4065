using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Storage;

/// <summary>
/// An app with one model on a stub upstream (which counts what reached it) and a storage check
/// every 0.2 s, for tests that break the database under it.
/// </summary>
public abstract class StorageFaultTestBase : TollgateTestBase
{
    protected const string Model = "stored";
    protected const string Body = """{"model":"stored","max_tokens":50,"messages":[{"role":"user","content":"Say something short"}]}""";

    protected StorageFaultTestBase() => App.Configuration["Storage:CheckInterval"] = "00:00:00.2";

    internal StubUpstream Upstream { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Upstream = await StubUpstream.StartAsync();
        Upstream.On("up", Stub.Completion(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [Upstream.BaseUrl("up")]);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
