/*
 * X.509 credentials for IKEv2 signature authentication: our chain and
 * key, the trust anchors and CRLs (an X509_STORE), the peer's chain check,
 * the CERT payload DER (encoding 4, RFC 7296 3.6), the CERTREQ hashes
 * (3.7) and the matching of an ID payload against a certificate.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "dmvpn/addr.h"
#include "dmvpn/ike_crypto.h"

#define OWN_CHAIN_MAX  8
#define PEER_CHAIN_MAX 8

struct ike_creds {
	X509 *own[OWN_CHAIN_MAX]; /* end entity first */
	uint8_t *own_der[OWN_CHAIN_MAX];
	size_t own_der_len[OWN_CHAIN_MAX];
	size_t n_own;
	EVP_PKEY *key;
	X509_STORE *store;
	STACK_OF(X509) * cas; /* for CERTREQ */
	bool crl_check;
};

struct ike_creds *
ike_creds_new(void)
{
	struct ike_creds *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->store = X509_STORE_new();
	c->cas = sk_X509_new_null();
	if (c->store == NULL || c->cas == NULL) {
		ike_creds_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

void
ike_creds_free(struct ike_creds *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_own; i++) {
		X509_free(c->own[i]);
		OPENSSL_free(c->own_der[i]);
	}
	EVP_PKEY_free(c->key);
	X509_STORE_free(c->store);
	sk_X509_pop_free(c->cas, X509_free);
	free(c);
}

int
ike_creds_add_own_cert(struct ike_creds *c, X509 *cert)
{
	unsigned char *der = NULL;
	int n;

	if (c->n_own == OWN_CHAIN_MAX) {
		errno = E2BIG;
		return -1;
	}
	/* The CERT payload sends DER; encode once, now. */
	if ((n = i2d_X509(cert, &der)) <= 0 || !X509_up_ref(cert)) {
		OPENSSL_free(der);
		errno = EINVAL;
		return -1;
	}
	c->own[c->n_own] = cert;
	c->own_der[c->n_own] = der;
	c->own_der_len[c->n_own] = (size_t)n;
	c->n_own++;
	return 0;
}

int
ike_creds_set_key(struct ike_creds *c, EVP_PKEY *key)
{
	if (!EVP_PKEY_up_ref(key))
		return -1;
	EVP_PKEY_free(c->key);
	c->key = key;
	return 0;
}

int
ike_creds_add_ca(struct ike_creds *c, X509 *ca)
{
	if (!X509_STORE_add_cert(c->store, ca))
		return -1;
	if (!X509_up_ref(ca))
		return -1;
	if (!sk_X509_push(c->cas, ca)) {
		X509_free(ca);
		return -1;
	}
	return 0;
}

int
ike_creds_add_crl(struct ike_creds *c, X509_CRL *crl)
{
	if (!X509_STORE_add_crl(c->store, crl))
		return -1;
	/* Revocation of the end entity is checked once any CRL is known. */
	c->crl_check = true;
	return 0;
}

EVP_PKEY *
ike_creds_key(const struct ike_creds *c)
{
	return c->key;
}

/* Every certificate of a PEM file through add(); -1 if there are none. */
static int
load_certs(struct ike_creds *c, const char *path,
	   int (*add)(struct ike_creds *, X509 *))
{
	BIO *bio;
	X509 *x;
	int n = 0, rc = 0;

	if ((bio = BIO_new_file(path, "r")) == NULL)
		return -1;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (add(c, x) == -1)
			rc = -1;
		X509_free(x);
		n++;
	}
	BIO_free(bio);
	return n > 0 ? rc : -1;
}

static int
load_crls(struct ike_creds *c, const char *path)
{
	X509_CRL *crl;
	BIO *bio;
	int n = 0, rc = 0;

	if ((bio = BIO_new_file(path, "r")) == NULL)
		return -1;
	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
		if (ike_creds_add_crl(c, crl) == -1)
			rc = -1;
		X509_CRL_free(crl);
		n++;
	}
	BIO_free(bio);
	return n > 0 ? rc : -1;
}

static int
load_key(struct ike_creds *c, const char *path)
{
	EVP_PKEY *key;
	BIO *bio;
	int rc;

	if ((bio = BIO_new_file(path, "r")) == NULL)
		return -1;
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL)
		return -1;
	rc = ike_creds_set_key(c, key);
	EVP_PKEY_free(key);
	return rc;
}

int
ike_creds_load(struct ike_creds *c, const char *chain_pem, const char *key_pem,
	       const char *ca_pem, const char *crl_pem, const char **why)
{
	if (chain_pem != NULL &&
	    load_certs(c, chain_pem, ike_creds_add_own_cert) == -1) {
		*why = "cannot read the certificate chain";
		return -1;
	}
	if (key_pem != NULL && load_key(c, key_pem) == -1) {
		*why = "cannot read the private key";
		return -1;
	}
	if ((chain_pem != NULL || key_pem != NULL) && c->n_own > 0 &&
	    c->key != NULL &&
	    EVP_PKEY_eq(X509_get0_pubkey(c->own[0]), c->key) != 1) {
		*why = "the private key does not match the certificate";
		return -1;
	}
	if (ca_pem != NULL && load_certs(c, ca_pem, ike_creds_add_ca) == -1) {
		*why = "cannot read the CA file";
		return -1;
	}
	if (crl_pem != NULL && load_crls(c, crl_pem) == -1) {
		*why = "cannot read the CRL file";
		return -1;
	}
	return 0;
}

int
ike_creds_own_der(const struct ike_creds *c, size_t idx, const uint8_t **der,
		  size_t *len)
{
	if (idx >= c->n_own) {
		errno = ENOENT;
		return -1;
	}
	*der = c->own_der[idx];
	*len = c->own_der_len[idx];
	return 0;
}

