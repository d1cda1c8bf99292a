/*
 * IKEv2 wire codec: bytes <-> struct ike_msg (RFC 7296 section 3, RFC
 * 7383 Encrypted Fragment payload, RFC 3948 2.2-2.3 for UDP/4500).
 *
 * A pure codec: no I/O, no globals, no allocation, no cryptography.
 * ike_decode() checks every length it reads and either fills a struct
 * ike_msg or returns -1 with a short static reason.  The variable-length
 * parts (KE data, nonces, identities, notify data, Delete SPIs, the SK
 * body...) are NOT copied: they point into the decoded buffer, so a
 * decoded message is valid only while that buffer lives and is unchanged.
 * Only SPIs of proposals and notifies (at most 8 octets) are copied.
 *
 * An SK (46) or SKF (53) payload is kept opaque: the decoder records where
 * its body lies in the datagram and which payload type starts the inner
 * chain; the engine decrypts it with the crypto layer and decodes the
 * plaintext with ike_decode_chain().  ike_encode() writes a message back
 * through a struct wbuf; a decoded message encodes back to the same bytes
 * except for reserved bits and fields RFC 7296 says to ignore on receipt
 * (critical bit of known payloads, minor version is kept, Last Substruc).
 *
 * The constants below carry their name in a trailing comment; for
 * exchange, payload, notify, transform and the other name lookups at the
 * end of this file, that comment is what the lookup returns.
 */
#ifndef DMVPN_IKE_WIRE_H
#define DMVPN_IKE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/buf.h"

/* Fixed sizes in octets (RFC 7296 3.1-3.3, RFC 7383 2.5) */
#define IKE_HDR_LEN       28 /* IKE header */
#define IKE_PLD_HDR_LEN   4  /* Generic payload header */
#define IKE_SKF_HDR_LEN   8  /* Encrypted Fragment header */
#define IKE_NON_ESP_LEN   4  /* Non-ESP marker (RFC 3948 2.2) */
#define IKE_VERSION_MAJOR 2  /* IKEv2 */
#define IKE_MAX_MSG       65535
#define IKE_NONCE_MIN     16  /* RFC 7296 3.9 */
#define IKE_NONCE_MAX     256 /* RFC 7296 3.9 */
#define IKE_SPI_MAX       8   /* longest SPI: an IKE SA's */
#define IKE_NATD_HASH_LEN 20  /* SHA-1 (RFC 7296 2.23) */
#define IKE_COOKIE_MAX    64  /* RFC 7296 2.6 */

/* Header field offsets (RFC 7296 3.1) */
#define IKE_OFF_NP      16 /* Next Payload */
#define IKE_OFF_VERSION 17 /* MjVer/MnVer */
#define IKE_OFF_FLAGS   19 /* Flags */
#define IKE_OFF_LEN     24 /* Length */

/* Limits per message (or per inner chain); more is refused with a reason */
#define IKE_MAX_PAYLOADS   48
#define IKE_MAX_NOTIFY     24
#define IKE_MAX_PROPOSALS  16
#define IKE_MAX_TRANSFORMS 128
#define IKE_MAX_ATTRS      16 /* attributes other than Key Length */
#define IKE_MAX_TS         16

/* Exchange types (RFC 7296 3.1) */
#define IKE_EXCH_IKE_SA_INIT     34 /* IKE_SA_INIT */
#define IKE_EXCH_IKE_AUTH        35 /* IKE_AUTH */
#define IKE_EXCH_CREATE_CHILD_SA 36 /* CREATE_CHILD_SA */
#define IKE_EXCH_INFORMATIONAL   37 /* INFORMATIONAL */

/* Header flags (RFC 7296 3.1); the other bits are ignored on receipt */
#define IKE_FLAG_I    0x08 /* Initiator */
#define IKE_FLAG_V    0x10 /* Version */
#define IKE_FLAG_R    0x20 /* Response */
#define IKE_FLAGS_ALL 0x38

