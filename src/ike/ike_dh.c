/*
 * IKEv2 key exchange: the RFC 3526 MODP groups, the RFC 5903 ECP groups
 * and Curve25519 (RFC 8031), through OpenSSL's EVP_PKEY.  This file only
 * converts between OpenSSL keys and the KE payload / g^ir layouts of
 * RFC 7296 3.4 and checks what the peer sends before it is used.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "dmvpn/ike_crypto.h"

struct ike_dh {
	uint16_t group;
	EVP_PKEY *pkey;
};

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

/*
 * OpenSSL's "modp_NNNN" named groups are the RFC 3526 primes with g = 2
 * (the unit test compares them with BN_get_rfc3526_prime_NNNN); the
 * "ffdheNNNN" groups are RFC 7919's and would not interoperate.
 */
static int
dh_kind(uint16_t group, const char **type, const char **name, int *nid)
{
	*nid = NID_undef;
	switch (group) {
	case IKE_DH_MODP2048:
		*type = "DH";
		*name = "modp_2048";
		return DH_MODP;
	case IKE_DH_MODP3072:
		*type = "DH";
		*name = "modp_3072";
		return DH_MODP;
	case IKE_DH_MODP4096:
		*type = "DH";
		*name = "modp_4096";
		return DH_MODP;
	case IKE_DH_ECP256:
		*type = "EC";
		*name = "P-256";
		*nid = NID_X9_62_prime256v1;
		return DH_ECP;
	case IKE_DH_ECP384:
		*type = "EC";
		*name = "P-384";
		*nid = NID_secp384r1;
		return DH_ECP;
	case IKE_DH_CURVE25519:
		*type = "X25519";
		*name = NULL;
		return DH_X25519;
	default:
		return -1;
	}
}

/* The RFC 3526 prime of a MODP group, a new BIGNUM. */
static BIGNUM *
modp_prime(uint16_t group)
{
	switch (group) {
	case IKE_DH_MODP2048:
		return BN_get_rfc3526_prime_2048(NULL);
	case IKE_DH_MODP3072:
		return BN_get_rfc3526_prime_3072(NULL);
	case IKE_DH_MODP4096:
		return BN_get_rfc3526_prime_4096(NULL);
	default:
		return NULL;
	}
}

struct ike_dh *
ike_dh_new(uint16_t group)
{
	const char *type, *name;
	struct ike_dh *dh = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	int nid;

	if (dh_kind(group, &type, &name, &nid) == -1) {
		errno = EINVAL;
		return NULL;
	}
	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		return NULL;
	dh->group = group;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0)
		goto fail;
	if (name != NULL) {
		params[0] = OSSL_PARAM_construct_utf8_string(
			OSSL_PKEY_PARAM_GROUP_NAME, (char *)(uintptr_t)name, 0);
		params[1] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_CTX_set_params(ctx, params) <= 0)
			goto fail;
	}
	if (EVP_PKEY_generate(ctx, &dh->pkey) <= 0)
		goto fail;
	EVP_PKEY_CTX_free(ctx);
	return dh;
fail:
	EVP_PKEY_CTX_free(ctx);
	ike_dh_free(dh);
	errno = EIO;
	return NULL;
}

/* An EVP_PKEY from OSSL_PARAMs built in bld (group name already in). */
static EVP_PKEY *
pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, int selection)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* MODP: the public value g^x mod p comes along with a known private x. */
static EVP_PKEY *
modp_from_private(uint16_t group, const char *name, const uint8_t *priv,
		  size_t len)
{
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *p = NULL, *g = NULL, *x = NULL, *y = NULL;
	BN_CTX *bnctx = NULL;
	EVP_PKEY *pkey = NULL;

	p = modp_prime(group);
	g = BN_new();
	x = BN_secure_new();
	y = BN_new();
	bnctx = BN_CTX_new();
	bld = OSSL_PARAM_BLD_new();
	if (p == NULL || g == NULL || x == NULL || y == NULL || bnctx == NULL ||
	    bld == NULL || !BN_set_word(g, 2) ||
	    BN_bin2bn(priv, (int)len, x) == NULL ||
	    !BN_mod_exp(y, g, x, p, bnctx))
		goto out;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    name, 0) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
		pkey = pkey_fromdata("DH", bld, EVP_PKEY_KEYPAIR);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_CTX_free(bnctx);
	BN_free(p);
	BN_free(g);
	BN_clear_free(x);
	BN_free(y);
	return pkey;
}

