/*
 * libFuzzer target for SK payload protection (src/ike/ike_crypto_sk.c).
 *
 * Input: one octet n, then n % 64 octets of AAD (the IKE header and the
 * payloads before SK, as the caller lays them out), then the SK body.
 * The body is opened with fixed keys of every suite in both directions;
 * that must never crash, and a refusal must come with a reason.  What
 * opens must re-seal and open back to the same inner payloads.  AAD and
 * body are exact-size heap copies so ASan sees any read past the end.
 *
 * The committed seeds (tests/fuzz/corpus/ike_sk) are bodies sealed with
 * these keys; SEED=1 in the environment makes the target print one more
 * per suite on stdout as hex, for regenerating them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/ike_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ike_suite suites[] = {
	{IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0, IKE_DH_ECP256},
	{IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, 0, IKE_DH_ECP256},
	{IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256,
	 IKE_INTEG_HMAC_SHA2_256_128, IKE_DH_ECP256},
	{IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_384,
	 IKE_INTEG_HMAC_SHA2_384_192, IKE_DH_ECP256},
	{IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_512,
	 IKE_INTEG_HMAC_SHA2_512_256, IKE_DH_ECP256},
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

static struct ike_keys keys[N_SUITES];
static bool ready;

/* Fixed keys: every run and every seed agree on them. */
static void
setup(void)
{
	uint8_t gir[32], ni[16], nr[16], spii[8], spir[8];
	size_t i;

	memset(gir, 0x42, sizeof(gir));
	memset(ni, 0x01, sizeof(ni));
	memset(nr, 0x02, sizeof(nr));
	memset(spii, 0xa1, sizeof(spii));
	memset(spir, 0xb2, sizeof(spir));
	for (i = 0; i < N_SUITES; i++)
		if (ike_keys_derive(&keys[i], &suites[i], gir, 32, ni, 16, nr,
				    16, spii, spir) == -1)
			abort();
	ready = true;
}

static void
print_seeds(void)
{
	static const uint8_t inner[] = {
		0x29, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00, /* IDi */
		0xc0, 0x00, 0x02, 0x0b, 0x00, 0x00, 0x00, 0x08, /* AUTH */
		0x02, 0x00, 0x00, 0x00,
	};
	uint8_t aad[28], body[256];
	size_t i, j, blen;

	memset(aad, 0, sizeof(aad));
	aad[17] = 46; /* next payload SK */
	for (i = 0; i < N_SUITES; i++) {
		if (ike_sk_seal(&keys[i], i % 2 ? IKE_DIR_R2I : IKE_DIR_I2R, 1,
				aad, sizeof(aad), inner, sizeof(inner), body,
				sizeof(body), &blen) == -1)
			abort();
		printf("%02x", (unsigned)sizeof(aad));
		for (j = 0; j < sizeof(aad); j++)
			printf("%02x", aad[j]);
		for (j = 0; j < blen; j++)
			printf("%02x", body[j]);
		printf("\n");
	}
}

static void
open_one(const struct ike_keys *k, enum ike_dir dir, const uint8_t *aad,
	 size_t aadlen, const uint8_t *body, size_t blen)
{
	uint8_t *out, *again, *out2;
	size_t cap = blen + 1, plen, alen, plen2;
	const char *why = NULL;

	out = malloc(cap);
	if (out == NULL)
		abort();
	if (ike_sk_open(k, dir, aad, aadlen, body, blen, out, cap, &plen,
			&why) == -1) {
		if (why == NULL)
			abort();
		free(out);
		return;
	}
	if (plen > ike_sk_open_max(k, blen))
		abort();
	alen = ike_sk_sealed_len(k, plen);
	again = malloc(alen);
	out2 = malloc(alen + 1);
	if (again == NULL || out2 == NULL)
		abort();
	if (ike_sk_seal(k, dir, 9, aad, aadlen, out, plen, again, alen,
			&alen) == -1 ||
	    ike_sk_open(k, dir, aad, aadlen, again, alen, out2, alen + 1,
			&plen2, &why) == -1 ||
	    plen2 != plen || (plen > 0 && memcmp(out, out2, plen) != 0))
		abort();
	free(out);
	free(out2);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *aad, *body;
	size_t aadlen, blen, i;

	if (!ready) {
		setup();
		if (getenv("SEED") != NULL)
			print_seeds();
	}
	if (size < 1)
		return 0;
	aadlen = data[0] % 64;
	if (aadlen > size - 1)
		aadlen = size - 1;
	blen = size - 1 - aadlen;
	aad = malloc(aadlen > 0 ? aadlen : 1);
	body = malloc(blen > 0 ? blen : 1);
	if (aad == NULL || body == NULL)
		abort();
	memcpy(aad, data + 1, aadlen);
	memcpy(body, data + 1 + aadlen, blen);
	for (i = 0; i < N_SUITES; i++) {
		open_one(&keys[i], IKE_DIR_I2R, aad, aadlen, body, blen);
		open_one(&keys[i], IKE_DIR_R2I, aad, aadlen, body, blen);
	}
	free(aad);
	free(body);
	return 0;
}
