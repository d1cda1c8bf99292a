/*
 * Every IKEv2 exchange the engine builds, captured for Wireshark and
 * checked by tests/vectors/check-ike-decrypt.
 *
 *   ike_exchanges write DIR
 *
 * Two engines (a = 192.0.2.1 initiates, b = 192.0.2.2) run against each
 * other in-process with a PSK, deterministic randomness, counter SPIs and
 * a virtual clock, as tests/unit/ike_harness.c does.  Each run is written
 * as DIR/ike-<run>-<suite>.pcap (Ethernet, IPv4, UDP 500, or UDP 4500
 * with the non-ESP marker), once per IKE suite: "gcm" (AES-GCM-16-256)
 * and "cbc" (AES-CBC-256 with HMAC-SHA2-256-128).  The runs:
 *
 *   main  IKE_SA_INIT, IKE_AUTH, a CHILD SA rekey (kernel soft expire),
 *         liveness checks (DPD), an IKE SA rekey (a's ike_lifetime), more
 *         liveness checks under the new IKE SA, a Delete (ike_release)
 *   nat   the same start with a behind a NAT (b sees 198.51.100.1 and
 *         ports + 40000): IKE_AUTH on to UDP 4500, NAT keepalives, a CHILD
 *         SA rekey, a Delete
 *   frag  IKE_SA_INIT, then IKE_AUTH and CREATE_CHILD_SA split into RFC
 *         7383 SKF fragments (fragment_size 160), a Delete
 *
 * DIR/ikev2_decryption_table is Wireshark's "ikev2_decryption_table" UAT
 * (Preferences > Protocols > ISAKMP > IKEv2 Decryption Table) for every
 * IKE SA of every run, collected from both engines after each input and
 * deduplicated by SPIs: Initiator's SPI, Responder's SPI, SK_ei, SK_er,
 * encryption algorithm, SK_ai, SK_ar, integrity algorithm, as written by
 * strongSwan's save-keys plugin (hex, and the names of Wireshark's
 * packet-isakmp.c vs_ikev2_encr_algs / vs_ikev2_auth_algs).
 *
 * DIR/<capture>.fields is what we built, decoded by our own codec and
 * opened with our own keys (ike_sk_open): "FRAME<tab>FIELD<tab>VALUES"
 * with Wireshark's field names, as `ike_vectors dump` prints.  The inner
 * payloads of a fragmented message are printed at the frame of its last
 * fragment, where Wireshark shows the reassembled message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/buf.h"
#include "dmvpn/ike.h"
#include "dmvpn/ike_crypto.h"
#include "dmvpn/ike_wire.h"
#include "dmvpn/log.h"

#define VECTORS_PROG "ike_exchanges"
#include "vectors.h"

#define NAT_PORT_SHIFT 40000
#define MAX_QUEUE      256
#define MAX_FRAMES     512
#define MAX_SAS        64
#define MAX_FRAGS      32
#define DGRAM_MAX      2048
#define FRAME_MAX      (DGRAM_MAX + 64)

/* --- the network -------------------------------------------------------- */

struct node {
	const char *name;
	unsigned int idx;
	struct ike_engine *e;
	struct ike_conf conf;
	struct addr addr;
	bool natted; /* others see public_addr and ports + 40000 */
	struct addr public_addr;
	uint32_t rnd;
	uint32_t next_spi;
	uint32_t child_spi_in; /* the newest CHILD SA's inbound SPI */
	struct net *net;
};

struct dgram {
	struct node *src;
	struct ike_path path; /* as sent */
	size_t len;
	uint8_t data[DGRAM_MAX];
};

/* A datagram as seen on the wire outside the NAT. */
struct frame {
	double t;
	unsigned int src_mac, dst_mac;
	struct addr src, dst;
	uint16_t sport, dport;
	size_t len; /* IKE message, or the 1-octet keepalive */
	uint8_t data[DGRAM_MAX];
};

struct net {
	double now;
	struct node a, b;
	struct dgram *queue[MAX_QUEUE];
	size_t qlen;
	struct frame *frames[MAX_FRAMES];
	size_t nframes;
};

/* Every IKE SA's keys, by SPIs, over all runs. */
static struct ike_sa_keys_export sas[MAX_SAS];
static size_t nsas;

