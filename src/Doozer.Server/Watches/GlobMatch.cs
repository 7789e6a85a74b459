using Doozer.Store.Paths;
using Doozer.Store.Tree;

namespace Doozer.Server.Watches;

/// <summary>Which changes of one revision a glob matches: how many, the last of them, and (when not all) which.</summary>
internal sealed record GlobMatch(string GlobText, int Count, int Last, bool[]? Which)
{
    public bool All(int changes) => Count == changes;

    public bool Matches(int index) => Which is null ? Count > 0 : Which[index];

    public static GlobMatch Of(Glob glob, IReadOnlyList<Change> changes)
    {
        var which = new bool[changes.Count];
        var count = 0;
        var last = -1;
        for (var i = 0; i < changes.Count; i++)
        {
            if (glob.Matches(changes[i].Path))
            {
                which[i] = true;
                count++;
                last = i;
            }
        }
        return new GlobMatch(glob.Text, count, last, count == 0 || count == changes.Count ? null : which);
    }
}
