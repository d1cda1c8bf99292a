/*
 * Unit tests for the AUTH payload and credentials (src/ike/ike_auth.c,
 * src/ike/ike_crypto_cert.c): PSK AUTH against HMACs computed here with
 * plain EVP calls; RSA and ECDSA signatures by methods 1, 9, 10 and 14
 * (RFC 7427 AlgorithmIdentifiers checked against its appendix A); a CA,
 * an intermediate, end entities and a CRL made in-process with the
 * OpenSSL API, then chain checks, revocation, unknown CAs, SAN and ID
 * matching, CERTREQ hashes and PEM loading through temporary files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "dmvpn/ike_crypto.h"
#include "ike_pki.h"

/* --- PSK -------------------------------------------------------------- */

static void
hmac256(const uint8_t *key, size_t klen, const uint8_t *d, size_t dlen,
	uint8_t out[32])
{
	size_t n;

	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA2-256", NULL, key,
				  klen, d, dlen, out, 32, &n));
	assert_int_equal(n, 32);
}

static void
test_psk(void **state)
{
	struct ike_suite s = {IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256,
			      0, IKE_DH_CURVE25519};
	static const uint8_t psk[] = "correct horse battery staple";
	uint8_t gir[32] = {1}, ni[32] = {2}, nr[32] = {3}, spi[8] = {4};
	uint8_t msg[80], id[] = {IKE_ID_IPV4_ADDR, 0, 0, 0, 192, 0, 2, 1};
	uint8_t inner[32], macid[32], want[32], got[IKE_PRF_MAX];
	uint8_t expect_octets[80 + 32 + 32], *octets;
	const char *why = NULL;
	struct ike_keys k;
	size_t olen, n;

	(void)state;
	memset(msg, 0x5e, sizeof(msg));
	assert_int_equal(
		ike_keys_derive(&k, &s, gir, 32, ni, 32, nr, 32, spi, spi), 0);

	/* RFC 7296 2.15, step by step with EVP HMAC. */
	hmac256(psk, sizeof(psk) - 1, (const uint8_t *)"Key Pad for IKEv2", 17,
		inner);
	hmac256(k.sk_pi, 32, id, sizeof(id), macid);
	memcpy(expect_octets, msg, 80);
	memcpy(expect_octets + 80, nr, 32);
	memcpy(expect_octets + 112, macid, 32);
	hmac256(inner, 32, expect_octets, sizeof(expect_octets), want);

	/* The initiator signs its message, Nr and MACs IDi with SK_pi. */
	assert_int_equal(ike_auth_octets(&k, true, msg, sizeof(msg), nr, 32, id,
					 sizeof(id), &octets, &olen),
			 0);
	assert_int_equal(olen, sizeof(expect_octets));
	assert_memory_equal(octets, expect_octets, olen);
	assert_int_equal(ike_auth_psk(IKE_PRF_HMAC_SHA2_256, psk,
				      sizeof(psk) - 1, octets, olen, got, &n),
			 0);
	assert_int_equal(n, 32);
	assert_memory_equal(got, want, 32);
	assert_int_equal(ike_auth_psk_verify(IKE_PRF_HMAC_SHA2_256, psk,
					     sizeof(psk) - 1, octets, olen,
					     want, 32, &why),
			 0);
	want[31] ^= 1;
	assert_int_equal(ike_auth_psk_verify(IKE_PRF_HMAC_SHA2_256, psk,
					     sizeof(psk) - 1, octets, olen,
					     want, 32, &why),
			 -1);
	assert_string_equal(why, "PSK AUTH mismatch");
	want[31] ^= 1;
	assert_int_equal(ike_auth_psk_verify(IKE_PRF_HMAC_SHA2_256, psk,
					     sizeof(psk) - 1, octets, olen,
					     want, 31, &why),
			 -1);
	free(octets);

	/* The responder's octets MAC IDr with SK_pr. */
	hmac256(k.sk_pr, 32, id, sizeof(id), macid);
	assert_int_equal(ike_auth_octets(&k, false, msg, sizeof(msg), ni, 32,
					 id, sizeof(id), &octets, &olen),
			 0);
	assert_memory_equal(octets + 112, macid, 32);
	assert_memory_equal(octets + 80, ni, 32);
	free(octets);
	ike_keys_wipe(&k);
}

