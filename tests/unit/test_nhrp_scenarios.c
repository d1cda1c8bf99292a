/*
 * NHRP engine scenarios on the simulated fabric, beyond the basics of
 * test_nhrp_engine.c: NHS failover and fallback, hub-to-hub forwarding
 * with transit records, loop and hop-count errors, authentication,
 * unknown extensions, IPsec gating, dynamic NHSes, the Traffic Indication
 * rate limit, request ID persistence, malformed input, purge and flush,
 * IPv6, and Error Indications.  The fabric captures every packet, so that
 * the tests can check what went on the wire.
 *
 * Addresses: hubs 192.0.2.1 and .2 / 172.16.0.1 and .2, spokes 192.0.2.11
 * to .14 / 172.16.0.11 to .14, spoke LANs 10.1.0.0/24 and 10.2.0.0/24.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmvpn/nhrp_wire.h"
#include "nhrp_fabric.h"

static struct fabric fab;
static struct fab_node *hub, *hub2, *s1, *s2, *s3, *s4;

static void
fab_setup(void)
{
	fab_init(&fab);
	fab_capture(&fab);
	hub = hub2 = s1 = s2 = s3 = s4 = NULL;
}

static int
teardown(void **state)
{
	(void)state;
	fab_free(&fab);
	return 0;
}

/* Decode captured packet i (into one of two slots, so two can coexist). */
static const struct nhrp_msg *
cap_msg(size_t i, int slot)
{
	static struct nhrp_msg m[2];

	return fab_cap_msg(&fab, i, &m[slot]);
}

static const struct nhrp_ext *
ext_of(const struct nhrp_msg *m, uint16_t type)
{
	int i = nhrp_ext_find(m, type);

	return i < 0 ? NULL : &m->ext[i];
}

static bool
addr_is(const struct addr *a, const char *s)
{
	struct addr b = fab_addr(s);

	return addr_eq(a, &b);
}

/* A Resolution Request as a spoke sends it (RFC 2332 5.2.1). */
static void
res_request(struct nhrp_msg *m, const char *nbma, const char *proto,
	    const char *dst, uint32_t id)
{
	struct nhrp_cie *c;

	nhrp_msg_init(m, NHRP_RESOLUTION_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	m->flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_NAT;
	m->reqid = id;
	fab_naddr(&m->src_nbma, nbma);
	fab_naddr(&m->src_proto, proto);
	fab_naddr(&m->dst_proto, dst);
	c = nhrp_msg_add_cie(m);
	c->prefix_len = 32;
	c->holding_time = 7200;
	nhrp_msg_add_ext(m, NHRP_EXT_FWD_TRANSIT, true);
	nhrp_msg_add_ext(m, NHRP_EXT_REV_TRANSIT, true);
	nhrp_msg_add_ext(m, NHRP_EXT_RESPONDER, true);
}

/* Add a transit record CIE for an NHS (proto, nbma) to extension x. */
static void
add_transit(struct nhrp_msg *m, uint16_t type, const char *proto,
	    const char *nbma)
{
	struct nhrp_cie *c;
	int i = nhrp_ext_find(m, type);

	assert_true(i >= 0);
	c = nhrp_ext_add_cie(m, &m->ext[i]);
	assert_non_null(c);
	c->prefix_len = 32;
	c->holding_time = 7200;
	fab_naddr(&c->proto, proto);
	fab_naddr(&c->nbma, nbma);
}

static void
redirect(struct fab_node *h, const struct fab_node *from, const char *src,
	 const char *dst)
{
	uint8_t pkt[64];
	size_t len;

	len = fab_ip_packet(pkt, src, dst);
	nhrp_redirect_seen(h->e, fab.now, &from->nbma, pkt, len);
}

static void
miss(struct fab_node *n, const char *proto)
{
	struct addr a = fab_addr(proto);

	nhrp_neigh_miss(n->e, fab.now, &a);
}

/* Hub and two spokes (optionally a third), not started. */
static void
star(bool third)
{
	fab_setup();
	hub = fab_node(&fab, "hub", NHRP_ROLE_HUB, "172.16.0.1/24",
		       "192.0.2.1");
	s1 = fab_node(&fab, "s1", NHRP_ROLE_SPOKE, "172.16.0.11/24",
		      "192.0.2.11");
	s2 = fab_node(&fab, "s2", NHRP_ROLE_SPOKE, "172.16.0.12/24",
		      "192.0.2.12");
	fab_add_nhs(s1, "172.16.0.1", "192.0.2.1", 0, 0);
	fab_add_nhs(s2, "172.16.0.1", "192.0.2.1", 0, 0);
	s1->conf.shortcut_dest[0] = fab_prefix("10.1.0.0/24");
	s1->conf.nshortcut_dest = 1;
	s2->conf.shortcut_dest[0] = fab_prefix("10.2.0.0/24");
	s2->conf.nshortcut_dest = 1;
	fab_add_route(hub, "10.1.0.0/24", "172.16.0.11");
	fab_add_route(hub, "10.2.0.0/24", "172.16.0.12");
	if (third) {
		s3 = fab_node(&fab, "s3", NHRP_ROLE_SPOKE, "172.16.0.13/24",
			      "192.0.2.13");
		fab_add_nhs(s3, "172.16.0.1", "192.0.2.1", 0, 0);
	}
}

static void
start_all(void)
{
	size_t i;

	for (i = 0; i < fab.nnodes; i++)
		fab_start(fab.nodes[i]);
}

/* Two hubs and a spoke with no NHS yet, not started. */
static void
two_hubs(void)
{
	fab_setup();
	hub = fab_node(&fab, "hub1", NHRP_ROLE_HUB, "172.16.0.1/24",
		       "192.0.2.1");
	hub2 = fab_node(&fab, "hub2", NHRP_ROLE_HUB, "172.16.0.2/24",
			"192.0.2.2");
	s1 = fab_node(&fab, "s1", NHRP_ROLE_SPOKE, "172.16.0.11/24",
		      "192.0.2.11");
}

/* Run in steps of a second, for up to 100 s, until s1's NHS is up. */
static void
run_until_nhs_up(const char *nbma)
{
	int i;

	for (i = 0; i < 100 && fab_nhs_state(s1, nbma) != NHRP_NHS_UP; i++)
		fab_run(&fab, 1);
	assert_int_equal(fab_nhs_state(s1, nbma), NHRP_NHS_UP);
}

/* A Resolution Reply for spoke 1: dst/plen via nexthop at nbma. */
static void
res_reply(struct nhrp_msg *m, const char *dst, uint8_t plen,
	  const char *nexthop, const char *nbma, uint32_t id)
{
	nhrp_msg_init(m, NHRP_RESOLUTION_REPLY, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	m->reqid = id;
	fab_naddr(&m->src_nbma, "192.0.2.11");
	fab_naddr(&m->src_proto, "172.16.0.11");
	fab_naddr(&m->dst_proto, dst);
	m->cie_count = 1;
	m->cie[0].prefix_len = plen;
	m->cie[0].holding_time = 600;
	fab_naddr(&m->cie[0].nbma, nbma);
	fab_naddr(&m->cie[0].proto, nexthop);
}

/* An Error Indication from the hub to spoke 1 quoting len bytes at p. */
static size_t
error_to_s1(uint8_t *pkt, size_t cap, const uint8_t *p, size_t len,
	    uint16_t code)
{
	struct nhrp_msg q;

	nhrp_msg_init(&q, NHRP_ERROR_INDICATION, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	q.err_code = code;
	fab_naddr(&q.src_nbma, "192.0.2.1");
	fab_naddr(&q.src_proto, "172.16.0.1");
	fab_naddr(&q.dst_proto, "172.16.0.11");
	q.payload = p;
	q.payload_len = (uint16_t)len;
	return fab_encode(&q, pkt, cap);
}

/* --- 1. NHS failover and fallback -------------------------------------- */

/* A spoke with hub1 (priority 1) and hub2 (priority 2), one connection. */
static void
nhs_pair(double fallback, uint32_t holding_time)
{
	two_hubs();
	fab_add_nhs(s1, "172.16.0.1", "192.0.2.1", 1, 0);
	fab_add_nhs(s1, "172.16.0.2", "192.0.2.2", 2, 0);
	s1->clusters[0].cluster = 0;
	s1->clusters[0].max_connections = 1;
	s1->conf.nclusters = 1;
	s1->conf.fallback = fallback;
	/* Refresh often, so that a dead hub is noticed soon. */
	s1->conf.holding_time = holding_time;
	start_all();
	fab_run(&fab, 1);
	/* Only the preferred NHS is used. */
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_DOWN);
	assert_int_equal(hub2->rx_types[NHRP_REGISTRATION_REQUEST], 0);
	assert_non_null(fab_neigh(s1, "172.16.0.1"));
	assert_null(fab_neigh(s1, "172.16.0.2"));
	assert_true(fab_peer(hub, "172.16.0.11", &(struct nhrp_peer_info){0}));

	/* hub1 dies: after the misses the spoke moves to hub2. */
	hub->down = true;
	fab_run(&fab, 400);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_PROBING);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_UP);
	{
		struct nhrp_nhs_info ni;

		assert_true(fab_nhs_info(s1, "192.0.2.1", &ni, NULL));
		assert_true(ni.failures >= 3);
	}
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_DOWN), 1);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_UP), 2);
	assert_null(fab_neigh(s1, "172.16.0.1"));
	assert_non_null(fab_neigh(s1, "172.16.0.2"));
	assert_true(fab_peer(hub2, "172.16.0.11", &(struct nhrp_peer_info){0}));
	assert_true(nhrp_stats(hub2->e)->registrations_accepted >= 1);
	hub->down = false;
}

static void
test_nhs_failover_fallback_now(void **state)
{
	unsigned int regs;

	(void)state;
	nhs_pair(0, 600);
	/* hub1 is back: the spoke's probes find it within the backoff cap. */
	run_until_nhs_up("192.0.2.1");
	/* No fallback delay: hub2 is let go at once. */
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_DOWN);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_DOWN), 2);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_UP), 3);
	assert_non_null(fab_neigh(s1, "172.16.0.1"));
	assert_null(fab_neigh(s1, "172.16.0.2"));
	/* And stays let go: no more registrations with hub2. */
	regs = hub2->rx_types[NHRP_REGISTRATION_REQUEST];
	fab_run(&fab, 1000);
	assert_int_equal(hub2->rx_types[NHRP_REGISTRATION_REQUEST], regs);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_DOWN);
	assert_true(fab_peer(hub, "172.16.0.11", &(struct nhrp_peer_info){0}));
}

