/*
 * The NHRP cache: bindings from a protocol prefix to a next hop on the
 * tunnel and that next hop's NBMA address (RFC 2332 5.2.2 "the NHRP
 * cache").  Exact lookups hash the masked prefix; longest-prefix match
 * tries only the prefix lengths that have entries, longest first.
 *
 * An entry becomes usable (routes and mappings installed, peer-up) only
 * when the virtual connection to its NBMA address is up, that is once
 * IPsec to it is in place.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmvpn/log.h"
#include "nhrp_int.h"

static int
fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

static uint32_t
prefix_hash(const struct prefix *p)
{
	return addr_hash(&p->addr) ^ ((uint32_t)p->plen * 0x9e3779b1u);
}

static bool
cache_eq(const struct hnode *n, const void *key)
{
	const struct nhrp_cache *c =
		container_of_const(n, struct nhrp_cache, hn);
	const struct prefix *p = key;

	return c->proto.plen == p->plen && addr_eq(&c->proto.addr, &p->addr);
}

struct nhrp_cache *
nhrp_cache_find(const struct nhrp_engine *e, const struct prefix *p)
{
	struct prefix k = *p;
	struct hnode *n;

	prefix_mask(&k);
	n = htab_find(&e->cache, prefix_hash(&k), &k, cache_eq);
	return n == NULL ? NULL : container_of(n, struct nhrp_cache, hn);
}

struct nhrp_cache *
nhrp_cache_lookup(const struct nhrp_engine *e, const struct addr *a)
{
	const uint32_t *count;
	struct prefix k;
	int plen;

	if (a->family == 0)
		return NULL;
	count = e->plen_count[fam_idx(a->family)];
	for (plen = (int)addr_bits(a); plen >= 0; plen--) {
		struct nhrp_cache *c;

		if (count[plen] == 0)
			continue;
		k.addr = *a;
		k.plen = (uint8_t)plen;
		c = nhrp_cache_find(e, &k);
		if (c != NULL)
			return c;
	}
	return NULL;
}

struct nhrp_cache *
nhrp_cache_new(struct nhrp_engine *e, double now, const struct prefix *p,
	       uint8_t type)
{
	struct nhrp_cache *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		e->stats.drops[NHRP_DROP_NO_RESOURCES]++;
		return NULL;
	}
	c->proto = *p;
	prefix_mask(&c->proto);
	c->type = type;
	c->created = now;
	c->timer.kind = NHRP_T_CACHE;
	list_init(&c->vc_link);
	list_init(&c->res_link);
	if (htab_insert(&e->cache, &c->hn, prefix_hash(&c->proto)) == -1) {
		free(c);
		e->stats.drops[NHRP_DROP_NO_RESOURCES]++;
		return NULL;
	}
	list_add_tail(&e->cache_all, &c->all);
	e->plen_count[fam_idx(c->proto.addr.family)][c->proto.plen]++;
	if (type == NHRP_CACHE_LOCAL)
		c->up_since = now;
	return c;
}

/* True when the entry is a route to a network, not a host mapping. */
static bool
cache_is_route(const struct nhrp_cache *c)
{
	if (c->type != NHRP_CACHE_SHORTCUT && c->type != NHRP_CACHE_DYNAMIC)
		return false;
	return c->proto.plen != addr_bits(&c->nexthop) ||
	       !addr_eq(&c->proto.addr, &c->nexthop);
}

static void
cache_route(struct nhrp_engine *e, struct nhrp_cache *c, bool add)
{
	struct nhrp_intent in;

	memset(&in, 0, sizeof(in));
	in.type = add ? NHRP_I_ROUTE_ADD : NHRP_I_ROUTE_DEL;
	in.kind = (enum nhrp_cache_type)c->type;
	in.dst = c->proto;
	in.proto = c->nexthop;
	if (c->vc != NULL)
		in.nbma = c->vc->nbma;
	in.mtu = c->mtu;
	nhrp_intent(e, &in);
}

