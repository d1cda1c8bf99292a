/*
 * IKEv2 wire decoder: RFC 7296 section 3, RFC 7383 2.5, RFC 3948 2.2-2.3.
 * See include/dmvpn/ike_wire.h for the contract; the encoder is in
 * ike_wire_enc.c, the name tables in ike_wire_names.c.
 *
 * Every byte goes through struct buf.  Each structure (header, generic
 * payload header, proposal, transform, attribute, selector) is read as a
 * group of fields and the sticky error checked once; every length taken
 * from the wire is checked against what is left before a sub-reader is cut
 * with it, so a length can never reach past its enclosing structure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dmvpn/buf.h"
#include "dmvpn/ike_wire.h"

/* Payload types a message may carry at most once (our engine's rule). */
static bool
ike_pld_single(uint8_t type)
{
	switch (type) {
	case IKE_PLD_SA:
	case IKE_PLD_KE:
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
	case IKE_PLD_AUTH:
	case IKE_PLD_NONCE:
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		return true;
	default:
		return false;
	}
}

/* The payload types whose body we decode; the others are kept opaque. */
static bool
ike_pld_known(uint8_t type)
{
	return (type >= IKE_PLD_SA && type <= IKE_PLD_SK &&
		type != IKE_PLD_CP) ||
	       type == IKE_PLD_SKF;
}

uint32_t
ike_spi32(const uint8_t *spi, size_t len)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < len && i < 4; i++)
		v = v << 8 | spi[i];
	return v;
}

uint32_t
ike_delete_spi(const struct ike_pld *del, size_t i)
{
	if (del->type != IKE_PLD_DELETE || del->u.del.spi_len != 4 ||
	    i >= del->u.del.count)
		return 0;
	return ike_spi32(del->u.del.spis + 4 * i, 4);
}

/* --- the header and the receive path -------------------------------- */

struct ike_hdr {
	uint64_t spi_i, spi_r;
	uint8_t np, major, minor, exchange, flags;
	uint32_t msg_id, length;
};

/*
 * RFC 7296 3.1.  Fills h as far as the header could be read, so that an
 * INVALID_MAJOR_VERSION answer can name the SPIs and message ID (2.5: the
 * version is checked before anything else but the length).
 */
static int
ike_get_hdr(struct buf *b, size_t len, struct ike_hdr *h, uint16_t *notify,
	    const char **why)
{
	uint8_t ver;

	*notify = 0;
	h->spi_i = buf_get_be64(b);
	h->spi_r = buf_get_be64(b);
	h->np = buf_get_u8(b);
	ver = buf_get_u8(b);
	h->exchange = buf_get_u8(b);
	h->flags = buf_get_u8(b) & IKE_FLAGS_ALL;
	h->msg_id = buf_get_be32(b);
	h->length = buf_get_be32(b);
	if (!buf_ok(b)) {
		*why = "truncated IKE header";
		return -1;
	}
	h->major = ver >> 4;
	h->minor = ver & 0x0f;
	if (h->major != IKE_VERSION_MAJOR) {
		/* 2.5: a higher major version is answered, lower ones too */
		*notify = IKE_N_INVALID_MAJOR_VERSION;
		*why = "unsupported IKE major version";
		return -1;
	}
	*notify = IKE_N_INVALID_SYNTAX;
	if (len > IKE_MAX_MSG) {
		*why = "IKE message too long";
		return -1;
	}
	if (h->length != len) {
		*why = "IKE length does not match the datagram";
		return -1;
	}
	return 0;
}

