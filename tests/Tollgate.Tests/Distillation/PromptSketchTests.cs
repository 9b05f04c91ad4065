using Tollgate.Distillation;

namespace Tollgate.Tests.Distillation;

public sealed class PromptSketchTests
{
    [Fact]
    public void Similarity_SamePromptDifferentSpacingAndCase_One() =>
        Assert.Equal(1.0, PromptSketch.Of("Explain the water cycle to a child.").Similarity(PromptSketch.Of("explain  THE water cycle, to a child")));

    [Fact]
    public void Similarity_TemplateFilledWithAnotherTopic_High()
    {
        const string template = "You are a world-class expert. Write a long, detailed, step-by-step explanation of {0}, with worked examples, common mistakes, " +
                                "and a summary table. Be exhaustive and precise, and cite the key results.";

        var similarity = PromptSketch.Of(string.Format(null, template, "photosynthesis")).Similarity(PromptSketch.Of(string.Format(null, template, "plate tectonics")));

        Assert.True(similarity >= 0.6, $"similarity {similarity}");
    }

    [Fact]
    public void Similarity_UnrelatedPrompts_Low()
    {
        var similarity = PromptSketch.Of("What is a good name for a grey cat that likes to sleep on the sofa?")
            .Similarity(PromptSketch.Of("Summarise last quarter's sales figures for the northern region in three bullet points."));

        Assert.True(similarity <= 0.1, $"similarity {similarity}");
    }

    [Fact]
    public void Of_LongPromptsSharingTheirOpening_SamePrefixHash()
    {
        var a = PromptSketch.Of(new string('x', 80) + " first");
        var b = PromptSketch.Of(new string('x', 80) + " second");

        Assert.True(a.HasPrefix);
        Assert.Equal(a.Prefix, b.Prefix);
        Assert.False(PromptSketch.Of("short").HasPrefix);
    }
}
