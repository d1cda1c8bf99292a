/*
 * The ike block: IKEv2 credentials, identities, proposals, timers and
 * which peer may register which tunnel addresses.
 *
 *	ike {
 *		certificate PATH | private-key PATH | ca PATH | crl PATH
 *		psk-file PATH | identity ID | ike-proposal P... | esp-proposal
 *		auto|P... | ike-lifetime D | esp-lifetime D | dpd D
 *		nat-keepalive D | half-open-limit N [per-source M]
 *		authorize ID PREFIX...
 *	}
 *
 * Proposals use strongSwan's tokens and are kept as IANA numbers, so the
 * IKE engine never sees a name.  Like the rest of the parser this is pure:
 * conf_parse_file() (conf.c) checks the files the block names.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

#define ID_KEYID_MAX 64 /* bytes of a keyid: identity */

enum tok_kind {
	TOK_ENCR,
	TOK_INTEG,
	TOK_PRF,
	TOK_DH,
};

/* The first token of an id is the one printed (x25519, not curve25519). */
static const struct token {
	const char *name;
	enum tok_kind kind;
	uint16_t id;
	uint16_t bits;
} tokens[] = {
	{"aes128", TOK_ENCR, CONF_ENCR_AES_CBC, 128},
	{"aes192", TOK_ENCR, CONF_ENCR_AES_CBC, 192},
	{"aes256", TOK_ENCR, CONF_ENCR_AES_CBC, 256},
	{"aes128gcm16", TOK_ENCR, CONF_ENCR_AES_GCM_16, 128},
	{"aes256gcm16", TOK_ENCR, CONF_ENCR_AES_GCM_16, 256},
	{"sha256", TOK_INTEG, CONF_AUTH_HMAC_SHA2_256, 0},
	{"sha384", TOK_INTEG, CONF_AUTH_HMAC_SHA2_384, 0},
	{"sha512", TOK_INTEG, CONF_AUTH_HMAC_SHA2_512, 0},
	{"prfsha256", TOK_PRF, CONF_PRF_HMAC_SHA2_256, 0},
	{"prfsha384", TOK_PRF, CONF_PRF_HMAC_SHA2_384, 0},
	{"prfsha512", TOK_PRF, CONF_PRF_HMAC_SHA2_512, 0},
	{"modp2048", TOK_DH, CONF_DH_MODP2048, 0},
	{"modp3072", TOK_DH, CONF_DH_MODP3072, 0},
	{"modp4096", TOK_DH, CONF_DH_MODP4096, 0},
	{"ecp256", TOK_DH, CONF_DH_ECP256, 0},
	{"ecp384", TOK_DH, CONF_DH_ECP384, 0},
	{"x25519", TOK_DH, CONF_DH_CURVE25519, 0},
	{"curve25519", TOK_DH, CONF_DH_CURVE25519, 0},
};
#define NTOKENS (sizeof(tokens) / sizeof(tokens[0]))

static const struct {
	const char *prefix;
	uint8_t type;
} id_prefixes[] = {
	{"fqdn:", CONF_ID_FQDN},
	{"email:", CONF_ID_RFC822_ADDR},
	{"dn:", CONF_ID_DER_ASN1_DN},
	{"keyid:", CONF_ID_KEY_ID},
};
#define NID_PREFIXES (sizeof(id_prefixes) / sizeof(id_prefixes[0]))

#define ID_SYNTAX "an address, fqdn:NAME, email:ADDRESS, dn:\"DN\" or keyid:HEX"

/* The value i as a message shows it (conf_parse.c has the same). */
static const char *
show(struct conf_parser *p, size_t i)
{
	char *b = p->showbuf[p->nshow++ % CONF_SHOW_SLOTS];

	return conf_show(&p->args[i], b);
}

/* RFC 7296 2.13 and 3.3.2: with an AEAD cipher, the PRF is chosen alone. */
static uint16_t
prf_for(uint16_t integ)
{
	switch (integ) {
	case CONF_AUTH_HMAC_SHA2_384:
		return CONF_PRF_HMAC_SHA2_384;
	case CONF_AUTH_HMAC_SHA2_512:
		return CONF_PRF_HMAC_SHA2_512;
	}
	return CONF_PRF_HMAC_SHA2_256;
}

