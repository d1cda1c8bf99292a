/*
 * The client side of registration (RFC 2332 5.2.3-5.2.4) with Cisco's
 * NHS priorities and clusters.
 *
 * Every NHS is DOWN (idle), PROBING (registering, not yet answered) or UP
 * (registered, refreshed at a third of the holding time).  Per cluster
 * the spoke keeps up to max-connections NHSes registered, preferring the
 * lowest priority value.  NHSes better than the ones in use keep being
 * probed, with exponential backoff, so that when a preferred NHS returns
 * the spoke registers with it and, after the fallback delay, lets the
 * worse one go.  An NHS that misses NHRP_NHS_UNREACHABLE replies in a row
 * counts as unreachable and the next one in line takes its place.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmvpn/log.h"
#include "nhrp_int.h"

static void nhs_select(struct nhrp_engine *e, double now);

static unsigned int
cluster_max(const struct nhrp_engine *e, uint8_t cluster)
{
	size_t i;

	for (i = 0; i < e->conf.nclusters; i++)
		if (e->conf.clusters[i].cluster == cluster &&
		    e->conf.clusters[i].max_connections > 0)
			return e->conf.clusters[i].max_connections;
	return 255; /* no limit: use every NHS */
}

static struct nhrp_nhs *
nhs_new(struct nhrp_engine *e, const struct nhrp_nhs_conf *nc,
	const struct addr *nbma)
{
	struct nhrp_nhs *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->proto = nc->proto;
	n->conf_proto = nc->proto;
	n->nbma = *nbma;
	n->fqdn = nc->fqdn[0] != '\0' ? nc->fqdn : NULL;
	n->priority = nc->priority;
	n->cluster = nc->cluster;
	n->state = NHRP_NHS_DOWN;
	n->backoff = NHRP_RETRY_FIRST;
	n->timer.kind = NHRP_T_NHS;
	n->vc = nhrp_vc_get(e, nbma);
	if (n->vc == NULL) {
		free(n);
		return NULL;
	}
	list_add_tail(&e->nhs_list, &n->all);
	return n;
}

/* The NHS's own cache entry (type nhs): its tunnel address mapped. */
static void
nhs_entry_set(struct nhrp_engine *e, double now, struct nhrp_nhs *n)
{
	struct prefix p;

	if (addr_is_none(&n->proto))
		return;
	p.addr = n->proto;
	p.plen = (uint8_t)addr_bits(&n->proto);
	if (n->entry == NULL) {
		struct nhrp_cache *c = nhrp_cache_find(e, &p);

		/*
		 * An NHS address beats whatever was learned for it.  But
		 * another NHS with this address (a name that resolves to a
		 * static NHS's hub as well) keeps the entry it points to:
		 * deleting it would leave that NHS a dangling pointer.
		 */
		if (c != NULL &&
		    (c->type == NHRP_CACHE_LOCAL || c->type == NHRP_CACHE_NHS))
			return;
		if (c != NULL)
			nhrp_cache_del(e, now, c, "is an NHS");
		n->entry = nhrp_cache_new(e, now, &p, NHRP_CACHE_NHS);
		if (n->entry == NULL)
			return;
	}
	nhrp_cache_bind(e, now, n->entry, &n->proto, &n->nbma);
}

static void
nhs_entry_clear(struct nhrp_engine *e, double now, struct nhrp_nhs *n,
		const char *reason)
{
	if (n->entry != NULL)
		nhrp_cache_del(e, now, n->entry, reason);
	n->entry = NULL;
}

static void
nhs_set_state(struct nhrp_engine *e, double now, struct nhrp_nhs *n,
	      enum nhrp_nhs_state st, const char *reason)
{
	char as[ADDR_STRLEN];

	if (n->state == st)
		return;
	if (st == NHRP_NHS_UP) {
		n->up_since = now;
		log_info("%s: NHS %s up", e->conf.ifname,
			 addr_fmt(&n->nbma, as));
		nhrp_event(e, NHRP_EV_NHS_UP, NULL, n, NULL);
	} else if (n->state == NHRP_NHS_UP) {
		log_info("%s: NHS %s down: %s", e->conf.ifname,
			 addr_fmt(&n->nbma, as), reason);
		nhrp_event(e, NHRP_EV_NHS_DOWN, NULL, n, reason);
		nhs_entry_clear(e, now, n, reason);
	}
	n->state = st;
}

