/*
 * The IKEv2 engine: SA and peer tables, timers, protected sending with
 * retransmission and RFC 7383 fragmentation, the receive path (message
 * ID window, decryption, reassembly) and dispatch to the exchanges.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "dmvpn/log.h"
#include "ike_int.h"

static const char *const state_names[IKE_SA_STATE_MAX] = {
	[IKE_SA_CONNECTING] = "connecting",
	[IKE_SA_AUTHING] = "authenticating",
	[IKE_SA_ESTABLISHED] = "established",
	[IKE_SA_REKEYING] = "rekeying",
	[IKE_SA_DELETING] = "deleting",
};

static const char *const drop_names[IKE_DROP_MAX] = {
	[IKE_DROP_MALFORMED] = "malformed",
	[IKE_DROP_NO_SA] = "no_sa",
	[IKE_DROP_MSGID] = "message_id",
	[IKE_DROP_DECRYPT] = "decrypt",
	[IKE_DROP_HALF_OPEN] = "half_open_limit",
	[IKE_DROP_COOKIE] = "cookie",
	[IKE_DROP_NO_PROPOSAL] = "no_proposal",
	[IKE_DROP_AUTH] = "authentication",
	[IKE_DROP_STATE] = "unexpected",
	[IKE_DROP_FRAGMENT] = "fragment",
};

const char *
ike_sa_state_name(enum ike_sa_state s)
{
	return s < IKE_SA_STATE_MAX ? state_names[s] : "unknown";
}

const char *
ike_drop_name(enum ike_drop d)
{
	return d < IKE_DROP_MAX ? drop_names[d] : "unknown";
}

void
ike_conf_defaults(struct ike_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->ike_lifetime = 4 * 3600;
	conf->esp_lifetime = 3600;
	conf->dpd = 30;
	conf->nat_keepalive = 20;
	conf->half_open_limit = 1000;
	conf->half_open_per_source = 50;
	conf->reqid_base = 0xd0000000u;
	conf->reqid_count = 65536;
	/* RFC 7296 2.1 leaves the schedule to us: ~2+4+8+16+32 s. */
	conf->retransmit_timeout = 2.0;
	conf->retransmit_base = 2.0;
	conf->retransmit_tries = 5;
	conf->fragment_size = 1280;
}

/* --- timers and small helpers -------------------------------------------- */

void
ike_timer_set(struct ike_engine *e, struct ike_timer *t, double at)
{
	if (heap_set(&e->timers, &t->hn, at) == -1)
		log_warnx("ike: out of memory for timers");
}

void
ike_timer_del(struct ike_engine *e, struct ike_timer *t)
{
	heap_del(&e->timers, &t->hn);
}

void
ike_random(struct ike_engine *e, void *buf, size_t len)
{
	if (e->ops.random != NULL) {
		e->ops.random(e->ops.ctx, buf, len);
		return;
	}
	if (RAND_bytes(buf, (int)len) != 1)
		fatalx("ike: no randomness from OpenSSL");
}

/* t less up to IKE_REKEY_JITTER of it, so peers do not rekey in step. */
double
ike_jitter(struct ike_engine *e, double t)
{
	/* xorshift32: jitter needs spread, not secrecy. */
	e->rand_state ^= e->rand_state << 13;
	e->rand_state ^= e->rand_state >> 17;
	e->rand_state ^= e->rand_state << 5;
	return t * (1.0 -
		    IKE_REKEY_JITTER * (double)(e->rand_state % 1000) / 1000.0);
}

void
ike_intent(struct ike_engine *e, const struct ike_intent *in)
{
	if (e->ops.intent != NULL)
		e->ops.intent(e->ops.ctx, in);
}

static uint32_t
spi_hash(uint64_t spi)
{
	return (uint32_t)(spi ^ (spi >> 32)) * 2654435761u;
}

static uint64_t
our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

static bool
sa_spi_eq(const struct hnode *n, const void *key)
{
	const struct ike_sa *sa = container_of_const(n, struct ike_sa, by_spi);

	return our_spi(sa) == *(const uint64_t *)key;
}

struct init_key {
	const struct addr *remote;
	uint16_t port;
	uint64_t spi_i;
};

static uint32_t
init_hash(const struct addr *remote, uint64_t spi_i)
{
	return addr_hash(remote) ^ spi_hash(spi_i);
}

static bool
sa_init_eq(const struct hnode *n, const void *key)
{
	const struct ike_sa *sa = container_of_const(n, struct ike_sa, by_init);
	const struct init_key *k = key;

	return sa->spi_i == k->spi_i &&
	       addr_eq(&sa->path.remote.addr, k->remote) &&
	       sa->path.remote.port == k->port;
}

static bool
peer_eq(const struct hnode *n, const void *key)
{
	const struct ike_peer *p = container_of_const(n, struct ike_peer, hn);

	return addr_eq(&p->remote, key);
}

/* --- peers ---------------------------------------------------------------- */

struct ike_peer *
ike_peer_find(const struct ike_engine *e, const struct addr *remote)
{
	struct hnode *n =
		htab_find(&e->peers, addr_hash(remote), remote, peer_eq);

	return n == NULL ? NULL : container_of(n, struct ike_peer, hn);
}

/* A free reqid of our range; the first one is the wildcard policy's. */
static uint32_t
reqid_alloc(struct ike_engine *e, const struct addr *remote)
{
	uint32_t n = e->conf.reqid_count, i, start;

	if (n < 2)
		return 0;
	/* Start from the address hash: stable across restarts, mostly. */
	start = 1 + addr_hash(remote) % (n - 1);
	for (i = 0; i < n - 1; i++) {
		uint32_t k = 1 + (start - 1 + i) % (n - 1);

		if (!e->reqid_used[k]) {
			e->reqid_used[k] = 1;
			return e->conf.reqid_base + k;
		}
	}
	return 0;
}

