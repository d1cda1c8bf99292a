/*
 * Unit tests for the IKEv2 key derivation, Diffie-Hellman and SK payload
 * (src/ike/ike_crypto.c, ike_dh.c, ike_crypto_sk.c): known answers from
 * NIST ACVP (IKEv2 KDF, SP 800-135), RFC 4231, RFC 7748 6.1 and RFC 5903
 * 8.1/8.2; prf+ against OpenSSL's HKDF-Expand; the RFC 3526 primes; SK
 * bodies built independently here with raw EVP calls; every tamper.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "dmvpn/ike_crypto.h"

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0' && s[1] != '\0') {
		if (s[0] == ' ') {
			s++;
			continue;
		}
		assert_true(n < cap);
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void
assert_hex(const uint8_t *got, size_t len, const char *want)
{
	uint8_t w[1024];
	size_t n = unhex(want, w, sizeof(w));

	assert_int_equal(len, n);
	assert_memory_equal(got, w, n);
}

/* --- NIST ACVP IKEv2 KDF, tcId 100 (SHA-1) ----------------------------- */

#define ACVP_GIR \
	"4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52"
#define ACVP_GIRNEW \
	"863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330"
#define ACVP_NI    "32b50d5f4a3763f3"
#define ACVP_NR    "9206a04b26564cb1"
#define ACVP_SPII  "34c9e7c188868785"
#define ACVP_SPIR  "3ff77d760d2b2199"
#define ACVP_SEED  "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7"
#define ACVP_REKEY "63e81194946ebd05df7df5ebf5d8750056bf1f1d"
/* clang-format off */
#define ACVP_DKM \
	"a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002" \
	"a2a63080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a" \
	"5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd1119" \
	"8af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435" \
	"a7a56cc4"
#define ACVP_DKM_CHILD \
	"8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c581" \
	"1a8e7b5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee7181" \
	"4ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf" \
	"285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e66499" \
	"4d234cb4"
#define ACVP_DKM_DH \
	"bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d373016" \
	"28190e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c04000" \
	"52f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a" \
	"05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054" \
	"d56fd74c"
/* clang-format on */

static void
test_acvp_ikev2(void **state)
{
	uint8_t gir[32], girnew[32], ni[8], nr[8], spii[8], spir[8];
	uint8_t seed[IKE_PRF_MAX], rekey[IKE_PRF_MAX], dkm[132], child[132];
	struct iovec v[4];

	(void)state;
	unhex(ACVP_GIR, gir, sizeof(gir));
	unhex(ACVP_GIRNEW, girnew, sizeof(girnew));
	unhex(ACVP_NI, ni, 8);
	unhex(ACVP_NR, nr, 8);
	unhex(ACVP_SPII, spii, 8);
	unhex(ACVP_SPIR, spir, 8);

	assert_int_equal(
		ike_skeyseed(IKE_PRF_HMAC_SHA1, ni, 8, nr, 8, gir, 32, seed),
		0);
	assert_hex(seed, 20, ACVP_SEED);

	/* DKM = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), 1056 bits. */
	v[0] = (struct iovec){ni, 8};
	v[1] = (struct iovec){nr, 8};
	v[2] = (struct iovec){spii, 8};
	v[3] = (struct iovec){spir, 8};
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA1, seed, 20, v, 4, dkm,
				      sizeof(dkm)),
			 0);
	assert_hex(dkm, sizeof(dkm), ACVP_DKM);

	/* SK_d is the first PRF-length octets of DKM; child DKMs use it. */
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA1, dkm, 20, v, 2, child,
				      sizeof(child)),
			 0);
	assert_hex(child, sizeof(child), ACVP_DKM_CHILD);
	v[0] = (struct iovec){girnew, 32};
	v[1] = (struct iovec){ni, 8};
	v[2] = (struct iovec){nr, 8};
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA1, dkm, 20, v, 3, child,
				      sizeof(child)),
			 0);
	assert_hex(child, sizeof(child), ACVP_DKM_DH);

	assert_int_equal(ike_skeyseed_rekey(IKE_PRF_HMAC_SHA1, dkm, 20, girnew,
					    32, ni, 8, nr, 8, rekey),
			 0);
	assert_hex(rekey, 20, ACVP_REKEY);
}

