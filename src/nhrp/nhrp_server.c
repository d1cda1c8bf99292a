/*
 * The server side of NHRP: registrations (hub), resolution replies from
 * the cache or for our own networks, forwarding between NHSes with the
 * transit NHS records and loop detection, and purges.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmvpn/log.h"
#include "nhrp_int.h"

static bool
is_request(uint8_t type)
{
	return type == NHRP_RESOLUTION_REQUEST ||
	       type == NHRP_REGISTRATION_REQUEST || type == NHRP_PURGE_REQUEST;
}

static int
pro_family(uint16_t pro_type)
{
	return pro_type == NHRP_PRO_IPV6 ? AF_INET6 : AF_INET;
}

/*
 * Start the reply to request m (RFC 2332 5.2.2, 5.2.4, 5.2.6: the reply
 * carries the request's addresses, ID and extensions back): fixed header,
 * mandatory part, and the extensions the replier must return, with our
 * Responder Address filled in.  CIEs and the NAT extension are the
 * caller's.  Returns the NAT extension when the request had one.
 */
static struct nhrp_ext *
reply_init(struct nhrp_engine *e, struct nhrp_msg *r, const struct nhrp_msg *m,
	   uint8_t type)
{
	struct nhrp_ext *nat = NULL;
	size_t i, j;

	nhrp_msg_init(r, type, m->afn, m->pro_type);
	memcpy(r->pro_snap, m->pro_snap, sizeof(r->pro_snap));
	r->flags = m->flags;
	r->reqid = m->reqid;
	r->src_nbma = m->src_nbma;
	r->src_nbma_sub = m->src_nbma_sub;
	r->src_proto = m->src_proto;
	r->dst_proto = m->dst_proto;
	r->ext_present = m->ext_present;
	for (i = 0; i < m->ext_count; i++) {
		const struct nhrp_ext *x = &m->ext[i];
		struct nhrp_ext *y;

		if (x->type == NHRP_EXT_AUTH)
			continue; /* hop by hop: nhrp_send adds ours */
		y = nhrp_msg_add_ext(r, x->type, x->compulsory);
		if (y == NULL)
			break;
		switch (x->type) {
		case NHRP_EXT_RESPONDER:
			nhrp_add_self_cie(e, r, y, pro_family(m->pro_type));
			break;
		case NHRP_EXT_NAT_ADDR:
			nat = y;
			/*
			 * A registration's NAT CIEs come back as the client
			 * sent them (the NHS it addressed), and the NHS that
			 * sees NAT appends one with the outside address: FRR
			 * nhrpd detects NAT only by that second CIE.
			 */
			if (type != NHRP_REGISTRATION_REPLY)
				break;
			/* fall through */
		case NHRP_EXT_FWD_TRANSIT:
		case NHRP_EXT_REV_TRANSIT:
			for (j = 0; j < x->cie_count; j++) {
				const struct nhrp_cie *c =
					nhrp_ext_cie(m, x, j);
				struct nhrp_cie *d = nhrp_ext_add_cie(r, y);

				if (c != NULL && d != NULL)
					*d = *c;
			}
			break;
		default:
			y->spi = x->spi;
			y->vendor_id = x->vendor_id;
			y->data = x->data;
			y->data_len = x->data_len;
			break;
		}
	}
	return nat;
}

/* The NBMA address a requester really has: NAT extension, else src. */
static void
requester_nbma(const struct nhrp_msg *m, const struct addr *from,
	       struct addr *out)
{
	int i = nhrp_ext_find(m, NHRP_EXT_NAT_ADDR);
	int fwd = nhrp_ext_find(m, NHRP_EXT_FWD_TRANSIT);
	const struct nhrp_cie *c;

	if (i >= 0 && (c = nhrp_ext_cie(m, &m->ext[i], 0)) != NULL &&
	    nhrp_get_addr(out, &c->nbma) == 0)
		return;
	/* Straight from the requester (no NHS in between): what we saw. */
	if (fwd < 0 || m->ext[fwd].cie_count == 0) {
		*out = *from;
		return;
	}
	nhrp_get_addr(out, &m->src_nbma);
}

