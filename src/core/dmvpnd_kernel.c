/*
 * The daemon's kernel plane: the rtnetlink sockets, the route engine's
 * operations, kernel events (neighbour misses, our routes and neighbours
 * changing under us, overruns) and route lookups for NHRP.
 *
 * Kernel state is reconciled, not assumed: at start, after an overrun
 * (ENOBUFS on the event socket) and on reload, the objects carrying our
 * marker are dumped and the route engine adds what is missing and
 * removes what is stale.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "dmvpn/log.h"
#include "dmvpnd.h"

/* RTM_F_FIB_MATCH (Linux 4.13): answer with the FIB entry itself. */
#ifndef RTM_F_FIB_MATCH
#define RTM_F_FIB_MATCH 0x2000
#endif

static int
route_apply(void *ctx, enum route_op op, const struct route_obj *o)
{
	struct daemon *d = ctx;
	uint8_t buf[512];
	size_t n;

	if (o->kind == ROUTE_KIND_NEIGH) {
		n = rtnl_msg_neigh(buf, sizeof(buf), 0, o->oif, &o->dst.addr,
				   &o->gateway, o->nud, d->conf->route_protocol,
				   op == ROUTE_OP_ADD);
	} else {
		struct rtnl_route r;

		memset(&r, 0, sizeof(r));
		r.dst = o->dst;
		r.gateway = o->gateway;
		r.oif = o->oif;
		r.table = o->table;
		r.protocol = d->conf->route_protocol;
		r.metric = o->metric;
		n = rtnl_msg_route(buf, sizeof(buf), 0, &r, op == ROUTE_OP_ADD);
	}
	if (rtnl_request(d->rtnl, buf, n, NULL, NULL) == -1) {
		char ps[ADDR_STRLEN];

		/* A delete of what is gone is fine (the engine knows). */
		if (op == ROUTE_OP_DEL && (errno == ENOENT || errno == ESRCH))
			return -1;
		log_warn("cannot %s %s %s",
			 op == ROUTE_OP_ADD ? "install" : "remove",
			 o->kind == ROUTE_KIND_NEIGH ? "neighbour" : "route",
			 prefix_fmt(&o->dst, ps));
		return -1;
	}
	return 0;
}

/* Only what carries our marker goes to the route engine. */
static bool
ours_route(struct daemon *d, const struct rtnl_route *r)
{
	return r->protocol == d->conf->route_protocol &&
	       tunnel_by_ifindex(d, r->oif) != NULL;
}

static void
route_obj_from_route(struct route_obj *o, const struct rtnl_route *r)
{
	memset(o, 0, sizeof(*o));
	o->kind = ROUTE_KIND_ROUTE;
	o->dst = r->dst;
	o->table = r->table;
	o->oif = r->oif;
	o->gateway = r->gateway;
	o->metric = r->metric;
}

static void
route_obj_from_neigh(struct route_obj *o, const struct rtnl_neigh *n)
{
	memset(o, 0, sizeof(*o));
	o->kind = ROUTE_KIND_NEIGH;
	o->dst.addr = n->dst;
	o->dst.plen = (uint8_t)addr_bits(&n->dst);
	o->oif = n->ifindex;
	o->gateway = n->lladdr;
	o->nud = NUD_REACHABLE; /* the kernel ages it; we want it there */
}

static int
on_dump_route(const struct nlmsghdr *nlh, void *arg)
{
	struct daemon *d = arg;
	struct rtnl_route r;
	struct route_obj o;

	if (rtnl_parse_route(nlh, &r) == 0 && ours_route(d, &r)) {
		route_obj_from_route(&o, &r);
		route_seen(d->routes, &o);
	}
	return 0;
}

/* Negative answers found by a dump, deleted once it is over. */
#define RESYNC_FAILED_MAX 64

struct neigh_dump {
	struct daemon *d;
	size_t nfailed;
	struct {
		int ifindex;
		struct addr dst;
	} failed[RESYNC_FAILED_MAX];
};

static int
on_dump_neigh(const struct nlmsghdr *nlh, void *arg)
{
	struct neigh_dump *nd = arg;
	struct daemon *d = nd->d;
	struct rtnl_neigh n;
	struct route_obj o;

	if (rtnl_parse_neigh(nlh, &n) == -1 ||
	    n.protocol != d->conf->route_protocol ||
	    tunnel_by_ifindex(d, n.ifindex) == NULL)
		return 0;
	if (!(n.state & NUD_FAILED)) {
		route_obj_from_neigh(&o, &n);
		route_seen(d->routes, &o);
	} else if (nd->nfailed < RESYNC_FAILED_MAX) {
		/*
		 * A negative answer to a neighbour miss (ours, or a previous
		 * run's): not the route engine's, and never wanted by a dump's
		 * time.  Gone, the kernel asks again on the next packet.
		 */
		nd->failed[nd->nfailed].ifindex = n.ifindex;
		nd->failed[nd->nfailed].dst = n.dst;
		nd->nfailed++;
	}
	return 0;
}

