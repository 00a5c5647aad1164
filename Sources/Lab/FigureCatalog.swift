/// Every figure of the systems built, each declared by its system's definition (`Systems/`).
public enum FigureCatalog {
    public static var all: [Figure] { SystemDefinition.built.flatMap(\.figures) }
}
