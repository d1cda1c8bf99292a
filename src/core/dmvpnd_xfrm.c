/*
 * The XFRM side of dmvpnd's IKE (docs/ike.md): SAs and policies as the
 * engine's intents ask, ALLOCSPI, the "require ESP for GRE" wildcards,
 * reconciliation with the kernel by reqid range (start, event overrun,
 * stop), and the kernel's ACQUIRE, EXPIRE and MAPPING events.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/xfrm.h>

#include "dmvpn/ike.h"
#include "dmvpn/ike_crypto.h"
#include "dmvpn/log.h"
#include "dmvpn/xfrm.h"
#include "dmvpnd_ike.h"

/* --- XFRM ------------------------------------------------------------------
 */

static int
xfrm_do(struct ike_daemon *id, void *msg, size_t len, const char *what)
{
	if (len == 0 || xfrm_request(id->xfrm, msg, len, NULL, NULL) == -1) {
		int err = len == 0 ? EMSGSIZE : errno;

		if (err != ENOENT && err != ESRCH)
			log_warnx("ike: XFRM %s: %s", what, strerror(err));
		id->xfrm_errors++;
		errno = err;
		return -1;
	}
	return 0;
}

static void
esp_alg(struct xfrm_sa *sa, const struct ike_esp_keys *k)
{
	struct ike_esp_suite s = {.encr = k->encr,
				  .encr_keybits = k->encr_bits,
				  .integ = k->integ};
	struct ike_esp_xfrm x;

	if (ike_esp_xfrm_algs(&s, &x) == -1)
		return;
	if (x.aead != NULL) {
		sa->aead = true;
		snprintf(sa->enc.name, sizeof(sa->enc.name), "%s", x.aead);
		sa->enc.bits = (uint16_t)x.aead_icv_bits;
	} else {
		snprintf(sa->enc.name, sizeof(sa->enc.name), "%s", x.encr);
		snprintf(sa->auth.name, sizeof(sa->auth.name), "%s", x.auth);
		sa->auth.bits = (uint16_t)x.auth_trunc_bits;
		memcpy(sa->auth.key, k->integ_key, k->integ_key_len);
		sa->auth.keylen = (uint16_t)k->integ_key_len;
	}
	memcpy(sa->enc.key, k->encr_key, k->encr_key_len);
	sa->enc.keylen = (uint16_t)k->encr_key_len;
}

static void
build_sa(struct xfrm_sa *sa, const struct ike_child_sa *c, bool in)
{
	memset(sa, 0, sizeof(*sa));
	sa->src = in ? c->path.remote.addr : c->path.local.addr;
	sa->dst = in ? c->path.local.addr : c->path.remote.addr;
	sa->spi = in ? c->spi_in : c->spi_out;
	sa->reqid = c->reqid;
	sa->proto = IPPROTO_ESP;
	sa->mode = XFRM_MODE_TRANSPORT;
	/* Replay protection inbound; outbound must be 0 on new kernels. */
	sa->replay_window = in ? 32 : 0;
	sa->lft.soft_secs = (uint64_t)c->lifetime_soft;
	sa->lft.hard_secs = (uint64_t)c->lifetime_hard;
	if (c->encap) {
		sa->encap = true;
		sa->encap_sport = in ? c->path.remote.port : c->path.local.port;
		sa->encap_dport = in ? c->path.local.port : c->path.remote.port;
	}
	xfrm_sel_gre(&sa->sel, &sa->src, &sa->dst);
	esp_alg(sa, in ? &c->in : &c->out);
}

int
ikex_install_sa(struct ike_daemon *id, const struct ike_child_sa *c, bool in)
{
	struct xfrm_sa sa;
	int rc;

	build_sa(&sa, c, in);
	/* Inbound: ALLOCSPI made a larval state; update it (or make it). */
	rc = xfrm_sa_install(id->xfrm, &sa, in);
	if (rc == -1 && in && (errno == ENOENT || errno == ESRCH))
		rc = xfrm_sa_install(id->xfrm, &sa, false);
	if (rc == -1 && !in && errno == EEXIST)
		rc = xfrm_sa_install(id->xfrm, &sa, true);
	if (rc == -1) {
		log_warnx("ike: cannot install the %s SA %08x: %s",
			  in ? "inbound" : "outbound", sa.spi, strerror(errno));
		id->xfrm_errors++;
	}
	xfrm_sa_wipe(&sa);
	return rc;
}

