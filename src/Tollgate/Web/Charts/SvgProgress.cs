using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Tollgate.Web.Charts;

/// <summary>
/// A commitment drawn as one bar: used so far (solid), projected by period end (lighter), and a
/// marker at the commitment. Same rules as <see cref="SvgChart"/>: inline SVG, classes for colour,
/// each part's amount in <c>data-value</c>.
/// </summary>
internal static class SvgProgress
{
    private const int Width = 640;
    private const int Height = 78;
    private const int BarTop = 14;
    private const int BarHeight = 26;
    private const int Side = 8;

    public static HtmlString Commitment(string id, string title, decimal used, decimal projected, decimal commitment)
    {
        var enc = HtmlEncoder.Default;
        var max = Math.Max(Math.Max(used, projected), commitment);
        if (max <= 0) max = 1;
        var plot = Width - 2 * Side;
        double X(decimal v) => Side + (double)(Math.Clamp(v, 0, max) / max) * plot;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart progress\" id=\"{enc.Encode(id)}\"><figcaption>{enc.Encode(title)}</figcaption>");
        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{enc.Encode(title)}\" preserveAspectRatio=\"xMidYMid meet\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"track\" x=\"{Side}\" y=\"{BarTop}\" width=\"{plot}\" height=\"{BarHeight}\" rx=\"4\"/>");
        Part(svg, "projected", "Projected by period end", projected, X(projected));
        Part(svg, "used", "Used so far", used, X(used));
        var at = X(commitment);
        svg.Append(CultureInfo.InvariantCulture,
            $"<line class=\"commitment\" x1=\"{at:0.#}\" x2=\"{at:0.#}\" y1=\"{BarTop - 8}\" y2=\"{BarTop + BarHeight + 8}\" data-value=\"{commitment.ToString(CultureInfo.InvariantCulture)}\"><title>Commitment: {enc.Encode(Display.Money(commitment))}</title></line>");
        var anchor = at > Width * 0.75 ? "end" : at < Width * 0.25 ? "start" : "middle";
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{at:0.#}\" y=\"{Height - 6}\" text-anchor=\"{anchor}\">commitment {enc.Encode(Display.Money(commitment))}</text>");
        svg.Append("</svg><ul class=\"legend\">");
        svg.Append(CultureInfo.InvariantCulture, $"<li><span class=\"swatch used\"></span>Used so far: {enc.Encode(Display.Money(used))}</li>");
        svg.Append(CultureInfo.InvariantCulture, $"<li><span class=\"swatch projected\"></span>Projected: {enc.Encode(Display.Money(projected))}</li>");
        svg.Append("</ul></figure>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>A part worth anything is at least a sliver wide, so usage far below the commitment still shows.</summary>
    private static void Part(StringBuilder svg, string cssClass, string name, decimal value, double end) =>
        svg.Append(CultureInfo.InvariantCulture,
            $"<rect class=\"{cssClass}\" x=\"{Side}\" y=\"{BarTop}\" width=\"{(value > 0 ? Math.Max(3, end - Side) : 0):0.#}\" height=\"{BarHeight}\" rx=\"4\" data-value=\"{value.ToString(CultureInfo.InvariantCulture)}\"><title>{name}: {HtmlEncoder.Default.Encode(Display.Money(value))}</title></rect>");
}
