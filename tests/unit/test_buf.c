/*
 * Unit tests for src/buf: every getter and putter, the sticky error, the
 * edges (exactly full, one past, SIZE_MAX lengths) and back-patching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dmvpn/buf.h"

static const uint8_t sample[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
				 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
				 0x0d, 0x0e, 0x0f, 0x10, 0x11};

static void
test_get_integers(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, sample, sizeof(sample));
	assert_int_equal(buf_get_u8(&b), 0x01);
	assert_int_equal(buf_get_be16(&b), 0x0203);
	assert_int_equal(buf_get_be32(&b), 0x04050607);
	assert_true(buf_get_be64(&b) == 0x08090a0b0c0d0e0fULL);
	assert_int_equal(buf_left(&b), 2);
	assert_true(buf_ok(&b));
}

static void
test_host_order(void **state)
{
	struct buf b;
	uint16_t v16 = 0x1234;
	uint32_t v32 = 0xdeadbeef;
	uint8_t raw[6];

	(void)state;
	memcpy(raw, &v16, 2);
	memcpy(raw + 2, &v32, 4);
	buf_init(&b, raw, sizeof(raw));
	assert_int_equal(buf_get_he16(&b), 0x1234);
	assert_int_equal(buf_get_he32(&b), 0xdeadbeef);
	assert_int_equal(buf_get_he16(&b), 0);
	assert_false(buf_ok(&b));
}

static void
test_underrun_is_sticky(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, sample, 3);
	assert_int_equal(buf_get_be16(&b), 0x0102);
	/* Two bytes wanted, one left: fails and consumes nothing. */
	assert_int_equal(buf_get_be16(&b), 0);
	assert_false(buf_ok(&b));
	/* The byte that was there is no longer readable: the error sticks. */
	assert_int_equal(buf_get_u8(&b), 0);
	assert_int_equal(buf_left(&b), 0);
	assert_null(buf_get_bytes(&b, 0));
	assert_int_equal(buf_skip(&b, 0), -1);
}

static void
test_exact_fit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, sample, 4);
	assert_int_equal(buf_get_be32(&b), 0x01020304);
	assert_true(buf_ok(&b));
	assert_int_equal(buf_left(&b), 0);
	assert_non_null(buf_get_bytes(&b, 0));
	assert_true(buf_ok(&b));
}

static void
test_huge_lengths_do_not_wrap(void **state)
{
	struct buf b, sub;

	(void)state;
	buf_init(&b, sample, sizeof(sample));
	assert_int_equal(buf_get_u8(&b), 1);
	assert_null(buf_get_bytes(&b, SIZE_MAX));
	assert_false(buf_ok(&b));

	buf_init(&b, sample, sizeof(sample));
	assert_int_equal(buf_skip(&b, SIZE_MAX - 1), -1);
	buf_init(&b, sample, sizeof(sample));
	assert_int_equal(buf_sub(&b, SIZE_MAX, &sub), -1);
	assert_false(buf_ok(&sub));
	assert_int_equal(buf_left(&sub), 0);
}

static void
test_bytes_copy_skip(void **state)
{
	struct buf b;
	uint8_t out[4] = {0};
	const uint8_t *p;

	(void)state;
	buf_init(&b, sample, sizeof(sample));
	p = buf_get_bytes(&b, 2);
	assert_ptr_equal(p, sample);
	assert_int_equal(buf_copy(&b, out, 3), 0);
	assert_memory_equal(out, sample + 2, 3);
	assert_int_equal(buf_skip(&b, 10), 0);
	assert_int_equal(buf_left(&b), 2);
	assert_ptr_equal(buf_cur(&b), sample + 15);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(buf_copy(&b, out, 3), -1);
	/* A failed copy leaves the destination alone. */
	assert_int_equal(out[0], 0xaa);
}

static void
test_sub_reader(void **state)
{
	struct buf b, sub;

	(void)state;
	buf_init(&b, sample, sizeof(sample));
	buf_get_u8(&b);
	assert_int_equal(buf_sub(&b, 4, &sub), 0);
	assert_int_equal(buf_left(&sub), 4);
	assert_int_equal(buf_get_be32(&sub), 0x02030405);
	/* Reading past the sub-buffer fails there, not in the parent. */
	assert_int_equal(buf_get_u8(&sub), 0);
	assert_false(buf_ok(&sub));
	assert_true(buf_ok(&b));
	assert_int_equal(buf_get_u8(&b), 0x06);
}

static void
test_peek(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, sample, 3);
	assert_int_equal(buf_peek_u8(&b, 0), 1);
	assert_int_equal(buf_peek_u8(&b, 2), 3);
	assert_int_equal(buf_peek_u8(&b, 3), -1);
	assert_int_equal(buf_peek_u8(&b, SIZE_MAX), -1);
	assert_int_equal(buf_left(&b), 3);
	buf_fail(&b);
	assert_int_equal(buf_peek_u8(&b, 0), -1);
}