void
ikex_peer_policies(struct ike_daemon *id, const struct addr *local,
		   const struct addr *remote, uint32_t reqid, bool add)
{
	static const uint8_t dirs[2] = {XFRM_POLICY_OUT, XFRM_POLICY_IN};
	uint8_t buf[XFRM_MSG_BUFSIZE];
	struct xfrm_policy p;
	size_t i, n;

	for (i = 0; i < 2; i++) {
		xfrm_policy_peer(&p, local, remote, dirs[i], reqid,
				 XFRM_PRIO_PEER);
		if (add)
			n = xfrm_msg_policy(buf, sizeof(buf), 0, &p, true);
		else
			n = xfrm_msg_policy_del(buf, sizeof(buf), 0, &p.sel,
						dirs[i]);
		xfrm_do(id, buf, n,
			add ? "add a peer policy" : "remove a peer policy");
	}
}

void
ikex_del_sa(struct ike_daemon *id, const struct addr *src,
	    const struct addr *dst, uint32_t spi)
{
	uint8_t buf[XFRM_MSG_BUFSIZE];
	size_t n = xfrm_msg_sa_del(buf, sizeof(buf), 0, src, dst, spi,
				   IPPROTO_ESP);

	xfrm_do(id, buf, n, "delete an SA");
}

struct spi_reply {
	uint32_t spi;
	bool got;
};

static int
on_allocspi(const struct nlmsghdr *nlh, void *arg)
{
	struct spi_reply *r = arg;
	struct xfrm_sa sa;

	if (nlh->nlmsg_type == XFRM_MSG_NEWSA && xfrm_parse_sa(nlh, &sa) == 0) {
		r->spi = sa.spi;
		r->got = true;
	}
	return 0;
}

int
ikex_alloc_spi(void *ctx, const struct addr *local, const struct addr *remote,
	       uint32_t *spi)
{
	struct ike_daemon *id = ctx;
	uint8_t buf[XFRM_MSG_BUFSIZE];
	struct spi_reply r = {0, false};
	size_t n = xfrm_msg_allocspi(buf, sizeof(buf), 0, remote, local, 0,
				     OUR_SPI_MIN, OUR_SPI_MAX);

	if (n == 0 || xfrm_request(id->xfrm, buf, n, on_allocspi, &r) == -1 ||
	    !r.got) {
		log_warnx("ike: XFRM ALLOCSPI: %s", strerror(errno));
		id->xfrm_errors++;
		return -1;
	}
	*spi = r.spi;
	return 0;
}

/* What an XFRM dump found. */
struct dump {
	struct xfrm_sa *sa;
	size_t nsa, capsa;
	struct xfrm_policy *pol;
	size_t npol, cappol;
};

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 64;
	nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

static int
on_dump(const struct nlmsghdr *nlh, void *arg)
{
	struct dump *dp = arg;

	if (nlh->nlmsg_type == XFRM_MSG_NEWSA) {
		if (grow((void **)&dp->sa, &dp->capsa, dp->nsa,
			 sizeof(*dp->sa)) == 0 &&
		    xfrm_parse_sa(nlh, &dp->sa[dp->nsa]) == 0)
			dp->nsa++;
	} else if (nlh->nlmsg_type == XFRM_MSG_NEWPOLICY) {
		if (grow((void **)&dp->pol, &dp->cappol, dp->npol,
			 sizeof(*dp->pol)) == 0 &&
		    xfrm_parse_policy(nlh, &dp->pol[dp->npol]) == 0)
			dp->npol++;
	}
	return 0;
}

static void
dump_free(struct dump *dp)
{
	size_t i;

	for (i = 0; i < dp->nsa; i++)
		xfrm_sa_wipe(&dp->sa[i]);
	free(dp->sa);
	free(dp->pol);
}

/*
 * The "require ESP for GRE" wildcards (docs/ike.md), both with our base
 * reqid: out, so traffic to a peer without an SA is dropped and
 * ACQUIREd; in, so cleartext GRE is dropped (GRE from a peer with an SA
 * matches that peer's own policy first, at a higher priority).
 */
static void
wildcard_policy(struct xfrm_policy *p, int family, uint8_t dir)
{
	xfrm_policy_wildcard(p, family, NULL, dir, IKE_REQID_BASE,
			     XFRM_PRIO_WILDCARD);
}

/* What we want installed: the engine's CHILD SAs, their policies. */
struct want {
	struct ike_daemon *id;
	struct xfrm_sa *sa;
	size_t nsa, capsa;
	struct xfrm_policy *pol;
	size_t npol, cappol;
};

