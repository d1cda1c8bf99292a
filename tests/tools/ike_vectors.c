/*
 * IKEv2 conformance vectors, checked against Wireshark's dissector by
 * tests/vectors/check-ike-tshark.
 *
 *   ike_vectors write DIR       write DIR/ike-*.pcap: messages built with
 *                               the encoder, in UDP in IPv4 in Ethernet
 *   ike_vectors dump FILE.pcap  decode every IKE datagram of a capture
 *                               with ike_peek() + ike_decode() and print
 *                               its fields
 *   ike_vectors corpus DIR      write the same messages, and their inner
 *                               chains, as fuzz seeds DIR/<name>
 *
 * dump prints one line per frame and field, "FRAME<tab>FIELD<tab>VALUES",
 * VALUES being every occurrence in packet order joined by '|', with
 * Wireshark's field names; numbers are decimal, byte strings lowercase
 * hex.  A datagram our decoder refuses prints the field "error".  The
 * captures are fully determined by this program (fixed timestamps, IP
 * identifiers and key material that is only a pattern).
 *
 * The SK payload of the IKE_AUTH frame is opaque filler: once the crypto
 * layer (src/ike/ike_crypto*.c) can seal it, build it with real keys here
 * and let check-ike-tshark hand them to Wireshark (an ikev2_decryption_table
 * UAT) to compare the decrypted inner payloads too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/buf.h"
#include "dmvpn/ike_wire.h"

#define LINKTYPE_ETHERNET 1
#define ETH_IPV4          0x0800
#define IPPROTO_UDP_      17
#define PORT_IKE          500
#define PORT_NATT         4500
#define FRAME_MAX         (IKE_MAX_MSG + 64)

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ike_vectors: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* --- building the vectors ------------------------------------------- */

#define SPI_I 0x0102030405060708ULL
#define SPI_R 0x1112131415161718ULL

/* RFC 5737 TEST-NET-1: a spoke and the hub */
static const uint8_t spoke[4] = {192, 0, 2, 11}, hub[4] = {192, 0, 2, 1};

/* Key material stand-ins: patterns, not keys */
static uint8_t ke_i[32], ke_r[32], nonce_i[32], nonce_r[32];
static uint8_t natd[4][IKE_NATD_HASH_LEN], ca_hash[20], sk_body[72];
/* RFC 7427 4: SHA2-256, SHA2-384, SHA2-512, Identity (RFC 8420) */
static const uint8_t hash_algs[] = {0, 2, 0, 3, 0, 4, 0, 5};

static void
fill(uint8_t *p, size_t len, uint8_t first)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(first + i);
}

static void
make_material(void)
{
	fill(ke_i, sizeof(ke_i), 0xa0);
	fill(ke_r, sizeof(ke_r), 0xe0);
	fill(nonce_i, sizeof(nonce_i), 0xc0);
	fill(nonce_r, sizeof(nonce_r), 0x30);
	memset(natd[0], 0x11, IKE_NATD_HASH_LEN);
	memset(natd[1], 0x22, IKE_NATD_HASH_LEN);
	memset(natd[2], 0x33, IKE_NATD_HASH_LEN);
	memset(natd[3], 0x44, IKE_NATD_HASH_LEN);
	memset(ca_hash, 0x5a, sizeof(ca_hash));
	fill(sk_body, sizeof(sk_body), 0x80);
}

static void
check(const void *p)
{
	if (p == NULL)
		die("message too big for the builder");
}

static void
xform(struct ike_msg *m, struct ike_prop *p, uint8_t type, uint16_t id,
      uint16_t key_len)
{
	check(ike_msg_add_xform(m, p, type, id, key_len));
}

/* What both sides add after SA, KE and Nonce in IKE_SA_INIT (1.1). */
static void
init_notifies(struct ike_msg *m, int natd_first)
{
	check(ike_msg_add_notify(m, IKE_N_NATD_SRC, natd[natd_first],
				 IKE_NATD_HASH_LEN));
	check(ike_msg_add_notify(m, IKE_N_NATD_DST, natd[natd_first + 1],
				 IKE_NATD_HASH_LEN));
	check(ike_msg_add_notify(m, IKE_N_FRAG_SUPPORTED, NULL, 0));
	check(ike_msg_add_notify(m, IKE_N_SIG_HASH_ALGS, hash_algs,
				 sizeof(hash_algs)));
}