/* --- signatures ------------------------------------------------------- */

static void
sign_verify(EVP_PKEY *key, uint8_t method, uint16_t hash, size_t want_len)
{
	uint8_t octets[300], sig[IKE_SIG_MAX];
	const char *why = NULL;
	size_t n, i;

	for (i = 0; i < sizeof(octets); i++)
		octets[i] = (uint8_t)(i * 3);
	assert_int_equal(ike_auth_sign(key, method, hash, octets,
				       sizeof(octets), sig, sizeof(sig), &n),
			 0);
	if (want_len != 0)
		assert_int_equal(n, want_len);
	assert_int_equal(ike_auth_verify(key, method, sig, n, octets,
					 sizeof(octets), &why),
			 0);
	octets[7] ^= 1;
	assert_int_equal(ike_auth_verify(key, method, sig, n, octets,
					 sizeof(octets), &why),
			 -1);
	assert_string_equal(why, "signature verification failed");
	octets[7] ^= 1;
	sig[n - 1] ^= 0x80;
	assert_int_equal(ike_auth_verify(key, method, sig, n, octets,
					 sizeof(octets), &why),
			 -1);
	sig[n - 1] ^= 0x80;
	assert_int_equal(ike_auth_verify(key, method, sig, n - 1, octets,
					 sizeof(octets), &why),
			 -1);
}

static void
test_signatures(void **state)
{
	/* RFC 7427 appendix A.1.3 and A.3.1 */
	static const char rsa256[] = "\x0f\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7"
				     "\x0d\x01\x01\x0b\x05\x00";
	static const char ec256[] = "\x0c\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d"
				    "\x04\x03\x02";
	EVP_PKEY *rsa = rsa_key(), *p256 = ec_key("P-256"),
		 *p384 = ec_key("P-384");
	uint8_t sig[IKE_SIG_MAX], oct[] = "octets";
	const char *why = NULL;
	size_t n;

	(void)state;
	sign_verify(rsa, IKE_AUTH_RSA_SIG, 0, 256);
	sign_verify(rsa, IKE_AUTH_DIGSIG, IKE_HASH_SHA2_256, 1 + 15 + 256);
	sign_verify(rsa, IKE_AUTH_DIGSIG, IKE_HASH_SHA2_384, 1 + 15 + 256);
	sign_verify(rsa, IKE_AUTH_DIGSIG, IKE_HASH_SHA2_512, 1 + 15 + 256);
	sign_verify(p256, IKE_AUTH_ECDSA_256, 0, 64);
	sign_verify(p384, IKE_AUTH_ECDSA_384, 0, 96);
	sign_verify(p256, IKE_AUTH_DIGSIG, IKE_HASH_SHA2_256, 0);
	sign_verify(p256, IKE_AUTH_DIGSIG, IKE_HASH_SHA2_384, 0);
	sign_verify(p384, IKE_AUTH_DIGSIG, IKE_HASH_SHA2_512, 0);

	assert_int_equal(ike_auth_sign(rsa, IKE_AUTH_DIGSIG, IKE_HASH_SHA2_256,
				       oct, 6, sig, sizeof(sig), &n),
			 0);
	assert_memory_equal(sig, rsa256, 16);
	/* The RSA signature under an ECDSA key, and vice versa. */
	assert_int_equal(
		ike_auth_verify(p256, IKE_AUTH_DIGSIG, sig, n, oct, 6, &why),
		-1);
	assert_string_equal(why, "signature algorithm does not match the key");
	assert_int_equal(ike_auth_sign(p256, IKE_AUTH_DIGSIG, IKE_HASH_SHA2_256,
				       oct, 6, sig, sizeof(sig), &n),
			 0);
	assert_memory_equal(sig, ec256, 13);
	assert_int_equal(
		ike_auth_verify(rsa, IKE_AUTH_DIGSIG, sig, n, oct, 6, &why),
		-1);
	/* An AlgorithmIdentifier length past the data, a foreign OID. */
	sig[0] = 0xff;
	assert_int_equal(
		ike_auth_verify(p256, IKE_AUTH_DIGSIG, sig, n, oct, 6, &why),
		-1);
	assert_string_equal(why, "bad signature AUTH data length");
	sig[0] = 12;
	sig[12] = 0x01; /* ecdsa-with-SHA224 */
	assert_int_equal(
		ike_auth_verify(p256, IKE_AUTH_DIGSIG, sig, n, oct, 6, &why),
		-1);
	assert_string_equal(why, "unsupported signature algorithm");

	/* Methods tied to the key type and curve. */
	assert_int_equal(ike_auth_sign(rsa, IKE_AUTH_ECDSA_256, 0, oct, 6, sig,
				       sizeof(sig), &n),
			 -1);
	assert_int_equal(ike_auth_sign(p384, IKE_AUTH_ECDSA_256, 0, oct, 6, sig,
				       sizeof(sig), &n),
			 -1);
	assert_int_equal(ike_auth_sign(p256, IKE_AUTH_RSA_SIG, 0, oct, 6, sig,
				       sizeof(sig), &n),
			 -1);
	assert_int_equal(ike_auth_sign(rsa, IKE_AUTH_DIGSIG, IKE_HASH_SHA1, oct,
				       6, sig, sizeof(sig), &n),
			 -1);
	assert_int_equal(
		ike_auth_sign(rsa, IKE_AUTH_RSA_SIG, 0, oct, 6, sig, 100, &n),
		-1);
	assert_int_equal(ike_auth_verify(p384, IKE_AUTH_ECDSA_256, sig, 64, oct,
					 6, &why),
			 -1);
	assert_int_equal(
		ike_auth_verify(rsa, IKE_AUTH_PSK, sig, 64, oct, 6, &why), -1);

	EVP_PKEY_free(rsa);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p384);
}

