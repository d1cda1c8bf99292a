/*
 * The AUTH payload (RFC 7296 2.15, 3.8): the octets each side signs, the
 * pre-shared-key MAC, and signatures by the original methods (RSA 1,
 * ECDSA 9/10/11 of RFC 4754) and the Digital Signature method 14 of RFC
 * 7427 with its ASN.1 AlgorithmIdentifier.  OpenSSL does the signing and
 * the DER; this file lays out the bytes IKEv2 puts around them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "dmvpn/buf.h"
#include "dmvpn/ike_crypto.h"

/* --- signed octets and PSK -------------------------------------------- */

int
ike_auth_octets(const struct ike_keys *k, bool signer_is_initiator,
		const uint8_t *msg, size_t msglen, const uint8_t *nonce,
		size_t noncelen, const uint8_t *id, size_t idlen,
		uint8_t **octets, size_t *olen)
{
	const uint8_t *skp = signer_is_initiator ? k->sk_pi : k->sk_pr;
	struct iovec v = {(void *)(uintptr_t)id, idlen};
	uint8_t *p;

	if (msglen > SIZE_MAX / 2 || noncelen > 256) {
		errno = EINVAL;
		return -1;
	}
	if ((p = malloc(msglen + noncelen + k->prf_len)) == NULL)
		return -1;
	memcpy(p, msg, msglen);
	memcpy(p + msglen, nonce, noncelen);
	/* RFC 7296 2.15: MACedIDFor = prf(SK_px, RestOfIDPayload). */
	if (ike_prf(k->suite.prf, skp, k->prf_len, &v, 1,
		    p + msglen + noncelen) == -1) {
		free(p);
		return -1;
	}
	*octets = p;
	*olen = msglen + noncelen + k->prf_len;
	return 0;
}

