/*
 * IKEv2 cryptography (RFC 7296 2.13-2.18, 3.14; RFC 5282; RFC 7427; RFC
 * 5903; RFC 8031; RFC 3526): algorithm tables, the PRF and prf+, the IKE
 * and CHILD SA keys, Diffie-Hellman, SK payload protection, the AUTH
 * payload (PSK and signatures) and X.509 credentials.
 *
 * Every algorithm is named by its IANA transform or method number.  All
 * primitives come from OpenSSL 3 (EVP_MAC, EVP_CIPHER, EVP_PKEY,
 * X509_STORE); this layer only lays out the bytes IKEv2 asks for.  It
 * keeps no globals and does no I/O except loading credential files.  Key
 * material is never logged; struct ike_keys and struct ike_child_keys are
 * wiped by their wipe functions, which the owner calls before freeing.
 *
 * Functions return 0/-1 (or a pointer/NULL); those that judge peer input
 * also set *why to a short static reason.
 */
#ifndef DMVPN_IKE_CRYPTO_H
#define DMVPN_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dmvpn/addr.h"

/* Transform type 1, encryption (IANA "IKEv2 Transform Type 1"). */
#define IKE_ENCR_AES_CBC    12
#define IKE_ENCR_AES_GCM_16 20

/* Transform type 2, PRF.  HMAC-SHA1 is here for known-answer tests. */
#define IKE_PRF_HMAC_SHA1     2
#define IKE_PRF_HMAC_SHA2_256 5
#define IKE_PRF_HMAC_SHA2_384 6
#define IKE_PRF_HMAC_SHA2_512 7

/* Transform type 3, integrity. */
#define IKE_INTEG_NONE              0
#define IKE_INTEG_HMAC_SHA2_256_128 12
#define IKE_INTEG_HMAC_SHA2_384_192 13
#define IKE_INTEG_HMAC_SHA2_512_256 14

/* Transform type 4, key exchange method. */
#define IKE_DH_NONE       0
#define IKE_DH_MODP2048   14
#define IKE_DH_MODP3072   15
#define IKE_DH_MODP4096   16
#define IKE_DH_ECP256     19
#define IKE_DH_ECP384     20
#define IKE_DH_CURVE25519 31

/* AUTH payload methods (RFC 7296 3.8, RFC 4754, RFC 7427). */
#define IKE_AUTH_RSA_SIG   1
#define IKE_AUTH_PSK       2
#define IKE_AUTH_ECDSA_256 9
#define IKE_AUTH_ECDSA_384 10
#define IKE_AUTH_ECDSA_521 11
#define IKE_AUTH_DIGSIG    14

/* RFC 7427 4: hash algorithm identifiers of SIGNATURE_HASH_ALGORITHMS. */
#define IKE_HASH_SHA1     1
#define IKE_HASH_SHA2_256 2
#define IKE_HASH_SHA2_384 3
#define IKE_HASH_SHA2_512 4

/* ID types (RFC 7296 3.5). */
#define IKE_ID_IPV4_ADDR   1
#define IKE_ID_FQDN        2
#define IKE_ID_RFC822_ADDR 3
#define IKE_ID_IPV6_ADDR   5
#define IKE_ID_DER_ASN1_DN 9

#define IKE_PRF_MAX       64 /* longest PRF output and key: SHA-512 */
#define IKE_ENCR_KEY_MAX  36 /* AES-256 plus the 4-byte GCM salt */
#define IKE_INTEG_KEY_MAX 64
#define IKE_DH_MAX        512  /* MODP4096 public value and g^ir */
#define IKE_SIG_MAX       1100 /* AUTH data: RSA-8192 plus AlgId */
#define IKE_CERTREQ_HASH  20   /* RFC 7296 3.7: SHA-1 of a CA's SPKI */

