/*
 * Golden bytes for the rtnetlink builders, and the parsers run on them
 * and on hand-made kernel messages.  Netlink is host-endian: the vectors
 * are little-endian (x86, arm64 and every Alpine router we target).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "dmvpn/rtnl.h"

#define U16(v) (uint8_t)((v)&0xff), (uint8_t)(((v) >> 8) & 0xff)
#define U32(v) U16((v)&0xffff), U16(((v) >> 16) & 0xffff)

static struct addr
A(const char *s) {
	struct addr a;

	assert_int_equal(addr_parse(&a, s), 0);
	return a;
}

static void
test_neigh_golden(void **state)
{
	/* clang-format off: one netlink field per group */
	static const uint8_t want[] = {
		U32(52), U16(RTM_NEWNEIGH), U16(0x505), U32(7), U32(0),
		/* ndmsg: AF_INET, pad, ifindex 5, NUD_REACHABLE, flags, type */
		2, 0, U16(0), U32(5), U16(NUD_REACHABLE), 0, 0,
		/* NDA_DST 172.16.0.12 */
		U16(8), U16(NDA_DST), 172, 16, 0, 12,
		/* NDA_LLADDR 192.0.2.12: the NBMA address */
		U16(8), U16(NDA_LLADDR), 192, 0, 2, 12,
		/* NDA_PROTOCOL 191 (padded) */
		U16(5), U16(NDA_PROTOCOL), 191, 0, 0, 0};
	/* clang-format on */
	uint8_t buf[256];
	struct addr dst = A("172.16.0.12"), ll = A("192.0.2.12");
	size_t n;
	struct rtnl_neigh nb;

	(void)state;
	n = rtnl_msg_neigh(buf, sizeof(buf), 7, 5, &dst, &ll, NUD_REACHABLE,
			   RTNL_PROTO_NHRP, true);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(rtnl_parse_neigh((struct nlmsghdr *)buf, &nb), 0);
	assert_int_equal(nb.ifindex, 5);
	assert_true(addr_eq(&nb.dst, &dst));
	assert_true(nb.has_lladdr);
	assert_true(addr_eq(&nb.lladdr, &ll));
	assert_int_equal(nb.state, NUD_REACHABLE);
	assert_int_equal(nb.protocol, RTNL_PROTO_NHRP);
	/* A delete carries only the key. */
	n = rtnl_msg_neigh(buf, sizeof(buf), 8, 5, &dst, &ll, NUD_REACHABLE,
			   RTNL_PROTO_NHRP, false);
	assert_int_equal(n, 16 + 12 + 8);
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_type, RTM_DELNEIGH);
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK);
	/* Too small a buffer: nothing. */
	assert_int_equal(rtnl_msg_neigh(buf, 40, 7, 5, &dst, &ll, NUD_REACHABLE,
					RTNL_PROTO_NHRP, true),
			 0);
}

static void
test_route_golden(void **state)
{
	/* clang-format off: one netlink field per group */
	static const uint8_t want[] = {
		U32(52), U16(RTM_NEWROUTE), U16(0x505), U32(9), U32(0),
		/* rtmsg: AF_INET /24, src 0, tos 0, main, proto 191,
		 * universe, unicast, flags 0 */
		2, 24, 0, 0, 254, 191, 0, 1, U32(0),
		/* RTA_DST 10.2.0.0 */
		U16(8), U16(RTA_DST), 10, 2, 0, 0,
		/* RTA_GATEWAY 172.16.0.12 */
		U16(8), U16(RTA_GATEWAY), 172, 16, 0, 12,
		/* RTA_OIF 5 */
		U16(8), U16(RTA_OIF), U32(5)};
	/* clang-format on */
	uint8_t buf[256];
	struct rtnl_route r, back;
	size_t n;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(prefix_parse(&r.dst, "10.2.0.0/24"), 0);
	r.gateway = A("172.16.0.12");
	r.oif = 5;
	r.table = 254;
	r.protocol = RTNL_PROTO_NHRP;
	n = rtnl_msg_route(buf, sizeof(buf), 9, &r, true);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(rtnl_parse_route((struct nlmsghdr *)buf, &back), 0);
	assert_true(prefix_eq(&back.dst, &r.dst));
	assert_true(addr_eq(&back.gateway, &r.gateway));
	assert_int_equal(back.oif, 5);
	assert_int_equal(back.table, 254);
	assert_int_equal(back.protocol, RTNL_PROTO_NHRP);
	/* Tables above 255 go in RTA_TABLE. */
	r.table = 1000;
	n = rtnl_msg_route(buf, sizeof(buf), 9, &r, true);
	assert_int_equal(n, sizeof(want) + 8);
	assert_int_equal(rtnl_parse_route((struct nlmsghdr *)buf, &back), 0);
	assert_int_equal(back.table, 1000);
}

