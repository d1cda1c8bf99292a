/*
 * Addresses and prefixes: see include/dmvpn/addr.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmvpn/addr.h"

int
addr_from_bytes(struct addr *a, const void *bytes, size_t len)
{
	memset(a, 0, sizeof(*a));
	if (len == 4)
		a->family = AF_INET;
	else if (len == 16)
		a->family = AF_INET6;
	else
		return -1;
	a->len = (uint8_t)len;
	memcpy(a->bytes, bytes, len);
	return 0;
}

int
addr_parse(struct addr *a, const char *s)
{
	uint8_t buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return addr_from_bytes(a, buf, 4);
	if (inet_pton(AF_INET6, s, buf) == 1)
		return addr_from_bytes(a, buf, 16);
	memset(a, 0, sizeof(*a));
	return -1;
}

int
prefix_parse(struct prefix *p, const char *s)
{
	char tmp[ADDR_STRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash == NULL ? strlen(s) : (size_t)(slash - s);
	unsigned long plen;
	char *end;

	memset(p, 0, sizeof(*p));
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (addr_parse(&p->addr, tmp) == -1)
		return -1;
	if (slash == NULL) {
		p->plen = (uint8_t)addr_bits(&p->addr);
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	plen = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || plen > addr_bits(&p->addr))
		return -1;
	p->plen = (uint8_t)plen;
	return 0;
}

const char *
addr_fmt(const struct addr *a, char *out)
{
	if (a->family == 0 ||
	    inet_ntop(a->family, a->bytes, out, ADDR_STRLEN) == NULL)
		snprintf(out, ADDR_STRLEN, "-");
	return out;
}

const char *
prefix_fmt(const struct prefix *p, char *out)
{
	/* INET6_ADDRSTRLEN (46) bytes are enough for any address. */
	char a[INET6_ADDRSTRLEN];

	if (p->addr.family == 0 ||
	    inet_ntop(p->addr.family, p->addr.bytes, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "-");
	snprintf(out, ADDR_STRLEN, "%s/%u", a, p->plen);
	return out;
}

bool
addr_eq(const struct addr *a, const struct addr *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->bytes, b->bytes, a->len) == 0;
}

int
addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, a->len);
}

bool
addr_is_none(const struct addr *a)
{
	return a->family == 0;
}

uint32_t
addr_hash(const struct addr *a)
{
	/* FNV-1a: short keys, good spread, no seed needed for our use. */
	uint32_t h = 2166136261u;
	size_t i;

	h = (h ^ a->family) * 16777619u;
	for (i = 0; i < a->len; i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h;
}

unsigned int
addr_bits(const struct addr *a)
{
	return (unsigned int)a->len * 8;
}

/* Compare the first plen bits of x and y. */
static bool
bits_eq(const uint8_t *x, const uint8_t *y, unsigned int plen)
{
	unsigned int whole = plen / 8, rest = plen % 8;
	uint8_t mask;

	if (memcmp(x, y, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (x[whole] & mask) == (y[whole] & mask);
}

bool
prefix_contains(const struct prefix *p, const struct addr *a)
{
	if (p->addr.family != a->family || p->plen > addr_bits(a))
		return false;
	return bits_eq(p->addr.bytes, a->bytes, p->plen);
}

void
prefix_mask(struct prefix *p)
{
	unsigned int i, bits = addr_bits(&p->addr);

	for (i = p->plen; i < bits; i++)
		p->addr.bytes[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

bool
prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->plen == b->plen && a->addr.family == b->addr.family &&
	       bits_eq(a->addr.bytes, b->addr.bytes, a->plen);
}
