using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class CustomerCommandsTests : CliTestBase
{

    [Fact]
    public async Task CustomersList_ForPeople_PrintsTable()
    {
        var result = await Cli.RunAsync("customers", "list");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Billing", result.Output);
        Assert.Contains("Demo Customer", result.Output);
        Assert.Contains("prepaid", result.Output);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task CustomersList_WithJson_PrintsTheApiListAsIs()
    {
        var direct = await App.AdminClient().GetStringAsync("/admin/v1/customers");

        var result = await Cli.RunAsync("customers", "list", "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(direct, result.Output.TrimEnd('\n'));
        var list = result.Json();
        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.Equal(["Demo Customer", "Demo Enterprise"], list.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order());
        Assert.False(list.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task CustomersCreate_ThenShowAndUpdate_ChangesTheCustomer()
    {
        var created = await Cli.RunAsync("customers", "create", "--name", "Acme Corp", "--billing-mode", "postpaid");
        Assert.Equal(ExitCodes.Ok, created.ExitCode);
        var id = (await Cli.JsonAsync("customers", "list")).GetProperty("data").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "Acme Corp").GetProperty("id").GetString()!;
        Assert.Contains($"Created customer {id}.", created.Output);
        Assert.Contains("postpaid", created.Output);

        var updated = await Cli.JsonAsync("customers", "update", id, "--name", "Acme Inc");
        var shown = await Cli.RunAsync("customers", "show", id);

        Assert.Equal("Acme Inc", updated.GetProperty("name").GetString());
        Assert.Equal("postpaid", updated.GetProperty("billing_mode").GetString());
        Assert.Contains("Acme Inc", shown.Output);
        Assert.Contains($"Customer {id}", shown.Output);
    }

    [Fact]
    public async Task CustomersList_WithLimit_SaysHowToFetchTheNextPage()
    {
        await Cli.JsonAsync("customers", "create", "--name", "Second");
        var ids = (await Cli.JsonAsync("customers", "list")).GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();

        var first = await Cli.RunAsync("customers", "list", "--limit", "1");
        var next = await Cli.JsonAsync("customers", "list", "--limit", "1", "--starting-after", ids[0]);

        Assert.Equal(3, ids.Count);
        Assert.Contains($"--starting-after {ids[0]}", first.Output);
        Assert.DoesNotContain(ids[1], first.Output);
        Assert.Equal(ids[1], next.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.True(next.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task CustomersUpdate_WithInvalidName_PrintsMessageAndParamAndExitsOne()
    {
        var id = await DemoCustomerIdAsync();

        var result = await Cli.RunAsync("customers", "update", id, "--name", " ");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("'name' must be 1 to 200 characters.", result.Error);
        Assert.Contains("param: name", result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task CustomersUpdate_WithNothingToChange_RefusesWithoutCallingTheServer()
    {
        var result = await Cli.RunAsync("customers", "update", "cus_unknown");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("Nothing to change", result.Error);
    }

    [Fact]
    public async Task CustomersShow_UnknownId_ExitsOneWithTheServersMessage()
    {
        var result = await Cli.RunAsync("customers", "show", "cus_missing");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("No such customer: 'cus_missing'.", result.Error);
    }

    [Fact]
    public async Task CustomersCreate_RepeatedWithIdempotencyKey_CreatesOnce()
    {
        var first = await Cli.JsonAsync("customers", "create", "--name", "Once", "--idempotency-key", "create-once-1");
        var again = await Cli.JsonAsync("customers", "create", "--name", "Once", "--idempotency-key", "create-once-1");

        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        var names = (await Cli.JsonAsync("customers", "list")).GetProperty("data").EnumerateArray().Select(c => c.GetProperty("name").GetString());
        Assert.Single(names, n => n == "Once");
    }
}
