#ifndef CDPDK_H
#define CDPDK_H
#include <stddef.h>
#include <stdint.h>

/* The one C target: a thin shim over DPDK, whose inline functions and packed `struct rte_mbuf`
 * Swift cannot import. The DPDK types stay opaque here (Swift sees OpaquePointer), so this header
 * includes no DPDK header. Every port uses queue 0 for receive and for transmit.
 *
 * Return convention: functions returning int give 0 (or a count) on success and a negative errno
 * on failure; cdpdk_strerror turns the errno into DPDK's sentence for it. */

struct rte_mbuf;
struct rte_mempool;

/* Bytes a port name buffer needs (DPDK's RTE_ETH_NAME_MAX_LEN, checked in cdpdk.c). */
#define CDPDK_NAME_SIZE 64

/* Initialises DPDK's EAL from an argv (argv[0] is the program name; EAL may permute argv and keeps
 * pointers into it, so the strings must live for the whole process). EAL pins the calling thread
 * to the main lcore's CPUs; this restores the thread's CPU affinity afterwards, so threads the
 * caller starts later are not all confined to that CPU. Returns the number of arguments parsed,
 * or a negative errno. Runs at most once per process. */
int cdpdk_eal_init(int argc, char **argv);

/* DPDK's sentence for a (positive) errno value, including DPDK's own error codes. */
const char *cdpdk_strerror(int errnum);

/* Probes (hot-plugs) a device from a devargs string, as `--vdev` or `-a` would at init, e.g.
 * "net_af_packet0,iface=veth0". Runs the driver's probe on the calling thread: an af_packet port
 * binds to the interface of that name in the calling thread's network namespace. */
int cdpdk_dev_probe(const char *devargs);

/* The first valid port id >= `from`, or -1 when there is none (ids need not be contiguous). */
int cdpdk_port_next(uint16_t from);

/* The id of the port named `name` (a vdev's name, e.g. "net_af_packet0", or a PCI address). */
int cdpdk_port_by_name(const char *name, uint16_t *port);

/* Writes the port's NUL-terminated name into `name` (CDPDK_NAME_SIZE bytes). */
int cdpdk_port_name(uint16_t port, char *name);

/* Writes the port's MAC address into `mac` (6 bytes). */
int cdpdk_port_mac(uint16_t port, uint8_t *mac);

/* Writes the port's MTU (the largest IP packet it sends, in bytes) into `mtu`. */
int cdpdk_port_mtu(uint16_t port, uint16_t *mtu);

/* Configures the port with one receive and one transmit queue, creates a mempool of `mbufs`
 * packet buffers (2,048 data bytes each) for it, enables promiscuous mode and starts the port.
 * On success `*pool` is the mempool (free it with cdpdk_pool_free after the port is closed); on
 * failure nothing is left allocated, and `*failed_call` names the DPDK function that failed. */
int cdpdk_port_setup(uint16_t port, unsigned mbufs, uint16_t rx_descriptors, uint16_t tx_descriptors,
                     struct rte_mempool **pool, const char **failed_call);

/* Stops the port (it keeps its configuration). */
int cdpdk_port_stop(uint16_t port);

/* Closes the port, releasing its queues; a vdev's sockets are closed too. The id becomes invalid. */
int cdpdk_port_close(uint16_t port);

/* Frees a mempool made by cdpdk_port_setup, once no mbuf of it is in use. */
void cdpdk_pool_free(struct rte_mempool *pool);

/* Receives up to `count` frames from queue 0 into `mbufs`; returns how many. The caller owns them
 * and frees them with cdpdk_mbuf_free_bulk. */
uint16_t cdpdk_rx_burst(uint16_t port, struct rte_mbuf **mbufs, uint16_t count);

/* Transmits `count` mbufs on queue 0; returns how many the port took (it frees those). The caller
 * still owns mbufs[returned..<count]. */
uint16_t cdpdk_tx_burst(uint16_t port, struct rte_mbuf **mbufs, uint16_t count);

/* Fills `mbufs` with `count` fresh, empty mbufs from `pool`: all of them (0) or none (negative). */
int cdpdk_mbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **mbufs, unsigned count);

/* Extends the mbuf's data by `length` bytes and returns where they start, or NULL when the mbuf
 * has less tailroom than that (the mbuf is then unchanged). */
void *cdpdk_mbuf_append(struct rte_mbuf *mbuf, uint16_t length);

/* The first byte of the mbuf's (first segment's) data. */
const void *cdpdk_mbuf_data(const struct rte_mbuf *mbuf);

/* Bytes of data in the mbuf's first segment. */
uint16_t cdpdk_mbuf_data_length(const struct rte_mbuf *mbuf);

/* Bytes of the whole frame, over all segments (more than the data length: a chained mbuf). */
uint32_t cdpdk_mbuf_frame_length(const struct rte_mbuf *mbuf);

/* Frees `count` mbufs. */
void cdpdk_mbuf_free_bulk(struct rte_mbuf **mbufs, unsigned count);

#endif
