/* The in-process IKEv2 network: see ike_harness.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dmvpn/ike_wire.h"
#include "ike_harness.h"

void
ikh_init(struct ikh *h)
{
	memset(h, 0, sizeof(*h));
	h->now = 1000;
}

void
ikh_free(struct ikh *h)
{
	size_t i;

	for (i = 0; i < h->nnodes; i++) {
		ikh_stop(h->nodes[i]);
		free(h->nodes[i]);
	}
	for (i = 0; i < h->qlen; i++)
		free(h->queue[i]);
	for (i = 0; i < h->nheld; i++)
		free(h->held[i]);
	memset(h, 0, sizeof(*h));
}

static struct addr
parse(const char *s)
{
	struct addr a;

	assert_int_equal(addr_parse(&a, s), 0);
	return a;
}

static void
op_send(void *ctx, const struct ike_path *path, const uint8_t *pkt, size_t len)
{
	struct ikh_node *n = ctx;
	struct ikh *h = n->h;
	struct ikh_pkt *p;

	assert_true(len <= sizeof(p->data));
	if (h->qlen >= IKH_MAX_QUEUE)
		return;
	p = calloc(1, sizeof(*p));
	assert_non_null(p);
	p->src = n;
	p->path = *path;
	p->len = len;
	memcpy(p->data, pkt, len);
	h->queue[h->qlen++] = p;
}

static struct ikh_ksa *
ksa_find(struct ikh_node *n, uint32_t spi, bool in)
{
	size_t i;

	for (i = 0; i < n->nksa; i++)
		if (n->ksa[i].spi == spi && n->ksa[i].in == in)
			return &n->ksa[i];
	return NULL;
}

static void
ksa_add(struct ikh_node *n, const struct ike_child_sa *c, bool in)
{
	struct ikh_ksa *k = ksa_find(n, in ? c->spi_in : c->spi_out, in);

	if (k == NULL) {
		assert_true(n->nksa < IKH_MAX_SAS);
		k = &n->ksa[n->nksa++];
	}
	memset(k, 0, sizeof(*k));
	k->spi = in ? c->spi_in : c->spi_out;
	k->in = in;
	k->reqid = c->reqid;
	k->local = c->path.local.addr;
	k->remote = c->path.remote.addr;
	k->encap = c->encap;
	k->sport = c->path.local.port;
	k->dport = c->path.remote.port;
	k->keys = in ? c->in : c->out;
}

static void
ksa_del(struct ikh_node *n, uint32_t spi, bool in)
{
	struct ikh_ksa *k = ksa_find(n, spi, in);

	if (k == NULL)
		return;
	*k = n->ksa[--n->nksa];
}

static void
op_intent(void *ctx, const struct ike_intent *in)
{
	struct ikh_node *n = ctx;

	switch (in->type) {
	case IKE_I_CHILD_ADD:
		n->child_add++;
		ksa_add(n, in->child, true);
		if (!in->child->inbound_only)
			ksa_add(n, in->child, false);
		break;
	case IKE_I_CHILD_OUT:
		ksa_add(n, in->child, false);
		break;
	case IKE_I_CHILD_DEL:
		n->child_del++;
		ksa_del(n, in->child->spi_in, true);
		ksa_del(n, in->child->spi_out, false);
		break;
	case IKE_I_PEER_UP:
		n->peer_up++;
		break;
	case IKE_I_PEER_DOWN:
		n->peer_down++;
		break;
	case IKE_I_POLICY_DEL:
		n->policy_del++;
		break;
	}
}

static int
op_alloc_spi(void *ctx, const struct addr *local, const struct addr *remote,
	     uint32_t *spi)
{
	struct ikh_node *n = ctx;

	(void)local;
	(void)remote;
	*spi = n->next_spi++;
	return 0;
}

/* Deterministic "randomness": a per-node xorshift stream. */
static void
op_random(void *ctx, uint8_t *buf, size_t len)
{
	struct ikh_node *n = ctx;
	size_t i;

	if (n->nonce_fill != 0 && len == 32) {
		/* Nonces we choose: tests of who wins a collision. */
		memset(buf, n->nonce_fill, len);
		buf[len - 1] = n->nonce_count++;
		return;
	}
	for (i = 0; i < len; i++) {
		n->rnd ^= n->rnd << 13;
		n->rnd ^= n->rnd >> 17;
		n->rnd ^= n->rnd << 5;
		buf[i] = (uint8_t)n->rnd;
	}
}

