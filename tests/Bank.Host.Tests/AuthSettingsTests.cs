using Bank.Host.Auth;
using Bank.Host.Hosting;

namespace Bank.Host.Tests;

/// <summary><c>bank.auth</c> and <c>bank.limits</c> as the host reads them from hocon/bank.conf and its overrides.</summary>
public sealed class AuthSettingsTests
{
    private static BankAuthSettings Auth(string overrides = "") => BankAuthSettings.From(BankHocon.Load(overrides).Config);

    [Fact]
    public void By_default_authentication_is_on_and_tokens_are_verified_with_the_development_key()
    {
        var auth = Auth();
        Assert.True(auth.Enabled);
        Assert.True(auth.UsesDevelopmentKey);
        Assert.Equal(("bank-development", "bank-api", "role"), (auth.Issuer, auth.Audience, auth.RoleClaim));
        Assert.Equal(["HS256", "RS256", "ES256"], auth.Algorithms);
        Assert.Equal(TimeSpan.FromSeconds(30), auth.ClockSkew);
    }

    [Fact]
    public void With_an_OpenID_Connect_provider_only_its_keys_verify_tokens()
    {
        var auth = Auth("bank.auth.authority = \"https://login.example\"");
        Assert.Equal("https://login.example", auth.Authority);
        Assert.Empty(auth.SigningKeys);
        Assert.False(auth.UsesDevelopmentKey);
    }

    [Fact]
    public void Keys_may_be_secrets_or_PEM_public_keys_and_rotate_with_additional_keys()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var pem = rsa.ExportSubjectPublicKeyInfoPem();
        var secret = Convert.ToBase64String(new byte[48]);
        var auth = Auth($"bank.auth.signing-key = \"{secret}\"\nbank.auth.additional-signing-keys = [{System.Text.Json.JsonSerializer.Serialize(pem)}]");
        var keys = auth.IssuerSigningKeys();
        Assert.IsType<Microsoft.IdentityModel.Tokens.SymmetricSecurityKey>(keys[0]);
        Assert.IsType<Microsoft.IdentityModel.Tokens.RsaSecurityKey>(keys[1]);
        Assert.False(auth.UsesDevelopmentKey);
    }

    [Theory]
    [InlineData("bank.auth.signing-key = \"c2hvcnQ=\"", "at least 256")]
    [InlineData("bank.auth.signing-key = \"not base64!\"", "not base64")]
    [InlineData("bank.auth.algorithms = [none]", "never 'none'")]
    [InlineData("bank.auth.enabled = maybe", "on or off")]
    [InlineData("bank.auth.token-cache.max-age = 0s", "token-cache.max-age")]
    [InlineData("bank.auth.token-cache.max-age = 1h", "token-cache.max-age")]
    [InlineData("bank.auth.token-cache.max-entries = -1", "token-cache.max-entries")]
    [InlineData("bank.auth { development-key = \"\", signing-key = \"\" }", "no key can verify tokens")]
    public void A_bad_auth_setting_is_refused_naming_what_to_fix(string overrides, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Auth(overrides));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Off_needs_no_key()
    {
        var auth = Auth("bank.auth { enabled = off, development-key = \"\", signing-key = \"\" }");
        Assert.False(auth.Enabled);
    }

    [Fact]
    public void The_limits_default_to_100_commands_a_second_and_refuse_nonsense()
    {
        var limits = BankLimitSettings.From(BankHocon.Load().Config);
        Assert.Equal((100, 4, 200, 16 * 1024L), (limits.CommandsPerSecond, limits.EventStreamsPerSubject, limits.EventStreamsTotal, limits.MaxHeaderSize));
        Assert.Equal(250, BankLimitSettings.From(BankHocon.Load("bank.limits.commands-per-second = \"250\"").Config).CommandsPerSecond);
        var error = Assert.Throws<InvalidOperationException>(() => BankLimitSettings.From(BankHocon.Load("bank.limits.commands-per-second = lots").Config));
        Assert.Contains("bank.limits.commands-per-second", error.Message, StringComparison.Ordinal);
    }
}
