/*
 * IKE_SA_INIT (RFC 7296 1.2): proposals, KE and nonces; cookies and the
 * half-open limits (2.6); INVALID_KE_PAYLOAD (1.2); NAT detection (2.23)
 * and the move to UDP 4500; fragmentation and signature hash support
 * (RFC 7383 2.3, RFC 7427 4).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dmvpn/log.h"
#include "ike_int.h"

static void
put64(uint8_t b[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

/* 2.23: SHA-1(SPIi | SPIr | IP | port). */
static void
natd_hash(uint64_t spi_i, uint64_t spi_r, const struct ike_endpoint *ep,
	  uint8_t out[IKE_NATD_HASH_LEN])
{
	uint8_t b[8 + 8 + 16 + 2];
	size_t n = 0;
	unsigned int olen = 0;

	put64(b, spi_i);
	put64(b + 8, spi_r);
	n = 16;
	memcpy(b + n, ep->addr.bytes, ep->addr.len);
	n += ep->addr.len;
	b[n++] = (uint8_t)(ep->port >> 8);
	b[n++] = (uint8_t)ep->port;
	if (EVP_Digest(b, n, out, &olen, EVP_sha1(), NULL) != 1)
		memset(out, 0, IKE_NATD_HASH_LEN);
}

/*
 * 2.23: the peer's NATD_SOURCE hashes where it sent from as it sees
 * itself; differing from what we see, it is behind a NAT.  Its
 * NATD_DESTINATION hashes where it sent to; differing from our address,
 * we are behind one.
 */
static void
nat_detect(struct ike_sa *sa, const struct ike_msg *m, uint64_t spi_r)
{
	uint8_t h[IKE_NATD_HASH_LEN];
	const struct ike_pld *n;
	size_t i;
	bool any_src = false, src_match = false;

	natd_hash(sa->spi_i, spi_r, &sa->path.remote, h);
	for (i = 0; i < m->npld; i++) {
		n = &m->pld[i];
		if (n->type != IKE_PLD_NOTIFY || n->u.n.type != IKE_N_NATD_SRC)
			continue;
		any_src = true;
		if (n->u.n.data_len == IKE_NATD_HASH_LEN &&
		    memcmp(n->u.n.data, h, IKE_NATD_HASH_LEN) == 0)
			src_match = true;
	}
	if (any_src)
		sa->nat_remote = !src_match;
	n = ike_msg_find_notify(m, IKE_N_NATD_DST);
	if (n != NULL) {
		natd_hash(sa->spi_i, spi_r, &sa->path.local, h);
		sa->nat_local = n->u.n.data_len != IKE_NATD_HASH_LEN ||
				memcmp(n->u.n.data, h, IKE_NATD_HASH_LEN) != 0;
	}
}

static void
add_natd(struct ike_msg *m, const struct ike_sa *sa, uint64_t spi_r,
	 uint8_t src[IKE_NATD_HASH_LEN], uint8_t dst[IKE_NATD_HASH_LEN])
{
	natd_hash(sa->spi_i, spi_r, &sa->path.local, src);
	natd_hash(sa->spi_i, spi_r, &sa->path.remote, dst);
	ike_msg_add_notify(m, IKE_N_NATD_SRC, src, IKE_NATD_HASH_LEN);
	ike_msg_add_notify(m, IKE_N_NATD_DST, dst, IKE_NATD_HASH_LEN);
}

static int
keep_bytes(uint8_t **dst, size_t *dlen, const uint8_t *p, size_t len)
{
	free(*dst);
	*dst = malloc(len);
	if (*dst == NULL)
		return -1;
	memcpy(*dst, p, len);
	*dlen = len;
	return 0;
}

/* --- cookies (2.6) ---------------------------------------------------------
 */

void
ike_cookie_rotate(struct ike_engine *e, double now)
{
	memcpy(e->cookie_prev, e->cookie_secret, sizeof(e->cookie_prev));
	e->have_prev_secret = true;
	ike_random(e, e->cookie_secret, sizeof(e->cookie_secret));
	/* The secret's generation rides in the cookie's first octet. */
	e->cookie_secret[0] = (uint8_t)(e->cookie_prev[0] + 1);
	ike_timer_set(e, &e->t_cookie, now + IKE_COOKIE_SECRET);
}

