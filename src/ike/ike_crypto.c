/*
 * IKEv2 algorithm tables and key derivation: the PRF, prf+ (RFC 7296
 * 2.13), SKEYSEED and the IKE SA keys (2.14, 2.18) and the CHILD SA
 * KEYMAT (2.17).  The HMACs are OpenSSL's EVP_MAC; prf+ is our own loop
 * because OpenSSL's HKDF-Expand caps its info input, which a CHILD seed
 * with a MODP g^ir can exceed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "dmvpn/ike_crypto.h"

/* --- tables ----------------------------------------------------------- */

/*
 * RFC 5282 4: the GCM key material is the AES key followed by a 4-byte
 * salt, the fixed part of the nonce; the IV on the wire is 8 bytes and
 * there is no padding requirement.  CBC pads to its 16-byte block.
 */
static const struct ike_encr_alg encr_algs[] = {
	{IKE_ENCR_AES_CBC, "AES-CBC", false, 16, 16, 0, 0, "cbc(aes)"},
	{IKE_ENCR_AES_GCM_16, "AES-GCM-16", true, 1, 8, 4, 16,
	 "rfc4106(gcm(aes))"},
};

static const struct ike_prf_alg prf_algs[] = {
	{IKE_PRF_HMAC_SHA1, "PRF_HMAC_SHA1", "SHA1", 20},
	{IKE_PRF_HMAC_SHA2_256, "PRF_HMAC_SHA2_256", "SHA2-256", 32},
	{IKE_PRF_HMAC_SHA2_384, "PRF_HMAC_SHA2_384", "SHA2-384", 48},
	{IKE_PRF_HMAC_SHA2_512, "PRF_HMAC_SHA2_512", "SHA2-512", 64},
};

/* RFC 4868 2.3, 2.6: key = full digest length, ICV = half of it. */
static const struct ike_integ_alg integ_algs[] = {
	{IKE_INTEG_HMAC_SHA2_256_128, "HMAC_SHA2_256_128", "SHA2-256", 32, 16,
	 "hmac(sha256)"},
	{IKE_INTEG_HMAC_SHA2_384_192, "HMAC_SHA2_384_192", "SHA2-384", 48, 24,
	 "hmac(sha384)"},
	{IKE_INTEG_HMAC_SHA2_512_256, "HMAC_SHA2_512_256", "SHA2-512", 64, 32,
	 "hmac(sha512)"},
};

/*
 * KE data: MODP the prime length (RFC 7296 3.4), ECP X | Y (RFC 5903 7),
 * X25519 the raw u (RFC 8031 2).  g^ir: ECP is the x coordinate alone.
 */
static const struct ike_dh_alg dh_algs[] = {
	{IKE_DH_MODP2048, "MODP2048", 256, 256},
	{IKE_DH_MODP3072, "MODP3072", 384, 384},
	{IKE_DH_MODP4096, "MODP4096", 512, 512},
	{IKE_DH_ECP256, "ECP256", 64, 32},
	{IKE_DH_ECP384, "ECP384", 96, 48},
	{IKE_DH_CURVE25519, "CURVE25519", 32, 32},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const struct ike_encr_alg *
ike_encr_alg(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(encr_algs); i++)
		if (encr_algs[i].id == id)
			return &encr_algs[i];
	return NULL;
}

const struct ike_prf_alg *
ike_prf_alg(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(prf_algs); i++)
		if (prf_algs[i].id == id)
			return &prf_algs[i];
	return NULL;
}

const struct ike_integ_alg *
ike_integ_alg(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(integ_algs); i++)
		if (integ_algs[i].id == id)
			return &integ_algs[i];
	return NULL;
}

const struct ike_dh_alg *
ike_dh_alg(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(dh_algs); i++)
		if (dh_algs[i].id == id)
			return &dh_algs[i];
	return NULL;
}

bool
ike_encr_keybits_ok(uint16_t id, uint16_t keybits)
{
	if (ike_encr_alg(id) == NULL)
		return false;
	return keybits == 128 || keybits == 192 || keybits == 256;
}

/* Encryption and integrity must agree: AEAD takes none (RFC 5282 8). */
static int
encr_integ_check(uint16_t encr, uint16_t keybits, uint16_t integ,
		 const char **why)
{
	const struct ike_encr_alg *e = ike_encr_alg(encr);

	if (e == NULL) {
		*why = "unsupported encryption";
		return -1;
	}
	if (!ike_encr_keybits_ok(encr, keybits)) {
		*why = "unsupported key length";
		return -1;
	}
	if (e->aead && integ != IKE_INTEG_NONE) {
		*why = "integrity with an AEAD cipher";
		return -1;
	}
	if (!e->aead && ike_integ_alg(integ) == NULL) {
		*why = "unsupported integrity";
		return -1;
	}
	return 0;
}

