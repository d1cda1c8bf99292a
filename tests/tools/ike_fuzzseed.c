/*
 * Seeds for the IKEv2 engine fuzz target (tests/fuzz/fuzz_ike_engine.c).
 *
 *   ike_fuzzseed DIR    write DIR/seed-*: one input per scenario
 *
 * Each seed is a configuration byte and operations in the target's input
 * format.  Most let the two engines talk (loop), so that the fuzzer starts
 * from genuine encrypted traffic: a plain exchange, cookies, INVALID_KE,
 * fragments, NAT, AES-CBC, rekeys by kernel expiry and by time, deletes,
 * crossing connects, loss, duplicates, mutations.  A few carry datagrams of
 * their own: an IKE_SA_INIT request made here by an engine of a's
 * configuration, and some broken ones.  `make fuzz` does not need this
 * program: the seeds, merged with what the fuzzer found, are committed in
 * tests/fuzz/corpus/ike_engine/.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/addr.h"
#include "dmvpn/ike.h"
#include "dmvpn/ike_wire.h"
#include "dmvpn/log.h"

/* The opcodes of the fuzz target. */
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
	OP_RESEED
};

/* Configuration bits. */
#define C_COOKIE 0x01
#define C_FRAG   0x02
#define C_SHORT  0x04
#define C_NAT    0x08
#define C_KE     0x10
#define C_SAME   0x20
#define C_CBC    0x40
#define C_PFS    0x80

/* Arguments: which node (W_B), for whom (W_THIRD), how hard (W_HARD). */
#define W_A       0
#define W_B       1
#define W_THIRD   2
#define W_HARD    2
#define FROM_PEER 1
#define TO_4500   2

#define SEED_MAX 4096

struct seed {
	size_t len;
	uint8_t b[SEED_MAX];
};

static const char *dir;
static uint8_t init_req[2048];
static size_t init_req_len;

static void
die(const char *what)
{
	fprintf(stderr, "ike_fuzzseed: %s\n", what);
	exit(2);
}

static void
put(struct seed *s, const void *p, size_t len)
{
	if (s->len + len > sizeof(s->b))
		die("seed too long");
	memcpy(s->b + s->len, p, len);
	s->len += len;
}

static void
op(struct seed *s, uint8_t code, uint8_t arg)
{
	uint8_t b[2] = {code, arg};

	put(s, b, 2);
}

static void
op2(struct seed *s, uint8_t code, uint8_t arg, uint8_t arg2)
{
	uint8_t b[3] = {code, arg, arg2};

	put(s, b, 3);
}

static void
start(struct seed *s, uint8_t conf)
{
	s->len = 0;
	put(s, &conf, 1);
}

static void
save(const struct seed *s, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(s->b, 1, s->len, f) != s->len || fclose(f) != 0)
		die(path);
}

/* Let the engines talk: n rounds of a's oldest to b, b's oldest to a. */
static void
talk(struct seed *s, int n)
{
	while (n-- > 0) {
		op(s, OP_LOOP, W_A);
		op(s, OP_LOOP, W_B);
	}
}

/* a asks for b, and the exchange runs (long enough for fragments). */
static void
up(struct seed *s, uint8_t conf)
{
	op(s, OP_CONNECT, W_A);
	talk(s, (conf & C_FRAG) ? 8 : 4);
}

/* Time moves on about seconds (the target moves d*d/8). */
static void
later(struct seed *s, double seconds)
{
	uint8_t d = 0;

	while (d < 255 && (double)d * d / 8.0 < seconds)
		d++;
	op(s, OP_TICK, d);
}

static void
recv_op(struct seed *s, uint8_t to, uint8_t how, const uint8_t *p, size_t len)
{
	uint8_t hdr[4] = {to, how, (uint8_t)(len >> 8), (uint8_t)len};

	put(s, hdr, 4);
	put(s, p, len);
}

/* --- an IKE_SA_INIT request of a's configuration ---------------------- */

static void
cap_send(void *ctx, const struct ike_path *path, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)path;
	if (init_req_len == 0 && len <= sizeof(init_req)) {
		memcpy(init_req, pkt, len);
		init_req_len = len;
	}
}

