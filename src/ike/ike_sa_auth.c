/*
 * IKE_AUTH (RFC 7296 1.2, 2.15, 2.16): identities, certificates, the AUTH
 * payload (PSK or signatures, RFC 7427), and the first CHILD SA: ESP in
 * transport mode (1.3.1 USE_TRANSPORT_MODE) for GRE host to host (2.9).
 * Also what follows once an SA is up: the simultaneous-initiation rule
 * (docs/ike.md), INITIAL_CONTACT (2.4), installing the CHILD SA.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "dmvpn/log.h"
#include "ike_int.h"

#define IKE_MAX_CERTS 8

/* The ID payload body (3.5): type, three reserved octets, data. */
static size_t
id_body(const struct ike_id *id, uint8_t *out, size_t cap)
{
	if ((size_t)id->len + 4 > cap)
		return 0;
	out[0] = id->type;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, id->data, id->len);
	return (size_t)id->len + 4;
}

/* Our identity: as configured, else our address (ID_IPV4/6_ADDR). */
static void
local_id(const struct ike_engine *e, const struct ike_sa *sa, struct ike_id *id)
{
	if (e->conf.local_id.type != 0) {
		*id = e->conf.local_id;
		return;
	}
	memset(id, 0, sizeof(*id));
	id->type = sa->path.local.addr.family == AF_INET6 ? IKE_ID_IPV6_ADDR
							  : IKE_ID_IPV4_ADDR;
	id->len = sa->path.local.addr.len;
	memcpy(id->data, sa->path.local.addr.bytes, id->len);
}

static uint32_t
alloc_spi(struct ike_engine *e, const struct ike_sa *sa)
{
	uint32_t spi = 0;

	if (e->ops.alloc_spi != NULL) {
		if (e->ops.alloc_spi(e->ops.ctx, &sa->path.local.addr,
				     &sa->path.remote.addr, &spi) == -1)
			return 0;
		return spi;
	}
	/* RFC 4303 2.1: 1..255 are reserved. */
	while (spi < 256)
		ike_random(e, &spi, sizeof(spi));
	return spi;
}

void
ike_add_gre_ts(struct ike_msg *m, const struct addr *i, const struct addr *r)
{
	struct ike_ts ts;
	struct ike_pld *p;

	p = ike_msg_add_tsp(m, IKE_PLD_TSI);
	if (ike_ts_host(&ts, i->bytes, i->len, IPPROTO_GRE) == 0 && p != NULL)
		ike_msg_add_ts(m, p, &ts);
	p = ike_msg_add_tsp(m, IKE_PLD_TSR);
	if (ike_ts_host(&ts, r->bytes, r->len, IPPROTO_GRE) == 0 && p != NULL)
		ike_msg_add_ts(m, p, &ts);
}

/* A selector that lets GRE through: protocol 47 or any (2.9). */
bool
ike_ts_acceptable(const struct ike_msg *m, const struct ike_pld *tsp)
{
	const struct ike_ts *ts;
	size_t i;

	if (tsp == NULL)
		return false;
	for (i = 0; (ts = ike_tsp_ts(m, tsp, i)) != NULL; i++)
		if ((ts->type == IKE_TS_IPV4_ADDR_RANGE ||
		     ts->type == IKE_TS_IPV6_ADDR_RANGE) &&
		    (ts->proto == IPPROTO_GRE || ts->proto == 0))
			return true;
	return false;
}

/* Echo the peer's first selector of tsp, narrowed to GRE. */
static void
echo_ts(struct ike_msg *r, const struct ike_msg *m, const struct ike_pld *tsp,
	uint8_t type)
{
	const struct ike_ts *ts;
	struct ike_pld *p = ike_msg_add_tsp(r, type);
	size_t i;

	for (i = 0; (ts = ike_tsp_ts(m, tsp, i)) != NULL; i++) {
		struct ike_ts t = *ts;

		if (t.type != IKE_TS_IPV4_ADDR_RANGE &&
		    t.type != IKE_TS_IPV6_ADDR_RANGE)
			continue;
		if (t.proto != IPPROTO_GRE && t.proto != 0)
			continue;
		t.proto = IPPROTO_GRE;
		if (p != NULL)
			ike_msg_add_ts(r, p, &t);
		return;
	}
}

