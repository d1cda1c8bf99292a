/*
 * The NHRP engine's internals, shared by the files of src/nhrp.  Nothing
 * here is visible outside the module.
 */
#ifndef DMVPN_NHRP_INT_H
#define DMVPN_NHRP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "dmvpn/addr.h"
#include "dmvpn/heap.h"
#include "dmvpn/htab.h"
#include "dmvpn/list.h"
#include "dmvpn/nhrp.h"
#include "dmvpn/nhrp_wire.h"

/* Largest packet the engine builds (an MTU's worth is plenty). */
#define NHRP_TX_MAX 2048

/* Retransmission of our requests (RFC 2332 5.2.0: NHRP is unreliable). */
#define NHRP_RETRY_FIRST 1.0  /* s before the first retransmission */
#define NHRP_RETRY_MAX   64.0 /* cap of the exponential backoff */
#define NHRP_RES_TRIES   4    /* resolution attempts before giving up */
#define NHRP_PURGE_TRIES 3
/* An NHS that missed this many replies in a row counts as unreachable. */
#define NHRP_NHS_UNREACHABLE 3
/* Packets held per peer while IPsec to it comes up. */
#define NHRP_VC_QUEUE_MAX 4
/* s before a connection still waiting for IPsec is asked for again. */
#define NHRP_VC_RETRY 30.0
/* Holders remembered per binding, for Purge Requests. */
#define NHRP_HOLDERS_MAX 16
/* Redirect flows remembered by a hub. */
#define NHRP_FLOWS_MAX 65536
#define NHRP_FLOW_IDLE 300.0 /* s before an idle flow is forgotten */

/* The reason nhrp_engine_free() gives; compared by address. */
#define NHRP_REASON_SHUTDOWN nhrp_reason_shutdown
extern const char nhrp_reason_shutdown[];

/* What a heap deadline belongs to. */
enum nhrp_timer_kind {
	NHRP_T_CACHE,
	NHRP_T_NHS,
	NHRP_T_FLOW,
	NHRP_T_PURGE,
};

struct nhrp_timer {
	struct heap_node hn;
	uint8_t kind;
};

enum nhrp_vc_state {
	NHRP_VC_DOWN,
	NHRP_VC_PENDING, /* IPsec asked for, not up yet */
	NHRP_VC_UP,
};

struct nhrp_qpkt {
	struct nhrp_qpkt *next;
	size_t len;
	uint8_t data[];
};

/* A peer's NBMA address: the virtual connection IPsec protects. */
struct nhrp_vc {
	struct hnode hn;
	struct addr nbma;
	enum nhrp_vc_state state;
	bool initiated; /* we asked for IPsec (NHRP_I_IPSEC_UP) */
	double asked;   /* when we last asked */
	unsigned int refs;
	unsigned int qlen;
	struct nhrp_qpkt *qhead, *qtail;
	struct list_node neighs;  /* nhrp_neigh.vc_link */
	struct list_node entries; /* nhrp_cache.vc_link */
	double up_since;
};

/* A protocol address mapped to an NBMA address in the kernel. */
struct nhrp_neigh {
	struct hnode hn;
	struct list_node vc_link;
	struct addr proto;
	struct nhrp_vc *vc;
	unsigned int refs;
	double last_used;
	bool installed;
};

/* Somebody we gave a binding to in a Resolution Reply (RFC 2332 5.2.5). */
struct nhrp_holder {
	struct nhrp_holder *next;
	struct addr proto;
	struct addr nbma;
};

enum {
	NHRP_CF_UNIQUE = 1 << 0,
	NHRP_CF_NAT = 1 << 1,
	NHRP_CF_USED = 1 << 2,
	NHRP_CF_ROUTE = 1 << 3,    /* route intent issued */
	NHRP_CF_UP_EVENT = 1 << 4, /* peer/route-up event issued */
	NHRP_CF_PHASE2 = 1 << 5,   /* resolution came from a neighbour miss */
	NHRP_CF_REFRESH = 1 << 6,  /* refresh resolution in flight */
};

/* A binding: proto prefix -> next hop (and its NBMA address). */
struct nhrp_cache {
	struct hnode hn;
	struct list_node all;
	struct list_node vc_link;
	struct list_node res_link; /* e->resolving, while a request is out */
	struct nhrp_timer timer;
	struct prefix proto; /* masked; the hash key */
	struct addr nexthop; /* tunnel address of the peer */
	struct addr claimed_nbma;
	struct nhrp_vc *vc;
	struct nhrp_neigh *neigh;
	struct nhrp_holder *holders;
	double created;
	double up_since;
	double resolved_at; /* last Resolution Reply (shortcuts) */
	double expires;     /* 0: never */
	uint32_t reqid;
	uint16_t holding_time;
	uint16_t mtu;
	uint8_t type; /* enum nhrp_cache_type */
	uint8_t flags;
	uint8_t tries;
	uint8_t nholders;
};

