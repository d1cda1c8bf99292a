/*
 * libFuzzer target for the IKEv2 engine's receive path (src/ike), with two
 * engines of fixed configuration talking to each other: a at 192.0.2.1 and
 * b at 192.0.2.2, PSK, IKE AES-GCM-256/PRF-SHA256/x25519+ecp256 and
 * AES-CBC-256/SHA256/ecp256, ESP AES-GCM and AES-CBC+SHA256.
 *
 * The input is a configuration byte, then operations, each an opcode byte
 * and its arguments.  The configuration bits: 0 cookies (half-open limit
 * 0), 1 fragments of 200 octets, 2 short lifetimes, 3 a behind a NAT
 * (198.51.100.1 outside, ports +40000), 4 b takes only ECP-256 first
 * (INVALID_KE), 5 both engines jitter alike (crossing rekeys), 6 a only
 * AES-CBC, 7 PFS on all ESP proposals (a prefers X25519, b ECP-256).
 * The operations:
 *   recv a, recv b  how(1) len(2) bytes: a datagram from the peer (how bit
 *                   0) or from 203.0.113.9, to port 4500 (bit 1) or 500
 *   loop      dir(1): deliver the oldest datagram a sent to b (dir bit 0
 *                   clear) or b to a
 *   mutate    dir(1) off(2) x(1): the same with octet off % len xor'ed
 *                   with x; x 0: truncated to off % len octets
 *   drop, dup dir(1): discard it, or deliver it twice
 *   connect, release, acquire  w(1): a (w bit 0 clear) or b asks for the
 *                   other (bit 1 clear) or for 203.0.113.9
 *   expire    w(1) i(1): soft or (w bit 1) hard expiry of SA i % n of the
 *                   node's mock kernel
 *   mapping   w(1): XFRM_MSG_MAPPING of the peer's address and port
 *   tick      d(1): time moves on d*d/8 s, then ike_tick() both
 *   reseed    w(1) v(1): restart the node's random stream from v
 * The engines' randomness (SPIs, nonces, cookie secrets) comes from a
 * per-node xorshift stream and their inbound SPIs from a counter, so that
 * a crash reproduces; only the Diffie-Hellman keys are OpenSSL's.
 * tests/tools/ike_fuzzseed.c writes seeds in this format.
 *
 * The invariants, any breach aborts:
 *  - no SPI is installed twice in one mock kernel, and an IKE_I_CHILD_OUT
 *    follows the CHILD_ADD of its inbound SA;
 *  - when nothing was lost, forged, delayed past a timer or moved, and no
 *    datagram is queued, every outbound SA at one end has an inbound twin
 *    with the same SPI and keys at the other;
 *  - at the end, when nothing was lost, mutated or moved: the same, once
 *    everything queued is delivered and time has run on HORIZON seconds;
 *  - after ike_engine_free() a mock kernel holds no SA and no policy, and
 *    every IKE_I_PEER_UP was followed by an IKE_I_PEER_DOWN.
 * The engine bugs this target found (release freeing the peer twice, an
 * answer without KE to a PFS rekey refused, CHILD_DEL and PEER_UP/DOWN
 * naming other addresses after a NAT move, crossing SAs settled by
 * address behind a NAT, a hard expiry with a request outstanding) are
 * fixed, and their inputs are in the corpus.
 * FUZZ_IKE_TRACE in the environment prints the operations and intents of a
 * replay.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/addr.h"
#include "dmvpn/ike.h"
#include "dmvpn/ike_wire.h"
#include "dmvpn/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS    96
#define QMAX       64  /* datagrams queued one way */
#define KMAX       32  /* SAs in one mock kernel */
#define PMAX       8   /* peers with policies or up */
#define HORIZON    300 /* s: DPD and retransmissions have run their course */
#define NAT_OFFSET 40000