int
ike_suite_check(const struct ike_suite *s, const char **why)
{
	if (encr_integ_check(s->encr, s->encr_keybits, s->integ, why) == -1)
		return -1;
	if (ike_prf_alg(s->prf) == NULL) {
		*why = "unsupported PRF";
		return -1;
	}
	if (ike_dh_alg(s->dh) == NULL) {
		*why = "unsupported DH group";
		return -1;
	}
	return 0;
}

int
ike_esp_suite_check(const struct ike_esp_suite *s, const char **why)
{
	if (encr_integ_check(s->encr, s->encr_keybits, s->integ, why) == -1)
		return -1;
	if (s->dh != IKE_DH_NONE && ike_dh_alg(s->dh) == NULL) {
		*why = "unsupported DH group";
		return -1;
	}
	return 0;
}

int
ike_esp_xfrm_algs(const struct ike_esp_suite *s, struct ike_esp_xfrm *x)
{
	const struct ike_encr_alg *e;
	const struct ike_integ_alg *a;
	const char *why;

	if (ike_esp_suite_check(s, &why) == -1) {
		errno = EINVAL;
		return -1;
	}
	memset(x, 0, sizeof(*x));
	e = ike_encr_alg(s->encr);
	x->encr_key_len = s->encr_keybits / 8 + e->salt_len;
	if (e->aead) {
		x->aead = e->xfrm;
		x->aead_icv_bits = e->icv_len * 8;
		return 0;
	}
	a = ike_integ_alg(s->integ);
	x->encr = e->xfrm;
	x->auth = a->xfrm;
	x->auth_trunc_bits = a->icv_len * 8;
	x->auth_key_len = a->key_len;
	return 0;
}

/* --- PRF -------------------------------------------------------------- */

int
ike_hmac(const char *digest, const uint8_t *key, size_t klen,
	 const struct iovec *iov, int iovcnt, uint8_t *out, size_t cap,
	 size_t *outlen)
{
	static const uint8_t nokey;
	OSSL_PARAM params[2];
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	int i, rc = -1;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL || (ctx = EVP_MAC_CTX_new(mac)) == NULL)
		goto fail;
	params[0] = OSSL_PARAM_construct_utf8_string(
		OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* OpenSSL refuses a NULL key even when its length is zero. */
	if (!EVP_MAC_init(ctx, key != NULL ? key : &nokey, klen, params))
		goto fail;
	for (i = 0; i < iovcnt; i++)
		if (iov[i].iov_len > 0 &&
		    !EVP_MAC_update(ctx, iov[i].iov_base, iov[i].iov_len))
			goto fail;
	if (!EVP_MAC_final(ctx, out, outlen, cap))
		goto fail;
	rc = 0;
fail:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (rc == -1)
		errno = EIO;
	return rc;
}

