/*
 * /proc/crypto parsing on canned excerpts: an AES-NI host, a VIA Padlock
 * host and a generic-only host; which driver the kernel binds for each
 * ESP algorithm, whether it is accelerated, and the ESP order chosen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmvpn/xfrm.h"

/* The record layout of crypto/proc.c, abridged to the fields we read. */
#define REC(name, driver, prio, internal) \
	"name         : " name "\n"       \
	"driver       : " driver "\n"     \
	"module       : kernel\n"         \
	"priority     : " #prio "\n"      \
	"refcnt       : 1\n"              \
	"selftest     : passed\n"         \
	"internal     : " internal "\n"   \
	"type         : skcipher\n\n"

/* One record per line. */
/* clang-format off */
static const char aesni_host[] =
	REC("__rfc4106(gcm(aes))", "__rfc4106-gcm-aesni", 400, "yes")
	REC("rfc4106(gcm(aes))", "rfc4106-gcm-aesni", 400, "no")
	REC("rfc4106(gcm(aes))", "rfc4106-gcm-vaes-avx2", 600, "no")
	REC("rfc4106(gcm(aes))", "rfc4106-gcm-vaes-avx10_512", 800, "yes")
	REC("gcm(aes)", "generic-gcm-aesni", 400, "no")
	REC("cbc(aes)", "cbc-aes-aesni", 400, "no")
	REC("cbc(aes)", "cbc(aes-generic)", 100, "no")
	REC("hmac(sha256)", "hmac(sha256-avx2)", 170, "no")
	REC("aes", "aes-generic", 100, "no");

static const char padlock_host[] =
	REC("aes", "aes-padlock", 300, "no")
	REC("cbc(aes)", "cbc-aes-padlock", 400, "no")
	REC("cbc(aes)", "cbc(aes-generic)", 100, "no")
	REC("sha256", "sha256-padlock", 300, "no")
	REC("hmac(sha256)", "hmac(sha256-padlock)", 300, "no")
	REC("rfc4106(gcm(aes))",
	    "rfc4106(gcm_base(ctr(aes-padlock),ghash-generic))", 300, "no");

static const char generic_host[] =
	REC("aes", "aes-generic", 100, "no")
	REC("cbc(aes)", "cbc(aes-generic)", 100, "no")
	REC("hmac(sha256)", "hmac(sha256-generic)", 100, "no")
	REC("rfc4106(gcm(aes))",
	    "rfc4106(gcm_base(ctr(aes-generic),ghash-generic))", 100, "no");
/* clang-format on */

static void
test_aesni(void **state)
{
	struct xfrm_crypto_driver d;
	const char *why = NULL;
	size_t n = sizeof(aesni_host) - 1;

	(void)state;
	/* The internal avx10 entry (800) is not one the kernel binds. */
	assert_int_equal(
		xfrm_crypto_lookup(aesni_host, n, "rfc4106(gcm(aes))", &d), 0);
	assert_string_equal(d.driver, "rfc4106-gcm-vaes-avx2");
	assert_int_equal(d.priority, 600);
	assert_true(d.accelerated);
	assert_int_equal(xfrm_crypto_lookup(aesni_host, n, "gcm(aes)", &d), 0);
	assert_true(d.accelerated); /* "generic-gcm-aesni" is AES-NI */
	assert_int_equal(xfrm_crypto_lookup(aesni_host, n, "cbc(aes)", &d), 0);
	assert_string_equal(d.driver, "cbc-aes-aesni");
	assert_int_equal(xfrm_crypto_lookup(aesni_host, n, "hmac(sha256)", &d),
			 0);
	assert_false(d.accelerated);
	assert_int_equal(xfrm_crypto_lookup(aesni_host, n, "cbc(des)", &d), -1);
	assert_int_equal(xfrm_crypto_esp_order(aesni_host, n, &why),
			 XFRM_ESP_GCM_FIRST);
	assert_string_equal(why, "accelerated AES-GCM driver");
}

