/*
 * A small streaming JSON writer, after bgpctl's json.c: values go
 * straight to a FILE, a fixed stack tracks nesting, and any misuse (a
 * key where none belongs, too deep, an unbalanced end) or write error
 * sets a sticky error that turns every later call into a no-op, so a
 * caller writes a whole document and checks json_finish() once.
 *
 * Strings are escaped per RFC 8259: quote, backslash and every control
 * character (DEL included, so output is safe on a terminal); well-formed
 * UTF-8 passes through, and each byte of an ill-formed sequence becomes
 * U+FFFD, so the output is always valid UTF-8.
 */
#ifndef DMVPN_JSON_H
#define DMVPN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	int err; /* 0, EINVAL (misuse), E2BIG (too deep) or EIO */
	bool pretty;
	bool done; /* the top-level value is complete */
	unsigned int depth;
	struct {
		bool array; /* else an object */
		bool empty; /* no member written yet */
	} stack[JSON_MAX_DEPTH];
};

/* Start a document on out; pretty indents by two spaces per level. */
void json_init(struct json *j, FILE *out, bool pretty);

/*
 * Open an object or array, or write a value.  key names the member
 * inside an object and must be NULL inside an array or at the top.
 */
void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
void json_string(struct json *j, const char *key, const char *s);
void json_stringn(struct json *j, const char *key, const char *s, size_t n);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

/* Close the innermost object or array. */
void json_end(struct json *j);

/* The sticky error so far: 0 or an errno value. */
int json_error(const struct json *j);

/*
 * End the document: a newline, a flush, and 0 when exactly one complete
 * value was written without error; -1 (errno set) otherwise.
 */
int json_finish(struct json *j);

#endif /* DMVPN_JSON_H */
