/*
 * libFuzzer target for the IKEv2 wire codec (src/ike/ike_wire*.c).
 *
 * Every input is tried as a datagram on UDP/500 and UDP/4500 (ike_peek),
 * as a message (as it is, and with the header's Length made right so
 * mutations get past that check), and as an inner payload chain starting
 * with each payload type.  Whatever decodes must encode, and the encoding
 * must decode again to an equal message; the bytes themselves may differ
 * only where RFC 7296 says to ignore what was received (reserved bits and
 * octets, Last Substruc, the order of Key Length among attributes).  A
 * refusal must come with a reason.  The copies are exact-size heap
 * buffers so ASan sees any read past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/buf.h"
#include "dmvpn/ike_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ike_msg m1, m2;
static uint8_t out[IKE_MAX_MSG];

static void
same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen || (alen > 0 && memcmp(a, b, alen) != 0))
		abort();
}

static void
same_pld(const struct ike_pld *a, const struct ike_pld *b)
{
	if (a->type != b->type || a->critical != b->critical ||
	    a->off != b->off || a->body_len != b->body_len)
		abort();
	switch (a->type) {
	case IKE_PLD_SA:
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		if (memcmp(&a->u.sa, &b->u.sa, sizeof(a->u.sa)) != 0)
			abort();
		break;
	case IKE_PLD_KE:
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
	case IKE_PLD_CERT:
	case IKE_PLD_CERTREQ:
	case IKE_PLD_AUTH:
		if (a->u.typed.type != b->u.typed.type)
			abort();
		same_bytes(a->u.typed.data, a->u.typed.len, b->u.typed.data,
			   b->u.typed.len);
		break;
	case IKE_PLD_NOTIFY:
		if (a->u.n.proto != b->u.n.proto ||
		    a->u.n.spi_len != b->u.n.spi_len ||
		    memcmp(a->u.n.spi, b->u.n.spi, a->u.n.spi_len) != 0 ||
		    a->u.n.type != b->u.n.type || a->u.n.group != b->u.n.group)
			abort();
		same_bytes(a->u.n.data, a->u.n.data_len, b->u.n.data,
			   b->u.n.data_len);
		break;
	case IKE_PLD_DELETE:
		if (a->u.del.proto != b->u.del.proto ||
		    a->u.del.spi_len != b->u.del.spi_len ||
		    a->u.del.count != b->u.del.count)
			abort();
		same_bytes(a->u.del.spis,
			   (size_t)a->u.del.spi_len * a->u.del.count,
			   b->u.del.spis,
			   (size_t)b->u.del.spi_len * b->u.del.count);
		break;
	case IKE_PLD_SK:
	case IKE_PLD_SKF:
		if (a->u.sk.inner != b->u.sk.inner ||
		    a->u.sk.frag_num != b->u.sk.frag_num ||
		    a->u.sk.frag_total != b->u.sk.frag_total)
			abort();
		same_bytes(a->body, a->body_len, b->body, b->body_len);
		break;
	default:
		/* Nonce, Vendor ID and opaque payloads: the body is all */
		same_bytes(a->body, a->body_len, b->body, b->body_len);
		break;
	}
}

/* Everything but where the opaque parts point. */
static void
same_msg(const struct ike_msg *a, const struct ike_msg *b)
{
	size_t i;

	if (a->spi_i != b->spi_i || a->spi_r != b->spi_r ||
	    a->major != b->major || a->minor != b->minor ||
	    a->exchange != b->exchange || a->flags != b->flags ||
	    a->msg_id != b->msg_id || a->chain != b->chain ||
	    a->npld != b->npld || a->nprop != b->nprop ||
	    a->nxform != b->nxform || a->nattr != b->nattr ||
	    a->nts != b->nts || a->enc_index != b->enc_index ||
	    a->aad_len != b->aad_len || a->enc_off != b->enc_off ||
	    a->enc_len != b->enc_len || a->unknown_count != b->unknown_count)
		abort();
	for (i = 0; i < a->npld; i++)
		same_pld(&a->pld[i], &b->pld[i]);
	for (i = 0; i < a->nprop; i++)
		if (memcmp(&a->prop[i], &b->prop[i], sizeof(a->prop[i])) != 0)
			abort();
	for (i = 0; i < a->nxform; i++)
		if (memcmp(&a->xform[i], &b->xform[i], sizeof(a->xform[i])) !=
		    0)
			abort();
	for (i = 0; i < a->nattr; i++) {
		const struct ike_attr *x = &a->attr[i], *y = &b->attr[i];

		if (x->type != y->type || x->tv != y->tv ||
		    x->value != y->value)
			abort();
		same_bytes(x->data, x->len, y->data, y->len);
	}
	for (i = 0; i < a->nts; i++) {
		const struct ike_ts *x = &a->ts[i], *y = &b->ts[i];

		if (x->type != y->type || x->proto != y->proto ||
		    x->start_port != y->start_port ||
		    x->end_port != y->end_port ||
		    memcmp(x->start, y->start, sizeof(x->start)) != 0 ||
		    memcmp(x->end, y->end, sizeof(x->end)) != 0)
			abort();
		same_bytes(x->raw, x->raw_len, y->raw, y->raw_len);
	}
}

/* first 0: a whole message; else a chain starting with that type */
static void
check(const uint8_t *p, size_t len, uint8_t first)
{
	struct wbuf w;
	const char *why = NULL;
	int rc;

	rc = first == 0 ? ike_decode(p, len, &m1, &why)
			: ike_decode_chain(p, len, first, &m1, &why);
	if (rc != 0) {
		if (why == NULL)
			abort();
		return;
	}
	wbuf_init(&w, out, sizeof(out));
	if (ike_encode(&m1, &w, &why) != 0 || wbuf_len(&w) != len)
		abort();
	rc = first == 0 ? ike_decode(out, wbuf_len(&w), &m2, &why)
			: ike_decode_chain(out, wbuf_len(&w), first, &m2, &why);
	if (rc != 0)
		abort();
	same_msg(&m1, &m2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_peek pk;
	const char *why = NULL;
	unsigned int t;
	uint8_t *p;

	if (size > IKE_MAX_MSG)
		return 0;
	p = calloc(size > 0 ? size : 1, 1);
	if (p == NULL)
		return 0;
	if (size > 0)
		memcpy(p, data, size);
	if (ike_peek(p, size, false, &pk, &why) == -1 && why == NULL)
		abort();
	if (ike_peek(p, size, true, &pk, &why) == 0 &&
	    pk.kind == IKE_DGRAM_IKE && pk.off + pk.len != size)
		abort();
	check(p, size, 0);
	if (size >= IKE_HDR_LEN) {
		p[IKE_OFF_LEN] = 0;
		p[IKE_OFF_LEN + 1] = 0;
		p[IKE_OFF_LEN + 2] = (uint8_t)(size >> 8);
		p[IKE_OFF_LEN + 3] = (uint8_t)size;
		check(p, size, 0);
		memcpy(p, data, size);
	}
	for (t = IKE_PLD_SA; t <= IKE_PLD_SKF; t++)
		check(p, size, (uint8_t)t);
	free(p);
	return 0;
}
