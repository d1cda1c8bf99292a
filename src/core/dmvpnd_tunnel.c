/*
 * A tunnel brought to life: the multipoint GRE device (made or adopted),
 * its addresses and neighbour-table settings, the NHRP socket and the
 * hub's redirect capture on the event loop, and the NHRP engine whose
 * intents become kernel objects through the route engine.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "dmvpn/log.h"
#include "dmvpn/nhrp_io.h"
#include "dmvpn/nhrp_reqid.h"
#include "dmvpnd.h"
#include "dmvpnd_hooks.h"

/* Shortcut routes sit below BGP's (FRR uses 20) so the more specific wins
 * and an equal prefix from a routing daemon is never replaced. */
#define SHORTCUT_METRIC 10

/* A hub wants at least this many neighbour entries (one per spoke). */
#define HUB_GC_THRESH3 16384

struct tunnel *
tunnel_by_ifindex(struct daemon *d, int ifindex)
{
	struct tunnel *t;

	list_for_each_entry(t, &d->tunnels, link)
		if (t->ifindex == ifindex && ifindex > 0)
			return t;
	return NULL;
}

struct tunnel *
tunnel_by_name(struct daemon *d, const char *name)
{
	struct tunnel *t;

	list_for_each_entry(t, &d->tunnels, link)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* Write a sysctl under /proc/sys; -1 with errno. */
static int
sysctl_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

static long
sysctl_read(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* The engine's next deadline becomes the tunnel's one libev timer. */
void
tunnel_arm(struct tunnel *t)
{
	double at = nhrp_next_deadline(t->nhrp);

	ev_timer_stop(t->d->loop, &t->deadline);
	if (at < 0)
		return;
	at -= ev_now(t->d->loop);
	ev_timer_set(&t->deadline, at > 0 ? at : 0, 0.);
	ev_timer_start(t->d->loop, &t->deadline);
}

static void
on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tunnel *t = container_of(w, struct tunnel, deadline);

	(void)revents;
	nhrp_tick(t->nhrp, ev_now(loop));
	tunnel_arm(t);
}

static void
on_nhrp_readable(struct ev_loop *loop, ev_io *io, int revents)
{
	struct tunnel *t = container_of(io, struct tunnel, nhrp_io);
	uint8_t buf[4096]; /* larger than any NHRP packet we accept */
	struct addr from;
	ssize_t n;
	int i;

	(void)revents;
	/* Bounded per wake-up so one busy tunnel cannot starve the rest. */
	for (i = 0; i < 64; i++) {
		n = nhrp_io_recv(t->nhrp_fd, buf, sizeof(buf), &from);
		if (n == 0)
			break;
		if (n < 0) {
			t->rx_errors++;
			if (errno != EMSGSIZE)
				break;
			continue;
		}
		nhrp_recv(t->nhrp, ev_now(loop), &from, buf, (size_t)n);
	}
	tunnel_arm(t);
}

/*
 * Did the kernel forward this packet back into the tunnel?  Asked with
 * the packet's addresses as if it came in on the tunnel; cached per
 * destination for a few seconds, since every relayed packet lands here.
 */
static bool
is_redirect(struct tunnel *t, const struct addr *src, const struct addr *dst)
{
	struct redirect_slot *s =
		&t->redirect_cache[addr_hash(dst) % REDIRECT_CACHE];
	double now = ev_now(t->d->loop);
	struct kroute kr;

	if (addr_eq(&s->dst, dst) && s->expires > now)
		return s->redirect;
	s->dst = *dst;
	s->expires = now + REDIRECT_CACHE_TTL;
	s->redirect =
		kernel_route_lookup(t->d, t->ifindex, dst, src, &kr) == 0 &&
		!kr.local && kr.oif == t->ifindex;
	if (log_dbg_on(DBG_NHRP)) {
		char ss[ADDR_STRLEN], ds[ADDR_STRLEN];

		log_dbg(DBG_NHRP, "%s: %s -> %s %s", t->name, addr_fmt(src, ss),
			addr_fmt(dst, ds),
			s->redirect ? "goes back into the tunnel"
				    : "leaves the tunnel");
	}
	return s->redirect;
}

static void
on_redirect_readable(struct ev_loop *loop, ev_io *io, int revents)
{
	struct tunnel *t = container_of(io, struct tunnel, redirect_io);
	uint8_t buf[NHRP_IO_SNAPLEN];
	struct addr from, src = {0}, dst = {0};
	ssize_t n;
	int i;

	(void)revents;
	for (i = 0; i < 256; i++) {
		n = nhrp_redirect_recv(t->redirect_fd, buf, sizeof(buf), &from);
		if (n <= 0)
			break;
		if ((buf[0] >> 4) == 4 && n >= 20) {
			addr_from_bytes(&src, buf + 12, 4);
			addr_from_bytes(&dst, buf + 16, 4);
		} else if ((buf[0] >> 4) == 6 && n >= 40) {
			addr_from_bytes(&src, buf + 8, 16);
			addr_from_bytes(&dst, buf + 24, 16);
		} else {
			continue;
		}
		t->redirect_captured++;
		if (is_redirect(t, &src, &dst)) {
			t->redirect_relayed++;
			nhrp_redirect_seen(t->nhrp, ev_now(loop), &from, buf,
					   (size_t)n);
		}
	}
	tunnel_arm(t);
}

static void engine_conf_free(struct nhrp_conf *nc);

/* --- the engine's ops --------------------------------------------------- */

static void
op_send(void *ctx, const struct addr *dst, const uint8_t *pkt, size_t len)
{
	struct tunnel *t = ctx;
	char as[ADDR_STRLEN];

	if (nhrp_io_send(t->nhrp_fd, t->ifindex, dst, pkt, len) == -1) {
		t->tx_errors++;
		log_dbg(DBG_NHRP, "%s: send to %s: %s", t->name,
			addr_fmt(dst, as), strerror(errno));
	}
}

static void
neigh_obj(struct tunnel *t, const struct nhrp_intent *in, struct route_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = ROUTE_KIND_NEIGH;
	o->dst.addr = in->proto;
	o->dst.plen = (uint8_t)addr_bits(&in->proto);
	o->oif = t->ifindex;
	o->gateway = in->nbma;
	o->nud = NUD_REACHABLE;
}

static void
route_obj(struct tunnel *t, const struct nhrp_intent *in, struct route_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = ROUTE_KIND_ROUTE;
	o->dst = in->dst;
	o->table = t->conf->route_table;
	o->oif = t->ifindex;
	o->gateway = in->proto;
	o->metric = SHORTCUT_METRIC;
}

/* A failed resolution answers the kernel's miss at once (phase 2). */
static void
neigh_fail(struct tunnel *t, const struct addr *proto)
{
	uint8_t buf[256];
	size_t n;

	n = rtnl_msg_neigh(buf, sizeof(buf), 0, t->ifindex, proto, NULL,
			   NUD_FAILED, t->d->conf->route_protocol, true);
	if (rtnl_request(t->d->rtnl, buf, n, NULL, NULL) == -1)
		log_dbg(DBG_RTNL, "%s: negative neighbour: %s", t->name,
			strerror(errno));
}

static int
on_get_neigh(const struct nlmsghdr *nlh, void *arg)
{
	struct rtnl_neigh *n = arg;

	if (nlh->nlmsg_type == RTM_NEWNEIGH)
		rtnl_parse_neigh(nlh, n);
	return 0;
}

/*
 * The negative answer for proto is withdrawn (its entry expired, or the
 * engine stops): remove the kernel's FAILED entry neigh_fail() left, so
 * the kernel asks again, and nothing of ours outlives us.  It is not the
 * route engine's; and the entry is removed only while still FAILED, as a
 * mapping installed since then is another's.
 */
static void
neigh_forget(struct tunnel *t, const struct addr *proto)
{
	uint8_t buf[256];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	struct rtnl_neigh n;
	size_t len;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)proto->family;
	ndm->ndm_ifindex = t->ifindex;
	mnl_attr_put(nlh, NDA_DST, proto->len, proto->bytes);
	memset(&n, 0, sizeof(n));
	if (rtnl_request(t->d->rtnl, buf, nlh->nlmsg_len, on_get_neigh, &n) ==
		    -1 ||
	    !(n.state & NUD_FAILED) || n.protocol != t->d->conf->route_protocol)
		return;
	len = rtnl_msg_neigh(buf, sizeof(buf), 0, t->ifindex, proto, NULL, 0,
			     t->d->conf->route_protocol, false);
	if (rtnl_request(t->d->rtnl, buf, len, NULL, NULL) == -1 &&
	    errno != ENOENT)
		log_dbg(DBG_RTNL, "%s: remove a negative neighbour: %s",
			t->name, strerror(errno));
}

