using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Tollgate.Web.Charts;

/// <summary>One line or set of bars: a name for the legend, a CSS class for its colour, one value per label.</summary>
internal sealed record ChartSeries(string Name, string CssClass, IReadOnlyList<decimal> Values);

/// <summary>
/// Charts drawn on the server as inline SVG: no script, no bundle, nothing fetched, readable with
/// scripts off, and allowed by a strict content security policy. Colours come from the stylesheet
/// (classes, not inline styles). Every point carries its value in <c>data-value</c> and a tooltip.
/// </summary>
internal static class SvgChart
{
    private const int Width = 640;
    private const int Height = 220;
    private const int Left = 76;
    private const int Right = 12;
    private const int Top = 12;
    private const int Bottom = 34;

    /// <summary>Lines over time, one per series; <paramref name="money"/> formats the axis as dollars.</summary>
    public static HtmlString Lines(string id, string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, bool money) =>
        Draw(id, title, labels, series, money, bars: false);

    /// <summary>Grouped bars, one bar per series per label; bars below zero get the class <c>loss</c>.</summary>
    public static HtmlString Bars(string id, string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, bool money) =>
        Draw(id, title, labels, series, money, bars: true);

    private static HtmlString Draw(string id, string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, bool money, bool bars)
    {
        var enc = HtmlEncoder.Default;
        var values = series.SelectMany(s => s.Values).DefaultIfEmpty(0m).ToList();
        var max = Nice(Math.Max(values.Max(), 0m));
        var min = Math.Min(values.Min(), 0m);
        if (min < 0) min = -Nice(-min);
        var span = max - min == 0 ? 1m : max - min;
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        double X(int i) => Left + (labels.Count <= 1 ? plotW / 2.0 : i * (double)plotW / (labels.Count - 1));
        double Y(decimal v) => Top + (double)((max - v) / span) * plotH;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\" id=\"{enc.Encode(id)}\"><figcaption>{enc.Encode(title)}</figcaption>");
        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{enc.Encode(title)}\" preserveAspectRatio=\"xMidYMid meet\">");
        foreach (var tick in new[] { min, min + span / 2, max })
        {
            var y = Y(tick);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{enc.Encode(Format(tick, money))}</text>");
        }
        var every = Math.Max(1, (int)Math.Ceiling(labels.Count / 6.0));
        // Bars stand in slots, so their labels go under the slot's middle; points sit on the label itself.
        double LabelX(int i) => bars ? Left + (i + 0.5) * plotW / Math.Max(1, labels.Count) : X(i);
        for (var i = 0; i < labels.Count; i += every)
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{LabelX(i):0.#}\" y=\"{Height - 4}\" text-anchor=\"middle\">{enc.Encode(labels[i])}</text>");
        if (bars) DrawBars(svg, labels, series, money, plotW, Y);
        else DrawLines(svg, labels, series, money, X, Y);
        svg.Append("</svg><ul class=\"legend\">");
        foreach (var s in series)
            svg.Append(CultureInfo.InvariantCulture, $"<li><span class=\"swatch {enc.Encode(s.CssClass)}\"></span>{enc.Encode(s.Name)}: {enc.Encode(Format(s.Values.Sum(), money))}</li>");
        svg.Append("</ul></figure>");
        return new HtmlString(svg.ToString());
    }

    private static void DrawLines(StringBuilder svg, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, bool money, Func<int, double> x, Func<decimal, double> y)
    {
        var enc = HtmlEncoder.Default;
        foreach (var s in series)
        {
            var points = string.Join(' ', s.Values.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{x(i):0.#},{y(v):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"series {enc.Encode(s.CssClass)}\" data-series=\"{enc.Encode(s.Name)}\"><polyline points=\"{points}\"/>");
            for (var i = 0; i < s.Values.Count; i++)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<circle cx=\"{x(i):0.#}\" cy=\"{y(s.Values[i]):0.#}\" r=\"3\" data-value=\"{s.Values[i].ToString(CultureInfo.InvariantCulture)}\"><title>{enc.Encode(labels[i])}: {enc.Encode(Format(s.Values[i], money))}</title></circle>");
            }
            svg.Append("</g>");
        }
    }

    private static void DrawBars(StringBuilder svg, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, bool money, int plotW, Func<decimal, double> y)
    {
        var enc = HtmlEncoder.Default;
        var slot = (double)plotW / Math.Max(1, labels.Count);
        var barW = Math.Max(1, slot * 0.8 / Math.Max(1, series.Count));
        for (var s = 0; s < series.Count; s++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"series {enc.Encode(series[s].CssClass)}\" data-series=\"{enc.Encode(series[s].Name)}\">");
            for (var i = 0; i < labels.Count; i++)
            {
                var v = series[s].Values[i];
                var top = y(Math.Max(v, 0));
                var height = Math.Abs(y(v) - y(0));
                var x = Left + i * slot + slot * 0.1 + s * barW;
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect{(v < 0 ? " class=\"loss\"" : "")} x=\"{x:0.#}\" y=\"{(v < 0 ? y(0) : top):0.#}\" width=\"{barW:0.#}\" height=\"{Math.Max(height, v == 0 ? 0 : 1):0.#}\" data-value=\"{v.ToString(CultureInfo.InvariantCulture)}\"><title>{enc.Encode(labels[i])}: {enc.Encode(Format(v, money))}</title></rect>");
            }
            svg.Append("</g>");
        }
    }

    /// <summary>A round axis maximum: 1, 2 or 5 times a power of ten.</summary>
    private static decimal Nice(decimal value)
    {
        if (value <= 0) return 1;
        var power = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)value)));
        foreach (var step in new[] { 1m, 2m, 5m, 10m })
        {
            if (value <= step * power) return step * power;
        }
        return 10 * power;
    }

    public static string Format(decimal value, bool money) =>
        money
            ? (Math.Abs(value) >= 100 ? value.ToString("$#,0", CultureInfo.InvariantCulture) : value.ToString("$#,0.00####", CultureInfo.InvariantCulture))
            : value.ToString("#,0.##", CultureInfo.InvariantCulture);
}
