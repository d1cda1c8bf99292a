/*
 * NHRP wire codec: bytes <-> struct nhrp_msg (RFC 2332 plus the Cisco
 * DMVPN Traffic Indication, NAT flag and NAT Address extension).
 *
 * A pure codec: no I/O, no globals, no allocation.  nhrp_decode() checks
 * everything it reads (sizes, checksum, every length) and either fills a
 * struct nhrp_msg or returns -1 with a short static reason.  Addresses are
 * copied into the struct; the variable-length opaque parts (the quoted
 * packet of an indication, authentication data, vendor data, unknown
 * extension bodies) point into the decoded buffer, which must outlive the
 * message.  nhrp_encode() writes a message back through a struct wbuf and
 * back-patches ar$pktsz, ar$extoff and ar$chksum; whatever nhrp_decode()
 * accepts, nhrp_encode() writes back byte for byte.
 *
 * Supported: ar$afn IPv4/IPv6 NBMA addresses, ar$pro.type IPv4/IPv6
 * protocol addresses, the eight packet types, and the extensions of RFC
 * 2332 5.3 plus Cisco NAT Address; any other extension is carried opaque.
 * See docs/nhrp-wire.md for the limits and every rejection reason.
 */
#ifndef DMVPN_NHRP_WIRE_H
#define DMVPN_NHRP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/buf.h"
#include "dmvpn/nhrp_proto.h"

#define NHRP_ADDR_MAX    16    /* longest address: IPv6 */
#define NHRP_SUBADDR_MAX 20    /* longest subaddress: an ATM NSAP */
#define NHRP_MAX_CIE     32    /* CIEs in the mandatory part */
#define NHRP_MAX_EXT     16    /* extensions, End not counted */
#define NHRP_MAX_EXT_CIE 32    /* CIEs over all CIE-list extensions */
#define NHRP_MAX_PKT     65535 /* ar$pktsz is 16 bits */

/* Default ar$hopcnt set by nhrp_msg_init(). */
#define NHRP_HOPCNT_DEFAULT 64

/* An NBMA or protocol address; len 0 means absent (no octets on the wire). */
struct nhrp_addr {
	uint8_t len;
	uint8_t a[NHRP_ADDR_MAX];
};

/* An NBMA subaddress (RFC 2332 5.2.0.1); IP NBMA networks have none. */
struct nhrp_subaddr {
	uint8_t len;
	uint8_t a[NHRP_SUBADDR_MAX];
};

/* A Client Information Entry (RFC 2332 5.2.0.1). */
struct nhrp_cie {
	uint8_t code;       /* NHRP_CIE_* */
	uint8_t prefix_len; /* 0..address bits, or 0xff */
	uint16_t unused;    /* carried unchanged; 0 when sending */
	uint16_t mtu;
	uint16_t holding_time; /* seconds */
	uint8_t preference;
	struct nhrp_addr nbma; /* Client NBMA Address */
	struct nhrp_subaddr nbma_sub;
	struct nhrp_addr proto; /* Client Protocol Address */
};

/*
 * One extension (RFC 2332 5.3), in packet order.  Which members mean
 * something depends on the type:
 *   RESPONDER, FWD_TRANSIT, REV_TRANSIT, NAT_ADDR: cie_count CIEs from
 *     m->ext_cie[cie_first] (Responder Address holds at most one);
 *   AUTH: spi is the first 32 bits (RFC: Reserved + SPI; Cisco: the
 *     authentication type, 1 = cleartext), data the rest;
 *   VENDOR: vendor_id is the 24-bit IEEE ID, data the rest;
 *   any other type: data is the whole body, carried unchanged.
 */
struct nhrp_ext {
	uint16_t type;   /* 15 bits: NHRP_EXT_* plus the unused bit */
	bool compulsory; /* NHRP_EXT_COMPULSORY */
	uint16_t off;    /* decode only: offset of its header in the packet */
	uint8_t cie_first;
	uint8_t cie_count;
	uint32_t spi;
	uint32_t vendor_id;
	const uint8_t *data;
	uint16_t data_len;
};

/* A decoded NHRP packet, or one to encode. */
struct nhrp_msg {
	/* Fixed header (RFC 2332 5.2); pktsz, chksum, extoff are computed */
	uint16_t afn;                    /* NHRP_AFN_* */
	uint16_t pro_type;               /* NHRP_PRO_* */
	uint8_t pro_snap[NHRP_SNAP_LEN]; /* carried unchanged; zero normally */
	uint8_t hop_count;
	uint8_t version; /* NHRP_VERSION */
	uint8_t type;    /* NHRP_RESOLUTION_REQUEST... */

