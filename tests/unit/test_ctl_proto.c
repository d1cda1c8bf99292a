/*
 * Unit tests for the control protocol codec (src/ctl/ctl_proto.c):
 * golden bytes for every message type, written out by hand from
 * docs/ctl.md so the layout cannot drift; decode-encode round trips;
 * framing over partial reads and several messages per read; and every
 * rejection the decoder knows.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dmvpn/ctl.h"

/* Hex with spaces and '|' for readability. */
static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned int v;

	while (*s != '\0') {
		if (*s == ' ' || *s == '|' || *s == '\n') {
			s++;
			continue;
		}
		assert_true(sscanf(s, "%2x", &v) == 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void
assert_bytes(const uint8_t *got, size_t gotlen, const char *hex)
{
	uint8_t want[CTL_MSG_MAX];
	size_t n = unhex(hex, want, sizeof(want)), i;

	if (gotlen != n || memcmp(got, want, n) != 0) {
		fprintf(stderr, "got  ");
		for (i = 0; i < gotlen; i++)
			fprintf(stderr, "%02x", got[i]);
		fprintf(stderr, "\nwant %s\n", hex);
		fail_msg("bytes differ (%zu vs %zu)", gotlen, n);
	}
}

/* One message from hex: frame it through a reader like the server. */
static void
msg_from(const char *hex, struct ctl_msg *m, struct ctl_reader *r)
{
	uint8_t b[CTL_MSG_MAX];
	size_t n = unhex(hex, b, sizeof(b));
	enum ctl_err e;

	ctl_reader_init(r);
	assert_int_equal(ctl_reader_feed(r, b, n), n);
	assert_int_equal(ctl_reader_next(r, m, &e), 1);
}

static struct addr
A(const char *s) {
	struct addr a;

	assert_int_equal(addr_parse(&a, s), 0);
	return a;
}

static struct prefix
P(const char *s) {
	struct prefix p;

	assert_int_equal(prefix_parse(&p, s), 0);
	return p;
}

static struct ctl_reader rd; /* 64 KiB: not on the stack */

/* ---- golden messages ---- */

#define PEER_HEX                                    \
	"0002 0040 00000062 00000007"               \
	"| 0004 67726531"                           \
	"| 04 0a000002 000000000000000000000000 20" \
	"| 04 c6336402 000000000000000000000000 20" \
	"| 04 c0a80102 000000000000000000000000 20" \
	"| 00 00000000000000000000000000000000 00"  \
	"| 01 03 0003 | 0000000000001b58 | 000000000000012c"

#define NHS_HEX                                     \
	"0002 0041 0000004a 00000008"               \
	"| 0004 67726531"                           \
	"| 04 0a000001 000000000000000000000000 20" \
	"| 04 c0000201 000000000000000000000000 20" \
	"| 000f 6875622e6578616d706c652e6e6574"     \
	"| 02 01 00 | 0000000000000e10 | 00000002"

#define ROUTE_HEX                                   \
	"0002 0042 00000035 00000009"               \
	"| 04 0a010000 000000000000000000000000 10" \
	"| 04 0a000002 000000000000000000000000 20" \
	"| 0004 67726531 | 0004 6e687270 | 000000fe | 01"

#define STAT_HEX                                          \
	"0002 0043 0000002a 0000000a"                     \
	"| 000a 72785f62795f74797065"                     \
	"| 0014 726567697374726174696f6e2d72657175657374" \
	"| 000000000000002a"

#define IF_HEX                                      \
	"0002 0045 0000002f 0000000b"               \
	"| 0004 67726531 | 00 | 00000002"           \
	"| 04 c633640a 000000000000000000000000 20" \
	"| 04 0a00000a 000000000000000000000000 18"

#define CONFIG_HEX \
	"0002 0044 00000011 0000000c | 696e746572666163652067726531207b0a"
#define END_HEX "0002 0046 00000000 0000000d"
#define RESULT_HEX                                       \
	"0002 0047 00000012 0000000e | 00000006 | 000c " \
	"6e6f20737563682070656572"

/* IKE_SA and CHILD_SA, in parts the rejection cases reuse. */
#define IKE_ENDS                                           \
	"| 04 c0000201 000000000000000000000000 20 | 01f4" \
	"| 04 c0000202 000000000000000000000000 20 | 1194"
#define IKE_AUTH "| 0003 70736b"
#define IKE_PROP                                                      \
	"| 001c 61657332353667636d31362d7072667368613235362d78323535" \
	"3139"
#define IKE_ID "| 0012 73706f6b65322e6578616d706c652e6e6574"
#define IKE_TAIL                                                   \
	"| 0123456789abcdef | fedcba9876543210 | 000000000000000c" \
	"| 00000000000034bc"
#define IKE_SA_HEX                             \
	"0002 0048 00000081 0000000f" IKE_ENDS \
	"| 02 05" IKE_AUTH IKE_PROP IKE_ID IKE_TAIL

#define CHILD_HEAD "0002 0049 0000005d 00000010 | c0000123 c1000456 d0000001"
#define CHILD_STRS                      \
	"| 000b 61657332353667636d3136" \
	"| 0011 67656e657269632d67636d2d6165736e69"
#define CHILD_COUNTERS                                             \
	"| 00000000000005dc | 0000000000000bb8 | 000000000000000a" \
	"| 0000000000000014 | 000000000000000c"
#define CHILD_SA_HEX \
	CHILD_HEAD CHILD_STRS CHILD_COUNTERS "| 0000000000000ce4 | 01"

static struct ctl_peer
sample_peer(void)
{
	struct ctl_peer p;

	memset(&p, 0, sizeof(p));
	snprintf(p.ifname, sizeof(p.ifname), "gre1");
	p.proto = P("10.0.0.2/32");
	p.nbma = A("198.51.100.2");
	p.claimed_nbma = A("192.168.1.2");
	p.type = CTL_PEER_DYNAMIC;
	p.state = CTL_PEER_UP;
	p.flags = CTL_PEER_F_UNIQUE | CTL_PEER_F_NAT;
	p.expires_in = 7000;
	p.uptime = 300;
	return p;
}

static struct ctl_ike_sa
sample_ike(void)
{
	struct ctl_ike_sa s;

	memset(&s, 0, sizeof(s));
	s.local = A("192.0.2.1");
	s.local_port = 500;
	s.remote = A("192.0.2.2");
	s.remote_port = 4500;
	s.state = CTL_IKE_ESTABLISHED;
	s.initiator = true;
	s.nat_remote = true;
	snprintf(s.auth, sizeof(s.auth), "psk");
	snprintf(s.ike_proposal, sizeof(s.ike_proposal),
		 "aes256gcm16-prfsha256-x25519");
	snprintf(s.remote_id, sizeof(s.remote_id), "spoke2.example.net");
	s.spi_i = 0x0123456789abcdefULL;
	s.spi_r = 0xfedcba9876543210ULL;
	s.established_s = 12;
	s.rekey_in = 13500;
	return s;
}

static struct ctl_child_sa
sample_child(void)
{
	struct ctl_child_sa s;

	memset(&s, 0, sizeof(s));
	s.spi_in = 0xc0000123;
	s.spi_out = 0xc1000456;
	s.reqid = 3489660929u;
	snprintf(s.esp_proposal, sizeof(s.esp_proposal), "aes256gcm16");
	snprintf(s.kernel_driver, sizeof(s.kernel_driver), "generic-gcm-aesni");
	s.bytes_in = 1500;
	s.bytes_out = 3000;
	s.packets_in = 10;
	s.packets_out = 20;
	s.established_s = 12;
	s.rekey_in = 3300;
	s.encap = true;
	return s;
}

static void
test_golden_requests(void **state)
{
	static const struct {
		enum ctl_type type;
		const char *hex;
	} plain[] = {
		{CTL_SHOW_DMVPN, "0002 0001 00000000 00000001"},
		{CTL_SHOW_PEERS, "0002 0002 00000000 00000001"},
		{CTL_SHOW_NHS, "0002 0003 00000000 00000001"},
		{CTL_SHOW_ROUTES, "0002 0004 00000000 00000001"},
		{CTL_SHOW_STATS, "0002 0005 00000000 00000001"},
		{CTL_SHOW_CONFIG, "0002 0006 00000000 00000001"},
		{CTL_RELOAD, "0002 0007 00000000 00000001"},
		{CTL_FLUSH, "0002 0008 00000000 00000001"},
		{CTL_SHOW_IKE, "0002 000b 00000000 00000001"},
		{CTL_SHOW_SA, "0002 000c 00000000 00000001"},
	};
	struct ctl_request req, back;
	struct ctl_msg m;
	uint8_t b[256];
	struct wbuf w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		memset(&req, 0, sizeof(req));
		req.type = plain[i].type;
		req.seq = 1;
		wbuf_init(&w, b, sizeof(b));
		assert_int_equal(ctl_encode_request(&w, &req), 0);
		assert_bytes(b, wbuf_len(&w), plain[i].hex);
		msg_from(plain[i].hex, &m, &rd);
		assert_int_equal(ctl_decode_request(&m, &back), CTL_E_OK);
		assert_int_equal(back.type, plain[i].type);
		assert_int_equal(back.seq, 1);
		assert_false(back.has_addr);
	}

	memset(&req, 0, sizeof(req));
	req.type = CTL_FLUSH;
	req.seq = 3;
	req.has_addr = true;
	req.addr = A("10.0.0.1");
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_request(&w, &req), 0);
	assert_bytes(b, wbuf_len(&w),
		     "0002 0008 00000012 00000003"
		     "| 04 0a000001 000000000000000000000000 20");
	msg_from("0002 0008 00000012 00000003"
		 "| 04 0a000001 000000000000000000000000 20",
		 &m, &rd);
	assert_int_equal(ctl_decode_request(&m, &back), CTL_E_OK);
	assert_true(back.has_addr);
	assert_true(addr_eq(&back.addr, &req.addr));

	req.type = CTL_PURGE;
	req.seq = 4;
	req.addr = A("2001:db8::1");
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_request(&w, &req), 0);
	assert_bytes(b, wbuf_len(&w),
		     "0002 0009 00000012 00000004"
		     "| 06 20010db8000000000000000000000001 80");
	msg_from("0002 0009 00000012 00000004"
		 "| 06 20010db8000000000000000000000001 80",
		 &m, &rd);
	assert_int_equal(ctl_decode_request(&m, &back), CTL_E_OK);
	assert_int_equal(back.type, CTL_PURGE);
	assert_true(addr_eq(&back.addr, &req.addr));

	memset(&req, 0, sizeof(req));
	req.type = CTL_LOG_LEVEL;
	req.seq = 5;
	req.log.level = LOG_LVL_DEBUG;
	req.log.set_debug = true;
	req.log.debug = DBG_NHRP | DBG_IKE;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_request(&w, &req), 0);
	assert_bytes(b, wbuf_len(&w),
		     "0002 000a 00000006 00000005 | 03 01 00000018");
	msg_from("0002 000a 00000006 00000005 | 03 01 00000018", &m, &rd);
	assert_int_equal(ctl_decode_request(&m, &back), CTL_E_OK);
	assert_int_equal(back.log.level, LOG_LVL_DEBUG);
	assert_true(back.log.set_debug);
	assert_int_equal(back.log.debug, DBG_NHRP | DBG_IKE);

	/* Without categories the mask is not sent. */
	req.log.level = LOG_LVL_WARN;
	req.log.set_debug = false;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_request(&w, &req), 0);
	assert_bytes(b, wbuf_len(&w),
		     "0002 000a 00000006 00000005 | 01 00 00000000");
}