static void
test_gre_golden(void **state)
{
	/* clang-format off: one netlink field per group */
	static const uint8_t want[] = {
		U32(124), U16(RTM_NEWLINK), U16(0x605), U32(1), U32(0),
		/* ifinfomsg */
		0, 0, U16(0), U32(0), U32(0), U32(0),
		/* IFLA_IFNAME "gre1" */
		U16(9), U16(IFLA_IFNAME), 'g', 'r', 'e', '1', 0, 0, 0, 0,
		/* IFLA_MTU 1400 */
		U16(8), U16(IFLA_MTU), U32(1400),
		/* IFLA_LINKINFO { KIND "gre", DATA { ... } }, NLA_F_NESTED */
		U16(72), U16(IFLA_LINKINFO | NLA_F_NESTED), U16(8),
		U16(IFLA_INFO_KIND), 'g', 'r', 'e', 0, U16(60),
		U16(IFLA_INFO_DATA | NLA_F_NESTED),
		/* ikey/okey 42 big-endian, i/oflags GRE_KEY big-endian */
		U16(8), U16(4), 0, 0, 0, 42, U16(8), U16(5), 0, 0, 0, 42,
		U16(6), U16(2), 0x20, 0, 0, 0, U16(6), U16(3), 0x20, 0, 0, 0,
		/* local 192.0.2.10, ttl 64, pmtudisc 1 */
		U16(8), U16(6), 192, 0, 2, 10, U16(5), U16(8), 64, 0, 0, 0,
		U16(5), U16(10), 1, 0, 0, 0};
	/* clang-format on */
	uint8_t buf[512];
	struct rtnl_gre g;
	size_t n;

	(void)state;
	memset(&g, 0, sizeof(g));
	strcpy(g.ifname, "gre1");
	g.key_set = true;
	g.key = 42;
	g.local = A("192.0.2.10");
	g.ttl = 64;
	g.mtu = 1400;
	g.pmtudisc = true;
	n = rtnl_msg_gre(buf, sizeof(buf), 1, &g, true);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

/* A kernel RTM_NEWLINK for that device parses and matches; changes don't. */
static void
test_gre_parse_and_match(void **state)
{
	uint8_t buf[512];
	struct rtnl_gre g;
	struct rtnl_link l;
	char why[128];
	size_t n;

	(void)state;
	memset(&g, 0, sizeof(g));
	strcpy(g.ifname, "gre1");
	g.key_set = true;
	g.key = 42;
	g.local = A("192.0.2.10");
	g.ttl = 64;
	n = rtnl_msg_gre(buf, sizeof(buf), 1, &g, true);
	assert_true(n > 0);
	assert_int_equal(rtnl_parse_link((struct nlmsghdr *)buf, &l), 0);
	assert_string_equal(l.ifname, "gre1");
	assert_string_equal(l.kind, "gre");
	assert_true(l.is_gre);
	assert_int_equal(l.gre.key, 42);
	assert_true(l.gre.key_set);
	assert_int_equal(rtnl_gre_match(&l, &g, why, sizeof(why)), 0);
	g.key = 43;
	assert_int_equal(rtnl_gre_match(&l, &g, why, sizeof(why)), -1);
	assert_string_equal(why, "gre1 has GRE key 42, configured 43");
	g.key = 42;
	g.ttl = 255;
	assert_int_equal(rtnl_gre_match(&l, &g, why, sizeof(why)), -1);
	assert_string_equal(why, "gre1 has ttl 64, configured 255");
	g.ttl = 64;
	g.local = A("192.0.2.99");
	assert_int_equal(rtnl_gre_match(&l, &g, why, sizeof(why)), -1);
	assert_string_equal(why,
			    "gre1 has local 192.0.2.10, configured 192.0.2.99");
	l.is_gre = false;
	strcpy(l.kind, "vxlan");
	assert_int_equal(rtnl_gre_match(&l, &g, why, sizeof(why)), -1);
	assert_string_equal(why, "gre1 exists but is not a GRE device (vxlan)");
}

static void
test_neightbl_golden(void **state)
{
	/* clang-format off: one netlink field per group */
	static const uint8_t want[] = {
		U32(72), U16(RTM_SETNEIGHTBL), U16(0x5), U32(3), U32(0),
		/* ndtmsg: AF_INET */
		2, 0, U16(0),
		/* NDTA_NAME "arp_cache" */
		U16(14), U16(NDTA_NAME), 'a', 'r', 'p', '_', 'c', 'a', 'c', 'h',
		'e', 0, 0, 0,
		/* NDTA_PARMS { IFINDEX 5, APP 1, UCAST 0, MCAST 0 } */
		U16(36), U16(NDTA_PARMS | NLA_F_NESTED), U16(8),
		U16(NDTPA_IFINDEX), U32(5), U16(8), U16(NDTPA_APP_PROBES),
		U32(1), U16(8), U16(NDTPA_UCAST_PROBES), U32(0), U16(8),
		U16(NDTPA_MCAST_PROBES), U32(0)};
	/* clang-format on */
	uint8_t buf[256];
	size_t n;

	(void)state;
	n = rtnl_msg_neightbl(buf, sizeof(buf), 3, AF_INET, 5, 1, 0, 0);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_link_flags_addr_dump(void **state)
{
	uint8_t buf[256];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifi;
	struct prefix p;
	struct rtnl_addr ra;
	size_t n;

	(void)state;
	n = rtnl_msg_link_flags(buf, sizeof(buf), 4, 5, true, false);
	assert_int_equal(n, 32);
	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_index, 5);
	assert_int_equal(ifi->ifi_change, IFF_UP | IFF_NOARP);
	assert_int_equal(ifi->ifi_flags, IFF_UP);
	assert_int_equal(prefix_parse(&p, "172.16.0.10/24"), 0);
	n = rtnl_msg_addr(buf, sizeof(buf), 5, 5, &p, true);
	assert_int_equal(n, 16 + 8 + 8 + 8);
	assert_int_equal(rtnl_parse_addr(nlh, &ra), 0);
	assert_true(prefix_eq(&ra.prefix, &p));
	assert_int_equal(ra.ifindex, 5);
	n = rtnl_msg_dump(buf, sizeof(buf), 6, RTM_GETROUTE, AF_INET);
	assert_int_equal(n, 16 + 12);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(rtnl_msg_dump(buf, sizeof(buf), 6, 999, AF_INET), 0);
	n = rtnl_msg_get_link(buf, sizeof(buf), 7, "gre1");
	assert_int_equal(n, 16 + 16 + 12);
	n = rtnl_msg_link_del(buf, sizeof(buf), 8, 5);
	assert_int_equal(nlh->nlmsg_type, RTM_DELLINK);
}

static void
test_parsers_reject_garbage(void **state)
{
	uint8_t buf[64];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct rtnl_neigh nb;
	struct rtnl_route r;
	struct rtnl_link l;
	struct rtnl_addr a;

	(void)state;
	memset(buf, 0, sizeof(buf));
	/* Shorter than the family header. */
	nlh->nlmsg_len = 20;
	nlh->nlmsg_type = RTM_NEWNEIGH;
	assert_int_equal(rtnl_parse_neigh(nlh, &nb), -1);
	assert_int_equal(rtnl_parse_route(nlh, &r), -1);
	assert_int_equal(rtnl_parse_link(nlh, &l), -1);
	assert_int_equal(rtnl_parse_addr(nlh, &a), -1);
	/* A neighbour without NDA_DST. */
	nlh->nlmsg_len = 16 + 12;
	assert_int_equal(rtnl_parse_neigh(nlh, &nb), -1);
	/* An attribute whose length runs past the message. */
	nlh->nlmsg_len = 16 + 12 + 8;
	buf[28] = 200;
	buf[30] = NDA_DST;
	assert_int_equal(rtnl_parse_neigh(nlh, &nb), -1);
	/* A route with a prefix longer than its family. */
	nlh->nlmsg_len = 16 + 12;
	buf[16] = AF_INET;
	buf[17] = 33;
	assert_int_equal(rtnl_parse_route(nlh, &r), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_neigh_golden),
		cmocka_unit_test(test_route_golden),
		cmocka_unit_test(test_gre_golden),
		cmocka_unit_test(test_gre_parse_and_match),
		cmocka_unit_test(test_neightbl_golden),
		cmocka_unit_test(test_link_flags_addr_dump),
		cmocka_unit_test(test_parsers_reject_garbage),
	};

	return cmocka_run_group_tests_name("rtnl_msg", tests, NULL, NULL);
}
