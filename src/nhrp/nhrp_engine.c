/*
 * The NHRP engine: life cycle, the receive path, the send path, timers
 * and introspection.  Protocol handlers live in nhrp_server.c (hub side
 * and forwarding), nhrp_nhs.c (spoke registration) and nhrp_shortcut.c
 * (resolution and redirects).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmvpn/buf.h"
#include "dmvpn/log.h"
#include "nhrp_int.h"

const char nhrp_reason_shutdown[] = "shutdown";

/* Request IDs reserved at a time when the daemon persists them. */
#define NHRP_REQID_BLOCK 65536

static const char *const drop_names[NHRP_DROP_MAX] = {
	[NHRP_DROP_MALFORMED] = "malformed",
	[NHRP_DROP_AUTH_MISSING] = "auth_missing",
	[NHRP_DROP_AUTH_MISMATCH] = "auth_mismatch",
	[NHRP_DROP_WRONG_PROTOCOL] = "wrong_protocol",
	[NHRP_DROP_HOP_COUNT] = "hop_count_exceeded",
	[NHRP_DROP_LOOP] = "loop_detected",
	[NHRP_DROP_UNKNOWN_COMPULSORY] = "unknown_compulsory_extension",
	[NHRP_DROP_NOT_SERVER] = "not_a_server",
	[NHRP_DROP_NO_ROUTE] = "no_route",
	[NHRP_DROP_UNMATCHED_REPLY] = "unmatched_reply",
	[NHRP_DROP_STALE_REPLY] = "stale_reply",
	[NHRP_DROP_NO_RESOURCES] = "no_resources",
	[NHRP_DROP_BAD_CIE] = "bad_cie",
	[NHRP_DROP_RATE_LIMIT] = "rate_limited",
	[NHRP_DROP_IPSEC_QUEUE] = "ipsec_queue_full",
};

const char *
nhrp_drop_name(enum nhrp_drop d)
{
	return d < NHRP_DROP_MAX ? drop_names[d] : "unknown";
}

const char *
nhrp_cache_type_name(enum nhrp_cache_type t)
{
	static const char *const names[] = {
		[NHRP_CACHE_INCOMPLETE] = "incomplete",
		[NHRP_CACHE_NEGATIVE] = "negative",
		[NHRP_CACHE_DYNAMIC] = "dynamic",
		[NHRP_CACHE_NHS] = "nhs",
		[NHRP_CACHE_STATIC] = "static",
		[NHRP_CACHE_SHORTCUT] = "shortcut",
		[NHRP_CACHE_LOCAL] = "local",
	};

	return t <= NHRP_CACHE_LOCAL ? names[t] : "unknown";
}

const char *
nhrp_peer_state_name(enum nhrp_peer_state s)
{
	static const char *const names[] = {
		[NHRP_PEER_DOWN] = "down",
		[NHRP_PEER_IKE] = "ike",
		[NHRP_PEER_NHRP] = "nhrp",
		[NHRP_PEER_UP] = "up",
	};

	return s <= NHRP_PEER_UP ? names[s] : "unknown";
}

const char *
nhrp_nhs_state_name(enum nhrp_nhs_state s)
{
	static const char *const names[] = {
		[NHRP_NHS_DOWN] = "down",
		[NHRP_NHS_PROBING] = "probing",
		[NHRP_NHS_UP] = "up",
	};

	return s <= NHRP_NHS_UP ? names[s] : "unknown";
}

const char *
nhrp_event_name(enum nhrp_event ev)
{
	static const char *const names[] = {
		[NHRP_EV_PEER_UP] = "peer-up",
		[NHRP_EV_PEER_DOWN] = "peer-down",
		[NHRP_EV_NHS_UP] = "nhs-up",
		[NHRP_EV_NHS_DOWN] = "nhs-down",
		[NHRP_EV_ROUTE_UP] = "route-up",
		[NHRP_EV_ROUTE_DOWN] = "route-down",
	};

	return ev <= NHRP_EV_ROUTE_DOWN ? names[ev] : "unknown";
}

void
nhrp_conf_defaults(struct nhrp_conf *conf, enum nhrp_role role)
{
	memset(conf, 0, sizeof(*conf));
	conf->role = role;
	conf->holding_time = 7200;
	conf->unique = true;
	conf->shortcut = role == NHRP_ROLE_SPOKE;
	conf->redirect = role == NHRP_ROLE_HUB;
	conf->negative_ttl = 60;
	conf->redirect_interval = 2;
	conf->redirect_burst = 4;
	conf->reqid_base = 1;
}

/* xorshift32: retry jitter only, so a seed from the config is enough. */
static uint32_t
nhrp_rand(struct nhrp_engine *e)
{
	uint32_t x = e->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	e->rng = x;
	return x;
}

