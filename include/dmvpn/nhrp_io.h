/*
 * The NHRP socket of a tunnel and the hub's redirect capture: the only
 * sockets of the NHRP module, kept out of the engine.
 *
 * NHRP travels in GRE with protocol type 0x2001; the kernel hands it to
 * an AF_PACKET socket of that protocol bound to the GRE device, with the
 * peer's NBMA address as the link-layer address (sll_addr), and sends
 * what we write to the NBMA address we put there.
 *
 * The redirect capture sees IP packets that arrive on the tunnel for a
 * destination that is not ours (a BPF filter in the kernel keeps the rest
 * away); the daemon then asks whether the kernel forwards them back into
 * the tunnel, which is what phase 3 redirects.
 */
#ifndef DMVPN_NHRP_IO_H
#define DMVPN_NHRP_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dmvpn/addr.h"

/* Bytes of a redirected packet the capture keeps (IP header + ports). */
#define NHRP_IO_SNAPLEN 128

/* Open the NHRP socket of device ifindex (non-blocking); -1 with errno. */
int nhrp_io_open(int ifindex);

/* Send pkt to NBMA address dst through device ifindex; -1 with errno. */
int nhrp_io_send(int fd, int ifindex, const struct addr *dst,
		 const uint8_t *pkt, size_t len);

/*
 * Receive one packet: its length, 0 when none is waiting, -1 with errno.
 * *from is the sender's NBMA address.
 */
ssize_t nhrp_io_recv(int fd, uint8_t *buf, size_t len, struct addr *from);

/*
 * Open the redirect capture on device ifindex: incoming IPv4 and IPv6
 * packets whose destination is none of the `nlocal` addresses in local;
 * -1 with errno.  Reopen it when the addresses change.
 */
int nhrp_redirect_open(int ifindex, const struct addr *local, size_t nlocal);

/* Receive one captured packet (at most NHRP_IO_SNAPLEN bytes), as recv. */
ssize_t nhrp_redirect_recv(int fd, uint8_t *buf, size_t len, struct addr *from);

#endif /* DMVPN_NHRP_IO_H */
