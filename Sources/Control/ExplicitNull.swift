/// An optional output field written as `null` when absent, where synthesized `Encodable` would
/// leave the key out: the documented JSON outputs (`results list --json`, `results export --json`)
/// always carry every key, so a script can index them without checking.
@propertyWrapper
public struct ExplicitNull<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
