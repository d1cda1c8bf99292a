/*
 * IKEv2 wire encoder and the helpers that build a struct ike_msg: RFC
 * 7296 section 3, RFC 7383 2.5.  See include/dmvpn/ike_wire.h.
 *
 * Every byte goes through struct wbuf; lengths are reserved and patched
 * once the structure they cover is written.  The encoder writes reserved
 * fields as zero and Last Substruc as 3.3.1/3.3.2 say, so what the decoder
 * accepts with such fields zero comes back byte for byte.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dmvpn/buf.h"
#include "dmvpn/ike_wire.h"

/* RFC 7296 3.3.1, 3.3.2: Last Substruc values */
#define IKE_LAST_PROP_MORE  2
#define IKE_LAST_XFORM_MORE 3

/* Patch the 16-bit length at off to cover from hdr_off to the end. */
static int
ike_patch_len16(struct wbuf *w, size_t hdr_off, size_t off, const char **why)
{
	size_t len = wbuf_len(w) - hdr_off;

	if (!wbuf_ok(w)) {
		*why = "output buffer too small";
		return -1;
	}
	if (len > UINT16_MAX) {
		*why = "payload too long";
		return -1;
	}
	buf_patch_be16(w, off, (uint16_t)len);
	return 0;
}

static int
ike_put_xform(struct wbuf *w, const struct ike_msg *m,
	      const struct ike_xform *x, bool more, const char **why)
{
	size_t hdr = wbuf_len(w), i;

	if ((size_t)x->attr_first + x->attr_count > m->nattr) {
		*why = "transform attributes out of range";
		return -1;
	}
	buf_put_u8(w, more ? IKE_LAST_XFORM_MORE : 0);
	buf_put_u8(w, 0);
	buf_reserve(w, 2);
	buf_put_u8(w, x->type);
	buf_put_u8(w, 0);
	buf_put_be16(w, x->id);
	if (x->key_len != 0) {
		buf_put_be16(w, IKE_ATTR_TV | IKE_ATTR_KEY_LEN);
		buf_put_be16(w, x->key_len);
	}
	for (i = 0; i < x->attr_count; i++) {
		const struct ike_attr *a = &m->attr[x->attr_first + i];

		if (a->tv) {
			buf_put_be16(w, IKE_ATTR_TV | a->type);
			buf_put_be16(w, a->value);
		} else {
			buf_put_be16(w, a->type & (uint16_t)~IKE_ATTR_TV);
			buf_put_be16(w, a->len);
			buf_put_bytes(w, a->data, a->len);
		}
	}
	return ike_patch_len16(w, hdr, hdr + 2, why);
}

/* RFC 7296 3.3: proposals, each with its transforms. */
static int
ike_put_sa(struct wbuf *w, const struct ike_msg *m, const struct ike_pld *pl,
	   const char **why)
{
	size_t i, j;

	if (pl->u.sa.count == 0 ||
	    (size_t)pl->u.sa.first + pl->u.sa.count > m->nprop) {
		*why = "SA payload without proposals";
		return -1;
	}
	for (i = 0; i < pl->u.sa.count; i++) {
		const struct ike_prop *pr = &m->prop[pl->u.sa.first + i];
		size_t hdr = wbuf_len(w);

		if (pr->xf_count == 0 ||
		    (size_t)pr->xf_first + pr->xf_count > m->nxform) {
			*why = "proposal without transforms";
			return -1;
		}
		if (pr->spi_len > IKE_SPI_MAX) {
			*why = "proposal SPI too long";
			return -1;
		}
		buf_put_u8(w, i + 1 < pl->u.sa.count ? IKE_LAST_PROP_MORE : 0);
		buf_put_u8(w, 0);
		buf_reserve(w, 2);
		buf_put_u8(w, pr->num);
		buf_put_u8(w, pr->proto);
		buf_put_u8(w, pr->spi_len);
		buf_put_u8(w, pr->xf_count);
		buf_put_bytes(w, pr->spi, pr->spi_len);
		for (j = 0; j < pr->xf_count; j++)
			if (ike_put_xform(w, m, &m->xform[pr->xf_first + j],
					  j + 1 < pr->xf_count, why) == -1)
				return -1;
		if (ike_patch_len16(w, hdr, hdr + 2, why) == -1)
			return -1;
	}
	return 0;
}