/* One next-hop server of a spoke. */
struct nhrp_nhs {
	struct list_node all;
	struct nhrp_timer timer;
	struct addr proto;      /* none until learned */
	struct addr conf_proto; /* as configured (none: learned) */
	struct addr nbma;
	const char *fqdn; /* points into the engine's conf, or NULL */
	struct nhrp_vc *vc;
	struct nhrp_cache *entry; /* our NHS cache entry, once up */
	uint8_t priority;
	uint8_t cluster;
	enum nhrp_nhs_state state;
	bool wanted;
	bool pending;  /* a request is outstanding */
	bool retiring; /* its name no longer resolves to it */
	unsigned int misses;
	unsigned int failures;
	double backoff;
	double up_since;
	double better_since; /* fallback: when a better one came up */
	uint32_t reqid;
};

/* Hub: a (source NBMA, destination) flow we redirect (phase 3). */
struct nhrp_flow {
	struct hnode hn;
	struct nhrp_timer timer;
	struct addr src_nbma;
	struct addr dst;
	double tokens;
	double last_fill;
	double last_seen;
	double quiet_until; /* the source resolved it: stay quiet */
	unsigned int strikes;
};

/* A Purge Request we sent and want a reply to. */
struct nhrp_purge {
	struct list_node all;
	struct nhrp_timer timer;
	struct addr to_nbma;
	uint32_t reqid;
	uint8_t tries;
	size_t len;
	uint8_t pkt[NHRP_TX_MAX];
};

struct nhrp_engine {
	struct nhrp_conf conf;
	struct nhrp_ops ops;
	struct nhrp_stats stats;
	struct heap timers;
	struct htab cache;
	struct list_node cache_all;
	/* Entries per prefix length, per family, for longest-prefix match. */
	uint32_t plen_count[2][129];
	struct htab vcs;
	struct htab neighs;
	struct htab flows;
	struct list_node nhs_list;
	struct list_node purges;
	struct list_node resolving; /* nhrp_cache.res_link */
	uint32_t reqid_next;
	uint32_t reqid_limit;
	uint32_t rng;
	struct addr public_nbma; /* our address as an NHS saw it (NAT) */
	size_t tx_len;           /* of the last packet nhrp_send() encoded */
	uint8_t tx[NHRP_TX_MAX];
};

/* nhrp_engine.c */
double nhrp_jitter(struct nhrp_engine *e, double base);
uint32_t nhrp_reqid_new(struct nhrp_engine *e);
void nhrp_timer_set(struct nhrp_engine *e, struct nhrp_timer *t, double at);
void nhrp_timer_del(struct nhrp_engine *e, struct nhrp_timer *t);
void nhrp_intent(struct nhrp_engine *e, const struct nhrp_intent *in);
void nhrp_event(struct nhrp_engine *e, enum nhrp_event ev,
		const struct nhrp_cache *c, const struct nhrp_nhs *nhs,
		const char *reason);
const struct prefix *nhrp_local_for(const struct nhrp_engine *e, int family);
bool nhrp_is_local_addr(const struct nhrp_engine *e, const struct addr *a);
void nhrp_msg_start(struct nhrp_engine *e, struct nhrp_msg *m, uint8_t type,
		    int family);
int nhrp_send(struct nhrp_engine *e, double now, const struct addr *nbma,
	      struct nhrp_msg *m);
void nhrp_send_error(struct nhrp_engine *e, double now, const struct addr *to,
		     const struct nhrp_msg *orig, const uint8_t *pkt,
		     size_t len, uint16_t code, uint16_t offset);
void nhrp_put_addr(struct nhrp_addr *dst, const struct addr *src);
int nhrp_get_addr(struct addr *dst, const struct nhrp_addr *src);
struct nhrp_cie *nhrp_add_self_cie(struct nhrp_engine *e, struct nhrp_msg *m,
				   struct nhrp_ext *ext, int family);
bool nhrp_forward_route(struct nhrp_engine *e, const struct addr *dst,
			struct addr *nbma, struct addr *nexthop);

/* nhrp_vc.c */
struct nhrp_vc *nhrp_vc_get(struct nhrp_engine *e, const struct addr *nbma);
void nhrp_vc_put(struct nhrp_engine *e, struct nhrp_vc *vc);
void nhrp_vc_release(struct nhrp_engine *e, struct nhrp_vc *vc);
void nhrp_vc_want(struct nhrp_engine *e, double now, struct nhrp_vc *vc);
struct nhrp_vc *nhrp_vc_find(const struct nhrp_engine *e,
			     const struct addr *nbma);
int nhrp_vc_send(struct nhrp_engine *e, double now, struct nhrp_vc *vc,
		 const uint8_t *pkt, size_t len);
void nhrp_vc_free_all(struct nhrp_engine *e);
struct nhrp_neigh *nhrp_neigh_get(struct nhrp_engine *e,
				  const struct addr *proto, struct nhrp_vc *vc);
void nhrp_neigh_put(struct nhrp_engine *e, struct nhrp_neigh *n);
struct nhrp_neigh *nhrp_neigh_find(const struct nhrp_engine *e,
				   const struct addr *proto);
