using System.CommandLine;
using System.Globalization;

namespace Tollgate.Cli;

/// <summary>Options several verbs share in shape: ids, times and paging.</summary>
internal static class CliOptions
{
    public static Argument<string> Id(string name, string what) => new(name) { Description = what };

    /// <summary>An ISO 8601 time; without an offset it is UTC, as everything the server stores.</summary>
    public static Option<DateTimeOffset?> Time(string name, string description) => new(name)
    {
        Description = description + " ISO 8601, UTC unless an offset is given (2026-01-31 or 2026-01-31T12:00:00+02:00).",
        HelpName = "time",
        CustomParser = result =>
        {
            var text = result.Tokens[0].Value;
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time;
            result.AddError($"'{text}' is not a time: use ISO 8601, such as 2026-01-31 or 2026-01-31T12:00:00Z.");
            return null;
        },
    };

    /// <summary>A value from a fixed set, such as a billing mode; the set shows in help and completion.</summary>
    public static Option<string> OneOf(string name, string description, IEnumerable<string> values)
    {
        var option = new Option<string>(name) { Description = description };
        option.AcceptOnlyFromAmong([.. values]);
        return option;
    }
}
