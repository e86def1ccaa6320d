using Bank.Host.Auth;
using Bank.Host.Hosting;
using Bank.Host.Http;

// The content root is the binary's directory, not the working directory: ./data/bank.db lives under the working
// directory, and a content root there would have .NET's configuration file watcher woken by every journal write.
if (TokenCommand.IsInvoked(args)) return TokenCommand.Run(args, BankHocon.Load(), Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// hocon/bank.conf beside the binary, then BANK_CONFIG's file (or postgres.conf for BANK_JOURNAL=postgres).
var hocon = BankHocon.Load(builder.Configuration[BankHocon.OverridesKey]);
builder.UseBankHocon(hocon);
builder.Services.AddBankHost(hocon);

var app = builder.Build();
app.MapBankApi();
app.Run();
return 0;

/// <summary>The entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
