/*
 * libFuzzer target for src/buf.  The input is used twice: as a TLV stream
 * (type u8, length be16, value) decoded with sub-readers and re-encoded
 * through the writer, which must reproduce the bytes consumed; and as a
 * little program of reader operations with arbitrary sizes, which must
 * never read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
tlv_roundtrip(const uint8_t *data, size_t size)
{
	uint8_t out[65536 + 3];
	struct buf b, val;
	struct wbuf w;
	size_t consumed = 0;
	uint8_t type;
	uint16_t len;

	buf_init(&b, data, size);
	while (buf_left(&b) > 0) {
		type = buf_get_u8(&b);
		len = buf_get_be16(&b);
		if (buf_sub(&b, len, &val) == -1)
			break;
		wbuf_init(&w, out, sizeof(out));
		buf_put_u8(&w, type);
		buf_put_be16(&w, len);
		buf_put_bytes(&w, buf_cur(&val), buf_left(&val));
		if (!wbuf_ok(&w) || wbuf_len(&w) != (size_t)len + 3 ||
		    memcmp(out, data + consumed, wbuf_len(&w)) != 0)
			abort();
		consumed += wbuf_len(&w);
	}
}

static void
op_program(const uint8_t *data, size_t size)
{
	struct buf b, prog, sub;
	uint8_t tmp[256];
	size_t n;

	if (size < 1)
		return;
	/* First half drives, second half is read. */
	buf_init(&prog, data, size / 2);
	buf_init(&b, data + size / 2, size - size / 2);
	while (buf_left(&prog) >= 2) {
		uint8_t op = buf_get_u8(&prog);

		n = buf_get_u8(&prog);
		switch (op % 9) {
		case 0:
			buf_get_u8(&b);
			break;
		case 1:
			buf_get_be16(&b);
			break;
		case 2:
			buf_get_be32(&b);
			break;
		case 3:
			buf_get_be64(&b);
			break;
		case 4:
			buf_copy(&b, tmp, n);
			break;
		case 5:
			buf_skip(&b, op & 0x80 ? SIZE_MAX - n : n);
			break;
		case 6:
			if (buf_sub(&b, n, &sub) == 0)
				while (buf_left(&sub) > 0)
					buf_get_u8(&sub);
			break;
		case 7:
			(void)buf_peek_u8(&b, n);
			break;
		case 8:
			buf_get_he32(&b);
			break;
		}
		if (!buf_ok(&b) && buf_left(&b) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tlv_roundtrip(data, size);
	op_program(data, size);
	return 0;
}
