/*
 * Intrusive doubly linked lists.  musl has no <sys/queue.h> (Alpine ships
 * it only in bsd-compat-headers), so dmvpnd carries this small one.
 * A list head and its nodes are the same struct; an empty list points at
 * itself.
 */
#ifndef DMVPN_LIST_H
#define DMVPN_LIST_H

#include <stdbool.h>
#include <stddef.h>

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#endif
/* The same for a pointer to const. */
#define container_of_const(ptr, type, member)                            \
	((const type *)(const void *)((const char *)(ptr)-offsetof(type, \
								   member)))

struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

#define LIST_NODE_INIT(name)     \
	{                        \
		&(name), &(name) \
	}

/* Make head an empty list (or mark a node as on no list). */
static inline void
list_init(struct list_node *head)
{
	head->next = head;
	head->prev = head;
}

/* True when the list has no nodes (or the node is on no list). */
static inline bool
list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* Insert node between prev and next. */
static inline void
list_insert_between(struct list_node *node, struct list_node *prev,
		    struct list_node *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

/* Append node at the tail of head. */
static inline void
list_add_tail(struct list_node *head, struct list_node *node)
{
	list_insert_between(node, head->prev, head);
}

/* Insert node at the front of head. */
static inline void
list_add_head(struct list_node *head, struct list_node *node)
{
	list_insert_between(node, head, head->next);
}

/* Insert node just before pos. */
static inline void
list_add_before(struct list_node *pos, struct list_node *node)
{
	list_insert_between(node, pos->prev, pos);
}

/* Unlink node and leave it pointing at itself, so a second del is safe. */
static inline void
list_del(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

/* The entry holding the first node, or NULL when empty. */
#define list_first_entry(head, type, member) \
	(list_empty(head) ? NULL : container_of((head)->next, type, member))

/* Iterate over entries; the body must not unlink the current one. */
#define list_for_each_entry(pos, head, member)                               \
	for ((pos) = container_of((head)->next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);                                       \
	     (pos) = container_of((pos)->member.next, __typeof__(*(pos)),    \
				  member))

/* Iterate allowing the body to unlink (and free) the current entry. */
#define list_for_each_entry_safe(pos, tmp, head, member)                     \
	for ((pos) = container_of((head)->next, __typeof__(*(pos)), member), \
	    (tmp) = container_of((pos)->member.next, __typeof__(*(pos)),     \
				 member);                                    \
	     &(pos)->member != (head);                                       \
	     (pos) = (tmp), (tmp) = container_of((tmp)->member.next,         \
						 __typeof__(*(tmp)), member))

#endif /* DMVPN_LIST_H */
