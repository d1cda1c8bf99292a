/*
 * Unit tests for the IKEv2 wire codec (src/ike/ike_wire*.c): golden bytes
 * laid out by hand field by field after RFC 7296 section 3 and RFC 7383
 * 2.5 for the messages the engine exchanges (IKE_SA_INIT request and
 * response, the IKE_AUTH, CREATE_CHILD_SA and INFORMATIONAL plaintexts, an
 * SK and an SKF message); each is decoded, checked field by field,
 * encoded back byte for byte, and built again with the ike_msg_add_*()
 * helpers.  Then every reason the decoder refuses, the limits, the
 * receive-path peek, and sweeps of truncated messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmvpn/buf.h"
#include "dmvpn/ike_wire.h"

/* --- golden messages ------------------------------------------------ */

/* clang-format off */

/*
 * IKE_SA_INIT request (RFC 7296 1.2): HDR SAi1 KEi Ni N(NATD_S)
 * N(NATD_D) N(FRAG_SUP) N(HASH_ALG), as in anchors 1.1.
 */
static const uint8_t gold_init_req[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* SPIi */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* SPIr 0 */
	0x21, 0x20, 0x22, 0x08,         /* next SA, 2.0, IKE_SA_INIT, I */
	0x00, 0x00, 0x00, 0x00,         /* message ID 0 */
	0x00, 0x00, 0x01, 0x14,         /* length 276 */
	/* SA */
	0x22, 0x00, 0x00, 0x5c,         /* next KE, length 92 */
	0x02, 0x00, 0x00, 0x2c,         /* proposal, more, length 44 */
	0x01, 0x01, 0x00, 0x04,         /* #1, IKE, SPI size 0, 4 transforms */
	0x03, 0x00, 0x00, 0x0c,         /* transform, more, length 12 */
	0x01, 0x00, 0x00, 0x14,         /* ENCR AES_GCM_16 */
	0x80, 0x0e, 0x01, 0x00,         /* Key Length (TV) 256 */
	0x03, 0x00, 0x00, 0x08,         /* transform, more, length 8 */
	0x02, 0x00, 0x00, 0x05,         /* PRF HMAC_SHA2_256 */
	0x03, 0x00, 0x00, 0x08,
	0x04, 0x00, 0x00, 0x1f,         /* KE Curve25519 */
	0x00, 0x00, 0x00, 0x08,         /* transform, last, length 8 */
	0x04, 0x00, 0x00, 0x13,         /* KE ECP256 */
	0x00, 0x00, 0x00, 0x2c,         /* proposal, last, length 44 */
	0x02, 0x01, 0x00, 0x04,         /* #2, IKE, SPI size 0, 4 transforms */
	0x03, 0x00, 0x00, 0x0c,
	0x01, 0x00, 0x00, 0x0c,         /* ENCR AES_CBC */
	0x80, 0x0e, 0x00, 0x80,         /* Key Length (TV) 128 */
	0x03, 0x00, 0x00, 0x08,
	0x03, 0x00, 0x00, 0x0c,         /* INTEG HMAC_SHA2_256_128 */
	0x03, 0x00, 0x00, 0x08,
	0x02, 0x00, 0x00, 0x05,         /* PRF HMAC_SHA2_256 */
	0x00, 0x00, 0x00, 0x08,
	0x04, 0x00, 0x00, 0x1f,         /* KE Curve25519 */
	/* KE */
	0x28, 0x00, 0x00, 0x28,         /* next Nonce, length 40 */
	0x00, 0x1f, 0x00, 0x00,         /* group 31 (Curve25519), reserved */
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, /* public value */
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	/* Nonce */
	0x29, 0x00, 0x00, 0x24,         /* next Notify, length 36 */
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, /* Ni */
	0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
	0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
	/* N(NAT_DETECTION_SOURCE_IP) */
	0x29, 0x00, 0x00, 0x1c,         /* next Notify, length 28 */
	0x00, 0x00, 0x40, 0x04,         /* no protocol, no SPI, 16388 */
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, /* SHA-1 hash */
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11,
	/* N(NAT_DETECTION_DESTINATION_IP) */
	0x29, 0x00, 0x00, 0x1c,         /* next Notify, length 28 */
	0x00, 0x00, 0x40, 0x05,         /* 16389 */
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22,
	/* N(IKEV2_FRAGMENTATION_SUPPORTED) */
	0x29, 0x00, 0x00, 0x08,         /* next Notify, length 8 */
	0x00, 0x00, 0x40, 0x2e,         /* 16430 */
	/* N(SIGNATURE_HASH_ALGORITHMS) */
	0x00, 0x00, 0x00, 0x10,         /* last, length 16 */
	0x00, 0x00, 0x40, 0x2f,         /* 16431 */
	0x00, 0x02, 0x00, 0x03,         /* SHA2-256, SHA2-384 (RFC 7427) */
	0x00, 0x04, 0x00, 0x05,         /* SHA2-512, Identity (RFC 8420) */
};

/* The response: HDR SAr1 KEr Nr CERTREQ N(NATD_S) N(NATD_D) N N */
static const uint8_t gold_init_resp[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* SPIi */
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* SPIr */
	0x21, 0x20, 0x22, 0x20,         /* next SA, 2.0, IKE_SA_INIT, R */
	0x00, 0x00, 0x00, 0x00,         /* message ID 0 */
	0x00, 0x00, 0x00, 0xf9,         /* length 249 */
	/* SA: the chosen proposal keeps its number (3.3.1) */
	0x22, 0x00, 0x00, 0x28,         /* next KE, length 40 */
	0x00, 0x00, 0x00, 0x24,         /* proposal, last, length 36 */
	0x01, 0x01, 0x00, 0x03,         /* #1, IKE, SPI size 0, 3 transforms */
	0x03, 0x00, 0x00, 0x0c,
	0x01, 0x00, 0x00, 0x14,         /* ENCR AES_GCM_16 */
	0x80, 0x0e, 0x01, 0x00,         /* Key Length 256 */
	0x03, 0x00, 0x00, 0x08,
	0x02, 0x00, 0x00, 0x05,         /* PRF HMAC_SHA2_256 */
	0x00, 0x00, 0x00, 0x08,
	0x04, 0x00, 0x00, 0x1f,         /* KE Curve25519 */
	/* KE */
	0x28, 0x00, 0x00, 0x28,         /* next Nonce, length 40 */
	0x00, 0x1f, 0x00, 0x00,         /* group 31 */
	0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7,
	0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
	0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
	/* Nonce */
	0x26, 0x00, 0x00, 0x24,         /* next CERTREQ, length 36 */
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, /* Nr */
	0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
	0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
	0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
	/* CERTREQ (3.7): X.509 signature, SHA-1 of a CA's key */
	0x29, 0x00, 0x00, 0x19,         /* next Notify, length 25 */
	0x04,                           /* encoding 4 */
	0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
	0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
	0x5a, 0x5a, 0x5a, 0x5a,
	/* N(NAT_DETECTION_SOURCE_IP) */
	0x29, 0x00, 0x00, 0x1c,
	0x00, 0x00, 0x40, 0x04,
	0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
	0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
	0x33, 0x33, 0x33, 0x33,
	/* N(NAT_DETECTION_DESTINATION_IP) */
	0x29, 0x00, 0x00, 0x1c,
	0x00, 0x00, 0x40, 0x05,
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
	0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
	0x44, 0x44, 0x44, 0x44,
	/* N(IKEV2_FRAGMENTATION_SUPPORTED) */
	0x29, 0x00, 0x00, 0x08,
	0x00, 0x00, 0x40, 0x2e,
	/* N(SIGNATURE_HASH_ALGORITHMS) */
	0x00, 0x00, 0x00, 0x10,
	0x00, 0x00, 0x40, 0x2f,
	0x00, 0x02, 0x00, 0x03,
	0x00, 0x04, 0x00, 0x05,
};

/*
 * IKE_AUTH request, the plaintext inside SK (first payload IDi):
 * IDi AUTH N(USE_TRANSPORT_MODE) SAi2 TSi TSr, GRE host to host.
 */
