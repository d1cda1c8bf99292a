/*
 * NHRP engine behaviour on the simulated fabric: registration, phase 3
 * redirect and shortcut, phase 2, NAT, unique conflicts, purge, refresh
 * and expiry.  Addresses: hub 192.0.2.1 / 172.16.0.1, spokes 192.0.2.11
 * and .12 / 172.16.0.11 and .12, LANs 10.1.0.0/24 and 10.2.0.0/24.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nhrp_fabric.h"

struct net {
	struct fabric f;
	struct fab_node *hub, *s1, *s2;
};

static struct net net;

/* Hub and two spokes; the spokes' LANs are behind them. */
static void
topology(bool start)
{
	fab_init(&net.f);
	net.hub = fab_node(&net.f, "hub", NHRP_ROLE_HUB, "172.16.0.1/24",
			   "192.0.2.1");
	net.s1 = fab_node(&net.f, "s1", NHRP_ROLE_SPOKE, "172.16.0.11/24",
			  "192.0.2.11");
	net.s2 = fab_node(&net.f, "s2", NHRP_ROLE_SPOKE, "172.16.0.12/24",
			  "192.0.2.12");
	fab_add_nhs(net.s1, "172.16.0.1", "192.0.2.1", 0, 0);
	fab_add_nhs(net.s2, "172.16.0.1", "192.0.2.1", 0, 0);
	net.s1->conf.shortcut_dest[0] = fab_prefix("10.1.0.0/24");
	net.s1->conf.nshortcut_dest = 1;
	net.s2->conf.shortcut_dest[0] = fab_prefix("10.2.0.0/24");
	net.s2->conf.nshortcut_dest = 1;
	/* The hub's routing (e.g. from BGP): each LAN via its spoke. */
	fab_add_route(net.hub, "10.1.0.0/24", "172.16.0.11");
	fab_add_route(net.hub, "10.2.0.0/24", "172.16.0.12");
	if (start) {
		fab_start(net.hub);
		fab_start(net.s1);
		fab_start(net.s2);
	}
}

static int
teardown(void **state)
{
	(void)state;
	fab_free(&net.f);
	return 0;
}

/* An IPv4 header from src to dst, as a hub's redirect capture sees it. */
static size_t
ip_packet(uint8_t *p, const char *src, const char *dst)
{
	struct addr s = fab_addr(src), d = fab_addr(dst);

	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 64;
	p[9] = 1;
	memcpy(p + 12, s.bytes, 4);
	memcpy(p + 16, d.bytes, 4);
	return 28;
}