/* The same vector through the struct API: SK_d, then a CHILD SA. */
static void
test_acvp_struct_api(void **state)
{
	uint8_t gir[32], ni[8], nr[8], spii[8], spir[8], dkm[132];
	struct ike_suite s = {IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA1,
			      IKE_INTEG_HMAC_SHA2_256_128, IKE_DH_MODP2048};
	struct ike_esp_suite es = {IKE_ENCR_AES_CBC, 256,
				   IKE_INTEG_HMAC_SHA2_256_128, 0, false};
	struct ike_keys k;
	struct ike_child_keys ck;
	size_t off;

	(void)state;
	unhex(ACVP_GIR, gir, sizeof(gir));
	unhex(ACVP_NI, ni, 8);
	unhex(ACVP_NR, nr, 8);
	unhex(ACVP_SPII, spii, 8);
	unhex(ACVP_SPIR, spir, 8);
	unhex(ACVP_DKM, dkm, sizeof(dkm));
	assert_int_equal(
		ike_keys_derive(&k, &s, gir, 32, ni, 8, nr, 8, spii, spir), 0);
	assert_int_equal(k.prf_len, 20);
	assert_int_equal(k.integ_len, 32);
	assert_int_equal(k.encr_len, 16);
	/* RFC 7296 2.14 order: SK_d SK_ai SK_ar SK_ei SK_er SK_pi SK_pr. */
	off = 0;
	assert_memory_equal(k.sk_d, dkm + off, 20);
	off += 20;
	assert_memory_equal(k.sk_ai, dkm + off, 32);
	off += 32;
	assert_memory_equal(k.sk_ar, dkm + off, 32);
	off += 32;
	assert_memory_equal(k.sk_ei, dkm + off, 16);
	off += 16;
	assert_memory_equal(k.sk_er, dkm + off, 16);
	off += 16;
	assert_memory_equal(k.sk_pi, dkm + off, 16); /* only 16 left of 132 */

	/* RFC 7296 2.17: encr_i, integ_i, encr_r, integ_r from Ni | Nr. */
	assert_int_equal(
		ike_child_keys_derive(&ck, &es, &k, NULL, 0, ni, 8, nr, 8), 0);
	unhex(ACVP_DKM_CHILD, dkm, sizeof(dkm));
	assert_memory_equal(ck.encr_i, dkm, 32);
	assert_memory_equal(ck.integ_i, dkm + 32, 32);
	assert_memory_equal(ck.encr_r, dkm + 64, 32);
	assert_memory_equal(ck.integ_r, dkm + 96, 32);

	ike_keys_wipe(&k);
	ike_child_keys_wipe(&ck);
	assert_int_equal(k.prf_len, 0);
	assert_int_equal(ck.encr_len, 0);
}

/* --- RFC 4231 HMAC-SHA2 through the PRF ------------------------------- */

struct hmac_kat {
	uint16_t prf;
	const char *key; /* hex */
	const char *data;
	const char *mac;
};