enum {
	OP_RECV_A,
	OP_RECV_B,
	OP_LOOP,
	OP_MUTATE,
	OP_DROP,
	OP_DUP,
	OP_CONNECT,
	OP_RELEASE,
	OP_EXPIRE,
	OP_ACQUIRE,
	OP_MAPPING,
	OP_TICK,
	OP_RESEED,
	OP_COUNT
};

/* One SA (one direction) in a node's mock kernel. */
struct ksa {
	uint32_t spi;
	bool in;
	unsigned int pair; /* installed with: one CHILD_ADD */
	struct addr remote;
	struct ike_esp_keys keys;
};

struct dgram {
	struct ike_path path; /* as sent */
	unsigned long seq;
	size_t len;
	uint8_t *data;
};

struct node {
	const char *name;
	struct ike_engine *e;
	struct ike_conf conf;
	struct addr addr; /* its own */
	struct addr pub;  /* as the other sees it */
	bool natted;
	bool moved; /* ike_kernel_mapping() was called */
	uint32_t rnd;
	uint32_t next_spi;
	struct ksa ksa[KMAX];
	size_t nksa;
	uint32_t larval[KMAX];
	size_t nlarval;
	struct addr up[PMAX]; /* PEER_UP given, no PEER_DOWN since */
	size_t nup;
	uint32_t pol[PMAX]; /* reqids with policies */
	size_t npol;
	struct dgram q[QMAX]; /* what it sent to the other node */
	size_t qlen;
};

static struct node nodes[2];
static struct addr third;
static double now;
static unsigned long seq;
static unsigned int pairs;
/* strict: nothing lost, forged, delayed or moved; sound: nothing lost. */
static bool strict, sound;

static bool trace; /* FUZZ_IKE_TRACE set: what happens, on stderr */

static void
breach(const struct node *n, const char *what, uint32_t spi)
{
	size_t i;
	int j;

	for (i = 0; trace && i < 2; i++)
		for (j = 0; nodes[i].e != NULL && j < IKE_DROP_MAX; j++)
			if (ike_stats(nodes[i].e)->drops[j] != 0)
				fprintf(stderr, "%s: drop %s %llu\n",
					nodes[i].name, ike_drop_name(j),
					(unsigned long long)ike_stats(
						nodes[i].e)
						->drops[j]);
	fprintf(stderr, "fuzz_ike_engine: %s: %s (SPI %08x)\n", n->name, what,
		spi);
	abort();
}

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

static struct node *
other(const struct node *n)
{
	return n == &nodes[0] ? &nodes[1] : &nodes[0];
}

/* --- the ops -------------------------------------------------------------- */

static void
op_send(void *ctx, const struct ike_path *path, const uint8_t *pkt, size_t len)
{
	struct node *n = ctx;
	struct dgram *d;

	/* Only what goes to the other node is queued; the rest is lost. */
	if (!addr_eq(&path->remote.addr, &other(n)->pub))
		return;
	/* A NAT keepalive: the kernel's UDP encapsulation eats it. */
	if (len == 1)
		return;
	if (n->qlen >= QMAX) {
		strict = sound = false;
		return;
	}
	d = &n->q[n->qlen];
	d->data = malloc(len > 0 ? len : 1);
	if (d->data == NULL)
		abort();
	memcpy(d->data, pkt, len);
	d->len = len;
	d->path = *path;
	d->seq = seq++;
	n->qlen++;
}

static struct ksa *
ksa_find(struct node *n, uint32_t spi, bool in, const struct addr *remote)
{
	size_t i;

	for (i = 0; i < n->nksa; i++)
		if (n->ksa[i].spi == spi && n->ksa[i].in == in &&
		    (in || addr_eq(&n->ksa[i].remote, remote)))
			return &n->ksa[i];
	return NULL;
}

