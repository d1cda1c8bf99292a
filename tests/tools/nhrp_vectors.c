/*
 * NHRP conformance vectors, checked against Wireshark's dissector by
 * tests/vectors/check-nhrp-tshark.
 *
 *   nhrp_vectors write DIR       write DIR/nhrp-*.pcap: packets built with
 *                                nhrp_encode(), in GRE (protocol 0x2001,
 *                                key 42) in IPv4 or IPv6, in Ethernet
 *   nhrp_vectors dump FILE.pcap  decode every NHRP packet of a capture
 *                                with nhrp_decode() and print its fields
 *
 * dump prints one line per frame and field: "FRAME<tab>FIELD<tab>VALUES",
 * VALUES being every occurrence in packet order joined by '|'.  Field names
 * are Wireshark's (an address is one name whatever its family; the script
 * merges Wireshark's variants); numbers are decimal, addresses and byte
 * strings lowercase hex.  A packet our decoder refuses prints the field
 * "error" with the reason.  The capture files are fully determined by this
 * program: timestamps and IP identifiers are fixed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "dmvpn/buf.h"
#include "dmvpn/nhrp_wire.h"

#define VECTORS_PROG "nhrp_vectors"
#include "vectors.h"

#define GRE_KEY      42
#define ETH_IPV6     0x86dd
#define IPPROTO_GRE_ 47
#define GRE_FLAG_C   0x8000
#define GRE_FLAG_K   0x2000
#define GRE_FLAG_S   0x1000
#define FRAME_MAX    (NHRP_MAX_PKT + 128)

/* --- building the vectors ------------------------------------------- */

static const uint8_t secret[] = {'c', 'i', 's', 'c', 'o', '1', '2', '3'};
static const uint8_t vendor_data[] = {0x01, 0x02, 0x03, 0x04};
static const uint8_t opaque[] = {0xca, 0xfe, 0xba, 0xbe, 0x00};

/* Quoted packets for the indications, filled in at start-up. */
static uint8_t quoted_ip4[28], quoted_ip6[48];

static void
addr(struct nhrp_addr *a, const char *s)
{
	uint8_t raw[16];
	int v6 = strchr(s, ':') != NULL;

	if (inet_pton(v6 ? AF_INET6 : AF_INET, s, raw) != 1 ||
	    nhrp_addr_set(a, raw, v6 ? 16 : 4) == -1)
		die("bad address %s", s);
}

/* The addresses of one test network: a hub and two spokes. */
struct net {
	uint16_t afn, pro;
	const char *nbma[3];  /* hub, spoke1, spoke2 */
	const char *proto[3]; /* tunnel addresses */
	const char *lan[2];   /* a host behind spoke1, one behind spoke2 */
	const char *nat;      /* spoke1's NBMA address as the hub sees it */
	const char *zero;     /* the unspecified protocol address */
};

static const struct net net4 = {
	NHRP_AFN_IPV4,
	NHRP_PRO_IPV4,
	{"192.0.2.1", "192.0.2.11", "192.0.2.12"},
	{"172.16.0.1", "172.16.0.11", "172.16.0.12"},
	{"10.1.0.10", "10.2.0.10"},
	"198.51.100.11",
	"0.0.0.0",
};

static const struct net net6proto = {
	NHRP_AFN_IPV4,
	NHRP_PRO_IPV6,
	{"192.0.2.1", "192.0.2.11", "192.0.2.12"},
	{"2001:db8:ff::1", "2001:db8:ff::11", "2001:db8:ff::12"},
	{"2001:db8:1::10", "2001:db8:2::10"},
	"198.51.100.11",
	"::",
};

static const struct net net6nbma = {
	NHRP_AFN_IPV6,
	NHRP_PRO_IPV4,
	{"2001:db8::1", "2001:db8::11", "2001:db8::12"},
	{"172.16.0.1", "172.16.0.11", "172.16.0.12"},
	{"10.1.0.10", "10.2.0.10"},
	"2001:db8:ffff::11",
	"0.0.0.0",
};

static const struct net net6 = {
	NHRP_AFN_IPV6,
	NHRP_PRO_IPV6,
	{"2001:db8::1", "2001:db8::11", "2001:db8::12"},
	{"2001:db8:ff::1", "2001:db8:ff::11", "2001:db8:ff::12"},
	{"2001:db8:1::10", "2001:db8:2::10"},
	"2001:db8:ffff::11",
	"::",
};

