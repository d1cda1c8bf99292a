/*
 * libFuzzer target for the NHRP engine's receive path (src/nhrp), with a
 * hub engine and a spoke engine of fixed configuration.
 *
 * The input is a configuration byte (bit 0: IPsec gating, bit 1: the
 * secret "secret") followed by operations, each an opcode byte and its
 * arguments:
 *   recv        (one opcode for the hub, one for the spoke) from(1)
 *               len(2) bytes: a packet from one of a few NBMA addresses
 *               (from bit 7 clear: ar$pktsz and ar$chksum are made right
 *               first, so that mutations reach the engine)
 *   tick        d(1): time moves on d*d/8 s, then nhrp_tick()
 *   redirect    from(1) which(1): nhrp_redirect_seen() on the hub
 *   miss, used  which(1): nhrp_neigh_miss() / nhrp_neigh_used()
 *   loop        which(1): the last packet one engine sent, to the other
 *   ipsec       which(1): nhrp_ipsec_up() or _down() for an NBMA address
 *   dns         which(1): nhrp_nhs_resolved() with a subset of addresses
 *   purge       which(1): nhrp_purge() or nhrp_flush()
 * Bit 7 of `which` picks the hub, else the spoke (loop: bit 0, the
 * sender).  tests/tools/nhrp_fuzzseed.c writes seeds in this format.
 *
 * The ops count what the engines do and check two invariants: with IPsec
 * on, nothing is sent, mapped or routed toward an NBMA address before its
 * IPsec is up; and an engine freed has withdrawn every neighbour, route
 * and IPsec request it made.  Any breach aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/addr.h"
#include "dmvpn/log.h"
#include "dmvpn/nhrp.h"
#include "dmvpn/nhrp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS   64
#define MAX_TRACK 64
#define PKT_MAX   2048

enum {
	OP_RECV_HUB,
	OP_RECV_SPOKE,
	OP_TICK,
	OP_REDIRECT,
	OP_MISS,
	OP_USED,
	OP_LOOP,
	OP_IPSEC,
	OP_DNS,
	OP_PURGE,
	OP_COUNT
};

/* What one engine has asked of the kernel and IPsec, and what is up. */
struct track {
	struct addr neigh[MAX_TRACK];
	struct prefix route[MAX_TRACK];
	struct addr ipsec[MAX_TRACK]; /* IPSEC_UP asked, no DOWN since */
	struct addr up[MAX_TRACK];    /* nhrp_ipsec_up() given */
	size_t nneigh, nroute, nipsec, nup;
	bool overflow; /* a table filled up: skip the checks */
};

struct node {
	struct nhrp_engine *e;
	struct nhrp_conf conf;
	struct track t;
	bool ipsec;
	unsigned long sent, intents, reserves;
	size_t last_len;
	uint8_t last[PKT_MAX];
};

static struct node nodes[2]; /* 0: hub, 1: spoke */

static const char *const nbmas[] = {
	"192.0.2.1",  "192.0.2.11",  "192.0.2.12",
	"192.0.2.13", "203.0.113.5", "2001:db8:ffff::12",
};
static const char *const protos[] = {
	"172.16.0.1",  "172.16.0.11",  "172.16.0.12",   "172.16.0.13",
	"10.1.0.5",    "10.2.0.5",     "10.9.0.1",      "172.16.0.99",
	"2001:db8::1", "2001:db8::12", "2001:db8:2::5", "10.2.1.7",
};
#define NNBMA  (sizeof(nbmas) / sizeof(nbmas[0]))
#define NPROTO (sizeof(protos) / sizeof(protos[0]))

static struct addr nbma_addr[NNBMA], proto_addr[NPROTO];

static void
quiet(enum log_level level, const char *msg, void *arg)
{
	(void)level;
	(void)msg;
	(void)arg;
}

static struct addr
A(const char *s) {
	struct addr a;

	if (addr_parse(&a, s) == -1)
		abort();
	return a;
}

static struct prefix
P(const char *s) {
	struct prefix p;

	if (prefix_parse(&p, s) == -1)
		abort();
	return p;
}

static bool
has(const struct addr *v, size_t n, const struct addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr_eq(&v[i], a))
			return true;
	return false;
}

static void
set_add(struct track *t, struct addr *v, size_t *n, const struct addr *a)
{
	if (has(v, *n, a))
		return;
	if (*n >= MAX_TRACK) {
		t->overflow = true;
		return;
	}
	v[(*n)++] = *a;
}

