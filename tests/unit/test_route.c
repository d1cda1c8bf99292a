/*
 * Unit tests for the route engine against a fake kernel: wanted objects
 * installed once, idempotent reconciliation, repair of what someone else
 * deleted or changed, removal of stale objects of ours after a restart,
 * and never a touch on what is not ours.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "dmvpn/route.h"

/* The fake kernel: a list of objects carrying our marker. */
struct kernel {
	struct route_obj objs[32];
	size_t n;
	unsigned int adds, dels;
	bool fail;
};

static struct kernel k;

static ssize_t
kfind(const struct route_obj *o)
{
	size_t i;

	for (i = 0; i < k.n; i++)
		if (k.objs[i].kind == o->kind &&
		    prefix_eq(&k.objs[i].dst, &o->dst) &&
		    k.objs[i].table == o->table && k.objs[i].oif == o->oif)
			return (ssize_t)i;
	return -1;
}

static int
kapply(void *ctx, enum route_op op, const struct route_obj *o)
{
	ssize_t i = kfind(o);

	(void)ctx;
	if (k.fail) {
		errno = EPERM;
		return -1;
	}
	if (op == ROUTE_OP_ADD) {
		k.adds++;
		if (i < 0)
			i = (ssize_t)k.n++;
		k.objs[i] = *o;
		return 0;
	}
	if (i < 0) {
		errno = ESRCH;
		return -1;
	}
	k.dels++;
	k.objs[i] = k.objs[--k.n];
	return 0;
}

static struct route_obj
R(const char *dst, const char *gw) {
	struct route_obj o;

	memset(&o, 0, sizeof(o));
	o.kind = ROUTE_KIND_ROUTE;
	assert_int_equal(prefix_parse(&o.dst, dst), 0);
	assert_int_equal(addr_parse(&o.gateway, gw), 0);
	o.table = 254;
	o.oif = 5;
	o.metric = 10;
	return o;
}

static struct route_obj
N(const char *dst, const char *ll) {
	struct route_obj o;

	memset(&o, 0, sizeof(o));
	o.kind = ROUTE_KIND_NEIGH;
	assert_int_equal(prefix_parse(&o.dst, dst), 0);
	assert_int_equal(addr_parse(&o.gateway, ll), 0);
	o.oif = 5;
	o.nud = 2;
	return o;
}

static const struct route_ops ops = {.apply = kapply};

static int
setup(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	return 0;
}

/* Simulate a dump: everything in the fake kernel is seen. */
static void
dump(struct route_engine *re)
{
	size_t i;

	route_dump_begin(re, ROUTE_KIND_ROUTE);
	route_dump_begin(re, ROUTE_KIND_NEIGH);
	for (i = 0; i < k.n; i++)
		route_seen(re, &k.objs[i]);
}

static void
test_want_unwant(void **state)
{
	struct route_engine *re = route_engine_new(&ops);
	struct route_obj r = R("10.2.0.0/24", "172.16.0.12");
	struct route_obj n = N("172.16.0.12", "192.0.2.12");

	(void)state;
	assert_int_equal(route_want(re, &n), 0);
	assert_int_equal(route_want(re, &r), 0);
	assert_int_equal(k.n, 2);
	/* Wanting it again changes nothing. */
	assert_int_equal(route_want(re, &r), 0);
	assert_int_equal(k.adds, 2);
	/* A new gateway replaces. */
	r = R("10.2.0.0/24", "172.16.0.13");
	assert_int_equal(route_want(re, &r), 0);
	assert_int_equal(k.adds, 3);
	assert_int_equal(k.n, 2);
	assert_int_equal(route_unwant(re, &r), 0);
	assert_int_equal(route_unwant(re, &n), 0);
	assert_int_equal(k.n, 0);
	assert_int_equal(route_unwant(re, &n), 0);
	assert_int_equal(k.dels, 2);
	route_engine_free(re);
}

