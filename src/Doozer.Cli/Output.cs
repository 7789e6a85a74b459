using System.Globalization;
using System.Text;
using Doozer.Client;

namespace Doozer.Cli;

/// <summary>Standard output as bytes: values and event bodies are binary, so text and bytes share one stream.</summary>
internal sealed class Output(Stream stdout)
{
    public async Task LineAsync(string text, CancellationToken cancellationToken)
    {
        await stdout.WriteAsync(Encoding.UTF8.GetBytes(text + "\n"), cancellationToken);
        await stdout.FlushAsync(cancellationToken);
    }

    public async Task BytesAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await stdout.WriteAsync(bytes, cancellationToken);
        await stdout.FlushAsync(cancellationToken);
    }

    /// <summary>An event record: <c>PATH REV set|del LEN</c>, newline, the LEN bytes of the body, newline.</summary>
    public async Task EventAsync(WatchEvent change, CancellationToken cancellationToken)
    {
        var header = string.Create(CultureInfo.InvariantCulture, $"{change.Path} {change.Rev} {change.KindName} {change.Value.Length}\n");
        await stdout.WriteAsync(Encoding.UTF8.GetBytes(header), cancellationToken);
        await stdout.WriteAsync(change.Value, cancellationToken);
        await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await stdout.FlushAsync(cancellationToken);
    }
}