static void
test_sighash(void **state)
{
	static const uint8_t ours[] = {0, 2, 0, 3, 0, 4};
	static const uint8_t theirs[] = {0, 1, 0, 5, 0x12, 0x34, 0, 3};
	EVP_PKEY *p256 = ec_key("P-256");
	uint8_t buf[16];
	unsigned mask;
	size_t n;

	(void)state;
	assert_int_equal(ike_sighash_encode(buf, sizeof(buf), &n), 0);
	assert_int_equal(n, sizeof(ours));
	assert_memory_equal(buf, ours, n);
	assert_int_equal(ike_sighash_encode(buf, 5, &n), -1);
	assert_int_equal(ike_sighash_decode(theirs, sizeof(theirs), &mask), 0);
	assert_int_equal(mask, (1u << 1) | (1u << 5) | (1u << 3));
	assert_int_equal(ike_sighash_decode(theirs, 3, &mask), -1);
	assert_int_equal(ike_auth_hash_for(p256, mask), IKE_HASH_SHA2_384);
	assert_int_equal(ike_auth_method_for(p256, mask), IKE_AUTH_DIGSIG);
	assert_int_equal(ike_auth_method_for(p256, 1u << 1),
			 IKE_AUTH_ECDSA_256);
	assert_int_equal(ike_auth_method_for(p256, 0), IKE_AUTH_ECDSA_256);
	EVP_PKEY_free(p256);
}

/* --- a small PKI made in-process -------------------------------------- */

struct pki {
	EVP_PKEY *root_key, *int_key, *ee_key, *other_key;
	X509 *root, *inter, *ee, *revoked, *stranger, *other_root;
	X509_CRL *crl;
	uint8_t *der[4];
	size_t derlen[4];
};

static struct pki pki;