static struct addr
parse(const char *s)
{
	struct addr a;

	if (addr_parse(&a, s) == -1)
		die("bad address %s", s);
	return a;
}

static void
op_send(void *ctx, const struct ike_path *path, const uint8_t *pkt, size_t len)
{
	struct node *n = ctx;
	struct net *net = n->net;
	struct dgram *d;

	if (len > DGRAM_MAX || net->qlen >= MAX_QUEUE)
		die("%s: datagram of %zu octets not queued", n->name, len);
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		die("out of memory");
	d->src = n;
	d->path = *path;
	d->len = len;
	memcpy(d->data, pkt, len);
	net->queue[net->qlen++] = d;
}

static void
op_intent(void *ctx, const struct ike_intent *in)
{
	struct node *n = ctx;

	if (in->type == IKE_I_CHILD_ADD)
		n->child_spi_in = in->child->spi_in;
}

static int
op_alloc_spi(void *ctx, const struct addr *local, const struct addr *remote,
	     uint32_t *spi)
{
	struct node *n = ctx;

	(void)local;
	(void)remote;
	*spi = n->next_spi++;
	return 0;
}

/* Deterministic "randomness": a per-node xorshift stream. */
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

static int
keys_cb(const struct ike_sa_keys_export *x, void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < nsas; i++)
		if (sas[i].spi_i == x->spi_i && sas[i].spi_r == x->spi_r)
			return 0;
	if (nsas == MAX_SAS)
		die("too many IKE SAs");
	sas[nsas++] = *x;
	return 0;
}

/* After every input: the IKE SAs either engine has keyed so far. */
static void
collect_keys(struct net *net)
{
	if (net->a.e != NULL)
		ike_export_keys(net->a.e, keys_cb, NULL);
	if (net->b.e != NULL)
		ike_export_keys(net->b.e, keys_cb, NULL);
}

/*
 * run tells the runs apart: their IKE SPIs (drawn from the random
 * stream) must differ, as they share one decryption table.
 */
static void
node_init(struct net *net, struct node *n, const char *name, const char *addr,
	  unsigned int idx, unsigned int run)
{
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->idx = idx;
	n->net = net;
	n->addr = parse(addr);
	n->rnd = 0x12345u + 7919u * idx + 104729u * run;
	n->next_spi = 0xc0000100u + 0x100000u * idx;
	ike_conf_defaults(&n->conf);
	memcpy(n->conf.psk, "vector pre-shared key", 21);
	n->conf.psk_len = 21;
	n->conf.seed = 1 + idx;
}

static void
node_start(struct node *n)
{
	struct ike_ops ops = {.ctx = n,
			      .send = op_send,
			      .intent = op_intent,
			      .alloc_spi = op_alloc_spi,
			      .random = op_random};
	const char *why = "?";

	n->e = ike_engine_new(&n->conf, &ops, n->net->now, &why);
	if (n->e == NULL)
		die("%s: %s", n->name, why);
}

static struct node *
node_at(struct net *net, const struct addr *a)
{
	struct node *v[2] = {&net->a, &net->b};
	size_t i;

	for (i = 0; i < 2; i++)
		if (addr_eq(v[i]->natted ? &v[i]->public_addr : &v[i]->addr, a))
			return v[i];
	return NULL;
}

static void
capture(struct net *net, const struct dgram *d, const struct ike_path *seen,
	const struct node *dst)
{
	struct frame *f;

	if (net->nframes == MAX_FRAMES)
		die("too many frames");
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		die("out of memory");
	f->t = net->now;
	f->src_mac = d->src->idx + 1;
	f->dst_mac = dst != NULL ? dst->idx + 1 : 0xff;
	f->src = seen->remote.addr;
	f->sport = seen->remote.port;
	f->dst = d->path.remote.addr;
	f->dport = d->path.remote.port;
	f->len = d->len;
	memcpy(f->data, d->data, d->len);
	net->frames[net->nframes++] = f;
}

/*
 * Deliver d.  What the receiver sees, and what the capture (taken between
 * the NAT and b) shows: a NATed sender's public address and its port +
 * 40000; the receiver inside a NAT is reached on that mapped port.
 */
