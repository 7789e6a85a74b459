using System.Buffers;
using System.IO.Pipelines;
using Doozer.Consensus;
using Doozer.Consensus.Wire;
using Doozer.Store.Tree;

namespace Doozer.Server.Replication;

/// <summary>
/// A node's state at one applied slot, captured for writing: the acceptor's durable state, the applied-request table
/// and the tree as an immutable view. Its bytes are those of <see cref="NodeSnapshot.ToBytes"/>, but they are made as
/// they are written, to the snapshot file or to a peer, so a snapshot of a large tree is never held whole in memory
/// (at 1,000,000 files it would be ~130 MB on the large object heap per copy).
/// </summary>
/// <remarks>Every member is safe on any thread: the view is immutable and the table bytes are a copy.</remarks>
public sealed class NodeSnapshotWriter
{
    private readonly byte[] _state;
    private readonly byte[] _requests;
    private readonly StoreView _store;
    private readonly Lazy<long> _storeLength;

    public NodeSnapshotWriter(DurableState state, byte[] requests, StoreView store)
    {
        State = state;
        _state = DurableCodec.EncodeState(state);
        _requests = requests;
        _store = store;
        _storeLength = new Lazy<long>(store.SnapshotLength);
    }

    public DurableState State { get; }

    public long Slot => State.SnapshotSlot;

    /// <summary>The number of bytes <see cref="WriteTo"/> writes.</summary>
    public long Length => NodeSnapshot.LengthOf(_state.Length, _requests.Length, _storeLength.Value);

    /// <summary>What a peer may install: its own promise and votes are its business, not ours.</summary>
    public NodeSnapshotWriter ForPeer() =>
        new(State with { Promised = Ballot.Zero, Accepted = [] }, _requests, _store);

    public void WriteTo(Stream output) =>
        NodeSnapshot.Write(output, _state, _requests, _storeLength.Value, _store.WriteSnapshot);

    /// <summary>
    /// A stream of the snapshot's bytes for a peer's download, written on a thread of its own behind a small pipe:
    /// the download holds ~1 MB, whatever the tree's size. Disposing the stream early stops the writer.
    /// </summary>
    public Stream OpenRead()
    {
        // 1 MB in flight: a few of the store's 64 KB chunks, enough to keep a LAN connection busy.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        _ = Task.Factory.StartNew(() =>
        {
            try
            {
                WriteTo(new PipeSink(pipe.Writer));
                pipe.Writer.Complete();
            }
            catch (Exception e)
            {
                // The reader sees the failure (or has gone away, which is how PipeSink stops the walk).
                pipe.Writer.Complete(e);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return pipe.Reader.AsStream();
    }

    /// <summary>Synchronous writes into a pipe, blocking while the reader is a megabyte behind; throws once it has stopped reading.</summary>
    private sealed class PipeSink(PipeWriter writer) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            writer.Write(buffer);
            if (writer.FlushAsync().AsTask().GetAwaiter().GetResult().IsCompleted)
                throw new OperationCanceledException("The reader of the snapshot stopped reading.");
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