/* An encryption transform and what the SK payload and XFRM need of it. */
struct ike_encr_alg {
	uint16_t id;
	const char *name;
	bool aead;
	uint8_t block;    /* padding alignment (1 for GCM) */
	uint8_t iv_len;   /* IV on the wire */
	uint8_t salt_len; /* keymat bytes beyond the key (RFC 5282 4) */
	uint8_t icv_len;  /* AEAD tag; 0 when integrity is separate */
	const char *xfrm; /* kernel algorithm for ESP */
};

/* A PRF transform (HMAC with the given digest). */
struct ike_prf_alg {
	uint16_t id;
	const char *name;
	const char *digest;
	uint8_t len; /* output = preferred key length (RFC 7296 2.13) */
};

/* An integrity transform: truncated HMAC. */
struct ike_integ_alg {
	uint16_t id;
	const char *name;
	const char *digest;
	uint8_t key_len;
	uint8_t icv_len; /* truncated output on the wire */
	const char *xfrm;
};

/* A key exchange method. */
struct ike_dh_alg {
	uint16_t id;
	const char *name;
	uint16_t ke_len;     /* KE payload data */
	uint16_t secret_len; /* g^ir: the prime or field length */
};

/* Look an algorithm up by IANA number; NULL when we do not support it. */
const struct ike_encr_alg *ike_encr_alg(uint16_t id);
const struct ike_prf_alg *ike_prf_alg(uint16_t id);
const struct ike_integ_alg *ike_integ_alg(uint16_t id);
const struct ike_dh_alg *ike_dh_alg(uint16_t id);

/* True when encr id with this key length (bits) is supported. */
bool ike_encr_keybits_ok(uint16_t id, uint16_t keybits);

/* The negotiated transforms of an IKE SA.  AEAD suites have integ 0. */
struct ike_suite {
	uint16_t encr;
	uint16_t encr_keybits;
	uint16_t prf;
	uint16_t integ;
	uint16_t dh;
};

/* The negotiated transforms of an ESP CHILD SA; dh 0 without PFS. */
struct ike_esp_suite {
	uint16_t encr;
	uint16_t encr_keybits;
	uint16_t integ;
	uint16_t dh;
	bool esn;
};

/* 0 when the suite names supported, consistent transforms. */
int ike_suite_check(const struct ike_suite *s, const char **why);
int ike_esp_suite_check(const struct ike_esp_suite *s, const char **why);

/* What XFRM needs to install an ESP SA of this suite. */
struct ike_esp_xfrm {
	const char *aead; /* "rfc4106(gcm(aes))" or NULL */
	unsigned aead_icv_bits;
	const char *encr; /* "cbc(aes)" or NULL */
	const char *auth; /* "hmac(sha256)" or NULL */
	unsigned auth_trunc_bits;
	size_t encr_key_len; /* bytes, the salt included for AEAD */
	size_t auth_key_len;
};

/* Fill x for ESP suite s; -1 if unsupported. */
int ike_esp_xfrm_algs(const struct ike_esp_suite *s, struct ike_esp_xfrm *x);

/* --- PRF and key derivation (ike_crypto.c) ---------------------------- */

/* HMAC over the concatenated iov with an OpenSSL digest ("SHA2-256"). */
int ike_hmac(const char *digest, const uint8_t *key, size_t klen,
	     const struct iovec *iov, int iovcnt, uint8_t *out, size_t cap,
	     size_t *outlen);

/* out (ike_prf_alg(prf)->len bytes) = prf(key, concatenation of iov). */
int ike_prf(uint16_t prf, const uint8_t *key, size_t klen,
	    const struct iovec *iov, int iovcnt, uint8_t *out);

/* RFC 7296 2.13: out = first outlen bytes of prf+(key, concatenated iov). */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
		 const struct iovec *iov, int iovcnt, uint8_t *out,
		 size_t outlen);

/* RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir); out is PRF-length. */
int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t nilen,
		 const uint8_t *nr, size_t nrlen, const uint8_t *gir,
		 size_t girlen, uint8_t *out);

