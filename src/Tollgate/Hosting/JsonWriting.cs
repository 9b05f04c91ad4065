using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tollgate.Hosting;

/// <summary>
/// Writer settings for JSON Tollgate writes by hand: HTML-safe escaping is for pages, not APIs,
/// so quotes and '+' stay as they are (as OpenAI writes them).
/// </summary>
internal static class JsonWriting
{
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
