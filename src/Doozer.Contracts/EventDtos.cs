using System.Text.Json.Serialization;

namespace Doozer.Contracts;

/// <summary>One change of one file, as <c>/wait</c> and <c>/watch</c> report it.</summary>
/// <param name="Rev">The revision of the change.</param>
/// <param name="Path">The file changed.</param>
/// <param name="Kind"><c>set</c> or <c>del</c>.</param>
/// <param name="Value">For <c>set</c>: the new value, base64 (or UTF-8 text with <c>encoding=utf8</c>); absent for <c>del</c>.</param>
public sealed record ChangeEvent(
    long Rev,
    string Path,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value = null);

/// <summary>The answer of <c>/wait</c>: the first matching change, and the other files the same revision changed.</summary>
/// <param name="Rev">The revision of the change.</param>
/// <param name="Path">The first matching file changed at that revision (path order).</param>
/// <param name="Kind"><c>set</c> or <c>del</c>.</param>
/// <param name="Value">For <c>set</c>: the new value; absent for <c>del</c>.</param>
/// <param name="Also">The other matching files changed at the same revision, in path order; absent when none.</param>
public sealed record WaitResponse(
    long Rev,
    string Path,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<AlsoChanged>? Also = null);

/// <summary>Another file changed at the same revision as a <c>/wait</c> answer.</summary>
/// <param name="Path">The file changed.</param>
/// <param name="Kind"><c>set</c> or <c>del</c>.</param>
public sealed record AlsoChanged(string Path, string Kind);

/// <summary>The data of a <c>progress</c> or <c>too-late</c> watch event.</summary>
/// <param name="Rev">Every matching change up to this revision has been delivered.</param>
public sealed record ProgressEvent(long Rev);