/* Cookie = generation | HMAC-SHA-256(secret, Ni | IPi | SPIi). */
static size_t
cookie_make(const uint8_t secret[32], const uint8_t *ni, size_t nilen,
	    const struct addr *ip, uint64_t spi_i, uint8_t *out)
{
	uint8_t spi[8];
	struct iovec iov[3];
	size_t len = 0;

	put64(spi, spi_i);
	iov[0].iov_base = (void *)(uintptr_t)ni;
	iov[0].iov_len = nilen;
	iov[1].iov_base = (void *)(uintptr_t)ip->bytes;
	iov[1].iov_len = ip->len;
	iov[2].iov_base = spi;
	iov[2].iov_len = sizeof(spi);
	out[0] = secret[0];
	if (ike_hmac("SHA2-256", secret, 32, iov, 3, out + 1,
		     IKE_COOKIE_MAX - 1, &len) == -1)
		return 0;
	return len + 1;
}

static bool
cookie_ok(const struct ike_engine *e, const struct ike_msg *m,
	  const struct addr *ip, const uint8_t *ni, size_t nilen)
{
	const struct ike_pld *c = m->npld > 0 ? &m->pld[0] : NULL;
	uint8_t want[IKE_COOKIE_MAX];
	const uint8_t *secret;
	size_t len;

	/* 2.6: N(COOKIE) comes first. */
	if (c == NULL || c->type != IKE_PLD_NOTIFY ||
	    c->u.n.type != IKE_N_COOKIE || c->u.n.data_len < 1)
		return false;
	if (c->u.n.data[0] == e->cookie_secret[0])
		secret = e->cookie_secret;
	else if (e->have_prev_secret && c->u.n.data[0] == e->cookie_prev[0])
		secret = e->cookie_prev;
	else
		return false;
	len = cookie_make(secret, ni, nilen, ip, m->spi_i, want);
	return len == c->u.n.data_len &&
	       CRYPTO_memcmp(want, c->u.n.data, len) == 0;
}

/* A stateless answer to an IKE_SA_INIT request: one notify. */
static void
init_refuse(struct ike_engine *e, const struct ike_path *path,
	    const struct ike_msg *req, uint16_t type, const void *data,
	    size_t len, uint16_t group)
{
	struct ike_msg r;

	ike_msg_init(&r, IKE_EXCH_IKE_SA_INIT, req->spi_i, 0, IKE_FLAG_R, 0);
	if (type == IKE_N_INVALID_KE_PAYLOAD)
		ike_msg_add_invalid_ke(&r, group);
	else
		ike_msg_add_notify(&r, type, data, len);
	ike_send_plain(e, path, &r, NULL);
}

/* --- initiator -------------------------------------------------------------
 */

/* (Re)send our IKE_SA_INIT request: after a cookie or INVALID_KE too. */
static int
send_init(struct ike_engine *e, double now, struct ike_sa *sa)
{
	struct ike_msg m;
	struct ike_pld *sap;
	uint8_t ke[IKE_DH_MAX], natd_s[IKE_NATD_HASH_LEN],
		natd_d[IKE_NATD_HASH_LEN], sighash[16];
	size_t kelen, shlen = 0;

	if (sa->dh == NULL) {
		sa->dh = ike_dh_new(sa->dh_group);
		if (sa->dh == NULL)
			return -1;
	}
	if (ike_dh_public(sa->dh, ke, sizeof(ke), &kelen) == -1)
		return -1;
	ike_msg_init(&m, IKE_EXCH_IKE_SA_INIT, sa->spi_i, 0, IKE_FLAG_I, 0);
	if (sa->cookie_len > 0)
		ike_msg_add_notify(&m, IKE_N_COOKIE, sa->cookie,
				   sa->cookie_len);
	sap = ike_msg_add_sa(&m);
	ike_add_ike_proposals(e, &m, sap, sa->dh_group, NULL, 0);
	ike_msg_add_ke(&m, sa->dh_group, ke, kelen);
	ike_msg_add_nonce(&m, sa->nonce_i, sa->nonce_i_len);
	add_natd(&m, sa, 0, natd_s, natd_d);
	ike_msg_add_notify(&m, IKE_N_FRAG_SUPPORTED, NULL, 0);
	if (e->conf.creds != NULL &&
	    ike_sighash_encode(sighash, sizeof(sighash), &shlen) == 0)
		ike_msg_add_notify(&m, IKE_N_SIG_HASH_ALGS, sighash, shlen);
	if (ike_send_plain(e, &sa->path, &m, &sa->req_sent) == -1)
		return -1;
	/* Signed in IKE_AUTH (2.15): the message exactly as sent. */
	if (keep_bytes(&sa->init_req, &sa->init_req_len, sa->req_sent.frag[0],
		       sa->req_sent.len[0]) == -1)
		return -1;
	sa->req = IKE_REQ_INIT;
	sa->req_tries = 0;
	sa->next_msgid = 1;
	ike_timer_set(e, &sa->t_retx, now + e->conf.retransmit_timeout);
	return 0;
}

