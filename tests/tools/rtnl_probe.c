/*
 * rtnl_probe: drive the rtnl module against a real kernel, step by step,
 * in a throwaway network namespace (tests/netns/t-rtnl.sh runs it): create
 * a multipoint GRE device, adopt it, refuse a mismatch, set the neighbour
 * table to ask userspace, install and dump a tagged neighbour and route,
 * see the events, and clean up.  Prints "ok <step>" or "FAIL <step>: why".
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "dmvpn/rtnl.h"

static int failures;

static void
step(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("ok   %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, why);
		failures++;
	}
}

struct found {
	struct rtnl_link link;
	int links;
	struct rtnl_neigh neigh;
	int neighs;
	struct rtnl_route route;
	int routes;
	int events;
};

static int
on_link(const struct nlmsghdr *nlh, void *arg)
{
	struct found *f = arg;

	if (rtnl_parse_link(nlh, &f->link) == 0)
		f->links++;
	return 0;
}

static int
on_neigh(const struct nlmsghdr *nlh, void *arg)
{
	struct found *f = arg;
	struct rtnl_neigh n;

	if (rtnl_parse_neigh(nlh, &n) == 0 && n.protocol == RTNL_PROTO_NHRP) {
		f->neigh = n;
		f->neighs++;
	}
	return 0;
}

static int
on_route(const struct nlmsghdr *nlh, void *arg)
{
	struct found *f = arg;
	struct rtnl_route r;

	if (rtnl_parse_route(nlh, &r) == 0 && r.protocol == RTNL_PROTO_NHRP) {
		f->route = r;
		f->routes++;
	}
	return 0;
}

static int
on_event(const struct nlmsghdr *nlh, void *arg)
{
	struct found *f = arg;

	(void)nlh;
	f->events++;
	return 0;
}

int
main(int argc, char **argv)
{
	uint8_t buf[4096];
	struct rtnl_sock *s, *ev;
	struct rtnl_gre g;
	struct found f;
	struct prefix p;
	struct addr dst, ll;
	struct rtnl_route r;
	char why[256];
	size_t n;
	int ifindex;

	if (argc != 2) {
		fprintf(stderr, "usage: rtnl_probe LOCAL_NBMA\n");
		return 2;
	}
	s = rtnl_open();
	ev = rtnl_open_events(1u << (RTNLGRP_NEIGH - 1) |
				      1u << (RTNLGRP_IPV4_ROUTE - 1),
			      1 << 20);
	if (s == NULL || ev == NULL) {
		perror("rtnl_open");
		return 1;
	}
	memset(&g, 0, sizeof(g));
	strcpy(g.ifname, "dmvpn0");
	g.key_set = true;
	g.key = 42;
	addr_parse(&g.local, argv[1]);
	g.ttl = 64;
	g.mtu = 1400;
	g.pmtudisc = true;
	n = rtnl_msg_gre(buf, sizeof(buf), 0, &g, true);
	step("create gre", rtnl_request(s, buf, n, NULL, NULL) == 0,
	     strerror(errno));
	n = rtnl_msg_gre(buf, sizeof(buf), 0, &g, true);
	step("create again is EEXIST",
	     rtnl_request(s, buf, n, NULL, NULL) == -1 && errno == EEXIST,
	     strerror(errno));
	memset(&f, 0, sizeof(f));
	n = rtnl_msg_get_link(buf, sizeof(buf), 0, "dmvpn0");
	step("get link",
	     rtnl_request(s, buf, n, on_link, &f) == 0 && f.links == 1,
	     strerror(errno));
	ifindex = f.link.ifindex;
	step("parsed as multipoint gre key 42",
	     f.link.is_gre && f.link.gre.key == 42 &&
		     addr_is_none(&f.link.remote) && f.link.mtu == 1400,
	     f.link.kind);
	step("adoptable", rtnl_gre_match(&f.link, &g, why, sizeof(why)) == 0,
	     why);
	g.key = 7;
	step("mismatch named",
	     rtnl_gre_match(&f.link, &g, why, sizeof(why)) == -1 &&
		     strstr(why, "key 42") != NULL,
	     why);
	n = rtnl_msg_link_flags(buf, sizeof(buf), 0, ifindex, true, false);
	step("up, NOARP cleared", rtnl_request(s, buf, n, NULL, NULL) == 0,
	     strerror(errno));
	prefix_parse(&p, "172.16.0.10/24");
	n = rtnl_msg_addr(buf, sizeof(buf), 0, ifindex, &p, true);
	step("address", rtnl_request(s, buf, n, NULL, NULL) == 0,
	     strerror(errno));
	n = rtnl_msg_neightbl(buf, sizeof(buf), 0, AF_INET, ifindex, 1, 0, 0);
	step("neighbour table asks userspace",
	     rtnl_request(s, buf, n, NULL, NULL) == 0, strerror(errno));
	addr_parse(&dst, "172.16.0.12");
	addr_parse(&ll, "198.51.100.12");
	n = rtnl_msg_neigh(buf, sizeof(buf), 0, ifindex, &dst, &ll,
			   NUD_REACHABLE, RTNL_PROTO_NHRP, true);
	step("neighbour", rtnl_request(s, buf, n, NULL, NULL) == 0,
	     strerror(errno));
	memset(&f, 0, sizeof(f));
	n = rtnl_msg_dump(buf, sizeof(buf), 0, RTM_GETNEIGH, AF_INET);
	step("neighbour dump finds our tagged entry",
	     rtnl_request(s, buf, n, on_neigh, &f) == 0 && f.neighs == 1 &&
		     addr_eq(&f.neigh.lladdr, &ll),
	     strerror(errno));
	memset(&r, 0, sizeof(r));
	prefix_parse(&r.dst, "10.2.0.0/24");
	r.gateway = dst;
	r.oif = ifindex;
	r.table = RT_TABLE_MAIN;
	r.protocol = RTNL_PROTO_NHRP;
	n = rtnl_msg_route(buf, sizeof(buf), 0, &r, true);
	step("route", rtnl_request(s, buf, n, NULL, NULL) == 0,
	     strerror(errno));
	n = rtnl_msg_route(buf, sizeof(buf), 0, &r, true);
	step("route replace is idempotent",
	     rtnl_request(s, buf, n, NULL, NULL) == 0, strerror(errno));
	memset(&f, 0, sizeof(f));
	n = rtnl_msg_dump(buf, sizeof(buf), 0, RTM_GETROUTE, AF_INET);
	step("route dump finds our tagged route",
	     rtnl_request(s, buf, n, on_route, &f) == 0 && f.routes == 1 &&
		     prefix_eq(&f.route.dst, &r.dst) && f.route.oif == ifindex,
	     strerror(errno));
	memset(&f, 0, sizeof(f));
	step("events seen",
	     rtnl_read_events(ev, on_event, &f) == 0 && f.events >= 2,
	     strerror(errno));
	n = rtnl_msg_route(buf, sizeof(buf), 0, &r, false);
	step("route delete", rtnl_request(s, buf, n, NULL, NULL) == 0,
	     strerror(errno));
	n = rtnl_msg_neigh(buf, sizeof(buf), 0, ifindex, &dst, NULL, 0, 0,
			   false);
	step("neighbour delete", rtnl_request(s, buf, n, NULL, NULL) == 0,
	     strerror(errno));
	n = rtnl_msg_neigh(buf, sizeof(buf), 0, ifindex, &dst, NULL, 0, 0,
			   false);
	step("neighbour delete again is ENOENT",
	     rtnl_request(s, buf, n, NULL, NULL) == -1 && errno == ENOENT,
	     strerror(errno));
	n = rtnl_msg_link_del(buf, sizeof(buf), 0, ifindex);
	step("link delete", rtnl_request(s, buf, n, NULL, NULL) == 0,
	     strerror(errno));
	rtnl_close(s);
	rtnl_close(ev);
	printf("%d failures\n", failures);
	return failures == 0 ? 0 : 1;
}