/* Payload types (RFC 7296 3.2, RFC 7383 2.5) */
#define IKE_PLD_NONE    0  /* No Next Payload */
#define IKE_PLD_SA      33 /* SA */
#define IKE_PLD_KE      34 /* KE */
#define IKE_PLD_IDI     35 /* IDi */
#define IKE_PLD_IDR     36 /* IDr */
#define IKE_PLD_CERT    37 /* CERT */
#define IKE_PLD_CERTREQ 38 /* CERTREQ */
#define IKE_PLD_AUTH    39 /* AUTH */
#define IKE_PLD_NONCE   40 /* Nonce */
#define IKE_PLD_NOTIFY  41 /* Notify */
#define IKE_PLD_DELETE  42 /* Delete */
#define IKE_PLD_VID     43 /* Vendor ID */
#define IKE_PLD_TSI     44 /* TSi */
#define IKE_PLD_TSR     45 /* TSr */
#define IKE_PLD_SK      46 /* SK */
#define IKE_PLD_CP      47 /* CP */
#define IKE_PLD_EAP     48 /* EAP */
#define IKE_PLD_SKF     53 /* SKF */

/* Generic payload header flags (RFC 7296 3.2) */
#define IKE_PLD_CRITICAL 0x80 /* Critical */

/* Protocol IDs (RFC 7296 3.3.1) */
#define IKE_PROTO_NONE 0 /* none */
#define IKE_PROTO_IKE  1 /* IKE */
#define IKE_PROTO_AH   2 /* AH */
#define IKE_PROTO_ESP  3 /* ESP */

/* Transform types (RFC 7296 3.3.2) */
#define IKE_XF_ENCR  1 /* ENCR */
#define IKE_XF_PRF   2 /* PRF */
#define IKE_XF_INTEG 3 /* INTEG */
#define IKE_XF_KE    4 /* KE */
#define IKE_XF_ESN   5 /* ESN */

/* Transform type 1 IDs (RFC 7296 3.3.2, RFC 4106, RFC 7634) */
#define IKE_ENCR_3DES              3  /* 3DES */
#define IKE_ENCR_NULL              11 /* NULL */
#define IKE_ENCR_AES_CBC           12 /* AES_CBC */
#define IKE_ENCR_AES_CTR           13 /* AES_CTR */
#define IKE_ENCR_AES_CCM_8         14 /* AES_CCM_8 */
#define IKE_ENCR_AES_CCM_12        15 /* AES_CCM_12 */
#define IKE_ENCR_AES_CCM_16        16 /* AES_CCM_16 */
#define IKE_ENCR_AES_GCM_8         18 /* AES_GCM_8 */
#define IKE_ENCR_AES_GCM_12        19 /* AES_GCM_12 */
#define IKE_ENCR_AES_GCM_16        20 /* AES_GCM_16 */
#define IKE_ENCR_CHACHA20_POLY1305 28 /* CHACHA20_POLY1305 */

/* Transform type 2 IDs (RFC 7296 3.3.2, RFC 4868) */
#define IKE_PRF_HMAC_SHA1     2 /* PRF_HMAC_SHA1 */
#define IKE_PRF_AES128_XCBC   4 /* PRF_AES128_XCBC */
#define IKE_PRF_HMAC_SHA2_256 5 /* PRF_HMAC_SHA2_256 */
#define IKE_PRF_HMAC_SHA2_384 6 /* PRF_HMAC_SHA2_384 */
#define IKE_PRF_HMAC_SHA2_512 7 /* PRF_HMAC_SHA2_512 */
#define IKE_PRF_AES128_CMAC   8 /* PRF_AES128_CMAC */

