/*
 * libFuzzer target for the /proc/crypto parser (src/xfrm/xfrm_crypto.c):
 * any bytes as the file's text.  Lookups must return terminated strings
 * and a known order; the copy is exact-size so ASan sees any overread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/xfrm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const algs[] = {"rfc4106(gcm(aes))", "gcm(aes)", "cbc(aes)",
				   "hmac(sha256)"};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xfrm_crypto_driver d;
	enum xfrm_esp_order o;
	const char *why = NULL;
	char *text;
	size_t i;

	text = malloc(size > 0 ? size : 1);
	if (text == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (xfrm_crypto_lookup(text, size, algs[i], &d) == 0 &&
		    (strcmp(d.name, algs[i]) != 0 ||
		     strnlen(d.driver, sizeof(d.driver)) == sizeof(d.driver)))
			abort();
	}
	o = xfrm_crypto_esp_order(text, size, &why);
	if ((o != XFRM_ESP_GCM_FIRST && o != XFRM_ESP_CBC_FIRST) || why == NULL)
		abort();
	free(text);
	return 0;
}
