using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Tollgate.Webhooks;

/// <summary>
/// POSTs one signed delivery and reports what came back. Redirects are not followed (a receiver
/// answers where it was registered); errors are described without the URL, which may hold a token.
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    private readonly HttpMessageInvoker _client;
    private readonly TimeSpan _timeout;

    public WebhookSender(TimeSpan timeout, WebhookTargets targets)
    {
        _timeout = timeout;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = timeout,
            // Every connection goes through the address check, redirects are off: nothing reaches an internal address unasked.
            ConnectCallback = targets.ConnectAsync,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            AllowAutoRedirect = false,
        }, disposeHandler: true);
    }

    /// <summary>The answer's status code, or null and an error when there was none.</summary>
    public async Task<(int? StatusCode, string? Error)> SendAsync(DueDelivery delivery, string signature, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Tollgate-Webhooks", "1"));
        request.Headers.Add(WebhookSignature.Header, signature);
        request.Headers.Add("Tollgate-Event-Id", delivery.EventId);
        request.Headers.Add("Tollgate-Event-Type", delivery.EventType);
        request.Headers.Add("Tollgate-Delivery-Id", delivery.Id);
        // Network timeouts run on the wall clock, like the backends' (a fake clock would never fire them).
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _client.SendAsync(request, timeout.Token);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 300 ? (code, null) : (code, $"The endpoint answered {code}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"No answer within {_timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException ex)
        {
            return (null, $"The request failed: {Describe(ex.HttpRequestError)}.");
        }
    }

    public void Dispose() => _client.Dispose();

    private static string Describe(HttpRequestError error) => error switch
    {
        HttpRequestError.NameResolutionError => "the host name did not resolve",
        HttpRequestError.ConnectionError => "the connection could not be made",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        HttpRequestError.ResponseEnded => "the connection closed before a response",
        HttpRequestError.InvalidResponse => "the response was not valid HTTP",
        _ => "an HTTP error (" + error + ")",
    };
}