static void
proposal_set(struct conf_proposal *pr, uint16_t encr, uint16_t integ,
	     const uint16_t *dh, size_t ndh)
{
	memset(pr, 0, sizeof(*pr));
	pr->encr = encr;
	pr->encr_bits = 256;
	pr->integ = integ;
	pr->prf = prf_for(integ);
	memcpy(pr->dh, dh, ndh * sizeof(*dh));
	pr->ndh = ndh;
}

void
conf_ike_defaults(struct conf_ike *ike)
{
	/* Curve25519 first (RFC 8031), then what every peer has. */
	static const uint16_t dh[] = {CONF_DH_CURVE25519, CONF_DH_ECP256,
				      CONF_DH_MODP3072};

	conf_ike_clear(ike);
	proposal_set(&ike->ike[0], CONF_ENCR_AES_GCM_16, 0, dh, 3);
	proposal_set(&ike->ike[1], CONF_ENCR_AES_CBC, CONF_AUTH_HMAC_SHA2_256,
		     dh, 3);
	ike->nike = 2;
	ike->esp_auto = true;
	ike->ike_lifetime = CONF_DEFAULT_IKE_LIFETIME;
	ike->esp_lifetime = CONF_DEFAULT_ESP_LIFETIME;
	ike->dpd = CONF_DEFAULT_DPD;
	ike->nat_keepalive = CONF_DEFAULT_NAT_KEEPALIVE;
	ike->retransmit_tries = CONF_DEFAULT_RETRANSMIT_TRIES;
	ike->half_open_limit = CONF_DEFAULT_HALF_OPEN_LIMIT;
	ike->half_open_per_source = CONF_DEFAULT_HALF_OPEN_SOURCE;
}

static void
authorize_clear(struct conf_authorize *a)
{
	free(a->id.value);
	free(a->prefixes);
}

void
conf_ike_clear(struct conf_ike *ike)
{
	size_t i;

	free(ike->certificate);
	free(ike->private_key);
	free(ike->ca);
	free(ike->crl);
	free(ike->psk_file);
	free(ike->identity.value);
	for (i = 0; i < ike->nauthorize; i++)
		authorize_clear(&ike->authorize[i]);
	free(ike->authorize);
	memset(ike, 0, sizeof(*ike));
}

/* --- files ------------------------------------------------------------- */

static void
file_kw(struct conf_parser *p, char **path, unsigned int *line)
{
	if (conf_path_arg(p, 1, CONF_PATH_MAX, "", path) == 0)
		*line = p->stmt_line;
}

void
conf_kw_certificate(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	file_kw(p, &p->conf->ike.certificate, &p->conf->ike.certificate_line);
}

void
conf_kw_private_key(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	file_kw(p, &p->conf->ike.private_key, &p->conf->ike.private_key_line);
}

void
conf_kw_ca(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	file_kw(p, &p->conf->ike.ca, &p->conf->ike.ca_line);
}

void
conf_kw_crl(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	file_kw(p, &p->conf->ike.crl, &p->conf->ike.crl_line);
}

void
conf_kw_psk_file(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	file_kw(p, &p->conf->ike.psk_file, &p->conf->ike.psk_file_line);
}

/* --- identities -------------------------------------------------------- */

static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@'))
		return false;
	/* RFC 5322 allows much in the local part; no blanks, though. */
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Lower-case hex of 1..ID_KEYID_MAX bytes, in place; false if not. */
static bool
keyid_ok(char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n % 2 != 0 || n > ID_KEYID_MAX * 2)
		return false;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		s[i] = (char)tolower((unsigned char)s[i]);
	}
	return true;
}

/*
 * The ID at p->args[i] into id; our own identity may be `default`.
 * `dn:"CN=a b"` reaches us as two words, "dn:" and a quoted string, so a
 * bare prefix takes the quoted word after it.  Returns the words used,
 * or -1 after reporting what is wrong, as "LABEL ID: what".
 */
static int
id_arg(struct conf_parser *p, const char *label, size_t i, bool ours,
       struct conf_id *id)
{
	const struct conf_arg *a = &p->args[i];
	char *full, q[CONF_SHOW_BUF * 2], s[ADDR_STRLEN];
	const char *why = NULL, *v;
	size_t k, plen, used = 1;