static void
ksa_add(struct node *n, const struct ike_child_sa *c, bool in,
	unsigned int pair)
{
	uint32_t spi = in ? c->spi_in : c->spi_out;
	struct ksa *k;

	if (ksa_find(n, spi, in, &c->path.remote.addr) != NULL)
		breach(n, "SPI installed twice", spi);
	if (n->nksa >= KMAX)
		breach(n, "too many SAs installed", spi);
	k = &n->ksa[n->nksa++];
	k->spi = spi;
	k->in = in;
	k->pair = pair;
	k->remote = c->path.remote.addr;
	k->keys = in ? c->in : c->out;
}

static void
ksa_del(struct node *n, uint32_t spi, bool in, const struct addr *remote)
{
	struct ksa *k = ksa_find(n, spi, in, remote);

	if (k != NULL)
		*k = n->ksa[--n->nksa];
}

static void
larval_del(struct node *n, uint32_t spi)
{
	size_t i;

	for (i = 0; i < n->nlarval; i++) {
		if (n->larval[i] == spi) {
			n->larval[i] = n->larval[--n->nlarval];
			return;
		}
	}
}

static void
up_set(struct node *n, const struct addr *remote, bool up)
{
	size_t i;

	for (i = 0; i < n->nup; i++)
		if (addr_eq(&n->up[i], remote))
			break;
	if (!up) {
		if (i < n->nup)
			n->up[i] = n->up[--n->nup];
		return;
	}
	if (i == n->nup && n->nup < PMAX)
		n->up[n->nup++] = *remote;
}

static void
pol_set(struct node *n, uint32_t reqid, bool on)
{
	size_t i;

	for (i = 0; i < n->npol; i++)
		if (n->pol[i] == reqid)
			break;
	if (!on) {
		if (i < n->npol)
			n->pol[i] = n->pol[--n->npol];
		return;
	}
	if (i == n->npol && n->npol < PMAX)
		n->pol[n->npol++] = reqid;
}

static void
op_intent(void *ctx, const struct ike_intent *in)
{
	struct node *n = ctx;
	const struct ike_child_sa *c = in->child;
	struct ksa *k;

	if (trace)
		fprintf(stderr, "  %s: intent %d in %08x out %08x%s\n", n->name,
			in->type, c != NULL ? c->spi_in : 0,
			c != NULL ? c->spi_out : 0,
			c != NULL && c->inbound_only ? " inbound only" : "");
	switch (in->type) {
	case IKE_I_CHILD_ADD:
		pairs++;
		larval_del(n, c->spi_in);
		ksa_add(n, c, true, pairs);
		if (!c->inbound_only)
			ksa_add(n, c, false, pairs);
		pol_set(n, c->reqid, true);
		break;
	case IKE_I_CHILD_OUT:
		k = ksa_find(n, c->spi_in, true, NULL);
		if (k == NULL)
			breach(n, "CHILD_OUT without its inbound SA",
			       c->spi_in);
		ksa_add(n, c, false, k->pair);
		break;
	case IKE_I_CHILD_DEL:
		larval_del(n, c->spi_in);
		ksa_del(n, c->spi_in, true, NULL);
		if (c->spi_out == 0)
			break;
		/* As the kernel's DELSA: by destination and SPI. */
		k = ksa_find(n, c->spi_out, false, &c->path.remote.addr);
		if (k != NULL)
			*k = n->ksa[--n->nksa];
		break;
	case IKE_I_PEER_UP:
		up_set(n, &in->remote, true);
		break;
	case IKE_I_PEER_DOWN:
		up_set(n, &in->remote, false);
		break;
	case IKE_I_POLICY_DEL:
		pol_set(n, in->reqid, false);
		break;
	default:
		breach(n, "unknown intent", 0);
	}
}

static int
op_alloc_spi(void *ctx, const struct addr *local, const struct addr *remote,
	     uint32_t *spi)
{
	struct node *n = ctx;

	(void)local;
	(void)remote;
	*spi = n->next_spi++;
	if (n->nlarval < KMAX)
		n->larval[n->nlarval++] = *spi;
	return 0;
}

