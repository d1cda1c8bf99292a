/*
 * The NHRP engine (RFC 2332 with the Cisco DMVPN extensions), sans-I/O.
 *
 * One engine serves one multipoint GRE tunnel, as a spoke (NHC) or a hub
 * (NHS).  It owns no socket, no netlink and no event loop: the daemon
 * feeds it received packets, the time, and kernel or IPsec events, and the
 * engine answers through struct nhrp_ops with packets to send and kernel
 * intents (map this protocol address to that NBMA address, install this
 * shortcut route, bring up IPsec to that NBMA address).  Every input takes
 * `now`, in seconds on a monotonic clock; nhrp_next_deadline() says when
 * the engine wants nhrp_tick() next.  The engine never calls back into
 * the daemon from anything but the ops, and the ops must not call back
 * into the engine.
 *
 * See docs/nhrp.md for the state machines and what of RFC 2332 and the
 * Cisco extensions is implemented.
 */
#ifndef DMVPN_NHRP_H
#define DMVPN_NHRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/addr.h"

#define NHRP_IFNAME_MAX        16
#define NHRP_AUTH_MAX          8 /* Cisco cleartext secret */
#define NHRP_FQDN_MAX          256
#define NHRP_MAX_LOCAL         8 /* tunnel addresses per interface */
#define NHRP_MAX_SHORTCUT_DEST 32

enum nhrp_role {
	NHRP_ROLE_SPOKE,
	NHRP_ROLE_HUB,
};

/* A configured next-hop server: static (proto given) or learned. */
struct nhrp_nhs_conf {
	struct addr proto; /* none: learn it from the registration reply */
	struct addr nbma;  /* none when fqdn is set */
	char fqdn[NHRP_FQDN_MAX];
	uint8_t priority; /* Cisco: 0 is the most preferred */
	uint8_t cluster;
};

/* A static mapping (`map P nbma X`). */
struct nhrp_map_conf {
	struct prefix proto;
	struct addr nbma;
};

/* Per-cluster limits (Cisco `ip nhrp nhs cluster N max-connections M`). */
struct nhrp_cluster_conf {
	uint8_t cluster;
	uint8_t max_connections;
};

struct nhrp_conf {
	char ifname[NHRP_IFNAME_MAX];
	enum nhrp_role role;
	/* Our tunnel addresses with their prefix (`address 172.16.0.10/24`) */
	struct prefix local[NHRP_MAX_LOCAL];
	size_t nlocal;
	struct addr local_nbma;
	uint32_t holding_time; /* seconds, default 7200 */
	uint16_t mtu;          /* advertised in CIEs; 0 = none */
	bool unique;           /* register with the U bit (default) */
	bool shortcut;         /* act on Traffic Indications (spokes) */
	bool redirect;         /* send Traffic Indications (hubs) */
	bool ipsec;            /* talk to a peer only once IPsec to it is up */
	/* Networks behind this router, announced in resolution replies. */
	struct prefix shortcut_dest[NHRP_MAX_SHORTCUT_DEST];
	size_t nshortcut_dest;
	uint8_t auth[NHRP_AUTH_MAX]; /* Cisco cleartext, type 1 */
	size_t auth_len;             /* 0: no authentication */
	struct nhrp_nhs_conf *nhs;
	size_t nnhs;
	struct nhrp_map_conf *maps;
	size_t nmaps;
	struct nhrp_cluster_conf *clusters;
	size_t nclusters;
	double fallback;     /* s before returning to a better NHS, 0 = now */
	double negative_ttl; /* s a failed resolution is remembered */
	/* Traffic Indication rate limit per (source, destination) */
	double redirect_interval; /* one token per interval seconds */
	unsigned int redirect_burst;
	/* First request ID and the end of the block reserved for it. */
	uint32_t reqid_base;
	uint32_t reqid_limit;
	uint32_t seed; /* for retry jitter; any value */
};

/* What the engine asks of the kernel, IPsec and the hook scripts. */
enum nhrp_intent_type {
	NHRP_I_NEIGH_SET,  /* proto -> nbma on the tunnel (neighbour) */
	NHRP_I_NEIGH_DEL,  /* remove that mapping */
	NHRP_I_NEIGH_FAIL, /* answer a miss for proto negatively */
	NHRP_I_ROUTE_ADD,  /* dst via proto (a shortcut route) */
	NHRP_I_ROUTE_DEL,
	NHRP_I_IPSEC_UP,   /* bring up IPsec to nbma */
	NHRP_I_IPSEC_DOWN, /* no NHRP use of nbma is left */
	NHRP_I_EVENT,      /* for hook scripts and logs */
};

/* Hook events, named as opennhrp-script names them. */
enum nhrp_event {
	NHRP_EV_PEER_UP,
	NHRP_EV_PEER_DOWN,
	NHRP_EV_NHS_UP,
	NHRP_EV_NHS_DOWN,
	NHRP_EV_ROUTE_UP,
	NHRP_EV_ROUTE_DOWN,
};