/* RFC 7296 3.13: Number of TSs, RESERVED, selectors. */
static int
ike_put_tsp(struct wbuf *w, const struct ike_msg *m, const struct ike_pld *pl,
	    const char **why)
{
	size_t i, alen;

	if (pl->u.ts.count == 0 ||
	    (size_t)pl->u.ts.first + pl->u.ts.count > m->nts) {
		*why = "TS payload without selectors";
		return -1;
	}
	buf_put_u8(w, pl->u.ts.count);
	buf_put_zero(w, 3);
	for (i = 0; i < pl->u.ts.count; i++) {
		const struct ike_ts *ts = &m->ts[pl->u.ts.first + i];

		buf_put_u8(w, ts->type);
		buf_put_u8(w, ts->proto);
		if (ts->type == IKE_TS_IPV4_ADDR_RANGE ||
		    ts->type == IKE_TS_IPV6_ADDR_RANGE) {
			alen = ts->type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;
			buf_put_be16(w, (uint16_t)(8 + 2 * alen));
			buf_put_be16(w, ts->start_port);
			buf_put_be16(w, ts->end_port);
			buf_put_bytes(w, ts->start, alen);
			buf_put_bytes(w, ts->end, alen);
		} else {
			if (ts->raw_len > UINT16_MAX - 4) {
				*why = "traffic selector too long";
				return -1;
			}
			buf_put_be16(w, (uint16_t)(4 + ts->raw_len));
			buf_put_bytes(w, ts->raw, ts->raw_len);
		}
	}
	return 0;
}

static int
ike_put_body(struct wbuf *w, const struct ike_msg *m, const struct ike_pld *pl,
	     const char **why)
{
	const struct ike_notify *n = &pl->u.n;

	switch (pl->type) {
	case IKE_PLD_SA:
		return ike_put_sa(w, m, pl, why);
	case IKE_PLD_KE:
		buf_put_be16(w, pl->u.typed.type);
		buf_put_be16(w, 0);
		buf_put_bytes(w, pl->u.typed.data, pl->u.typed.len);
		return 0;
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
	case IKE_PLD_AUTH:
		buf_put_u8(w, (uint8_t)pl->u.typed.type);
		buf_put_zero(w, 3);
		buf_put_bytes(w, pl->u.typed.data, pl->u.typed.len);
		return 0;
	case IKE_PLD_CERT:
	case IKE_PLD_CERTREQ:
		buf_put_u8(w, (uint8_t)pl->u.typed.type);
		buf_put_bytes(w, pl->u.typed.data, pl->u.typed.len);
		return 0;
	case IKE_PLD_NONCE:
		/* 3.9: checked here too, so the engine cannot send it */
		if (pl->body_len < IKE_NONCE_MIN ||
		    pl->body_len > IKE_NONCE_MAX) {
			*why = "nonce length outside 16..256";
			return -1;
		}
		buf_put_bytes(w, pl->body, pl->body_len);
		return 0;
	case IKE_PLD_NOTIFY:
		if (n->spi_len > IKE_SPI_MAX) {
			*why = "notify SPI too long";
			return -1;
		}
		buf_put_u8(w, n->proto);
		buf_put_u8(w, n->spi_len);
		buf_put_be16(w, n->type);
		buf_put_bytes(w, n->spi, n->spi_len);
		if (n->type == IKE_N_INVALID_KE_PAYLOAD)
			buf_put_be16(w, n->group);
		else
			buf_put_bytes(w, n->data, n->data_len);
		return 0;
	case IKE_PLD_DELETE:
		buf_put_u8(w, pl->u.del.proto);
		buf_put_u8(w, pl->u.del.spi_len);
		buf_put_be16(w, pl->u.del.count);
		buf_put_bytes(w, pl->u.del.spis,
			      (size_t)pl->u.del.spi_len * pl->u.del.count);
		return 0;
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		return ike_put_tsp(w, m, pl, why);
	case IKE_PLD_SKF:
		buf_put_be16(w, pl->u.sk.frag_num);
		buf_put_be16(w, pl->u.sk.frag_total);
		buf_put_bytes(w, pl->body, pl->body_len);
		return 0;
	default:
		/* Vendor ID, SK, and the payloads we carry opaque */
		buf_put_bytes(w, pl->body, pl->body_len);
		return 0;
	}
}

/*
 * RFC 7296 3.2: the payloads of m, each generic header naming the next
 * payload's type; the last one names after (0, or SK when the caller
 * writes an SK payload next).
 */