static void
op_intent(void *ctx, const struct nhrp_intent *in)
{
	struct tunnel *t = ctx;
	struct route_obj o;
	char ps[ADDR_STRLEN], ns[ADDR_STRLEN];

	switch (in->type) {
	case NHRP_I_NEIGH_SET:
		neigh_obj(t, in, &o);
		route_want(t->d->routes, &o);
		break;
	case NHRP_I_NEIGH_DEL:
		neigh_obj(t, in, &o);
		route_unwant(t->d->routes, &o);
		/* No NBMA address: the withdrawal of a negative answer. */
		if (addr_is_none(&in->nbma))
			neigh_forget(t, &in->proto);
		break;
	case NHRP_I_NEIGH_FAIL:
		neigh_fail(t, &in->proto);
		break;
	case NHRP_I_ROUTE_ADD:
		route_obj(t, in, &o);
		route_want(t->d->routes, &o);
		break;
	case NHRP_I_ROUTE_DEL:
		route_obj(t, in, &o);
		route_unwant(t->d->routes, &o);
		break;
	case NHRP_I_IPSEC_UP:
	case NHRP_I_IPSEC_DOWN:
		daemon_ike_nhrp(t->d, t, &t->local_nbma, &in->nbma,
				in->type == NHRP_I_IPSEC_UP);
		break;
	case NHRP_I_EVENT:
		log_info("%s: %s %s nbma %s%s%s", t->name,
			 nhrp_event_name(in->event),
			 in->dst.addr.family != 0 ? prefix_fmt(&in->dst, ps)
						  : addr_fmt(&in->proto, ps),
			 addr_fmt(&in->nbma, ns), in->reason ? ": " : "",
			 in->reason ? in->reason : "");
		hooks_event(t->d->hooks, t, in);
		break;
	}
}

