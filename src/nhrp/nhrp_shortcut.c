/*
 * Shortcuts: the resolution client (phase 2 on a neighbour miss, phase 3
 * on a Traffic Indication), its retries and negative cache, refresh of
 * used shortcuts and expiry of idle ones; and on a hub, the Traffic
 * Indications themselves, rate-limited per (source, destination) flow
 * and silenced once the source has resolved the destination.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmvpn/buf.h"
#include "dmvpn/log.h"
#include "nhrp_int.h"

/* Bytes of the redirected packet quoted in a Traffic Indication. */
#define NHRP_TI_QUOTE 128
/* Quiet period after a source resolved, doubled per strike. */
#define NHRP_FLOW_QUIET 30.0

/* Read the source and destination of an IPv4 or IPv6 header. */
static int
ip_addrs(const uint8_t *pkt, size_t len, struct addr *src, struct addr *dst)
{
	struct buf b;
	const uint8_t *s, *d;
	int v;

	buf_init(&b, pkt, len);
	v = buf_peek_u8(&b, 0);
	if (v < 0)
		return -1;
	if ((v >> 4) == 4) {
		buf_skip(&b, 12);
		s = buf_get_bytes(&b, 4);
		d = buf_get_bytes(&b, 4);
		if (s == NULL || d == NULL)
			return -1;
		addr_from_bytes(src, s, 4);
		addr_from_bytes(dst, d, 4);
		return 0;
	}
	if ((v >> 4) == 6) {
		buf_skip(&b, 8);
		s = buf_get_bytes(&b, 16);
		d = buf_get_bytes(&b, 16);
		if (s == NULL || d == NULL)
			return -1;
		addr_from_bytes(src, s, 16);
		addr_from_bytes(dst, d, 16);
		return 0;
	}
	return -1;
}

static void
resolving_add(struct nhrp_engine *e, struct nhrp_cache *c)
{
	list_del(&c->res_link);
	list_add_tail(&e->resolving, &c->res_link);
}

/* Resolution Request for c's address, laid out as FRR nhrpd sends it. */
static int
resolution_send(struct nhrp_engine *e, double now, struct nhrp_cache *c)
{
	int family = c->proto.addr.family;
	struct addr nbma, nh;
	struct nhrp_msg m;
	struct nhrp_cie *ci;

	if (!nhrp_nhs_route(e, family, &nbma, &nh) &&
	    !nhrp_forward_route(e, &c->proto.addr, &nbma, &nh))
		return -1;
	nhrp_msg_start(e, &m, NHRP_RESOLUTION_REQUEST, family);
	if (m.src_proto.len == 0)
		return -1;
	nhrp_put_addr(&m.dst_proto, &c->proto.addr);
	m.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S |
		  NHRP_FLAG_RES_NAT;
	c->reqid = nhrp_reqid_new(e);
	m.reqid = c->reqid;
	/* Our own binding, for the responder's cache (5.2.1). */
	ci = nhrp_msg_add_cie(&m);
	if (ci != NULL) {
		ci->prefix_len = (uint8_t)addr_bits(&c->proto.addr);
		ci->mtu = e->conf.mtu;
		ci->holding_time = (uint16_t)e->conf.holding_time;
	}
	nhrp_msg_add_ext(&m, NHRP_EXT_FWD_TRANSIT, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_REV_TRANSIT, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDR, false);
	resolving_add(e, c);
	c->tries++;
	nhrp_timer_set(e, &c->timer,
		       now + NHRP_RETRY_FIRST * (double)(1u << (c->tries - 1)));
	return nhrp_send(e, now, &nbma, &m);
}

/* Remember the failure for a while (negative cache). */
static void
resolution_failed(struct nhrp_engine *e, double now, struct nhrp_cache *c,
		  const char *why)
{
	char ps[ADDR_STRLEN];

	log_info("%s: resolution of %s failed: %s", e->conf.ifname,
		 addr_fmt(&c->proto.addr, ps), why);
	list_del(&c->res_link);
	if (c->type == NHRP_CACHE_SHORTCUT) {
		/* A failed refresh: the shortcut lives out its time. */
		c->flags &= (uint8_t)~NHRP_CF_REFRESH;
		nhrp_cache_expire_at(e, c, c->expires);
		return;
	}
	c->type = NHRP_CACHE_NEGATIVE;
	nhrp_cache_expire_at(e, c, now + e->conf.negative_ttl);
	if (c->flags & NHRP_CF_PHASE2) {
		struct nhrp_intent in = {.type = NHRP_I_NEIGH_FAIL};

		in.proto = c->proto.addr;
		nhrp_intent(e, &in);
	}
}