/* Transform type 3 IDs (RFC 7296 3.3.2, RFC 4868) */
#define IKE_INTEG_NONE              0  /* NONE */
#define IKE_INTEG_HMAC_SHA1_96      2  /* AUTH_HMAC_SHA1_96 */
#define IKE_INTEG_AES_XCBC_96       5  /* AUTH_AES_XCBC_96 */
#define IKE_INTEG_AES_CMAC_96       8  /* AUTH_AES_CMAC_96 */
#define IKE_INTEG_HMAC_SHA2_256_128 12 /* AUTH_HMAC_SHA2_256_128 */
#define IKE_INTEG_HMAC_SHA2_384_192 13 /* AUTH_HMAC_SHA2_384_192 */
#define IKE_INTEG_HMAC_SHA2_512_256 14 /* AUTH_HMAC_SHA2_512_256 */

/* Transform type 4 IDs (RFC 7296 3.3.2, RFC 3526, RFC 5903, RFC 8031) */
#define IKE_KE_NONE       0  /* NONE */
#define IKE_KE_MODP1024   2  /* MODP1024 */
#define IKE_KE_MODP2048   14 /* MODP2048 */
#define IKE_KE_MODP3072   15 /* MODP3072 */
#define IKE_KE_MODP4096   16 /* MODP4096 */
#define IKE_KE_ECP256     19 /* ECP256 */
#define IKE_KE_ECP384     20 /* ECP384 */
#define IKE_KE_ECP521     21 /* ECP521 */
#define IKE_KE_CURVE25519 31 /* Curve25519 */
#define IKE_KE_CURVE448   32 /* Curve448 */

/* Transform type 5 IDs (RFC 7296 3.3.2) */
#define IKE_ESN_NO  0 /* No ESN */
#define IKE_ESN_YES 1 /* ESN */

/* Transform attributes (RFC 7296 3.3.5) */
#define IKE_ATTR_TV      0x8000 /* AF bit: value in the header */
#define IKE_ATTR_KEY_LEN 14     /* Key Length */

/* Identification types (RFC 7296 3.5) */
#define IKE_ID_IPV4_ADDR   1  /* ID_IPV4_ADDR */
#define IKE_ID_FQDN        2  /* ID_FQDN */
#define IKE_ID_RFC822_ADDR 3  /* ID_RFC822_ADDR */
#define IKE_ID_IPV6_ADDR   5  /* ID_IPV6_ADDR */
#define IKE_ID_DER_ASN1_DN 9  /* ID_DER_ASN1_DN */
#define IKE_ID_DER_ASN1_GN 10 /* ID_DER_ASN1_GN */
#define IKE_ID_KEY_ID      11 /* ID_KEY_ID */

/* Certificate encodings (RFC 7296 3.6) */
#define IKE_CERT_X509_SIG 4  /* X.509 Certificate - Signature */
#define IKE_CERT_X509_CRL 7  /* Certificate Revocation List (CRL) */
#define IKE_CERT_HASH_URL 12 /* Hash and URL of X.509 certificate */

/* Authentication methods (RFC 7296 3.8, RFC 4754, RFC 7427) */
#define IKE_AUTH_RSA_SIG   1  /* RSA Digital Signature */
#define IKE_AUTH_PSK       2  /* Shared Key Message Integrity Code */
#define IKE_AUTH_DSS_SIG   3  /* DSS Digital Signature */
#define IKE_AUTH_ECDSA_256 9  /* ECDSA with SHA-256 on the P-256 curve */
#define IKE_AUTH_ECDSA_384 10 /* ECDSA with SHA-384 on the P-384 curve */
#define IKE_AUTH_ECDSA_521 11 /* ECDSA with SHA-512 on the P-521 curve */
#define IKE_AUTH_DIGSIG    14 /* Digital Signature */

/* Traffic selector types (RFC 7296 3.13.1) */
#define IKE_TS_IPV4_ADDR_RANGE 7 /* TS_IPV4_ADDR_RANGE */
#define IKE_TS_IPV6_ADDR_RANGE 8 /* TS_IPV6_ADDR_RANGE */

