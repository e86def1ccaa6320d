using Bank.Host.Hosting;
using Bank.Host.Http;

var builder = WebApplication.CreateBuilder(args);

// hocon/bank.conf next to the binary (BANK_CONFIG=postgres picks hocon/postgres.conf), then the environment and
// the command line again, so that they override the file.
builder.Configuration.AddBankConfiguration(args);
builder.UseBankHttpPort();
builder.Services.AddBankHost(builder.Configuration);

var app = builder.Build();
app.MapBankApi();
app.Run();

/// <summary>The entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