static void
set_del(struct addr *v, size_t *n, const struct addr *a)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (addr_eq(&v[i], a)) {
			v[i] = v[--*n];
			return;
		}
	}
}

/* With IPsec on, the engine may use an NBMA address only once it is up. */
static void
check_up(const struct node *n, const struct addr *nbma)
{
	if (n->ipsec && !n->t.overflow && !has(n->t.up, n->t.nup, nbma))
		abort();
}

static void
op_send(void *ctx, const struct addr *dst, const uint8_t *pkt, size_t len)
{
	struct node *n = ctx;

	check_up(n, dst);
	n->sent++;
	n->last_len = len < PKT_MAX ? len : 0;
	if (n->last_len > 0)
		memcpy(n->last, pkt, len);
}

static void
route_del(struct track *t, const struct prefix *p)
{
	size_t i;

	for (i = 0; i < t->nroute; i++) {
		if (prefix_eq(&t->route[i], p)) {
			t->route[i] = t->route[--t->nroute];
			return;
		}
	}
}

static void
op_intent(void *ctx, const struct nhrp_intent *in)
{
	struct node *n = ctx;
	struct track *t = &n->t;

	n->intents++;
	switch (in->type) {
	case NHRP_I_NEIGH_SET:
		check_up(n, &in->nbma);
		set_add(t, t->neigh, &t->nneigh, &in->proto);
		break;
	case NHRP_I_NEIGH_DEL:
		set_del(t->neigh, &t->nneigh, &in->proto);
		break;
	case NHRP_I_ROUTE_ADD:
		check_up(n, &in->nbma);
		route_del(t, &in->dst);
		if (t->nroute < MAX_TRACK)
			t->route[t->nroute++] = in->dst;
		else
			t->overflow = true;
		break;
	case NHRP_I_ROUTE_DEL:
		route_del(t, &in->dst);
		break;
	case NHRP_I_IPSEC_UP:
		set_add(t, t->ipsec, &t->nipsec, &in->nbma);
		break;
	case NHRP_I_IPSEC_DOWN:
		set_del(t->ipsec, &t->nipsec, &in->nbma);
		break;
	case NHRP_I_NEIGH_FAIL:
	case NHRP_I_EVENT:
		break;
	default:
		abort();
	}
}

/* The hub routes the spoke LANs over the tunnel and 10.9/24 locally. */
static int
op_route(void *ctx, const struct addr *dst, struct addr *nexthop, uint8_t *plen)
{
	static const struct {
		const char *dst, *via;
	} hub_rt[] =
		{
			{"10.1.0.0/24", "172.16.0.11"},
			{"10.2.0.0/16", "172.16.0.12"},
			{"10.9.0.0/24", NULL},
			{"2001:db8:2::/48", "2001:db8::12"},
		},
	  spoke_rt[] = {
		  {"10.1.0.0/24", NULL},
	  };
	const struct node *n = ctx;
	size_t i, count = n == &nodes[0] ? 4 : 1;

	for (i = 0; i < count; i++) {
		const char *d =
			n == &nodes[0] ? hub_rt[i].dst : spoke_rt[i].dst;
		const char *v =
			n == &nodes[0] ? hub_rt[i].via : spoke_rt[i].via;
		struct prefix p = P(d);

		if (!prefix_contains(&p, dst))
			continue;
		*plen = p.plen;
		if (v == NULL)
			return 0;
		*nexthop = A(v);
		return 1;
	}
	return -1;
}

static int
op_reserve(void *ctx, uint32_t limit)
{
	struct node *n = ctx;

	(void)limit;
	n->reserves++;
	return 0;
}