	memset(id, 0, sizeof(*id));
	if (ours && !a->quoted && strcmp(a->s, "default") == 0)
		return 1;
	for (k = 0; k < NID_PREFIXES; k++)
		if (strcmp(a->s, id_prefixes[k].prefix) == 0 && !a->quoted &&
		    i + 1 < p->nargs && p->args[i + 1].quoted)
			used = 2;
	if ((full = malloc(a->len + (used == 2 ? p->args[i + 1].len : 0) +
			   1)) == NULL) {
		p->nomem = true;
		return -1;
	}
	strcpy(full, a->s);
	if (used == 2)
		strcat(full, p->args[i + 1].s);
	/* As written: `dn:"CN=a b"` is two words. */
	snprintf(q, sizeof(q), "%s%s", show(p, i),
		 used == 2 ? show(p, i + 1) : "");
	for (k = 0; k < NID_PREFIXES; k++) {
		plen = strlen(id_prefixes[k].prefix);
		if (strncmp(full, id_prefixes[k].prefix, plen) == 0)
			break;
	}
	if (k == NID_PREFIXES) {
		if (addr_parse(&id->addr, full) == -1) {
			conf_err(p, p->stmt_line, "%s %s: expected %s%s", label,
				 q, ours ? "default, " : "", ID_SYNTAX);
			goto fail;
		}
		id->type = id->addr.family == AF_INET ? CONF_ID_IPV4_ADDR
						      : CONF_ID_IPV6_ADDR;
		id->value = strdup(addr_fmt(&id->addr, s));
	} else {
		id->type = id_prefixes[k].type;
		id->value = strdup(full + plen);
	}
	if (id->value == NULL) {
		p->nomem = true;
		goto fail;
	}
	v = id->value;
	if (strlen(v) > CONF_ID_MAX) {
		conf_err(p, p->stmt_line, "%s %s: longer than %d bytes", label,
			 q, CONF_ID_MAX);
		goto fail;
	}
	switch (id->type) {
	case CONF_ID_FQDN:
		if (!conf_hostname_ok(v, strlen(v)))
			why = "not a host name";
		for (k = 0; why == NULL && v[k] != '\0'; k++)
			id->value[k] = (char)tolower((unsigned char)v[k]);
		break;
	case CONF_ID_RFC822_ADDR:
		if (!email_ok(v))
			why = "not an email address (NAME@DOMAIN)";
		break;
	case CONF_ID_DER_ASN1_DN:
		/* The IKE layer parses it (RFC 4514), with OpenSSL. */
		if (strchr(v, '=') == NULL)
			why = "not a distinguished name (e.g. "
			      "dn:\"CN=hub,O=Example\")";
		break;
	case CONF_ID_KEY_ID:
		if (!keyid_ok(id->value))
			why = "not hex digits (an even number, at most 128)";
		break;
	}
	if (why != NULL) {
		conf_err(p, p->stmt_line, "%s %s: %s", label, q, why);
		goto fail;
	}
	free(full);
	return (int)used;
fail:
	free(full);
	free(id->value);
	memset(id, 0, sizeof(*id));
	return -1;
}

void
conf_kw_identity(struct conf_parser *p, struct conf_tunnel *t)
{
	struct conf_id id;
	int n;

	(void)t;
	if (p->nargs < 2) {
		conf_err(p, p->stmt_line, "identity: missing value");
		return;
	}
	if ((n = id_arg(p, "identity", 1, true, &id)) == -1)
		return;
	if ((size_t)n + 1 < p->nargs) {
		conf_err(p, p->stmt_line, "identity: unexpected %s",
			 show(p, (size_t)n + 1));
		free(id.value);
		return;
	}
	free(p->conf->ike.identity.value);
	p->conf->ike.identity = id;
}

/* --- proposals --------------------------------------------------------- */

static const struct token *
token_find(const char *name)
{
	size_t i;

	for (i = 0; i < NTOKENS; i++)
		if (strcmp(tokens[i].name, name) == 0)
			return &tokens[i];
	return NULL;
}

