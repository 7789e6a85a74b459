using Doozer.Contracts;
using Doozer.Store.Tree;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Doozer.Server.Api;

/// <summary>Every error Doozer can answer with (API.md section 4).</summary>
public enum ProblemKind
{
    BadPath,
    BadGlob,
    BadRequest,
    NotFound,
    IsDir,
    NotDir,
    RevMismatch,
    ValueTooLarge,
    TooLate,
    Timeout,
    NoQuorum,
    ReadOnlyPath,
    Unauthorized,
    Forbidden,
    MethodNotAllowed,
}

/// <summary>
/// The one table that maps Doozer's errors to HTTP: status, problem type and title. Errors are values inside
/// (store statuses, validation results); they become problem+json only here.
/// </summary>
public static class Problem
{
    private static readonly Dictionary<ProblemKind, (int Status, string Type, string Title)> Table = new()
    {
        [ProblemKind.BadPath] = (400, ProblemTypes.BadPath, "Bad path"),
        [ProblemKind.BadGlob] = (400, ProblemTypes.BadGlob, "Bad glob"),
        [ProblemKind.BadRequest] = (400, ProblemTypes.BadRequest, "Bad request"),
        [ProblemKind.NotFound] = (404, ProblemTypes.NotFound, "Not found"),
        [ProblemKind.IsDir] = (409, ProblemTypes.IsDir, "Is a directory"),
        [ProblemKind.NotDir] = (409, ProblemTypes.NotDir, "Not a directory"),
        [ProblemKind.RevMismatch] = (412, ProblemTypes.RevMismatch, "Revision mismatch"),
        [ProblemKind.ValueTooLarge] = (413, ProblemTypes.ValueTooLarge, "Value too large"),
        [ProblemKind.TooLate] = (410, ProblemTypes.TooLate, "Revision no longer in history"),
        [ProblemKind.Timeout] = (504, ProblemTypes.Timeout, "Timed out"),
        [ProblemKind.NoQuorum] = (503, ProblemTypes.NoQuorum, "No quorum"),
        [ProblemKind.ReadOnlyPath] = (403, ProblemTypes.ReadOnlyPath, "Read-only path"),
        [ProblemKind.Unauthorized] = (401, ProblemTypes.Unauthorized, "Unauthorized"),
        [ProblemKind.Forbidden] = (403, ProblemTypes.Forbidden, "Forbidden"),
        [ProblemKind.MethodNotAllowed] = (405, ProblemTypes.MethodNotAllowed, "Method not allowed"),
    };

    public static ProblemHttpResult Of(ProblemKind kind, string detail, string? path = null, (string Name, object Value)? extension = null)
    {
        var (status, type, title) = Table[kind];
        var details = new ProblemDetails { Type = type, Title = title, Status = status, Detail = detail };
        if (path is not null)
            details.Extensions["path"] = path;
        if (extension is { } e)
            details.Extensions[e.Name] = e.Value;
        return TypedResults.Problem(details);
    }

    /// <summary>The problem for a store status other than Ok.</summary>
    public static ProblemHttpResult Of(ApplyResult result, string path) => result.Status switch
    {
        ApplyStatus.NotFound => Of(ProblemKind.NotFound, $"Nothing exists at {path}.", path),
        ApplyStatus.IsDir => Of(ProblemKind.IsDir, $"{path} is a directory.", path),
        ApplyStatus.NotDir => Of(ProblemKind.NotDir, $"An ancestor of {path} is a file.", path),
        ApplyStatus.RevMismatch => Of(ProblemKind.RevMismatch,
            result.CurrentRev == 0 ? $"{path} does not exist." : $"{path} is at revision {result.CurrentRev}.",
            path, ("currentRev", result.CurrentRev)),
        ApplyStatus.ReadOnlyPath => Of(ProblemKind.ReadOnlyPath, $"{path} is part of the cluster's own subtree.", path),
        ApplyStatus.BadSlotValue => Of(ProblemKind.BadRequest, "A voter slot holds nothing or the id of a registered node.", path),
        _ => throw new ArgumentOutOfRangeException(nameof(result), result.Status, "Not an error."),
    };

    public static ProblemHttpResult TooLate(long rev, long oldest) =>
        Of(ProblemKind.TooLate, $"Revision {rev} is below the history window, which starts at {oldest}.", extension: ("rev", oldest));
}