static void
confs(uint8_t flags)
{
	static struct nhrp_nhs_conf nhs[2];
	static struct nhrp_map_conf maps[1];
	static struct nhrp_cluster_conf cl[1];
	struct nhrp_conf *h = &nodes[0].conf, *s = &nodes[1].conf;

	nhrp_conf_defaults(h, NHRP_ROLE_HUB);
	strcpy(h->ifname, "gre1");
	h->local[0] = P("172.16.0.1/24");
	h->local[1] = P("2001:db8::1/64");
	h->nlocal = 2;
	h->local_nbma = A("192.0.2.1");
	h->holding_time = 600;
	h->redirect_burst = 2;
	maps[0].proto = P("172.16.0.13/32");
	maps[0].nbma = A("192.0.2.13");
	h->maps = maps;
	h->nmaps = 1;
	h->reqid_limit = 16;

	nhrp_conf_defaults(s, NHRP_ROLE_SPOKE);
	strcpy(s->ifname, "gre1");
	s->local[0] = P("172.16.0.11/24");
	s->local[1] = P("2001:db8::11/64");
	s->nlocal = 2;
	s->local_nbma = A("192.0.2.11");
	s->holding_time = 300;
	s->shortcut_dest[0] = P("10.1.0.0/24");
	s->nshortcut_dest = 1;
	memset(nhs, 0, sizeof(nhs));
	nhs[0].proto = A("172.16.0.1");
	nhs[0].nbma = A("192.0.2.1");
	strcpy(nhs[1].fqdn, "hub.example.net");
	nhs[1].priority = 1;
	s->nhs = nhs;
	s->nnhs = 2;
	cl[0].cluster = 0;
	cl[0].max_connections = 1;
	s->clusters = cl;
	s->nclusters = 1;
	s->fallback = 10;
	s->negative_ttl = 20;
	s->reqid_limit = 16;
	s->seed = 1;

	h->ipsec = s->ipsec = (flags & 1) != 0;
	if (flags & 2) {
		memcpy(h->auth, "secret", 6);
		memcpy(s->auth, "secret", 6);
		h->auth_len = s->auth_len = 6;
	}
}

/* Feed len bytes from nbma[from] to engine n as an exact-size copy. */
static void
recv_pkt(struct node *n, double now, uint8_t from, const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);

	if (copy == NULL)
		return;
	memcpy(copy, p, len);
	if (!(from & 0x80) && len >= NHRP_FIXED_LEN && len <= 0xffff) {
		uint16_t ck;

		copy[NHRP_OFF_PKTSZ] = (uint8_t)(len >> 8);
		copy[NHRP_OFF_PKTSZ + 1] = (uint8_t)len;
		copy[NHRP_OFF_CHKSUM] = copy[NHRP_OFF_CHKSUM + 1] = 0;
		ck = nhrp_checksum(copy, len);
		copy[NHRP_OFF_CHKSUM] = (uint8_t)(ck >> 8);
		copy[NHRP_OFF_CHKSUM + 1] = (uint8_t)ck;
	}
	nhrp_recv(n->e, now, &nbma_addr[(from & 0x7f) % NNBMA], copy, len);
	free(copy);
}

/* An IP header from a spoke LAN to a destination chosen by which. */
static void
redirect(double now, uint8_t from, uint8_t which)
{
	uint8_t pkt[48];
	const struct addr *src, *dst;

	memset(pkt, 0, sizeof(pkt));
	dst = &proto_addr[which % NPROTO];
	if (dst->family == proto_addr[8].family) {
		src = &proto_addr[8];
		pkt[0] = 0x60;
		memcpy(pkt + 8, src->bytes, 16);
		memcpy(pkt + 24, dst->bytes, 16);
	} else {
		src = &proto_addr[4];
		pkt[0] = 0x45;
		memcpy(pkt + 12, src->bytes, 4);
		memcpy(pkt + 16, dst->bytes, 4);
	}
	nhrp_redirect_seen(nodes[0].e, now, &nbma_addr[from % NNBMA], pkt,
			   (which & 0x80) ? 10 : sizeof(pkt));
}

static void
ipsec(double now, uint8_t which)
{
	struct node *n = &nodes[(which & 0x80) ? 0 : 1];
	const struct addr *a = &nbma_addr[(which & 0x3f) % NNBMA];

	if (which & 0x40) {
		nhrp_ipsec_down(n->e, now, a);
		set_del(n->t.up, &n->t.nup, a);
		/* The SA is gone: no IPSEC_DOWN is owed for it any more. */
		set_del(n->t.ipsec, &n->t.nipsec, a);
	} else {
		set_add(&n->t, n->t.up, &n->t.nup, a);
		nhrp_ipsec_up(n->e, now, a);
	}
}

static void
dns(double now, uint8_t which)
{
	struct addr v[3];
	size_t k = 0;

	if (which & 1)
		v[k++] = A("192.0.2.1");
	if (which & 2)
		v[k++] = A("192.0.2.2");
	if (which & 4)
		v[k++] = A("192.0.2.12");
	nhrp_nhs_resolved(nodes[1].e, now,
			  (which & 8) ? "other.example.net" : "hub.example.net",
			  v, k);
}

