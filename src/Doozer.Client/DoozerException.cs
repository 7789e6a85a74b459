using System.Net;

namespace Doozer.Client;

/// <summary>
/// A request Doozer refused (a problem response, API.md section 4). A failed condition is not an exception: see
/// <see cref="WriteResult"/>.
/// </summary>
public class DoozerException : Exception
{
    /// <summary>Creates an exception without a response.</summary>
    public DoozerException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public DoozerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DoozerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a problem response.</summary>
    /// <param name="message">The problem's detail or title.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="problemType">The problem type, one of <see cref="Doozer.Contracts.ProblemTypes"/>.</param>
    public DoozerException(string message, HttpStatusCode statusCode, string? problemType)
        : base(message)
    {
        StatusCode = statusCode;
        ProblemType = problemType;
    }

    /// <summary>The HTTP status of the response, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The problem type (<c>/problems/not-found</c>, ...), when the response carried one.</summary>
    public string? ProblemType { get; }
}