/*
 * How the kernel routes dst, as NHRP asks it: into this tunnel (1, next
 * hop), out of another interface of ours (0, the route's prefix), or
 * neither (-1).  Default routes and routes back out of the NBMA side are
 * not "behind us": answering for them would hijack the Internet.
 */
static int
op_route_lookup(void *ctx, const struct addr *dst, struct addr *nexthop,
		uint8_t *plen)
{
	struct tunnel *t = ctx;
	struct kroute kr;

	if (kernel_route_lookup(t->d, 0, dst, NULL, &kr) == -1)
		return -1;
	if (kr.oif == t->ifindex) {
		*nexthop = addr_is_none(&kr.gateway) ? *dst : kr.gateway;
		*plen = kr.plen;
		return 1;
	}
	if (kr.plen == 0 || kr.local)
		return -1;
	if (t->conf->nbma_ifname[0] != '\0' &&
	    kr.oif == (int)if_nametoindex(t->conf->nbma_ifname))
		return -1;
	*plen = kr.plen;
	return 0;
}

static char *
reqid_path(struct tunnel *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s/reqid-%s", t->d->conf->state_dir, t->name);
	return buf;
}

static int
op_reqid_reserve(void *ctx, uint32_t limit)
{
	struct tunnel *t = ctx;
	char path[512];

	return nhrp_reqid_persist(reqid_path(t, path, sizeof(path)), limit);
}