/* base seconds, +-25 %, so that many spokes do not retry in lock step. */
double
nhrp_jitter(struct nhrp_engine *e, double base)
{
	double r = (double)(nhrp_rand(e) % 10001) / 10000.0; /* 0..1 */

	return base * (0.75 + 0.5 * r);
}

uint32_t
nhrp_reqid_new(struct nhrp_engine *e)
{
	uint32_t id = e->reqid_next++;

	if (e->reqid_next == 0)
		e->reqid_next = 1;
	/* Reserve the next block before this one runs out. */
	if (e->reqid_limit != 0 && e->reqid_next >= e->reqid_limit - 1 &&
	    e->ops.reqid_reserve != NULL) {
		uint32_t limit = e->reqid_limit + NHRP_REQID_BLOCK;

		if (e->ops.reqid_reserve(e->ops.ctx, limit) == 0)
			e->reqid_limit = limit;
		else
			log_warnx("%s: cannot persist request IDs",
				  e->conf.ifname);
	}
	return id;
}

uint32_t
nhrp_reqid_peek(const struct nhrp_engine *e)
{
	return e->reqid_next;
}

void
nhrp_timer_set(struct nhrp_engine *e, struct nhrp_timer *t, double at)
{
	/* Out of memory only when growing; the entry then never fires. */
	if (heap_set(&e->timers, &t->hn, at) == -1)
		log_warnx("%s: out of memory for timers", e->conf.ifname);
}

void
nhrp_timer_del(struct nhrp_engine *e, struct nhrp_timer *t)
{
	heap_del(&e->timers, &t->hn);
}

void
nhrp_intent(struct nhrp_engine *e, const struct nhrp_intent *in)
{
	if (e->ops.intent != NULL)
		e->ops.intent(e->ops.ctx, in);
}

void
nhrp_event(struct nhrp_engine *e, enum nhrp_event ev,
	   const struct nhrp_cache *c, const struct nhrp_nhs *nhs,
	   const char *reason)
{
	struct nhrp_intent in;

	memset(&in, 0, sizeof(in));
	in.type = NHRP_I_EVENT;
	in.event = ev;
	in.reason = reason;
	if (c != NULL) {
		in.kind = (enum nhrp_cache_type)c->type;
		in.dst = c->proto;
		in.proto = c->nexthop;
		if (c->vc != NULL)
			in.nbma = c->vc->nbma;
		in.claimed_nbma = c->claimed_nbma;
		in.mtu = c->mtu;
	}
	if (nhs != NULL) {
		in.kind = NHRP_CACHE_NHS;
		in.proto = nhs->proto;
		in.nbma = nhs->nbma;
	}
	nhrp_intent(e, &in);
}

const struct prefix *
nhrp_local_for(const struct nhrp_engine *e, int family)
{
	size_t i;

	for (i = 0; i < e->conf.nlocal; i++)
		if (e->conf.local[i].addr.family == family)
			return &e->conf.local[i];
	return NULL;
}

bool
nhrp_is_local_addr(const struct nhrp_engine *e, const struct addr *a)
{
	size_t i;

	for (i = 0; i < e->conf.nlocal; i++)
		if (addr_eq(&e->conf.local[i].addr, a))
			return true;
	return false;
}

void
nhrp_put_addr(struct nhrp_addr *dst, const struct addr *src)
{
	nhrp_addr_set(dst, src->bytes, src->len);
}

int
nhrp_get_addr(struct addr *dst, const struct nhrp_addr *src)
{
	if (src->len == 0) {
		memset(dst, 0, sizeof(*dst));
		return -1;
	}
	return addr_from_bytes(dst, src->a, src->len);
}

static uint16_t
afn_of(const struct addr *nbma)
{
	return nbma->family == AF_INET6 ? NHRP_AFN_IPV6 : NHRP_AFN_IPV4;
}

static int
family_of_pro(uint16_t pro_type)
{
	switch (pro_type) {
	case NHRP_PRO_IPV4:
		return AF_INET;
	case NHRP_PRO_IPV6:
		return AF_INET6;
	default:
		return 0;
	}
}

/*
 * Start a message of ours: fixed header for the family of the protocol
 * addresses, our NBMA and protocol address as the source.
 */
void
nhrp_msg_start(struct nhrp_engine *e, struct nhrp_msg *m, uint8_t type,
	       int family)
{
	const struct prefix *local = nhrp_local_for(e, family);

	nhrp_msg_init(m, type, afn_of(&e->conf.local_nbma),
		      family == AF_INET6 ? NHRP_PRO_IPV6 : NHRP_PRO_IPV4);
	nhrp_put_addr(&m->src_nbma, &e->conf.local_nbma);
	if (local != NULL)
		nhrp_put_addr(&m->src_proto, &local->addr);
}