static void
deliver(struct net *net, struct dgram *d)
{
	struct node *dst = node_at(net, &d->path.remote.addr);
	struct ike_path rp;

	memset(&rp, 0, sizeof(rp));
	rp.remote.addr = d->src->natted ? d->src->public_addr : d->src->addr;
	rp.remote.port = (uint16_t)(d->path.local.port +
				    (d->src->natted ? NAT_PORT_SHIFT : 0));
	capture(net, d, &rp, dst);
	if (dst == NULL || dst->e == NULL)
		return;
	rp.local.addr = dst->addr;
	rp.local.port = (uint16_t)(d->path.remote.port -
				   (dst->natted ? NAT_PORT_SHIFT : 0));
	ike_recv(dst->e, net->now, &rp, d->data, d->len);
	collect_keys(net);
}

static void
settle(struct net *net)
{
	size_t rounds = 0;

	while (net->qlen > 0) {
		struct dgram *d = net->queue[0];

		memmove(net->queue, net->queue + 1,
			(net->qlen - 1) * sizeof(net->queue[0]));
		net->qlen--;
		deliver(net, d);
		free(d);
		if (++rounds > 10000)
			die("the engines do not settle");
	}
}

/* Deliver what is queued and run the timers for `seconds`. */
static void
run(struct net *net, double seconds)
{
	double end = net->now + seconds;
	struct node *v[2] = {&net->a, &net->b};
	size_t i;

	for (;;) {
		double next = -1;

		settle(net);
		for (i = 0; i < 2; i++) {
			double t;

			if (v[i]->e == NULL)
				continue;
			t = ike_next_deadline(v[i]->e);
			if (t >= 0 && (next < 0 || t < next))
				next = t;
		}
		if (next < 0 || next > end)
			break;
		if (next > net->now)
			net->now = next;
		for (i = 0; i < 2; i++)
			if (v[i]->e != NULL)
				ike_tick(v[i]->e, net->now);
		collect_keys(net);
	}
	net->now = end;
	settle(net);
}

static void
net_free(struct net *net)
{
	size_t i;

	for (i = 0; i < net->nframes; i++)
		free(net->frames[i]);
	for (i = 0; i < net->qlen; i++)
		free(net->queue[i]);
	memset(net, 0, sizeof(*net));
}

/* --- the runs ----------------------------------------------------------- */

enum suite { SUITE_GCM, SUITE_CBC };
enum run { RUN_MAIN, RUN_NAT, RUN_FRAG };

static const char *const suite_names[] = {"gcm", "cbc"};
static const char *const run_names[] = {"main", "nat", "frag"};

static void
set_suite(struct ike_conf *c, enum suite s)
{
	if (s == SUITE_GCM) {
		c->ike[0] = (struct ike_proposal){.encr = IKE_ENCR_AES_GCM_16,
						  .encr_bits = 256,
						  .prf = IKE_PRF_HMAC_SHA2_256,
						  .dh = {IKE_KE_CURVE25519},
						  .ndh = 1};
		c->esp[0] = (struct ike_proposal){.encr = IKE_ENCR_AES_GCM_16,
						  .encr_bits = 256};
	} else {
		c->ike[0] = (struct ike_proposal){
			.encr = IKE_ENCR_AES_CBC,
			.encr_bits = 256,
			.integ = IKE_INTEG_HMAC_SHA2_256_128,
			.prf = IKE_PRF_HMAC_SHA2_256,
			.dh = {IKE_KE_ECP256},
			.ndh = 1};
		c->esp[0] = (struct ike_proposal){
			.encr = IKE_ENCR_AES_CBC,
			.encr_bits = 256,
			.integ = IKE_INTEG_HMAC_SHA2_256_128};
	}
	c->nike = 1;
	c->nesp = 1;
}