/* --- the device ----------------------------------------------------------- */

struct link_find {
	struct rtnl_link link;
	bool found;
};

static int
on_link(const struct nlmsghdr *nlh, void *arg)
{
	struct link_find *f = arg;

	if (rtnl_parse_link(nlh, &f->link) == 0)
		f->found = true;
	return 0;
}

static int
find_link(struct daemon *d, const char *name, struct rtnl_link *out)
{
	uint8_t buf[256];
	struct link_find f;
	size_t n;

	memset(&f, 0, sizeof(f));
	n = rtnl_msg_get_link(buf, sizeof(buf), 0, name);
	if (rtnl_request(d->rtnl, buf, n, on_link, &f) == -1 || !f.found)
		return -1;
	*out = f.link;
	return 0;
}

struct addr_find {
	int ifindex;
	struct addr a;
};

static int
on_addr(const struct nlmsghdr *nlh, void *arg)
{
	struct addr_find *f = arg;
	struct rtnl_addr a;

	if (addr_is_none(&f->a) && rtnl_parse_addr(nlh, &a) == 0 &&
	    a.ifindex == f->ifindex)
		f->a = a.prefix.addr;
	return 0;
}

/* The NBMA address of `nbma-interface`: its first IPv4 address. */
static int
nbma_address(struct daemon *d, int ifindex, struct addr *out)
{
	uint8_t buf[128];
	struct addr_find f;
	size_t n;

	memset(&f, 0, sizeof(f));
	f.ifindex = ifindex;
	n = rtnl_msg_dump(buf, sizeof(buf), 0, RTM_GETADDR, AF_INET);
	if (rtnl_request(d->rtnl, buf, n, on_addr, &f) == -1 ||
	    addr_is_none(&f.a))
		return -1;
	*out = f.a;
	return 0;
}

static int
request(struct tunnel *t, void *buf, size_t n, const char *what)
{
	if (rtnl_request(t->d->rtnl, buf, n, NULL, NULL) == 0)
		return 0;
	log_warn("tunnel %s: %s", t->name, what);
	return -1;
}

/*
 * Create the multipoint GRE device, or adopt an existing one whose
 * parameters match (and say what differs when they do not); then make
 * it ours: up, NOARP cleared, addresses, the neighbour table asking
 * userspace (app_probes 1, no unicast or multicast probes on the wire).
 */