/* Our own CIE: for Responder Address and the transit NHS records. */
struct nhrp_cie *
nhrp_add_self_cie(struct nhrp_engine *e, struct nhrp_msg *m,
		  struct nhrp_ext *ext, int family)
{
	const struct prefix *local = nhrp_local_for(e, family);
	struct nhrp_cie *c = nhrp_ext_add_cie(m, ext);

	if (c == NULL)
		return NULL;
	c->code = NHRP_CIE_SUCCESS;
	c->prefix_len = (uint8_t)(local != NULL ? addr_bits(&local->addr) : 0);
	c->mtu = e->conf.mtu;
	c->holding_time = (uint16_t)e->conf.holding_time;
	nhrp_put_addr(&c->nbma, &e->conf.local_nbma);
	if (local != NULL)
		nhrp_put_addr(&c->proto, &local->addr);
	return c;
}

/* Drop every extension of this type (authentication is hop by hop). */
static void
nhrp_strip_ext(struct nhrp_msg *m, uint16_t type)
{
	size_t i = 0;

	while (i < m->ext_count) {
		if (m->ext[i].type == type && !nhrp_ext_has_cies(type)) {
			memmove(&m->ext[i], &m->ext[i + 1],
				(m->ext_count - i - 1) * sizeof(m->ext[0]));
			m->ext_count--;
		} else {
			i++;
		}
	}
}

/*
 * Encode m (adding our Authentication extension, RFC 2332 5.3.4 and
 * Cisco type 1) and hand it to the peer's virtual connection.
 */
int
nhrp_send(struct nhrp_engine *e, double now, const struct addr *nbma,
	  struct nhrp_msg *m)
{
	struct wbuf w;
	const char *why = NULL;
	struct nhrp_vc *vc;
	int rc;

	nhrp_strip_ext(m, NHRP_EXT_AUTH);
	if (e->conf.auth_len > 0) {
		struct nhrp_ext *ext = nhrp_msg_add_ext(m, NHRP_EXT_AUTH, true);

		if (ext != NULL) {
			ext->spi = NHRP_AUTH_CISCO_CLEARTEXT;
			ext->data = e->conf.auth;
			ext->data_len = (uint16_t)e->conf.auth_len;
		}
	}
	wbuf_init(&w, e->tx, sizeof(e->tx));
	if (nhrp_encode(m, &w, &why) == -1) {
		log_warnx("%s: cannot encode %s: %s", e->conf.ifname,
			  nhrp_type_name(m->type), why);
		e->stats.send_failures++;
		return -1;
	}
	e->tx_len = wbuf_len(&w);
	e->stats.tx_by_type[m->type <= 8 ? m->type : 0]++;
	vc = nhrp_vc_get(e, nbma);
	if (vc == NULL) {
		e->stats.send_failures++;
		return -1;
	}
	/*
	 * Nothing of ours needs this peer (an error or purge to a peer whose
	 * SA is gone): do not start IKE just for it.
	 */
	if (vc->refs == 1 && vc->state != NHRP_VC_UP) {
		e->stats.send_failures++;
		nhrp_vc_put(e, vc);
		return -1;
	}
	rc = nhrp_vc_send(e, now, vc, e->tx, wbuf_len(&w));
	nhrp_vc_put(e, vc);
	return rc;
}

/*
 * RFC 2332 5.2.7: an Error Indication goes to the source of the packet in
 * error and quotes it; never in answer to an Error Indication.
 */
void
nhrp_send_error(struct nhrp_engine *e, double now, const struct addr *to,
		const struct nhrp_msg *orig, const uint8_t *pkt, size_t len,
		uint16_t code, uint16_t offset)
{
	struct nhrp_msg m;
	int family = family_of_pro(orig->pro_type);

	if (orig->type == NHRP_ERROR_INDICATION || family == 0)
		return;
	nhrp_msg_start(e, &m, NHRP_ERROR_INDICATION, family);
	m.err_code = code;
	m.err_offset = offset;
	m.dst_proto = orig->src_proto;
	/* Quote at most what fits; the header is what matters. */
	m.payload = pkt;
	m.payload_len = (uint16_t)(len > 512 ? 512 : len);
	e->stats.errors_sent++;
	nhrp_send(e, now, to, &m);
}

/* RFC 2332 5.3.4 + Cisco type 1: the secret must match exactly. */
static int
nhrp_check_auth(struct nhrp_engine *e, const struct nhrp_msg *m)
{
	int i;
	const struct nhrp_ext *ext;

	if (e->conf.auth_len == 0)
		return 0;
	i = nhrp_ext_find(m, NHRP_EXT_AUTH);
	if (i < 0) {
		e->stats.drops[NHRP_DROP_AUTH_MISSING]++;
		return -1;
	}
	ext = &m->ext[i];
	if (ext->spi != NHRP_AUTH_CISCO_CLEARTEXT ||
	    ext->data_len != e->conf.auth_len ||
	    memcmp(ext->data, e->conf.auth, e->conf.auth_len) != 0) {
		e->stats.drops[NHRP_DROP_AUTH_MISMATCH]++;
		return -1;
	}
	return 0;
}

