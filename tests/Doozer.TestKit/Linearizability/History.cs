using System.Diagnostics;

namespace Doozer.TestKit.Linearizability;

/// <summary>
/// Records what clients saw, from many threads at once: call <see cref="Invoke"/> just before sending a request and
/// <see cref="Complete"/> (or <see cref="CompleteUnknown"/> on a timeout or a lost connection) just after the answer.
/// Timestamps default to <see cref="Stopwatch.GetTimestamp"/>, which is monotonic and shared by all threads of the
/// process; pass your own from one monotonic source if you have one.
/// </summary>
/// <remarks>
/// Only record a definite outcome when the client knows it: a write that got no answer may still commit later, so it
/// must be <see cref="CompleteUnknown"/>, never a failure. An operation still pending when the history is taken is
/// treated as unknown too.
/// </remarks>
public sealed class History<TInput, TOutput>
{
    private readonly Lock gate = new();
    private readonly List<Pending> operations = [];
    private readonly TOutput unknownOutcome;

    /// <param name="unknownOutcome">The model's output that every state accepts (for example <c>FileResult.Unknown</c>).</param>
    public History(TOutput unknownOutcome)
    {
        this.unknownOutcome = unknownOutcome;
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return operations.Count;
            }
        }
    }

    /// <returns>A handle to pass to <see cref="Complete"/> or <see cref="CompleteUnknown"/>.</returns>
    public int Invoke(int clientId, TInput input, long? timestamp = null)
    {
        var now = timestamp ?? Stopwatch.GetTimestamp();
        lock (gate)
        {
            operations.Add(new Pending(clientId, input, now));
            return operations.Count - 1;
        }
    }

    public void Complete(int handle, TOutput output, long? timestamp = null)
    {
        var now = timestamp ?? Stopwatch.GetTimestamp();
        lock (gate)
        {
            var op = operations[handle];
            if (op.Completed)
            {
                throw new InvalidOperationException($"operation {handle} completed twice");
            }

            if (now < op.Call)
            {
                throw new ArgumentOutOfRangeException(nameof(timestamp), "an operation cannot return before its call");
            }

            op.Completed = true;
            op.Output = output;
            op.Return = now;
        }
    }

    public void CompleteUnknown(int handle)
    {
        lock (gate)
        {
            var op = operations[handle];
            if (op.Completed)
            {
                throw new InvalidOperationException($"operation {handle} completed twice");
            }

            op.Completed = true;
        }
    }

    /// <summary>A snapshot of the history; pending and unknown operations return at the end of time.</summary>
    public IReadOnlyList<Operation<TInput, TOutput>> ToOperations()
    {
        lock (gate)
        {
            var result = new Operation<TInput, TOutput>[operations.Count];
            for (var i = 0; i < operations.Count; i++)
            {
                var op = operations[i];
                result[i] = op.Return is { } returned
                    ? new Operation<TInput, TOutput>(op.ClientId, op.Input, op.Call, op.Output!, returned)
                    : new Operation<TInput, TOutput>(op.ClientId, op.Input, op.Call, unknownOutcome, Operation<TInput, TOutput>.NeverReturned);
            }

            return result;
        }
    }

    private sealed class Pending(int clientId, TInput input, long call)
    {
        public readonly int ClientId = clientId;
        public readonly TInput Input = input;
        public readonly long Call = call;
        public bool Completed;
        public TOutput? Output;
        public long? Return;
    }
}
