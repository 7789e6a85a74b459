namespace Doozer.TestKit.Linearizability.Tree;

/// <summary>
/// Doozer's tree seen one path at a time (API.md sections 1–3.1): a file holds a value and the store rev of the write
/// that set it; reads, writes and deletes, each optionally conditional.
/// </summary>
/// <remarks>
/// <para>
/// Revisions are global: every committed mutation anywhere in the store takes the next store rev, so the rev a write
/// to this path returns depends on writes to other paths and cannot be predicted from this path's history. The model
/// therefore accepts any rev for a successful write or delete that is strictly greater than the path's last change,
/// and requires reads and rev-mismatch answers to report exactly the rev the path holds.
/// </para>
/// <para>
/// Why this is sound per path: take any linearization of the whole store's history and keep only this path's
/// operations. Mutations of the path appear in commit order with strictly increasing store revs (a rev is never
/// reused, and a later commit has a larger rev), and each read or 412 reports the rev of the last mutation of the path
/// before it. So that restricted order is accepted by this model: an Illegal verdict on one path is a real violation,
/// never a false alarm. The converse is weaker on purpose: the model does not know how many revs other paths used
/// in between, so uniqueness of revs across paths and their real-time order across paths must be checked separately
/// over all acknowledged writes (TESTING.md tier 4 does).
/// </para>
/// <para>
/// Only linearizable reads belong in a history. Reads at <c>?rev=N</c> or <c>?consistency=stale</c> may legally return
/// old states and would make a correct cluster look illegal.
/// </para>
/// </remarks>
public sealed class DoozerFileModel : ILinearizabilityModel<FileState, FileInput, FileResult>
{
    public static DoozerFileModel Instance { get; } = new();

    public FileState Init() => FileState.Absent;

    public bool Step(FileState state, FileInput input, FileResult output, out FileState next)
    {
        next = state;
        if (output.Kind == FileResultKind.Unknown)
        {
            next = TakeEffectIfPossible(state, input);
            return true;
        }

        return input.Kind switch
        {
            FileOperationKind.Read => Read(state, output),
            FileOperationKind.Write => Write(state, input, output, ref next),
            _ => Delete(state, input, output, ref next),
        } && Pin(state, output, ref next);
    }

    /// <summary>
    /// Only a 404 read and a 404 delete: a successful read or a 412 can pin an unknown rev, which changes the state.
    /// </summary>
    public bool IsReadOnly(FileInput input, FileResult output) => output.Kind == FileResultKind.NotFound;

    /// <summary>Files on different paths are separate objects; within one path, operations do not commute in general.</summary>
    public bool Independent(FileInput a, FileInput b) => !string.Equals(a.Path, b.Path, StringComparison.Ordinal);

    public bool Equal(FileState a, FileState b) => a == b;

    public int Hash(FileState state) => state.GetHashCode();

    public IReadOnlyList<HistoryPartition<FileInput, FileResult>> Partition(IReadOnlyList<Operation<FileInput, FileResult>> history) =>
        HistoryPartition<FileInput, FileResult>.ByKey(history, static input => input.Path);

    private static bool Read(FileState state, FileResult output)
    {
        switch (output.Kind)
        {
            case FileResultKind.Found:
                return state.Exists
                    && string.Equals(state.Value, output.Value, StringComparison.Ordinal)
                    && state.CouldBeAt(output.Rev)
                    && (output.StoreRev == 0 || output.Rev <= output.StoreRev);
            case FileResultKind.NotFound:
                // The deletion (if any) happened at or before the rev the read was served at.
                return !state.Exists
                    && (output.StoreRev == 0 || (state.RevExact ? state.Rev <= output.StoreRev : state.Rev < output.StoreRev));
            default:
                return false;
        }
    }

    private static bool Write(FileState state, FileInput input, FileResult output, ref FileState next)
    {
        switch (output.Kind)
        {
            case FileResultKind.Written:
                if (!Admits(state, input, out var before) || output.Rev <= before.Rev)
                {
                    return false;
                }

                next = new FileState(true, input.Value, output.Rev, true);
                return true;
            case FileResultKind.RevMismatch:
                return Refuses(state, input, output.Rev);
            default:
                return false;
        }
    }

    private static bool Delete(FileState state, FileInput input, FileResult output, ref FileState next)
    {
        switch (output.Kind)
        {
            case FileResultKind.NotFound:
                // 404 comes before 412 (API.md section 2), whatever the precondition.
                return !state.Exists;
            case FileResultKind.Deleted:
                if (!state.Exists || !Admits(state, input, out var before))
                {
                    return false;
                }

                if (output.Rev == 0)
                {
                    next = new FileState(false, null, before.Rev, false);
                    return true;
                }

                if (output.Rev <= before.Rev)
                {
                    return false;
                }

                next = new FileState(false, null, output.Rev, true);
                return true;
            case FileResultKind.RevMismatch:
                return state.Exists && Refuses(state, input, output.Rev);
            default:
                return false;
        }
    }

    // A read or a 412 that reveals the rev of a path whose rev was unknown pins it for the operations that follow.
    private static bool Pin(FileState state, FileResult output, ref FileState next)
    {
        if (!state.RevExact && state.Exists && output.Kind is FileResultKind.Found or FileResultKind.RevMismatch)
        {
            next = state.PinnedAt(output.Rev);
        }

        return true;
    }

    /// <summary>Whether the precondition can hold; <paramref name="before"/> is the state with the rev it implies.</summary>
    private static bool Admits(FileState state, FileInput input, out FileState before)
    {
        before = state;
        switch (input.Precondition)
        {
            case FilePrecondition.None:
                return true;
            case FilePrecondition.IfExists:
                return state.Exists;
            case FilePrecondition.IfAbsent:
                return !state.Exists;
            default:
                if (!state.Exists || !state.CouldBeAt(input.MatchRev))
                {
                    return false;
                }

                before = state.PinnedAt(input.MatchRev);
                return true;
        }
    }

    /// <summary>Whether the precondition can fail with <c>currentRev</c> = <paramref name="currentRev"/> (0: no file).</summary>
    private static bool Refuses(FileState state, FileInput input, long currentRev) => input.Precondition switch
    {
        FilePrecondition.IfExists => !state.Exists && currentRev == 0,
        FilePrecondition.IfAbsent => state.Exists && state.CouldBeAt(currentRev),
        FilePrecondition.IfMatch => state.Exists
            ? currentRev != input.MatchRev && state.CouldBeAt(currentRev)
            : currentRev == 0,
        _ => false,
    };

    /// <summary>
    /// An operation with a lost answer, linearized at this point, is taken to succeed whenever its precondition can
    /// hold. The runs where it failed instead change nothing, so they are the same as the run where it is linearized
    /// last, after every operation that could observe it; its return is at the end of time, so the search tries that
    /// order too. The new rev is unknown: only a lower bound is kept.
    /// </summary>
    private static FileState TakeEffectIfPossible(FileState state, FileInput input)
    {
        switch (input.Kind)
        {
            case FileOperationKind.Write when Admits(state, input, out var before):
                return new FileState(true, input.Value, before.Rev, false);
            case FileOperationKind.Delete when state.Exists && Admits(state, input, out var before):
                return new FileState(false, null, before.Rev, false);
            default:
                return state;
        }
    }
}
