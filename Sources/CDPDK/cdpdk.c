#define _GNU_SOURCE
#include "cdpdk.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

_Static_assert(CDPDK_NAME_SIZE == RTE_ETH_NAME_MAX_LEN, "CDPDK_NAME_SIZE must match DPDK's port name size");

int cdpdk_eal_init(int argc, char **argv) {
    cpu_set_t before;
    int saved = pthread_getaffinity_np(pthread_self(), sizeof before, &before);
    int result = rte_eal_init(argc, argv);
    if (result < 0) result = rte_errno > 0 ? -rte_errno : -EINVAL;
    if (saved == 0) pthread_setaffinity_np(pthread_self(), sizeof before, &before);
    return result;
}

const char *cdpdk_strerror(int errnum) { return rte_strerror(errnum); }

int cdpdk_dev_probe(const char *devargs) { return rte_dev_probe(devargs); }

int cdpdk_port_next(uint16_t from) {
    uint64_t next = rte_eth_find_next_owned_by(from, RTE_ETH_DEV_NO_OWNER);
    return next < RTE_MAX_ETHPORTS ? (int)next : -1;
}

int cdpdk_port_by_name(const char *name, uint16_t *port) { return rte_eth_dev_get_port_by_name(name, port); }

int cdpdk_port_name(uint16_t port, char *name) { return rte_eth_dev_get_name_by_port(port, name); }

int cdpdk_port_mac(uint16_t port, uint8_t *mac) {
    struct rte_ether_addr address;
    int result = rte_eth_macaddr_get(port, &address);
    if (result == 0) memcpy(mac, address.addr_bytes, RTE_ETHER_ADDR_LEN);
    return result;
}

int cdpdk_port_mtu(uint16_t port, uint16_t *mtu) { return rte_eth_dev_get_mtu(port, mtu); }

int cdpdk_port_setup(uint16_t port, unsigned mbufs, uint16_t rx_descriptors, uint16_t tx_descriptors,
                     struct rte_mempool **pool, const char **failed_call) {
    static unsigned pools_made = 0;
    char name[RTE_MEMPOOL_NAMESIZE];
    snprintf(name, sizeof name, "cdpdk_p%u_%u", (unsigned)port, __atomic_fetch_add(&pools_made, 1, __ATOMIC_RELAXED));
    int socket = rte_eth_dev_socket_id(port);
    struct rte_mempool *made = rte_pktmbuf_pool_create(name, mbufs, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                                       socket < 0 ? SOCKET_ID_ANY : socket);
    if (made == NULL) {
        *failed_call = "rte_pktmbuf_pool_create";
        return rte_errno > 0 ? -rte_errno : -ENOMEM;
    }
    struct rte_eth_conf conf;
    memset(&conf, 0, sizeof conf);
    int result = rte_eth_dev_configure(port, 1, 1, &conf);
    if (result < 0) { *failed_call = "rte_eth_dev_configure"; goto fail; }
    result = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rx_descriptors, &tx_descriptors);
    if (result < 0) { *failed_call = "rte_eth_dev_adjust_nb_rx_tx_desc"; goto fail; }
    result = rte_eth_rx_queue_setup(port, 0, rx_descriptors, socket < 0 ? SOCKET_ID_ANY : socket, NULL, made);
    if (result < 0) { *failed_call = "rte_eth_rx_queue_setup"; goto fail; }
    result = rte_eth_tx_queue_setup(port, 0, tx_descriptors, socket < 0 ? SOCKET_ID_ANY : socket, NULL);
    if (result < 0) { *failed_call = "rte_eth_tx_queue_setup"; goto fail; }
    result = rte_eth_promiscuous_enable(port);
    if (result < 0 && result != -ENOTSUP) { *failed_call = "rte_eth_promiscuous_enable"; goto fail; }
    result = rte_eth_dev_start(port);
    if (result < 0) { *failed_call = "rte_eth_dev_start"; goto fail; }
    *pool = made;
    return 0;
fail:
    /* Queues set up so far hold no mbufs until the port starts; freeing the pool is safe. */
    rte_mempool_free(made);
    return result;
}

int cdpdk_port_stop(uint16_t port) { return rte_eth_dev_stop(port); }

int cdpdk_port_close(uint16_t port) { return rte_eth_dev_close(port); }

void cdpdk_pool_free(struct rte_mempool *pool) { rte_mempool_free(pool); }

uint16_t cdpdk_rx_burst(uint16_t port, struct rte_mbuf **mbufs, uint16_t count) {
    return rte_eth_rx_burst(port, 0, mbufs, count);
}

uint16_t cdpdk_tx_burst(uint16_t port, struct rte_mbuf **mbufs, uint16_t count) {
    return rte_eth_tx_burst(port, 0, mbufs, count);
}

int cdpdk_mbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **mbufs, unsigned count) {
    return rte_pktmbuf_alloc_bulk(pool, mbufs, count);
}

void *cdpdk_mbuf_append(struct rte_mbuf *mbuf, uint16_t length) { return rte_pktmbuf_append(mbuf, length); }

const void *cdpdk_mbuf_data(const struct rte_mbuf *mbuf) { return rte_pktmbuf_mtod(mbuf, const void *); }

uint16_t cdpdk_mbuf_data_length(const struct rte_mbuf *mbuf) { return rte_pktmbuf_data_len(mbuf); }

uint32_t cdpdk_mbuf_frame_length(const struct rte_mbuf *mbuf) { return rte_pktmbuf_pkt_len(mbuf); }

void cdpdk_mbuf_free_bulk(struct rte_mbuf **mbufs, unsigned count) { rte_pktmbuf_free_bulk(mbufs, count); }
