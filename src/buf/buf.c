/*
 * Bounds-checked reader and writer: the only code in dmvpnd that indexes
 * raw bytes from outside.  See include/dmvpn/buf.h for the contract.
 */
#include <stdint.h>
#include <string.h>

#include "dmvpn/buf.h"

void
buf_init(struct buf *b, const void *p, size_t len)
{
	b->p = p;
	b->len = p == NULL ? 0 : len;
	b->off = 0;
	b->err = 0;
}

size_t
buf_left(const struct buf *b)
{
	if (b->err)
		return 0;
	return b->len - b->off;
}

bool
buf_ok(const struct buf *b)
{
	return b->err == 0;
}

void
buf_fail(struct buf *b)
{
	b->err = 1;
}

/*
 * The single bounds check of the reader: claim n bytes or set the sticky
 * error.  Written so that n near SIZE_MAX cannot wrap.
 */
static const uint8_t *
buf_take(struct buf *b, size_t n)
{
	const uint8_t *p;

	if (b->err || n > b->len - b->off) {
		b->err = 1;
		return NULL;
	}
	p = b->p + b->off;
	b->off += n;
	return p;
}

uint8_t
buf_get_u8(struct buf *b)
{
	const uint8_t *p = buf_take(b, 1);

	return p == NULL ? 0 : p[0];
}

uint16_t
buf_get_be16(struct buf *b)
{
	const uint8_t *p = buf_take(b, 2);

	if (p == NULL)
		return 0;
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
buf_get_be32(struct buf *b)
{
	const uint8_t *p = buf_take(b, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

uint64_t
buf_get_be64(struct buf *b)
{
	uint64_t hi = buf_get_be32(b);
	uint64_t lo = buf_get_be32(b);

	return b->err ? 0 : hi << 32 | lo;
}

uint16_t
buf_get_he16(struct buf *b)
{
	const uint8_t *p = buf_take(b, 2);
	uint16_t v;

	if (p == NULL)
		return 0;
	memcpy(&v, p, sizeof(v));
	return v;
}

uint32_t
buf_get_he32(struct buf *b)
{
	const uint8_t *p = buf_take(b, 4);
	uint32_t v;

	if (p == NULL)
		return 0;
	memcpy(&v, p, sizeof(v));
	return v;
}

const uint8_t *
buf_get_bytes(struct buf *b, size_t n)
{
	return buf_take(b, n);
}

int
buf_copy(struct buf *b, void *dst, size_t n)
{
	const uint8_t *p = buf_take(b, n);

	if (p == NULL)
		return -1;
	if (n > 0)
		memcpy(dst, p, n);
	return 0;
}

int
buf_skip(struct buf *b, size_t n)
{
	return buf_take(b, n) == NULL ? -1 : 0;
}

int
buf_sub(struct buf *b, size_t n, struct buf *sub)
{
	const uint8_t *p = buf_take(b, n);

	if (p == NULL) {
		buf_init(sub, NULL, 0);
		sub->err = 1;
		return -1;
	}
	buf_init(sub, p, n);
	return 0;
}

int
buf_peek_u8(const struct buf *b, size_t ahead)
{
	if (b->err || ahead >= b->len - b->off)
		return -1;
	return b->p[b->off + ahead];
}

const uint8_t *
buf_cur(const struct buf *b)
{
	if (b->p == NULL)
		return NULL;
	return b->p + b->off;
}

void
wbuf_init(struct wbuf *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = p == NULL ? 0 : cap;
	w->len = 0;
	w->err = 0;
}

bool
wbuf_ok(const struct wbuf *w)
{
	return w->err == 0;
}

size_t
wbuf_len(const struct wbuf *w)
{
	return w->len;
}

size_t
wbuf_room(const struct wbuf *w)
{
	if (w->err)
		return 0;
	return w->cap - w->len;
}

/* The single bounds check of the writer. */
static uint8_t *
wbuf_take(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->len) {
		w->err = 1;
		return NULL;
	}
	p = w->p + w->len;
	w->len += n;
	return p;
}

void
buf_put_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *p = wbuf_take(w, 1);

	if (p != NULL)
		p[0] = v;
}

void
buf_put_be16(struct wbuf *w, uint16_t v)
{
	uint8_t *p = wbuf_take(w, 2);

	if (p == NULL)
		return;
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
buf_put_be32(struct wbuf *w, uint32_t v)
{
	uint8_t *p = wbuf_take(w, 4);

	if (p == NULL)
		return;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
buf_put_be64(struct wbuf *w, uint64_t v)
{
	/* Reserve all eight bytes first so a failed put writes nothing. */
	size_t off = buf_reserve(w, 8);

	if (off == SIZE_MAX)
		return;
	buf_patch_be32(w, off, (uint32_t)(v >> 32));
	buf_patch_be32(w, off + 4, (uint32_t)v);
}

void
buf_put_bytes(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *p = wbuf_take(w, n);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
}

void
buf_put_zero(struct wbuf *w, size_t n)
{
	uint8_t *p = wbuf_take(w, n);

	if (p != NULL && n > 0)
		memset(p, 0, n);
}

size_t
buf_reserve(struct wbuf *w, size_t n)
{
	size_t off = w->len;

	if (wbuf_take(w, n) == NULL)
		return SIZE_MAX;
	if (n > 0)
		memset(w->p + off, 0, n);
	return off;
}

/* Back-patches only touch bytes already written, never past len. */
static uint8_t *
wbuf_at(struct wbuf *w, size_t off, size_t n)
{
	if (w->err || off > w->len || n > w->len - off)
		return NULL;
	return w->p + off;
}

void
buf_patch_u8(struct wbuf *w, size_t off, uint8_t v)
{
	uint8_t *p = wbuf_at(w, off, 1);

	if (p != NULL)
		p[0] = v;
}

void
buf_patch_be16(struct wbuf *w, size_t off, uint16_t v)
{
	uint8_t *p = wbuf_at(w, off, 2);

	if (p == NULL)
		return;
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
buf_patch_be32(struct wbuf *w, size_t off, uint32_t v)
{
	uint8_t *p = wbuf_at(w, off, 4);

	if (p == NULL)
		return;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