/*
 * Where to send something addressed to dst: the NBMA address of the peer
 * our cache, the kernel's routes or our NHS name as next hop.
 */
bool
nhrp_forward_route(struct nhrp_engine *e, const struct addr *dst,
		   struct addr *nbma, struct addr *nexthop)
{
	struct nhrp_cache *c;
	struct addr nh;
	uint8_t plen;
	int r;

	c = nhrp_cache_lookup(e, dst);
	if (c != NULL && c->vc != NULL && c->type != NHRP_CACHE_NEGATIVE &&
	    c->type != NHRP_CACHE_INCOMPLETE) {
		*nbma = c->vc->nbma;
		*nexthop = c->nexthop;
		return true;
	}
	if (e->ops.route_lookup != NULL) {
		r = e->ops.route_lookup(e->ops.ctx, dst, &nh, &plen);
		if (r == 1 && !addr_eq(&nh, dst)) {
			c = nhrp_cache_lookup(e, &nh);
			if (c != NULL && c->vc != NULL &&
			    c->type != NHRP_CACHE_NEGATIVE &&
			    c->type != NHRP_CACHE_INCOMPLETE) {
				*nbma = c->vc->nbma;
				*nexthop = nh;
				return true;
			}
		}
		if (r == 0)
			return false;
	}
	return nhrp_nhs_route(e, dst->family, nbma, nexthop);
}

/* Read ar$op.type and the request ID of a quoted packet (RFC 2332 5.2). */
static int
nhrp_quoted_reqid(const uint8_t *p, size_t len, uint8_t *type, uint32_t *id)
{
	struct buf b;

	buf_init(&b, p, len);
	buf_skip(&b, 17);
	*type = buf_get_u8(&b);
	buf_skip(&b, 2 + 4);
	*id = buf_get_be32(&b);
	return buf_ok(&b) ? 0 : -1;
}

static void
nhrp_handle_error(struct nhrp_engine *e, double now, const struct addr *from,
		  struct nhrp_msg *m, const uint8_t *pkt, size_t len)
{
	struct addr dst;
	uint8_t type;
	uint32_t id;

	if (nhrp_get_addr(&dst, &m->dst_proto) == 0 &&
	    !nhrp_is_local_addr(e, &dst)) {
		/* Not ours: on toward the source it names. */
		nhrp_forward(e, now, from, m, &dst, pkt, len);
		return;
	}
	log_info("%s: error indication from %s: %s", e->conf.ifname,
		 addr_fmt(from, (char[ADDR_STRLEN]){0}),
		 nhrp_err_name(m->err_code));
	if (nhrp_quoted_reqid(m->payload, m->payload_len, &type, &id) == -1)
		return;
	if (type == NHRP_REGISTRATION_REQUEST)
		nhrp_nhs_error(e, now, id, m->err_code);
	else if (type == NHRP_RESOLUTION_REQUEST)
		nhrp_resolution_error(e, now, id, m->err_code);
}

void
nhrp_recv(struct nhrp_engine *e, double now, const struct addr *from,
	  const uint8_t *pkt, size_t len)
{
	struct nhrp_msg m;
	const char *why = NULL;
	char fs[ADDR_STRLEN];

	if (nhrp_decode(pkt, len, &m, &why) == -1) {
		e->stats.drops[NHRP_DROP_MALFORMED]++;
		log_dbg(DBG_NHRP, "%s: from %s: malformed: %s", e->conf.ifname,
			addr_fmt(from, fs), why);
		return;
	}
	e->stats.rx_by_type[m.type <= 8 ? m.type : 0]++;
	if (nhrp_check_auth(e, &m) == -1) {
		log_dbg(DBG_NHRP, "%s: from %s: authentication failed",
			e->conf.ifname, addr_fmt(from, fs));
		return;
	}
	if (nhrp_local_for(e, family_of_pro(m.pro_type)) == NULL) {
		e->stats.drops[NHRP_DROP_WRONG_PROTOCOL]++;
		return;
	}
	if (m.unknown_compulsory) {
		/* RFC 2332 5.3: not understood, must not be processed. */
		e->stats.drops[NHRP_DROP_UNKNOWN_COMPULSORY]++;
		nhrp_send_error(e, now, from, &m, pkt, len,
				NHRP_ERR_UNRECOGNIZED_EXT, m.unknown_off);
		return;
	}
	/* Formatting costs ~1% of a hub's time: only when it is printed. */
	if (log_dbg_on(DBG_NHRP))
		log_dbg(DBG_NHRP, "%s: from %s: %s id %u", e->conf.ifname,
			addr_fmt(from, fs), nhrp_type_name(m.type), m.reqid);
	switch (m.type) {
	case NHRP_REGISTRATION_REQUEST:
		nhrp_handle_registration(e, now, from, &m);
		break;
	case NHRP_REGISTRATION_REPLY:
		nhrp_handle_registration_reply(e, now, from, &m);
		break;
	case NHRP_RESOLUTION_REQUEST:
		nhrp_handle_resolution(e, now, from, &m, pkt, len);
		break;
	case NHRP_RESOLUTION_REPLY:
		nhrp_handle_resolution_reply(e, now, from, &m, pkt, len);
		break;
	case NHRP_PURGE_REQUEST:
		nhrp_handle_purge(e, now, from, &m, pkt, len);
		break;
	case NHRP_PURGE_REPLY:
		nhrp_handle_purge_reply(e, now, from, &m, pkt, len);
		break;
	case NHRP_ERROR_INDICATION:
		nhrp_handle_error(e, now, from, &m, pkt, len);
		break;
	case NHRP_TRAFFIC_INDICATION:
		nhrp_handle_traffic(e, now, from, &m);
		break;
	default:
		e->stats.drops[NHRP_DROP_MALFORMED]++;
		break;
	}
}

