import Control
import Testing
@testable import Daemon

/// Which NIC `masond prepare` picks, and the CIDR and route parsing behind it.
@Suite struct ExperimentInterfaceChoiceTests {
    static func nic(_ name: String, _ addresses: [String], pci: String? = nil, numa: Int? = nil) -> NodeInfo.NIC {
        .init(name: name, mac: "02:00:00:00:00:0\(name.count)", mtu: 1500, operState: "up", pciAddress: pci, numaNode: numa,
              driver: pci == nil ? nil : "ixgbe", ipv4Addresses: addresses)
    }

    let net = IPv4Network.emulabExperiment

    @Test func theDefaultRoutesInterfaceIsNeverChosen() {
        // Even when the control NIC has an address in the experiment network too.
        let nics = [Self.nic("eno1", ["10.0.0.1", "155.98.36.10"]), Self.nic("eth1", ["10.1.1.2"], pci: "0000:03:00.0", numa: 1)]
        let choice = ExperimentInterfaceChoice.choose(nics: nics, defaultRoute: ["eno1"], network: net, boundRecord: nil)
        #expect(choice.interface == ExperimentInterface(name: "eth1", mac: "02:00:00:00:00:04", ipv4: "10.1.1.2",
                                                        pciAddress: "0000:03:00.0", numaNode: 1, boundToDPDK: false))
        #expect(choice.detail == "eth1 10.1.1.2 (pci 0000:03:00.0, NUMA node 1) holds an address in 10.0.0.0/8 (default route via eno1 excluded)")
    }

    @Test func theLowestAddressWinsNumerically() {
        let nics = [Self.nic("eth1", ["10.10.1.2"]), Self.nic("eth2", ["192.168.0.1", "10.9.1.2"]), Self.nic("lo", ["127.0.0.1"])]
        let choice = ExperimentInterfaceChoice.choose(nics: nics, defaultRoute: [], network: net, boundRecord: nil)
        #expect(choice.interface?.name == "eth2" && choice.interface?.ipv4 == "10.9.1.2")
        #expect(choice.detail.contains("the lowest address wins over eth1 10.10.1.2"))
    }

    @Test func noneNamesTheNetworkAndTheInterfaces() {
        let nics = [Self.nic("eno1", ["155.98.36.10"]), Self.nic("eth1", []), Self.nic("lo", ["127.0.0.1"])]
        let choice = ExperimentInterfaceChoice.choose(nics: nics, defaultRoute: ["eno1"], network: net, boundRecord: nil)
        #expect(choice == .none(detail: "no interface other than the default route's holds an IPv4 address in 10.0.0.0/8; interfaces seen: "
            + "eno1 (default route) 155.98.36.10; eth1 no IPv4; lo 127.0.0.1. Pass --experiment-net CIDR to name the experiment network."))
        let other = ExperimentInterfaceChoice.choose(nics: nics, defaultRoute: ["eno1"], network: IPv4Network("127.0.0.0/8")!, boundRecord: nil)
        #expect(other.interface?.name == "lo")
    }

    @Test func aBoundRecordIsReusedOnlyInsideTheNetwork() {
        let record = ExperimentInterface(name: "eth1", mac: "a0:36:9f:00:00:02", ipv4: "10.1.1.2", pciAddress: "0000:03:00.0",
                                         numaNode: 0, boundToDPDK: true)
        let nics = [Self.nic("eno1", ["155.98.36.10"]), Self.nic("eth2", ["10.1.1.1"])]
        let choice = ExperimentInterfaceChoice.choose(nics: nics, defaultRoute: ["eno1"], network: net, boundRecord: record)
        #expect(choice == .reused(record, detail: "eth1 10.1.1.2 (pci 0000:03:00.0, NUMA node 0) is still bound to vfio-pci, as the serve config records"))
        let elsewhere = ExperimentInterfaceChoice.choose(nics: nics, defaultRoute: ["eno1"], network: IPv4Network("10.1.1.0/31")!,
                                                          boundRecord: ExperimentInterface(name: "eth1", mac: "", ipv4: "10.1.1.2",
                                                                                           pciAddress: "0000:03:00.0", numaNode: nil, boundToDPDK: true))
        #expect(elsewhere.interface?.name == "eth2")
    }

    @Test func defaultRoutesComeFromProcNetRoute() {
        let table = "Iface\tDestination\tGateway\tFlags\n eno1\t00000000\t0124629B\t0003\neth1\t0000000A\t00000000\t0001\nwg0\t00000000\t00000000\t0001\n"
        #expect(ExperimentInterfaceChoice.defaultRouteInterfaces(procNetRoute: table) == ["eno1", "wg0"])
        #expect(ExperimentInterfaceChoice.defaultRouteInterfaces(procNetRoute: "") == [])
    }

    @Test func cidrsParseAndContain() {
        #expect(IPv4Network("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(IPv4Network("0.0.0.0/0")?.contains("155.98.36.10") == true)
        #expect(IPv4Network("10.0.0.0/8")?.contains("11.0.0.1") == false)
        #expect(IPv4Network("10.1.1.2/32")?.contains("10.1.1.2") == true)
        for bad in ["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "300.0.0.0/8", "10.0.0.0/-1", "10.0.0.0/8/8", "a.b.c.d/8", "10.0.0.0/"] {
            #expect(IPv4Network(bad) == nil, "\(bad)")
        }
        #expect(IPv4Network.parse("010.1.1.1") == 0x0A01_0101 && IPv4Network.parse("1.2.3.4.5") == nil)
    }
}