enum { HUB, SPOKE1, SPOKE2 };

static void
init(struct nhrp_msg *m, const struct net *n, uint8_t type, int src,
     int dst_proto)
{
	nhrp_msg_init(m, type, n->afn, n->pro);
	addr(&m->src_nbma, n->nbma[src]);
	addr(&m->src_proto, n->proto[src]);
	addr(&m->dst_proto, n->proto[dst_proto]);
}

static struct nhrp_cie *
cie(struct nhrp_msg *m, uint8_t prefix, uint16_t hold)
{
	struct nhrp_cie *c = nhrp_msg_add_cie(m);

	if (c == NULL)
		die("too many CIEs");
	c->prefix_len = prefix;
	c->holding_time = hold;
	return c;
}

static struct nhrp_ext *
ext(struct nhrp_msg *m, uint16_t type, bool compulsory)
{
	struct nhrp_ext *e = nhrp_msg_add_ext(m, type, compulsory);

	if (e == NULL)
		die("too many extensions");
	return e;
}

/* A CIE naming a station (RFC 2332 5.3.1-5.3.3 use in extensions). */
static void
ext_cie(struct nhrp_msg *m, struct nhrp_ext *e, const char *nbma,
	const char *proto, uint8_t prefix, uint16_t hold)
{
	struct nhrp_cie *c = nhrp_ext_add_cie(m, e);

	if (c == NULL)
		die("too many extension CIEs");
	c->prefix_len = prefix;
	c->holding_time = hold;
	addr(&c->nbma, nbma);
	addr(&c->proto, proto);
}

static uint8_t
host_prefix(const struct net *n)
{
	return n->pro == NHRP_PRO_IPV6 ? 128 : 32;
}

/* The four extensions FRR and Cisco put in requests, in their order. */
static void
request_exts(struct nhrp_msg *m)
{
	ext(m, NHRP_EXT_FWD_TRANSIT, true);
	ext(m, NHRP_EXT_REV_TRANSIT, true);
	ext(m, NHRP_EXT_RESPONDER, true);
	ext(m, NHRP_EXT_NAT_ADDR, false);
}

static void
add_auth(struct nhrp_msg *m)
{
	struct nhrp_ext *e = ext(m, NHRP_EXT_AUTH, true);

	e->spi = NHRP_AUTH_CISCO_CLEARTEXT;
	e->data = secret;
	e->data_len = sizeof(secret);
}

static void
v_res_req(struct nhrp_msg *m, const struct net *n)
{
	init(m, n, NHRP_RESOLUTION_REQUEST, SPOKE1, SPOKE1);
	addr(&m->dst_proto, n->lan[1]);
	m->flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S |
		   NHRP_FLAG_RES_NAT;
	m->reqid = 2;
	cie(m, host_prefix(n), 7200)->mtu = 1400;
	request_exts(m);
}

/* The same request as the hub forwards it: its Forward Transit record. */
static void
v_res_req_fwd(struct nhrp_msg *m, const struct net *n)
{
	v_res_req(m, n);
	m->hop_count--;
	ext_cie(m, &m->ext[0], n->nbma[HUB], n->proto[HUB], 0, 7200);
}

static void
v_res_reply(struct nhrp_msg *m, const struct net *n)
{
	struct nhrp_cie *c;

	init(m, n, NHRP_RESOLUTION_REPLY, SPOKE1, SPOKE1);
	addr(&m->dst_proto, n->lan[1]);
	m->flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_D |
		   NHRP_FLAG_RES_U | NHRP_FLAG_RES_S;
	m->reqid = 2;
	c = cie(m, (uint8_t)(host_prefix(n) - 8), 7100);
	c->mtu = 1400;
	c->preference = 255;
	addr(&c->nbma, n->nbma[SPOKE2]);
	addr(&c->proto, n->proto[SPOKE2]);
	request_exts(m);
	ext_cie(m, &m->ext[0], n->nbma[HUB], n->proto[HUB], 0, 7200);
	ext_cie(m, &m->ext[1], n->nbma[HUB], n->proto[HUB], 0, 7200);
	ext_cie(m, &m->ext[2], n->nbma[SPOKE2], n->proto[SPOKE2], 0, 7200);
}

