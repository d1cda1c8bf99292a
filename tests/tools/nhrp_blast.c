/*
 * nhrp_blast: throw malformed and hostile NHRP packets at a peer, for
 * tests/netns/t-dmvpn-malformed.sh.
 *
 *   nhrp_blast [-n] [-s SECRET] [-w SECONDS] IFNAME SRC_NBMA SRC_PROTO
 *              DST_NBMA CASE COUNT
 *
 * Sends COUNT packets of CASE through the NHRP socket of the multipoint GRE
 * device IFNAME to DST_NBMA, 5 ms apart (so that a slow receiver's socket
 * never overflows and every packet is counted), and prints "sent N".  The
 * packets claim SRC_NBMA and SRC_PROTO as their source and carry SECRET
 * (Cisco cleartext authentication) when one is given.  With -w it then
 * listens for SECONDS and prints "rx TYPE N" for what came back, and
 * "error CODE N" for Error Indications.  With -n it sends nothing and
 * prints, for each packet, what our own decoder says of it ("ok" or the
 * reason it refuses it): a check of the cases themselves.
 *
 * The base packet is a Registration Request laid out as a spoke sends it.
 * CASE, and the dmvpnd counter (show stats) each packet should raise:
 *   truncated     drops malformed    the base cut short (4..len-1 bytes)
 *   checksum      drops malformed    wrong ar$chksum
 *   badlen        drops malformed    ar$pktsz or ar$extoff inconsistent
 *                                    (checksums correct)
 *   garbage       drops malformed    random bytes, 4..512 of them
 *   cies          drops malformed    33..132 CIEs in the mandatory part, or
 *                                    in a transit record (limits are 32)
 *   badcie        drops malformed    CIE address lengths or prefix length
 *                                    that do not fit the address family
 *   header        drops malformed    hop count 0, version 2, type 0 or 9+
 *   noauth        auth_missing       valid, without the secret
 *   badauth       auth_mismatch      another secret, length or auth type
 *   unknown-ext   unknown_compulsory_extension, and an Error Indication
 *                                    (Unrecognized Extension) back
 *   wrongproto    wrong_protocol     IPv6 protocol addresses
 *   hijack=ADDR   registrations_rejected: registers ADDR (someone else's,
 *                                    registered unique) from SRC_NBMA
 *   empty         nothing            zero bytes of NHRP (the GRE layer of
 *                                    Linux drops NHRP payloads shorter than
 *                                    4 bytes, so the others are longer)
 *   oversize      socket_rx_errors   6000 bytes (the sending device needs
 *                                    that MTU; the GRE packet fragments)
 * The valid parts are valid: every case but the first five decodes up to
 * the defect it carries; a garbage packet that happened to decode would be
 * replaced by another.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmvpn/addr.h"
#include "dmvpn/buf.h"
#include "dmvpn/nhrp_io.h"
#include "dmvpn/nhrp_wire.h"

#define PKT_MAX 8192
#define USAGE                                                              \
	"usage: nhrp_blast [-n] [-s SECRET] [-w SECONDS] IFNAME SRC_NBMA " \
	"SRC_PROTO DST_NBMA CASE COUNT"

static const char *secret;
static struct addr src_nbma, src_proto;
static uint32_t rng = 0x2545f491u;

static void
die(const char *what)
{
	fprintf(stderr, "nhrp_blast: %s\n", what);
	exit(2);
}

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
naddr(struct nhrp_addr *a, const struct addr *x)
{
	if (nhrp_addr_set(a, x->bytes, x->len) == -1)
		die("bad address");
}

static void
add_auth(struct nhrp_msg *m, const char *s, uint32_t type)
{
	struct nhrp_ext *x;

	if (s == NULL)
		return;
	x = nhrp_msg_add_ext(m, NHRP_EXT_AUTH, true);
	if (x == NULL)
		die("no room for auth");
	x->spi = type;
	x->data = (const uint8_t *)s;
	x->data_len = (uint16_t)strlen(s);
}

/* The base: a spoke's Registration Request for proto, id i. */
static void
base_msg(struct nhrp_msg *m, const struct addr *proto, uint32_t id,
	 bool transit)
{
	struct nhrp_cie *c;

	nhrp_msg_init(m, NHRP_REGISTRATION_REQUEST, NHRP_AFN_IPV4,
		      proto->len == 16 ? NHRP_PRO_IPV6 : NHRP_PRO_IPV4);
	m->hop_count = 1;
	m->flags = NHRP_FLAG_REG_U | NHRP_FLAG_REG_NAT;
	m->reqid = id;
	naddr(&m->src_nbma, &src_nbma);
	naddr(&m->src_proto, proto);
	naddr(&m->dst_proto, proto);
	c = nhrp_msg_add_cie(m);
	c->prefix_len = (uint8_t)(proto->len * 8);
	c->holding_time = 60;
	if (transit)
		nhrp_msg_add_ext(m, NHRP_EXT_FWD_TRANSIT, true);
	nhrp_msg_add_ext(m, NHRP_EXT_REV_TRANSIT, true);
	nhrp_msg_add_ext(m, NHRP_EXT_RESPONDER, true);
}