/* RFC 7296 2.18: SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr). */
int ike_skeyseed_rekey(uint16_t old_prf, const uint8_t *sk_d, size_t sk_dlen,
		       const uint8_t *gir, size_t girlen, const uint8_t *ni,
		       size_t nilen, const uint8_t *nr, size_t nrlen,
		       uint8_t *out);

/* The seven keys of an IKE SA (RFC 7296 2.14). */
struct ike_keys {
	struct ike_suite suite;
	size_t prf_len;   /* SK_d, SK_pi, SK_pr */
	size_t integ_len; /* SK_ai, SK_ar; 0 for AEAD */
	size_t encr_len;  /* SK_ei, SK_er, the AEAD salt included */
	uint8_t sk_d[IKE_PRF_MAX];
	uint8_t sk_ai[IKE_INTEG_KEY_MAX];
	uint8_t sk_ar[IKE_INTEG_KEY_MAX];
	uint8_t sk_ei[IKE_ENCR_KEY_MAX];
	uint8_t sk_er[IKE_ENCR_KEY_MAX];
	uint8_t sk_pi[IKE_PRF_MAX];
	uint8_t sk_pr[IKE_PRF_MAX];
};

/* RFC 7296 2.14: split prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) into k. */
int ike_keys_from_skeyseed(struct ike_keys *k, const struct ike_suite *s,
			   const uint8_t *skeyseed, const uint8_t *ni,
			   size_t nilen, const uint8_t *nr, size_t nrlen,
			   const uint8_t spi_i[8], const uint8_t spi_r[8]);

/* SKEYSEED from g^ir and the nonces, then the seven keys. */
int ike_keys_derive(struct ike_keys *k, const struct ike_suite *s,
		    const uint8_t *gir, size_t girlen, const uint8_t *ni,
		    size_t nilen, const uint8_t *nr, size_t nrlen,
		    const uint8_t spi_i[8], const uint8_t spi_r[8]);

/* RFC 7296 2.18: keys of the new IKE SA of a rekey (k != old). */
int ike_keys_rekey(struct ike_keys *k, const struct ike_suite *s,
		   const struct ike_keys *old, const uint8_t *gir,
		   size_t girlen, const uint8_t *ni, size_t nilen,
		   const uint8_t *nr, size_t nrlen, const uint8_t spi_i[8],
		   const uint8_t spi_r[8]);

/* Erase every key in k. */
void ike_keys_wipe(struct ike_keys *k);

/* ESP keys of a CHILD SA (RFC 7296 2.17); "i" keys protect I->R. */
struct ike_child_keys {
	struct ike_esp_suite suite;
	size_t encr_len; /* salt included for AEAD */
	size_t integ_len;
	uint8_t encr_i[IKE_ENCR_KEY_MAX];
	uint8_t integ_i[IKE_INTEG_KEY_MAX];
	uint8_t encr_r[IKE_ENCR_KEY_MAX];
	uint8_t integ_r[IKE_INTEG_KEY_MAX];
};

/*
 * RFC 7296 2.17: KEYMAT = prf+(SK_d, [g^ir] | Ni | Nr), taken as encr_i,
 * integ_i, encr_r, integ_r.  gir may be NULL (no PFS).
 */
int ike_child_keys_derive(struct ike_child_keys *ck,
			  const struct ike_esp_suite *s,
			  const struct ike_keys *ike, const uint8_t *gir,
			  size_t girlen, const uint8_t *ni, size_t nilen,
			  const uint8_t *nr, size_t nrlen);

/* Erase every key in ck. */
void ike_child_keys_wipe(struct ike_child_keys *ck);

/* --- Diffie-Hellman (ike_dh.c) ---------------------------------------- */

struct ike_dh;

/* A fresh private key for group; NULL if unsupported or on failure. */
struct ike_dh *ike_dh_new(uint16_t group);

