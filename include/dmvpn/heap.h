/*
 * A binary min-heap of deadlines with the position kept in each node, so
 * a node can be moved or removed in O(log n).  The sans-I/O engines keep
 * every expiry (cache entries, retransmissions, refreshes) in one heap and
 * tell the daemon only the earliest one; 100,000 peers cost one libev
 * timer, not 100,000.
 */
#ifndef DMVPN_HEAP_H
#define DMVPN_HEAP_H

#include <stdbool.h>
#include <stddef.h>

struct heap_node {
	double at;  /* the deadline, engine seconds */
	size_t pos; /* 1-based position in the heap, 0 when not in it */
};

struct heap {
	struct heap_node **v;
	size_t n;
	size_t cap;
};

/* An empty heap; needs no allocation until the first push. */
void heap_init(struct heap *h);

/* Release the array (the nodes belong to their owners). */
void heap_free(struct heap *h);

/* Set node's deadline to at and (re)place it; -1 when out of memory. */
int heap_set(struct heap *h, struct heap_node *node, double at);

/* Take node out; harmless when it is not in the heap. */
void heap_del(struct heap *h, struct heap_node *node);

/* The earliest node, or NULL when empty. */
struct heap_node *heap_peek(const struct heap *h);

/* Remove and return the earliest node if its deadline is <= now. */
struct heap_node *heap_pop_due(struct heap *h, double now);

/* True when node is in a heap. */
bool heap_queued(const struct heap_node *node);

/* Number of nodes. */
size_t heap_len(const struct heap *h);

#endif /* DMVPN_HEAP_H */