int
ike_peek(const uint8_t *p, size_t len, bool natt, struct ike_peek *pk,
	 const char **why)
{
	struct ike_hdr h;
	struct buf b;
	int rc;

	memset(pk, 0, sizeof(*pk));
	buf_init(&b, p, len);
	if (natt) {
		/* RFC 3948 2.3: a NAT-keepalive is one octet, 0xff */
		if (len == 1 && p[0] == 0xff) {
			pk->kind = IKE_DGRAM_KEEPALIVE;
			return 0;
		}
		/*
		 * 2.2: IKE follows a zero non-ESP marker; anything else is
		 * ESP whose SPI is never zero (RFC 4303 2.1), which the
		 * kernel's UDP_ENCAP socket normally consumes itself.
		 */
		if (len < IKE_NON_ESP_LEN) {
			*why = "datagram too short for UDP/4500";
			return -1;
		}
		if (buf_get_be32(&b) != 0) {
			pk->kind = IKE_DGRAM_ESP;
			return 0;
		}
		pk->off = IKE_NON_ESP_LEN;
	}
	pk->kind = IKE_DGRAM_IKE;
	pk->len = len - pk->off;
	*why = NULL;
	rc = ike_get_hdr(&b, pk->len, &h, &pk->err_notify, why);
	if (rc == -1 && !buf_ok(&b))
		return -1;
	pk->spi_i = h.spi_i;
	pk->spi_r = h.spi_r;
	pk->np = h.np;
	pk->major = h.major;
	pk->minor = h.minor;
	pk->exchange = h.exchange;
	pk->flags = h.flags;
	pk->msg_id = h.msg_id;
	if (rc == 0)
		pk->err_notify = 0;
	return rc;
}

/* --- payload bodies ------------------------------------------------- */

/* RFC 7296 3.3.1: SPI Size per protocol: IKE 0 or 8 (rekey), AH/ESP 4. */
static int
ike_check_spi_len(uint8_t proto, size_t len, const char **why)
{
	bool ok;

	switch (proto) {
	case IKE_PROTO_IKE:
		ok = len == 0 || len == 8;
		break;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		ok = len == 4;
		break;
	default:
		ok = len <= IKE_SPI_MAX;
		break;
	}
	if (!ok) {
		*why = "bad SPI size for the protocol";
		return -1;
	}
	return 0;
}

/*
 * RFC 7296 3.3.5: attributes.  Key Length (TV) goes to x->key_len; any
 * other attribute is kept so the engine can skip the transform (3.3.6).
 */
static int
ike_get_attrs(struct ike_msg *m, struct buf *b, struct ike_xform *x,
	      struct ike_prop *pr, const char **why)
{
	bool have_key_len = false;

	x->attr_first = (uint8_t)m->nattr;
	while (buf_left(b) > 0) {
		uint16_t af_type = buf_get_be16(b), value = buf_get_be16(b);
		struct ike_attr *a;
		const uint8_t *data = NULL;

		if (!buf_ok(b)) {
			*why = "truncated transform attribute";
			return -1;
		}
		if (!(af_type & IKE_ATTR_TV)) {
			data = buf_get_bytes(b, value);
			if (data == NULL) {
				*why = "transform attribute length exceeds "
				       "transform";
				return -1;
			}
		}
		if ((af_type & ~IKE_ATTR_TV) == IKE_ATTR_KEY_LEN) {
			if (!(af_type & IKE_ATTR_TV)) {
				*why = "Key Length attribute not in TV form";
				return -1;
			}
			if (have_key_len) {
				*why = "duplicate Key Length attribute";
				return -1;
			}
			if (value == 0) {
				*why = "Key Length attribute of 0";
				return -1;
			}
			have_key_len = true;
			x->key_len = value;
			continue;
		}
		if (m->nattr == IKE_MAX_ATTRS) {
			*why = "too many transform attributes";
			return -1;
		}
		a = &m->attr[m->nattr++];
		a->type = af_type & (uint16_t)~IKE_ATTR_TV;
		a->tv = (af_type & IKE_ATTR_TV) != 0;
		a->value = a->tv ? value : 0;
		a->data = data;
		a->len = a->tv ? 0 : value;
		x->attr_count++;
		pr->unknown = true;
	}
	return 0;
}

