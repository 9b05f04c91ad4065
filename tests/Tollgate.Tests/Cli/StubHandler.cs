using System.Net;
using System.Text;

namespace Tollgate.Tests.Cli;

/// <summary>Answers every request with one fixed response and remembers the requests, for failures a real server will not produce on demand.</summary>
internal sealed class StubHandler(HttpStatusCode status, string body, string contentType = "application/json") : HttpMessageHandler
{
    public List<HttpRequestMessage> Requests { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) });
    }
}