/* Notify error types (RFC 7296 3.10.1) */
#define IKE_N_UNSUPP_CRITICAL          1  /* UNSUPPORTED_CRITICAL_PAYLOAD */
#define IKE_N_INVALID_IKE_SPI          4  /* INVALID_IKE_SPI */
#define IKE_N_INVALID_MAJOR_VERSION    5  /* INVALID_MAJOR_VERSION */
#define IKE_N_INVALID_SYNTAX           7  /* INVALID_SYNTAX */
#define IKE_N_INVALID_MESSAGE_ID       9  /* INVALID_MESSAGE_ID */
#define IKE_N_INVALID_SPI              11 /* INVALID_SPI */
#define IKE_N_NO_PROPOSAL_CHOSEN       14 /* NO_PROPOSAL_CHOSEN */
#define IKE_N_INVALID_KE_PAYLOAD       17 /* INVALID_KE_PAYLOAD */
#define IKE_N_AUTHENTICATION_FAILED    24 /* AUTHENTICATION_FAILED */
#define IKE_N_SINGLE_PAIR_REQUIRED     34 /* SINGLE_PAIR_REQUIRED */
#define IKE_N_NO_ADDITIONAL_SAS        35 /* NO_ADDITIONAL_SAS */
#define IKE_N_INTERNAL_ADDRESS_FAILURE 36 /* INTERNAL_ADDRESS_FAILURE */
#define IKE_N_FAILED_CP_REQUIRED       37 /* FAILED_CP_REQUIRED */
#define IKE_N_TS_UNACCEPTABLE          38 /* TS_UNACCEPTABLE */
#define IKE_N_INVALID_SELECTORS        39 /* INVALID_SELECTORS */
#define IKE_N_TEMPORARY_FAILURE        43 /* TEMPORARY_FAILURE */
#define IKE_N_CHILD_SA_NOT_FOUND       44 /* CHILD_SA_NOT_FOUND */

/* Notify status types (RFC 7296 3.10.1, RFC 4555, RFC 5685, 7383, 7427) */
#define IKE_N_INITIAL_CONTACT        16384 /* INITIAL_CONTACT */
#define IKE_N_SET_WINDOW_SIZE        16385 /* SET_WINDOW_SIZE */
#define IKE_N_ADDITIONAL_TS_POSSIBLE 16386 /* ADDITIONAL_TS_POSSIBLE */
#define IKE_N_IPCOMP_SUPPORTED       16387 /* IPCOMP_SUPPORTED */
#define IKE_N_NATD_SRC               16388 /* NAT_DETECTION_SOURCE_IP */
#define IKE_N_NATD_DST               16389 /* NAT_DETECTION_DESTINATION_IP */
#define IKE_N_COOKIE                 16390 /* COOKIE */
#define IKE_N_USE_TRANSPORT_MODE     16391 /* USE_TRANSPORT_MODE */
#define IKE_N_HTTP_CERT_LOOKUP       16392 /* HTTP_CERT_LOOKUP_SUPPORTED */
#define IKE_N_REKEY_SA               16393 /* REKEY_SA */
#define IKE_N_ESP_TFC_PAD_NOT_SUPP   16394 /* ESP_TFC_PADDING_NOT_SUPPORTED */
#define IKE_N_NON_FIRST_FRAGS        16395 /* NON_FIRST_FRAGMENTS_ALSO */
#define IKE_N_MOBIKE_SUPPORTED       16396 /* MOBIKE_SUPPORTED */
#define IKE_N_REDIRECT_SUPPORTED     16406 /* REDIRECT_SUPPORTED */
#define IKE_N_FRAG_SUPPORTED         16430 /* IKEV2_FRAGMENTATION_SUPPORTED */
#define IKE_N_SIG_HASH_ALGS          16431 /* SIGNATURE_HASH_ALGORITHMS */