/* A CIE's prefix: 0 and 0xff (unspecified) and overlong mean a host. */
static void
cie_prefix(const struct nhrp_cie *c, const struct addr *dflt, struct prefix *p)
{
	if (nhrp_get_addr(&p->addr, &c->proto) == -1)
		p->addr = *dflt;
	p->plen = c->prefix_len;
	if (p->plen == 0 || p->plen > addr_bits(&p->addr))
		p->plen = (uint8_t)addr_bits(&p->addr);
}

/* RFC 2332 5.2.3-5.2.4 and the Cisco NAT extension, on a hub. */
void
nhrp_handle_registration(struct nhrp_engine *e, double now,
			 const struct addr *from, struct nhrp_msg *m)
{
	struct nhrp_msg r;
	struct addr src_proto, src_nbma;
	const struct prefix *net;
	struct nhrp_ext *nat_ext;
	bool nat;
	size_t i;
	char as[ADDR_STRLEN];

	if (e->conf.role != NHRP_ROLE_HUB) {
		e->stats.drops[NHRP_DROP_NOT_SERVER]++;
		return;
	}
	if (nhrp_get_addr(&src_proto, &m->src_proto) == -1 ||
	    nhrp_get_addr(&src_nbma, &m->src_nbma) == -1 || m->cie_count == 0) {
		e->stats.drops[NHRP_DROP_BAD_CIE]++;
		return;
	}
	net = nhrp_local_for(e, src_proto.family);
	/* Behind NAT, the packet's source is not what the spoke claims. */
	nat = !addr_eq(from, &src_nbma);
	nat_ext = reply_init(e, &r, m, NHRP_REGISTRATION_REPLY);
	/*
	 * The reply names us as its destination, whatever the request had
	 * there: a client with a dynamic NHS sends its own address (RFC
	 * 2332 5.2.3) and learns ours from this field (FRR nhrpd takes it
	 * as the NHS address, and an FRR hub fills it so).
	 */
	if (net != NULL)
		nhrp_put_addr(&r.dst_proto, &net->addr);
	for (i = 0; i < m->cie_count; i++) {
		const struct nhrp_cie *ci = &m->cie[i];
		struct nhrp_cache *c;
		struct prefix p;
		uint8_t code = NHRP_CIE_SUCCESS;
		uint16_t ht = ci->holding_time;

		cie_prefix(ci, &src_proto, &p);
		prefix_mask(&p);
		c = nhrp_cache_find(e, &p);
		if (net == NULL || !prefix_contains(net, &p.addr) ||
		    p.plen < net->plen) {
			/* Only addresses of this tunnel's network. */
			code = NHRP_CIE_ADMIN_PROHIBITED;
		} else if (e->conf.ipsec && e->ops.authorize != NULL &&
			   !e->ops.authorize(e->ops.ctx, from, &p.addr)) {
			/* The IKE identity does not cover this address. */
			code = NHRP_CIE_ADMIN_PROHIBITED;
			e->stats.registrations_unauthorized++;
		} else if (c != NULL && (c->type == NHRP_CACHE_LOCAL ||
					 c->type == NHRP_CACHE_STATIC ||
					 c->type == NHRP_CACHE_NHS)) {
			code = NHRP_CIE_ALREADY_REGISTERED;
		} else if (c != NULL && c->type == NHRP_CACHE_DYNAMIC &&
			   c->vc != NULL && !addr_eq(&c->vc->nbma, from) &&
			   (c->flags & NHRP_CF_UNIQUE)) {
			/* RFC 2332 5.2.3: a unique binding is not replaced. */
			code = NHRP_CIE_ALREADY_REGISTERED;
		}
		if (code == NHRP_CIE_SUCCESS && ht == 0) {
			/* Holding time 0: the client withdraws the binding. */
			if (c != NULL && c->type == NHRP_CACHE_DYNAMIC)
				nhrp_cache_del(e, now, c, "withdrawn");
		} else if (code == NHRP_CIE_SUCCESS) {
			if (c != NULL && c->type != NHRP_CACHE_DYNAMIC) {
				nhrp_cache_del(e, now, c, "registered");
				c = NULL;
			}
			if (c != NULL && c->vc != NULL &&
			    !addr_eq(&c->vc->nbma, from)) {
				/* Moved: whoever resolved it must forget it. */
				nhrp_cache_purge_holders(e, now, c);
			}
			if (c == NULL)
				c = nhrp_cache_new(e, now, &p,
						   NHRP_CACHE_DYNAMIC);
			if (c == NULL) {
				code = NHRP_CIE_INSUFFICIENT_RES;
			} else {
				c->flags &= (uint8_t) ~(NHRP_CF_UNIQUE |
							NHRP_CF_NAT);
				if (m->flags & NHRP_FLAG_REG_U)
					c->flags |= NHRP_CF_UNIQUE;
				if (nat)
					c->flags |= NHRP_CF_NAT;
				c->claimed_nbma = src_nbma;
				c->reqid = m->reqid;
				c->holding_time = ht;
				c->mtu = ci->mtu;
				nhrp_cache_bind(e, now, c, &src_proto, from);
				nhrp_cache_expire_at(e, c, now + ht);
			}
		}
		if (code == NHRP_CIE_SUCCESS) {
			e->stats.registrations_accepted++;
		} else {
			e->stats.registrations_rejected++;
			log_info("%s: registration of %s from %s refused: %s",
				 e->conf.ifname, prefix_fmt(&p, as),
				 addr_fmt(from, (char[ADDR_STRLEN]){0}),
				 nhrp_cie_code_name(code));
		}
		if (r.cie_count < NHRP_MAX_CIE) {
			r.cie[r.cie_count] = *ci;
			r.cie[r.cie_count].code = code;
			r.cie_count++;
		}
	}
	if (nat) {
		/*
		 * Cisco NAT extension: tell the spoke the address we see, so
		 * it can announce it in its own resolution replies.
		 */
		struct nhrp_cie *nc;

		e->stats.registrations_nat++;
		if (nat_ext == NULL)
			nat_ext =
				nhrp_msg_add_ext(&r, NHRP_EXT_NAT_ADDR, false);
		if (nat_ext != NULL &&
		    (nc = nhrp_ext_add_cie(&r, nat_ext)) != NULL) {
			nc->code = NHRP_CIE_SUCCESS;
			nc->prefix_len = (uint8_t)addr_bits(&src_proto);
			nhrp_put_addr(&nc->nbma, from);
			nhrp_put_addr(&nc->proto, &src_proto);
		}
	}
	nhrp_send(e, now, from, &r);
}