void
nhrp_tick(struct nhrp_engine *e, double now)
{
	struct heap_node *hn;

	while ((hn = heap_pop_due(&e->timers, now)) != NULL) {
		struct nhrp_timer *t = container_of(hn, struct nhrp_timer, hn);

		switch (t->kind) {
		case NHRP_T_CACHE:
			nhrp_cache_timer(
				e, now,
				container_of(t, struct nhrp_cache, timer));
			break;
		case NHRP_T_NHS:
			nhrp_nhs_timer(e, now,
				       container_of(t, struct nhrp_nhs, timer));
			break;
		case NHRP_T_FLOW:
			nhrp_flow_timer(
				e, now,
				container_of(t, struct nhrp_flow, timer));
			break;
		case NHRP_T_PURGE:
			nhrp_purge_timer(
				e, now,
				container_of(t, struct nhrp_purge, timer));
			break;
		}
	}
}

double
nhrp_next_deadline(const struct nhrp_engine *e)
{
	const struct heap_node *hn = heap_peek(&e->timers);

	return hn == NULL ? -1 : hn->at;
}

void
nhrp_ipsec_up(struct nhrp_engine *e, double now, const struct addr *nbma)
{
	struct nhrp_vc *vc = nhrp_vc_get(e, nbma);
	struct nhrp_qpkt *q;

	if (vc == NULL)
		return;
	if (vc->state != NHRP_VC_UP) {
		vc->state = NHRP_VC_UP;
		vc->up_since = now;
	}
	/* Flush what waited for IPsec, in order. */
	while ((q = vc->qhead) != NULL) {
		vc->qhead = q->next;
		if (e->ops.send != NULL)
			e->ops.send(e->ops.ctx, &vc->nbma, q->data, q->len);
		free(q);
	}
	vc->qtail = NULL;
	vc->qlen = 0;
	nhrp_neigh_vc_up(e, vc);
	nhrp_cache_vc_up(e, now, vc);
	nhrp_nhs_vc_up(e, now, vc);
	nhrp_vc_put(e, vc);
}

void
nhrp_ipsec_down(struct nhrp_engine *e, double now, const struct addr *nbma)
{
	struct nhrp_vc *vc = nhrp_vc_find(e, nbma);

	if (vc == NULL || !e->conf.ipsec)
		return;
	vc->refs++;
	vc->state = NHRP_VC_DOWN;
	vc->up_since = 0;
	vc->initiated = false;
	nhrp_cache_vc_down(e, now, vc);
	nhrp_nhs_vc_down(e, now, vc);
	if (--vc->refs == 0)
		nhrp_vc_release(e, vc);
}

void
nhrp_neigh_miss(struct nhrp_engine *e, double now, const struct addr *proto)
{
	struct nhrp_cache *c = nhrp_cache_lookup(e, proto);
	struct nhrp_neigh *n;

	if (c != NULL && c->type == NHRP_CACHE_NEGATIVE) {
		struct nhrp_intent in = {.type = NHRP_I_NEIGH_FAIL};

		in.proto = *proto;
		nhrp_intent(e, &in);
		return;
	}
	/*
	 * A next hop we already map (an NHS, a peer, or only the next hop of
	 * a shortcut route) whose kernel entry went away or failed its
	 * probe: put it back rather than resolve again.
	 */
	n = nhrp_neigh_find(e, proto);
	if (n != NULL && n->vc != NULL && n->vc->state == NHRP_VC_UP) {
		struct nhrp_intent in = {.type = NHRP_I_NEIGH_SET};

		in.proto = *proto;
		in.nbma = n->vc->nbma;
		nhrp_intent(e, &in);
		return;
	}
	nhrp_resolve(e, now, proto, true);
}