int
ike_initiate(struct ike_engine *e, double now, struct ike_peer *p)
{
	struct ike_path path;
	struct ike_sa *sa;
	char rs[ADDR_STRLEN];

	memset(&path, 0, sizeof(path));
	path.local.addr = p->local;
	path.local.port = IKE_PORT;
	path.remote.addr = p->remote;
	path.remote.port = IKE_PORT;
	sa = ike_sa_new(e, now, &path, true);
	if (sa == NULL)
		return -1;
	ike_peer_attach(p, sa);
	sa->dh_group = e->conf.ike[0].ndh > 0 ? e->conf.ike[0].dh[0] : 0;
	sa->nonce_i_len = IKE_NONCE_LEN;
	ike_random(e, sa->nonce_i, IKE_NONCE_LEN);
	log_dbg(DBG_IKE, "ike: initiating to %s", addr_fmt(&p->remote, rs));
	if (send_init(e, now, sa) == -1) {
		ike_sa_destroy(e, now, sa, "cannot build IKE_SA_INIT");
		return -1;
	}
	return 0;
}

static bool
group_offered(const struct ike_engine *e, uint16_t group)
{
	size_t i, j;

	for (i = 0; i < e->conf.nike; i++)
		for (j = 0; j < e->conf.ike[i].ndh; j++)
			if (e->conf.ike[i].dh[j] == group)
				return true;
	return false;
}

/* The common end of both sides: g^ir, SKEYSEED and the keys (2.14). */
static int
derive_keys(struct ike_sa *sa, const uint8_t *ke, size_t kelen,
	    const char **why)
{
	uint8_t gir[IKE_DH_MAX], spi_i[8], spi_r[8];
	size_t girlen;
	int rc;

	if (ike_dh_shared(sa->dh, ke, kelen, gir, sizeof(gir), &girlen, why) ==
	    -1)
		return -1;
	put64(spi_i, sa->spi_i);
	put64(spi_r, sa->spi_r);
	rc = ike_keys_derive(&sa->keys, &sa->suite, gir, girlen, sa->nonce_i,
			     sa->nonce_i_len, sa->nonce_r, sa->nonce_r_len,
			     spi_i, spi_r);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (rc == -1) {
		*why = "key derivation failed";
		return -1;
	}
	sa->keyed = true;
	/* The DH private key has done its work (2.12). */
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	return 0;
}

static void
peer_caps(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pld *n = ike_msg_find_notify(m, IKE_N_SIG_HASH_ALGS);
	unsigned int mask = 0;

	sa->frag_ok = ike_msg_find_notify(m, IKE_N_FRAG_SUPPORTED) != NULL;
	if (n != NULL &&
	    ike_sighash_decode(n->u.n.data, n->u.n.data_len, &mask) == 0)
		sa->sighash_mask = mask;
	sa->certreq = ike_msg_find(m, IKE_PLD_CERTREQ) != NULL;
}

/* After NAT detection: IKE and ESP-in-UDP on 4500 from now on (2.23). */
static void
float_to_natt(struct ike_sa *sa)
{
	if (!sa->nat_local && !sa->nat_remote)
		return;
	sa->path.local.port = IKE_NATT_PORT;
	if (sa->path.remote.port == IKE_PORT)
		sa->path.remote.port = IKE_NATT_PORT;
}

