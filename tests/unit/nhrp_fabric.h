/*
 * A simulated NBMA fabric for NHRP engine tests: several engines (hubs and
 * spokes) in one process on a virtual clock, packets delivered between
 * them by NBMA address, optional NAT in front of a node, a per-node
 * routing table answering route_lookup, IPsec that comes up on request,
 * a record of every intent as the kernel would see it, and optionally a
 * capture of every packet, for checks on what went on the wire.
 */
#ifndef NHRP_FABRIC_H
#define NHRP_FABRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/addr.h"
#include "dmvpn/nhrp.h"
#include "dmvpn/nhrp_wire.h"

#define FAB_MAX_NODES 8
#define FAB_MAX_ITEMS 64
#define FAB_MAX_QUEUE 512
#define FAB_MAX_CAPS  1024

struct fab_neigh {
	struct addr proto, nbma;
	bool failed;
};

struct fab_route {
	struct prefix dst;
	struct addr via;
};

/* route_lookup answers: dst via a tunnel next hop, or local (exit here). */
struct fab_rt {
	struct prefix dst;
	bool local;
	struct addr nexthop;
};

struct fab_event {
	enum nhrp_event ev;
	struct prefix dst;
	struct addr nbma;
};

struct fab_node {
	char name[16];
	struct fabric *fab;
	struct nhrp_engine *e;
	struct nhrp_conf conf;
	struct nhrp_nhs_conf nhs[4];
	struct nhrp_map_conf maps[4];
	struct nhrp_cluster_conf clusters[4];
	struct addr nbma;       /* configured (inside) address */
	struct addr nat_public; /* if behind NAT: what others see */
	bool down;              /* drops everything in and out */
	struct fab_neigh neigh[FAB_MAX_ITEMS];
	size_t nneigh;
	struct fab_route routes[FAB_MAX_ITEMS];
	size_t nroutes;
	struct fab_rt rt[16];
	size_t nrt;
	struct fab_event events[FAB_MAX_ITEMS];
	size_t nevents;
	unsigned int ipsec_up_requests;
	unsigned int ipsec_down_requests;
	unsigned int rx_types[9];
	uint32_t reserved_reqid;
	/* IPsec identity check (hub): NULL allows everything. */
	bool (*authorize)(const struct fab_node *n, const struct addr *nbma,
			  const struct addr *proto);
};

/* A packet as it crossed the fabric (see fab_capture()). */
struct fab_cap {
	const struct fab_node *src;
	struct addr dst;
	size_t len;
	uint8_t data[2048];
};

struct fab_pkt {
	struct fab_node *src;
	struct addr dst_nbma;
	size_t len;
	uint8_t data[2048];
};

struct fabric {
	double now;
	struct fab_node *nodes[FAB_MAX_NODES];
	size_t nnodes;
	struct fab_pkt *queue[FAB_MAX_QUEUE];
	size_t qhead, qlen;
	double ipsec_delay; /* s from IPSEC_UP to nhrp_ipsec_up() */
	struct {
		struct fab_node *node;
		struct addr nbma;
		double at;
	} ipsec_pending[64];
	size_t nipsec;
	/* Optional tap: return false to drop a packet in flight. */
	bool (*tap)(struct fabric *f, struct fab_node *src,
		    const struct addr *dst, uint8_t *pkt, size_t *len);
	unsigned int delivered;
	unsigned int dropped;
	/* With capture on, every packet delivered or lost to drop_type. */
	struct fab_cap *caps;
	size_t ncaps;
	uint8_t drop_type; /* packets of this ar$op.type are lost; 0: none */
};

/* A fabric starting at time 1000. */
void fab_init(struct fabric *f);

/*
 * Add a node: a hub or spoke with tunnel address `tunnel` (prefix form,
 * e.g. "172.16.0.1/24") and NBMA address `nbma`.  Its conf is filled with
 * defaults; adjust node->conf (and node->nhs etc.) before fab_start().
 */
struct fab_node *fab_node(struct fabric *f, const char *name,
			  enum nhrp_role role, const char *tunnel,
			  const char *nbma);

/* Give a spoke an NHS (static when proto is non-NULL). */
void fab_add_nhs(struct fab_node *n, const char *proto, const char *nbma,
		 uint8_t priority, uint8_t cluster);

/* A route for route_lookup: via a tunnel next hop, or local when NULL. */
void fab_add_route(struct fab_node *n, const char *prefix, const char *nexthop);

/* Create the node's engine from its conf. */
void fab_start(struct fab_node *n);

/* Stop (free) a node's engine, recording its withdrawals. */
void fab_stop(struct fab_node *n);

/* Run the fabric for secs of virtual time (deliver, tick, repeat). */
void fab_run(struct fabric *f, double secs);

/* Free every node. */
void fab_free(struct fabric *f);

/* Lookups in a node's recorded kernel state. */
const struct fab_neigh *fab_neigh(const struct fab_node *n, const char *proto);
const struct fab_route *fab_route(const struct fab_node *n, const char *prefix);
unsigned int fab_events(const struct fab_node *n, enum nhrp_event ev);

/* A node's view of its cache and NHSes, by address. */
bool fab_peer(const struct fab_node *n, const char *proto,
	      struct nhrp_peer_info *out);
enum nhrp_nhs_state fab_nhs_state(const struct fab_node *n, const char *nbma);

/* Inject raw bytes as if node `to` received them from NBMA `from`. */
void fab_inject(struct fab_node *to, const char *from, const uint8_t *pkt,
		size_t len);

/* A node's NHS at nbma, if any, and how many NHSes it has (count). */
bool fab_nhs_info(const struct fab_node *n, const char *nbma,
		  struct nhrp_nhs_info *out, unsigned int *count);

/* How many cache entries of this type a node has (-1: of any type). */
unsigned int fab_npeers(const struct fab_node *n, int type);

/* Keep every packet delivered from now on (the first FAB_MAX_CAPS). */
void fab_capture(struct fabric *f);

/*
 * Index of the first captured packet of this type from src (NULL: from
 * anyone) at or after index `from`; SIZE_MAX when there is none.
 */
size_t fab_cap_find(const struct fabric *f, const struct fab_node *src,
		    uint8_t type, size_t from);
unsigned int fab_cap_count(const struct fabric *f, const struct fab_node *src,
			   uint8_t type);

/* Decode captured packet i into m (it must decode); returns m. */
const struct nhrp_msg *fab_cap_msg(const struct fabric *f, size_t i,
				   struct nhrp_msg *m);

/* Parse helpers for tests. */
struct addr fab_addr(const char *s);
struct prefix fab_prefix(const char *s);

/* Wire helpers: set or compare a codec address, encode a message. */
void fab_naddr(struct nhrp_addr *a, const char *s);
bool fab_naddr_is(const struct nhrp_addr *a, const char *s);
size_t fab_encode(const struct nhrp_msg *m, uint8_t *out, size_t cap);

/* A minimal IPv4 or IPv6 header from src to dst in p; its length. */
size_t fab_ip_packet(uint8_t *p, const char *src, const char *dst);

#endif /* NHRP_FABRIC_H */