/* ECP: the public point d*G comes along with a known private d. */
static EVP_PKEY *
ecp_from_private(int nid, const char *name, const uint8_t *priv, size_t len)
{
	uint8_t pub[1 + IKE_DH_MAX];
	OSSL_PARAM_BLD *bld = NULL;
	EC_GROUP *grp = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *d = NULL;
	EVP_PKEY *pkey = NULL;
	size_t publen;

	grp = EC_GROUP_new_by_curve_name(nid);
	d = BN_secure_new();
	bld = OSSL_PARAM_BLD_new();
	if (grp == NULL || d == NULL || bld == NULL ||
	    BN_bin2bn(priv, (int)len, d) == NULL ||
	    (pt = EC_POINT_new(grp)) == NULL ||
	    !EC_POINT_mul(grp, pt, d, NULL, NULL, NULL))
		goto out;
	publen = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
				    sizeof(pub), NULL);
	if (publen == 0)
		goto out;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    name, 0) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
					     publen))
		pkey = pkey_fromdata("EC", bld, EVP_PKEY_KEYPAIR);
out:
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	BN_clear_free(d);
	return pkey;
}

struct ike_dh *
ike_dh_new_private(uint16_t group, const uint8_t *priv, size_t len)
{
	const char *type, *name;
	struct ike_dh *dh;
	int kind, nid;

	kind = dh_kind(group, &type, &name, &nid);
	if (kind == -1 || len == 0 || len > IKE_DH_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		return NULL;
	dh->group = group;
	switch (kind) {
	case DH_MODP:
		dh->pkey = modp_from_private(group, name, priv, len);
		break;
	case DH_ECP:
		dh->pkey = ecp_from_private(nid, name, priv, len);
		break;
	default:
		dh->pkey = EVP_PKEY_new_raw_private_key_ex(NULL, type, NULL,
							   priv, len);
		break;
	}
	if (dh->pkey == NULL) {
		ike_dh_free(dh);
		errno = EINVAL;
		return NULL;
	}
	return dh;
}

void
ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->pkey);
	free(dh);
}

uint16_t
ike_dh_group(const struct ike_dh *dh)
{
	return dh->group;
}

/* A BIGNUM parameter of pkey, big-endian and left-padded to len. */
static int
get_bn_padded(const EVP_PKEY *pkey, const char *param, uint8_t *out, size_t len)
{
	BIGNUM *bn = NULL;
	int rc = -1;

	if (EVP_PKEY_get_bn_param(pkey, param, &bn) &&
	    BN_bn2binpad(bn, out, (int)len) == (int)len)
		rc = 0;
	BN_free(bn);
	return rc;
}

int
ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap, size_t *len)
{
	const struct ike_dh_alg *a = ike_dh_alg(dh->group);
	const char *type, *name;
	size_t n;
	int nid, rc = -1;

	if (a == NULL || cap < a->ke_len) {
		errno = ENOSPC;
		return -1;
	}
	switch (dh_kind(dh->group, &type, &name, &nid)) {
	case DH_MODP:
		/* RFC 7296 3.4: left-padded with zeros to the prime length. */
		rc = get_bn_padded(dh->pkey, OSSL_PKEY_PARAM_PUB_KEY, out,
				   a->ke_len);
		break;
	case DH_ECP:
		/* RFC 5903 7: X | Y, each the field length, no 0x04 octet. */
		if (get_bn_padded(dh->pkey, OSSL_PKEY_PARAM_EC_PUB_X, out,
				  a->ke_len / 2) == 0 &&
		    get_bn_padded(dh->pkey, OSSL_PKEY_PARAM_EC_PUB_Y,
				  out + a->ke_len / 2, a->ke_len / 2) == 0)
			rc = 0;
		break;
	case DH_X25519:
		n = a->ke_len;
		if (EVP_PKEY_get_raw_public_key(dh->pkey, out, &n) &&
		    n == a->ke_len)
			rc = 0;
		break;
	}
	if (rc == 0)
		*len = a->ke_len;
	else
		errno = EIO;
	return rc;
}

/*
 * RFC 7296 3.4 and the small-subgroup concerns of RFC 6989: a MODP public
 * value must be in 1 < y < p - 1; the values 0, 1 and p - 1 would pin
 * the shared secret.
 */