static void
test_golden_peer(void **state)
{
	struct ctl_peer p = sample_peer(), back;
	uint8_t b[256];
	struct ctl_msg m;
	struct wbuf w;

	(void)state;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_peer(&w, 7, &p), 0);
	assert_bytes(b, wbuf_len(&w), PEER_HEX);
	msg_from(PEER_HEX, &m, &rd);
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_OK);
	assert_int_equal(ctl_decode_peer(&m, &back), CTL_E_OK);
	assert_string_equal(back.ifname, "gre1");
	assert_true(prefix_eq(&back.proto, &p.proto));
	assert_true(addr_eq(&back.nbma, &p.nbma));
	assert_true(addr_eq(&back.claimed_nbma, &p.claimed_nbma));
	assert_true(addr_is_none(&back.nexthop));
	assert_int_equal(back.type, CTL_PEER_DYNAMIC);
	assert_int_equal(back.state, CTL_PEER_UP);
	assert_int_equal(back.flags, CTL_PEER_F_UNIQUE | CTL_PEER_F_NAT);
	assert_int_equal(back.expires_in, 7000);
	assert_int_equal(back.uptime, 300);

	/* Never-expiring entries carry -1 as two's complement. */
	p.expires_in = -1;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_peer(&w, 7, &p), 0);
	assert_memory_equal(b + wbuf_len(&w) - 16,
			    "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
}