static void
purge(double now, uint8_t which)
{
	struct node *n = &nodes[(which & 0x80) ? 0 : 1];
	const struct addr *a = &proto_addr[(which & 0x1f) % NPROTO];

	switch ((which >> 5) & 3) {
	case 0:
		nhrp_purge(n->e, now, a);
		break;
	case 1:
		nhrp_flush(n->e, now, a);
		break;
	case 2:
		nhrp_flush(n->e, now, &nbma_addr[(which & 0x1f) % NNBMA]);
		break;
	default:
		nhrp_flush(n->e, now, NULL);
		break;
	}
}

static int
count_peer(const struct nhrp_peer_info *pi, void *arg)
{
	(void)pi;
	(*(unsigned int *)arg)++;
	return 0;
}

static int
count_nhs(const struct nhrp_nhs_info *ni, void *arg)
{
	(void)ni;
	(*(unsigned int *)arg)++;
	return 0;
}

static void
run(const uint8_t *data, size_t size, double *now)
{
	size_t pos = 0, ops = 0;

	while (pos < size && ops++ < MAX_OPS) {
		uint8_t op = data[pos++] % OP_COUNT;
		uint8_t a = pos < size ? data[pos] : 0;
		struct node *n;
		size_t len;

		switch (op) {
		case OP_RECV_HUB:
		case OP_RECV_SPOKE:
			if (size - pos < 3)
				return;
			len = (size_t)data[pos + 1] << 8 | data[pos + 2];
			pos += 3;
			if (len > size - pos)
				len = size - pos;
			recv_pkt(&nodes[op - OP_RECV_HUB], *now, a, data + pos,
				 len);
			pos += len;
			continue;
		case OP_TICK:
			*now += (double)a * a / 8.0;
			nhrp_tick(nodes[0].e, *now);
			nhrp_tick(nodes[1].e, *now);
			break;
		case OP_REDIRECT:
			redirect(*now, a, pos + 1 < size ? data[pos + 1] : 0);
			pos++;
			break;
		case OP_MISS:
		case OP_USED:
			n = &nodes[(a & 0x80) ? 0 : 1];
			if (op == OP_MISS)
				nhrp_neigh_miss(
					n->e, *now,
					&proto_addr[(a & 0x7f) % NPROTO]);
			else
				nhrp_neigh_used(
					n->e, *now,
					&proto_addr[(a & 0x7f) % NPROTO]);
			break;
		case OP_LOOP:
			n = &nodes[a & 1];
			if (n->last_len > 0)
				recv_pkt(&nodes[!(a & 1)], *now, 0x80 | (a & 1),
					 n->last, n->last_len);
			break;
		case OP_IPSEC:
			ipsec(*now, a);
			break;
		case OP_DNS:
			dns(*now, a);
			break;
		case OP_PURGE:
			purge(*now, a);
			break;
		}
		pos++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	const char *why = NULL;
	double now = 1000;
	unsigned int count = 0;
	size_t i;

	if (!init) {
		log_set_sink(quiet, NULL);
		for (i = 0; i < NNBMA; i++)
			nbma_addr[i] = A(nbmas[i]);
		for (i = 0; i < NPROTO; i++)
			proto_addr[i] = A(protos[i]);
		init = true;
	}
	if (size < 1)
		return 0;
	memset(nodes, 0, sizeof(nodes));
	confs(data[0]);
	for (i = 0; i < 2; i++) {
		struct nhrp_ops ops = {
			.send = op_send,
			.intent = op_intent,
			.route_lookup = op_route,
			.reqid_reserve = op_reserve,
			.ctx = &nodes[i],
		};

		nodes[i].ipsec = nodes[i].conf.ipsec;
		nodes[i].e = nhrp_engine_new(&nodes[i].conf, &ops, now, &why);
		if (nodes[i].e == NULL)
			abort();
	}
	run(data + 1, size - 1, &now);
	for (i = 0; i < 2; i++) {
		struct node *n = &nodes[i];

		nhrp_foreach_peer(n->e, now, count_peer, &count);
		nhrp_foreach_nhs(n->e, now, count_nhs, &count);
		(void)nhrp_next_deadline(n->e);
		(void)nhrp_stats(n->e);
		nhrp_engine_free(n->e, now);
		if (!n->t.overflow &&
		    (n->t.nneigh != 0 || n->t.nroute != 0 || n->t.nipsec != 0))
			abort();
	}
	return 0;
}
