/*
 * NHRP wire codec: RFC 2332 5.2-5.3 plus the Cisco DMVPN additions.  See
 * include/dmvpn/nhrp_wire.h for the contract and docs/nhrp-wire.md for the
 * layouts, the limits and every reason a packet is refused.
 *
 * Every byte goes through struct buf / struct wbuf.  The decoder reads a
 * fixed-size group of fields, then checks the sticky error once; every
 * length taken from the wire is checked against what is left before it is
 * used to cut a sub-reader.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dmvpn/buf.h"
#include "dmvpn/nhrp_wire.h"

/* The address lengths a packet's ar$afn and ar$pro.type allow. */
struct nhrp_lens {
	size_t nbma;
	size_t proto;
};

static bool
nhrp_is_indication(uint8_t type)
{
	return type == NHRP_ERROR_INDICATION || type == NHRP_TRAFFIC_INDICATION;
}

size_t
nhrp_afn_addr_len(uint16_t afn)
{
	switch (afn) {
	case NHRP_AFN_IPV4:
		return 4;
	case NHRP_AFN_IPV6:
		return 16;
	default:
		return 0;
	}
}

size_t
nhrp_pro_addr_len(uint16_t pro_type)
{
	switch (pro_type) {
	case NHRP_PRO_IPV4:
		return 4;
	case NHRP_PRO_IPV6:
		return 16;
	default:
		return 0;
	}
}

bool
nhrp_ext_has_cies(uint16_t type)
{
	switch (type) {
	case NHRP_EXT_RESPONDER:
	case NHRP_EXT_FWD_TRANSIT:
	case NHRP_EXT_REV_TRANSIT:
	case NHRP_EXT_NAT_ADDR:
		return true;
	default:
		return false;
	}
}

/*
 * RFC 2332 5.2: ar$chksum is the IP checksum (RFC 1071) over the whole
 * packet, an odd length padded with a zero octet.  The checksum field
 * itself counts as zero, so the result is what a sender stores.
 */
