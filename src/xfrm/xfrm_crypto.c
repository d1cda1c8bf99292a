/*
 * /proc/crypto: which driver the kernel binds for an ESP algorithm name,
 * and the ESP proposal order that suits this host.  See
 * include/dmvpn/xfrm.h.
 *
 * The file is a list of blank-line separated records of "key : value"
 * lines ("name", "driver", "priority", "internal", ...).  For a name the
 * kernel picks the highest cra_priority implementation that is not
 * internal (crypto/api.c), e.g. rfc4106-gcm-aesni (400) over the generic
 * template instance.  VIA Padlock registers only aes/cbc(aes) and
 * sha1/sha256 (drivers/crypto/padlock-{aes,sha}.c): no GCM, so there
 * CBC + HMAC-SHA-256 is the fast pair.
 *
 * The text is taken as a (pointer, length) pair and may be anything:
 * every read stays inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmvpn/xfrm.h"

/*
 * Driver-name fragments of CPU-accelerated implementations: x86 AES-NI
 * and VAES (arch/x86/crypto/aesni-intel_glue.c), VIA Padlock, and the
 * arm64 Crypto Extensions ("gcm-aes-ce", "sha256-ce").
 */
static const char *const accel_marks[] = {"aesni", "vaes", "padlock", "-ce"};

struct rec {
	char name[XFRM_ALG_NAMELEN];
	char driver[XFRM_ALG_NAMELEN];
	int priority;
	bool internal;
};

/*
 * A driver built from templates is only as fast as its slowest part:
 * "rfc4106(gcm_base(ctr(aes-padlock),ghash-generic))" does GHASH in
 * plain C, so any "-generic" component disqualifies it.
 */
static bool
accelerated(const char *driver)
{
	size_t i, n = strlen(driver);

	if (strstr(driver, "-generic") != NULL)
		return false;
	for (i = 0; i < sizeof(accel_marks) / sizeof(accel_marks[0]); i++) {
		const char *m = accel_marks[i];

		/* "-ce" only as a suffix, so no "-ccm-..." false match. */
		if (m[0] == '-') {
			size_t k = strlen(m);

			if (n >= k && strcmp(driver + n - k, m) == 0)
				return true;
		} else if (strstr(driver, m) != NULL) {
			return true;
		}
	}
	return false;
}

/* Copy [p, p + n) trimmed of blanks into out (truncated, NUL-ended). */
static void
copy_trim(char *out, size_t outlen, const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 &&
	       (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static int
parse_int(const char *s)
{
	long v = 0;

	/* Priorities are small; clamp anything odd instead of overflowing. */
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > 1000000)
			return 1000000;
	}
	return (int)v;
}

/* One "key : value" line into r. */
static void
parse_line(struct rec *r, const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n);
	char key[16], val[XFRM_ALG_NAMELEN];
	size_t klen;

	if (colon == NULL)
		return;
	klen = (size_t)(colon - p);
	copy_trim(key, sizeof(key), p, klen);
	copy_trim(val, sizeof(val), colon + 1, n - klen - 1);
	if (strcmp(key, "name") == 0)
		memcpy(r->name, val, sizeof(r->name));
	else if (strcmp(key, "driver") == 0)
		memcpy(r->driver, val, sizeof(r->driver));
	else if (strcmp(key, "priority") == 0)
		r->priority = parse_int(val);
	else if (strcmp(key, "internal") == 0)
		r->internal = strcmp(val, "yes") == 0;
}

typedef void rec_fn(const struct rec *r, void *arg);

/* Call fn for every record of the text. */
static void
each_rec(const char *text, size_t len, rec_fn *fn, void *arg)
{
	struct rec r;
	size_t off = 0;
	bool any = false;

	memset(&r, 0, sizeof(r));
	while (off < len) {
		const char *p = text + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - p) : len - off;

		off += n + (nl != NULL ? 1 : 0);
		if (n == 0 || (n == 1 && p[0] == '\r')) {
			if (any)
				fn(&r, arg);
			memset(&r, 0, sizeof(r));
			any = false;
			continue;
		}
		parse_line(&r, p, n);
		any = true;
	}
	if (any)
		fn(&r, arg);
}