static const char *
token_name(enum tok_kind kind, uint16_t id, uint16_t bits)
{
	size_t i;

	for (i = 0; i < NTOKENS; i++)
		if (tokens[i].kind == kind && tokens[i].id == id &&
		    tokens[i].bits == bits)
			return tokens[i].name;
	return "?";
}

static bool
proposal_eq(const struct conf_proposal *a, const struct conf_proposal *b)
{
	return a->encr == b->encr && a->encr_bits == b->encr_bits &&
	       a->integ == b->integ && a->prf == b->prf && a->ndh == b->ndh &&
	       memcmp(a->dh, b->dh, a->ndh * sizeof(a->dh[0])) == 0;
}

bool
conf_proposals_equal(const struct conf_proposal *a, size_t na,
		     const struct conf_proposal *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!proposal_eq(&a[i], &b[i]))
			return false;
	return true;
}

/* Report "LABEL: TOKEN" and what is wrong with the token. */
static void
tok_err(struct conf_parser *p, const char *label, const char *tok,
	const char *what)
{
	char q[CONF_SHOW_BUF];

	conf_quote(tok, strlen(tok), q, sizeof(q), CONF_SHOW_MAX);
	conf_err(p, p->stmt_line, "%s: %s%s", label, q, what);
}

/* One token of a proposal into pr; -1 after reporting it. */
static int
proposal_token(struct conf_parser *p, const char *label, const char *w,
	       bool esp, struct conf_proposal *pr)
{
	const char *names[NTOKENS], *hint;
	const struct token *tk = token_find(w);
	char q[CONF_SHOW_BUF];
	size_t i;

	if (*w == '\0') {
		conf_err(p, p->stmt_line, "%s: empty algorithm name", label);
		return -1;
	}
	if (tk == NULL) {
		for (i = 0; i < NTOKENS; i++)
			names[i] = tokens[i].name;
		hint = conf_suggest(w, names, NTOKENS);
		conf_quote(w, strlen(w), q, sizeof(q), CONF_SHOW_MAX);
		if (hint != NULL)
			conf_err(p, p->stmt_line,
				 "%s: unknown algorithm %s (did you mean %s?)",
				 label, q, hint);
		else
			conf_err(p, p->stmt_line, "%s: unknown algorithm %s",
				 label, q);
		return -1;
	}
	switch (tk->kind) {
	case TOK_ENCR:
		if (pr->encr == tk->id && pr->encr_bits == tk->bits)
			goto twice;
		if (pr->encr != 0) {
			tok_err(p, label, w,
				": a second encryption algorithm (one per "
				"proposal)");
			return -1;
		}
		pr->encr = tk->id;
		pr->encr_bits = tk->bits;
		return 0;
	case TOK_INTEG:
		if (pr->integ == tk->id)
			goto twice;
		if (pr->integ != 0) {
			tok_err(p, label, w,
				": a second integrity algorithm (one per "
				"proposal)");
			return -1;
		}
		pr->integ = tk->id;
		return 0;
	case TOK_PRF:
		if (esp) {
			tok_err(p, label, w,
				": a PRF is for ike-proposal only");
			return -1;
		}
		if (pr->prf == tk->id)
			goto twice;
		if (pr->prf != 0) {
			tok_err(p, label, w,
				": a second PRF (one per proposal)");
			return -1;
		}
		pr->prf = tk->id;
		return 0;
	case TOK_DH:
		for (i = 0; i < pr->ndh; i++)
			if (pr->dh[i] == tk->id)
				goto twice;
		if (pr->ndh == CONF_MAX_DH) {
			conf_err(p, p->stmt_line, "%s: more than %d DH groups",
				 label, CONF_MAX_DH);
			return -1;
		}
		pr->dh[pr->ndh++] = tk->id;
		return 0;
	}
twice:
	tok_err(p, label, w, " given twice");
	return -1;
}

/* The proposal at p->args[i], such as "aes256-sha256-ecp256"; -1: bad. */
static int
proposal_arg(struct conf_parser *p, size_t i, bool esp,
	     struct conf_proposal *pr)
{
	char label[CONF_SHOW_BUF + 16], w[CONF_WORD_MAX + 1];
	const char *s, *e, *enc;
	size_t n;

