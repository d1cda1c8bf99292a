/*
 * Unit tests for the log module: level threshold, debug categories and
 * their parsing, errno preservation, strerror suffix.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dmvpn/log.h"

static char last[1024];
static enum log_level last_level;
static int count;

static void
sink(enum log_level level, const char *msg, void *arg)
{
	(void)arg;
	snprintf(last, sizeof(last), "%s", msg);
	last_level = level;
	count++;
}

static int
setup(void **state)
{
	(void)state;
	log_set_sink(sink, NULL);
	log_set_level(LOG_LVL_INFO);
	log_dbg_disable(DBG_ALL);
	last[0] = '\0';
	count = 0;
	return 0;
}

static void
test_level_threshold(void **state)
{
	(void)state;
	log_info("hello %d", 42);
	assert_string_equal(last, "hello 42");
	assert_int_equal(last_level, LOG_LVL_INFO);
	log_debug("hidden");
	assert_int_equal(count, 1);
	log_set_level(LOG_LVL_ERROR);
	log_warnx("hidden too");
	log_info("and this");
	assert_int_equal(count, 1);
	log_error("shown");
	assert_int_equal(count, 2);
	assert_int_equal(last_level, LOG_LVL_ERROR);
}

static void
test_warn_appends_strerror_and_keeps_errno(void **state)
{
	(void)state;
	errno = ENOENT;
	log_warn("open %s", "/nope");
	assert_int_equal(errno, ENOENT);
	assert_string_equal(last, "open /nope: No such file or directory");
	errno = EPERM;
	log_info("x");
	assert_int_equal(errno, EPERM);
}

static void
test_debug_categories(void **state)
{
	(void)state;
	log_set_level(LOG_LVL_DEBUG);
	log_dbg(DBG_NHRP, "nhrp off");
	assert_int_equal(count, 0);
	log_dbg_enable(DBG_NHRP | DBG_IKE);
	assert_true(log_dbg_on(DBG_NHRP));
	assert_false(log_dbg_on(DBG_XFRM));
	log_dbg(DBG_NHRP, "nhrp on");
	assert_string_equal(last, "nhrp on");
	log_dbg(DBG_XFRM, "xfrm off");
	assert_int_equal(count, 1);
	/* Categories need the debug level too. */
	log_set_level(LOG_LVL_INFO);
	log_dbg(DBG_NHRP, "level too low");
	assert_int_equal(count, 1);
	log_set_level(LOG_LVL_DEBUG);
	log_dbg_disable(DBG_NHRP);
	log_dbg(DBG_NHRP, "off again");
	assert_int_equal(count, 1);
	assert_int_equal(log_dbg_mask(), DBG_IKE);
}

static void
test_level_parse(void **state)
{
	enum log_level l;

	(void)state;
	assert_int_equal(log_level_parse("debug", &l), 0);
	assert_int_equal(l, LOG_LVL_DEBUG);
	assert_int_equal(log_level_parse("WARN", &l), 0);
	assert_int_equal(l, LOG_LVL_WARN);
	assert_int_equal(log_level_parse("warning", &l), 0);
	assert_int_equal(l, LOG_LVL_WARN);
	assert_int_equal(log_level_parse("error", &l), 0);
	assert_int_equal(l, LOG_LVL_ERROR);
	assert_int_equal(log_level_parse("verbose", &l), -1);
	assert_string_equal(log_level_name(LOG_LVL_INFO), "info");
}

static void
test_cat_parse_and_format(void **state)
{
	unsigned int m;
	const char *bad = NULL;
	char out[128];

	(void)state;
	assert_int_equal(log_cat_parse("nhrp,ike", &m, &bad), 0);
	assert_int_equal(m, DBG_NHRP | DBG_IKE);
	assert_int_equal(log_cat_parse("all", &m, &bad), 0);
	assert_int_equal(m, DBG_ALL);
	assert_int_equal(log_cat_parse("", &m, &bad), 0);
	assert_int_equal(m, 0);
	assert_int_equal(log_cat_parse("nhrp,,route", &m, &bad), 0);
	assert_int_equal(m, DBG_NHRP | DBG_ROUTE);
	assert_int_equal(log_cat_parse("nhrp,bogus", &m, &bad), -1);
	assert_string_equal(bad, "bogus");
	assert_int_equal(log_cat_parse("nhr", &m, &bad), -1);
	log_cat_format(DBG_NHRP | DBG_XFRM | DBG_DNS, out, sizeof(out));
	assert_string_equal(out, "nhrp,xfrm,dns");
	log_cat_format(DBG_ALL, out, 8);
	assert_true(strlen(out) < 8);
}

static void
test_long_message_truncates(void **state)
{
	char big[4096];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	assert_int_equal(strlen(last), 1023);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_level_threshold, setup),
		cmocka_unit_test_setup(
			test_warn_appends_strerror_and_keeps_errno, setup),
		cmocka_unit_test_setup(test_debug_categories, setup),
		cmocka_unit_test_setup(test_level_parse, setup),
		cmocka_unit_test_setup(test_cat_parse_and_format, setup),
		cmocka_unit_test_setup(test_long_message_truncates, setup),
	};

	return cmocka_run_group_tests_name("core_log", tests, NULL, NULL);
}