void
ike_handle_init_response(struct ike_engine *e, double now, struct ike_sa *sa,
			 const struct ike_msg *m, const uint8_t *pkt,
			 size_t len)
{
	const struct ike_pld *n, *sap, *ke, *nonce;
	const struct ike_prop *chosen;
	struct ike_suite suite;
	uint16_t want = 0;
	const char *why = NULL;
	char rs[ADDR_STRLEN];

	addr_fmt(&sa->path.remote.addr, rs);
	if ((n = ike_msg_find_notify(m, IKE_N_COOKIE)) != NULL) {
		/* 2.6: again, the cookie first, everything else unchanged. */
		if (n->u.n.data_len == 0 || n->u.n.data_len > IKE_COOKIE_MAX ||
		    sa->cookie_len > 0) {
			e->stats.drops[IKE_DROP_COOKIE]++;
			return;
		}
		memcpy(sa->cookie, n->u.n.data, n->u.n.data_len);
		sa->cookie_len = n->u.n.data_len;
		ike_request_done(e, sa);
		if (send_init(e, now, sa) == -1)
			ike_sa_destroy(e, now, sa, "cannot build IKE_SA_INIT");
		return;
	}
	if ((n = ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD)) != NULL) {
		/* 1.2: the responder wants another of our groups. */
		uint16_t g = n->u.n.group;

		if (g == sa->dh_group || !group_offered(e, g)) {
			e->stats.ike_sas_failed++;
			ike_sa_destroy(e, now, sa, "INVALID_KE_PAYLOAD");
			return;
		}
		log_dbg(DBG_IKE, "ike: %s wants DH group %u", rs, g);
		sa->dh_group = g;
		ike_dh_free(sa->dh);
		sa->dh = NULL;
		ike_request_done(e, sa);
		if (send_init(e, now, sa) == -1)
			ike_sa_destroy(e, now, sa, "cannot build IKE_SA_INIT");
		return;
	}
	if ((n = ike_error_notify(m)) != NULL) {
		log_info("ike: %s refused IKE_SA_INIT: %s", rs,
			 ike_notify_name(n->u.n.type));
		e->stats.ike_sas_failed++;
		ike_sa_destroy(e, now, sa, ike_notify_name(n->u.n.type));
		return;
	}
	sap = ike_msg_find(m, IKE_PLD_SA);
	ke = ike_msg_find(m, IKE_PLD_KE);
	nonce = ike_msg_find(m, IKE_PLD_NONCE);
	if (m->spi_r == 0 || sap == NULL || ke == NULL || nonce == NULL ||
	    sap->u.sa.count != 1 || nonce->body_len < IKE_NONCE_MIN ||
	    nonce->body_len > IKE_NONCE_MAX) {
		e->stats.drops[IKE_DROP_MALFORMED]++;
		return;
	}
	/* 2.7: one proposal, one of ours, with the group we sent. */
	if (ike_choose_ike(e, m, sap, sa->dh_group, &suite, &chosen, &want) !=
		    0 ||
	    suite.dh != sa->dh_group || ke->u.typed.type != sa->dh_group) {
		e->stats.drops[IKE_DROP_NO_PROPOSAL]++;
		e->stats.ike_sas_failed++;
		ike_sa_destroy(e, now, sa,
			       "responder chose no proposal of ours");
		return;
	}
	sa->suite = suite;
	ike_sa_set_spi_r(e, sa, m->spi_r);
	memcpy(sa->nonce_r, nonce->body, nonce->body_len);
	sa->nonce_r_len = nonce->body_len;
	if (derive_keys(sa, ke->u.typed.data, ke->u.typed.len, &why) == -1) {
		log_info("ike: IKE_SA_INIT from %s: %s", rs, why);
		e->stats.ike_sas_failed++;
		ike_sa_destroy(e, now, sa, why);
		return;
	}
	if (keep_bytes(&sa->init_resp, &sa->init_resp_len, pkt, len) == -1) {
		ike_sa_destroy(e, now, sa, "out of memory");
		return;
	}
	peer_caps(sa, m);
	nat_detect(sa, m, sa->spi_r);
	float_to_natt(sa);
	ike_request_done(e, sa);
	sa->state = IKE_SA_AUTHING;
	if (ike_send_auth(e, now, sa) == -1)
		ike_sa_destroy(e, now, sa, "cannot build IKE_AUTH");
}