/* RFC 7296 3.3.2: the transforms of one proposal. */
static int
ike_get_xforms(struct ike_msg *m, struct buf *b, struct ike_prop *pr,
	       uint8_t declared, const char **why)
{
	pr->xf_first = (uint16_t)m->nxform;
	while (buf_left(b) > 0) {
		struct ike_xform *x;
		struct buf attrs;
		uint16_t tlen;

		if (m->nxform == IKE_MAX_TRANSFORMS) {
			*why = "too many transforms";
			return -1;
		}
		x = &m->xform[m->nxform];
		memset(x, 0, sizeof(*x));
		buf_get_u8(b); /* Last Substruc: the lengths say it */
		buf_get_u8(b); /* RESERVED */
		tlen = buf_get_be16(b);
		x->type = buf_get_u8(b);
		buf_get_u8(b); /* RESERVED */
		x->id = buf_get_be16(b);
		if (!buf_ok(b)) {
			*why = "truncated transform";
			return -1;
		}
		if (tlen < 8 || buf_sub(b, (size_t)tlen - 8, &attrs) == -1) {
			*why = "bad transform length";
			return -1;
		}
		if (ike_get_attrs(m, &attrs, x, pr, why) == -1)
			return -1;
		if (x->type < IKE_XF_ENCR || x->type > IKE_XF_ESN)
			pr->unknown = true;
		m->nxform++;
		pr->xf_count++;
	}
	if (pr->xf_count != declared) {
		*why = "transform count does not match the proposal";
		return -1;
	}
	return 0;
}

/* RFC 7296 3.3: SA payload = proposals; 3.3.1 numbers them 1, 2... */
static int
ike_get_sa(struct ike_msg *m, struct ike_pld *pl, struct buf *b,
	   const char **why)
{
	pl->u.sa.first = (uint8_t)m->nprop;
	pl->u.sa.count = 0;
	while (buf_left(b) > 0) {
		struct ike_prop *pr;
		struct buf xfs;
		uint16_t plen;
		uint8_t ntx;

		if (m->nprop == IKE_MAX_PROPOSALS) {
			*why = "too many proposals";
			return -1;
		}
		pr = &m->prop[m->nprop];
		memset(pr, 0, sizeof(*pr));
		buf_get_u8(b); /* Last Substruc: the lengths say it */
		buf_get_u8(b); /* RESERVED */
		plen = buf_get_be16(b);
		pr->num = buf_get_u8(b);
		pr->proto = buf_get_u8(b);
		pr->spi_len = buf_get_u8(b);
		ntx = buf_get_u8(b);
		if (!buf_ok(b)) {
			*why = "truncated proposal";
			return -1;
		}
		if (plen < 8 || buf_sub(b, (size_t)plen - 8, &xfs) == -1) {
			*why = "bad proposal length";
			return -1;
		}
		if (ike_check_spi_len(pr->proto, pr->spi_len, why) == -1)
			return -1;
		if (buf_copy(&xfs, pr->spi, pr->spi_len) == -1) {
			*why = "proposal SPI exceeds proposal";
			return -1;
		}
		if (ntx == 0) {
			*why = "proposal without transforms";
			return -1;
		}
		/*
		 * 3.3.1: the first proposal is 1, each next one more; a
		 * response's single proposal carries the chosen number.
		 */
		if (pr->num == 0 ||
		    (pl->u.sa.count > 0 &&
		     pr->num != m->prop[m->nprop - 1].num + 1) ||
		    (pl->u.sa.count == 1 && m->prop[m->nprop - 1].num != 1)) {
			*why = "bad proposal numbering";
			return -1;
		}
		if (ike_get_xforms(m, &xfs, pr, ntx, why) == -1)
			return -1;
		m->nprop++;
		pl->u.sa.count++;
	}
	if (pl->u.sa.count == 0) {
		*why = "SA payload without proposals";
		return -1;
	}
	return 0;
}

/* RFC 7296 3.4: KE = group, RESERVED(2), key exchange data. */
static int
ike_get_ke(struct ike_pld *pl, struct buf *b, const char **why)
{
	pl->u.typed.type = buf_get_be16(b);
	buf_get_be16(b);
	if (!buf_ok(b)) {
		*why = "truncated KE payload";
		return -1;
	}
	if (buf_left(b) == 0) {
		*why = "KE payload without data";
		return -1;
	}
	pl->u.typed.len = (uint16_t)buf_left(b);
	pl->u.typed.data = buf_get_bytes(b, buf_left(b));
	return 0;
}

/*
 * RFC 7296 3.5, 3.6, 3.7, 3.8: a type octet, 3 RESERVED octets (not for
 * CERT and CERTREQ), then data.
 */