int
ike_child_keys_for(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
		   const struct ike_esp_suite *s, const uint8_t *gir,
		   size_t girlen, const uint8_t *ni, size_t nilen,
		   const uint8_t *nr, size_t nrlen)
{
	(void)e;
	return ike_child_keys_derive(&c->keys, s, &sa->keys, gir, girlen, ni,
				     nilen, nr, nrlen);
}

/* The AUTH payload data we send (2.15). */
static int
make_auth(struct ike_engine *e, struct ike_sa *sa, const uint8_t *idb,
	  size_t idlen, uint8_t *method, uint8_t *out, size_t cap,
	  size_t *outlen)
{
	const uint8_t *msg = sa->initiator ? sa->init_req : sa->init_resp;
	size_t msglen = sa->initiator ? sa->init_req_len : sa->init_resp_len;
	const uint8_t *nonce = sa->initiator ? sa->nonce_r : sa->nonce_i;
	size_t noncelen = sa->initiator ? sa->nonce_r_len : sa->nonce_i_len;
	uint8_t *octets = NULL;
	size_t olen = 0;
	int rc = -1;

	if (ike_auth_octets(&sa->keys, sa->initiator, msg, msglen, nonce,
			    noncelen, idb, idlen, &octets, &olen) == -1)
		return -1;
	if (e->conf.creds != NULL && ike_creds_key(e->conf.creds) != NULL) {
		EVP_PKEY *key = ike_creds_key(e->conf.creds);

		*method = ike_auth_method_for(key, sa->sighash_mask);
		rc = ike_auth_sign(key, *method,
				   ike_auth_hash_for(key, sa->sighash_mask),
				   octets, olen, out, cap, outlen);
	} else {
		*method = IKE_AUTH_PSK;
		rc = ike_auth_psk(sa->suite.prf, e->conf.psk, e->conf.psk_len,
				  octets, olen, out, outlen);
	}
	OPENSSL_cleanse(octets, olen);
	free(octets);
	return rc;
}

/* Our certificates, end entity first (3.6). */
static void
add_certs(struct ike_engine *e, struct ike_msg *m)
{
	const uint8_t *der;
	size_t len, i;

	if (e->conf.creds == NULL)
		return;
	for (i = 0; i < IKE_MAX_CERTS &&
		    ike_creds_own_der(e->conf.creds, i, &der, &len) == 0;
	     i++)
		ike_msg_add_typed(m, IKE_PLD_CERT, IKE_CERT_X509_SIG, der, len);
}

/*
 * Check the peer's identity and AUTH payload (2.15); on success the
 * identity and certificate are kept in sa.  *notify says what to answer
 * on failure.
 */