static int
device_setup(struct tunnel *t, struct addr *local_nbma)
{
	struct conf_tunnel *c = t->conf;
	struct rtnl_gre g;
	struct rtnl_link l;
	uint8_t buf[1024];
	char why[256], path[128];
	size_t n, i;
	long thresh;

	memset(&g, 0, sizeof(g));
	snprintf(g.ifname, sizeof(g.ifname), "%s", t->name);
	g.key_set = c->has_gre_key;
	g.key = c->gre_key;
	g.ttl = c->ttl;
	g.mtu = c->mtu;
	g.pmtudisc = true;
	if (c->nbma_ifname[0] != '\0') {
		if (find_link(t->d, c->nbma_ifname, &l) == -1) {
			log_error("tunnel %s: nbma-interface %s not found",
				  t->name, c->nbma_ifname);
			return -1;
		}
		g.link = (uint32_t)l.ifindex;
		if (nbma_address(t->d, l.ifindex, &g.local) == -1) {
			log_error("tunnel %s: nbma-interface %s has no IPv4 "
				  "address",
				  t->name, c->nbma_ifname);
			return -1;
		}
	} else {
		g.local = c->local;
	}
	*local_nbma = g.local;
	t->local_nbma = g.local;
	if (find_link(t->d, t->name, &l) == 0) {
		if (rtnl_gre_match(&l, &g, why, sizeof(why)) == -1) {
			log_error("tunnel %s: cannot adopt the existing "
				  "device: %s",
				  t->name, why);
			return -1;
		}
		log_info("tunnel %s: adopting the existing device", t->name);
		if (c->mtu != 0 && l.mtu != c->mtu) {
			n = rtnl_msg_gre(buf, sizeof(buf), 0, &g, false);
			request(t, buf, n, "set mtu");
		}
	} else {
		n = rtnl_msg_gre(buf, sizeof(buf), 0, &g, true);
		if (request(t, buf, n, "create the GRE device") == -1)
			return -1;
		t->created = true;
		if (find_link(t->d, t->name, &l) == -1) {
			log_error("tunnel %s: created but not found", t->name);
			return -1;
		}
	}
	t->ifindex = l.ifindex;
	n = rtnl_msg_link_flags(buf, sizeof(buf), 0, t->ifindex, true, false);
	if (request(t, buf, n, "bring the device up") == -1)
		return -1;
	for (i = 0; i < c->naddresses; i++) {
		n = rtnl_msg_addr(buf, sizeof(buf), 0, t->ifindex,
				  &c->addresses[i], true);
		request(t, buf, n, "add an address");
	}
	n = rtnl_msg_neightbl(buf, sizeof(buf), 0, AF_INET, t->ifindex, 1, 0,
			      0);
	request(t, buf, n, "set the neighbour table");
	n = rtnl_msg_neightbl(buf, sizeof(buf), 0, AF_INET6, t->ifindex, 1, 0,
			      0);
	rtnl_request(t->d->rtnl, buf, n, NULL, NULL);
	/* The hub must not tell spokes to go elsewhere by ICMP (NHRP does). */
	snprintf(path, sizeof(path),
		 "/proc/sys/net/ipv4/conf/%s/send_redirects", t->name);
	if (sysctl_write(path, "0") == -1)
		log_warn("tunnel %s: %s", t->name, path);
	if (c->role == CONF_ROLE_HUB &&
	    sysctl_read("/proc/sys/net/ipv4/conf/all/send_redirects") == 1)
		log_warnx("tunnel %s: net.ipv4.conf.all.send_redirects is 1: "
			  "the kernel ORs it with the tunnel's, so the hub "
			  "still sends ICMP redirects; set it to 0 (see "
			  "dmvpnd(8))",
			  t->name);
	if (c->role == CONF_ROLE_HUB) {
		thresh = sysctl_read(
			"/proc/sys/net/ipv4/neigh/default/gc_thresh3");
		if (thresh >= 0 && thresh < HUB_GC_THRESH3)
			log_warnx("tunnel %s: net.ipv4.neigh.default."
				  "gc_thresh3 is %ld: a hub needs one "
				  "neighbour entry per spoke; raise it "
				  "(see dmvpnd(8))",
				  t->name, thresh);
	}
	return 0;
}

/*
 * Translate a tunnel block into the engine's configuration, arrays and
 * all; free with engine_conf_free().  NULL when out of memory.
 */