static const uint8_t gold_auth_chain[] = {
	/* IDi */
	0x27, 0x00, 0x00, 0x0c,         /* next AUTH, length 12 */
	0x01, 0x00, 0x00, 0x00,         /* ID_IPV4_ADDR, reserved */
	0xc0, 0x00, 0x02, 0x0b,         /* 192.0.2.11 */
	/* AUTH */
	0x29, 0x00, 0x00, 0x28,         /* next Notify, length 40 */
	0x02, 0x00, 0x00, 0x00,         /* Shared Key MIC, reserved */
	0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, /* prf output */
	0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70,
	0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
	0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x80,
	/* N(USE_TRANSPORT_MODE) */
	0x21, 0x00, 0x00, 0x08,         /* next SA, length 8 */
	0x00, 0x00, 0x40, 0x07,         /* 16391 */
	/* SA */
	0x2c, 0x00, 0x00, 0x24,         /* next TSi, length 36 */
	0x00, 0x00, 0x00, 0x20,         /* proposal, last, length 32 */
	0x01, 0x03, 0x04, 0x02,         /* #1, ESP, SPI size 4, 2 transforms */
	0xc1, 0xa2, 0xb3, 0xc4,         /* SPI */
	0x03, 0x00, 0x00, 0x0c,
	0x01, 0x00, 0x00, 0x14,         /* ENCR AES_GCM_16 */
	0x80, 0x0e, 0x01, 0x00,         /* Key Length 256 */
	0x00, 0x00, 0x00, 0x08,
	0x05, 0x00, 0x00, 0x00,         /* ESN No ESN */
	/* TSi */
	0x2d, 0x00, 0x00, 0x18,         /* next TSr, length 24 */
	0x01, 0x00, 0x00, 0x00,         /* 1 selector, reserved */
	0x07, 0x2f, 0x00, 0x10,         /* IPv4 range, GRE (47), length 16 */
	0x00, 0x00, 0xff, 0xff,         /* ports 0..65535 */
	0xc0, 0x00, 0x02, 0x0b,         /* 192.0.2.11 */
	0xc0, 0x00, 0x02, 0x0b,         /* .. 192.0.2.11 */
	/* TSr */
	0x00, 0x00, 0x00, 0x18,         /* last, length 24 */
	0x01, 0x00, 0x00, 0x00,
	0x07, 0x2f, 0x00, 0x10,
	0x00, 0x00, 0xff, 0xff,
	0xc0, 0x00, 0x02, 0x01,         /* 192.0.2.1 */
	0xc0, 0x00, 0x02, 0x01,
};

/* INFORMATIONAL plaintext (first payload Delete): D(ESP, 2 SPIs). */
static const uint8_t gold_delete_chain[] = {
	0x00, 0x00, 0x00, 0x10,         /* last, length 16 */
	0x03, 0x04, 0x00, 0x02,         /* ESP, SPI size 4, 2 SPIs */
	0xc1, 0xa2, 0xb3, 0xc4,
	0xc5, 0xd6, 0xe7, 0xf8,
};

/*
 * CREATE_CHILD_SA request plaintext (first payload Notify), rekeying the
 * CHILD SA whose inbound SPI is c1a2b3c4 (RFC 7296 1.3.3).
 */
static const uint8_t gold_rekey_chain[] = {
	/* N(REKEY_SA) */
	0x29, 0x00, 0x00, 0x0c,         /* next Notify, length 12 */
	0x03, 0x04, 0x40, 0x09,         /* ESP, SPI size 4, 16393 */
	0xc1, 0xa2, 0xb3, 0xc4,         /* SPI */
	/* N(USE_TRANSPORT_MODE) */
	0x21, 0x00, 0x00, 0x08,         /* next SA */
	0x00, 0x00, 0x40, 0x07,
	/* SA */
	0x28, 0x00, 0x00, 0x2c,         /* next Nonce, length 44 */
	0x00, 0x00, 0x00, 0x28,         /* proposal, last, length 40 */
	0x01, 0x03, 0x04, 0x03,         /* #1, ESP, SPI size 4, 3 transforms */
	0xd1, 0xd2, 0xd3, 0xd4,         /* new SPI */
	0x03, 0x00, 0x00, 0x0c,
	0x01, 0x00, 0x00, 0x14,         /* ENCR AES_GCM_16 */
	0x80, 0x0e, 0x01, 0x00,         /* Key Length 256 */
	0x03, 0x00, 0x00, 0x08,
	0x04, 0x00, 0x00, 0x1f,         /* KE Curve25519 (PFS) */
	0x00, 0x00, 0x00, 0x08,
	0x05, 0x00, 0x00, 0x00,         /* ESN No ESN */
	/* Nonce */
	0x22, 0x00, 0x00, 0x24,         /* next KE, length 36 */
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
	0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
	0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
	/* KE */
	0x2c, 0x00, 0x00, 0x28,         /* next TSi, length 40 */
	0x00, 0x1f, 0x00, 0x00,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	/* TSi */
	0x2d, 0x00, 0x00, 0x18,
	0x01, 0x00, 0x00, 0x00,
	0x07, 0x2f, 0x00, 0x10,
	0x00, 0x00, 0xff, 0xff,
	0xc0, 0x00, 0x02, 0x0b,
	0xc0, 0x00, 0x02, 0x0b,
	/* TSr */
	0x00, 0x00, 0x00, 0x18,
	0x01, 0x00, 0x00, 0x00,
	0x07, 0x2f, 0x00, 0x10,
	0x00, 0x00, 0xff, 0xff,
	0xc0, 0x00, 0x02, 0x01,
	0xc0, 0x00, 0x02, 0x01,
};

/*
 * The Delete above as sent, HDR SK{D} (RFC 7296 3.14, RFC 5282): an
 * 8-octet IV, 16 octets of ciphertext and a 16-octet ICV, all opaque to
 * the codec.
 */
static const uint8_t gold_info_sk[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* SPIi */
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* SPIr */
	0x2e, 0x20, 0x25, 0x08,         /* next SK, 2.0, INFORMATIONAL, I */
	0x00, 0x00, 0x00, 0x02,         /* message ID 2 */
	0x00, 0x00, 0x00, 0x48,         /* length 72 */
	0x2a, 0x00, 0x00, 0x2c,         /* SK: inner Delete, length 44 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* IV */
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, /* ciphertext */
	0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
	0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, /* ICV */
	0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
};

/* Fragment 1 of 2 of an IKE_AUTH request (RFC 7383 2.5). */
static const uint8_t gold_auth_skf[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* SPIi */
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* SPIr */
	0x35, 0x20, 0x23, 0x08,         /* next SKF, 2.0, IKE_AUTH, I */
	0x00, 0x00, 0x00, 0x01,         /* message ID 1 */
	0x00, 0x00, 0x00, 0x38,         /* length 56 */
	0x23, 0x00, 0x00, 0x1c,         /* SKF: inner IDi, length 28 */
	0x00, 0x01, 0x00, 0x02,         /* fragment 1 of 2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* IV */
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, /* ciphertext */
	0xee, 0xee, 0xee, 0xee,         /* (truncated ICV, opaque to us) */
};
/* clang-format on */

#define SPI_I 0x0102030405060708ULL
#define SPI_R 0x1112131415161718ULL

static struct ike_msg m1, m2;
static uint8_t out[IKE_MAX_MSG];

/* An exact-size heap copy, so ASan sees any read past the end. */
static uint8_t *
dup(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len > 0 ? len : 1);

	assert_non_null(q);
	if (len > 0)
		memcpy(q, p, len);
	return q;
}

static void
decode_ok(const uint8_t *p, size_t len, struct ike_msg *m)
{
	const char *why = NULL;

	if (ike_decode(p, len, m, &why) != 0)
		fail_msg("decode: %s", why);
}

static void
chain_ok(const uint8_t *p, size_t len, uint8_t first, struct ike_msg *m)
{
	const char *why = NULL;

	if (ike_decode_chain(p, len, first, m, &why) != 0)
		fail_msg("decode chain: %s", why);
}

