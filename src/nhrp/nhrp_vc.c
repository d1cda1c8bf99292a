/*
 * Virtual connections (one per peer NBMA address, the unit IPsec
 * protects) and neighbour mappings (tunnel address -> NBMA address in the
 * kernel), both reference counted by the cache entries and NHSes that use
 * them.
 *
 * With IPsec on, nothing is sent to a peer and no mapping to it is
 * installed before nhrp_ipsec_up() says its CHILD SA is in place: the
 * first packet asks for IPsec (NHRP_I_IPSEC_UP) and waits in a short
 * queue.  With IPsec off every connection is up from the start.
 */
#include <stdlib.h>
#include <string.h>

#include "dmvpn/log.h"
#include "nhrp_int.h"

static bool
vc_eq(const struct hnode *n, const void *key)
{
	return addr_eq(&container_of_const(n, struct nhrp_vc, hn)->nbma, key);
}

static bool
neigh_eq(const struct hnode *n, const void *key)
{
	return addr_eq(&container_of_const(n, struct nhrp_neigh, hn)->proto,
		       key);
}

struct nhrp_vc *
nhrp_vc_find(const struct nhrp_engine *e, const struct addr *nbma)
{
	struct hnode *n = htab_find(&e->vcs, addr_hash(nbma), nbma, vc_eq);

	return n == NULL ? NULL : container_of(n, struct nhrp_vc, hn);
}

/* Find or create the connection to nbma and take a reference. */
struct nhrp_vc *
nhrp_vc_get(struct nhrp_engine *e, const struct addr *nbma)
{
	struct nhrp_vc *vc = nhrp_vc_find(e, nbma);

	if (vc != NULL) {
		vc->refs++;
		return vc;
	}
	vc = calloc(1, sizeof(*vc));
	if (vc == NULL)
		return NULL;
	vc->nbma = *nbma;
	vc->refs = 1;
	list_init(&vc->neighs);
	list_init(&vc->entries);
	vc->state = e->conf.ipsec ? NHRP_VC_DOWN : NHRP_VC_UP;
	if (htab_insert(&e->vcs, &vc->hn, addr_hash(nbma)) == -1) {
		free(vc);
		return NULL;
	}
	return vc;
}

static void
vc_flush_queue(struct nhrp_vc *vc)
{
	struct nhrp_qpkt *q;

	while ((q = vc->qhead) != NULL) {
		vc->qhead = q->next;
		free(q);
	}
	vc->qtail = NULL;
	vc->qlen = 0;
}

/* Free a connection nobody uses, with IPsec gone or never wanted. */
void
nhrp_vc_release(struct nhrp_engine *e, struct nhrp_vc *vc)
{
	htab_remove(&e->vcs, &vc->hn);
	vc_flush_queue(vc);
	free(vc);
}

/*
 * Drop a reference.  When NHRP no longer uses a connection it asked IPsec
 * for, it says so (NHRP_I_IPSEC_DOWN); the IKE side decides when the SA
 * goes.  A connection whose SA is still up is kept, refs 0, until
 * nhrp_ipsec_down(), so a peer that comes back finds it up.
 */
void
nhrp_vc_put(struct nhrp_engine *e, struct nhrp_vc *vc)
{
	if (vc == NULL || --vc->refs > 0)
		return;
	if (vc->initiated) {
		struct nhrp_intent in = {.type = NHRP_I_IPSEC_DOWN};

		in.nbma = vc->nbma;
		vc->initiated = false;
		nhrp_intent(e, &in);
	}
	if (e->conf.ipsec && vc->state == NHRP_VC_UP)
		return;
	nhrp_vc_release(e, vc);
}

/*
 * Ask for IPsec to the peer.  A request that got nowhere (IKE gave up, or
 * the peer was unreachable then) is repeated once NHRP_VC_RETRY has gone
 * by, when there is something to send: without that, a connection whose
 * first attempt failed would wait for IPsec forever.  The IKE side must
 * take a repeated request for one already under way as the same one.
 */
void
nhrp_vc_want(struct nhrp_engine *e, double now, struct nhrp_vc *vc)
{
	struct nhrp_intent in = {.type = NHRP_I_IPSEC_UP};

	if (vc->state == NHRP_VC_UP ||
	    (vc->state == NHRP_VC_PENDING && now < vc->asked + NHRP_VC_RETRY))
		return;
	vc->state = NHRP_VC_PENDING;
	vc->initiated = true;
	vc->asked = now;
	in.nbma = vc->nbma;
	nhrp_intent(e, &in);
}