static size_t
encode(const struct nhrp_msg *m, uint8_t *pkt)
{
	struct wbuf w;
	const char *why = NULL;

	wbuf_init(&w, pkt, PKT_MAX);
	if (nhrp_encode(m, &w, &why) == -1)
		die(why);
	return wbuf_len(&w);
}

/* The base with our secret, encoded. */
static size_t
base(uint8_t *pkt, uint32_t id)
{
	struct nhrp_msg m;

	base_msg(&m, &src_proto, id, true);
	add_auth(&m, secret, NHRP_AUTH_CISCO_CLEARTEXT);
	return encode(&m, pkt);
}

static uint16_t
get16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] << 8 | p[off + 1]);
}

static void
put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
}

static void
fix_checksum(uint8_t *p, size_t len)
{
	put16(p, NHRP_OFF_CHKSUM, nhrp_checksum(p, len));
}

/* Append n empty CIEs (12 bytes each, no addresses) at p + len. */
static size_t
append_cies(uint8_t *p, size_t len, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && len + NHRP_CIE_LEN <= PKT_MAX; i++) {
		memset(p + len, 0, NHRP_CIE_LEN);
		p[len + 1] = 32; /* prefix length */
		len += NHRP_CIE_LEN;
	}
	return len;
}

static size_t
case_cies(uint8_t *p, uint32_t i)
{
	struct nhrp_msg m;
	size_t len, extoff;
	unsigned int extra = 1 + i % 100;

	if (i % 2 == 0) {
		/* Mandatory part: no extensions, CIEs to the end. */
		base_msg(&m, &src_proto, i, false);
		m.ext_count = 0;
		m.ext_present = false;
		len = append_cies(p, encode(&m, p), NHRP_MAX_CIE - 1 + extra);
	} else {
		/* One Forward Transit record full of CIEs, then End. */
		nhrp_msg_init(&m, NHRP_REGISTRATION_REQUEST, NHRP_AFN_IPV4,
			      NHRP_PRO_IPV4);
		m.hop_count = 1;
		m.reqid = i;
		naddr(&m.src_nbma, &src_nbma);
		naddr(&m.src_proto, &src_proto);
		naddr(&m.dst_proto, &src_proto);
		nhrp_msg_add_ext(&m, NHRP_EXT_FWD_TRANSIT, true);
		len = encode(&m, p) - NHRP_EXT_HDR_LEN; /* drop End */
		extoff = get16(p, NHRP_OFF_EXTOFF);
		len = append_cies(p, len, NHRP_MAX_EXT_CIE + extra);
		put16(p, extoff + 2,
		      (uint16_t)(len - extoff - NHRP_EXT_HDR_LEN));
		put16(p, len, NHRP_EXT_COMPULSORY);
		put16(p, len + 2, 0);
		len += NHRP_EXT_HDR_LEN;
	}
	put16(p, NHRP_OFF_PKTSZ, (uint16_t)len);
	fix_checksum(p, len);
	return len;
}

static size_t
case_badcie(uint8_t *p, uint32_t i)
{
	size_t len = base(p, i), cie = NHRP_FIXED_LEN + NHRP_COMMON_LEN + 12;

	/* The one CIE follows the three 4-byte addresses. */
	switch (i % 4) {
	case 0:
		p[cie + 1] = 33; /* prefix length beyond 32 bits */
		break;
	case 1:
		p[cie + 8] = 5; /* NBMA address length 5 */
		break;
	case 2:
		p[cie + 10] = 16; /* IPv6-sized protocol address */
		break;
	default:
		p[cie + 8] = 0x44; /* E.164 bit in the type/length octet */
		break;
	}
	fix_checksum(p, len);
	return len;
}

static size_t
case_header(uint8_t *p, uint32_t i)
{
	size_t len = base(p, i);

	switch (i % 4) {
	case 0:
		p[9] = 0; /* ar$hopcnt */
		break;
	case 1:
		p[16] = 2; /* ar$op.version */
		break;
	case 2:
		p[17] = 0; /* ar$op.type */
		break;
	default:
		p[17] = (uint8_t)(9 + i % 247);
		break;
	}
	fix_checksum(p, len);
	return len;
}