	memset(pr, 0, sizeof(*pr));
	snprintf(label, sizeof(label), "%s %s", p->args[0].s, show(p, i));
	for (s = p->args[i].s;; s = e + 1) {
		e = strchr(s, '-');
		n = e == NULL ? strlen(s) : (size_t)(e - s);
		memcpy(w, s, n);
		w[n] = '\0';
		if (proposal_token(p, label, w, esp, pr) == -1)
			return -1;
		if (e == NULL)
			break;
	}
	if (pr->encr == 0) {
		conf_err(p, p->stmt_line,
			 "%s: no encryption algorithm (aes128, aes192, "
			 "aes256, aes128gcm16 or aes256gcm16)",
			 label);
		return -1;
	}
	enc = token_name(TOK_ENCR, pr->encr, pr->encr_bits);
	if (pr->encr == CONF_ENCR_AES_GCM_16 && pr->integ != 0) {
		conf_err(p, p->stmt_line,
			 "%s: %s: no integrity algorithm with %s (GCM "
			 "authenticates)",
			 label, token_name(TOK_INTEG, pr->integ, 0), enc);
		return -1;
	}
	if (pr->encr == CONF_ENCR_AES_CBC && pr->integ == 0) {
		conf_err(p, p->stmt_line,
			 "%s: %s: needs an integrity algorithm (sha256, "
			 "sha384 or sha512)",
			 label, enc);
		return -1;
	}
	if (!esp && pr->ndh == 0) {
		conf_err(p, p->stmt_line,
			 "%s: needs a DH group (modp2048, modp3072, modp4096, "
			 "ecp256, ecp384 or x25519)",
			 label);
		return -1;
	}
	if (!esp && pr->prf == 0)
		pr->prf = prf_for(pr->integ);
	return 0;
}

/* `ike-proposal P...` or `esp-proposal P...`; -1 after an error. */
static int
proposals_arg(struct conf_parser *p, bool esp, struct conf_proposal *v,
	      size_t *nv)
{
	char label[CONF_SHOW_BUF + 16];
	size_t i, j;

	if (p->nargs < 2) {
		conf_err(p, p->stmt_line, "%s: missing value", p->args[0].s);
		return -1;
	}
	if (p->nargs - 1 > CONF_MAX_PROPOSALS) {
		conf_err(p, p->stmt_line, "%s: at most %d proposals",
			 p->args[0].s, CONF_MAX_PROPOSALS);
		return -1;
	}
	for (i = 1; i < p->nargs; i++) {
		if (proposal_arg(p, i, esp, &v[i - 1]) == -1)
			return -1;
		for (j = 0; j + 1 < i; j++) {
			if (!proposal_eq(&v[j], &v[i - 1]))
				continue;
			snprintf(label, sizeof(label), "%s %s", p->args[0].s,
				 show(p, i));
			conf_err(p, p->stmt_line, "%s: the same as %s", label,
				 show(p, j + 1));
			return -1;
		}
	}
	*nv = p->nargs - 1;
	return 0;
}

void
conf_kw_ike_proposal(struct conf_parser *p, struct conf_tunnel *t)
{
	struct conf_ike *ike = &p->conf->ike;
	struct conf_proposal v[CONF_MAX_PROPOSALS];
	size_t n;

	(void)t;
	if (proposals_arg(p, false, v, &n) == 0) {
		memcpy(ike->ike, v, n * sizeof(v[0]));
		ike->nike = n;
	}
}

/* `auto`: what the kernel has (/proc/crypto), chosen at run time. */
void
conf_kw_esp_proposal(struct conf_parser *p, struct conf_tunnel *t)
{
	struct conf_ike *ike = &p->conf->ike;
	struct conf_proposal v[CONF_MAX_PROPOSALS];
	size_t i, n;

	(void)t;
	for (i = 1; i < p->nargs; i++) {
		if (strcmp(p->args[i].s, "auto") != 0)
			continue;
		if (p->nargs == 2) {
			ike->esp_auto = true;
			ike->nesp = 0;
		} else {
			conf_err(p, p->stmt_line,
				 "esp-proposal: auto cannot be combined with "
				 "proposals");
		}
		return;
	}
	if (proposals_arg(p, true, v, &n) == 0) {
		memcpy(ike->esp, v, n * sizeof(v[0]));
		ike->nesp = n;
		ike->esp_auto = false;
	}
}