/* The kinds of cache entries (`dmvpnctl show peers` "type"). */
enum nhrp_cache_type {
	NHRP_CACHE_INCOMPLETE, /* resolution under way */
	NHRP_CACHE_NEGATIVE,   /* resolution failed */
	NHRP_CACHE_DYNAMIC,    /* registered with us (hub) */
	NHRP_CACHE_NHS,        /* a next-hop server of ours */
	NHRP_CACHE_STATIC,     /* configured `map` */
	NHRP_CACHE_SHORTCUT,   /* resolved shortcut route */
	NHRP_CACHE_LOCAL,      /* our own address or network */
};

/* `state` of a peer: is the path to its NBMA usable? */
enum nhrp_peer_state {
	NHRP_PEER_DOWN,
	NHRP_PEER_IKE,  /* waiting for IPsec */
	NHRP_PEER_NHRP, /* IPsec up, NHRP exchange under way */
	NHRP_PEER_UP,
};

struct nhrp_intent {
	enum nhrp_intent_type type;
	enum nhrp_event event;     /* NHRP_I_EVENT */
	enum nhrp_cache_type kind; /* the entry it is about */
	struct prefix dst;         /* route destination / entry prefix */
	struct addr proto;         /* neighbour / next hop / peer address */
	struct addr nbma;
	struct addr claimed_nbma; /* what the peer said, behind NAT */
	uint16_t mtu;
	const char *reason; /* peer-down, route-down: why */
};

struct nhrp_ops {
	/* Send pkt to the NBMA address dst over the tunnel's NHRP socket. */
	void (*send)(void *ctx, const struct addr *dst, const uint8_t *pkt,
		     size_t len);
	/* Carry out (or record) an intent. */
	void (*intent)(void *ctx, const struct nhrp_intent *in);
	/*
	 * How the kernel routes dst: 1 with *nexthop set when through this
	 * tunnel, 0 when through another interface of ours (we are the
	 * exit; *plen is then the route's prefix length, which a Resolution
	 * Reply announces), -1 when unroutable.  May be NULL: then only
	 * NHRP's own cache and NHSes are used.
	 */
	int (*route_lookup)(void *ctx, const struct addr *dst,
			    struct addr *nexthop, uint8_t *plen);
	/*
	 * Persist that request IDs up to `limit` are in use, so a restart
	 * starts past them; 0 on success.  May be NULL.
	 */
	int (*reqid_reserve)(void *ctx, uint32_t limit);
	/*
	 * Hub with IPsec: may the peer at NBMA address nbma (authenticated
	 * by IKE) register the tunnel address proto?  false: the CIE is
	 * refused with code 4 (administratively prohibited).  May be NULL.
	 */
	bool (*authorize)(void *ctx, const struct addr *nbma,
			  const struct addr *proto);
	void *ctx;
};

/* Why received packets were dropped (`dmvpnctl show stats`). */
enum nhrp_drop {
	NHRP_DROP_MALFORMED,
	NHRP_DROP_AUTH_MISSING,
	NHRP_DROP_AUTH_MISMATCH,
	NHRP_DROP_WRONG_PROTOCOL,
	NHRP_DROP_HOP_COUNT,
	NHRP_DROP_LOOP,
	NHRP_DROP_UNKNOWN_COMPULSORY,
	NHRP_DROP_NOT_SERVER,
	NHRP_DROP_NO_ROUTE,
	NHRP_DROP_UNMATCHED_REPLY,
	NHRP_DROP_STALE_REPLY,
	NHRP_DROP_NO_RESOURCES,
	NHRP_DROP_BAD_CIE,
	NHRP_DROP_RATE_LIMIT,
	NHRP_DROP_IPSEC_QUEUE,
	NHRP_DROP_MAX,
};

struct nhrp_stats {
	uint64_t rx_by_type[9]; /* index: ar$op.type 1..8; 0 = unknown */
	uint64_t tx_by_type[9];
	uint64_t drops[NHRP_DROP_MAX];
	uint64_t registrations_accepted;
	uint64_t registrations_rejected;
	uint64_t registrations_nat;
	uint64_t registrations_unauthorized; /* IKE identity refused it */
	uint64_t resolutions_answered;
	uint64_t resolutions_forwarded;
	uint64_t replies_forwarded;
	uint64_t indications_sent;
	uint64_t indications_suppressed;
	uint64_t shortcuts_installed;
	uint64_t purges_sent;
	uint64_t errors_sent;
	uint64_t send_failures;
};

/* One cache entry, as `dmvpnctl show peers` reports it. */
struct nhrp_peer_info {
	const char *ifname;
	struct prefix proto;
	struct addr nbma;
	struct addr claimed_nbma;
	struct addr nexthop; /* shortcut: the peer's tunnel address */
	enum nhrp_cache_type type;
	enum nhrp_peer_state state;
	double expires_in; /* s; -1 for entries that do not expire */
	double uptime;     /* s since it came up; 0 when not up */
	bool unique;
	bool nat;
	bool used;
};