uint16_t
nhrp_checksum(const uint8_t *p, size_t len)
{
	struct buf b;
	uint32_t sum = 0;
	size_t off = 0;

	buf_init(&b, p, len);
	while (buf_left(&b) >= 2) {
		uint16_t word = buf_get_be16(&b);

		if (off != NHRP_OFF_CHKSUM)
			sum += word;
		sum = (sum & 0xffff) + (sum >> 16);
		off += 2;
	}
	if (buf_left(&b) == 1 && off != NHRP_OFF_CHKSUM)
		sum += (uint32_t)buf_get_u8(&b) << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The stored value must be exactly the one a sender computes: accepting
 * the other one's complement zero (0xffff for 0x0000) would make such a
 * packet impossible to re-encode byte for byte.
 */
bool
nhrp_checksum_ok(const uint8_t *p, size_t len)
{
	struct buf b;
	uint16_t stored;

	buf_init(&b, p, len);
	buf_skip(&b, NHRP_OFF_CHKSUM);
	stored = buf_get_be16(&b);
	if (!buf_ok(&b))
		return false;
	return stored == nhrp_checksum(p, len);
}

/* --- checks shared by the decoder and the encoder ------------------- */

static int
nhrp_check_nbma_len(size_t len, const struct nhrp_lens *l, const char **why)
{
	if (len != 0 && len != l->nbma) {
		*why = "NBMA address length does not match ar$afn";
		return -1;
	}
	return 0;
}

static int
nhrp_check_sub_len(size_t len, const char **why)
{
	if (len > NHRP_SUBADDR_MAX) {
		*why = "subaddress too long";
		return -1;
	}
	return 0;
}

static int
nhrp_check_proto_len(size_t len, const struct nhrp_lens *l, const char **why)
{
	if (len != 0 && len != l->proto) {
		*why = "protocol address length does not match ar$pro.type";
		return -1;
	}
	return 0;
}

/*
 * RFC 2332 5.2.0.1: a prefix length covers the protocol address bits; 0
 * and 0xff both mean "the whole address".
 */
static int
nhrp_check_prefix(uint8_t prefix_len, const struct nhrp_lens *l,
		  const char **why)
{
	if (prefix_len != 0xff && prefix_len > l->proto * 8) {
		*why = "bad CIE prefix length";
		return -1;
	}
	return 0;
}

static int
nhrp_lens_init(struct nhrp_lens *l, uint16_t afn, uint16_t pro_type,
	       const char **why)
{
	l->nbma = nhrp_afn_addr_len(afn);
	l->proto = nhrp_pro_addr_len(pro_type);
	if (l->nbma == 0) {
		*why = "unsupported address family";
		return -1;
	}
	if (l->proto == 0) {
		*why = "unsupported protocol type";
		return -1;
	}
	return 0;
}

/* --- decoder -------------------------------------------------------- */

/*
 * RFC 2332 5.2: an address type/length octet.  The reserved bit must be
 * clear and IP NBMA addresses are never E.164, so both bits must be 0;
 * what is left is the length.
 */
static int
nhrp_get_tl(uint8_t tl, size_t *len, const char **why)
{
	if (tl & (NHRP_TL_RESERVED | NHRP_TL_E164)) {
		*why = "bad address type/length";
		return -1;
	}
	*len = tl & NHRP_TL_LEN_MASK;
	return 0;
}

/* Copy len octets (already checked against the limits) into an address. */
static void
nhrp_get_addr(struct buf *b, size_t len, uint8_t *dst, uint8_t *dst_len)
{
	if (buf_copy(b, dst, len) == 0)
		*dst_len = (uint8_t)len;
}

/* One CIE (RFC 2332 5.2.0.1): 12 fixed octets, then three addresses. */
static int
nhrp_get_cie(struct buf *b, const struct nhrp_lens *l, struct nhrp_cie *c,
	     const char **why)
{
	uint8_t atl, satl;
	size_t alen, slen, plen;

	if (buf_left(b) < NHRP_CIE_LEN) {
		*why = "truncated CIE";
		return -1;
	}
	c->code = buf_get_u8(b);
	c->prefix_len = buf_get_u8(b);
	c->unused = buf_get_be16(b);
	c->mtu = buf_get_be16(b);
	c->holding_time = buf_get_be16(b);
	atl = buf_get_u8(b);
	satl = buf_get_u8(b);
	plen = buf_get_u8(b);
	c->preference = buf_get_u8(b);
	if (nhrp_get_tl(atl, &alen, why) == -1 ||
	    nhrp_get_tl(satl, &slen, why) == -1 ||
	    nhrp_check_nbma_len(alen, l, why) == -1 ||
	    nhrp_check_sub_len(slen, why) == -1 ||
	    nhrp_check_proto_len(plen, l, why) == -1 ||
	    nhrp_check_prefix(c->prefix_len, l, why) == -1)
		return -1;
	nhrp_get_addr(b, alen, c->nbma.a, &c->nbma.len);
	nhrp_get_addr(b, slen, c->nbma_sub.a, &c->nbma_sub.len);
	nhrp_get_addr(b, plen, c->proto.a, &c->proto.len);
	if (!buf_ok(b)) {
		*why = "truncated CIE";
		return -1;
	}
	return 0;
}

/* CIEs until b is used up, appended to tab[*count], at most max in all. */
static int
nhrp_get_cies(struct buf *b, const struct nhrp_lens *l, struct nhrp_cie *tab,
	      size_t max, size_t *count, const char *full, const char **why)
{
	while (buf_left(b) > 0) {
		if (*count >= max) {
			*why = full;
			return -1;
		}
		memset(&tab[*count], 0, sizeof(tab[*count]));
		if (nhrp_get_cie(b, l, &tab[*count], why) == -1)
			return -1;
		(*count)++;
	}
	return 0;
}

/* The body of one extension other than End, by type (RFC 2332 5.3.x). */
static int
nhrp_get_ext_body(struct buf *body, const struct nhrp_lens *l,
		  struct nhrp_msg *m, struct nhrp_ext *e, const char **why)
{
	size_t first = m->ext_cie_count;

	if (nhrp_ext_has_cies(e->type)) {
		if (nhrp_get_cies(body, l, m->ext_cie, NHRP_MAX_EXT_CIE,
				  &m->ext_cie_count, "too many extension CIEs",
				  why) == -1)
			return -1;
		e->cie_first = (uint8_t)first;
		e->cie_count = (uint8_t)(m->ext_cie_count - first);
		/* 5.3.1: the Responder Address extension is a single CIE. */
		if (e->type == NHRP_EXT_RESPONDER && e->cie_count > 1) {
			*why = "Responder Address with several CIEs";
			return -1;
		}
		return 0;
	}
	switch (e->type) {
	case NHRP_EXT_AUTH:
		/*
		 * 5.3.4.1: Reserved and SPI, then Src Addr and the data.  Cisco
		 * reads the first 32 bits as the authentication type and sends
		 * no Src Addr, so everything after them is the data.
		 */
		if (buf_left(body) < 4) {
			*why = "short Authentication extension";
			return -1;
		}
		e->spi = buf_get_be32(body);
		break;
	case NHRP_EXT_VENDOR:
		/* 5.3.5: a 24-bit IEEE vendor ID, then vendor data. */
		if (buf_left(body) < NHRP_VENDOR_ID_LEN) {
			*why = "short Vendor-Private extension";
			return -1;
		}
		e->vendor_id = (uint32_t)buf_get_u8(body) << 16;
		e->vendor_id |= buf_get_be16(body);
		break;
	default:
		/* 5.3: unknown, carried as is; compulsory ones are noted. */
		if (e->compulsory && !m->unknown_compulsory) {
			m->unknown_compulsory = true;
			m->unknown_off = e->off;
		}
		break;
	}
	e->data_len = (uint16_t)buf_left(body);
	e->data = buf_get_bytes(body, e->data_len);
	return 0;
}

/*
 * RFC 2332 5.3: TLVs from ar$extoff to ar$pktsz, closed by End, which
 * must be the last thing in the packet.
 */
static int
nhrp_get_exts(struct buf *b, size_t off, const struct nhrp_lens *l,
	      struct nhrp_msg *m, const char **why)
{
	struct buf body;
	struct nhrp_ext *e;
	uint16_t raw, len;

	for (;;) {
		if (buf_left(b) == 0) {
			*why = "missing End extension";
			return -1;
		}
		if (buf_left(b) < NHRP_EXT_HDR_LEN) {
			*why = "truncated extension";
			return -1;
		}
		raw = buf_get_be16(b);
		len = buf_get_be16(b);
		if (len > buf_left(b)) {
			*why = "extension length beyond packet";
			return -1;
		}
		buf_sub(b, len, &body);
		if ((raw & ~NHRP_EXT_COMPULSORY) == NHRP_EXT_END) {
			if (len != 0) {
				*why = "End extension with data";
				return -1;
			}
			if (buf_left(b) != 0) {
				*why = "data after End extension";
				return -1;
			}
			m->end_compulsory = (raw & NHRP_EXT_COMPULSORY) != 0;
			return 0;
		}
		if (m->ext_count >= NHRP_MAX_EXT) {
			*why = "too many extensions";
			return -1;
		}
		e = &m->ext[m->ext_count++];
		memset(e, 0, sizeof(*e));
		e->type = raw & ~NHRP_EXT_COMPULSORY;
		e->compulsory = (raw & NHRP_EXT_COMPULSORY) != 0;
		e->off = (uint16_t)off;
		if (nhrp_get_ext_body(&body, l, m, e, why) == -1)
			return -1;
		off += NHRP_EXT_HDR_LEN + len;
	}
}

/*
 * RFC 2332 5.2.0.1 and 5.2.7: the common header, the four addresses,
 * then CIEs (types 1-6) or the quoted packet (Error and Traffic
 * Indication, the latter laid out as Cisco sends it: unused, traffic
 * code, unused).
 */
static int
nhrp_get_mandatory(struct buf *b, uint8_t shtl, uint8_t sstl,
		   const struct nhrp_lens *l, struct nhrp_msg *m,
		   const char **why)
{
	size_t alen, slen, src_len, dst_len;

	src_len = buf_get_u8(b);
	dst_len = buf_get_u8(b);
	m->flags = buf_get_be16(b);
	switch (m->type) {
	case NHRP_ERROR_INDICATION:
		m->err_code = buf_get_be16(b);
		m->err_offset = buf_get_be16(b);
		break;
	case NHRP_TRAFFIC_INDICATION:
		m->traffic_code = buf_get_be16(b);
		m->traffic_unused = buf_get_be16(b);
		break;
	default:
		m->reqid = buf_get_be32(b);
		break;
	}
	if (!buf_ok(b)) {
		*why = "truncated mandatory part";
		return -1;
	}
	if (nhrp_get_tl(shtl, &alen, why) == -1 ||
	    nhrp_get_tl(sstl, &slen, why) == -1 ||
	    nhrp_check_nbma_len(alen, l, why) == -1 ||
	    nhrp_check_sub_len(slen, why) == -1 ||
	    nhrp_check_proto_len(src_len, l, why) == -1 ||
	    nhrp_check_proto_len(dst_len, l, why) == -1)
		return -1;
	nhrp_get_addr(b, alen, m->src_nbma.a, &m->src_nbma.len);
	nhrp_get_addr(b, slen, m->src_nbma_sub.a, &m->src_nbma_sub.len);
	nhrp_get_addr(b, src_len, m->src_proto.a, &m->src_proto.len);
	nhrp_get_addr(b, dst_len, m->dst_proto.a, &m->dst_proto.len);
	if (!buf_ok(b)) {
		*why = "truncated mandatory part";
		return -1;
	}
	if (nhrp_is_indication(m->type)) {
		m->payload_len = (uint16_t)buf_left(b);
		m->payload = buf_get_bytes(b, m->payload_len);
		return 0;
	}
	return nhrp_get_cies(b, l, m->cie, NHRP_MAX_CIE, &m->cie_count,
			     "too many CIEs", why);
}

int
nhrp_decode(const uint8_t *p, size_t len, struct nhrp_msg *m, const char **why)
{
	struct buf b, mand, exts;
	struct nhrp_lens l;
	const char *unused_why;
	uint16_t pktsz, extoff;
	uint8_t shtl, sstl;

	if (why == NULL)
		why = &unused_why;
	memset(m, 0, sizeof(*m));
	m->end_compulsory = true; /* as nhrp_msg_init(); End may say else */

	/* RFC 2332 5.2: the fixed header. */
	buf_init(&b, p, len);
	m->afn = buf_get_be16(&b);
	m->pro_type = buf_get_be16(&b);
	buf_copy(&b, m->pro_snap, NHRP_SNAP_LEN);
	m->hop_count = buf_get_u8(&b);
	pktsz = buf_get_be16(&b);
	buf_skip(&b, 2); /* ar$chksum, checked over the whole packet */
	extoff = buf_get_be16(&b);
	m->version = buf_get_u8(&b);
	m->type = buf_get_u8(&b);
	shtl = buf_get_u8(&b);
	sstl = buf_get_u8(&b);
	if (!buf_ok(&b)) {
		*why = "truncated fixed header";
		return -1;
	}
	if (pktsz < NHRP_FIXED_LEN) {
		*why = "ar$pktsz below fixed header";
		return -1;
	}
	if (pktsz > len) {
		*why = "truncated packet";
		return -1;
	}
	if (pktsz < len) {
		*why = "trailing bytes after packet";
		return -1;
	}
	if (!nhrp_checksum_ok(p, len)) {
		*why = "bad checksum";
		return -1;
	}
	if (m->version != NHRP_VERSION) {
		*why = "unsupported version";
		return -1;
	}
	if (m->type < NHRP_RESOLUTION_REQUEST ||
	    m->type > NHRP_TRAFFIC_INDICATION) {
		*why = "unknown packet type";
		return -1;
	}
	/* 5.2: a packet that reaches us with no hops left is not processed. */
	if (m->hop_count == 0) {
		*why = "hop count is zero";
		return -1;
	}
	if (nhrp_lens_init(&l, m->afn, m->pro_type, why) == -1)
		return -1;
	if (extoff != 0 && (extoff < NHRP_FIXED_LEN || extoff > pktsz)) {
		*why = "bad ar$extoff";
		return -1;
	}

	buf_sub(&b, (extoff != 0 ? extoff : pktsz) - NHRP_FIXED_LEN, &mand);
	if (nhrp_get_mandatory(&mand, shtl, sstl, &l, m, why) == -1)
		return -1;
	if (extoff == 0)
		return 0;
	m->ext_present = true;
	buf_sub(&b, buf_left(&b), &exts);
	return nhrp_get_exts(&exts, extoff, &l, m, why);
}

/* --- encoder -------------------------------------------------------- */

static int
nhrp_check_cie(const struct nhrp_cie *c, const struct nhrp_lens *l,
	       const char **why)
{
	if (nhrp_check_nbma_len(c->nbma.len, l, why) == -1 ||
	    nhrp_check_sub_len(c->nbma_sub.len, why) == -1 ||
	    nhrp_check_proto_len(c->proto.len, l, why) == -1 ||
	    nhrp_check_prefix(c->prefix_len, l, why) == -1)
		return -1;
	return 0;
}

static int
nhrp_put_cie(struct wbuf *w, const struct nhrp_cie *c,
	     const struct nhrp_lens *l, const char **why)
{
	if (nhrp_check_cie(c, l, why) == -1)
		return -1;
	buf_put_u8(w, c->code);
	buf_put_u8(w, c->prefix_len);
	buf_put_be16(w, c->unused);
	buf_put_be16(w, c->mtu);
	buf_put_be16(w, c->holding_time);
	buf_put_u8(w, c->nbma.len);
	buf_put_u8(w, c->nbma_sub.len);
	buf_put_u8(w, c->proto.len);
	buf_put_u8(w, c->preference);
	buf_put_bytes(w, c->nbma.a, c->nbma.len);
	buf_put_bytes(w, c->nbma_sub.a, c->nbma_sub.len);
	buf_put_bytes(w, c->proto.a, c->proto.len);
	return 0;
}

static int
nhrp_put_data(struct wbuf *w, const uint8_t *data, size_t len, const char **why)
{
	if (len > 0 && data == NULL) {
		*why = "missing extension data";
		return -1;
	}
	buf_put_bytes(w, data, len);
	return 0;
}

/* The body of one extension, the mirror of nhrp_get_ext_body(). */
static int
nhrp_put_ext_body(struct wbuf *w, const struct nhrp_msg *m,
		  const struct nhrp_ext *e, const struct nhrp_lens *l,
		  const char **why)
{
	size_t i;

	if (nhrp_ext_has_cies(e->type)) {
		if ((size_t)e->cie_first + e->cie_count > m->ext_cie_count) {
			*why = "bad extension CIE range";
			return -1;
		}
		if (e->type == NHRP_EXT_RESPONDER && e->cie_count > 1) {
			*why = "Responder Address with several CIEs";
			return -1;
		}
		for (i = 0; i < e->cie_count; i++)
			if (nhrp_put_cie(w, &m->ext_cie[e->cie_first + i], l,
					 why) == -1)
				return -1;
		return 0;
	}
	switch (e->type) {
	case NHRP_EXT_AUTH:
		buf_put_be32(w, e->spi);
		break;
	case NHRP_EXT_VENDOR:
		if (e->vendor_id > 0xffffff) {
			*why = "bad vendor ID";
			return -1;
		}
		buf_put_u8(w, (uint8_t)(e->vendor_id >> 16));
		buf_put_be16(w, (uint16_t)e->vendor_id);
		break;
	default:
		break;
	}
	return nhrp_put_data(w, e->data, e->data_len, why);
}

/* RFC 2332 5.3: the extensions in the order given, then End. */
static int
nhrp_put_exts(struct wbuf *w, const struct nhrp_msg *m,
	      const struct nhrp_lens *l, const char **why)
{
	const struct nhrp_ext *e;
	size_t i, len_off, body;
	uint16_t raw;

	for (i = 0; i < m->ext_count; i++) {
		e = &m->ext[i];
		if (e->type == NHRP_EXT_END || e->type > 0x7fff) {
			*why = "bad extension type";
			return -1;
		}
		raw = e->type;
		if (e->compulsory)
			raw |= NHRP_EXT_COMPULSORY;
		buf_put_be16(w, raw);
		len_off = buf_reserve(w, 2);
		body = wbuf_len(w);
		if (nhrp_put_ext_body(w, m, e, l, why) == -1)
			return -1;
		if (wbuf_len(w) - body > 0xffff) {
			*why = "extension too long";
			return -1;
		}
		buf_patch_be16(w, len_off, (uint16_t)(wbuf_len(w) - body));
	}
	buf_put_be16(w, m->end_compulsory ? NHRP_EXT_COMPULSORY : 0);
	buf_put_be16(w, 0);
	return 0;
}

/* Everything the decoder would refuse in the fields before the CIEs. */
static int
nhrp_check_msg(const struct nhrp_msg *m, const struct nhrp_lens *l,
	       const char **why)
{
	if (m->version != NHRP_VERSION) {
		*why = "unsupported version";
		return -1;
	}
	if (m->type < NHRP_RESOLUTION_REQUEST ||
	    m->type > NHRP_TRAFFIC_INDICATION) {
		*why = "unknown packet type";
		return -1;
	}
	if (m->hop_count == 0) {
		*why = "hop count is zero";
		return -1;
	}
	if (nhrp_check_nbma_len(m->src_nbma.len, l, why) == -1 ||
	    nhrp_check_sub_len(m->src_nbma_sub.len, why) == -1 ||
	    nhrp_check_proto_len(m->src_proto.len, l, why) == -1 ||
	    nhrp_check_proto_len(m->dst_proto.len, l, why) == -1)
		return -1;
	if (m->cie_count > NHRP_MAX_CIE) {
		*why = "too many CIEs";
		return -1;
	}
	if (m->ext_count > NHRP_MAX_EXT) {
		*why = "too many extensions";
		return -1;
	}
	if (m->ext_cie_count > NHRP_MAX_EXT_CIE) {
		*why = "too many extension CIEs";
		return -1;
	}
	if (nhrp_is_indication(m->type)) {
		if (m->cie_count != 0) {
			*why = "CIEs in an indication";
			return -1;
		}
		if (m->payload_len > 0 && m->payload == NULL) {
			*why = "missing payload";
			return -1;
		}
	} else if (m->payload_len != 0) {
		*why = "payload in a packet type without one";
		return -1;
	}
	return 0;
}

int
nhrp_encode(const struct nhrp_msg *m, struct wbuf *w, const char **why)
{
	struct nhrp_lens l;
	const char *unused_why;
	size_t i, start, size, extoff = 0;

	if (why == NULL)
		why = &unused_why;
	if (nhrp_lens_init(&l, m->afn, m->pro_type, why) == -1 ||
	    nhrp_check_msg(m, &l, why) == -1)
		return -1;
	start = wbuf_len(w);

	/* RFC 2332 5.2: fixed header; size, checksum, extoff patched below */
	buf_put_be16(w, m->afn);
	buf_put_be16(w, m->pro_type);
	buf_put_bytes(w, m->pro_snap, NHRP_SNAP_LEN);
	buf_put_u8(w, m->hop_count);
	buf_reserve(w, 2 + 2 + 2);
	buf_put_u8(w, m->version);
	buf_put_u8(w, m->type);
	buf_put_u8(w, m->src_nbma.len);
	buf_put_u8(w, m->src_nbma_sub.len);

	/* 5.2.0.1, 5.2.7: the mandatory part */
	buf_put_u8(w, m->src_proto.len);
	buf_put_u8(w, m->dst_proto.len);
	buf_put_be16(w, m->flags);
	switch (m->type) {
	case NHRP_ERROR_INDICATION:
		buf_put_be16(w, m->err_code);
		buf_put_be16(w, m->err_offset);
		break;
	case NHRP_TRAFFIC_INDICATION:
		buf_put_be16(w, m->traffic_code);
		buf_put_be16(w, m->traffic_unused);
		break;
	default:
		buf_put_be32(w, m->reqid);
		break;
	}
	buf_put_bytes(w, m->src_nbma.a, m->src_nbma.len);
	buf_put_bytes(w, m->src_nbma_sub.a, m->src_nbma_sub.len);
	buf_put_bytes(w, m->src_proto.a, m->src_proto.len);
	buf_put_bytes(w, m->dst_proto.a, m->dst_proto.len);
	if (nhrp_is_indication(m->type))
		buf_put_bytes(w, m->payload, m->payload_len);
	for (i = 0; i < m->cie_count; i++)
		if (nhrp_put_cie(w, &m->cie[i], &l, why) == -1)
			return -1;

	/* 5.3: extensions */
	if (m->ext_present || m->ext_count > 0) {
		extoff = wbuf_len(w) - start;
		if (nhrp_put_exts(w, m, &l, why) == -1)
			return -1;
	}

	if (!wbuf_ok(w)) {
		*why = "output buffer too small";
		return -1;
	}
	size = wbuf_len(w) - start;
	if (size > NHRP_MAX_PKT) {
		*why = "packet too long";
		return -1;
	}
	buf_patch_be16(w, start + NHRP_OFF_PKTSZ, (uint16_t)size);
	buf_patch_be16(w, start + NHRP_OFF_EXTOFF, (uint16_t)extoff);
	buf_patch_be16(w, start + NHRP_OFF_CHKSUM,
		       nhrp_checksum(w->p + start, size));
	return 0;
}

/* --- helpers for building messages ---------------------------------- */

void
nhrp_msg_init(struct nhrp_msg *m, uint8_t type, uint16_t afn, uint16_t pro_type)
{
	memset(m, 0, sizeof(*m));
	m->afn = afn;
	m->pro_type = pro_type;
	m->hop_count = NHRP_HOPCNT_DEFAULT;
	m->version = NHRP_VERSION;
	m->type = type;
	/*
	 * RFC 2332 5.2.7: no extensions in an Error Indication; Cisco and
	 * FRR send Traffic Indications without any either.  The others get
	 * an extensions part (just End until something is added), as FRR
	 * sends them; 5.3.0 makes End compulsory.
	 */
	m->ext_present = !nhrp_is_indication(type);
	m->end_compulsory = true;
}

int
nhrp_addr_set(struct nhrp_addr *a, const void *p, size_t len)
{
	if (len > NHRP_ADDR_MAX || (len > 0 && p == NULL))
		return -1;
	if (len > 0)
		memcpy(a->a, p, len);
	a->len = (uint8_t)len;
	return 0;
}

struct nhrp_cie *
nhrp_msg_add_cie(struct nhrp_msg *m)
{
	struct nhrp_cie *c;

	if (m->cie_count >= NHRP_MAX_CIE)
		return NULL;
	c = &m->cie[m->cie_count++];
	memset(c, 0, sizeof(*c));
	return c;
}

struct nhrp_ext *
nhrp_msg_add_ext(struct nhrp_msg *m, uint16_t type, bool compulsory)
{
	struct nhrp_ext *e;

	if (m->ext_count >= NHRP_MAX_EXT || type == NHRP_EXT_END ||
	    type > 0x7fff)
		return NULL;
	e = &m->ext[m->ext_count++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->compulsory = compulsory;
	/* CIE pool order follows extension order (see nhrp_ext_add_cie). */
	e->cie_first = (uint8_t)m->ext_cie_count;
	m->ext_present = true;
	return e;
}

/*
 * The pool m->ext_cie holds the CIE lists back to back in extension
 * order, so adding to one list shifts the lists of the extensions after
 * it by one.
 */
struct nhrp_cie *
nhrp_ext_add_cie(struct nhrp_msg *m, struct nhrp_ext *e)
{
	struct nhrp_cie *c;
	size_t i, idx, at;

	for (idx = 0; idx < m->ext_count; idx++)
		if (&m->ext[idx] == e)
			break;
	if (idx == m->ext_count || !nhrp_ext_has_cies(e->type) ||
	    m->ext_cie_count >= NHRP_MAX_EXT_CIE ||
	    (size_t)e->cie_first + e->cie_count > m->ext_cie_count ||
	    (e->type == NHRP_EXT_RESPONDER && e->cie_count > 0))
		return NULL;
	at = (size_t)e->cie_first + e->cie_count;
	memmove(&m->ext_cie[at + 1], &m->ext_cie[at],
		(m->ext_cie_count - at) * sizeof(m->ext_cie[0]));
	m->ext_cie_count++;
	for (i = idx + 1; i < m->ext_count; i++)
		if (nhrp_ext_has_cies(m->ext[i].type) &&
		    m->ext[i].cie_first >= at)
			m->ext[i].cie_first++;
	e->cie_count++;
	c = &m->ext_cie[at];
	memset(c, 0, sizeof(*c));
	return c;
}

const struct nhrp_cie *
nhrp_ext_cie(const struct nhrp_msg *m, const struct nhrp_ext *e, size_t i)
{
	if (!nhrp_ext_has_cies(e->type) || i >= e->cie_count ||
	    (size_t)e->cie_first + i >= m->ext_cie_count ||
	    (size_t)e->cie_first + i >= NHRP_MAX_EXT_CIE)
		return NULL;
	return &m->ext_cie[e->cie_first + i];
}

int
nhrp_ext_find(const struct nhrp_msg *m, uint16_t type)
{
	size_t i;

	for (i = 0; i < m->ext_count && i < NHRP_MAX_EXT; i++)
		if (m->ext[i].type == type)
			return (int)i;
	return -1;
}