/* Our own NBMA address as others should use it (NAT-corrected). */
static const struct addr *
own_nbma(const struct nhrp_engine *e)
{
	return addr_is_none(&e->public_nbma) ? &e->conf.local_nbma
					     : &e->public_nbma;
}

/*
 * Answer a resolution request (RFC 2332 5.2.2) with one CIE: prefix p
 * reached through next hop `nexthop` at NBMA `nbma`, sent to `to`.
 */
static void
resolution_reply(struct nhrp_engine *e, double now, const struct addr *to,
		 const struct nhrp_msg *m, const struct prefix *p,
		 const struct addr *nexthop, const struct addr *nbma,
		 uint16_t ht, uint16_t mtu, bool ours)
{
	struct nhrp_msg r;
	struct nhrp_ext *nat_ext;
	struct nhrp_cie *c;

	nat_ext = reply_init(e, &r, m, NHRP_RESOLUTION_REPLY);
	/* Authoritative, stable: from the destination or its server. */
	r.flags =
		(uint16_t)((m->flags & (NHRP_FLAG_RES_Q | NHRP_FLAG_RES_U)) |
			   NHRP_FLAG_RES_A | NHRP_FLAG_RES_D | NHRP_FLAG_RES_S);
	c = nhrp_msg_add_cie(&r);
	if (c == NULL)
		return;
	c->code = NHRP_CIE_SUCCESS;
	c->prefix_len = p->plen;
	c->mtu = mtu;
	c->holding_time = ht;
	nhrp_put_addr(&c->nbma, nbma);
	nhrp_put_addr(&c->proto, nexthop);
	if (ours && nat_ext != NULL && !addr_is_none(&e->public_nbma)) {
		struct nhrp_cie *nc = nhrp_ext_add_cie(&r, nat_ext);

		if (nc != NULL) {
			nc->prefix_len = (uint8_t)addr_bits(nexthop);
			nhrp_put_addr(&nc->nbma, &e->public_nbma);
			nhrp_put_addr(&nc->proto, nexthop);
		}
	}
	e->stats.resolutions_answered++;
	nhrp_send(e, now, to, &r);
}