struct ikh_node *
ikh_node(struct ikh *h, const char *name, const char *addr)
{
	struct ikh_node *n = calloc(1, sizeof(*n));
	struct ike_conf *c;

	assert_non_null(n);
	assert_true(h->nnodes < IKH_MAX_NODES);
	n->h = h;
	n->name = name;
	n->addr = parse(addr);
	n->rnd = 0x12345u + 7919u * (uint32_t)h->nnodes;
	n->next_spi = 0xc0000100u + 0x100000u * (uint32_t)h->nnodes;
	c = &n->conf;
	ike_conf_defaults(c);
	c->ike[0] =
		(struct ike_proposal){.encr = IKE_ENCR_AES_GCM_16,
				      .encr_bits = 256,
				      .prf = IKE_PRF_HMAC_SHA2_256,
				      .dh = {IKE_KE_CURVE25519, IKE_KE_ECP256},
				      .ndh = 2};
	c->ike[1] = (struct ike_proposal){.encr = IKE_ENCR_AES_CBC,
					  .encr_bits = 256,
					  .integ = IKE_INTEG_HMAC_SHA2_256_128,
					  .prf = IKE_PRF_HMAC_SHA2_256,
					  .dh = {IKE_KE_ECP256},
					  .ndh = 1};
	c->nike = 2;
	c->esp[0] = (struct ike_proposal){.encr = IKE_ENCR_AES_GCM_16,
					  .encr_bits = 256};
	c->esp[1] = (struct ike_proposal){.encr = IKE_ENCR_AES_CBC,
					  .encr_bits = 128,
					  .integ = IKE_INTEG_HMAC_SHA2_256_128};
	c->nesp = 2;
	memcpy(c->psk, "harness pre-shared key", 22);
	c->psk_len = 22;
	c->seed = 1 + (uint32_t)h->nnodes;
	h->nodes[h->nnodes++] = n;
	return n;
}

void
ikh_start(struct ikh_node *n)
{
	struct ike_ops ops = {.ctx = n,
			      .send = op_send,
			      .intent = op_intent,
			      .alloc_spi = op_alloc_spi,
			      .random = op_random};
	const char *why = NULL;

	n->e = ike_engine_new(&n->conf, &ops, n->h->now, &why);
	if (n->e == NULL)
		fail_msg("%s: %s", n->name, why);
}

void
ikh_stop(struct ikh_node *n)
{
	if (n->e == NULL)
		return;
	ike_engine_free(n->e, n->h->now);
	n->e = NULL;
}

static struct ikh_node *
node_at(struct ikh *h, const struct addr *a)
{
	size_t i;

	for (i = 0; i < h->nnodes; i++) {
		struct ikh_node *n = h->nodes[i];

		if (n->natted ? addr_eq(&n->public_addr, a)
			      : addr_eq(&n->addr, a))
			return n;
	}
	return NULL;
}

static void
deliver(struct ikh *h, struct ikh_pkt *p)
{
	struct ikh_node *dst = node_at(h, &p->path.remote.addr);
	struct ike_path rp;
	struct ikh_cap *cap = NULL;
	uint8_t exch = 0, flags = 0;
	uint32_t msgid = 0;
	int verdict = 0;

	if (p->len >= IKE_HDR_LEN) {
		exch = p->data[18];
		flags = p->data[19];
		msgid = (uint32_t)p->data[20] << 24 |
			(uint32_t)p->data[21] << 16 |
			(uint32_t)p->data[22] << 8 | p->data[23];
	}
	/* What the receiver sees: the source after NAT, itself inside. */
	memset(&rp, 0, sizeof(rp));
	rp.remote.addr = p->src->natted ? p->src->public_addr : p->src->addr;
	rp.remote.port =
		(uint16_t)(p->path.local.port + (p->src->natted ? 40000 : 0));
	if (dst != NULL) {
		rp.local.addr = dst->addr;
		rp.local.port = (uint16_t)(p->path.remote.port -
					   (dst->natted ? 40000 : 0));
	}
	if (h->ncaps < IKH_MAX_CAPS) {
		cap = &h->caps[h->ncaps++];
		cap->src = p->src;
		cap->dst = dst;
		cap->exchange = exch;
		cap->flags = flags;
		cap->msgid = msgid;
		cap->len = p->len;
	}
	if (h->filter != NULL)
		verdict = h->filter(h, p, exch, flags, msgid, h->filter_arg);
	if (dst == NULL || dst->e == NULL || dst->down || p->src->down ||
	    verdict == 1 || p->len == 1) {
		if (cap != NULL)
			cap->dropped = true;
		return;
	}
	ike_recv(dst->e, h->now, &rp, p->data, p->len);
	if (verdict == 2 && dst->e != NULL)
		ike_recv(dst->e, h->now, &rp, p->data, p->len);
}