/* Make the entry usable if its connection is up; else ask for IPsec. */
static void
cache_activate(struct nhrp_engine *e, double now, struct nhrp_cache *c)
{
	if (c->vc == NULL)
		return;
	if (c->vc->state != NHRP_VC_UP) {
		nhrp_vc_want(e, now, c->vc);
		return;
	}
	if (cache_is_route(c) && !(c->flags & NHRP_CF_ROUTE)) {
		cache_route(e, c, true);
		c->flags |= NHRP_CF_ROUTE;
	}
	if (!(c->flags & NHRP_CF_UP_EVENT)) {
		c->flags |= NHRP_CF_UP_EVENT;
		c->up_since = now;
		nhrp_event(e,
			   cache_is_route(c) ? NHRP_EV_ROUTE_UP
					     : NHRP_EV_PEER_UP,
			   c, NULL, NULL);
		if (c->type == NHRP_CACHE_SHORTCUT)
			e->stats.shortcuts_installed++;
	}
}

/* Withdraw routes and announce the entry down, keeping the binding. */
static void
cache_deactivate(struct nhrp_engine *e, struct nhrp_cache *c,
		 const char *reason)
{
	if (c->flags & NHRP_CF_ROUTE) {
		cache_route(e, c, false);
		c->flags &= (uint8_t)~NHRP_CF_ROUTE;
	}
	if (c->flags & NHRP_CF_UP_EVENT) {
		c->flags &= (uint8_t)~NHRP_CF_UP_EVENT;
		c->up_since = 0;
		nhrp_event(e,
			   cache_is_route(c) ? NHRP_EV_ROUTE_DOWN
					     : NHRP_EV_PEER_DOWN,
			   c, NULL, reason);
	}
}

void
nhrp_cache_bind(struct nhrp_engine *e, double now, struct nhrp_cache *c,
		const struct addr *nexthop, const struct addr *nbma)
{
	struct nhrp_vc *vc;
	struct nhrp_neigh *n;

	if (c->vc != NULL && addr_eq(&c->vc->nbma, nbma) &&
	    addr_eq(&c->nexthop, nexthop) && c->neigh != NULL) {
		cache_activate(e, now, c);
		return;
	}
	/* A new NBMA address or next hop: the old binding goes down. */
	cache_deactivate(e, c, "rebound");
	vc = nhrp_vc_get(e, nbma);
	if (vc == NULL) {
		e->stats.drops[NHRP_DROP_NO_RESOURCES]++;
		return;
	}
	n = nhrp_neigh_get(e, nexthop, vc);
	nhrp_neigh_put(e, c->neigh);
	c->neigh = n;
	list_del(&c->vc_link);
	nhrp_vc_put(e, c->vc);
	c->vc = vc;
	list_add_tail(&vc->entries, &c->vc_link);
	c->nexthop = *nexthop;
	cache_activate(e, now, c);
}

void
nhrp_cache_expire_at(struct nhrp_engine *e, struct nhrp_cache *c, double at)
{
	c->expires = at;
	if (at > 0)
		nhrp_timer_set(e, &c->timer, at);
	else
		nhrp_timer_del(e, &c->timer);
}

static void
cache_free_holders(struct nhrp_cache *c)
{
	struct nhrp_holder *h;

	while ((h = c->holders) != NULL) {
		c->holders = h->next;
		free(h);
	}
	c->nholders = 0;
}

void
nhrp_cache_del(struct nhrp_engine *e, double now, struct nhrp_cache *c,
	       const char *reason)
{
	char ps[ADDR_STRLEN];

	log_dbg(DBG_NHRP, "%s: %s entry %s removed: %s", e->conf.ifname,
		nhrp_cache_type_name((enum nhrp_cache_type)c->type),
		prefix_fmt(&c->proto, ps), reason);
	nhrp_timer_del(e, &c->timer);
	cache_deactivate(e, c, reason);
	/* RFC 2332 5.2.5: tell whoever got this binding that it is gone. */
	/*
	 * A binding that stops being true is purged from its holders; one
	 * that merely stops being served (we shut down) still is true.
	 */
	if ((c->type == NHRP_CACHE_DYNAMIC || c->type == NHRP_CACHE_LOCAL) &&
	    reason != NHRP_REASON_SHUTDOWN)
		nhrp_cache_purge_holders(e, now, c);
	cache_free_holders(c);
	if (c->type == NHRP_CACHE_NEGATIVE && (c->flags & NHRP_CF_PHASE2)) {
		/* Let the kernel ask again. */
		struct nhrp_intent in = {.type = NHRP_I_NEIGH_DEL};

		in.proto = c->proto.addr;
		nhrp_intent(e, &in);
	}
	nhrp_neigh_put(e, c->neigh);
	list_del(&c->vc_link);
	list_del(&c->res_link);
	nhrp_vc_put(e, c->vc);
	htab_remove(&e->cache, &c->hn);
	list_del(&c->all);
	e->plen_count[fam_idx(c->proto.addr.family)][c->proto.plen]--;
	free(c);
}