static int
pki_setup(void **state)
{
	(void)state;
	pki.root_key = ec_key("P-256");
	pki.int_key = ec_key("P-384");
	pki.ee_key = rsa_key();
	pki.other_key = ec_key("P-256");
	pki.root =
		make_cert("Root CA", pki.root_key, NULL, NULL, 1, true, NULL);
	pki.inter = make_cert("Hub CA", pki.int_key, pki.root, pki.root_key, 2,
			      true, NULL);
	pki.ee = make_cert(
		"spoke1", pki.ee_key, pki.inter, pki.int_key, 100, false,
		"IP:192.0.2.11,IP:2001:db8::11,DNS:spoke1.example.net,"
		"email:ops@example.net");
	pki.revoked = make_cert("spoke2", pki.ee_key, pki.inter, pki.int_key,
				101, false, "IP:192.0.2.12");
	pki.other_root =
		make_cert("Rogue CA", pki.other_key, NULL, NULL, 1, true, NULL);
	pki.stranger = make_cert("spoke1", pki.ee_key, pki.other_root,
				 pki.other_key, 100, false, "IP:192.0.2.11");
	pki.crl = make_crl(pki.inter, pki.int_key, 101);
	return 0;
}

static int
pki_teardown(void **state)
{
	(void)state;
	X509_free(pki.root);
	X509_free(pki.inter);
	X509_free(pki.ee);
	X509_free(pki.revoked);
	X509_free(pki.stranger);
	X509_free(pki.other_root);
	X509_CRL_free(pki.crl);
	EVP_PKEY_free(pki.root_key);
	EVP_PKEY_free(pki.int_key);
	EVP_PKEY_free(pki.ee_key);
	EVP_PKEY_free(pki.other_key);
	return 0;
}

/* DER of up to two certificates, as CERT payloads would carry them. */
static size_t
chain_der(X509 *a, X509 *b, const uint8_t **der, size_t *len)
{
	static uint8_t *buf[2];
	size_t n = 0;
	int l;

	OPENSSL_free(buf[0]);
	OPENSSL_free(buf[1]);
	buf[0] = buf[1] = NULL;
	l = i2d_X509(a, &buf[0]);
	der[n] = buf[0];
	len[n++] = (size_t)l;
	if (b != NULL) {
		l = i2d_X509(b, &buf[1]);
		der[n] = buf[1];
		len[n++] = (size_t)l;
	}
	return n;
}

static void
test_chain(void **state)
{
	struct ike_creds *c = ike_creds_new();
	const uint8_t *der[2];
	size_t len[2], n;
	const char *why = NULL;
	X509 *ee = NULL;

	(void)state;
	assert_non_null(c);
	assert_int_equal(ike_creds_add_ca(c, pki.root), 0);

	/* No CRL configured: the revoked one passes, as it should. */
	n = chain_der(pki.revoked, pki.inter, der, len);
	assert_int_equal(ike_creds_verify_peer(c, der, len, n, &ee, &why), 0);
	X509_free(ee);

	assert_int_equal(ike_creds_add_crl(c, pki.crl), 0);
	n = chain_der(pki.ee, pki.inter, der, len);
	assert_int_equal(ike_creds_verify_peer(c, der, len, n, &ee, &why), 0);
	assert_int_equal(X509_cmp(ee, pki.ee), 0);
	X509_free(ee);

	n = chain_der(pki.revoked, pki.inter, der, len);
	assert_int_equal(ike_creds_verify_peer(c, der, len, n, &ee, &why), -1);
	assert_string_equal(why, "certificate revoked");

	/* Without its intermediate the chain does not reach the root. */
	n = chain_der(pki.ee, NULL, der, len);
	assert_int_equal(ike_creds_verify_peer(c, der, len, n, &ee, &why), -1);

	/* Same name and key, but issued by a CA we do not trust. */
	n = chain_der(pki.stranger, pki.other_root, der, len);
	assert_int_equal(ike_creds_verify_peer(c, der, len, n, &ee, &why), -1);

	/* Trailing garbage after the DER, and a truncated certificate. */
	{
		uint8_t junk[4096];

		n = chain_der(pki.ee, pki.inter, der, len);
		memcpy(junk, der[0], len[0]);
		junk[len[0]] = 0;
		der[0] = junk;
		len[0]++;
		assert_int_equal(
			ike_creds_verify_peer(c, der, len, n, &ee, &why), -1);
		assert_string_equal(why, "bad peer certificate encoding");
		len[0] -= 10;
		assert_int_equal(
			ike_creds_verify_peer(c, der, len, n, &ee, &why), -1);
	}
	assert_int_equal(ike_creds_verify_peer(c, der, len, 0, &ee, &why), -1);
	ike_creds_free(c);
	chain_der(pki.ee, NULL, der, len); /* frees the last buffers */
}

