#ifndef CLINUX_H
#define CLINUX_H
/* Linux calls that Swift's Glibc module leaves out: the GNU batch socket calls (recvmmsg and
 * sendmmsg need _GNU_SOURCE, which clashes with the Glibc module when set in a header), epoll and
 * eventfd. The batch calls take a packet batch's contiguous slots (base + i * slot_size) and keep
 * their mmsghdr arrays on the stack: nothing is allocated. */
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* The most datagrams one batch call moves. */
#define CLINUX_MAX_BATCH 256

/* recvmmsg(MSG_DONTWAIT) into up to n slots. Sets lengths[i] and names[i]; truncated[i] is 1 when
 * the datagram was longer than slot_size. Returns the count received, 0 when none, or -errno. */
int clinux_recv_batch(int fd, void *base, size_t slot_size, size_t *lengths, struct sockaddr_in *names,
                      uint8_t *truncated, unsigned n);

/* sendmmsg of n slots (lengths[i] bytes of slot i to names[i]). Returns the count the kernel
 * took (the first failure stops it), or -errno when the first one failed. */
int clinux_send_batch(int fd, const void *base, size_t slot_size, const size_t *lengths,
                      const struct sockaddr_in *names, unsigned n);

/* An epoll set (close-on-exec); -errno on failure. */
int clinux_epoll_create(void);
/* Watches fd for input; 0 or -errno. */
int clinux_epoll_add(int epfd, int fd);
/* Waits up to timeout_ns for input on the set (epoll_pwait2); returns ready count, 0, or -errno. */
int clinux_epoll_wait_ns(int epfd, uint64_t timeout_ns);
/* A non-blocking, close-on-exec eventfd; -errno on failure. */
int clinux_eventfd(void);
/* Asks the kernel to send SIGTERM to this process when the thread that started it exits
 * (prctl PR_SET_PDEATHSIG); returns 1 when that parent is already gone, 0 otherwise, -errno on failure. */
int clinux_terminate_with_parent(int expected_parent);
/* Pins the calling thread to one CPU (benchmarks); 0 or -errno. */
int clinux_pin_thread(int cpu);
#endif
