using System.Text.Json;
using Tollgate.Distillation;

namespace Tollgate.Tests.Distillation;

public sealed class UserTurnTests
{
    [Fact]
    public void Of_SystemPromptAndTwoUserMessages_LastUserTextOnly()
    {
        using var body = JsonDocument.Parse("""
            {"messages":[{"role":"system","content":"fixed app prompt"},{"role":"user","content":"first"},{"role":"assistant","content":"ok"},
             {"role":"user","content":[{"type":"text","text":"second"},{"type":"image_url","image_url":{"url":"x"}}]}]}
            """);

        Assert.Equal("second\n", UserTurn.Of(body.RootElement));
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"system","content":"only a system prompt"}]}""", "only a system prompt\n")]
    [InlineData("""{"messages":"not an array"}""", "")]
    [InlineData("""{"messages":[1,"two",{"role":"user"},{"role":"user","content":42}]}""", "")]
    [InlineData("""{}""", "")]
    public void Of_NoUserTextOrHostileShapes_WholeTextOrEmpty(string json, string expected)
    {
        using var body = JsonDocument.Parse(json);

        Assert.Equal(expected, UserTurn.Of(body.RootElement));
    }

    [Fact]
    public void Strip_LeadingLineSeenBefore_CutFromLaterTurns()
    {
        var preamble = new RepeatedPreamble();

        Assert.Equal("Translate into French:\nGood morning", preamble.Strip("Translate into French:\nGood morning"));
        Assert.Equal("See you tomorrow", preamble.Strip("Translate into French:\nSee you tomorrow"));
        Assert.Equal("Summarise:\nthe report", preamble.Strip("Summarise:\nthe report"));
    }

    [Fact]
    public void Strip_OneLineTurnsOrNothingAfterThePreamble_KeptWhole()
    {
        var preamble = new RepeatedPreamble();
        preamble.Strip("Explain photosynthesis in detail");

        Assert.Equal("Explain photosynthesis in detail", preamble.Strip("Explain photosynthesis in detail"));
        preamble.Strip("Header\nbody one");
        Assert.Equal("Header\n  ", preamble.Strip("Header\n  "));
    }
}