/* RFC 7296 3.7: the SHA-1 of the whole SubjectPublicKeyInfo element. */
int
ike_creds_certreq(const struct ike_creds *c, uint8_t *out, size_t cap,
		  size_t *len)
{
	unsigned char *spki;
	size_t mdlen, off = 0;
	int i, n, ok;

	for (i = 0; i < sk_X509_num(c->cas); i++) {
		if (cap - off < IKE_CERTREQ_HASH) {
			errno = ENOSPC;
			return -1;
		}
		spki = NULL;
		n = i2d_X509_PUBKEY(
			X509_get_X509_PUBKEY(sk_X509_value(c->cas, i)), &spki);
		ok = n > 0 &&
		     EVP_Q_digest(NULL, "SHA1", NULL, spki, (size_t)n,
				  out + off, &mdlen) &&
		     mdlen == IKE_CERTREQ_HASH;
		OPENSSL_free(spki);
		if (!ok) {
			errno = EIO;
			return -1;
		}
		off += IKE_CERTREQ_HASH;
	}
	*len = off;
	return 0;
}

/* One DER certificate, which must fill its CERT payload exactly. */
static X509 *
cert_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (len > LONG_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x != NULL && p != der + len) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int
ike_creds_verify_peer(const struct ike_creds *c, const uint8_t *const *der,
		      const size_t *derlen, size_t n, X509 **ee,
		      const char **why)
{
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509 *leaf = NULL, *x;
	size_t i;
	int rc = -1;

	if (n == 0 || n > PEER_CHAIN_MAX) {
		*why = n == 0 ? "no peer certificate" : "peer chain too long";
		return -1;
	}
	*why = "internal error";
	if ((untrusted = sk_X509_new_null()) == NULL)
		goto out;
	if ((leaf = cert_from_der(der[0], derlen[0])) == NULL) {
		*why = "bad peer certificate encoding";
		goto out;
	}
	for (i = 1; i < n; i++) {
		if ((x = cert_from_der(der[i], derlen[i])) == NULL) {
			*why = "bad intermediate certificate encoding";
			goto out;
		}
		if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			goto out;
		}
	}
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, c->store, leaf, untrusted))
		goto out;
	/* With a CRL configured, a missing or stale CRL fails the check. */
	if (c->crl_check)
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CRL_CHECK);
	if (X509_verify_cert(ctx) != 1) {
		*why = X509_verify_cert_error_string(
			X509_STORE_CTX_get_error(ctx));
		goto out;
	}
	*ee = leaf;
	leaf = NULL;
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(untrusted, X509_free);
	X509_free(leaf);
	return rc;
}

size_t
ike_cert_san_ips(X509 *cert, struct addr *out, size_t max)
{
	GENERAL_NAMES *names;
	const GENERAL_NAME *gn;
	size_t n = 0;
	int i;

	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (names == NULL)
		return 0;
	for (i = 0; i < sk_GENERAL_NAME_num(names) && n < max; i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type != GEN_IPADD)
			continue;
		if (addr_from_bytes(&out[n], ASN1_STRING_get0_data(gn->d.ip),
				    (size_t)ASN1_STRING_length(gn->d.ip)) == 0)
			n++;
	}
	GENERAL_NAMES_free(names);
	return n;
}

/* ASCII case-insensitive equality of counted strings (RFC 4343). */
static bool
name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;
	uint8_t x, y;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++) {
		x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
		y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
		if (x != y)
			return false;
	}
	return true;
}

/* Whether a subjectAltName of type gen_type equals data. */
static bool
san_match(X509 *cert, int gen_type, const uint8_t *data, size_t len)
{
	GENERAL_NAMES *names;
	const GENERAL_NAME *gn;
	const ASN1_STRING *s;
	bool found = false;
	int i;

	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (names == NULL)
		return false;
	for (i = 0; i < sk_GENERAL_NAME_num(names) && !found; i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type != gen_type)
			continue;
		/* d.ip, d.dNSName and d.rfc822Name are all ASN1_STRINGs. */
		s = gen_type == GEN_IPADD ? gn->d.ip : gn->d.ia5;
		if (gen_type == GEN_IPADD)
			found = (size_t)ASN1_STRING_length(s) == len &&
				memcmp(ASN1_STRING_get0_data(s), data, len) ==
					0;
		else
			found = name_eq(ASN1_STRING_get0_data(s),
					(size_t)ASN1_STRING_length(s), data,
					len);
	}
	GENERAL_NAMES_free(names);
	return found;
}

int
ike_cert_match_id(X509 *cert, uint8_t id_type, const uint8_t *data, size_t len)
{
	const unsigned char *p = data;
	X509_NAME *name;
	bool ok = false;

	switch (id_type) {
	case IKE_ID_IPV4_ADDR:
		ok = len == 4 && san_match(cert, GEN_IPADD, data, len);
		break;
	case IKE_ID_IPV6_ADDR:
		ok = len == 16 && san_match(cert, GEN_IPADD, data, len);
		break;
	case IKE_ID_FQDN:
		ok = san_match(cert, GEN_DNS, data, len);
		break;
	case IKE_ID_RFC822_ADDR:
		ok = san_match(cert, GEN_EMAIL, data, len);
		break;
	case IKE_ID_DER_ASN1_DN:
		/* Compare canonical forms, not the peer's exact encoding. */
		if (len > LONG_MAX ||
		    (name = d2i_X509_NAME(NULL, &p, (long)len)) == NULL)
			break;
		ok = p == data + len &&
		     X509_NAME_cmp(name, X509_get_subject_name(cert)) == 0;
		X509_NAME_free(name);
		break;
	default:
		break;
	}
	return ok ? 0 : -1;
}