struct ike_peer *
ike_peer_get(struct ike_engine *e, const struct addr *local,
	     const struct addr *remote)
{
	struct ike_peer *p = ike_peer_find(e, remote);

	if (p != NULL)
		return p;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->remote = *remote;
	p->local = *local;
	p->reqid = reqid_alloc(e, remote);
	list_init(&p->sas);
	if (p->reqid == 0 ||
	    htab_insert(&e->peers, &p->hn, addr_hash(remote)) == -1) {
		if (p->reqid != 0)
			e->reqid_used[p->reqid - e->conf.reqid_base] = 0;
		free(p);
		return NULL;
	}
	return p;
}

void
ike_peer_attach(struct ike_peer *p, struct ike_sa *sa)
{
	sa->peer = p;
	list_add_tail(&p->sas, &sa->peer_link);
}

/* Free a peer nobody wants and no SA uses, with its policies. */
static void
peer_maybe_free(struct ike_engine *e, struct ike_peer *p)
{
	if (p->wants > 0 || p->held || !list_empty(&p->sas))
		return;
	if (p->policies) {
		struct ike_intent in = {.type = IKE_I_POLICY_DEL};

		in.local = p->local;
		in.remote = p->remote;
		in.reqid = p->reqid;
		ike_intent(e, &in);
	}
	e->reqid_used[p->reqid - e->conf.reqid_base] = 0;
	htab_remove(&e->peers, &p->hn);
	free(p);
}

/* True when another SA of the peer still has a CHILD SA installed. */
static bool
peer_has_child(const struct ike_peer *p, const struct ike_sa *except)
{
	const struct ike_sa *sa;
	size_t i;

	list_for_each_entry(sa, &p->sas, peer_link) {
		if (sa == except)
			continue;
		for (i = 0; i < sa->nchild; i++)
			if (sa->child[i].installed)
				return true;
	}
	return false;
}

/* --- SAs ------------------------------------------------------------------ */

static void
timer_init(struct ike_timer *t, uint8_t kind, struct ike_sa *sa)
{
	t->kind = kind;
	t->sa = sa;
}

struct ike_sa *
ike_sa_new(struct ike_engine *e, double now, const struct ike_path *path,
	   bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	uint64_t spi;

	if (sa == NULL)
		return NULL;
	sa->path = *path;
	sa->initiator = initiator;
	sa->created = now;
	sa->last_rx = now;
	sa->state = IKE_SA_CONNECTING;
	list_init(&sa->peer_link);
	timer_init(&sa->t_retx, IKE_T_RETRANSMIT, sa);
	timer_init(&sa->t_expire, IKE_T_EXPIRE, sa);
	timer_init(&sa->t_rekey_ike, IKE_T_REKEY_IKE, sa);
	timer_init(&sa->t_rekey_child, IKE_T_REKEY_CHILD, sa);
	timer_init(&sa->t_dpd, IKE_T_DPD, sa);
	timer_init(&sa->t_keepalive, IKE_T_KEEPALIVE, sa);
	/* Our SPI: random, non-zero, unique among ours (RFC 7296 2.6). */
	do {
		ike_random(e, &spi, sizeof(spi));
	} while (spi == 0 || htab_find(&e->sas_by_spi, spi_hash(spi), &spi,
				       sa_spi_eq) != NULL);
	if (initiator)
		sa->spi_i = spi;
	else
		sa->spi_r = spi;
	if (htab_insert(&e->sas_by_spi, &sa->by_spi, spi_hash(spi)) == -1) {
		free(sa);
		return NULL;
	}
	list_add_tail(&e->sas, &sa->all);
	return sa;
}

void
ike_sa_set_spi_r(struct ike_engine *e, struct ike_sa *sa, uint64_t spi)
{
	(void)e;
	sa->spi_r = spi;
}

void
ike_wiremsg_free(struct ike_wiremsg *w)
{
	size_t i;

	for (i = 0; i < w->nfrag; i++)
		free(w->frag[i]);
	w->nfrag = 0;
}

/* The ike_child_sa of CHILD SA c of sa, as the CHILD_ADD intent has it. */
void
ike_child_sa_of(const struct ike_engine *e, const struct ike_sa *sa,
		const struct ike_child *c, struct ike_child_sa *cs)
{
	const struct ike_child_keys *k = &c->keys;
	bool out_is_i = sa->initiator;

	memset(cs, 0, sizeof(*cs));
	cs->path = sa->path;
	cs->encap = sa->nat_local || sa->nat_remote;
	cs->reqid = sa->peer->reqid;
	cs->spi_in = c->spi_in;
	cs->spi_out = c->spi_out;
	cs->out.encr = cs->in.encr = k->suite.encr;
	cs->out.encr_bits = cs->in.encr_bits = k->suite.encr_keybits;
	cs->out.integ = cs->in.integ = k->suite.integ;
	cs->out.encr_key_len = cs->in.encr_key_len = k->encr_len;
	cs->out.integ_key_len = cs->in.integ_key_len = k->integ_len;
	memcpy(cs->out.encr_key, out_is_i ? k->encr_i : k->encr_r, k->encr_len);
	memcpy(cs->in.encr_key, out_is_i ? k->encr_r : k->encr_i, k->encr_len);
	memcpy(cs->out.integ_key, out_is_i ? k->integ_i : k->integ_r,
	       k->integ_len);
	memcpy(cs->in.integ_key, out_is_i ? k->integ_r : k->integ_i,
	       k->integ_len);
	cs->lifetime_soft = e->conf.esp_lifetime * 1.1 + 60;
	cs->lifetime_hard = e->conf.esp_lifetime * 1.2 + 120;
}

static void
child_add(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
	  bool inbound_only)
{
	struct ike_child_sa cs;
	struct ike_intent in = {.type = IKE_I_CHILD_ADD};

	/* Our own timers rekey first; the kernel's lifetimes are a net. */
	ike_child_sa_of(e, sa, c, &cs);
	cs.inbound_only = inbound_only;
	in.child = &cs;
	in.local = sa->path.local.addr;
	in.remote = sa->path.remote.addr;
	in.reqid = cs.reqid;
	ike_intent(e, &in);
	OPENSSL_cleanse(&cs, sizeof(cs));
	c->installed = true;
	c->out_pending = inbound_only;
	sa->peer->policies = true;
	e->stats.child_sas_installed++;
}

