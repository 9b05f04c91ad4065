using Tollgate.Distillation;

namespace Tollgate.Tests.Distillation;

public sealed class MeaningSketchTests
{
    [Fact]
    public void Cosine_SameOrthogonalOppositeVectors_OneAboutZeroMinusOne()
    {
        var x = Unit(0);
        var y = Unit(1);
        var minusX = x.Select(v => -v).ToArray();

        Assert.Equal(1.0, MeaningSketch.Of(x).Cosine(MeaningSketch.Of(x)), 6);
        Assert.InRange(MeaningSketch.Of(x).Cosine(MeaningSketch.Of(y)), -0.3, 0.3);
        Assert.Equal(-1.0, MeaningSketch.Of(x).Cosine(MeaningSketch.Of(minusX)), 6);
    }

    [Fact]
    public void CloseShare_TwoCloseOneApart_TwoThirds()
    {
        var a = Unit(0);
        var nearA = a.ToArray();
        nearA[1] = 0.1f;
        var sketches = new[] { MeaningSketch.Of(a), MeaningSketch.Of(nearA), MeaningSketch.Of(Unit(2)) };

        Assert.Equal(2.0 / 3, MeaningSketch.CloseShare(sketches, 0.8), 6);
        Assert.Equal(0, MeaningSketch.CloseShare([MeaningSketch.Of(a)], 0.8));
    }

    [Fact]
    public void Of_VectorOfAnotherLengthOrEmpty_NoThrow()
    {
        Assert.Equal(1.0, MeaningSketch.Of([]).Cosine(MeaningSketch.Of([])), 6);
        _ = MeaningSketch.Of(new float[1000]);
    }

    private static float[] Unit(int axis)
    {
        var v = new float[384];
        v[axis] = 1;
        return v;
    }
}