/* --- timers and limits ------------------------------------------------- */

void
conf_kw_ike_lifetime(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	conf_dur_arg(p, "ike-lifetime", 1, 60, 86400,
		     &p->conf->ike.ike_lifetime);
}

void
conf_kw_esp_lifetime(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	conf_dur_arg(p, "esp-lifetime", 1, 60, 86400,
		     &p->conf->ike.esp_lifetime);
}

/* A duration of 0 (off) or min..max seconds. */
static void
dur_off_arg(struct conf_parser *p, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (conf_duration_parse(p->args[1].s, &v) == 0 && v != 0 &&
	    (v < min || v > max)) {
		conf_err(p, p->stmt_line, "%s %s: must be 0s (off) or %us..%us",
			 p->args[0].s, show(p, 1), min, max);
		return;
	}
	/* The syntax, with the message every duration has. */
	conf_dur_arg(p, p->args[0].s, 1, 0, max, out);
}

void
conf_kw_dpd(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	dur_off_arg(p, 5, 3600, &p->conf->ike.dpd);
}

/* RFC 3948 4: keepalives hold the NAT mapping; NATs forget in minutes. */
void
conf_kw_nat_keepalive(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	dur_off_arg(p, 5, 600, &p->conf->ike.nat_keepalive);
}

/*
 * RFC 7296 2.1: how often a request is sent before the peer is taken for
 * dead (2 s, then doubling): 5 gives up after about a minute, 3 after 14 s
 * (dead peer detection included).
 */
void
conf_kw_retransmit_tries(struct conf_parser *p, struct conf_tunnel *t)
{
	uint64_t v;

	(void)t;
	if (conf_num_arg(p, "retransmit-tries", 1, 1, 10, &v) == 0)
		p->conf->ike.retransmit_tries = (uint32_t)v;
}

/*
 * RFC 7296 2.6: above this many half-open IKE SAs we answer with a
 * cookie (0: always).  per-source caps those from one address, where a
 * CGNAT may hide many spokes (0: no cap).
 */
void
conf_kw_half_open_limit(struct conf_parser *p, struct conf_tunnel *t)
{
	struct conf_ike *ike = &p->conf->ike;
	uint64_t total, source = ike->half_open_per_source;

	(void)t;
	if ((p->nargs != 2 && p->nargs != 4) ||
	    (p->nargs == 4 && strcmp(p->args[2].s, "per-source") != 0)) {
		conf_err(p, p->stmt_line,
			 "half-open-limit: expected half-open-limit N "
			 "[per-source M]");
		return;
	}
	if (conf_num_arg(p, "half-open-limit", 1, 0, 1000000, &total) == -1)
		return;
	if (p->nargs == 4 && conf_num_arg(p, "half-open-limit per-source", 3, 0,
					  1000000, &source) == -1)
		return;
	ike->half_open_limit = (uint32_t)total;
	ike->half_open_per_source = (uint32_t)source;
}

/* --- authorize --------------------------------------------------------- */