static void
test_registration(void **state)
{
	struct nhrp_peer_info pi;
	const struct fab_neigh *nb;
	const struct nhrp_stats *st;

	(void)state;
	topology(true);
	fab_run(&net.f, 1);
	/* The hub knows both spokes; the kernel maps them. */
	assert_true(fab_peer(net.hub, "172.16.0.11", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_DYNAMIC);
	assert_int_equal(pi.state, NHRP_PEER_UP);
	assert_true(pi.unique);
	assert_false(pi.nat);
	assert_true(pi.expires_in > 7100 && pi.expires_in <= 7200);
	nb = fab_neigh(net.hub, "172.16.0.12");
	assert_non_null(nb);
	assert_true(addr_eq(&nb->nbma, &(struct addr){0}) == false);
	assert_true(addr_eq(&nb->nbma, &net.s2->nbma));
	/* The spokes have their NHS up and mapped. */
	assert_int_equal(fab_nhs_state(net.s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_non_null(fab_neigh(net.s1, "172.16.0.1"));
	assert_int_equal(fab_events(net.s1, NHRP_EV_NHS_UP), 1);
	assert_int_equal(fab_events(net.hub, NHRP_EV_PEER_UP), 2);
	st = nhrp_stats(net.hub->e);
	assert_int_equal(st->rx_by_type[NHRP_REGISTRATION_REQUEST], 2);
	assert_int_equal(st->tx_by_type[NHRP_REGISTRATION_REPLY], 2);
	assert_int_equal(st->registrations_accepted, 2);
	/* Refresh at a third of the holding time keeps the entry alive. */
	fab_run(&net.f, 7200 * 2);
	assert_true(fab_peer(net.hub, "172.16.0.11", &pi));
	assert_true(pi.expires_in > 7200 / 2);
	assert_true(
		nhrp_stats(net.hub->e)->rx_by_type[NHRP_REGISTRATION_REQUEST] >=
		10);
}

static void
test_registration_expires(void **state)
{
	struct nhrp_peer_info pi;

	(void)state;
	topology(true);
	fab_run(&net.f, 1);
	net.s1->down = true;
	fab_run(&net.f, 7201);
	assert_false(fab_peer(net.hub, "172.16.0.11", &pi));
	assert_null(fab_neigh(net.hub, "172.16.0.11"));
	assert_int_equal(fab_events(net.hub, NHRP_EV_PEER_DOWN), 1);
	assert_true(fab_peer(net.hub, "172.16.0.12", &pi));
	/* The silent NHS is no longer up on the spoke either. */
	net.s1->down = false;
	assert_int_not_equal(fab_nhs_state(net.s1, "192.0.2.1"), NHRP_NHS_UP);
	fab_run(&net.f, 100);
	assert_int_equal(fab_nhs_state(net.s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_true(fab_peer(net.hub, "172.16.0.11", &pi));
}

static void
test_phase3_shortcut(void **state)
{
	uint8_t pkt[64];
	size_t len;
	const struct fab_route *r;
	const struct fab_neigh *nb;
	struct nhrp_peer_info pi;
	struct addr from = fab_addr("192.0.2.11");

	(void)state;
	topology(true);
	fab_run(&net.f, 1);
	/* 10.1.0.10 -> 10.2.0.10 crossed the hub: it tells spoke 1. */
	len = ip_packet(pkt, "10.1.0.10", "10.2.0.10");
	nhrp_redirect_seen(net.hub->e, net.f.now, &from, pkt, len);
	fab_run(&net.f, 1);
	assert_int_equal(nhrp_stats(net.hub->e)->indications_sent, 1);
	assert_int_equal(net.s1->rx_types[NHRP_TRAFFIC_INDICATION], 1);
	/* Spoke 1 resolved through the hub; spoke 2 answered for its LAN. */
	assert_int_equal(net.s2->rx_types[NHRP_RESOLUTION_REQUEST], 1);
	assert_int_equal(nhrp_stats(net.hub->e)->resolutions_forwarded, 1);
	/* The reply went straight from spoke 2 to spoke 1. */
	assert_int_equal(nhrp_stats(net.hub->e)->replies_forwarded, 0);
	assert_int_equal(net.s1->rx_types[NHRP_RESOLUTION_REPLY], 1);
	r = fab_route(net.s1, "10.2.0.0/24");
	assert_non_null(r);
	assert_true(addr_eq(&r->via, &(struct addr){0}) == false);
	assert_true(addr_eq(&r->via, &net.s2->conf.local[0].addr));
	nb = fab_neigh(net.s1, "172.16.0.12");
	assert_non_null(nb);
	assert_true(addr_eq(&nb->nbma, &net.s2->nbma));
	assert_true(fab_peer(net.s1, "10.2.0.0", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_SHORTCUT);
	assert_int_equal(pi.proto.plen, 24);
	assert_int_equal(fab_events(net.s1, NHRP_EV_ROUTE_UP), 1);
	/*
	 * A packet of the flow still in flight through the hub: the hub
	 * (which did not see the reply) indicates again within its rate
	 * limit, and spoke 1, which has the shortcut, does not resolve again.
	 */
	nhrp_redirect_seen(net.hub->e, net.f.now, &from, pkt, len);
	fab_run(&net.f, 1);
	assert_int_equal(nhrp_stats(net.hub->e)->indications_sent, 2);
	assert_int_equal(net.s2->rx_types[NHRP_RESOLUTION_REQUEST], 1);
	/*
	 * The kernel asks for the shortcut's next hop (its entry failed a
	 * probe): answered from the mapping, not resolved again.
	 */
	{
		struct addr nh = fab_addr("172.16.0.12");
		unsigned int reqs =
			fab_cap_count(&net.f, net.s1, NHRP_RESOLUTION_REQUEST);

		nhrp_neigh_miss(net.s1->e, net.f.now, &nh);
		fab_run(&net.f, 1);
		assert_int_equal(
			fab_cap_count(&net.f, net.s1, NHRP_RESOLUTION_REQUEST),
			reqs);
		nb = fab_neigh(net.s1, "172.16.0.12");
		assert_non_null(nb);
		assert_true(addr_eq(&nb->nbma, &net.s2->nbma));
		assert_false(fab_peer(net.s1, "172.16.0.12", &pi));
	}
	/* Nor for another host the shortcut covers. */
	len = ip_packet(pkt, "10.1.0.10", "10.2.0.99");
	nhrp_redirect_seen(net.hub->e, net.f.now, &from, pkt, len);
	fab_run(&net.f, 1);
	assert_int_equal(net.s2->rx_types[NHRP_RESOLUTION_REQUEST], 1);
}

static void
test_shortcut_refresh_and_idle_expiry(void **state)
{
	uint8_t pkt[64];
	size_t len;
	struct nhrp_peer_info pi;
	struct addr from = fab_addr("192.0.2.11");
	struct addr nh = fab_addr("172.16.0.12");
	unsigned int req;
	int i;

	(void)state;
	topology(false);
	net.s2->conf.holding_time = 600;
	fab_start(net.hub);
	fab_start(net.s1);
	fab_start(net.s2);
	fab_run(&net.f, 1);
	len = ip_packet(pkt, "10.1.0.10", "10.2.0.10");
	nhrp_redirect_seen(net.hub->e, net.f.now, &from, pkt, len);
	fab_run(&net.f, 1);
	assert_true(fab_peer(net.s1, "10.2.0.0", &pi));
	req = net.s2->rx_types[NHRP_RESOLUTION_REQUEST];
	/* Used traffic: refreshed at 2/3 of the holding time, stays. */
	for (i = 0; i < 12; i++) {
		nhrp_neigh_used(net.s1->e, net.f.now, &nh);
		fab_run(&net.f, 60);
	}
	assert_true(net.s2->rx_types[NHRP_RESOLUTION_REQUEST] > req);
	assert_true(fab_peer(net.s1, "10.2.0.0", &pi));
	assert_non_null(fab_route(net.s1, "10.2.0.0/24"));
	/* Idle: it goes at the end of its holding time. */
	fab_run(&net.f, 700);
	assert_false(fab_peer(net.s1, "10.2.0.0", &pi));
	assert_null(fab_route(net.s1, "10.2.0.0/24"));
	assert_int_equal(fab_events(net.s1, NHRP_EV_ROUTE_DOWN), 1);
}

static void
test_phase2_neighbour_miss(void **state)
{
	const struct fab_neigh *nb;
	struct nhrp_peer_info pi;
	struct addr a = fab_addr("172.16.0.12");

	(void)state;
	topology(true);
	fab_run(&net.f, 1);
	nhrp_neigh_miss(net.s1->e, net.f.now, &a);
	fab_run(&net.f, 1);
	/* The hub answered from its registration cache. */
	assert_int_equal(nhrp_stats(net.hub->e)->resolutions_answered, 1);
	assert_int_equal(net.s2->rx_types[NHRP_RESOLUTION_REQUEST], 0);
	nb = fab_neigh(net.s1, "172.16.0.12");
	assert_non_null(nb);
	assert_false(nb->failed);
	assert_true(addr_eq(&nb->nbma, &net.s2->nbma));
	assert_true(fab_peer(net.s1, "172.16.0.12", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_SHORTCUT);
	assert_int_equal(pi.proto.plen, 32);
	/* No route: a host mapping is a neighbour entry only. */
	assert_int_equal(net.s1->nroutes, 0);
}

static void
test_negative_cache(void **state)
{
	const struct fab_neigh *nb;
	struct nhrp_peer_info pi;
	struct addr a = fab_addr("172.16.0.99");
	unsigned int before;

	(void)state;
	topology(true);
	fab_run(&net.f, 1);
	nhrp_neigh_miss(net.s1->e, net.f.now, &a);
	fab_run(&net.f, 30);
	assert_true(fab_peer(net.s1, "172.16.0.99", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_NEGATIVE);
	nb = fab_neigh(net.s1, "172.16.0.99");
	assert_non_null(nb);
	assert_true(nb->failed);
	/* While negative, misses are answered at once, no new request. */
	before = net.hub->rx_types[NHRP_RESOLUTION_REQUEST];
	nhrp_neigh_miss(net.s1->e, net.f.now, &a);
	fab_run(&net.f, 1);
	assert_int_equal(net.hub->rx_types[NHRP_RESOLUTION_REQUEST], before);
	/* Then it is forgotten. */
	fab_run(&net.f, 60);
	assert_false(fab_peer(net.s1, "172.16.0.99", &pi));
}

static void
test_nat(void **state)
{
	struct nhrp_peer_info pi;
	struct addr a = fab_addr("172.16.0.12");
	const struct fab_neigh *nb;

	(void)state;
	topology(false);
	/* Spoke 2 sits behind a NAT: 10.99.0.12 inside, 203.0.113.5 out. */
	net.s2->nbma = fab_addr("10.99.0.12");
	net.s2->conf.local_nbma = net.s2->nbma;
	net.s2->nat_public = fab_addr("203.0.113.5");
	fab_start(net.hub);
	fab_start(net.s1);
	fab_start(net.s2);
	fab_run(&net.f, 1);
	assert_true(fab_peer(net.hub, "172.16.0.12", &pi));
	assert_true(pi.nat);
	assert_true(addr_eq(&pi.nbma, &net.s2->nat_public));
	assert_true(addr_eq(&pi.claimed_nbma, &net.s2->nbma));
	assert_int_equal(nhrp_stats(net.hub->e)->registrations_nat, 1);
	/* Spoke 1 reaches spoke 2 at its outside address. */
	nhrp_neigh_miss(net.s1->e, net.f.now, &a);
	fab_run(&net.f, 1);
	nb = fab_neigh(net.s1, "172.16.0.12");
	assert_non_null(nb);
	assert_true(addr_eq(&nb->nbma, &net.s2->nat_public));
}

static void
test_nat_phase3_responder(void **state)
{
	uint8_t pkt[64];
	size_t len;
	const struct fab_neigh *nb;
	struct addr from = fab_addr("192.0.2.11");

	(void)state;
	topology(false);
	net.s2->nbma = fab_addr("10.99.0.12");
	net.s2->conf.local_nbma = net.s2->nbma;
	net.s2->nat_public = fab_addr("203.0.113.5");
	fab_start(net.hub);
	fab_start(net.s1);
	fab_start(net.s2);
	fab_run(&net.f, 1);
	len = ip_packet(pkt, "10.1.0.10", "10.2.0.10");
	nhrp_redirect_seen(net.hub->e, net.f.now, &from, pkt, len);
	fab_run(&net.f, 1);
	/* Spoke 2 learned its outside address and announced it. */
	nb = fab_neigh(net.s1, "172.16.0.12");
	assert_non_null(nb);
	assert_true(addr_eq(&nb->nbma, &net.s2->nat_public));
	assert_non_null(fab_route(net.s1, "10.2.0.0/24"));
}

/*
 * The requester is behind the NAT: spoke 1 answers it through the hub,
 * not at the NAT's outside address, which has no mapping toward spoke 1
 * yet (a packet there would leave conntrack state blocking it).
 */
static void
test_nat_phase3_requester(void **state)
{
	uint8_t pkt[64];
	size_t i, len;
	const struct fab_neigh *nb;
	struct addr from;

	(void)state;
	topology(false);
	net.s2->nbma = fab_addr("10.99.0.12");
	net.s2->conf.local_nbma = net.s2->nbma;
	net.s2->nat_public = fab_addr("203.0.113.5");
	fab_start(net.hub);
	fab_start(net.s1);
	fab_start(net.s2);
	fab_run(&net.f, 1);
	net.f.ncaps = 0;
	from = net.s2->nat_public;
	len = ip_packet(pkt, "10.2.0.10", "10.1.0.10");
	nhrp_redirect_seen(net.hub->e, net.f.now, &from, pkt, len);
	fab_run(&net.f, 1);
	/* Spoke 1's reply crossed the hub; nothing of it went to the NAT. */
	assert_int_equal(nhrp_stats(net.hub->e)->replies_forwarded, 1);
	for (i = 0; i < net.f.ncaps; i++)
		assert_false(net.f.caps[i].src == net.s1 &&
			     addr_eq(&net.f.caps[i].dst, &net.s2->nat_public));
	nb = fab_neigh(net.s2, "172.16.0.11");
	assert_non_null(nb);
	assert_true(addr_eq(&nb->nbma, &net.s1->nbma));
	assert_non_null(fab_route(net.s2, "10.1.0.0/24"));
}

static void
test_unique_conflict(void **state)
{
	struct nhrp_peer_info pi;
	struct fab_node *evil;

	(void)state;
	topology(true);
	evil = fab_node(&net.f, "evil", NHRP_ROLE_SPOKE, "172.16.0.11/24",
			"198.51.100.66");
	fab_add_nhs(evil, "172.16.0.1", "192.0.2.1", 0, 0);
	fab_run(&net.f, 1);
	fab_start(evil);
	fab_run(&net.f, 5);
	/* Code 14: the first, unique registration stands. */
	assert_true(fab_peer(net.hub, "172.16.0.11", &pi));
	assert_true(addr_eq(&pi.nbma, &net.s1->nbma));
	assert_true(nhrp_stats(net.hub->e)->registrations_rejected >= 1);
	assert_int_not_equal(fab_nhs_state(evil, "192.0.2.1"), NHRP_NHS_UP);
}

static void
test_no_unique_replaces_and_purges(void **state)
{
	struct nhrp_peer_info pi;
	struct addr a = fab_addr("172.16.0.12");
	struct fab_node *moved;

	(void)state;
	topology(false);
	net.s2->conf.unique = false;
	fab_start(net.hub);
	fab_start(net.s1);
	fab_start(net.s2);
	fab_run(&net.f, 1);
	/* Spoke 1 learns spoke 2 from the hub (the hub remembers that). */
	nhrp_neigh_miss(net.s1->e, net.f.now, &a);
	fab_run(&net.f, 1);
	assert_true(fab_peer(net.s1, "172.16.0.12", &pi));
	/* Spoke 2 comes back from another NBMA address (no-unique). */
	fab_stop(net.s2);
	net.s2->down = true;
	moved = fab_node(&net.f, "s2b", NHRP_ROLE_SPOKE, "172.16.0.12/24",
			 "198.51.100.12");
	moved->conf.unique = false;
	fab_add_nhs(moved, "172.16.0.1", "192.0.2.1", 0, 0);
	fab_start(moved);
	fab_run(&net.f, 2);
	assert_true(fab_peer(net.hub, "172.16.0.12", &pi));
	assert_true(addr_eq(&pi.nbma, &moved->nbma));
	/* The hub purged spoke 1's stale binding; it acknowledged. */
	assert_int_equal(nhrp_stats(net.hub->e)->purges_sent, 1);
	assert_int_equal(net.s1->rx_types[NHRP_PURGE_REQUEST], 1);
	assert_int_equal(net.hub->rx_types[NHRP_PURGE_REPLY], 1);
	assert_false(fab_peer(net.s1, "172.16.0.12", &pi));
	assert_null(fab_neigh(net.s1, "172.16.0.12"));
}

static void
test_reconfigure_in_place(void **state)
{
	struct nhrp_peer_info pi;
	struct fab_node *hub2;
	struct nhrp_conf c;
	const char *why = NULL;
	uint8_t pkt[64];
	size_t len;
	struct addr from = fab_addr("192.0.2.11");
	double up;

	(void)state;
	topology(false);
	hub2 = fab_node(&net.f, "hub2", NHRP_ROLE_HUB, "172.16.0.2/24",
			"192.0.2.2");
	fab_add_route(hub2, "10.2.0.0/24", "172.16.0.12");
	fab_start(net.hub);
	fab_start(hub2);
	fab_start(net.s1);
	fab_start(net.s2);
	fab_run(&net.f, 1);
	len = ip_packet(pkt, "10.1.0.10", "10.2.0.10");
	nhrp_redirect_seen(net.hub->e, net.f.now, &from, pkt, len);
	fab_run(&net.f, 5);
	assert_true(fab_peer(net.s1, "10.2.0.0", &pi));
	up = pi.uptime;
	/* Add hub2 as a second NHS and a static map: nothing else moves. */
	c = net.s1->conf;
	fab_add_nhs(net.s1, "172.16.0.2", "192.0.2.2", 0, 0);
	c.nnhs = net.s1->conf.nnhs;
	c.maps[0].proto = fab_prefix("172.16.0.99/32");
	c.maps[0].nbma = fab_addr("198.51.100.99");
	c.nmaps = 1;
	assert_int_equal(nhrp_reconfigure(net.s1->e, &c, net.f.now, &why), 0);
	fab_run(&net.f, 5);
	assert_int_equal(fab_nhs_state(net.s1, "192.0.2.2"), NHRP_NHS_UP);
	assert_int_equal(fab_nhs_state(net.s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_true(fab_peer(hub2, "172.16.0.11", &pi));
	assert_true(fab_peer(net.s1, "10.2.0.0", &pi));
	assert_true(pi.uptime >= up + 5);
	assert_true(fab_peer(net.s1, "172.16.0.99", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_STATIC);
	assert_non_null(fab_neigh(net.s1, "172.16.0.99"));
	assert_int_equal(fab_events(net.s1, NHRP_EV_NHS_UP), 2);
	/* Drop hub1, the map and our LAN announcement. */
	c.nhs[0] = c.nhs[1];
	c.nnhs = 1;
	c.nmaps = 0;
	c.nshortcut_dest = 0;
	assert_int_equal(nhrp_reconfigure(net.s1->e, &c, net.f.now, &why), 0);
	fab_run(&net.f, 1);
	assert_int_equal(fab_events(net.s1, NHRP_EV_NHS_DOWN), 1);
	assert_null(fab_neigh(net.s1, "172.16.0.1"));
	assert_null(fab_neigh(net.s1, "172.16.0.99"));
	assert_false(fab_peer(net.s1, "10.1.0.0", &pi));
	assert_true(fab_peer(net.s1, "10.2.0.0", &pi));
	assert_int_equal(fab_nhs_state(net.s1, "192.0.2.2"), NHRP_NHS_UP);
	/* What needs a new engine says so. */
	c.role = NHRP_ROLE_HUB;
	assert_int_equal(nhrp_reconfigure(net.s1->e, &c, net.f.now, &why), -1);
	assert_non_null(why);
}

/*
 * What FRR nhrpd relies on (tests/netns/t-frr-*.sh): a Registration Reply
 * names the hub as its destination (a spoke with a dynamic NHS learns it
 * there), and echoes the request's NAT extension entries before adding
 * the address it saw (FRR detects NAT when the reply has two).
 */
static void
test_registration_reply_as_frr_expects(void **state)
{
	struct nhrp_msg *m = calloc(1, sizeof(*m));
	const struct nhrp_cie *c;
	size_t i;
	int x;

	(void)state;
	assert_non_null(m);
	topology(false);
	net.s2->nbma = fab_addr("10.99.0.12");
	net.s2->conf.local_nbma = net.s2->nbma;
	net.s2->nat_public = fab_addr("203.0.113.5");
	fab_capture(&net.f);
	fab_start(net.hub);
	fab_start(net.s2);
	fab_run(&net.f, 1);
	i = fab_cap_find(&net.f, net.hub, NHRP_REGISTRATION_REPLY, 0);
	assert_true(i != SIZE_MAX);
	fab_cap_msg(&net.f, i, m);
	assert_true(fab_naddr_is(&m->dst_proto, "172.16.0.1"));
	assert_true(fab_naddr_is(&m->src_proto, "172.16.0.12"));
	x = nhrp_ext_find(m, NHRP_EXT_NAT_ADDR);
	assert_true(x >= 0);
	assert_int_equal(m->ext[x].cie_count, 2);
	/* First the request's own entry (the NBMA address it sent to)... */
	c = nhrp_ext_cie(m, &m->ext[x], 0);
	assert_true(fab_naddr_is(&c->nbma, "192.0.2.1"));
	/* ...then the address the hub saw, for the spoke's address. */
	c = nhrp_ext_cie(m, &m->ext[x], 1);
	assert_true(fab_naddr_is(&c->nbma, "203.0.113.5"));
	assert_true(fab_naddr_is(&c->proto, "172.16.0.12"));
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_registration, teardown),
		cmocka_unit_test_teardown(test_registration_expires, teardown),
		cmocka_unit_test_teardown(test_phase3_shortcut, teardown),
		cmocka_unit_test_teardown(test_shortcut_refresh_and_idle_expiry,
					  teardown),
		cmocka_unit_test_teardown(test_phase2_neighbour_miss, teardown),
		cmocka_unit_test_teardown(test_negative_cache, teardown),
		cmocka_unit_test_teardown(test_nat, teardown),
		cmocka_unit_test_teardown(test_nat_phase3_responder, teardown),
		cmocka_unit_test_teardown(test_nat_phase3_requester, teardown),
		cmocka_unit_test_teardown(test_unique_conflict, teardown),
		cmocka_unit_test_teardown(test_no_unique_replaces_and_purges,
					  teardown),
		cmocka_unit_test_teardown(test_reconfigure_in_place, teardown),
		cmocka_unit_test_teardown(
			test_registration_reply_as_frr_expects, teardown),
	};

	return cmocka_run_group_tests_name("nhrp_engine", tests, NULL, NULL);
}