static void
v_reg_req(struct nhrp_msg *m, const struct net *n)
{
	init(m, n, NHRP_REGISTRATION_REQUEST, SPOKE1, HUB);
	m->hop_count = 1;
	m->flags = NHRP_FLAG_REG_U | NHRP_FLAG_REG_NAT;
	m->reqid = 1;
	cie(m, host_prefix(n), 7200);
	request_exts(m);
	add_auth(m);
}

static void
v_reg_reply(struct nhrp_msg *m, const struct net *n)
{
	init(m, n, NHRP_REGISTRATION_REPLY, SPOKE1, HUB);
	m->flags = NHRP_FLAG_REG_NAT;
	m->reqid = 1;
	cie(m, host_prefix(n), 7200);
	request_exts(m);
	ext_cie(m, &m->ext[2], n->nbma[HUB], n->proto[HUB], 0, 7200);
	/* Cisco NAT Address: spoke1's NBMA address as the hub saw it. */
	ext_cie(m, &m->ext[3], n->nat, n->zero, host_prefix(n), 0);
	add_auth(m);
}

static void
v_reg_reply_nak(struct nhrp_msg *m, const struct net *n)
{
	v_reg_reply(m, n);
	m->cie[0].code = NHRP_CIE_ALREADY_REGISTERED;
	m->cie[0].holding_time = 0;
}

static void
v_purge_req(struct nhrp_msg *m, const struct net *n)
{
	struct nhrp_cie *c;
	struct nhrp_ext *e;

	init(m, n, NHRP_PURGE_REQUEST, HUB, SPOKE1);
	m->reqid = 3;
	c = cie(m, host_prefix(n), 0);
	addr(&c->nbma, n->nbma[SPOKE2]);
	addr(&c->proto, n->proto[SPOKE2]);
	e = ext(m, NHRP_EXT_VENDOR, false);
	e->vendor_id = 0x00000c;
	e->data = vendor_data;
	e->data_len = sizeof(vendor_data);
}

static void
v_purge_reply(struct nhrp_msg *m, const struct net *n)
{
	struct nhrp_ext *e;

	v_purge_req(m, n);
	m->type = NHRP_PURGE_REPLY;
	m->flags = NHRP_FLAG_PURGE_N;
	/* Unknown extensions, carried unchanged (RFC 2332 5.3). */
	e = ext(m, 0x1001, false);
	e->data = opaque;
	e->data_len = sizeof(opaque);
	ext(m, 0x3801, true);
}

/*
 * An Error Indication quoting a registration request that carries a
 * compulsory extension nobody knows (RFC 2332 5.2.7 error code 1); the
 * offset is that extension's.
 */
static void
v_err_ind(struct nhrp_msg *m, const struct net *n)
{
	static uint8_t quote[512];
	static struct nhrp_msg q;
	struct wbuf w;
	const char *why;

	v_reg_req(&q, n);
	ext(&q, 0x3802, true);
	wbuf_init(&w, quote, sizeof(quote));
	if (nhrp_encode(&q, &w, &why) == -1 ||
	    nhrp_decode(quote, wbuf_len(&w), &q, &why) == -1)
		die("quoted packet: %s", why);
	init(m, n, NHRP_ERROR_INDICATION, HUB, SPOKE1);
	m->err_code = NHRP_ERR_UNRECOGNIZED_EXT;
	m->err_offset = q.unknown_off;
	m->payload = quote;
	m->payload_len = (uint16_t)wbuf_len(&w);
}

static void
v_err_ind_hop(struct nhrp_msg *m, const struct net *n)
{
	v_err_ind(m, n);
	m->err_code = NHRP_ERR_HOP_COUNT;
	m->err_offset = 9;
}

static void
v_traffic_ind(struct nhrp_msg *m, const struct net *n)
{
	init(m, n, NHRP_TRAFFIC_INDICATION, HUB, SPOKE1);
	addr(&m->dst_proto, n->lan[0]);
	m->hop_count = 1;
	m->traffic_code = NHRP_TRAFFIC_REDIRECT;
	if (n->pro == NHRP_PRO_IPV6) {
		m->payload = quoted_ip6;
		m->payload_len = sizeof(quoted_ip6);
	} else {
		m->payload = quoted_ip4;
		m->payload_len = sizeof(quoted_ip4);
	}
}

