/*
 * IPv4 and IPv6 addresses and prefixes as every module sees them:
 * protocol (tunnel) addresses, NBMA addresses, route destinations.
 * A plain value type: copy it, compare it, hash it.
 */
#ifndef DMVPN_ADDR_H
#define DMVPN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Long enough for any address, "/128" and a NUL. */
#define ADDR_STRLEN 64

struct addr {
	uint8_t family; /* AF_INET, AF_INET6, or 0 for none */
	uint8_t len;    /* 4 or 16 (0 for none) */
	uint8_t bytes[16];
};

struct prefix {
	struct addr addr;
	uint8_t plen;
};

/* Make an address from raw bytes: len 4 is IPv4, 16 is IPv6; -1 otherwise. */
int addr_from_bytes(struct addr *a, const void *bytes, size_t len);

/* Parse a numeric IPv4 or IPv6 address; -1 when it is not one. */
int addr_parse(struct addr *a, const char *s);

/*
 * Parse "A/len" (or a bare address, taken as a host prefix); -1 on syntax
 * errors or a length beyond the family's.  Host bits are kept as given.
 */
int prefix_parse(struct prefix *p, const char *s);

/* Format into out (ADDR_STRLEN bytes); "-" for the empty address. */
const char *addr_fmt(const struct addr *a, char *out);
const char *prefix_fmt(const struct prefix *p, char *out);

/* True when both are the same family and bytes. */
bool addr_eq(const struct addr *a, const struct addr *b);

/* Total order: family first, then bytes; for sorted output. */
int addr_cmp(const struct addr *a, const struct addr *b);

/* True for the empty address (family 0). */
bool addr_is_none(const struct addr *a);

/* A 32-bit hash of the address, for hash tables. */
uint32_t addr_hash(const struct addr *a);

/* Bits in the family's addresses: 32, 128, or 0. */
unsigned int addr_bits(const struct addr *a);

/* True when a lies inside p. */
bool prefix_contains(const struct prefix *p, const struct addr *a);

/* Clear the host bits of p. */
void prefix_mask(struct prefix *p);

/* True when both prefixes have the same length and masked address. */
bool prefix_eq(const struct prefix *a, const struct prefix *b);

#endif /* DMVPN_ADDR_H */