static int
want_child(const struct ike_child_sa *c, void *arg)
{
	static const uint8_t dirs[2] = {XFRM_POLICY_OUT, XFRM_POLICY_IN};
	struct want *w = arg;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		if (k == 1 && c->inbound_only)
			break;
		if (grow((void **)&w->sa, &w->capsa, w->nsa, sizeof(*w->sa)) ==
		    -1)
			return -1;
		build_sa(&w->sa[w->nsa++], c, k == 0);
	}
	for (k = 0; k < 2; k++) {
		struct xfrm_policy p;

		xfrm_policy_peer(&p, &c->path.local.addr, &c->path.remote.addr,
				 dirs[k], c->reqid, XFRM_PRIO_PEER);
		for (i = 0; i < w->npol; i++)
			if (w->pol[i].dir == p.dir &&
			    w->pol[i].reqid == p.reqid &&
			    prefix_eq(&w->pol[i].sel.dst, &p.sel.dst))
				break;
		if (i < w->npol)
			continue;
		if (grow((void **)&w->pol, &w->cappol, w->npol,
			 sizeof(*w->pol)) == -1)
			return -1;
		w->pol[w->npol++] = p;
	}
	return 0;
}

/*
 * Make the kernel hold exactly what we want of our reqid range: at start
 * (what a kill -9 left goes), after an event overrun, and at stop (want
 * nothing).  With larval, also the ALLOCSPI states of our SPI range that
 * never became SAs (only when no exchange can be using them).
 */
void
ikex_reconcile(struct ike_daemon *id, bool want_ours, bool larval)
{
	static const uint8_t dirs[2] = {XFRM_POLICY_OUT, XFRM_POLICY_IN};
	struct xfrm_range r = {IKE_REQID_BASE, IKE_REQID_COUNT};
	uint8_t buf[XFRM_MSG_BUFSIZE];
	struct dump dp;
	struct want w;
	struct xfrm_plan plan;
	size_t i, n, dels = 0, adds = 0;
	int f;

	memset(&dp, 0, sizeof(dp));
	memset(&w, 0, sizeof(w));
	memset(&plan, 0, sizeof(plan));
	w.id = id;
	if (want_ours) {
		if (id->e != NULL &&
		    ike_foreach_child_sa(id->e, want_child, &w) != 0)
			goto out;
		for (f = 0; f < 2; f++) {
			if (!id->wildcard[f])
				continue;
			for (i = 0; i < 2; i++) {
				if (grow((void **)&w.pol, &w.cappol, w.npol,
					 sizeof(*w.pol)) == -1)
					goto out;
				wildcard_policy(&w.pol[w.npol++],
						f == 0 ? AF_INET : AF_INET6,
						dirs[i]);
			}
		}
	}
	n = xfrm_msg_dump(buf, sizeof(buf), 0, XFRM_MSG_GETSA);
	if (n == 0 || xfrm_request(id->xfrm, buf, n, on_dump, &dp) == -1)
		goto out;
	n = xfrm_msg_dump(buf, sizeof(buf), 0, XFRM_MSG_GETPOLICY);
	if (n == 0 || xfrm_request(id->xfrm, buf, n, on_dump, &dp) == -1)
		goto out;
	plan.del_sa = calloc(dp.nsa + 1, sizeof(size_t));
	plan.add_sa = calloc(w.nsa + 1, sizeof(size_t));
	plan.del_pol = calloc(dp.npol + 1, sizeof(size_t));
	plan.add_pol = calloc(w.npol + 1, sizeof(size_t));
	if (plan.del_sa == NULL || plan.add_sa == NULL ||
	    plan.del_pol == NULL || plan.add_pol == NULL ||
	    xfrm_reconcile(&r, dp.sa, dp.nsa, w.sa, w.nsa, dp.pol, dp.npol,
			   w.pol, w.npol, &plan) == -1)
		goto out;
	for (i = 0; i < plan.ndel_sa; i++, dels++) {
		const struct xfrm_sa *x = &dp.sa[plan.del_sa[i]];

		ikex_del_sa(id, &x->src, &x->dst, x->spi);
	}
	for (i = 0; larval && i < dp.nsa; i++) {
		const struct xfrm_sa *x = &dp.sa[i];

		if (x->reqid == 0 && x->proto == IPPROTO_ESP &&
		    x->spi >= OUR_SPI_MIN && x->spi <= OUR_SPI_MAX) {
			ikex_del_sa(id, &x->src, &x->dst, x->spi);
			dels++;
		}
	}
	for (i = 0; i < plan.ndel_pol; i++, dels++) {
		const struct xfrm_policy *p = &dp.pol[plan.del_pol[i]];

		n = xfrm_msg_policy_del(buf, sizeof(buf), 0, &p->sel, p->dir);
		xfrm_do(id, buf, n, "remove a policy");
	}
	for (i = 0; i < plan.nadd_sa; i++, adds++)
		if (xfrm_sa_install(id->xfrm, &w.sa[plan.add_sa[i]], true) ==
			    -1 &&
		    xfrm_sa_install(id->xfrm, &w.sa[plan.add_sa[i]], false) ==
			    -1)
			id->xfrm_errors++;
	for (i = 0; i < plan.nadd_pol; i++, adds++) {
		n = xfrm_msg_policy(buf, sizeof(buf), 0,
				    &w.pol[plan.add_pol[i]], true);
		xfrm_do(id, buf, n, "install a policy");
	}
	if (dels + adds > 0)
		log_info("ike: XFRM reconciled: %zu removed, %zu installed",
			 dels, adds);
out:
	free(plan.del_sa);
	free(plan.add_sa);
	free(plan.del_pol);
	free(plan.add_pol);
	for (i = 0; i < w.nsa; i++)
		xfrm_sa_wipe(&w.sa[i]);
	free(w.sa);
	free(w.pol);
	dump_free(&dp);
}