static void
put_addr(struct wbuf *w, const char *s)
{
	struct nhrp_addr a;

	addr(&a, s);
	buf_put_bytes(w, a.a, a.len);
}

/*
 * The packets the hub's Traffic Indication quotes: a ping from a host
 * behind spoke1 to one behind spoke2 (IPv4 + ICMP echo, IPv6 + ICMPv6
 * echo).
 */
static void
make_quotes(void)
{
	uint8_t pseudo[48];
	struct wbuf w, pw;

	wbuf_init(&w, quoted_ip4, sizeof(quoted_ip4));
	buf_put_be32(&w, 0x4500001c);
	buf_put_be32(&w, 0x12344000);
	buf_put_be32(&w, 0x3f010000);
	put_addr(&w, net4.lan[0]);
	put_addr(&w, net4.lan[1]);
	buf_patch_be16(&w, 10, inet_cksum(quoted_ip4, 20));
	buf_put_be32(&w, 0x08000000);
	buf_put_be32(&w, 0x00070001);
	buf_patch_be16(&w, 22, inet_cksum(quoted_ip4 + 20, 8));

	wbuf_init(&w, quoted_ip6, sizeof(quoted_ip6));
	buf_put_be32(&w, 0x60000000);
	buf_put_be32(&w, 0x00083a3f);
	put_addr(&w, net6.lan[0]);
	put_addr(&w, net6.lan[1]);
	buf_put_be32(&w, 0x80000000);
	buf_put_be32(&w, 0x00070001);
	if (!wbuf_ok(&w))
		die("quoted packets do not fit");
	/* ICMPv6 checksum: pseudo-header (RFC 8200 8.1), then the message. */
	wbuf_init(&pw, pseudo, sizeof(pseudo));
	buf_put_bytes(&pw, quoted_ip6 + 8, 32);
	buf_put_be32(&pw, 8);
	buf_put_be32(&pw, 58);
	buf_put_bytes(&pw, quoted_ip6 + 40, 8);
	buf_patch_be16(&w, 42, inet_cksum(pseudo, wbuf_len(&pw)));
}

struct vector {
	void (*build)(struct nhrp_msg *m, const struct net *n);
	int from, to; /* outer NBMA source and destination */
};

/* One of each packet type, and each extension, in a hub-spoke exchange. */
static const struct vector exchange[] = {
	{v_reg_req, SPOKE1, HUB},       {v_reg_reply, HUB, SPOKE1},
	{v_reg_reply_nak, HUB, SPOKE1}, {v_traffic_ind, HUB, SPOKE1},
	{v_res_req, SPOKE1, HUB},       {v_res_req_fwd, HUB, SPOKE2},
	{v_res_reply, SPOKE2, HUB},     {v_purge_req, HUB, SPOKE1},
	{v_purge_reply, SPOKE1, HUB},   {v_err_ind, HUB, SPOKE1},
	{v_err_ind_hop, HUB, SPOKE1},
};

static const struct {
	const char *name;
	const struct net *net;
} files[] = {
	{"nhrp-ipv4.pcap", &net4},
	{"nhrp-ipv6-proto.pcap", &net6proto},
	{"nhrp-ipv6-nbma.pcap", &net6nbma},
	{"nhrp-ipv6.pcap", &net6},
};

/* --- pcap writer ---------------------------------------------------- */