static void
test_nhs_fallback_delay(void **state)
{
	unsigned int regs;

	(void)state;
	nhs_pair(30, 600);
	run_until_nhs_up("192.0.2.1");
	/* hub1 came up within the last second; hub2 stays for 30 s. */
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_UP);
	assert_non_null(fab_neigh(s1, "172.16.0.2"));
	fab_run(&fab, 28);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_UP);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_DOWN), 1);
	fab_run(&fab, 3);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_DOWN);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_DOWN), 2);
	assert_null(fab_neigh(s1, "172.16.0.2"));
	assert_non_null(fab_neigh(s1, "172.16.0.1"));
	regs = hub2->rx_types[NHRP_REGISTRATION_REQUEST];
	fab_run(&fab, 1000);
	assert_int_equal(hub2->rx_types[NHRP_REGISTRATION_REQUEST], regs);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
}

/* A fallback delay longer than the refresh: the kept NHS is refreshed. */
static void
test_nhs_fallback_keeps_refreshing(void **state)
{
	struct nhrp_peer_info pi;
	unsigned int regs;
	int i;

	(void)state;
	nhs_pair(120, 60); /* refresh every ~20 s, fall back after 120 s */
	run_until_nhs_up("192.0.2.1");
	regs = hub2->rx_types[NHRP_REGISTRATION_REQUEST];
	/* For the whole delay, hub2 keeps the spoke's binding. */
	for (i = 0; i < 118; i++) {
		fab_run(&fab, 1);
		assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_UP);
		assert_true(fab_peer(hub2, "172.16.0.11", &pi));
	}
	assert_true(hub2->rx_types[NHRP_REGISTRATION_REQUEST] >= regs + 4);
	/* And then, not much later than the delay, it is let go. */
	fab_run(&fab, 3);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_DOWN);
	assert_null(fab_neigh(s1, "172.16.0.2"));
	regs = hub2->rx_types[NHRP_REGISTRATION_REQUEST];
	fab_run(&fab, 600);
	assert_int_equal(hub2->rx_types[NHRP_REGISTRATION_REQUEST], regs);
	assert_false(fab_peer(hub2, "172.16.0.11", &pi));
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_true(fab_peer(hub, "172.16.0.11", &pi));
}

/* --- 2. Hub-to-hub forwarding ------------------------------------------ */

static void
test_hub_to_hub_transit(void **state)
{
	struct nhrp_peer_info pi;
	const struct nhrp_msg *m;
	const struct nhrp_ext *x;
	const struct fab_route *r;
	const struct fab_neigh *nb;
	size_t i;

	(void)state;
	two_hubs();
	s2 = fab_node(&fab, "s2", NHRP_ROLE_SPOKE, "172.16.0.12/24",
		      "192.0.2.12");
	fab_add_nhs(s1, "172.16.0.1", "192.0.2.1", 0, 0);
	fab_add_nhs(s2, "172.16.0.2", "192.0.2.2", 0, 0);
	s1->conf.shortcut_dest[0] = fab_prefix("10.1.0.0/24");
	s1->conf.nshortcut_dest = 1;
	s2->conf.shortcut_dest[0] = fab_prefix("10.2.0.0/24");
	s2->conf.nshortcut_dest = 1;
	/* The hubs know each other statically and route between them. */
	hub->maps[0].proto = fab_prefix("172.16.0.2/32");
	hub->maps[0].nbma = fab_addr("192.0.2.2");
	hub->conf.nmaps = 1;
	hub2->maps[0].proto = fab_prefix("172.16.0.1/32");
	hub2->maps[0].nbma = fab_addr("192.0.2.1");
	hub2->conf.nmaps = 1;
	fab_add_route(hub, "10.1.0.0/24", "172.16.0.11");
	fab_add_route(hub, "10.2.0.0/24", "172.16.0.2");
	fab_add_route(hub, "10.3.0.0/16", "172.16.0.2");
	fab_add_route(hub2, "10.2.0.0/24", "172.16.0.12");
	fab_add_route(hub2, "0.0.0.0/0", "172.16.0.1");
	start_all();
	fab_run(&fab, 1);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_equal(fab_nhs_state(s2, "192.0.2.2"), NHRP_NHS_UP);
	fab.ncaps = 0;

	/* Phase 3: hub1 redirects, spoke 1 resolves through both hubs. */
	redirect(hub, s1, "10.1.0.10", "10.2.0.10");
	fab_run(&fab, 1);
	assert_int_equal(nhrp_stats(hub->e)->indications_sent, 1);
	assert_int_equal(nhrp_stats(hub->e)->resolutions_forwarded, 1);
	assert_int_equal(nhrp_stats(hub2->e)->resolutions_forwarded, 1);
	assert_int_equal(nhrp_stats(s2->e)->resolutions_answered, 1);
	/* Spoke 2 answers spoke 1 directly (as Cisco and FRR do). */
	assert_int_equal(nhrp_stats(hub2->e)->replies_forwarded, 0);
	assert_int_equal(nhrp_stats(hub->e)->replies_forwarded, 0);
	i = fab_cap_find(&fab, s2, NHRP_RESOLUTION_REPLY, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s1->nbma));
	/* ... and keeps spoke 1 as a dynamic peer for the way back. */
	assert_true(fab_peer(s2, "172.16.0.11", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_DYNAMIC);
	assert_true(addr_eq(&pi.nbma, &s1->nbma));
	nb = fab_neigh(s2, "172.16.0.11");
	assert_non_null(nb);
	assert_true(addr_eq(&nb->nbma, &s1->nbma));
	r = fab_route(s1, "10.2.0.0/24");
	assert_non_null(r);
	assert_true(addr_eq(&r->via, &s2->conf.local[0].addr));
	nb = fab_neigh(s1, "172.16.0.12");
	assert_non_null(nb);
	assert_true(addr_eq(&nb->nbma, &s2->nbma));

	/* The request reached spoke 2 from hub2, recorded by both hubs. */
	i = fab_cap_find(&fab, hub2, NHRP_RESOLUTION_REQUEST, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s2->nbma));
	m = cap_msg(i, 0);
	assert_int_equal(m->hop_count, NHRP_HOPCNT_DEFAULT - 2);
	x = ext_of(m, NHRP_EXT_FWD_TRANSIT);
	assert_non_null(x);
	assert_int_equal(x->cie_count, 2);
	assert_true(fab_naddr_is(&nhrp_ext_cie(m, x, 0)->proto, "172.16.0.1"));
	assert_true(fab_naddr_is(&nhrp_ext_cie(m, x, 0)->nbma, "192.0.2.1"));
	assert_true(fab_naddr_is(&nhrp_ext_cie(m, x, 1)->proto, "172.16.0.2"));
	assert_true(fab_naddr_is(&nhrp_ext_cie(m, x, 1)->nbma, "192.0.2.2"));
	x = ext_of(m, NHRP_EXT_REV_TRANSIT);
	assert_non_null(x);
	assert_int_equal(x->cie_count, 0);

	/* Spoke 2's reply went straight to spoke 1 with the request's records.
	 */
	i = fab_cap_find(&fab, s2, NHRP_RESOLUTION_REPLY, 0);
	m = cap_msg(i, 0);
	x = ext_of(m, NHRP_EXT_FWD_TRANSIT);
	assert_non_null(x);
	assert_int_equal(x->cie_count, 2);
	assert_true(fab_naddr_is(&nhrp_ext_cie(m, x, 0)->proto, "172.16.0.1"));
	assert_true(fab_naddr_is(&nhrp_ext_cie(m, x, 1)->proto, "172.16.0.2"));
	x = ext_of(m, NHRP_EXT_REV_TRANSIT);
	assert_non_null(x);
	assert_int_equal(x->cie_count, 0);
	x = ext_of(m, NHRP_EXT_RESPONDER);
	assert_non_null(x);
	assert_int_equal(x->cie_count, 1);
	assert_true(fab_naddr_is(&nhrp_ext_cie(m, x, 0)->proto, "172.16.0.12"));
	assert_int_equal(m->cie_count, 1);
	assert_int_equal(m->cie[0].prefix_len, 24);
	assert_true(fab_naddr_is(&m->cie[0].nbma, "192.0.2.12"));

	/* Unroutable at hub2: its error reaches the spoke through hub1. */
	fab.ncaps = 0;
	redirect(hub, s1, "10.1.0.10", "10.3.0.10");
	fab_run(&fab, 1);
	assert_int_equal(nhrp_stats(hub2->e)->drops[NHRP_DROP_NO_ROUTE], 1);
	i = fab_cap_find(&fab, hub2, NHRP_ERROR_INDICATION, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &hub->nbma));
	assert_int_equal(cap_msg(i, 0)->err_code, NHRP_ERR_PROTO_UNREACH);
	i = fab_cap_find(&fab, hub, NHRP_ERROR_INDICATION, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s1->nbma));
	assert_true(fab_peer(s1, "10.3.0.10", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_NEGATIVE);
	assert_int_equal(fab_cap_count(&fab, s1, NHRP_RESOLUTION_REQUEST), 1);

	/*
	 * Phase 2 to spoke 2's tunnel address: hub2 answers from its
	 * registrations, and the reply goes back hub2 -> hub1 -> spoke 1,
	 * recorded by hub1 in the reverse transit records (RFC 2332 5.3.3).
	 */
	fab.ncaps = 0;
	assert_int_equal(nhrp_flush(s1->e, fab.now, NULL) > 0, true);
	fab_add_route(hub, "172.16.0.12/32", "172.16.0.2");
	miss(s1, "172.16.0.12");
	fab_run(&fab, 1);
	assert_int_equal(nhrp_stats(hub2->e)->resolutions_answered, 1);
	i = fab_cap_find(&fab, hub2, NHRP_RESOLUTION_REPLY, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &hub->nbma));
	i = fab_cap_find(&fab, hub, NHRP_RESOLUTION_REPLY, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s1->nbma));
	assert_int_equal(nhrp_stats(hub->e)->replies_forwarded, 1);
	m = cap_msg(i, 0);
	x = ext_of(m, NHRP_EXT_REV_TRANSIT);
	assert_non_null(x);
	assert_int_equal(x->cie_count, 1);
	assert_true(fab_naddr_is(&nhrp_ext_cie(m, x, 0)->proto, "172.16.0.1"));
	x = ext_of(m, NHRP_EXT_RESPONDER);
	assert_non_null(x);
	assert_true(fab_naddr_is(&nhrp_ext_cie(m, x, 0)->proto, "172.16.0.2"));
	assert_true(fab_naddr_is(&m->cie[0].nbma, "192.0.2.12"));
}

/* --- 3 and 4. Loop detection and hop count ---------------------------- */