/* Is dst ours to answer for?  *p gets the prefix to announce. */
static bool
own_destination(struct nhrp_engine *e, const struct addr *dst, struct prefix *p)
{
	struct addr nh;
	uint8_t plen = 0;
	size_t i;

	if (nhrp_is_local_addr(e, dst)) {
		p->addr = *dst;
		p->plen = (uint8_t)addr_bits(dst);
		return true;
	}
	for (i = 0; i < e->conf.nshortcut_dest; i++) {
		if (prefix_contains(&e->conf.shortcut_dest[i], dst)) {
			*p = e->conf.shortcut_dest[i];
			prefix_mask(p);
			return true;
		}
	}
	if (e->ops.route_lookup != NULL &&
	    e->ops.route_lookup(e->ops.ctx, dst, &nh, &plen) == 0) {
		p->addr = *dst;
		p->plen =
			plen <= addr_bits(dst) ? plen : (uint8_t)addr_bits(dst);
		prefix_mask(p);
		return true;
	}
	return false;
}

/*
 * A spoke answering for itself sends the reply straight to the requester
 * (as Cisco and FRR nhrpd do), not back through the NHSes: that first
 * packet between the two opens the path through a NAT in front of the
 * responder and, with IPsec, makes the responder start IKE.  A requester
 * behind a NAT gets its reply through the NHSes (below).  The requester is
 * remembered as a dynamic entry so the way back uses the same direct
 * path; a static map, an NHS or a shortcut to it stays as it is.
 * Returns where to send the reply.
 */
static const struct addr *
spoke_bind_requester(struct nhrp_engine *e, double now, const struct addr *from,
		     const struct nhrp_msg *m, const struct addr *src_proto,
		     const struct addr *req_nbma)
{
	const struct prefix *net = nhrp_local_for(e, src_proto->family);
	struct prefix host = {*src_proto, (uint8_t)addr_bits(src_proto)};
	struct nhrp_cache *c;
	struct addr claimed;
	uint16_t ht;

	if (addr_eq(from, req_nbma) || net == NULL ||
	    !prefix_contains(net, src_proto) ||
	    nhrp_is_local_addr(e, src_proto))
		return from;
	/*
	 * The requester is behind a NAT (an NHS put its outside address in
	 * the NAT extension): a packet of ours to that address before the
	 * requester ever sent to us meets no mapping, and the conntrack
	 * entry it leaves (GRE has no port to remap) blocks the mapping the
	 * requester's own packets to us would make.  The reply goes back
	 * through the NHSes; the requester then comes to us itself.
	 */
	if (nhrp_get_addr(&claimed, &m->src_nbma) == 0 &&
	    !addr_eq(&claimed, req_nbma))
		return from;
	c = nhrp_cache_find(e, &host);
	if (c != NULL && c->type != NHRP_CACHE_DYNAMIC) {
		/* Configured or resolved by us: that binding is the path. */
		return c->vc != NULL ? &c->vc->nbma : req_nbma;
	}
	if (c == NULL &&
	    (c = nhrp_cache_new(e, now, &host, NHRP_CACHE_DYNAMIC)) == NULL)
		return req_nbma;
	/* RFC 2332 5.2.1: the request's CIE may say how long to keep it. */
	ht = m->cie_count > 0 && m->cie[0].holding_time != 0
		     ? m->cie[0].holding_time
		     : (uint16_t)e->conf.holding_time;
	c->holding_time = ht;
	c->mtu = m->cie_count > 0 ? m->cie[0].mtu : 0;
	c->reqid = m->reqid;
	c->claimed_nbma = *req_nbma;
	nhrp_cache_bind(e, now, c, src_proto, req_nbma);
	nhrp_cache_expire_at(e, c, now + ht);
	return req_nbma;
}