/* Deterministic "randomness": a per-node xorshift stream, never zero. */
static void
op_random(void *ctx, uint8_t *buf, size_t len)
{
	struct node *n = ctx;
	size_t i;

	for (i = 0; i < len; i++) {
		n->rnd ^= n->rnd << 13;
		n->rnd ^= n->rnd >> 17;
		n->rnd ^= n->rnd << 5;
		buf[i] = (uint8_t)n->rnd;
	}
}

static void
reseed(struct node *n, uint8_t v)
{
	n->rnd = 0x12345u + 7919u * v + (n == &nodes[0] ? 0 : 0x1000000u);
}

/* --- the network ---------------------------------------------------------- */

static void
deliver(struct node *src, const struct dgram *d, const uint8_t *data,
	size_t len)
{
	struct node *dst = other(src);
	struct ike_path rp;

	memset(&rp, 0, sizeof(rp));
	rp.remote.addr = src->pub;
	rp.remote.port =
		(uint16_t)(d->path.local.port + (src->natted ? NAT_OFFSET : 0));
	rp.local.addr = dst->addr;
	rp.local.port = d->path.remote.port;
	if (dst->natted) {
		/*
		 * No mapping in the NAT for it: dropped there, a loss.  (b's
		 * IKE_SA_INIT lost so while a's crosses it leaves a with a
		 * CHILD SA b never installs: ike_sa_settle()'s tie-break is
		 * seen differently by the two ends behind a NAT, and a loser
		 * stays one when the winner fails.)
		 */
		if (rp.local.port < NAT_OFFSET) {
			strict = sound = false;
			return;
		}
		rp.local.port -= NAT_OFFSET;
	}
	ike_recv(dst->e, now, &rp, data, len);
}

static bool
pop(struct node *src, struct dgram *d)
{
	if (src->qlen == 0)
		return false;
	*d = src->q[0];
	memmove(src->q, src->q + 1, (src->qlen - 1) * sizeof(src->q[0]));
	src->qlen--;
	return true;
}

/* Deliver everything queued, oldest first, without moving the clock. */
static void
settle(void)
{
	struct dgram d;
	size_t rounds = 0;

	for (;;) {
		struct node *src = &nodes[0];

		if (nodes[0].qlen == 0 ||
		    (nodes[1].qlen > 0 &&
		     nodes[1].q[0].seq < nodes[0].q[0].seq))
			src = &nodes[1];
		if (!pop(src, &d))
			return;
		deliver(src, &d, d.data, d.len);
		free(d.data);
		/* Without time no exchange goes on for ever. */
		if (++rounds > 4000)
			breach(src, "datagrams without end", 0);
	}
}

/* Deliver, run the timers in order, until `seconds` have passed. */
static void
run(double seconds)
{
	double end = now + seconds;
	size_t rounds = 0;

	for (;;) {
		double next = -1, t;
		size_t i;

		settle();
		for (i = 0; i < 2; i++) {
			t = ike_next_deadline(nodes[i].e);
			if (t >= 0 && (next < 0 || t < next))
				next = t;
		}
		if (next < 0 || next > end)
			break;
		if (next > now)
			now = next;
		for (i = 0; i < 2; i++)
			ike_tick(nodes[i].e, now);
		if (++rounds > 20000)
			breach(&nodes[0], "timers without end", 0);
	}
	now = end;
	settle();
}

/* Every outbound SA of n has its inbound twin at the other node. */
static void
check_twins(struct node *n)
{
	struct node *o = other(n);
	size_t i;

	for (i = 0; i < n->nksa; i++) {
		const struct ksa *k = &n->ksa[i];
		const struct ksa *t;

		if (k->in)
			continue;
		if (!addr_eq(&k->remote, &o->pub))
			breach(n, "outbound SA to a stranger", k->spi);
		t = ksa_find(o, k->spi, true, NULL);
		if (t == NULL)
			breach(n, "outbound SA without inbound twin", k->spi);
		if (t->keys.encr != k->keys.encr ||
		    t->keys.encr_key_len != k->keys.encr_key_len ||
		    t->keys.integ_key_len != k->keys.integ_key_len ||
		    memcmp(t->keys.encr_key, k->keys.encr_key,
			   k->keys.encr_key_len) != 0 ||
		    memcmp(t->keys.integ_key, k->keys.integ_key,
			   k->keys.integ_key_len) != 0)
			breach(n, "twin SAs with different keys", k->spi);
	}
}

