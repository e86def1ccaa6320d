using Actors.Persistence.Journal;
using Bank.Host.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bank.Host.Http;

/// <summary>Liveness (the process answers) and readiness (the journal answers).</summary>
public static class HealthEndpoints
{
    /// <summary>The stream the readiness probe asks about; it is only read, never written.</summary>
    public const string ProbePersistenceId = "bank-readiness-probe";

    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", () => TypedResults.Ok(new HealthResponse("live")))
            .WithName("Live").WithSummary("200 whenever the process runs.");
        group.MapGet("/ready", ReadyAsync)
            .WithName("Ready").WithSummary("200 when the journal answers, else 503 journal-unavailable.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> ReadyAsync(
        IJournal journal, BankHttpSettings settings, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.AskTimeout);
            await journal.ReadHighestSequenceNrAsync(ProbePersistenceId, 0, timeout.Token).WaitAsync(timeout.Token);
            return TypedResults.Ok(new HealthResponse("ready"));
        }
        catch (Exception e) when (JournalGuard.IsJournalFailure(e, cancellationToken))
        {
            loggers.CreateLogger(typeof(HealthEndpoints).FullName!).LogWarning(e, "Readiness probe: the journal did not answer.");
            return ProblemResults.JournalUnavailable($"The journal did not answer the readiness probe: {e.Message}");
        }
    }
}