void
nhrp_handle_resolution(struct nhrp_engine *e, double now,
		       const struct addr *from, struct nhrp_msg *m,
		       const uint8_t *pkt, size_t len)
{
	struct addr dst, src_proto, req_nbma;
	const struct prefix *local;
	struct nhrp_cache *c;
	struct prefix p;

	if (nhrp_get_addr(&dst, &m->dst_proto) == -1 ||
	    nhrp_get_addr(&src_proto, &m->src_proto) == -1) {
		e->stats.drops[NHRP_DROP_BAD_CIE]++;
		return;
	}
	requester_nbma(m, from, &req_nbma);
	local = nhrp_local_for(e, dst.family);
	if (own_destination(e, &dst, &p)) {
		c = nhrp_cache_find(e, &p);
		if (c != NULL && c->type == NHRP_CACHE_LOCAL)
			nhrp_cache_add_holder(e, c, &src_proto, &req_nbma);
		resolution_reply(
			e, now,
			e->conf.role == NHRP_ROLE_HUB
				? from
				: spoke_bind_requester(e, now, from, m,
						       &src_proto, &req_nbma),
			m, &p, &local->addr, own_nbma(e),
			(uint16_t)e->conf.holding_time, e->conf.mtu, true);
		return;
	}
	if (e->conf.role == NHRP_ROLE_HUB) {
		c = nhrp_cache_lookup(e, &dst);
		if (c != NULL && c->vc != NULL &&
		    (c->type == NHRP_CACHE_DYNAMIC ||
		     c->type == NHRP_CACHE_STATIC) &&
		    nhrp_cache_state(c) == NHRP_PEER_UP) {
			/* Authoritative from the registration (5.2.3). */
			nhrp_cache_add_holder(e, c, &src_proto, &req_nbma);
			nhrp_flow_resolved(e, now, &src_proto, &dst);
			resolution_reply(e, now, from, m, &c->proto,
					 &c->nexthop, &c->vc->nbma,
					 c->expires > now
						 ? (uint16_t)(c->expires - now)
						 : c->holding_time,
					 c->mtu, false);
			return;
		}
		nhrp_forward(e, now, from, m, &dst, pkt, len);
		return;
	}
	/* A spoke answers only for itself. */
	e->stats.drops[NHRP_DROP_NO_ROUTE]++;
	nhrp_send_error(e, now, from, m, pkt, len, NHRP_ERR_PROTO_UNREACH, 0);
}

/*
 * Carry a packet on toward `toward` (RFC 2332 5.3.2-5.3.3): hop count,
 * loop detection on the transit records, our own record appended,
 * authentication replaced by ours, unknown optional extensions kept.
 */