static int
ike_put_payloads(struct wbuf *w, const struct ike_msg *m, uint8_t after,
		 const char **why)
{
	size_t i;

	for (i = 0; i < m->npld; i++) {
		const struct ike_pld *pl = &m->pld[i];
		size_t hdr = wbuf_len(w);
		uint8_t next = i + 1 < m->npld ? m->pld[i + 1].type : after;

		if (pl->type == IKE_PLD_SK || pl->type == IKE_PLD_SKF) {
			/* 3.14: SK is last; its Next Payload is inside */
			if (i + 1 != m->npld || after != IKE_PLD_NONE ||
			    m->chain) {
				*why = "SK payload not last";
				return -1;
			}
			next = pl->u.sk.inner;
		}
		buf_put_u8(w, next);
		buf_put_u8(w, pl->critical ? IKE_PLD_CRITICAL : 0);
		buf_reserve(w, 2);
		if (ike_put_body(w, m, pl, why) == -1)
			return -1;
		if (ike_patch_len16(w, hdr, hdr + 2, why) == -1)
			return -1;
	}
	return 0;
}

/* RFC 7296 3.1; Length is patched when the message is complete. */
static void
ike_put_hdr(struct wbuf *w, const struct ike_msg *m, uint8_t np)
{
	buf_put_be64(w, m->spi_i);
	buf_put_be64(w, m->spi_r);
	buf_put_u8(w, np);
	buf_put_u8(w, (uint8_t)(m->major << 4 | (m->minor & 0x0f)));
	buf_put_u8(w, m->exchange);
	buf_put_u8(w, m->flags & IKE_FLAGS_ALL);
	buf_put_be32(w, m->msg_id);
	buf_reserve(w, 4);
}

static int
ike_patch_msg_len(struct wbuf *w, size_t start, const char **why)
{
	size_t len = wbuf_len(w) - start;

	if (!wbuf_ok(w)) {
		*why = "output buffer too small";
		return -1;
	}
	if (len > IKE_MAX_MSG) {
		*why = "IKE message too long";
		return -1;
	}
	buf_patch_be32(w, start + IKE_OFF_LEN, (uint32_t)len);
	return 0;
}

int
ike_encode(const struct ike_msg *m, struct wbuf *w, const char **why)
{
	size_t start = wbuf_len(w);

	*why = NULL;
	if (!m->chain)
		ike_put_hdr(w, m, ike_msg_first_type(m));
	if (ike_put_payloads(w, m, IKE_PLD_NONE, why) == -1)
		return -1;
	if (m->chain) {
		if (!wbuf_ok(w)) {
			*why = "output buffer too small";
			return -1;
		}
		return 0;
	}
	return ike_patch_msg_len(w, start, why);
}

int
ike_encode_sk_begin(const struct ike_msg *m, uint8_t inner, uint16_t frag_num,
		    uint16_t frag_total, size_t body_len, struct wbuf *w,
		    struct ike_sk_layout *sk, const char **why)
{
	uint8_t type = frag_total > 0 ? IKE_PLD_SKF : IKE_PLD_SK;
	size_t hlen = type == IKE_PLD_SKF ? IKE_SKF_HDR_LEN : IKE_PLD_HDR_LEN;

	*why = NULL;
	memset(sk, 0, sizeof(*sk));
	if (m->chain) {
		*why = "SK payload needs a header";
		return -1;
	}
	if (type == IKE_PLD_SKF && (frag_num == 0 || frag_num > frag_total)) {
		*why = "bad fragment number";
		return -1;
	}
	if (body_len > IKE_MAX_MSG) {
		*why = "IKE message too long";
		return -1;
	}
	sk->start = wbuf_len(w);
	ike_put_hdr(w, m, m->npld > 0 ? m->pld[0].type : type);
	if (ike_put_payloads(w, m, type, why) == -1)
		return -1;
	sk->sk_off = wbuf_len(w);
	buf_put_u8(w, inner);
	buf_put_u8(w, 0);
	buf_put_be16(w, (uint16_t)(hlen + body_len));
	if (type == IKE_PLD_SKF) {
		buf_put_be16(w, frag_num);
		buf_put_be16(w, frag_total);
	}
	sk->aad_len = wbuf_len(w) - sk->start;
	sk->body_off = wbuf_len(w);
	sk->body_len = body_len;
	buf_reserve(w, body_len);
	if (hlen + body_len > UINT16_MAX) {
		*why = "payload too long";
		return -1;
	}
	return ike_patch_msg_len(w, sk->start, why);
}

int
ike_encode_sk_finish(struct wbuf *w, const struct ike_sk_layout *sk,
		     const char **why)
{
	*why = NULL;
	if (!wbuf_ok(w) || wbuf_len(w) < sk->body_off) {
		*why = "output buffer too small";
		return -1;
	}
	if (ike_patch_len16(w, sk->sk_off, sk->sk_off + 2, why) == -1)
		return -1;
	return ike_patch_msg_len(w, sk->start, why);
}

/* --- helpers for building messages ---------------------------------- */

