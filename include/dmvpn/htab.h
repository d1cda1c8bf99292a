/*
 * An intrusive chained hash table that grows by doubling.  The owner
 * embeds struct hnode and keeps the full hash in it, so a resize or a
 * lookup compares hashes before calling the key comparison.
 */
#ifndef DMVPN_HTAB_H
#define DMVPN_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;
	uint32_t hash;
};

struct htab {
	struct hnode **b;
	size_t nb; /* buckets, a power of two */
	size_t n;  /* entries */
};

/* Key comparison: true when node holds key. */
typedef bool htab_eq_fn(const struct hnode *node, const void *key);

/* An empty table; allocates on the first insert. */
void htab_init(struct htab *t);

/* Free the bucket array (nodes belong to their owners). */
void htab_free(struct htab *t);

/* Insert node with this hash; -1 when out of memory.  No duplicate check. */
int htab_insert(struct htab *t, struct hnode *node, uint32_t hash);

/* The node holding key, or NULL. */
struct hnode *htab_find(const struct htab *t, uint32_t hash, const void *key,
			htab_eq_fn *eq);

/* Unlink node; harmless when it is not in the table. */
void htab_remove(struct htab *t, struct hnode *node);

/* Number of entries. */
size_t htab_len(const struct htab *t);

#endif /* DMVPN_HTAB_H */