void
nhrp_forward(struct nhrp_engine *e, double now, const struct addr *from,
	     struct nhrp_msg *m, const struct addr *toward, const uint8_t *pkt,
	     size_t len)
{
	struct addr nbma, nh, src_proto;
	bool req = is_request(m->type);
	int i;
	size_t j;

	if (e->conf.role != NHRP_ROLE_HUB) {
		e->stats.drops[NHRP_DROP_NOT_SERVER]++;
		return;
	}
	if (!nhrp_forward_route(e, toward, &nbma, &nh) ||
	    addr_eq(&nbma, from)) {
		e->stats.drops[NHRP_DROP_NO_ROUTE]++;
		if (req)
			nhrp_send_error(e, now, from, m, pkt, len,
					NHRP_ERR_PROTO_UNREACH, 0);
		return;
	}
	if (m->hop_count <= 1) {
		e->stats.drops[NHRP_DROP_HOP_COUNT]++;
		nhrp_send_error(e, now, from, m, pkt, len, NHRP_ERR_HOP_COUNT,
				0);
		return;
	}
	m->hop_count--;
	i = nhrp_ext_find(m, req ? NHRP_EXT_FWD_TRANSIT : NHRP_EXT_REV_TRANSIT);
	if (i >= 0) {
		struct nhrp_ext *x = &m->ext[i];

		for (j = 0; j < x->cie_count; j++) {
			const struct nhrp_cie *c = nhrp_ext_cie(m, x, j);
			struct addr a;

			if (c != NULL && nhrp_get_addr(&a, &c->proto) == 0 &&
			    nhrp_is_local_addr(e, &a)) {
				e->stats.drops[NHRP_DROP_LOOP]++;
				if (req)
					nhrp_send_error(
						e, now, from, m, pkt, len,
						NHRP_ERR_LOOP_DETECTED, 0);
				return;
			}
		}
		nhrp_add_self_cie(e, m, x, pro_family(m->pro_type));
	}
	/*
	 * A request from a spoke behind NAT: tell the next hop the address
	 * we see for it, unless an NHS before us already did.
	 */
	if (m->type == NHRP_RESOLUTION_REQUEST &&
	    nhrp_get_addr(&src_proto, &m->src_proto) == 0) {
		struct nhrp_cache *c = nhrp_cache_find(
			e, &(struct prefix){src_proto,
					    (uint8_t)addr_bits(&src_proto)});

		i = nhrp_ext_find(m, NHRP_EXT_NAT_ADDR);
		if (c != NULL && (c->flags & NHRP_CF_NAT) && c->vc != NULL &&
		    (i < 0 || m->ext[i].cie_count == 0)) {
			struct nhrp_ext *x =
				i >= 0 ? &m->ext[i]
				       : nhrp_msg_add_ext(m, NHRP_EXT_NAT_ADDR,
							  false);
			struct nhrp_cie *nc =
				x != NULL ? nhrp_ext_add_cie(m, x) : NULL;

			if (nc != NULL) {
				nc->prefix_len = (uint8_t)addr_bits(&src_proto);
				nhrp_put_addr(&nc->nbma, &c->vc->nbma);
				nhrp_put_addr(&nc->proto, &src_proto);
			}
		}
	}
	if (m->type == NHRP_RESOLUTION_REPLY) {
		/* Phase 3: this source now has a shortcut; stop redirecting. */
		struct addr req_proto, dst;

		if (nhrp_get_addr(&req_proto, &m->src_proto) == 0 &&
		    nhrp_get_addr(&dst, &m->dst_proto) == 0 &&
		    m->cie_count > 0 && m->cie[0].code == NHRP_CIE_SUCCESS)
			nhrp_flow_resolved(e, now, &req_proto, &dst);
		e->stats.replies_forwarded++;
	} else if (req) {
		e->stats.resolutions_forwarded++;
	}
	nhrp_send(e, now, &nbma, m);
}

/* RFC 2332 5.2.5: forget the purged bindings, then reply unless N. */
void
nhrp_handle_purge(struct nhrp_engine *e, double now, const struct addr *from,
		  struct nhrp_msg *m, const uint8_t *pkt, size_t len)
{
	struct addr dst, src_proto;
	struct nhrp_msg r;
	size_t i;

	if (nhrp_get_addr(&dst, &m->dst_proto) == -1 ||
	    nhrp_get_addr(&src_proto, &m->src_proto) == -1) {
		e->stats.drops[NHRP_DROP_BAD_CIE]++;
		return;
	}
	if (!nhrp_is_local_addr(e, &dst)) {
		nhrp_forward(e, now, from, m, &dst, pkt, len);
		return;
	}
	for (i = 0; i < m->cie_count; i++) {
		struct nhrp_cache *c, *tmp;
		struct prefix p;

		cie_prefix(&m->cie[i], &src_proto, &p);
		prefix_mask(&p);
		list_for_each_entry_safe(c, tmp, &e->cache_all, all) {
			if (c->type == NHRP_CACHE_LOCAL ||
			    c->type == NHRP_CACHE_STATIC ||
			    c->type == NHRP_CACHE_NHS)
				continue;
			/* The binding itself and everything inside it. */
			if (prefix_contains(&p, &c->proto.addr) &&
			    c->proto.plen >= p.plen)
				nhrp_cache_del(e, now, c, "purged");
		}
	}
	if (m->flags & NHRP_FLAG_PURGE_N)
		return;
	reply_init(e, &r, m, NHRP_PURGE_REPLY);
	for (i = 0; i < m->cie_count && i < NHRP_MAX_CIE; i++)
		r.cie[r.cie_count++] = m->cie[i];
	nhrp_send(e, now, from, &r);
}