/* --- the operations ------------------------------------------------------- */

static void
confs(uint8_t flags)
{
	size_t i, j;

	for (i = 0; i < 2; i++) {
		struct ike_conf *c = &nodes[i].conf;

		ike_conf_defaults(c);
		c->ike[0] = (struct ike_proposal){
			.encr = IKE_ENCR_AES_GCM_16,
			.encr_bits = 256,
			.prf = IKE_PRF_HMAC_SHA2_256,
			.dh = {IKE_KE_CURVE25519, IKE_KE_ECP256},
			.ndh = 2};
		c->ike[1] = (struct ike_proposal){
			.encr = IKE_ENCR_AES_CBC,
			.encr_bits = 256,
			.integ = IKE_INTEG_HMAC_SHA2_256_128,
			.prf = IKE_PRF_HMAC_SHA2_256,
			.dh = {IKE_KE_ECP256},
			.ndh = 1};
		c->nike = 2;
		c->esp[0] = (struct ike_proposal){.encr = IKE_ENCR_AES_GCM_16,
						  .encr_bits = 256};
		c->esp[1] = (struct ike_proposal){
			.encr = IKE_ENCR_AES_CBC,
			.encr_bits = 256,
			.integ = IKE_INTEG_HMAC_SHA2_256_128};
		c->nesp = 2;
		memcpy(c->psk, "fuzz pre-shared key", 19);
		c->psk_len = 19;
		c->reqid_base = 0xd0000000u;
		c->reqid_count = 16;
		c->seed = (flags & 0x20) ? 77 : 1 + (uint32_t)i;
		if (flags & 0x01)
			c->half_open_limit = 0;
		if (flags & 0x02)
			c->fragment_size = 200;
		if (flags & 0x04) {
			c->esp_lifetime = 60;
			c->ike_lifetime = 150;
		}
	}
	if (flags & 0x10) {
		nodes[1].conf.ike[0].dh[0] = IKE_KE_ECP256;
		nodes[1].conf.ike[0].ndh = 1;
		nodes[1].conf.nike = 1;
	}
	if (flags & 0x40) {
		nodes[0].conf.ike[0] = nodes[0].conf.ike[1];
		nodes[0].conf.nike = 1;
		nodes[0].conf.esp[0] = nodes[0].conf.esp[1];
		nodes[0].conf.nesp = 1;
	}
	/* PFS on node b's ESP proposals (a answers without, if it must). */
	for (i = 1; (flags & 0x80) && i < 2; i++) {
		struct ike_conf *c = &nodes[i].conf;

		for (j = 0; j < c->nesp; j++) {
			c->esp[j].dh[0] =
				i == 0 ? IKE_KE_CURVE25519 : IKE_KE_ECP256;
			c->esp[j].dh[1] =
				i == 0 ? IKE_KE_ECP256 : IKE_KE_CURVE25519;
			c->esp[j].ndh = 2;
		}
	}
}

static void
recv_forged(struct node *n, uint8_t how, const uint8_t *p, size_t len)
{
	struct node *o = other(n);
	struct ike_path rp;
	uint16_t port = (how & 2) ? IKE_NATT_PORT : IKE_PORT;
	uint8_t *copy = malloc(len > 0 ? len : 1);

	if (copy == NULL)
		abort();
	memcpy(copy, p, len);
	memset(&rp, 0, sizeof(rp));
	rp.local.addr = n->addr;
	rp.local.port = port;
	rp.remote.addr = (how & 1) ? o->pub : third;
	rp.remote.port =
		(uint16_t)(port + ((how & 1) && o->natted ? NAT_OFFSET : 0));
	ike_recv(n->e, now, &rp, copy, len);
	free(copy);
}