static void
test_loop_detected(void **state)
{
	struct nhrp_msg q;
	const struct nhrp_msg *m;
	uint8_t pkt[512];
	size_t len, i;

	(void)state;
	star(false);
	start_all();
	fab_run(&fab, 1);
	fab.ncaps = 0;
	/* A request that already went through this hub. */
	res_request(&q, "192.0.2.11", "172.16.0.11", "10.2.0.10", 777);
	add_transit(&q, NHRP_EXT_FWD_TRANSIT, "172.16.0.99", "192.0.2.99");
	add_transit(&q, NHRP_EXT_FWD_TRANSIT, "172.16.0.1", "192.0.2.1");
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(hub, "192.0.2.11", pkt, len);
	assert_int_equal(nhrp_stats(hub->e)->drops[NHRP_DROP_LOOP], 1);
	assert_int_equal(nhrp_stats(hub->e)->errors_sent, 1);
	assert_int_equal(nhrp_stats(hub->e)->resolutions_forwarded, 0);
	assert_int_equal(s2->rx_types[NHRP_RESOLUTION_REQUEST], 0);
	/* RFC 2332 5.2.7: Loop Detected, to the source, quoting it. */
	i = fab_cap_find(&fab, hub, NHRP_ERROR_INDICATION, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s1->nbma));
	m = cap_msg(i, 0);
	assert_int_equal(m->err_code, NHRP_ERR_LOOP_DETECTED);
	assert_true(fab_naddr_is(&m->dst_proto, "172.16.0.11"));
	assert_true(fab_naddr_is(&m->src_proto, "172.16.0.1"));
	assert_true(m->payload_len > 0 && m->payload_len <= len);
	assert_memory_equal(m->payload, pkt, m->payload_len);
	assert_int_equal(fab.ncaps, 1);

	/* A reply with the hub in its reverse record: dropped, no error. */
	res_reply(&q, "10.2.0.10", 24, "172.16.0.12", "192.0.2.12", 778);
	nhrp_msg_add_ext(&q, NHRP_EXT_REV_TRANSIT, true);
	add_transit(&q, NHRP_EXT_REV_TRANSIT, "172.16.0.1", "192.0.2.1");
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(hub, "192.0.2.12", pkt, len);
	assert_int_equal(nhrp_stats(hub->e)->drops[NHRP_DROP_LOOP], 2);
	assert_int_equal(nhrp_stats(hub->e)->errors_sent, 1);
	assert_int_equal(nhrp_stats(hub->e)->replies_forwarded, 0);
	assert_int_equal(fab.ncaps, 1);
}

static void
test_hop_count_exceeded(void **state)
{
	struct nhrp_msg q;
	const struct nhrp_msg *m;
	uint8_t pkt[512];
	size_t len, i;

	(void)state;
	star(false);
	start_all();
	fab_run(&fab, 1);
	fab.ncaps = 0;
	/* Hop count 1: the hub cannot forward it any further. */
	res_request(&q, "192.0.2.11", "172.16.0.11", "10.2.0.10", 900);
	q.hop_count = 1;
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(hub, "192.0.2.11", pkt, len);
	assert_int_equal(nhrp_stats(hub->e)->drops[NHRP_DROP_HOP_COUNT], 1);
	assert_int_equal(nhrp_stats(hub->e)->errors_sent, 1);
	assert_int_equal(s2->rx_types[NHRP_RESOLUTION_REQUEST], 0);
	i = fab_cap_find(&fab, hub, NHRP_ERROR_INDICATION, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s1->nbma));
	m = cap_msg(i, 0);
	assert_int_equal(m->err_code, NHRP_ERR_HOP_COUNT);
	assert_memory_equal(m->payload, pkt, m->payload_len);

	/* Hop count 2: forwarded with 1 left, and answered. */
	res_request(&q, "192.0.2.11", "172.16.0.11", "10.2.0.10", 901);
	q.hop_count = 2;
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(hub, "192.0.2.11", pkt, len);
	assert_int_equal(nhrp_stats(hub->e)->drops[NHRP_DROP_HOP_COUNT], 1);
	i = fab_cap_find(&fab, hub, NHRP_RESOLUTION_REQUEST, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s2->nbma));
	assert_int_equal(cap_msg(i, 0)->hop_count, 1);
	assert_int_equal(nhrp_stats(s2->e)->resolutions_answered, 1);
	assert_int_equal(nhrp_stats(hub->e)->replies_forwarded, 0);
	assert_int_equal(s1->rx_types[NHRP_RESOLUTION_REPLY], 1);
}

/* --- 5. Authentication ------------------------------------------------- */

static void
set_auth(struct fab_node *n, const char *secret)
{
	n->conf.auth_len = strlen(secret);
	memcpy(n->conf.auth, secret, n->conf.auth_len);
}

static void
test_authentication(void **state)
{
	const struct nhrp_stats *st;
	struct nhrp_msg q;
	uint8_t pkt[512];
	unsigned int seen[9] = {0};
	size_t i, len, checked = 0;

	(void)state;
	star(true);
	s4 = fab_node(&fab, "s4", NHRP_ROLE_SPOKE, "172.16.0.14/24",
		      "192.0.2.14");
	fab_add_nhs(s4, "172.16.0.1", "192.0.2.1", 0, 0);
	set_auth(hub, "secret");
	set_auth(s1, "secret");
	set_auth(s4, "secret");
	set_auth(s2, "wrong!");
	/* s3 has none. */
	fab_add_route(hub, "10.9.0.0/24", NULL);
	start_all();
	fab_run(&fab, 30);
	st = nhrp_stats(hub->e);
	/* Only the spokes with the right secret got in. */
	assert_int_equal(st->registrations_accepted, 2);
	assert_true(fab_peer(hub, "172.16.0.11", &(struct nhrp_peer_info){0}));
	assert_true(fab_peer(hub, "172.16.0.14", &(struct nhrp_peer_info){0}));
	assert_false(fab_peer(hub, "172.16.0.12", &(struct nhrp_peer_info){0}));
	assert_false(fab_peer(hub, "172.16.0.13", &(struct nhrp_peer_info){0}));
	assert_null(fab_neigh(hub, "172.16.0.12"));
	assert_null(fab_neigh(hub, "172.16.0.13"));
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_not_equal(fab_nhs_state(s2, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_not_equal(fab_nhs_state(s3, "192.0.2.1"), NHRP_NHS_UP);
	assert_true(st->drops[NHRP_DROP_AUTH_MISMATCH] >= 3);
	assert_true(st->drops[NHRP_DROP_AUTH_MISSING] >= 3);
	assert_int_equal(st->drops[NHRP_DROP_AUTH_MISMATCH],
			 fab_cap_count(&fab, s2, NHRP_REGISTRATION_REQUEST));
	assert_int_equal(st->drops[NHRP_DROP_AUTH_MISSING],
			 fab_cap_count(&fab, s3, NHRP_REGISTRATION_REQUEST));
	assert_int_equal(st->tx_by_type[NHRP_REGISTRATION_REPLY], 2);

	/* More traffic between those that share the secret. */
	miss(s1, "10.9.0.5");                        /* answered by the hub */
	redirect(hub, s1, "10.1.0.10", "10.2.0.10"); /* unroutable: error */
	miss(s1, "172.16.0.14");                     /* spoke 4, via the hub */
	fab_run(&fab, 5);
	assert_true(fab_peer(s1, "10.9.0.0", &(struct nhrp_peer_info){0}));
	assert_int_equal(nhrp_stats(s1->e)->rx_by_type[NHRP_ERROR_INDICATION],
			 1);
	assert_non_null(fab_neigh(s1, "172.16.0.14"));
	{
		struct addr a = fab_addr("172.16.0.14");

		assert_int_equal(nhrp_purge(hub->e, fab.now, &a), 1);
	}
	fab_run(&fab, 5);
	assert_null(fab_neigh(s1, "172.16.0.14"));
	assert_int_equal(nhrp_stats(hub->e)->rx_by_type[NHRP_PURGE_REPLY], 1);

	/* Every packet either sent carries Cisco cleartext "secret". */
	for (i = 0; i < fab.ncaps; i++) {
		const struct nhrp_msg *m;
		const struct nhrp_ext *x;

		if (fab.caps[i].src != hub && fab.caps[i].src != s1 &&
		    fab.caps[i].src != s4)
			continue;
		m = cap_msg(i, 0);
		x = ext_of(m, NHRP_EXT_AUTH);
		assert_non_null(x);
		assert_int_equal(x->spi, NHRP_AUTH_CISCO_CLEARTEXT);
		assert_int_equal(x->data_len, 6);
		assert_memory_equal(x->data, "secret", 6);
		seen[m->type]++;
		checked++;
	}
	assert_true(seen[NHRP_REGISTRATION_REQUEST] > 0);
	assert_true(seen[NHRP_REGISTRATION_REPLY] > 0);
	assert_true(seen[NHRP_RESOLUTION_REQUEST] > 0);
	assert_true(seen[NHRP_RESOLUTION_REPLY] > 0);
	assert_true(seen[NHRP_ERROR_INDICATION] > 0);
	assert_true(seen[NHRP_TRAFFIC_INDICATION] > 0);
	assert_true(seen[NHRP_PURGE_REQUEST] > 0);
	assert_true(seen[NHRP_PURGE_REPLY] > 0);
	assert_true(checked >= 8);
	/* The hub never answered the others. */
	assert_int_equal(fab_cap_count(&fab, s2, NHRP_REGISTRATION_REPLY), 0);
	assert_int_equal(s2->rx_types[NHRP_REGISTRATION_REPLY], 0);
	assert_int_equal(s3->rx_types[NHRP_REGISTRATION_REPLY], 0);

	/* The spoke checks too: an unauthenticated indication is dropped. */
	nhrp_msg_init(&q, NHRP_TRAFFIC_INDICATION, NHRP_AFN_IPV4,
		      NHRP_PRO_IPV4);
	fab_naddr(&q.src_nbma, "192.0.2.1");
	fab_naddr(&q.src_proto, "172.16.0.1");
	fab_naddr(&q.dst_proto, "10.1.0.10");
	q.payload = pkt + 256;
	q.payload_len =
		(uint16_t)fab_ip_packet(pkt + 256, "10.1.0.10", "10.2.0.44");
	len = fab_encode(&q, pkt, 256);
	fab_inject(s1, "192.0.2.1", pkt, len);
	assert_int_equal(nhrp_stats(s1->e)->drops[NHRP_DROP_AUTH_MISSING], 1);
	assert_false(fab_peer(s1, "10.2.0.44", &(struct nhrp_peer_info){0}));
}

/* --- 6. Unknown extensions --------------------------------------------- */

static void
test_unknown_extensions(void **state)
{
	static const uint8_t body[] = {'x', 'y', 'z', '!'};
	struct nhrp_msg q;
	const struct nhrp_msg *m;
	const struct nhrp_ext *x;
	struct nhrp_ext *e;
	uint8_t pkt[512];
	size_t len, i;
	uint16_t off;

	(void)state;
	star(false);
	start_all();
	fab_run(&fab, 1);
	fab.ncaps = 0;
	/* Compulsory and unknown: RFC 2332 5.3, Unrecognized Extension. */
	res_request(&q, "192.0.2.11", "172.16.0.11", "10.2.0.10", 500);
	e = nhrp_msg_add_ext(&q, 0x0777, true);
	e->data = body;
	e->data_len = sizeof(body);
	len = fab_encode(&q, pkt, sizeof(pkt));
	{
		const char *why = NULL;

		assert_int_equal(nhrp_decode(pkt, len, &q, &why), 0);
		assert_true(q.unknown_compulsory);
		off = q.unknown_off;
	}
	fab_inject(hub, "192.0.2.11", pkt, len);
	assert_int_equal(
		nhrp_stats(hub->e)->drops[NHRP_DROP_UNKNOWN_COMPULSORY], 1);
	assert_int_equal(nhrp_stats(hub->e)->resolutions_forwarded, 0);
	assert_int_equal(s2->rx_types[NHRP_RESOLUTION_REQUEST], 0);
	i = fab_cap_find(&fab, hub, NHRP_ERROR_INDICATION, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s1->nbma));
	m = cap_msg(i, 0);
	assert_int_equal(m->err_code, NHRP_ERR_UNRECOGNIZED_EXT);
	assert_int_equal(m->err_offset, off);
	assert_memory_equal(m->payload, pkt, m->payload_len);

	/* The same in a registration: refused, not registered. */
	nhrp_msg_init(&q, NHRP_REGISTRATION_REQUEST, NHRP_AFN_IPV4,
		      NHRP_PRO_IPV4);
	q.reqid = 501;
	q.hop_count = 1;
	fab_naddr(&q.src_nbma, "192.0.2.13");
	fab_naddr(&q.src_proto, "172.16.0.13");
	fab_naddr(&q.dst_proto, "172.16.0.13");
	q.cie_count = 1;
	q.cie[0].prefix_len = 32;
	q.cie[0].holding_time = 600;
	e = nhrp_msg_add_ext(&q, 0x0777, true);
	e->data = body;
	e->data_len = sizeof(body);
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(hub, "192.0.2.13", pkt, len);
	assert_int_equal(
		nhrp_stats(hub->e)->drops[NHRP_DROP_UNKNOWN_COMPULSORY], 2);
	assert_false(fab_peer(hub, "172.16.0.13", &(struct nhrp_peer_info){0}));
	assert_int_equal(nhrp_stats(hub->e)->errors_sent, 2);

	/* Optional and unknown: carried through unchanged to the next hop. */
	fab.ncaps = 0;
	res_request(&q, "192.0.2.11", "172.16.0.11", "10.2.0.10", 502);
	e = nhrp_msg_add_ext(&q, 0x0777, false);
	e->data = body;
	e->data_len = sizeof(body);
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(hub, "192.0.2.11", pkt, len);
	assert_int_equal(nhrp_stats(hub->e)->resolutions_forwarded, 1);
	i = fab_cap_find(&fab, hub, NHRP_RESOLUTION_REQUEST, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s2->nbma));
	m = cap_msg(i, 0);
	x = ext_of(m, 0x0777);
	assert_non_null(x);
	assert_false(x->compulsory);
	assert_int_equal(x->data_len, sizeof(body));
	assert_memory_equal(x->data, body, sizeof(body));
	/* The responder returns it in its reply (RFC 2332 5.3). */
	i = fab_cap_find(&fab, s2, NHRP_RESOLUTION_REPLY, 0);
	assert_true(i != SIZE_MAX);
	x = ext_of(cap_msg(i, 0), 0x0777);
	assert_non_null(x);
	assert_memory_equal(x->data, body, sizeof(body));
}