/* Notify types below this one are errors (RFC 7296 3.10.1) */
#define IKE_N_STATUS_MIN 16384

/* A transform attribute other than Key Length (RFC 7296 3.3.5). */
struct ike_attr {
	uint16_t type; /* AF bit cleared */
	bool tv;       /* TV form: value holds it; TLV form: data, len */
	uint16_t value;
	const uint8_t *data;
	uint16_t len;
};

/* A transform (RFC 7296 3.3.2). */
struct ike_xform {
	uint8_t type; /* IKE_XF_* */
	uint16_t id;
	uint16_t key_len;   /* Key Length attribute in bits, 0 when absent */
	uint8_t attr_first; /* other attributes: m->attr[attr_first...] */
	uint8_t attr_count;
};

/* A proposal (RFC 7296 3.3.1); its transforms are m->xform[xf_first...]. */
struct ike_prop {
	uint8_t num;   /* Proposal Num: 1, 2... (a response: the chosen one) */
	uint8_t proto; /* IKE_PROTO_* */
	uint8_t spi_len;
	uint8_t spi[IKE_SPI_MAX];
	uint16_t xf_first;
	uint8_t xf_count;
	/* Decode only: a transform type or attribute we do not know (3.3.6) */
	bool unknown;
};

/* A traffic selector (RFC 7296 3.13.1). */
struct ike_ts {
	uint8_t type;  /* IKE_TS_*; another type is kept opaque in raw */
	uint8_t proto; /* IP protocol ID, 0 for any */
	uint16_t start_port, end_port;
	uint8_t start[16], end[16]; /* 4 octets used for IPv4 */
	const uint8_t *raw; /* unknown type: the octets after Selector Length */
	uint16_t raw_len;
};

/* Notify payload fields (RFC 7296 3.10). */
struct ike_notify {
	uint8_t proto; /* IKE_PROTO_*, 0 when no SPI */
	uint8_t spi_len;
	uint8_t spi[IKE_SPI_MAX];
	uint16_t type; /* IKE_N_* */
	/*
	 * INVALID_KE_PAYLOAD carries the group (3.10.1) in group, which the
	 * encoder writes; every other type carries data.
	 */
	uint16_t group;
	const uint8_t *data;
	uint16_t data_len;
};

/*
 * One payload, in message order.  body points at the octets after the
 * generic header; which other members mean something depends on type:
 *   SA: sa.first/sa.count index m->prop;   TSi/TSr: ts indexes m->ts;
 *   KE: typed.type is the group;  IDi/IDr: ID type;  CERT, CERTREQ:
 *     encoding;  AUTH: method;  typed.data/len is what follows;
 *   Notify: n;  Delete: del;
 *   Nonce, Vendor ID, and types we keep opaque (CP, EAP, unknown): body;
 *   SK: body is IV | ciphertext | ICV, sk.inner the first inner payload;
 *   SKF: the same plus sk.frag_num / sk.frag_total (RFC 7383 2.5).
 * The encoder reads the same members.
 */
struct ike_pld {
	uint8_t type;  /* IKE_PLD_* */
	bool critical; /* kept for types we do not decode; else false */
	uint16_t off;  /* decode only: offset of the generic header */
	const uint8_t *body;
	uint16_t body_len;
	union {
		struct {
			uint8_t first, count;
		} sa, ts;
		struct {
			uint16_t type;
			const uint8_t *data;
			uint16_t len;
		} typed;
		struct ike_notify n;
		struct {
			uint8_t proto;
			uint8_t spi_len; /* 0 for IKE, 4 for AH/ESP */
			uint16_t count;
			const uint8_t *spis; /* count * spi_len octets */
		} del;
		struct {
			uint8_t inner;
			uint16_t frag_num, frag_total;
		} sk;
	} u;
};

