/*
 * Unit tests for the deadline heap, including a randomised comparison
 * against a sorted reference with moves and removals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dmvpn/heap.h"

static void
test_basic(void **state)
{
	struct heap h;
	struct heap_node a = {0}, b = {0}, c = {0};

	(void)state;
	heap_init(&h);
	assert_null(heap_peek(&h));
	assert_int_equal(heap_set(&h, &a, 5), 0);
	assert_int_equal(heap_set(&h, &b, 1), 0);
	assert_int_equal(heap_set(&h, &c, 3), 0);
	assert_int_equal(heap_len(&h), 3);
	assert_ptr_equal(heap_peek(&h), &b);
	assert_null(heap_pop_due(&h, 0.5));
	assert_ptr_equal(heap_pop_due(&h, 1), &b);
	assert_false(heap_queued(&b));
	/* Move a before c. */
	assert_int_equal(heap_set(&h, &a, 2), 0);
	assert_ptr_equal(heap_pop_due(&h, 10), &a);
	heap_del(&h, &c);
	heap_del(&h, &c);
	assert_int_equal(heap_len(&h), 0);
	assert_null(heap_pop_due(&h, 100));
	heap_set(&h, &a, 1);
	heap_free(&h);
	assert_false(heap_queued(&a));
}

static void
test_random_against_reference(void **state)
{
	enum { N = 2000 };
	static struct heap_node nodes[N];
	struct heap h;
	double last = -1;
	size_t i, left = N, popped = 0;
	struct heap_node *n;

	(void)state;
	srand(12345);
	heap_init(&h);
	for (i = 0; i < N; i++)
		assert_int_equal(heap_set(&h, &nodes[i], rand() % 10000), 0);
	/* Move half, remove a tenth. */
	for (i = 0; i < N; i += 2)
		heap_set(&h, &nodes[i], rand() % 10000);
	for (i = 0; i < N; i += 10) {
		heap_del(&h, &nodes[i]);
		left--;
	}
	assert_int_equal(heap_len(&h), left);
	while ((n = heap_pop_due(&h, 1e9)) != NULL) {
		assert_true(n->at >= last);
		last = n->at;
		popped++;
	}
	assert_int_equal(popped, left);
	heap_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_random_against_reference),
	};

	return cmocka_run_group_tests_name("core_heap", tests, NULL, NULL);
}
