/*
 * Min-heap of deadlines: see include/dmvpn/heap.h.  Positions are 1-based
 * so that 0 can mean "not queued" in a zeroed node.
 */
#include <stdlib.h>

#include "dmvpn/heap.h"

void
heap_init(struct heap *h)
{
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
}

void
heap_free(struct heap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		h->v[i]->pos = 0;
	free(h->v);
	heap_init(h);
}

static void
heap_place(struct heap *h, size_t i, struct heap_node *node)
{
	h->v[i] = node;
	node->pos = i + 1;
}

static void
sift_up(struct heap *h, size_t i)
{
	struct heap_node *node = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->v[parent]->at <= node->at)
			break;
		heap_place(h, i, h->v[parent]);
		i = parent;
	}
	heap_place(h, i, node);
}

static void
sift_down(struct heap *h, size_t i)
{
	struct heap_node *node = h->v[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && h->v[child + 1]->at < h->v[child]->at)
			child++;
		if (node->at <= h->v[child]->at)
			break;
		heap_place(h, i, h->v[child]);
		i = child;
	}
	heap_place(h, i, node);
}

int
heap_set(struct heap *h, struct heap_node *node, double at)
{
	size_t i;

	if (node->pos != 0) {
		i = node->pos - 1;
		node->at = at;
		sift_up(h, i);
		sift_down(h, node->pos - 1);
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap == 0 ? 64 : h->cap * 2;
		struct heap_node **v = realloc(h->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	node->at = at;
	heap_place(h, h->n++, node);
	sift_up(h, h->n - 1);
	return 0;
}

void
heap_del(struct heap *h, struct heap_node *node)
{
	size_t i;
	struct heap_node *last;

	if (node->pos == 0 || node->pos > h->n || h->v[node->pos - 1] != node)
		return;
	i = node->pos - 1;
	node->pos = 0;
	last = h->v[--h->n];
	if (i == h->n)
		return;
	heap_place(h, i, last);
	sift_up(h, i);
	sift_down(h, last->pos - 1);
}

struct heap_node *
heap_peek(const struct heap *h)
{
	return h->n == 0 ? NULL : h->v[0];
}

struct heap_node *
heap_pop_due(struct heap *h, double now)
{
	struct heap_node *top = heap_peek(h);

	if (top == NULL || top->at > now)
		return NULL;
	heap_del(h, top);
	return top;
}

bool
heap_queued(const struct heap_node *node)
{
	return node->pos != 0;
}

size_t
heap_len(const struct heap *h)
{
	return h->n;
}