static void
test_reconcile_idempotent_and_repairs(void **state)
{
	struct route_engine *re = route_engine_new(&ops);
	struct route_obj r = R("10.2.0.0/24", "172.16.0.12");

	(void)state;
	route_want(re, &r);
	dump(re);
	assert_int_equal(route_reconcile(re), 0);
	assert_int_equal(route_reconcile(re), 0);
	/* Someone deleted it: the next dump (or event) brings it back. */
	k.n = 0;
	dump(re);
	assert_int_equal(route_reconcile(re), 1);
	assert_int_equal(k.n, 1);
	assert_int_equal(route_stats(re)->repaired, 1);
	/* Someone changed its metric: repaired too. */
	k.objs[0].metric = 99;
	dump(re);
	assert_int_equal(route_reconcile(re), 1);
	assert_int_equal(k.objs[0].metric, 10);
	/* A delete event alone is enough. */
	route_gone(re, &r);
	k.n = 0;
	assert_int_equal(route_reconcile(re), 1);
	assert_int_equal(k.n, 1);
	route_engine_free(re);
}

static void
test_restart_cleans_stale(void **state)
{
	struct route_engine *re = route_engine_new(&ops);
	struct route_obj keep = R("10.2.0.0/24", "172.16.0.12");
	struct route_obj old = R("10.3.0.0/24", "172.16.0.13");
	struct route_obj oldn = N("172.16.0.13", "192.0.2.13");

	(void)state;
	/* A previous run (kill -9) left three objects with our marker. */
	k.objs[0] = keep;
	k.objs[1] = old;
	k.objs[2] = oldn;
	k.n = 3;
	route_want(re, &keep);
	assert_int_equal(k.adds, 1); /* not known installed yet: replace */
	dump(re);
	assert_int_equal(route_reconcile(re), 2);
	assert_int_equal(k.n, 1);
	assert_int_equal(route_stats(re)->stale, 2);
	assert_int_equal(route_reconcile(re), 0);
	/* A clean stop withdraws the rest. */
	assert_int_equal(route_withdraw_all(re), 1);
	assert_int_equal(k.n, 0);
	route_engine_free(re);
}

static void
test_failures_retried_on_reconcile(void **state)
{
	struct route_engine *re = route_engine_new(&ops);
	struct route_obj r = R("10.2.0.0/24", "172.16.0.12");

	(void)state;
	k.fail = true;
	assert_int_equal(route_want(re, &r), -1);
	assert_int_equal(route_stats(re)->failures, 1);
	k.fail = false;
	assert_int_equal(route_reconcile(re), 1);
	assert_int_equal(k.n, 1);
	/* Deleting what is already gone is fine. */
	k.n = 0;
	assert_int_equal(route_unwant(re, &r), 0);
	assert_int_equal(route_stats(re)->failures, 1);
	route_engine_free(re);
}

static int
count_cb(const struct route_obj *o, bool installed, void *arg)
{
	(void)o;
	*(int *)arg += installed ? 10 : 1;
	return 0;
}

static void
test_foreach_and_keys(void **state)
{
	struct route_engine *re = route_engine_new(&ops);
	struct route_obj a = R("10.2.0.0/24", "172.16.0.12");
	struct route_obj b = R("10.2.0.0/24", "172.16.0.12");
	int sum = 0;

	(void)state;
	/* Same prefix in another table is another route. */
	b.table = 100;
	route_want(re, &a);
	route_want(re, &b);
	assert_int_equal(k.n, 2);
	route_foreach(re, count_cb, &sum);
	assert_int_equal(sum, 20);
	route_withdraw_all(re);
	route_engine_free(re);
	route_engine_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_want_unwant, setup),
		cmocka_unit_test_setup(test_reconcile_idempotent_and_repairs,
				       setup),
		cmocka_unit_test_setup(test_restart_cleans_stale, setup),
		cmocka_unit_test_setup(test_failures_retried_on_reconcile,
				       setup),
		cmocka_unit_test_setup(test_foreach_and_keys, setup),
	};

	return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