void
ike_child_install(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c)
{
	child_add(e, sa, c, false);
}

void
ike_child_install_in(struct ike_engine *e, struct ike_sa *sa,
		     struct ike_child *c)
{
	child_add(e, sa, c, true);
}

/*
 * The outbound halves a rekey's responder held back: the initiator has
 * its inbound SAs by now (it deleted the old pair, or spoke again).
 */
void
ike_child_install_pending(struct ike_engine *e, struct ike_sa *sa)
{
	struct ike_child_sa cs;
	struct ike_intent in = {.type = IKE_I_CHILD_OUT};
	size_t i;

	for (i = 0; i < sa->nchild; i++) {
		struct ike_child *c = &sa->child[i];

		if (!c->installed || !c->out_pending)
			continue;
		ike_child_sa_of(e, sa, c, &cs);
		in.child = &cs;
		in.local = sa->path.local.addr;
		in.remote = sa->path.remote.addr;
		in.reqid = cs.reqid;
		ike_intent(e, &in);
		OPENSSL_cleanse(&cs, sizeof(cs));
		c->out_pending = false;
	}
}

void
ike_child_remove(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c)
{
	struct ike_child_sa cs;
	struct ike_intent in = {.type = IKE_I_CHILD_DEL};

	/*
	 * Never installed, but its inbound SPI was allocated (ALLOCSPI left
	 * a larval SA in the kernel): that goes too.  spi_out 0 says there
	 * is no outbound SA.
	 */
	if (!c->installed && c->spi_in != 0) {
		memset(&cs, 0, sizeof(cs));
		cs.path = sa->path;
		cs.spi_in = c->spi_in;
		in.child = &cs;
		in.local = sa->path.local.addr;
		in.remote = sa->path.remote.addr;
		ike_intent(e, &in);
		c->spi_in = 0;
		return;
	}
	if (!c->installed)
		return;
	memset(&cs, 0, sizeof(cs));
	cs.path = sa->path;
	cs.encap = sa->nat_local || sa->nat_remote;
	cs.reqid = sa->peer->reqid;
	cs.spi_in = c->spi_in;
	cs.spi_out = c->spi_out;
	in.child = &cs;
	in.local = sa->path.local.addr;
	in.remote = sa->path.remote.addr;
	in.reqid = cs.reqid;
	ike_intent(e, &in);
	c->installed = false;
}

/* Tell NHRP, once per peer, that IPsec to it is usable. */
void
ike_sa_peer_up(struct ike_engine *e, double now, struct ike_sa *sa)
{
	struct ike_intent in = {.type = IKE_I_PEER_UP};
	struct ike_peer *p = sa->peer;

	(void)now;
	if (p->up)
		return;
	p->up = true;
	/* The peer's addresses as NHRP asked: the same as PEER_DOWN's. */
	in.local = p->local;
	in.remote = p->remote;
	ike_intent(e, &in);
}

void
ike_peer_down_check(struct ike_engine *e, struct ike_peer *p)
{
	struct ike_intent in = {.type = IKE_I_PEER_DOWN};

	if (!p->up || peer_has_child(p, NULL))
		return;
	p->up = false;
	in.local = p->local;
	in.remote = p->remote;
	ike_intent(e, &in);
}

/*
 * The peer moved behind its NAT (RFC 7296 2.23: an authenticated message
 * from a new address or port, or the kernel's MAPPING): its CHILD SAs,
 * installed for the old path, go and come back for the new one.
 */
void
ike_sa_move(struct ike_engine *e, struct ike_sa *sa, const struct ike_path *np)
{
	bool inst[IKE_MAX_CHILDREN], pend[IKE_MAX_CHILDREN];
	size_t i;

	if (addr_eq(&sa->path.remote.addr, &np->remote.addr) &&
	    sa->path.remote.port == np->remote.port &&
	    addr_eq(&sa->path.local.addr, &np->local.addr) &&
	    sa->path.local.port == np->local.port)
		return;
	for (i = 0; i < sa->nchild; i++) {
		inst[i] = sa->child[i].installed;
		pend[i] = sa->child[i].out_pending;
		if (inst[i])
			ike_child_remove(e, sa, &sa->child[i]);
	}
	sa->path = *np;
	for (i = 0; i < sa->nchild; i++)
		if (inst[i])
			child_add(e, sa, &sa->child[i], pend[i]);
}

/*
 * The SA that won a crossing (docs/ike.md) is gone, and the peer's one
 * that lost is still up here: the peer, which saw no crossing or saw its
 * end fail first, uses it.  It is ours now too.
 */
static void
promote(struct ike_engine *e, double now, struct ike_peer *p)
{
	struct ike_sa *o, *best = NULL, *stale = NULL;

	if (e->stopping)
		return;
	list_for_each_entry(o, &p->sas, peer_link) {
		if (!o->loser && o->state != IKE_SA_DELETING)
			return; /* another one carries (or will) */
		if (!o->loser || o->delete_why != NULL || o->initiator ||
		    o->state != IKE_SA_ESTABLISHED || o->nchild == 0 ||
		    o->child[0].installed)
			continue;
		if (o->child[0].spi_in != 0)
			best = o;
		else
			stale = o; /* its inbound SPI went with the crossing */
	}
	if (best != NULL) {
		best->loser = false;
		ike_sa_settle(e, now, best);
	} else if (stale != NULL) {
		/* Of no use to us: tell the peer, which may still use it. */
		ike_delete_sa(e, now, stale, "crossing SA without a winner");
	}
}

/*
 * Forget sa: its CHILD SAs leave the kernel; if no other SA of the peer
 * keeps one, NHRP hears that the peer is down.
 */