/* clang-format off */
static const struct hmac_kat rfc4231[] = {
	/* 4.2 Test Case 1 */
	{IKE_PRF_HMAC_SHA2_256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
	{IKE_PRF_HMAC_SHA2_384, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	 "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	 "faea9ea9076ede7f4af152e8b2fa9cb6"},
	{IKE_PRF_HMAC_SHA2_512, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	 "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	 "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
	/* 4.3 Test Case 2: key "Jefe" */
	{IKE_PRF_HMAC_SHA2_256, "4a656665", "what do ya want for nothing?",
	 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	{IKE_PRF_HMAC_SHA2_384, "4a656665", "what do ya want for nothing?",
	 "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	 "8e2240ca5e69e2c78b3239ecfab21649"},
	{IKE_PRF_HMAC_SHA2_512, "4a656665", "what do ya want for nothing?",
	 "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	 "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
};
/* clang-format on */

static void
test_rfc4231(void **state)
{
	uint8_t key[64], out[IKE_PRF_MAX], big[131];
	struct iovec v;
	size_t i, klen;
	static const char tc6[] =
		"Test Using Larger Than Block-Size Key - Hash Key First";

	(void)state;
	for (i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
		klen = unhex(rfc4231[i].key, key, sizeof(key));
		v.iov_base = (void *)(uintptr_t)rfc4231[i].data;
		v.iov_len = strlen(rfc4231[i].data);
		assert_int_equal(ike_prf(rfc4231[i].prf, key, klen, &v, 1, out),
				 0);
		assert_hex(out, ike_prf_alg(rfc4231[i].prf)->len,
			   rfc4231[i].mac);
	}
	/* 4.7 Test Case 6: a 131-octet key is hashed first. */
	memset(big, 0xaa, sizeof(big));
	v.iov_base = (void *)(uintptr_t)tc6;
	v.iov_len = strlen(tc6);
	assert_int_equal(
		ike_prf(IKE_PRF_HMAC_SHA2_256, big, sizeof(big), &v, 1, out),
		0);
	assert_hex(out, 32,
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee"
		   "37f54");
	assert_int_equal(ike_prf(99, big, 1, &v, 1, out), -1);
}

/* prf+ with HMAC is HKDF-Expand (RFC 5869 2.3); OpenSSL's is independent. */
static void
test_prf_plus_vs_hkdf(void **state)
{
	static const uint16_t prfs[] = {IKE_PRF_HMAC_SHA2_256,
					IKE_PRF_HMAC_SHA2_384,
					IKE_PRF_HMAC_SHA2_512};
	uint8_t key[48], info[200], a[600], b[600];
	const struct ike_prf_alg *p;
	struct iovec v[3];
	OSSL_PARAM params[5];
	EVP_KDF *kdf;
	EVP_KDF_CTX *kctx;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7);
	for (i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(i ^ 0x5a);
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	assert_non_null(kdf);
	for (i = 0; i < 3; i++) {
		p = ike_prf_alg(prfs[i]);
		/* The seed split over three pieces, as the callers do it. */
		v[0] = (struct iovec){info, 10};
		v[1] = (struct iovec){info + 10, 0};
		v[2] = (struct iovec){info + 10, sizeof(info) - 10};
		assert_int_equal(ike_prf_plus(prfs[i], key, sizeof(key), v, 3,
					      a, sizeof(a)),
				 0);
		kctx = EVP_KDF_CTX_new(kdf);
		params[0] = OSSL_PARAM_construct_utf8_string(
			OSSL_KDF_PARAM_DIGEST, (char *)(uintptr_t)p->digest, 0);
		params[1] = OSSL_PARAM_construct_octet_string(
			OSSL_KDF_PARAM_KEY, key, sizeof(key));
		params[2] = OSSL_PARAM_construct_octet_string(
			OSSL_KDF_PARAM_INFO, info, sizeof(info));
		params[3] =
			OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
		params[4] = OSSL_PARAM_construct_end();
		assert_int_equal(EVP_KDF_derive(kctx, b, sizeof(b), params), 1);
		EVP_KDF_CTX_free(kctx);
		assert_memory_equal(a, b, sizeof(a));
	}
	EVP_KDF_free(kdf);
	/* RFC 7296 2.13: the counter is one octet, 255 blocks at most. */
	{
		static uint8_t max[255 * 32 + 1];

		assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, key, 32, v,
					      1, max, 255 * 32),
				 0);
		assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, key, 32, v,
					      1, max, 255 * 32 + 1),
				 -1);
	}
}

/* --- suites, tables, XFRM names --------------------------------------- */

static void
test_suites(void **state)
{
	struct ike_suite gcm = {IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256,
				0, IKE_DH_CURVE25519};
	struct ike_suite bad = gcm;
	struct ike_esp_suite esp = {IKE_ENCR_AES_GCM_16, 128, 0, 0, false};
	struct ike_esp_suite cbc = {IKE_ENCR_AES_CBC, 256,
				    IKE_INTEG_HMAC_SHA2_512_256, IKE_DH_ECP256,
				    true};
	struct ike_esp_xfrm x;
	const char *why = NULL;

	(void)state;
	assert_int_equal(ike_suite_check(&gcm, &why), 0);
	bad.integ = IKE_INTEG_HMAC_SHA2_256_128;
	assert_int_equal(ike_suite_check(&bad, &why), -1);
	assert_string_equal(why, "integrity with an AEAD cipher");
	bad = gcm;
	bad.encr_keybits = 100;
	assert_int_equal(ike_suite_check(&bad, &why), -1);
	bad = gcm;
	bad.dh = 2; /* MODP1024: not offered */
	assert_int_equal(ike_suite_check(&bad, &why), -1);
	bad = gcm;
	bad.encr = IKE_ENCR_AES_CBC;
	assert_int_equal(ike_suite_check(&bad, &why), -1);
	assert_string_equal(why, "unsupported integrity");

	assert_int_equal(ike_esp_xfrm_algs(&esp, &x), 0);
	assert_string_equal(x.aead, "rfc4106(gcm(aes))");
	assert_int_equal(x.aead_icv_bits, 128);
	assert_int_equal(x.encr_key_len, 20);
	assert_null(x.auth);
	assert_int_equal(ike_esp_xfrm_algs(&cbc, &x), 0);
	assert_string_equal(x.encr, "cbc(aes)");
	assert_string_equal(x.auth, "hmac(sha512)");
	assert_int_equal(x.auth_trunc_bits, 256);
	assert_int_equal(x.encr_key_len, 32);
	assert_int_equal(x.auth_key_len, 64);
	cbc.integ = IKE_INTEG_HMAC_SHA2_384_192;
	assert_int_equal(ike_esp_xfrm_algs(&cbc, &x), 0);
	assert_string_equal(x.auth, "hmac(sha384)");
	assert_int_equal(x.auth_trunc_bits, 192);

	assert_int_equal(ike_dh_alg(IKE_DH_ECP384)->ke_len, 96);
	assert_int_equal(ike_dh_alg(IKE_DH_ECP384)->secret_len, 48);
	assert_null(ike_dh_alg(1));
	assert_int_equal(ike_integ_alg(IKE_INTEG_HMAC_SHA2_256_128)->icv_len,
			 16);
}

/* AEAD: no SK_a, SK_e = key | salt (RFC 5282 7.1); rekey keeps PRF rules. */
static void
test_keys_gcm_and_rekey(void **state)
{
	struct ike_suite s = {IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_512,
			      0, IKE_DH_ECP256};
	struct ike_suite s2 = {IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256,
			       IKE_INTEG_HMAC_SHA2_256_128, IKE_DH_ECP256};
	uint8_t gir[32], ni[32], nr[32], spii[8] = {1}, spir[8] = {2};
	uint8_t km[3 * 64 + 2 * 36], seed[64], want[64];
	struct ike_keys k, k2;
	struct iovec v[4];

	(void)state;
	memset(gir, 0x11, sizeof(gir));
	memset(ni, 0x22, sizeof(ni));
	memset(nr, 0x33, sizeof(nr));
	assert_int_equal(
		ike_keys_derive(&k, &s, gir, 32, ni, 32, nr, 32, spii, spir),
		0);
	assert_int_equal(k.integ_len, 0);
	assert_int_equal(k.encr_len, 36);
	assert_int_equal(k.prf_len, 64);
	assert_int_equal(ike_skeyseed(s.prf, ni, 32, nr, 32, gir, 32, seed), 0);
	v[0] = (struct iovec){ni, 32};
	v[1] = (struct iovec){nr, 32};
	v[2] = (struct iovec){spii, 8};
	v[3] = (struct iovec){spir, 8};
	assert_int_equal(ike_prf_plus(s.prf, seed, 64, v, 4, km, sizeof(km)),
			 0);
	assert_memory_equal(k.sk_d, km, 64);
	assert_memory_equal(k.sk_ei, km + 64, 36);
	assert_memory_equal(k.sk_er, km + 100, 36);
	assert_memory_equal(k.sk_pi, km + 136, 64);
	assert_memory_equal(k.sk_pr, km + 200, 64);

	/*
	 * RFC 7296 2.18: new SKEYSEED with the old PRF (SHA-512, 64 octets)
	 * keys the new SA's prf+ (SHA-256) whole.
	 */
	assert_int_equal(ike_keys_rekey(&k2, &s2, &k, gir, 32, ni, 32, nr, 32,
					spir, spii),
			 0);
	assert_int_equal(ike_skeyseed_rekey(s.prf, k.sk_d, 64, gir, 32, ni, 32,
					    nr, 32, seed),
			 0);
	v[2] = (struct iovec){spir, 8};
	v[3] = (struct iovec){spii, 8};
	assert_int_equal(ike_prf_plus(s2.prf, seed, 64, v, 4, want, 32), 0);
	assert_memory_equal(k2.sk_d, want, 32);
	assert_int_equal(k2.integ_len, 32);
	ike_keys_wipe(&k);
	ike_keys_wipe(&k2);
}

/* --- Diffie-Hellman --------------------------------------------------- */

static void
test_x25519_rfc7748(void **state)
{
	uint8_t a[32], b[32], pub[64], ss[64];
	const char *why = NULL;
	struct ike_dh *da, *db;
	size_t n;

	(void)state;
	/* RFC 7748 6.1 */
	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2"
	      "a",
	      a, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0e"
	      "b",
	      b, 32);
	da = ike_dh_new_private(IKE_DH_CURVE25519, a, 32);
	db = ike_dh_new_private(IKE_DH_CURVE25519, b, 32);
	assert_non_null(da);
	assert_non_null(db);
	assert_int_equal(ike_dh_public(da, pub, sizeof(pub), &n), 0);
	assert_hex(pub, n,
		   "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9"
		   "b4e6a");
	assert_int_equal(ike_dh_public(db, pub, sizeof(pub), &n), 0);
	assert_hex(pub, n,
		   "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f8"
		   "82b4f");
	assert_int_equal(ike_dh_shared(da, pub, n, ss, sizeof(ss), &n, &why),
			 0);
	assert_hex(ss, n,
		   "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e1"
		   "61742");
	/* RFC 8031 2.3: a low-order point gives zero, which is refused. */
	memset(pub, 0, 32);
	assert_int_equal(ike_dh_shared(da, pub, 32, ss, sizeof(ss), &n, &why),
			 -1);
	assert_int_equal(ike_dh_shared(da, pub, 31, ss, sizeof(ss), &n, &why),
			 -1);
	assert_string_equal(why, "KE data length does not match the group");
	ike_dh_free(da);
	ike_dh_free(db);
}

struct ecp_kat {
	uint16_t group;
	const char *i, *gi, *r, *gr, *gir;
};

/* clang-format off */
static const struct ecp_kat rfc5903[] = {
	/* 8.1 ECP-256 */
	{IKE_DH_ECP256,
	 "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
	 "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
	 "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
	 "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
	 "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
	 "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
	 "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"},
	/* 8.2 ECP-384 */
	{IKE_DH_ECP384,
	 "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
	 "e35b538041e649ee3faef896783ab194",
	 "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
	 "de3ac808acb4bdb4c88732aee95f41aa9482ed1fc0eeb9cafc4984625ccfc23f"
	 "65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a81c",
	 "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942"
	 "e0308312916b8ed2960e4bd55a7448fc",
	 "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
	 "0d1ac43a0336def96fda41d0774a3571dcfbec7aacf3196472169e838430367f"
	 "66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e6386c",
	 "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
	 "d603135569b9e9d09cf5d4a270f59746"},
};
/* clang-format on */

static void
test_ecp_rfc5903(void **state)
{
	uint8_t priv[48], peer[96], pub[96], ss[64];
	const char *why = NULL;
	struct ike_dh *di, *dr;
	size_t i, n, sn, plen;

	(void)state;
	for (i = 0; i < 2; i++) {
		const struct ecp_kat *t = &rfc5903[i];

		n = unhex(t->i, priv, sizeof(priv));
		di = ike_dh_new_private(t->group, priv, n);
		n = unhex(t->r, priv, sizeof(priv));
		dr = ike_dh_new_private(t->group, priv, n);
		assert_non_null(di);
		assert_non_null(dr);
		/* RFC 5903 7: the KE payload is X | Y without 0x04. */
		assert_int_equal(ike_dh_public(di, pub, sizeof(pub), &plen), 0);
		assert_hex(pub, plen, t->gi);
		assert_int_equal(ike_dh_public(dr, pub, sizeof(pub), &plen), 0);
		assert_hex(pub, plen, t->gr);
		n = unhex(t->gr, peer, sizeof(peer));
		assert_int_equal(
			ike_dh_shared(di, peer, n, ss, sizeof(ss), &sn, &why),
			0);
		assert_hex(ss, sn, t->gir);
		n = unhex(t->gi, peer, sizeof(peer));
		assert_int_equal(ike_dh_check_peer(t->group, peer, n, &why), 0);
		assert_int_equal(
			ike_dh_shared(dr, peer, n, ss, sizeof(ss), &sn, &why),
			0);
		assert_hex(ss, sn, t->gir);
		/* A point moved off the curve is refused. */
		peer[n - 1] ^= 1;
		assert_int_equal(
			ike_dh_shared(dr, peer, n, ss, sizeof(ss), &sn, &why),
			-1);
		assert_string_equal(why, "ECP point not on the curve");
		memset(peer, 0, sizeof(peer));
		assert_int_equal(ike_dh_check_peer(t->group, peer, n, &why),
				 -1);
		ike_dh_free(di);
		ike_dh_free(dr);
	}
}

/* OpenSSL's named "modp_NNNN" groups must be RFC 3526's primes, g = 2. */
static void
test_modp_groups(void **state)
{
	static const struct {
		uint16_t group;
		BIGNUM *(*prime)(BIGNUM *);
	} g[] = {
		{IKE_DH_MODP2048, BN_get_rfc3526_prime_2048},
		{IKE_DH_MODP3072, BN_get_rfc3526_prime_3072},
		{IKE_DH_MODP4096, BN_get_rfc3526_prime_4096},
	};
	uint8_t ka[512], kb[512], sa[512], sb[512];
	const char *why = NULL;
	struct ike_dh *a, *b;
	size_t i, la, lb, na, nb;

	(void)state;
	for (i = 0; i < 3; i++) {
		BIGNUM *p = g[i].prime(NULL), *q = NULL, *gen = NULL;
		EVP_PKEY *pk;

		a = ike_dh_new(g[i].group);
		b = ike_dh_new(g[i].group);
		assert_non_null(a);
		assert_non_null(b);
		/* The struct is private: look at the key through a peer. */
		assert_int_equal(ike_dh_public(a, ka, sizeof(ka), &la), 0);
		assert_int_equal(ike_dh_public(b, kb, sizeof(kb), &lb), 0);
		assert_int_equal(la, ike_dh_alg(g[i].group)->ke_len);
		assert_int_equal(
			ike_dh_shared(a, kb, lb, sa, sizeof(sa), &na, &why), 0);
		assert_int_equal(
			ike_dh_shared(b, ka, la, sb, sizeof(sb), &nb, &why), 0);
		assert_int_equal(na, la);
		assert_int_equal(nb, la);
		assert_memory_equal(sa, sb, na);
		/* The prime behind the name. */
		{
			EVP_PKEY_CTX *ctx =
				EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
			OSSL_PARAM prm[2];
			const char *names[] = {"modp_2048", "modp_3072",
					       "modp_4096"};

			assert_int_equal(EVP_PKEY_paramgen_init(ctx), 1);
			prm[0] = OSSL_PARAM_construct_utf8_string(
				OSSL_PKEY_PARAM_GROUP_NAME,
				(char *)(uintptr_t)names[i], 0);
			prm[1] = OSSL_PARAM_construct_end();
			assert_int_equal(EVP_PKEY_CTX_set_params(ctx, prm), 1);
			pk = NULL;
			assert_int_equal(EVP_PKEY_generate(ctx, &pk), 1);
			assert_int_equal(EVP_PKEY_get_bn_param(
						 pk, OSSL_PKEY_PARAM_FFC_P, &q),
					 1);
			assert_int_equal(
				EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_G,
						      &gen),
				1);
			assert_int_equal(BN_cmp(p, q), 0);
			assert_true(BN_is_word(gen, 2));
			EVP_PKEY_free(pk);
			EVP_PKEY_CTX_free(ctx);
		}
		/* RFC 7296 3.4 / RFC 6989: 0, 1 and p - 1 are refused. */
		memset(kb, 0, la);
		assert_int_equal(ike_dh_check_peer(g[i].group, kb, la, &why),
				 -1);
		assert_string_equal(why, "MODP public value out of range");
		kb[la - 1] = 1;
		assert_int_equal(ike_dh_check_peer(g[i].group, kb, la, &why),
				 -1);
		assert_int_equal(BN_sub_word(p, 1), 1);
		assert_int_equal(BN_bn2binpad(p, kb, (int)la), (int)la);
		assert_int_equal(ike_dh_check_peer(g[i].group, kb, la, &why),
				 -1);
		kb[la - 1] -= 1; /* p - 2 is fine */
		assert_int_equal(ike_dh_check_peer(g[i].group, kb, la, &why),
				 0);
		assert_int_equal(
			ike_dh_check_peer(g[i].group, kb, la - 1, &why), -1);
		BN_free(p);
		BN_free(q);
		BN_free(gen);
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

/* RFC 7296 2.14: a short g^ir is left-padded: 2^8 mod p is 0x0100. */
static void
test_modp_padding(void **state)
{
	uint8_t x = 8, y[256], ss[256], want[256];
	const char *why = NULL;
	struct ike_dh *d;
	size_t n;

	(void)state;
	d = ike_dh_new_private(IKE_DH_MODP2048, &x, 1);
	assert_non_null(d);
	/* Its own public value is g^x = 2^8, padded the same way. */
	assert_int_equal(ike_dh_public(d, y, sizeof(y), &n), 0);
	memset(want, 0, sizeof(want));
	want[254] = 1;
	assert_memory_equal(y, want, 256);
	memset(y, 0, sizeof(y));
	y[255] = 2;
	assert_int_equal(ike_dh_shared(d, y, 256, ss, sizeof(ss), &n, &why), 0);
	assert_int_equal(n, 256);
	assert_memory_equal(ss, want, 256);
	assert_int_equal(ike_dh_shared(d, y, 256, ss, 255, &n, &why), -1);
	ike_dh_free(d);
	assert_null(ike_dh_new(2));
	assert_null(ike_dh_new_private(IKE_DH_ECP256, y, 0));
}

/* --- SK payload ------------------------------------------------------- */

static const struct ike_suite sk_suites[] = {
	{IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0, IKE_DH_ECP256},
	{IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_384, 0, IKE_DH_ECP256},
	{IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256,
	 IKE_INTEG_HMAC_SHA2_256_128, IKE_DH_ECP256},
	{IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_384,
	 IKE_INTEG_HMAC_SHA2_384_192, IKE_DH_ECP256},
	{IKE_ENCR_AES_CBC, 192, IKE_PRF_HMAC_SHA2_512,
	 IKE_INTEG_HMAC_SHA2_512_256, IKE_DH_ECP256},
};
#define N_SK_SUITES (sizeof(sk_suites) / sizeof(sk_suites[0]))

static void
sk_keys(struct ike_keys *k, const struct ike_suite *s)
{
	uint8_t gir[32], ni[16], nr[16], spii[8], spir[8];

	memset(gir, 0x42, sizeof(gir));
	memset(ni, 0x01, sizeof(ni));
	memset(nr, 0x02, sizeof(nr));
	memset(spii, 0xa1, sizeof(spii));
	memset(spir, 0xb2, sizeof(spir));
	assert_int_equal(
		ike_keys_derive(k, s, gir, 32, ni, 16, nr, 16, spii, spir), 0);
}

/*
 * An SK body made here straight from RFC 7296 3.14 / RFC 5282 with raw
 * EVP calls, for inner = payloads | padding | pad length as given.
 */
static size_t
sk_build(const struct ike_keys *k, const uint8_t *iv, const uint8_t *aad,
	 size_t aadlen, const uint8_t *inner, size_t ilen, uint8_t *out)
{
	const struct ike_encr_alg *e = ike_encr_alg(k->suite.encr);
	size_t kb = k->suite.encr_keybits / 8, off;
	uint8_t nonce[12], mac[64], *buf;
	char name[16];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	EVP_CIPHER *c;
	int n, f;

	snprintf(name, sizeof(name), "AES-%zu-%s", kb * 8,
		 e->aead ? "GCM" : "CBC");
	c = EVP_CIPHER_fetch(NULL, name, NULL);
	assert_non_null(c);
	memcpy(out, iv, e->iv_len);
	off = e->iv_len;
	if (e->aead) {
		memcpy(nonce, k->sk_ei + kb, 4);
		memcpy(nonce + 4, iv, 8);
		assert_int_equal(
			EVP_EncryptInit_ex2(ctx, c, k->sk_ei, nonce, NULL), 1);
		assert_int_equal(
			EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen), 1);
	} else {
		assert_int_equal(
			EVP_EncryptInit_ex2(ctx, c, k->sk_ei, iv, NULL), 1);
		EVP_CIPHER_CTX_set_padding(ctx, 0);
	}
	assert_int_equal(
		EVP_EncryptUpdate(ctx, out + off, &n, inner, (int)ilen), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, out + off + n, &f), 1);
	off += (size_t)(n + f);
	if (e->aead) {
		assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
						     16, out + off),
				 1);
		off += 16;
	} else {
		const struct ike_integ_alg *a = ike_integ_alg(k->suite.integ);
		size_t ml;

		buf = malloc(aadlen + off);
		memcpy(buf, aad, aadlen);
		memcpy(buf + aadlen, out, off);
		assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, a->digest, NULL,
					  k->sk_ai, a->key_len, buf,
					  aadlen + off, mac, sizeof(mac), &ml));
		free(buf);
		memcpy(out + off, mac, a->icv_len);
		off += a->icv_len;
	}
	EVP_CIPHER_free(c);
	EVP_CIPHER_CTX_free(ctx);
	return off;
}