static void
test_golden_records(void **state)
{
	struct ctl_nhs n, nb;
	struct ctl_route r, rb;
	struct ctl_stat s, sb;
	struct ctl_interface i, ib;
	struct ctl_result res, resb;
	uint8_t b[512];
	struct ctl_msg m;
	struct wbuf w;

	(void)state;
	memset(&n, 0, sizeof(n));
	snprintf(n.ifname, sizeof(n.ifname), "gre1");
	n.proto = A("10.0.0.1");
	n.nbma = A("192.0.2.1");
	snprintf(n.fqdn, sizeof(n.fqdn), "hub.example.net");
	n.state = CTL_NHS_UP;
	n.priority = 1;
	n.uptime = 3600;
	n.failures = 2;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_nhs(&w, 8, &n), 0);
	assert_bytes(b, wbuf_len(&w), NHS_HEX);
	msg_from(NHS_HEX, &m, &rd);
	assert_int_equal(ctl_decode_nhs(&m, &nb), CTL_E_OK);
	assert_memory_equal(&n, &nb, sizeof(n));

	memset(&r, 0, sizeof(r));
	r.dst = P("10.1.0.0/16");
	r.via = A("10.0.0.2");
	snprintf(r.ifname, sizeof(r.ifname), "gre1");
	snprintf(r.protocol, sizeof(r.protocol), "nhrp");
	r.table = 254;
	r.installed = true;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_route(&w, 9, &r), 0);
	assert_bytes(b, wbuf_len(&w), ROUTE_HEX);
	msg_from(ROUTE_HEX, &m, &rd);
	assert_int_equal(ctl_decode_route(&m, &rb), CTL_E_OK);
	assert_memory_equal(&r, &rb, sizeof(r));

	memset(&s, 0, sizeof(s));
	snprintf(s.section, sizeof(s.section), "rx_by_type");
	snprintf(s.name, sizeof(s.name), "registration-request");
	s.value = 42;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_stat(&w, 10, &s), 0);
	assert_bytes(b, wbuf_len(&w), STAT_HEX);
	msg_from(STAT_HEX, &m, &rd);
	assert_int_equal(ctl_decode_stat(&m, &sb), CTL_E_OK);
	assert_memory_equal(&s, &sb, sizeof(s));

	memset(&i, 0, sizeof(i));
	snprintf(i.ifname, sizeof(i.ifname), "gre1");
	i.role = CTL_ROLE_SPOKE;
	i.peers = 2;
	i.nbma = A("198.51.100.10");
	i.tunnel = P("10.0.0.10/24");
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_interface(&w, 11, &i), 0);
	assert_bytes(b, wbuf_len(&w), IF_HEX);
	msg_from(IF_HEX, &m, &rd);
	assert_int_equal(ctl_decode_interface(&m, &ib), CTL_E_OK);
	assert_memory_equal(&i, &ib, sizeof(i));

	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(
		ctl_encode_config_text(&w, 12, "interface gre1 {\n", 17), 0);
	assert_bytes(b, wbuf_len(&w), CONFIG_HEX);
	msg_from(CONFIG_HEX, &m, &rd);
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_OK);

	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_end(&w, 13), 0);
	assert_bytes(b, wbuf_len(&w), END_HEX);
	msg_from(END_HEX, &m, &rd);
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_OK);

	memset(&res, 0, sizeof(res));
	res.code = CTL_RES_NOT_FOUND;
	snprintf(res.message, sizeof(res.message), "no such peer");
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_result(&w, 14, &res), 0);
	assert_bytes(b, wbuf_len(&w), RESULT_HEX);
	msg_from(RESULT_HEX, &m, &rd);
	assert_int_equal(ctl_decode_result(&m, &resb), CTL_E_OK);
	assert_int_equal(resb.code, CTL_RES_NOT_FOUND);
	assert_string_equal(resb.message, "no such peer");
}

static void
test_golden_ike(void **state)
{
	struct ctl_ike_sa s = sample_ike(), sb;
	struct ctl_child_sa c = sample_child(), cb;
	uint8_t b[512];
	struct ctl_msg m;
	enum ctl_err e;
	struct wbuf w;

	(void)state;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_ike_sa(&w, 15, &s), 0);
	assert_bytes(b, wbuf_len(&w), IKE_SA_HEX);
	msg_from(IKE_SA_HEX, &m, &rd);
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_OK);
	assert_int_equal(ctl_decode_ike_sa(&m, &sb), CTL_E_OK);
	assert_memory_equal(&s, &sb, sizeof(s));

	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_child_sa(&w, 16, &c), 0);
	assert_bytes(b, wbuf_len(&w), CHILD_SA_HEX);
	msg_from(CHILD_SA_HEX, &m, &rd);
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_OK);
	assert_int_equal(ctl_decode_child_sa(&m, &cb), CTL_E_OK);
	assert_memory_equal(&c, &cb, sizeof(c));

	/* No rekey scheduled: -1 as two's complement, like expires_in. */
	s.rekey_in = -1;
	s.state = CTL_IKE_CONNECTING;
	s.spi_r = 0;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_ike_sa(&w, 15, &s), 0);
	assert_memory_equal(b + wbuf_len(&w) - 8,
			    "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	ctl_reader_init(&rd);
	assert_int_equal(ctl_reader_feed(&rd, b, wbuf_len(&w)), wbuf_len(&w));
	assert_int_equal(ctl_reader_next(&rd, &m, &e), 1);
	assert_int_equal(ctl_decode_ike_sa(&m, &sb), CTL_E_OK);
	assert_int_equal(sb.rekey_in, -1);
	assert_int_equal(sb.state, CTL_IKE_CONNECTING);
}

/* Decoding then encoding the golden bytes gives them back. */
static void
test_roundtrip(void **state)
{
	static const char *const hex[] = {PEER_HEX,   NHS_HEX,     ROUTE_HEX,
					  STAT_HEX,   IF_HEX,      RESULT_HEX,
					  IKE_SA_HEX, CHILD_SA_HEX};
	uint8_t b[512];
	struct ctl_peer p;
	struct ctl_nhs n;
	struct ctl_route r;
	struct ctl_stat s;
	struct ctl_interface i;
	struct ctl_result res;
	struct ctl_ike_sa ike;
	struct ctl_child_sa child;
	struct ctl_msg m;
	struct wbuf w;
	size_t k;
	int rc = -1;

	(void)state;
	for (k = 0; k < sizeof(hex) / sizeof(hex[0]); k++) {
		msg_from(hex[k], &m, &rd);
		wbuf_init(&w, b, sizeof(b));
		switch (m.hdr.type) {
		case CTL_PEER:
			assert_int_equal(ctl_decode_peer(&m, &p), CTL_E_OK);
			rc = ctl_encode_peer(&w, m.hdr.seq, &p);
			break;
		case CTL_NHS:
			assert_int_equal(ctl_decode_nhs(&m, &n), CTL_E_OK);
			rc = ctl_encode_nhs(&w, m.hdr.seq, &n);
			break;
		case CTL_ROUTE:
			assert_int_equal(ctl_decode_route(&m, &r), CTL_E_OK);
			rc = ctl_encode_route(&w, m.hdr.seq, &r);
			break;
		case CTL_STATS:
			assert_int_equal(ctl_decode_stat(&m, &s), CTL_E_OK);
			rc = ctl_encode_stat(&w, m.hdr.seq, &s);
			break;
		case CTL_INTERFACE:
			assert_int_equal(ctl_decode_interface(&m, &i),
					 CTL_E_OK);
			rc = ctl_encode_interface(&w, m.hdr.seq, &i);
			break;
		case CTL_RESULT:
			assert_int_equal(ctl_decode_result(&m, &res), CTL_E_OK);
			rc = ctl_encode_result(&w, m.hdr.seq, &res);
			break;
		case CTL_IKE_SA:
			assert_int_equal(ctl_decode_ike_sa(&m, &ike), CTL_E_OK);
			rc = ctl_encode_ike_sa(&w, m.hdr.seq, &ike);
			break;
		case CTL_CHILD_SA:
			assert_int_equal(ctl_decode_child_sa(&m, &child),
					 CTL_E_OK);
			rc = ctl_encode_child_sa(&w, m.hdr.seq, &child);
			break;
		default:
			fail();
		}
		assert_int_equal(rc, 0);
		assert_bytes(b, wbuf_len(&w), hex[k]);
	}
}

