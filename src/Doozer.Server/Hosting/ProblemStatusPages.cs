using Doozer.Server.Api;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Doozer.Server.Hosting;

/// <summary>
/// Answers the errors that never reach a handler as problems too: an unknown route (404), a known route with
/// another method (405, with Allow), and query values that do not bind (400).
/// </summary>
public static class ProblemStatusPages
{
    public static async Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        ProblemHttpResult? problem = http.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => Problem.Of(ProblemKind.NotFound, $"No such resource: {http.Request.Path}."),
            StatusCodes.Status405MethodNotAllowed => Problem.Of(ProblemKind.MethodNotAllowed,
                $"{http.Request.Method} is not allowed on {http.Request.Path}; see Allow."),
            StatusCodes.Status400BadRequest => Problem.Of(ProblemKind.BadRequest, "A query or header value is malformed."),
            StatusCodes.Status413PayloadTooLarge => Problem.Of(ProblemKind.ValueTooLarge, "The request body is too large."),
            _ => null,
        };
        if (problem is not null)
            await problem.ExecuteAsync(http);
    }
}