struct lookup {
	const char *alg;
	struct xfrm_crypto_driver *out;
	bool found;
};

static void
lookup_rec(const struct rec *r, void *arg)
{
	struct lookup *l = arg;

	if (r->internal || r->driver[0] == '\0' || strcmp(r->name, l->alg) != 0)
		return;
	if (l->found && r->priority <= l->out->priority)
		return;
	memcpy(l->out->name, r->name, sizeof(l->out->name));
	memcpy(l->out->driver, r->driver, sizeof(l->out->driver));
	l->out->priority = r->priority;
	l->out->accelerated = accelerated(r->driver);
	l->found = true;
}

int
xfrm_crypto_lookup(const char *text, size_t len, const char *alg,
		   struct xfrm_crypto_driver *out)
{
	struct lookup l = {alg, out, false};

	memset(out, 0, sizeof(*out));
	each_rec(text, len, lookup_rec, &l);
	return l.found ? 0 : -1;
}

struct survey {
	bool x86_aes; /* an AES-NI or VAES driver of any kind */
	bool padlock; /* a Padlock AES driver */
};

static void
survey_rec(const struct rec *r, void *arg)
{
	struct survey *s = arg;

	if (r->internal)
		return;
	if (strstr(r->driver, "aesni") != NULL ||
	    strstr(r->driver, "vaes") != NULL)
		s->x86_aes = true;
	if (strstr(r->driver, "padlock") != NULL &&
	    strstr(r->name, "aes") != NULL)
		s->padlock = true;
}

enum xfrm_esp_order
xfrm_crypto_esp_order(const char *text, size_t len, const char **why)
{
	struct xfrm_crypto_driver d;
	struct survey s = {false, false};
	const char *reason;
	enum xfrm_esp_order o = XFRM_ESP_GCM_FIRST;

	memset(&d, 0, sizeof(d));
	each_rec(text, len, survey_rec, &s);
	if ((xfrm_crypto_lookup(text, len, "rfc4106(gcm(aes))", &d) == 0 &&
	     d.accelerated) ||
	    (xfrm_crypto_lookup(text, len, "gcm(aes)", &d) == 0 &&
	     d.accelerated)) {
		reason = "accelerated AES-GCM driver";
	} else if (s.x86_aes) {
		/* The GCM instance is built on first use, from AES-NI. */
		reason = "AES-NI/VAES present";
	} else if (s.padlock) {
		o = XFRM_ESP_CBC_FIRST;
		reason = "Padlock AES without GCM: CBC + HMAC-SHA-256 first";
	} else {
		/* Generic code: GCM is still cheaper than CBC + HMAC. */
		reason = "no accelerated AES: generic GCM";
	}
	if (why != NULL)
		*why = reason;
	return o;
}

int
xfrm_crypto_read(const char *path, char **text, size_t *len)
{
	/* /proc files have no size: read until EOF, up to a sane bound. */
	size_t cap = 65536, n = 0;
	char *p, *q;
	ssize_t r;
	int fd, saved;

	*text = NULL;
	*len = 0;
	p = malloc(cap);
	if (p == NULL)
		return -1;
	fd = open(path != NULL ? path : "/proc/crypto", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		goto fail;
	for (;;) {
		if (n == cap) {
			if (cap >= (16u << 20)) {
				errno = EFBIG;
				goto fail;
			}
			cap *= 2;
			q = realloc(p, cap);
			if (q == NULL)
				goto fail;
			p = q;
		}
		r = read(fd, p + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*text = p;
	*len = n;
	return 0;
fail:
	saved = errno;
	free(p);
	if (fd != -1)
		close(fd);
	errno = saved;
	return -1;
}