void
conf_kw_authorize(struct conf_parser *p, struct conf_tunnel *t)
{
	struct conf_ike *ike = &p->conf->ike;
	struct conf_authorize a, *v;
	struct prefix pf, masked;
	char label[CONF_SHOW_BUF * 2 + 16], s[ADDR_STRLEN];
	size_t i, j;
	int n;

	(void)t;
	memset(&a, 0, sizeof(a));
	a.line = p->stmt_line;
	if (p->nargs < 3) {
		conf_err(p, p->stmt_line,
			 "authorize: expected authorize ID PREFIX... (e.g. "
			 "authorize fqdn:spoke1.example.net 172.16.0.11)");
		return;
	}
	if (ike->nauthorize == CONF_MAX_AUTHORIZE) {
		conf_err(p, p->stmt_line, "authorize: at most %d",
			 CONF_MAX_AUTHORIZE);
		return;
	}
	if ((n = id_arg(p, "authorize", 1, false, &a.id)) == -1)
		return;
	snprintf(label, sizeof(label), "authorize %s%s", show(p, 1),
		 n == 2 ? show(p, 2) : "");
	if ((size_t)n + 1 == p->nargs) {
		conf_err(p, p->stmt_line,
			 "%s: no tunnel address or prefix to authorize", label);
		goto fail;
	}
	if (p->nargs - 1 - (size_t)n > CONF_MAX_AUTH_PREFIXES) {
		conf_err(p, p->stmt_line, "%s: at most %d prefixes", label,
			 CONF_MAX_AUTH_PREFIXES);
		goto fail;
	}
	a.prefixes = calloc(p->nargs - 1 - (size_t)n, sizeof(*a.prefixes));
	if (a.prefixes == NULL) {
		p->nomem = true;
		goto fail;
	}
	for (i = (size_t)n + 1; i < p->nargs; i++) {
		if (prefix_parse(&pf, p->args[i].s) == -1) {
			conf_err(p, p->stmt_line,
				 "%s %s: not an address or a prefix", label,
				 show(p, i));
			goto fail;
		}
		masked = pf;
		prefix_mask(&masked);
		if (!addr_eq(&masked.addr, &pf.addr)) {
			conf_err(p, p->stmt_line,
				 "%s %s: host bits set (did you mean %s?)",
				 label, show(p, i), prefix_fmt(&masked, s));
			goto fail;
		}
		for (j = 0; j < a.nprefixes; j++)
			if (prefix_eq(&a.prefixes[j], &pf))
				break;
		if (j < a.nprefixes) {
			conf_err(p, p->stmt_line, "%s %s: given twice", label,
				 show(p, i));
			goto fail;
		}
		a.prefixes[a.nprefixes++] = pf;
	}
	if ((v = conf_grow(p, ike->authorize, ike->nauthorize, sizeof(*v))) ==
	    NULL)
		goto fail;
	ike->authorize = v;
	ike->authorize[ike->nauthorize++] = a;
	return;
fail:
	authorize_clear(&a);
}

/* --- the block's rules ------------------------------------------------- */

bool
conf_id_equal(const struct conf_id *a, const struct conf_id *b)
{
	if (a->type != b->type)
		return false;
	if (a->value == NULL || b->value == NULL)
		return a->value == b->value;
	return strcmp(a->value, b->value) == 0;
}

