/*
 * A small PKI made in-process with the OpenSSL API, for the IKE unit
 * tests (test_ike_auth.c, test_ike_engine.c): keys, CA and end-entity
 * certificates with subjectAltNames, CRLs.  No files, no openssl CLI.
 */
#ifndef IKE_PKI_H
#define IKE_PKI_H

#include <stdbool.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* An RSA-2048 key; an EC key on curve ("P-256", "P-384"). */
EVP_PKEY *rsa_key(void);
EVP_PKEY *ec_key(const char *curve);

/*
 * A certificate for CN=cn, O=dmvpnd test with key's public half, signed
 * by issuer/ikey (NULL, NULL: self-signed), a CA or an end entity, with
 * subjectAltName san (OpenSSL syntax, "IP:192.0.2.1,DNS:x") or none.
 */
X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
		long serial, bool ca, const char *san);

/* A CRL of ca revoking serial `revoked`. */
X509_CRL *make_crl(X509 *ca, EVP_PKEY *cakey, long revoked);

#endif /* IKE_PKI_H */