/*
 * Dump our routes and neighbours and make the kernel match what the
 * engines want.  Idempotent; cheap enough to run after every overrun.
 */
void
kernel_resync(struct daemon *d)
{
	static const int families[] = {AF_INET, AF_INET6};
	uint8_t buf[256];
	struct neigh_dump nd;
	size_t n, i;
	int ops;

	nd.d = d;
	nd.nfailed = 0;
	route_dump_begin(d->routes, ROUTE_KIND_ROUTE);
	route_dump_begin(d->routes, ROUTE_KIND_NEIGH);
	for (i = 0; i < 2; i++) {
		n = rtnl_msg_dump(buf, sizeof(buf), 0, RTM_GETROUTE,
				  families[i]);
		if (rtnl_request(d->rtnl, buf, n, on_dump_route, d) == -1)
			log_warn("route dump");
		n = rtnl_msg_dump(buf, sizeof(buf), 0, RTM_GETNEIGH,
				  families[i]);
		if (rtnl_request(d->rtnl, buf, n, on_dump_neigh, &nd) == -1)
			log_warn("neighbour dump");
	}
	/* Not from within the dump: its socket is the one we would use. */
	for (i = 0; i < nd.nfailed; i++) {
		n = rtnl_msg_neigh(buf, sizeof(buf), 0, nd.failed[i].ifindex,
				   &nd.failed[i].dst, NULL, 0,
				   d->conf->route_protocol, false);
		if (rtnl_request(d->rtnl, buf, n, NULL, NULL) == -1 &&
		    errno != ENOENT)
			log_warn("remove a negative neighbour");
	}
	ops = route_reconcile(d->routes);
	d->resync_pending = false;
	log_dbg(DBG_ROUTE, "resync: %d kernel operation(s)",
		ops + (int)nd.nfailed);
}

static void
on_resync(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	kernel_resync(container_of(t, struct daemon, resync));
}

static void
schedule_resync(struct daemon *d)
{
	if (d->resync_pending)
		return;
	d->resync_pending = true;
	/* Let the burst that overran us pass first. */
	ev_timer_set(&d->resync, 0.2, 0.);
	ev_timer_start(d->loop, &d->resync);
}

/*
 * The kernel asks for a neighbour (app_probes): a miss (INCOMPLETE) is
 * phase 2; a probe of an entry we installed means traffic uses it.
 */
static void
on_neigh_event(struct daemon *d, const struct nlmsghdr *nlh)
{
	struct rtnl_neigh n;
	struct tunnel *t;
	struct route_obj o;
	double now = ev_now(d->loop);

	if (rtnl_parse_neigh(nlh, &n) == -1)
		return;
	t = tunnel_by_ifindex(d, n.ifindex);
	if (t == NULL || t->nhrp == NULL)
		return;
	switch (n.type) {
	case RTM_GETNEIGH:
		if (n.state & (NUD_PROBE | NUD_DELAY | NUD_STALE))
			nhrp_neigh_used(t->nhrp, now, &n.dst);
		/*
		 * One of ours aged out (nothing confirms a forwarding path):
		 * it is no longer what we installed, so that the engine's
		 * answer installs it again (NUD_REACHABLE, confirmed) rather
		 * than finding it in place and leaving the kernel to fail it.
		 */
		if (n.protocol == d->conf->route_protocol) {
			route_obj_from_neigh(&o, &n);
			route_gone(d->routes, &o);
		}
		nhrp_neigh_miss(t->nhrp, now, &n.dst);
		tunnel_arm(t);
		break;
	case RTM_NEWNEIGH:
		if (n.protocol != d->conf->route_protocol)
			break;
		/* Used since we installed it: keep shortcuts through it. */
		if (n.state & (NUD_DELAY | NUD_PROBE))
			nhrp_neigh_used(t->nhrp, now, &n.dst);
		if (!(n.state & NUD_FAILED)) {
			route_obj_from_neigh(&o, &n);
			route_seen(d->routes, &o);
		}
		break;
	case RTM_DELNEIGH:
		if (n.protocol != d->conf->route_protocol && n.protocol != 0)
			break;
		route_obj_from_neigh(&o, &n);
		route_gone(d->routes, &o);
		/* Flushed by someone else: put it back if still wanted. */
		schedule_resync(d);
		break;
	default:
		break;
	}
}

static void
on_route_event(struct daemon *d, const struct nlmsghdr *nlh)
{
	struct rtnl_route r;
	struct route_obj o;

	if (rtnl_parse_route(nlh, &r) == -1 || !ours_route(d, &r))
		return;
	route_obj_from_route(&o, &r);
	if (r.type == RTM_NEWROUTE) {
		route_seen(d->routes, &o);
	} else {
		route_gone(d->routes, &o);
		schedule_resync(d);
	}
}