static int
authorize_cmp(const void *x, const void *y)
{
	const struct conf_authorize *a =
		*(const struct conf_authorize *const *)x;
	const struct conf_authorize *b =
		*(const struct conf_authorize *const *)y;
	int c;

	if (a->id.type != b->id.type)
		return a->id.type < b->id.type ? -1 : 1;
	if ((c = strcmp(a->id.value, b->id.value)) != 0)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* An ID authorized twice is a mistake: which line would win? */
static void
check_authorize(struct conf_parser *p, const struct conf_ike *ike)
{
	const struct conf_authorize **v, *first = NULL;
	char *s;
	size_t i, len;

	if (ike->nauthorize < 2)
		return;
	if ((v = calloc(ike->nauthorize, sizeof(*v))) == NULL) {
		p->nomem = true;
		return;
	}
	for (i = 0; i < ike->nauthorize; i++)
		v[i] = &ike->authorize[i];
	/* Sorted, not pairwise: a hub may authorize thousands. */
	qsort(v, ike->nauthorize, sizeof(*v), authorize_cmp);
	for (i = 0; i < ike->nauthorize; i++) {
		if (first == NULL || !conf_id_equal(&first->id, &v[i]->id)) {
			first = v[i];
			continue;
		}
		len = strlen(v[i]->id.value) * 4 + 16;
		if ((s = malloc(len)) == NULL) {
			p->nomem = true;
			break;
		}
		conf_err(p, v[i]->line,
			 "authorize %s: already given at line %u",
			 conf_id_fmt(&v[i]->id, s, len), first->line);
		free(s);
	}
	free(v);
}

void
conf_ike_finish(struct conf_parser *p)
{
	const unsigned int *seen = p->gseen;
	const bool *bad = p->tbad;
	struct conf_ike *ike = &p->conf->ike;

	/* A statement given with an error has had its message. */
	if (seen[KW_CERTIFICATE] == 0 && seen[KW_PRIVATE_KEY] == 0 &&
	    seen[KW_PSK_FILE] == 0)
		conf_err(p, ike->line,
			 "ike: an authentication method is required: psk-file, "
			 "or certificate, private-key and ca");
	if (seen[KW_CERTIFICATE] != 0 && !bad[KW_CERTIFICATE]) {
		if (seen[KW_PRIVATE_KEY] == 0)
			conf_err(p, seen[KW_CERTIFICATE],
				 "certificate: needs private-key");
		if (seen[KW_CA] == 0)
			conf_err(p, seen[KW_CERTIFICATE],
				 "certificate: needs ca (the trust anchors "
				 "that verify peers' certificates)");
	}
	if (seen[KW_PRIVATE_KEY] != 0 && !bad[KW_PRIVATE_KEY] &&
	    seen[KW_CERTIFICATE] == 0)
		conf_err(p, seen[KW_PRIVATE_KEY],
			 "private-key: needs certificate");
	if (seen[KW_CRL] != 0 && !bad[KW_CRL] && seen[KW_CA] == 0)
		conf_err(p, seen[KW_CRL], "crl: needs ca");
	check_authorize(p, ike);
}

void
conf_ike_file_end(struct conf_parser *p)
{
	struct dmvpn_conf *conf = p->conf;
	size_t i;

	for (i = 0; i < conf->ntunnels; i++)
		if (p->ipsec_implicit[i])
			conf->tunnels[i].ipsec = conf->ike.present;
	/* A misplaced ike block has its own message. */
	for (i = 0; i < p->nipsec_yes && !p->ike_any; i++)
		conf_err(p, p->ipsec_yes[i], "ipsec yes: needs an ike block");
}

/* --- spelling ---------------------------------------------------------- */

/* Append s to out (outlen bytes, NUL-terminated, truncated). */
static void
append(char *out, size_t outlen, size_t *used, const char *s)
{
	size_t n = strlen(s);

	if (*used >= outlen)
		return;
	if (n >= outlen - *used)
		n = outlen - *used - 1;
	memcpy(out + *used, s, n);
	*used += n;
	out[*used] = '\0';
}

const char *
conf_proposal_fmt(const struct conf_proposal *pr, char *out, size_t outlen)
{
	size_t i, used = 0;

	if (outlen == 0)
		return out;
	out[0] = '\0';
	append(out, outlen, &used,
	       token_name(TOK_ENCR, pr->encr, pr->encr_bits));
	if (pr->integ != 0) {
		append(out, outlen, &used, "-");
		append(out, outlen, &used, token_name(TOK_INTEG, pr->integ, 0));
	}
	if (pr->prf != 0) {
		append(out, outlen, &used, "-");
		append(out, outlen, &used, token_name(TOK_PRF, pr->prf, 0));
	}
	for (i = 0; i < pr->ndh && i < CONF_MAX_DH; i++) {
		append(out, outlen, &used, "-");
		append(out, outlen, &used, token_name(TOK_DH, pr->dh[i], 0));
	}
	return out;
}

const char *
conf_id_fmt(const struct conf_id *id, char *out, size_t outlen)
{
	char e[5];
	size_t i, used = 0;

	if (outlen == 0)
		return out;
	out[0] = '\0';
	if (id->type == CONF_ID_DEFAULT || id->value == NULL) {
		append(out, outlen, &used, "default");
		return out;
	}
	for (i = 0; i < NID_PREFIXES; i++)
		if (id_prefixes[i].type == id->type)
			append(out, outlen, &used, id_prefixes[i].prefix);
	/* A DN is quoted, as it is usually written. */
	if (id->type != CONF_ID_DER_ASN1_DN &&
	    conf_bare_ok(id->value, strlen(id->value))) {
		append(out, outlen, &used, id->value);
		return out;
	}
	append(out, outlen, &used, "\"");
	for (i = 0; id->value[i] != '\0'; i++)
		append(out, outlen, &used,
		       conf_esc((unsigned char)id->value[i], e));
	append(out, outlen, &used, "\"");
	return out;
}