/* A known private key (big-endian; raw for X25519), for known answers. */
struct ike_dh *ike_dh_new_private(uint16_t group, const uint8_t *priv,
				  size_t len);

/* Free dh (NULL is fine); OpenSSL wipes the private key. */
void ike_dh_free(struct ike_dh *dh);

/* The group of dh. */
uint16_t ike_dh_group(const struct ike_dh *dh);

/* KE payload data (RFC 7296 3.4) into out; *len = ike_dh_alg()->ke_len. */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap,
		  size_t *len);

/* 0 when peer KE data is a valid public value of group (no secret). */
int ike_dh_check_peer(uint16_t group, const uint8_t *ke, size_t len,
		      const char **why);

/* Check the peer's KE data and compute g^ir (secret_len bytes) into out. */
int ike_dh_shared(const struct ike_dh *dh, const uint8_t *ke, size_t len,
		  uint8_t *out, size_t cap, size_t *outlen, const char **why);

/* --- SK payload (ike_crypto_sk.c) ------------------------------------- */

/* Which keys protect a message: by the original roles of the IKE SA. */
enum ike_dir {
	IKE_DIR_I2R, /* sent by the original initiator: SK_ei, SK_ai */
	IKE_DIR_R2I, /* sent by the original responder: SK_er, SK_ar */
};

/*
 * A GCM IV counter unique per key: message ID, request or response and
 * the RFC 7383 fragment number.  The same inputs give the same IV, so a
 * retransmission may be re-sealed to identical bytes.
 */
uint64_t ike_sk_iv_counter(uint32_t msgid, bool response, uint16_t frag);

/* The SK payload body length for plen bytes of inner payloads. */
size_t ike_sk_sealed_len(const struct ike_keys *k, size_t plen);

/* Largest inner payload length an SK body of blen bytes can hold. */
size_t ike_sk_open_max(const struct ike_keys *k, size_t blen);

/*
 * RFC 7296 3.14, RFC 5282: out = IV | E(plain | pad | pad length) | ICV.
 * aad is the message from the IKE header to the SK payload's generic
 * header, with the lengths already counting ike_sk_sealed_len() bytes.
 * GCM takes its IV from iv_counter; CBC draws a random IV.
 */
int ike_sk_seal(const struct ike_keys *k, enum ike_dir dir, uint64_t iv_counter,
		const uint8_t *aad, size_t aadlen, const uint8_t *plain,
		size_t plen, uint8_t *out, size_t cap, size_t *outlen);

/*
 * The reverse: check the ICV, decrypt, strip the padding.  out needs
 * ike_sk_open_max(k, blen) bytes; on failure it holds nothing useful.
 */
int ike_sk_open(const struct ike_keys *k, enum ike_dir dir, const uint8_t *aad,
		size_t aadlen, const uint8_t *body, size_t blen, uint8_t *out,
		size_t cap, size_t *plen, const char **why);

/* --- AUTH payload (ike_auth.c) ---------------------------------------- */

/*
 * RFC 7296 2.15: *octets (malloc'd) = msg | nonce | prf(SK_p, id), where
 * msg is the signer's first message, nonce the other side's nonce, id the
 * signer's ID payload body (type, RESERVED, data) and SK_pi or SK_pr
 * chosen by the signer's role.
 */
int ike_auth_octets(const struct ike_keys *k, bool signer_is_initiator,
		    const uint8_t *msg, size_t msglen, const uint8_t *nonce,
		    size_t noncelen, const uint8_t *id, size_t idlen,
		    uint8_t **octets, size_t *olen);

/* PSK AUTH data (PRF length) = prf(prf(psk, "Key Pad for IKEv2"), octets). */
int ike_auth_psk(uint16_t prf, const uint8_t *psk, size_t psklen,
		 const uint8_t *octets, size_t olen, uint8_t *out,
		 size_t *outlen);