	/*
	 * Mandatory part common header (5.2.0.1).  flags carries the unused
	 * first 16 bits of an Error or Traffic Indication; reqid is not on
	 * the wire in those two.
	 */
	uint16_t flags; /* NHRP_FLAG_* */
	uint32_t reqid;
	uint16_t err_code;       /* Error Indication (5.2.7): NHRP_ERR_* */
	uint16_t err_offset;     /* Error Indication: offset of the error */
	uint16_t traffic_code;   /* Traffic Indication: NHRP_TRAFFIC_* */
	uint16_t traffic_unused; /* Traffic Indication: last 16 bits */
	struct nhrp_addr src_nbma;
	struct nhrp_subaddr src_nbma_sub;
	struct nhrp_addr src_proto;
	struct nhrp_addr dst_proto;

	/*
	 * Error Indication: the NHRP packet in error; Traffic Indication:
	 * the packet that caused it.  Unused by the other types.
	 */
	const uint8_t *payload;
	uint16_t payload_len;

	/* CIEs of types 1-6 */
	size_t cie_count;
	struct nhrp_cie cie[NHRP_MAX_CIE];

	/*
	 * Extensions part: present when ar$extoff != 0, then always closed
	 * by an End extension whose compulsory bit is end_compulsory.
	 */
	bool ext_present;
	bool end_compulsory;
	size_t ext_count;
	struct nhrp_ext ext[NHRP_MAX_EXT];
	size_t ext_cie_count;
	struct nhrp_cie ext_cie[NHRP_MAX_EXT_CIE];

	/*
	 * Decode only: an extension with the compulsory bit whose type we do
	 * not know was seen (RFC 2332 5.3: a responder answers with an Error
	 * Indication "Unrecognized Extension"); unknown_off is the offset of
	 * the first such extension, for the indication's error offset.
	 */
	bool unknown_compulsory;
	uint16_t unknown_off;
};

/*
 * Decode the len-byte NHRP packet at p into m; returns 0, or -1 with *why
 * set to a static reason (m is then unspecified).  len must equal ar$pktsz.
 */
int nhrp_decode(const uint8_t *p, size_t len, struct nhrp_msg *m,
		const char **why);

/*
 * Append the packet m describes to w, computing ar$pktsz, ar$extoff and
 * ar$chksum; returns 0, or -1 with *why set (w's content is then unspecified).
 */
int nhrp_encode(const struct nhrp_msg *m, struct wbuf *w, const char **why);

/* RFC 2332 5.2: the ar$chksum for a packet, its own checksum field read as 0.
 */
uint16_t nhrp_checksum(const uint8_t *p, size_t len);

/* True when the ar$chksum stored in the packet equals nhrp_checksum(). */
bool nhrp_checksum_ok(const uint8_t *p, size_t len);

/* Zero m and set version 1, type, afn, protocol and NHRP_HOPCNT_DEFAULT. */
void nhrp_msg_init(struct nhrp_msg *m, uint8_t type, uint16_t afn,
		   uint16_t pro_type);

/* Octets in an NBMA address of this ar$afn, or 0 when unsupported. */
size_t nhrp_afn_addr_len(uint16_t afn);

/* Octets in a protocol address of this ar$pro.type, or 0 if unsupported. */
size_t nhrp_pro_addr_len(uint16_t pro_type);

/* Copy len bytes into an address; -1 if longer than NHRP_ADDR_MAX. */
int nhrp_addr_set(struct nhrp_addr *a, const void *p, size_t len);

/* Append a zeroed CIE to the mandatory part; NULL when full. */
struct nhrp_cie *nhrp_msg_add_cie(struct nhrp_msg *m);

/*
 * Append an empty extension (RFC 2332 5.3: order is kept) and mark the
 * extensions part present; NULL when full or type is End or out of range.
 */
struct nhrp_ext *nhrp_msg_add_ext(struct nhrp_msg *m, uint16_t type,
				  bool compulsory);

/*
 * Append a zeroed CIE to a CIE-list extension of m (a Transit NHS record,
 * say); NULL when the pool is full or the extension holds no CIEs.
 */
struct nhrp_cie *nhrp_ext_add_cie(struct nhrp_msg *m, struct nhrp_ext *e);

/* The i-th CIE of extension e of m, or NULL. */
const struct nhrp_cie *nhrp_ext_cie(const struct nhrp_msg *m,
				    const struct nhrp_ext *e, size_t i);

/* Index in m->ext of the first extension of this type, or -1. */
int nhrp_ext_find(const struct nhrp_msg *m, uint16_t type);

/* True for the extension types whose body is a list of CIEs. */
bool nhrp_ext_has_cies(uint16_t type);

/* Name of a packet type (the comment in nhrp_proto.h), or "unknown". */
const char *nhrp_type_name(uint8_t type);

/* Name of an Error Indication code, or "unknown". */
const char *nhrp_err_name(uint16_t code);

/* Name of a CIE code, or "unknown". */
const char *nhrp_cie_code_name(uint8_t code);

/* Name of an extension type (compulsory bit ignored), or "unknown". */
const char *nhrp_ext_name(uint16_t type);

#endif /* DMVPN_NHRP_WIRE_H */
