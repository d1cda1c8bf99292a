/*
 * Streaming JSON writer; see include/dmvpn/json.h for the contract.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dmvpn/json.h"

void
json_init(struct json *j, FILE *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
}

static void
json_fail(struct json *j, int err)
{
	if (j->err == 0)
		j->err = err;
}

static void
json_puts(struct json *j, const char *s)
{
	if (j->err == 0 && fputs(s, j->out) == EOF)
		json_fail(j, EIO);
}

static void
json_putc(struct json *j, char c)
{
	if (j->err == 0 && fputc(c, j->out) == EOF)
		json_fail(j, EIO);
}

static void
json_indent(struct json *j)
{
	unsigned int i;

	if (!j->pretty)
		return;
	json_putc(j, '\n');
	for (i = 0; i < j->depth; i++)
		json_puts(j, "  ");
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0; /* continuation byte, overlong lead, or > U+10FFFF */
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlongs, UTF-16 surrogates, and beyond Unicode. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static void
json_quote(struct json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[8];
	size_t i = 0, run;

	json_putc(j, '"');
	while (i < n && j->err == 0) {
		unsigned char c = s[i];

		if (c >= 0x80) {
			run = utf8_len(s + i, n - i);
			if (run == 0) {
				json_puts(j, "\\ufffd");
				i++;
			} else if (fwrite(s + i, 1, run, j->out) != run) {
				json_fail(j, EIO);
			} else {
				i += run;
			}
			continue;
		}
		i++;
		switch (c) {
		case '"':
			json_puts(j, "\\\"");
			break;
		case '\\':
			json_puts(j, "\\\\");
			break;
		case '\b':
			json_puts(j, "\\b");
			break;
		case '\f':
			json_puts(j, "\\f");
			break;
		case '\n':
			json_puts(j, "\\n");
			break;
		case '\r':
			json_puts(j, "\\r");
			break;
		case '\t':
			json_puts(j, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				json_puts(j, esc);
			} else {
				json_putc(j, (char)c);
			}
		}
	}
	json_putc(j, '"');
}

/*
 * Everything before a value: check that a key is given exactly when the
 * container is an object, write the separator, indentation and key.
 */
static bool
json_pre(struct json *j, const char *key)
{
	bool in_object;

	if (j->err != 0)
		return false;
	if (j->depth == 0) {
		if (j->done || key != NULL) {
			json_fail(j, EINVAL);
			return false;
		}
		return true;
	}
	in_object = !j->stack[j->depth - 1].array;
	if (in_object != (key != NULL)) {
		json_fail(j, EINVAL);
		return false;
	}
	if (!j->stack[j->depth - 1].empty)
		json_putc(j, ',');
	j->stack[j->depth - 1].empty = false;
	json_indent(j);
	if (key != NULL) {
		json_quote(j, key, strlen(key));
		json_puts(j, j->pretty ? ": " : ":");
	}
	return j->err == 0;
}

/* After a scalar, or an end: at depth 0 the document is complete. */
static void
json_post(struct json *j)
{
	if (j->depth == 0)
		j->done = true;
}

static void
json_open(struct json *j, const char *key, bool array)
{
	if (!json_pre(j, key))
		return;
	if (j->depth == JSON_MAX_DEPTH) {
		json_fail(j, E2BIG);
		return;
	}
	json_putc(j, array ? '[' : '{');
	j->stack[j->depth].array = array;
	j->stack[j->depth].empty = true;
	j->depth++;
}

void
json_object(struct json *j, const char *key)
{
	json_open(j, key, false);
}

void
json_array(struct json *j, const char *key)
{
	json_open(j, key, true);
}

void
json_end(struct json *j)
{
	bool array, empty;

	if (j->err != 0)
		return;
	if (j->depth == 0) {
		json_fail(j, EINVAL);
		return;
	}
	array = j->stack[j->depth - 1].array;
	empty = j->stack[j->depth - 1].empty;
	j->depth--;
	if (!empty)
		json_indent(j);
	json_putc(j, array ? ']' : '}');
	json_post(j);
}

void
json_stringn(struct json *j, const char *key, const char *s, size_t n)
{
	if (s == NULL) {
		json_null(j, key);
		return;
	}
	if (!json_pre(j, key))
		return;
	json_quote(j, s, n);
	json_post(j);
}

void
json_string(struct json *j, const char *key, const char *s)
{
	json_stringn(j, key, s, s == NULL ? 0 : strlen(s));
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
	if (!json_pre(j, key))
		return;
	if (fprintf(j->out, "%" PRIu64, v) < 0)
		json_fail(j, EIO);
	json_post(j);
}

void
json_int(struct json *j, const char *key, int64_t v)
{
	if (!json_pre(j, key))
		return;
	if (fprintf(j->out, "%" PRId64, v) < 0)
		json_fail(j, EIO);
	json_post(j);
}

void
json_bool(struct json *j, const char *key, bool v)
{
	if (!json_pre(j, key))
		return;
	json_puts(j, v ? "true" : "false");
	json_post(j);
}

void
json_null(struct json *j, const char *key)
{
	if (!json_pre(j, key))
		return;
	json_puts(j, "null");
	json_post(j);
}

int
json_error(const struct json *j)
{
	return j->err;
}

int
json_finish(struct json *j)
{
	if (j->err == 0 && (j->depth != 0 || !j->done))
		json_fail(j, EINVAL);
	json_putc(j, '\n');
	if (fflush(j->out) == EOF || ferror(j->out))
		json_fail(j, EIO);
	if (j->err != 0) {
		errno = j->err;
		return -1;
	}
	return 0;
}
