/*
 * Unit tests for addresses and prefixes: parsing (good and bad), format,
 * equality, order, containment, masking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dmvpn/addr.h"

static void
test_parse_format(void **state)
{
	struct addr a;
	char s[ADDR_STRLEN];

	(void)state;
	assert_int_equal(addr_parse(&a, "192.0.2.1"), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.len, 4);
	assert_string_equal(addr_fmt(&a, s), "192.0.2.1");
	assert_int_equal(addr_parse(&a, "2001:db8::1"), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(addr_fmt(&a, s), "2001:db8::1");
	assert_int_equal(addr_parse(&a, "192.0.2.256"), -1);
	assert_true(addr_is_none(&a));
	assert_string_equal(addr_fmt(&a, s), "-");
	assert_int_equal(addr_parse(&a, "hub.example.net"), -1);
	assert_int_equal(addr_parse(&a, ""), -1);
}

static void
test_prefix_parse(void **state)
{
	struct prefix p;
	char s[ADDR_STRLEN];

	(void)state;
	assert_int_equal(prefix_parse(&p, "10.1.0.0/24"), 0);
	assert_int_equal(p.plen, 24);
	assert_string_equal(prefix_fmt(&p, s), "10.1.0.0/24");
	assert_int_equal(prefix_parse(&p, "172.16.0.10"), 0);
	assert_int_equal(p.plen, 32);
	assert_int_equal(prefix_parse(&p, "2001:db8::/32"), 0);
	assert_int_equal(p.plen, 32);
	assert_int_equal(prefix_parse(&p, "2001:db8::/129"), -1);
	assert_int_equal(prefix_parse(&p, "10.0.0.0/33"), -1);
	assert_int_equal(prefix_parse(&p, "10.0.0.0/"), -1);
	assert_int_equal(prefix_parse(&p, "10.0.0.0/-1"), -1);
	assert_int_equal(prefix_parse(&p, "10.0.0.0/24x"), -1);
	assert_int_equal(prefix_parse(&p, "/24"), -1);
	assert_int_equal(prefix_parse(&p,
				      "1234567890123456789012345678901234567890"
				      "1234567890/8"),
			 -1);
}

static void
test_eq_cmp_hash(void **state)
{
	struct addr a, b, c;

	(void)state;
	addr_parse(&a, "192.0.2.1");
	addr_parse(&b, "192.0.2.1");
	addr_parse(&c, "192.0.2.2");
	assert_true(addr_eq(&a, &b));
	assert_false(addr_eq(&a, &c));
	assert_true(addr_cmp(&a, &c) < 0);
	assert_true(addr_cmp(&c, &a) > 0);
	assert_int_equal(addr_cmp(&a, &b), 0);
	assert_int_equal(addr_hash(&a), addr_hash(&b));
	assert_int_not_equal(addr_hash(&a), addr_hash(&c));
	addr_parse(&c, "::1");
	assert_true(addr_cmp(&a, &c) < 0);
	assert_int_equal(addr_bits(&c), 128);
}

static void
test_contains_and_mask(void **state)
{
	struct prefix p, q;
	struct addr a;
	char s[ADDR_STRLEN];

	(void)state;
	prefix_parse(&p, "10.1.0.77/23");
	addr_parse(&a, "10.1.1.200");
	assert_true(prefix_contains(&p, &a));
	addr_parse(&a, "10.1.2.1");
	assert_false(prefix_contains(&p, &a));
	addr_parse(&a, "::1");
	assert_false(prefix_contains(&p, &a));
	prefix_mask(&p);
	assert_string_equal(prefix_fmt(&p, s), "10.1.0.0/23");
	prefix_parse(&q, "10.1.1.1/23");
	assert_true(prefix_eq(&p, &q));
	prefix_parse(&q, "10.1.1.1/24");
	assert_false(prefix_eq(&p, &q));
	prefix_parse(&p, "0.0.0.0/0");
	assert_true(prefix_contains(&p, &a) == false);
	addr_parse(&a, "203.0.113.9");
	assert_true(prefix_contains(&p, &a));
	prefix_parse(&p, "2001:db8:ff00::/41");
	addr_parse(&a, "2001:db8:ff7f::1");
	assert_true(prefix_contains(&p, &a));
	addr_parse(&a, "2001:db8:ff80::1");
	assert_false(prefix_contains(&p, &a));
}

static void
test_from_bytes(void **state)
{
	struct addr a;
	const uint8_t v4[4] = {198, 51, 100, 7};
	char s[ADDR_STRLEN];

	(void)state;
	assert_int_equal(addr_from_bytes(&a, v4, 4), 0);
	assert_string_equal(addr_fmt(&a, s), "198.51.100.7");
	assert_int_equal(addr_from_bytes(&a, v4, 5), -1);
	assert_true(addr_is_none(&a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_eq_cmp_hash),
		cmocka_unit_test(test_contains_and_mask),
		cmocka_unit_test(test_from_bytes),
	};

	return cmocka_run_group_tests_name("core_addr", tests, NULL, NULL);
}