void
ikh_settle(struct ikh *h)
{
	size_t rounds = 0;

	while (h->qlen > 0) {
		struct ikh_pkt *p = h->queue[0];

		memmove(h->queue, h->queue + 1,
			(h->qlen - 1) * sizeof(h->queue[0]));
		h->qlen--;
		if (h->hold && h->nheld < IKH_MAX_QUEUE) {
			h->held[h->nheld++] = p;
			continue;
		}
		deliver(h, p);
		free(p);
		assert_true(++rounds < 100000);
	}
}

void
ikh_release(struct ikh *h, bool reverse)
{
	size_t i, n = h->nheld;
	struct ikh_pkt *v[IKH_MAX_QUEUE];

	memcpy(v, h->held, n * sizeof(v[0]));
	h->nheld = 0;
	for (i = 0; i < n; i++) {
		struct ikh_pkt *p = v[reverse ? n - 1 - i : i];

		deliver(h, p);
		free(p);
	}
	ikh_settle(h);
}

void
ikh_run(struct ikh *h, double seconds)
{
	double end = h->now + seconds;

	for (;;) {
		double next = -1;
		size_t i;

		ikh_settle(h);
		for (i = 0; i < h->nnodes; i++) {
			double d;

			if (h->nodes[i]->e == NULL)
				continue;
			d = ike_next_deadline(h->nodes[i]->e);
			if (d >= 0 && (next < 0 || d < next))
				next = d;
		}
		if (next < 0 || next > end)
			break;
		if (next > h->now)
			h->now = next;
		for (i = 0; i < h->nnodes; i++)
			if (h->nodes[i]->e != NULL)
				ike_tick(h->nodes[i]->e, h->now);
	}
	h->now = end;
	ikh_settle(h);
}

int
ikh_connect(struct ikh_node *a, struct ikh_node *b)
{
	int rc = ike_connect(a->e, a->h->now, &a->addr,
			     b->natted ? &b->public_addr : &b->addr);

	ikh_settle(a->h);
	return rc;
}

size_t
ikh_count(const struct ikh_node *n, const struct ikh_node *peer, bool in)
{
	const struct addr *pa = peer->natted ? &peer->public_addr : &peer->addr;
	size_t i, c = 0;

	for (i = 0; i < n->nksa; i++)
		if (n->ksa[i].in == in && addr_eq(&n->ksa[i].remote, pa))
			c++;
	return c;
}

static bool
keys_eq(const struct ike_esp_keys *a, const struct ike_esp_keys *b)
{
	return a->encr == b->encr && a->encr_bits == b->encr_bits &&
	       a->integ == b->integ && a->encr_key_len == b->encr_key_len &&
	       a->integ_key_len == b->integ_key_len &&
	       memcmp(a->encr_key, b->encr_key, a->encr_key_len) == 0 &&
	       memcmp(a->integ_key, b->integ_key, a->integ_key_len) == 0;
}

static bool
one_way(const struct ikh_node *a, const struct ikh_node *b)
{
	size_t i;

	for (i = 0; i < a->nksa; i++) {
		const struct ikh_ksa *o = &a->ksa[i];
		const struct ikh_ksa *in;

		if (o->in)
			continue;
		in = ksa_find((struct ikh_node *)(uintptr_t)b, o->spi, true);
		if (in == NULL || !keys_eq(&o->keys, &in->keys)) {
			print_error("%s: outbound SPI %08x has no twin at %s\n",
				    a->name, o->spi, b->name);
			return false;
		}
	}
	return true;
}

bool
ikh_consistent(const struct ikh_node *a, const struct ikh_node *b)
{
	return one_way(a, b) && one_way(b, a);
}

struct sa_count {
	const struct ikh_node *peer;
	int st;
	size_t n;
};

static int
count_cb(const struct ike_sa_info *info, void *arg)
{
	struct sa_count *c = arg;
	const struct addr *pa =
		c->peer->natted ? &c->peer->public_addr : &c->peer->addr;

	if (addr_eq(&info->path.remote.addr, pa) &&
	    (c->st < 0 || (int)info->state == c->st))
		c->n++;
	return 0;
}

size_t
ikh_ike_sas(const struct ikh_node *n, const struct ikh_node *peer, int st)
{
	struct sa_count c = {peer, st, 0};

	if (n->e != NULL)
		ike_foreach_sa(n->e, n->h->now, count_cb, &c);
	return c.n;
}

size_t
ikh_cap_count(const struct ikh *h, const struct ikh_node *src, uint8_t exchange,
	      int response)
{
	size_t i, n = 0;

	for (i = 0; i < h->ncaps; i++) {
		const struct ikh_cap *c = &h->caps[i];

		if ((src == NULL || c->src == src) && c->exchange == exchange &&
		    (response < 0 ||
		     ((c->flags & IKE_FLAG_R) != 0) == (response != 0)))
			n++;
	}
	return n;
}
