/*
 * Unit tests for the pidfile: lock, refuse a second holder with the
 * first's pid, take over a stale file, remove on exit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmvpn/pidfile.h"

static char path[64];

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/dmvpn-pidtest.XXXXXX");
	fd = mkstemp(path);
	if (fd == -1)
		return -1;
	close(fd);
	unlink(path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void
test_lock_and_refuse(void **state)
{
	pid_t holder = -1;
	int fd, fd2;
	char buf[32] = {0};
	FILE *f;

	(void)state;
	fd = pidfile_open(path, &holder);
	assert_true(fd >= 0);
	assert_int_equal(holder, 0);
	assert_int_equal(pidfile_write(fd), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_int_equal(atol(buf), (long)getpid());

	/* flock conflicts between open file descriptions, even in-process. */
	fd2 = pidfile_open(path, &holder);
	assert_int_equal(fd2, -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal(holder, getpid());

	pidfile_remove(path, fd);
	assert_int_equal(access(path, F_OK), -1);
}

static void
test_stale_file_is_taken_over(void **state)
{
	pid_t holder = -1;
	FILE *f;
	int fd;

	(void)state;
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("999999999 and junk after\n", f);
	fclose(f);
	fd = pidfile_open(path, &holder);
	assert_true(fd >= 0);
	assert_int_equal(pidfile_write(fd), 0);
	pidfile_remove(path, fd);
	pidfile_remove(path, -1);
}

static void
test_unwritable_dir(void **state)
{
	pid_t holder;

	(void)state;
	assert_int_equal(pidfile_open("/nonexistent-dir/x.pid", &holder), -1);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lock_and_refuse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_file_is_taken_over,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_dir, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("core_pidfile", tests, NULL, NULL);
}