static void
on_link_event(struct daemon *d, const struct nlmsghdr *nlh)
{
	struct rtnl_link l;
	struct tunnel *t;

	if (rtnl_parse_link(nlh, &l) == -1)
		return;
	t = tunnel_by_ifindex(d, l.ifindex);
	if (t == NULL)
		return;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		log_error("tunnel %s: the device was deleted under us; "
			  "reload or restart dmvpnd to re-create it",
			  t->name);
		return;
	}
	/* Say so on a change only: events repeat the flags often. */
	if (t->link_up && !(l.flags & IFF_UP))
		log_warnx("tunnel %s: the device went down", t->name);
	else if (!t->link_up && (l.flags & IFF_UP))
		log_info("tunnel %s: the device is up", t->name);
	t->link_up = (l.flags & IFF_UP) != 0;
}

static int
on_event(const struct nlmsghdr *nlh, void *arg)
{
	struct daemon *d = arg;

	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
	case RTM_GETNEIGH:
		on_neigh_event(d, nlh);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route_event(d, nlh);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link_event(d, nlh);
		break;
	default:
		break;
	}
	return 0;
}

static void
on_rtnl_readable(struct ev_loop *loop, ev_io *io, int revents)
{
	struct daemon *d = container_of(io, struct daemon, rtnl_io);

	(void)loop;
	(void)revents;
	if (rtnl_read_events(d->rtnl_events, on_event, d) == 0)
		return;
	if (errno == ENOBUFS) {
		/* Events were lost: only a dump tells the truth now. */
		d->rtnl_overruns++;
		log_warnx("netlink overrun: resynchronising with the kernel");
		schedule_resync(d);
		return;
	}
	log_warn("netlink events");
}

int
kernel_open(struct daemon *d)
{
	struct route_ops ops = {.apply = route_apply, .ctx = d};
	uint32_t groups = 1u << (RTNLGRP_LINK - 1) | 1u << (RTNLGRP_NEIGH - 1) |
			  1u << (RTNLGRP_IPV4_ROUTE - 1) |
			  1u << (RTNLGRP_IPV6_ROUTE - 1);

	d->rtnl = rtnl_open();
	if (d->rtnl == NULL) {
		log_warn("netlink");
		return -1;
	}
	/* 8 MiB: a hub hears a neighbour request per new destination. */
	d->rtnl_events = rtnl_open_events(groups, 8 << 20);
	if (d->rtnl_events == NULL) {
		log_warn("netlink events");
		return -1;
	}
	d->routes = route_engine_new(&ops);
	if (d->routes == NULL) {
		log_error("out of memory");
		return -1;
	}
	ev_io_init(&d->rtnl_io, on_rtnl_readable, rtnl_fd(d->rtnl_events),
		   EV_READ);
	ev_io_start(d->loop, &d->rtnl_io);
	ev_timer_init(&d->resync, on_resync, 0., 0.);
	return 0;
}

void
kernel_close(struct daemon *d)
{
	if (d->routes != NULL) {
		int n = route_withdraw_all(d->routes);

		log_dbg(DBG_ROUTE, "withdrew %d kernel object(s)", n);
		route_engine_free(d->routes);
		d->routes = NULL;
	}
	if (d->rtnl_events != NULL) {
		ev_io_stop(d->loop, &d->rtnl_io);
		ev_timer_stop(d->loop, &d->resync);
	}
	rtnl_close(d->rtnl_events);
	rtnl_close(d->rtnl);
	d->rtnl_events = NULL;
	d->rtnl = NULL;
}

struct lookup {
	struct rtnl_route r;
	bool found;
};

static int
on_lookup(const struct nlmsghdr *nlh, void *arg)
{
	struct lookup *l = arg;

	if (nlh->nlmsg_type == RTM_NEWROUTE &&
	    rtnl_parse_route(nlh, &l->r) == 0)
		l->found = true;
	return 0;
}

/*
 * Ask the kernel how it routes dst (as if it came in on iif from src,
 * when iif is given): the outgoing interface, the gateway (or none) and,
 * thanks to RTM_F_FIB_MATCH, the matching route's prefix length.
 * 0, or -1 when unroutable or not a unicast or local route.
 */
int
kernel_route_lookup(struct daemon *d, int iif, const struct addr *dst,
		    const struct addr *src, struct kroute *out)
{
	uint8_t buf[256];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct lookup l;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	/* The ACK after the answer is what ends rtnl_request's wait. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = (uint8_t)addr_bits(dst);
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	mnl_attr_put(nlh, RTA_DST, dst->len, dst->bytes);
	if (iif > 0) {
		mnl_attr_put_u32(nlh, RTA_IIF, (uint32_t)iif);
		if (src != NULL && src->family == dst->family) {
			mnl_attr_put(nlh, RTA_SRC, src->len, src->bytes);
			rtm->rtm_src_len = (uint8_t)addr_bits(src);
		}
	}
	memset(&l, 0, sizeof(l));
	if (rtnl_request(d->rtnl, buf, nlh->nlmsg_len, on_lookup, &l) == -1 ||
	    !l.found)
		return -1;
	if (l.r.rtm_type != RTN_UNICAST && l.r.rtm_type != RTN_LOCAL)
		return -1;
	out->oif = l.r.oif;
	out->gateway = l.r.gateway;
	out->plen = l.r.dst.plen;
	out->local = l.r.rtm_type == RTN_LOCAL;
	return 0;
}
