/* A small PKI made in-process: see ike_pki.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/x509v3.h>

#include "ike_pki.h"

EVP_PKEY *
rsa_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	assert_non_null(k);
	return k;
}

EVP_PKEY *
ec_key(const char *curve)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	assert_non_null(k);
	return k;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
	  long serial, bool ca, const char *san)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				   (const unsigned char *)"dmvpnd test", -1, -1,
				   0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer)
					       : name);
	X509_NAME_free(name);
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (ca) {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer, NID_key_usage,
			"critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
	}
	if (issuer != NULL)
		add_ext(x, issuer, NID_authority_key_identifier,
			"keyid:always");
	if (san != NULL)
		add_ext(x, issuer, NID_subject_alt_name, san);
	assert_true(X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()) > 0);
	return x;
}

X509_CRL *
make_crl(X509 *ca, EVP_PKEY *cakey, long revoked)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	ASN1_TIME *t = ASN1_TIME_adj(NULL, time(NULL), 0, -60);
	ASN1_TIME *next = ASN1_TIME_adj(NULL, time(NULL), 1, 0);

	assert_int_equal(X509_CRL_set_version(crl, 1), 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_CRL_set1_lastUpdate(crl, t);
	X509_CRL_set1_nextUpdate(crl, next);
	ASN1_INTEGER_set(serial, revoked);
	X509_REVOKED_set_serialNumber(r, serial);
	X509_REVOKED_set_revocationDate(r, t);
	X509_CRL_add0_revoked(crl, r);
	X509_CRL_sort(crl);
	assert_true(X509_CRL_sign(crl, cakey, EVP_sha256()) > 0);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(t);
	ASN1_TIME_free(next);
	return crl;
}