/* Ethernet, IPv4 or IPv6, GRE with key, then the NHRP packet. */
static size_t
frame(uint8_t *buf, size_t cap, const struct net *n, int from, int to,
      const uint8_t *nhrp, size_t len, unsigned int seq)
{
	struct nhrp_addr src, dst;
	struct wbuf w;
	bool v6 = n->afn == NHRP_AFN_IPV6;

	addr(&src, n->nbma[from]);
	addr(&dst, n->nbma[to]);
	wbuf_init(&w, buf, cap);
	/* MAC 02:00:00:00:00:0N, N = station + 1 */
	put_eth(&w, (uint32_t)to + 1, (uint32_t)from + 1,
		v6 ? ETH_IPV6 : ETH_IPV4);
	if (v6) {
		buf_put_be32(&w, 0x60000000);
		buf_put_be16(&w, (uint16_t)(8 + len));
		buf_put_u8(&w, IPPROTO_GRE_);
		buf_put_u8(&w, 64);
		buf_put_bytes(&w, src.a, src.len);
		buf_put_bytes(&w, dst.a, dst.len);
	} else {
		put_ipv4(&w, seq, IPPROTO_GRE_, 8 + len, src.a, dst.a);
	}
	buf_put_be16(&w, GRE_FLAG_K);
	buf_put_be16(&w, NHRP_ETHERTYPE);
	buf_put_be32(&w, GRE_KEY);
	buf_put_bytes(&w, nhrp, len);
	if (!wbuf_ok(&w))
		die("frame too big");
	return wbuf_len(&w);
}

static void
write_pcap(const char *dir, const char *name, const struct net *n)
{
	static uint8_t nhrp[NHRP_MAX_PKT], fr[FRAME_MAX];
	static struct nhrp_msg m;
	char path[4096];
	struct wbuf w;
	const char *why;
	size_t i, len, flen;
	FILE *f;

	f = open_out(dir, name, "", path, sizeof(path));
	pcap_write_header(f, path);
	for (i = 0; i < sizeof(exchange) / sizeof(exchange[0]); i++) {
		exchange[i].build(&m, n);
		wbuf_init(&w, nhrp, sizeof(nhrp));
		if (nhrp_encode(&m, &w, &why) == -1)
			die("%s packet %zu: %s", name, i + 1, why);
		len = wbuf_len(&w);
		flen = frame(fr, sizeof(fr), n, exchange[i].from,
			     exchange[i].to, nhrp, len, (unsigned int)i + 1);
		pcap_write_record(f, path, 1800000000u + (uint32_t)i, 0, fr,
				  flen);
	}
	close_out(f, path);
}

/* --- dump ----------------------------------------------------------- */

static void
emit_addr(const char *name, const struct nhrp_addr *a)
{
	if (a->len > 0)
		emit_hex(name, a->a, a->len);
}

static void
emit_cie(const struct nhrp_cie *c)
{
	emit("nhrp.code", "%u", c->code);
	emit("nhrp.prefix", "%u", c->prefix_len);
	emit("nhrp.unused", "%u", c->unused);
	emit("nhrp.mtu", "%u", c->mtu);
	emit("nhrp.htime", "%u", c->holding_time);
	emit("nhrp.cli.addr_tl", "%u", c->nbma.len);
	emit("nhrp.cli.saddr_tl", "%u", c->nbma_sub.len);
	emit("nhrp.prot.len", "%u", c->proto.len);
	emit("nhrp.pref", "%u", c->preference);
	emit_addr("nhrp.client.nbma", &c->nbma);
	if (c->nbma_sub.len > 0)
		emit_hex("nhrp.client.nbma.saddr", c->nbma_sub.a,
			 c->nbma_sub.len);
	emit_addr("nhrp.client.prot", &c->proto);
}

/* The flag bits Wireshark shows for each packet type. */
static void
emit_flags(const struct nhrp_msg *m)
{
	uint16_t f = m->flags;

	emit("nhrp.flags", "%u", f);
	switch (m->type) {
	case NHRP_RESOLUTION_REQUEST:
	case NHRP_RESOLUTION_REPLY:
		emit("nhrp.flag.q", "%d", (f & NHRP_FLAG_RES_Q) != 0);
		emit("nhrp.flag.a", "%d", (f & NHRP_FLAG_RES_A) != 0);
		emit("nhrp.flag.d", "%d", (f & NHRP_FLAG_RES_D) != 0);
		emit("nhrp.flag.u", "%d", (f & NHRP_FLAG_RES_U) != 0);
		emit("nhrp.flag.s", "%d", (f & NHRP_FLAG_RES_S) != 0);
		emit("nhrp.flag.nat", "%d", (f & NHRP_FLAG_RES_NAT) != 0);
		break;
	case NHRP_REGISTRATION_REQUEST:
	case NHRP_REGISTRATION_REPLY:
		emit("nhrp.flag.u", "%d", (f & NHRP_FLAG_REG_U) != 0);
		emit("nhrp.flag.nat", "%d", (f & NHRP_FLAG_REG_NAT) != 0);
		break;
	default:
		emit("nhrp.flag.n", "%d", (f & NHRP_FLAG_PURGE_N) != 0);
		emit("nhrp.flag.nat", "%d", (f & NHRP_FLAG_REG_NAT) != 0);
		break;
	}
}