static size_t
case_badlen(uint8_t *p, uint32_t i)
{
	size_t len = base(p, i);
	uint16_t extoff = get16(p, NHRP_OFF_EXTOFF);

	switch (i % 5) {
	case 0:
		put16(p, NHRP_OFF_PKTSZ, (uint16_t)(len + 8));
		break;
	case 1:
		put16(p, NHRP_OFF_PKTSZ, (uint16_t)(len - 4));
		break;
	case 2:
		put16(p, NHRP_OFF_PKTSZ, 12);
		break;
	case 3:
		put16(p, NHRP_OFF_EXTOFF, (uint16_t)(len + 4));
		break;
	default:
		/* An extension whose length runs past the packet. */
		put16(p, extoff + 2, 2000);
		break;
	}
	fix_checksum(p, len);
	return len;
}

static size_t
case_garbage(uint8_t *p)
{
	struct nhrp_msg m;
	size_t len, k;

	do {
		len = 4 + rnd() % 509;
		for (k = 0; k < len; k++)
			p[k] = (uint8_t)rnd();
		/* Now and then a plausible header, to get further in. */
		if (len >= NHRP_FIXED_LEN && rnd() % 2 == 0) {
			put16(p, 0, NHRP_AFN_IPV4);
			put16(p, 2, NHRP_PRO_IPV4);
			put16(p, NHRP_OFF_PKTSZ, (uint16_t)len);
			p[16] = NHRP_VERSION;
			p[9] = 1 + (uint8_t)(rnd() % 255);
			p[17] = 1 + (uint8_t)(rnd() % 8);
			p[18] = 4; /* ar$shtl: an IPv4 NBMA address */
			p[19] = 0;
			if (len >= NHRP_FIXED_LEN + 2) {
				p[NHRP_FIXED_LEN] = 4;
				p[NHRP_FIXED_LEN + 1] = 4;
			}
			if (rnd() % 2 == 0)
				put16(p, NHRP_OFF_EXTOFF, 0);
			fix_checksum(p, len);
		}
	} while (nhrp_decode(p, len, &m, NULL) == 0);
	return len;
}

static size_t
case_badauth(uint8_t *p, uint32_t i)
{
	struct nhrp_msg m;
	static char other[16];

	base_msg(&m, &src_proto, i, true);
	switch (i % 3) {
	case 0:
		snprintf(other, sizeof(other), "%.7sX", secret);
		add_auth(&m, other, NHRP_AUTH_CISCO_CLEARTEXT);
		break;
	case 1:
		snprintf(other, sizeof(other), "%.2s", secret);
		add_auth(&m, other, NHRP_AUTH_CISCO_CLEARTEXT);
		break;
	default:
		add_auth(&m, secret, 2); /* not cleartext */
		break;
	}
	return encode(&m, p);
}

static size_t
case_unknown_ext(uint8_t *p, uint32_t i)
{
	static const uint8_t body[] = {1, 2, 3, 4, 5, 6};
	struct nhrp_msg m;
	struct nhrp_ext *x;

	base_msg(&m, &src_proto, i, true);
	x = nhrp_msg_add_ext(&m, 0x1234, true);
	if (x == NULL)
		die("no room for the extension");
	x->data = body;
	x->data_len = sizeof(body);
	add_auth(&m, secret, NHRP_AUTH_CISCO_CLEARTEXT);
	return encode(&m, p);
}

static size_t
case_wrongproto(uint8_t *p, uint32_t i)
{
	struct nhrp_msg m;
	struct addr v6;

	if (addr_parse(&v6, "2001:db8::66") == -1)
		die("addr_parse");
	base_msg(&m, &v6, i, true);
	add_auth(&m, secret, NHRP_AUTH_CISCO_CLEARTEXT);
	return encode(&m, p);
}

static size_t
case_hijack(uint8_t *p, uint32_t i, const struct addr *victim)
{
	struct nhrp_msg m;

	base_msg(&m, victim, i, true);
	add_auth(&m, secret, NHRP_AUTH_CISCO_CLEARTEXT);
	return encode(&m, p);
}

static size_t
build(const char *name, const struct addr *arg, uint8_t *p, uint32_t i)
{
	size_t len;

	if (strcmp(name, "truncated") == 0) {
		len = base(p, i);
		return 4 + (i * 37u) % (len - 4);
	}
	if (strcmp(name, "checksum") == 0) {
		len = base(p, i);
		put16(p, NHRP_OFF_CHKSUM,
		      (uint16_t)(get16(p, NHRP_OFF_CHKSUM) ^ (1 + i % 0xfffe)));
		return len;
	}
	if (strcmp(name, "badlen") == 0)
		return case_badlen(p, i);
	if (strcmp(name, "garbage") == 0)
		return case_garbage(p);
	if (strcmp(name, "cies") == 0)
		return case_cies(p, i);
	if (strcmp(name, "badcie") == 0)
		return case_badcie(p, i);
	if (strcmp(name, "header") == 0)
		return case_header(p, i);
	if (strcmp(name, "noauth") == 0) {
		struct nhrp_msg m;

		base_msg(&m, &src_proto, i, true);
		return encode(&m, p);
	}
	if (strcmp(name, "badauth") == 0)
		return case_badauth(p, i);
	if (strcmp(name, "unknown-ext") == 0)
		return case_unknown_ext(p, i);
	if (strcmp(name, "wrongproto") == 0)
		return case_wrongproto(p, i);
	if (strcmp(name, "hijack") == 0)
		return case_hijack(p, i, arg);
	if (strcmp(name, "empty") == 0)
		return 0;
	if (strcmp(name, "oversize") == 0) {
		for (len = 0; len < 6000; len++)
			p[len] = (uint8_t)rnd();
		return 6000;
	}
	die("unknown case");
	return 0;
}

