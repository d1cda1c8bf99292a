/*
 * Unit tests for the hash table: insert, find, remove, growth, and a
 * table where every key collides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dmvpn/htab.h"
#include "dmvpn/list.h"

struct item {
	struct hnode hn;
	int key;
};

static bool
item_eq(const struct hnode *node, const void *key)
{
	return container_of_const(node, struct item, hn)->key ==
	       *(const int *)key;
}

static struct item *
find(struct htab *t, int key, uint32_t hash)
{
	struct hnode *n = htab_find(t, hash, &key, item_eq);

	return n == NULL ? NULL : container_of(n, struct item, hn);
}

static void
run(uint32_t (*hash)(int))
{
	enum { N = 5000 };
	static struct item items[N];
	struct htab t;
	int i;

	htab_init(&t);
	assert_null(find(&t, 1, hash(1)));
	for (i = 0; i < N; i++) {
		items[i].key = i;
		assert_int_equal(htab_insert(&t, &items[i].hn, hash(i)), 0);
	}
	assert_int_equal(htab_len(&t), N);
	for (i = 0; i < N; i++)
		assert_ptr_equal(find(&t, i, hash(i)), &items[i]);
	assert_null(find(&t, N, hash(N)));
	for (i = 0; i < N; i += 3)
		htab_remove(&t, &items[i].hn);
	htab_remove(&t, &items[0].hn);
	for (i = 0; i < N; i++) {
		if (i % 3 == 0)
			assert_null(find(&t, i, hash(i)));
		else
			assert_ptr_equal(find(&t, i, hash(i)), &items[i]);
	}
	htab_free(&t);
}

static uint32_t
good_hash(int k)
{
	return (uint32_t)k * 2654435761u;
}

static uint32_t
bad_hash(int k)
{
	(void)k;
	return 7;
}

static void
test_spread(void **state)
{
	(void)state;
	run(good_hash);
}

static void
test_all_collide(void **state)
{
	(void)state;
	run(bad_hash);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_all_collide),
	};

	return cmocka_run_group_tests_name("core_htab", tests, NULL, NULL);
}