/* ---- framing ---- */

/* A stream of n messages of assorted sizes, and what each is. */
static size_t
make_stream(uint8_t *b, size_t cap, size_t count)
{
	struct ctl_peer p = sample_peer();
	char text[CTL_CONFIG_CHUNK];
	struct wbuf w;
	size_t i;

	memset(text, 'x', sizeof(text));
	wbuf_init(&w, b, cap);
	for (i = 0; i < count; i++) {
		switch (i % 3) {
		case 0:
			assert_int_equal(ctl_encode_peer(&w, (uint32_t)i, &p),
					 0);
			break;
		case 1:
			assert_int_equal(ctl_encode_config_text(
						 &w, (uint32_t)i, text,
						 1 + i * 37 % CTL_CONFIG_CHUNK),
					 0);
			break;
		default:
			assert_int_equal(ctl_encode_end(&w, (uint32_t)i), 0);
		}
	}
	return wbuf_len(&w);
}

static void
check_stream(size_t chunk)
{
	static uint8_t b[200000];
	size_t len = make_stream(b, sizeof(b), 90), off = 0, n;
	struct ctl_msg m;
	enum ctl_err e;
	uint32_t seen = 0;
	int rc;

	ctl_reader_init(&rd);
	while (off < len) {
		n = len - off < chunk ? len - off : chunk;
		n = ctl_reader_feed(&rd, b + off, n);
		off += n;
		while ((rc = ctl_reader_next(&rd, &m, &e)) == 1) {
			assert_int_equal(m.hdr.seq, seen);
			assert_int_equal(m.hdr.type, seen % 3 == 0 ? CTL_PEER
						     : seen % 3 == 1
							     ? CTL_CONFIG_TEXT
							     : CTL_END);
			assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP),
					 CTL_E_OK);
			if (m.hdr.type == CTL_CONFIG_TEXT)
				assert_int_equal(
					m.hdr.len,
					1 + seen * 37 % CTL_CONFIG_CHUNK);
			seen++;
		}
		assert_int_equal(rc, 0);
	}
	assert_int_equal(seen, 90);
	assert_int_equal(ctl_reader_pending(&rd), 0);
}

static void
test_partial_reads(void **state)
{
	(void)state;
	check_stream(1); /* byte by byte */
	check_stream(7);
	check_stream(CTL_HDR_LEN - 1);
}

static void
test_several_per_read(void **state)
{
	(void)state;
	check_stream(1000);
	check_stream(CTL_MSG_MAX); /* fills the reader: compaction */
	check_stream(200000);      /* more than fits: feed takes part */
}

/* read(2) straight into the reader, as the server and client do. */
static void
test_space_commit(void **state)
{
	uint8_t b[64], *p;
	struct wbuf w;
	struct ctl_msg m;
	enum ctl_err e;
	size_t room;

	(void)state;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_end(&w, 1), 0);
	assert_int_equal(ctl_encode_end(&w, 2), 0);
	ctl_reader_init(&rd);
	p = ctl_reader_space(&rd, &room);
	assert_int_equal(room, CTL_MSG_MAX);
	memcpy(p, b, 20);
	ctl_reader_commit(&rd, 20);
	assert_int_equal(ctl_reader_next(&rd, &m, &e), 1);
	assert_int_equal(m.hdr.seq, 1);
	assert_int_equal(ctl_reader_next(&rd, &m, &e), 0);
	p = ctl_reader_space(&rd, &room);
	assert_int_equal(room, CTL_MSG_MAX - 8); /* compacted */
	memcpy(p, b + 20, 4);
	ctl_reader_commit(&rd, 4);
	assert_int_equal(ctl_reader_next(&rd, &m, &e), 1);
	assert_int_equal(m.hdr.seq, 2);
}

/* ---- rejections ---- */

static void
test_reject_framing(void **state)
{
	struct ctl_msg m;
	enum ctl_err e = CTL_E_OK;
	uint8_t b[CTL_HDR_LEN];
	size_t n, room;

	(void)state;
	/* Another protocol version (the last release's): fatal, header kept. */
	n = unhex("0001 0002 00000000 00000009", b, sizeof(b));
	ctl_reader_init(&rd);
	ctl_reader_feed(&rd, b, n);
	assert_int_equal(ctl_reader_next(&rd, &m, &e), -1);
	assert_int_equal(e, CTL_E_VERSION);
	assert_int_equal(rd.bad.version, 1);
	assert_int_equal(rd.bad.seq, 9);
	assert_int_equal(ctl_reader_next(&rd, &m, &e), -1); /* sticky */
	(void)ctl_reader_space(&rd, &room);
	assert_int_equal(room, 0);

	/* Longer than any message may be: fatal before the body. */
	n = unhex("0002 0002 0000fff5 00000001", b, sizeof(b));
	ctl_reader_init(&rd);
	ctl_reader_feed(&rd, b, n);
	assert_int_equal(ctl_reader_next(&rd, &m, &e), -1);
	assert_int_equal(e, CTL_E_TOO_LONG);
	n = unhex("0002 0002 ffffffff 00000001", b, sizeof(b));
	ctl_reader_init(&rd);
	ctl_reader_feed(&rd, b, n);
	assert_int_equal(ctl_reader_next(&rd, &m, &e), -1);
	assert_int_equal(e, CTL_E_TOO_LONG);

	/* The largest frame is fine: it waits for its body. */
	n = unhex("0002 0002 0000fff4 00000001", b, sizeof(b));
	ctl_reader_init(&rd);
	ctl_reader_feed(&rd, b, n);
	assert_int_equal(ctl_reader_next(&rd, &m, &e), 0);
}