static void
test_san_and_id(void **state)
{
	struct addr a[4];
	uint8_t v4[4], v6[16], *dn = NULL;
	int dnlen;

	(void)state;
	assert_int_equal(ike_cert_san_ips(pki.ee, a, 4), 2);
	inet_pton(AF_INET, "192.0.2.11", v4);
	inet_pton(AF_INET6, "2001:db8::11", v6);
	assert_int_equal(a[0].family, AF_INET);
	assert_memory_equal(a[0].bytes, v4, 4);
	assert_int_equal(a[1].family, AF_INET6);
	assert_memory_equal(a[1].bytes, v6, 16);
	assert_int_equal(ike_cert_san_ips(pki.ee, a, 1), 1);
	assert_int_equal(ike_cert_san_ips(pki.root, a, 4), 0);

	assert_int_equal(ike_cert_match_id(pki.ee, IKE_ID_IPV4_ADDR, v4, 4), 0);
	assert_int_equal(ike_cert_match_id(pki.ee, IKE_ID_IPV6_ADDR, v6, 16),
			 0);
	v4[3] = 12;
	assert_int_equal(ike_cert_match_id(pki.ee, IKE_ID_IPV4_ADDR, v4, 4),
			 -1);
	assert_int_equal(
		ike_cert_match_id(pki.ee, IKE_ID_FQDN,
				  (const uint8_t *)"Spoke1.Example.NET", 18),
		0);
	assert_int_equal(ike_cert_match_id(pki.ee, IKE_ID_FQDN,
					   (const uint8_t *)"spoke1.example.ne",
					   17),
			 -1);
	assert_int_equal(ike_cert_match_id(pki.ee, IKE_ID_RFC822_ADDR,
					   (const uint8_t *)"ops@example.net",
					   15),
			 0);
	dnlen = i2d_X509_NAME(X509_get_subject_name(pki.ee), &dn);
	assert_true(dnlen > 0);
	assert_int_equal(ike_cert_match_id(pki.ee, IKE_ID_DER_ASN1_DN, dn,
					   (size_t)dnlen),
			 0);
	assert_int_equal(ike_cert_match_id(pki.inter, IKE_ID_DER_ASN1_DN, dn,
					   (size_t)dnlen),
			 -1);
	assert_int_equal(ike_cert_match_id(pki.ee, IKE_ID_DER_ASN1_DN, dn,
					   (size_t)dnlen - 1),
			 -1);
	OPENSSL_free(dn);
	assert_int_equal(ike_cert_match_id(pki.ee, 11, v4, 4), -1);
}