void
ike_sa_destroy(struct ike_engine *e, double now, struct ike_sa *sa,
	       const char *why)
{
	struct ike_peer *p = sa->peer;
	char rs[ADDR_STRLEN];
	size_t i;

	(void)now;
	addr_fmt(&sa->path.remote.addr, rs);
	if (p != NULL && peer_has_child(p, sa))
		/* A rekeyed or crossing SA: the peer stays up. */
		log_dbg(DBG_IKE, "ike: an SA with %s replaced: %s", rs, why);
	else if (sa->state == IKE_SA_ESTABLISHED ||
		 sa->state == IKE_SA_REKEYING || sa->state == IKE_SA_DELETING)
		log_info("ike: SA with %s gone: %s", rs, why);
	else if (sa->keyed || sa->initiator)
		log_info("ike: SA with %s failed: %s", rs, why);
	for (i = 0; i < sa->nchild; i++) {
		ike_child_remove(e, sa, &sa->child[i]);
		ike_child_keys_wipe(&sa->child[i].keys);
	}
	if (p != NULL) {
		list_del(&sa->peer_link);
		promote(e, now, p);
		if (p->up) {
			ike_peer_down_check(e, p);
		} else if (p->wants > 0 && sa->initiator &&
			   sa->established == 0) {
			/* Failed before anything came up: NHRP may ask again.
			 */
			struct ike_intent in = {.type = IKE_I_PEER_DOWN};

			in.local = p->local;
			in.remote = p->remote;
			ike_intent(e, &in);
		}
	}
	if (sa->state == IKE_SA_CONNECTING || sa->state == IKE_SA_AUTHING) {
		if (!sa->initiator && e->half_open > 0)
			e->half_open--;
	}
	/* A rekey of ours that never completed: its new SA goes too. */
	if (sa->rekey.new_sa != NULL && !sa->rekey.new_sa->keyed) {
		struct ike_sa *ns = sa->rekey.new_sa;

		sa->rekey.new_sa = NULL;
		ike_sa_destroy(e, now, ns, "rekey abandoned");
	}
	ike_timer_del(e, &sa->t_retx);
	ike_timer_del(e, &sa->t_expire);
	ike_timer_del(e, &sa->t_rekey_ike);
	ike_timer_del(e, &sa->t_rekey_child);
	ike_timer_del(e, &sa->t_dpd);
	ike_timer_del(e, &sa->t_keepalive);
	htab_remove(&e->sas_by_spi, &sa->by_spi);
	htab_remove(&e->sas_by_init, &sa->by_init);
	list_del(&sa->all);
	ike_wiremsg_free(&sa->req_sent);
	ike_wiremsg_free(&sa->resp_sent);
	for (i = 0; i < IKE_MAX_FRAGS; i++)
		free(sa->reasm.part[i]);
	ike_dh_free(sa->dh);
	ike_dh_free(sa->rekey.dh);
	free(sa->init_req);
	free(sa->init_resp);
	X509_free(sa->peer_cert);
	ike_keys_wipe(&sa->keys);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
	if (p != NULL)
		peer_maybe_free(e, p);
}

/* --- sending -------------------------------------------------------------- */

static void
send_raw(struct ike_engine *e, const struct ike_path *path, const uint8_t *p,
	 size_t len)
{
	e->stats.tx++;
	if (e->ops.send != NULL)
		e->ops.send(e->ops.ctx, path, p, len);
}

void
ike_wiremsg_resend(struct ike_engine *e, const struct ike_sa *sa,
		   const struct ike_wiremsg *w)
{
	size_t i;

	for (i = 0; i < w->nfrag; i++)
		send_raw(e, &sa->path, w->frag[i], w->len[i]);
}

static int
keep_copy(struct ike_wiremsg *keep, const uint8_t *p, size_t len)
{
	uint8_t *c;

	if (keep->nfrag >= IKE_MAX_FRAGS || (c = malloc(len)) == NULL)
		return -1;
	memcpy(c, p, len);
	keep->frag[keep->nfrag] = c;
	keep->len[keep->nfrag] = len;
	keep->nfrag++;
	return 0;
}

int
ike_send_plain(struct ike_engine *e, const struct ike_path *path,
	       const struct ike_msg *m, struct ike_wiremsg *keep)
{
	struct wbuf w;
	const char *why;

	wbuf_init(&w, e->buf, sizeof(e->buf));
	if (ike_encode(m, &w, &why) == -1) {
		log_warnx("ike: cannot encode %s: %s",
			  ike_exchange_name(m->exchange), why);
		return -1;
	}
	if (keep != NULL) {
		ike_wiremsg_free(keep);
		if (keep_copy(keep, e->buf, wbuf_len(&w)) == -1)
			return -1;
	}
	send_raw(e, path, e->buf, wbuf_len(&w));
	return 0;
}

/*
 * Encrypt one SK or SKF payload holding plain[0..plen) into a datagram
 * and keep it (RFC 7296 3.14; RFC 7383 2.5 for frag_total > 0).
 */
static int
seal_one(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *h,
	 uint8_t inner, uint16_t frag, uint16_t total, const uint8_t *plain,
	 size_t plen, struct ike_wiremsg *keep)
{
	struct wbuf w;
	struct ike_sk_layout lay;
	const char *why;
	size_t blen = ike_sk_sealed_len(&sa->keys, plen), out;
	enum ike_dir dir = sa->initiator ? IKE_DIR_I2R : IKE_DIR_R2I;

	wbuf_init(&w, e->buf, sizeof(e->buf));
	if (ike_encode_sk_begin(h, inner, frag, total, blen, &w, &lay, &why) ==
	    -1) {
		log_warnx("ike: cannot encode %s: %s",
			  ike_exchange_name(h->exchange), why);
		return -1;
	}
	if (ike_sk_seal(&sa->keys, dir,
			ike_sk_iv_counter(h->msg_id,
					  (h->flags & IKE_FLAG_R) != 0, frag),
			e->buf + lay.start, lay.aad_len, plain, plen,
			e->buf + lay.body_off, lay.body_len, &out) == -1 ||
	    out != lay.body_len) {
		log_warnx("ike: cannot encrypt %s",
			  ike_exchange_name(h->exchange));
		return -1;
	}
	if (ike_encode_sk_finish(&w, &lay, &why) == -1)
		return -1;
	return keep_copy(keep, e->buf, wbuf_len(&w));
}

