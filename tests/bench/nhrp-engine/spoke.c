/*
 * NHRP packets as a dmvpnd spoke sends them: see spoke.h.
 */
#include <string.h>

#include "dmvpn/nhrp_proto.h"
#include "dmvpn/nhrp_wire.h"
#include "spoke.h"

struct addr
spoke_ipv4(uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
			(uint8_t)(v >> 8), (uint8_t)v};
	struct addr a;

	addr_from_bytes(&a, b, sizeof(b));
	return a;
}

static void
put(struct nhrp_addr *dst, const struct addr *src)
{
	nhrp_addr_set(dst, src->bytes, src->len);
}

static int
encode(const struct nhrp_msg *m, uint8_t *out, size_t cap, const char **why)
{
	struct wbuf w;

	wbuf_init(&w, out, cap);
	if (nhrp_encode(m, &w, why) == -1)
		return -1;
	return (int)wbuf_len(&w);
}

/* The fixed header of a spoke's packet: IPv4 over IPv4, its addresses. */
static void
start(struct nhrp_msg *m, uint8_t type, const struct addr *nbma,
      const struct addr *proto)
{
	nhrp_msg_init(m, type, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	put(&m->src_nbma, nbma);
	put(&m->src_proto, proto);
}

int
spoke_registration(uint8_t *out, size_t cap, const struct addr *nbma,
		   const struct addr *proto, const struct addr *hub_nbma,
		   uint32_t reqid, const char **why)
{
	static struct nhrp_msg m; /* ~4 KiB: keep it off small stacks */
	struct nhrp_ext *x;
	struct nhrp_cie *c;

	start(&m, NHRP_REGISTRATION_REQUEST, nbma, proto);
	/* The request is about the spoke itself; the hub is found by NBMA. */
	m.dst_proto = m.src_proto;
	m.hop_count = 1;
	m.flags = NHRP_FLAG_REG_NAT | NHRP_FLAG_REG_U;
	m.reqid = reqid;
	c = nhrp_msg_add_cie(&m);
	if (c == NULL)
		goto full;
	/* The first CIE leaves its protocol address out: it is the source. */
	c->prefix_len = 32;
	c->holding_time = SPOKE_HOLDING_TIME;
	if (nhrp_msg_add_ext(&m, NHRP_EXT_FWD_TRANSIT, true) == NULL ||
	    nhrp_msg_add_ext(&m, NHRP_EXT_REV_TRANSIT, true) == NULL ||
	    nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER, true) == NULL)
		goto full;
	x = nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDR, false);
	if (x == NULL || (c = nhrp_ext_add_cie(&m, x)) == NULL)
		goto full;
	/* The NBMA address the spoke sends to, for the hub's NAT check. */
	c->prefix_len = 32;
	put(&c->nbma, hub_nbma);
	return encode(&m, out, cap, why);
full:
	*why = "message full";
	return -1;
}

int
spoke_resolution(uint8_t *out, size_t cap, const struct addr *nbma,
		 const struct addr *proto, const struct addr *dst,
		 uint32_t reqid, const char **why)
{
	static struct nhrp_msg m;
	struct nhrp_cie *c;

	start(&m, NHRP_RESOLUTION_REQUEST, nbma, proto);
	put(&m.dst_proto, dst);
	m.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S |
		  NHRP_FLAG_RES_NAT;
	m.reqid = reqid;
	c = nhrp_msg_add_cie(&m);
	if (c == NULL)
		goto full;
	c->prefix_len = 32;
	c->holding_time = SPOKE_HOLDING_TIME;
	if (nhrp_msg_add_ext(&m, NHRP_EXT_FWD_TRANSIT, true) == NULL ||
	    nhrp_msg_add_ext(&m, NHRP_EXT_REV_TRANSIT, true) == NULL ||
	    nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER, true) == NULL ||
	    nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDR, false) == NULL)
		goto full;
	return encode(&m, out, cap, why);
full:
	*why = "message full";
	return -1;
}

int
spoke_check_reply(const uint8_t *pkt, size_t len, uint8_t type, uint32_t *reqid,
		  uint8_t *code)
{
	static struct nhrp_msg m;
	const char *why = NULL;
	size_t i;

	if (nhrp_decode(pkt, len, &m, &why) == -1 || m.type != type)
		return -1;
	*reqid = m.reqid;
	*code = NHRP_CIE_SUCCESS;
	if (m.cie_count == 0) {
		*code = NHRP_CIE_INSUFFICIENT_RES;
		return 1;
	}
	for (i = 0; i < m.cie_count; i++) {
		if (m.cie[i].code != NHRP_CIE_SUCCESS) {
			*code = m.cie[i].code;
			return 1;
		}
	}
	return 0;
}