static int
nhs_family(const struct nhrp_engine *e, const struct nhrp_nhs *n)
{
	if (!addr_is_none(&n->proto))
		return n->proto.family;
	return e->conf.local[0].addr.family;
}

/*
 * Registered with: wanted, or kept (refreshed) until the fallback delay
 * runs out, so that the hub keeps our binding while traffic may still
 * go through it.
 */
static bool
nhs_in_use(const struct nhrp_nhs *n)
{
	return n->wanted || n->better_since > 0;
}

/* RFC 2332 5.2.3, laid out as FRR nhrpd and Cisco send it. */
static void
nhs_register(struct nhrp_engine *e, double now, struct nhrp_nhs *n)
{
	int family = nhs_family(e, n);
	struct nhrp_msg m;
	struct nhrp_ext *x;
	struct nhrp_cie *c;
	size_t i, k = 0;

	nhrp_msg_start(e, &m, NHRP_REGISTRATION_REQUEST, family);
	if (m.src_proto.len == 0)
		return;
	/* The request is about ourselves; the NHS is found by NBMA. */
	m.dst_proto = m.src_proto;
	m.hop_count = 1;
	m.flags = NHRP_FLAG_REG_NAT;
	if (e->conf.unique)
		m.flags |= NHRP_FLAG_REG_U;
	n->reqid = nhrp_reqid_new(e);
	m.reqid = n->reqid;
	/* One CIE per tunnel address of this family. */
	for (i = 0; i < e->conf.nlocal; i++) {
		if (e->conf.local[i].addr.family != family)
			continue;
		c = nhrp_msg_add_cie(&m);
		if (c == NULL)
			break;
		c->prefix_len = (uint8_t)addr_bits(&e->conf.local[i].addr);
		c->mtu = e->conf.mtu;
		c->holding_time = (uint16_t)e->conf.holding_time;
		/* The first is the source address itself (as FRR sends). */
		if (k++ > 0)
			nhrp_put_addr(&c->proto, &e->conf.local[i].addr);
	}
	nhrp_msg_add_ext(&m, NHRP_EXT_FWD_TRANSIT, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_REV_TRANSIT, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER, true);
	x = nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDR, false);
	if (x != NULL && (c = nhrp_ext_add_cie(&m, x)) != NULL) {
		/* The NBMA address we send to, for the NHS's NAT check. */
		c->prefix_len = (uint8_t)addr_bits(&e->conf.local[0].addr);
		nhrp_put_addr(&c->nbma, &n->nbma);
	}
	n->pending = true;
	nhrp_send(e, now, &n->nbma, &m);
	nhrp_timer_set(e, &n->timer, now + nhrp_jitter(e, n->backoff));
}

/* A request went unanswered or was refused: back off and maybe fail. */
static void
nhs_missed(struct nhrp_engine *e, double now, struct nhrp_nhs *n,
	   const char *why)
{
	n->pending = false;
	n->misses++;
	n->failures++;
	n->backoff *= 2;
	if (n->backoff > NHRP_RETRY_MAX)
		n->backoff = NHRP_RETRY_MAX;
	if (n->misses >= NHRP_NHS_UNREACHABLE) {
		if (n->state == NHRP_NHS_UP)
			nhs_set_state(e, now, n, NHRP_NHS_PROBING, why);
		nhs_select(e, now);
	}
	if (nhs_in_use(n))
		nhrp_timer_set(e, &n->timer, now + nhrp_jitter(e, n->backoff));
}

void
nhrp_nhs_timer(struct nhrp_engine *e, double now, struct nhrp_nhs *n)
{
	/* Kept for the fallback delay: let it go once that has run out. */
	if (n->better_since > 0)
		nhs_select(e, now);
	if (n->pending)
		nhs_missed(e, now, n, "no reply");
	if (nhs_in_use(n))
		nhs_register(e, now, n);
}

/*
 * Refresh at a third of the holding time (RFC 2332 5.2.3); an NHS kept
 * only for the fallback delay also wakes up when that delay runs out.
 */
static void
nhs_refresh_timer(struct nhrp_engine *e, double now, struct nhrp_nhs *n)
{
	double at = now + nhrp_jitter(e, e->conf.holding_time / 3.0);

	if (n->better_since > 0 && at > n->better_since + e->conf.fallback)
		at = n->better_since + e->conf.fallback;
	nhrp_timer_set(e, &n->timer, at);
}