/*
 * Encode inner (the payloads that go inside SK), encrypt, split into
 * RFC 7383 fragments when the peer supports them and the message is
 * larger than fragment_size, send, and keep the datagrams in keep.
 */
static int
seal_and_send(struct ike_engine *e, struct ike_sa *sa, uint8_t exchange,
	      uint32_t msgid, bool response, struct ike_msg *inner,
	      struct ike_wiremsg *keep)
{
	struct ike_msg h;
	struct wbuf w;
	const char *why;
	size_t plen, whole, chunk, over, off;
	uint16_t n, i;
	uint8_t first = ike_msg_first_type(inner);
	uint8_t flags = (uint8_t)((sa->initiator ? IKE_FLAG_I : 0) |
				  (response ? IKE_FLAG_R : 0));

	inner->chain = true;
	wbuf_init(&w, e->plain, sizeof(e->plain));
	if (ike_encode(inner, &w, &why) == -1) {
		log_warnx("ike: cannot encode %s payloads: %s",
			  ike_exchange_name(exchange), why);
		return -1;
	}
	plen = wbuf_len(&w);
	ike_msg_init(&h, exchange, sa->spi_i, sa->spi_r, flags, msgid);
	ike_wiremsg_free(keep);
	over = IKE_HDR_LEN + IKE_SKF_HDR_LEN + ike_sk_sealed_len(&sa->keys, 0);
	whole = IKE_HDR_LEN + IKE_PLD_HDR_LEN +
		ike_sk_sealed_len(&sa->keys, plen);
	if (!sa->frag_ok || e->conf.fragment_size == 0 ||
	    whole <= e->conf.fragment_size ||
	    e->conf.fragment_size <= over + 64) {
		if (seal_one(e, sa, &h, first, 0, 0, e->plain, plen, keep) ==
		    -1)
			goto fail;
	} else {
		/* Leave room for the padding of a block cipher too. */
		chunk = e->conf.fragment_size - over - 16;
		n = (uint16_t)((plen + chunk - 1) / chunk);
		if (n > IKE_MAX_FRAGS)
			goto fail;
		for (i = 0, off = 0; i < n; i++, off += chunk) {
			size_t len = plen - off < chunk ? plen - off : chunk;

			if (seal_one(e, sa, &h, i == 0 ? first : 0,
				     (uint16_t)(i + 1), n, e->plain + off, len,
				     keep) == -1)
				goto fail;
		}
	}
	OPENSSL_cleanse(e->plain, plen);
	ike_wiremsg_resend(e, sa, keep);
	return 0;
fail:
	OPENSSL_cleanse(e->plain, plen);
	ike_wiremsg_free(keep);
	return -1;
}

int
ike_send_request(struct ike_engine *e, double now, struct ike_sa *sa,
		 uint8_t exchange, struct ike_msg *inner,
		 enum ike_req_kind kind)
{
	if (sa->req != IKE_REQ_NONE)
		return -1; /* window of one (2.3) */
	if (seal_and_send(e, sa, exchange, sa->next_msgid, false, inner,
			  &sa->req_sent) == -1)
		return -1;
	sa->req = kind;
	sa->next_msgid++;
	sa->req_tries = 0;
	ike_timer_set(e, &sa->t_retx, now + e->conf.retransmit_timeout);
	return 0;
}

int
ike_send_response(struct ike_engine *e, double now, struct ike_sa *sa,
		  uint8_t exchange, uint32_t msgid, struct ike_msg *inner)
{
	(void)now;
	if (seal_and_send(e, sa, exchange, msgid, true, inner,
			  &sa->resp_sent) == -1)
		return -1;
	sa->resp_msgid = msgid;
	sa->have_resp = true;
	return 0;
}

void
ike_request_done(struct ike_engine *e, struct ike_sa *sa)
{
	sa->req = IKE_REQ_NONE;
	ike_timer_del(e, &sa->t_retx);
	ike_wiremsg_free(&sa->req_sent);
}

/* RFC 7296 2.1: resend with a growing timeout, then give up on the SA. */
static void
retransmit(struct ike_engine *e, double now, struct ike_sa *sa)
{
	double t = e->conf.retransmit_timeout;
	unsigned int i;

	if (sa->req == IKE_REQ_NONE)
		return;
	if (++sa->req_tries >= e->conf.retransmit_tries) {
		if (sa->req == IKE_REQ_DPD || sa->state == IKE_SA_ESTABLISHED)
			e->stats.dpd_dead++;
		else if (sa->state != IKE_SA_DELETING)
			e->stats.ike_sas_failed++;
		ike_sa_destroy(e, now, sa, "peer not responding");
		return;
	}
	for (i = 0; i < sa->req_tries; i++)
		t *= e->conf.retransmit_base;
	e->stats.retransmits++;
	ike_wiremsg_resend(e, sa, &sa->req_sent);
	ike_timer_set(e, &sa->t_retx, now + t);
}

/* --- receiving ------------------------------------------------------------ */

static struct ike_sa *
sa_by_spi(const struct ike_engine *e, uint64_t spi)
{
	struct hnode *n =
		htab_find(&e->sas_by_spi, spi_hash(spi), &spi, sa_spi_eq);

	return n == NULL ? NULL : container_of(n, struct ike_sa, by_spi);
}

struct ike_sa *
ike_sa_by_init(const struct ike_engine *e, const struct addr *remote,
	       uint16_t port, uint64_t spi_i)
{
	struct init_key k = {remote, port, spi_i};
	struct hnode *n = htab_find(&e->sas_by_init, init_hash(remote, spi_i),
				    &k, sa_init_eq);

	return n == NULL ? NULL : container_of(n, struct ike_sa, by_init);
}

int
ike_sa_index_init(struct ike_engine *e, struct ike_sa *sa)
{
	return htab_insert(&e->sas_by_init, &sa->by_init,
			   init_hash(&sa->path.remote.addr, sa->spi_i));
}