enum nhrp_nhs_state {
	NHRP_NHS_DOWN,
	NHRP_NHS_PROBING,
	NHRP_NHS_UP,
};

/* One next-hop server, as `dmvpnctl show nhs` reports it. */
struct nhrp_nhs_info {
	const char *ifname;
	struct addr proto;
	struct addr nbma;
	const char *fqdn; /* NULL for static ones */
	enum nhrp_nhs_state state;
	uint8_t priority;
	uint8_t cluster;
	double uptime; /* s registered; 0 when not up */
	unsigned int failures;
};

struct nhrp_engine;

/*
 * Make an engine from conf (copied: the caller may free it) at time now;
 * NULL on bad configuration or no memory, with *why set.
 */
struct nhrp_engine *nhrp_engine_new(const struct nhrp_conf *conf,
				    const struct nhrp_ops *ops, double now,
				    const char **why);

/*
 * Reload: apply conf in place.  NHSes still configured keep their
 * registrations, peers and shortcuts stay; removed NHSes, maps and
 * announced networks go (with purges), new ones come; the rest of the
 * settings apply from the next message on.  -1 with *why when the change
 * needs a new engine (role, tunnel addresses, NBMA address, ipsec).
 */
int nhrp_reconfigure(struct nhrp_engine *e, const struct nhrp_conf *conf,
		     double now, const char **why);

/* Withdraw everything the engine installed (intents) and free it. */
void nhrp_engine_free(struct nhrp_engine *e, double now);

/* Fill conf with the defaults (holding time 7200, unique, ...). */
void nhrp_conf_defaults(struct nhrp_conf *conf, enum nhrp_role role);

/* A packet arrived on the tunnel from the NBMA address `from`. */
void nhrp_recv(struct nhrp_engine *e, double now, const struct addr *from,
	       const uint8_t *pkt, size_t len);

/* Run every timer due at now. */
void nhrp_tick(struct nhrp_engine *e, double now);

/* When the engine next wants nhrp_tick(), or -1 for never. */
double nhrp_next_deadline(const struct nhrp_engine *e);

/* The IPsec path to nbma is up (CHILD SA installed) / went down. */
void nhrp_ipsec_up(struct nhrp_engine *e, double now, const struct addr *nbma);
void nhrp_ipsec_down(struct nhrp_engine *e, double now,
		     const struct addr *nbma);

/* The kernel asked for the NBMA address of proto (phase 2). */
void nhrp_neigh_miss(struct nhrp_engine *e, double now,
		     const struct addr *proto);

/* Traffic used the mapping for proto: keep shortcuts through it alive. */
void nhrp_neigh_used(struct nhrp_engine *e, double now,
		     const struct addr *proto);

/*
 * Hub: a data packet (pkt: its IP header onward) that came in from NBMA
 * `from` was forwarded back out of the tunnel (phase 3 redirect).
 */
void nhrp_redirect_seen(struct nhrp_engine *e, double now,
			const struct addr *from, const uint8_t *pkt,
			size_t len);

/* A DNS answer for NHS fqdn: the NBMA addresses it names now. */
void nhrp_nhs_resolved(struct nhrp_engine *e, double now, const char *fqdn,
		       const struct addr *nbma, size_t n);

/*
 * Send Purge Requests for every binding of addr we handed out, and drop
 * our own entries for it (`dmvpnctl purge`); number of entries purged.
 */
int nhrp_purge(struct nhrp_engine *e, double now, const struct addr *addr);

/*
 * Flush dynamic entries (all when peer is NULL, else those whose protocol
 * or NBMA address is peer); returns how many went.
 */
int nhrp_flush(struct nhrp_engine *e, double now, const struct addr *peer);

/* Iterate over the cache / the NHSes; stop early when cb returns non-zero. */
int nhrp_foreach_peer(const struct nhrp_engine *e, double now,
		      int (*cb)(const struct nhrp_peer_info *, void *),
		      void *arg);
int nhrp_foreach_nhs(const struct nhrp_engine *e, double now,
		     int (*cb)(const struct nhrp_nhs_info *, void *),
		     void *arg);

/* The engine's counters. */
const struct nhrp_stats *nhrp_stats(const struct nhrp_engine *e);

/* The next request ID the engine will use (for persistence tests). */
uint32_t nhrp_reqid_peek(const struct nhrp_engine *e);

/* Names for JSON and logs. */
const char *nhrp_cache_type_name(enum nhrp_cache_type t);
const char *nhrp_peer_state_name(enum nhrp_peer_state s);
const char *nhrp_nhs_state_name(enum nhrp_nhs_state s);
const char *nhrp_drop_name(enum nhrp_drop d);
const char *nhrp_event_name(enum nhrp_event ev);

#endif /* DMVPN_NHRP_H */