void
nhrp_neigh_used(struct nhrp_engine *e, double now, const struct addr *proto)
{
	struct nhrp_neigh *n = nhrp_neigh_find(e, proto);

	if (n != NULL)
		n->last_used = now;
}

/* Deep-copy the configuration's arrays so the caller may free its own. */
static int
nhrp_conf_copy(struct nhrp_conf *dst, const struct nhrp_conf *src)
{
	*dst = *src;
	dst->nhs = NULL;
	dst->maps = NULL;
	dst->clusters = NULL;
	if (src->nnhs > 0) {
		dst->nhs = calloc(src->nnhs, sizeof(*dst->nhs));
		if (dst->nhs == NULL)
			return -1;
		memcpy(dst->nhs, src->nhs, src->nnhs * sizeof(*dst->nhs));
	}
	if (src->nmaps > 0) {
		dst->maps = calloc(src->nmaps, sizeof(*dst->maps));
		if (dst->maps == NULL)
			return -1;
		memcpy(dst->maps, src->maps, src->nmaps * sizeof(*dst->maps));
	}
	if (src->nclusters > 0) {
		dst->clusters = calloc(src->nclusters, sizeof(*dst->clusters));
		if (dst->clusters == NULL)
			return -1;
		memcpy(dst->clusters, src->clusters,
		       src->nclusters * sizeof(*dst->clusters));
	}
	return 0;
}

static void
nhrp_conf_release(struct nhrp_conf *conf)
{
	free(conf->nhs);
	free(conf->maps);
	free(conf->clusters);
}

static int
nhrp_conf_check(const struct nhrp_conf *c, const char **why)
{
	size_t i;

	if (c->nlocal == 0) {
		*why = "no tunnel address";
		return -1;
	}
	if (c->nlocal > NHRP_MAX_LOCAL ||
	    c->nshortcut_dest > NHRP_MAX_SHORTCUT_DEST) {
		*why = "too many addresses";
		return -1;
	}
	if (addr_is_none(&c->local_nbma)) {
		*why = "no local NBMA address";
		return -1;
	}
	if (c->holding_time == 0 || c->holding_time > 65535) {
		*why = "holding time out of range (1..65535)";
		return -1;
	}
	if (c->auth_len > NHRP_AUTH_MAX) {
		*why = "authentication secret longer than 8 bytes";
		return -1;
	}
	for (i = 0; i < c->nnhs; i++) {
		if (addr_is_none(&c->nhs[i].nbma) && c->nhs[i].fqdn[0] == 0) {
			*why = "NHS without NBMA address or name";
			return -1;
		}
	}
	return 0;
}

/* Our own addresses and networks are LOCAL entries (show peers). */
static int
nhrp_add_locals(struct nhrp_engine *e, double now)
{
	size_t i;
	struct prefix p;

	for (i = 0; i < e->conf.nlocal; i++) {
		p.addr = e->conf.local[i].addr;
		p.plen = (uint8_t)addr_bits(&p.addr);
		if (nhrp_cache_find(e, &p) == NULL &&
		    nhrp_cache_new(e, now, &p, NHRP_CACHE_LOCAL) == NULL)
			return -1;
	}
	for (i = 0; i < e->conf.nshortcut_dest; i++) {
		p = e->conf.shortcut_dest[i];
		prefix_mask(&p);
		if (nhrp_cache_find(e, &p) == NULL &&
		    nhrp_cache_new(e, now, &p, NHRP_CACHE_LOCAL) == NULL)
			return -1;
	}
	return 0;
}

static int
nhrp_add_maps(struct nhrp_engine *e, double now)
{
	size_t i;
	struct nhrp_cache *c;
	struct prefix p;

	for (i = 0; i < e->conf.nmaps; i++) {
		p = e->conf.maps[i].proto;
		prefix_mask(&p);
		c = nhrp_cache_find(e, &p);
		if (c != NULL)
			nhrp_cache_del(e, now, c, "replaced by map");
		c = nhrp_cache_new(e, now, &p, NHRP_CACHE_STATIC);
		if (c == NULL)
			return -1;
		nhrp_cache_bind(e, now, c, &e->conf.maps[i].proto.addr,
				&e->conf.maps[i].nbma);
	}
	return 0;
}