static void
emit_ext(const struct nhrp_msg *m, const struct nhrp_ext *e)
{
	size_t i, len = 0;

	if (nhrp_ext_has_cies(e->type)) {
		for (i = 0; i < e->cie_count; i++) {
			const struct nhrp_cie *c = nhrp_ext_cie(m, e, i);

			len += NHRP_CIE_LEN + c->nbma.len + c->nbma_sub.len +
			       c->proto.len;
		}
	} else if (e->type == NHRP_EXT_AUTH) {
		len = 4 + e->data_len;
	} else if (e->type == NHRP_EXT_VENDOR) {
		len = NHRP_VENDOR_ID_LEN + e->data_len;
	} else {
		len = e->data_len;
	}
	emit("nhrp.ext.c", "%d", e->compulsory);
	emit("nhrp.ext.type", "%u", e->type & NHRP_EXT_TYPE_MASK);
	emit("nhrp.ext.len", "%zu", len);
	if (nhrp_ext_has_cies(e->type)) {
		for (i = 0; i < e->cie_count; i++)
			emit_cie(nhrp_ext_cie(m, e, i));
	} else if (e->type == NHRP_EXT_AUTH) {
		emit("nhrp.auth_ext.reserved", "%u", e->spi >> 16);
		emit("nhrp.auth_ext.spi", "%u", e->spi & 0xffff);
		if (e->data_len > 0)
			emit_hex("nhrp.auth_ext.data", e->data, e->data_len);
	} else if (e->type == NHRP_EXT_VENDOR) {
		emit("nhrp.vendor_ext.id", "%u", e->vendor_id);
		if (e->data_len > 0)
			emit_hex("nhrp.vendor_ext.data", e->data, e->data_len);
	} else if (e->data_len > 0) {
		emit_hex("nhrp.unknown_ext.value", e->data, e->data_len);
	}
}

/* The source and destination of a quoted IPv4 or IPv6 packet. */
static void
emit_quoted_ip(const uint8_t *p, size_t len)
{
	struct buf b;
	int v;

	buf_init(&b, p, len);
	v = buf_peek_u8(&b, 0);
	if (v >> 4 == 4 && buf_skip(&b, 12) == 0 && buf_left(&b) >= 8) {
		emit_hex("ip.src", buf_get_bytes(&b, 4), 4);
		emit_hex("ip.dst", buf_get_bytes(&b, 4), 4);
	} else if (v >> 4 == 6 && buf_skip(&b, 8) == 0 && buf_left(&b) >= 32) {
		emit_hex("ipv6.src", buf_get_bytes(&b, 16), 16);
		emit_hex("ipv6.dst", buf_get_bytes(&b, 16), 16);
	}
}