void
nhrp_resolve(struct nhrp_engine *e, double now, const struct addr *dst,
	     bool phase2)
{
	struct nhrp_cache *c = nhrp_cache_lookup(e, dst);
	struct prefix p;

	if (!phase2 && !e->conf.shortcut)
		return;
	if (c != NULL) {
		switch (c->type) {
		case NHRP_CACHE_INCOMPLETE:
		case NHRP_CACHE_NEGATIVE:
		case NHRP_CACHE_LOCAL:
			return;
		case NHRP_CACHE_SHORTCUT:
		case NHRP_CACHE_STATIC:
		case NHRP_CACHE_NHS:
		case NHRP_CACHE_DYNAMIC:
			/* Covered already, unless phase 2 wants the host. */
			if (!phase2 || c->proto.plen == addr_bits(dst))
				return;
			break;
		}
	}
	p.addr = *dst;
	p.plen = (uint8_t)addr_bits(dst);
	c = nhrp_cache_find(e, &p);
	if (c != NULL)
		return;
	c = nhrp_cache_new(e, now, &p, NHRP_CACHE_INCOMPLETE);
	if (c == NULL)
		return;
	if (phase2)
		c->flags |= NHRP_CF_PHASE2;
	if (resolution_send(e, now, c) == -1 && c->tries == 0)
		resolution_failed(e, now, c, "no NHS to ask");
}

void
nhrp_shortcut_timer(struct nhrp_engine *e, double now, struct nhrp_cache *c)
{
	if (c->type == NHRP_CACHE_INCOMPLETE) {
		if (c->tries >= NHRP_RES_TRIES ||
		    resolution_send(e, now, c) == -1)
			resolution_failed(e, now, c, "no reply");
		return;
	}
	/* A shortcut: expired, refresh under way, or time to refresh. */
	if (now >= c->expires) {
		nhrp_cache_del(e, now, c, "expired");
		return;
	}
	if (c->flags & NHRP_CF_REFRESH) {
		if (c->tries < NHRP_RES_TRIES) {
			resolution_send(e, now, c);
			if (c->timer.hn.at > c->expires)
				nhrp_cache_expire_at(e, c, c->expires);
		} else {
			resolution_failed(e, now, c, "refresh unanswered");
		}
		return;
	}
	/* Refresh only what traffic used since it was installed (idle: go). */
	if (c->neigh != NULL && c->neigh->last_used >= c->resolved_at &&
	    c->neigh->last_used > 0) {
		c->flags |= NHRP_CF_REFRESH | NHRP_CF_USED;
		c->tries = 0;
		resolution_send(e, now, c);
		return;
	}
	c->flags &= (uint8_t)~NHRP_CF_USED;
	nhrp_cache_expire_at(e, c, c->expires);
}

static struct nhrp_cache *
resolving_by_reqid(struct nhrp_engine *e, uint32_t reqid)
{
	struct nhrp_cache *c;

	list_for_each_entry(c, &e->resolving, res_link)
		if (c->reqid == reqid)
			return c;
	return NULL;
}

bool
nhrp_resolution_error(struct nhrp_engine *e, double now, uint32_t reqid,
		      uint16_t code)
{
	struct nhrp_cache *c = resolving_by_reqid(e, reqid);

	if (c == NULL)
		return false;
	resolution_failed(e, now, c, nhrp_err_name(code));
	return true;
}

/* A responder behind NAT says its outside address in the NAT extension. */
static void
reply_nbma(const struct nhrp_msg *m, const struct addr *nexthop,
	   const struct addr *claimed, struct addr *out)
{
	int i = nhrp_ext_find(m, NHRP_EXT_NAT_ADDR);
	const struct nhrp_cie *c;
	struct addr p, n;
	size_t j;

	*out = *claimed;
	if (i < 0)
		return;
	for (j = 0; j < m->ext[i].cie_count; j++) {
		c = nhrp_ext_cie(m, &m->ext[i], j);
		if (c != NULL && nhrp_get_addr(&p, &c->proto) == 0 &&
		    nhrp_get_addr(&n, &c->nbma) == 0 && addr_eq(&p, nexthop)) {
			*out = n;
			return;
		}
	}
}