static int
verify_peer(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
	    const char **why)
{
	const struct ike_pld *idp =
		ike_msg_find(m, sa->initiator ? IKE_PLD_IDR : IKE_PLD_IDI);
	const struct ike_pld *auth = ike_msg_find(m, IKE_PLD_AUTH);
	const uint8_t *msg = sa->initiator ? sa->init_resp : sa->init_req;
	size_t msglen = sa->initiator ? sa->init_resp_len : sa->init_req_len;
	const uint8_t *nonce = sa->initiator ? sa->nonce_i : sa->nonce_r;
	size_t noncelen = sa->initiator ? sa->nonce_i_len : sa->nonce_r_len;
	const uint8_t *ders[IKE_MAX_CERTS];
	size_t derlens[IKE_MAX_CERTS], n = 0, i, olen = 0;
	uint8_t *octets = NULL, method;
	X509 *ee = NULL;
	int rc = -1;

	if (idp == NULL || auth == NULL || idp->body_len < 4 ||
	    idp->u.typed.len > IKE_ID_MAX) {
		*why = "no identity or AUTH payload";
		return -1;
	}
	method = (uint8_t)auth->u.typed.type;
	if (ike_auth_octets(&sa->keys, !sa->initiator, msg, msglen, nonce,
			    noncelen, idp->body, idp->body_len, &octets,
			    &olen) == -1) {
		*why = "cannot compute the signed octets";
		return -1;
	}
	if (method == IKE_AUTH_PSK) {
		if (e->conf.psk_len == 0)
			*why = "pre-shared key authentication not configured";
		else
			rc = ike_auth_psk_verify(sa->suite.prf, e->conf.psk,
						 e->conf.psk_len, octets, olen,
						 auth->u.typed.data,
						 auth->u.typed.len, why);
	} else if (e->conf.creds == NULL) {
		*why = "certificate authentication not configured";
	} else {
		for (i = 0; i < m->npld && n < IKE_MAX_CERTS; i++) {
			const struct ike_pld *c = &m->pld[i];

			if (c->type == IKE_PLD_CERT &&
			    c->u.typed.type == IKE_CERT_X509_SIG) {
				ders[n] = c->u.typed.data;
				derlens[n] = c->u.typed.len;
				n++;
			}
		}
		if (n == 0)
			*why = "no certificate";
		else if (ike_creds_verify_peer(e->conf.creds, ders, derlens, n,
					       &ee, why) == 0) {
			if (ike_cert_match_id(ee, (uint8_t)idp->u.typed.type,
					      idp->u.typed.data,
					      idp->u.typed.len) != 0)
				*why = "identity not in the certificate";
			else
				rc = ike_auth_verify(X509_get0_pubkey(ee),
						     method, auth->u.typed.data,
						     auth->u.typed.len, octets,
						     olen, why);
		}
	}
	OPENSSL_cleanse(octets, olen);
	free(octets);
	if (rc == -1) {
		X509_free(ee);
		return -1;
	}
	sa->auth_method = method;
	sa->peer_id.type = (uint8_t)idp->u.typed.type;
	sa->peer_id.len = idp->u.typed.len;
	memcpy(sa->peer_id.data, idp->u.typed.data, idp->u.typed.len);
	X509_free(sa->peer_cert);
	sa->peer_cert = ee;
	return 0;
}

/* --- initiator -------------------------------------------------------------
 */

