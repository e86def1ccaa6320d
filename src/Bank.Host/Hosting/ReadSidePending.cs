namespace Bank.Host.Hosting;

// TEMPORARY while the read side moves onto Akka.Streams in its own branch: the read-model endpoints are left out.
internal static class ReadSidePending
{
    public static IServiceCollection AddBankReadSide(this IServiceCollection services, BankHocon hocon) => services;

    public static WebApplication MapReadModelEndpoints(this WebApplication app) => app;

    public static WebApplication MapProjectionEndpoints(this WebApplication app) => app;
}