static struct nhrp_conf *
engine_conf_new(struct tunnel *t, const struct conf_tunnel *c,
		const struct addr *local_nbma)
{
	struct nhrp_conf *nc = calloc(1, sizeof(*nc));
	size_t i;

	if (nc == NULL)
		return NULL;
	nhrp_conf_defaults(nc, c->role == CONF_ROLE_HUB ? NHRP_ROLE_HUB
							: NHRP_ROLE_SPOKE);
	nc->nhs = calloc(c->nnhs + 1, sizeof(*nc->nhs));
	nc->maps = calloc(c->nmaps + 1, sizeof(*nc->maps));
	nc->clusters = calloc(c->nclusters + 1, sizeof(*nc->clusters));
	if (nc->nhs == NULL || nc->maps == NULL || nc->clusters == NULL) {
		engine_conf_free(nc);
		return NULL;
	}
	snprintf(nc->ifname, sizeof(nc->ifname), "%s", t->name);
	for (i = 0; i < c->naddresses && i < NHRP_MAX_LOCAL; i++)
		nc->local[nc->nlocal++] = c->addresses[i];
	nc->local_nbma = *local_nbma;
	nc->holding_time = c->holding_time;
	nc->mtu = 0; /* FRR and Cisco send 0: "no limit known" */
	nc->unique = c->unique;
	nc->shortcut = c->shortcut;
	nc->redirect = c->redirect;
	nc->ipsec = c->ipsec;
	for (i = 0; i < c->nshortcut_dest && i < NHRP_MAX_SHORTCUT_DEST; i++)
		nc->shortcut_dest[nc->nshortcut_dest++] = c->shortcut_dest[i];
	memcpy(nc->auth, c->auth, c->auth_len);
	nc->auth_len = c->auth_len;
	nc->fallback = c->nhs_fallback;
	nc->negative_ttl = c->negative_ttl;
	nc->redirect_interval = c->redirect_interval;
	nc->redirect_burst = c->redirect_burst;
	nc->seed = (uint32_t)getpid() ^ (uint32_t)t->ifindex;
	for (i = 0; i < c->nnhs; i++) {
		nc->nhs[i].proto = c->nhs[i].proto;
		nc->nhs[i].nbma = c->nhs[i].nbma;
		snprintf(nc->nhs[i].fqdn, sizeof(nc->nhs[i].fqdn), "%s",
			 c->nhs[i].fqdn);
		nc->nhs[i].priority = c->nhs[i].priority;
		nc->nhs[i].cluster = c->nhs[i].cluster;
	}
	nc->nnhs = c->nnhs;
	for (i = 0; i < c->nmaps; i++) {
		nc->maps[i].proto.addr = c->maps[i].proto;
		nc->maps[i].proto.plen = (uint8_t)addr_bits(&c->maps[i].proto);
		nc->maps[i].nbma = c->maps[i].nbma;
	}
	nc->nmaps = c->nmaps;
	for (i = 0; i < c->nclusters; i++) {
		nc->clusters[i].cluster = c->clusters[i].cluster;
		nc->clusters[i].max_connections =
			c->clusters[i].max_connections;
	}
	nc->nclusters = c->nclusters;
	return nc;
}

static void
engine_conf_free(struct nhrp_conf *nc)
{
	if (nc == NULL)
		return;
	free(nc->nhs);
	free(nc->maps);
	free(nc->clusters);
	free(nc);
}

static void
on_dns(void *arg, const char *name, const struct addr *addrs, size_t n,
       const char *err)
{
	struct tunnel_dns *td = arg;
	struct tunnel *t = td->t;

	if (err != NULL)
		log_warnx("tunnel %s: cannot resolve %s: %s", t->name, name,
			  err);
	/* An empty answer keeps what we had: a DNS outage is not a hub move. */
	if (n == 0)
		return;
	nhrp_nhs_resolved(t->nhrp, ev_now(t->d->loop), name, addrs, n);
	tunnel_arm(t);
}

static bool
dns_watching(struct tunnel *t, const char *name)
{
	struct tunnel_dns *td;

	list_for_each_entry(td, &t->dns, link)
		if (strcmp(td->name, name) == 0)
			return true;
	return false;
}

