/*
 * Reconciliation over fake dumps: what a previous run left (our reqid
 * range) goes, what others installed stays, what is wanted but missing
 * or different is (re)installed, and a second pass over the result finds
 * nothing to do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <linux/xfrm.h>

#include "dmvpn/xfrm.h"

static struct addr
A(const char *s) {
	struct addr a;

	assert_int_equal(addr_parse(&a, s), 0);
	return a;
}

static struct xfrm_sa
SA(const char *src, const char *dst, uint32_t spi, uint32_t reqid) {
	struct xfrm_sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.src = A(src);
	sa.dst = A(dst);
	sa.spi = spi;
	sa.reqid = reqid;
	sa.proto = IPPROTO_ESP;
	return sa;
}

static struct xfrm_policy
PEER(const char *l, const char *r, uint8_t dir, uint32_t reqid) {
	struct xfrm_policy p;
	struct addr la = A(l), ra = A(r);

	xfrm_policy_peer(&p, &la, &ra, dir, reqid, XFRM_PRIO_PEER);
	return p;
}

static void
test_flush_range(void **state)
{
	/* Ours: 100..109.  strongSwan's 1, the admin's 500, a socket policy. */
	const struct xfrm_range r = {100, 10};
	struct xfrm_sa have[] = {
		SA("192.0.2.1", "198.51.100.2", 0xc0000001, 100),
		SA("198.51.100.2", "192.0.2.1", 0xc0000002, 109),
		SA("192.0.2.1", "203.0.113.9", 0xc0000003, 1),
		SA("192.0.2.1", "203.0.113.9", 0xc0000004, 500),
		SA("192.0.2.1", "203.0.113.9", 0xc0000005, 110),
		/* A larval state from an ACQUIRE of our wildcard. */
		SA("192.0.2.1", "203.0.113.7", 0, 100),
	};
	struct xfrm_policy hp[5];
	size_t dsa[6], dpol[5];
	struct xfrm_plan plan = {.del_sa = dsa, .del_pol = dpol};

	(void)state;
	hp[0] = PEER("192.0.2.1", "198.51.100.2", XFRM_POLICY_OUT, 100);
	hp[1] = PEER("192.0.2.1", "198.51.100.2", XFRM_POLICY_IN, 100);
	xfrm_policy_wildcard(&hp[2], AF_INET, NULL, XFRM_POLICY_OUT, 101,
			     XFRM_PRIO_WILDCARD);
	hp[3] = PEER("192.0.2.1", "203.0.113.9", XFRM_POLICY_OUT, 1);
	hp[4] = hp[0];
	hp[4].dir = XFRM_POLICY_MAX + XFRM_POLICY_OUT; /* socket policy */
	/* An empty wanted set: flush-reqid. */
	assert_int_equal(
		xfrm_reconcile(&r, have, 6, NULL, 0, hp, 5, NULL, 0, &plan), 0);
	assert_int_equal(plan.ndel_sa, 2);
	assert_int_equal(dsa[0], 0);
	assert_int_equal(dsa[1], 1);
	assert_int_equal(plan.ndel_pol, 3);
	assert_int_equal(dpol[0], 0);
	assert_int_equal(dpol[1], 1);
	assert_int_equal(dpol[2], 2);
	assert_int_equal(plan.nadd_sa, 0);
	assert_int_equal(plan.nadd_pol, 0);
}

static void
test_keep_wanted_and_idempotent(void **state)
{
	const struct xfrm_range r = {100, 10};
	struct xfrm_sa have[] = {
		SA("192.0.2.1", "198.51.100.2", 0xc0000001, 100),
		SA("198.51.100.2", "192.0.2.1", 0xc0000002, 100),
		SA("192.0.2.1", "198.51.100.3", 0xc0000003, 102), /* stale */
	};
	struct xfrm_sa want[] = {
		SA("192.0.2.1", "198.51.100.2", 0xc0000001, 100),
		SA("198.51.100.2", "192.0.2.1", 0xc0000002, 100),
		SA("192.0.2.1", "198.51.100.4", 0xc0000009, 103), /* new */
	};
	struct xfrm_policy hp[2], wp[3];
	size_t dsa[3], asa[3], dpol[2], apol[3];
	struct xfrm_plan plan = {dsa, 0, asa, 0, dpol, 0, apol, 0};

	(void)state;
	hp[0] = PEER("192.0.2.1", "198.51.100.2", XFRM_POLICY_OUT, 100);
	hp[1] = PEER("192.0.2.1", "198.51.100.3", XFRM_POLICY_OUT, 102);
	wp[0] = hp[0];
	/* A new peer's policy, and the inbound half of an existing one. */
	wp[1] = PEER("192.0.2.1", "198.51.100.4", XFRM_POLICY_OUT, 103);
	wp[2] = PEER("192.0.2.1", "198.51.100.2", XFRM_POLICY_IN, 100);
	assert_int_equal(
		xfrm_reconcile(&r, have, 3, want, 3, hp, 2, wp, 3, &plan), 0);
	assert_int_equal(plan.ndel_sa, 1);
	assert_int_equal(dsa[0], 2);
	assert_int_equal(plan.nadd_sa, 1);
	assert_int_equal(asa[0], 2);
	assert_int_equal(plan.ndel_pol, 1);
	assert_int_equal(dpol[0], 1);
	assert_int_equal(plan.nadd_pol, 2);
	assert_int_equal(apol[0], 1);
	assert_int_equal(apol[1], 2);
	/* After applying the plan the kernel holds exactly want: no-op. */
	assert_int_equal(
		xfrm_reconcile(&r, want, 3, want, 3, wp, 3, wp, 3, &plan), 0);
	assert_int_equal(
		plan.ndel_sa + plan.nadd_sa + plan.ndel_pol + plan.nadd_pol, 0);
	/* A policy whose template changed is updated in place, not deleted. */
	wp[0].reqid = 104;
	assert_int_equal(
		xfrm_reconcile(&r, want, 3, want, 3, hp, 1, wp, 1, &plan), 0);
	assert_int_equal(plan.ndel_pol, 0);
	assert_int_equal(plan.nadd_pol, 1);
}

static void
test_bad_range(void **state)
{
	struct xfrm_range r = {0, 10};
	struct xfrm_plan plan;

	(void)state;
	memset(&plan, 0, sizeof(plan));
	assert_int_equal(
		xfrm_reconcile(&r, NULL, 0, NULL, 0, NULL, 0, NULL, 0, &plan),
		-1);
	r.base = 1;
	r.count = 0;
	assert_int_equal(
		xfrm_reconcile(&r, NULL, 0, NULL, 0, NULL, 0, NULL, 0, &plan),
		-1);
	r.base = UINT32_MAX;
	r.count = 2;
	assert_int_equal(
		xfrm_reconcile(&r, NULL, 0, NULL, 0, NULL, 0, NULL, 0, &plan),
		-1);
	r.count = 1;
	assert_true(xfrm_range_has(&r, UINT32_MAX));
	assert_false(xfrm_range_has(&r, UINT32_MAX - 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flush_range),
		cmocka_unit_test(test_keep_wanted_and_idempotent),
		cmocka_unit_test(test_bad_range),
	};

	return cmocka_run_group_tests_name("xfrm_reconcile", tests, NULL, NULL);
}
