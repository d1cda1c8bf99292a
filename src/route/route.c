/*
 * The route engine: see include/dmvpn/route.h.  One record per key
 * (routes: table and destination; neighbours: interface and address)
 * holds what we want and what the kernel has; a record with neither is
 * freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/htab.h"
#include "dmvpn/list.h"
#include "dmvpn/route.h"

struct route_rec {
	struct hnode hn;
	struct list_node all;
	struct route_obj want;
	struct route_obj have;
	bool wanted;
	bool installed;
};

struct route_engine {
	struct route_ops ops;
	struct htab tab;
	struct list_node all;
	struct route_stats stats;
};

static uint32_t
key_hash(const struct route_obj *o)
{
	uint32_t h = addr_hash(&o->dst.addr) ^ (uint32_t)o->dst.plen * 131u;

	if (o->kind == ROUTE_KIND_ROUTE)
		return h ^ o->table * 2654435761u;
	return h ^ (uint32_t)o->oif * 40503u ^ 0x5bd1e995u;
}

static bool
key_eq(const struct route_obj *a, const struct route_obj *b)
{
	if (a->kind != b->kind || !prefix_eq(&a->dst, &b->dst))
		return false;
	if (a->kind == ROUTE_KIND_ROUTE)
		return a->table == b->table;
	return a->oif == b->oif;
}

static bool
rec_eq(const struct hnode *n, const void *key)
{
	return key_eq(&container_of_const(n, struct route_rec, hn)->want, key);
}

/* Does what the kernel has match what we want? */
static bool
same(const struct route_obj *a, const struct route_obj *b)
{
	if (a->oif != b->oif || !addr_eq(&a->gateway, &b->gateway))
		return false;
	if (a->kind == ROUTE_KIND_ROUTE)
		return a->metric == b->metric;
	return a->nud == b->nud;
}

struct route_engine *
route_engine_new(const struct route_ops *ops)
{
	struct route_engine *re = calloc(1, sizeof(*re));

	if (re == NULL)
		return NULL;
	re->ops = *ops;
	htab_init(&re->tab);
	list_init(&re->all);
	return re;
}

static void
rec_free(struct route_engine *re, struct route_rec *r)
{
	htab_remove(&re->tab, &r->hn);
	list_del(&r->all);
	free(r);
}

void
route_engine_free(struct route_engine *re)
{
	struct route_rec *r, *tmp;

	if (re == NULL)
		return;
	list_for_each_entry_safe(r, tmp, &re->all, all)
		rec_free(re, r);
	htab_free(&re->tab);
	free(re);
}

static struct route_rec *
rec_find(const struct route_engine *re, const struct route_obj *o)
{
	struct hnode *n = htab_find(&re->tab, key_hash(o), o, rec_eq);

	return n == NULL ? NULL : container_of(n, struct route_rec, hn);
}

static struct route_rec *
rec_get(struct route_engine *re, const struct route_obj *o)
{
	struct route_rec *r = rec_find(re, o);

	if (r != NULL)
		return r;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	/* The key lives in want even before anything is wanted. */
	r->want = *o;
	if (htab_insert(&re->tab, &r->hn, key_hash(o)) == -1) {
		free(r);
		return NULL;
	}
	list_add_tail(&re->all, &r->all);
	return r;
}

static int
apply(struct route_engine *re, enum route_op op, const struct route_obj *o)
{
	int rc = re->ops.apply(re->ops.ctx, op, o);

	if (rc == 0) {
		if (op == ROUTE_OP_ADD)
			re->stats.adds++;
		else
			re->stats.dels++;
		return 0;
	}
	/* Deleting what is already gone succeeded in effect. */
	if (op == ROUTE_OP_DEL && (errno == ENOENT || errno == ESRCH)) {
		re->stats.dels++;
		return 0;
	}
	re->stats.failures++;
	return -1;
}

/* Bring one record in line; returns 1 when it applied something. */
static int
rec_sync(struct route_engine *re, struct route_rec *r)
{
	if (r->wanted && (!r->installed || !same(&r->want, &r->have))) {
		if (apply(re, ROUTE_OP_ADD, &r->want) == 0) {
			r->installed = true;
			r->have = r->want;
		}
		return 1;
	}
	if (!r->wanted && r->installed) {
		if (apply(re, ROUTE_OP_DEL, &r->have) == 0)
			r->installed = false;
		return 1;
	}
	return 0;
}

int
route_want(struct route_engine *re, const struct route_obj *o)
{
	struct route_rec *r = rec_get(re, o);

	if (r == NULL)
		return -1;
	r->want = *o;
	r->wanted = true;
	rec_sync(re, r);
	return r->installed ? 0 : -1;
}

int
route_unwant(struct route_engine *re, const struct route_obj *o)
{
	struct route_rec *r = rec_find(re, o);

	if (r == NULL)
		return 0;
	r->wanted = false;
	rec_sync(re, r);
	if (!r->installed)
		rec_free(re, r);
	return 0;
}

void
route_dump_begin(struct route_engine *re, enum route_kind kind)
{
	struct route_rec *r;

	re->stats.resyncs++;
	list_for_each_entry(r, &re->all, all)
		if (r->want.kind == kind)
			r->installed = false;
}

void
route_seen(struct route_engine *re, const struct route_obj *o)
{
	struct route_rec *r = rec_get(re, o);

	if (r == NULL)
		return;
	r->installed = true;
	r->have = *o;
}

void
route_gone(struct route_engine *re, const struct route_obj *o)
{
	struct route_rec *r = rec_find(re, o);

	if (r == NULL)
		return;
	r->installed = false;
	if (!r->wanted)
		rec_free(re, r);
}

int
route_reconcile(struct route_engine *re)
{
	struct route_rec *r, *tmp;
	int n = 0;

	list_for_each_entry_safe(r, tmp, &re->all, all) {
		if (r->wanted && (!r->installed || !same(&r->want, &r->have)))
			re->stats.repaired++;
		else if (!r->wanted && r->installed)
			re->stats.stale++;
		n += rec_sync(re, r);
		if (!r->wanted && !r->installed)
			rec_free(re, r);
	}
	return n;
}

int
route_withdraw_all(struct route_engine *re)
{
	struct route_rec *r, *tmp;
	int n = 0;

	list_for_each_entry_safe(r, tmp, &re->all, all) {
		r->wanted = false;
		n += rec_sync(re, r);
		rec_free(re, r);
	}
	return n;
}

int
route_foreach(const struct route_engine *re,
	      int (*cb)(const struct route_obj *, bool, void *), void *arg)
{
	const struct route_rec *r;
	int rc;

	list_for_each_entry(r, &re->all, all) {
		if (!r->wanted)
			continue;
		rc = cb(&r->want, r->installed, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

const struct route_stats *
route_stats(const struct route_engine *re)
{
	return &re->stats;
}