static void
cap_random(void *ctx, uint8_t *buf, size_t len)
{
	uint32_t *r = ctx;
	size_t i;

	for (i = 0; i < len; i++) {
		*r ^= *r << 13;
		*r ^= *r >> 17;
		*r ^= *r << 5;
		buf[i] = (uint8_t)*r;
	}
}

static void
make_init_req(void)
{
	struct ike_conf c;
	uint32_t rnd = 0x4242u;
	struct ike_ops o = {
		.ctx = &rnd, .send = cap_send, .random = cap_random};
	struct ike_engine *e;
	struct addr a, b;
	const char *why = NULL;

	ike_conf_defaults(&c);
	c.ike[0] =
		(struct ike_proposal){.encr = IKE_ENCR_AES_GCM_16,
				      .encr_bits = 256,
				      .prf = IKE_PRF_HMAC_SHA2_256,
				      .dh = {IKE_KE_CURVE25519, IKE_KE_ECP256},
				      .ndh = 2};
	c.nike = 1;
	c.esp[0] = (struct ike_proposal){.encr = IKE_ENCR_AES_GCM_16,
					 .encr_bits = 256};
	c.nesp = 1;
	memcpy(c.psk, "fuzz pre-shared key", 19);
	c.psk_len = 19;
	if (addr_parse(&a, "192.0.2.1") == -1 ||
	    addr_parse(&b, "192.0.2.2") == -1)
		die("bad address");
	e = ike_engine_new(&c, &o, 1000, &why);
	if (e == NULL)
		die(why);
	if (ike_connect(e, 1000, &a, &b) == -1 || init_req_len == 0)
		die("no IKE_SA_INIT request");
	ike_engine_free(e, 1000);
}

/* --- the scenarios ---------------------------------------------------- */

static void
exchanges(void)
{
	static const struct {
		uint8_t conf;
		const char *name;
	} v[] = {
		{0, "plain"},
		{C_COOKIE, "cookie"},
		{C_KE, "invalid-ke"},
		{C_FRAG, "fragments"},
		{C_NAT, "nat"},
		{C_CBC, "cbc"},
		{C_COOKIE | C_KE | C_FRAG, "cookie-ke-fragments"},
		{C_NAT | C_FRAG | C_CBC, "nat-fragments-cbc"},
		{C_PFS | C_SHORT, "pfs"},
	};
	static struct seed s;
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		/* Up, then rekeys by the kernel's soft expiry, each side. */
		start(&s, v[i].conf);
		up(&s, v[i].conf);
		op2(&s, OP_EXPIRE, W_A, 0);
		talk(&s, 3);
		op2(&s, OP_EXPIRE, W_B, 1);
		talk(&s, 3);
		snprintf(name, sizeof(name), "%s", v[i].name);
		save(&s, name);

		/* b asks, then CHILD and IKE rekeys by time, then a delete. */
		start(&s, v[i].conf | C_SHORT);
		op(&s, OP_CONNECT, W_B);
		talk(&s, (v[i].conf & C_FRAG) ? 8 : 4);
		later(&s, 60);
		talk(&s, 3);
		later(&s, 100);
		talk(&s, 4);
		op(&s, OP_RELEASE, W_B);
		talk(&s, 2);
		snprintf(name, sizeof(name), "%s-rekey-time", v[i].name);
		save(&s, name);
	}
}

