/*
 * The route engine: what dmvpnd wants in the kernel (shortcut routes and
 * neighbour entries) against what the kernel reports, reconciled by
 * difference.  Sans-I/O: the daemon feeds it dumps and events from rtnl
 * and it answers with operations to apply through struct route_ops.
 *
 * Everything dmvpnd installs carries its marker (the route protocol, the
 * neighbour protocol), so the engine only ever deletes what carries the
 * marker: routes of FRR, BIRD or the administrator in the same table are
 * never touched.  After a start, a kill -9, a netlink overrun or a
 * reload, a fresh dump plus route_reconcile() converges: adds what is
 * missing or different, deletes what is ours but no longer wanted.
 */
#ifndef DMVPN_ROUTE_H
#define DMVPN_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/addr.h"

enum route_kind {
	ROUTE_KIND_ROUTE,
	ROUTE_KIND_NEIGH,
};

/* A route (dst via gateway on oif in table) or a neighbour (dst at lladdr on
 * oif). */
struct route_obj {
	enum route_kind kind;
	struct prefix dst; /* neighbours: a host prefix */
	uint32_t table;    /* routes only */
	int oif;
	struct addr gateway; /* routes: next hop; neighbours: the lladdr */
	uint32_t metric;     /* routes only */
	uint16_t nud;        /* neighbours only: NUD_* state wanted */
};

enum route_op {
	ROUTE_OP_ADD, /* add or replace */
	ROUTE_OP_DEL,
};

struct route_ops {
	/* Apply to the kernel; 0 on success, -1 (errno) on failure. */
	int (*apply)(void *ctx, enum route_op op, const struct route_obj *o);
	void *ctx;
};

struct route_stats {
	uint64_t adds;
	uint64_t dels;
	uint64_t failures;
	uint64_t repaired; /* wanted objects found missing or changed */
	uint64_t stale;    /* ours found in the kernel, not wanted */
	uint64_t resyncs;
};

struct route_engine;

/* A new engine applying through ops. */
struct route_engine *route_engine_new(const struct route_ops *ops);

/* Free (does not touch the kernel: call route_withdraw_all first). */
void route_engine_free(struct route_engine *re);

/* Want o in the kernel (applied at once unless already installed). */
int route_want(struct route_engine *re, const struct route_obj *o);

/* No longer want the object with o's key (applied at once). */
int route_unwant(struct route_engine *re, const struct route_obj *o);

/*
 * A dump of the kernel's objects carrying our marker begins: forget what
 * we believed installed; route_seen() each one, then route_reconcile().
 */
void route_dump_begin(struct route_engine *re, enum route_kind kind);

/* The kernel has o (from a dump or an add event, with our marker). */
void route_seen(struct route_engine *re, const struct route_obj *o);

/* The kernel no longer has o (a delete event). */
void route_gone(struct route_engine *re, const struct route_obj *o);

/*
 * Make the kernel match: add wanted objects that are missing or differ,
 * delete ours that are not wanted.  Returns the number of operations.
 */
int route_reconcile(struct route_engine *re);

/* Delete everything of ours the engine knows of (clean stop). */
int route_withdraw_all(struct route_engine *re);

/* Visit wanted objects and whether each is installed; non-zero stops. */
int route_foreach(const struct route_engine *re,
		  int (*cb)(const struct route_obj *, bool installed, void *),
		  void *arg);

const struct route_stats *route_stats(const struct route_engine *re);

#endif /* DMVPN_ROUTE_H */
