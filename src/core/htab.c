/*
 * Chained hash table: see include/dmvpn/htab.h.  The load factor is kept
 * at or under 1 by doubling; a failed resize leaves the table as it was
 * and the insert still succeeds with longer chains.
 */
#include <stdlib.h>

#include "dmvpn/htab.h"

void
htab_init(struct htab *t)
{
	t->b = NULL;
	t->nb = 0;
	t->n = 0;
}

void
htab_free(struct htab *t)
{
	free(t->b);
	htab_init(t);
}

static void
htab_resize(struct htab *t, size_t nb)
{
	struct hnode **b = calloc(nb, sizeof(*b));
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < t->nb; i++) {
		struct hnode *node = t->b[i], *next;

		for (; node != NULL; node = next) {
			next = node->next;
			node->next = b[node->hash & (nb - 1)];
			b[node->hash & (nb - 1)] = node;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

int
htab_insert(struct htab *t, struct hnode *node, uint32_t hash)
{
	size_t i;

	if (t->nb == 0) {
		htab_resize(t, 64);
		if (t->nb == 0)
			return -1;
	} else if (t->n >= t->nb) {
		htab_resize(t, t->nb * 2);
	}
	node->hash = hash;
	i = hash & (t->nb - 1);
	node->next = t->b[i];
	t->b[i] = node;
	t->n++;
	return 0;
}

struct hnode *
htab_find(const struct htab *t, uint32_t hash, const void *key, htab_eq_fn *eq)
{
	struct hnode *node;

	if (t->nb == 0)
		return NULL;
	for (node = t->b[hash & (t->nb - 1)]; node != NULL; node = node->next)
		if (node->hash == hash && eq(node, key))
			return node;
	return NULL;
}

void
htab_remove(struct htab *t, struct hnode *node)
{
	struct hnode **pp;

	if (t->nb == 0)
		return;
	for (pp = &t->b[node->hash & (t->nb - 1)]; *pp != NULL;
	     pp = &(*pp)->next) {
		if (*pp == node) {
			*pp = node->next;
			node->next = NULL;
			t->n--;
			return;
		}
	}
}

size_t
htab_len(const struct htab *t)
{
	return t->n;
}