int
nhrp_vc_send(struct nhrp_engine *e, double now, struct nhrp_vc *vc,
	     const uint8_t *pkt, size_t len)
{
	struct nhrp_qpkt *q;

	if (vc->state == NHRP_VC_UP) {
		if (e->ops.send != NULL)
			e->ops.send(e->ops.ctx, &vc->nbma, pkt, len);
		return 0;
	}
	if (vc->qlen >= NHRP_VC_QUEUE_MAX) {
		/*
		 * Full: the oldest goes, not the newest.  The queue fills
		 * up with retransmissions while IPsec is slow, and only the
		 * newest carries the request ID that a reply must match.
		 */
		q = vc->qhead;
		vc->qhead = q->next;
		if (vc->qhead == NULL)
			vc->qtail = NULL;
		vc->qlen--;
		free(q);
		e->stats.drops[NHRP_DROP_IPSEC_QUEUE]++;
	}
	q = malloc(sizeof(*q) + len);
	if (q == NULL)
		return -1;
	q->next = NULL;
	q->len = len;
	memcpy(q->data, pkt, len);
	if (vc->qtail != NULL)
		vc->qtail->next = q;
	else
		vc->qhead = q;
	vc->qtail = q;
	vc->qlen++;
	nhrp_vc_want(e, now, vc);
	return 0;
}

void
nhrp_vc_free_all(struct nhrp_engine *e)
{
	size_t i;

	for (i = 0; i < e->vcs.nb; i++) {
		struct hnode *n = e->vcs.b[i], *next;

		for (; n != NULL; n = next) {
			struct nhrp_vc *vc =
				container_of(n, struct nhrp_vc, hn);

			next = n->next;
			vc_flush_queue(vc);
			free(vc);
		}
		e->vcs.b[i] = NULL;
	}
	e->vcs.n = 0;
}

struct nhrp_neigh *
nhrp_neigh_find(const struct nhrp_engine *e, const struct addr *proto)
{
	struct hnode *n =
		htab_find(&e->neighs, addr_hash(proto), proto, neigh_eq);

	return n == NULL ? NULL : container_of(n, struct nhrp_neigh, hn);
}

static void
neigh_install(struct nhrp_engine *e, struct nhrp_neigh *n)
{
	struct nhrp_intent in = {.type = NHRP_I_NEIGH_SET};

	if (n->vc == NULL || n->vc->state != NHRP_VC_UP)
		return;
	in.proto = n->proto;
	in.nbma = n->vc->nbma;
	nhrp_intent(e, &in);
	n->installed = true;
}

/*
 * Map proto to vc's NBMA address, or take another reference on an
 * existing mapping; a mapping to a different NBMA address moves.
 */
struct nhrp_neigh *
nhrp_neigh_get(struct nhrp_engine *e, const struct addr *proto,
	       struct nhrp_vc *vc)
{
	struct nhrp_neigh *n = nhrp_neigh_find(e, proto);

	if (n != NULL) {
		n->refs++;
		if (n->vc != vc) {
			struct nhrp_vc *old = n->vc;

			vc->refs++;
			n->vc = vc;
			list_del(&n->vc_link);
			list_add_tail(&vc->neighs, &n->vc_link);
			n->installed = false;
			nhrp_vc_put(e, old);
		}
		if (!n->installed)
			neigh_install(e, n);
		return n;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->proto = *proto;
	n->refs = 1;
	n->vc = vc;
	vc->refs++;
	list_add_tail(&vc->neighs, &n->vc_link);
	if (htab_insert(&e->neighs, &n->hn, addr_hash(proto)) == -1) {
		nhrp_vc_put(e, vc);
		free(n);
		return NULL;
	}
	neigh_install(e, n);
	return n;
}

void
nhrp_neigh_put(struct nhrp_engine *e, struct nhrp_neigh *n)
{
	if (n == NULL || --n->refs > 0)
		return;
	if (n->installed) {
		struct nhrp_intent in = {.type = NHRP_I_NEIGH_DEL};

		in.proto = n->proto;
		if (n->vc != NULL)
			in.nbma = n->vc->nbma;
		nhrp_intent(e, &in);
	}
	htab_remove(&e->neighs, &n->hn);
	list_del(&n->vc_link);
	nhrp_vc_put(e, n->vc);
	free(n);
}

/* The connection came up: install the mappings that waited for it. */
void
nhrp_neigh_vc_up(struct nhrp_engine *e, struct nhrp_vc *vc)
{
	struct nhrp_neigh *n;

	list_for_each_entry(n, &vc->neighs, vc_link) {
		if (!n->installed)
			neigh_install(e, n);
	}
}
