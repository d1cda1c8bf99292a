/*
 * The Encrypted and Authenticated payload (RFC 7296 3.14) and its AEAD
 * form (RFC 5282): the SK body is IV | ciphertext | ICV, where the
 * ciphertext covers the inner payloads, the padding and the pad length.
 *
 * AES-CBC: a random IV; the ICV is the truncated HMAC of the whole message
 * from the IKE header to the end of the ciphertext, i.e. AAD | IV | C.
 * AES-GCM-16: nonce = salt (the last 4 octets of SK_e) | IV, AAD = the
 * message up to and including the SK generic header, ICV = the 16-octet
 * tag.  GCM needs no padding, so we send none.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "dmvpn/buf.h"
#include "dmvpn/ike_crypto.h"

#define SK_IV_MAX  16
#define SK_ICV_MAX 32

/* Per-direction view of the keys and the algorithm sizes. */
struct sk_ctx {
	const struct ike_encr_alg *e;
	const struct ike_integ_alg *a;
	const uint8_t *ekey; /* key, then salt_len octets of salt */
	const uint8_t *akey;
	size_t ekey_len; /* without the salt */
	size_t icv_len;
	char cipher[16];
};

static int
sk_ctx(struct sk_ctx *c, const struct ike_keys *k, enum ike_dir dir)
{
	c->e = ike_encr_alg(k->suite.encr);
	c->a = ike_integ_alg(k->suite.integ);
	if (c->e == NULL || (!c->e->aead && c->a == NULL)) {
		errno = EINVAL;
		return -1;
	}
	c->ekey = dir == IKE_DIR_I2R ? k->sk_ei : k->sk_er;
	c->akey = dir == IKE_DIR_I2R ? k->sk_ai : k->sk_ar;
	c->ekey_len = k->suite.encr_keybits / 8;
	c->icv_len = c->e->aead ? c->e->icv_len : c->a->icv_len;
	snprintf(c->cipher, sizeof(c->cipher), "AES-%u-%s",
		 (unsigned)k->suite.encr_keybits, c->e->aead ? "GCM" : "CBC");
	return 0;
}

uint64_t
ike_sk_iv_counter(uint32_t msgid, bool response, uint16_t frag)
{
	return (uint64_t)msgid << 17 | (uint64_t)response << 16 | frag;
}

/* RFC 7296 3.14: the smallest padding that aligns plain | pad | padlen. */
static size_t
sk_pad_len(const struct ike_encr_alg *e, size_t plen)
{
	return (e->block - (plen + 1) % e->block) % e->block;
}

size_t
ike_sk_sealed_len(const struct ike_keys *k, size_t plen)
{
	struct sk_ctx c;

	if (sk_ctx(&c, k, IKE_DIR_I2R) == -1)
		return 0;
	return c.e->iv_len + plen + sk_pad_len(c.e, plen) + 1 + c.icv_len;
}

size_t
ike_sk_open_max(const struct ike_keys *k, size_t blen)
{
	struct sk_ctx c;

	if (sk_ctx(&c, k, IKE_DIR_I2R) == -1 ||
	    blen < c.e->iv_len + c.icv_len + 1)
		return 0;
	return blen - c.e->iv_len - c.icv_len;
}

/*
 * One pass of the cipher over the pieces in v; AAD (GCM only) goes in
 * with a NULL output.  Returns the octets written to out, or -1.
 */
static int
sk_cipher(EVP_CIPHER_CTX *ctx, const uint8_t *aad, size_t aadlen,
	  const struct iovec *v, int nv, uint8_t *out)
{
	int i, n, total = 0;

	if (aadlen > 0 && !EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen))
		return -1;
	for (i = 0; i < nv; i++) {
		if (v[i].iov_len == 0)
			continue;
		if (!EVP_CipherUpdate(ctx, out + total, &n, v[i].iov_base,
				      (int)v[i].iov_len))
			return -1;
		total += n;
	}
	if (!EVP_CipherFinal_ex(ctx, out + total, &n))
		return -1;
	return total + n;
}

/* Key and IV (CBC) or nonce (GCM) into a fresh cipher context. */
static EVP_CIPHER_CTX *
sk_cipher_init(const struct sk_ctx *c, const uint8_t *iv, int enc)
{
	uint8_t nonce[SK_IV_MAX];
	EVP_CIPHER_CTX *ctx;
	EVP_CIPHER *ciph;
	int ok;

	if ((ciph = EVP_CIPHER_fetch(NULL, c->cipher, NULL)) == NULL)
		return NULL;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		EVP_CIPHER_free(ciph);
		return NULL;
	}
	if (c->e->aead) {
		/* RFC 5282 4: the 12-octet nonce is salt | IV. */
		memcpy(nonce, c->ekey + c->ekey_len, c->e->salt_len);
		memcpy(nonce + c->e->salt_len, iv, c->e->iv_len);
		ok = EVP_CipherInit_ex2(ctx, ciph, c->ekey, nonce, enc, NULL);
	} else {
		ok = EVP_CipherInit_ex2(ctx, ciph, c->ekey, iv, enc, NULL) &&
		     EVP_CIPHER_CTX_set_padding(ctx, 0);
	}
	EVP_CIPHER_free(ciph);
	if (!ok) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* CBC: the truncated HMAC over AAD | IV | ciphertext (RFC 7296 3.14). */