struct nhrp_engine *
nhrp_engine_new(const struct nhrp_conf *conf, const struct nhrp_ops *ops,
		double now, const char **why)
{
	struct nhrp_engine *e;

	if (nhrp_conf_check(conf, why) == -1)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		*why = "out of memory";
		return NULL;
	}
	if (nhrp_conf_copy(&e->conf, conf) == -1) {
		nhrp_conf_release(&e->conf);
		free(e);
		*why = "out of memory";
		return NULL;
	}
	e->ops = *ops;
	heap_init(&e->timers);
	htab_init(&e->cache);
	htab_init(&e->vcs);
	htab_init(&e->neighs);
	htab_init(&e->flows);
	list_init(&e->cache_all);
	list_init(&e->nhs_list);
	list_init(&e->purges);
	list_init(&e->resolving);
	e->reqid_next = conf->reqid_base != 0 ? conf->reqid_base : 1;
	e->reqid_limit = conf->reqid_limit;
	e->rng = conf->seed != 0 ? conf->seed : 0x9e3779b9u;
	if (nhrp_add_locals(e, now) == -1 || nhrp_add_maps(e, now) == -1 ||
	    nhrp_nhs_init(e, now) == -1) {
		nhrp_engine_free(e, now);
		*why = "out of memory";
		return NULL;
	}
	return e;
}

void
nhrp_engine_free(struct nhrp_engine *e, double now)
{
	struct nhrp_cache *c, *tmp;

	if (e == NULL)
		return;
	nhrp_nhs_free_all(e, now);
	list_for_each_entry_safe(c, tmp, &e->cache_all, all)
		nhrp_cache_del(e, now, c, NHRP_REASON_SHUTDOWN);
	nhrp_flow_free_all(e);
	nhrp_purge_free_all(e);
	nhrp_vc_free_all(e);
	heap_free(&e->timers);
	htab_free(&e->cache);
	htab_free(&e->vcs);
	htab_free(&e->neighs);
	htab_free(&e->flows);
	nhrp_conf_release(&e->conf);
	free(e);
}

const struct nhrp_stats *
nhrp_stats(const struct nhrp_engine *e)
{
	return &e->stats;
}