static void
scenarios(void)
{
	static struct seed s;
	int i;

	/* Crossing connects, and crossing rekeys (alike jitter). */
	start(&s, 0);
	op(&s, OP_CONNECT, W_A);
	op(&s, OP_CONNECT, W_B);
	talk(&s, 6);
	save(&s, "crossing");

	start(&s, C_SAME | C_SHORT);
	op(&s, OP_CONNECT, W_A);
	op(&s, OP_CONNECT, W_B);
	talk(&s, 6);
	later(&s, 60);
	talk(&s, 5);
	later(&s, 100);
	talk(&s, 5);
	save(&s, "crossing-rekeys");

	for (i = 0; i < 2; i++) {
		start(&s, C_SAME | C_SHORT | (i ? C_PFS : 0));
		up(&s, 0);
		op2(&s, OP_RESEED, W_A, i ? 200 : 3);
		op2(&s, OP_RESEED, W_B, i ? 3 : 200);
		later(&s, 60);
		talk(&s, 5);
		save(&s, i ? "collision-pfs" : "collision");
	}

	/* Deletes: by a, by b, by hard expiry; a peer that is gone. */
	start(&s, 0);
	up(&s, 0);
	op(&s, OP_RELEASE, W_A);
	talk(&s, 2);
	op(&s, OP_CONNECT, W_A);
	talk(&s, 4);
	save(&s, "delete");

	start(&s, 0);
	up(&s, 0);
	op2(&s, OP_EXPIRE, W_B | W_HARD, 0);
	talk(&s, 2);
	op(&s, OP_ACQUIRE, W_A);
	talk(&s, 4);
	save(&s, "hard-expire-acquire");

	start(&s, 0);
	up(&s, 0);
	op(&s, OP_RELEASE, W_A);
	op(&s, OP_DROP, W_A);
	for (i = 0; i < 6; i++)
		later(&s, 40);
	save(&s, "dead-peer");

	start(&s, 0);
	op(&s, OP_CONNECT, W_A | W_THIRD);
	op(&s, OP_ACQUIRE, W_B | W_THIRD);
	for (i = 0; i < 6; i++)
		later(&s, 30);
	op(&s, OP_RELEASE, W_A | W_THIRD);
	save(&s, "stranger");

	/* Loss, retransmission, duplicates, mutations. */
	start(&s, 0);
	op(&s, OP_CONNECT, W_A);
	op(&s, OP_DROP, W_A);
	later(&s, 2);
	op(&s, OP_LOOP, W_A);
	op(&s, OP_DUP, W_B);
	op(&s, OP_DUP, W_A);
	talk(&s, 4);
	later(&s, 4);
	talk(&s, 3);
	save(&s, "loss-dup");

	start(&s, C_FRAG);
	op(&s, OP_CONNECT, W_A);
	talk(&s, 1);
	op(&s, OP_DUP, W_A);
	op(&s, OP_MUTATE, W_A);
	put(&s, (uint8_t[]){0, 60, 0x01}, 3);
	talk(&s, 3);
	later(&s, 3);
	talk(&s, 6);
	save(&s, "fragments-mutated");

	start(&s, 0);
	op(&s, OP_CONNECT, W_A);
	op(&s, OP_MUTATE, W_A);
	put(&s, (uint8_t[]){0, 30, 0}, 3);
	later(&s, 2);
	talk(&s, 4);
	save(&s, "truncated");

	/* DPD, NAT keepalives, a NAT mapping that moves. */
	start(&s, C_NAT);
	up(&s, 0);
	later(&s, 40);
	talk(&s, 2);
	op(&s, OP_MAPPING, W_B | (3 << 1) | (2 << 4));
	later(&s, 40);
	talk(&s, 2);
	save(&s, "nat-dpd-mapping");

	start(&s, C_NAT | C_COOKIE);
	op(&s, OP_CONNECT, W_B);
	talk(&s, 4);
	op(&s, OP_CONNECT, W_A);
	talk(&s, 5);
	save(&s, "nat-cookie-both");

	/* Datagrams of our own: from a stranger, from the peer, broken. */
	start(&s, C_COOKIE);
	recv_op(&s, OP_RECV_B, 0, init_req, init_req_len);
	recv_op(&s, OP_RECV_B, FROM_PEER | TO_4500, init_req, init_req_len);
	op(&s, OP_LOOP, W_B);
	save(&s, "forged-init");

	start(&s, 0);
	recv_op(&s, OP_RECV_B, FROM_PEER, init_req, init_req_len);
	op(&s, OP_LOOP, W_B);
	recv_op(&s, OP_RECV_A, FROM_PEER, init_req, 28);
	recv_op(&s, OP_RECV_A, FROM_PEER, (const uint8_t *)"\xff", 1);
	recv_op(&s, OP_RECV_B, FROM_PEER, init_req, init_req_len - 7);
	up(&s, 0);
	recv_op(&s, OP_RECV_A, FROM_PEER | TO_4500, init_req, init_req_len);
	save(&s, "forged-mixed");
}

static void
quiet(enum log_level level, const char *msg, void *arg)
{
	(void)level;
	(void)msg;
	(void)arg;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ike_fuzzseed DIR\n");
		return 2;
	}
	dir = argv[1];
	log_set_sink(quiet, NULL);
	make_init_req();
	exchanges();
	scenarios();
	return 0;
}