/*
 * An RFC 7383 fragment: keep its plaintext; when all are in, the whole
 * inner chain is in e->rx_plain and *plen says how long it is.  Returns
 * 1 when complete, 0 when waiting for more, -1 on a bad fragment.
 */
static int
reassemble(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
	   const uint8_t *plain, size_t len, size_t *plen, uint8_t *first)
{
	struct ike_reasm *r = &sa->reasm;
	const struct ike_pld *f = &m->pld[m->enc_index];
	uint16_t num = f->u.sk.frag_num, total = f->u.sk.frag_total;
	bool resp = (m->flags & IKE_FLAG_R) != 0;
	size_t i, off;

	if (total == 0 || total > IKE_MAX_FRAGS || num == 0 || num > total)
		return -1;
	if (r->total != 0 && (r->msgid != m->msg_id || r->response != resp)) {
		/* A newer message: the old one will not complete. */
		for (i = 0; i < IKE_MAX_FRAGS; i++) {
			free(r->part[i]);
			r->part[i] = NULL;
		}
		r->total = 0;
	}
	if (r->total == 0) {
		r->msgid = m->msg_id;
		r->response = resp;
		r->total = total;
		r->have = 0;
	}
	if (total != r->total)
		return -1;
	if (r->part[num - 1] != NULL)
		return 0; /* a duplicate */
	r->part[num - 1] = malloc(len > 0 ? len : 1);
	if (r->part[num - 1] == NULL)
		return -1;
	memcpy(r->part[num - 1], plain, len);
	r->part_len[num - 1] = len;
	if (num == 1)
		r->first = f->u.sk.inner;
	if (++r->have < r->total)
		return 0;
	for (i = 0, off = 0; i < r->total; i++) {
		if (off + r->part_len[i] > sizeof(e->rx_plain))
			return -1;
		memcpy(e->rx_plain + off, r->part[i], r->part_len[i]);
		off += r->part_len[i];
		OPENSSL_cleanse(r->part[i], r->part_len[i]);
		free(r->part[i]);
		r->part[i] = NULL;
	}
	r->total = 0;
	*plen = off;
	*first = r->first;
	return 1;
}

const struct ike_pld *
ike_error_notify(const struct ike_msg *m)
{
	size_t i;

	for (i = 0; i < m->npld; i++)
		if (m->pld[i].type == IKE_PLD_NOTIFY &&
		    m->pld[i].u.n.type < IKE_N_STATUS_MIN)
			return &m->pld[i];
	return NULL;
}

static void
dispatch(struct ike_engine *e, double now, struct ike_sa *sa,
	 const struct ike_msg *hdr, const struct ike_msg *m,
	 enum ike_req_kind req)
{
	bool resp = (hdr->flags & IKE_FLAG_R) != 0;

	if (resp) {
		switch (hdr->exchange) {
		case IKE_EXCH_IKE_AUTH:
			if (req == IKE_REQ_AUTH) {
				ike_handle_auth_response(e, now, sa, m);
				return;
			}
			break;
		case IKE_EXCH_CREATE_CHILD_SA:
			if (req == IKE_REQ_REKEY_CHILD ||
			    req == IKE_REQ_REKEY_IKE) {
				ike_handle_create_child_response(e, now, sa, m);
				return;
			}
			break;
		case IKE_EXCH_INFORMATIONAL:
			if (req == IKE_REQ_DPD || req == IKE_REQ_DELETE_CHILD ||
			    req == IKE_REQ_DELETE_IKE) {
				ike_handle_info_response(e, now, sa, m);
				return;
			}
			break;
		default:
			break;
		}
		e->stats.drops[IKE_DROP_STATE]++;
		return;
	}
	switch (hdr->exchange) {
	case IKE_EXCH_IKE_AUTH:
		ike_handle_auth_request(e, now, sa, m);
		return;
	case IKE_EXCH_CREATE_CHILD_SA:
		ike_handle_create_child_request(e, now, sa, m);
		return;
	case IKE_EXCH_INFORMATIONAL:
		ike_handle_info_request(e, now, sa, m);
		return;
	default:
		e->stats.drops[IKE_DROP_STATE]++;
		return;
	}
}

