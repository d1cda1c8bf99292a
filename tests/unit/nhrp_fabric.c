/*
 * The simulated NBMA fabric: see nhrp_fabric.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/buf.h"
#include "dmvpn/log.h"
#include "nhrp_fabric.h"

static void
quiet_sink(enum log_level level, const char *msg, void *arg)
{
	(void)level;
	(void)msg;
	(void)arg;
}

struct addr
fab_addr(const char *s)
{
	struct addr a;

	if (addr_parse(&a, s) == -1) {
		fprintf(stderr, "fabric: bad address %s\n", s);
		abort();
	}
	return a;
}

struct prefix
fab_prefix(const char *s)
{
	struct prefix p;

	if (prefix_parse(&p, s) == -1) {
		fprintf(stderr, "fabric: bad prefix %s\n", s);
		abort();
	}
	return p;
}

void
fab_init(struct fabric *f)
{
	memset(f, 0, sizeof(*f));
	f->now = 1000;
	/* The engine's logs only with DMVPN_TEST_VERBOSE=1. */
	if (getenv("DMVPN_TEST_VERBOSE") == NULL) {
		log_set_sink(quiet_sink, NULL);
	} else {
		log_set_sink(NULL, NULL);
		log_set_level(LOG_LVL_DEBUG);
		log_dbg_enable(DBG_ALL);
	}
	f->ipsec_delay = 0.05;
}

/* The address others see for node n. */
static const struct addr *
visible(const struct fab_node *n)
{
	return addr_is_none(&n->nat_public) ? &n->nbma : &n->nat_public;
}

static struct fab_node *
node_at(struct fabric *f, const struct addr *nbma)
{
	size_t i;

	for (i = 0; i < f->nnodes; i++)
		if (addr_eq(visible(f->nodes[i]), nbma) ||
		    addr_eq(&f->nodes[i]->nbma, nbma))
			return f->nodes[i];
	return NULL;
}