static void
pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Count what comes back for `secs` seconds. */
static void
listen_for(int fd, int secs)
{
	unsigned int by_type[256] = {0}, by_err[32] = {0};
	struct timespec t0, t;
	uint8_t buf[PKT_MAX];
	struct addr from;
	struct nhrp_msg m;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	long left;
	ssize_t n;
	int k;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = secs * 1000L - ((t.tv_sec - t0.tv_sec) * 1000L +
				       (t.tv_nsec - t0.tv_nsec) / 1000000L);
		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		while ((n = nhrp_io_recv(fd, buf, sizeof(buf), &from)) > 0) {
			if (nhrp_decode(buf, (size_t)n, &m, NULL) == -1) {
				by_type[0]++;
				continue;
			}
			by_type[m.type]++;
			if (m.type == NHRP_ERROR_INDICATION)
				by_err[m.err_code < 32 ? m.err_code : 0]++;
		}
	}
	for (k = 0; k < 256; k++)
		if (by_type[k] > 0)
			printf("rx %s %u\n",
			       k == 0 ? "undecodable"
				      : nhrp_type_name((uint8_t)k),
			       by_type[k]);
	for (k = 0; k < 32; k++)
		if (by_err[k] > 0)
			printf("error %d %u\n", k, by_err[k]);
}

int
main(int argc, char **argv)
{
	static uint8_t pkt[PKT_MAX];
	struct addr dst, victim = {0};
	char name[32];
	const char *eq;
	unsigned long count, i, sent = 0;
	int fd = -1, ifindex = 0, opt, wait_secs = 0;
	bool dry = false;
	size_t len;

	while ((opt = getopt(argc, argv, "ns:w:")) != -1) {
		switch (opt) {
		case 'n':
			dry = true;
			break;
		case 's':
			secret = optarg;
			break;
		case 'w':
			wait_secs = atoi(optarg);
			break;
		default:
			die(USAGE);
		}
	}
	if (argc - optind != 6)
		die(USAGE);
	if (!dry && (ifindex = (int)if_nametoindex(argv[optind])) == 0)
		die("no such interface");
	if (addr_parse(&src_nbma, argv[optind + 1]) == -1 ||
	    addr_parse(&src_proto, argv[optind + 2]) == -1 ||
	    addr_parse(&dst, argv[optind + 3]) == -1)
		die("bad address");
	eq = strchr(argv[optind + 4], '=');
	snprintf(name, sizeof(name), "%.*s",
		 (int)(eq != NULL ? (size_t)(eq - argv[optind + 4])
				  : strlen(argv[optind + 4])),
		 argv[optind + 4]);
	if (eq != NULL && addr_parse(&victim, eq + 1) == -1)
		die("bad case argument");
	if (strcmp(name, "hijack") == 0 && victim.family == 0)
		die("hijack needs =ADDR");
	if ((strcmp(name, "badauth") == 0 || strcmp(name, "noauth") == 0) &&
	    secret == NULL)
		die("badauth and noauth need -s (the right secret)");
	count = strtoul(argv[optind + 5], NULL, 10);
	if (!dry && (fd = nhrp_io_open(ifindex)) == -1)
		die("cannot open the NHRP socket");
	for (i = 0; i < count; i++) {
		len = build(name, &victim, pkt, (uint32_t)(i + 1));
		if (dry) {
			struct nhrp_msg m;
			const char *why = "ok";

			if (nhrp_decode(pkt, len, &m, &why) == 0 &&
			    m.unknown_compulsory)
				why = "ok, unknown compulsory extension";
			printf("%lu: %zu bytes: %s\n", i + 1, len, why);
			continue;
		}
		if (nhrp_io_send(fd, ifindex, &dst, pkt, len) == -1) {
			fprintf(stderr, "nhrp_blast: send %zu bytes: %s\n", len,
				strerror(errno));
			return 1;
		}
		sent++;
		pause_ms(5);
	}
	if (dry)
		return 0;
	printf("sent %lu\n", sent);
	if (wait_secs > 0)
		listen_for(fd, wait_secs);
	close(fd);
	return 0;
}