void
ike_recv(struct ike_engine *e, double now, const struct ike_path *path,
	 const uint8_t *pkt, size_t len)
{
	struct ike_msg m, inner;
	struct ike_sa *sa;
	enum ike_req_kind req;
	const char *why;
	uint8_t first;
	size_t plen;
	bool resp;
	int rc;

	e->stats.rx++;
	if (ike_decode(pkt, len, &m, &why) == -1) {
		log_dbg(DBG_IKE, "ike: bad message from %s: %s",
			addr_fmt(&path->remote.addr, (char[ADDR_STRLEN]){0}),
			why);
		e->stats.drops[IKE_DROP_MALFORMED]++;
		return;
	}
	resp = (m.flags & IKE_FLAG_R) != 0;
	if (m.exchange == IKE_EXCH_IKE_SA_INIT) {
		if (!resp && (m.flags & IKE_FLAG_I) && m.spi_r == 0) {
			ike_handle_init_request(e, now, path, &m, pkt, len);
			return;
		}
		sa = resp ? sa_by_spi(e, m.spi_i) : NULL;
		if (sa == NULL || !sa->initiator ||
		    sa->state != IKE_SA_CONNECTING || m.msg_id != 0) {
			e->stats.drops[sa == NULL ? IKE_DROP_NO_SA
						  : IKE_DROP_STATE]++;
			return;
		}
		ike_handle_init_response(e, now, sa, &m, pkt, len);
		return;
	}
	/* The I flag says who sent it: the other side's SPI is ours. */
	sa = sa_by_spi(e, (m.flags & IKE_FLAG_I) ? m.spi_r : m.spi_i);
	if (sa == NULL || sa->spi_i != m.spi_i || sa->spi_r != m.spi_r ||
	    !sa->keyed || ((m.flags & IKE_FLAG_I) != 0) == sa->initiator) {
		e->stats.drops[IKE_DROP_NO_SA]++;
		return;
	}
	if (resp) {
		if (sa->req == IKE_REQ_NONE || m.msg_id != sa->next_msgid - 1) {
			e->stats.drops[IKE_DROP_MSGID]++;
			return;
		}
	} else if (m.msg_id != sa->peer_msgid) {
		/* 2.1: a retransmitted request gets the same answer again. */
		if (sa->have_resp && m.msg_id == sa->resp_msgid &&
		    (m.enc_index < 0 ||
		     m.pld[m.enc_index].type != IKE_PLD_SKF ||
		     m.pld[m.enc_index].u.sk.frag_num == 1))
			ike_wiremsg_resend(e, sa, &sa->resp_sent);
		else
			e->stats.drops[IKE_DROP_MSGID]++;
		return;
	}
	if (m.enc_index < 0 || (size_t)m.enc_index != m.npld - 1) {
		e->stats.drops[IKE_DROP_MALFORMED]++;
		return;
	}
	if (ike_sk_open(&sa->keys, sa->initiator ? IKE_DIR_R2I : IKE_DIR_I2R,
			pkt, m.aad_len, pkt + m.enc_off, m.enc_len, e->rx_plain,
			sizeof(e->rx_plain), &plen, &why) == -1) {
		log_dbg(DBG_IKE, "ike: cannot decrypt %s from %s: %s",
			ike_exchange_name(m.exchange),
			addr_fmt(&path->remote.addr, (char[ADDR_STRLEN]){0}),
			why);
		e->stats.drops[IKE_DROP_DECRYPT]++;
		return;
	}
	first = m.pld[m.enc_index].u.sk.inner;
	if (m.pld[m.enc_index].type == IKE_PLD_SKF) {
		uint8_t part[1500];

		if (plen > sizeof(part)) {
			e->stats.drops[IKE_DROP_FRAGMENT]++;
			return;
		}
		memcpy(part, e->rx_plain, plen);
		rc = reassemble(e, sa, &m, part, plen, &plen, &first);
		OPENSSL_cleanse(part, sizeof(part));
		if (rc == -1)
			e->stats.drops[IKE_DROP_FRAGMENT]++;
		if (rc != 1)
			return;
	}
	if (ike_decode_chain(e->rx_plain, plen, first, &inner, &why) == -1) {
		log_dbg(DBG_IKE, "ike: bad %s payloads from %s: %s",
			ike_exchange_name(m.exchange),
			addr_fmt(&path->remote.addr, (char[ADDR_STRLEN]){0}),
			why);
		e->stats.drops[IKE_DROP_MALFORMED]++;
		return;
	}
	/* Authenticated: this is the peer, wherever it now is (2.23). */
	sa->last_rx = now;
	if (sa->nat_local || sa->nat_remote)
		ike_sa_move(e, sa, path);
	req = sa->req;
	if (!resp)
		sa->peer_msgid++;
	else
		ike_request_done(e, sa);
	if (resp && sa->delete_why != NULL) {
		/* The answer we waited for to send our Delete (2.3). */
		ike_delete_sa(e, now, sa, sa->delete_why);
		OPENSSL_cleanse(e->rx_plain, plen);
		return;
	}
	dispatch(e, now, sa, &m, &inner, req);
	OPENSSL_cleanse(e->rx_plain, plen);
}

/* --- the engine ----------------------------------------------------------- */

struct ike_engine *
ike_engine_new(const struct ike_conf *conf, const struct ike_ops *ops,
	       double now, const char **why)
{
	struct ike_engine *e;

	if (conf->nike == 0 || conf->nesp == 0) {
		*why = "no IKE or ESP proposal";
		return NULL;
	}
	if (conf->psk_len == 0 && conf->creds == NULL) {
		*why = "neither a pre-shared key nor certificates";
		return NULL;
	}
	if (conf->reqid_count < 2 ||
	    conf->reqid_base > UINT32_MAX - conf->reqid_count) {
		*why = "bad reqid range";
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL ||
	    (e->reqid_used = calloc(conf->reqid_count, 1)) == NULL) {
		free(e);
		*why = "out of memory";
		return NULL;
	}
	e->conf = *conf;
	e->ops = *ops;
	e->rand_state = conf->seed != 0 ? conf->seed : 0x9e3779b9u;
	e->reqid_used[0] = 1; /* the wildcard policy's */
	heap_init(&e->timers);
	htab_init(&e->sas_by_spi);
	htab_init(&e->sas_by_init);
	htab_init(&e->peers);
	list_init(&e->sas);
	timer_init(&e->t_cookie, IKE_T_COOKIE, NULL);
	ike_cookie_rotate(e, now);
	return e;
}