/* The decoder refuses p with exactly this reason. */
static void
decode_fails(const uint8_t *p, size_t len, const char *reason)
{
	uint8_t *q = dup(p, len);
	const char *why = NULL;

	assert_int_equal(ike_decode(q, len, &m1, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
	free(q);
}

static void
chain_fails(const uint8_t *p, size_t len, uint8_t first, const char *reason)
{
	uint8_t *q = dup(p, len);
	const char *why = NULL;

	assert_int_equal(ike_decode_chain(q, len, first, &m1, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
	assert_int_equal(m1.err_notify, IKE_N_INVALID_SYNTAX);
	free(q);
}

/* Encode m and compare with the golden bytes. */
static void
encodes_to(const struct ike_msg *m, const uint8_t *want, size_t len)
{
	struct wbuf w;
	const char *why = NULL;

	wbuf_init(&w, out, sizeof(out));
	if (ike_encode(m, &w, &why) != 0)
		fail_msg("encode: %s", why);
	assert_int_equal(wbuf_len(&w), len);
	assert_memory_equal(out, want, len);
}

static void
roundtrip(const uint8_t *p, size_t len)
{
	uint8_t *q = dup(p, len);

	decode_ok(q, len, &m1);
	encodes_to(&m1, p, len);
	free(q);
}

static void
roundtrip_chain(const uint8_t *p, size_t len, uint8_t first)
{
	uint8_t *q = dup(p, len);

	chain_ok(q, len, first, &m1);
	assert_int_equal(ike_msg_first_type(&m1), first);
	encodes_to(&m1, p, len);
	free(q);
}

static void
set16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
}

static void
set32(uint8_t *p, size_t off, uint32_t v)
{
	set16(p, off, (uint16_t)(v >> 16));
	set16(p, off + 2, (uint16_t)v);
}

/*
 * A message of gold_init_req's header around a hand-made payload chain;
 * returns its length.
 */
static size_t
wrap(uint8_t *dst, uint8_t first, const uint8_t *chain, size_t len)
{
	memcpy(dst, gold_init_req, IKE_HDR_LEN);
	dst[IKE_OFF_NP] = first;
	memcpy(dst + IKE_HDR_LEN, chain, len);
	set32(dst, IKE_OFF_LEN, (uint32_t)(IKE_HDR_LEN + len));
	return IKE_HDR_LEN + len;
}

/* --- golden: decode, check, encode back, build again ----------------- */

static void
check_xform(const struct ike_msg *m, const struct ike_prop *p, size_t i,
	    uint8_t type, uint16_t id, uint16_t key_len)
{
	const struct ike_xform *x = ike_prop_xform(m, p, i);

	assert_non_null(x);
	assert_int_equal(x->type, type);
	assert_int_equal(x->id, id);
	assert_int_equal(x->key_len, key_len);
	assert_int_equal(x->attr_count, 0);
}

static void
test_golden_init_request(void **state)
{
	static const uint8_t ke[32] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
				       0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad,
				       0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4,
				       0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb,
				       0xbc, 0xbd, 0xbe, 0xbf};
	static const uint8_t hash_algs[] = {0, 2, 0, 3, 0, 4, 0, 5};
	uint8_t nonce[32], natd_s[20], natd_d[20];
	const struct ike_pld *pl;
	const struct ike_prop *p;
	struct ike_pld *sa;
	struct ike_prop *pr;
	size_t i;

	(void)state;
	roundtrip(gold_init_req, sizeof(gold_init_req));
	decode_ok(gold_init_req, sizeof(gold_init_req), &m1);
	assert_true(m1.spi_i == SPI_I);
	assert_true(m1.spi_r == 0);
	assert_int_equal(m1.major, 2);
	assert_int_equal(m1.minor, 0);
	assert_int_equal(m1.exchange, IKE_EXCH_IKE_SA_INIT);
	assert_int_equal(m1.flags, IKE_FLAG_I);
	assert_int_equal(m1.msg_id, 0);
	assert_int_equal(m1.npld, 7);
	assert_int_equal(m1.enc_index, -1);
	assert_int_equal(m1.unknown_count, 0);

	pl = ike_msg_find(&m1, IKE_PLD_SA);
	assert_non_null(pl);
	assert_int_equal(pl->off, 28);
	assert_int_equal(pl->u.sa.count, 2);
	p = ike_sa_prop(&m1, pl, 0);
	assert_int_equal(p->num, 1);
	assert_int_equal(p->proto, IKE_PROTO_IKE);
	assert_int_equal(p->spi_len, 0);
	assert_int_equal(p->xf_count, 4);
	assert_false(p->unknown);
	check_xform(&m1, p, 0, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256);
	check_xform(&m1, p, 1, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	check_xform(&m1, p, 2, IKE_XF_KE, IKE_KE_CURVE25519, 0);
	check_xform(&m1, p, 3, IKE_XF_KE, IKE_KE_ECP256, 0);
	assert_null(ike_prop_xform(&m1, p, 4));
	p = ike_sa_prop(&m1, pl, 1);
	assert_int_equal(p->num, 2);
	check_xform(&m1, p, 0, IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128);
	check_xform(&m1, p, 1, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	assert_null(ike_sa_prop(&m1, pl, 2));

	pl = ike_msg_find(&m1, IKE_PLD_KE);
	assert_int_equal(pl->u.typed.type, IKE_KE_CURVE25519);
	assert_int_equal(pl->u.typed.len, 32);
	assert_memory_equal(pl->u.typed.data, ke, 32);
	pl = ike_msg_find(&m1, IKE_PLD_NONCE);
	assert_int_equal(pl->body_len, 32);
	assert_int_equal(pl->body[0], 0xc0);
	pl = ike_msg_find_notify(&m1, IKE_N_NATD_SRC);
	assert_non_null(pl);
	assert_int_equal(pl->u.n.data_len, 20);
	assert_int_equal(pl->u.n.data[0], 0x11);
	assert_non_null(ike_msg_find_notify(&m1, IKE_N_NATD_DST));
	assert_non_null(ike_msg_find_notify(&m1, IKE_N_FRAG_SUPPORTED));
	pl = ike_msg_find_notify(&m1, IKE_N_SIG_HASH_ALGS);
	assert_int_equal(pl->u.n.data_len, 8);
	assert_null(ike_msg_find_notify(&m1, IKE_N_COOKIE));
	assert_null(ike_msg_find(&m1, IKE_PLD_SK));

	/* The same message from the builder helpers */
	for (i = 0; i < 32; i++)
		nonce[i] = (uint8_t)(0xc0 + i);
	memset(natd_s, 0x11, sizeof(natd_s));
	memset(natd_d, 0x22, sizeof(natd_d));
	ike_msg_init(&m2, IKE_EXCH_IKE_SA_INIT, SPI_I, 0, IKE_FLAG_I, 0);
	sa = ike_msg_add_sa(&m2);
	assert_non_null(sa);
	pr = ike_msg_add_prop(&m2, sa, IKE_PROTO_IKE, NULL, 0);
	assert_non_null(pr);
	ike_msg_add_xform(&m2, pr, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_msg_add_xform(&m2, pr, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_msg_add_xform(&m2, pr, IKE_XF_KE, IKE_KE_CURVE25519, 0);
	ike_msg_add_xform(&m2, pr, IKE_XF_KE, IKE_KE_ECP256, 0);
	pr = ike_msg_add_prop(&m2, sa, IKE_PROTO_IKE, NULL, 0);
	ike_msg_add_xform(&m2, pr, IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128);
	ike_msg_add_xform(&m2, pr, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128,
			  0);
	ike_msg_add_xform(&m2, pr, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	assert_non_null(
		ike_msg_add_xform(&m2, pr, IKE_XF_KE, IKE_KE_CURVE25519, 0));
	assert_int_equal(pr->num, 2);
	assert_non_null(ike_msg_add_ke(&m2, IKE_KE_CURVE25519, ke, 32));
	assert_non_null(ike_msg_add_nonce(&m2, nonce, sizeof(nonce)));
	ike_msg_add_notify(&m2, IKE_N_NATD_SRC, natd_s, 20);
	ike_msg_add_notify(&m2, IKE_N_NATD_DST, natd_d, 20);
	ike_msg_add_notify(&m2, IKE_N_FRAG_SUPPORTED, NULL, 0);
	assert_non_null(ike_msg_add_notify(&m2, IKE_N_SIG_HASH_ALGS, hash_algs,
					   sizeof(hash_algs)));
	encodes_to(&m2, gold_init_req, sizeof(gold_init_req));
}

static void
test_golden_init_response(void **state)
{
	const struct ike_pld *pl;
	const struct ike_prop *p;

	(void)state;
	roundtrip(gold_init_resp, sizeof(gold_init_resp));
	decode_ok(gold_init_resp, sizeof(gold_init_resp), &m1);
	assert_true(m1.spi_r == SPI_R);
	assert_int_equal(m1.flags, IKE_FLAG_R);
	assert_int_equal(m1.npld, 8);
	p = ike_sa_prop(&m1, ike_msg_find(&m1, IKE_PLD_SA), 0);
	assert_int_equal(p->xf_count, 3);
	check_xform(&m1, p, 2, IKE_XF_KE, IKE_KE_CURVE25519, 0);
	pl = ike_msg_find(&m1, IKE_PLD_CERTREQ);
	assert_non_null(pl);
	assert_int_equal(pl->u.typed.type, IKE_CERT_X509_SIG);
	assert_int_equal(pl->u.typed.len, 20);
	assert_int_equal(pl->off, 28 + 40 + 40 + 36);
}

static void
test_golden_auth_chain(void **state)
{
	static const uint8_t me[4] = {192, 0, 2, 11}, hub[4] = {192, 0, 2, 1};
	static const uint8_t spi[4] = {0xc1, 0xa2, 0xb3, 0xc4};
	uint8_t auth[32];
	const struct ike_pld *pl;
	const struct ike_prop *p;
	const struct ike_ts *ts;
	struct ike_pld *sa, *tsp;
	struct ike_prop *pr;
	struct ike_ts sel;
	size_t i;

	(void)state;
	roundtrip_chain(gold_auth_chain, sizeof(gold_auth_chain), IKE_PLD_IDI);
	chain_ok(gold_auth_chain, sizeof(gold_auth_chain), IKE_PLD_IDI, &m1);
	assert_true(m1.chain);
	assert_int_equal(m1.npld, 6);
	pl = ike_msg_find(&m1, IKE_PLD_IDI);
	assert_int_equal(pl->u.typed.type, IKE_ID_IPV4_ADDR);
	assert_memory_equal(pl->u.typed.data, me, 4);
	pl = ike_msg_find(&m1, IKE_PLD_AUTH);
	assert_int_equal(pl->u.typed.type, IKE_AUTH_PSK);
	assert_int_equal(pl->u.typed.len, 32);
	assert_non_null(ike_msg_find_notify(&m1, IKE_N_USE_TRANSPORT_MODE));
	p = ike_sa_prop(&m1, ike_msg_find(&m1, IKE_PLD_SA), 0);
	assert_int_equal(p->proto, IKE_PROTO_ESP);
	assert_int_equal(p->spi_len, 4);
	assert_int_equal(ike_spi32(p->spi, p->spi_len), 0xc1a2b3c4);
	check_xform(&m1, p, 1, IKE_XF_ESN, IKE_ESN_NO, 0);
	ts = ike_tsp_ts(&m1, ike_msg_find(&m1, IKE_PLD_TSI), 0);
	assert_non_null(ts);
	assert_int_equal(ts->type, IKE_TS_IPV4_ADDR_RANGE);
	assert_int_equal(ts->proto, 47);
	assert_int_equal(ts->start_port, 0);
	assert_int_equal(ts->end_port, 65535);
	assert_memory_equal(ts->start, me, 4);
	assert_memory_equal(ts->end, me, 4);
	ts = ike_tsp_ts(&m1, ike_msg_find(&m1, IKE_PLD_TSR), 0);
	assert_memory_equal(ts->start, hub, 4);
	assert_null(ike_tsp_ts(&m1, ike_msg_find(&m1, IKE_PLD_TSR), 1));

	for (i = 0; i < sizeof(auth); i++)
		auth[i] = (uint8_t)(0x61 + i);
	ike_msg_init_chain(&m2);
	ike_msg_add_typed(&m2, IKE_PLD_IDI, IKE_ID_IPV4_ADDR, me, 4);
	ike_msg_add_typed(&m2, IKE_PLD_AUTH, IKE_AUTH_PSK, auth, sizeof(auth));
	ike_msg_add_notify(&m2, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	sa = ike_msg_add_sa(&m2);
	pr = ike_msg_add_prop(&m2, sa, IKE_PROTO_ESP, spi, 4);
	ike_msg_add_xform(&m2, pr, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_msg_add_xform(&m2, pr, IKE_XF_ESN, IKE_ESN_NO, 0);
	tsp = ike_msg_add_tsp(&m2, IKE_PLD_TSI);
	assert_int_equal(ike_ts_host(&sel, me, 4, 47), 0);
	assert_non_null(ike_msg_add_ts(&m2, tsp, &sel));
	tsp = ike_msg_add_tsp(&m2, IKE_PLD_TSR);
	ike_ts_host(&sel, hub, 4, 47);
	ike_msg_add_ts(&m2, tsp, &sel);
	assert_int_equal(ike_msg_first_type(&m2), IKE_PLD_IDI);
	encodes_to(&m2, gold_auth_chain, sizeof(gold_auth_chain));
}

static void
test_golden_delete(void **state)
{
	static const uint8_t spis[8] = {0xc1, 0xa2, 0xb3, 0xc4,
					0xc5, 0xd6, 0xe7, 0xf8};
	const struct ike_pld *pl;
	uint8_t buf[64];
	struct wbuf w;
	const char *why;

	(void)state;
	roundtrip_chain(gold_delete_chain, sizeof(gold_delete_chain),
			IKE_PLD_DELETE);
	chain_ok(gold_delete_chain, sizeof(gold_delete_chain), IKE_PLD_DELETE,
		 &m1);
	pl = &m1.pld[0];
	assert_int_equal(pl->u.del.proto, IKE_PROTO_ESP);
	assert_int_equal(pl->u.del.count, 2);
	assert_int_equal(ike_delete_spi(pl, 0), 0xc1a2b3c4);
	assert_int_equal(ike_delete_spi(pl, 1), 0xc5d6e7f8);
	assert_int_equal(ike_delete_spi(pl, 2), 0);

	ike_msg_init_chain(&m2);
	assert_non_null(ike_msg_add_delete(&m2, IKE_PROTO_ESP, spis, 2));
	encodes_to(&m2, gold_delete_chain, sizeof(gold_delete_chain));

	/* D(IKE): no SPIs, the header names the SA (3.11) */
	ike_msg_init_chain(&m2);
	assert_null(ike_msg_add_delete(&m2, IKE_PROTO_IKE, spis, 1));
	assert_non_null(ike_msg_add_delete(&m2, IKE_PROTO_IKE, NULL, 0));
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ike_encode(&m2, &w, &why), 0);
	assert_int_equal(wbuf_len(&w), 8);
	assert_int_equal(buf[4], IKE_PROTO_IKE);
	chain_ok(buf, 8, IKE_PLD_DELETE, &m1);
	assert_int_equal(m1.pld[0].u.del.count, 0);
}

static void
test_golden_rekey_chain(void **state)
{
	static const uint8_t spi[4] = {0xd1, 0xd2, 0xd3, 0xd4};
	static const uint8_t me[4] = {192, 0, 2, 11}, hub[4] = {192, 0, 2, 1};
	uint8_t nonce[32], ke[32];
	const struct ike_pld *pl;
	struct ike_pld *sa, *tsp;
	struct ike_prop *pr;
	struct ike_ts sel;
	size_t i;

	(void)state;
	roundtrip_chain(gold_rekey_chain, sizeof(gold_rekey_chain),
			IKE_PLD_NOTIFY);
	chain_ok(gold_rekey_chain, sizeof(gold_rekey_chain), IKE_PLD_NOTIFY,
		 &m1);
	pl = ike_msg_find_notify(&m1, IKE_N_REKEY_SA);
	assert_non_null(pl);
	assert_int_equal(pl->u.n.proto, IKE_PROTO_ESP);
	assert_int_equal(ike_spi32(pl->u.n.spi, pl->u.n.spi_len), 0xc1a2b3c4);
	assert_int_equal(pl->u.n.data_len, 0);

	for (i = 0; i < 32; i++) {
		nonce[i] = (uint8_t)(0xc0 + i);
		ke[i] = (uint8_t)(0xa0 + i);
	}
	ike_msg_init_chain(&m2);
	assert_non_null(ike_msg_add_rekey_sa(&m2, 0xc1a2b3c4));
	ike_msg_add_notify(&m2, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	sa = ike_msg_add_sa(&m2);
	pr = ike_msg_add_prop(&m2, sa, IKE_PROTO_ESP, spi, 4);
	ike_msg_add_xform(&m2, pr, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_msg_add_xform(&m2, pr, IKE_XF_KE, IKE_KE_CURVE25519, 0);
	ike_msg_add_xform(&m2, pr, IKE_XF_ESN, IKE_ESN_NO, 0);
	ike_msg_add_nonce(&m2, nonce, 32);
	ike_msg_add_ke(&m2, IKE_KE_CURVE25519, ke, 32);
	tsp = ike_msg_add_tsp(&m2, IKE_PLD_TSI);
	ike_ts_host(&sel, me, 4, 47);
	ike_msg_add_ts(&m2, tsp, &sel);
	tsp = ike_msg_add_tsp(&m2, IKE_PLD_TSR);
	ike_ts_host(&sel, hub, 4, 47);
	ike_msg_add_ts(&m2, tsp, &sel);
	encodes_to(&m2, gold_rekey_chain, sizeof(gold_rekey_chain));
}

/*
 * SK: the decoder reports where the crypto layer works; the encoder
 * lays out the same message around a body filled in afterwards.
 */
static void
test_golden_sk(void **state)
{
	struct ike_sk_layout sk;
	const struct ike_pld *pl;
	struct wbuf w;
	const char *why;

	(void)state;
	roundtrip(gold_info_sk, sizeof(gold_info_sk));
	decode_ok(gold_info_sk, sizeof(gold_info_sk), &m1);
	assert_int_equal(m1.exchange, IKE_EXCH_INFORMATIONAL);
	assert_int_equal(m1.msg_id, 2);
	assert_int_equal(m1.npld, 1);
	assert_int_equal(m1.enc_index, 0);
	pl = &m1.pld[0];
	assert_int_equal(pl->type, IKE_PLD_SK);
	assert_int_equal(pl->u.sk.inner, IKE_PLD_DELETE);
	/* RFC 5282 5.1: AAD = IKE header + SK generic header */
	assert_int_equal(m1.aad_len, 32);
	assert_int_equal(m1.enc_off, 32);
	assert_int_equal(m1.enc_len, 40);
	assert_ptr_equal(pl->body, gold_info_sk + 32);

	ike_msg_init(&m2, IKE_EXCH_INFORMATIONAL, SPI_I, SPI_R, IKE_FLAG_I, 2);
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(ike_encode_sk_begin(&m2, IKE_PLD_DELETE, 0, 0, 40, &w,
					     &sk, &why),
			 0);
	assert_int_equal(sk.start, 0);
	assert_int_equal(sk.sk_off, 28);
	assert_int_equal(sk.aad_len, 32);
	assert_int_equal(sk.body_off, 32);
	/* The associated data is final before the body exists */
	assert_memory_equal(out, gold_info_sk, 32);
	memcpy(out + sk.body_off, gold_info_sk + 32, 40);
	assert_int_equal(ike_encode_sk_finish(&w, &sk, &why), 0);
	assert_int_equal(wbuf_len(&w), sizeof(gold_info_sk));
	assert_memory_equal(out, gold_info_sk, sizeof(gold_info_sk));

	/* A body shorter than announced: finish patches both lengths */
	wbuf_init(&w, out, sizeof(out));
	ike_encode_sk_begin(&m2, IKE_PLD_DELETE, 0, 0, 0, &w, &sk, &why);
	buf_put_bytes(&w, gold_info_sk + 32, 40);
	assert_int_equal(ike_encode_sk_finish(&w, &sk, &why), 0);
	assert_memory_equal(out, gold_info_sk, sizeof(gold_info_sk));

	/* Payloads after SK are refused on both sides (3.14) */
	ike_msg_init(&m2, IKE_EXCH_INFORMATIONAL, SPI_I, SPI_R, 0, 2);
	ike_msg_add(&m2, IKE_PLD_SK, gold_info_sk + 32, 40);
	ike_msg_add(&m2, IKE_PLD_VID, "x", 1);
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(ike_encode(&m2, &w, &why), -1);
	assert_string_equal(why, "SK payload not last");
	ike_msg_init_chain(&m2);
	ike_msg_add(&m2, IKE_PLD_SK, gold_info_sk + 32, 40);
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(ike_encode(&m2, &w, &why), -1);
	chain_fails(gold_info_sk + 28, 44, IKE_PLD_SK,
		    "SK payload inside SK payload");
}

static void
test_golden_skf(void **state)
{
	struct ike_sk_layout sk;
	const struct ike_pld *pl;
	struct wbuf w;
	const char *why;

	(void)state;
	roundtrip(gold_auth_skf, sizeof(gold_auth_skf));
	decode_ok(gold_auth_skf, sizeof(gold_auth_skf), &m1);
	pl = &m1.pld[m1.enc_index];
	assert_int_equal(pl->type, IKE_PLD_SKF);
	assert_int_equal(pl->u.sk.inner, IKE_PLD_IDI);
	assert_int_equal(pl->u.sk.frag_num, 1);
	assert_int_equal(pl->u.sk.frag_total, 2);
	/* RFC 7383 2.5: the fragment fields are authenticated too */
	assert_int_equal(m1.aad_len, 36);
	assert_int_equal(m1.enc_off, 36);
	assert_int_equal(m1.enc_len, 20);

	ike_msg_init(&m2, IKE_EXCH_IKE_AUTH, SPI_I, SPI_R, IKE_FLAG_I, 1);
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(
		ike_encode_sk_begin(&m2, IKE_PLD_IDI, 1, 2, 20, &w, &sk, &why),
		0);
	assert_int_equal(sk.aad_len, 36);
	memcpy(out + sk.body_off, gold_auth_skf + 36, 20);
	assert_int_equal(ike_encode_sk_finish(&w, &sk, &why), 0);
	assert_memory_equal(out, gold_auth_skf, sizeof(gold_auth_skf));
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(
		ike_encode_sk_begin(&m2, IKE_PLD_IDI, 3, 2, 20, &w, &sk, &why),
		-1);
	assert_string_equal(why, "bad fragment number");
}

/* --- what the decoder refuses ---------------------------------------- */

static void
test_header_rejects(void **state)
{
	uint8_t p[sizeof(gold_init_req)];
	const char *why = NULL;

	(void)state;
	decode_fails(gold_init_req, 27, "truncated IKE header");
	assert_int_equal(m1.err_notify, 0);

	/* RFC 7296 2.5: another major version gets INVALID_MAJOR_VERSION */
	memcpy(p, gold_init_req, sizeof(p));
	p[IKE_OFF_VERSION] = 0x30;
	decode_fails(p, sizeof(p), "unsupported IKE major version");
	assert_int_equal(m1.err_notify, IKE_N_INVALID_MAJOR_VERSION);
	assert_true(m1.spi_i == SPI_I);
	assert_int_equal(m1.major, 3);
	p[IKE_OFF_VERSION] = 0x10;
	decode_fails(p, sizeof(p), "unsupported IKE major version");
	/* ... a higher minor version is ignored, and carried */
	p[IKE_OFF_VERSION] = 0x21;
	roundtrip(p, sizeof(p));
	assert_int_equal(m1.minor, 1);

	/* 3.1: Length is the whole message */
	memcpy(p, gold_init_req, sizeof(p));
	set32(p, IKE_OFF_LEN, sizeof(p) + 1);
	decode_fails(p, sizeof(p), "IKE length does not match the datagram");
	assert_int_equal(m1.err_notify, IKE_N_INVALID_SYNTAX);
	decode_fails(gold_init_req, sizeof(gold_init_req) - 1,
		     "IKE length does not match the datagram");

	/* 3.1: reserved flag bits are ignored and written as zero */
	memcpy(p, gold_init_req, sizeof(p));
	p[IKE_OFF_FLAGS] |= 0xc7;
	decode_ok(p, sizeof(p), &m1);
	assert_int_equal(m1.flags, IKE_FLAG_I);
	encodes_to(&m1, gold_init_req, sizeof(gold_init_req));

	/* Payloads reach past the message, or stop short of it */
	memcpy(p, gold_init_req, sizeof(p));
	set16(p, 30, 93);
	decode_fails(p, sizeof(p), "truncated proposal");
	set16(p, 30, 0x1000);
	decode_fails(p, sizeof(p), "bad payload length");
	set16(p, 30, 3);
	decode_fails(p, sizeof(p), "bad payload length");
	memcpy(p, gold_init_req, sizeof(p));
	p[260] = IKE_PLD_NONE;
	set16(p, 262, 8);
	decode_fails(p, sizeof(p), "data after the last payload");
	assert_int_equal(ike_decode(p, sizeof(p), &m1, &why), -1);
	assert_int_equal(m1.err_notify, IKE_N_INVALID_SYNTAX);
}

static void
test_unknown_payloads(void **state)
{
	/* A Vendor ID, then payload type 60, then a Nonce */
	static const uint8_t chain[] = {
		0x3c, 0x00, 0x00, 0x06, 'v',  'd', /* VID, next 60 */
		0x28, 0x00, 0x00, 0x05, 0xab,      /* 60, next Nonce */
		0x00, 0x00, 0x00, 0x14, 0,    1,   2,  3,  4,  5,
		6,    7,    8,    9,    10,   11,  12, 13, 14, 15, /* Nonce */
	};
	uint8_t p[128];
	size_t len = wrap(p, IKE_PLD_VID, chain, sizeof(chain));
	const char *why;

	(void)state;
	/* 2.5: not critical, skipped but kept, so it encodes back */
	roundtrip(p, len);
	decode_ok(p, len, &m1);
	assert_int_equal(m1.unknown_count, 1);
	assert_int_equal(m1.npld, 3);
	assert_int_equal(m1.pld[1].type, 60);
	assert_int_equal(m1.pld[1].body_len, 1);
	assert_int_equal(m1.pld[1].body[0], 0xab);
	assert_false(m1.pld[1].critical);

	/* Critical: refused, naming the type for the answer */
	p[IKE_HDR_LEN + 6 + 1] = IKE_PLD_CRITICAL;
	decode_fails(p, len, "unsupported critical payload");
	assert_int_equal(m1.err_notify, IKE_N_UNSUPP_CRITICAL);
	assert_int_equal(m1.err_data, 60);
	assert_int_equal(ike_decode_chain(p + IKE_HDR_LEN, sizeof(chain),
					  IKE_PLD_VID, &m2, &why),
			 -1);
	assert_int_equal(m2.err_notify, IKE_N_UNSUPP_CRITICAL);

	/* ... but the critical bit of a payload we know is ignored */
	p[IKE_HDR_LEN + 6 + 1] = 0;
	p[IKE_HDR_LEN + 1] = IKE_PLD_CRITICAL;
	decode_ok(p, len, &m1);
	assert_false(m1.pld[0].critical);

	/* CP (3.15) is kept opaque like an unknown payload */
	p[IKE_HDR_LEN + 1] = 0;
	p[IKE_HDR_LEN] = IKE_PLD_CP;
	decode_ok(p, len, &m1);
	assert_int_equal(m1.pld[1].type, IKE_PLD_CP);
	assert_int_equal(m1.unknown_count, 1);
}

static void
test_nonce_rejects(void **state)
{
	uint8_t chain[4 + 257];

	(void)state;
	memset(chain, 0x5a, sizeof(chain));
	chain[0] = 0;
	chain[1] = 0;
	set16(chain, 2, 4 + 15);
	chain_fails(chain, 4 + 15, IKE_PLD_NONCE,
		    "nonce length outside 16..256");
	set16(chain, 2, 4 + 257);
	chain_fails(chain, 4 + 257, IKE_PLD_NONCE,
		    "nonce length outside 16..256");
	set16(chain, 2, 4 + 256);
	chain_ok(chain, 4 + 256, IKE_PLD_NONCE, &m1);
	set16(chain, 2, 4 + 16);
	chain_ok(chain, 4 + 16, IKE_PLD_NONCE, &m1);
}

/* Offsets in gold_auth_chain: TSi's selector, SA's proposal. */
#define AUTH_TSI      96
#define AUTH_TSI_SEL  (AUTH_TSI + 8)
#define AUTH_SA_PROP  64
#define AUTH_SA_XFORM (AUTH_SA_PROP + 12)

static void
test_ts_rejects(void **state)
{
	uint8_t p[sizeof(gold_auth_chain)];

	(void)state;
	/* 3.13.1: start address above end address */
	memcpy(p, gold_auth_chain, sizeof(p));
	p[AUTH_TSI_SEL + 11] = 0x0c;
	chain_fails(p, sizeof(p), IKE_PLD_IDI,
		    "traffic selector start address above end address");
	/* ... a real range is fine */
	p[AUTH_TSI_SEL + 11] = 0x01;
	chain_ok(p, sizeof(p), IKE_PLD_IDI, &m1);

	/* ports: start above end only as OPAQUE (65535..0) */
	memcpy(p, gold_auth_chain, sizeof(p));
	set16(p, AUTH_TSI_SEL + 4, 2);
	set16(p, AUTH_TSI_SEL + 6, 1);
	chain_fails(p, sizeof(p), IKE_PLD_IDI,
		    "traffic selector start port above end port");
	set16(p, AUTH_TSI_SEL + 4, 65535);
	set16(p, AUTH_TSI_SEL + 6, 0);
	chain_ok(p, sizeof(p), IKE_PLD_IDI, &m1);

	/* Selector length against its type; the count against the list */
	memcpy(p, gold_auth_chain, sizeof(p));
	p[AUTH_TSI_SEL] = IKE_TS_IPV6_ADDR_RANGE;
	chain_fails(p, sizeof(p), IKE_PLD_IDI,
		    "traffic selector length does not match its type");
	memcpy(p, gold_auth_chain, sizeof(p));
	p[AUTH_TSI + 4] = 2;
	chain_fails(p, sizeof(p), IKE_PLD_IDI,
		    "TS count does not match the payload");
	p[AUTH_TSI + 4] = 0;
	chain_fails(p, sizeof(p), IKE_PLD_IDI,
		    "TS count does not match the payload");
	memcpy(p, gold_auth_chain, sizeof(p));
	set16(p, AUTH_TSI_SEL + 2, 17);
	chain_fails(p, sizeof(p), IKE_PLD_IDI, "bad traffic selector length");

	/* An unknown selector type is carried opaque (RFC 4595, 9478...) */
	memcpy(p, gold_auth_chain, sizeof(p));
	p[AUTH_TSI_SEL] = 13;
	roundtrip_chain(p, sizeof(p), IKE_PLD_IDI);
	assert_int_equal(m1.ts[0].type, 13);
	assert_int_equal(m1.ts[0].raw_len, 12);
}

static void
test_sa_rejects(void **state)
{
	uint8_t p[sizeof(gold_init_req)], q[sizeof(gold_auth_chain)];

	(void)state;
	/* 3.3.1: proposals are numbered 1, 2, ... */
	memcpy(p, gold_init_req, sizeof(p));
	p[80] = 3;
	decode_fails(p, sizeof(p), "bad proposal numbering");
	memcpy(p, gold_init_req, sizeof(p));
	p[36] = 2;
	p[80] = 3;
	decode_fails(p, sizeof(p), "bad proposal numbering");
	p[36] = 0;
	decode_fails(p, sizeof(p), "bad proposal numbering");
	/* ... a response's single proposal carries the chosen number */
	memcpy(p, gold_init_resp, sizeof(gold_init_resp));
	p[36] = 2;
	roundtrip(p, sizeof(gold_init_resp));

	/* Counts and lengths of proposals and transforms */
	memcpy(p, gold_init_req, sizeof(p));
	p[39] = 5;
	decode_fails(p, sizeof(p),
		     "transform count does not match the proposal");
	p[39] = 0;
	decode_fails(p, sizeof(p), "proposal without transforms");
	memcpy(p, gold_init_req, sizeof(p));
	set16(p, 34, 7);
	decode_fails(p, sizeof(p), "bad proposal length");
	memcpy(p, gold_init_req, sizeof(p));
	set16(p, 42, 7);
	decode_fails(p, sizeof(p), "bad transform length");
	set16(p, 42, 13);
	decode_fails(p, sizeof(p), "truncated transform attribute");
	memcpy(p, gold_init_req, sizeof(p));
	set16(p, 30, 4);
	set16(p, 28 + 4, 0); /* what is left parses as junk payloads */
	decode_fails(p, sizeof(p), "SA payload without proposals");
	memcpy(p, gold_init_req, sizeof(p));
	p[38] = 8; /* IKE SPI size 8: the transforms are read askew */
	decode_fails(p, sizeof(p), "bad transform length");
	p[38] = 4;
	decode_fails(p, sizeof(p), "bad SPI size for the protocol");

	/* 3.3.5: Key Length is TV, once, non-zero */
	memcpy(p, gold_init_req, sizeof(p));
	p[48] = 0x00;
	decode_fails(p, sizeof(p),
		     "transform attribute length exceeds "
		     "transform");
	set16(p, 50, 0);
	decode_fails(p, sizeof(p), "Key Length attribute not in TV form");
	memcpy(p, gold_init_req, sizeof(p));
	set16(p, 50, 0);
	decode_fails(p, sizeof(p), "Key Length attribute of 0");

	/* 3.3.6: an unknown attribute or transform type marks the proposal */
	memcpy(p, gold_init_req, sizeof(p));
	p[49] = 0x11;
	roundtrip(p, sizeof(p));
	assert_true(m1.prop[0].unknown);
	assert_false(m1.prop[1].unknown);
	assert_int_equal(m1.xform[0].key_len, 0);
	assert_int_equal(m1.xform[0].attr_count, 1);
	assert_int_equal(m1.attr[0].type, 0x11);
	assert_true(m1.attr[0].tv);
	memcpy(p, gold_init_req, sizeof(p));
	p[44] = 9;
	roundtrip(p, sizeof(p));
	assert_true(m1.prop[0].unknown);

	/* An ESP proposal needs a 4-octet SPI */
	memcpy(q, gold_auth_chain, sizeof(q));
	q[AUTH_SA_PROP + 6] = 0;
	chain_fails(q, sizeof(q), IKE_PLD_IDI, "bad SPI size for the protocol");
}

static void
test_payload_rejects(void **state)
{
	static const uint8_t ke_empty[] = {0, 0, 0, 8, 0, 31, 0, 0};
	static const uint8_t id_short[] = {0, 0, 0, 11, 1, 0, 0, 0, 1, 2, 3};
	static const uint8_t auth_empty[] = {0, 0, 0, 8, 2, 0, 0, 0};
	static const uint8_t cookie_long[4 + 4 + 65] = {0, 0, 0,    73,
							0, 0, 0x40, 0x06};
	static const uint8_t invalid_ke[] = {0, 0, 0, 10, 0, 0, 0, 17, 0, 19};
	static const uint8_t ike_spi_del[] = {0, 0, 0, 8, 1, 8, 0, 0};
	uint8_t p[sizeof(gold_init_req)], d[sizeof(gold_delete_chain)];
	uint8_t dup2[40];

	(void)state;
	chain_fails(ke_empty, sizeof(ke_empty), IKE_PLD_KE,
		    "KE payload without data");
	chain_fails(id_short, sizeof(id_short), IKE_PLD_IDI,
		    "bad ID address length");
	chain_fails(auth_empty, sizeof(auth_empty), IKE_PLD_AUTH,
		    "empty ID, CERT or AUTH data");
	chain_fails(cookie_long, sizeof(cookie_long), IKE_PLD_NOTIFY,
		    "bad COOKIE length");
	chain_fails(ike_spi_del, sizeof(ike_spi_del), IKE_PLD_DELETE,
		    "bad Delete protocol or SPI size");

	/* N(INVALID_KE_PAYLOAD): the group is decoded and encoded back */
	roundtrip_chain(invalid_ke, sizeof(invalid_ke), IKE_PLD_NOTIFY);
	assert_int_equal(m1.pld[0].u.n.group, IKE_KE_ECP256);
	ike_msg_init_chain(&m2);
	assert_non_null(ike_msg_add_invalid_ke(&m2, IKE_KE_ECP256));
	encodes_to(&m2, invalid_ke, sizeof(invalid_ke));
	chain_fails(invalid_ke, 9, IKE_PLD_NOTIFY, "bad payload length");

	/* Notify data lengths we know */
	memcpy(p, gold_init_req, sizeof(p));
	set16(p, 198, 27);
	p[224] = 0;
	set16(p, 224 + 2, 28 + 8 + 16 + 1);
	set32(p, IKE_OFF_LEN, sizeof(p));
	decode_fails(p, sizeof(p), "NAT detection hash is not 20 octets");
	memcpy(p, gold_init_req, sizeof(p));
	set16(p, 262, 15);
	decode_fails(p, sizeof(p), "odd SIGNATURE_HASH_ALGORITHMS length");

	/* Delete: the SPI count against the length */
	memcpy(d, gold_delete_chain, sizeof(d));
	d[7] = 3;
	chain_fails(d, sizeof(d), IKE_PLD_DELETE,
		    "Delete SPI count does not match its length");

	/* A payload the engine takes once, twice */
	memcpy(dup2, gold_delete_chain, 16);
	memcpy(dup2 + 16, gold_delete_chain, 16);
	dup2[0] = IKE_PLD_DELETE;
	chain_ok(dup2, 32, IKE_PLD_DELETE, &m1);
	memset(dup2, 0, sizeof(dup2));
	dup2[0] = IKE_PLD_NONCE;
	dup2[3] = 20;
	dup2[23] = 20;
	chain_fails(dup2, sizeof(dup2), IKE_PLD_NONCE, "duplicate payload");
}

/* --- limits ---------------------------------------------------------- */

static void
test_limits(void **state)
{
	static uint8_t chain[8192];
	struct wbuf w;
	size_t i, sa;

	(void)state;
	/* IKE_MAX_NOTIFY notifies pass, one more does not */
	for (i = 0; i <= IKE_MAX_NOTIFY; i++) {
		uint8_t *n = chain + 8 * i;

		n[0] = i + 1 < IKE_MAX_NOTIFY ? IKE_PLD_NOTIFY : 0;
		n[1] = 0;
		set16(n, 2, 8);
		set32(n, 4, IKE_N_INITIAL_CONTACT);
	}
	chain_ok(chain, 8 * IKE_MAX_NOTIFY, IKE_PLD_NOTIFY, &m1);
	chain[8 * (IKE_MAX_NOTIFY - 1)] = IKE_PLD_NOTIFY;
	chain[8 * IKE_MAX_NOTIFY] = 0;
	chain_fails(chain, 8 * (IKE_MAX_NOTIFY + 1), IKE_PLD_NOTIFY,
		    "too many Notify payloads");
	ike_msg_init_chain(&m2);
	for (i = 0; i < IKE_MAX_NOTIFY; i++)
		assert_non_null(ike_msg_add_notify(&m2, IKE_N_COOKIE, "c", 1));
	assert_null(ike_msg_add_notify(&m2, IKE_N_COOKIE, "c", 1));

	/* IKE_MAX_PAYLOADS payloads (Vendor IDs) */
	for (i = 0; i <= IKE_MAX_PAYLOADS; i++) {
		chain[4 * i] = IKE_PLD_VID;
		chain[4 * i + 1] = 0;
		set16(chain, 4 * i + 2, 4);
	}
	chain[4 * (IKE_MAX_PAYLOADS - 1)] = 0;
	chain_ok(chain, 4 * IKE_MAX_PAYLOADS, IKE_PLD_VID, &m1);
	chain[4 * (IKE_MAX_PAYLOADS - 1)] = IKE_PLD_VID;
	chain[4 * IKE_MAX_PAYLOADS] = 0;
	chain_fails(chain, 4 * (IKE_MAX_PAYLOADS + 1), IKE_PLD_VID,
		    "too many payloads");

	/* An SA of IKE_MAX_PROPOSALS + 1 one-transform proposals */
	wbuf_init(&w, chain, sizeof(chain));
	buf_put_be32(&w, 0);
	for (i = 0; i <= IKE_MAX_PROPOSALS; i++) {
		buf_put_be32(&w, 16);
		buf_put_u8(&w, (uint8_t)(i + 1));
		buf_put_u8(&w, IKE_PROTO_IKE);
		buf_put_be16(&w, 1);
		buf_put_be32(&w, 8);
		buf_put_be32(&w, 0x0100000c);
	}
	buf_patch_be16(&w, 2, (uint16_t)wbuf_len(&w));
	chain_fails(chain, wbuf_len(&w), IKE_PLD_SA, "too many proposals");

	/* One proposal of IKE_MAX_TRANSFORMS + 1 transforms */
	wbuf_init(&w, chain, sizeof(chain));
	buf_put_be32(&w, 0);
	sa = wbuf_len(&w);
	buf_put_be32(&w, 0);
	buf_put_u8(&w, 1);
	buf_put_u8(&w, IKE_PROTO_IKE);
	buf_put_u8(&w, 0);
	buf_put_u8(&w, 129);
	for (i = 0; i <= IKE_MAX_TRANSFORMS; i++) {
		buf_put_be32(&w, 8);
		buf_put_be32(&w, 0x0100000c);
	}
	buf_patch_be16(&w, sa + 2, (uint16_t)(wbuf_len(&w) - sa));
	buf_patch_be16(&w, 2, (uint16_t)wbuf_len(&w));
	chain_fails(chain, wbuf_len(&w), IKE_PLD_SA, "too many transforms");

	/* IKE_MAX_TS + 1 selectors */
	wbuf_init(&w, chain, sizeof(chain));
	buf_put_be32(&w, 0);
	buf_put_u8(&w, IKE_MAX_TS + 1);
	buf_put_zero(&w, 3);
	for (i = 0; i <= IKE_MAX_TS; i++) {
		buf_put_be32(&w, 0x072f0010);
		buf_put_be32(&w, 0x0000ffff);
		buf_put_be32(&w, 0xc000020b);
		buf_put_be32(&w, 0xc000020b);
	}
	buf_patch_be16(&w, 2, (uint16_t)wbuf_len(&w));
	chain_fails(chain, wbuf_len(&w), IKE_PLD_TSI,
		    "too many traffic selectors");

	/* The builders stop at the same limits */
	ike_msg_init_chain(&m2);
	for (i = 0; i < IKE_MAX_PAYLOADS; i++)
		assert_non_null(ike_msg_add(&m2, IKE_PLD_VID, "v", 1));
	assert_null(ike_msg_add(&m2, IKE_PLD_VID, "v", 1));
}

/* --- the receive path ------------------------------------------------ */

static void
test_peek(void **state)
{
	uint8_t p[4 + sizeof(gold_init_req)];
	struct ike_peek pk;
	const char *why = NULL;
	static const uint8_t keepalive[] = {0xff};
	static const uint8_t esp[] = {0, 0, 0x10, 0x01, 0, 0, 0, 1, 0xaa};

	(void)state;
	assert_int_equal(ike_peek(gold_init_req, sizeof(gold_init_req), false,
				  &pk, &why),
			 0);
	assert_int_equal(pk.kind, IKE_DGRAM_IKE);
	assert_int_equal(pk.off, 0);
	assert_int_equal(pk.len, sizeof(gold_init_req));
	assert_true(pk.spi_i == SPI_I);
	assert_true(pk.spi_r == 0);
	assert_int_equal(pk.np, IKE_PLD_SA);
	assert_int_equal(pk.exchange, IKE_EXCH_IKE_SA_INIT);
	assert_int_equal(pk.flags, IKE_FLAG_I);

	/* RFC 3948 2.2: on 4500, IKE follows four zero octets */
	memset(p, 0, 4);
	memcpy(p + 4, gold_init_resp, sizeof(gold_init_resp));
	assert_int_equal(
		ike_peek(p, 4 + sizeof(gold_init_resp), true, &pk, &why), 0);
	assert_int_equal(pk.kind, IKE_DGRAM_IKE);
	assert_int_equal(pk.off, 4);
	assert_true(pk.spi_r == SPI_R);
	decode_ok(p + pk.off, pk.len, &m1);
	/* ... and without the marker it is not IKE */
	assert_int_equal(ike_peek(gold_init_resp, sizeof(gold_init_resp), true,
				  &pk, &why),
			 0);
	assert_int_equal(pk.kind, IKE_DGRAM_ESP);

	/* 2.3: the NAT-keepalive */
	assert_int_equal(ike_peek(keepalive, 1, true, &pk, &why), 0);
	assert_int_equal(pk.kind, IKE_DGRAM_KEEPALIVE);
	assert_int_equal(ike_peek(esp, sizeof(esp), true, &pk, &why), 0);
	assert_int_equal(pk.kind, IKE_DGRAM_ESP);
	assert_int_equal(ike_peek(keepalive, 1, false, &pk, &why), -1);
	assert_string_equal(why, "truncated IKE header");
	assert_int_equal(ike_peek(esp, 3, true, &pk, &why), -1);
	assert_string_equal(why, "datagram too short for UDP/4500");

	/* The version check names the SA for INVALID_MAJOR_VERSION */
	memcpy(p, gold_init_req, sizeof(gold_init_req));
	p[IKE_OFF_VERSION] = 0x30;
	assert_int_equal(ike_peek(p, sizeof(gold_init_req), false, &pk, &why),
			 -1);
	assert_string_equal(why, "unsupported IKE major version");
	assert_int_equal(pk.err_notify, IKE_N_INVALID_MAJOR_VERSION);
	assert_true(pk.spi_i == SPI_I);
	assert_int_equal(pk.major, 3);
	assert_int_equal(ike_peek(gold_init_req, sizeof(gold_init_req) - 1,
				  false, &pk, &why),
			 -1);
	assert_string_equal(why, "IKE length does not match the datagram");
}

/* --- sweeps ---------------------------------------------------------- */

static const struct {
	const uint8_t *p;
	size_t len;
	uint8_t first; /* 0: a whole message */
} valid[] = {
	{gold_init_req, sizeof(gold_init_req), 0},
	{gold_init_resp, sizeof(gold_init_resp), 0},
	{gold_info_sk, sizeof(gold_info_sk), 0},
	{gold_auth_skf, sizeof(gold_auth_skf), 0},
	{gold_auth_chain, sizeof(gold_auth_chain), IKE_PLD_IDI},
	{gold_delete_chain, sizeof(gold_delete_chain), IKE_PLD_DELETE},
	{gold_rekey_chain, sizeof(gold_rekey_chain), IKE_PLD_NOTIFY},
};
#define NVALID (sizeof(valid) / sizeof(valid[0]))

/*
 * Every cut of every golden message is refused with a reason, also when
 * the header's Length claims the cut is the whole message.
 */
static void
test_truncation_sweep(void **state)
{
	const char *why;
	uint8_t *p;
	size_t i, n;
	int rc;

	(void)state;
	for (i = 0; i < NVALID; i++) {
		for (n = 0; n < valid[i].len; n++) {
			p = dup(valid[i].p, n);
			why = NULL;
			if (valid[i].first == 0) {
				rc = ike_decode(p, n, &m1, &why);
				assert_int_equal(rc, -1);
				assert_non_null(why);
				if (n >= IKE_HDR_LEN) {
					set32(p, IKE_OFF_LEN, (uint32_t)n);
					why = NULL;
					rc = ike_decode(p, n, &m1, &why);
				}
			} else {
				rc = ike_decode_chain(p, n, valid[i].first, &m1,
						      &why);
			}
			assert_int_equal(rc, -1);
			assert_non_null(why);
			free(p);
		}
	}
}

/*
 * Every octet of every golden message set to a few values: decoded or
 * refused with a reason, and whatever decodes encodes and decodes again.
 */
static void
test_corruption_sweep(void **state)
{
	static const uint8_t vals[] = {0x00, 0x01, 0x04, 0x2e, 0x80, 0xff};
	struct wbuf w;
	const char *why;
	uint8_t *p;
	size_t i, n, v;
	int rc;

	(void)state;
	for (i = 0; i < NVALID; i++) {
		for (n = 0; n < valid[i].len; n++) {
			for (v = 0; v < sizeof(vals); v++) {
				p = dup(valid[i].p, valid[i].len);
				p[n] = vals[v];
				why = NULL;
				rc = valid[i].first == 0
					     ? ike_decode(p, valid[i].len, &m1,
							  &why)
					     : ike_decode_chain(p, valid[i].len,
								valid[i].first,
								&m1, &why);
				if (rc == -1) {
					assert_non_null(why);
					free(p);
					continue;
				}
				wbuf_init(&w, out, sizeof(out));
				assert_int_equal(ike_encode(&m1, &w, &why), 0);
				rc = valid[i].first == 0
					     ? ike_decode(out, wbuf_len(&w),
							  &m2, &why)
					     : ike_decode_chain(out,
								wbuf_len(&w),
								valid[i].first,
								&m2, &why);
				assert_int_equal(rc, 0);
				assert_int_equal(m1.npld, m2.npld);
				free(p);
			}
		}
	}
}

/* --- encoder refusals ------------------------------------------------ */

static void
test_encode_rejects(void **state)
{
	uint8_t small[40], nonce[8] = {0};
	struct ike_pld *sa, *sa2;
	struct ike_prop *pr, *pr2;
	struct wbuf w;
	const char *why;

	(void)state;
	decode_ok(gold_init_req, sizeof(gold_init_req), &m1);
	wbuf_init(&w, small, sizeof(small));
	assert_int_equal(ike_encode(&m1, &w, &why), -1);
	assert_string_equal(why, "output buffer too small");

	ike_msg_init_chain(&m2);
	ike_msg_add_nonce(&m2, nonce, sizeof(nonce));
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(ike_encode(&m2, &w, &why), -1);
	assert_string_equal(why, "nonce length outside 16..256");

	ike_msg_init_chain(&m2);
	sa = ike_msg_add_sa(&m2);
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(ike_encode(&m2, &w, &why), -1);
	assert_string_equal(why, "SA payload without proposals");
	pr = ike_msg_add_prop(&m2, sa, IKE_PROTO_ESP, "abcd", 4);
	wbuf_init(&w, out, sizeof(out));
	assert_int_equal(ike_encode(&m2, &w, &why), -1);
	assert_string_equal(why, "proposal without transforms");
	assert_null(ike_msg_add_prop(&m2, sa, IKE_PROTO_ESP, "123456789", 9));
	/* Only the last SA payload and proposal may grow */
	assert_non_null(ike_msg_add_xform(&m2, pr, IKE_XF_ESN, 0, 0));
	sa2 = ike_msg_add_sa(&m2);
	pr2 = ike_msg_add_prop(&m2, sa2, IKE_PROTO_ESP, "efgh", 4);
	assert_non_null(pr2);
	assert_null(ike_msg_add_prop(&m2, sa, IKE_PROTO_ESP, "abcd", 4));
	assert_non_null(ike_msg_add_xform(&m2, pr2, IKE_XF_ESN, 0, 0));
	assert_null(ike_msg_add_xform(&m2, pr, IKE_XF_ESN, 0, 0));
	ike_msg_init_chain(&m2);
	assert_null(ike_msg_add_tsp(&m2, IKE_PLD_SA));
	assert_int_equal(ike_ts_host(&m2.ts[0], "a", 1, 47), -1);
}

/* --- names ------------------------------------------------------------ */

static char wire_h[64 * 1024];

/*
 * Every constant of a table in ike_wire.h has its trailing comment as its
 * name: the lookups and the header cannot drift apart.
 */
static void
test_names(void **state)
{
	static const struct {
		const char *prefix;
		int table;
	} groups[] = {
		{"IKE_EXCH_", 0},  {"IKE_PLD_", 1},   {"IKE_N_", 2},
		{"IKE_PROTO_", 3}, {"IKE_XF_", 4},    {"IKE_ENCR_", 5},
		{"IKE_PRF_", 6},   {"IKE_INTEG_", 7}, {"IKE_KE_", 8},
		{"IKE_ESN_", 9},   {"IKE_ID_", 10},   {"IKE_AUTH_", 11},
		{"IKE_TS_", 12},
	};
	char path[512], macro[64], name[64];
	const char *file = __FILE__, *tail = "tests/unit/test_ike_wire.c";
	size_t flen = strlen(file), tlen = strlen(tail), n, g;
	unsigned int value, checked = 0;
	char *line, *save = NULL;
	FILE *f;

	(void)state;
	assert_string_equal(ike_exchange_name(34), "IKE_SA_INIT");
	assert_string_equal(ike_notify_name(16430),
			    "IKEV2_FRAGMENTATION_SUPPORTED");
	assert_string_equal(ike_xform_id_name(IKE_XF_KE, 31), "Curve25519");
	assert_string_equal(ike_xform_id_name(6, 1), "unknown");
	assert_string_equal(ike_payload_name(99), "unknown");

	if (flen < tlen || strcmp(file + flen - tlen, tail) != 0)
		skip();
	snprintf(path, sizeof(path), "%.*sinclude/dmvpn/ike_wire.h",
		 (int)(flen - tlen), file);
	f = fopen(path, "r");
	if (f == NULL)
		skip();
	n = fread(wire_h, 1, sizeof(wire_h) - 1, f);
	fclose(f);
	wire_h[n] = '\0';
	for (line = strtok_r(wire_h, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *got = NULL;

		if (sscanf(line, "#define %63s %u /* %63[^*]*/", macro, &value,
			   name) != 3)
			continue;
		n = strlen(name);
		while (n > 0 && name[n - 1] == ' ')
			name[--n] = '\0';
		for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
			if (strncmp(macro, groups[g].prefix,
				    strlen(groups[g].prefix)) == 0)
				break;
		if (g == sizeof(groups) / sizeof(groups[0]) ||
		    strcmp(macro, "IKE_PLD_HDR_LEN") == 0)
			continue;
		switch (groups[g].table) {
		case 0:
			got = ike_exchange_name((uint8_t)value);
			break;
		case 1:
			got = ike_payload_name((uint8_t)value);
			break;
		case 2:
			got = ike_notify_name((uint16_t)value);
			break;
		case 3:
			got = ike_proto_name((uint8_t)value);
			break;
		case 4:
			got = ike_xform_type_name((uint8_t)value);
			break;
		case 10:
			got = ike_id_type_name((uint8_t)value);
			break;
		case 11:
			got = ike_auth_method_name((uint8_t)value);
			break;
		case 12:
			got = ike_ts_type_name((uint8_t)value);
			break;
		default:
			got = ike_xform_id_name((uint8_t)(groups[g].table - 4),
						(uint16_t)value);
			break;
		}
		if (strcmp(got, name) != 0)
			fail_msg("%s: \"%s\" in the header, \"%s\" looked up",
				 macro, name, got);
		checked++;
	}
	assert_true(checked > 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_init_request),
		cmocka_unit_test(test_golden_init_response),
		cmocka_unit_test(test_golden_auth_chain),
		cmocka_unit_test(test_golden_delete),
		cmocka_unit_test(test_golden_rekey_chain),
		cmocka_unit_test(test_golden_sk),
		cmocka_unit_test(test_golden_skf),
		cmocka_unit_test(test_header_rejects),
		cmocka_unit_test(test_unknown_payloads),
		cmocka_unit_test(test_nonce_rejects),
		cmocka_unit_test(test_ts_rejects),
		cmocka_unit_test(test_sa_rejects),
		cmocka_unit_test(test_payload_rejects),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_corruption_sweep),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("ike_wire", tests, NULL, NULL);
}