void
nhrp_cache_timer(struct nhrp_engine *e, double now, struct nhrp_cache *c)
{
	switch (c->type) {
	case NHRP_CACHE_INCOMPLETE:
	case NHRP_CACHE_SHORTCUT:
		nhrp_shortcut_timer(e, now, c);
		return;
	default:
		break;
	}
	if (c->expires > 0 && now >= c->expires)
		nhrp_cache_del(e, now, c, "expired");
}

void
nhrp_cache_vc_up(struct nhrp_engine *e, double now, struct nhrp_vc *vc)
{
	struct nhrp_cache *c;

	list_for_each_entry(c, &vc->entries, vc_link)
		cache_activate(e, now, c);
}

/*
 * IPsec to the peer is gone (RFC-wise, the NBMA path is down): learned
 * bindings through it go, configured ones wait for it to come back.
 */
void
nhrp_cache_vc_down(struct nhrp_engine *e, double now, struct nhrp_vc *vc)
{
	struct nhrp_cache *c, *tmp;

	list_for_each_entry_safe(c, tmp, &vc->entries, vc_link) {
		switch (c->type) {
		case NHRP_CACHE_STATIC:
		case NHRP_CACHE_NHS:
			cache_deactivate(e, c, "lower-down");
			break;
		default:
			nhrp_cache_del(e, now, c, "lower-down");
			break;
		}
	}
}

void
nhrp_cache_add_holder(struct nhrp_engine *e, struct nhrp_cache *c,
		      const struct addr *proto, const struct addr *nbma)
{
	struct nhrp_holder *h, **pp;

	(void)e;
	for (h = c->holders; h != NULL; h = h->next) {
		if (addr_eq(&h->proto, proto)) {
			h->nbma = *nbma;
			return;
		}
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return;
	h->proto = *proto;
	h->nbma = *nbma;
	h->next = c->holders;
	c->holders = h;
	if (++c->nholders <= NHRP_HOLDERS_MAX)
		return;
	/* Forget the oldest; it will learn from the binding's expiry. */
	for (pp = &c->holders; (*pp)->next != NULL; pp = &(*pp)->next)
		;
	free(*pp);
	*pp = NULL;
	c->nholders--;
}

void
nhrp_cache_purge_holders(struct nhrp_engine *e, double now,
			 struct nhrp_cache *c)
{
	struct nhrp_holder *h;

	for (h = c->holders; h != NULL; h = h->next)
		nhrp_purge_send(e, now, &h->proto, &h->nbma, &c->proto, true);
	cache_free_holders(c);
}

enum nhrp_peer_state
nhrp_cache_state(const struct nhrp_cache *c)
{
	switch (c->type) {
	case NHRP_CACHE_LOCAL:
		return NHRP_PEER_UP;
	case NHRP_CACHE_NEGATIVE:
		return NHRP_PEER_DOWN;
	case NHRP_CACHE_INCOMPLETE:
		return NHRP_PEER_NHRP;
	default:
		break;
	}
	if (c->vc == NULL)
		return NHRP_PEER_DOWN;
	if (c->vc->state != NHRP_VC_UP)
		return c->vc->state == NHRP_VC_PENDING ? NHRP_PEER_IKE
						       : NHRP_PEER_DOWN;
	return (c->flags & NHRP_CF_UP_EVENT) ? NHRP_PEER_UP : NHRP_PEER_NHRP;
}