static void
dump_nhrp(const uint8_t *p, size_t len, int depth)
{
	static struct nhrp_msg msgs[2];
	struct nhrp_msg *m = &msgs[depth];
	const char *why;
	size_t i;

	if (nhrp_decode(p, len, m, &why) == -1) {
		emit("error", "%s", why);
		return;
	}
	/* Fixed header (RFC 2332 5.2) */
	emit("nhrp.hdr.afn", "%u", m->afn);
	emit("nhrp.hdr.pro.type", "%u", m->pro_type);
	emit_hex("nhrp.protocol_type", m->pro_snap, NHRP_SNAP_LEN);
	emit("nhrp.hdr.hopcnt", "%u", m->hop_count);
	emit("nhrp.hdr.pktsz", "%zu", len);
	emit("nhrp.hdr.chksum", "%u", nhrp_checksum(p, len));
	emit("nhrp.hdr.chksum.status", "%d", nhrp_checksum_ok(p, len));
	emit("nhrp.hdr.extoff", "%u",
	     m->ext_present
		     ? (unsigned int)(m->ext_count > 0 ? m->ext[0].off
						       : len - NHRP_EXT_HDR_LEN)
		     : 0);
	emit("nhrp.hdr.version", "%u", m->version);
	emit("nhrp.hdr.op.type", "%u", m->type);
	emit("nhrp.hdr.shtl", "%u", m->src_nbma.len);
	emit("nhrp.hdr.sstl", "%u", m->src_nbma_sub.len);

	/* Mandatory part (5.2.0.1, 5.2.7) */
	emit("nhrp.src.prot.len", "%u", m->src_proto.len);
	emit("nhrp.dst.prot.len", "%u", m->dst_proto.len);
	switch (m->type) {
	case NHRP_ERROR_INDICATION:
		emit("nhrp.err.code", "%u", m->err_code);
		emit("nhrp.err.offset", "%u", m->err_offset);
		break;
	case NHRP_TRAFFIC_INDICATION:
		emit("nhrp.tind.code", "%u", m->traffic_code);
		break;
	default:
		emit_flags(m);
		emit("nhrp.reqid", "%u", m->reqid);
		break;
	}
	emit_addr("nhrp.src.nbma", &m->src_nbma);
	if (m->src_nbma_sub.len > 0)
		emit_hex("nhrp.src.nbma.saddr", m->src_nbma_sub.a,
			 m->src_nbma_sub.len);
	emit_addr("nhrp.src.prot", &m->src_proto);
	emit_addr("nhrp.dst.prot", &m->dst_proto);
	if (m->type == NHRP_ERROR_INDICATION && depth == 0)
		dump_nhrp(m->payload, m->payload_len, 1);
	if (m->type == NHRP_TRAFFIC_INDICATION)
		emit_quoted_ip(m->payload, m->payload_len);
	for (i = 0; i < m->cie_count; i++)
		emit_cie(&m->cie[i]);

	/* Extensions (5.3), End included */
	for (i = 0; i < m->ext_count; i++)
		emit_ext(m, &m->ext[i]);
	if (m->ext_present) {
		emit("nhrp.ext.c", "%d", m->end_compulsory);
		emit("nhrp.ext.type", "%u", NHRP_EXT_END);
		emit("nhrp.ext.len", "%u", 0);
	}
}

/* Ethernet, IPv4/IPv6, GRE; dump it when it carries NHRP. */
static void
dump_frame(const uint8_t *p, size_t len)
{
	struct buf b;
	uint16_t ethertype, gflags, proto;
	size_t hlen;

	buf_init(&b, p, len);
	buf_skip(&b, 12);
	ethertype = buf_get_be16(&b);
	if (ethertype == ETH_IPV4) {
		hlen = (size_t)(buf_peek_u8(&b, 0) & 0x0f) * 4;
		if (buf_peek_u8(&b, 9) != IPPROTO_GRE_ || hlen < 20)
			return;
		buf_skip(&b, 12);
		emit_hex("ip.src", buf_get_bytes(&b, 4), 4);
		emit_hex("ip.dst", buf_get_bytes(&b, 4), 4);
		buf_skip(&b, hlen - 20);
	} else if (ethertype == ETH_IPV6) {
		if (buf_peek_u8(&b, 6) != IPPROTO_GRE_)
			return;
		buf_skip(&b, 8);
		emit_hex("ipv6.src", buf_get_bytes(&b, 16), 16);
		emit_hex("ipv6.dst", buf_get_bytes(&b, 16), 16);
	} else {
		return;
	}
	gflags = buf_get_be16(&b);
	proto = buf_get_be16(&b);
	if (gflags & GRE_FLAG_C)
		buf_skip(&b, 4);
	if (gflags & GRE_FLAG_K)
		emit("gre.key", "%u", buf_get_be32(&b));
	if (gflags & GRE_FLAG_S)
		buf_skip(&b, 4);
	if (!buf_ok(&b) || proto != NHRP_ETHERTYPE)
		return;
	dump_nhrp(buf_cur(&b), buf_left(&b), 0);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc == 3 && strcmp(argv[1], "write") == 0) {
		make_quotes();
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			write_pcap(argv[2], files[i].name, files[i].net);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "dump") == 0)
		return pcap_dump(argv[2], dump_frame);
	fprintf(stderr, "usage: nhrp_vectors write DIR\n"
			"       nhrp_vectors dump FILE.pcap\n");
	return 2;
}
