/*
 * NHRP packets as a dmvpnd spoke sends them, built with our own codec, for
 * the NHRP engine benchmarks: the in-process one (bench.c) and the load
 * generator that drives a hub in the VM (loadgen.c).  Both must offer a
 * hub the very bytes a real spoke would, so the layout follows the
 * engine's own senders (src/nhrp/nhrp_nhs.c nhs_register() and
 * src/nhrp/nhrp_shortcut.c resolution_send()); keep them in step.
 */
#ifndef BENCH_SPOKE_H
#define BENCH_SPOKE_H

#include <stddef.h>
#include <stdint.h>

#include "dmvpn/addr.h"

/* Holding time a spoke registers with (dmvpnd's default). */
#define SPOKE_HOLDING_TIME 7200

/*
 * A Registration Request (RFC 2332 5.2.3) from the spoke at nbma/proto to
 * the hub at hub_nbma: unique and NAT flags, one CIE for the spoke's own
 * address, Forward and Reverse Transit NHS Record, Responder Address and a
 * NAT Address extension naming the hub's NBMA address.  Writes at most cap
 * bytes to out; returns the length, or -1 with *why set.
 */
int spoke_registration(uint8_t *out, size_t cap, const struct addr *nbma,
		       const struct addr *proto, const struct addr *hub_nbma,
		       uint32_t reqid, const char **why);

/*
 * A Resolution Request (RFC 2332 5.2.1) from the spoke at nbma/proto for
 * the tunnel address dst: Q, A, S and NAT flags, one CIE for the spoke's
 * binding, the three RFC extensions and an empty NAT Address extension.
 */
int spoke_resolution(uint8_t *out, size_t cap, const struct addr *nbma,
		     const struct addr *proto, const struct addr *dst,
		     uint32_t reqid, const char **why);

/*
 * Check a reply: it decodes, is of type `type` and every CIE says Success.
 * Returns 0 (with *reqid set), 1 when it decodes but refuses (some CIE
 * code is not Success, *code the first such code), -1 when it is not a
 * reply of that type.
 */
int spoke_check_reply(const uint8_t *pkt, size_t len, uint8_t type,
		      uint32_t *reqid, uint8_t *code);

/* An IPv4 address from a host-order 32-bit value. */
struct addr spoke_ipv4(uint32_t host_order);

#endif /* BENCH_SPOKE_H */