/* --- 7. IPsec gating --------------------------------------------------- */

static void
test_ipsec_gating(void **state)
{
	struct nhrp_peer_info pi;
	size_t i;

	(void)state;
	star(false);
	for (i = 0; i < fab.nnodes; i++)
		fab.nodes[i]->conf.ipsec = true;
	fab.ipsec_delay = 0.5;
	start_all();
	fab_run(&fab, 0.1);
	/* Nothing on the wire yet: the registrations wait for IPsec. */
	assert_int_equal(fab.ncaps, 0);
	assert_int_equal(s1->ipsec_up_requests, 1);
	assert_int_equal(s2->ipsec_up_requests, 1);
	assert_int_equal(hub->ipsec_up_requests, 0);
	assert_int_not_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	fab_run(&fab, 1);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_equal(fab_nhs_state(s2, "192.0.2.1"), NHRP_NHS_UP);
	assert_true(fab_peer(hub, "172.16.0.11", &pi));
	assert_int_equal(pi.state, NHRP_PEER_UP);
	/* The hub answered over the SAs the spokes brought up. */
	assert_int_equal(hub->ipsec_up_requests, 0);

	/*
	 * A shortcut: the request crosses the hub; spoke 2 starts IKE to
	 * spoke 1 and sends its reply directly once the SA is up.
	 */
	fab.ncaps = 0;
	redirect(hub, s1, "10.1.0.10", "10.2.0.10");
	fab_run(&fab, 0.1);
	assert_int_equal(s2->rx_types[NHRP_RESOLUTION_REQUEST], 1);
	assert_int_equal(s2->ipsec_up_requests, 2);
	assert_true(fab_peer(s2, "172.16.0.11", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_DYNAMIC);
	assert_int_equal(pi.state, NHRP_PEER_IKE);
	assert_null(fab_neigh(s2, "172.16.0.11"));
	assert_int_equal(s1->rx_types[NHRP_RESOLUTION_REPLY], 0);
	assert_null(fab_route(s1, "10.2.0.0/24"));
	assert_null(fab_neigh(s1, "172.16.0.12"));
	assert_int_equal(fab_events(s1, NHRP_EV_ROUTE_UP), 0);
	for (i = 0; i < fab.ncaps; i++)
		assert_false(fab.caps[i].src == s2 &&
			     addr_eq(&fab.caps[i].dst, &s1->nbma));
	fab_run(&fab, 1);
	assert_int_equal(s1->rx_types[NHRP_RESOLUTION_REPLY], 1);
	assert_non_null(fab_neigh(s2, "172.16.0.11"));
	assert_true(fab_peer(s1, "10.2.0.0", &pi));
	assert_int_equal(pi.state, NHRP_PEER_UP);
	assert_non_null(fab_route(s1, "10.2.0.0/24"));
	assert_non_null(fab_neigh(s1, "172.16.0.12"));
	assert_int_equal(fab_events(s1, NHRP_EV_ROUTE_UP), 1);

	/* The spoke-spoke SA goes: so do the shortcut and its mapping. */
	nhrp_ipsec_down(s1->e, fab.now, &s2->nbma);
	nhrp_ipsec_down(s2->e, fab.now, &s1->nbma);
	assert_false(fab_peer(s1, "10.2.0.0", &pi));
	assert_null(fab_route(s1, "10.2.0.0/24"));
	assert_null(fab_neigh(s1, "172.16.0.12"));
	assert_int_equal(fab_events(s1, NHRP_EV_ROUTE_DOWN), 1);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);

	/* The SA to the NHS goes: probing, then registered once it is back. */
	nhrp_ipsec_down(s1->e, fab.now, &hub->nbma);
	nhrp_ipsec_down(hub->e, fab.now, &s1->nbma);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_PROBING);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_DOWN), 1);
	assert_null(fab_neigh(s1, "172.16.0.1"));
	assert_false(fab_peer(hub, "172.16.0.11", &pi));
	assert_null(fab_neigh(hub, "172.16.0.11"));
	fab_run(&fab, 10);
	assert_int_equal(s1->ipsec_up_requests, 2);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_UP), 2);
	assert_non_null(fab_neigh(s1, "172.16.0.1"));
	assert_true(fab_peer(hub, "172.16.0.11", &pi));
	assert_int_equal(pi.state, NHRP_PEER_UP);
	assert_non_null(fab_neigh(hub, "172.16.0.11"));

	/* Stopping withdraws every mapping and route, and IPsec use. */
	redirect(hub, s1, "10.1.0.10", "10.2.0.99");
	fab_run(&fab, 100);
	assert_non_null(fab_route(s1, "10.2.0.0/24"));
	fab_stop(s1);
	assert_int_equal(s1->nneigh, 0);
	assert_int_equal(s1->nroutes, 0);
	/* Only what s1 asked for: the SA to spoke 2 was spoke 2's doing. */
	assert_int_equal(s1->ipsec_down_requests, 1);
	fab_stop(s2);
	assert_int_equal(s2->ipsec_down_requests, 2);
}

/* The hub's IKE identities: s1 may register only 172.16.0.11. */
static bool
only_own_address(const struct fab_node *n, const struct addr *nbma,
		 const struct addr *proto)
{
	struct addr s1_nbma = fab_addr("192.0.2.11");
	struct addr s1_proto = fab_addr("172.16.0.11");

	(void)n;
	return !addr_eq(nbma, &s1_nbma) || addr_eq(proto, &s1_proto);
}

/*
 * With IPsec, a spoke whose certificate (or authorize entry) does not
 * name a tunnel address cannot register it: code 4, counted, and the
 * binding of the spoke that owns it stays.
 */
static void
test_ipsec_identity_binds_registration(void **state)
{
	struct nhrp_peer_info pi;
	struct nhrp_msg q;
	struct nhrp_cie *c;
	uint8_t pkt[512];
	size_t i, len;

	(void)state;
	star(false);
	for (i = 0; i < fab.nnodes; i++)
		fab.nodes[i]->conf.ipsec = true;
	hub->authorize = only_own_address;
	start_all();
	fab_run(&fab, 2);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_equal(fab_nhs_state(s2, "192.0.2.1"), NHRP_NHS_UP);
	/* s1 (authenticated at 192.0.2.11) claims s2's address. */
	fab.ncaps = 0;
	nhrp_msg_init(&q, NHRP_REGISTRATION_REQUEST, NHRP_AFN_IPV4,
		      NHRP_PRO_IPV4);
	q.flags = NHRP_FLAG_REG_U;
	q.reqid = 777;
	fab_naddr(&q.src_nbma, "192.0.2.11");
	fab_naddr(&q.src_proto, "172.16.0.12");
	fab_naddr(&q.dst_proto, "172.16.0.1");
	c = nhrp_msg_add_cie(&q);
	c->prefix_len = 32;
	c->holding_time = 600;
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(hub, "192.0.2.11", pkt, len);
	i = fab_cap_find(&fab, hub, NHRP_REGISTRATION_REPLY, 0);
	assert_true(i != SIZE_MAX);
	assert_int_equal(cap_msg(i, 0)->cie[0].code, NHRP_CIE_ADMIN_PROHIBITED);
	assert_int_equal(nhrp_stats(hub->e)->registrations_unauthorized, 1);
	assert_true(fab_peer(hub, "172.16.0.12", &pi));
	assert_true(addr_eq(&pi.nbma, &s2->nbma));
}