/* RFC 7296 3.7: SHA-1 of the CA's SubjectPublicKeyInfo, computed here. */
static void
test_certreq_and_own(void **state)
{
	struct ike_creds *c = ike_creds_new();
	uint8_t out[64], want[20], *spki = NULL, *der = NULL;
	const uint8_t *own;
	size_t n, len;
	int l;

	(void)state;
	assert_int_equal(ike_creds_certreq(c, out, sizeof(out), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ike_creds_add_ca(c, pki.root), 0);
	assert_int_equal(ike_creds_add_ca(c, pki.other_root), 0);
	assert_int_equal(ike_creds_certreq(c, out, sizeof(out), &n), 0);
	assert_int_equal(n, 40);
	l = i2d_PUBKEY(pki.root_key, &spki);
	assert_non_null(
		EVP_Q_digest(NULL, "SHA1", NULL, spki, (size_t)l, want, NULL));
	assert_memory_equal(out, want, 20);
	OPENSSL_free(spki);
	assert_int_equal(ike_creds_certreq(c, out, 39, &n), -1);

	assert_int_equal(ike_creds_add_own_cert(c, pki.ee), 0);
	assert_int_equal(ike_creds_add_own_cert(c, pki.inter), 0);
	assert_int_equal(ike_creds_set_key(c, pki.ee_key), 0);
	assert_ptr_equal(ike_creds_key(c), pki.ee_key);
	l = i2d_X509(pki.inter, &der);
	assert_int_equal(ike_creds_own_der(c, 1, &own, &len), 0);
	assert_int_equal(len, (size_t)l);
	assert_memory_equal(own, der, len);
	assert_int_equal(ike_creds_own_der(c, 2, &own, &len), -1);
	OPENSSL_free(der);
	ike_creds_free(c);
	ike_creds_free(NULL);
}

static char *
write_pem(int (*put)(BIO *, const void *), const void *a, const void *b)
{
	char *path = strdup("/tmp/test_ike_auth.XXXXXX");
	int fd = mkstemp(path);
	BIO *bio;

	assert_true(fd >= 0);
	close(fd);
	bio = BIO_new_file(path, "w");
	assert_non_null(bio);
	assert_int_equal(put(bio, a), 1);
	if (b != NULL)
		assert_int_equal(put(bio, b), 1);
	BIO_free(bio);
	return path;
}

static int
put_x509(BIO *b, const void *x)
{
	return PEM_write_bio_X509(b, (X509 *)(uintptr_t)x);
}

static int
put_crl(BIO *b, const void *x)
{
	return PEM_write_bio_X509_CRL(b, (X509_CRL *)(uintptr_t)x);
}

static int
put_key(BIO *b, const void *k)
{
	return PEM_write_bio_PrivateKey(b, (EVP_PKEY *)(uintptr_t)k, NULL, NULL,
					0, NULL, NULL);
}

/* PEM files in, then an IKE_AUTH signature checked end to end. */
static void
test_load_and_sign(void **state)
{
	char *chain = write_pem(put_x509, pki.ee, pki.inter);
	char *key = write_pem(put_key, pki.ee_key, NULL);
	char *wrong = write_pem(put_key, pki.root_key, NULL);
	char *ca = write_pem(put_x509, pki.root, NULL);
	char *crl = write_pem(put_crl, pki.crl, NULL);
	struct ike_creds *me = ike_creds_new(), *peer = ike_creds_new();
	uint8_t sig[IKE_SIG_MAX], octets[] = "IKE_SA_INIT | Nr | MACedID";
	const uint8_t *der[2];
	size_t len[2], n;
	const char *why = NULL;
	X509 *ee = NULL;

	(void)state;
	assert_int_equal(ike_creds_load(me, chain, key, NULL, NULL, &why), 0);
	assert_int_equal(ike_creds_load(peer, NULL, NULL, ca, crl, &why), 0);
	assert_int_equal(ike_creds_own_der(me, 0, &der[0], &len[0]), 0);
	assert_int_equal(ike_creds_own_der(me, 1, &der[1], &len[1]), 0);
	assert_int_equal(ike_creds_verify_peer(peer, der, len, 2, &ee, &why),
			 0);
	assert_int_equal(ike_auth_sign(ike_creds_key(me), IKE_AUTH_DIGSIG,
				       IKE_HASH_SHA2_256, octets,
				       sizeof(octets), sig, sizeof(sig), &n),
			 0);
	assert_int_equal(ike_auth_verify(X509_get0_pubkey(ee), IKE_AUTH_DIGSIG,
					 sig, n, octets, sizeof(octets), &why),
			 0);
	X509_free(ee);
	ike_creds_free(me);

	me = ike_creds_new();
	assert_int_equal(ike_creds_load(me, chain, wrong, NULL, NULL, &why),
			 -1);
	assert_string_equal(why,
			    "the private key does not match the certificate");
	assert_int_equal(
		ike_creds_load(me, "/nonexistent", NULL, NULL, NULL, &why), -1);
	assert_int_equal(ike_creds_load(me, NULL, NULL, NULL, key, &why), -1);
	assert_string_equal(why, "cannot read the CRL file");
	ike_creds_free(me);
	ike_creds_free(peer);
	unlink(chain);
	unlink(key);
	unlink(wrong);
	unlink(ca);
	unlink(crl);
	free(chain);
	free(key);
	free(wrong);
	free(ca);
	free(crl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psk),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_sighash),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_san_and_id),
		cmocka_unit_test(test_certreq_and_own),
		cmocka_unit_test(test_load_and_sign),
	};

	return cmocka_run_group_tests_name("ike_auth", tests, pki_setup,
					   pki_teardown);
}
