/*
 * Bounds-checked byte reader and writer.  Every byte dmvpnd receives from
 * outside (packets, netlink, control messages) is read through struct buf,
 * and every byte it builds is written through struct wbuf.
 *
 * Both carry a sticky error: once a read or write would cross the end, err
 * is set, every later call is a no-op returning 0/NULL, and the caller may
 * decode a whole header and check buf_ok() once.  Byte order is converted
 * only here; packet memory is never cast to a struct.
 */
#ifndef DMVPN_BUF_H
#define DMVPN_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A read cursor over memory the caller owns. */
struct buf {
	const uint8_t *p;
	size_t len;
	size_t off;
	int err;
};

/* A write cursor over a fixed buffer the caller owns. */
struct wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	int err;
};

/* Point a reader at len bytes at p (p may be NULL when len is 0). */
void buf_init(struct buf *b, const void *p, size_t len);

/* Bytes not yet read; 0 once the error is set. */
size_t buf_left(const struct buf *b);

/* True while no read has failed. */
bool buf_ok(const struct buf *b);

/* Set the sticky error by hand, e.g. when a decoded value is inconsistent. */
void buf_fail(struct buf *b);

/* Read one unsigned integer in network byte order; 0 on underrun. */
uint8_t buf_get_u8(struct buf *b);
uint16_t buf_get_be16(struct buf *b);
uint32_t buf_get_be32(struct buf *b);
uint64_t buf_get_be64(struct buf *b);

/* Read a host-order integer, as netlink carries them; 0 on underrun. */
uint16_t buf_get_he16(struct buf *b);
uint32_t buf_get_he32(struct buf *b);

/* Return a pointer to the next n bytes and advance, or NULL on underrun. */
const uint8_t *buf_get_bytes(struct buf *b, size_t n);

/* Copy the next n bytes to dst; -1 (dst untouched) on underrun. */
int buf_copy(struct buf *b, void *dst, size_t n);

/* Advance n bytes; -1 on underrun. */
int buf_skip(struct buf *b, size_t n);

/* Cut the next n bytes out as a reader of its own, e.g. a TLV body. */
int buf_sub(struct buf *b, size_t n, struct buf *sub);

/* Look at the byte at offset ahead of the cursor without moving; -1 if none. */
int buf_peek_u8(const struct buf *b, size_t ahead);

/* A pointer to the unread bytes (buf_left() of them). */
const uint8_t *buf_cur(const struct buf *b);

/* Point a writer at cap bytes at p. */
void wbuf_init(struct wbuf *w, void *p, size_t cap);

/* True while no write has failed. */
bool wbuf_ok(const struct wbuf *w);

/* Bytes written so far. */
size_t wbuf_len(const struct wbuf *w);

/* Room left; 0 once the error is set. */
size_t wbuf_room(const struct wbuf *w);

/* Append integers in network byte order, or raw bytes. */
void buf_put_u8(struct wbuf *w, uint8_t v);
void buf_put_be16(struct wbuf *w, uint16_t v);
void buf_put_be32(struct wbuf *w, uint32_t v);
void buf_put_be64(struct wbuf *w, uint64_t v);
void buf_put_bytes(struct wbuf *w, const void *src, size_t n);
void buf_put_zero(struct wbuf *w, size_t n);

/*
 * Reserve n zeroed bytes to fill in later (a length, an offset, a
 * checksum) and return their offset, or SIZE_MAX on overflow.
 */
size_t buf_reserve(struct wbuf *w, size_t n);

/* Back-patch a reserved field; ignored when off is out of range or on error. */
void buf_patch_u8(struct wbuf *w, size_t off, uint8_t v);
void buf_patch_be16(struct wbuf *w, size_t off, uint16_t v);
void buf_patch_be32(struct wbuf *w, size_t off, uint32_t v);

#endif /* DMVPN_BUF_H */
