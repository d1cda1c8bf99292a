/*
 * Timers over an injectable clock: libev in the daemon, a virtual clock in
 * tests.  The choice is a runtime property of the clock, not a build flag,
 * so the code under test is the code that ships.
 */
#include <stdlib.h>

#include "dmvpn/timer.h"

enum tclock_kind {
	TCLOCK_EV,
	TCLOCK_VIRTUAL,
};

struct tclock {
	enum tclock_kind kind;
	struct ev_loop *loop;   /* TCLOCK_EV */
	double now;             /* TCLOCK_VIRTUAL */
	struct list_node queue; /* TCLOCK_VIRTUAL, sorted by tm_at */
};

static struct tclock *
tclock_alloc(enum tclock_kind kind)
{
	struct tclock *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->kind = kind;
	list_init(&c->queue);
	return c;
}

struct tclock *
tclock_ev_new(struct ev_loop *loop)
{
	struct tclock *c = tclock_alloc(TCLOCK_EV);

	if (c != NULL)
		c->loop = loop;
	return c;
}

struct tclock *
tclock_virtual_new(double start)
{
	struct tclock *c = tclock_alloc(TCLOCK_VIRTUAL);

	if (c != NULL)
		c->now = start;
	return c;
}

void
tclock_free(struct tclock *c)
{
	free(c);
}

double
tclock_now(const struct tclock *c)
{
	if (c->kind == TCLOCK_EV)
		return ev_now(c->loop);
	return c->now;
}

static void
timer_ev_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct timer *t = container_of(w, struct timer, tm_ev);

	(void)loop;
	(void)revents;
	t->tm_pending = false;
	t->tm_cb(t, t->tm_arg);
}

void
timer_set(struct timer *t, struct tclock *c, timer_fn *cb, void *arg)
{
	t->tm_clock = c;
	t->tm_cb = cb;
	t->tm_arg = arg;
	t->tm_pending = false;
	t->tm_at = 0;
	ev_timer_init(&t->tm_ev, timer_ev_cb, 0., 0.);
}

/* Insert keeping the queue sorted; equal expiries fire in arming order. */
static void
virtual_insert(struct tclock *c, struct timer *t)
{
	struct timer *it;

	list_for_each_entry(it, &c->queue, tm_entry) {
		if (it->tm_at > t->tm_at) {
			list_add_before(&it->tm_entry, &t->tm_entry);
			return;
		}
	}
	list_add_tail(&c->queue, &t->tm_entry);
}

void
timer_add(struct timer *t, double secs)
{
	struct tclock *c = t->tm_clock;

	if (secs < 0)
		secs = 0;
	timer_del(t);
	t->tm_at = tclock_now(c) + secs;
	t->tm_pending = true;
	if (c->kind == TCLOCK_EV) {
		ev_timer_set(&t->tm_ev, secs, 0.);
		ev_timer_start(c->loop, &t->tm_ev);
	} else {
		virtual_insert(c, t);
	}
}

void
timer_del(struct timer *t)
{
	struct tclock *c = t->tm_clock;

	if (!t->tm_pending)
		return;
	t->tm_pending = false;
	if (c->kind == TCLOCK_EV)
		ev_timer_stop(c->loop, &t->tm_ev);
	else
		list_del(&t->tm_entry);
}

bool
timer_pending(const struct timer *t)
{
	return t->tm_pending;
}

double
timer_remaining(const struct timer *t)
{
	double left;

	if (!t->tm_pending)
		return -1;
	left = t->tm_at - tclock_now(t->tm_clock);
	return left < 0 ? 0 : left;
}

unsigned int
tclock_advance(struct tclock *c, double secs)
{
	double until = c->now + (secs < 0 ? 0 : secs);
	struct timer *t;
	unsigned int fired = 0;

	if (c->kind != TCLOCK_VIRTUAL)
		return 0;
	while ((t = list_first_entry(&c->queue, struct timer, tm_entry)) !=
		       NULL &&
	       t->tm_at <= until) {
		list_del(&t->tm_entry);
		t->tm_pending = false;
		if (t->tm_at > c->now)
			c->now = t->tm_at;
		t->tm_cb(t, t->tm_arg);
		fired++;
	}
	c->now = until;
	return fired;
}

double
tclock_next(const struct tclock *c)
{
	const struct timer *t;

	if (c->kind != TCLOCK_VIRTUAL)
		return -1;
	t = list_first_entry(&c->queue, struct timer, tm_entry);
	if (t == NULL)
		return -1;
	return t->tm_at > c->now ? t->tm_at - c->now : 0;
}