static void
drive(struct net *net, enum run r, enum suite s)
{
	struct node *a = &net->a, *b = &net->b;

	net->now = 1000;
	node_init(net, a, "a", "192.0.2.1", 0, (unsigned int)(2 * r + s));
	node_init(net, b, "b", "192.0.2.2", 1, (unsigned int)(2 * r + s));
	set_suite(&a->conf, s);
	set_suite(&b->conf, s);
	/* Only a probes liveness and rekeys the IKE SA: one of each. */
	a->conf.dpd = 30;
	b->conf.dpd = 0;
	a->conf.ike_lifetime = 100;
	b->conf.ike_lifetime = 100000;
	if (r == RUN_NAT) {
		a->natted = true;
		a->public_addr = parse("198.51.100.1");
	}
	if (r == RUN_FRAG)
		a->conf.fragment_size = b->conf.fragment_size = 160;
	node_start(a);
	node_start(b);

	/* IKE_SA_INIT, IKE_AUTH */
	if (ike_connect(a->e, net->now, &a->addr, &b->addr) == -1)
		die("ike_connect failed");
	collect_keys(net);
	run(net, 1);
	if (a->child_spi_in == 0 || b->child_spi_in == 0)
		die("%s/%s: no CHILD SA", run_names[r], suite_names[s]);

	/* CHILD SA rekey: the kernel's soft expiry of a's inbound SA */
	ike_kernel_expire(a->e, net->now, &a->addr, a->child_spi_in, false);
	collect_keys(net);
	run(net, 5);

	if (r == RUN_MAIN) {
		/* DPD at ~+30 s and ~+60 s, the IKE SA rekey at 90-100 s */
		run(net, 105);
		/* liveness under the new IKE SA */
		run(net, 35);
	} else if (r == RUN_NAT) {
		/* NAT keepalives and one liveness check */
		run(net, 32);
	}

	/* Delete: NHRP no longer needs b */
	ike_release(a->e, net->now, &b->addr);
	collect_keys(net);
	run(net, 2);
	ike_engine_free(a->e, net->now);
	ike_engine_free(b->e, net->now);
	a->e = b->e = NULL;
	settle(net);
}

/* --- pcap --------------------------------------------------------------- */

static bool
is_keepalive(const struct frame *f)
{
	return f->len == 1 && f->data[0] == 0xff;
}

static bool
on_natt(const struct frame *f)
{
	return f->sport % NAT_PORT_SHIFT == IKE_NATT_PORT ||
	       f->dport % NAT_PORT_SHIFT == IKE_NATT_PORT;
}

/*
 * Ethernet, IPv4, UDP (checksum 0: none, RFC 768), then the datagram,
 * with the non-ESP marker first on UDP/4500 (RFC 3948 2.2) except for a
 * NAT keepalive (2.3).
 */
static size_t
frame_bytes(uint8_t *buf, size_t cap, const struct frame *f, unsigned int seq)
{
	/* MACs 02:00:00:00:00:01 (a) and :02 (b) */
	struct udp4_path u = {
		.src_mac = f->src_mac,
		.dst_mac = f->dst_mac,
		.src = f->src.bytes,
		.dst = f->dst.bytes,
		.sport = f->sport,
		.dport = f->dport,
		.marker = on_natt(f) && !is_keepalive(f),
	};

	return frame_udp4(buf, cap, &u, f->data, f->len, seq);
}

static void
write_pcap(const struct net *net, const char *dir, const char *name)
{
	static uint8_t fr[FRAME_MAX];
	char path[4096];
	size_t i, flen;
	FILE *f;

	f = open_out(dir, name, ".pcap", path, sizeof(path));
	pcap_write_header(f, path);
	for (i = 0; i < net->nframes; i++) {
		const struct frame *fm = net->frames[i];
		double t = fm->t;
		uint32_t sec = (uint32_t)t;

		flen = frame_bytes(fr, sizeof(fr), fm, (unsigned int)i + 1);
		/* The virtual clock starts at 1000 s; a few µs per frame */
		pcap_write_record(f, path, 1800000000u + sec,
				  (uint32_t)((t - sec) * 1e6) + (uint32_t)i, fr,
				  flen);
	}
	close_out(f, path);
}

/* --- the decryption table ---------------------------------------------- */

/* Wireshark's names (packet-isakmp.c) for what we negotiate. */
static const char *
ws_encr_name(uint16_t encr, uint16_t bits)
{
	if (encr == IKE_ENCR_AES_CBC && bits == 128)
		return "AES-CBC-128 [RFC3602]";
	if (encr == IKE_ENCR_AES_CBC && bits == 192)
		return "AES-CBC-192 [RFC3602]";
	if (encr == IKE_ENCR_AES_CBC && bits == 256)
		return "AES-CBC-256 [RFC3602]";
	if (encr == IKE_ENCR_AES_GCM_16 && bits == 128)
		return "AES-GCM-128 with 16 octet ICV [RFC5282]";
	if (encr == IKE_ENCR_AES_GCM_16 && bits == 192)
		return "AES-GCM-192 with 16 octet ICV [RFC5282]";
	if (encr == IKE_ENCR_AES_GCM_16 && bits == 256)
		return "AES-GCM-256 with 16 octet ICV [RFC5282]";
	return NULL;
}

