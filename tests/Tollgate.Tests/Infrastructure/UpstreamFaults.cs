using Microsoft.AspNetCore.Http;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// Every way a backend misbehaves, by name, for the stub upstream: each fault gives the reply for a
/// plain or a streaming request (null: no server at all, the connection is refused).
/// </summary>
internal static class UpstreamFaults
{
    public const string Refused = "connection refused";
    public const string Status500 = "500";
    public const string Status503 = "503";
    public const string SlowFirstByte = "slow first byte";
    public const string DisconnectMidBody = "disconnect mid-body";
    public const string Malformed = "malformed JSON";
    public const string UsageMissing = "usage missing";
    public const string UsageNegative = "usage negative";
    public const string UsageHuge = "usage huge";

    public static readonly string[] All = [Refused, Status500, Status503, SlowFirstByte, DisconnectMidBody, Malformed, UsageMissing, UsageNegative, UsageHuge];

    /// <summary>Faults where the backend's answer arrives but its usage cannot be trusted.</summary>
    public static readonly string[] UntrustedUsage = [UsageMissing, UsageNegative, UsageHuge];

    public static StubReply? Reply(string fault, bool stream) => fault switch
    {
        Refused => null,
        Status500 => Stub.Status(500),
        Status503 => Stub.Status(503),
        SlowFirstByte => Stub.Stall(),
        // The pause lets the first events reach the gateway and its client, so the cut falls mid-stream.
        DisconnectMidBody => stream
            ? (http, body, stopping) => Stub.StreamThenDisconnect(3, Task.Delay(TimeSpan.FromMilliseconds(500), stopping))(http, body, stopping)
            : HalfBodyThenDisconnect(),
        Malformed => stream ? Stub.Events("{\"id\":\"chatcmpl-stub\",\"choices\":[{\"delta\"") : Stub.Malformed(),
        UsageMissing => stream ? Stub.Stream(null) : Stub.Completion(null),
        UsageNegative => stream ? Stub.Stream(Stub.Usage(-5, -9)) : Stub.Completion(Stub.Usage(-5, -9)),
        UsageHuge => stream ? Stub.Stream(Stub.Usage(12, 5_000_000_000)) : Stub.Completion(Stub.Usage(12, 5_000_000_000)),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    /// <summary>A 200 whose JSON body stops halfway, then the connection drops.</summary>
    private static StubReply HalfBodyThenDisconnect() => async (http, _, stopping) =>
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync("""{"id":"chatcmpl-stub","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hel""", stopping);
        await http.Response.Body.FlushAsync(stopping);
        http.Abort();
    };
}