void
ike_msg_init(struct ike_msg *m, uint8_t exchange, uint64_t spi_i,
	     uint64_t spi_r, uint8_t flags, uint32_t msg_id)
{
	memset(m, 0, sizeof(*m));
	m->spi_i = spi_i;
	m->spi_r = spi_r;
	m->major = IKE_VERSION_MAJOR;
	m->exchange = exchange;
	m->flags = flags & IKE_FLAGS_ALL;
	m->msg_id = msg_id;
	m->enc_index = -1;
}

void
ike_msg_init_chain(struct ike_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->chain = true;
	m->enc_index = -1;
}

uint8_t
ike_msg_first_type(const struct ike_msg *m)
{
	return m->npld > 0 ? m->pld[0].type : IKE_PLD_NONE;
}

struct ike_pld *
ike_msg_add(struct ike_msg *m, uint8_t type, const void *body, size_t len)
{
	struct ike_pld *pl;

	if (m->npld == IKE_MAX_PAYLOADS || len > UINT16_MAX - IKE_SKF_HDR_LEN ||
	    (len > 0 && body == NULL))
		return NULL;
	pl = &m->pld[m->npld++];
	memset(pl, 0, sizeof(*pl));
	pl->type = type;
	pl->body = body;
	pl->body_len = (uint16_t)len;
	return pl;
}

struct ike_pld *
ike_msg_add_sa(struct ike_msg *m)
{
	struct ike_pld *pl = ike_msg_add(m, IKE_PLD_SA, NULL, 0);

	if (pl != NULL)
		pl->u.sa.first = (uint8_t)m->nprop;
	return pl;
}

struct ike_prop *
ike_msg_add_prop(struct ike_msg *m, struct ike_pld *sa, uint8_t proto,
		 const void *spi, size_t spi_len)
{
	struct ike_prop *pr;

	/* The pools are shared: only the last SA payload may grow */
	if (sa->type != IKE_PLD_SA || m->nprop == IKE_MAX_PROPOSALS ||
	    (size_t)sa->u.sa.first + sa->u.sa.count != m->nprop ||
	    spi_len > IKE_SPI_MAX || (spi_len > 0 && spi == NULL))
		return NULL;
	pr = &m->prop[m->nprop++];
	memset(pr, 0, sizeof(*pr));
	pr->num = (uint8_t)(sa->u.sa.count + 1);
	pr->proto = proto;
	pr->spi_len = (uint8_t)spi_len;
	if (spi_len > 0)
		memcpy(pr->spi, spi, spi_len);
	pr->xf_first = (uint16_t)m->nxform;
	sa->u.sa.count++;
	return pr;
}

struct ike_xform *
ike_msg_add_xform(struct ike_msg *m, struct ike_prop *p, uint8_t type,
		  uint16_t id, uint16_t key_len)
{
	struct ike_xform *x;

	if (m->nxform == IKE_MAX_TRANSFORMS || p->xf_count == UINT8_MAX ||
	    (size_t)p->xf_first + p->xf_count != m->nxform)
		return NULL;
	x = &m->xform[m->nxform++];
	memset(x, 0, sizeof(*x));
	x->type = type;
	x->id = id;
	x->key_len = key_len;
	x->attr_first = (uint8_t)m->nattr;
	p->xf_count++;
	return x;
}

/* A payload whose body is a type and data (KE, ID, CERT, AUTH). */
static struct ike_pld *
ike_msg_add_typed16(struct ike_msg *m, uint8_t pld_type, uint16_t type,
		    const void *data, size_t len)
{
	struct ike_pld *pl;

	if (len > UINT16_MAX - 8 || (len > 0 && data == NULL))
		return NULL;
	pl = ike_msg_add(m, pld_type, NULL, 0);
	if (pl == NULL)
		return NULL;
	pl->u.typed.type = type;
	pl->u.typed.data = data;
	pl->u.typed.len = (uint16_t)len;
	return pl;
}

struct ike_pld *
ike_msg_add_ke(struct ike_msg *m, uint16_t group, const void *data, size_t len)
{
	return ike_msg_add_typed16(m, IKE_PLD_KE, group, data, len);
}

struct ike_pld *
ike_msg_add_nonce(struct ike_msg *m, const void *data, size_t len)
{
	return ike_msg_add(m, IKE_PLD_NONCE, data, len);
}

struct ike_pld *
ike_msg_add_typed(struct ike_msg *m, uint8_t pld_type, uint8_t type,
		  const void *data, size_t len)
{
	return ike_msg_add_typed16(m, pld_type, type, data, len);
}

