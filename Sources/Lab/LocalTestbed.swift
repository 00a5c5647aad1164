/// The local testbed's node names and addresses: two sequencers, the proxies, then the clients,
/// on 127.0.1.1, 127.0.1.2, ... (each a masond of its own).
public enum LocalTestbed {
    public static func slots(for options: MasonOptions) -> [NodeSlot] {
        let names = ["sequencer-0", "sequencer-1"] + (0 ..< options.proxies).map { "proxy-\($0)" }
            + (0 ..< options.clients).map { "client-\($0)" }
        return names.enumerated().map { i, name in NodeSlot(name: name, address: "127.0.1.\(i + 1)") }
    }
}