/* Packets the engine holds per peer until IPsec is up (nhrp_int.h). */
#define NHRP_VC_QUEUE 4

/* IKE to the NHS fails while it is away; NHRP asks again until it works. */
static void
test_ipsec_nhs_unreachable(void **state)
{
	size_t i;

	(void)state;
	star(false);
	for (i = 0; i < fab.nnodes; i++)
		fab.nodes[i]->conf.ipsec = true;
	start_all();
	fab_run(&fab, 1);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	/* The hub vanishes; dead peer detection takes the SA down. */
	hub->down = true;
	nhrp_ipsec_down(s1->e, fab.now, &hub->nbma);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_PROBING);
	fab_run(&fab, 300);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_PROBING);
	/* Asked again now and then (every 30 s at most), not flooded. */
	assert_true(s1->ipsec_up_requests >= 1 + 3);
	assert_true(s1->ipsec_up_requests <= 1 + 300 / 30 + 1);
	assert_true(nhrp_stats(s1->e)->drops[NHRP_DROP_IPSEC_QUEUE] > 0);
	/*
	 * It is back: IKE succeeds at the next attempt, and the newest
	 * registration, not a stale one, goes first: up at once.
	 */
	hub->down = false;
	fab.ncaps = 0;
	fab_run(&fab, 100);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_equal(fab_cap_count(&fab, s1, NHRP_REGISTRATION_REQUEST),
			 NHRP_VC_QUEUE);
	assert_int_equal(nhrp_stats(s1->e)->drops[NHRP_DROP_UNMATCHED_REPLY],
			 NHRP_VC_QUEUE - 1);
	assert_non_null(fab_neigh(s1, "172.16.0.1"));
	assert_true(fab_peer(hub, "172.16.0.11", &(struct nhrp_peer_info){0}));
}

/* --- 8. Dynamic NHS (`nhs dynamic nbma hub.example.net`) --------------- */

static void
test_dynamic_nhs(void **state)
{
	struct nhrp_nhs_info ni;
	unsigned int count, regs;
	struct addr both[2];
	const struct fab_event *ev;

	(void)state;
	two_hubs();
	fab_add_nhs(s1, NULL, "hub.example.net", 0, 0);
	start_all();
	fab_run(&fab, 10);
	/* No address yet: nowhere to register. */
	assert_int_equal(fab.ncaps, 0);
	fab_nhs_info(s1, "192.0.2.1", NULL, &count);
	assert_int_equal(count, 0);

	/* The name resolves to both hubs: register with each. */
	both[0] = hub->nbma;
	both[1] = hub2->nbma;
	nhrp_nhs_resolved(s1->e, fab.now, "hub.example.net", both, 2);
	fab_run(&fab, 2);
	assert_true(fab_nhs_info(s1, "192.0.2.1", &ni, &count));
	assert_int_equal(count, 2);
	assert_int_equal(ni.state, NHRP_NHS_UP);
	assert_string_equal(ni.fqdn, "hub.example.net");
	/* Their tunnel addresses came from the replies. */
	assert_true(addr_eq(&ni.proto, &hub->conf.local[0].addr));
	assert_true(fab_nhs_info(s1, "192.0.2.2", &ni, NULL));
	assert_int_equal(ni.state, NHRP_NHS_UP);
	assert_true(addr_eq(&ni.proto, &hub2->conf.local[0].addr));
	assert_non_null(fab_neigh(s1, "172.16.0.1"));
	assert_true(addr_eq(&fab_neigh(s1, "172.16.0.1")->nbma, &hub->nbma));
	assert_non_null(fab_neigh(s1, "172.16.0.2"));
	assert_true(addr_eq(&fab_neigh(s1, "172.16.0.2")->nbma, &hub2->nbma));
	assert_true(fab_peer(hub, "172.16.0.11", &(struct nhrp_peer_info){0}));
	assert_true(fab_peer(hub2, "172.16.0.11", &(struct nhrp_peer_info){0}));
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_UP), 2);

	/* The same answer again changes nothing. */
	nhrp_nhs_resolved(s1->e, fab.now, "hub.example.net", both, 2);
	fab_run(&fab, 2);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_UP), 2);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_DOWN), 0);

	/* Later the name has only hub2: hub1 is retired. */
	nhrp_nhs_resolved(s1->e, fab.now, "hub.example.net", &both[1], 1);
	assert_false(fab_nhs_info(s1, "192.0.2.1", NULL, &count));
	assert_int_equal(count, 1);
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_DOWN), 1);
	for (ev = &s1->events[s1->nevents - 1]; ev->ev != NHRP_EV_NHS_DOWN;
	     ev--)
		;
	assert_true(addr_eq(&ev->nbma, &hub->nbma));
	assert_null(fab_neigh(s1, "172.16.0.1"));
	assert_false(fab_peer(s1, "172.16.0.1", &(struct nhrp_peer_info){0}));
	assert_non_null(fab_neigh(s1, "172.16.0.2"));
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_UP);
	regs = hub->rx_types[NHRP_REGISTRATION_REQUEST];
	fab_run(&fab, 7200);
	assert_int_equal(hub->rx_types[NHRP_REGISTRATION_REQUEST], regs);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_UP);
	assert_true(hub2->rx_types[NHRP_REGISTRATION_REQUEST] > 2);
}

/* A name that also resolves to a hub configured statically. */
static void
test_dynamic_nhs_overlaps_static(void **state)
{
	struct addr both[2];
	unsigned int count;

	(void)state;
	two_hubs();
	fab_add_nhs(s1, "172.16.0.1", "192.0.2.1", 0, 0);
	fab_add_nhs(s1, NULL, "hub.example.net", 0, 0);
	start_all();
	fab_run(&fab, 2);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	both[0] = hub->nbma;
	both[1] = hub2->nbma;
	nhrp_nhs_resolved(s1->e, fab.now, "hub.example.net", both, 2);
	fab_run(&fab, 2);
	fab_nhs_info(s1, "192.0.2.1", NULL, &count);
	assert_int_equal(count, 3);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.2"), NHRP_NHS_UP);
	/* hub1's address is mapped once, whichever NHS object holds it. */
	assert_non_null(fab_neigh(s1, "172.16.0.1"));
	assert_true(addr_eq(&fab_neigh(s1, "172.16.0.1")->nbma, &hub->nbma));
	fab_run(&fab, 7200);
	/* The name drops hub1, then the static NHS goes with the engine. */
	nhrp_nhs_resolved(s1->e, fab.now, "hub.example.net", &both[1], 1);
	fab_nhs_info(s1, "192.0.2.1", NULL, &count);
	assert_int_equal(count, 2);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	fab_run(&fab, 7200);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_non_null(fab_neigh(s1, "172.16.0.1"));
	fab_stop(s1);
	assert_int_equal(s1->nneigh, 0);
}

/* --- 9. Traffic Indication rate limit ---------------------------------- */

static void
test_redirect_rate_limit(void **state)
{
	const struct nhrp_stats *st;
	int i;

	(void)state;
	star(false);
	s1->conf.shortcut = false; /* the source never resolves */
	hub->conf.redirect_burst = 3;
	hub->conf.redirect_interval = 5;
	start_all();
	fab_run(&fab, 1);
	st = nhrp_stats(hub->e);
	/* A burst of three, then nothing. */
	for (i = 0; i < 10; i++)
		redirect(hub, s1, "10.1.0.10", "10.2.0.10");
	fab_run(&fab, 0.5);
	assert_int_equal(st->indications_sent, 3);
	assert_int_equal(st->indications_suppressed, 7);
	assert_int_equal(s1->rx_types[NHRP_TRAFFIC_INDICATION], 3);
	/* One token per interval. */
	fab_run(&fab, 4.3);
	redirect(hub, s1, "10.1.0.10", "10.2.0.10");
	assert_int_equal(st->indications_sent, 3);
	fab_run(&fab, 0.4);
	redirect(hub, s1, "10.1.0.10", "10.2.0.10");
	redirect(hub, s1, "10.1.0.10", "10.2.0.10");
	assert_int_equal(st->indications_sent, 4);
	assert_int_equal(st->indications_suppressed, 9);
	fab_run(&fab, 5.1);
	redirect(hub, s1, "10.1.0.10", "10.2.0.10");
	assert_int_equal(st->indications_sent, 5);
	/* Another destination is another flow, with its own bucket. */
	for (i = 0; i < 5; i++)
		redirect(hub, s1, "10.1.0.10", "10.2.0.77");
	assert_int_equal(st->indications_sent, 8);
	assert_int_equal(st->indications_suppressed, 11);
	/* Idle, the bucket refills, but never beyond the burst. */
	fab_run(&fab, 100);
	for (i = 0; i < 10; i++)
		redirect(hub, s1, "10.1.0.10", "10.2.0.10");
	fab_run(&fab, 0.5);
	assert_int_equal(st->indications_sent, 11);
	assert_int_equal(st->indications_suppressed, 18);
	assert_int_equal(s1->rx_types[NHRP_TRAFFIC_INDICATION], 11);
	assert_int_equal(hub->rx_types[NHRP_RESOLUTION_REQUEST], 0);
	assert_int_equal(st->tx_by_type[NHRP_TRAFFIC_INDICATION], 11);
}

/* --- 10. Request IDs persist across restarts --------------------------- */

/* Request IDs the node sent, in order, from the captures. */
static size_t
sent_ids(const struct fab_node *n, uint32_t *ids, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < fab.ncaps && k < max; i++) {
		uint8_t t = fab.caps[i].data[17];

		if (fab.caps[i].src != n ||
		    (t != NHRP_RESOLUTION_REQUEST &&
		     t != NHRP_REGISTRATION_REQUEST && t != NHRP_PURGE_REQUEST))
			continue;
		ids[k++] = cap_msg(i, 0)->reqid;
	}
	return k;
}