int
nhrp_foreach_peer(const struct nhrp_engine *e, double now,
		  int (*cb)(const struct nhrp_peer_info *, void *), void *arg)
{
	const struct nhrp_cache *c;
	struct nhrp_peer_info pi;
	int rc;

	list_for_each_entry(c, &e->cache_all, all) {
		memset(&pi, 0, sizeof(pi));
		pi.ifname = e->conf.ifname;
		pi.proto = c->proto;
		if (c->vc != NULL)
			pi.nbma = c->vc->nbma;
		else if (c->type == NHRP_CACHE_LOCAL)
			pi.nbma = e->conf.local_nbma;
		pi.claimed_nbma = addr_is_none(&c->claimed_nbma)
					  ? pi.nbma
					  : c->claimed_nbma;
		pi.nexthop = c->nexthop;
		pi.type = (enum nhrp_cache_type)c->type;
		pi.state = nhrp_cache_state(c);
		pi.expires_in = c->expires > 0 ? c->expires - now : -1;
		if (pi.expires_in < -1 || (c->expires > 0 && pi.expires_in < 0))
			pi.expires_in = 0;
		pi.uptime = c->up_since > 0 ? now - c->up_since : 0;
		pi.unique = (c->flags & NHRP_CF_UNIQUE) != 0;
		pi.nat = (c->flags & NHRP_CF_NAT) != 0;
		pi.used = (c->flags & NHRP_CF_USED) != 0;
		rc = cb(&pi, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
nhrp_foreach_nhs(const struct nhrp_engine *e, double now,
		 int (*cb)(const struct nhrp_nhs_info *, void *), void *arg)
{
	const struct nhrp_nhs *n;
	struct nhrp_nhs_info ni;
	int rc;

	list_for_each_entry(n, &e->nhs_list, all) {
		memset(&ni, 0, sizeof(ni));
		ni.ifname = e->conf.ifname;
		ni.proto = n->proto;
		ni.nbma = n->nbma;
		ni.fqdn = n->fqdn;
		ni.state = n->state;
		ni.priority = n->priority;
		ni.cluster = n->cluster;
		ni.uptime = n->state == NHRP_NHS_UP ? now - n->up_since : 0;
		ni.failures = n->failures;
		rc = cb(&ni, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
nhrp_purge(struct nhrp_engine *e, double now, const struct addr *addr)
{
	struct nhrp_cache *c, *tmp;
	int n = 0;

	list_for_each_entry_safe(c, tmp, &e->cache_all, all) {
		if (!prefix_contains(&c->proto, addr))
			continue;
		switch (c->type) {
		case NHRP_CACHE_DYNAMIC:
		case NHRP_CACHE_LOCAL:
			/* Ours to give: take it back from its holders. */
			nhrp_cache_purge_holders(e, now, c);
			n++;
			break;
		case NHRP_CACHE_SHORTCUT:
		case NHRP_CACHE_NEGATIVE:
		case NHRP_CACHE_INCOMPLETE:
			nhrp_cache_del(e, now, c, "user-request");
			n++;
			break;
		default:
			break;
		}
	}
	return n;
}

int
nhrp_flush(struct nhrp_engine *e, double now, const struct addr *peer)
{
	struct nhrp_cache *c, *tmp;
	int n = 0;

	list_for_each_entry_safe(c, tmp, &e->cache_all, all) {
		if (c->type != NHRP_CACHE_DYNAMIC &&
		    c->type != NHRP_CACHE_SHORTCUT &&
		    c->type != NHRP_CACHE_NEGATIVE &&
		    c->type != NHRP_CACHE_INCOMPLETE)
			continue;
		if (peer != NULL && !prefix_contains(&c->proto, peer) &&
		    !addr_eq(&c->nexthop, peer) &&
		    (c->vc == NULL || !addr_eq(&c->vc->nbma, peer)))
			continue;
		nhrp_cache_del(e, now, c, "user-request");
		n++;
	}
	return n;
}

static bool
same_prefixes(const struct prefix *a, size_t na, const struct prefix *b,
	      size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!prefix_eq(&a[i], &b[i]))
			return false;
	return true;
}

/* Reload: the `map` entries of newc replace ours, keeping the unchanged. */
static void
reconfigure_maps(struct nhrp_engine *e, double now,
		 const struct nhrp_conf *newc)
{
	struct nhrp_cache *c, *tmp;
	struct prefix p;
	size_t i;

	list_for_each_entry_safe(c, tmp, &e->cache_all, all) {
		bool keep = false;

		if (c->type != NHRP_CACHE_STATIC)
			continue;
		for (i = 0; i < newc->nmaps; i++) {
			p = newc->maps[i].proto;
			prefix_mask(&p);
			keep |= prefix_eq(&p, &c->proto) && c->vc != NULL &&
				addr_eq(&c->vc->nbma, &newc->maps[i].nbma);
		}
		if (!keep)
			nhrp_cache_del(e, now, c, "map removed");
	}
	for (i = 0; i < newc->nmaps; i++) {
		p = newc->maps[i].proto;
		prefix_mask(&p);
		c = nhrp_cache_find(e, &p);
		if (c != NULL && c->type == NHRP_CACHE_STATIC)
			continue;
		if (c != NULL)
			nhrp_cache_del(e, now, c, "replaced by map");
		c = nhrp_cache_new(e, now, &p, NHRP_CACHE_STATIC);
		if (c != NULL)
			nhrp_cache_bind(e, now, c, &newc->maps[i].proto.addr,
					&newc->maps[i].nbma);
	}
}

/* Reload: our announced networks (LOCAL entries) follow newc. */
static void
reconfigure_locals(struct nhrp_engine *e, double now,
		   const struct nhrp_conf *newc)
{
	struct nhrp_cache *c, *tmp;
	struct prefix p;
	size_t i;

	list_for_each_entry_safe(c, tmp, &e->cache_all, all) {
		bool keep = false;

		if (c->type != NHRP_CACHE_LOCAL ||
		    (c->proto.plen == addr_bits(&c->proto.addr) &&
		     nhrp_is_local_addr(e, &c->proto.addr)))
			continue;
		for (i = 0; i < newc->nshortcut_dest; i++) {
			p = newc->shortcut_dest[i];
			prefix_mask(&p);
			keep |= prefix_eq(&p, &c->proto);
		}
		/* Whoever resolved it is told (purge) as it goes. */
		if (!keep)
			nhrp_cache_del(e, now, c, "no longer announced");
	}
	for (i = 0; i < newc->nshortcut_dest; i++) {
		p = newc->shortcut_dest[i];
		prefix_mask(&p);
		if (nhrp_cache_find(e, &p) == NULL)
			nhrp_cache_new(e, now, &p, NHRP_CACHE_LOCAL);
	}
}

int
nhrp_reconfigure(struct nhrp_engine *e, const struct nhrp_conf *conf,
		 double now, const char **why)
{
	struct nhrp_conf copy;

	if (nhrp_conf_check(conf, why) == -1)
		return -1;
	if (conf->role != e->conf.role || conf->ipsec != e->conf.ipsec ||
	    !addr_eq(&conf->local_nbma, &e->conf.local_nbma) ||
	    !same_prefixes(conf->local, conf->nlocal, e->conf.local,
			   e->conf.nlocal)) {
		*why = "role, tunnel addresses, NBMA address or ipsec changed";
		return -1;
	}
	if (nhrp_conf_copy(&copy, conf) == -1) {
		nhrp_conf_release(&copy);
		*why = "out of memory";
		return -1;
	}
	/* Request IDs continue; the new block limits are the daemon's. */
	copy.reqid_base = e->conf.reqid_base;
	nhrp_nhs_reconfigure(e, now, &copy);
	reconfigure_maps(e, now, &copy);
	reconfigure_locals(e, now, &copy);
	nhrp_conf_release(&e->conf);
	e->conf = copy;
	nhrp_nhs_reselect(e, now);
	return 0;
}
