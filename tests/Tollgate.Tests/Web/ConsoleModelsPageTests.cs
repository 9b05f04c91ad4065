using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Web;

/// <summary>The console's models page says what its figures are.</summary>
public sealed class ConsoleModelsPageTests
{
    [Fact]
    public async Task ModelsPage_PriceCard_NamesItsVersionAndUnit()
    {
        await using var app = new TollgateFactory();
        using var client = await ConsoleSignIn.ClientAsync(app);

        var page = await client.GetStringAsync("/console/models");

        Assert.Contains("Price (version 1, from ", page);
        Assert.Contains("per 1M tokens: input $", page);
        Assert.DoesNotContain("v@", page);
    }
}
