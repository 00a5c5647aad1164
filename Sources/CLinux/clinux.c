#define _GNU_SOURCE
#include "clinux.h"
#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

/* Points the first n (at most CLINUX_MAX_BATCH) headers at slot i of base and names[i]: the
 * whole slot to receive into (lengths NULL), or lengths[i] bytes of it to send. Returns n. */
static unsigned clinux_batch_headers(struct mmsghdr *headers, struct iovec *iovecs, const void *base, size_t slot_size,
                                     const size_t *lengths, const struct sockaddr_in *names, unsigned n) {
    if (n > CLINUX_MAX_BATCH) n = CLINUX_MAX_BATCH;
    memset(headers, 0, sizeof(struct mmsghdr) * n);
    for (unsigned i = 0; i < n; i++) {
        iovecs[i].iov_base = (char *)base + i * slot_size;
        iovecs[i].iov_len = lengths ? lengths[i] : slot_size;
        headers[i].msg_hdr.msg_iov = &iovecs[i];
        headers[i].msg_hdr.msg_iovlen = 1;
        headers[i].msg_hdr.msg_name = (void *)&names[i];
        headers[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
    }
    return n;
}

int clinux_recv_batch(int fd, void *base, size_t slot_size, size_t *lengths, struct sockaddr_in *names,
                      uint8_t *truncated, unsigned n) {
    struct mmsghdr headers[CLINUX_MAX_BATCH];
    struct iovec iovecs[CLINUX_MAX_BATCH];
    n = clinux_batch_headers(headers, iovecs, base, slot_size, NULL, names, n);
    int got = recvmmsg(fd, headers, n, MSG_DONTWAIT, NULL);
    if (got < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    for (int i = 0; i < got; i++) {
        lengths[i] = headers[i].msg_len;
        truncated[i] = (headers[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    }
    return got;
}

int clinux_send_batch(int fd, const void *base, size_t slot_size, const size_t *lengths,
                      const struct sockaddr_in *names, unsigned n) {
    struct mmsghdr headers[CLINUX_MAX_BATCH];
    struct iovec iovecs[CLINUX_MAX_BATCH];
    n = clinux_batch_headers(headers, iovecs, base, slot_size, lengths, names, n);
    int sent = sendmmsg(fd, headers, n, MSG_DONTWAIT);
    return sent < 0 ? -errno : sent;
}

int clinux_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int clinux_epoll_add(int epfd, int fd) {
    struct epoll_event event = {.events = EPOLLIN, .data = {.fd = fd}};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) == 0 ? 0 : -errno;
}

int clinux_epoll_wait_ns(int epfd, uint64_t timeout_ns) {
    struct epoll_event events[4];
    struct timespec timeout = {.tv_sec = (time_t)(timeout_ns / 1000000000u), .tv_nsec = (long)(timeout_ns % 1000000000u)};
    int ready = epoll_pwait2(epfd, events, 4, &timeout, NULL);
    return ready < 0 ? -errno : ready;
}

int clinux_eventfd(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int clinux_pin_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    return -rc;
}

int clinux_terminate_with_parent(int expected_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) return -errno;
    return getppid() != expected_parent ? 1 : 0;
}