static void
test_sk_roundtrip(void **state)
{
	static const size_t lens[] = {0, 1, 14, 15, 16, 17, 100, 1000};
	uint8_t aad[32], plain[1000], body[1200], body2[1200], out[1200];
	const char *why = NULL;
	struct ike_keys k;
	size_t i, j, blen, blen2, plen;

	(void)state;
	for (i = 0; i < sizeof(aad); i++)
		aad[i] = (uint8_t)i;
	for (i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 13);
	for (i = 0; i < N_SK_SUITES; i++) {
		sk_keys(&k, &sk_suites[i]);
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			assert_int_equal(ike_sk_seal(&k, IKE_DIR_R2I, 7, aad,
						     sizeof(aad), plain,
						     lens[j], body,
						     sizeof(body), &blen),
					 0);
			assert_int_equal(blen, ike_sk_sealed_len(&k, lens[j]));
			assert_int_equal(ike_sk_open(&k, IKE_DIR_R2I, aad,
						     sizeof(aad), body, blen,
						     out, sizeof(out), &plen,
						     &why),
					 0);
			assert_int_equal(plen, lens[j]);
			assert_memory_equal(out, plain, plen);
			assert_true(ike_sk_open_max(&k, blen) >= plen);
			/* The other direction's keys do not open it. */
			assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad,
						     sizeof(aad), body, blen,
						     out, sizeof(out), &plen,
						     &why),
					 -1);
			assert_string_equal(why, "integrity check failed");
		}
		/* GCM: the same counter gives the same bytes (retransmits). */
		assert_int_equal(ike_sk_seal(&k, IKE_DIR_I2R,
					     ike_sk_iv_counter(5, true, 0), aad,
					     8, plain, 40, body, sizeof(body),
					     &blen),
				 0);
		assert_int_equal(ike_sk_seal(&k, IKE_DIR_I2R,
					     ike_sk_iv_counter(5, true, 0), aad,
					     8, plain, 40, body2, sizeof(body2),
					     &blen2),
				 0);
		assert_int_equal(blen, blen2);
		if (sk_suites[i].encr == IKE_ENCR_AES_GCM_16)
			assert_memory_equal(body, body2, blen);
		else
			assert_memory_not_equal(body, body2, 16);
		/* Whatever the IV, the body matches one built by hand. */
		{
			uint8_t inner[64];
			size_t pad =
				sk_suites[i].encr == IKE_ENCR_AES_CBC ? 7 : 0;

			memcpy(inner, plain, 40);
			memset(inner + 40, 0, pad);
			inner[40 + pad] = (uint8_t)pad;
			blen2 = sk_build(&k, body, aad, 8, inner, 41 + pad,
					 body2);
			assert_int_equal(blen, blen2);
			assert_memory_equal(body, body2, blen);
		}
		assert_int_equal(ike_sk_seal(&k, IKE_DIR_I2R, 0, aad, 8, plain,
					     40, body, blen - 1, &blen2),
				 -1);
		ike_keys_wipe(&k);
	}
	assert_int_not_equal(ike_sk_iv_counter(5, true, 0),
			     ike_sk_iv_counter(5, false, 0));
	assert_int_not_equal(ike_sk_iv_counter(5, true, 1),
			     ike_sk_iv_counter(5, true, 0));
	assert_int_not_equal(ike_sk_iv_counter(0xffffffff, true, 0xffff),
			     ike_sk_iv_counter(0xfffffffe, true, 0xffff));
}