/* --- responder -------------------------------------------------------------
 */

static unsigned int
half_open_from(const struct ike_engine *e, const struct addr *a)
{
	const struct ike_sa *sa;
	unsigned int n = 0;

	list_for_each_entry(sa, &e->sas, all)
		if (!sa->initiator && sa->state == IKE_SA_AUTHING &&
		    addr_eq(&sa->path.remote.addr, a))
			n++;
	return n;
}

void
ike_handle_init_request(struct ike_engine *e, double now,
			const struct ike_path *path, const struct ike_msg *m,
			const uint8_t *pkt, size_t len)
{
	const struct ike_pld *sap, *ke, *nonce;
	const struct ike_prop *chosen;
	struct ike_suite suite;
	struct ike_msg r;
	struct ike_sa *sa;
	struct ike_peer *p;
	struct ike_pld *rsa;
	uint16_t want = 0;
	uint8_t kebuf[IKE_DH_MAX], natd_s[IKE_NATD_HASH_LEN],
		natd_d[IKE_NATD_HASH_LEN], sighash[16], certreq[20 * 16];
	size_t kelen, shlen = 0, crlen = 0;
	const char *why = NULL;
	char rs[ADDR_STRLEN];
	int rc;

	addr_fmt(&path->remote.addr, rs);
	/* A retransmission of a request we answered: the same answer. */
	sa = ike_sa_by_init(e, &path->remote.addr, path->remote.port, m->spi_i);
	if (sa != NULL) {
		if (sa->init_req_len == len &&
		    memcmp(sa->init_req, pkt, len) == 0 && sa->have_resp &&
		    sa->resp_msgid == 0)
			ike_wiremsg_resend(e, sa, &sa->resp_sent);
		else
			e->stats.drops[IKE_DROP_STATE]++;
		return;
	}
	sap = ike_msg_find(m, IKE_PLD_SA);
	ke = ike_msg_find(m, IKE_PLD_KE);
	nonce = ike_msg_find(m, IKE_PLD_NONCE);
	if (m->msg_id != 0 || sap == NULL || ke == NULL || nonce == NULL ||
	    nonce->body_len < IKE_NONCE_MIN ||
	    nonce->body_len > IKE_NONCE_MAX) {
		e->stats.drops[IKE_DROP_MALFORMED]++;
		return;
	}
	/* Spokes behind one CGNAT address share the per-source limit. */
	if (e->conf.half_open_per_source > 0 &&
	    half_open_from(e, &path->remote.addr) >=
		    e->conf.half_open_per_source) {
		e->stats.drops[IKE_DROP_HALF_OPEN]++;
		return;
	}
	/* 2.6: under load, only initiators that can receive get state. */
	if (e->half_open >= e->conf.half_open_limit &&
	    !cookie_ok(e, m, &path->remote.addr, nonce->body,
		       nonce->body_len)) {
		uint8_t c[IKE_COOKIE_MAX];
		size_t clen = cookie_make(e->cookie_secret, nonce->body,
					  nonce->body_len, &path->remote.addr,
					  m->spi_i, c);

		if (ike_msg_find_notify(m, IKE_N_COOKIE) != NULL)
			e->stats.drops[IKE_DROP_COOKIE]++;
		e->stats.cookies_sent++;
		init_refuse(e, path, m, IKE_N_COOKIE, c, clen, 0);
		return;
	}
	rc = ike_choose_ike(e, m, sap, ke->u.typed.type, &suite, &chosen,
			    &want);
	if (rc == 1) {
		e->stats.drops[IKE_DROP_NO_PROPOSAL]++;
		init_refuse(e, path, m, IKE_N_INVALID_KE_PAYLOAD, NULL, 0,
			    want);
		return;
	}
	if (rc != 0) {
		log_info("ike: no acceptable proposal from %s", rs);
		e->stats.drops[IKE_DROP_NO_PROPOSAL]++;
		init_refuse(e, path, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0, 0);
		return;
	}
	if (ike_dh_check_peer(suite.dh, ke->u.typed.data, ke->u.typed.len,
			      &why) == -1) {
		log_info("ike: bad KE from %s: %s", rs, why);
		e->stats.drops[IKE_DROP_MALFORMED]++;
		init_refuse(e, path, m, IKE_N_INVALID_SYNTAX, NULL, 0, 0);
		return;
	}
	p = ike_peer_get(e, &path->local.addr, &path->remote.addr);
	sa = p != NULL ? ike_sa_new(e, now, path, false) : NULL;
	if (sa == NULL) {
		e->stats.drops[IKE_DROP_HALF_OPEN]++;
		return;
	}
	ike_peer_attach(p, sa);
	sa->spi_i = m->spi_i;
	if (ike_sa_index_init(e, sa) == -1) {
		ike_sa_destroy(e, now, sa, "out of memory");
		return;
	}
	e->half_open++;
	sa->state = IKE_SA_AUTHING;
	sa->suite = suite;
	sa->dh_group = suite.dh;
	memcpy(sa->nonce_i, nonce->body, nonce->body_len);
	sa->nonce_i_len = nonce->body_len;
	sa->nonce_r_len = IKE_NONCE_LEN;
	ike_random(e, sa->nonce_r, IKE_NONCE_LEN);
	sa->dh = ike_dh_new(suite.dh);
	if (sa->dh == NULL ||
	    ike_dh_public(sa->dh, kebuf, sizeof(kebuf), &kelen) == -1 ||
	    derive_keys(sa, ke->u.typed.data, ke->u.typed.len, &why) == -1) {
		log_info("ike: IKE_SA_INIT from %s: %s", rs,
			 why != NULL ? why : "DH failed");
		ike_sa_destroy(e, now, sa, "DH failed");
		return;
	}
	peer_caps(sa, m);
	nat_detect(sa, m, 0);

	ike_msg_init(&r, IKE_EXCH_IKE_SA_INIT, sa->spi_i, sa->spi_r, IKE_FLAG_R,
		     0);
	rsa = ike_msg_add_sa(&r);
	ike_add_chosen(&r, rsa, IKE_PROTO_IKE, chosen->num, NULL, 0, suite.encr,
		       suite.encr_keybits, suite.prf, suite.integ, suite.dh);
	ike_msg_add_ke(&r, suite.dh, kebuf, kelen);
	ike_msg_add_nonce(&r, sa->nonce_r, sa->nonce_r_len);
	add_natd(&r, sa, sa->spi_r, natd_s, natd_d);
	ike_msg_add_notify(&r, IKE_N_FRAG_SUPPORTED, NULL, 0);
	if (e->conf.creds != NULL) {
		if (ike_sighash_encode(sighash, sizeof(sighash), &shlen) == 0)
			ike_msg_add_notify(&r, IKE_N_SIG_HASH_ALGS, sighash,
					   shlen);
		/* 3.7: which CAs we trust, so the peer sends the right cert. */
		if (ike_creds_certreq(e->conf.creds, certreq, sizeof(certreq),
				      &crlen) == 0 &&
		    crlen > 0)
			ike_msg_add_typed(&r, IKE_PLD_CERTREQ,
					  IKE_CERT_X509_SIG, certreq, crlen);
	}
	if (ike_send_plain(e, path, &r, &sa->resp_sent) == -1 ||
	    keep_bytes(&sa->init_req, &sa->init_req_len, pkt, len) == -1 ||
	    keep_bytes(&sa->init_resp, &sa->init_resp_len,
		       sa->resp_sent.frag[0], sa->resp_sent.len[0]) == -1) {
		ike_sa_destroy(e, now, sa, "cannot answer IKE_SA_INIT");
		return;
	}
	sa->have_resp = true;
	sa->resp_msgid = 0;
	sa->peer_msgid = 1;
	sa->next_msgid = 0;
	/* The initiator moves to 4500 if it saw the NAT too (2.23). */
	ike_timer_set(e, &sa->t_expire, now + IKE_HALF_OPEN_TTL);
}
