/*
 * Unit tests for the streaming JSON writer (src/ctl/json.c): golden
 * documents compact and pretty, string escaping (control characters,
 * DEL, UTF-8 passthrough, ill-formed bytes), numbers at their limits,
 * and every misuse turning into the sticky error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmvpn/json.h"

struct doc {
	FILE *f;
	char *text;
	size_t len;
	struct json j;
};

static void
doc_open(struct doc *d, bool pretty)
{
	d->text = NULL;
	d->len = 0;
	d->f = open_memstream(&d->text, &d->len);
	assert_non_null(d->f);
	json_init(&d->j, d->f, pretty);
}

/* Finish, compare, free. */
static void
doc_check(struct doc *d, int want_rc, const char *want)
{
	int rc = json_finish(&d->j);

	fclose(d->f);
	assert_int_equal(rc, want_rc);
	assert_string_equal(d->text, want);
	free(d->text);
}

static void
test_compact(void **state)
{
	struct doc d;

	(void)state;
	doc_open(&d, false);
	json_object(&d.j, NULL);
	json_string(&d.j, "interface", "gre1");
	json_uint(&d.j, "prefix", 32);
	json_int(&d.j, "expires_in", -1);
	json_bool(&d.j, "up", true);
	json_bool(&d.j, "nat", false);
	json_null(&d.j, "nbma");
	json_array(&d.j, "list");
	json_uint(&d.j, NULL, 1);
	json_string(&d.j, NULL, "two");
	json_object(&d.j, NULL);
	json_end(&d.j);
	json_array(&d.j, NULL);
	json_end(&d.j);
	json_end(&d.j);
	json_object(&d.j, "empty");
	json_end(&d.j);
	json_end(&d.j);
	doc_check(&d, 0,
		  "{\"interface\":\"gre1\",\"prefix\":32,\"expires_in\":-1,"
		  "\"up\":true,\"nat\":false,\"nbma\":null,"
		  "\"list\":[1,\"two\",{},[]],\"empty\":{}}\n");
}

static void
test_pretty(void **state)
{
	struct doc d;

	(void)state;
	doc_open(&d, true);
	json_array(&d.j, NULL);
	json_object(&d.j, NULL);
	json_string(&d.j, "a", "b");
	json_object(&d.j, "flags");
	json_bool(&d.j, "unique", true);
	json_end(&d.j);
	json_array(&d.j, "none");
	json_end(&d.j);
	json_end(&d.j);
	json_uint(&d.j, NULL, 7);
	json_end(&d.j);
	doc_check(&d, 0,
		  "[\n"
		  "  {\n"
		  "    \"a\": \"b\",\n"
		  "    \"flags\": {\n"
		  "      \"unique\": true\n"
		  "    },\n"
		  "    \"none\": []\n"
		  "  },\n"
		  "  7\n"
		  "]\n");

	doc_open(&d, true);
	json_array(&d.j, NULL);
	json_end(&d.j);
	doc_check(&d, 0, "[]\n");
}

static void
test_scalars(void **state)
{
	struct doc d;

	(void)state;
	doc_open(&d, false);
	json_array(&d.j, NULL);
	json_uint(&d.j, NULL, UINT64_MAX);
	json_int(&d.j, NULL, INT64_MIN);
	json_int(&d.j, NULL, INT64_MAX);
	json_uint(&d.j, NULL, 0);
	json_stringn(&d.j, NULL, "abcdef", 3);
	json_string(&d.j, NULL, NULL); /* a missing string is null */
	json_end(&d.j);
	doc_check(&d, 0,
		  "[18446744073709551615,-9223372036854775808,"
		  "9223372036854775807,0,\"abc\",null]\n");

	/* A lone scalar is a document too. */
	doc_open(&d, true);
	json_string(&d.j, NULL, "x");
	doc_check(&d, 0, "\"x\"\n");
}

static void
test_escaping(void **state)
{
	struct doc d;

	(void)state;
	doc_open(&d, false);
	json_object(&d.j, NULL);
	json_string(&d.j, "q\"k", "a\"b\\c/d");
	json_string(&d.j, "ctl", "\b\f\n\r\t\x01\x1f\x7f");
	json_stringn(&d.j, "nul", "a\0b", 3);
	json_end(&d.j);
	doc_check(&d, 0,
		  "{\"q\\\"k\":\"a\\\"b\\\\c/d\","
		  "\"ctl\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\","
		  "\"nul\":\"a\\u0000b\"}\n");
}