void nhrp_neigh_vc_up(struct nhrp_engine *e, struct nhrp_vc *vc);

/* nhrp_cache.c */
struct nhrp_cache *nhrp_cache_find(const struct nhrp_engine *e,
				   const struct prefix *p);
struct nhrp_cache *nhrp_cache_lookup(const struct nhrp_engine *e,
				     const struct addr *a);
struct nhrp_cache *nhrp_cache_new(struct nhrp_engine *e, double now,
				  const struct prefix *p, uint8_t type);
void nhrp_cache_bind(struct nhrp_engine *e, double now, struct nhrp_cache *c,
		     const struct addr *nexthop, const struct addr *nbma);
void nhrp_cache_del(struct nhrp_engine *e, double now, struct nhrp_cache *c,
		    const char *reason);
void nhrp_cache_expire_at(struct nhrp_engine *e, struct nhrp_cache *c,
			  double at);
void nhrp_cache_timer(struct nhrp_engine *e, double now, struct nhrp_cache *c);
void nhrp_cache_vc_up(struct nhrp_engine *e, double now, struct nhrp_vc *vc);
void nhrp_cache_vc_down(struct nhrp_engine *e, double now, struct nhrp_vc *vc);
void nhrp_cache_add_holder(struct nhrp_engine *e, struct nhrp_cache *c,
			   const struct addr *proto, const struct addr *nbma);
void nhrp_cache_purge_holders(struct nhrp_engine *e, double now,
			      struct nhrp_cache *c);
enum nhrp_peer_state nhrp_cache_state(const struct nhrp_cache *c);

/* nhrp_server.c */
void nhrp_handle_registration(struct nhrp_engine *e, double now,
			      const struct addr *from, struct nhrp_msg *m);
void nhrp_handle_resolution(struct nhrp_engine *e, double now,
			    const struct addr *from, struct nhrp_msg *m,
			    const uint8_t *pkt, size_t len);
void nhrp_forward(struct nhrp_engine *e, double now, const struct addr *from,
		  struct nhrp_msg *m, const struct addr *toward,
		  const uint8_t *pkt, size_t len);
void nhrp_handle_purge(struct nhrp_engine *e, double now,
		       const struct addr *from, struct nhrp_msg *m,
		       const uint8_t *pkt, size_t len);
void nhrp_handle_purge_reply(struct nhrp_engine *e, double now,
			     const struct addr *from, struct nhrp_msg *m,
			     const uint8_t *pkt, size_t len);
void nhrp_purge_send(struct nhrp_engine *e, double now,
		     const struct addr *to_proto, const struct addr *to_nbma,
		     const struct prefix *what, bool want_reply);
void nhrp_purge_timer(struct nhrp_engine *e, double now, struct nhrp_purge *p);
void nhrp_purge_free_all(struct nhrp_engine *e);

/* nhrp_nhs.c */
int nhrp_nhs_init(struct nhrp_engine *e, double now);
void nhrp_nhs_free_all(struct nhrp_engine *e, double now);
void nhrp_nhs_reconfigure(struct nhrp_engine *e, double now,
			  const struct nhrp_conf *newc);
void nhrp_nhs_reselect(struct nhrp_engine *e, double now);
void nhrp_nhs_timer(struct nhrp_engine *e, double now, struct nhrp_nhs *nhs);
void nhrp_handle_registration_reply(struct nhrp_engine *e, double now,
				    const struct addr *from,
				    struct nhrp_msg *m);
bool nhrp_nhs_error(struct nhrp_engine *e, double now, uint32_t reqid,
		    uint16_t code);
void nhrp_nhs_vc_up(struct nhrp_engine *e, double now, struct nhrp_vc *vc);
void nhrp_nhs_vc_down(struct nhrp_engine *e, double now, struct nhrp_vc *vc);
bool nhrp_nhs_route(struct nhrp_engine *e, int family, struct addr *nbma,
		    struct addr *proto);

/* nhrp_shortcut.c */
void nhrp_resolve(struct nhrp_engine *e, double now, const struct addr *dst,
		  bool phase2);
void nhrp_handle_resolution_reply(struct nhrp_engine *e, double now,
				  const struct addr *from, struct nhrp_msg *m,
				  const uint8_t *pkt, size_t len);
void nhrp_handle_traffic(struct nhrp_engine *e, double now,
			 const struct addr *from, struct nhrp_msg *m);
bool nhrp_resolution_error(struct nhrp_engine *e, double now, uint32_t reqid,
			   uint16_t code);
void nhrp_flow_timer(struct nhrp_engine *e, double now, struct nhrp_flow *f);
void nhrp_flow_resolved(struct nhrp_engine *e, double now,
			const struct addr *requester, const struct addr *dst);
void nhrp_flow_free_all(struct nhrp_engine *e);
void nhrp_shortcut_timer(struct nhrp_engine *e, double now,
			 struct nhrp_cache *c);

#endif /* DMVPN_NHRP_INT_H */