void
ike_engine_free(struct ike_engine *e, double now)
{
	struct ike_sa *sa;
	size_t i;

	if (e == NULL)
		return;
	e->stopping = true;
	/* Destroying one SA may destroy another (a rekey's new SA). */
	while (!list_empty(&e->sas)) {
		sa = list_first_entry(&e->sas, struct ike_sa, all);
		/* A Delete the peer may or may not see (2.4); we go anyway. */
		if (sa->keyed && sa->state != IKE_SA_DELETING &&
		    sa->req == IKE_REQ_NONE) {
			struct ike_msg d;

			ike_msg_init_chain(&d);
			ike_msg_add_delete(&d, IKE_PROTO_IKE, NULL, 0);
			ike_send_request(e, now, sa, IKE_EXCH_INFORMATIONAL, &d,
					 IKE_REQ_DELETE_IKE);
		}
		if (sa->peer != NULL)
			sa->peer->wants = 0;
		ike_sa_destroy(e, now, sa, "stopping");
	}
	/* Peers with wishes but no SA. */
	for (i = 0; i < e->peers.nb; i++) {
		while (e->peers.b != NULL && e->peers.b[i] != NULL) {
			struct ike_peer *p = container_of(e->peers.b[i],
							  struct ike_peer, hn);

			p->wants = 0;
			peer_maybe_free(e, p);
		}
	}
	heap_free(&e->timers);
	htab_free(&e->sas_by_spi);
	htab_free(&e->sas_by_init);
	htab_free(&e->peers);
	free(e->reqid_used);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

void
ike_tick(struct ike_engine *e, double now)
{
	struct heap_node *hn;

	while ((hn = heap_pop_due(&e->timers, now)) != NULL) {
		struct ike_timer *t = container_of(hn, struct ike_timer, hn);
		struct ike_sa *sa = t->sa;

		switch (t->kind) {
		case IKE_T_RETRANSMIT:
			retransmit(e, now, sa);
			break;
		case IKE_T_EXPIRE:
			ike_sa_destroy(e, now, sa,
				       sa->state == IKE_SA_DELETING
					       ? "deleted"
					       : "negotiation timed out");
			break;
		case IKE_T_REKEY_IKE:
			ike_rekey_ike_start(e, now, sa);
			break;
		case IKE_T_REKEY_CHILD:
			ike_rekey_child_start(e, now, sa);
			break;
		case IKE_T_DPD:
			ike_dpd_start(e, now, sa);
			break;
		case IKE_T_KEEPALIVE: {
			/* RFC 3948 2.3: one 0xff octet keeps the NAT open. */
			static const uint8_t ka = 0xff;

			send_raw(e, &sa->path, &ka, 1);
			ike_timer_set(e, &sa->t_keepalive,
				      now + e->conf.nat_keepalive);
			break;
		}
		case IKE_T_COOKIE:
			ike_cookie_rotate(e, now);
			break;
		default:
			break;
		}
	}
}

double
ike_next_deadline(const struct ike_engine *e)
{
	const struct heap_node *hn = heap_peek(&e->timers);

	return hn == NULL ? -1 : hn->at;
}

/* The SA NHRP should use for the peer: established and not a loser. */
struct ike_sa *
ike_peer_sa(const struct ike_peer *p)
{
	struct ike_sa *sa;

	list_for_each_entry(sa, &p->sas, peer_link)
		if (!sa->loser && (sa->state == IKE_SA_ESTABLISHED ||
				   sa->state == IKE_SA_REKEYING))
			return sa;
	return NULL;
}

static bool
peer_busy(const struct ike_peer *p)
{
	struct ike_sa *sa;

	list_for_each_entry(sa, &p->sas, peer_link)
		if (!sa->loser && sa->state != IKE_SA_DELETING)
			return true;
	return false;
}

static int
connect_peer(struct ike_engine *e, double now, const struct addr *local,
	     const struct addr *remote, bool new_user)
{
	struct ike_peer *p = ike_peer_get(e, local, remote);
	struct ike_sa *sa;

	if (p == NULL)
		return -1;
	if (new_user || p->wants == 0)
		p->wants++;
	sa = ike_peer_sa(p);
	if (sa != NULL) {
		/* Already up: say so again, NHRP may have forgotten. */
		struct ike_intent in = {.type = IKE_I_PEER_UP};

		in.local = p->local;
		in.remote = p->remote;
		ike_intent(e, &in);
		return 0;
	}
	if (peer_busy(p))
		return 0;
	return ike_initiate(e, now, p);
}

int
ike_connect(struct ike_engine *e, double now, const struct addr *local,
	    const struct addr *remote)
{
	return connect_peer(e, now, local, remote, true);
}

int
ike_connect_again(struct ike_engine *e, double now, const struct addr *local,
		  const struct addr *remote)
{
	return connect_peer(e, now, local, remote, false);
}

void
ike_release(struct ike_engine *e, double now, const struct addr *remote)
{
	struct ike_peer *p = ike_peer_find(e, remote);
	struct ike_sa *sa, *tmp;

	if (p == NULL || p->wants == 0)
		return;
	if (--p->wants > 0)
		return;
	/*
	 * Ours to end: SAs we started; the peer ends the ones it started.
	 * Destroying the last SA would free the peer under this loop.
	 */
	p->held = true;
	list_for_each_entry_safe(sa, tmp, &p->sas, peer_link)
		if (sa->initiator)
			ike_delete_sa(e, now, sa, "no longer needed");
	p->held = false;
	peer_maybe_free(e, p);
}

void
ike_kernel_acquire(struct ike_engine *e, double now, const struct addr *local,
		   const struct addr *remote)
{
	struct ike_peer *p = ike_peer_find(e, remote);

	if (p != NULL && peer_busy(p))
		return;
	p = ike_peer_get(e, local, remote);
	if (p != NULL)
		ike_initiate(e, now, p);
}

void
ike_kernel_expire(struct ike_engine *e, double now, const struct addr *dst,
		  uint32_t spi, bool hard)
{
	struct ike_sa *sa, *tmp;
	size_t i;

	list_for_each_entry_safe(sa, tmp, &e->sas, all) {
		for (i = 0; i < sa->nchild; i++) {
			struct ike_child *c = &sa->child[i];

			if (!((c->spi_in == spi &&
			       addr_eq(dst, &sa->path.local.addr)) ||
			      (c->spi_out == spi &&
			       addr_eq(dst, &sa->path.remote.addr))))
				continue;
			if (!hard) {
				/* Our timer should have been first. */
				ike_rekey_child_start(e, now, sa);
				return;
			}
			/*
			 * The kernel removed this SA; its twin expires too, or
			 * goes with the pair (deleting what is gone is
			 * harmless), and the IKE SA with them.
			 */
			ike_delete_sa(e, now, sa, "CHILD SA hard expiry");
			return;
		}
	}
}

void
ike_kernel_mapping(struct ike_engine *e, double now,
		   const struct addr *old_addr, uint16_t old_port,
		   const struct addr *new_addr, uint16_t new_port)
{
	struct ike_sa *sa;

	(void)now;
	/* RFC 7296 2.23: the peer moved behind its NAT; follow it. */
	list_for_each_entry(sa, &e->sas, all) {
		if (addr_eq(&sa->path.remote.addr, old_addr) &&
		    sa->path.remote.port == old_port) {
			struct ike_path np = sa->path;

			np.remote.addr = *new_addr;
			np.remote.port = new_port;
			ike_sa_move(e, sa, &np);
		}
	}
}
