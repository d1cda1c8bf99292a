/*
 * CREATE_CHILD_SA (RFC 7296 1.3): rekeying the CHILD SA (1.3.3, 2.8) and
 * the IKE SA (1.3.2, 2.18), make-before-break, with the crossing-rekey
 * rules of 2.8.1 and 2.8.2 (the SA created with the lowest nonce goes);
 * INFORMATIONAL (1.4, 1.5): Delete and liveness checks (2.4).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "dmvpn/log.h"
#include "ike_int.h"

/* Retry a rekey the peer could not take now (2.25): 2 to 10 s. */
static double
retry_later(struct ike_engine *e, double now)
{
	/* ike_jitter(1) is 0.9..1: spread the retries of both peers. */
	return now + 2.0 + 80.0 * (1.0 - ike_jitter(e, 1.0));
}

static void
put32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void
put64(uint8_t b[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static uint64_t
get64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static int
child_by_spi_in(const struct ike_sa *sa, uint32_t spi)
{
	size_t i;

	for (i = 0; i < sa->nchild; i++)
		if (sa->child[i].spi_in == spi)
			return (int)i;
	return -1;
}

static int
child_by_spi_out(const struct ike_sa *sa, uint32_t spi)
{
	size_t i;

	for (i = 0; i < sa->nchild; i++)
		if (sa->child[i].spi_out == spi)
			return (int)i;
	return -1;
}

/* The CHILD SA in use: the newest installed one not being replaced. */
static int
current_child(const struct ike_sa *sa)
{
	int i;

	for (i = (int)sa->nchild - 1; i >= 0; i--)
		if (sa->child[i].installed && !sa->child[i].rekeying)
			return i;
	return -1;
}

/* Take CHILD SA i out of the kernel and of the SA. */
static void
child_drop(struct ike_engine *e, struct ike_sa *sa, int i)
{
	ike_child_remove(e, sa, &sa->child[i]);
	ike_child_keys_wipe(&sa->child[i].keys);
	memmove(&sa->child[i], &sa->child[i + 1],
		(sa->nchild - (size_t)i - 1) * sizeof(sa->child[0]));
	sa->nchild--;
	memset(&sa->child[sa->nchild], 0, sizeof(sa->child[0]));
}

/* 2.8.1: memcmp over the shorter length, as both ends must agree. */
static int
nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

/*
 * Of two crossing exchanges, is ours the one holding the lowest of the
 * four nonces (so the SA it created is the redundant one)?
 */
static bool
ours_lowest(const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
	    const struct ike_rekey *rk)
{
	const uint8_t *lo_ours = ni, *lo_peer = rk->peer_ni;
	size_t lo_ours_len = nilen, lo_peer_len = rk->peer_ni_len;

	if (nonce_cmp(nr, nrlen, ni, nilen) < 0) {
		lo_ours = nr;
		lo_ours_len = nrlen;
	}
	if (nonce_cmp(rk->our_nr, rk->our_nr_len, rk->peer_ni,
		      rk->peer_ni_len) < 0) {
		lo_peer = rk->our_nr;
		lo_peer_len = rk->our_nr_len;
	}
	return nonce_cmp(lo_ours, lo_ours_len, lo_peer, lo_peer_len) < 0;
}

void
ike_schedule_rekeys(struct ike_engine *e, double now, struct ike_sa *sa)
{
	ike_timer_set(e, &sa->t_rekey_child,
		      now + ike_jitter(e, e->conf.esp_lifetime));
	ike_timer_set(e, &sa->t_rekey_ike,
		      now + ike_jitter(e, e->conf.ike_lifetime));
	if (e->conf.dpd > 0)
		ike_timer_set(e, &sa->t_dpd, now + e->conf.dpd);
	/* RFC 3948 2.3: only the side behind the NAT keeps it open. */
	if (sa->nat_local && e->conf.nat_keepalive > 0)
		ike_timer_set(e, &sa->t_keepalive, now + e->conf.nat_keepalive);
}

static void
send_delete_child(struct ike_engine *e, double now, struct ike_sa *sa,
		  uint32_t spi_in)
{
	struct ike_msg m;
	uint8_t b[4];

	put32(b, spi_in);
	ike_msg_init_chain(&m);
	ike_msg_add_delete(&m, IKE_PROTO_ESP, b, 1);
	sa->rekey.delete_spi_in = spi_in;
	if (ike_send_request(e, now, sa, IKE_EXCH_INFORMATIONAL, &m,
			     IKE_REQ_DELETE_CHILD) == -1) {
		/* Busy: drop our side now; the peer's goes with its lifetime.
		 */
		int i = child_by_spi_in(sa, spi_in);

		if (i >= 0)
			child_drop(e, sa, i);
	}
}

/* --- CHILD SA rekey ---------------------------------------------------------
 */

void
ike_rekey_child_start(struct ike_engine *e, double now, struct ike_sa *sa)
{
	struct ike_rekey *rk = &sa->rekey;
	struct ike_msg m;
	struct ike_pld *sap;
	uint8_t ke[IKE_DH_MAX];
	size_t kelen = 0;
	uint16_t dh = e->conf.esp[0].ndh > 0 ? e->conf.esp[0].dh[0] : 0;
	int cur = current_child(sa);

	if (sa->state != IKE_SA_ESTABLISHED || sa->loser || cur < 0)
		return;
	ike_child_install_pending(e, sa);
	if (sa->req != IKE_REQ_NONE || sa->nchild >= IKE_MAX_CHILDREN) {
		ike_timer_set(e, &sa->t_rekey_child, retry_later(e, now));
		return;
	}
	ike_dh_free(rk->dh);
	memset(rk, 0, sizeof(*rk));
	ike_random(e, rk->nonce, IKE_NONCE_LEN);
	rk->old_spi_in = sa->child[cur].spi_in;
	if (e->ops.alloc_spi != NULL) {
		if (e->ops.alloc_spi(e->ops.ctx, &sa->path.local.addr,
				     &sa->path.remote.addr,
				     &rk->new_spi_in) == -1)
			rk->new_spi_in = 0;
	} else {
		while (rk->new_spi_in < 256)
			ike_random(e, &rk->new_spi_in, sizeof(rk->new_spi_in));
	}
	if (rk->new_spi_in == 0 ||
	    (dh != 0 &&
	     ((rk->dh = ike_dh_new(dh)) == NULL ||
	      ike_dh_public(rk->dh, ke, sizeof(ke), &kelen) == -1))) {
		ike_timer_set(e, &sa->t_rekey_child, retry_later(e, now));
		return;
	}
	ike_msg_init_chain(&m);
	/* 1.3.3: which SA, by the SPI we receive it with. */
	ike_msg_add_rekey_sa(&m, rk->old_spi_in);
	ike_msg_add_notify(&m, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	sap = ike_msg_add_sa(&m);
	ike_add_esp_proposals(e, &m, sap, rk->new_spi_in, dh);
	ike_msg_add_nonce(&m, rk->nonce, IKE_NONCE_LEN);
	if (dh != 0)
		ike_msg_add_ke(&m, dh, ke, kelen);
	ike_add_gre_ts(&m, &sa->path.local.addr, &sa->path.remote.addr);
	if (ike_send_request(e, now, sa, IKE_EXCH_CREATE_CHILD_SA, &m,
			     IKE_REQ_REKEY_CHILD) == -1) {
		ike_timer_set(e, &sa->t_rekey_child, retry_later(e, now));
		return;
	}
	sa->child[cur].rekeying = true;
	e->stats.child_rekeys++;
}

/* The response to our CHILD SA rekey. */
static void
rekey_child_done(struct ike_engine *e, double now, struct ike_sa *sa,
		 const struct ike_msg *m)
{
	struct ike_rekey *rk = &sa->rekey;
	const struct ike_pld *n, *sap, *nonce, *ke;
	struct ike_esp_suite es = {0};
	struct ike_child *c;
	uint8_t gir[IKE_DH_MAX];
	size_t girlen = 0;
	uint32_t peer_spi = 0;
	uint16_t want = 0;
	int old = child_by_spi_in(sa, rk->old_spi_in), rc;
	const char *why = NULL;

	if (old >= 0)
		sa->child[old].rekeying = false;
	if ((n = ike_error_notify(m)) != NULL) {
		log_dbg(DBG_IKE, "ike: CHILD SA rekey refused: %s",
			ike_notify_name(n->u.n.type));
		/* CHILD_SA_NOT_FOUND: the peer is deleting it; let it. */
		if (n->u.n.type != IKE_N_CHILD_SA_NOT_FOUND)
			ike_timer_set(e, &sa->t_rekey_child,
				      retry_later(e, now));
		return;
	}
	sap = ike_msg_find(m, IKE_PLD_SA);
	nonce = ike_msg_find(m, IKE_PLD_NONCE);
	ke = ike_msg_find(m, IKE_PLD_KE);
	rc = sap == NULL
		     ? -1
		     : ike_choose_esp(e, m, sap,
				      rk->dh != NULL ? ike_dh_group(rk->dh) : 0,
				      &es, &peer_spi, &want);
	/*
	 * The responder may choose a proposal of ours without a group
	 * (1.3.3): then there is no KEr and no g^ir in the keys.
	 */
	if (rc < 0 || nonce == NULL || nonce->body_len < IKE_NONCE_MIN ||
	    (es.dh != 0 && (rk->dh == NULL || ke == NULL)) || old < 0 ||
	    sa->nchild >= IKE_MAX_CHILDREN) {
		e->stats.drops[IKE_DROP_NO_PROPOSAL]++;
		ike_timer_set(e, &sa->t_rekey_child, retry_later(e, now));
		return;
	}
	if (es.dh != 0 &&
	    ike_dh_shared(rk->dh, ke->u.typed.data, ke->u.typed.len, gir,
			  sizeof(gir), &girlen, &why) == -1) {
		ike_timer_set(e, &sa->t_rekey_child, retry_later(e, now));
		return;
	}
	c = &sa->child[sa->nchild];
	memset(c, 0, sizeof(*c));
	c->spi_in = rk->new_spi_in;
	c->spi_out = peer_spi;
	rc = ike_child_keys_for(e, sa, c, &es, es.dh != 0 ? gir : NULL, girlen,
				rk->nonce, IKE_NONCE_LEN, nonce->body,
				nonce->body_len);
	OPENSSL_cleanse(gir, sizeof(gir));
	ike_dh_free(rk->dh);
	rk->dh = NULL;
	if (rc == -1)
		return;
	sa->nchild++;
	c->established = now;
	ike_child_install(e, sa, c);
	ike_timer_set(e, &sa->t_rekey_child,
		      now + ike_jitter(e, e->conf.esp_lifetime));
	if (rk->collided) {
		/* 2.8.1: the SA made with the lowest nonce is redundant. */
		if (ours_lowest(rk->nonce, IKE_NONCE_LEN, nonce->body,
				nonce->body_len, rk)) {
			send_delete_child(e, now, sa, c->spi_in);
			return;
		}
		/* The peer deletes its own; the old one is ours to end. */
	}
	old = child_by_spi_in(sa, rk->old_spi_in);
	if (old >= 0)
		send_delete_child(e, now, sa, rk->old_spi_in);
}

/* The peer rekeys a CHILD SA (1.3.3). */
static void
rekey_child_request(struct ike_engine *e, double now, struct ike_sa *sa,
		    const struct ike_msg *m, const struct ike_pld *rekey,
		    uint32_t msgid)
{
	struct ike_rekey *rk = &sa->rekey;
	const struct ike_pld *sap = ike_msg_find(m, IKE_PLD_SA);
	const struct ike_pld *nonce = ike_msg_find(m, IKE_PLD_NONCE);
	const struct ike_pld *ke = ike_msg_find(m, IKE_PLD_KE);
	struct ike_esp_suite es = {0};
	struct ike_msg r;
	struct ike_pld *rsa;
	struct ike_child *c;
	struct ike_dh *dh = NULL;
	uint8_t nr[IKE_NONCE_LEN], kebuf[IKE_DH_MAX], gir[IKE_DH_MAX], spi[4];
	size_t kelen = 0, girlen = 0;
	uint32_t peer_spi = 0, spi_in = 0;
	uint16_t want = 0, err = 0;
	const char *why = NULL;
	int old, num = -1;

	old = child_by_spi_out(sa,
			       ike_spi32(rekey->u.n.spi, rekey->u.n.spi_len));
	if (old < 0)
		err = IKE_N_CHILD_SA_NOT_FOUND;
	else if (sa->nchild >= IKE_MAX_CHILDREN ||
		 sa->req == IKE_REQ_REKEY_IKE ||
		 sa->req == IKE_REQ_DELETE_IKE || sa->delete_why != NULL ||
		 (sa->req == IKE_REQ_DELETE_CHILD &&
		  sa->rekey.delete_spi_in == sa->child[old].spi_in))
		/* 2.25.1: busy with the IKE SA, or closing that one. */
		err = IKE_N_TEMPORARY_FAILURE;
	else if (sap == NULL || nonce == NULL ||
		 nonce->body_len < IKE_NONCE_MIN ||
		 nonce->body_len > IKE_NONCE_MAX ||
		 (num = ike_choose_esp(e, m, sap,
				       ke != NULL ? ke->u.typed.type : 0, &es,
				       &peer_spi, &want)) == -1)
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	else if (num == -2)
		err = IKE_N_INVALID_KE_PAYLOAD;
	else if (ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) == NULL)
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	if (err == 0 && e->ops.alloc_spi != NULL &&
	    e->ops.alloc_spi(e->ops.ctx, &sa->path.local.addr,
			     &sa->path.remote.addr, &spi_in) == -1)
		err = IKE_N_TEMPORARY_FAILURE;
	if (err == 0 && e->ops.alloc_spi == NULL)
		while (spi_in < 256)
			ike_random(e, &spi_in, sizeof(spi_in));
	if (err == 0 && es.dh != 0) {
		dh = ike_dh_new(es.dh);
		if (dh == NULL ||
		    ike_dh_public(dh, kebuf, sizeof(kebuf), &kelen) == -1 ||
		    ike_dh_shared(dh, ke->u.typed.data, ke->u.typed.len, gir,
				  sizeof(gir), &girlen, &why) == -1)
			err = IKE_N_NO_PROPOSAL_CHOSEN;
	}
	ike_msg_init_chain(&r);
	if (err != 0) {
		if (err == IKE_N_INVALID_KE_PAYLOAD)
			ike_msg_add_invalid_ke(&r, want);
		else
			ike_msg_add_notify(&r, err, NULL, 0);
		ike_send_response(e, now, sa, IKE_EXCH_CREATE_CHILD_SA, msgid,
				  &r);
		ike_dh_free(dh);
		return;
	}
	ike_random(e, nr, sizeof(nr));
	c = &sa->child[sa->nchild];
	memset(c, 0, sizeof(*c));
	c->spi_in = spi_in;
	c->spi_out = peer_spi;
	if (ike_child_keys_for(e, sa, c, &es, dh != NULL ? gir : NULL, girlen,
			       nonce->body, nonce->body_len, nr,
			       sizeof(nr)) == -1) {
		OPENSSL_cleanse(gir, sizeof(gir));
		ike_dh_free(dh);
		memset(c, 0, sizeof(*c));
		ike_msg_add_notify(&r, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		ike_send_response(e, now, sa, IKE_EXCH_CREATE_CHILD_SA, msgid,
				  &r);
		return;
	}
	OPENSSL_cleanse(gir, sizeof(gir));
	put32(spi, spi_in);
	ike_msg_add_notify(&r, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	rsa = ike_msg_add_sa(&r);
	ike_add_chosen(&r, rsa, IKE_PROTO_ESP, (uint8_t)num, spi, sizeof(spi),
		       es.encr, es.encr_keybits, 0, es.integ, es.dh);
	ike_msg_add_nonce(&r, nr, sizeof(nr));
	if (dh != NULL)
		ike_msg_add_ke(&r, es.dh, kebuf, kelen);
	ike_add_gre_ts(&r, &sa->path.remote.addr, &sa->path.local.addr);
	ike_dh_free(dh);
	if (ike_send_response(e, now, sa, IKE_EXCH_CREATE_CHILD_SA, msgid,
			      &r) == -1) {
		ike_child_keys_wipe(&c->keys);
		memset(c, 0, sizeof(*c));
		return;
	}
	/*
	 * Make before break: the new inbound SA now, the new outbound one
	 * when the initiator deletes the old pair (it has its inbound SA by
	 * then); sending on it at once could beat the answer to the peer.
	 */
	sa->nchild++;
	c->established = now;
	ike_child_install_in(e, sa, c);
	sa->child[old].rekeying = true;
	ike_timer_set(e, &sa->t_rekey_child,
		      now + ike_jitter(e, e->conf.esp_lifetime));
	if (sa->req == IKE_REQ_REKEY_CHILD &&
	    rk->old_spi_in == sa->child[old].spi_in) {
		/* 2.8.1: we are rekeying the same SA; decide when ours ends. */
		rk->collided = true;
		memcpy(rk->peer_ni, nonce->body, nonce->body_len);
		rk->peer_ni_len = nonce->body_len;
		memcpy(rk->our_nr, nr, sizeof(nr));
		rk->our_nr_len = sizeof(nr);
		rk->peer_child_spi_in = spi_in;
	}
}

/* --- IKE SA rekey -----------------------------------------------------------
 */

void
ike_rekey_ike_start(struct ike_engine *e, double now, struct ike_sa *sa)
{
	struct ike_rekey *rk = &sa->rekey;
	struct ike_msg m;
	struct ike_pld *sap;
	struct ike_sa *ns;
	uint8_t ke[IKE_DH_MAX], spi[8];
	size_t kelen = 0;

	if (sa->state != IKE_SA_ESTABLISHED || sa->loser)
		return;
	if (sa->req != IKE_REQ_NONE) {
		ike_timer_set(e, &sa->t_rekey_ike, retry_later(e, now));
		return;
	}
	ike_dh_free(rk->dh);
	memset(rk, 0, sizeof(*rk));
	ike_random(e, rk->nonce, IKE_NONCE_LEN);
	/* The new SA holds its SPI from now on; keyed when the answer comes. */
	ns = ike_sa_new(e, now, &sa->path, true);
	rk->dh = ike_dh_new(sa->suite.dh);
	if (ns == NULL || rk->dh == NULL ||
	    ike_dh_public(rk->dh, ke, sizeof(ke), &kelen) == -1) {
		if (ns != NULL)
			ike_sa_destroy(e, now, ns, "rekey aborted");
		ike_timer_set(e, &sa->t_rekey_ike, retry_later(e, now));
		return;
	}
	rk->new_sa = ns;
	put64(spi, ns->spi_i);
	ike_msg_init_chain(&m);
	sap = ike_msg_add_sa(&m);
	ike_add_ike_proposals(e, &m, sap, sa->suite.dh, spi, sizeof(spi));
	ike_msg_add_nonce(&m, rk->nonce, IKE_NONCE_LEN);
	ike_msg_add_ke(&m, sa->suite.dh, ke, kelen);
	if (ike_send_request(e, now, sa, IKE_EXCH_CREATE_CHILD_SA, &m,
			     IKE_REQ_REKEY_IKE) == -1) {
		ike_sa_destroy(e, now, ns, "rekey aborted");
		rk->new_sa = NULL;
		ike_timer_set(e, &sa->t_rekey_ike, retry_later(e, now));
		return;
	}
	sa->state = IKE_SA_REKEYING;
	e->stats.ike_rekeys++;
}

/* Move the CHILD SAs and NHRP's "up" from the old IKE SA to its heir. */
static void
inherit(struct ike_sa *ns, struct ike_sa *old)
{
	size_t i;

	for (i = 0; i < old->nchild && ns->nchild < IKE_MAX_CHILDREN; i++)
		ns->child[ns->nchild++] = old->child[i];
	memset(old->child, 0, sizeof(old->child));
	old->nchild = 0;
}

/* The new IKE SA of a rekey takes over what the old one knew (2.18). */
static void
succeed(struct ike_engine *e, double now, struct ike_sa *ns, struct ike_sa *old)
{
	ns->state = IKE_SA_ESTABLISHED;
	ns->established = now;
	ns->last_rx = now;
	ns->keyed = true;
	ns->auth_method = old->auth_method;
	ns->peer_id = old->peer_id;
	if (old->peer_cert != NULL && X509_up_ref(old->peer_cert) == 1)
		ns->peer_cert = old->peer_cert;
	ns->nat_local = old->nat_local;
	ns->nat_remote = old->nat_remote;
	ns->frag_ok = old->frag_ok;
	ns->sighash_mask = old->sighash_mask;
	ns->path = old->path;
	ike_peer_attach(old->peer, ns);
	inherit(ns, old);
	ike_schedule_rekeys(e, now, ns);
	/* Only the IKE SA goes with this rekey: the CHILD SA keeps its age. */
	if (heap_queued(&old->t_rekey_child.hn))
		ike_timer_set(e, &ns->t_rekey_child, old->t_rekey_child.hn.at);
	ike_timer_del(e, &old->t_rekey_ike);
	ike_timer_del(e, &old->t_rekey_child);
	ike_timer_del(e, &old->t_dpd);
	ike_timer_del(e, &old->t_keepalive);
}

/* Keys of the new SA from the old one's SK_d and a fresh DH (2.18). */
static int
rekey_keys(struct ike_sa *ns, const struct ike_sa *old, struct ike_dh *dh,
	   const struct ike_pld *ke, const char **why)
{
	uint8_t gir[IKE_DH_MAX], spi_i[8], spi_r[8];
	size_t girlen;
	int rc;

	if (ike_dh_shared(dh, ke->u.typed.data, ke->u.typed.len, gir,
			  sizeof(gir), &girlen, why) == -1)
		return -1;
	put64(spi_i, ns->spi_i);
	put64(spi_r, ns->spi_r);
	rc = ike_keys_rekey(&ns->keys, &ns->suite, &old->keys, gir, girlen,
			    ns->nonce_i, ns->nonce_i_len, ns->nonce_r,
			    ns->nonce_r_len, spi_i, spi_r);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (rc == -1)
		*why = "key derivation failed";
	return rc;
}

static void
rekey_ike_done(struct ike_engine *e, double now, struct ike_sa *sa,
	       const struct ike_msg *m)
{
	struct ike_rekey *rk = &sa->rekey;
	struct ike_sa *ns = rk->new_sa, *theirs;
	const struct ike_pld *n, *sap, *nonce, *ke;
	const struct ike_prop *chosen = NULL;
	struct ike_suite suite;
	uint16_t want = 0;
	const char *why = NULL;

	rk->new_sa = NULL;
	sa->state = IKE_SA_ESTABLISHED;
	sap = ike_msg_find(m, IKE_PLD_SA);
	nonce = ike_msg_find(m, IKE_PLD_NONCE);
	ke = ike_msg_find(m, IKE_PLD_KE);
	if ((n = ike_error_notify(m)) != NULL || sap == NULL || nonce == NULL ||
	    ke == NULL || nonce->body_len < IKE_NONCE_MIN ||
	    nonce->body_len > IKE_NONCE_MAX ||
	    ike_choose_ike(e, m, sap, ike_dh_group(rk->dh), &suite, &chosen,
			   &want) != 0 ||
	    chosen->spi_len != 8 || get64(chosen->spi) == 0) {
		log_dbg(DBG_IKE, "ike: IKE SA rekey refused: %s",
			n != NULL ? ike_notify_name(n->u.n.type) : "malformed");
		if (ns != NULL)
			ike_sa_destroy(e, now, ns, "rekey refused");
		ike_timer_set(e, &sa->t_rekey_ike, retry_later(e, now));
		return;
	}
	ns->spi_r = get64(chosen->spi);
	ns->suite = suite;
	memcpy(ns->nonce_i, rk->nonce, IKE_NONCE_LEN);
	ns->nonce_i_len = IKE_NONCE_LEN;
	memcpy(ns->nonce_r, nonce->body, nonce->body_len);
	ns->nonce_r_len = nonce->body_len;
	if (rekey_keys(ns, sa, rk->dh, ke, &why) == -1) {
		ike_sa_destroy(e, now, ns, why);
		ike_timer_set(e, &sa->t_rekey_ike, retry_later(e, now));
		return;
	}
	ike_dh_free(rk->dh);
	rk->dh = NULL;
	theirs = NULL;
	if (rk->collided) {
		struct ike_sa *o;

		list_for_each_entry(o, &sa->peer->sas, peer_link)
			if (!o->initiator && o->spi_r == rk->peer_sa_spi)
				theirs = o;
	}
	succeed(e, now, ns, sa);
	if (theirs != NULL) {
		/* 2.8.2: the new SA made with the lowest nonce goes. */
		if (ours_lowest(ns->nonce_i, ns->nonce_i_len, ns->nonce_r,
				ns->nonce_r_len, rk)) {
			inherit(theirs, ns);
			ike_delete_sa(e, now, ns, "crossing rekey");
			return;
		}
		inherit(ns, theirs);
	}
	/* 1.3.2: whoever rekeyed deletes the old SA. */
	ike_delete_sa(e, now, sa, "rekeyed");
}

static void
rekey_ike_request(struct ike_engine *e, double now, struct ike_sa *sa,
		  const struct ike_msg *m, const struct ike_pld *sap,
		  uint32_t msgid)
{
	struct ike_rekey *rk = &sa->rekey;
	const struct ike_pld *nonce = ike_msg_find(m, IKE_PLD_NONCE);
	const struct ike_pld *ke = ike_msg_find(m, IKE_PLD_KE);
	const struct ike_prop *chosen = NULL;
	struct ike_suite suite;
	struct ike_msg r;
	struct ike_pld *rsa;
	struct ike_sa *ns = NULL;
	struct ike_dh *dh = NULL;
	uint8_t kebuf[IKE_DH_MAX], spi[8];
	size_t kelen = 0;
	uint16_t want = 0, err = 0;
	const char *why = NULL;
	int rc = -1;

	if (sa->state == IKE_SA_DELETING || sa->delete_why != NULL ||
	    sa->req == IKE_REQ_REKEY_CHILD || sa->req == IKE_REQ_DELETE_CHILD ||
	    sa->req == IKE_REQ_DELETE_IKE)
		/* 2.25.2: another exchange of ours is under way. */
		err = IKE_N_TEMPORARY_FAILURE;
	else if (nonce == NULL || ke == NULL ||
		 nonce->body_len < IKE_NONCE_MIN ||
		 nonce->body_len > IKE_NONCE_MAX ||
		 (rc = ike_choose_ike(e, m, sap, ke->u.typed.type, &suite,
				      &chosen, &want)) == -1 ||
		 (rc == 0 && (chosen->spi_len != 8 || get64(chosen->spi) == 0)))
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	else if (rc == 1)
		err = IKE_N_INVALID_KE_PAYLOAD;
	if (err == 0) {
		ns = ike_sa_new(e, now, &sa->path, false);
		dh = ike_dh_new(suite.dh);
		if (ns == NULL || dh == NULL ||
		    ike_dh_public(dh, kebuf, sizeof(kebuf), &kelen) == -1)
			err = IKE_N_TEMPORARY_FAILURE;
	}
	if (err == 0) {
		ns->spi_i = get64(chosen->spi);
		ns->suite = suite;
		memcpy(ns->nonce_i, nonce->body, nonce->body_len);
		ns->nonce_i_len = nonce->body_len;
		ns->nonce_r_len = IKE_NONCE_LEN;
		ike_random(e, ns->nonce_r, IKE_NONCE_LEN);
		if (rekey_keys(ns, sa, dh, ke, &why) == -1)
			err = IKE_N_NO_PROPOSAL_CHOSEN;
	}
	ike_dh_free(dh);
	ike_msg_init_chain(&r);
	if (err != 0) {
		if (ns != NULL)
			ike_sa_destroy(e, now, ns, "rekey refused");
		if (err == IKE_N_INVALID_KE_PAYLOAD)
			ike_msg_add_invalid_ke(&r, want);
		else
			ike_msg_add_notify(&r, err, NULL, 0);
		ike_send_response(e, now, sa, IKE_EXCH_CREATE_CHILD_SA, msgid,
				  &r);
		return;
	}
	put64(spi, ns->spi_r);
	rsa = ike_msg_add_sa(&r);
	ike_add_chosen(&r, rsa, IKE_PROTO_IKE, chosen->num, spi, sizeof(spi),
		       suite.encr, suite.encr_keybits, suite.prf, suite.integ,
		       suite.dh);
	ike_msg_add_nonce(&r, ns->nonce_r, ns->nonce_r_len);
	ike_msg_add_ke(&r, suite.dh, kebuf, kelen);
	if (ike_send_response(e, now, sa, IKE_EXCH_CREATE_CHILD_SA, msgid,
			      &r) == -1) {
		ike_sa_destroy(e, now, ns, "cannot answer the rekey");
		return;
	}
	succeed(e, now, ns, sa);
	if (sa->req == IKE_REQ_REKEY_IKE) {
		/* 2.8.2: crossing rekeys; settled when our answer comes. */
		rk->collided = true;
		memcpy(rk->peer_ni, ns->nonce_i, ns->nonce_i_len);
		rk->peer_ni_len = ns->nonce_i_len;
		memcpy(rk->our_nr, ns->nonce_r, ns->nonce_r_len);
		rk->our_nr_len = ns->nonce_r_len;
		rk->peer_sa_spi = ns->spi_r;
		return;
	}
	/* The peer deletes the old SA; if it never does, it times out. */
	sa->state = IKE_SA_DELETING;
	ike_timer_set(e, &sa->t_expire, now + 4 * IKE_DELETE_WAIT);
}

/* --- dispatch ----------------------------------------------------------- */

void
ike_handle_create_child_request(struct ike_engine *e, double now,
				struct ike_sa *sa, const struct ike_msg *m)
{
	uint32_t msgid = sa->peer_msgid - 1;
	const struct ike_pld *sap = ike_msg_find(m, IKE_PLD_SA);
	const struct ike_pld *rekey = ike_msg_find_notify(m, IKE_N_REKEY_SA);
	struct ike_msg r;

	if (sa->state != IKE_SA_ESTABLISHED && sa->state != IKE_SA_REKEYING &&
	    sa->state != IKE_SA_DELETING) {
		e->stats.drops[IKE_DROP_STATE]++;
		return;
	}
	if (sap != NULL && ike_sa_prop(m, sap, 0) != NULL &&
	    ike_sa_prop(m, sap, 0)->proto == IKE_PROTO_IKE) {
		rekey_ike_request(e, now, sa, m, sap, msgid);
		return;
	}
	if (rekey != NULL && rekey->u.n.proto == IKE_PROTO_ESP &&
	    sa->state != IKE_SA_DELETING) {
		rekey_child_request(e, now, sa, m, rekey, msgid);
		return;
	}
	/* One CHILD SA per peer: GRE between the two NBMA addresses. */
	ike_msg_init_chain(&r);
	ike_msg_add_notify(&r,
			   sa->state == IKE_SA_DELETING
				   ? IKE_N_TEMPORARY_FAILURE
				   : IKE_N_NO_ADDITIONAL_SAS,
			   NULL, 0);
	ike_send_response(e, now, sa, IKE_EXCH_CREATE_CHILD_SA, msgid, &r);
}

void
ike_handle_create_child_response(struct ike_engine *e, double now,
				 struct ike_sa *sa, const struct ike_msg *m)
{
	/* ike_recv() cleared sa->req; what it was is in the rekey state. */
	if (sa->rekey.new_sa != NULL)
		rekey_ike_done(e, now, sa, m);
	else
		rekey_child_done(e, now, sa, m);
}

/* --- INFORMATIONAL -----------------------------------------------------------
 */

void
ike_handle_info_request(struct ike_engine *e, double now, struct ike_sa *sa,
			const struct ike_msg *m)
{
	uint32_t msgid = sa->peer_msgid - 1;
	uint8_t spis[4 * IKE_MAX_CHILDREN];
	struct ike_msg r;
	size_t i, j, nspi = 0;
	bool del_ike = false;

	/*
	 * Any request from the peer after a rekey it started (above all the
	 * Delete of the old pair): it has its new inbound SA, so our new
	 * outbound one goes in, before the old pair goes out.
	 */
	ike_child_install_pending(e, sa);
	for (i = 0; i < m->npld; i++) {
		const struct ike_pld *d = &m->pld[i];

		if (d->type != IKE_PLD_DELETE)
			continue;
		if (d->u.del.proto == IKE_PROTO_IKE) {
			del_ike = true;
			continue;
		}
		if (d->u.del.proto != IKE_PROTO_ESP)
			continue;
		for (j = 0; j < d->u.del.count; j++) {
			int c = child_by_spi_out(sa, ike_delete_spi(d, j));

			if (c < 0)
				continue;
			/* 1.4.1: answer with our half of the pair. */
			if (nspi < IKE_MAX_CHILDREN)
				put32(spis + 4 * nspi++, sa->child[c].spi_in);
			child_drop(e, sa, c);
		}
	}
	ike_msg_init_chain(&r);
	if (nspi > 0)
		ike_msg_add_delete(&r, IKE_PROTO_ESP, spis, nspi);
	ike_send_response(e, now, sa, IKE_EXCH_INFORMATIONAL, msgid, &r);
	if (del_ike) {
		ike_sa_destroy(e, now, sa, "deleted by the peer");
		return;
	}
	/* The last CHILD SA gone and nothing replaces it: the SA is no use. */
	if (sa->nchild == 0 && sa->state == IKE_SA_ESTABLISHED && sa->initiator)
		ike_delete_sa(e, now, sa, "no CHILD SA left");
}

void
ike_handle_info_response(struct ike_engine *e, double now, struct ike_sa *sa,
			 const struct ike_msg *m)
{
	int c;

	(void)m;
	switch (sa->state) {
	case IKE_SA_DELETING:
		ike_sa_destroy(e, now, sa, "deleted");
		return;
	default:
		break;
	}
	/* Our Delete of a CHILD SA is answered: the pair goes (1.4.1). */
	if (sa->rekey.delete_spi_in != 0) {
		c = child_by_spi_in(sa, sa->rekey.delete_spi_in);
		sa->rekey.delete_spi_in = 0;
		if (c >= 0)
			child_drop(e, sa, c);
	}
	/* A liveness answer needs nothing: ike_recv() saw the peer. */
	if (e->conf.dpd > 0)
		ike_timer_set(e, &sa->t_dpd, now + e->conf.dpd);
}

/*
 * End an SA: a Delete to the peer when we can (window permitting), its
 * CHILD SAs out of the kernel at once; destroyed when the peer answers or
 * after IKE_DELETE_WAIT.
 */
void
ike_delete_sa(struct ike_engine *e, double now, struct ike_sa *sa,
	      const char *why)
{
	struct ike_msg m;
	size_t i;

	if (sa->keyed && sa->req != IKE_REQ_NONE &&
	    (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_REKEYING ||
	     (sa->state == IKE_SA_AUTHING && sa->initiator))) {
		/*
		 * One request at a time (2.3): the Delete follows when ours
		 * is answered (or given up on); an IKE_AUTH under way may
		 * have set the SA up at the responder, which must hear it.
		 * Until then the SA carries nothing and NHRP hears it is
		 * down.
		 */
		for (i = 0; i < sa->nchild; i++)
			ike_child_remove(e, sa, &sa->child[i]);
		sa->loser = true;
		sa->delete_why = why;
		ike_timer_del(e, &sa->t_rekey_ike);
		ike_timer_del(e, &sa->t_rekey_child);
		ike_timer_del(e, &sa->t_dpd);
		ike_peer_down_check(e, sa->peer);
		return;
	}
	if (!sa->keyed || sa->req != IKE_REQ_NONE ||
	    sa->state == IKE_SA_DELETING) {
		ike_sa_destroy(e, now, sa, why);
		return;
	}
	log_dbg(DBG_IKE, "ike: deleting the SA with %s: %s",
		addr_fmt(&sa->path.remote.addr, (char[ADDR_STRLEN]){0}), why);
	ike_msg_init_chain(&m);
	ike_msg_add_delete(&m, IKE_PROTO_IKE, NULL, 0);
	if (ike_send_request(e, now, sa, IKE_EXCH_INFORMATIONAL, &m,
			     IKE_REQ_DELETE_IKE) == -1) {
		ike_sa_destroy(e, now, sa, why);
		return;
	}
	for (i = 0; i < sa->nchild; i++)
		ike_child_remove(e, sa, &sa->child[i]);
	sa->state = IKE_SA_DELETING;
	sa->delete_why = NULL;
	ike_peer_down_check(e, sa->peer);
	ike_timer_del(e, &sa->t_rekey_ike);
	ike_timer_del(e, &sa->t_rekey_child);
	ike_timer_del(e, &sa->t_dpd);
	ike_timer_del(e, &sa->t_keepalive);
	ike_timer_set(e, &sa->t_expire, now + IKE_DELETE_WAIT);
}

/* 2.4: an empty INFORMATIONAL after dpd seconds without word. */
void
ike_dpd_start(struct ike_engine *e, double now, struct ike_sa *sa)
{
	struct ike_msg m;

	if (e->conf.dpd <= 0 || sa->state == IKE_SA_DELETING)
		return;
	/*
	 * Compare the deadline itself, not now - last_rx: in floating point
	 * the two can disagree, and a timer set to now fires again at once.
	 */
	if (sa->last_rx + e->conf.dpd > now) {
		ike_timer_set(e, &sa->t_dpd, sa->last_rx + e->conf.dpd);
		return;
	}
	if (sa->req != IKE_REQ_NONE) {
		/* The outstanding request's retransmissions check for us. */
		ike_timer_set(e, &sa->t_dpd, now + e->conf.dpd);
		return;
	}
	ike_msg_init_chain(&m);
	if (ike_send_request(e, now, sa, IKE_EXCH_INFORMATIONAL, &m,
			     IKE_REQ_DPD) == -1)
		ike_timer_set(e, &sa->t_dpd, now + e->conf.dpd);
}