/* A decoded IKE message (or inner payload chain), or one to encode. */
struct ike_msg {
	/* Header (RFC 7296 3.1); Next Payload and Length are computed */
	uint64_t spi_i, spi_r;
	uint8_t major, minor; /* ike_msg_init: 2.0; minor is carried */
	uint8_t exchange;     /* IKE_EXCH_* */
	uint8_t flags;        /* IKE_FLAG_* */
	uint32_t msg_id;
	bool chain; /* an inner payload chain: no header (SK plaintext) */

	size_t npld;
	struct ike_pld pld[IKE_MAX_PAYLOADS];
	size_t nprop;
	struct ike_prop prop[IKE_MAX_PROPOSALS];
	size_t nxform;
	struct ike_xform xform[IKE_MAX_TRANSFORMS];
	size_t nattr;
	struct ike_attr attr[IKE_MAX_ATTRS];
	size_t nts;
	struct ike_ts ts[IKE_MAX_TS];

	/*
	 * Decode only.  enc_index is the SK/SKF payload's index in pld or -1.
	 * For the crypto layer, offsets from the IKE header: aad_len octets
	 * from the header to the end of the SK (or SKF, fragment fields
	 * included) header are the associated data (RFC 5282 5.1, RFC 7383
	 * 2.5); enc_off/enc_len is the body (IV, ciphertext, padding, ICV).
	 */
	int enc_index;
	uint16_t aad_len, enc_off, enc_len;
	unsigned int unknown_count; /* non-critical payloads we skipped */

	/*
	 * Decode only, when ike_decode() fails after reading the header: the
	 * notify an answer should carry (RFC 7296 2.5, 3.10.1), e.g.
	 * IKE_N_INVALID_MAJOR_VERSION, IKE_N_UNSUPP_CRITICAL
	 * with err_data the payload type, else IKE_N_INVALID_SYNTAX; 0 when
	 * even the header could not be read.  Whether to answer at all is the
	 * engine's call (3.10.1: INVALID_SYNTAX only in an encrypted reply).
	 */
	uint16_t err_notify;
	uint8_t err_data;
};

/* What a UDP datagram to our IKE ports is (RFC 3948 2.2-2.3). */
enum ike_dgram {
	IKE_DGRAM_IKE,       /* an IKE message at off */
	IKE_DGRAM_KEEPALIVE, /* UDP/4500 NAT-keepalive: one 0xff octet */
	IKE_DGRAM_ESP,       /* UDP/4500 ESP (non-zero SPI): not ours */
};

/* The routing view of a datagram: ike_peek() reads no payload. */
struct ike_peek {
	enum ike_dgram kind;
	size_t off; /* IKE header offset: 4 after a non-ESP marker, else 0 */
	size_t len; /* IKE message length (= datagram length - off) */
	uint64_t spi_i, spi_r;
	uint8_t np, major, minor, exchange, flags;
	uint32_t msg_id;
	uint16_t err_notify; /* as in struct ike_msg */
};

/* Where ike_encode_sk_begin() put the SK payload (offsets into w->p). */
struct ike_sk_layout {
	size_t start;    /* the IKE header: associated data start here */
	size_t aad_len;  /* header .. end of the SK/SKF header */
	size_t sk_off;   /* the SK/SKF generic header */
	size_t body_off; /* where IV | ciphertext | ICV go */
	size_t body_len; /* as announced to ike_encode_sk_begin() */
};

/*
 * Route a datagram received on UDP/500 (natt false) or UDP/4500 (natt
 * true, RFC 3948: a zero non-ESP marker before IKE, 0xff keepalives, ESP
 * otherwise).  For IKE, fills pk from the header alone and checks major
 * version and length; returns 0, or -1 with *why (pk->err_notify set when
 * an answer is due, the SPIs and message ID filled when readable).
 */
int ike_peek(const uint8_t *p, size_t len, bool natt, struct ike_peek *pk,
	     const char **why);

/*
 * Decode the len-byte IKE message at p (no non-ESP marker) into m;
 * returns 0, or -1 with *why set to a static reason and m->err_notify
 * telling what to answer.  len must equal the header's Length.
 */