/* One flipped bit anywhere - AAD, IV, ciphertext, ICV - is refused. */
static void
test_sk_tamper(void **state)
{
	uint8_t aad[28], plain[50], body[200], out[200];
	const char *why = NULL;
	struct ike_keys k;
	size_t i, pos, blen, plen;

	(void)state;
	memset(aad, 0x2e, sizeof(aad));
	memset(plain, 0x29, sizeof(plain));
	for (i = 0; i < N_SK_SUITES; i++) {
		sk_keys(&k, &sk_suites[i]);
		assert_int_equal(ike_sk_seal(&k, IKE_DIR_I2R, 1, aad,
					     sizeof(aad), plain, sizeof(plain),
					     body, sizeof(body), &blen),
				 0);
		for (pos = 0; pos < sizeof(aad); pos++) {
			aad[pos] ^= 0x10;
			assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad,
						     sizeof(aad), body, blen,
						     out, sizeof(out), &plen,
						     &why),
					 -1);
			assert_string_equal(why, "integrity check failed");
			aad[pos] ^= 0x10;
		}
		for (pos = 0; pos < blen; pos++) {
			body[pos] ^= 0x01;
			assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad,
						     sizeof(aad), body, blen,
						     out, sizeof(out), &plen,
						     &why),
					 -1);
			assert_string_equal(why, "integrity check failed");
			body[pos] ^= 0x01;
		}
		/* Shortened: by the ICV's view, or not block-aligned. */
		assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad, sizeof(aad),
					     body, blen - 1, out, sizeof(out),
					     &plen, &why),
				 -1);
		assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad, sizeof(aad),
					     body, 8, out, sizeof(out), &plen,
					     &why),
				 -1);
		assert_string_equal(why, "SK payload too short");
		assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad, sizeof(aad),
					     body, blen, out, 10, &plen, &why),
				 -1);
		assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad, sizeof(aad),
					     body, blen, out, sizeof(out),
					     &plen, &why),
				 0);
		ike_keys_wipe(&k);
	}
}

