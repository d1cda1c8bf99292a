/*
 * The daemon's answers to dmvpnctl: the engines' state turned into the
 * records of include/dmvpn/ctl.h.  The control server (src/ctl) frames,
 * checks and dispatches; this file only knows what to say.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/ctl.h"
#include "dmvpn/log.h"
#include "dmvpn/nhrp_wire.h"
#include "dmvpnd.h"
#include "dmvpnd_hooks.h"

static enum ctl_peer_type
peer_type(enum nhrp_cache_type t)
{
	switch (t) {
	case NHRP_CACHE_STATIC:
		return CTL_PEER_STATIC;
	case NHRP_CACHE_DYNAMIC:
		return CTL_PEER_DYNAMIC;
	case NHRP_CACHE_NHS:
		return CTL_PEER_NHS;
	case NHRP_CACHE_SHORTCUT:
		return CTL_PEER_SHORTCUT;
	case NHRP_CACHE_LOCAL:
		return CTL_PEER_LOCAL;
	case NHRP_CACHE_NEGATIVE:
		return CTL_PEER_NEGATIVE;
	case NHRP_CACHE_INCOMPLETE:
		break;
	}
	return CTL_PEER_INCOMPLETE;
}

static enum ctl_peer_state
peer_state(enum nhrp_peer_state s)
{
	switch (s) {
	case NHRP_PEER_UP:
		return CTL_PEER_UP;
	case NHRP_PEER_IKE:
		return CTL_PEER_IKE;
	case NHRP_PEER_NHRP:
		return CTL_PEER_NHRP;
	case NHRP_PEER_DOWN:
		break;
	}
	return CTL_PEER_DOWN;
}

struct peer_ctx {
	struct ctl_conn *c;
	bool skip_local;
	uint32_t count;
	int rc;
};

static int
peer_cb(const struct nhrp_peer_info *pi, void *arg)
{
	struct peer_ctx *pc = arg;
	struct ctl_peer p;

	if (pc->skip_local && pi->type == NHRP_CACHE_LOCAL)
		return 0;
	pc->count++;
	if (pc->c == NULL)
		return 0;
	memset(&p, 0, sizeof(p));
	snprintf(p.ifname, sizeof(p.ifname), "%s", pi->ifname);
	p.proto = pi->proto;
	p.nbma = pi->nbma;
	if (pi->nat)
		p.claimed_nbma = pi->claimed_nbma;
	p.nexthop = pi->nexthop;
	p.type = peer_type(pi->type);
	p.state = peer_state(pi->state);
	p.flags = (pi->unique ? CTL_PEER_F_UNIQUE : 0) |
		  (pi->nat ? CTL_PEER_F_NAT : 0) |
		  (pi->used ? CTL_PEER_F_USED : 0) |
		  (pi->type == NHRP_CACHE_SHORTCUT &&
				   !prefix_eq(&pi->proto,
					      &(struct prefix){
						      pi->nexthop,
						      (uint8_t)addr_bits(
							      &pi->nexthop)})
			   ? CTL_PEER_F_ROUTE
			   : 0);
	p.expires_in = pi->expires_in < 0 ? -1 : (int64_t)pi->expires_in;
	p.uptime = pi->uptime > 0 ? (uint64_t)pi->uptime : 0;
	pc->rc = ctl_send_peer(pc->c, &p);
	return pc->rc;
}

static int
show_peers(void *arg, struct ctl_conn *c)
{
	struct daemon *d = arg;
	struct peer_ctx pc = {.c = c};
	struct tunnel *t;

	list_for_each_entry(t, &d->tunnels, link)
		if (t->nhrp != NULL &&
		    nhrp_foreach_peer(t->nhrp, ev_now(d->loop), peer_cb, &pc) !=
			    0)
			return -1;
	return 0;
}

static int
show_dmvpn(void *arg, struct ctl_conn *c)
{
	struct daemon *d = arg;
	struct tunnel *t;
	struct ctl_interface ci;

	list_for_each_entry(t, &d->tunnels, link) {
		struct peer_ctx count = {.skip_local = true};
		struct peer_ctx pc = {.c = c, .skip_local = true};

		if (t->nhrp == NULL)
			continue;
		nhrp_foreach_peer(t->nhrp, ev_now(d->loop), peer_cb, &count);
		memset(&ci, 0, sizeof(ci));
		snprintf(ci.ifname, sizeof(ci.ifname), "%s", t->name);
		ci.role = t->conf->role == CONF_ROLE_HUB ? CTL_ROLE_HUB
							 : CTL_ROLE_SPOKE;
		ci.peers = count.count;
		ci.nbma = t->local_nbma;
		if (t->conf->naddresses > 0)
			ci.tunnel = t->conf->addresses[0];
		if (ctl_send_interface(c, &ci) == -1 ||
		    nhrp_foreach_peer(t->nhrp, ev_now(d->loop), peer_cb, &pc) !=
			    0)
			return -1;
	}
	return 0;
}

static int
nhs_cb(const struct nhrp_nhs_info *ni, void *arg)
{
	struct ctl_conn *c = arg;
	struct ctl_nhs n;

	memset(&n, 0, sizeof(n));
	snprintf(n.ifname, sizeof(n.ifname), "%s", ni->ifname);
	n.proto = ni->proto;
	n.nbma = ni->nbma;
	if (ni->fqdn != NULL)
		snprintf(n.fqdn, sizeof(n.fqdn), "%s", ni->fqdn);
	n.state = ni->state == NHRP_NHS_UP        ? CTL_NHS_UP
		  : ni->state == NHRP_NHS_PROBING ? CTL_NHS_PROBING
						  : CTL_NHS_DOWN;
	n.priority = ni->priority;
	n.cluster = ni->cluster;
	n.uptime = ni->uptime > 0 ? (uint64_t)ni->uptime : 0;
	n.failures = ni->failures;
	return ctl_send_nhs(c, &n);
}

static int
show_nhs(void *arg, struct ctl_conn *c)
{
	struct daemon *d = arg;
	struct tunnel *t;

	list_for_each_entry(t, &d->tunnels, link)
		if (t->nhrp != NULL &&
		    nhrp_foreach_nhs(t->nhrp, ev_now(d->loop), nhs_cb, c) != 0)
			return -1;
	return 0;
}

struct route_ctx {
	struct daemon *d;
	struct ctl_conn *c;
};

static int
route_cb(const struct route_obj *o, bool installed, void *arg)
{
	struct route_ctx *rc = arg;
	struct tunnel *t = tunnel_by_ifindex(rc->d, o->oif);
	struct ctl_route r;

	if (o->kind != ROUTE_KIND_ROUTE)
		return 0;
	memset(&r, 0, sizeof(r));
	r.dst = o->dst;
	r.via = o->gateway;
	snprintf(r.ifname, sizeof(r.ifname), "%s", t != NULL ? t->name : "?");
	if (rc->d->conf->route_protocol == RTNL_PROTO_NHRP)
		snprintf(r.protocol, sizeof(r.protocol), "nhrp");
	else
		snprintf(r.protocol, sizeof(r.protocol), "%u",
			 rc->d->conf->route_protocol);
	r.table = o->table;
	r.installed = installed;
	return ctl_send_route(rc->c, &r);
}

static int
show_routes(void *arg, struct ctl_conn *c)
{
	struct route_ctx rc = {.d = arg, .c = c};

	return route_foreach(rc.d->routes, route_cb, &rc) != 0 ? -1 : 0;
}

static int
show_stats(void *arg, struct ctl_conn *c)
{
	struct daemon *d = arg;
	struct nhrp_stats sum;
	const struct route_stats *rs = route_stats(d->routes);
	struct tunnel *t;
	uint64_t rx_errors = 0, tx_errors = 0, captured = 0, relayed = 0;
	size_t i;

	memset(&sum, 0, sizeof(sum));
	list_for_each_entry(t, &d->tunnels, link) {
		const struct nhrp_stats *s;

		rx_errors += t->rx_errors;
		tx_errors += t->tx_errors;
		captured += t->redirect_captured;
		relayed += t->redirect_relayed;
		if (t->nhrp == NULL)
			continue;
		s = nhrp_stats(t->nhrp);
		for (i = 0; i < 9; i++) {
			sum.rx_by_type[i] += s->rx_by_type[i];
			sum.tx_by_type[i] += s->tx_by_type[i];
		}
		for (i = 0; i < NHRP_DROP_MAX; i++)
			sum.drops[i] += s->drops[i];
		sum.registrations_accepted += s->registrations_accepted;
		sum.registrations_rejected += s->registrations_rejected;
		sum.registrations_nat += s->registrations_nat;
		sum.registrations_unauthorized += s->registrations_unauthorized;
		sum.resolutions_answered += s->resolutions_answered;
		sum.resolutions_forwarded += s->resolutions_forwarded;
		sum.replies_forwarded += s->replies_forwarded;
		sum.indications_sent += s->indications_sent;
		sum.indications_suppressed += s->indications_suppressed;
		sum.shortcuts_installed += s->shortcuts_installed;
		sum.purges_sent += s->purges_sent;
		sum.errors_sent += s->errors_sent;
		sum.send_failures += s->send_failures;
	}
	for (i = 1; i < 9; i++) {
		const char *name = nhrp_type_name((uint8_t)i);

		if (ctl_send_stat(c, "rx_by_type", name, sum.rx_by_type[i]) ==
			    -1 ||
		    ctl_send_stat(c, "tx_by_type", name, sum.tx_by_type[i]) ==
			    -1)
			return -1;
	}
	ctl_send_stat(c, "rx_by_type", "unknown", sum.rx_by_type[0]);
	for (i = 0; i < NHRP_DROP_MAX; i++)
		if (ctl_send_stat(c, "drops_by_reason",
				  nhrp_drop_name((enum nhrp_drop)i),
				  sum.drops[i]) == -1)
			return -1;
#define NHRP_STAT(name) ctl_send_stat(c, "nhrp", #name, sum.name)
	NHRP_STAT(registrations_accepted);
	NHRP_STAT(registrations_rejected);
	NHRP_STAT(registrations_nat);
	NHRP_STAT(registrations_unauthorized);
	NHRP_STAT(resolutions_answered);
	NHRP_STAT(resolutions_forwarded);
	NHRP_STAT(replies_forwarded);
	NHRP_STAT(indications_sent);
	NHRP_STAT(indications_suppressed);
	NHRP_STAT(shortcuts_installed);
	NHRP_STAT(purges_sent);
	NHRP_STAT(errors_sent);
	NHRP_STAT(send_failures);
#undef NHRP_STAT
	ctl_send_stat(c, "nhrp", "socket_rx_errors", rx_errors);
	ctl_send_stat(c, "nhrp", "socket_tx_errors", tx_errors);
	ctl_send_stat(c, "nhrp", "redirect_captured", captured);
	ctl_send_stat(c, "nhrp", "redirect_relayed", relayed);
	ctl_send_stat(c, "kernel", "route_adds", rs->adds);
	ctl_send_stat(c, "kernel", "route_dels", rs->dels);
	ctl_send_stat(c, "kernel", "route_failures", rs->failures);
	ctl_send_stat(c, "kernel", "repaired", rs->repaired);
	ctl_send_stat(c, "kernel", "stale_removed", rs->stale);
	ctl_send_stat(c, "kernel", "resyncs", rs->resyncs);
	ctl_send_stat(c, "kernel", "netlink_overruns", d->rtnl_overruns);
	if (daemon_ike_send_stats(d, c) == -1)
		return -1;
	return hooks_send_stats(d->hooks, c);
}

static int
show_ike(void *arg, struct ctl_conn *c)
{
	return daemon_ike_show(arg, c);
}

static int
show_config(void *arg, struct ctl_conn *c)
{
	struct daemon *d = arg;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return -1;
	conf_print_flags(f, d->conf, CONF_PRINT_HIDE_SECRETS);
	fclose(f);
	rc = ctl_send_config(c, text, len);
	free(text);
	return rc;
}

static int
do_reload(void *arg, struct ctl_conn *c)
{
	struct daemon *d = arg;
	char why[256];

	if (daemon_reload(d, why, sizeof(why)) == -1) {
		ctl_send_result(c, CTL_RES_ERROR, "%s", why);
		return -1;
	}
	return ctl_send_result(c, CTL_RES_OK, "%s", why);
}

static int
do_flush(void *arg, struct ctl_conn *c, const struct addr *peer)
{
	struct daemon *d = arg;
	struct tunnel *t;
	int n = 0;

	list_for_each_entry(t, &d->tunnels, link) {
		if (t->nhrp == NULL)
			continue;
		n += nhrp_flush(t->nhrp, ev_now(d->loop), peer);
		tunnel_arm(t);
	}
	return ctl_send_result(c, CTL_RES_OK, "flushed %d entr%s", n,
			       n == 1 ? "y" : "ies");
}

static int
do_purge(void *arg, struct ctl_conn *c, const struct addr *addr)
{
	struct daemon *d = arg;
	struct tunnel *t;
	int n = 0;

	list_for_each_entry(t, &d->tunnels, link) {
		if (t->nhrp == NULL)
			continue;
		n += nhrp_purge(t->nhrp, ev_now(d->loop), addr);
		tunnel_arm(t);
	}
	if (n == 0)
		return ctl_send_result(c, CTL_RES_NOT_FOUND,
				       "no binding for that address");
	return ctl_send_result(c, CTL_RES_OK, "purged %d binding%s", n,
			       n == 1 ? "" : "s");
}

int
daemon_ctl_start(struct daemon *d)
{
	struct ctl_handlers h = {
		.show_dmvpn = show_dmvpn,
		.show_peers = show_peers,
		.show_nhs = show_nhs,
		.show_routes = show_routes,
		.show_stats = show_stats,
		.show_config = show_config,
		.show_ike = show_ike,
		.reload = do_reload,
		.flush = do_flush,
		.purge = do_purge,
		.arg = d,
	};
	struct ctl_server_conf sc;

	memset(&sc, 0, sizeof(sc));
	sc.path = d->conf->control_socket;
	d->ctl = ctl_server_new(d->loop, &sc, &h);
	return d->ctl == NULL ? -1 : 0;
}

void
daemon_ctl_stop(struct daemon *d)
{
	ctl_server_free(d->ctl);
	d->ctl = NULL;
}