static int
ike_get_typed(struct ike_pld *pl, struct buf *b, const char **why)
{
	bool reserved = pl->type != IKE_PLD_CERT && pl->type != IKE_PLD_CERTREQ;
	size_t len;

	pl->u.typed.type = buf_get_u8(b);
	if (reserved)
		buf_skip(b, 3);
	if (!buf_ok(b)) {
		*why = "truncated ID, CERT or AUTH payload";
		return -1;
	}
	len = buf_left(b);
	if (len == 0 && pl->type != IKE_PLD_CERTREQ) {
		*why = "empty ID, CERT or AUTH data";
		return -1;
	}
	if (pl->type == IKE_PLD_IDI || pl->type == IKE_PLD_IDR) {
		if ((pl->u.typed.type == IKE_ID_IPV4_ADDR && len != 4) ||
		    (pl->u.typed.type == IKE_ID_IPV6_ADDR && len != 16)) {
			*why = "bad ID address length";
			return -1;
		}
	}
	pl->u.typed.len = (uint16_t)len;
	pl->u.typed.data = buf_get_bytes(b, len);
	return 0;
}

/* RFC 7296 3.10.1: the notify data lengths we can check. */
static int
ike_check_notify_data(const struct ike_notify *n, const char **why)
{
	switch (n->type) {
	case IKE_N_INVALID_KE_PAYLOAD:
		if (n->data_len != 2) {
			*why = "INVALID_KE_PAYLOAD data is not a group";
			return -1;
		}
		break;
	case IKE_N_NATD_SRC:
	case IKE_N_NATD_DST:
		if (n->data_len != IKE_NATD_HASH_LEN) {
			*why = "NAT detection hash is not 20 octets";
			return -1;
		}
		break;
	case IKE_N_COOKIE:
		if (n->data_len < 1 || n->data_len > IKE_COOKIE_MAX) {
			*why = "bad COOKIE length";
			return -1;
		}
		break;
	case IKE_N_SIG_HASH_ALGS:
		/* RFC 7427 4: a list of 2-octet hash algorithm numbers */
		if (n->data_len % 2 != 0) {
			*why = "odd SIGNATURE_HASH_ALGORITHMS length";
			return -1;
		}
		break;
	case IKE_N_REKEY_SA:
		if (n->spi_len != 4) {
			*why = "REKEY_SA without a 4-octet SPI";
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* RFC 7296 3.10: protocol, SPI size, type, SPI, data. */
static int
ike_get_notify(struct ike_pld *pl, struct buf *b, const char **why)
{
	struct ike_notify *n = &pl->u.n;

	n->proto = buf_get_u8(b);
	n->spi_len = buf_get_u8(b);
	n->type = buf_get_be16(b);
	if (!buf_ok(b)) {
		*why = "truncated Notify payload";
		return -1;
	}
	if (n->spi_len > IKE_SPI_MAX) {
		*why = "bad notify SPI size";
		return -1;
	}
	if (buf_copy(b, n->spi, n->spi_len) == -1) {
		*why = "notify SPI exceeds payload";
		return -1;
	}
	n->data_len = (uint16_t)buf_left(b);
	n->data = buf_get_bytes(b, n->data_len);
	if (ike_check_notify_data(n, why) == -1)
		return -1;
	if (n->type == IKE_N_INVALID_KE_PAYLOAD)
		n->group = (uint16_t)(n->data[0] << 8 | n->data[1]);
	return 0;
}

/* RFC 7296 3.11: protocol, SPI size, number of SPIs, SPIs. */
static int
ike_get_delete(struct ike_pld *pl, struct buf *b, const char **why)
{
	size_t need;

	pl->u.del.proto = buf_get_u8(b);
	pl->u.del.spi_len = buf_get_u8(b);
	pl->u.del.count = buf_get_be16(b);
	if (!buf_ok(b)) {
		*why = "truncated Delete payload";
		return -1;
	}
	if ((pl->u.del.proto == IKE_PROTO_IKE && pl->u.del.spi_len != 0) ||
	    ((pl->u.del.proto == IKE_PROTO_ESP ||
	      pl->u.del.proto == IKE_PROTO_AH) &&
	     pl->u.del.spi_len != 4) ||
	    pl->u.del.proto == IKE_PROTO_NONE) {
		*why = "bad Delete protocol or SPI size";
		return -1;
	}
	need = (size_t)pl->u.del.spi_len * pl->u.del.count;
	if (need != buf_left(b)) {
		*why = "Delete SPI count does not match its length";
		return -1;
	}
	pl->u.del.spis = buf_get_bytes(b, need);
	return 0;
}

/* Compare two addresses as numbers, for 3.13.1's start <= end. */
static bool
ike_addr_le(const uint8_t *a, const uint8_t *b, size_t len)
{
	return memcmp(a, b, len) <= 0;
}

/* RFC 7296 3.13.1: one traffic selector. */
static int
ike_get_one_ts(struct buf *b, struct ike_ts *ts, const char **why)
{
	struct buf sel;
	uint16_t slen;
	size_t alen;

	memset(ts, 0, sizeof(*ts));
	ts->type = buf_get_u8(b);
	ts->proto = buf_get_u8(b);
	slen = buf_get_be16(b);
	if (!buf_ok(b)) {
		*why = "truncated traffic selector";
		return -1;
	}
	if (slen < 4 || buf_sub(b, (size_t)slen - 4, &sel) == -1) {
		*why = "bad traffic selector length";
		return -1;
	}
	switch (ts->type) {
	case IKE_TS_IPV4_ADDR_RANGE:
		alen = 4;
		break;
	case IKE_TS_IPV6_ADDR_RANGE:
		alen = 16;
		break;
	default:
		/* Kept opaque: the engine narrows it away (2.9) */
		ts->raw_len = (uint16_t)buf_left(&sel);
		ts->raw = buf_get_bytes(&sel, ts->raw_len);
		return 0;
	}
	if (slen != 8 + 2 * alen) {
		*why = "traffic selector length does not match its type";
		return -1;
	}
	ts->start_port = buf_get_be16(&sel);
	ts->end_port = buf_get_be16(&sel);
	buf_copy(&sel, ts->start, alen);
	buf_copy(&sel, ts->end, alen);
	/* 3.13.1: start > end only as OPAQUE ports, 65535..0 */
	if (ts->start_port > ts->end_port &&
	    !(ts->start_port == 65535 && ts->end_port == 0)) {
		*why = "traffic selector start port above end port";
		return -1;
	}
	if (!ike_addr_le(ts->start, ts->end, alen)) {
		*why = "traffic selector start address above end address";
		return -1;
	}
	return 0;
}

/* RFC 7296 3.13: number of TSs, RESERVED(3), selectors. */
static int
ike_get_tsp(struct ike_msg *m, struct ike_pld *pl, struct buf *b,
	    const char **why)
{
	uint8_t declared = buf_get_u8(b);

	buf_skip(b, 3);
	if (!buf_ok(b)) {
		*why = "truncated TS payload";
		return -1;
	}
	pl->u.ts.first = (uint8_t)m->nts;
	pl->u.ts.count = 0;
	while (buf_left(b) > 0) {
		if (m->nts == IKE_MAX_TS) {
			*why = "too many traffic selectors";
			return -1;
		}
		if (ike_get_one_ts(b, &m->ts[m->nts], why) == -1)
			return -1;
		m->nts++;
		pl->u.ts.count++;
	}
	if (declared == 0 || pl->u.ts.count != declared) {
		*why = "TS count does not match the payload";
		return -1;
	}
	return 0;
}

/*
 * RFC 7296 3.14, RFC 7383 2.5: SK and SKF bodies stay opaque; record
 * where they are for the crypto layer.  base is the offset of the start
 * of the message in the datagram the offsets are reported against.
 */
static int
ike_get_sk(struct ike_msg *m, struct ike_pld *pl, struct buf *b, uint8_t inner,
	   const char **why)
{
	pl->u.sk.inner = inner;
	if (pl->type == IKE_PLD_SKF) {
		pl->u.sk.frag_num = buf_get_be16(b);
		pl->u.sk.frag_total = buf_get_be16(b);
		if (!buf_ok(b)) {
			*why = "truncated SKF payload";
			return -1;
		}
		/* RFC 7383 2.5: numbered from 1, at most Total Fragments */
		if (pl->u.sk.frag_num == 0 ||
		    pl->u.sk.frag_num > pl->u.sk.frag_total) {
			*why = "bad fragment number";
			return -1;
		}
	}
	pl->body_len = (uint16_t)buf_left(b);
	pl->body = buf_get_bytes(b, pl->body_len);
	m->enc_index = (int)(pl - m->pld);
	m->enc_off = (uint16_t)(pl->off + IKE_PLD_HDR_LEN +
				(pl->type == IKE_PLD_SKF ? 4 : 0));
	m->aad_len = m->enc_off;
	m->enc_len = pl->body_len;
	return 0;
}

static int
ike_get_body(struct ike_msg *m, struct ike_pld *pl, struct buf *b,
	     const char **why)
{
	switch (pl->type) {
	case IKE_PLD_SA:
		return ike_get_sa(m, pl, b, why);
	case IKE_PLD_KE:
		return ike_get_ke(pl, b, why);
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
	case IKE_PLD_CERT:
	case IKE_PLD_CERTREQ:
	case IKE_PLD_AUTH:
		return ike_get_typed(pl, b, why);
	case IKE_PLD_NONCE:
		if (pl->body_len < IKE_NONCE_MIN ||
		    pl->body_len > IKE_NONCE_MAX) {
			*why = "nonce length outside 16..256";
			return -1;
		}
		return 0;
	case IKE_PLD_NOTIFY:
		return ike_get_notify(pl, b, why);
	case IKE_PLD_DELETE:
		return ike_get_delete(pl, b, why);
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		return ike_get_tsp(m, pl, b, why);
	default:
		return 0; /* Vendor ID and opaque payloads: body is all */
	}
}

/*
 * RFC 7296 3.2: walk the chain of generic payload headers from type np
 * over all of b.  off0 is b's offset from the start of what the payload
 * offsets are reported against.
 */
static int
ike_get_chain(struct ike_msg *m, struct buf *b, size_t off0, uint8_t np,
	      const char **why)
{
	uint32_t seen = 0; /* bit (type - 32) of the single payloads */
	unsigned int notifies = 0;

	m->enc_index = -1;
	while (np != IKE_PLD_NONE) {
		struct ike_pld *pl;
		struct buf body;
		uint8_t next, flags;
		uint16_t plen;
		size_t off = off0 + b->off;

		if (m->enc_index >= 0) {
			/* 3.14: SK is last; its Next Payload is inside */
			*why = "payload after SK payload";
			return -1;
		}
		if (m->npld == IKE_MAX_PAYLOADS) {
			*why = "too many payloads";
			return -1;
		}
		next = buf_get_u8(b);
		flags = buf_get_u8(b);
		plen = buf_get_be16(b);
		if (!buf_ok(b)) {
			*why = "truncated payload header";
			return -1;
		}
		if (plen < IKE_PLD_HDR_LEN ||
		    buf_sub(b, (size_t)plen - IKE_PLD_HDR_LEN, &body) == -1) {
			*why = "bad payload length";
			return -1;
		}
		pl = &m->pld[m->npld];
		memset(pl, 0, sizeof(*pl));
		pl->type = np;
		pl->off = (uint16_t)off;
		pl->body = buf_cur(&body);
		pl->body_len = (uint16_t)buf_left(&body);
		m->npld++;
		if (!ike_pld_known(np)) {
			/*
			 * 2.5: an unknown payload is skipped unless its
			 * critical bit is set; then the message is refused
			 * and the answer names the type.
			 */
			if (flags & IKE_PLD_CRITICAL) {
				m->err_notify = IKE_N_UNSUPP_CRITICAL;
				m->err_data = np;
				*why = "unsupported critical payload";
				return -1;
			}
			pl->critical = false;
			m->unknown_count++;
			np = next;
			continue;
		}
		if (ike_pld_single(np)) {
			if (seen & (UINT32_C(1) << (np - 32))) {
				*why = "duplicate payload";
				return -1;
			}
			seen |= UINT32_C(1) << (np - 32);
		}
		if (np == IKE_PLD_NOTIFY && ++notifies > IKE_MAX_NOTIFY) {
			*why = "too many Notify payloads";
			return -1;
		}
		if (np == IKE_PLD_SK || np == IKE_PLD_SKF) {
			if (m->chain) {
				*why = "SK payload inside SK payload";
				return -1;
			}
			if (ike_get_sk(m, pl, &body, next, why) == -1)
				return -1;
			break;
		}
		if (ike_get_body(m, pl, &body, why) == -1)
			return -1;
		np = next;
	}
	if (buf_left(b) != 0) {
		*why = "data after the last payload";
		return -1;
	}
	return 0;
}

int
ike_decode(const uint8_t *p, size_t len, struct ike_msg *m, const char **why)
{
	struct ike_hdr h;
	struct buf b;

	memset(m, 0, sizeof(*m));
	m->enc_index = -1;
	*why = NULL;
	buf_init(&b, p, len);
	if (ike_get_hdr(&b, len, &h, &m->err_notify, why) == -1) {
		if (!buf_ok(&b))
			return -1;
		goto hdr_fail;
	}
	m->spi_i = h.spi_i;
	m->spi_r = h.spi_r;
	m->major = h.major;
	m->minor = h.minor;
	m->exchange = h.exchange;
	m->flags = h.flags;
	m->msg_id = h.msg_id;
	if (ike_get_chain(m, &b, 0, h.np, why) == -1) {
		if (m->err_notify != IKE_N_UNSUPP_CRITICAL)
			m->err_notify = IKE_N_INVALID_SYNTAX;
		return -1;
	}
	m->err_notify = 0;
	return 0;

hdr_fail:
	/* The header was read: keep it for the answer */
	m->spi_i = h.spi_i;
	m->spi_r = h.spi_r;
	m->major = h.major;
	m->minor = h.minor;
	m->exchange = h.exchange;
	m->flags = h.flags;
	m->msg_id = h.msg_id;
	return -1;
}

int
ike_decode_chain(const uint8_t *p, size_t len, uint8_t first, struct ike_msg *m,
		 const char **why)
{
	struct buf b;

	memset(m, 0, sizeof(*m));
	m->chain = true;
	*why = NULL;
	if (len > IKE_MAX_MSG) {
		*why = "payload chain too long";
		return -1;
	}
	buf_init(&b, p, len);
	if (ike_get_chain(m, &b, 0, first, why) == -1) {
		if (m->err_notify != IKE_N_UNSUPP_CRITICAL)
			m->err_notify = IKE_N_INVALID_SYNTAX;
		return -1;
	}
	return 0;
}

/* --- lookups -------------------------------------------------------- */

const struct ike_pld *
ike_msg_find(const struct ike_msg *m, uint8_t type)
{
	size_t i;

	for (i = 0; i < m->npld; i++)
		if (m->pld[i].type == type)
			return &m->pld[i];
	return NULL;
}

const struct ike_pld *
ike_msg_find_notify(const struct ike_msg *m, uint16_t type)
{
	size_t i;

	for (i = 0; i < m->npld; i++)
		if (m->pld[i].type == IKE_PLD_NOTIFY &&
		    m->pld[i].u.n.type == type)
			return &m->pld[i];
	return NULL;
}

const struct ike_prop *
ike_sa_prop(const struct ike_msg *m, const struct ike_pld *sa, size_t i)
{
	if (sa->type != IKE_PLD_SA || i >= sa->u.sa.count ||
	    (size_t)sa->u.sa.first + i >= m->nprop)
		return NULL;
	return &m->prop[sa->u.sa.first + i];
}

const struct ike_xform *
ike_prop_xform(const struct ike_msg *m, const struct ike_prop *p, size_t i)
{
	if (i >= p->xf_count || (size_t)p->xf_first + i >= m->nxform)
		return NULL;
	return &m->xform[p->xf_first + i];
}

const struct ike_ts *
ike_tsp_ts(const struct ike_msg *m, const struct ike_pld *tsp, size_t i)
{
	if ((tsp->type != IKE_PLD_TSI && tsp->type != IKE_PLD_TSR) ||
	    i >= tsp->u.ts.count || (size_t)tsp->u.ts.first + i >= m->nts)
		return NULL;
	return &m->ts[tsp->u.ts.first + i];
}
