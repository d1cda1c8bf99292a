/*
 * Value syntax of the configuration file: numbers, durations, interface
 * and host names, quoting for messages, keyword suggestions.  Pure
 * functions; the messages are composed by the callers (conf_parse.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf_int.h"

/*
 * A decimal number, digits only (no sign, no spaces, no hex).  A number too
 * large for 64 bits saturates, so that the caller's range check names it.
 */
int
conf_num_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
sat_mul(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/*
 * A duration: plain seconds ("90"), or numbers with units d, h, m, s from
 * the largest down, each at most once ("1h30m", "2h", "45s").
 */
int
conf_duration_parse(const char *s, uint64_t *secs)
{
	static const struct {
		char unit;
		uint64_t mult;
	} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
	const size_t nunits = sizeof(units) / sizeof(units[0]);
	uint64_t total = 0, v;
	size_t next = 0, u;
	bool digits;

	if (conf_num_parse(s, secs) == 0)
		return 0;
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		v = 0;
		digits = false;
		while (*s >= '0' && *s <= '9') {
			v = sat_add(sat_mul(v, 10), (uint64_t)(*s - '0'));
			digits = true;
			s++;
		}
		if (!digits)
			return -1;
		for (u = next; u < nunits; u++)
			if (*s == units[u].unit)
				break;
		if (u == nunits)
			return -1; /* no unit, unknown, repeated or upwards */
		total = sat_add(total, sat_mul(v, units[u].mult));
		next = u + 1;
		s++;
	}
	*secs = total;
	return 0;
}

/* The shortest exact form: "0s", "45s", "1m30s", "2h", "1d12h". */
void
conf_duration_fmt(uint64_t secs, char *out, size_t outlen)
{
	static const struct {
		char unit;
		uint64_t mult;
	} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
	size_t i, used = 0;
	int n;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (secs == 0) {
		snprintf(out, outlen, "0s");
		return;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t q = secs / units[i].mult;

		if (q == 0)
			continue;
		secs -= q * units[i].mult;
		n = snprintf(out + used, outlen - used, "%llu%c",
			     (unsigned long long)q, units[i].unit);
		if (n < 0 || (size_t)n >= outlen - used)
			return;
		used += (size_t)n;
	}
}

/* Bytes that may appear in a bare word (conf_lex.c). */
bool
conf_word_char(unsigned char c)
{
	if (c <= ' ' || c >= 0x7f)
		return false;
	return strchr("\"'#{};\\", c) == NULL;
}

bool
conf_bare_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!conf_word_char((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * A Linux interface name (the kernel's dev_valid_name()): 1..15 bytes,
 * not "." or "..", no '/', ':' or whitespace; we also keep to printable
 * ASCII without the characters the lexer reserves.
 */
bool
conf_ifname_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= CONF_IFNAME_MAX || strlen(s) != len)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!conf_word_char((unsigned char)s[i]) || s[i] == '/' ||
		    s[i] == ':')
			return false;
	return true;
}

/*
 * A DNS host name (RFC 1123): labels of 1..63 letters, digits and
 * hyphens, not starting or ending with a hyphen, at most 253 bytes with an
 * optional final dot.  An all-numeric last label is refused, so that a
 * mistyped address ("192.0.2.300") is not taken for a name.
 */
bool
conf_hostname_ok(const char *s, size_t len)
{
	size_t i, label = 0, start = 0;
	bool numeric = true;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    s[start] == '-')
				return false;
			if (i < len)
				numeric = true;
			label = 0;
			start = i + 1;
			continue;
		}
		if (!isascii((unsigned char)c) ||
		    (!isalnum((unsigned char)c) && c != '-'))
			return false;
		if (!isdigit((unsigned char)c))
			numeric = false;
		label++;
	}
	return !numeric;
}

/* Byte c as a quoted string spells it; e has 5 bytes for \xHH. */
const char *
conf_esc(unsigned char c, char *e)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	}
	if (c < ' ' || c >= 0x7f) {
		snprintf(e, 5, "\\x%02x", c);
		return e;
	}
	e[0] = (char)c;
	e[1] = '\0';
	return e;
}

/*
 * Write s as the file would spell it: bare when it is one word, else
 * double-quoted with escapes.  At most maxshow bytes of s are shown, then
 * "..."; out is always NUL-terminated.
 */
void
conf_quote(const char *s, size_t len, char *out, size_t outlen, size_t maxshow)
{
	bool bare = conf_bare_ok(s, len), cut = len > maxshow;
	size_t i, used = 0, n;
	char e[5];
	const char *piece;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (cut)
		len = maxshow;
	for (i = 0; i < len + 2; i++) {
		if (i == 0 || i == len + 1)
			piece = bare ? "" : "\"";
		else
			piece = conf_esc((unsigned char)s[i - 1], e);
		if (i == len + 1 && cut)
			piece = bare ? "..." : "...\"";
		n = strlen(piece);
		if (used + n >= outlen)
			break;
		memcpy(out + used, piece, n);
		used += n;
		out[used] = '\0';
	}
}

/* An argument as a message shows it; out has CONF_SHOW_BUF bytes. */
const char *
conf_show(const struct conf_arg *a, char *out)
{
	conf_quote(a->s, a->len, out, CONF_SHOW_BUF, CONF_SHOW_MAX);
	return out;
}

/*
 * Edit distance between a and b, ignoring case, counting a swap of two
 * neighbours as one edit (optimal string alignment).  Words longer than
 * 32 bytes are never close to a keyword.
 */
unsigned int
conf_distance(const char *a, const char *b)
{
	unsigned int d[33][33], cost, v;
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > 32 || lb > 32)
		return 100;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			cost = tolower((unsigned char)a[i - 1]) ==
					       tolower((unsigned char)b[j - 1])
				       ? 0
				       : 1;
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) ==
				    tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
				    tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/*
 * The name closest to word, when close enough to be a likely typo: within
 * a third of the name's length (at least 2 edits), or word a prefix of
 * the name of 3 bytes or more.  NULL when nothing is close.
 */
const char *
conf_suggest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	unsigned int bestd = 100, d, limit;
	size_t i, wl = strlen(word), nl;

	for (i = 0; i < n; i++) {
		if (names[i] == NULL)
			continue;
		nl = strlen(names[i]);
		d = conf_distance(word, names[i]);
		limit = (unsigned int)(nl / 3 > 2 ? nl / 3 : 2);
		if (d >= wl && wl > 0)
			continue; /* "x" is 1 edit from "ttl"'s... anything */
		if (wl >= 3 && wl < nl && strncasecmp(word, names[i], wl) == 0)
			d = d < limit ? d : limit;
		if (d <= limit && d < bestd) {
			best = names[i];
			bestd = d;
		}
	}
	return best;
}

/*
 * An address a host can have: not unspecified, loopback, multicast,
 * broadcast or (IPv4) in 0/8 or 240/4.
 */
bool
conf_unicast_ok(const struct addr *a)
{
	static const uint8_t zero[16], loop6[16] = {[15] = 1};

	if (a->family == AF_INET) {
		uint8_t b = a->bytes[0];

		return b != 0 && b != 127 && b < 224;
	}
	if (a->family == AF_INET6)
		return memcmp(a->bytes, zero, 16) != 0 &&
		       memcmp(a->bytes, loop6, 16) != 0 && a->bytes[0] != 0xff;
	return false;
}

/* The iproute2 name of a routing table, or NULL. */
const char *
conf_route_table_name(uint32_t table)
{
	switch (table) {
	case 253:
		return "default";
	case 254:
		return "main";
	case 255:
		return "local";
	}
	return NULL;
}
