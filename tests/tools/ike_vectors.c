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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dmvpn/buf.h"
#include "dmvpn/ike_wire.h"

#define VECTORS_PROG "ike_vectors"
#include "vectors.h"

#define PORT_IKE  500
#define PORT_NATT 4500
#define FRAME_MAX (IKE_MAX_MSG + 64)

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

/*
 * Ethernet, IPv4, UDP, then the message, with the non-ESP marker first on
 * UDP/4500 (RFC 3948 2.2).
 */
static size_t
frame(uint8_t *buf, size_t cap, bool from_spoke, uint16_t port,
      const uint8_t *ike, size_t len, unsigned int seq)
{
	/* MACs 02:00:00:00:00:01 (hub) and :02 */
	struct udp4_path u = {
		.src_mac = from_spoke ? 2 : 1,
		.dst_mac = from_spoke ? 1 : 2,
		.src = from_spoke ? spoke : hub,
		.dst = from_spoke ? hub : spoke,
		.sport = port,
		.dport = port,
		.marker = port == PORT_NATT,
	};

	return frame_udp4(buf, cap, &u, ike, len, seq);
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
	char path[4096];
	size_t len, flen;
	unsigned int i;
	uint16_t port;
	bool from_spoke;
	FILE *f;

	f = open_out(dir, "ike-sa-init.pcap", "", path, sizeof(path));
	pcap_write_header(f, path);
	for (i = 0; i < NMESSAGES; i++) {
		len = message(i, ike, sizeof(ike), &from_spoke, &port);
		flen = frame(fr, sizeof(fr), from_spoke, port, ike, len, i + 1);
		pcap_write_record(f, path, 1800000000u + i, 0, fr, flen);
	}
	close_out(f, path);
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
		write_file(dir, names[i], ike, len);
	}
	v_auth_chain(&m);
	write_file(dir, "auth-chain", ike, encode(&m, ike, sizeof(ike)));
}

/* --- dump ----------------------------------------------------------- */

static void
dump_ike(const uint8_t *p, size_t len, bool natt)
{
	static struct ike_msg m;
	struct ike_peek pk;
	const char *why;

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
	emit_ike(&m, pk.len, false);
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
		return pcap_dump(argv[2], dump_frame);
	fprintf(stderr, "usage: ike_vectors write DIR\n"
			"       ike_vectors dump FILE.pcap\n"
			"       ike_vectors corpus DIR\n");
	return 2;
}