void
ikex_wildcards(struct ike_daemon *id, int family, bool add)
{
	static const uint8_t dirs[2] = {XFRM_POLICY_OUT, XFRM_POLICY_IN};
	uint8_t buf[XFRM_MSG_BUFSIZE];
	struct xfrm_policy p;
	size_t i, n;

	for (i = 0; i < 2; i++) {
		wildcard_policy(&p, family, dirs[i]);
		n = add ? xfrm_msg_policy(buf, sizeof(buf), 0, &p, true)
			: xfrm_msg_policy_del(buf, sizeof(buf), 0, &p.sel,
					      dirs[i]);
		xfrm_do(id, buf, n,
			add ? "add the GRE wildcard policy"
			    : "remove the GRE wildcard policy");
	}
}

static int
on_xfrm_event(const struct nlmsghdr *nlh, void *arg)
{
	struct ike_daemon *id = arg;
	struct xfrm_range r = {IKE_REQID_BASE, IKE_REQID_COUNT};
	struct xfrm_event ev;
	double now = ev_now(id->d->loop);

	if (xfrm_parse_event(nlh, &ev) != 0)
		return 0;
	switch (ev.type) {
	case XFRM_MSG_ACQUIRE:
		if (xfrm_range_has(&r, ev.acquire.reqid))
			ike_kernel_acquire(id->e, now, &ev.acquire.src,
					   &ev.acquire.dst);
		break;
	case XFRM_MSG_EXPIRE:
		if (xfrm_range_has(&r, ev.sa.reqid))
			ike_kernel_expire(id->e, now, &ev.sa.dst, ev.sa.spi,
					  ev.hard);
		break;
	case XFRM_MSG_MAPPING:
		if (xfrm_range_has(&r, ev.mapping.reqid))
			ike_kernel_mapping(id->e, now, &ev.mapping.old_addr,
					   ev.mapping.old_port,
					   &ev.mapping.new_addr,
					   ev.mapping.new_port);
		break;
	default:
		break;
	}
	xfrm_sa_wipe(&ev.sa);
	return 0;
}

void
ikex_on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ike_daemon *id = container_of(w, struct ike_daemon, xfrm_io);

	(void)loop;
	(void)revents;
	if (xfrm_read_events(id->xfrm_ev, on_xfrm_event, id) == -1 &&
	    errno == ENOBUFS) {
		/*
		 * Events were lost: expiries come again from our own rekey
		 * timers and ACQUIREs from NHRP's retries, but what the kernel
		 * holds may have changed under us; make it what we want.
		 */
		id->xfrm_overruns++;
		log_warnx("ike: XFRM event overrun: reconciling");
		ikex_reconcile(id, true, false);
	}
	ike_arm(id);
}

struct counters {
	uint64_t bytes, packets;
	bool got;
};

static int
on_getsa(const struct nlmsghdr *nlh, void *arg)
{
	struct counters *k = arg;
	struct xfrm_sa sa;

	if (nlh->nlmsg_type == XFRM_MSG_NEWSA && xfrm_parse_sa(nlh, &sa) == 0) {
		k->bytes = sa.cur_bytes;
		k->packets = sa.cur_packets;
		k->got = true;
		xfrm_sa_wipe(&sa);
	}
	return 0;
}

/* An SA's byte and packet counters as the kernel keeps them. */
void
ikex_sa_counters(struct ike_daemon *id, const struct addr *dst, uint32_t spi,
		 uint64_t *bytes, uint64_t *packets)
{
	uint8_t buf[XFRM_MSG_BUFSIZE];
	struct counters k = {0, 0, false};
	size_t n = xfrm_msg_sa_get(buf, sizeof(buf), 0, dst, spi, IPPROTO_ESP);

	if (n > 0)
		xfrm_request(id->xfrm, buf, n, on_getsa, &k);
	*bytes = k.bytes;
	*packets = k.packets;
}