/* Frames fine, but the table refuses them. */
static void
test_reject_table(void **state)
{
	static const struct {
		const char *hex;
		enum ctl_dir dir;
		enum ctl_err want;
	} cases[] = {
		{"0002 0000 00000000 00000001", CTL_DIR_REQ, CTL_E_TYPE},
		{"0002 000d 00000000 00000001", CTL_DIR_REQ, CTL_E_TYPE},
		{"0002 003f 00000000 00000001", CTL_DIR_REQ, CTL_E_TYPE},
		{"0002 004a 00000000 00000001", CTL_DIR_REP, CTL_E_TYPE},
		{"0002 ffff 00000000 00000001", CTL_DIR_REQ, CTL_E_TYPE},
		/* A reply sent as a request, and the other way round. */
		{"0002 0046 00000000 00000001", CTL_DIR_REQ, CTL_E_DIRECTION},
		{"0002 0002 00000000 00000001", CTL_DIR_REP, CTL_E_DIRECTION},
		{"0002 0002 00000001 00000001 | 00", CTL_DIR_REQ, CTL_E_LONG},
		{"0002 0009 00000000 00000001", CTL_DIR_REQ, CTL_E_SHORT},
		{"0002 0009 00000011 00000001 | 04 0a000001 0000000000000000"
		 "00000000 ",
		 CTL_DIR_REQ, CTL_E_SHORT},
		{"0002 0008 00000013 00000001 | 04 0a000001 0000000000000000"
		 "00000000 20 00",
		 CTL_DIR_REQ, CTL_E_LONG},
		{"0002 000a 00000005 00000001 | 03 01 000000", CTL_DIR_REQ,
		 CTL_E_SHORT},
		{"0002 0044 00000000 00000001", CTL_DIR_REP, CTL_E_SHORT},
		{"0002 0047 00000005 00000001 | 00000000 00", CTL_DIR_REP,
		 CTL_E_SHORT},
		{"0002 0046 00000001 00000001 | 00", CTL_DIR_REP, CTL_E_LONG},
		{"0002 000b 00000001 00000001 | 00", CTL_DIR_REQ, CTL_E_LONG},
		{"0002 000c 00000001 00000001 | 00", CTL_DIR_REQ, CTL_E_LONG},
		{"0002 0048 00000000 00000001", CTL_DIR_REP, CTL_E_SHORT},
		{"0002 0049 00000040 00000001 | 00000000 00000000 00000000"
		 "0000 0000 0000000000000000 0000000000000000 0000000000000000"
		 "0000000000000000 0000000000000000 0000000000000000",
		 CTL_DIR_REP, CTL_E_SHORT},
		{"0002 000b 00000000 00000001", CTL_DIR_REP, CTL_E_DIRECTION},
		{"0002 0049 00000000 00000001", CTL_DIR_REQ, CTL_E_DIRECTION},
	};
	struct ctl_request req;
	struct ctl_msg m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg_from(cases[i].hex, &m, &rd);
		assert_int_equal(ctl_msg_check(&m, cases[i].dir),
				 cases[i].want);
		if (cases[i].dir == CTL_DIR_REQ)
			assert_int_equal(ctl_decode_request(&m, &req),
					 cases[i].want);
	}
	/* A config chunk one byte over its bound. */
	m.hdr.version = CTL_VERSION;
	m.hdr.type = CTL_CONFIG_TEXT;
	m.hdr.len = CTL_CONFIG_CHUNK + 1;
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_LONG);
	m.hdr.len = CTL_CONFIG_CHUNK;
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_OK);
	/* The SA records: every string at its bound, and one byte more. */
	m.hdr.type = CTL_IKE_SA;
	m.hdr.len = 80 + 15 + 95 + 255;
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_OK);
	m.hdr.len++;
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_LONG);
	m.hdr.len = 79;
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_SHORT);
	m.hdr.type = CTL_CHILD_SA;
	m.hdr.len = 65 + 95 + 63;
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_OK);
	m.hdr.len++;
	assert_int_equal(ctl_msg_check(&m, CTL_DIR_REP), CTL_E_LONG);
}

