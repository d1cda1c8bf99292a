/*
 * Unit tests for timers: the virtual clock (order, re-arm, cancel, timers
 * armed from callbacks) and the libev clock on a real loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dmvpn/timer.h"

struct rec {
	struct timer t;
	int id;
	double fired_at;
	int *order;
	int *n;
};

static void
rec_cb(struct timer *t, void *arg)
{
	struct rec *r = container_of(t, struct rec, t);

	(void)arg;
	r->fired_at = tclock_now(t->tm_clock);
	r->order[(*r->n)++] = r->id;
}

static void
test_virtual_order(void **state)
{
	struct tclock *c = tclock_virtual_new(100);
	struct rec r[4];
	int order[4], n = 0, i;
	const double after[4] = {5, 1, 3, 1};

	(void)state;
	for (i = 0; i < 4; i++) {
		r[i].id = i;
		r[i].order = order;
		r[i].n = &n;
		timer_set(&r[i].t, c, rec_cb, NULL);
		timer_add(&r[i].t, after[i]);
	}
	assert_true(tclock_next(c) == 1.0);
	assert_int_equal(tclock_advance(c, 2), 2);
	/* Equal expiries fire in arming order. */
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 3);
	assert_true(r[1].fired_at == 101.0);
	assert_true(tclock_now(c) == 102.0);
	assert_int_equal(tclock_advance(c, 10), 2);
	assert_int_equal(order[2], 2);
	assert_int_equal(order[3], 0);
	assert_true(r[0].fired_at == 105.0);
	assert_true(tclock_next(c) == -1);
	tclock_free(c);
}

static void
test_rearm_and_cancel(void **state)
{
	struct tclock *c = tclock_virtual_new(0);
	struct rec r = {.id = 7};
	int order[4], n = 0;

	(void)state;
	r.order = order;
	r.n = &n;
	timer_set(&r.t, c, rec_cb, NULL);
	assert_false(timer_pending(&r.t));
	assert_true(timer_remaining(&r.t) == -1);
	timer_add(&r.t, 10);
	assert_true(timer_pending(&r.t));
	tclock_advance(c, 4);
	assert_true(timer_remaining(&r.t) == 6);
	/* Re-arming replaces the old expiry. */
	timer_add(&r.t, 10);
	tclock_advance(c, 9);
	assert_int_equal(n, 0);
	tclock_advance(c, 1);
	assert_int_equal(n, 1);
	assert_true(r.fired_at == 14);
	assert_false(timer_pending(&r.t));
	timer_add(&r.t, 1);
	timer_del(&r.t);
	timer_del(&r.t);
	assert_int_equal(tclock_advance(c, 5), 0);
	timer_add(&r.t, -3);
	assert_true(timer_remaining(&r.t) == 0);
	assert_int_equal(tclock_advance(c, 0), 1);
	tclock_free(c);
}

struct chain {
	struct timer t;
	int left;
	double times[8];
	int n;
};

static void
chain_cb(struct timer *t, void *arg)
{
	struct chain *ch = arg;

	ch->times[ch->n++] = tclock_now(t->tm_clock);
	if (--ch->left > 0)
		timer_add(t, 2);
}

static void
test_rearm_from_callback(void **state)
{
	struct tclock *c = tclock_virtual_new(0);
	struct chain ch = {.left = 4};

	(void)state;
	timer_set(&ch.t, c, chain_cb, &ch);
	timer_add(&ch.t, 1);
	/* 1, 3, 5 fall inside the window; 7 does not. */
	assert_int_equal(tclock_advance(c, 6), 3);
	assert_true(ch.times[2] == 5);
	assert_int_equal(tclock_advance(c, 1), 1);
	assert_true(ch.times[3] == 7);
	assert_false(timer_pending(&ch.t));
	tclock_free(c);
}

static void
ev_clock_cb(struct timer *t, void *arg)
{
	int *fired = arg;

	(*fired)++;
	if (*fired == 1)
		timer_add(t, 0.001);
}

static void
test_ev_clock(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct tclock *c = tclock_ev_new(loop);
	struct timer t;
	int fired = 0;
	double start;

	(void)state;
	start = tclock_now(c);
	timer_set(&t, c, ev_clock_cb, &fired);
	timer_add(&t, 0.001);
	assert_true(timer_pending(&t));
	ev_run(loop, 0);
	assert_int_equal(fired, 2);
	assert_false(timer_pending(&t));
	assert_true(tclock_now(c) >= start);
	/* tclock_advance is for virtual clocks only. */
	assert_int_equal(tclock_advance(c, 10), 0);
	timer_add(&t, 100);
	timer_del(&t);
	ev_run(loop, EVRUN_NOWAIT);
	assert_int_equal(fired, 2);
	tclock_free(c);
	ev_loop_destroy(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtual_order),
		cmocka_unit_test(test_rearm_and_cancel),
		cmocka_unit_test(test_rearm_from_callback),
		cmocka_unit_test(test_ev_clock),
	};

	return cmocka_run_group_tests_name("core_timer", tests, NULL, NULL);
}