int ike_decode(const uint8_t *p, size_t len, struct ike_msg *m,
	       const char **why);

/*
 * Decode a plaintext inner payload chain (what an SK payload decrypted
 * to, padding removed) whose first payload is of type first (the SK's
 * Next Payload) into m, which gets no header fields (m->chain is set).
 */
int ike_decode_chain(const uint8_t *p, size_t len, uint8_t first,
		     struct ike_msg *m, const char **why);

/*
 * Append the message m describes to w: header (unless m->chain) and
 * payloads, with Next Payload and Length fields computed.  An SK/SKF
 * payload is written from its opaque body and must be the last one.
 * Returns 0, or -1 with *why set (w's content is then unspecified).
 */
int ike_encode(const struct ike_msg *m, struct wbuf *w, const char **why);

/*
 * Append the header and unencrypted payloads of m, then an SK payload
 * (frag_total 0) or an SKF payload (RFC 7383 2.5) whose Next Payload is
 * inner (the first payload of the encrypted chain; RFC 7383: 0 in
 * fragments other than the first), then reserve body_len octets for IV |
 * ciphertext | ICV, filled later by the crypto layer at sk->body_off.
 * With the body length known here, every Length field is final and the
 * associated data (sk->start, sk->aad_len) can be authenticated at once.
 */
int ike_encode_sk_begin(const struct ike_msg *m, uint8_t inner,
			uint16_t frag_num, uint16_t frag_total, size_t body_len,
			struct wbuf *w, struct ike_sk_layout *sk,
			const char **why);

/*
 * Patch the IKE Length and SK Payload Length to what w now holds after
 * sk->start (when the body turned out another size than announced; a
 * no-op otherwise); -1 with *why if w overflowed or is too long.
 */
int ike_encode_sk_finish(struct wbuf *w, const struct ike_sk_layout *sk,
			 const char **why);

/* Zero m and set the header: version 2.0, exchange, SPIs, flags, ID. */
void ike_msg_init(struct ike_msg *m, uint8_t exchange, uint64_t spi_i,
		  uint64_t spi_r, uint8_t flags, uint32_t msg_id);

/* Zero m as an inner payload chain (the plaintext of an SK payload). */
void ike_msg_init_chain(struct ike_msg *m);

/* Type of the first payload (the header's or SK's Next Payload), or 0. */
uint8_t ike_msg_first_type(const struct ike_msg *m);

/*
 * Append a payload of this type with an opaque body (Nonce, Vendor ID,
 * CP, anything we do not decode); NULL when full.  The body is not copied.
 */
struct ike_pld *ike_msg_add(struct ike_msg *m, uint8_t type, const void *body,
			    size_t len);

/* Append an empty SA payload; NULL when full. */
struct ike_pld *ike_msg_add_sa(struct ike_msg *m);

/*
 * Append a proposal to SA payload sa (the last payload added), numbered
 * one more than the previous one (RFC 7296 3.3.1); NULL when full or the
 * SPI is longer than IKE_SPI_MAX.
 */
struct ike_prop *ike_msg_add_prop(struct ike_msg *m, struct ike_pld *sa,
				  uint8_t proto, const void *spi,
				  size_t spi_len);

/*
 * Append a transform to proposal p (the last proposal added); key_len in
 * bits, 0 for no Key Length attribute.  NULL when full.
 */
struct ike_xform *ike_msg_add_xform(struct ike_msg *m, struct ike_prop *p,
				    uint8_t type, uint16_t id,
				    uint16_t key_len);

/* Append a KE payload (RFC 7296 3.4); data is not copied. */
struct ike_pld *ike_msg_add_ke(struct ike_msg *m, uint16_t group,
			       const void *data, size_t len);

/* Append a Nonce payload (3.9); data is not copied. */
struct ike_pld *ike_msg_add_nonce(struct ike_msg *m, const void *data,
				  size_t len);