/* Stop using an NHS: its registration simply expires at the hub. */
static void
nhs_release(struct nhrp_engine *e, double now, struct nhrp_nhs *n,
	    const char *reason)
{
	nhrp_timer_del(e, &n->timer);
	n->pending = false;
	n->better_since = 0;
	if (n->state == NHRP_NHS_UP)
		nhs_set_state(e, now, n, NHRP_NHS_DOWN, reason);
	n->state = NHRP_NHS_DOWN;
}

static int
nhs_cmp(const void *a, const void *b)
{
	const struct nhrp_nhs *x = *(struct nhrp_nhs *const *)a;
	const struct nhrp_nhs *y = *(struct nhrp_nhs *const *)b;

	if (x->cluster != y->cluster)
		return x->cluster < y->cluster ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return 0;
}

/*
 * Recompute which NHSes each cluster uses: walk them best first; every
 * one is active until max-connections reachable ones are counted, so
 * unreachable better ones keep being probed.  An UP NHS that falls out
 * waits out the fallback delay before it is let go.
 */
static void
nhs_select(struct nhrp_engine *e, double now)
{
	struct nhrp_nhs *n, **v;
	size_t count = 0, i = 0, start;

	list_for_each_entry(n, &e->nhs_list, all)
		count++;
	if (count == 0)
		return;
	v = calloc(count, sizeof(*v));
	if (v == NULL)
		return;
	list_for_each_entry(n, &e->nhs_list, all)
		v[i++] = n;
	/* Stable for equal keys: insertion sort keeps configured order. */
	for (i = 1; i < count; i++) {
		struct nhrp_nhs *t = v[i];
		size_t j = i;

		while (j > 0 && nhs_cmp(&v[j - 1], &t) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
	for (start = 0; start < count;) {
		uint8_t cl = v[start]->cluster;
		unsigned int need = cluster_max(e, cl);
		size_t end = start;

		while (end < count && v[end]->cluster == cl)
			end++;
		for (i = start; i < end; i++) {
			bool was = v[i]->wanted;

			n = v[i];
			n->wanted = !n->retiring && need > 0;
			if (n->wanted && n->misses < NHRP_NHS_UNREACHABLE)
				need--;
			if (n->wanted) {
				n->better_since = 0;
				if (!was ||
				    (!n->pending && !heap_queued(&n->timer.hn)))
					nhrp_timer_set(e, &n->timer, now);
				if (n->state == NHRP_NHS_DOWN)
					n->state = NHRP_NHS_PROBING;
				continue;
			}
			if (n->state != NHRP_NHS_UP || n->retiring ||
			    e->conf.fallback <= 0) {
				nhs_release(e, now, n, "not needed");
				continue;
			}
			/*
			 * Cisco "nhs fallback": keep it a while longer.  Its
			 * refresh timer stays if it comes first (the binding
			 * must not expire at the hub meanwhile).
			 */
			if (n->better_since == 0) {
				n->better_since = now;
				if (!heap_queued(&n->timer.hn) ||
				    n->timer.hn.at > now + e->conf.fallback)
					nhrp_timer_set(e, &n->timer,
						       now + e->conf.fallback);
			} else if (now >= n->better_since + e->conf.fallback) {
				nhs_release(e, now, n, "fallback");
			}
		}
		start = end;
	}
	free(v);
}

int
nhrp_nhs_init(struct nhrp_engine *e, double now)
{
	size_t i;

	for (i = 0; i < e->conf.nnhs; i++) {
		const struct nhrp_nhs_conf *nc = &e->conf.nhs[i];

		if (addr_is_none(&nc->nbma))
			continue; /* a name: waits for nhrp_nhs_resolved() */
		if (nhs_new(e, nc, &nc->nbma) == NULL)
			return -1;
	}
	nhs_select(e, now);
	return 0;
}

static void
nhs_free(struct nhrp_engine *e, double now, struct nhrp_nhs *n,
	 const char *reason)
{
	nhs_release(e, now, n, reason);
	nhs_entry_clear(e, now, n, reason);
	list_del(&n->all);
	nhrp_vc_put(e, n->vc);
	free(n);
}

void
nhrp_nhs_free_all(struct nhrp_engine *e, double now)
{
	struct nhrp_nhs *n, *tmp;

	list_for_each_entry_safe(n, tmp, &e->nhs_list, all)
		nhs_free(e, now, n, "shutdown");
}

void
nhrp_nhs_resolved(struct nhrp_engine *e, double now, const char *fqdn,
		  const struct addr *nbma, size_t count)
{
	struct nhrp_nhs *n, *tmp;
	size_t i, k;

	/* Retire the addresses the name no longer has. */
	list_for_each_entry_safe(n, tmp, &e->nhs_list, all) {
		bool keep = false;

		if (n->fqdn == NULL || strcmp(n->fqdn, fqdn) != 0)
			continue;
		for (i = 0; i < count; i++)
			keep |= addr_eq(&n->nbma, &nbma[i]);
		if (!keep)
			nhs_free(e, now, n, "name no longer resolves to it");
	}
	for (k = 0; k < e->conf.nnhs; k++) {
		const struct nhrp_nhs_conf *nc = &e->conf.nhs[k];

		if (strcmp(nc->fqdn, fqdn) != 0)
			continue;
		for (i = 0; i < count; i++) {
			bool have = false;

			list_for_each_entry(n, &e->nhs_list, all)
				have |= n->fqdn != NULL &&
					strcmp(n->fqdn, fqdn) == 0 &&
					addr_eq(&n->nbma, &nbma[i]);
			if (!have)
				nhs_new(e, nc, &nbma[i]);
		}
	}
	nhs_select(e, now);
}

static struct nhrp_nhs *
nhs_by_reqid(struct nhrp_engine *e, uint32_t reqid)
{
	struct nhrp_nhs *n;

	list_for_each_entry(n, &e->nhs_list, all)
		if (n->pending && n->reqid == reqid)
			return n;
	return NULL;
}

/* The NHS's tunnel address: Responder Address, else the reply's dst. */
static void
learn_nhs_proto(struct nhrp_engine *e, struct nhrp_nhs *n,
		const struct nhrp_msg *m)
{
	int i = nhrp_ext_find(m, NHRP_EXT_RESPONDER);
	const struct nhrp_cie *c;
	struct addr a;

	if (i >= 0 && (c = nhrp_ext_cie(m, &m->ext[i], 0)) != NULL &&
	    nhrp_get_addr(&a, &c->proto) == 0 && !nhrp_is_local_addr(e, &a)) {
		n->proto = a;
		return;
	}
	if (nhrp_get_addr(&a, &m->dst_proto) == 0 && !nhrp_is_local_addr(e, &a))
		n->proto = a;
}

/* Cisco NAT extension in the reply: the address the NHS saw for us. */
static void
learn_public_nbma(struct nhrp_engine *e, const struct nhrp_msg *m)
{
	int i = nhrp_ext_find(m, NHRP_EXT_NAT_ADDR);
	const struct nhrp_cie *c;
	struct addr proto, nbma;
	size_t j;
	char as[ADDR_STRLEN];

	if (i < 0)
		return;
	for (j = 0; j < m->ext[i].cie_count; j++) {
		c = nhrp_ext_cie(m, &m->ext[i], j);
		if (c == NULL || nhrp_get_addr(&proto, &c->proto) == -1 ||
		    nhrp_get_addr(&nbma, &c->nbma) == -1 ||
		    !nhrp_is_local_addr(e, &proto))
			continue;
		if (addr_eq(&nbma, &e->conf.local_nbma)) {
			memset(&e->public_nbma, 0, sizeof(e->public_nbma));
			return;
		}
		if (!addr_eq(&nbma, &e->public_nbma))
			log_info("%s: NAT detected: our NBMA address is %s "
				 "outside",
				 e->conf.ifname, addr_fmt(&nbma, as));
		e->public_nbma = nbma;
		return;
	}
}

void
nhrp_handle_registration_reply(struct nhrp_engine *e, double now,
			       const struct addr *from, struct nhrp_msg *m)
{
	struct nhrp_nhs *n = nhs_by_reqid(e, m->reqid);
	size_t i;
	uint8_t code = NHRP_CIE_SUCCESS;

	(void)from;
	if (n == NULL) {
		e->stats.drops[NHRP_DROP_UNMATCHED_REPLY]++;
		return;
	}
	for (i = 0; i < m->cie_count; i++)
		if (m->cie[i].code != NHRP_CIE_SUCCESS)
			code = m->cie[i].code;
	if (m->cie_count == 0)
		code = NHRP_CIE_INSUFFICIENT_RES;
	nhrp_timer_del(e, &n->timer);
	if (code != NHRP_CIE_SUCCESS) {
		log_warnx("%s: NHS %s refused our registration: %s",
			  e->conf.ifname,
			  addr_fmt(&n->nbma, (char[ADDR_STRLEN]){0}),
			  nhrp_cie_code_name(code));
		nhs_missed(e, now, n, nhrp_cie_code_name(code));
		return;
	}
	n->pending = false;
	n->misses = 0;
	n->backoff = NHRP_RETRY_FIRST;
	learn_nhs_proto(e, n, m);
	learn_public_nbma(e, m);
	nhs_set_state(e, now, n, NHRP_NHS_UP, NULL);
	nhs_entry_set(e, now, n);
	nhs_refresh_timer(e, now, n);
	nhs_select(e, now);
}

bool
nhrp_nhs_error(struct nhrp_engine *e, double now, uint32_t reqid, uint16_t code)
{
	struct nhrp_nhs *n = nhs_by_reqid(e, reqid);

	if (n == NULL)
		return false;
	nhrp_timer_del(e, &n->timer);
	nhs_missed(e, now, n, nhrp_err_name(code));
	return true;
}

void
nhrp_nhs_vc_up(struct nhrp_engine *e, double now, struct nhrp_vc *vc)
{
	(void)e;
	(void)now;
	(void)vc;
	/* Queued registrations were flushed with the connection. */
}

void
nhrp_nhs_vc_down(struct nhrp_engine *e, double now, struct nhrp_vc *vc)
{
	struct nhrp_nhs *n;

	list_for_each_entry(n, &e->nhs_list, all) {
		if (n->vc != vc || n->state != NHRP_NHS_UP)
			continue;
		nhs_set_state(e, now, n, NHRP_NHS_PROBING, "lower-down");
		n->pending = false;
		n->backoff = NHRP_RETRY_FIRST;
		if (n->wanted)
			nhrp_timer_set(e, &n->timer,
				       now + nhrp_jitter(e, n->backoff));
	}
}

/* Toward an unknown destination: through our best registered NHS. */
bool
nhrp_nhs_route(struct nhrp_engine *e, int family, struct addr *nbma,
	       struct addr *proto)
{
	struct nhrp_nhs *n, *best = NULL;

	list_for_each_entry(n, &e->nhs_list, all) {
		if (n->state != NHRP_NHS_UP || nhs_family(e, n) != family)
			continue;
		if (best == NULL || n->priority < best->priority)
			best = n;
	}
	if (best == NULL)
		return false;
	*nbma = best->nbma;
	*proto = best->proto;
	return true;
}

/* Is n the NHS configured by c? (Same name, or same static address.) */
static bool
nhs_is(const struct nhrp_nhs *n, const struct nhrp_nhs_conf *c)
{
	if (!addr_eq(&n->conf_proto, &c->proto))
		return false;
	if (n->fqdn != NULL)
		return strcmp(n->fqdn, c->fqdn) == 0;
	return c->fqdn[0] == '\0' && addr_eq(&n->nbma, &c->nbma);
}

/*
 * Reload: keep every NHS still configured, registration and all (only
 * its priority and cluster may change), let the removed ones go, add the
 * new static ones (new names come with their first DNS answer).  newc
 * is the configuration about to replace e->conf: NHS names are re-pointed
 * into it.
 */
void
nhrp_nhs_reconfigure(struct nhrp_engine *e, double now,
		     const struct nhrp_conf *newc)
{
	struct nhrp_nhs *n, *tmp;
	size_t i;

	list_for_each_entry_safe(n, tmp, &e->nhs_list, all) {
		const struct nhrp_nhs_conf *c = NULL;

		for (i = 0; i < newc->nnhs && c == NULL; i++)
			if (nhs_is(n, &newc->nhs[i]))
				c = &newc->nhs[i];
		if (c == NULL) {
			nhs_free(e, now, n, "removed from the configuration");
			continue;
		}
		n->fqdn = c->fqdn[0] != '\0' ? c->fqdn : NULL;
		n->priority = c->priority;
		n->cluster = c->cluster;
	}
	for (i = 0; i < newc->nnhs; i++) {
		const struct nhrp_nhs_conf *c = &newc->nhs[i];
		bool have = false;

		if (c->fqdn[0] != '\0')
			continue;
		list_for_each_entry(n, &e->nhs_list, all)
			have |= nhs_is(n, c);
		if (!have)
			nhs_new(e, c, &c->nbma);
	}
}

/* After the new configuration is in place: pick the NHSes to use. */
void
nhrp_nhs_reselect(struct nhrp_engine *e, double now)
{
	nhs_select(e, now);
}