static void
test_utf8(void **state)
{
	struct doc d;

	(void)state;
	/* Well-formed: 2, 3 and 4 byte sequences pass through. */
	doc_open(&d, false);
	json_array(&d.j, NULL);
	json_string(&d.j, NULL, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	json_string(&d.j, NULL, "\xef\xbf\xbf\xf4\x8f\xbf\xbf");
	json_end(&d.j);
	doc_check(&d, 0,
		  "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
		  "\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"]\n");

	/* Ill-formed: each offending byte becomes U+FFFD. */
	doc_open(&d, false);
	json_array(&d.j, NULL);
	json_string(&d.j, NULL, "\xff");             /* never valid */
	json_string(&d.j, NULL, "a\xc3");            /* truncated */
	json_string(&d.j, NULL, "\xc3(");            /* bad continuation */
	json_string(&d.j, NULL, "\xc0\xaf");         /* overlong '/' */
	json_string(&d.j, NULL, "\xe0\x80\xaf");     /* overlong, 3 bytes */
	json_string(&d.j, NULL, "\xed\xa0\x80");     /* a surrogate */
	json_string(&d.j, NULL, "\xf4\x90\x80\x80"); /* past U+10FFFF */
	json_string(&d.j, NULL, "\x80z");            /* lone continuation */
	json_end(&d.j);
	doc_check(&d, 0,
		  "[\"\\ufffd\",\"a\\ufffd\",\"\\ufffd(\","
		  "\"\\ufffd\\ufffd\",\"\\ufffd\\ufffd\\ufffd\","
		  "\"\\ufffd\\ufffd\\ufffd\","
		  "\"\\ufffd\\ufffd\\ufffd\\ufffd\",\"\\ufffdz\"]\n");
}

static void
test_misuse(void **state)
{
	struct doc d;
	int i;

	(void)state;
	/* A key inside an array. */
	doc_open(&d, false);
	json_array(&d.j, NULL);
	json_uint(&d.j, "k", 1);
	assert_int_equal(json_error(&d.j), EINVAL);
	json_uint(&d.j, NULL, 2); /* sticky: nothing more is written */
	json_end(&d.j);
	doc_check(&d, -1, "[");

	/* No key inside an object. */
	doc_open(&d, false);
	json_object(&d.j, NULL);
	json_uint(&d.j, NULL, 1);
	json_end(&d.j);
	assert_int_equal(json_error(&d.j), EINVAL);
	doc_check(&d, -1, "{");

	/* A key at the top. */
	doc_open(&d, false);
	json_object(&d.j, "top");
	doc_check(&d, -1, "");

	/* One end too many. */
	doc_open(&d, false);
	json_array(&d.j, NULL);
	json_end(&d.j);
	json_end(&d.j);
	assert_int_equal(json_error(&d.j), EINVAL);
	doc_check(&d, -1, "[]");

	/* Two documents. */
	doc_open(&d, false);
	json_uint(&d.j, NULL, 1);
	json_uint(&d.j, NULL, 2);
	doc_check(&d, -1, "1");

	/* Unbalanced at the end, and nothing at all. */
	doc_open(&d, false);
	json_object(&d.j, NULL);
	json_array(&d.j, "a");
	doc_check(&d, -1, "{\"a\":[");
	doc_open(&d, false);
	doc_check(&d, -1, "");

	/* Too deep. */
	doc_open(&d, false);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array(&d.j, NULL);
	assert_int_equal(json_error(&d.j), 0);
	json_array(&d.j, NULL);
	assert_int_equal(json_error(&d.j), E2BIG);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_end(&d.j);
	assert_int_equal(json_finish(&d.j), -1);
	assert_int_equal(errno, E2BIG);
	fclose(d.f);
	free(d.text);
}

static void
test_write_error(void **state)
{
	struct json j;
	FILE *f = fopen("/dev/full", "w");
	int i;

	(void)state;
	if (f == NULL)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	json_init(&j, f, false);
	json_array(&j, NULL);
	for (i = 0; i < 10; i++)
		json_string(&j, NULL, "lost");
	json_end(&j);
	assert_int_equal(json_error(&j), EIO);
	assert_int_equal(json_finish(&j), -1);
	assert_int_equal(errno, EIO);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
