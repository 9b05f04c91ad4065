using System.Net;
using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class KeyCommandsTests : CliTestBase
{
    private string _customer = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _customer = (await Cli.JsonAsync("customers", "create", "--name", "Key Owner")).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task KeysCreate_ForPeople_ShowsTheSecretOnceInAWarningPanelAndTheKeyWorks()
    {
        var result = await Cli.RunAsync("keys", "create", "--customer", _customer, "--name", "ci", "--model", "tg-mini");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Shown once", result.Output);
        Assert.Contains("shown only now", result.Output);
        var secret = result.Output.Split([' ', '\n', '┃', '│'], StringSplitOptions.RemoveEmptyEntries).Single(w => w.StartsWith("tg_", StringComparison.Ordinal) && w.Count(c => c == '_') == 2);
        using var models = await App.ApiClient(secret).GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Contains("tg-mini", await models.Content.ReadAsStringAsync());
        Assert.DoesNotContain("tg-pro", await models.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task KeysCreate_WithJson_PrintsTheSecretAndKeyDocument()
    {
        var created = await Cli.JsonAsync("keys", "create", "--customer", _customer, "--model", "tg-mini", "--model", "tg-pro");

        Assert.StartsWith("tg_", created.GetProperty("key").GetString(), StringComparison.Ordinal);
        var key = created.GetProperty("api_key");
        Assert.Equal(_customer, key.GetProperty("customer_id").GetString());
        Assert.Equal(["tg-mini", "tg-pro"], key.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task KeysImport_CsvFile_PrintsEverySecretAsCsvAndEveryKeyWorks()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tollgate-keys-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, $"# customer,name\n{_customer},first\n\n{_customer},\"second, with a comma\"\n{_customer}\n");
        try
        {
            var result = await Cli.RunAsync("keys", "import", file);

            Assert.Equal(ExitCodes.Ok, result.ExitCode);
            var rows = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("tg_", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, rows.Count);
            Assert.Contains(",first,", rows[0], StringComparison.Ordinal);
            Assert.Contains(",\"second, with a comma\",", rows[1], StringComparison.Ordinal);
            foreach (var row in rows)
            {
                using var models = await App.ApiClient(row[(row.LastIndexOf(',') + 1)..].Trim()).GetAsync("/v1/models");
                Assert.Equal(HttpStatusCode.OK, models.StatusCode);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task KeysImport_UnknownCustomer_RefusedAndNothingCreated()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tollgate-keys-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, $"{_customer},ok\ncus_nobody,missing\n");
        try
        {
            var result = await Cli.RunAsync("keys", "import", file);
            var keys = await Cli.JsonAsync("keys", "list", "--customer", _customer);

            Assert.NotEqual(ExitCodes.Ok, result.ExitCode);
            Assert.Contains("keys[1]", result.Output + result.Error, StringComparison.Ordinal);
            Assert.Empty(keys.GetProperty("data").EnumerateArray());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task KeysList_WithCustomerFilter_ListsOnlyThatCustomersKeys()
    {
        var id = (await Cli.JsonAsync("keys", "create", "--customer", _customer, "--name", "mine")).GetProperty("api_key").GetProperty("id").GetString()!;

        var table = await Cli.RunAsync("keys", "list", "--customer", _customer);
        var json = await Cli.JsonAsync("keys", "list", "--customer", _customer);

        Assert.Contains(id, table.Output);
        Assert.Contains("active", table.Output);
        Assert.DoesNotContain("demo key", table.Output);
        Assert.Equal(id, Assert.Single(json.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task KeysRotate_IssuesANewSecretAndStopsTheOldOne()
    {
        var created = await Cli.JsonAsync("keys", "create", "--customer", _customer);
        var oldId = created.GetProperty("api_key").GetProperty("id").GetString()!;

        var rotated = await Cli.RunAsync("keys", "rotate", oldId);
        var old = await Cli.JsonAsync("keys", "show", oldId);

        Assert.Equal(ExitCodes.Ok, rotated.ExitCode);
        Assert.Contains($"Rotated key {oldId} into key", rotated.Output);
        Assert.Contains("Shown once", rotated.Output);
        Assert.Equal("revoked", old.GetProperty("status").GetString());
        using var refused = await App.ApiClient(created.GetProperty("key").GetString()).GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task KeysRevoke_ThenShow_SaysRevoked()
    {
        var id = (await Cli.JsonAsync("keys", "create", "--customer", _customer)).GetProperty("api_key").GetProperty("id").GetString()!;

        var revoked = await Cli.RunAsync("keys", "revoke", id);
        var shown = await Cli.RunAsync("keys", "show", id);

        Assert.Equal(ExitCodes.Ok, revoked.ExitCode);
        Assert.Contains($"Revoked key {id}.", revoked.Output);
        Assert.Contains("revoked", shown.Output);
    }

    [Fact]
    public async Task KeysUpdate_AllModelsAndExpiry_ChangesScopeAndExpiry()
    {
        var id = (await Cli.JsonAsync("keys", "create", "--customer", _customer, "--model", "tg-mini")).GetProperty("api_key").GetProperty("id").GetString()!;

        var updated = await Cli.JsonAsync("keys", "update", id, "--all-models", "--expires-at", "2099-01-31");

        Assert.Equal(System.Text.Json.JsonValueKind.Null, updated.GetProperty("models").ValueKind);
        Assert.Equal(new DateTimeOffset(2099, 1, 31, 0, 0, 0, TimeSpan.Zero), updated.GetProperty("expires_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task KeysCreate_ExpiryInThePast_ExitsOneNamingTheField()
    {
        var result = await Cli.RunAsync("keys", "create", "--customer", _customer, "--expires-at", "2001-01-01");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("'expires_at' must be in the future.", result.Error);
        Assert.Contains("param: expires_at", result.Error);
    }

    [Fact]
    public async Task KeysCreate_BadTime_IsAUsageErrorWithExitTwo()
    {
        var result = await Cli.RunAsync("keys", "create", "--customer", _customer, "--expires-at", "next tuesday");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("'next tuesday' is not a time", result.Error);
    }
}
