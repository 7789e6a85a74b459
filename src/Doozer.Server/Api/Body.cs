using System.Buffers;

namespace Doozer.Server.Api;

/// <summary>Reads a request body as a file value, never more than the node's limit.</summary>
public static class Body
{
    /// <summary>The body's bytes, or null when it is longer than <paramref name="max"/> (413).</summary>
    public static async ValueTask<byte[]?> ReadAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > max)
            return null;
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (buffer.Length > max)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }
            if (read.IsCompleted)
            {
                var value = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return value;
            }
            // Examine everything, consume nothing: the next read returns the whole body so far plus what arrived.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