/* Watch every NHS name of the tunnel's block not yet watched. */
static int
dns_start(struct tunnel *t)
{
	size_t i;

	for (i = 0; i < t->conf->nnhs; i++) {
		struct tunnel_dns *td;

		if (t->conf->nhs[i].fqdn[0] == '\0' ||
		    dns_watching(t, t->conf->nhs[i].fqdn))
			continue;
		td = calloc(1, sizeof(*td));
		if (td == NULL)
			return -1;
		td->t = t;
		snprintf(td->name, sizeof(td->name), "%s",
			 t->conf->nhs[i].fqdn);
		list_add_tail(&t->dns, &td->link);
		td->w = dns_watch(t->d->dns, td->name, on_dns, td);
		if (td->w == NULL)
			return -1;
	}
	return 0;
}

/* Stop watching names the tunnel's block no longer has. */
static void
dns_prune(struct tunnel *t)
{
	struct tunnel_dns *td, *tmp;
	size_t i;

	list_for_each_entry_safe(td, tmp, &t->dns, link) {
		bool keep = false;

		for (i = 0; i < t->conf->nnhs; i++)
			keep |= strcmp(t->conf->nhs[i].fqdn, td->name) == 0;
		if (keep)
			continue;
		dns_unwatch(td->w);
		list_del(&td->link);
		free(td);
	}
}

/*
 * Reload: apply a changed tunnel block in place when possible, so that
 * its peers stay up: NHSes, maps, announced networks, authentication,
 * timers and rates through the engine; mtu and ttl on the device.  -1
 * when the change needs the tunnel restarted (the device's identity,
 * addresses, role, route table, ipsec).
 */
int
tunnel_reconfigure(struct tunnel *t, struct conf_tunnel *nt)
{
	unsigned int ch = conf_tunnel_diff(t->conf, nt);
	struct nhrp_conf *nc;
	const char *why = NULL;
	uint8_t buf[1024];
	struct rtnl_gre g;
	size_t n;

	if (ch &
	    (CONF_TC_DEVICE | CONF_TC_ADDRESS | CONF_TC_ROUTE | CONF_TC_IPSEC))
		return -1;
	if (ch & CONF_TC_LINK) {
		memset(&g, 0, sizeof(g));
		snprintf(g.ifname, sizeof(g.ifname), "%s", t->name);
		g.key_set = nt->has_gre_key;
		g.key = nt->gre_key;
		g.local = t->local_nbma;
		g.ttl = nt->ttl;
		g.mtu = nt->mtu;
		g.pmtudisc = true;
		if (nt->nbma_ifname[0] != '\0')
			g.link = if_nametoindex(nt->nbma_ifname);
		n = rtnl_msg_gre(buf, sizeof(buf), 0, &g, false);
		if (request(t, buf, n, "change mtu/ttl") == -1)
			return -1;
	}
	nc = engine_conf_new(t, nt, &t->local_nbma);
	if (nc == NULL)
		return -1;
	if (nhrp_reconfigure(t->nhrp, nc, ev_now(t->d->loop), &why) == -1) {
		log_info("tunnel %s: %s: restarting it", t->name, why);
		engine_conf_free(nc);
		return -1;
	}
	engine_conf_free(nc);
	t->conf = nt;
	dns_prune(t);
	if (dns_start(t) == -1)
		log_error("tunnel %s: out of memory for NHS names", t->name);
	tunnel_arm(t);
	return 0;
}

static bool
op_authorize(void *ctx, const struct addr *nbma, const struct addr *proto)
{
	struct tunnel *t = ctx;

	return daemon_ike_authorized(t->d, nbma, proto);
}