/* The oldest datagram src sent: delivered, mutated, dropped or doubled. */
static void
queued(int op, struct node *src, uint16_t off, uint8_t x)
{
	struct dgram d;
	size_t len;

	if (!pop(src, &d))
		return;
	len = d.len;
	switch (op) {
	case OP_LOOP:
		deliver(src, &d, d.data, len);
		break;
	case OP_MUTATE:
		strict = sound = false;
		if (len > 0 && x != 0)
			d.data[off % len] ^= x;
		else if (len > 0)
			len = off % len;
		deliver(src, &d, d.data, len);
		break;
	case OP_DROP:
		strict = sound = false;
		break;
	case OP_DUP:
		deliver(src, &d, d.data, len);
		deliver(src, &d, d.data, len);
		break;
	}
	free(d.data);
}

static void
expire(struct node *n, uint8_t w, uint8_t i)
{
	struct ksa k;
	size_t j;

	if (n->nksa == 0)
		return;
	k = n->ksa[i % n->nksa];
	if (w & 2) {
		/*
		 * The kernel removes the SA, and the one installed with it
		 * at the same time with the same lifetime.
		 */
		strict = false;
		for (j = 0; j < n->nksa;) {
			if (n->ksa[j].pair == k.pair)
				n->ksa[j] = n->ksa[--n->nksa];
			else
				j++;
		}
	}
	ike_kernel_expire(n->e, now, k.in ? &n->addr : &k.remote, k.spi,
			  (w & 2) != 0);
}

static void
mapping(struct node *n, uint8_t w)
{
	static const uint16_t ports[] = {IKE_PORT, IKE_NATT_PORT,
					 IKE_PORT + NAT_OFFSET,
					 IKE_NATT_PORT + NAT_OFFSET};
	struct node *o = other(n);

	strict = sound = false;
	n->moved = true;
	ike_kernel_mapping(n->e, now, &o->pub, ports[(w >> 1) & 3],
			   (w & 8) ? &third : &o->pub, ports[(w >> 4) & 3]);
}

static void
ops(const uint8_t *data, size_t size)
{
	size_t pos = 0, nops = 0;

	while (pos < size && nops++ < MAX_OPS) {
		uint8_t op = data[pos++] % OP_COUNT;
		uint8_t a = pos < size ? data[pos] : 0;
		uint8_t b = pos + 1 < size ? data[pos + 1] : 0;
		struct node *n = &nodes[a & 1];
		const struct addr *target = (a & 2) ? &third : &other(n)->pub;
		size_t len;
		double d;

		if (trace)
			fprintf(stderr, "t=%.1f op %d %02x %02x strict %d\n",
				now, op, a, b, strict);
		switch (op) {
		case OP_RECV_A:
		case OP_RECV_B:
			if (size - pos < 3)
				return;
			len = (size_t)data[pos + 1] << 8 | data[pos + 2];
			pos += 3;
			if (len > size - pos)
				len = size - pos;
			strict = false;
			recv_forged(&nodes[op - OP_RECV_A], a, data + pos, len);
			pos += len;
			break;
		case OP_LOOP:
		case OP_DROP:
		case OP_DUP:
			queued(op, n, 0, 0);
			pos++;
			break;
		case OP_MUTATE:
			queued(op, n,
			       (uint16_t)(b << 8 |
					  (pos + 2 < size ? data[pos + 2] : 0)),
			       pos + 3 < size ? data[pos + 3] : 0);
			pos += 4;
			break;
		case OP_CONNECT:
			ike_connect(n->e, now, &n->addr, target);
			pos++;
			break;
		case OP_RELEASE:
			ike_release(n->e, now, target);
			pos++;
			break;
		case OP_ACQUIRE:
			ike_kernel_acquire(n->e, now, &n->addr, target);
			pos++;
			break;
		case OP_EXPIRE:
			expire(n, a, b);
			pos += 2;
			break;
		case OP_MAPPING:
			mapping(n, a);
			pos++;
			break;
		case OP_TICK:
			d = (double)a * a / 8.0;
			if (d > 0 && (nodes[0].qlen > 0 || nodes[1].qlen > 0))
				strict = false;
			now += d;
			ike_tick(nodes[0].e, now);
			ike_tick(nodes[1].e, now);
			pos++;
			break;
		case OP_RESEED:
			reseed(n, b);
			pos += 2;
			break;
		}
		if (strict && nodes[0].qlen == 0 && nodes[1].qlen == 0) {
			check_twins(&nodes[0]);
			check_twins(&nodes[1]);
		}
	}
}