/* Right length, wrong content. */
static void
test_reject_payload(void **state)
{
	static const char *const requests[] = {
		/* unknown family */
		"0002 0009 00000012 00000001 | 05 0a000001 "
		"000000000000000000000000 20",
		/* padding after an IPv4 address */
		"0002 0009 00000012 00000001 | 04 0a000001 "
		"000000000000000000000001 20",
		/* a host address with a prefix length */
		"0002 0009 00000012 00000001 | 04 0a000001 "
		"000000000000000000000000 18",
		/* plen beyond the family */
		"0002 0009 00000012 00000001 | 04 0a000001 "
		"000000000000000000000000 21",
		/* purging nothing */
		"0002 0009 00000012 00000001 | 00 00000000 "
		"000000000000000000000000 00",
		"0002 0008 00000012 00000001 | 00 00000000 "
		"000000000000000000000000 00",
		/* no family but bytes */
		"0002 0008 00000012 00000001 | 00 00000001 "
		"000000000000000000000000 00",
		/* log level 4, unknown flag, unknown category, stray mask */
		"0002 000a 00000006 00000001 | 04 00 00000000",
		"0002 000a 00000006 00000001 | 01 02 00000000",
		"0002 000a 00000006 00000001 | 01 01 00000200",
		"0002 000a 00000006 00000001 | 01 00 00000001",
	};
	static const char *const replies[] = {
		/* PEER: string longer than it says */
		"0002 0040 00000062 00000001 | 0005 67726531"
		"| 04 0a000002 000000000000000000000000 20"
		"| 04 c6336402 000000000000000000000000 20"
		"| 04 c0a80102 000000000000000000000000 20"
		"| 00 00000000000000000000000000000000 00"
		"| 01 03 0003 | 0000000000001b58 | 000000000000012c",
		/* PEER: ifname with a NUL */
		"0002 0040 00000062 00000001 | 0004 67720031"
		"| 04 0a000002 000000000000000000000000 20"
		"| 04 c6336402 000000000000000000000000 20"
		"| 04 c0a80102 000000000000000000000000 20"
		"| 00 00000000000000000000000000000000 00"
		"| 01 03 0003 | 0000000000001b58 | 000000000000012c",
		/* PEER: type 7, state 4, flag 0x10, expires -2 */
		"0002 0040 00000062 00000001 | 0004 67726531"
		"| 04 0a000002 000000000000000000000000 20"
		"| 04 c6336402 000000000000000000000000 20"
		"| 04 c0a80102 000000000000000000000000 20"
		"| 00 00000000000000000000000000000000 00"
		"| 07 03 0003 | 0000000000001b58 | 000000000000012c",
		"0002 0040 00000062 00000001 | 0004 67726531"
		"| 04 0a000002 000000000000000000000000 20"
		"| 04 c6336402 000000000000000000000000 20"
		"| 04 c0a80102 000000000000000000000000 20"
		"| 00 00000000000000000000000000000000 00"
		"| 01 04 0003 | 0000000000001b58 | 000000000000012c",
		"0002 0040 00000062 00000001 | 0004 67726531"
		"| 04 0a000002 000000000000000000000000 20"
		"| 04 c6336402 000000000000000000000000 20"
		"| 04 c0a80102 000000000000000000000000 20"
		"| 00 00000000000000000000000000000000 00"
		"| 01 03 0010 | 0000000000001b58 | 000000000000012c",
		"0002 0040 00000062 00000001 | 0004 67726531"
		"| 04 0a000002 000000000000000000000000 20"
		"| 04 c6336402 000000000000000000000000 20"
		"| 04 c0a80102 000000000000000000000000 20"
		"| 00 00000000000000000000000000000000 00"
		"| 01 03 0003 | fffffffffffffffe | 000000000000012c",
		/* PEER: ifname said to be 16 bytes, over its bound */
		"0002 0040 00000062 00000001 | 0010 67726531"
		"| 04 0a000002 000000000000000000000000 20"
		"| 04 c6336402 000000000000000000000000 20"
		"| 04 c0a80102 000000000000000000000000 20"
		"| 00 00000000000000000000000000000000 00"
		"| 01 03 0003 | 0000000000001b58 | 000000000000012c",
		/* STATS: empty name; a stray byte after the value */
		"0002 0043 0000000c 00000001 | 0000 | 0000 | 000000000000002a",
		"0002 0043 0000000f 00000001 | 0001 78 | 0001 78 | "
		"000000000000002a 00",
		/* INTERFACE: role 2 */
		"0002 0045 0000002f 00000001 | 0004 67726531 | 02 | 00000002"
		"| 04 c633640a 000000000000000000000000 20"
		"| 04 0a00000a 000000000000000000000000 18",
		/* ROUTE: unknown flag */
		"0002 0042 00000035 00000001"
		"| 04 0a010000 000000000000000000000000 10"
		"| 04 0a000002 000000000000000000000000 20"
		"| 0004 67726531 | 0004 6e687270 | 000000fe | 03",
		/* NHS: state 3 */
		"0002 0041 0000004a 00000001 | 0004 67726531"
		"| 04 0a000001 000000000000000000000000 20"
		"| 04 c0000201 000000000000000000000000 20"
		"| 000f 6875622e6578616d706c652e6e6574"
		"| 03 01 00 | 0000000000000e10 | 00000002",
		/* RESULT: message length past the end */
		"0002 0047 00000008 00000001 | 00000001 | 0003 6f6b",
		/* IKE_SA: state 5; flag 0x08; rekey_in -2 */
		"0002 0048 00000081 00000001" IKE_ENDS
		"| 05 05" IKE_AUTH IKE_PROP IKE_ID IKE_TAIL,
		"0002 0048 00000081 00000001" IKE_ENDS
		"| 02 0d" IKE_AUTH IKE_PROP IKE_ID IKE_TAIL,
		"0002 0048 00000081 00000001" IKE_ENDS
		"| 02 05" IKE_AUTH IKE_PROP IKE_ID
		"| 0123456789abcdef | fedcba9876543210 | 000000000000000c"
		"| fffffffffffffffe",
		/* IKE_SA: no local address */
		"0002 0048 00000081 00000001"
		"| 00 00000000 000000000000000000000000 00 | 01f4"
		"| 04 c0000202 000000000000000000000000 20 | 1194"
		"| 02 05" IKE_AUTH IKE_PROP IKE_ID IKE_TAIL,
		/* IKE_SA: an escape in the remote ID */
		"0002 0048 00000081 00000001" IKE_ENDS
		"| 02 05" IKE_AUTH IKE_PROP
		"| 0012 73706f6b65321b6578616d706c652e6e6574" IKE_TAIL,
		/* IKE_SA: auth of 16 bytes, over its bound of 15 */
		"0002 0048 0000008e 00000001" IKE_ENDS
		"| 02 05 | 0010 70736b70736b70736b70736b70736b70" IKE_PROP
			IKE_ID IKE_TAIL,
		/* IKE_SA: cut short by a byte; a stray byte after it */
		"0002 0048 00000080 00000001" IKE_ENDS
		"| 02 05" IKE_AUTH IKE_PROP IKE_ID
		"| 0123456789abcdef | fedcba9876543210 | 000000000000000c"
		"| 00000000000034",
		"0002 0048 00000082 00000001" IKE_ENDS
		"| 02 05" IKE_AUTH IKE_PROP IKE_ID IKE_TAIL "| 00",
		/* CHILD_SA: flag 0x02; rekey_in -2 */
		CHILD_HEAD CHILD_STRS CHILD_COUNTERS "| 0000000000000ce4 | 03",
		CHILD_HEAD CHILD_STRS CHILD_COUNTERS "| fffffffffffffffe | 01",
		/* CHILD_SA: DEL in the driver name */
		CHILD_HEAD
		"| 000b 61657332353667636d3136"
		"| 0011 67656e657269632d67636d2d6165737f69" CHILD_COUNTERS
		"| 0000000000000ce4 | 01",
		/* CHILD_SA: a string longer than it says */
		CHILD_HEAD
		"| 000c 61657332353667636d3136"
		"| 0011 67656e657269632d67636d2d6165736e69" CHILD_COUNTERS
		"| 0000000000000ce4 | 01",
		/* CHILD_SA: no flags byte */
		"0002 0049 0000005c 00000010 | c0000123 c1000456 "
		"d0000001" CHILD_STRS CHILD_COUNTERS "| 0000000000000ce4",
	};
	struct ctl_request req;
	struct ctl_peer p;
	struct ctl_nhs n;
	struct ctl_route r;
	struct ctl_stat s;
	struct ctl_interface i;
	struct ctl_result res;
	struct ctl_ike_sa ike;
	struct ctl_child_sa child;
	struct ctl_msg m;
	enum ctl_err e;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(requests) / sizeof(requests[0]); k++) {
		msg_from(requests[k], &m, &rd);
		assert_int_equal(ctl_msg_check(&m, CTL_DIR_REQ), CTL_E_OK);
		assert_int_equal(ctl_decode_request(&m, &req), CTL_E_PAYLOAD);
	}
	for (k = 0; k < sizeof(replies) / sizeof(replies[0]); k++) {
		msg_from(replies[k], &m, &rd);
		switch (m.hdr.type) {
		case CTL_PEER:
			e = ctl_decode_peer(&m, &p);
			break;
		case CTL_NHS:
			e = ctl_decode_nhs(&m, &n);
			break;
		case CTL_ROUTE:
			e = ctl_decode_route(&m, &r);
			break;
		case CTL_STATS:
			e = ctl_decode_stat(&m, &s);
			break;
		case CTL_INTERFACE:
			e = ctl_decode_interface(&m, &i);
			break;
		case CTL_IKE_SA:
			e = ctl_decode_ike_sa(&m, &ike);
			break;
		case CTL_CHILD_SA:
			e = ctl_decode_child_sa(&m, &child);
			break;
		default:
			e = ctl_decode_result(&m, &res);
			break;
		}
		if (e != CTL_E_PAYLOAD)
			fail_msg("reply %zu: %s", k, ctl_err_name(e));
	}
	/* A decoder handed another type says so. */
	msg_from(END_HEX, &m, &rd);
	assert_int_equal(ctl_decode_peer(&m, &p), CTL_E_TYPE);
	assert_int_equal(ctl_decode_request(&m, &req), CTL_E_DIRECTION);
	assert_int_equal(ctl_decode_ike_sa(&m, &ike), CTL_E_TYPE);
	assert_int_equal(ctl_decode_child_sa(&m, &child), CTL_E_TYPE);
}