static void
test_request_ids_persist(void **state)
{
	uint32_t run1[256], run2[256], limit;
	size_t n1, n2, i, j;
	int k;

	(void)state;
	star(false);
	s1->conf.holding_time = 30; /* registers every ~10 s */
	s1->conf.reqid_base = 1;
	s1->conf.reqid_limit = 8;
	start_all();
	fab_run(&fab, 1);
	assert_int_equal(nhrp_reqid_peek(s1->e), 2);
	assert_int_equal(s1->reserved_reqid, 0);
	/* The reservation is made as the IDs approach the limit. */
	for (k = 0; k < 200 && s1->reserved_reqid == 0; k++)
		fab_run(&fab, 1);
	assert_int_equal(s1->reserved_reqid, 8 + 65536);
	assert_true(nhrp_reqid_peek(s1->e) >= 7 && nhrp_reqid_peek(s1->e) <= 8);
	miss(s1, "172.16.0.12");
	fab_run(&fab, 60);
	assert_int_equal(s1->reserved_reqid, 8 + 65536);
	n1 = sent_ids(s1, run1, 256);
	assert_true(n1 >= 10);
	for (i = 0; i < n1; i++) {
		assert_int_equal(run1[i], i + 1); /* in order, none skipped */
		assert_true(run1[i] < s1->reserved_reqid);
	}
	assert_int_equal(nhrp_reqid_peek(s1->e), n1 + 1);

	/* Restart from the persisted limit (with a block of 16 reserved). */
	limit = s1->reserved_reqid;
	fab_stop(s1);
	fab.ncaps = 0;
	s1->conf.reqid_base = limit;
	s1->conf.reqid_limit = limit + 16;
	fab_start(s1);
	assert_int_equal(nhrp_reqid_peek(s1->e), limit);
	fab_run(&fab, 200);
	miss(s1, "172.16.0.12");
	fab_run(&fab, 1);
	n2 = sent_ids(s1, run2, 256);
	assert_true(n2 >= 16);
	for (i = 0; i < n2; i++) {
		assert_true(run2[i] >= limit);
		for (j = 0; j < n1; j++)
			assert_int_not_equal(run2[i], run1[j]);
	}
	assert_int_equal(s1->reserved_reqid, limit + 16 + 65536);
	/* The engine still works after the restart. */
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_non_null(fab_neigh(s1, "172.16.0.12"));
}

/* --- 11. Malformed input ----------------------------------------------- */

static void
test_malformed_input(void **state)
{
	struct nhrp_msg q;
	uint8_t good[512], bad[512];
	size_t len, i, before;
	unsigned int hub_peers, s1_peers, drops = 0;
	uint64_t rx = 0;
	uint16_t ck;

	(void)state;
	star(false);
	start_all();
	fab_run(&fab, 1);
	hub_peers = fab_npeers(hub, -1);
	s1_peers = fab_npeers(s1, -1);
	for (i = 0; i < 9; i++)
		rx += nhrp_stats(hub->e)->rx_by_type[i];
	/* A good registration of a third spoke, to be mangled. */
	nhrp_msg_init(&q, NHRP_REGISTRATION_REQUEST, NHRP_AFN_IPV4,
		      NHRP_PRO_IPV4);
	q.reqid = 42;
	q.hop_count = 1;
	q.flags = NHRP_FLAG_REG_U;
	fab_naddr(&q.src_nbma, "192.0.2.13");
	fab_naddr(&q.src_proto, "172.16.0.13");
	fab_naddr(&q.dst_proto, "172.16.0.13");
	q.cie_count = 1;
	q.cie[0].prefix_len = 32;
	q.cie[0].holding_time = 600;
	len = fab_encode(&q, good, sizeof(good));
	before = fab.ncaps;

	/* Truncated by one byte, and to half a fixed header. */
	fab_inject(hub, "192.0.2.13", good, len - 1);
	fab_inject(hub, "192.0.2.13", good, 10);
	fab_inject(hub, "192.0.2.13", good, 0);
	drops += 3;
	/* Bad checksum. */
	memcpy(bad, good, len);
	bad[NHRP_OFF_CHKSUM] ^= 0x5a;
	fab_inject(hub, "192.0.2.13", bad, len);
	drops++;
	/* A flipped byte inside (checksum no longer matches). */
	memcpy(bad, good, len);
	bad[len / 2] ^= 0x01;
	fab_inject(hub, "192.0.2.13", bad, len);
	drops++;
	/* A lying ar$extoff, with a checksum made right. */
	memcpy(bad, good, len);
	bad[NHRP_OFF_EXTOFF] = 0;
	bad[NHRP_OFF_EXTOFF + 1] = (uint8_t)(len - 2);
	bad[NHRP_OFF_CHKSUM] = bad[NHRP_OFF_CHKSUM + 1] = 0;
	ck = nhrp_checksum(bad, len);
	bad[NHRP_OFF_CHKSUM] = (uint8_t)(ck >> 8);
	bad[NHRP_OFF_CHKSUM + 1] = (uint8_t)ck;
	fab_inject(hub, "192.0.2.13", bad, len);
	drops++;
	/* Garbage, from a registered spoke's address too. */
	for (i = 0; i < sizeof(bad); i++)
		bad[i] = (uint8_t)(i * 37 + 11);
	fab_inject(hub, "192.0.2.11", bad, 64);
	fab_inject(hub, "192.0.2.11", bad, sizeof(bad));
	drops += 2;
	assert_int_equal(nhrp_stats(hub->e)->drops[NHRP_DROP_MALFORMED], drops);
	/* Nothing changed, nothing was said, nothing was counted as rx. */
	for (i = 0; i < 9; i++)
		rx -= nhrp_stats(hub->e)->rx_by_type[i];
	assert_int_equal(rx, 0);
	assert_int_equal(fab_npeers(hub, -1), hub_peers);
	assert_int_equal(fab.ncaps, before);
	assert_false(fab_peer(hub, "172.16.0.13", &(struct nhrp_peer_info){0}));

	/* A spoke too; and an indication quoting no IP packet. */
	fab_inject(s1, "192.0.2.1", good, len - 1);
	nhrp_msg_init(&q, NHRP_TRAFFIC_INDICATION, NHRP_AFN_IPV4,
		      NHRP_PRO_IPV4);
	fab_naddr(&q.src_nbma, "192.0.2.1");
	fab_naddr(&q.src_proto, "172.16.0.1");
	fab_naddr(&q.dst_proto, "10.1.0.10");
	q.payload = (const uint8_t *)"\x10\x20\x30";
	q.payload_len = 3;
	len = fab_encode(&q, bad, sizeof(bad));
	fab_inject(s1, "192.0.2.1", bad, len);
	assert_int_equal(nhrp_stats(s1->e)->drops[NHRP_DROP_MALFORMED], 2);
	assert_int_equal(fab_npeers(s1, -1), s1_peers);
	assert_int_equal(fab.ncaps, before);

	/* The spokes stay registered and keep refreshing. */
	fab_run(&fab, 7200 * 2);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
	assert_int_equal(fab_nhs_state(s2, "192.0.2.1"), NHRP_NHS_UP);
	assert_true(fab_peer(hub, "172.16.0.11", &(struct nhrp_peer_info){0}));
	assert_true(fab_peer(hub, "172.16.0.12", &(struct nhrp_peer_info){0}));
	assert_int_equal(fab_events(s1, NHRP_EV_NHS_DOWN), 0);
	assert_int_equal(fab_events(hub, NHRP_EV_PEER_DOWN), 0);
}

/* --- 12. Purge and flush ----------------------------------------------- */

