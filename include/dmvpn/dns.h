/*
 * NHS names (`nhs dynamic nbma hub.example.net`): resolved to all their
 * A and AAAA records with c-ares on the daemon's libev loop, and resolved
 * again when the answer's TTL runs out, bounded to [min_ttl, max_ttl]
 * (60 s .. 2 h by default) so a zero TTL cannot storm the resolver and a
 * huge one cannot pin a stale hub.  Failures retry on the minimum.
 */
#ifndef DMVPN_DNS_H
#define DMVPN_DNS_H

#include <stddef.h>

#include <ev.h>

#include "dmvpn/addr.h"

#define DNS_MAX_ADDRS 16

struct dns;
struct dns_watch;

/*
 * The answer for name: n addresses (0 on failure, then err is a c-ares
 * message).  Called after every resolution, changed or not.
 */
typedef void dns_fn(void *arg, const char *name, const struct addr *addrs,
		    size_t n, const char *err);

/*
 * A resolver on loop.  servers: NULL for the system's (resolv.conf), or
 * a c-ares CSV list like "127.0.0.1:5353".  NULL with *why on failure.
 */
struct dns *dns_new(struct ev_loop *loop, const char *servers,
		    const char **why);

/* Cancel everything and free; NULL is fine. */
void dns_free(struct dns *d);

/* TTL bounds in seconds (defaults 60 and 7200). */
void dns_set_ttl_bounds(struct dns *d, double min_ttl, double max_ttl);

/* Keep name resolved, calling cb with each answer; NULL when no memory. */
struct dns_watch *dns_watch(struct dns *d, const char *name, dns_fn *cb,
			    void *arg);

/* Stop watching (cb is not called again). */
void dns_unwatch(struct dns_watch *w);

/* Resolve a watched name now (reload, `dmvpnctl`). */
void dns_refresh(struct dns_watch *w);

#endif /* DMVPN_DNS_H */