static struct ike_pld *
ike_msg_add_notify_full(struct ike_msg *m, uint8_t proto, const void *spi,
			size_t spi_len, uint16_t type, const void *data,
			size_t len)
{
	struct ike_pld *pl;
	size_t i, count = 0;

	for (i = 0; i < m->npld; i++)
		count += m->pld[i].type == IKE_PLD_NOTIFY;
	if (count >= IKE_MAX_NOTIFY || spi_len > IKE_SPI_MAX ||
	    len > UINT16_MAX - 16 || (len > 0 && data == NULL))
		return NULL;
	pl = ike_msg_add(m, IKE_PLD_NOTIFY, NULL, 0);
	if (pl == NULL)
		return NULL;
	pl->u.n.proto = proto;
	pl->u.n.spi_len = (uint8_t)spi_len;
	if (spi_len > 0)
		memcpy(pl->u.n.spi, spi, spi_len);
	pl->u.n.type = type;
	pl->u.n.data = data;
	pl->u.n.data_len = (uint16_t)len;
	return pl;
}

struct ike_pld *
ike_msg_add_notify(struct ike_msg *m, uint16_t type, const void *data,
		   size_t len)
{
	return ike_msg_add_notify_full(m, IKE_PROTO_NONE, NULL, 0, type, data,
				       len);
}

struct ike_pld *
ike_msg_add_rekey_sa(struct ike_msg *m, uint32_t spi)
{
	uint8_t b[4];

	b[0] = (uint8_t)(spi >> 24);
	b[1] = (uint8_t)(spi >> 16);
	b[2] = (uint8_t)(spi >> 8);
	b[3] = (uint8_t)spi;
	/* RFC 7296 2.8: Protocol ID and SPI of the SA being rekeyed */
	return ike_msg_add_notify_full(m, IKE_PROTO_ESP, b, sizeof(b),
				       IKE_N_REKEY_SA, NULL, 0);
}

struct ike_pld *
ike_msg_add_invalid_ke(struct ike_msg *m, uint16_t group)
{
	struct ike_pld *pl;

	pl = ike_msg_add_notify_full(m, IKE_PROTO_NONE, NULL, 0,
				     IKE_N_INVALID_KE_PAYLOAD, NULL, 0);
	if (pl != NULL) {
		pl->u.n.group = group;
		pl->u.n.data_len = 2;
	}
	return pl;
}

struct ike_pld *
ike_msg_add_delete(struct ike_msg *m, uint8_t proto, const void *spis,
		   size_t count)
{
	struct ike_pld *pl;
	uint8_t spi_len = proto == IKE_PROTO_IKE ? 0 : 4;

	/* RFC 7296 3.11: IKE SA deletes carry no SPI; the header names it */
	if ((proto == IKE_PROTO_IKE && count != 0) ||
	    count > (UINT16_MAX - 8) / 4 || (count > 0 && spis == NULL))
		return NULL;
	pl = ike_msg_add(m, IKE_PLD_DELETE, NULL, 0);
	if (pl == NULL)
		return NULL;
	pl->u.del.proto = proto;
	pl->u.del.spi_len = spi_len;
	pl->u.del.count = (uint16_t)count;
	pl->u.del.spis = spis;
	return pl;
}

struct ike_pld *
ike_msg_add_tsp(struct ike_msg *m, uint8_t pld_type)
{
	struct ike_pld *pl;

	if (pld_type != IKE_PLD_TSI && pld_type != IKE_PLD_TSR)
		return NULL;
	pl = ike_msg_add(m, pld_type, NULL, 0);
	if (pl != NULL)
		pl->u.ts.first = (uint8_t)m->nts;
	return pl;
}

struct ike_ts *
ike_msg_add_ts(struct ike_msg *m, struct ike_pld *tsp, const struct ike_ts *ts)
{
	if ((tsp->type != IKE_PLD_TSI && tsp->type != IKE_PLD_TSR) ||
	    m->nts == IKE_MAX_TS ||
	    (size_t)tsp->u.ts.first + tsp->u.ts.count != m->nts)
		return NULL;
	m->ts[m->nts] = *ts;
	tsp->u.ts.count++;
	return &m->ts[m->nts++];
}

int
ike_ts_host(struct ike_ts *ts, const void *addr, size_t alen, uint8_t proto)
{
	if (alen != 4 && alen != 16)
		return -1;
	memset(ts, 0, sizeof(*ts));
	ts->type = alen == 4 ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;
	ts->proto = proto;
	ts->start_port = 0;
	ts->end_port = 65535;
	memcpy(ts->start, addr, alen);
	memcpy(ts->end, addr, alen);
	return 0;
}
