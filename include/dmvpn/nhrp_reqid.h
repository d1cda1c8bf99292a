/*
 * Request IDs that stay unique across restarts.  RFC 2332 5.2.0: a
 * request ID ties a reply (and a later purge) to its request, so a
 * restarted daemon must not hand out IDs its previous run used while
 * their bindings may still live in peers' caches.
 *
 * The daemon reserves IDs in blocks and writes the end of the reservation
 * to a small state file before using any ID of the block; a restart
 * starts at the recorded end.  Without a state file it starts from the
 * wall clock in seconds, which moves faster than a router uses IDs.
 */
#ifndef DMVPN_NHRP_REQID_H
#define DMVPN_NHRP_REQID_H

#include <stdint.h>

#define NHRP_REQID_DEFAULT_BLOCK 65536

/*
 * Read path, reserve `block` IDs from where the last run stopped and
 * record the new end in path.  *base is the first ID to use, *limit the
 * end of the reservation.  0, or -1 with errno when path cannot be
 * written (*base and *limit are still usable, just not persistent).
 */
int nhrp_reqid_restore(const char *path, uint32_t block, uint32_t *base,
		       uint32_t *limit);

/* Record that IDs up to limit are reserved (for nhrp_ops.reqid_reserve). */
int nhrp_reqid_persist(const char *path, uint32_t limit);

#endif /* DMVPN_NHRP_REQID_H */
