using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Tollgate.Hosting;

/// <summary>
/// The data-protection key ring (it guards the console's session cookie) as one XML file per key in
/// the data directory, each written atomically (<see cref="AtomicFile"/>), owner-only. A key file
/// that cannot be read is skipped with a warning rather than stopping every console sign-in.
/// </summary>
internal sealed partial class KeyRingFiles(string directory, ILogger<KeyRingFiles> logger) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        List<XElement> elements = [];
        foreach (var file in Directory.EnumerateFiles(directory, "*.xml"))
        {
            try
            {
                elements.Add(XElement.Load(file));
            }
            catch (XmlException ex)
            {
                LogUnreadable(logger, ex, file);
            }
        }
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = friendlyName.Length > 0 && friendlyName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? friendlyName : Guid.NewGuid().ToString();
        AtomicFile.Write(Path.Combine(directory, name + ".xml"), element.Save);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data-protection key file {File} cannot be read; skipped (console sessions it signed must sign in again)")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string file);
}