int
ike_send_auth(struct ike_engine *e, double now, struct ike_sa *sa)
{
	struct ike_msg m;
	struct ike_id id;
	struct ike_pld *sap;
	struct ike_child *c = &sa->child[0];
	uint8_t idb[IKE_ID_MAX + 4], auth[IKE_SIG_MAX], certreq[20 * 16],
		method = 0;
	size_t idlen, alen = 0, crlen = 0;
	struct ike_sa *o;
	bool alone = true;

	local_id(e, sa, &id);
	idlen = id_body(&id, idb, sizeof(idb));
	if (idlen == 0 || make_auth(e, sa, idb, idlen, &method, auth,
				    sizeof(auth), &alen) == -1)
		return -1;
	memset(c, 0, sizeof(*c));
	c->spi_in = alloc_spi(e, sa);
	if (c->spi_in == 0)
		return -1;
	sa->nchild = 1;
	ike_msg_init_chain(&m);
	ike_msg_add_typed(&m, IKE_PLD_IDI, id.type, id.data, id.len);
	add_certs(e, &m);
	/* 2.4: no other SA with this peer: it may drop any it still has. */
	list_for_each_entry(o, &sa->peer->sas, peer_link)
		if (o != sa && o->state != IKE_SA_DELETING)
			alone = false;
	if (alone)
		ike_msg_add_notify(&m, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (e->conf.creds != NULL &&
	    ike_creds_certreq(e->conf.creds, certreq, sizeof(certreq),
			      &crlen) == 0 &&
	    crlen > 0)
		ike_msg_add_typed(&m, IKE_PLD_CERTREQ, IKE_CERT_X509_SIG,
				  certreq, crlen);
	ike_msg_add_typed(&m, IKE_PLD_AUTH, method, auth, alen);
	ike_msg_add_notify(&m, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	sap = ike_msg_add_sa(&m);
	ike_add_esp_proposals(e, &m, sap, c->spi_in, 0);
	ike_add_gre_ts(&m, &sa->path.local.addr, &sa->path.remote.addr);
	sa->auth_method = method;
	return ike_send_request(e, now, sa, IKE_EXCH_IKE_AUTH, &m,
				IKE_REQ_AUTH);
}

void
ike_handle_auth_response(struct ike_engine *e, double now, struct ike_sa *sa,
			 const struct ike_msg *m)
{
	const struct ike_pld *n, *sap;
	struct ike_esp_suite es;
	struct ike_child *c = &sa->child[0];
	uint32_t peer_spi = 0;
	uint16_t want = 0;
	const char *why = NULL;
	char rs[ADDR_STRLEN];

	addr_fmt(&sa->path.remote.addr, rs);
	if (sa->state != IKE_SA_AUTHING) {
		e->stats.drops[IKE_DROP_STATE]++;
		return;
	}
	if ((n = ike_error_notify(m)) != NULL &&
	    n->u.n.type == IKE_N_AUTHENTICATION_FAILED) {
		log_warnx("ike: %s refused our authentication", rs);
		e->stats.auth_failures++;
		e->stats.ike_sas_failed++;
		ike_sa_destroy(e, now, sa, "AUTHENTICATION_FAILED");
		return;
	}
	if (verify_peer(e, sa, m, &why) == -1) {
		log_warnx("ike: authentication of %s failed: %s", rs, why);
		e->stats.auth_failures++;
		e->stats.drops[IKE_DROP_AUTH]++;
		e->stats.ike_sas_failed++;
		/* 2.21.2: tell the responder, then forget the SA. */
		ike_delete_sa(e, now, sa, "authentication failed");
		return;
	}
	sap = ike_msg_find(m, IKE_PLD_SA);
	if (n != NULL || sap == NULL ||
	    ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) == NULL ||
	    ike_choose_esp(e, m, sap, 0, &es, &peer_spi, &want) < 0 ||
	    !ike_ts_acceptable(m, ike_msg_find(m, IKE_PLD_TSI)) ||
	    !ike_ts_acceptable(m, ike_msg_find(m, IKE_PLD_TSR))) {
		/* The IKE SA stands, but without its CHILD SA it is no use. */
		log_warnx("ike: %s refused the CHILD SA: %s", rs,
			  n != NULL ? ike_notify_name(n->u.n.type)
				    : "no transport mode ESP for GRE");
		e->stats.ike_sas_failed++;
		ike_delete_sa(e, now, sa, "no CHILD SA");
		return;
	}
	c->spi_out = peer_spi;
	if (ike_child_keys_for(e, sa, c, &es, NULL, 0, sa->nonce_i,
			       sa->nonce_i_len, sa->nonce_r,
			       sa->nonce_r_len) == -1) {
		ike_delete_sa(e, now, sa, "CHILD SA key derivation failed");
		return;
	}
	c->established = now;
	sa->state = IKE_SA_ESTABLISHED;
	sa->established = now;
	e->stats.ike_sas_established++;
	log_info("ike: SA with %s up (%s, initiator)", rs,
		 sa->auth_method == IKE_AUTH_PSK ? "psk" : "certificate");
	ike_sa_settle(e, now, sa);
}

/* --- responder -------------------------------------------------------------
 */

static void
auth_refuse(struct ike_engine *e, double now, struct ike_sa *sa, uint32_t msgid,
	    uint16_t type)
{
	struct ike_msg r;

	ike_msg_init_chain(&r);
	ike_msg_add_notify(&r, type, NULL, 0);
	ike_send_response(e, now, sa, IKE_EXCH_IKE_AUTH, msgid, &r);
}

void
ike_handle_auth_request(struct ike_engine *e, double now, struct ike_sa *sa,
			const struct ike_msg *m)
{
	const struct ike_pld *sap, *tsi, *tsr;
	struct ike_esp_suite es;
	struct ike_msg r;
	struct ike_pld *rsa;
	struct ike_id id;
	struct ike_child *c = &sa->child[0];
	uint32_t msgid = sa->peer_msgid - 1, peer_spi = 0;
	uint16_t want = 0;
	uint8_t idb[IKE_ID_MAX + 4], auth[IKE_SIG_MAX], spi[4], method = 0;
	size_t idlen, alen = 0;
	const char *why = NULL;
	char rs[ADDR_STRLEN];
	int num;

	addr_fmt(&sa->path.remote.addr, rs);
	if (sa->initiator || sa->state != IKE_SA_AUTHING) {
		e->stats.drops[IKE_DROP_STATE]++;
		return;
	}
	if (verify_peer(e, sa, m, &why) == -1) {
		log_warnx("ike: authentication of %s failed: %s", rs, why);
		e->stats.auth_failures++;
		e->stats.drops[IKE_DROP_AUTH]++;
		auth_refuse(e, now, sa, msgid, IKE_N_AUTHENTICATION_FAILED);
		/* Keep it a moment to answer retransmissions, then go. */
		sa->state = IKE_SA_DELETING;
		ike_timer_set(e, &sa->t_expire, now + IKE_DELETE_WAIT);
		return;
	}
	sap = ike_msg_find(m, IKE_PLD_SA);
	tsi = ike_msg_find(m, IKE_PLD_TSI);
	tsr = ike_msg_find(m, IKE_PLD_TSR);
	num = sap == NULL ? -1
			  : ike_choose_esp(e, m, sap, 0, &es, &peer_spi, &want);
	if (num < 0 ||
	    ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) == NULL) {
		log_warnx("ike: %s: no acceptable ESP transport proposal", rs);
		e->stats.drops[IKE_DROP_NO_PROPOSAL]++;
		auth_refuse(e, now, sa, msgid, IKE_N_NO_PROPOSAL_CHOSEN);
		sa->state = IKE_SA_DELETING;
		ike_timer_set(e, &sa->t_expire, now + IKE_DELETE_WAIT);
		return;
	}
	if (!ike_ts_acceptable(m, tsi) || !ike_ts_acceptable(m, tsr)) {
		log_warnx("ike: %s: traffic selectors without GRE", rs);
		auth_refuse(e, now, sa, msgid, IKE_N_TS_UNACCEPTABLE);
		sa->state = IKE_SA_DELETING;
		ike_timer_set(e, &sa->t_expire, now + IKE_DELETE_WAIT);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->spi_in = alloc_spi(e, sa);
	c->spi_out = peer_spi;
	sa->nchild = 1;
	local_id(e, sa, &id);
	idlen = id_body(&id, idb, sizeof(idb));
	if (c->spi_in == 0 || idlen == 0 ||
	    make_auth(e, sa, idb, idlen, &method, auth, sizeof(auth), &alen) ==
		    -1 ||
	    ike_child_keys_for(e, sa, c, &es, NULL, 0, sa->nonce_i,
			       sa->nonce_i_len, sa->nonce_r,
			       sa->nonce_r_len) == -1) {
		auth_refuse(e, now, sa, msgid, IKE_N_TEMPORARY_FAILURE);
		sa->state = IKE_SA_DELETING;
		ike_timer_set(e, &sa->t_expire, now + IKE_DELETE_WAIT);
		return;
	}
	spi[0] = (uint8_t)(c->spi_in >> 24);
	spi[1] = (uint8_t)(c->spi_in >> 16);
	spi[2] = (uint8_t)(c->spi_in >> 8);
	spi[3] = (uint8_t)c->spi_in;
	ike_msg_init_chain(&r);
	ike_msg_add_typed(&r, IKE_PLD_IDR, id.type, id.data, id.len);
	if (sa->certreq || method != IKE_AUTH_PSK)
		add_certs(e, &r);
	ike_msg_add_typed(&r, IKE_PLD_AUTH, method, auth, alen);
	ike_msg_add_notify(&r, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	rsa = ike_msg_add_sa(&r);
	ike_add_chosen(&r, rsa, IKE_PROTO_ESP, (uint8_t)num, spi, sizeof(spi),
		       es.encr, es.encr_keybits, 0, es.integ, 0);
	/* The peer's own selectors back, narrowed to GRE: behind a NAT it
	 * names its private address, and must find it again (2.23). */
	echo_ts(&r, m, tsi, IKE_PLD_TSI);
	echo_ts(&r, m, tsr, IKE_PLD_TSR);
	if (ike_send_response(e, now, sa, IKE_EXCH_IKE_AUTH, msgid, &r) == -1) {
		ike_sa_destroy(e, now, sa, "cannot answer IKE_AUTH");
		return;
	}
	ike_timer_del(e, &sa->t_expire);
	if (e->half_open > 0)
		e->half_open--;
	c->established = now;
	sa->state = IKE_SA_ESTABLISHED;
	sa->established = now;
	e->stats.ike_sas_established++;
	log_info("ike: SA with %s up (%s, responder)", rs,
		 sa->auth_method == IKE_AUTH_PSK ? "psk" : "certificate");
	if (ike_msg_find_notify(m, IKE_N_INITIAL_CONTACT) != NULL) {
		/* 2.4: the peer has no other SA with us; older ones are stale.
		 */
		struct ike_sa *o, *tmp;

		list_for_each_entry_safe(o, tmp, &sa->peer->sas, peer_link)
			if (o != sa && o->established > 0 &&
			    o->established < sa->created)
				ike_sa_destroy(e, now, o, "INITIAL_CONTACT");
	}
	ike_sa_settle(e, now, sa);
}

/* --- once up ---------------------------------------------------------------
 */

/*
 * A newly established SA: if the peer and we initiated at the same time,
 * keep the SA with the lower initiator's SPI (docs/ike.md): both ends see
 * both SPIs, where a NAT would show each end other addresses.  The
 * winner's CHILD SA is installed before the other's goes, and NHRP hears
 * "up" once.
 */
void
ike_sa_settle(struct ike_engine *e, double now, struct ike_sa *sa)
{
	struct ike_sa *o, *tmp;

	list_for_each_entry_safe(o, tmp, &sa->peer->sas, peer_link) {
		/* Crossing: the same peer pair, started from both ends. */
		if (o == sa || o->loser || o->state == IKE_SA_DELETING ||
		    o->initiator == sa->initiator)
			continue;
		if (sa->spi_i < o->spi_i) {
			o->loser = true;
			continue;
		}
		sa->loser = true;
	}
	if (sa->loser) {
		log_dbg(DBG_IKE, "ike: a crossing SA with %s wins",
			addr_fmt(&sa->path.remote.addr,
				 (char[ADDR_STRLEN]){0}));
		if (sa->initiator)
			ike_delete_sa(e, now, sa, "crossing SA wins");
		return;
	}
	ike_child_install(e, sa, &sa->child[0]);
	sa->child[0].rekey_at = now + ike_jitter(e, e->conf.esp_lifetime);
	ike_sa_peer_up(e, now, sa);
	ike_schedule_rekeys(e, now, sa);
	/* The losers go after the winner's CHILD SA is in place. */
	list_for_each_entry_safe(o, tmp, &sa->peer->sas, peer_link) {
		size_t i;

		if (o == sa || !o->loser)
			continue;
		for (i = 0; i < o->nchild; i++)
			ike_child_remove(e, o, &o->child[i]);
		/*
		 * Ours to delete; one still under way is deleted when it
		 * completes (above), so the peer is never left with half.
		 */
		if (o->initiator && o->state == IKE_SA_ESTABLISHED)
			ike_delete_sa(e, now, o, "crossing SA lost");
	}
}