/* A pad length past the start of the plaintext; a long valid padding. */
static void
test_sk_padding(void **state)
{
	uint8_t iv[16], aad[12], inner[48], body[200], out[200];
	const char *why = NULL;
	struct ike_keys k;
	size_t i, ilen, blen, plen;

	(void)state;
	memset(iv, 0x3c, sizeof(iv));
	memset(aad, 0x77, sizeof(aad));
	for (i = 0; i < N_SK_SUITES; i++) {
		sk_keys(&k, &sk_suites[i]);
		ilen = 32;
		memset(inner, 0x55, sizeof(inner));
		inner[ilen - 1] = 32; /* 32 + 1 > 32 */
		blen = sk_build(&k, iv, aad, sizeof(aad), inner, ilen, body);
		assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad, sizeof(aad),
					     body, blen, out, sizeof(out),
					     &plen, &why),
				 -1);
		assert_string_equal(why, "bad padding");
		/* RFC 7296 3.14: any length that aligns is accepted. */
		inner[ilen - 1] = 31;
		blen = sk_build(&k, iv, aad, sizeof(aad), inner, ilen, body);
		assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad, sizeof(aad),
					     body, blen, out, sizeof(out),
					     &plen, &why),
				 0);
		assert_int_equal(plen, 0);
		inner[ilen - 1] = 17;
		blen = sk_build(&k, iv, aad, sizeof(aad), inner, ilen, body);
		assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad, sizeof(aad),
					     body, blen, out, sizeof(out),
					     &plen, &why),
				 0);
		assert_int_equal(plen, 14);
		assert_memory_equal(out, inner, 14);
		if (sk_suites[i].encr == IKE_ENCR_AES_CBC) {
			/* 31 octets cannot be CBC ciphertext. */
			blen = sk_build(&k, iv, aad, sizeof(aad), inner, 32,
					body);
			memmove(body + 16 + 31, body + 16 + 32, blen - 48);
			assert_int_equal(ike_sk_open(&k, IKE_DIR_I2R, aad,
						     sizeof(aad), body,
						     blen - 1, out, sizeof(out),
						     &plen, &why),
					 -1);
			assert_string_equal(
				why,
				"ciphertext not a multiple of the block size");
		}
		ike_keys_wipe(&k);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acvp_ikev2),
		cmocka_unit_test(test_acvp_struct_api),
		cmocka_unit_test(test_rfc4231),
		cmocka_unit_test(test_prf_plus_vs_hkdf),
		cmocka_unit_test(test_suites),
		cmocka_unit_test(test_keys_gcm_and_rekey),
		cmocka_unit_test(test_x25519_rfc7748),
		cmocka_unit_test(test_ecp_rfc5903),
		cmocka_unit_test(test_modp_groups),
		cmocka_unit_test(test_modp_padding),
		cmocka_unit_test(test_sk_roundtrip),
		cmocka_unit_test(test_sk_tamper),
		cmocka_unit_test(test_sk_padding),
	};

	return cmocka_run_group_tests_name("ike_crypto", tests, NULL, NULL);
}