static int
modp_check(uint16_t group, const uint8_t *ke, size_t len, const char **why)
{
	BIGNUM *p = modp_prime(group), *y = BN_bin2bn(ke, (int)len, NULL);
	int rc = -1;

	*why = "internal error";
	if (p == NULL || y == NULL || !BN_sub_word(p, 1))
		goto out;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, p) >= 0) {
		*why = "MODP public value out of range";
		goto out;
	}
	rc = 0;
out:
	BN_free(p);
	BN_free(y);
	return rc;
}

/* The peer's public key as an EVP_PKEY, after the checks of its group. */
static EVP_PKEY *
peer_key(uint16_t group, const uint8_t *ke, size_t len, const char **why)
{
	const struct ike_dh_alg *a = ike_dh_alg(group);
	uint8_t pt[1 + IKE_DH_MAX];
	const char *type, *name;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *y = NULL;
	int kind, nid;

	kind = dh_kind(group, &type, &name, &nid);
	if (a == NULL || kind == -1) {
		*why = "unsupported DH group";
		return NULL;
	}
	if (len != a->ke_len) {
		*why = "KE data length does not match the group";
		return NULL;
	}
	if (kind == DH_X25519) {
		/* RFC 8031 2: any 32 octets are a u coordinate. */
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, type, NULL, ke,
						      len);
		if (pkey == NULL)
			*why = "bad X25519 public key";
		return pkey;
	}
	if (kind == DH_MODP && modp_check(group, ke, len, why) == -1)
		return NULL;
	*why = "internal error";
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     name, 0))
		goto out;
	if (kind == DH_MODP) {
		if ((y = BN_bin2bn(ke, (int)len, NULL)) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
			goto out;
	} else {
		/* RFC 5903 7: the wire lacks the SEC1 uncompressed marker. */
		pt[0] = POINT_CONVERSION_UNCOMPRESSED;
		memcpy(pt + 1, ke, len);
		if (!OSSL_PARAM_BLD_push_octet_string(
			    bld, OSSL_PKEY_PARAM_PUB_KEY, pt, len + 1))
			goto out;
	}
	if ((pkey = pkey_fromdata(type, bld, EVP_PKEY_PUBLIC_KEY)) == NULL) {
		*why = kind == DH_ECP ? "ECP point not on the curve"
				      : "bad MODP public value";
		goto out;
	}
	/* The full check: on the curve and not at infinity (RFC 5903 7). */
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (kind == DH_ECP &&
	    (ctx == NULL || EVP_PKEY_public_check(ctx) <= 0)) {
		*why = "ECP point not on the curve";
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	return pkey;
}

int
ike_dh_check_peer(uint16_t group, const uint8_t *ke, size_t len,
		  const char **why)
{
	EVP_PKEY *pkey = peer_key(group, ke, len, why);

	if (pkey == NULL)
		return -1;
	EVP_PKEY_free(pkey);
	return 0;
}

static bool
all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

int
ike_dh_shared(const struct ike_dh *dh, const uint8_t *ke, size_t len,
	      uint8_t *out, size_t cap, size_t *outlen, const char **why)
{
	const struct ike_dh_alg *a = ike_dh_alg(dh->group);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer;
	size_t n;
	int rc = -1;

	if ((peer = peer_key(dh->group, ke, len, why)) == NULL)
		return -1;
	*why = "key derivation failed";
	if (cap < a->secret_len) {
		*why = "no room for the shared secret";
		goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	/* RFC 7296 2.14: g^ir is left-padded to the prime length. */
	if (a->id >= IKE_DH_MODP2048 && a->id <= IKE_DH_MODP4096 &&
	    EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
		goto out;
	if (EVP_PKEY_derive_set_peer(ctx, peer) <= 0) {
		*why = "peer public key rejected";
		goto out;
	}
	n = cap;
	if (EVP_PKEY_derive(ctx, out, &n) <= 0) {
		*why = dh->group == IKE_DH_CURVE25519
			       ? "X25519 shared secret is zero"
			       : "key derivation failed";
		goto out;
	}
	if (n != a->secret_len) {
		OPENSSL_cleanse(out, n);
		goto out;
	}
	/* RFC 8031 2.3: an all-zero X25519 result means a bad public key. */
	if (all_zero(out, n)) {
		OPENSSL_cleanse(out, n);
		*why = "shared secret is zero";
		goto out;
	}
	*outlen = n;
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return rc;
}
