import ArgumentParser
import Protocols

/// `--system NAME` (`run`, `plan`, `simulate`): `--help` lists the five systems; a name that is
/// none of them exits 2 by itself, and a system not built yet is refused by its definition.
extension System: ExpressibleByArgument {}