static void
fab_send(void *ctx, const struct addr *dst, const uint8_t *pkt, size_t len)
{
	struct fab_node *n = ctx;
	struct fabric *f = n->fab;
	struct fab_pkt *p;

	if (f->qlen >= FAB_MAX_QUEUE || len > sizeof(p->data)) {
		f->dropped++;
		return;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		abort();
	p->src = n;
	p->dst_nbma = *dst;
	p->len = len;
	memcpy(p->data, pkt, len);
	f->queue[(f->qhead + f->qlen++) % FAB_MAX_QUEUE] = p;
}

static void
neigh_set(struct fab_node *n, const struct addr *proto, const struct addr *nbma,
	  bool failed)
{
	size_t i;

	for (i = 0; i < n->nneigh; i++) {
		if (addr_eq(&n->neigh[i].proto, proto)) {
			n->neigh[i].nbma = *nbma;
			n->neigh[i].failed = failed;
			return;
		}
	}
	if (n->nneigh < FAB_MAX_ITEMS) {
		n->neigh[n->nneigh].proto = *proto;
		n->neigh[n->nneigh].nbma = *nbma;
		n->neigh[n->nneigh].failed = failed;
		n->nneigh++;
	}
}

static void
neigh_del(struct fab_node *n, const struct addr *proto)
{
	size_t i;

	for (i = 0; i < n->nneigh; i++) {
		if (addr_eq(&n->neigh[i].proto, proto)) {
			n->neigh[i] = n->neigh[--n->nneigh];
			return;
		}
	}
}

static void
route_set(struct fab_node *n, const struct prefix *dst, const struct addr *via,
	  bool add)
{
	size_t i;

	for (i = 0; i < n->nroutes; i++) {
		if (prefix_eq(&n->routes[i].dst, dst)) {
			if (add)
				n->routes[i].via = *via;
			else
				n->routes[i] = n->routes[--n->nroutes];
			return;
		}
	}
	if (add && n->nroutes < FAB_MAX_ITEMS) {
		n->routes[n->nroutes].dst = *dst;
		n->routes[n->nroutes].via = *via;
		n->nroutes++;
	}
}

static void
fab_intent(void *ctx, const struct nhrp_intent *in)
{
	struct fab_node *n = ctx;
	struct fabric *f = n->fab;

	switch (in->type) {
	case NHRP_I_NEIGH_SET:
		neigh_set(n, &in->proto, &in->nbma, false);
		break;
	case NHRP_I_NEIGH_DEL:
		neigh_del(n, &in->proto);
		break;
	case NHRP_I_NEIGH_FAIL:
		neigh_set(n, &in->proto, &in->nbma, true);
		break;
	case NHRP_I_ROUTE_ADD:
		route_set(n, &in->dst, &in->proto, true);
		break;
	case NHRP_I_ROUTE_DEL:
		route_set(n, &in->dst, &in->proto, false);
		break;
	case NHRP_I_IPSEC_UP:
		n->ipsec_up_requests++;
		if (f->nipsec < 64) {
			f->ipsec_pending[f->nipsec].node = n;
			f->ipsec_pending[f->nipsec].nbma = in->nbma;
			f->ipsec_pending[f->nipsec].at =
				f->now + f->ipsec_delay;
			f->nipsec++;
		}
		break;
	case NHRP_I_IPSEC_DOWN:
		n->ipsec_down_requests++;
		break;
	case NHRP_I_EVENT:
		if (n->nevents < FAB_MAX_ITEMS) {
			n->events[n->nevents].ev = in->event;
			n->events[n->nevents].dst = in->dst;
			n->events[n->nevents].nbma = in->nbma;
			n->nevents++;
		}
		break;
	}
}

static int
fab_route_lookup(void *ctx, const struct addr *dst, struct addr *nexthop,
		 uint8_t *plen)
{
	struct fab_node *n = ctx;
	const struct fab_rt *best = NULL;
	size_t i;

	for (i = 0; i < n->nrt; i++)
		if (prefix_contains(&n->rt[i].dst, dst) &&
		    (best == NULL || n->rt[i].dst.plen > best->dst.plen))
			best = &n->rt[i];
	if (best == NULL)
		return -1;
	*plen = best->dst.plen;
	if (best->local)
		return 0;
	*nexthop = best->nexthop;
	return 1;
}

static int
fab_reserve(void *ctx, uint32_t limit)
{
	struct fab_node *n = ctx;

	n->reserved_reqid = limit;
	return 0;
}

struct fab_node *
fab_node(struct fabric *f, const char *name, enum nhrp_role role,
	 const char *tunnel, const char *nbma)
{
	struct fab_node *n = calloc(1, sizeof(*n));

	if (n == NULL || f->nnodes >= FAB_MAX_NODES)
		abort();
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->fab = f;
	nhrp_conf_defaults(&n->conf, role);
	snprintf(n->conf.ifname, sizeof(n->conf.ifname), "gre1");
	n->conf.local[0] = fab_prefix(tunnel);
	n->conf.nlocal = 1;
	n->nbma = fab_addr(nbma);
	n->conf.local_nbma = n->nbma;
	n->conf.seed = (uint32_t)(f->nnodes + 1) * 7919u;
	n->conf.nhs = n->nhs;
	n->conf.maps = n->maps;
	n->conf.clusters = n->clusters;
	f->nodes[f->nnodes++] = n;
	return n;
}

void
fab_add_nhs(struct fab_node *n, const char *proto, const char *nbma,
	    uint8_t priority, uint8_t cluster)
{
	struct nhrp_nhs_conf *c = &n->nhs[n->conf.nnhs++];

	memset(c, 0, sizeof(*c));
	if (proto != NULL)
		c->proto = fab_addr(proto);
	if (addr_parse(&c->nbma, nbma) == -1)
		snprintf(c->fqdn, sizeof(c->fqdn), "%s", nbma);
	c->priority = priority;
	c->cluster = cluster;
}

void
fab_add_route(struct fab_node *n, const char *prefix, const char *nexthop)
{
	struct fab_rt *r = &n->rt[n->nrt++];

	r->dst = fab_prefix(prefix);
	r->local = nexthop == NULL;
	if (nexthop != NULL)
		r->nexthop = fab_addr(nexthop);
}

static bool
fab_authorize(void *ctx, const struct addr *nbma, const struct addr *proto)
{
	struct fab_node *n = ctx;

	return n->authorize == NULL || n->authorize(n, nbma, proto);
}

void
fab_start(struct fab_node *n)
{
	struct nhrp_ops ops = {
		.send = fab_send,
		.intent = fab_intent,
		.route_lookup = fab_route_lookup,
		.reqid_reserve = fab_reserve,
		.authorize = fab_authorize,
		.ctx = n,
	};
	const char *why = NULL;

	n->e = nhrp_engine_new(&n->conf, &ops, n->fab->now, &why);
	if (n->e == NULL) {
		fprintf(stderr, "fabric: %s: %s\n", n->name, why);
		abort();
	}
}

void
fab_stop(struct fab_node *n)
{
	nhrp_engine_free(n->e, n->fab->now);
	n->e = NULL;
}

static void
deliver(struct fabric *f, struct fab_pkt *p)
{
	struct fab_node *dst = node_at(f, &p->dst_nbma);
	size_t len = p->len;

	/* What went on the wire, whether anyone is there to receive it. */
	if (f->caps != NULL && f->ncaps < FAB_MAX_CAPS && p->src->e != NULL &&
	    !p->src->down) {
		struct fab_cap *c = &f->caps[f->ncaps++];

		c->src = p->src;
		c->dst = p->dst_nbma;
		c->len = len;
		memcpy(c->data, p->data, len);
	}
	if (dst == NULL || dst->e == NULL || dst->down || p->src->down ||
	    p->src->e == NULL) {
		f->dropped++;
		return;
	}
	/* Behind NAT, only the outside address is reachable from others. */
	if (!addr_is_none(&dst->nat_public) &&
	    !addr_eq(&p->dst_nbma, &dst->nat_public)) {
		f->dropped++;
		return;
	}
	if (f->tap != NULL && !f->tap(f, p->src, &p->dst_nbma, p->data, &len)) {
		f->dropped++;
		return;
	}
	if (f->drop_type != 0 && len > 17 && p->data[17] == f->drop_type) {
		f->dropped++;
		return;
	}
	if (len >= 18 && p->data[17] <= 8)
		dst->rx_types[p->data[17]]++;
	f->delivered++;
	nhrp_recv(dst->e, f->now, visible(p->src), p->data, len);
}

/* Deliver everything queued (and what that triggers), fire IPsec events. */
static void
settle(struct fabric *f)
{
	size_t i, guard = 0;

	for (;;) {
		bool did = false;

		while (f->qlen > 0 && guard++ < 100000) {
			struct fab_pkt *p = f->queue[f->qhead];

			f->qhead = (f->qhead + 1) % FAB_MAX_QUEUE;
			f->qlen--;
			deliver(f, p);
			free(p);
			did = true;
		}
		for (i = 0; i < f->nipsec; i++) {
			struct fab_node *a, *b;

			if (f->ipsec_pending[i].at > f->now)
				continue;
			a = f->ipsec_pending[i].node;
			b = node_at(f, &f->ipsec_pending[i].nbma);
			if (a->e != NULL && b != NULL && b->e != NULL &&
			    !a->down && !b->down) {
				nhrp_ipsec_up(a->e, f->now,
					      &f->ipsec_pending[i].nbma);
				nhrp_ipsec_up(b->e, f->now, visible(a));
			}
			f->ipsec_pending[i] = f->ipsec_pending[--f->nipsec];
			i--;
			did = true;
		}
		if (!did)
			break;
	}
}

void
fab_run(struct fabric *f, double secs)
{
	double end = f->now + secs;
	size_t i;

	for (;;) {
		double next = end;

		settle(f);
		for (i = 0; i < f->nnodes; i++) {
			double d;

			if (f->nodes[i]->e == NULL)
				continue;
			d = nhrp_next_deadline(f->nodes[i]->e);
			if (d >= 0 && d < next)
				next = d;
		}
		for (i = 0; i < f->nipsec; i++)
			if (f->ipsec_pending[i].at < next)
				next = f->ipsec_pending[i].at;
		if (next > end)
			break;
		if (next > f->now)
			f->now = next;
		for (i = 0; i < f->nnodes; i++)
			if (f->nodes[i]->e != NULL)
				nhrp_tick(f->nodes[i]->e, f->now);
		if (next >= end && f->qlen == 0)
			break;
	}
	settle(f);
	f->now = end;
}

void
fab_free(struct fabric *f)
{
	size_t i;

	for (i = 0; i < f->nnodes; i++) {
		if (f->nodes[i]->e != NULL)
			fab_stop(f->nodes[i]);
		free(f->nodes[i]);
	}
	while (f->qlen > 0) {
		free(f->queue[f->qhead]);
		f->qhead = (f->qhead + 1) % FAB_MAX_QUEUE;
		f->qlen--;
	}
	f->nnodes = 0;
	free(f->caps);
	f->caps = NULL;
	f->ncaps = 0;
}

const struct fab_neigh *
fab_neigh(const struct fab_node *n, const char *proto)
{
	struct addr a = fab_addr(proto);
	size_t i;

	for (i = 0; i < n->nneigh; i++)
		if (addr_eq(&n->neigh[i].proto, &a))
			return &n->neigh[i];
	return NULL;
}

const struct fab_route *
fab_route(const struct fab_node *n, const char *prefix)
{
	struct prefix p = fab_prefix(prefix);
	size_t i;

	for (i = 0; i < n->nroutes; i++)
		if (prefix_eq(&n->routes[i].dst, &p))
			return &n->routes[i];
	return NULL;
}

unsigned int
fab_events(const struct fab_node *n, enum nhrp_event ev)
{
	unsigned int c = 0;
	size_t i;

	for (i = 0; i < n->nevents; i++)
		c += n->events[i].ev == ev;
	return c;
}

struct peer_find {
	struct addr a;
	struct nhrp_peer_info *out;
	bool found;
};

static int
peer_cb(const struct nhrp_peer_info *pi, void *arg)
{
	struct peer_find *pf = arg;

	if (addr_eq(&pi->proto.addr, &pf->a)) {
		*pf->out = *pi;
		pf->found = true;
		return 1;
	}
	return 0;
}

bool
fab_peer(const struct fab_node *n, const char *proto,
	 struct nhrp_peer_info *out)
{
	struct peer_find pf = {.a = fab_addr(proto), .out = out};

	nhrp_foreach_peer(n->e, n->fab->now, peer_cb, &pf);
	return pf.found;
}

struct nhs_find {
	struct addr a;
	enum nhrp_nhs_state st;
	struct nhrp_nhs_info info;
	unsigned int count;
	bool found;
};

static int
nhs_cb(const struct nhrp_nhs_info *ni, void *arg)
{
	struct nhs_find *nf = arg;

	nf->count++;
	if (!nf->found && addr_eq(&ni->nbma, &nf->a)) {
		nf->st = ni->state;
		nf->info = *ni;
		nf->found = true;
	}
	return 0;
}

enum nhrp_nhs_state
fab_nhs_state(const struct fab_node *n, const char *nbma)
{
	struct nhs_find nf = {.a = fab_addr(nbma), .st = NHRP_NHS_DOWN};

	nhrp_foreach_nhs(n->e, n->fab->now, nhs_cb, &nf);
	return nf.st;
}

void
fab_inject(struct fab_node *to, const char *from, const uint8_t *pkt,
	   size_t len)
{
	struct addr a = fab_addr(from);

	nhrp_recv(to->e, to->fab->now, &a, pkt, len);
	settle(to->fab);
}

bool
fab_nhs_info(const struct fab_node *n, const char *nbma,
	     struct nhrp_nhs_info *out, unsigned int *count)
{
	struct nhs_find nf = {.a = fab_addr(nbma), .st = NHRP_NHS_DOWN};

	nhrp_foreach_nhs(n->e, n->fab->now, nhs_cb, &nf);
	if (out != NULL)
		*out = nf.info;
	if (count != NULL)
		*count = nf.count;
	return nf.found;
}

struct peer_count {
	int type;
	unsigned int n;
};

static int
count_cb(const struct nhrp_peer_info *pi, void *arg)
{
	struct peer_count *pc = arg;

	if (pc->type < 0 || (int)pi->type == pc->type)
		pc->n++;
	return 0;
}

unsigned int
fab_npeers(const struct fab_node *n, int type)
{
	struct peer_count pc = {.type = type};

	nhrp_foreach_peer(n->e, n->fab->now, count_cb, &pc);
	return pc.n;
}

void
fab_capture(struct fabric *f)
{
	if (f->caps == NULL)
		f->caps = calloc(FAB_MAX_CAPS, sizeof(*f->caps));
	if (f->caps == NULL)
		abort();
	f->ncaps = 0;
}

size_t
fab_cap_find(const struct fabric *f, const struct fab_node *src, uint8_t type,
	     size_t from)
{
	size_t i;

	for (i = from; i < f->ncaps; i++)
		if ((src == NULL || f->caps[i].src == src) &&
		    f->caps[i].len > 17 && f->caps[i].data[17] == type)
			return i;
	return SIZE_MAX;
}

unsigned int
fab_cap_count(const struct fabric *f, const struct fab_node *src, uint8_t type)
{
	unsigned int n = 0;
	size_t i = 0;

	while ((i = fab_cap_find(f, src, type, i)) != SIZE_MAX) {
		n++;
		i++;
	}
	return n;
}

const struct nhrp_msg *
fab_cap_msg(const struct fabric *f, size_t i, struct nhrp_msg *m)
{
	const char *why = NULL;

	if (i >= f->ncaps ||
	    nhrp_decode(f->caps[i].data, f->caps[i].len, m, &why) == -1) {
		fprintf(stderr, "fabric: packet %zu: %s\n", i,
			why != NULL ? why : "not captured");
		abort();
	}
	return m;
}

void
fab_naddr(struct nhrp_addr *a, const char *s)
{
	struct addr x = fab_addr(s);

	nhrp_addr_set(a, x.bytes, x.len);
}

bool
fab_naddr_is(const struct nhrp_addr *a, const char *s)
{
	struct addr x = fab_addr(s);

	return a->len == x.len && memcmp(a->a, x.bytes, x.len) == 0;
}

size_t
fab_encode(const struct nhrp_msg *m, uint8_t *out, size_t cap)
{
	struct wbuf w;
	const char *why = NULL;

	wbuf_init(&w, out, cap);
	if (nhrp_encode(m, &w, &why) == -1) {
		fprintf(stderr, "fabric: cannot encode: %s\n", why);
		abort();
	}
	return wbuf_len(&w);
}

size_t
fab_ip_packet(uint8_t *p, const char *src, const char *dst)
{
	struct addr s = fab_addr(src), d = fab_addr(dst);

	if (s.len == 16) {
		memset(p, 0, 48);
		p[0] = 0x60;
		p[5] = 8;  /* payload: an ICMPv6 header */
		p[6] = 58; /* ICMPv6 */
		p[7] = 64;
		memcpy(p + 8, s.bytes, 16);
		memcpy(p + 24, d.bytes, 16);
		return 48;
	}
	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 64;
	p[9] = 1; /* ICMP */
	memcpy(p + 12, s.bytes, 4);
	memcpy(p + 16, d.bytes, 4);
	return 28;
}
