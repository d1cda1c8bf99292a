/*
 * Seeds for the NHRP engine fuzz target (tests/fuzz/fuzz_nhrp_engine.c).
 *
 *   nhrp_fuzzseed DIR    write DIR/seed-*: one input per scenario
 *
 * Each seed is a configuration byte and operations in the target's input
 * format.  The packets are built with nhrp_encode() and addressed to fit
 * the target's engines (hub 172.16.0.1 at 192.0.2.1, spoke 172.16.0.11 at
 * 192.0.2.11), so that registrations, resolutions, purges, errors and
 * indications all reach the engines' handlers; the request IDs are those
 * the engines hand out from 1.  `make fuzz` does not need this program:
 * the seeds, merged with what the fuzzer found, are committed in
 * tests/fuzz/corpus/nhrp_engine/.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/addr.h"
#include "dmvpn/buf.h"
#include "dmvpn/nhrp_wire.h"

/* Opcodes and address indices of the fuzz target. */
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
	OP_PURGE
};
enum { N_HUB, N_S1, N_S2, N_S3, N_NAT, N_V6 };
enum {
	P_HUB,
	P_S1,
	P_S2,
	P_S3,
	P_LAN1,
	P_LAN2,
	P_HUBLAN,
	P_NONE,
	P_HUB6,
	P_S2_6,
	P_LAN2_6,
	P_LAN2B
};

#define SEED_MAX 8192

struct seed {
	size_t len;
	uint8_t b[SEED_MAX];
	bool auth;
};

static const char *dir;