static int
sk_icv(const struct sk_ctx *c, const uint8_t *aad, size_t aadlen,
       const uint8_t *body, size_t len, uint8_t *icv)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	struct iovec v[2] = {
		{(void *)(uintptr_t)aad, aadlen},
		{(void *)(uintptr_t)body, len},
	};
	size_t n;

	if (ike_hmac(c->a->digest, c->akey, c->a->key_len, v, 2, mac,
		     sizeof(mac), &n) == -1 ||
	    n < c->icv_len)
		return -1;
	memcpy(icv, mac, c->icv_len);
	return 0;
}

int
ike_sk_seal(const struct ike_keys *k, enum ike_dir dir, uint64_t iv_counter,
	    const uint8_t *aad, size_t aadlen, const uint8_t *plain,
	    size_t plen, uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t tail[256];
	struct iovec v[2];
	EVP_CIPHER_CTX *ctx = NULL;
	struct sk_ctx c;
	size_t padlen, clen, total;
	struct wbuf w;
	int n, rc = -1;

	if (sk_ctx(&c, k, dir) == -1)
		return -1;
	padlen = sk_pad_len(c.e, plen);
	clen = plen + padlen + 1;
	total = c.e->iv_len + clen + c.icv_len;
	if (total > cap || clen > INT32_MAX || aadlen > INT32_MAX) {
		errno = ENOSPC;
		return -1;
	}
	if (c.e->aead) {
		/* RFC 5282 3.1: the IV must never repeat under one key. */
		wbuf_init(&w, out, c.e->iv_len);
		buf_put_be64(&w, iv_counter);
	} else if (RAND_bytes(out, (int)c.e->iv_len) != 1) {
		errno = EIO;
		return -1;
	}
	/* The sender picks the padding octets; zeros leak nothing. */
	memset(tail, 0, padlen);
	tail[padlen] = (uint8_t)padlen;
	v[0].iov_base = (void *)(uintptr_t)plain;
	v[0].iov_len = plen;
	v[1].iov_base = tail;
	v[1].iov_len = padlen + 1;
	if ((ctx = sk_cipher_init(&c, out, 1)) == NULL)
		goto fail;
	n = sk_cipher(ctx, c.e->aead ? aad : NULL, c.e->aead ? aadlen : 0, v, 2,
		      out + c.e->iv_len);
	if (n < 0 || (size_t)n != clen)
		goto fail;
	if (c.e->aead) {
		if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
					 (int)c.icv_len,
					 out + c.e->iv_len + clen))
			goto fail;
	} else if (sk_icv(&c, aad, aadlen, out, c.e->iv_len + clen,
			  out + c.e->iv_len + clen) == -1) {
		goto fail;
	}
	*outlen = total;
	rc = 0;
fail:
	EVP_CIPHER_CTX_free(ctx);
	if (rc == -1) {
		OPENSSL_cleanse(out, total);
		errno = EIO;
	}
	return rc;
}

int
ike_sk_open(const struct ike_keys *k, enum ike_dir dir, const uint8_t *aad,
	    size_t aadlen, const uint8_t *body, size_t blen, uint8_t *out,
	    size_t cap, size_t *plen, const char **why)
{
	uint8_t icv[SK_ICV_MAX];
	struct iovec v;
	EVP_CIPHER_CTX *ctx = NULL;
	struct sk_ctx c;
	size_t clen;
	int n, rc = -1;
	uint8_t padlen;

	if (sk_ctx(&c, k, dir) == -1) {
		*why = "unsupported SA suite";
		return -1;
	}
	if (blen < c.e->iv_len + c.icv_len + 1 || blen > INT32_MAX ||
	    aadlen > INT32_MAX) {
		*why = "SK payload too short";
		return -1;
	}
	clen = blen - c.e->iv_len - c.icv_len;
	if (clen % c.e->block != 0) {
		*why = "ciphertext not a multiple of the block size";
		return -1;
	}
	if (clen > cap) {
		*why = "SK payload larger than the output buffer";
		return -1;
	}
	/* Encrypt-then-MAC: nothing is decrypted before the ICV matches. */
	if (!c.e->aead) {
		if (sk_icv(&c, aad, aadlen, body, blen - c.icv_len, icv) ==
		    -1) {
			*why = "internal error";
			return -1;
		}
		if (CRYPTO_memcmp(icv, body + blen - c.icv_len, c.icv_len) !=
		    0) {
			*why = "integrity check failed";
			return -1;
		}
	}
	*why = "internal error";
	if ((ctx = sk_cipher_init(&c, body, 0)) == NULL)
		goto fail;
	if (c.e->aead &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)c.icv_len,
				 (void *)(uintptr_t)(body + blen - c.icv_len)))
		goto fail;
	v.iov_base = (void *)(uintptr_t)(body + c.e->iv_len);
	v.iov_len = clen;
	n = sk_cipher(ctx, c.e->aead ? aad : NULL, c.e->aead ? aadlen : 0, &v,
		      1, out);
	if (n < 0) {
		/* For GCM the tag check is part of EVP_CipherFinal_ex(). */
		*why = c.e->aead ? "integrity check failed"
				 : "decryption failed";
		goto fail;
	}
	if ((size_t)n != clen)
		goto fail;
	/* RFC 7296 3.14: accept any pad length that fits the plaintext. */
	padlen = out[clen - 1];
	if ((size_t)padlen + 1 > clen) {
		*why = "bad padding";
		goto fail;
	}
	*plen = clen - padlen - 1;
	rc = 0;
fail:
	EVP_CIPHER_CTX_free(ctx);
	if (rc == -1)
		OPENSSL_cleanse(out, clen);
	return rc;
}