static int
count_sa(const struct ike_sa_info *info, void *arg)
{
	(void)info;
	(*(unsigned int *)arg)++;
	return 0;
}

static int
count_child(const struct ike_child_sa *c, void *arg)
{
	(void)c;
	(*(unsigned int *)arg)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	unsigned int count = 0;
	size_t i, j;

	if (!init) {
		third = A("203.0.113.9");
		trace = getenv("FUZZ_IKE_TRACE") != NULL;
		/* With the trace, the engines' own log too. */
		if (trace) {
			log_set_level(LOG_LVL_DEBUG);
			log_dbg_enable(DBG_IKE);
		} else {
			log_set_sink(quiet, NULL);
		}
		init = true;
	}
	if (size < 1)
		return 0;
	memset(nodes, 0, sizeof(nodes));
	now = 1000;
	seq = 0;
	pairs = 0;
	strict = sound = true;
	confs(data[0]);
	nodes[0].name = "a";
	nodes[0].addr = A("192.0.2.1");
	nodes[0].pub = nodes[0].addr;
	if (data[0] & 0x08) {
		nodes[0].natted = true;
		nodes[0].pub = A("198.51.100.1");
	}
	nodes[1].name = "b";
	nodes[1].addr = nodes[1].pub = A("192.0.2.2");
	for (i = 0; i < 2; i++) {
		struct ike_ops o = {.ctx = &nodes[i],
				    .send = op_send,
				    .intent = op_intent,
				    .alloc_spi = op_alloc_spi,
				    .random = op_random};
		const char *why = NULL;

		reseed(&nodes[i], 0);
		nodes[i].next_spi = 0xc0000100u + 0x100000u * (uint32_t)i;
		nodes[i].e = ike_engine_new(&nodes[i].conf, &o, now, &why);
		if (nodes[i].e == NULL)
			abort();
	}
	ops(data + 1, size - 1);
	if (sound) {
		if (trace)
			fprintf(stderr, "t=%.1f run %d s\n", now, HORIZON);
		run(HORIZON);
		/* The NAT may have dropped some on the way. */
		if (sound) {
			check_twins(&nodes[0]);
			check_twins(&nodes[1]);
		}
	}
	for (i = 0; i < 2; i++) {
		struct node *n = &nodes[i];

		ike_foreach_sa(n->e, now, count_sa, &count);
		ike_foreach_child_sa(n->e, count_child, &count);
		(void)ike_stats(n->e);
		ike_engine_free(n->e, now);
		n->e = NULL;
		if (n->nksa != 0)
			breach(n, "an SA left after the engine stopped",
			       n->ksa[0].spi);
		if (n->npol != 0)
			breach(n, "policies left after the engine stopped",
			       n->pol[0]);
		if (n->nup != 0)
			breach(n, "PEER_UP without PEER_DOWN", 0);
	}
	for (i = 0; i < 2; i++)
		for (j = 0; j < nodes[i].qlen; j++)
			free(nodes[i].q[j].data);
	return 0;
}