static void
test_encode_sa_refusals(void **state)
{
	struct ctl_ike_sa s = sample_ike(), back;
	struct ctl_child_sa c = sample_child();
	uint8_t b[1024];
	struct ctl_msg m;
	enum ctl_err e;
	struct wbuf w;

	(void)state;
	wbuf_init(&w, b, sizeof(b));
	s.state = CTL_IKE_STATE_MAX;
	assert_int_equal(ctl_encode_ike_sa(&w, 1, &s), -1);
	s = sample_ike();
	memset(&s.local, 0, sizeof(s.local));
	assert_int_equal(ctl_encode_ike_sa(&w, 1, &s), -1);
	s = sample_ike();
	memset(&s.remote, 0, sizeof(s.remote));
	assert_int_equal(ctl_encode_ike_sa(&w, 1, &s), -1);
	s = sample_ike();
	s.rekey_in = -2;
	assert_int_equal(ctl_encode_ike_sa(&w, 1, &s), -1);
	c.rekey_in = -5;
	assert_int_equal(ctl_encode_child_sa(&w, 1, &c), -1);
	assert_int_equal(wbuf_len(&w), 0);
	assert_true(wbuf_ok(&w));

	/* Every string at its bound: cut there, the largest record. */
	s = sample_ike();
	memset(s.auth, 'a', sizeof(s.auth));
	memset(s.ike_proposal, 'p', sizeof(s.ike_proposal));
	memset(s.remote_id, 'i', sizeof(s.remote_id));
	assert_int_equal(ctl_encode_ike_sa(&w, 1, &s), 0);
	assert_int_equal(wbuf_len(&w), CTL_HDR_LEN + CTL_IKE_SA_MAXLEN);
	c = sample_child();
	memset(c.esp_proposal, 'e', sizeof(c.esp_proposal));
	memset(c.kernel_driver, 'k', sizeof(c.kernel_driver));
	assert_int_equal(ctl_encode_child_sa(&w, 1, &c), 0);
	assert_int_equal(wbuf_len(&w), 2 * CTL_HDR_LEN + CTL_IKE_SA_MAXLEN +
					       CTL_CHILD_SA_MAXLEN);

	/* A peer's identity with escapes goes out printable, not dropped. */
	s = sample_ike();
	snprintf(s.remote_id, sizeof(s.remote_id), "CN=a\x1b[2Jb\n");
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_ike_sa(&w, 1, &s), 0);
	ctl_reader_init(&rd);
	assert_int_equal(ctl_reader_feed(&rd, b, wbuf_len(&w)), wbuf_len(&w));
	assert_int_equal(ctl_reader_next(&rd, &m, &e), 1);
	assert_int_equal(ctl_decode_ike_sa(&m, &back), CTL_E_OK);
	assert_string_equal(back.remote_id, "CN=a?[2Jb?");

	/* Out of room. */
	wbuf_init(&w, b, 40);
	assert_int_equal(ctl_encode_ike_sa(&w, 1, &s), -1);
	assert_false(wbuf_ok(&w));
}

/* dmvpnctl files each CHILD SA under the IKE SA sent before it. */
static void
test_replies_sa(void **state)
{
	struct ctl_ike_sa s = sample_ike();
	struct ctl_child_sa c = sample_child();
	struct ctl_replies r;
	struct ctl_msg m;
	enum ctl_err e;
	uint8_t b[2048];
	struct wbuf w;
	int rc;

	(void)state;
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_ike_sa(&w, 3, &s), 0);
	assert_int_equal(ctl_encode_child_sa(&w, 3, &c), 0);
	c.spi_in++;
	assert_int_equal(ctl_encode_child_sa(&w, 3, &c), 0);
	s.remote_port = 500;
	assert_int_equal(ctl_encode_ike_sa(&w, 3, &s), 0); /* childless */
	assert_int_equal(ctl_encode_ike_sa(&w, 3, &s), 0);
	c.spi_in++;
	assert_int_equal(ctl_encode_child_sa(&w, 3, &c), 0);
	assert_int_equal(ctl_encode_end(&w, 3), 0);
	ctl_reader_init(&rd);
	ctl_reader_feed(&rd, b, wbuf_len(&w));
	memset(&r, 0, sizeof(r));
	while ((rc = ctl_reader_next(&rd, &m, &e)) == 1)
		if ((rc = ctl_replies_add(&r, 3, &m, &e)) != 0)
			break;
	assert_int_equal(rc, 1);
	assert_true(r.ended);
	assert_int_equal(r.n_ike_sas, 3);
	assert_int_equal(r.n_child_sas, 3);
	assert_int_equal(r.child_ike[0], 0);
	assert_int_equal(r.child_ike[1], 0);
	assert_int_equal(r.child_ike[2], 2);
	assert_int_equal(r.child_sas[2].spi_in, 0xc0000125);
	assert_int_equal(r.ike_sas[1].remote_port, 500);
	ctl_replies_free(&r);
	assert_null(r.child_ike);

	/* A CHILD SA with no IKE SA before it: whose would it be? */
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_child_sa(&w, 3, &c), 0);
	ctl_reader_init(&rd);
	ctl_reader_feed(&rd, b, wbuf_len(&w));
	assert_int_equal(ctl_reader_next(&rd, &m, &e), 1);
	assert_int_equal(ctl_replies_add(&r, 3, &m, &e), -1);
	assert_int_equal(e, CTL_E_DIRECTION);
	ctl_replies_free(&r);
}