/* Compare the peer's PSK AUTH data in constant time. */
int ike_auth_psk_verify(uint16_t prf, const uint8_t *psk, size_t psklen,
			const uint8_t *octets, size_t olen, const uint8_t *auth,
			size_t authlen, const char **why);

/*
 * Sign octets with key for AUTH method 1, 9, 10, 11 or 14 (hash is the
 * RFC 7427 hash for method 14, ignored otherwise).  out is the AUTH data
 * after the method and RESERVED octets.
 */
int ike_auth_sign(EVP_PKEY *key, uint8_t method, uint16_t hash,
		  const uint8_t *octets, size_t olen, uint8_t *out, size_t cap,
		  size_t *outlen);

/* Verify AUTH data of method with the peer's public key. */
int ike_auth_verify(EVP_PKEY *pub, uint8_t method, const uint8_t *auth,
		    size_t authlen, const uint8_t *octets, size_t olen,
		    const char **why);

/* The signature method to use with key when the peer sent hash_mask. */
uint8_t ike_auth_method_for(EVP_PKEY *key, unsigned hash_mask);

/* The RFC 7427 hash to sign with for method 14; 0 if none is shared. */
uint16_t ike_auth_hash_for(EVP_PKEY *key, unsigned hash_mask);

/* RFC 7427 4: SIGNATURE_HASH_ALGORITHMS data for the hashes we verify. */
int ike_sighash_encode(uint8_t *out, size_t cap, size_t *len);

/* Bit (1 << id) set for each hash id in the notify data; -1 if odd length. */
int ike_sighash_decode(const uint8_t *data, size_t len, unsigned *mask);

/* --- Credentials (ike_crypto_cert.c) ---------------------------------- */

/* Our certificate chain and key, plus the trust anchors and CRLs. */
struct ike_creds;

/* Empty credentials. */
struct ike_creds *ike_creds_new(void);

/* Free c and everything it holds (NULL is fine). */
void ike_creds_free(struct ike_creds *c);

/*
 * Load PEM files; any name may be NULL.  A CRL file turns on CRL checks.
 * After a failure c holds what was read before it: free it.
 */
int ike_creds_load(struct ike_creds *c, const char *chain_pem,
		   const char *key_pem, const char *ca_pem, const char *crl_pem,
		   const char **why);

/* Take references: own end-entity cert, then intermediates, in order. */
int ike_creds_add_own_cert(struct ike_creds *c, X509 *cert);
int ike_creds_set_key(struct ike_creds *c, EVP_PKEY *key);
int ike_creds_add_ca(struct ike_creds *c, X509 *ca);
int ike_creds_add_crl(struct ike_creds *c, X509_CRL *crl);

/* Our private key, or NULL. */
EVP_PKEY *ike_creds_key(const struct ike_creds *c);

/* DER of own cert idx (0 = end entity) for a CERT payload (encoding 4). */
int ike_creds_own_der(const struct ike_creds *c, size_t idx,
		      const uint8_t **der, size_t *len);

/* CERTREQ data: the SPKI SHA-1 of every CA, concatenated. */
int ike_creds_certreq(const struct ike_creds *c, uint8_t *out, size_t cap,
		      size_t *len);

/*
 * Verify the peer's chain (DER, end entity first) against our CAs and
 * CRLs; on success *ee is a new reference to the end-entity certificate.
 */
int ike_creds_verify_peer(const struct ike_creds *c, const uint8_t *const *der,
			  const size_t *derlen, size_t n, X509 **ee,
			  const char **why);

/* The IPv4/IPv6 subjectAltName addresses of cert; returns how many. */
size_t ike_cert_san_ips(X509 *cert, struct addr *out, size_t max);

/* 0 when an ID payload (type, data) names cert's subject or a SAN. */
int ike_cert_match_id(X509 *cert, uint8_t id_type, const uint8_t *data,
		      size_t len);

#endif /* DMVPN_IKE_CRYPTO_H */
