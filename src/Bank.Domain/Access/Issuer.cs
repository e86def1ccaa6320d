namespace Bank.Domain;

/// <summary>What an authenticated caller may do. A caller may hold several roles; <see cref="Issuer"/> records the one it acted in.</summary>
public enum Role
{
    /// <summary>Acts on and reads only the accounts it owns (its subject is the owner).</summary>
    Customer,

    /// <summary>Reads and acts on every account, lists and stats.</summary>
    Teller,

    /// <summary>Operates the host: projection rebuilds, the cluster view, the full event feed.</summary>
    Admin,
}

/// <summary>
/// Who issued a command, recorded on every event it produced (the audit trail). <paramref name="Subject"/> is the token's
/// <c>sub</c>; <paramref name="Role"/> is the role it acted in: <see cref="Role.Customer"/> only when it holds no staff role.
/// </summary>
/// <remarks>Stored in every event (BankSerializer writes its properties): only these two, so add no computed property.</remarks>
public sealed record Issuer(string Subject, Role Role);
