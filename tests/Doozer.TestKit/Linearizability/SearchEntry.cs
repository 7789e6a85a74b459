namespace Doozer.TestKit.Linearizability;

/// <summary>
/// A node of the doubly linked call/return list of the Wing &amp; Gong search. A call node points at its return
/// node through <see cref="Match"/>; a return node has none. Linearizing an operation lifts both nodes out of the
/// list; backtracking puts them back in the same places (they keep their own Prev/Next while lifted).
/// </summary>
internal sealed class SearchEntry(int operation, SearchEntry? match)
{
    public readonly int Operation = operation;
    public readonly SearchEntry? Match = match;
    public SearchEntry? Prev;
    public SearchEntry? Next;

    public bool IsCall => Match is not null;

    public void Lift()
    {
        // Invariant: a call always precedes its return, so a call's Next is never null.
        Prev!.Next = Next;
        Next!.Prev = Prev;
        var ret = Match!;
        ret.Prev!.Next = ret.Next;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret.Prev;
        }
    }

    public void Unlift()
    {
        // The exact reverse of Lift.
        var ret = Match!;
        ret.Prev!.Next = ret;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret;
        }

        Prev!.Next = this;
        Next!.Prev = this;
    }
}
