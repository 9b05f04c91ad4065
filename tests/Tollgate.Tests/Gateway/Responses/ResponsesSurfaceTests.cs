using Tollgate.Gateway;
using Tollgate.Gateway.Responses;

namespace Tollgate.Tests.Gateway.Responses;

/// <summary>Refusals worded for chat name the Responses API's own field.</summary>
public sealed class ResponsesSurfaceTests
{
    [Fact]
    public void Rename_OutputCapRefusal_NamesMaxOutputTokens()
    {
        var error = new ResponsesSurface().Rename(ApiError.InvalidRequest(
            "'max_completion_tokens' is too large: 999999. This model supports at most 16384 completion tokens.", "max_completion_tokens"));

        Assert.Equal("max_output_tokens", error.Param);
        Assert.Equal("'max_output_tokens' is too large: 999999. This model supports at most 16384 output tokens.", error.Message);
    }

    [Fact]
    public void Rename_QuotaRefusalSuggestingACap_SuggestsMaxOutputTokens()
    {
        var error = new ResponsesSurface().Rename(new ApiError(429, "insufficient_quota", "insufficient_quota",
            "Insufficient quota: the wallet has $0.01 available. The largest max_tokens it could afford for this input is 12."));

        Assert.Equal("Insufficient quota: the wallet has $0.01 available. The largest max_output_tokens it could afford for this input is 12.", error.Message);
        Assert.Null(error.Param);
    }
}