void
nhrp_handle_resolution_reply(struct nhrp_engine *e, double now,
			     const struct addr *from, struct nhrp_msg *m,
			     const uint8_t *pkt, size_t len)
{
	struct addr requester, dst, nexthop, claimed, nbma;
	const struct prefix *net;
	const struct nhrp_cie *ci;
	struct nhrp_cache *c, *s;
	struct prefix p;
	uint16_t ht;

	if (nhrp_get_addr(&requester, &m->src_proto) == -1 ||
	    nhrp_get_addr(&dst, &m->dst_proto) == -1) {
		e->stats.drops[NHRP_DROP_BAD_CIE]++;
		return;
	}
	if (!nhrp_is_local_addr(e, &requester)) {
		/* For someone else: back toward the requester (hub). */
		nhrp_forward(e, now, from, m, &requester, pkt, len);
		return;
	}
	c = resolving_by_reqid(e, m->reqid);
	if (c == NULL) {
		e->stats.drops[NHRP_DROP_UNMATCHED_REPLY]++;
		return;
	}
	ci = m->cie_count > 0 ? &m->cie[0] : NULL;
	if (ci == NULL || ci->code != NHRP_CIE_SUCCESS) {
		resolution_failed(e, now, c,
				  ci == NULL ? "empty reply"
					     : nhrp_cie_code_name(ci->code));
		return;
	}
	net = nhrp_local_for(e, dst.family);
	if (nhrp_get_addr(&nexthop, &ci->proto) == -1 ||
	    nhrp_get_addr(&claimed, &ci->nbma) == -1 || net == NULL ||
	    nexthop.family != net->addr.family ||
	    !prefix_contains(net, &nexthop) ||
	    nhrp_is_local_addr(e, &nexthop)) {
		/* The next hop must be a peer on this tunnel's network. */
		e->stats.drops[NHRP_DROP_BAD_CIE]++;
		resolution_failed(e, now, c, "next hop not on the tunnel");
		return;
	}
	reply_nbma(m, &nexthop, &claimed, &nbma);
	/*
	 * The next hop's mapping is shared by every entry through it: a
	 * reply must not move one that an NHS, a `map` or a registration
	 * holds to another NBMA address (it would redirect their traffic).
	 */
	s = nhrp_cache_find(
		e, &(struct prefix){nexthop, (uint8_t)addr_bits(&nexthop)});
	if (s != NULL && s->vc != NULL && !addr_eq(&s->vc->nbma, &nbma) &&
	    s->type == NHRP_CACHE_DYNAMIC && e->conf.role != NHRP_ROLE_HUB) {
		/*
		 * On a spoke a dynamic entry is only what an earlier request
		 * from that peer said (spoke_bind_requester()); the peer's
		 * authoritative answer now says otherwise: it moved.
		 */
		nhrp_cache_del(e, now, s, "moved");
		s = NULL;
	}
	if (s != NULL && s->vc != NULL && !addr_eq(&s->vc->nbma, &nbma) &&
	    (s->type == NHRP_CACHE_NHS || s->type == NHRP_CACHE_STATIC ||
	     s->type == NHRP_CACHE_DYNAMIC)) {
		e->stats.drops[NHRP_DROP_BAD_CIE]++;
		resolution_failed(e, now, c, "next hop is bound elsewhere");
		return;
	}
	p.addr = dst;
	p.plen = ci->prefix_len;
	if (p.plen == 0 || p.plen > addr_bits(&dst))
		p.plen = (uint8_t)addr_bits(&dst);
	prefix_mask(&p);
	ht = ci->holding_time != 0 ? ci->holding_time
				   : (uint16_t)e->conf.holding_time;
	list_del(&c->res_link);
	s = nhrp_cache_find(e, &p);
	if (s != NULL && s != c && s->type != NHRP_CACHE_SHORTCUT &&
	    s->type != NHRP_CACHE_INCOMPLETE &&
	    s->type != NHRP_CACHE_NEGATIVE) {
		/* Never let a resolution override configuration or an NHS. */
		nhrp_cache_del(e, now, c, "covered");
		return;
	}
	if (s != c) {
		/* The reply names a prefix wider than the host we asked for. */
		if (s != NULL)
			nhrp_cache_del(e, now, s, "replaced");
		nhrp_cache_del(e, now, c, "resolved");
		c = nhrp_cache_new(e, now, &p, NHRP_CACHE_SHORTCUT);
		if (c == NULL)
			return;
	}
	c->type = NHRP_CACHE_SHORTCUT;
	c->flags &= (uint8_t)~NHRP_CF_REFRESH;
	c->tries = 0;
	c->holding_time = ht;
	c->mtu = ci->mtu;
	c->claimed_nbma = claimed;
	if (!addr_eq(&claimed, &nbma))
		c->flags |= NHRP_CF_NAT;
	nhrp_cache_bind(e, now, c, &nexthop, &nbma);
	c->expires = now + ht;
	c->resolved_at = now;
	/* Re-resolve at two thirds of the holding time if still in use. */
	nhrp_timer_set(e, &c->timer, now + ht * 2.0 / 3.0);
}

void
nhrp_handle_traffic(struct nhrp_engine *e, double now, const struct addr *from,
		    struct nhrp_msg *m)
{
	struct addr src, dst;

	(void)from;
	if (!e->conf.shortcut)
		return;
	if (ip_addrs(m->payload, m->payload_len, &src, &dst) == -1) {
		e->stats.drops[NHRP_DROP_MALFORMED]++;
		return;
	}
	if (nhrp_is_local_addr(e, &dst) ||
	    nhrp_local_for(e, dst.family) == NULL)
		return;
	nhrp_resolve(e, now, &dst, false);
}