static void
die(const char *what)
{
	fprintf(stderr, "nhrp_fuzzseed: %s\n", what);
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
start(struct seed *s, uint8_t flags)
{
	s->len = 0;
	s->auth = (flags & 2) != 0;
	put(s, &flags, 1);
}

static void
naddr(struct nhrp_addr *a, const char *str)
{
	struct addr x;

	if (addr_parse(&x, str) == -1 || nhrp_addr_set(a, x.bytes, x.len))
		die("bad address");
}

/* Encode m (with the secret when the seed wants it) as a recv op. */
static void
recv_op(struct seed *s, uint8_t to, uint8_t from, struct nhrp_msg *m)
{
	uint8_t pkt[2048], hdr[4];
	struct wbuf w;
	const char *why = NULL;

	if (s->auth) {
		struct nhrp_ext *x = nhrp_msg_add_ext(m, NHRP_EXT_AUTH, true);

		if (x == NULL)
			die("no room for auth");
		x->spi = NHRP_AUTH_CISCO_CLEARTEXT;
		x->data = (const uint8_t *)"secret";
		x->data_len = 6;
	}
	wbuf_init(&w, pkt, sizeof(pkt));
	if (nhrp_encode(m, &w, &why) == -1)
		die(why);
	hdr[0] = to;
	hdr[1] = from;
	hdr[2] = (uint8_t)(wbuf_len(&w) >> 8);
	hdr[3] = (uint8_t)wbuf_len(&w);
	put(s, hdr, 4);
	put(s, pkt, wbuf_len(&w));
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

static void
msg(struct nhrp_msg *m, uint8_t type, bool v6, const char *src_nbma,
    const char *src, const char *dst, uint32_t id)
{
	nhrp_msg_init(m, type,
		      strchr(src_nbma, ':') ? NHRP_AFN_IPV6 : NHRP_AFN_IPV4,
		      v6 ? NHRP_PRO_IPV6 : NHRP_PRO_IPV4);
	m->reqid = id;
	naddr(&m->src_nbma, src_nbma);
	naddr(&m->src_proto, src);
	naddr(&m->dst_proto, dst);
}

static struct nhrp_cie *
cie(struct nhrp_msg *m, struct nhrp_ext *x, uint8_t plen, const char *nbma,
    const char *proto)
{
	struct nhrp_cie *c =
		x != NULL ? nhrp_ext_add_cie(m, x) : nhrp_msg_add_cie(m);

	if (c == NULL)
		die("no room for a CIE");
	c->prefix_len = plen;
	c->holding_time = 600;
	if (nbma != NULL)
		naddr(&c->nbma, nbma);
	if (proto != NULL)
		naddr(&c->proto, proto);
	return c;
}

static void
std_exts(struct nhrp_msg *m)
{
	nhrp_msg_add_ext(m, NHRP_EXT_FWD_TRANSIT, true);
	nhrp_msg_add_ext(m, NHRP_EXT_REV_TRANSIT, true);
	nhrp_msg_add_ext(m, NHRP_EXT_RESPONDER, true);
	nhrp_msg_add_ext(m, NHRP_EXT_NAT_ADDR, false);
}

/* Spoke 2 registers with the hub (from its NBMA index `from`). */
static void
reg_s2(struct seed *s, uint8_t from, bool v6)
{
	struct nhrp_msg m;

	if (v6)
		msg(&m, NHRP_REGISTRATION_REQUEST, true, "192.0.2.12",
		    "2001:db8::12", "2001:db8::12", 7);
	else
		msg(&m, NHRP_REGISTRATION_REQUEST, false, "192.0.2.12",
		    "172.16.0.12", "172.16.0.12", 7);
	m.hop_count = 1;
	m.flags = NHRP_FLAG_REG_U | NHRP_FLAG_REG_NAT;
	cie(&m, NULL, v6 ? 128 : 32, NULL, NULL);
	std_exts(&m);
	cie(&m, &m.ext[3], 32, "192.0.2.1", NULL);
	recv_op(s, OP_RECV_HUB, from, &m);
}

/* The spoke's first registration (request ID 1) is answered. */
static void
reg_reply_s1(struct seed *s, uint32_t id, uint8_t code, bool nat)
{
	struct nhrp_msg m;
	struct nhrp_cie *c;

	msg(&m, NHRP_REGISTRATION_REPLY, false, "192.0.2.11", "172.16.0.11",
	    "172.16.0.11", id);
	m.flags = NHRP_FLAG_REG_U | NHRP_FLAG_REG_NAT;
	c = cie(&m, NULL, 32, NULL, NULL);
	c->code = code;
	std_exts(&m);
	cie(&m, &m.ext[2], 32, "192.0.2.1", "172.16.0.1");
	if (nat)
		cie(&m, &m.ext[3], 32, "203.0.113.5", "172.16.0.11");
	recv_op(s, OP_RECV_SPOKE, N_HUB, &m);
}

static void
res_request(struct seed *s, uint8_t to, uint8_t from, const char *src_nbma,
	    const char *src, const char *dst, uint32_t id)
{
	struct nhrp_msg m;

	msg(&m, NHRP_RESOLUTION_REQUEST, strchr(dst, ':') != NULL, src_nbma,
	    src, dst, id);
	m.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S |
		  NHRP_FLAG_RES_NAT;
	cie(&m, NULL, strchr(dst, ':') ? 128 : 32, NULL, NULL);
	std_exts(&m);
	recv_op(s, to, from, &m);
}

/* A reply to the spoke's request id for dst: via nexthop at nbma. */
static void
res_reply_s1(struct seed *s, const char *dst, uint8_t plen, const char *nexthop,
	     const char *nbma, uint32_t id, bool nat)
{
	struct nhrp_msg m;
	bool v6 = strchr(dst, ':') != NULL;
	const char *hub = v6 ? "2001:db8::1" : "172.16.0.1";
	uint8_t host = v6 ? 128 : 32;

	msg(&m, NHRP_RESOLUTION_REPLY, v6, "192.0.2.11",
	    v6 ? "2001:db8::11" : "172.16.0.11", dst, id);
	m.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_D |
		  NHRP_FLAG_RES_S | NHRP_FLAG_RES_NAT;
	cie(&m, NULL, plen, nbma, nexthop);
	std_exts(&m);
	cie(&m, &m.ext[0], host, "192.0.2.1", hub);
	cie(&m, &m.ext[1], host, "192.0.2.1", hub);
	cie(&m, &m.ext[2], host, nbma, nexthop);
	if (nat)
		cie(&m, &m.ext[3], host, "203.0.113.5", nexthop);
	recv_op(s, OP_RECV_SPOKE, N_HUB, &m);
}

static void
purge_req(struct seed *s, uint8_t to, const char *to_proto, const char *what,
	  uint8_t plen, bool no_reply, uint32_t id)
{
	struct nhrp_msg m;

	msg(&m, NHRP_PURGE_REQUEST, false, "192.0.2.12", "172.16.0.12",
	    to_proto, id);
	if (no_reply)
		m.flags = NHRP_FLAG_PURGE_N;
	cie(&m, NULL, plen, NULL, what);
	recv_op(s, to, N_S2, &m);
}

/* An Error Indication quoting a request of type t and id the spoke sent. */
static void
error_s1(struct seed *s, uint8_t t, uint32_t id, uint16_t code)
{
	struct nhrp_msg q, m;
	uint8_t quoted[512];
	struct wbuf w;
	const char *why = NULL;

	msg(&q, t, false, "192.0.2.11", "172.16.0.11", "172.16.0.12", id);
	cie(&q, NULL, 32, NULL, NULL);
	std_exts(&q);
	wbuf_init(&w, quoted, sizeof(quoted));
	if (nhrp_encode(&q, &w, &why) == -1)
		die(why);
	msg(&m, NHRP_ERROR_INDICATION, false, "192.0.2.1", "172.16.0.1",
	    "172.16.0.11", 0);
	m.err_code = code;
	m.payload = quoted;
	m.payload_len = (uint16_t)wbuf_len(&w);
	recv_op(s, OP_RECV_SPOKE, N_HUB, &m);
}

static void
traffic_s1(struct seed *s, const char *src, const char *dst)
{
	struct nhrp_msg m;
	uint8_t ip[48];
	struct addr a, b;

	memset(ip, 0, sizeof(ip));
	if (addr_parse(&a, src) == -1 || addr_parse(&b, dst) == -1)
		die("bad address");
	if (a.len == 4) {
		ip[0] = 0x45;
		ip[3] = 28;
		memcpy(ip + 12, a.bytes, 4);
		memcpy(ip + 16, b.bytes, 4);
	} else {
		ip[0] = 0x60;
		memcpy(ip + 8, a.bytes, 16);
		memcpy(ip + 24, b.bytes, 16);
	}
	msg(&m, NHRP_TRAFFIC_INDICATION, a.len == 16, "192.0.2.1",
	    a.len == 16 ? "2001:db8::1" : "172.16.0.1", src, 0);
	m.payload = ip;
	m.payload_len = a.len == 4 ? 28 : 48;
	recv_op(s, OP_RECV_SPOKE, N_HUB, &m);
}

/* The spoke registers (tick) and the hub answers: its NHS is up. */
static void
spoke_up(struct seed *s)
{
	op(s, OP_TICK, 0);
	reg_reply_s1(s, 1, NHRP_CIE_SUCCESS, false);
}

static void
write_all(void)
{
	static struct seed s;
	uint8_t f;

	for (f = 0; f < 4; f++) {
		char name[64];

		/* The two engines talk: registration, refresh, shortcut. */
		start(&s, f);
		op(&s, OP_TICK, 0);
		if (f & 1) {
			op(&s, OP_IPSEC, N_HUB);
			op(&s, OP_IPSEC, N_S1 | 0x80);
		}
		op(&s, OP_LOOP, 1);
		op(&s, OP_LOOP, 0);
		op(&s, OP_REDIRECT, N_S1);
		put(&s, (uint8_t[]){P_LAN2}, 1);
		op(&s, OP_LOOP, 0);
		op(&s, OP_LOOP, 1);
		op(&s, OP_TICK, 120);
		op(&s, OP_LOOP, 1);
		snprintf(name, sizeof(name), "talk-%u", f);
		save(&s, name);

		start(&s, f);
		reg_s2(&s, N_S2, false);
		res_request(&s, OP_RECV_HUB, N_S1, "192.0.2.11", "172.16.0.11",
			    "172.16.0.12", 100);
		res_request(&s, OP_RECV_HUB, N_S1, "192.0.2.11", "172.16.0.11",
			    "10.2.0.5", 101);
		res_request(&s, OP_RECV_HUB, N_S1, "192.0.2.11", "172.16.0.11",
			    "10.9.0.1", 102);
		op(&s, OP_PURGE, P_S2 | 0x80);
		snprintf(name, sizeof(name), "hub-resolve-%u", f);
		save(&s, name);

		start(&s, f);
		spoke_up(&s);
		op(&s, OP_MISS, P_S2);
		res_reply_s1(&s, "172.16.0.12", 32, "172.16.0.12", "192.0.2.12",
			     2, false);
		traffic_s1(&s, "10.1.0.10", "10.2.0.10");
		res_reply_s1(&s, "10.2.0.10", 24, "172.16.0.12", "192.0.2.12",
			     3, true);
		op(&s, OP_USED, P_S2);
		op(&s, OP_TICK, 200);
		purge_req(&s, OP_RECV_SPOKE, "172.16.0.11", "10.2.0.0", 24,
			  false, 50);
		purge_req(&s, OP_RECV_SPOKE, "172.16.0.11", "172.16.0.12", 32,
			  true, 51);
		snprintf(name, sizeof(name), "spoke-shortcut-%u", f);
		save(&s, name);
	}

	start(&s, 0);
	reg_s2(&s, N_NAT, false);
	reg_s2(&s, N_S2, true);
	save(&s, "hub-register-nat-v6");

	start(&s, 0);
	op(&s, OP_TICK, 0);
	reg_reply_s1(&s, 1, NHRP_CIE_ALREADY_REGISTERED, false);
	op(&s, OP_TICK, 10);
	reg_reply_s1(&s, 2, NHRP_CIE_SUCCESS, true);
	save(&s, "spoke-register-refused-nat");

	start(&s, 0);
	spoke_up(&s);
	op(&s, OP_MISS, P_S3);
	error_s1(&s, NHRP_RESOLUTION_REQUEST, 2, NHRP_ERR_PROTO_UNREACH);
	op(&s, OP_TICK, 0);
	error_s1(&s, NHRP_REGISTRATION_REQUEST, 3, NHRP_ERR_PROTOCOL);
	op(&s, OP_MISS, P_S3);
	save(&s, "spoke-errors");

	start(&s, 0);
	op(&s, OP_TICK, 0);
	op(&s, OP_DNS, 3);
	op(&s, OP_TICK, 1);
	op(&s, OP_LOOP, 1);
	op(&s, OP_LOOP, 0);
	op(&s, OP_DNS, 2);
	op(&s, OP_TICK, 20);
	save(&s, "spoke-dynamic-nhs");

	start(&s, 0);
	reg_s2(&s, N_S2, false);
	{
		struct nhrp_msg m;

		/* Through the hub twice already: a loop. */
		msg(&m, NHRP_RESOLUTION_REQUEST, false, "192.0.2.11",
		    "172.16.0.11", "10.2.0.5", 200);
		cie(&m, NULL, 32, NULL, NULL);
		std_exts(&m);
		cie(&m, &m.ext[0], 32, "192.0.2.1", "172.16.0.1");
		recv_op(&s, OP_RECV_HUB, N_S1, &m);
		/* No hops left. */
		msg(&m, NHRP_RESOLUTION_REQUEST, false, "192.0.2.11",
		    "172.16.0.11", "10.2.0.5", 201);
		m.hop_count = 1;
		std_exts(&m);
		recv_op(&s, OP_RECV_HUB, N_S1, &m);
		/* Unknown extensions, compulsory and not. */
		msg(&m, NHRP_RESOLUTION_REQUEST, false, "192.0.2.11",
		    "172.16.0.11", "10.2.0.5", 202);
		std_exts(&m);
		nhrp_msg_add_ext(&m, 0x0777, false)->data_len = 0;
		recv_op(&s, OP_RECV_HUB, N_S1, &m);
		msg(&m, NHRP_RESOLUTION_REQUEST, false, "192.0.2.11",
		    "172.16.0.11", "10.2.0.5", 203);
		std_exts(&m);
		nhrp_msg_add_ext(&m, 0x0777, true)->data_len = 0;
		recv_op(&s, OP_RECV_HUB, N_S1, &m);
		/* A reply passing through back to spoke 1, and a purge. */
		msg(&m, NHRP_RESOLUTION_REPLY, false, "192.0.2.11",
		    "172.16.0.11", "10.2.0.5", 204);
		cie(&m, NULL, 24, "192.0.2.12", "172.16.0.12");
		std_exts(&m);
		recv_op(&s, OP_RECV_HUB, N_S2, &m);
		purge_req(&s, OP_RECV_HUB, "172.16.0.11", "10.2.0.0", 24, false,
			  205);
		msg(&m, NHRP_PURGE_REPLY, false, "192.0.2.12", "172.16.0.1",
		    "172.16.0.12", 1);
		cie(&m, NULL, 32, NULL, "172.16.0.12");
		recv_op(&s, OP_RECV_HUB, N_S2, &m);
	}
	op(&s, OP_REDIRECT, N_S2);
	put(&s, (uint8_t[]){P_LAN1}, 1);
	op(&s, OP_REDIRECT, N_S2);
	put(&s, (uint8_t[]){P_LAN2_6}, 1);
	op(&s, OP_PURGE, 0xe0);
	save(&s, "hub-transit");

	start(&s, 0);
	spoke_up(&s);
	traffic_s1(&s, "2001:db8:1::10", "2001:db8:2::5");
	res_reply_s1(&s, "2001:db8:2::5", 48, "2001:db8::12", "192.0.2.12", 2,
		     false);
	save(&s, "spoke-v6");
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: nhrp_fuzzseed DIR\n");
		return 2;
	}
	dir = argv[1];
	write_all();
	return 0;
}
