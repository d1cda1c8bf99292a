/*
 * Helpers shared by the vector tools: tests/tools/nhrp_vectors.c,
 * ike_vectors.c and ike_exchanges.c.  The Makefile builds each tool from
 * its one .c file, so they share this header of static inline functions
 * instead of an object file.
 *
 * It holds die(), output files, pcap files (little-endian, microseconds,
 * Ethernet), Ethernet/IPv4/UDP framing with the RFC 1071 checksum, and the
 * field dump the check scripts compare with tshark: emit() adds a value to
 * a field of the current frame, fields_print() prints the frame as
 * "FRAME<tab>FIELD<tab>VALUES", VALUES being every occurrence in packet
 * order joined by '|'.  When dmvpn/ike_wire.h is included first, it also
 * holds the IKE message dump.
 *
 * Define VECTORS_PROG, the tool's name for error messages, before
 * including it.
 */
#ifndef VECTORS_H
#define VECTORS_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/buf.h"

#ifndef VECTORS_PROG
#error "define VECTORS_PROG before including vectors.h"
#endif

#define LINKTYPE_ETHERNET 1
#define ETH_IPV4          0x0800
#define IPPROTO_UDP_      17

static inline void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static inline void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs(VECTORS_PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* RFC 1071 checksum of a header we build (IPv4, ICMP). */
static inline uint16_t
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

static inline void
put_le16(struct wbuf *w, uint16_t v)
{
	buf_put_u8(w, (uint8_t)v);
	buf_put_u8(w, (uint8_t)(v >> 8));
}

static inline void
put_le32(struct wbuf *w, uint32_t v)
{
	put_le16(w, (uint16_t)v);
	put_le16(w, (uint16_t)(v >> 16));
}

static inline uint32_t
get_le32(struct buf *b)
{
	uint32_t v = buf_get_u8(b);

	v |= (uint32_t)buf_get_u8(b) << 8;
	v |= (uint32_t)buf_get_u8(b) << 16;
	v |= (uint32_t)buf_get_u8(b) << 24;
	return v;
}

/* --- output files ---------------------------------------------------- */

/* Create DIR/NAMEEXT for writing; path receives its name. */
static inline FILE *
open_out(const char *dir, const char *name, const char *ext, char *path,
	 size_t cap)
{
	FILE *f;

	snprintf(path, cap, "%s/%s%s", dir, name, ext);
	f = fopen(path, "wb");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	return f;
}

static inline void
write_all(FILE *f, const void *p, size_t len, const char *path)
{
	if (fwrite(p, 1, len, f) != len)
		die("%s: %s", path, strerror(errno));
}

static inline void
close_out(FILE *f, const char *path)
{
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

/* DIR/NAME holding exactly p: a fuzz seed. */
static inline void
write_file(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	f = open_out(dir, name, "", path, sizeof(path));
	write_all(f, p, len, path);
	close_out(f, path);
}

/* --- pcap ------------------------------------------------------------ */

/* The pcap file header: little-endian, microseconds, Ethernet. */
static inline void
pcap_write_header(FILE *f, const char *path)
{
	uint8_t hdr[24];
	struct wbuf w;

	wbuf_init(&w, hdr, sizeof(hdr));
	put_le32(&w, 0xa1b2c3d4);
	put_le16(&w, 2);
	put_le16(&w, 4);
	put_le32(&w, 0);
	put_le32(&w, 0);
	put_le32(&w, 65535);
	put_le32(&w, LINKTYPE_ETHERNET);
	write_all(f, hdr, wbuf_len(&w), path);
}

/* One record: its header, then the whole frame. */
static inline void
pcap_write_record(FILE *f, const char *path, uint32_t sec, uint32_t usec,
		  const uint8_t *frame, size_t len)
{
	uint8_t rec[16];
	struct wbuf w;

	wbuf_init(&w, rec, sizeof(rec));
	put_le32(&w, sec);
	put_le32(&w, usec);
	put_le32(&w, (uint32_t)len);
	put_le32(&w, (uint32_t)len);
	write_all(f, rec, wbuf_len(&w), path);
	write_all(f, frame, len, path);
}

/* --- framing --------------------------------------------------------- */

/* Locally administered MACs 02:00:00:00:00:xx, xx the station number. */
static inline void
put_eth(struct wbuf *w, uint32_t dst_mac, uint32_t src_mac, uint16_t type)
{
	buf_put_be16(w, 0x0200);
	buf_put_be32(w, dst_mac);
	buf_put_be16(w, 0x0200);
	buf_put_be32(w, src_mac);
	buf_put_be16(w, type);
}

/* An IPv4 header without options: DF, TTL 64, checksum filled in. */
static inline void
put_ipv4(struct wbuf *w, unsigned int id, uint8_t proto, size_t payload_len,
	 const uint8_t *src, const uint8_t *dst)
{
	uint8_t hdr[20];
	struct wbuf hw;

	wbuf_init(&hw, hdr, sizeof(hdr));
	buf_put_be16(&hw, 0x4500);
	buf_put_be16(&hw, (uint16_t)(20 + payload_len));
	buf_put_be16(&hw, (uint16_t)id);
	buf_put_be16(&hw, 0x4000); /* DF */
	buf_put_u8(&hw, 64);
	buf_put_u8(&hw, proto);
	buf_put_be16(&hw, 0);
	buf_put_bytes(&hw, src, 4);
	buf_put_bytes(&hw, dst, 4);
	buf_patch_be16(&hw, 10, inet_cksum(hdr, sizeof(hdr)));
	buf_put_bytes(w, hdr, sizeof(hdr));
}

/* Who sends a UDP/IPv4 frame to whom. */
struct udp4_path {
	uint32_t src_mac, dst_mac;
	const uint8_t *src, *dst; /* IPv4 addresses */
	uint16_t sport, dport;
	bool marker; /* the non-ESP marker first (RFC 3948 2.2) */
};

/*
 * Ethernet, IPv4 (identifier seq), UDP (checksum 0: none, RFC 768), then
 * the datagram.
 */
static inline size_t
frame_udp4(uint8_t *buf, size_t cap, const struct udp4_path *u,
	   const uint8_t *data, size_t len, unsigned int seq)
{
	size_t ulen = 8 + (u->marker ? 4 : 0) + len;
	struct wbuf w;

	wbuf_init(&w, buf, cap);
	put_eth(&w, u->dst_mac, u->src_mac, ETH_IPV4);
	put_ipv4(&w, seq, IPPROTO_UDP_, ulen, u->src, u->dst);
	buf_put_be16(&w, u->sport);
	buf_put_be16(&w, u->dport);
	buf_put_be16(&w, (uint16_t)ulen);
	buf_put_be16(&w, 0);
	if (u->marker)
		buf_put_be32(&w, 0);
	buf_put_bytes(&w, data, len);
	if (!wbuf_ok(&w))
		die("frame too big");
	return wbuf_len(&w);
}

/* --- the field dump -------------------------------------------------- */

/* Values of one frame, by field, in the order they were met. */
#define MAX_FIELDS 64
#define FIELD_CAP  8192

static struct {
	const char *name;
	char val[FIELD_CAP];
	size_t len;
} fields[MAX_FIELDS];
static size_t nfields;

static inline void emit(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void
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

static inline void
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

/* Print the fields of frame number frame, then forget them. */
static inline void
fields_print(FILE *f, size_t frame)
{
	size_t i;

	for (i = 0; i < nfields; i++)
		fprintf(f, "%zu\t%s\t%s\n", frame, fields[i].name,
			fields[i].val);
	nfields = 0;
}

/* Read a capture and print what dump_frame emits for each frame. */
static inline int
pcap_dump(const char *path, void (*dump_frame)(const uint8_t *, size_t))
{
	static uint8_t data[16 << 20];
	struct buf b, rec;
	uint32_t caplen;
	size_t len, frameno = 0;
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
		fields_print(stdout, frameno);
	}
	return 0;
}

#ifdef DMVPN_IKE_WIRE_H
/*
 * IKE messages in Wireshark's field names.  With all false, as
 * `ike_vectors dump` prints them; with all true, also the SPI sizes,
 * notify SPIs, fragment numbers and the ID, AUTH, Delete and TS payloads
 * (ike_exchanges).
 */

static inline void
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

static inline void
emit_ipv4(const char *name, const uint8_t *p)
{
	emit(name, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

/* Wireshark's field for a transform ID depends on the transform type. */
static inline const char *
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

static inline void
emit_sa(const struct ike_msg *m, const struct ike_pld *pl, bool all)
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
		if (all)
			emit("isakmp.spisize", "%u", p->spi_len);
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

static inline void
emit_notify(const struct ike_pld *pl, bool all)
{
	size_t i;

	emit("isakmp.notify.protoid", "%u", pl->u.n.proto);
	if (all)
		emit("isakmp.spisize", "%u", pl->u.n.spi_len);
	emit("isakmp.notify.msgtype", "%u", pl->u.n.type);
	emit("name.notify", "%s", ike_notify_name(pl->u.n.type));
	if (all && pl->u.n.spi_len > 0)
		emit_hex("isakmp.spi", pl->u.n.spi, pl->u.n.spi_len);
	/* Wireshark shows empty data as "<MISSING>": "-" both sides */
	if (pl->u.n.data_len == 0)
		emit("isakmp.notify.data", "-");
	else
		emit_hex("isakmp.notify.data", pl->u.n.data, pl->u.n.data_len);
	if (pl->u.n.type == IKE_N_SIG_HASH_ALGS)
		for (i = 0; i + 1 < pl->u.n.data_len; i += 2)
			emit("isakmp.notify.data.signature_hash_algorithms",
			     "%u", pl->u.n.data[i] << 8 | pl->u.n.data[i + 1]);
}

static inline void
emit_ts(const struct ike_msg *m, const struct ike_pld *pl)
{
	size_t i;

	emit("isakmp.ts.number", "%u", pl->u.ts.count);
	for (i = 0; i < pl->u.ts.count; i++) {
		const struct ike_ts *ts = ike_tsp_ts(m, pl, i);

		emit("isakmp.ts.type", "%u", ts->type);
		emit("isakmp.ts.protoid", "%u", ts->proto);
		emit("isakmp.ts.start_port", "%u", ts->start_port);
		emit("isakmp.ts.end_port", "%u", ts->end_port);
		if (ts->type == IKE_TS_IPV4_ADDR_RANGE) {
			emit_ipv4("isakmp.ts.start_ipv4", ts->start);
			emit_ipv4("isakmp.ts.end_ipv4", ts->end);
		}
	}
}

/* The payloads only ike_exchanges prints. */
static inline void
emit_pld_all(const struct ike_msg *m, const struct ike_pld *pl)
{
	size_t i;

	switch (pl->type) {
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
		emit("isakmp.id.type", "%u", pl->u.typed.type);
		if (pl->u.typed.type == IKE_ID_IPV4_ADDR &&
		    pl->u.typed.len == 4)
			emit_ipv4("isakmp.id.data.ipv4_addr", pl->u.typed.data);
		break;
	case IKE_PLD_AUTH:
		emit("isakmp.auth.method", "%u", pl->u.typed.type);
		emit_hex("isakmp.auth.data", pl->u.typed.data, pl->u.typed.len);
		break;
	case IKE_PLD_DELETE:
		emit("isakmp.delete.protoid", "%u", pl->u.del.proto);
		emit("isakmp.spisize", "%u", pl->u.del.spi_len);
		emit("isakmp.spinum", "%u", pl->u.del.count);
		for (i = 0; i < pl->u.del.count; i++)
			emit_hex("isakmp.delete.spi",
				 pl->u.del.spis + i * pl->u.del.spi_len,
				 pl->u.del.spi_len);
		break;
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		emit_ts(m, pl);
		break;
	default:
		break;
	}
}

static inline void
emit_pld(const struct ike_msg *m, const struct ike_pld *pl, bool all)
{
	switch (pl->type) {
	case IKE_PLD_SA:
		emit_sa(m, pl, all);
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
		emit_notify(pl, all);
		break;
	default:
		if (all)
			emit_pld_all(m, pl);
		break;
	}
}

/* The payloads of m in order, each followed by what it contains. */
static inline void
emit_chain(const struct ike_msg *m, bool all)
{
	size_t i;

	for (i = 0; i < m->npld; i++) {
		const struct ike_pld *pl = &m->pld[i];

		emit("isakmp.typepayload", "%u", pl->type);
		emit("isakmp.nextpayload", "%u",
		     pl->type == IKE_PLD_SK || pl->type == IKE_PLD_SKF
			     ? pl->u.sk.inner
		     : i + 1 < m->npld ? m->pld[i + 1].type
				       : IKE_PLD_NONE);
		if (all && pl->type == IKE_PLD_SKF) {
			emit("isakmp.frag.number", "%u", pl->u.sk.frag_num);
			emit("isakmp.frag.total", "%u", pl->u.sk.frag_total);
		}
		emit_pld(m, pl, all);
	}
}

/* The IKE header of m, a message of len octets, then its payloads. */
static inline void
emit_ike(const struct ike_msg *m, size_t len, bool all)
{
	emit_u64("isakmp.ispi", m->spi_i);
	emit_u64("isakmp.rspi", m->spi_r);
	emit("isakmp.nextpayload", "%u", ike_msg_first_type(m));
	emit("isakmp.version", "%u", m->major << 4 | m->minor);
	emit("isakmp.exchangetype", "%u", m->exchange);
	emit("name.exchange", "%s", ike_exchange_name(m->exchange));
	emit("isakmp.flags", "%u", m->flags);
	emit("isakmp.messageid", "%u", m->msg_id);
	emit("isakmp.length", "%zu", len);
	emit_chain(m, all);
}
#endif /* DMVPN_IKE_WIRE_H */

#endif /* VECTORS_H */