static void
v_init_req(struct ike_msg *m)
{
	struct ike_pld *sa;
	struct ike_prop *p;

	ike_msg_init(m, IKE_EXCH_IKE_SA_INIT, SPI_I, 0, IKE_FLAG_I, 0);
	check(sa = ike_msg_add_sa(m));
	check(p = ike_msg_add_prop(m, sa, IKE_PROTO_IKE, NULL, 0));
	xform(m, p, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256);
	xform(m, p, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	xform(m, p, IKE_XF_KE, IKE_KE_CURVE25519, 0);
	xform(m, p, IKE_XF_KE, IKE_KE_ECP256, 0);
	check(p = ike_msg_add_prop(m, sa, IKE_PROTO_IKE, NULL, 0));
	xform(m, p, IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128);
	xform(m, p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	xform(m, p, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	xform(m, p, IKE_XF_KE, IKE_KE_CURVE25519, 0);
	check(ike_msg_add_ke(m, IKE_KE_CURVE25519, ke_i, sizeof(ke_i)));
	check(ike_msg_add_nonce(m, nonce_i, sizeof(nonce_i)));
	init_notifies(m, 0);
}

static void
v_init_resp(struct ike_msg *m)
{
	struct ike_pld *sa;
	struct ike_prop *p;

	ike_msg_init(m, IKE_EXCH_IKE_SA_INIT, SPI_I, SPI_R, IKE_FLAG_R, 0);
	check(sa = ike_msg_add_sa(m));
	check(p = ike_msg_add_prop(m, sa, IKE_PROTO_IKE, NULL, 0));
	xform(m, p, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256);
	xform(m, p, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	xform(m, p, IKE_XF_KE, IKE_KE_CURVE25519, 0);
	check(ike_msg_add_ke(m, IKE_KE_CURVE25519, ke_r, sizeof(ke_r)));
	check(ike_msg_add_nonce(m, nonce_r, sizeof(nonce_r)));
	check(ike_msg_add_typed(m, IKE_PLD_CERTREQ, IKE_CERT_X509_SIG, ca_hash,
				sizeof(ca_hash)));
	init_notifies(m, 2);
}

/* The IKE_AUTH plaintext (1.1): IDi AUTH N(USE_TRANSPORT_MODE) SA TSi TSr */
static void
v_auth_chain(struct ike_msg *m)
{
	static const uint8_t spi[4] = {0xc1, 0xa2, 0xb3, 0xc4};
	struct ike_pld *sa, *tsp;
	struct ike_prop *p;
	struct ike_ts ts;

	ike_msg_init_chain(m);
	check(ike_msg_add_typed(m, IKE_PLD_IDI, IKE_ID_IPV4_ADDR, spoke, 4));
	check(ike_msg_add_typed(m, IKE_PLD_AUTH, IKE_AUTH_PSK, nonce_r, 32));
	check(ike_msg_add_notify(m, IKE_N_USE_TRANSPORT_MODE, NULL, 0));
	check(sa = ike_msg_add_sa(m));
	check(p = ike_msg_add_prop(m, sa, IKE_PROTO_ESP, spi, sizeof(spi)));
	xform(m, p, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256);
	xform(m, p, IKE_XF_ESN, IKE_ESN_NO, 0);
	check(tsp = ike_msg_add_tsp(m, IKE_PLD_TSI));
	ike_ts_host(&ts, spoke, 4, 47);
	check(ike_msg_add_ts(m, tsp, &ts));
	check(tsp = ike_msg_add_tsp(m, IKE_PLD_TSR));
	ike_ts_host(&ts, hub, 4, 47);
	check(ike_msg_add_ts(m, tsp, &ts));
}

static size_t
encode(const struct ike_msg *m, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	const char *why;

	wbuf_init(&w, buf, cap);
	if (ike_encode(m, &w, &why) == -1)
		die("encode: %s", why);
	return wbuf_len(&w);
}

/*
 * IKE_AUTH request over UDP/4500: HDR SK{...} with an opaque body the
 * size AES-GCM would give the chain above (8 IV + chain + 1 pad length +
 * 16 ICV, no padding needed by a stream mode).
 */
static size_t
auth_sk(uint8_t *buf, size_t cap)
{
	static struct ike_msg m;
	static uint8_t chain[1024];
	struct ike_sk_layout sk;
	struct wbuf w;
	size_t clen, blen;
	const char *why;

	v_auth_chain(&m);
	clen = encode(&m, chain, sizeof(chain));
	blen = 8 + clen + 1 + 16;
	ike_msg_init(&m, IKE_EXCH_IKE_AUTH, SPI_I, SPI_R, IKE_FLAG_I, 1);
	wbuf_init(&w, buf, cap);
	if (ike_encode_sk_begin(&m, IKE_PLD_IDI, 0, 0, blen, &w, &sk, &why) ==
	    -1)
		die("SK: %s", why);
	/* Hook: the crypto layer seals chain into buf + sk.body_off here */
	memset(buf + sk.body_off, 0, blen);
	memcpy(buf + sk.body_off, sk_body,
	       blen < sizeof(sk_body) ? blen : sizeof(sk_body));
	if (ike_encode_sk_finish(&w, &sk, &why) == -1)
		die("SK: %s", why);
	return wbuf_len(&w);
}

/* --- pcap ----------------------------------------------------------- */

static void
put_le16(struct wbuf *w, uint16_t v)
{
	buf_put_u8(w, (uint8_t)v);
	buf_put_u8(w, (uint8_t)(v >> 8));
}

static void
put_le32(struct wbuf *w, uint32_t v)
{
	put_le16(w, (uint16_t)v);
	put_le16(w, (uint16_t)(v >> 16));
}

static uint16_t
inet_cksum(const uint8_t *p, size_t len)
{
	struct buf b;
	uint32_t sum = 0;

	buf_init(&b, p, len);
	while (buf_left(&b) >= 2)
		sum += buf_get_be16(&b);
	if (buf_left(&b) == 1)
		sum += (uint32_t)buf_get_u8(&b) << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Ethernet, IPv4, UDP (checksum 0: none, RFC 768), then the payload, with
 * the non-ESP marker first on UDP/4500 (RFC 3948 2.2).
 */
static size_t
frame(uint8_t *buf, size_t cap, bool from_spoke, uint16_t port,
      const uint8_t *ike, size_t len, unsigned int seq)
{
	size_t ip, ulen = 8 + (port == PORT_NATT ? 4 : 0) + len;
	struct wbuf w;

	wbuf_init(&w, buf, cap);
	/* Locally administered MACs 02:00:00:00:00:01 (hub) and :02 */
	buf_put_be16(&w, 0x0200);
	buf_put_be32(&w, from_spoke ? 1 : 2);
	buf_put_be16(&w, 0x0200);
	buf_put_be32(&w, from_spoke ? 2 : 1);
	buf_put_be16(&w, ETH_IPV4);
	ip = wbuf_len(&w);
	buf_put_be16(&w, 0x4500);
	buf_put_be16(&w, (uint16_t)(20 + ulen));
	buf_put_be16(&w, (uint16_t)seq);
	buf_put_be16(&w, 0x4000); /* DF */
	buf_put_u8(&w, 64);
	buf_put_u8(&w, IPPROTO_UDP_);
	buf_put_be16(&w, 0);
	buf_put_bytes(&w, from_spoke ? spoke : hub, 4);
	buf_put_bytes(&w, from_spoke ? hub : spoke, 4);
	buf_patch_be16(&w, ip + 10, inet_cksum(buf + ip, 20));
	buf_put_be16(&w, port);
	buf_put_be16(&w, port);
	buf_put_be16(&w, (uint16_t)ulen);
	buf_put_be16(&w, 0);
	if (port == PORT_NATT)
		buf_put_be32(&w, 0);
	buf_put_bytes(&w, ike, len);
	if (!wbuf_ok(&w))
		die("frame too big");
	return wbuf_len(&w);
}

static void
write_all(FILE *f, const void *p, size_t len, const char *path)
{
	if (fwrite(p, 1, len, f) != len)
		die("%s: %s", path, strerror(errno));
}

/* The exchange: IKE_SA_INIT on 500, then IKE_AUTH on 4500 after NAT. */
static size_t
message(unsigned int i, uint8_t *buf, size_t cap, bool *from_spoke,
	uint16_t *port)
{
	static struct ike_msg m;

	*from_spoke = i != 1;
	*port = i == 2 ? PORT_NATT : PORT_IKE;
	switch (i) {
	case 0:
		v_init_req(&m);
		return encode(&m, buf, cap);
	case 1:
		v_init_resp(&m);
		return encode(&m, buf, cap);
	default:
		return auth_sk(buf, cap);
	}
}

#define NMESSAGES 3

static void
write_pcap(const char *dir)
{
	static uint8_t ike[IKE_MAX_MSG], fr[FRAME_MAX];
	uint8_t hdr[24], rec[16];
	char path[4096];
	struct wbuf w;
	size_t len, flen;
	unsigned int i;
	uint16_t port;
	bool from_spoke;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ike-sa-init.pcap", dir);
	f = fopen(path, "wb");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	/* pcap file header, little-endian, microseconds */
	wbuf_init(&w, hdr, sizeof(hdr));
	put_le32(&w, 0xa1b2c3d4);
	put_le16(&w, 2);
	put_le16(&w, 4);
	put_le32(&w, 0);
	put_le32(&w, 0);
	put_le32(&w, 65535);
	put_le32(&w, LINKTYPE_ETHERNET);
	write_all(f, hdr, wbuf_len(&w), path);
	for (i = 0; i < NMESSAGES; i++) {
		len = message(i, ike, sizeof(ike), &from_spoke, &port);
		flen = frame(fr, sizeof(fr), from_spoke, port, ike, len, i + 1);
		wbuf_init(&w, rec, sizeof(rec));
		put_le32(&w, 1800000000u + i);
		put_le32(&w, 0);
		put_le32(&w, (uint32_t)flen);
		put_le32(&w, (uint32_t)flen);
		write_all(f, rec, wbuf_len(&w), path);
		write_all(f, fr, flen, path);
	}
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static void
write_seed(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	write_all(f, p, len, path);
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static void
write_corpus(const char *dir)
{
	static const char *names[NMESSAGES] = {"init-req", "init-resp",
					       "auth-sk"};
	static uint8_t ike[IKE_MAX_MSG];
	static struct ike_msg m;
	size_t len;
	unsigned int i;
	uint16_t port;
	bool from_spoke;

	for (i = 0; i < NMESSAGES; i++) {
		len = message(i, ike, sizeof(ike), &from_spoke, &port);
		write_seed(dir, names[i], ike, len);
	}
	v_auth_chain(&m);
	write_seed(dir, "auth-chain", ike, encode(&m, ike, sizeof(ike)));
}

/* --- dump ----------------------------------------------------------- */

#define MAX_FIELDS 64
#define FIELD_CAP  8192

static struct {
	const char *name;
	char val[FIELD_CAP];
	size_t len;
} fields[MAX_FIELDS];
static size_t nfields;

static void emit(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
emit(const char *name, const char *fmt, ...)
{
	va_list ap;
	size_t i;
	int n;

	for (i = 0; i < nfields; i++)
		if (strcmp(fields[i].name, name) == 0)
			break;
	if (i == nfields) {
		if (nfields == MAX_FIELDS)
			die("too many fields");
		fields[nfields].name = name;
		fields[nfields].len = 0;
		nfields++;
	}
	if (fields[i].len > 0 && fields[i].len < FIELD_CAP - 1)
		fields[i].val[fields[i].len++] = '|';
	va_start(ap, fmt);
	n = vsnprintf(fields[i].val + fields[i].len, FIELD_CAP - fields[i].len,
		      fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= FIELD_CAP - fields[i].len)
		die("field %s too long", name);
	fields[i].len += (size_t)n;
}

static void
emit_hex(const char *name, const uint8_t *p, size_t len)
{
	char s[2 * 1024 + 1];
	size_t i;

	if (len > 1024)
		len = 1024;
	for (i = 0; i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	s[2 * len] = '\0';
	emit(name, "%s", s);
}

static void
emit_u64(const char *name, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
	emit_hex(name, b, 8);
}

/* Wireshark's field for a transform ID depends on the transform type. */
static const char *
xform_id_field(uint8_t type)
{
	switch (type) {
	case IKE_XF_ENCR:
		return "isakmp.tf.id.encr";
	case IKE_XF_PRF:
		return "isakmp.tf.id.prf";
	case IKE_XF_INTEG:
		return "isakmp.tf.id.integ";
	case IKE_XF_KE:
		return "isakmp.tf.id.dh";
	case IKE_XF_ESN:
		return "isakmp.tf.id.esn";
	default:
		return "isakmp.tf.id";
	}
}

static void
emit_sa(const struct ike_msg *m, const struct ike_pld *pl)
{
	size_t i, j;

	/*
	 * Wireshark shows proposals and transforms as payloads of types 2
	 * and 3 whose Next Payload is the Last Substruc (3.3.1, 3.3.2).
	 */
	for (i = 0; i < pl->u.sa.count; i++) {
		const struct ike_prop *p = ike_sa_prop(m, pl, i);

		emit("isakmp.typepayload", "%u", 2);
		emit("isakmp.nextpayload", "%u",
		     i + 1 < pl->u.sa.count ? 2 : 0);
		emit("isakmp.prop.number", "%u", p->num);
		emit("isakmp.prop.protoid", "%u", p->proto);
		emit("isakmp.prop.transforms", "%u", p->xf_count);
		if (p->spi_len > 0)
			emit_hex("isakmp.spi", p->spi, p->spi_len);
		for (j = 0; j < p->xf_count; j++) {
			const struct ike_xform *x = ike_prop_xform(m, p, j);

			emit("isakmp.typepayload", "%u", 3);
			emit("isakmp.nextpayload", "%u",
			     j + 1 < p->xf_count ? 3 : 0);
			emit("isakmp.tf.type", "%u", x->type);
			emit(xform_id_field(x->type), "%u", x->id);
			if (x->key_len != 0)
				emit("isakmp.ike2.attr.key_length", "%u",
				     x->key_len);
		}
	}
}

static void
emit_pld(const struct ike_msg *m, const struct ike_pld *pl)
{
	size_t i;

	switch (pl->type) {
	case IKE_PLD_SA:
		emit_sa(m, pl);
		break;
	case IKE_PLD_KE:
		emit("isakmp.key_exchange.dh_group", "%u", pl->u.typed.type);
		emit_hex("isakmp.key_exchange.data", pl->u.typed.data,
			 pl->u.typed.len);
		break;
	case IKE_PLD_NONCE:
		emit_hex("isakmp.nonce", pl->body, pl->body_len);
		break;
	case IKE_PLD_CERTREQ:
		emit("isakmp.certreq.type", "%u", pl->u.typed.type);
		break;
	case IKE_PLD_NOTIFY:
		emit("isakmp.notify.protoid", "%u", pl->u.n.proto);
		emit("isakmp.notify.msgtype", "%u", pl->u.n.type);
		emit("name.notify", "%s", ike_notify_name(pl->u.n.type));
		/* Wireshark shows empty data as "<MISSING>": "-" both sides */
		if (pl->u.n.data_len == 0)
			emit("isakmp.notify.data", "-");
		else
			emit_hex("isakmp.notify.data", pl->u.n.data,
				 pl->u.n.data_len);
		if (pl->u.n.type == IKE_N_SIG_HASH_ALGS)
			for (i = 0; i + 1 < pl->u.n.data_len; i += 2)
				emit("isakmp.notify.data.signature_hash_"
				     "algorithms",
				     "%u",
				     pl->u.n.data[i] << 8 |
					     pl->u.n.data[i + 1]);
		break;
	default:
		break;
	}
}

static void
dump_ike(const uint8_t *p, size_t len, bool natt)
{
	static struct ike_msg m;
	struct ike_peek pk;
	const char *why;
	size_t i;

	if (ike_peek(p, len, natt, &pk, &why) == -1) {
		emit("error", "%s", why);
		return;
	}
	if (pk.kind != IKE_DGRAM_IKE)
		return;
	if (pk.off > 0)
		emit("udpencap.non_esp_marker", "1");
	if (ike_decode(p + pk.off, pk.len, &m, &why) == -1) {
		emit("error", "%s", why);
		return;
	}
	emit_u64("isakmp.ispi", m.spi_i);
	emit_u64("isakmp.rspi", m.spi_r);
	emit("isakmp.nextpayload", "%u", ike_msg_first_type(&m));
	emit("isakmp.version", "%u", m.major << 4 | m.minor);
	emit("isakmp.exchangetype", "%u", m.exchange);
	emit("name.exchange", "%s", ike_exchange_name(m.exchange));
	emit("isakmp.flags", "%u", m.flags);
	emit("isakmp.messageid", "%u", m.msg_id);
	emit("isakmp.length", "%zu", pk.len);
	for (i = 0; i < m.npld; i++) {
		const struct ike_pld *pl = &m.pld[i];

		emit("isakmp.typepayload", "%u", pl->type);
		emit("isakmp.nextpayload", "%u",
		     pl->type == IKE_PLD_SK || pl->type == IKE_PLD_SKF
			     ? pl->u.sk.inner
		     : i + 1 < m.npld ? m.pld[i + 1].type
				      : IKE_PLD_NONE);
		emit_pld(&m, pl);
	}
}

static uint32_t
get_le32(struct buf *b)
{
	uint32_t v = buf_get_u8(b);

	v |= (uint32_t)buf_get_u8(b) << 8;
	v |= (uint32_t)buf_get_u8(b) << 16;
	v |= (uint32_t)buf_get_u8(b) << 24;
	return v;
}

/* Ethernet, IPv4, UDP to port 500 or 4500. */
static void
dump_frame(const uint8_t *p, size_t len)
{
	struct buf b;
	size_t hlen;
	uint16_t dport;

	buf_init(&b, p, len);
	buf_skip(&b, 12);
	if (buf_get_be16(&b) != ETH_IPV4)
		return;
	hlen = (size_t)(buf_peek_u8(&b, 0) & 0x0f) * 4;
	if (buf_peek_u8(&b, 9) != IPPROTO_UDP_ || hlen < 20)
		return;
	buf_skip(&b, hlen);
	buf_skip(&b, 2);
	dport = buf_get_be16(&b);
	buf_skip(&b, 4);
	if (!buf_ok(&b) || (dport != PORT_IKE && dport != PORT_NATT))
		return;
	dump_ike(buf_cur(&b), buf_left(&b), dport == PORT_NATT);
}

static int
dump(const char *path)
{
	static uint8_t data[16 << 20];
	struct buf b, rec;
	uint32_t caplen;
	unsigned int frameno = 0;
	size_t len, i;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	buf_init(&b, data, len);
	if (get_le32(&b) != 0xa1b2c3d4)
		die("%s: not a little-endian microsecond pcap file", path);
	buf_skip(&b, 16);
	if (get_le32(&b) != LINKTYPE_ETHERNET || !buf_ok(&b))
		die("%s: not an Ethernet capture", path);
	while (buf_left(&b) > 0) {
		buf_skip(&b, 8);
		caplen = get_le32(&b);
		buf_skip(&b, 4);
		if (buf_sub(&b, caplen, &rec) == -1)
			die("%s: truncated record", path);
		frameno++;
		nfields = 0;
		dump_frame(buf_cur(&rec), buf_left(&rec));
		for (i = 0; i < nfields; i++)
			printf("%u\t%s\t%s\n", frameno, fields[i].name,
			       fields[i].val);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	make_material();
	if (argc == 3 && strcmp(argv[1], "write") == 0) {
		write_pcap(argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "corpus") == 0) {
		write_corpus(argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "dump") == 0)
		return dump(argv[2]);
	fprintf(stderr, "usage: ike_vectors write DIR\n"
			"       ike_vectors dump FILE.pcap\n"
			"       ike_vectors corpus DIR\n");
	return 2;
}
