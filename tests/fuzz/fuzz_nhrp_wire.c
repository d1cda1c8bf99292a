/*
 * libFuzzer target for the NHRP wire codec (src/nhrp/nhrp_wire.c).
 *
 * Every input is decoded twice: as it is, and with ar$pktsz and ar$chksum
 * made right (so mutations get past those two checks and reach the rest).
 * Whatever decodes must encode back to exactly the input bytes, and those
 * bytes must decode again to an equal message.  A refusal must come with
 * a reason.  The copies are exact-size heap buffers so ASan sees any read
 * past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/buf.h"
#include "dmvpn/nhrp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nhrp_msg m1, m2;
static uint8_t out[NHRP_MAX_PKT];

static void
same_addr(const struct nhrp_addr *a, const struct nhrp_addr *b)
{
	if (a->len != b->len || memcmp(a->a, b->a, a->len) != 0)
		abort();
}

static void
same_cie(const struct nhrp_cie *a, const struct nhrp_cie *b)
{
	if (a->code != b->code || a->prefix_len != b->prefix_len ||
	    a->unused != b->unused || a->mtu != b->mtu ||
	    a->holding_time != b->holding_time ||
	    a->preference != b->preference ||
	    a->nbma_sub.len != b->nbma_sub.len ||
	    memcmp(a->nbma_sub.a, b->nbma_sub.a, a->nbma_sub.len) != 0)
		abort();
	same_addr(&a->nbma, &b->nbma);
	same_addr(&a->proto, &b->proto);
}

static void
same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen || (alen > 0 && memcmp(a, b, alen) != 0))
		abort();
}

/* Everything but where the opaque parts point. */
static void
same_msg(const struct nhrp_msg *a, const struct nhrp_msg *b)
{
	size_t i;

	if (a->afn != b->afn || a->pro_type != b->pro_type ||
	    memcmp(a->pro_snap, b->pro_snap, NHRP_SNAP_LEN) != 0 ||
	    a->hop_count != b->hop_count || a->version != b->version ||
	    a->type != b->type || a->flags != b->flags ||
	    a->reqid != b->reqid || a->err_code != b->err_code ||
	    a->err_offset != b->err_offset ||
	    a->traffic_code != b->traffic_code ||
	    a->traffic_unused != b->traffic_unused ||
	    a->src_nbma_sub.len != b->src_nbma_sub.len ||
	    memcmp(a->src_nbma_sub.a, b->src_nbma_sub.a, a->src_nbma_sub.len) !=
		    0 ||
	    a->cie_count != b->cie_count || a->ext_present != b->ext_present ||
	    a->end_compulsory != b->end_compulsory ||
	    a->ext_count != b->ext_count ||
	    a->ext_cie_count != b->ext_cie_count ||
	    a->unknown_compulsory != b->unknown_compulsory ||
	    a->unknown_off != b->unknown_off)
		abort();
	same_addr(&a->src_nbma, &b->src_nbma);
	same_addr(&a->src_proto, &b->src_proto);
	same_addr(&a->dst_proto, &b->dst_proto);
	same_bytes(a->payload, a->payload_len, b->payload, b->payload_len);
	for (i = 0; i < a->cie_count; i++)
		same_cie(&a->cie[i], &b->cie[i]);
	for (i = 0; i < a->ext_cie_count; i++)
		same_cie(&a->ext_cie[i], &b->ext_cie[i]);
	for (i = 0; i < a->ext_count; i++) {
		const struct nhrp_ext *x = &a->ext[i], *y = &b->ext[i];

		if (x->type != y->type || x->compulsory != y->compulsory ||
		    x->off != y->off || x->cie_first != y->cie_first ||
		    x->cie_count != y->cie_count || x->spi != y->spi ||
		    x->vendor_id != y->vendor_id)
			abort();
		same_bytes(x->data, x->data_len, y->data, y->data_len);
	}
}

static void
check(const uint8_t *p, size_t len)
{
	struct wbuf w;
	const char *why = NULL;

	if (nhrp_decode(p, len, &m1, &why) != 0) {
		if (why == NULL)
			abort();
		return;
	}
	wbuf_init(&w, out, sizeof(out));
	if (nhrp_encode(&m1, &w, &why) != 0)
		abort();
	same_bytes(out, wbuf_len(&w), p, len);
	if (nhrp_decode(out, wbuf_len(&w), &m2, &why) != 0)
		abort();
	same_msg(&m1, &m2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p;
	uint16_t ck;

	if (size > NHRP_MAX_PKT)
		return 0;
	p = calloc(size > 0 ? size : 1, 1);
	if (p == NULL)
		return 0;
	if (size > 0)
		memcpy(p, data, size);
	check(p, size);
	if (size >= NHRP_FIXED_LEN) {
		p[NHRP_OFF_PKTSZ] = (uint8_t)(size >> 8);
		p[NHRP_OFF_PKTSZ + 1] = (uint8_t)size;
		p[NHRP_OFF_CHKSUM] = 0;
		p[NHRP_OFF_CHKSUM + 1] = 0;
		ck = nhrp_checksum(p, size);
		p[NHRP_OFF_CHKSUM] = (uint8_t)(ck >> 8);
		p[NHRP_OFF_CHKSUM + 1] = (uint8_t)ck;
		check(p, size);
	}
	free(p);
	return 0;
}