static const char *
ws_integ_name(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_NONE:
		return "NONE [RFC4306]";
	case IKE_INTEG_HMAC_SHA2_256_128:
		return "HMAC_SHA2_256_128 [RFC4868]";
	case IKE_INTEG_HMAC_SHA2_384_192:
		return "HMAC_SHA2_384_192 [RFC4868]";
	case IKE_INTEG_HMAC_SHA2_512_256:
		return "HMAC_SHA2_512_256 [RFC4868]";
	default:
		return NULL;
	}
}

static void
put_hex(FILE *f, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

static void
write_table(const char *dir)
{
	char path[4096];
	size_t i;
	FILE *f;

	f = open_out(dir, "ikev2_decryption_table", "", path, sizeof(path));
	fputs("# Written by tests/tools/ike_exchanges: test keys only.\n", f);
	for (i = 0; i < nsas; i++) {
		const struct ike_sa_keys_export *x = &sas[i];
		const char *encr = ws_encr_name(x->encr, x->encr_bits);
		const char *integ = ws_integ_name(x->integ);

		if (encr == NULL || integ == NULL)
			die("no Wireshark name for encr %u/%u integ %u",
			    x->encr, x->encr_bits, x->integ);
		fprintf(f, "%016llx,%016llx,", (unsigned long long)x->spi_i,
			(unsigned long long)x->spi_r);
		put_hex(f, x->sk_ei, x->encr_len);
		fputc(',', f);
		put_hex(f, x->sk_er, x->encr_len);
		fprintf(f, ",\"%s\",", encr);
		put_hex(f, x->sk_ai, x->integ_len);
		fputc(',', f);
		put_hex(f, x->sk_ar, x->integ_len);
		fprintf(f, ",\"%s\"\n", integ);
	}
	if (ferror(f))
		die("%s: write error", path);
	close_out(f, path);
}

/* --- what we built, in Wireshark's field names ---------------------------- */

/* Fragments of one message being put together (RFC 7383 2.6). */
static struct {
	uint64_t spi_i, spi_r;
	uint32_t msg_id;
	uint8_t flags;
	uint8_t first;
	uint16_t total, have;
	size_t len[MAX_FRAGS];
	uint8_t part[MAX_FRAGS][DGRAM_MAX];
} reasm;

static const struct ike_sa_keys_export *
sa_keys(uint64_t spi_i, uint64_t spi_r)
{
	size_t i;

	for (i = 0; i < nsas; i++)
		if (sas[i].spi_i == spi_i && sas[i].spi_r == spi_r)
			return &sas[i];
	return NULL;
}

/*
 * Open the SK or SKF payload of m (the datagram at p) with the exported
 * keys; the plaintext goes to out.  -1 with an "error" field.
 */
static int
open_sk(const struct ike_msg *m, const uint8_t *p, uint8_t *out, size_t cap,
	size_t *plen)
{
	const struct ike_sa_keys_export *x = sa_keys(m->spi_i, m->spi_r);
	struct ike_keys k;
	enum ike_dir dir;
	const char *why = "?";
	int rc;

	if (x == NULL) {
		emit("error", "no keys for this IKE SA");
		return -1;
	}
	memset(&k, 0, sizeof(k));
	k.suite.encr = x->encr;
	k.suite.encr_keybits = x->encr_bits;
	k.suite.integ = x->integ;
	k.suite.prf = IKE_PRF_HMAC_SHA2_256;
	k.encr_len = x->encr_len;
	k.integ_len = x->integ_len;
	memcpy(k.sk_ei, x->sk_ei, x->encr_len);
	memcpy(k.sk_er, x->sk_er, x->encr_len);
	memcpy(k.sk_ai, x->sk_ai, x->integ_len);
	memcpy(k.sk_ar, x->sk_ar, x->integ_len);
	/* The I flag says the sender is the original initiator (2.14) */
	dir = (m->flags & IKE_FLAG_I) != 0 ? IKE_DIR_I2R : IKE_DIR_R2I;
	rc = ike_sk_open(&k, dir, p, m->aad_len, p + m->enc_off, m->enc_len,
			 out, cap, plen, &why);
	ike_keys_wipe(&k);
	if (rc == -1)
		emit("error", "%s", why);
	return rc;
}

static void
emit_inner(const uint8_t *plain, size_t len, uint8_t first)
{
	static struct ike_msg in;
	const char *why = "?";

	if (ike_decode_chain(plain, len, first, &in, &why) == -1) {
		emit("error", "inner: %s", why);
		return;
	}
	emit_chain(&in, true);
}

/* The SKF of m: keep it; at the last fragment, the whole inner chain. */
static void
emit_fragment(const struct ike_msg *m, const struct ike_pld *skf,
	      const uint8_t *p)
{
	static uint8_t whole[MAX_FRAGS * DGRAM_MAX];
	uint16_t n = skf->u.sk.frag_num;
	size_t len, off, i;

	if (n == 1) {
		memset(&reasm, 0, sizeof(reasm));
		reasm.spi_i = m->spi_i;
		reasm.spi_r = m->spi_r;
		reasm.msg_id = m->msg_id;
		reasm.flags = m->flags;
		reasm.first = skf->u.sk.inner;
		reasm.total = skf->u.sk.frag_total;
	}
	if (n == 0 || n > MAX_FRAGS || reasm.total != skf->u.sk.frag_total ||
	    reasm.msg_id != m->msg_id || reasm.flags != m->flags) {
		emit("error", "fragment %u out of order", n);
		return;
	}
	if (open_sk(m, p, reasm.part[n - 1], DGRAM_MAX, &len) == -1)
		return;
	reasm.len[n - 1] = len;
	reasm.have++;
	if (n != reasm.total)
		return;
	if (reasm.have != reasm.total) {
		emit("error", "fragments missing");
		return;
	}
	for (i = 0, off = 0; i < reasm.total; i++) {
		memcpy(whole + off, reasm.part[i], reasm.len[i]);
		off += reasm.len[i];
	}
	emit("isakmp.reassembled.length", "%zu", off);
	emit_inner(whole, off, reasm.first);
}

static void
dump_ike(const uint8_t *p, size_t len)
{
	static struct ike_msg m;
	static uint8_t plain[DGRAM_MAX];
	const char *why = "?";
	size_t plen;

	if (ike_decode(p, len, &m, &why) == -1) {
		emit("error", "%s", why);
		return;
	}
	emit_ike(&m, len, true);
	if (m.enc_index < 0)
		return;
	if (m.pld[m.enc_index].type == IKE_PLD_SKF) {
		emit_fragment(&m, &m.pld[m.enc_index], p);
		return;
	}
	if (open_sk(&m, p, plain, sizeof(plain), &plen) == 0)
		emit_inner(plain, plen, m.pld[m.enc_index].u.sk.inner);
}

static void
write_fields(const struct net *net, const char *dir, const char *name)
{
	char path[4096];
	size_t i;
	FILE *f;

	f = open_out(dir, name, ".fields", path, sizeof(path));
	for (i = 0; i < net->nframes; i++) {
		const struct frame *fm = net->frames[i];

		nfields = 0;
		if (is_keepalive(fm))
			emit("udpencap.nat_keepalive", "1");
		else {
			if (on_natt(fm))
				emit("udpencap.non_esp_marker", "1");
			dump_ike(fm->data, fm->len);
		}
		fields_print(f, i + 1);
	}
	if (ferror(f))
		die("%s: write error", path);
	close_out(f, path);
}

static void
write_all_runs(const char *dir)
{
	static struct net net;
	char name[64];
	int s, r;

	for (r = RUN_MAIN; r <= RUN_FRAG; r++)
		for (s = SUITE_GCM; s <= SUITE_CBC; s++) {
			drive(&net, (enum run)r, (enum suite)s);
			snprintf(name, sizeof(name), "ike-%s-%s", run_names[r],
				 suite_names[s]);
			write_pcap(&net, dir, name);
			write_fields(&net, dir, name);
			net_free(&net);
		}
	write_table(dir);
	memset(sas, 0, sizeof(sas));
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "write") == 0) {
		/* The engines' warnings only: not every SA up and down */
		log_set_level(LOG_LVL_WARN);
		write_all_runs(argv[2]);
		return 0;
	}
	fprintf(stderr, "usage: ike_exchanges write DIR\n");
	return 2;
}