int
ike_auth_psk(uint16_t prf, const uint8_t *psk, size_t psklen,
	     const uint8_t *octets, size_t olen, uint8_t *out, size_t *outlen)
{
	/* RFC 7296 2.15: the 17 ASCII octets, no terminating NUL. */
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t inner[IKE_PRF_MAX];
	struct iovec v = {(void *)(uintptr_t)pad, sizeof(pad) - 1};
	const struct ike_prf_alg *p = ike_prf_alg(prf);
	int rc;

	if (p == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (ike_prf(prf, psk, psklen, &v, 1, inner) == -1)
		return -1;
	v.iov_base = (void *)(uintptr_t)octets;
	v.iov_len = olen;
	rc = ike_prf(prf, inner, p->len, &v, 1, out);
	OPENSSL_cleanse(inner, sizeof(inner));
	if (rc == 0)
		*outlen = p->len;
	return rc;
}

int
ike_auth_psk_verify(uint16_t prf, const uint8_t *psk, size_t psklen,
		    const uint8_t *octets, size_t olen, const uint8_t *auth,
		    size_t authlen, const char **why)
{
	uint8_t want[IKE_PRF_MAX];
	size_t n;
	int rc = -1;

	if (ike_auth_psk(prf, psk, psklen, octets, olen, want, &n) == -1) {
		*why = "internal error";
		return -1;
	}
	/* The length is public; the content is compared in constant time. */
	if (authlen != n || CRYPTO_memcmp(want, auth, n) != 0)
		*why = "PSK AUTH mismatch";
	else
		rc = 0;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

/* --- signature algorithms --------------------------------------------- */

/* RFC 7427 3 and appendix A: the AlgorithmIdentifiers we sign with. */
struct sig_alg {
	uint16_t hash; /* IKE_HASH_* */
	bool rsa;      /* else ECDSA */
	int nid;       /* the signature algorithm OID */
	const char *md;
};

static const struct sig_alg sig_algs[] = {
	{IKE_HASH_SHA2_256, true, NID_sha256WithRSAEncryption, "SHA2-256"},
	{IKE_HASH_SHA2_384, true, NID_sha384WithRSAEncryption, "SHA2-384"},
	{IKE_HASH_SHA2_512, true, NID_sha512WithRSAEncryption, "SHA2-512"},
	{IKE_HASH_SHA2_256, false, NID_ecdsa_with_SHA256, "SHA2-256"},
	{IKE_HASH_SHA2_384, false, NID_ecdsa_with_SHA384, "SHA2-384"},
	{IKE_HASH_SHA2_512, false, NID_ecdsa_with_SHA512, "SHA2-512"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct sig_alg *
sig_alg_find(uint16_t hash, bool rsa)
{
	size_t i;

	for (i = 0; i < NELEM(sig_algs); i++)
		if (sig_algs[i].hash == hash && sig_algs[i].rsa == rsa)
			return &sig_algs[i];
	return NULL;
}

static const struct sig_alg *
sig_alg_by_nid(int nid)
{
	size_t i;

	for (i = 0; i < NELEM(sig_algs); i++)
		if (sig_algs[i].nid == nid)
			return &sig_algs[i];
	return NULL;
}

/* RFC 4754 7: the curve and hash of the old ECDSA methods. */
static int
ecdsa_method(uint8_t method, int *bits, const char **md)
{
	switch (method) {
	case IKE_AUTH_ECDSA_256:
		*bits = 256;
		*md = "SHA2-256";
		return 0;
	case IKE_AUTH_ECDSA_384:
		*bits = 384;
		*md = "SHA2-384";
		return 0;
	case IKE_AUTH_ECDSA_521:
		*bits = 521;
		*md = "SHA2-512";
		return 0;
	default:
		return -1;
	}
}

/* DER signature of octets with key and digest md into sig (cap bytes). */
static int
pkey_sign(EVP_PKEY *key, const char *md, const uint8_t *octets, size_t olen,
	  uint8_t *sig, size_t cap, size_t *siglen)
{
	EVP_MD_CTX *mctx;
	size_t n;
	int rc = -1;

	if ((mctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestSignInit_ex(mctx, NULL, md, NULL, NULL, key, NULL) <= 0 ||
	    EVP_DigestSign(mctx, NULL, &n, octets, olen) <= 0)
		goto out;
	if (n > cap) {
		errno = ENOSPC;
		goto out;
	}
	if (EVP_DigestSign(mctx, sig, &n, octets, olen) <= 0)
		goto out;
	*siglen = n;
	rc = 0;
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

static int
pkey_verify(EVP_PKEY *pub, const char *md, const uint8_t *octets, size_t olen,
	    const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *mctx;
	int ok = 0;

	if ((mctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestVerifyInit_ex(mctx, NULL, md, NULL, NULL, pub, NULL) > 0)
		ok = EVP_DigestVerify(mctx, sig, siglen, octets, olen);
	EVP_MD_CTX_free(mctx);
	return ok == 1 ? 0 : -1;
}

/* RFC 4754 7: r | s, each left-padded to the curve's octet length. */
static int
ecdsa_der_to_raw(const uint8_t *der, size_t len, int bits, uint8_t *out,
		 size_t cap, size_t *outlen)
{
	size_t flen = ((size_t)bits + 7) / 8;
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	int rc = -1;

	if (cap < 2 * flen)
		return -1;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, (int)flen) == (int)flen &&
	    BN_bn2binpad(s, out + flen, (int)flen) == (int)flen) {
		*outlen = 2 * flen;
		rc = 0;
	}
	ECDSA_SIG_free(sig);
	return rc;
}

static int
ecdsa_raw_to_der(const uint8_t *raw, size_t len, uint8_t **der, int *derlen)
{
	BIGNUM *r, *s;
	ECDSA_SIG *sig;

	r = BN_bin2bn(raw, (int)(len / 2), NULL);
	s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	if ((sig = ECDSA_SIG_new()) == NULL || r == NULL || s == NULL ||
	    !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return -1;
	}
	*der = NULL;
	*derlen = i2d_ECDSA_SIG(sig, der);
	ECDSA_SIG_free(sig);
	return *derlen > 0 ? 0 : -1;
}

/* The DER AlgorithmIdentifier of alg (RSA with NULL parameters). */
static int
algid_der(const struct sig_alg *alg, uint8_t *out, size_t cap, size_t *len)
{
	X509_ALGOR *a;
	unsigned char *p = NULL;
	int n;

	if ((a = X509_ALGOR_new()) == NULL)
		return -1;
	/* RFC 7427 appendix A: RSA keeps NULL parameters, ECDSA none. */
	if (!X509_ALGOR_set0(a, OBJ_nid2obj(alg->nid),
			     alg->rsa ? V_ASN1_NULL : V_ASN1_UNDEF, NULL)) {
		X509_ALGOR_free(a);
		return -1;
	}
	n = i2d_X509_ALGOR(a, &p);
	X509_ALGOR_free(a);
	/* One length octet precedes it in the AUTH data (RFC 7427 3). */
	if (n <= 0 || n > 255 || (size_t)n > cap) {
		OPENSSL_free(p);
		return -1;
	}
	memcpy(out, p, (size_t)n);
	OPENSSL_free(p);
	*len = (size_t)n;
	return 0;
}

static bool
key_is_rsa(EVP_PKEY *key)
{
	return EVP_PKEY_is_a(key, "RSA");
}

static bool
key_is_ec(EVP_PKEY *key)
{
	return EVP_PKEY_is_a(key, "EC");
}

int
ike_auth_sign(EVP_PKEY *key, uint8_t method, uint16_t hash,
	      const uint8_t *octets, size_t olen, uint8_t *out, size_t cap,
	      size_t *outlen)
{
	uint8_t der[IKE_SIG_MAX];
	const struct sig_alg *alg;
	const char *md;
	size_t n, alen;
	int bits;

	switch (method) {
	case IKE_AUTH_RSA_SIG:
		/* RFC 7296 3.8: RSASSA-PKCS1-v1_5; SHA-1 by long practice. */
		if (!key_is_rsa(key))
			break;
		return pkey_sign(key, "SHA1", octets, olen, out, cap, outlen);
	case IKE_AUTH_ECDSA_256:
	case IKE_AUTH_ECDSA_384:
	case IKE_AUTH_ECDSA_521:
		if (ecdsa_method(method, &bits, &md) == -1 || !key_is_ec(key) ||
		    EVP_PKEY_get_bits(key) != bits ||
		    pkey_sign(key, md, octets, olen, der, sizeof(der), &n) ==
			    -1)
			break;
		return ecdsa_der_to_raw(der, n, bits, out, cap, outlen);
	case IKE_AUTH_DIGSIG:
		alg = sig_alg_find(hash, key_is_rsa(key));
		if (alg == NULL || (!alg->rsa && !key_is_ec(key)) || cap < 1 ||
		    algid_der(alg, out + 1, cap - 1, &alen) == -1)
			break;
		/* RFC 7427 3: length | AlgorithmIdentifier | signature. */
		out[0] = (uint8_t)alen;
		if (pkey_sign(key, alg->md, octets, olen, out + 1 + alen,
			      cap - 1 - alen, &n) == -1)
			break;
		*outlen = 1 + alen + n;
		return 0;
	default:
		break;
	}
	errno = EINVAL;
	return -1;
}

/* Method 14: parse and check the AlgorithmIdentifier, then verify. */
static int
verify_digsig(EVP_PKEY *pub, const uint8_t *auth, size_t authlen,
	      const uint8_t *octets, size_t olen, const char **why)
{
	const unsigned char *p;
	const struct sig_alg *alg;
	const ASN1_OBJECT *obj;
	const void *pval;
	X509_ALGOR *a;
	size_t alen;
	int ptype;

	if (authlen < 1 || (alen = auth[0]) == 0 || 1 + alen >= authlen) {
		*why = "bad signature AUTH data length";
		return -1;
	}
	p = auth + 1;
	a = d2i_X509_ALGOR(NULL, &p, (long)alen);
	if (a == NULL || (size_t)(p - (auth + 1)) != alen) {
		X509_ALGOR_free(a);
		*why = "bad AlgorithmIdentifier";
		return -1;
	}
	X509_ALGOR_get0(&obj, &ptype, &pval, a);
	alg = sig_alg_by_nid(OBJ_obj2nid(obj));
	X509_ALGOR_free(a);
	if (alg == NULL) {
		*why = "unsupported signature algorithm";
		return -1;
	}
	if (alg->rsa ? !key_is_rsa(pub) : !key_is_ec(pub)) {
		*why = "signature algorithm does not match the key";
		return -1;
	}
	/* RFC 5754 3.2: ECDSA has absent parameters; RSA NULL (or absent). */
	if (alg->rsa ? ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF
		     : ptype != V_ASN1_UNDEF) {
		*why = "bad AlgorithmIdentifier parameters";
		return -1;
	}
	if (pkey_verify(pub, alg->md, octets, olen, auth + 1 + alen,
			authlen - 1 - alen) == -1) {
		*why = "signature verification failed";
		return -1;
	}
	return 0;
}

int
ike_auth_verify(EVP_PKEY *pub, uint8_t method, const uint8_t *auth,
		size_t authlen, const uint8_t *octets, size_t olen,
		const char **why)
{
	const char *md;
	uint8_t *der;
	int bits, derlen, rc;

	switch (method) {
	case IKE_AUTH_RSA_SIG:
		if (!key_is_rsa(pub)) {
			*why = "RSA AUTH with a non-RSA key";
			return -1;
		}
		if (pkey_verify(pub, "SHA1", octets, olen, auth, authlen) ==
		    -1) {
			*why = "signature verification failed";
			return -1;
		}
		return 0;
	case IKE_AUTH_ECDSA_256:
	case IKE_AUTH_ECDSA_384:
	case IKE_AUTH_ECDSA_521:
		ecdsa_method(method, &bits, &md);
		if (!key_is_ec(pub) || EVP_PKEY_get_bits(pub) != bits) {
			*why = "ECDSA AUTH method does not match the key";
			return -1;
		}
		if (authlen != 2 * (((size_t)bits + 7) / 8)) {
			*why = "bad ECDSA signature length";
			return -1;
		}
		if (ecdsa_raw_to_der(auth, authlen, &der, &derlen) == -1) {
			*why = "internal error";
			return -1;
		}
		rc = pkey_verify(pub, md, octets, olen, der, (size_t)derlen);
		OPENSSL_free(der);
		if (rc == -1)
			*why = "signature verification failed";
		return rc;
	case IKE_AUTH_DIGSIG:
		return verify_digsig(pub, auth, authlen, octets, olen, why);
	default:
		*why = "unsupported AUTH method";
		return -1;
	}
}

/* The hashes we sign and verify with method 14, most preferred first. */
static const uint16_t our_hashes[] = {
	IKE_HASH_SHA2_256,
	IKE_HASH_SHA2_384,
	IKE_HASH_SHA2_512,
};

uint16_t
ike_auth_hash_for(EVP_PKEY *key, unsigned hash_mask)
{
	size_t i;

	(void)key;
	for (i = 0; i < NELEM(our_hashes); i++)
		if (hash_mask & (1u << our_hashes[i]))
			return our_hashes[i];
	return 0;
}

uint8_t
ike_auth_method_for(EVP_PKEY *key, unsigned hash_mask)
{
	/* RFC 7427 4: method 14 only if the peer announced a usable hash. */
	if (ike_auth_hash_for(key, hash_mask) != 0)
		return IKE_AUTH_DIGSIG;
	if (key_is_rsa(key))
		return IKE_AUTH_RSA_SIG;
	if (key_is_ec(key)) {
		switch (EVP_PKEY_get_bits(key)) {
		case 256:
			return IKE_AUTH_ECDSA_256;
		case 384:
			return IKE_AUTH_ECDSA_384;
		case 521:
			return IKE_AUTH_ECDSA_521;
		}
	}
	return 0;
}

int
ike_sighash_encode(uint8_t *out, size_t cap, size_t *len)
{
	struct wbuf w;
	size_t i;

	wbuf_init(&w, out, cap);
	for (i = 0; i < NELEM(our_hashes); i++)
		buf_put_be16(&w, our_hashes[i]);
	if (!wbuf_ok(&w)) {
		errno = ENOSPC;
		return -1;
	}
	*len = wbuf_len(&w);
	return 0;
}

int
ike_sighash_decode(const uint8_t *data, size_t len, unsigned *mask)
{
	struct buf b;
	uint16_t id;

	if (len % 2 != 0) {
		errno = EBADMSG;
		return -1;
	}
	*mask = 0;
	buf_init(&b, data, len);
	/* Unknown identifiers are skipped (RFC 7427 4). */
	while (buf_left(&b) >= 2) {
		id = buf_get_be16(&b);
		if (id < 32)
			*mask |= 1u << id;
	}
	return 0;
}