/* A Purge Request from the hub to spoke 1 for prefix p. */
static size_t
purge_request(uint8_t *pkt, size_t cap, const char *p, uint8_t plen,
	      bool no_reply, uint32_t id)
{
	struct nhrp_msg q;

	nhrp_msg_init(&q, NHRP_PURGE_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	q.reqid = id;
	if (no_reply)
		q.flags = NHRP_FLAG_PURGE_N;
	fab_naddr(&q.src_nbma, "192.0.2.1");
	fab_naddr(&q.src_proto, "172.16.0.1");
	fab_naddr(&q.dst_proto, "172.16.0.11");
	q.cie_count = 1;
	q.cie[0].prefix_len = plen;
	fab_naddr(&q.cie[0].proto, p);
	return fab_encode(&q, pkt, cap);
}

static void
test_purge_and_flush(void **state)
{
	struct nhrp_peer_info pi;
	const struct nhrp_msg *m;
	uint8_t pkt[512];
	size_t len, i;

	(void)state;
	star(true);
	s1->conf.holding_time = s2->conf.holding_time = 600;
	s3->conf.holding_time = 600;
	start_all();
	fab_run(&fab, 1);
	/* Spoke 1 learns spoke 2 (phase 2) and its LAN (phase 3). */
	miss(s1, "172.16.0.12");
	redirect(hub, s1, "10.1.0.10", "10.2.0.10");
	fab_run(&fab, 1);
	assert_true(fab_peer(s1, "172.16.0.12", &pi));
	assert_non_null(fab_route(s1, "10.2.0.0/24"));

	/* Spoke 2 takes back its LAN: the Purge goes straight to spoke 1. */
	fab.ncaps = 0;
	{
		struct addr a = fab_addr("10.2.0.1");

		assert_int_equal(nhrp_purge(s2->e, fab.now, &a), 1);
	}
	fab_run(&fab, 1);
	i = fab_cap_find(&fab, s2, NHRP_PURGE_REQUEST, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &s1->nbma));
	m = cap_msg(i, 0);
	assert_int_equal(m->flags & NHRP_FLAG_PURGE_N, 0);
	assert_int_equal(m->cie_count, 1);
	assert_int_equal(m->cie[0].prefix_len, 24);
	assert_true(fab_naddr_is(&m->cie[0].proto, "10.2.0.0"));
	assert_false(fab_peer(s1, "10.2.0.0", &pi));
	assert_null(fab_route(s1, "10.2.0.0/24"));
	assert_int_equal(fab_events(s1, NHRP_EV_ROUTE_DOWN), 1);
	assert_int_equal(fab_cap_count(&fab, s1, NHRP_PURGE_REPLY), 1);
	/* Acknowledged: no retransmission. */
	fab_run(&fab, 30);
	assert_int_equal(fab_cap_count(&fab, s2, NHRP_PURGE_REQUEST), 1);
	assert_int_equal(nhrp_stats(s2->e)->drops[NHRP_DROP_UNMATCHED_REPLY],
			 0);
	/* The phase 2 mapping was not inside the purged prefix. */
	assert_true(fab_peer(s1, "172.16.0.12", &pi));

	/* The hub takes back spoke 2's binding it gave spoke 1. */
	fab.ncaps = 0;
	{
		struct addr a = fab_addr("172.16.0.12");

		assert_int_equal(nhrp_purge(hub->e, fab.now, &a), 1);
	}
	fab_run(&fab, 1);
	assert_int_equal(fab_cap_count(&fab, hub, NHRP_PURGE_REQUEST), 1);
	assert_false(fab_peer(s1, "172.16.0.12", &pi));
	assert_null(fab_neigh(s1, "172.16.0.12"));
	assert_int_equal(fab_cap_count(&fab, s1, NHRP_PURGE_REPLY), 1);
	/* The registration itself stays. */
	assert_true(fab_peer(hub, "172.16.0.12", &pi));
	assert_non_null(fab_neigh(hub, "172.16.0.12"));

	/* A spoke's own purge just drops its learned entries. */
	miss(s1, "172.16.0.12");
	fab_run(&fab, 1);
	assert_true(fab_peer(s1, "172.16.0.12", &pi));
	fab.ncaps = 0;
	{
		struct addr a = fab_addr("172.16.0.12");

		assert_int_equal(nhrp_purge(s1->e, fab.now, &a), 1);
	}
	assert_false(fab_peer(s1, "172.16.0.12", &pi));
	assert_null(fab_neigh(s1, "172.16.0.12"));
	assert_int_equal(fab.ncaps, 0);

	/* Purge Requests received: with the N bit, no reply. */
	miss(s1, "172.16.0.12");
	fab_run(&fab, 1);
	assert_true(fab_peer(s1, "172.16.0.12", &pi));
	fab.ncaps = 0;
	len = purge_request(pkt, sizeof(pkt), "172.16.0.12", 32, true, 4000);
	fab_inject(s1, "192.0.2.1", pkt, len);
	assert_false(fab_peer(s1, "172.16.0.12", &pi));
	assert_null(fab_neigh(s1, "172.16.0.12"));
	assert_int_equal(fab.ncaps, 0);
	/* Without it, a reply quoting the request's ID and CIE. */
	miss(s1, "172.16.0.12");
	fab_run(&fab, 1);
	fab.ncaps = 0;
	len = purge_request(pkt, sizeof(pkt), "172.16.0.12", 32, false, 4001);
	fab_inject(s1, "192.0.2.1", pkt, len);
	assert_false(fab_peer(s1, "172.16.0.12", &pi));
	i = fab_cap_find(&fab, s1, NHRP_PURGE_REPLY, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_eq(&fab.caps[i].dst, &hub->nbma));
	m = cap_msg(i, 0);
	assert_int_equal(m->reqid, 4001);
	assert_int_equal(m->cie_count, 1);
	assert_true(fab_naddr_is(&m->cie[0].proto, "172.16.0.12"));
	/* The hub did not ask (injected): it drops the stray reply. */
	assert_int_equal(nhrp_stats(hub->e)->drops[NHRP_DROP_UNMATCHED_REPLY],
			 1);
	/* A purge never removes configuration or an NHS. */
	len = purge_request(pkt, sizeof(pkt), "172.16.0.0", 24, true, 4002);
	fab_inject(s1, "192.0.2.1", pkt, len);
	assert_true(fab_peer(s1, "172.16.0.1", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_NHS);
	assert_non_null(fab_neigh(s1, "172.16.0.1"));
	assert_true(fab_peer(s1, "172.16.0.11", &pi));

	/* Flush one peer on the hub, by its NBMA address. */
	assert_int_equal(fab_npeers(hub, NHRP_CACHE_DYNAMIC), 3);
	assert_int_equal(nhrp_flush(hub->e, fab.now, &s1->nbma), 1);
	assert_false(fab_peer(hub, "172.16.0.11", &pi));
	assert_null(fab_neigh(hub, "172.16.0.11"));
	assert_int_equal(fab_events(hub, NHRP_EV_PEER_DOWN), 1);
	assert_true(fab_peer(hub, "172.16.0.12", &pi));
	/* And by protocol address. */
	{
		struct addr a = fab_addr("172.16.0.12");

		assert_int_equal(nhrp_flush(hub->e, fab.now, &a), 1);
	}
	assert_false(fab_peer(hub, "172.16.0.12", &pi));
	assert_true(fab_peer(hub, "172.16.0.13", &pi));
	/* Everything: only what is configured or ours stays. */
	assert_int_equal(nhrp_flush(hub->e, fab.now, NULL), 1);
	assert_int_equal(fab_npeers(hub, NHRP_CACHE_DYNAMIC), 0);
	assert_int_equal(hub->nneigh, 0);
	assert_int_equal(fab_npeers(hub, NHRP_CACHE_LOCAL), 1);
	assert_int_equal(fab_events(hub, NHRP_EV_PEER_DOWN), 3);
	/* The spokes come back at their next registration. */
	fab_run(&fab, 300);
	assert_int_equal(fab_npeers(hub, NHRP_CACHE_DYNAMIC), 3);
	assert_true(fab_peer(hub, "172.16.0.11", &pi));
	assert_non_null(fab_neigh(hub, "172.16.0.11"));
}

/* --- 13. IPv6 ---------------------------------------------------------- */

/* Hub and two spokes with these tunnel (/plen) and NBMA addresses. */
static void
star_with(const char *const *tun, const char *const *nbma, const char *nhs)
{
	fab_setup();
	hub = fab_node(&fab, "hub", NHRP_ROLE_HUB, tun[0], nbma[0]);
	s1 = fab_node(&fab, "s1", NHRP_ROLE_SPOKE, tun[1], nbma[1]);
	s2 = fab_node(&fab, "s2", NHRP_ROLE_SPOKE, tun[2], nbma[2]);
	fab_add_nhs(s1, nhs, nbma[0], 0, 0);
	fab_add_nhs(s2, nhs, nbma[0], 0, 0);
	start_all();
	fab_run(&fab, 1);
}

/* Registration and phase 2 between s1 and s2, checked on the wire. */
static void
check_v6_mix(const char *hub_proto, const char *s1_proto, const char *s2_proto,
	     uint16_t afn, uint16_t pro)
{
	struct nhrp_peer_info pi;
	const struct fab_neigh *nb;
	size_t i;

	assert_int_equal(
		fab_nhs_state(s1, addr_fmt(&hub->nbma, (char[ADDR_STRLEN]){0})),
		NHRP_NHS_UP);
	assert_true(fab_peer(hub, s1_proto, &pi));
	assert_int_equal(pi.type, NHRP_CACHE_DYNAMIC);
	assert_int_equal(pi.state, NHRP_PEER_UP);
	assert_true(addr_eq(&pi.nbma, &s1->nbma));
	assert_false(pi.nat);
	nb = fab_neigh(hub, s2_proto);
	assert_non_null(nb);
	assert_true(addr_eq(&nb->nbma, &s2->nbma));
	nb = fab_neigh(s1, hub_proto);
	assert_non_null(nb);
	assert_true(addr_eq(&nb->nbma, &hub->nbma));
	assert_int_equal(nhrp_stats(hub->e)->registrations_accepted, 2);

	miss(s1, s2_proto);
	fab_run(&fab, 1);
	assert_int_equal(nhrp_stats(hub->e)->resolutions_answered, 1);
	nb = fab_neigh(s1, s2_proto);
	assert_non_null(nb);
	assert_false(nb->failed);
	assert_true(addr_eq(&nb->nbma, &s2->nbma));
	assert_true(fab_peer(s1, s2_proto, &pi));
	assert_int_equal(pi.type, NHRP_CACHE_SHORTCUT);
	assert_int_equal(pi.proto.plen, addr_bits(&pi.proto.addr));
	/* Every packet used these address families. */
	assert_true(fab.ncaps >= 6);
	for (i = 0; i < fab.ncaps; i++) {
		const struct nhrp_msg *m = cap_msg(i, 0);

		assert_int_equal(m->afn, afn);
		assert_int_equal(m->pro_type, pro);
	}
}

static void
test_ipv6_overlay_ipv4_nbma(void **state)
{
	static const char *const tun[] = {"2001:db8::1/64", "2001:db8::11/64",
					  "2001:db8::12/64"};
	static const char *const nbma[] = {"192.0.2.1", "192.0.2.11",
					   "192.0.2.12"};
	const struct fab_route *r;

	(void)state;
	star_with(tun, nbma, "2001:db8::1");
	check_v6_mix("2001:db8::1", "2001:db8::11", "2001:db8::12",
		     NHRP_AFN_IPV4, NHRP_PRO_IPV6);
	/* Phase 3 too, for an IPv6 LAN behind spoke 2. */
	fab_stop(s2);
	s2->conf.shortcut_dest[0] = fab_prefix("2001:db8:2::/48");
	s2->conf.nshortcut_dest = 1;
	fab_start(s2);
	fab_add_route(hub, "2001:db8:2::/48", "2001:db8::12");
	fab_run(&fab, 1);
	redirect(hub, s1, "2001:db8:1::10", "2001:db8:2::10");
	fab_run(&fab, 1);
	assert_int_equal(nhrp_stats(hub->e)->indications_sent, 1);
	r = fab_route(s1, "2001:db8:2::/48");
	assert_non_null(r);
	assert_true(addr_eq(&r->via, &s2->conf.local[0].addr));
}

static void
test_ipv4_overlay_ipv6_nbma(void **state)
{
	static const char *const tun[] = {"172.16.0.1/24", "172.16.0.11/24",
					  "172.16.0.12/24"};
	static const char *const nbma[] = {
		"2001:db8:ffff::1", "2001:db8:ffff::11", "2001:db8:ffff::12"};

	(void)state;
	star_with(tun, nbma, "172.16.0.1");
	check_v6_mix("172.16.0.1", "172.16.0.11", "172.16.0.12", NHRP_AFN_IPV6,
		     NHRP_PRO_IPV4);
}

/* --- 14. Error Indications --------------------------------------------- */

static void
test_error_indication_negative(void **state)
{
	struct nhrp_peer_info pi;
	struct nhrp_nhs_info ni;
	const struct fab_neigh *nb;
	uint8_t pkt[1024], other[256];
	size_t i, j, len;
	unsigned int failures;

	(void)state;
	star(false);
	start_all();
	fab_run(&fab, 1);
	fab.ncaps = 0;
	/* The request is lost on the way; an error comes back for it. */
	fab.drop_type = NHRP_RESOLUTION_REQUEST;
	miss(s1, "172.16.0.12");
	fab_run(&fab, 0.1);
	i = fab_cap_find(&fab, s1, NHRP_RESOLUTION_REQUEST, 0);
	assert_true(i != SIZE_MAX);
	assert_true(fab_peer(s1, "172.16.0.12", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_INCOMPLETE);
	/* One quoting some other request ID changes nothing. */
	memcpy(other, fab.caps[i].data, fab.caps[i].len);
	other[NHRP_FIXED_LEN + 7] ^= 0xff; /* low byte of the request ID */
	len = error_to_s1(pkt, sizeof(pkt), other, fab.caps[i].len,
			  NHRP_ERR_PROTO_UNREACH);
	fab_inject(s1, "192.0.2.1", pkt, len);
	assert_true(fab_peer(s1, "172.16.0.12", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_INCOMPLETE);
	/* The right one: negative at once, the kernel told, no retry. */
	len = error_to_s1(pkt, sizeof(pkt), fab.caps[i].data, fab.caps[i].len,
			  NHRP_ERR_PROTO_UNREACH);
	fab_inject(s1, "192.0.2.1", pkt, len);
	assert_true(fab_peer(s1, "172.16.0.12", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_NEGATIVE);
	assert_true(pi.expires_in > 59 && pi.expires_in <= 60);
	nb = fab_neigh(s1, "172.16.0.12");
	assert_non_null(nb);
	assert_true(nb->failed);
	fab_run(&fab, 30);
	assert_int_equal(fab_cap_count(&fab, s1, NHRP_RESOLUTION_REQUEST), 1);
	assert_int_equal(nhrp_stats(s1->e)->rx_by_type[NHRP_ERROR_INDICATION],
			 2);
	/* Negative entries expire and the kernel may ask again. */
	fab_run(&fab, 31);
	assert_false(fab_peer(s1, "172.16.0.12", &pi));
	assert_null(fab_neigh(s1, "172.16.0.12"));
	fab.drop_type = 0;
	miss(s1, "172.16.0.12");
	fab_run(&fab, 1);
	nb = fab_neigh(s1, "172.16.0.12");
	assert_non_null(nb);
	assert_false(nb->failed);

	/* An error about our registration counts as a miss for that NHS. */
	fab.ncaps = 0;
	fab.drop_type = NHRP_REGISTRATION_REQUEST;
	fab_run(&fab, 7200 / 3 * 1.3);
	/* The last one sent is the one still waited for. */
	for (j = 0; (j = fab_cap_find(&fab, s1, NHRP_REGISTRATION_REQUEST,
				      j)) != SIZE_MAX;
	     j++)
		i = j;
	assert_true(fab_nhs_info(s1, "192.0.2.1", &ni, NULL));
	failures = ni.failures;
	len = error_to_s1(pkt, sizeof(pkt), fab.caps[i].data, fab.caps[i].len,
			  NHRP_ERR_PROTOCOL);
	fab_inject(s1, "192.0.2.1", pkt, len);
	assert_true(fab_nhs_info(s1, "192.0.2.1", &ni, NULL));
	assert_int_equal(ni.failures, failures + 1);
	fab.drop_type = 0;
	fab_run(&fab, 200);
	assert_int_equal(fab_nhs_state(s1, "192.0.2.1"), NHRP_NHS_UP);
}

/*
 * A Resolution Reply naming an NHS's (or a configured peer's) tunnel
 * address as next hop at some other NBMA address must not move that
 * peer's mapping: the neighbour entry is shared by address.
 */
static void
test_reply_cannot_move_nhs_mapping(void **state)
{
	struct nhrp_peer_info pi;
	struct nhrp_msg q;
	uint8_t pkt[512];
	size_t i, len;

	(void)state;
	star(false);
	s1->maps[0].proto = fab_prefix("172.16.0.50/32");
	s1->maps[0].nbma = fab_addr("192.0.2.50");
	s1->conf.nmaps = 1;
	start_all();
	fab_run(&fab, 1);
	fab.drop_type = NHRP_RESOLUTION_REQUEST;
	miss(s1, "10.7.0.5");
	miss(s1, "10.8.0.5");
	fab_run(&fab, 0.1);
	for (i = 0; i < 2; i++) {
		size_t k = fab_cap_find(&fab, s1, NHRP_RESOLUTION_REQUEST, 0);

		if (i == 1)
			k = fab_cap_find(&fab, s1, NHRP_RESOLUTION_REQUEST,
					 k + 1);
		assert_true(k != SIZE_MAX);
		res_reply(&q, i == 0 ? "10.7.0.5" : "10.8.0.5", 24,
			  i == 0 ? "172.16.0.1" : "172.16.0.50",
			  "198.51.100.66", cap_msg(k, 0)->reqid);
		len = fab_encode(&q, pkt, sizeof(pkt));
		fab_inject(s1, "192.0.2.1", pkt, len);
	}
	/* Refused: the mappings stay where NHS and configuration say. */
	assert_true(addr_eq(&fab_neigh(s1, "172.16.0.1")->nbma, &hub->nbma));
	assert_true(addr_eq(&fab_neigh(s1, "172.16.0.50")->nbma,
			    &s1->maps[0].nbma));
	assert_null(fab_route(s1, "10.7.0.0/24"));
	assert_null(fab_route(s1, "10.8.0.0/24"));
	assert_true(fab_peer(s1, "10.7.0.5", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_NEGATIVE);
	assert_int_equal(nhrp_stats(s1->e)->drops[NHRP_DROP_BAD_CIE], 2);
	/* A reply naming the NHS at its own address is fine. */
	fab.drop_type = 0;
	fab_add_route(hub, "10.9.0.0/24", NULL);
	miss(s1, "10.9.0.5");
	fab_run(&fab, 1);
	assert_non_null(fab_route(s1, "10.9.0.0/24"));
	assert_true(addr_eq(&fab_neigh(s1, "172.16.0.1")->nbma, &hub->nbma));
}

/*
 * A spoke answering a request relayed by its NHS replies to the
 * requester directly and keeps it as a dynamic peer for the way back; a
 * later authoritative reply from that peer at a new NBMA address (it
 * moved) replaces that entry rather than being refused.
 */
static void
test_spoke_answers_requester_directly(void **state)
{
	struct nhrp_peer_info pi;
	struct nhrp_msg q;
	uint8_t pkt[512];
	size_t i, len;

	(void)state;
	star(false);
	s2->conf.shortcut_dest[0] = fab_prefix("10.2.0.0/24");
	s2->conf.nshortcut_dest = 1;
	start_all();
	fab_run(&fab, 1);
	fab.ncaps = 0;
	/* From 172.16.0.77 at 198.51.100.77, relayed by the hub. */
	res_request(&q, "198.51.100.77", "172.16.0.77", "10.2.0.10", 4242);
	add_transit(&q, NHRP_EXT_FWD_TRANSIT, "172.16.0.1", "192.0.2.1");
	q.cie[0].holding_time = 600;
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(s2, "192.0.2.1", pkt, len);
	i = fab_cap_find(&fab, s2, NHRP_RESOLUTION_REPLY, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_is(&fab.caps[i].dst, "198.51.100.77"));
	assert_int_equal(cap_msg(i, 0)->reqid, 4242);
	assert_true(fab_peer(s2, "172.16.0.77", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_DYNAMIC);
	assert_true(addr_is(&pi.nbma, "198.51.100.77"));
	assert_true(pi.expires_in > 590 && pi.expires_in <= 600);
	assert_true(
		addr_is(&fab_neigh(s2, "172.16.0.77")->nbma, "198.51.100.77"));

	/* A request straight from a peer is answered back where it came. */
	fab.ncaps = 0;
	res_request(&q, "198.51.100.78", "172.16.0.78", "10.2.0.10", 4243);
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(s2, "198.51.100.78", pkt, len);
	i = fab_cap_find(&fab, s2, NHRP_RESOLUTION_REPLY, 0);
	assert_true(i != SIZE_MAX);
	assert_true(addr_is(&fab.caps[i].dst, "198.51.100.78"));
	assert_false(fab_peer(s2, "172.16.0.78", &pi));

	/* The peer moved: its own answer wins over the remembered request. */
	fab.drop_type = NHRP_RESOLUTION_REQUEST;
	fab.ncaps = 0;
	miss(s2, "10.7.0.5");
	fab_run(&fab, 0.1);
	i = fab_cap_find(&fab, s2, NHRP_RESOLUTION_REQUEST, 0);
	assert_true(i != SIZE_MAX);
	res_reply(&q, "10.7.0.5", 24, "172.16.0.77", "198.51.100.99",
		  cap_msg(i, 0)->reqid);
	fab_naddr(&q.src_nbma, "192.0.2.12");
	fab_naddr(&q.src_proto, "172.16.0.12");
	len = fab_encode(&q, pkt, sizeof(pkt));
	fab_inject(s2, "198.51.100.99", pkt, len);
	assert_non_null(fab_route(s2, "10.7.0.0/24"));
	assert_true(
		addr_is(&fab_neigh(s2, "172.16.0.77")->nbma, "198.51.100.99"));
	assert_true(fab_peer(s2, "10.7.0.0", &pi));
	assert_int_equal(pi.type, NHRP_CACHE_SHORTCUT);
	assert_false(fab_peer(s2, "172.16.0.77", &pi) &&
		     pi.type == NHRP_CACHE_DYNAMIC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_nhs_failover_fallback_now,
					  teardown),
		cmocka_unit_test_teardown(test_nhs_fallback_delay, teardown),
		cmocka_unit_test_teardown(test_nhs_fallback_keeps_refreshing,
					  teardown),
		cmocka_unit_test_teardown(test_hub_to_hub_transit, teardown),
		cmocka_unit_test_teardown(test_loop_detected, teardown),
		cmocka_unit_test_teardown(test_hop_count_exceeded, teardown),
		cmocka_unit_test_teardown(test_authentication, teardown),
		cmocka_unit_test_teardown(test_unknown_extensions, teardown),
		cmocka_unit_test_teardown(test_ipsec_gating, teardown),
		cmocka_unit_test_teardown(
			test_ipsec_identity_binds_registration, teardown),
		cmocka_unit_test_teardown(test_ipsec_nhs_unreachable, teardown),
		cmocka_unit_test_teardown(test_dynamic_nhs, teardown),
		cmocka_unit_test_teardown(test_dynamic_nhs_overlaps_static,
					  teardown),
		cmocka_unit_test_teardown(test_redirect_rate_limit, teardown),
		cmocka_unit_test_teardown(test_request_ids_persist, teardown),
		cmocka_unit_test_teardown(test_malformed_input, teardown),
		cmocka_unit_test_teardown(test_purge_and_flush, teardown),
		cmocka_unit_test_teardown(test_spoke_answers_requester_directly,
					  teardown),
		cmocka_unit_test_teardown(test_ipv6_overlay_ipv4_nbma,
					  teardown),
		cmocka_unit_test_teardown(test_ipv4_overlay_ipv6_nbma,
					  teardown),
		cmocka_unit_test_teardown(test_error_indication_negative,
					  teardown),
		cmocka_unit_test_teardown(test_reply_cannot_move_nhs_mapping,
					  teardown),
	};

	return cmocka_run_group_tests_name("nhrp_scenarios", tests, NULL, NULL);
}
