using Tollgate.Webhooks;

namespace Tollgate.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Body = """{"id":"evt_1","type":"webhook.test","created":"2026-11-10T12:00:00+00:00","data":{}}""";
    private static readonly DateTimeOffset At = new(2026, 11, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_KnownInputs_StripeStyleHmacOfTimestampDotBody()
    {
        var header = WebhookSignature.Create(Body, At, ["whsec_test"]);

        // HMAC-SHA256("whsec_test", "1794312000." + body), computed independently.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            "whsec_test"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes("1794312000." + Body)));
        Assert.Equal($"t=1794312000,v1={expected}", header);
    }

    [Fact]
    public void Verify_AnySecretOfSeveral_Accepted()
    {
        var header = WebhookSignature.Create(Body, At, ["whsec_new", "whsec_old"]);

        Assert.True(WebhookSignature.Verify(header, Body, "whsec_new", At));
        Assert.True(WebhookSignature.Verify(header, Body, "whsec_old", At));
        Assert.False(WebhookSignature.Verify(header, Body, "whsec_other", At));
    }

    [Theory]
    [InlineData(301, false)]
    [InlineData(299, true)]
    [InlineData(-299, true)]
    [InlineData(-301, false)]
    public void Verify_TimestampOutsideTolerance_Refused(int secondsLater, bool accepted)
    {
        var header = WebhookSignature.Create(Body, At, ["whsec_test"]);

        Assert.Equal(accepted, WebhookSignature.Verify(header, Body, "whsec_test", At.AddSeconds(secondsLater)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=abc,v1=abc")]
    public void Verify_MalformedHeader_Refused(string? header) => Assert.False(WebhookSignature.Verify(header, Body, "whsec_test", At));
}
