/// The version of masond and masonlab (one package, one version): node.info reports it and every
/// stored run records it.
public let masonVersion = "0.5.0"