/*
 * Append a payload made of a one-octet type and data: IDi/IDr (ID type),
 * AUTH (method), CERT/CERTREQ (encoding).  data is not copied.
 */
struct ike_pld *ike_msg_add_typed(struct ike_msg *m, uint8_t pld_type,
				  uint8_t type, const void *data, size_t len);

/*
 * Append a Notify payload without SPI (RFC 7296 3.10); data is not
 * copied.  NULL when full (also past IKE_MAX_NOTIFY notifies).
 */
struct ike_pld *ike_msg_add_notify(struct ike_msg *m, uint16_t type,
				   const void *data, size_t len);

/* Append N(REKEY_SA) for the ESP SA whose inbound SPI is spi (2.8). */
struct ike_pld *ike_msg_add_rekey_sa(struct ike_msg *m, uint32_t spi);

/* Append N(INVALID_KE_PAYLOAD) naming the group we want (1.2, 3.10.1). */
struct ike_pld *ike_msg_add_invalid_ke(struct ike_msg *m, uint16_t group);

/*
 * Append a Delete payload (3.11): for IKE_PROTO_IKE no SPIs (spis NULL,
 * count 0); for ESP/AH count big-endian 4-octet SPIs at spis (not copied).
 */
struct ike_pld *ike_msg_add_delete(struct ike_msg *m, uint8_t proto,
				   const void *spis, size_t count);

/* Append an empty TSi or TSr payload; NULL when full. */
struct ike_pld *ike_msg_add_tsp(struct ike_msg *m, uint8_t pld_type);

/* Append a copy of ts to TS payload tsp (the last payload added). */
struct ike_ts *ike_msg_add_ts(struct ike_msg *m, struct ike_pld *tsp,
			      const struct ike_ts *ts);

/*
 * Fill ts with the single-address range addr (4 or 16 octets) for IP
 * protocol proto, all ports: the host-to-host GRE selector (proto 47).
 */
int ike_ts_host(struct ike_ts *ts, const void *addr, size_t alen,
		uint8_t proto);

/* The first payload of this type, or NULL. */
const struct ike_pld *ike_msg_find(const struct ike_msg *m, uint8_t type);

/* The first Notify of this notify type, or NULL. */
const struct ike_pld *ike_msg_find_notify(const struct ike_msg *m,
					  uint16_t type);

/* The i-th proposal of SA payload sa, or NULL. */
const struct ike_prop *ike_sa_prop(const struct ike_msg *m,
				   const struct ike_pld *sa, size_t i);

/* The i-th transform of proposal p, or NULL. */
const struct ike_xform *ike_prop_xform(const struct ike_msg *m,
				       const struct ike_prop *p, size_t i);

/* The i-th selector of TS payload tsp, or NULL. */
const struct ike_ts *ike_tsp_ts(const struct ike_msg *m,
				const struct ike_pld *tsp, size_t i);

/* The i-th 4-octet SPI of an AH/ESP Delete payload (3.11), or 0. */
uint32_t ike_delete_spi(const struct ike_pld *del, size_t i);

/* An SPI of up to 4 octets (a proposal's or notify's) as a number. */
uint32_t ike_spi32(const uint8_t *spi, size_t len);

/* Names for logs and dmvpnctl (the trailing comments above), or "unknown". */
const char *ike_exchange_name(uint8_t exchange);
const char *ike_payload_name(uint8_t type);
const char *ike_notify_name(uint16_t type);
const char *ike_proto_name(uint8_t proto);
const char *ike_xform_type_name(uint8_t type);
const char *ike_xform_id_name(uint8_t type, uint16_t id);
const char *ike_id_type_name(uint8_t type);
const char *ike_auth_method_name(uint8_t method);
const char *ike_ts_type_name(uint8_t type);

#endif /* DMVPN_IKE_WIRE_H */