static void
test_null_input(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, NULL, 100);
	assert_int_equal(buf_left(&b), 0);
	assert_int_equal(buf_get_u8(&b), 0);
	assert_false(buf_ok(&b));
}

static void
test_put_golden(void **state)
{
	static const uint8_t want[] = {0xab, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef,
				       0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				       0x08, 'h',  'i',  0x00, 0x00};
	uint8_t out[32];
	struct wbuf w;

	(void)state;
	wbuf_init(&w, out, sizeof(out));
	buf_put_u8(&w, 0xab);
	buf_put_be16(&w, 0x1234);
	buf_put_be32(&w, 0xdeadbeef);
	buf_put_be64(&w, 0x0102030405060708ULL);
	buf_put_bytes(&w, "hi", 2);
	buf_put_zero(&w, 2);
	assert_true(wbuf_ok(&w));
	assert_int_equal(wbuf_len(&w), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(wbuf_room(&w), sizeof(out) - sizeof(want));
}

static void
test_put_overflow_is_sticky(void **state)
{
	uint8_t out[5];
	struct wbuf w;

	(void)state;
	memset(out, 0xee, sizeof(out));
	wbuf_init(&w, out, sizeof(out));
	buf_put_be32(&w, 0x01020304);
	buf_put_be16(&w, 0xffff); /* one byte short */
	assert_false(wbuf_ok(&w));
	assert_int_equal(wbuf_len(&w), 4);
	assert_int_equal(out[4], 0xee);
	buf_put_u8(&w, 0x77); /* would fit, but the error sticks */
	assert_int_equal(out[4], 0xee);
	assert_int_equal(wbuf_room(&w), 0);

	wbuf_init(&w, out, sizeof(out));
	buf_put_be64(&w, 1);
	assert_false(wbuf_ok(&w));
	assert_int_equal(wbuf_len(&w), 0);
	wbuf_init(&w, out, sizeof(out));
	buf_put_bytes(&w, sample, SIZE_MAX);
	assert_false(wbuf_ok(&w));
}

static void
test_reserve_and_patch(void **state)
{
	static const uint8_t want[] = {0x00, 0x07, 0xaa, 0xbb,
				       0xcc, 0xdd, 0xee, 0x09};
	uint8_t out[8];
	struct wbuf w;
	size_t len_off, csum_off;

	(void)state;
	memset(out, 0xff, sizeof(out));
	wbuf_init(&w, out, sizeof(out));
	len_off = buf_reserve(&w, 2);
	buf_put_bytes(&w, "\xaa\xbb\xcc\xdd\xee", 5);
	csum_off = buf_reserve(&w, 1);
	assert_int_equal(len_off, 0);
	assert_int_equal(csum_off, 7);
	buf_patch_be16(&w, len_off, 7);
	buf_patch_u8(&w, csum_off, 9);
	assert_memory_equal(out, want, sizeof(want));
	/* A patch outside what was written is ignored. */
	buf_patch_be32(&w, 6, 0x11223344);
	assert_memory_equal(out, want, sizeof(want));
	buf_patch_be32(&w, 2, 0x11223344);
	assert_int_equal(out[2], 0x11);
	assert_int_equal(out[5], 0x44);
	assert_int_equal(buf_reserve(&w, 1), SIZE_MAX);
}

static void
test_roundtrip(void **state)
{
	uint8_t out[16];
	struct wbuf w;
	struct buf b;

	(void)state;
	wbuf_init(&w, out, sizeof(out));
	buf_put_be16(&w, 0xcafe);
	buf_put_be32(&w, 0x0badf00d);
	buf_put_be64(&w, 0xfedcba9876543210ULL);
	buf_init(&b, out, wbuf_len(&w));
	assert_int_equal(buf_get_be16(&b), 0xcafe);
	assert_int_equal(buf_get_be32(&b), 0x0badf00d);
	assert_true(buf_get_be64(&b) == 0xfedcba9876543210ULL);
	assert_int_equal(buf_left(&b), 0);
	assert_true(buf_ok(&b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_integers),
		cmocka_unit_test(test_host_order),
		cmocka_unit_test(test_underrun_is_sticky),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_huge_lengths_do_not_wrap),
		cmocka_unit_test(test_bytes_copy_skip),
		cmocka_unit_test(test_sub_reader),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_null_input),
		cmocka_unit_test(test_put_golden),
		cmocka_unit_test(test_put_overflow_is_sticky),
		cmocka_unit_test(test_reserve_and_patch),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