struct tunnel *
tunnel_start(struct daemon *d, struct conf_tunnel *tc)
{
	struct nhrp_ops ops = {
		.send = op_send,
		.intent = op_intent,
		.route_lookup = op_route_lookup,
		.reqid_reserve = op_reqid_reserve,
		.authorize = op_authorize,
	};
	struct tunnel *t = calloc(1, sizeof(*t));
	struct nhrp_conf *nc = NULL;
	struct addr local_nbma;
	const char *why = NULL;
	char path[512];
	size_t i;

	if (t == NULL)
		return NULL;
	t->d = d;
	t->conf = tc;
	t->nhrp_fd = -1;
	t->redirect_fd = -1;
	list_init(&t->dns);
	snprintf(t->name, sizeof(t->name), "%s", tc->name);
	list_add_tail(&d->tunnels, &t->link);
	ev_timer_init(&t->deadline, on_deadline, 0., 0.);
	if (tc->ipsec && d->ike == NULL) {
		log_error("tunnel %s: ipsec yes, but IKE is not running",
			  t->name);
		goto fail;
	}
	if (device_setup(t, &local_nbma) == -1)
		goto fail;
	t->nhrp_fd = nhrp_io_open(t->ifindex);
	if (t->nhrp_fd == -1) {
		log_warn("tunnel %s: NHRP socket", t->name);
		goto fail;
	}
	nc = engine_conf_new(t, tc, &local_nbma);
	if (nc == NULL)
		goto fail;
	if (nhrp_reqid_restore(reqid_path(t, path, sizeof(path)), 0,
			       &nc->reqid_base, &nc->reqid_limit) == -1)
		log_warn("tunnel %s: %s (request IDs will not survive a "
			 "restart)",
			 t->name, path);
	ops.ctx = t;
	t->nhrp = nhrp_engine_new(nc, &ops, ev_now(d->loop), &why);
	if (t->nhrp == NULL) {
		log_error("tunnel %s: %s", t->name, why);
		goto fail;
	}
	ev_io_init(&t->nhrp_io, on_nhrp_readable, t->nhrp_fd, EV_READ);
	ev_io_start(d->loop, &t->nhrp_io);
	if (tc->role == CONF_ROLE_HUB && tc->redirect) {
		struct addr own[CONF_MAX_ADDRESSES];

		for (i = 0; i < tc->naddresses; i++)
			own[i] = tc->addresses[i].addr;
		t->redirect_fd =
			nhrp_redirect_open(t->ifindex, own, tc->naddresses);
		if (t->redirect_fd == -1) {
			log_warn("tunnel %s: redirect capture (phase 3 "
				 "indications are off)",
				 t->name);
		} else {
			ev_io_init(&t->redirect_io, on_redirect_readable,
				   t->redirect_fd, EV_READ);
			ev_io_start(d->loop, &t->redirect_io);
		}
	}
	if (dns_start(t) == -1)
		log_error("tunnel %s: out of memory for NHS names", t->name);
	tunnel_arm(t);
	engine_conf_free(nc);
	log_info("tunnel %s: up as %s, ifindex %d", t->name,
		 conf_role_name(tc->role), t->ifindex);
	return t;
fail:
	engine_conf_free(nc);
	tunnel_stop(t);
	return NULL;
}

void
tunnel_stop(struct tunnel *t)
{
	struct tunnel_dns *td, *tmp;
	uint8_t buf[64];
	size_t n;

	if (t == NULL)
		return;
	list_for_each_entry_safe(td, tmp, &t->dns, link) {
		dns_unwatch(td->w);
		list_del(&td->link);
		free(td);
	}
	ev_timer_stop(t->d->loop, &t->deadline);
	if (t->nhrp_fd != -1) {
		ev_io_stop(t->d->loop, &t->nhrp_io);
	}
	if (t->redirect_fd != -1) {
		ev_io_stop(t->d->loop, &t->redirect_io);
		close(t->redirect_fd);
	}
	/* The engine withdraws its routes and mappings through the ops. */
	nhrp_engine_free(t->nhrp, ev_now(t->d->loop));
	if (t->nhrp_fd != -1)
		close(t->nhrp_fd);
	if (t->created && t->ifindex > 0) {
		n = rtnl_msg_link_del(buf, sizeof(buf), 0, t->ifindex);
		request(t, buf, n, "delete the GRE device");
	}
	list_del(&t->link);
	free(t);
}