static void
test_padlock(void **state)
{
	struct xfrm_crypto_driver d;
	const char *why = NULL;
	size_t n = sizeof(padlock_host) - 1;

	(void)state;
	assert_int_equal(xfrm_crypto_lookup(padlock_host, n, "cbc(aes)", &d),
			 0);
	assert_string_equal(d.driver, "cbc-aes-padlock");
	assert_true(d.accelerated);
	assert_int_equal(
		xfrm_crypto_lookup(padlock_host, n, "hmac(sha256)", &d), 0);
	assert_true(d.accelerated);
	/* GCM over Padlock AES still hashes in software. */
	assert_int_equal(
		xfrm_crypto_lookup(padlock_host, n, "rfc4106(gcm(aes))", &d),
		0);
	assert_false(d.accelerated);
	assert_int_equal(xfrm_crypto_esp_order(padlock_host, n, &why),
			 XFRM_ESP_CBC_FIRST);
	assert_non_null(why);
}

static void
test_generic(void **state)
{
	struct xfrm_crypto_driver d;
	const char *why = NULL;
	size_t n = sizeof(generic_host) - 1;

	(void)state;
	assert_int_equal(
		xfrm_crypto_lookup(generic_host, n, "rfc4106(gcm(aes))", &d),
		0);
	assert_false(d.accelerated);
	assert_int_equal(xfrm_crypto_esp_order(generic_host, n, &why),
			 XFRM_ESP_GCM_FIRST);
	assert_string_equal(why, "no accelerated AES: generic GCM");
	/* Nothing at all: GCM first still. */
	assert_int_equal(xfrm_crypto_esp_order("", 0, NULL),
			 XFRM_ESP_GCM_FIRST);
}

static void
test_odd_text(void **state)
{
	static const char crlf[] = "name : cbc(aes)\r\ndriver : cbc-aes-ce\r\n"
				   "priority : 99999999999999\r\n\r\n"
				   "no colon here\n: \n"
				   "name : hmac(sha256)\ndriver: x"; /* no \n */
	struct xfrm_crypto_driver d;
	char *text, *cut;
	size_t n, i;

	(void)state;
	assert_int_equal(
		xfrm_crypto_lookup(crlf, sizeof(crlf) - 1, "cbc(aes)", &d), 0);
	assert_string_equal(d.driver, "cbc-aes-ce");
	assert_true(d.accelerated);
	assert_int_equal(d.priority, 1000000);
	assert_int_equal(
		xfrm_crypto_lookup(crlf, sizeof(crlf) - 1, "hmac(sha256)", &d),
		0);
	assert_string_equal(d.driver, "x");
	/* Every prefix of a real excerpt, in an exact-size heap copy. */
	for (i = 0; i < sizeof(padlock_host); i++) {
		cut = malloc(i + 1);
		assert_non_null(cut);
		memcpy(cut, padlock_host, i);
		(void)xfrm_crypto_lookup(cut, i, "cbc(aes)", &d);
		(void)xfrm_crypto_esp_order(cut, i, NULL);
		free(cut);
	}
	/* Reading a file; this host's /proc/crypto may or may not exist. */
	{
		char path[] = "/tmp/test_xfrm_crypto.XXXXXX";
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		assert_int_equal(
			write(fd, generic_host, sizeof(generic_host) - 1),
			(ssize_t)sizeof(generic_host) - 1);
		close(fd);
		assert_int_equal(xfrm_crypto_read(path, &text, &n), 0);
		unlink(path);
		assert_int_equal(n, sizeof(generic_host) - 1);
		assert_memory_equal(text, generic_host, n);
		free(text);
		assert_int_equal(xfrm_crypto_read(path, &text, &n), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aesni),
		cmocka_unit_test(test_padlock),
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_odd_text),
	};

	return cmocka_run_group_tests_name("xfrm_crypto", tests, NULL, NULL);
}