static bool
flow_eq(const struct hnode *n, const void *key)
{
	const struct nhrp_flow *f = container_of_const(n, struct nhrp_flow, hn);
	const struct addr *k = key;

	return addr_eq(&f->src_nbma, &k[0]) && addr_eq(&f->dst, &k[1]);
}

static uint32_t
flow_hash(const struct addr *k)
{
	return addr_hash(&k[0]) * 31u ^ addr_hash(&k[1]);
}

static struct nhrp_flow *
flow_find(struct nhrp_engine *e, const struct addr *src_nbma,
	  const struct addr *dst)
{
	struct addr k[2] = {*src_nbma, *dst};
	struct hnode *n = htab_find(&e->flows, flow_hash(k), k, flow_eq);

	return n == NULL ? NULL : container_of(n, struct nhrp_flow, hn);
}

static void
flow_free(struct nhrp_engine *e, struct nhrp_flow *f)
{
	nhrp_timer_del(e, &f->timer);
	htab_remove(&e->flows, &f->hn);
	free(f);
}

void
nhrp_redirect_seen(struct nhrp_engine *e, double now, const struct addr *from,
		   const uint8_t *pkt, size_t len)
{
	struct addr src, dst, k[2];
	struct nhrp_flow *f;
	struct nhrp_msg m;

	if (e->conf.role != NHRP_ROLE_HUB || !e->conf.redirect)
		return;
	if (ip_addrs(pkt, len, &src, &dst) == -1 ||
	    nhrp_local_for(e, src.family) == NULL) {
		e->stats.drops[NHRP_DROP_MALFORMED]++;
		return;
	}
	f = flow_find(e, from, &dst);
	if (f == NULL) {
		if (htab_len(&e->flows) >= NHRP_FLOWS_MAX) {
			e->stats.indications_suppressed++;
			return;
		}
		f = calloc(1, sizeof(*f));
		if (f == NULL)
			return;
		f->src_nbma = *from;
		f->dst = dst;
		f->tokens = e->conf.redirect_burst;
		f->last_fill = now;
		f->timer.kind = NHRP_T_FLOW;
		k[0] = *from;
		k[1] = dst;
		if (htab_insert(&e->flows, &f->hn, flow_hash(k)) == -1) {
			free(f);
			return;
		}
		nhrp_timer_set(e, &f->timer, now + NHRP_FLOW_IDLE);
	}
	f->last_seen = now;
	/* Token bucket: burst, then one per interval. */
	if (e->conf.redirect_interval > 0) {
		f->tokens += (now - f->last_fill) / e->conf.redirect_interval;
		if (f->tokens > e->conf.redirect_burst)
			f->tokens = e->conf.redirect_burst;
	}
	f->last_fill = now;
	if (now < f->quiet_until || f->tokens < 1) {
		e->stats.indications_suppressed++;
		return;
	}
	f->tokens -= 1;
	nhrp_msg_start(e, &m, NHRP_TRAFFIC_INDICATION, src.family);
	nhrp_put_addr(&m.dst_proto, &src);
	m.traffic_code = NHRP_TRAFFIC_REDIRECT;
	m.payload = pkt;
	m.payload_len = (uint16_t)(len > NHRP_TI_QUOTE ? NHRP_TI_QUOTE : len);
	e->stats.indications_sent++;
	nhrp_send(e, now, from, &m);
}

void
nhrp_flow_resolved(struct nhrp_engine *e, double now,
		   const struct addr *requester, const struct addr *dst)
{
	struct nhrp_cache *c = nhrp_cache_lookup(e, requester);
	struct nhrp_flow *f;
	double quiet;

	if (c == NULL || c->vc == NULL)
		return;
	f = flow_find(e, &c->vc->nbma, dst);
	if (f == NULL)
		return;
	/* Quiet for a while; if traffic still comes, the shortcut failed. */
	quiet = NHRP_FLOW_QUIET *
		(double)(1u << (f->strikes < 6 ? f->strikes : 6));
	f->quiet_until = now + quiet;
	f->strikes++;
}

void
nhrp_flow_timer(struct nhrp_engine *e, double now, struct nhrp_flow *f)
{
	if (now - f->last_seen >= NHRP_FLOW_IDLE && now >= f->quiet_until) {
		flow_free(e, f);
		return;
	}
	nhrp_timer_set(e, &f->timer, now + NHRP_FLOW_IDLE);
}

void
nhrp_flow_free_all(struct nhrp_engine *e)
{
	size_t i;

	for (i = 0; i < e->flows.nb; i++) {
		while (e->flows.b[i] != NULL)
			flow_free(e, container_of(e->flows.b[i],
						  struct nhrp_flow, hn));
	}
}
