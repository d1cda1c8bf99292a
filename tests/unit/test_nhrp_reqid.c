/*
 * Unit tests for persistent request IDs: a fresh start, a restart after a
 * clean run and after a crash mid-block, a corrupt file, an unwritable
 * directory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmvpn/nhrp_reqid.h"

static char dir[64], path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dmvpn-reqid.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/reqid", dir);
	return 0;
}

static int
teardown(void **state)
{
	char tmp[160];

	(void)state;
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
	return 0;
}

static void
write_file(const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void
test_fresh_start_uses_clock(void **state)
{
	uint32_t base, limit, now = (uint32_t)time(NULL);

	(void)state;
	assert_int_equal(nhrp_reqid_restore(path, 1000, &base, &limit), 0);
	assert_true(base >= now && base <= now + 5);
	assert_int_equal(limit, base + 1000);
}

static void
test_restart_never_reuses(void **state)
{
	uint32_t base, limit, base2, limit2;

	(void)state;
	write_file("5000\n");
	assert_int_equal(nhrp_reqid_restore(path, 100, &base, &limit), 0);
	assert_int_equal(base, 5000);
	assert_int_equal(limit, 5100);
	/* Crash mid-block: the next run starts past the whole block. */
	assert_int_equal(nhrp_reqid_restore(path, 100, &base2, &limit2), 0);
	assert_int_equal(base2, 5100);
	/* Extending while running moves the start of the next run. */
	assert_int_equal(nhrp_reqid_persist(path, 5300), 0);
	assert_int_equal(nhrp_reqid_restore(path, 0, &base, &limit), 0);
	assert_int_equal(base, 5300);
	assert_int_equal(limit, 5300 + NHRP_REQID_DEFAULT_BLOCK);
}

static void
test_corrupt_file_falls_back(void **state)
{
	uint32_t base, limit;

	(void)state;
	write_file("not a number\n");
	assert_int_equal(nhrp_reqid_restore(path, 10, &base, &limit), 0);
	assert_true(base >= (uint32_t)time(NULL) - 5);
	write_file("99999999999999\n");
	assert_int_equal(nhrp_reqid_restore(path, 10, &base, &limit), 0);
	assert_true(base != 0);
	write_file("0\n");
	assert_int_equal(nhrp_reqid_restore(path, 10, &base, &limit), 0);
	assert_int_equal(base, 1);
}

static void
test_wrap(void **state)
{
	uint32_t base, limit;

	(void)state;
	write_file("4294967290\n");
	assert_int_equal(nhrp_reqid_restore(path, 100, &base, &limit), 0);
	assert_int_equal(base, 4294967290u);
	assert_int_equal(limit, UINT32_MAX);
}

static void
test_unwritable(void **state)
{
	uint32_t base, limit;

	(void)state;
	assert_int_equal(
		nhrp_reqid_restore("/nonexistent/dir/reqid", 10, &base, &limit),
		-1);
	assert_int_equal(errno, ENOENT);
	/* Still usable, just not persistent. */
	assert_true(base != 0);
	assert_int_equal(limit, base + 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_start_uses_clock,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_never_reuses,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_file_falls_back,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("nhrp_reqid", tests, NULL, NULL);
}
