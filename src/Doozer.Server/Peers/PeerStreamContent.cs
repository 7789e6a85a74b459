using System.Buffers;
using System.Net;
using System.Threading.Channels;
using Doozer.Consensus.Messages;

namespace Doozer.Server.Peers;

/// <summary>
/// The body of the long-lived POST to a peer: it never ends on its own, it writes frames as messages are queued.
/// HTTP/2 sends a request body while the response is outstanding, so this is one direction of a duplex stream.
/// </summary>
internal sealed class PeerStreamContent(ChannelReader<Message> queue, CancellationToken connection) : HttpContent
{
    /// <summary>Frames are coalesced into one write up to this size, so a burst costs few DATA frames and flushes.</summary>
    private const int BatchBytes = 64 * 1024;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private volatile bool _started;

    /// <summary>Completes (never faults) when the body stops: the stream broke or the link closed it.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Like <see cref="Completion"/>, but already complete if the body never started (the connection failed first).</summary>
    public Task CompletionIfStarted => _started ? _completion.Task : Task.CompletedTask;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _started = true;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection);
        var buffer = new ArrayBufferWriter<byte>(BatchBytes);
        try
        {
            while (await queue.WaitToReadAsync(stop.Token))
            {
                while (buffer.WrittenCount < BatchBytes && queue.TryRead(out var message))
                    PeerFrame.Write(buffer, message);
                await stream.WriteAsync(buffer.WrittenMemory, stop.Token);
                buffer.ResetWrittenCount();
                if (!queue.TryPeek(out _))
                    await stream.FlushAsync(stop.Token);
            }
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