int
ike_prf(uint16_t prf, const uint8_t *key, size_t klen, const struct iovec *iov,
	int iovcnt, uint8_t *out)
{
	const struct ike_prf_alg *p = ike_prf_alg(prf);
	size_t n;

	if (p == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (ike_hmac(p->digest, key, klen, iov, iovcnt, out, p->len, &n) ==
		    -1 ||
	    n != p->len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

#define PRF_PLUS_MAX_IOV 8

/*
 * RFC 7296 2.13: prf+(K, S) = T1 | T2 | ..., T1 = prf(K, S | 0x01),
 * Tn = prf(K, T(n-1) | S | n); the counter is one octet, so at most 255
 * blocks.
 */
int
ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
	     const struct iovec *iov, int iovcnt, uint8_t *out, size_t outlen)
{
	const struct ike_prf_alg *p = ike_prf_alg(prf);
	struct iovec v[PRF_PLUS_MAX_IOV + 2];
	uint8_t t[IKE_PRF_MAX];
	uint8_t n;
	size_t done = 0, take;
	int i, nv;

	if (p == NULL || iovcnt < 0 || iovcnt > PRF_PLUS_MAX_IOV ||
	    outlen > 255 * (size_t)p->len) {
		errno = EINVAL;
		return -1;
	}
	for (n = 1; done < outlen; n++) {
		nv = 0;
		if (n > 1) {
			v[nv].iov_base = t;
			v[nv++].iov_len = p->len;
		}
		for (i = 0; i < iovcnt; i++)
			v[nv++] = iov[i];
		v[nv].iov_base = &n;
		v[nv++].iov_len = 1;
		if (ike_prf(prf, key, klen, v, nv, t) == -1) {
			OPENSSL_cleanse(t, sizeof(t));
			return -1;
		}
		take = outlen - done < p->len ? outlen - done : p->len;
		memcpy(out + done, t, take);
		done += take;
	}
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}

/* --- IKE SA keys ------------------------------------------------------ */

/*
 * RFC 7296 2.14: the HMAC PRFs take the whole Ni | Nr as the key (the
 * half-nonce rule applies only to fixed-key-size PRFs, which we lack).
 */
int
ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t nilen, const uint8_t *nr,
	     size_t nrlen, const uint8_t *gir, size_t girlen, uint8_t *out)
{
	uint8_t key[2 * 256];
	struct iovec v = {(void *)(uintptr_t)gir, girlen};
	int rc;

	/* RFC 7296 3.9: a nonce is 16 to 256 octets. */
	if (nilen > 256 || nrlen > 256) {
		errno = EINVAL;
		return -1;
	}
	memcpy(key, ni, nilen);
	memcpy(key + nilen, nr, nrlen);
	rc = ike_prf(prf, key, nilen + nrlen, &v, 1, out);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
ike_skeyseed_rekey(uint16_t old_prf, const uint8_t *sk_d, size_t sk_dlen,
		   const uint8_t *gir, size_t girlen, const uint8_t *ni,
		   size_t nilen, const uint8_t *nr, size_t nrlen, uint8_t *out)
{
	struct iovec v[3] = {
		{(void *)(uintptr_t)gir, girlen},
		{(void *)(uintptr_t)ni, nilen},
		{(void *)(uintptr_t)nr, nrlen},
	};

	return ike_prf(old_prf, sk_d, sk_dlen, v, 3, out);
}

/* Key lengths of suite s in k; -1 if the suite is not supported. */
static int
ike_keys_sizes(struct ike_keys *k, const struct ike_suite *s)
{
	const struct ike_encr_alg *e;
	const struct ike_integ_alg *a;
	const char *why;

	if (ike_suite_check(s, &why) == -1) {
		errno = EINVAL;
		return -1;
	}
	memset(k, 0, sizeof(*k));
	k->suite = *s;
	e = ike_encr_alg(s->encr);
	a = ike_integ_alg(s->integ);
	k->prf_len = ike_prf_alg(s->prf)->len;
	k->integ_len = a != NULL ? a->key_len : 0;
	k->encr_len = s->encr_keybits / 8 + e->salt_len;
	return 0;
}

/* SKEYSEED is as long as the output of the PRF that made it. */
static int
keys_split(struct ike_keys *k, const struct ike_suite *s,
	   const uint8_t *skeyseed, size_t seedlen, const uint8_t *ni,
	   size_t nilen, const uint8_t *nr, size_t nrlen,
	   const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	uint8_t km[3 * IKE_PRF_MAX + 2 * IKE_INTEG_KEY_MAX +
		   2 * IKE_ENCR_KEY_MAX];
	struct iovec v[4] = {
		{(void *)(uintptr_t)ni, nilen},
		{(void *)(uintptr_t)nr, nrlen},
		{(void *)(uintptr_t)spi_i, 8},
		{(void *)(uintptr_t)spi_r, 8},
	};
	size_t total, off = 0;

	if (ike_keys_sizes(k, s) == -1)
		return -1;
	total = 3 * k->prf_len + 2 * k->integ_len + 2 * k->encr_len;
	if (ike_prf_plus(s->prf, skeyseed, seedlen, v, 4, km, total) == -1) {
		ike_keys_wipe(k);
		return -1;
	}
	/* RFC 7296 2.14: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr
	 */
	memcpy(k->sk_d, km + off, k->prf_len);
	off += k->prf_len;
	memcpy(k->sk_ai, km + off, k->integ_len);
	off += k->integ_len;
	memcpy(k->sk_ar, km + off, k->integ_len);
	off += k->integ_len;
	memcpy(k->sk_ei, km + off, k->encr_len);
	off += k->encr_len;
	memcpy(k->sk_er, km + off, k->encr_len);
	off += k->encr_len;
	memcpy(k->sk_pi, km + off, k->prf_len);
	off += k->prf_len;
	memcpy(k->sk_pr, km + off, k->prf_len);
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

int
ike_keys_from_skeyseed(struct ike_keys *k, const struct ike_suite *s,
		       const uint8_t *skeyseed, const uint8_t *ni, size_t nilen,
		       const uint8_t *nr, size_t nrlen, const uint8_t spi_i[8],
		       const uint8_t spi_r[8])
{
	const struct ike_prf_alg *p = ike_prf_alg(s->prf);

	if (p == NULL) {
		errno = EINVAL;
		return -1;
	}
	return keys_split(k, s, skeyseed, p->len, ni, nilen, nr, nrlen, spi_i,
			  spi_r);
}

int
ike_keys_derive(struct ike_keys *k, const struct ike_suite *s,
		const uint8_t *gir, size_t girlen, const uint8_t *ni,
		size_t nilen, const uint8_t *nr, size_t nrlen,
		const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	uint8_t seed[IKE_PRF_MAX];
	int rc;

	if (ike_skeyseed(s->prf, ni, nilen, nr, nrlen, gir, girlen, seed) == -1)
		return -1;
	rc = ike_keys_from_skeyseed(k, s, seed, ni, nilen, nr, nrlen, spi_i,
				    spi_r);
	OPENSSL_cleanse(seed, sizeof(seed));
	return rc;
}

/*
 * RFC 7296 2.18: SKEYSEED comes from the old SA's SK_d and PRF; the new
 * keys are then split with the new SA's algorithms, nonces and SPIs.
 */
int
ike_keys_rekey(struct ike_keys *k, const struct ike_suite *s,
	       const struct ike_keys *old, const uint8_t *gir, size_t girlen,
	       const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
	       const uint8_t spi_i[8], const uint8_t spi_r[8])
{
	uint8_t seed[IKE_PRF_MAX];
	int rc;

	if (ike_skeyseed_rekey(old->suite.prf, old->sk_d, old->prf_len, gir,
			       girlen, ni, nilen, nr, nrlen, seed) == -1)
		return -1;
	/* The old PRF may differ from the new; HMAC takes any key length. */
	rc = keys_split(k, s, seed, old->prf_len, ni, nilen, nr, nrlen, spi_i,
			spi_r);
	OPENSSL_cleanse(seed, sizeof(seed));
	return rc;
}

void
ike_keys_wipe(struct ike_keys *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

/* --- CHILD SA keys ---------------------------------------------------- */

int
ike_child_keys_derive(struct ike_child_keys *ck, const struct ike_esp_suite *s,
		      const struct ike_keys *ike, const uint8_t *gir,
		      size_t girlen, const uint8_t *ni, size_t nilen,
		      const uint8_t *nr, size_t nrlen)
{
	uint8_t km[2 * IKE_ENCR_KEY_MAX + 2 * IKE_INTEG_KEY_MAX];
	struct iovec v[3];
	struct ike_esp_xfrm x;
	size_t off = 0;
	int nv = 0;

	memset(ck, 0, sizeof(*ck));
	if (ike_esp_xfrm_algs(s, &x) == -1)
		return -1;
	ck->suite = *s;
	ck->encr_len = x.encr_key_len;
	ck->integ_len = x.auth_key_len;
	if (gir != NULL) {
		v[nv].iov_base = (void *)(uintptr_t)gir;
		v[nv++].iov_len = girlen;
	}
	v[nv].iov_base = (void *)(uintptr_t)ni;
	v[nv++].iov_len = nilen;
	v[nv].iov_base = (void *)(uintptr_t)nr;
	v[nv++].iov_len = nrlen;
	if (ike_prf_plus(ike->suite.prf, ike->sk_d, ike->prf_len, v, nv, km,
			 2 * (ck->encr_len + ck->integ_len)) == -1) {
		ike_child_keys_wipe(ck);
		return -1;
	}
	/* RFC 7296 2.17: encryption before integrity, I->R first. */
	memcpy(ck->encr_i, km + off, ck->encr_len);
	off += ck->encr_len;
	memcpy(ck->integ_i, km + off, ck->integ_len);
	off += ck->integ_len;
	memcpy(ck->encr_r, km + off, ck->encr_len);
	off += ck->encr_len;
	memcpy(ck->integ_r, km + off, ck->integ_len);
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

void
ike_child_keys_wipe(struct ike_child_keys *ck)
{
	if (ck != NULL)
		OPENSSL_cleanse(ck, sizeof(*ck));
}