static void
test_encode_refusals(void **state)
{
	struct ctl_peer p = sample_peer();
	struct ctl_request req;
	struct ctl_stat s;
	struct ctl_interface i;
	uint8_t b[256];
	struct wbuf w;

	(void)state;
	/* A bad value takes the message back out; w stays usable. */
	wbuf_init(&w, b, sizeof(b));
	assert_int_equal(ctl_encode_end(&w, 1), 0);
	p.type = CTL_PEER_TYPE_MAX;
	assert_int_equal(ctl_encode_peer(&w, 2, &p), -1);
	assert_int_equal(wbuf_len(&w), CTL_HDR_LEN);
	assert_true(wbuf_ok(&w));
	p = sample_peer();
	p.proto.plen = 33;
	assert_int_equal(ctl_encode_peer(&w, 2, &p), -1);
	p = sample_peer();
	p.nbma.family = 99;
	assert_int_equal(ctl_encode_peer(&w, 2, &p), -1);
	p = sample_peer();
	p.expires_in = -5;
	assert_int_equal(ctl_encode_peer(&w, 2, &p), -1);
	p = sample_peer();
	p.flags = 0x100;
	assert_int_equal(ctl_encode_peer(&w, 2, &p), -1);
	assert_int_equal(wbuf_len(&w), CTL_HDR_LEN);

	/* An over-long string is cut at its bound. */
	p = sample_peer();
	memset(p.ifname, 'a', sizeof(p.ifname));
	assert_int_equal(ctl_encode_peer(&w, 2, &p), 0);
	assert_int_equal(wbuf_len(&w), CTL_HDR_LEN * 2 + CTL_PEER_MAXLEN);

	memset(&s, 0, sizeof(s));
	snprintf(s.section, sizeof(s.section), "x");
	assert_int_equal(ctl_encode_stat(&w, 3, &s), -1);
	memset(&i, 0, sizeof(i));
	assert_int_equal(ctl_encode_interface(&w, 3, &i), -1);

	memset(&req, 0, sizeof(req));
	req.type = CTL_PEER; /* not a request */
	assert_int_equal(ctl_encode_request(&w, &req), -1);
	req.type = CTL_PURGE; /* needs an address */
	assert_int_equal(ctl_encode_request(&w, &req), -1);
	req.type = CTL_FLUSH;
	req.has_addr = true; /* ... a real one */
	assert_int_equal(ctl_encode_request(&w, &req), -1);
	req.type = CTL_LOG_LEVEL;
	req.log.level = (enum log_level)7;
	assert_int_equal(ctl_encode_request(&w, &req), -1);

	/* Out of room: -1 and the writer's sticky error. */
	wbuf_init(&w, b, 20);
	assert_int_equal(ctl_encode_peer(&w, 1, &p), -1);
	assert_false(wbuf_ok(&w));
}

static void
test_names(void **state)
{
	unsigned int t;
	size_t min, max;

	(void)state;
	assert_string_equal(ctl_type_name(CTL_SHOW_PEERS), "SHOW_PEERS");
	assert_string_equal(ctl_type_name(CTL_RESULT), "RESULT");
	assert_string_equal(ctl_type_name(0), "UNKNOWN");
	assert_string_equal(ctl_type_name(13), "UNKNOWN");
	assert_string_equal(ctl_type_name(9999), "UNKNOWN");
	for (t = 0; t < 100; t++) {
		bool known = ctl_type_bounds(t, &min, &max) == 0;

		assert_true(known ==
			    (strcmp(ctl_type_name(t), "UNKNOWN") != 0));
		assert_true(!known || ctl_type_valid(t, CTL_DIR_REQ) ||
			    ctl_type_valid(t, CTL_DIR_REP));
	}
	assert_string_equal(ctl_err_key(CTL_E_TOO_LONG), "too_long");
	assert_string_equal(ctl_err_name(CTL_E_VERSION),
			    "protocol version mismatch");
	assert_string_equal(ctl_err_name(CTL_E_MAX), "unknown error");
	assert_string_equal(ctl_result_name(CTL_RES_DENIED),
			    "permission denied");
	assert_string_equal(ctl_result_name(1000), "error");
	assert_string_equal(ctl_peer_type_name(CTL_PEER_SHORTCUT), "shortcut");
	assert_string_equal(ctl_peer_type_name(CTL_PEER_INCOMPLETE),
			    "incomplete");
	assert_string_equal(ctl_peer_state_name(CTL_PEER_IKE), "ike");
	assert_string_equal(ctl_nhs_state_name(CTL_NHS_PROBING), "probing");
	assert_string_equal(ctl_role_name(CTL_ROLE_HUB), "hub");
	assert_string_equal(ctl_role_name(CTL_ROLE_MAX), "unknown");
	assert_string_equal(ctl_type_name(CTL_SHOW_IKE), "SHOW_IKE");
	assert_string_equal(ctl_type_name(CTL_SHOW_SA), "SHOW_SA");
	assert_string_equal(ctl_type_name(CTL_IKE_SA), "IKE_SA");
	assert_string_equal(ctl_type_name(CTL_CHILD_SA), "CHILD_SA");
	assert_string_equal(ctl_ike_state_name(CTL_IKE_CONNECTING),
			    "connecting");
	assert_string_equal(ctl_ike_state_name(CTL_IKE_AUTHENTICATING),
			    "authenticating");
	assert_string_equal(ctl_ike_state_name(CTL_IKE_ESTABLISHED),
			    "established");
	assert_string_equal(ctl_ike_state_name(CTL_IKE_REKEYING), "rekeying");
	assert_string_equal(ctl_ike_state_name(CTL_IKE_DELETING), "deleting");
	assert_string_equal(ctl_ike_state_name(CTL_IKE_STATE_MAX), "unknown");
	/* The fixed parts add up to what docs/ctl.md lists. */
	assert_int_equal(CTL_IKE_SA_FIXED, 80);
	assert_int_equal(CTL_IKE_SA_MAXLEN, 445);
	assert_int_equal(CTL_CHILD_SA_FIXED, 65);
	assert_int_equal(CTL_CHILD_SA_MAXLEN, 223);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_requests),
		cmocka_unit_test(test_golden_peer),
		cmocka_unit_test(test_golden_records),
		cmocka_unit_test(test_golden_ike),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_partial_reads),
		cmocka_unit_test(test_several_per_read),
		cmocka_unit_test(test_space_commit),
		cmocka_unit_test(test_reject_framing),
		cmocka_unit_test(test_reject_table),
		cmocka_unit_test(test_reject_payload),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_encode_sa_refusals),
		cmocka_unit_test(test_replies_sa),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
