/// masond's systemd unit, as `masonlab setup` installs it (the repository's systemd/masond.service
/// holds the same text; a test keeps them equal).
public enum MasondUnit {
    /// Written by `masond prepare`: the experiment address and, when the NIC is bound, DPDK's arguments.
    public static let configPath = "/etc/masond/serve.json"

    public static let text = """
        # masond, the Mason node daemon. `masonlab setup` installs it on Emulab/CloudLab nodes: masond to
        # /usr/local/bin, this file to /etc/systemd/system/, and /etc/masond/serve.json from
        # `masond prepare` (hugepages, the experiment NIC, DPDK's arguments when the NIC is bound).
        [Unit]
        Description=masond: Mason sequencer/proxy/client roles over UDP or DPDK
        After=network-online.target
        Wants=network-online.target

        [Service]
        Type=simple
        ExecStart=/usr/local/bin/masond serve --config /etc/masond/serve.json
        # SIGTERM stops every role and removes the socket; no kill -9 needed.
        KillSignal=SIGTERM
        TimeoutStopSec=15
        Restart=on-failure
        RestartSec=2
        LimitMEMLOCK=infinity
        LimitNOFILE=65536

        [Install]
        WantedBy=multi-user.target

        """
}
