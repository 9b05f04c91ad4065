using System.Globalization;
using System.Text;

namespace Tollgate.Cli;

/// <summary>A query string built from optional filters: options left out are left out of the URL.</summary>
internal sealed class Query
{
    private readonly StringBuilder _text = new();

    public Query Add(string name, string? value)
    {
        if (string.IsNullOrEmpty(value)) return this;
        _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    public Query Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    /// <summary>Times go out as ISO 8601 UTC, the form the API reads.</summary>
    public Query Add(string name, DateTimeOffset? value) => Add(name, value?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    public override string ToString() => _text.ToString();
}
