using Bank.Domain;
using Bank.Host.Http;

namespace Bank.Host.Tests;

/// <summary>How the domain's refusals become problem types.</summary>
public sealed class ProblemTypeTests
{
    [Fact]
    public void Every_rejection_code_has_a_problem_type_the_API_lists()
    {
        Assert.All(Enum.GetValues<RejectionCode>(), code => Assert.Contains(ProblemTypes.For(code), ProblemTypes.All));
    }

    [Fact]
    public void A_transfer_in_flight_is_a_409_conflict_of_its_own_type()
    {
        var type = ProblemTypes.For(RejectionCode.TransferInFlight);

        Assert.Equal(("transfer-in-flight", 409, "https://bank.example/problems/transfer-in-flight"), (type.Code, type.Status, type.Uri));
    }
}
