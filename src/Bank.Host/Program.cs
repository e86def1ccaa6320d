using Bank.Host.Hosting;
using Bank.Host.Http;

var builder = WebApplication.CreateBuilder(args);

// hocon/bank.conf beside the binary, then BANK_CONFIG's file (or postgres.conf for BANK_JOURNAL=postgres).
var hocon = BankHocon.Load(builder.Configuration[BankHocon.OverridesKey]);
builder.UseBankHocon(hocon);
builder.Services.AddBankHost(hocon);

var app = builder.Build();
app.MapBankApi();
app.Run();

/// <summary>The entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