void
nhrp_handle_purge_reply(struct nhrp_engine *e, double now,
			const struct addr *from, struct nhrp_msg *m,
			const uint8_t *pkt, size_t len)
{
	struct nhrp_purge *p, *tmp;
	struct addr src;

	/* A Purge Reply goes back to the purge's source (5.2.6). */
	if (nhrp_get_addr(&src, &m->src_proto) == 0 &&
	    !nhrp_is_local_addr(e, &src)) {
		nhrp_forward(e, now, from, m, &src, pkt, len);
		return;
	}
	list_for_each_entry_safe(p, tmp, &e->purges, all) {
		if (p->reqid == m->reqid) {
			nhrp_timer_del(e, &p->timer);
			list_del(&p->all);
			free(p);
			return;
		}
	}
	e->stats.drops[NHRP_DROP_UNMATCHED_REPLY]++;
}

void
nhrp_purge_send(struct nhrp_engine *e, double now, const struct addr *to_proto,
		const struct addr *to_nbma, const struct prefix *what,
		bool want_reply)
{
	struct nhrp_msg m;
	struct nhrp_cie *c;
	struct nhrp_purge *p;

	nhrp_msg_start(e, &m, NHRP_PURGE_REQUEST, what->addr.family);
	if (m.src_proto.len == 0 || to_proto->family != what->addr.family)
		return;
	nhrp_put_addr(&m.dst_proto, to_proto);
	m.reqid = nhrp_reqid_new(e);
	if (!want_reply)
		m.flags |= NHRP_FLAG_PURGE_N;
	c = nhrp_msg_add_cie(&m);
	if (c == NULL)
		return;
	c->prefix_len = what->plen;
	nhrp_put_addr(&c->proto, &what->addr);
	e->stats.purges_sent++;
	if (nhrp_send(e, now, to_nbma, &m) == -1 || !want_reply)
		return;
	/* Keep the bytes for retransmission (RFC 2332 5.2.5). */
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return;
	p->to_nbma = *to_nbma;
	p->reqid = m.reqid;
	p->len = 0;
	p->timer.kind = NHRP_T_PURGE;
	list_add_tail(&e->purges, &p->all);
	memcpy(p->pkt, e->tx, e->tx_len);
	p->len = e->tx_len;
	nhrp_timer_set(e, &p->timer, now + NHRP_RETRY_FIRST * 2);
}

void
nhrp_purge_timer(struct nhrp_engine *e, double now, struct nhrp_purge *p)
{
	struct nhrp_vc *vc;

	if (++p->tries >= NHRP_PURGE_TRIES || p->len == 0) {
		list_del(&p->all);
		free(p);
		return;
	}
	vc = nhrp_vc_find(e, &p->to_nbma);
	if (vc != NULL && vc->state == NHRP_VC_UP) {
		e->stats.tx_by_type[NHRP_PURGE_REQUEST]++;
		nhrp_vc_send(e, now, vc, p->pkt, p->len);
	}
	nhrp_timer_set(e, &p->timer,
		       now + NHRP_RETRY_FIRST * 2 * (p->tries + 1));
}

void
nhrp_purge_free_all(struct nhrp_engine *e)
{
	struct nhrp_purge *p, *tmp;

	list_for_each_entry_safe(p, tmp, &e->purges, all) {
		nhrp_timer_del(e, &p->timer);
		list_del(&p->all);
		free(p);
	}
}
