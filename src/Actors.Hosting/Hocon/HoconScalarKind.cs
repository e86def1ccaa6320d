namespace Actors.Hosting.Hocon;

public enum HoconScalarKind
{
    String,
    Number,
    Boolean,
    Null,
}
