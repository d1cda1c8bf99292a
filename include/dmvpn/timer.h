/*
 * One-shot timers over an injectable clock (after OpenIKED's timer.c).
 *
 * The daemon binds its clock to the libev loop (tclock_ev); tests use a
 * virtual clock (tclock_virtual) that moves only when told, firing due
 * timers in expiry order, so time-dependent code runs deterministically
 * and instantly.  Timers are embedded in their owners; recover the owner
 * with container_of in the callback.
 */
#ifndef DMVPN_TIMER_H
#define DMVPN_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <ev.h>

#include "dmvpn/list.h"

struct tclock;
struct timer;

typedef void timer_fn(struct timer *t, void *arg);

struct timer {
	ev_timer tm_ev;            /* used by the libev clock */
	struct list_node tm_entry; /* used by the virtual clock */
	double tm_at;              /* absolute expiry, clock seconds */
	struct tclock *tm_clock;
	timer_fn *tm_cb;
	void *tm_arg;
	bool tm_pending;
};

/* A clock driven by a libev loop (monotonic ev_now()). */
struct tclock *tclock_ev_new(struct ev_loop *loop);

/* A virtual clock for tests, starting at `start` seconds. */
struct tclock *tclock_virtual_new(double start);

/* Free a clock; its timers must have been deleted. */
void tclock_free(struct tclock *c);

/* Current time of the clock in seconds (monotonic, arbitrary epoch). */
double tclock_now(const struct tclock *c);

/*
 * Virtual clock only: move time forward by secs, firing every timer that
 * comes due, in expiry order, each seeing tclock_now() equal to its expiry.
 * Timers armed by callbacks fire too if they fall inside the window.
 * Returns the number of callbacks run.
 */
unsigned int tclock_advance(struct tclock *c, double secs);

/* Virtual clock only: seconds until the next pending timer, or -1. */
double tclock_next(const struct tclock *c);

/* Bind a timer to a clock and a callback; does not arm it. */
void timer_set(struct timer *t, struct tclock *c, timer_fn *cb, void *arg);

/* Arm (or re-arm) the timer to fire secs from now; secs < 0 counts as 0. */
void timer_add(struct timer *t, double secs);

/* Disarm; harmless on a timer that is not armed. */
void timer_del(struct timer *t);

/* True while armed. */
bool timer_pending(const struct timer *t);

/* Seconds until the timer fires (0 when due), or -1 when not armed. */
double timer_remaining(const struct timer *t);

#endif /* DMVPN_TIMER_H */
