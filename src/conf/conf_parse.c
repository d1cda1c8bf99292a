/*
 * The parser: recursive descent over the statements conf_lex.c reads.
 *
 *	file   := { stmt } EOF
 *	stmt   := KEYWORD { value } ( EOL | "{" { stmt } "}" )
 *
 * A keyword is a row of keywords[] (its scope, whether it may repeat,
 * how many values it takes) plus one handler.  Handlers see the values in
 * p->args[1..] and report what is wrong with them as "KEYWORD VALUE: what
 * is wrong"; block-level rules are checked when the block closes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

#define SCOPE_GLOBAL 0x1
#define SCOPE_TUNNEL 0x2
#define SCOPE_IKE    0x4
#define VALUES_ANY   ((size_t)-1) /* the handler checks the values */

typedef void kw_fn(struct conf_parser *p, struct conf_tunnel *t);

struct keyword {
	const char *name;
	unsigned int scope;
	bool repeat; /* may be given more than once */
	bool block;  /* opens a block */
	size_t nvals;
	kw_fn *fn;
};

static kw_fn kw_log_level, kw_debug, kw_control_socket, kw_state_dir,
	kw_route_protocol, kw_hook_script, kw_tunnel, kw_ike, kw_role,
	kw_nbma_interface, kw_local, kw_address, kw_gre_key, kw_mtu, kw_ttl,
	kw_network_id, kw_holding_time, kw_nhs, kw_map, kw_cluster,
	kw_registration, kw_shortcut, kw_redirect, kw_shortcut_dest,
	kw_authentication, kw_route_table, kw_ipsec, kw_nhs_fallback,
	kw_negative_ttl, kw_redirect_rate;

#define G SCOPE_GLOBAL
#define T SCOPE_TUNNEL
#define I SCOPE_IKE
static const struct keyword keywords[KW_COUNT] = {
	[KW_LOG_LEVEL] = {"log-level", G, false, false, 1, kw_log_level},
	[KW_DEBUG] = {"debug", G, false, false, VALUES_ANY, kw_debug},
	[KW_CONTROL_SOCKET] = {"control-socket", G, false, false, 1,
			       kw_control_socket},
	[KW_STATE_DIR] = {"state-dir", G, false, false, 1, kw_state_dir},
	[KW_ROUTE_PROTOCOL] = {"route-protocol", G, false, false, 1,
			       kw_route_protocol},
	[KW_HOOK_SCRIPT] = {"hook-script", G | T, false, false, 1,
			    kw_hook_script},
	[KW_TUNNEL] = {"tunnel", G, true, true, 1, kw_tunnel},
	/* Also in tunnels, for a message saying where it goes. */
	[KW_IKE] = {"ike", G | T, true, true, 0, kw_ike},
	[KW_ROLE] = {"role", T, false, false, 1, kw_role},
	[KW_NBMA_INTERFACE] = {"nbma-interface", T, false, false, 1,
			       kw_nbma_interface},
	[KW_LOCAL] = {"local", T, false, false, 1, kw_local},
	[KW_ADDRESS] = {"address", T, true, false, 1, kw_address},
	[KW_GRE_KEY] = {"gre-key", T, false, false, 1, kw_gre_key},
	[KW_MTU] = {"mtu", T, false, false, 1, kw_mtu},
	[KW_TTL] = {"ttl", T, false, false, 1, kw_ttl},
	[KW_NETWORK_ID] = {"network-id", T, false, false, 1, kw_network_id},
	[KW_HOLDING_TIME] = {"holding-time", T, false, false, 1,
			     kw_holding_time},
	[KW_NHS] = {"nhs", T, true, false, VALUES_ANY, kw_nhs},
	[KW_MAP] = {"map", T, true, false, VALUES_ANY, kw_map},
	[KW_CLUSTER] = {"cluster", T, true, false, VALUES_ANY, kw_cluster},
	[KW_REGISTRATION] = {"registration", T, false, false, 1,
			     kw_registration},
	[KW_SHORTCUT] = {"shortcut", T, false, false, 1, kw_shortcut},
	[KW_REDIRECT] = {"redirect", T, false, false, 1, kw_redirect},
	[KW_SHORTCUT_DEST] = {"shortcut-destination", T, true, false, 1,
			      kw_shortcut_dest},
	[KW_AUTHENTICATION] = {"authentication", T, false, false, 1,
			       kw_authentication},
	[KW_ROUTE_TABLE] = {"route-table", T, false, false, 1, kw_route_table},
	[KW_IPSEC] = {"ipsec", T, false, false, 1, kw_ipsec},
	[KW_NHS_FALLBACK] = {"nhs-fallback", T, false, false, 1,
			     kw_nhs_fallback},
	[KW_NEGATIVE_TTL] = {"negative-ttl", T, false, false, 1,
			     kw_negative_ttl},
	[KW_REDIRECT_RATE] = {"redirect-rate", T, false, false, VALUES_ANY,
			      kw_redirect_rate},
	[KW_CERTIFICATE] = {"certificate", I, false, false, 1,
			    conf_kw_certificate},
	[KW_PRIVATE_KEY] = {"private-key", I, false, false, 1,
			    conf_kw_private_key},
	[KW_CA] = {"ca", I, false, false, 1, conf_kw_ca},
	[KW_CRL] = {"crl", I, false, false, 1, conf_kw_crl},
	[KW_PSK_FILE] = {"psk-file", I, false, false, 1, conf_kw_psk_file},
	[KW_IDENTITY] = {"identity", I, false, false, VALUES_ANY,
			 conf_kw_identity},
	[KW_IKE_PROPOSAL] = {"ike-proposal", I, false, false, VALUES_ANY,
			     conf_kw_ike_proposal},
	[KW_ESP_PROPOSAL] = {"esp-proposal", I, false, false, VALUES_ANY,
			     conf_kw_esp_proposal},
	[KW_IKE_LIFETIME] = {"ike-lifetime", I, false, false, 1,
			     conf_kw_ike_lifetime},
	[KW_ESP_LIFETIME] = {"esp-lifetime", I, false, false, 1,
			     conf_kw_esp_lifetime},
	[KW_DPD] = {"dpd", I, false, false, 1, conf_kw_dpd},
	[KW_NAT_KEEPALIVE] = {"nat-keepalive", I, false, false, 1,
			      conf_kw_nat_keepalive},
	[KW_RETRANSMIT_TRIES] = {"retransmit-tries", I, false, false, 1,
				 conf_kw_retransmit_tries},
	[KW_HALF_OPEN_LIMIT] = {"half-open-limit", I, false, false, VALUES_ANY,
				conf_kw_half_open_limit},
	[KW_AUTHORIZE] = {"authorize", I, true, false, VALUES_ANY,
			  conf_kw_authorize},
};
#undef G
#undef T
#undef I

static void parse_body(struct conf_parser *p, unsigned int scope,
		       struct conf_tunnel *t, unsigned int open_line);

/* --- value helpers: each reports its own error and returns -1 ----------- */

/* The value i as a message shows it; four fit in one message. */
static const char *
show(struct conf_parser *p, size_t i)
{
	char *b = p->showbuf[p->nshow++ % CONF_SHOW_SLOTS];

	return conf_show(&p->args[i], b);
}

static bool
is(const struct conf_arg *a, const char *word)
{
	return strcmp(a->s, word) == 0;
}

int
conf_num_arg(struct conf_parser *p, const char *label, size_t i, uint64_t min,
	     uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (conf_num_parse(p->args[i].s, &v) == -1) {
		conf_err(p, p->stmt_line, "%s %s: not a number", label,
			 show(p, i));
		return -1;
	}
	if (v < min || v > max) {
		conf_err(p, p->stmt_line, "%s %s: must be %llu..%llu", label,
			 show(p, i), (unsigned long long)min,
			 (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int
conf_dur_arg(struct conf_parser *p, const char *label, size_t i, uint64_t min,
	     uint64_t max, uint32_t *out)
{
	uint64_t v;

	if (conf_duration_parse(p->args[i].s, &v) == -1) {
		conf_err(p, p->stmt_line,
			 "%s %s: not a duration (e.g. 90, 30s, 5m, 2h, 1d, "
			 "1h30m)",
			 label, show(p, i));
		return -1;
	}
	if (v < min || v > max) {
		conf_err(p, p->stmt_line, "%s %s: must be %llus..%llus", label,
			 show(p, i), (unsigned long long)min,
			 (unsigned long long)max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int
bool_arg(struct conf_parser *p, size_t i, bool *out)
{
	if (is(&p->args[i], "yes"))
		*out = true;
	else if (is(&p->args[i], "no"))
		*out = false;
	else {
		conf_err(p, p->stmt_line, "%s %s: must be yes or no",
			 p->args[0].s, show(p, i));
		return -1;
	}
	return 0;
}

int
conf_path_arg(struct conf_parser *p, size_t i, size_t maxlen, const char *why,
	      char **out)
{
	const struct conf_arg *a = &p->args[i];
	char *s;

	if (a->s[0] != '/') {
		conf_err(p, p->stmt_line, "%s %s: must be an absolute path",
			 p->args[0].s, show(p, i));
		return -1;
	}
	if (a->len > maxlen) {
		conf_err(p, p->stmt_line, "%s %s: longer than %zu bytes%s",
			 p->args[0].s, show(p, i), maxlen, why);
		return -1;
	}
	if ((s = strdup(a->s)) == NULL) {
		p->nomem = true;
		return -1;
	}
	free(*out);
	*out = s;
	return 0;
}

/* An address that a host can have: tunnel, NBMA, NHS, map. */
static int
addr_arg(struct conf_parser *p, const char *label, size_t i, struct addr *a)
{
	if (addr_parse(a, p->args[i].s) == -1) {
		conf_err(p, p->stmt_line, "%s %s: not an IPv4 or IPv6 address",
			 label, show(p, i));
		return -1;
	}
	if (!conf_unicast_ok(a)) {
		conf_err(p, p->stmt_line, "%s %s: not a unicast address", label,
			 show(p, i));
		return -1;
	}
	return 0;
}

/* --- global statements ------------------------------------------------- */

static void
kw_log_level(struct conf_parser *p, struct conf_tunnel *t)
{
	enum log_level level;

	(void)t;
	if (log_level_parse(p->args[1].s, &level) == -1) {
		conf_err(p, p->stmt_line,
			 "log-level %s: must be error, warn, info or debug",
			 show(p, 1));
		return;
	}
	p->conf->log_level = level;
}

/* `debug nhrp,ike` or `debug nhrp ike`; "all" and "none" too. */
static void
kw_debug(struct conf_parser *p, struct conf_tunnel *t)
{
	char names[128], word[CONF_WORD_MAX + 1], q[CONF_SHOW_BUF];
	unsigned int mask = 0, m;
	bool none = false;
	const char *s, *e;
	size_t i, n;

	(void)t;
	if (p->nargs < 2) {
		conf_err(p, p->stmt_line, "debug: missing value");
		return;
	}
	for (i = 1; i < p->nargs; i++) {
		for (s = p->args[i].s;; s = e + 1) {
			e = strchr(s, ',');
			n = e == NULL ? strlen(s) : (size_t)(e - s);
			memcpy(word, s, n);
			word[n] = '\0';
			if (n == 0) {
				conf_err(p, p->stmt_line,
					 "debug %s: empty category name",
					 show(p, i));
				return;
			}
			if (strcmp(word, "none") == 0) {
				none = true;
			} else if (log_cat_parse(word, &m, NULL) == -1) {
				log_cat_format(DBG_ALL, names, sizeof(names));
				conf_quote(word, n, q, sizeof(q),
					   CONF_SHOW_MAX);
				conf_err(
					p, p->stmt_line,
					"debug %s: unknown category %s (known: "
					"%s,all,none)",
					show(p, i), q, names);
				return;
			} else {
				mask |= m;
			}
			if (e == NULL)
				break;
		}
	}
	if (none && mask != 0) {
		conf_err(p, p->stmt_line,
			 "debug: none cannot be combined with categories");
		return;
	}
	p->conf->debug = mask;
}

static void
kw_control_socket(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	conf_path_arg(p, 1, CONF_SOCKET_MAX, " (the limit of a unix socket)",
		      &p->conf->control_socket);
}

static void
kw_state_dir(struct conf_parser *p, struct conf_tunnel *t)
{
	(void)t;
	conf_path_arg(p, 1, CONF_PATH_MAX, "", &p->conf->state_dir);
}

/*
 * Our routes carry this protocol number, and at start-up we flush the
 * stale ones that do: so it must not be one of the kernel's own (0..4:
 * unspec, redirect, kernel, boot, static), or we would flush routes an
 * administrator added with `ip route`.
 */
static void
kw_route_protocol(struct conf_parser *p, struct conf_tunnel *t)
{
	uint64_t v;

	(void)t;
	if (is(&p->args[1], "nhrp")) {
		p->conf->route_protocol = CONF_DEFAULT_ROUTE_PROTOCOL;
		return;
	}
	if (conf_num_parse(p->args[1].s, &v) == -1 || v < 5 || v > 255) {
		conf_err(p, p->stmt_line,
			 "route-protocol %s: must be nhrp or 5..255 (0..4 "
			 "are the kernel's own)",
			 show(p, 1));
		return;
	}
	p->conf->route_protocol = (uint8_t)v;
}

static void
kw_hook_script(struct conf_parser *p, struct conf_tunnel *t)
{
	conf_path_arg(p, 1, CONF_PATH_MAX, "",
		      t != NULL ? &t->hook_script : &p->conf->hook_script);
}

/* Read statements up to the '}' closing a block we do not handle. */
static void
skip_block(struct conf_parser *p, unsigned int open_line)
{
	unsigned int depth = 1;
	enum conf_end end;

	while (depth > 0 && !p->gave_up) {
		end = conf_stmt_read(p);
		if (end == CONF_END_OPEN)
			depth++;
		else if (end == CONF_END_CLOSE)
			depth--;
		else if (end == CONF_END_EOF) {
			conf_err(p, open_line,
				 "no closing \"}\" for the block opened here");
			return;
		}
	}
}

/*
 * One ike block serves every tunnel: a second one, or one in a tunnel, is
 * refused, saying where the first is.
 */
static void
kw_ike(struct conf_parser *p, struct conf_tunnel *t)
{
	struct conf_ike *ike = &p->conf->ike;
	unsigned int line = p->stmt_line;
	size_t i;

	p->ike_any = true;
	if (t != NULL || ike->present) {
		if (ike->present)
			conf_err(
				p, line, "ike: %s; the ike block is at line %u",
				t != NULL ? "only allowed outside tunnel blocks"
					  : "only one ike block is allowed",
				ike->line);
		else
			conf_err(p, line,
				 "ike: only allowed outside tunnel blocks (one "
				 "ike block serves every tunnel)");
		skip_block(p, line);
		return;
	}
	conf_ike_defaults(ike);
	ike->present = true;
	ike->line = line;
	for (i = KW_CERTIFICATE; i <= KW_AUTHORIZE; i++)
		p->tbad[i] = false;
	parse_body(p, SCOPE_IKE, NULL, line);
	if (!p->gave_up)
		conf_ike_finish(p);
}

static void
kw_tunnel(struct conf_parser *p, struct conf_tunnel *unused)
{
	struct dmvpn_conf *conf = p->conf;
	struct conf_tunnel t, *v;
	const struct conf_tunnel *other;
	unsigned int line = p->stmt_line;
	bool keep = false;

	(void)unused;
	memset(&t, 0, sizeof(t));
	conf_tunnel_defaults(&t, CONF_ROLE_SPOKE);
	t.line = line;
	if (!conf_ifname_ok(p->args[1].s, p->args[1].len)) {
		conf_err(p, line,
			 "tunnel %s: not an interface name (1..15 "
			 "characters, no '/', ':' or whitespace)",
			 show(p, 1));
	} else if ((other = conf_tunnel_find(conf, p->args[1].s)) != NULL) {
		conf_err(p, line, "tunnel %s: already defined at line %u",
			 p->args[1].s, other->line);
	} else if (conf->ntunnels == CONF_MAX_TUNNELS) {
		conf_err(p, line, "tunnel %s: more than %d tunnels",
			 p->args[1].s, CONF_MAX_TUNNELS);
	} else {
		memcpy(t.name, p->args[1].s, p->args[1].len + 1);
		keep = true;
	}
	memset(p->tseen, 0, sizeof(p->tseen));
	memset(p->tbad, 0, sizeof(p->tbad));
	parse_body(p, SCOPE_TUNNEL, &t, line);
	if (keep && !p->gave_up)
		conf_tunnel_finish(p, &t);
	if (keep) {
		v = realloc(conf->tunnels,
			    (conf->ntunnels + 1) * sizeof(*conf->tunnels));
		if (v == NULL) {
			p->nomem = true;
		} else {
			conf->tunnels = v;
			conf->tunnels[conf->ntunnels++] = t;
			return;
		}
	}
	conf_tunnel_clear(&t);
}

/* --- tunnel statements ------------------------------------------------- */

static void
kw_role(struct conf_parser *p, struct conf_tunnel *t)
{
	if (is(&p->args[1], "spoke"))
		t->role = CONF_ROLE_SPOKE;
	else if (is(&p->args[1], "hub"))
		t->role = CONF_ROLE_HUB;
	else
		conf_err(p, p->stmt_line, "role %s: must be spoke or hub",
			 show(p, 1));
}

static void
kw_nbma_interface(struct conf_parser *p, struct conf_tunnel *t)
{
	if (!conf_ifname_ok(p->args[1].s, p->args[1].len)) {
		conf_err(p, p->stmt_line,
			 "nbma-interface %s: not an interface name (1..15 "
			 "characters, no '/', ':' or whitespace)",
			 show(p, 1));
		return;
	}
	memcpy(t->nbma_ifname, p->args[1].s, p->args[1].len + 1);
}

static void
kw_local(struct conf_parser *p, struct conf_tunnel *t)
{
	addr_arg(p, "local", 1, &t->local);
}

static bool
host_part_is(const struct prefix *pf, int bit)
{
	unsigned int i, bits = addr_bits(&pf->addr);

	for (i = pf->plen; i < bits; i++)
		if (((pf->addr.bytes[i / 8] >> (7 - i % 8)) & 1) != bit)
			return false;
	return true;
}

static void
kw_address(struct conf_parser *p, struct conf_tunnel *t)
{
	struct prefix pf;
	unsigned int bits;
	size_t i;

	if (t->naddresses == CONF_MAX_ADDRESSES) {
		conf_err(p, p->stmt_line, "address: at most %d per tunnel",
			 CONF_MAX_ADDRESSES);
		return;
	}
	if (prefix_parse(&pf, p->args[1].s) == -1) {
		conf_err(p, p->stmt_line,
			 "address %s: not an address with a prefix length "
			 "(e.g. 172.16.0.10/24)",
			 show(p, 1));
		return;
	}
	if (strchr(p->args[1].s, '/') == NULL) {
		conf_err(p, p->stmt_line,
			 "address %s: needs a prefix length (e.g. %s/%d)",
			 show(p, 1), show(p, 1),
			 pf.addr.family == AF_INET ? 24 : 64);
		return;
	}
	if (!conf_unicast_ok(&pf.addr)) {
		conf_err(p, p->stmt_line, "address %s: not a unicast address",
			 show(p, 1));
		return;
	}
	bits = addr_bits(&pf.addr);
	if (pf.plen + 1u < bits && host_part_is(&pf, 0)) {
		conf_err(p, p->stmt_line,
			 "address %s: that is the network address, not a "
			 "host's",
			 show(p, 1));
		return;
	}
	if (bits == 32 && pf.plen + 1u < bits && host_part_is(&pf, 1)) {
		conf_err(p, p->stmt_line,
			 "address %s: that is the broadcast address",
			 show(p, 1));
		return;
	}
	for (i = 0; i < t->naddresses; i++) {
		if (addr_eq(&t->addresses[i].addr, &pf.addr)) {
			conf_err(p, p->stmt_line, "address %s: given twice",
				 show(p, 1));
			return;
		}
	}
	t->addresses[t->naddresses++] = pf;
}

static void
kw_gre_key(struct conf_parser *p, struct conf_tunnel *t)
{
	uint64_t v;

	if (conf_num_arg(p, "gre-key", 1, 0, UINT32_MAX, &v) == 0) {
		t->gre_key = (uint32_t)v;
		t->has_gre_key = true;
	}
}

/* IPv6 needs 1280 (RFC 8200 5); conf_tunnel_finish() checks that. */
static void
kw_mtu(struct conf_parser *p, struct conf_tunnel *t)
{
	uint64_t v;

	if (conf_num_arg(p, "mtu", 1, 576, 9000, &v) == 0)
		t->mtu = (uint16_t)v;
}

static void
kw_ttl(struct conf_parser *p, struct conf_tunnel *t)
{
	uint64_t v;

	if (conf_num_arg(p, "ttl", 1, 1, 255, &v) == 0)
		t->ttl = (uint8_t)v;
}

static void
kw_network_id(struct conf_parser *p, struct conf_tunnel *t)
{
	uint64_t v;

	if (conf_num_arg(p, "network-id", 1, 1, UINT32_MAX, &v) == 0)
		t->network_id = (uint32_t)v;
}

/* RFC 2332 5.2.0.1: the CIE holding time is 16 bits of seconds. */
static void
kw_holding_time(struct conf_parser *p, struct conf_tunnel *t)
{
	conf_dur_arg(p, "holding-time", 1, 1, 65535, &t->holding_time);
}

void *
conf_grow(struct conf_parser *p, void *v, size_t n, size_t size)
{
	void *nv;

	/* Powers of two: realloc only when n is one. */
	if (n != 0 && (n & (n - 1)) != 0)
		return v;
	if ((nv = realloc(v, (n == 0 ? 1 : n * 2) * size)) == NULL)
		p->nomem = true;
	return nv;
}

static void
kw_nhs(struct conf_parser *p, struct conf_tunnel *t)
{
	struct conf_nhs n, *v;
	char label[CONF_SHOW_BUF + 16];
	bool prio = false, cluster = false;
	uint64_t x;
	size_t i;

	memset(&n, 0, sizeof(n));
	n.line = p->stmt_line;
	if (p->nargs < 4 || !is(&p->args[2], "nbma")) {
		conf_err(p, p->stmt_line,
			 "nhs: expected nhs ADDRESS|dynamic nbma ADDRESS|NAME "
			 "[priority N] [cluster N]");
		return;
	}
	if (t->nnhs == CONF_MAX_NHS) {
		conf_err(p, p->stmt_line, "nhs: at most %d per tunnel",
			 CONF_MAX_NHS);
		return;
	}
	if (!is(&p->args[1], "dynamic") &&
	    addr_arg(p, "nhs", 1, &n.proto) == -1)
		return;
	snprintf(label, sizeof(label), "nhs %s", show(p, 1));
	if (addr_parse(&n.nbma, p->args[3].s) == 0) {
		if (!conf_unicast_ok(&n.nbma)) {
			conf_err(p, p->stmt_line,
				 "%s: nbma %s: not a unicast address", label,
				 show(p, 3));
			return;
		}
	} else if (conf_hostname_ok(p->args[3].s, p->args[3].len)) {
		for (i = 0; i < p->args[3].len; i++)
			n.fqdn[i] =
				(char)tolower((unsigned char)p->args[3].s[i]);
	} else {
		conf_err(p, p->stmt_line,
			 "%s: nbma %s: not an address or a host name", label,
			 show(p, 3));
		return;
	}
	for (i = 4; i < p->nargs; i += 2) {
		bool *seen = is(&p->args[i], "priority")  ? &prio
			     : is(&p->args[i], "cluster") ? &cluster
							  : NULL;

		if (seen == NULL) {
			conf_err(p, p->stmt_line,
				 "%s: unexpected %s (expected priority or "
				 "cluster)",
				 label, show(p, i));
			return;
		}
		if (*seen) {
			conf_err(p, p->stmt_line, "%s: %s given twice", label,
				 p->args[i].s);
			return;
		}
		*seen = true;
		if (i + 1 == p->nargs) {
			conf_err(p, p->stmt_line, "%s: %s: missing value",
				 label, p->args[i].s);
			return;
		}
		snprintf(label, sizeof(label), "nhs %s %s", show(p, 1),
			 p->args[i].s);
		if (conf_num_arg(p, label, i + 1, 0, 255, &x) == -1)
			return;
		snprintf(label, sizeof(label), "nhs %s", show(p, 1));
		if (seen == &prio)
			n.priority = (uint8_t)x;
		else
			n.cluster = (uint8_t)x;
	}
	if ((v = conf_grow(p, t->nhs, t->nnhs, sizeof(*v))) == NULL)
		return;
	t->nhs = v;
	t->nhs[t->nnhs++] = n;
}

static void
kw_map(struct conf_parser *p, struct conf_tunnel *t)
{
	struct conf_map m, *v;
	char label[CONF_SHOW_BUF + 16];

	memset(&m, 0, sizeof(m));
	m.line = p->stmt_line;
	if (p->nargs != 4 || !is(&p->args[2], "nbma")) {
		conf_err(p, p->stmt_line,
			 "map: expected map ADDRESS nbma ADDRESS");
		return;
	}
	if (t->nmaps == CONF_MAX_MAPS) {
		conf_err(p, p->stmt_line, "map: at most %d per tunnel",
			 CONF_MAX_MAPS);
		return;
	}
	if (addr_arg(p, "map", 1, &m.proto) == -1)
		return;
	snprintf(label, sizeof(label), "map %s nbma", show(p, 1));
	if (addr_parse(&m.nbma, p->args[3].s) == -1 &&
	    conf_hostname_ok(p->args[3].s, p->args[3].len)) {
		conf_err(p, p->stmt_line,
			 "%s %s: must be an address (host names are for "
			 "nhs)",
			 label, show(p, 3));
		return;
	}
	if (addr_arg(p, label, 3, &m.nbma) == -1)
		return;
	if ((v = conf_grow(p, t->maps, t->nmaps, sizeof(*v))) == NULL)
		return;
	t->maps = v;
	t->maps[t->nmaps++] = m;
}

/* Cisco `ip nhrp nhs cluster N max-connections M`. */
static void
kw_cluster(struct conf_parser *p, struct conf_tunnel *t)
{
	struct conf_cluster c, *v;
	char label[CONF_SHOW_BUF + 32];
	uint64_t x;

	memset(&c, 0, sizeof(c));
	c.line = p->stmt_line;
	if (p->nargs != 4 || !is(&p->args[2], "max-connections")) {
		conf_err(p, p->stmt_line,
			 "cluster: expected cluster N max-connections M");
		return;
	}
	if (conf_num_arg(p, "cluster", 1, 0, 255, &x) == -1)
		return;
	c.cluster = (uint8_t)x;
	snprintf(label, sizeof(label), "cluster %s max-connections",
		 show(p, 1));
	if (conf_num_arg(p, label, 3, 1, 255, &x) == -1)
		return;
	c.max_connections = (uint8_t)x;
	if ((v = conf_grow(p, t->clusters, t->nclusters, sizeof(*v))) == NULL)
		return;
	t->clusters = v;
	t->clusters[t->nclusters++] = c;
}

static void
kw_registration(struct conf_parser *p, struct conf_tunnel *t)
{
	if (is(&p->args[1], "unique"))
		t->unique = true;
	else if (is(&p->args[1], "no-unique"))
		t->unique = false;
	else
		conf_err(p, p->stmt_line,
			 "registration %s: must be unique or no-unique",
			 show(p, 1));
}

static void
kw_shortcut(struct conf_parser *p, struct conf_tunnel *t)
{
	bool_arg(p, 1, &t->shortcut);
}

static void
kw_redirect(struct conf_parser *p, struct conf_tunnel *t)
{
	bool_arg(p, 1, &t->redirect);
}

/* conf_ike_file_end() checks `ipsec yes`: the ike block may follow. */
static void
kw_ipsec(struct conf_parser *p, struct conf_tunnel *t)
{
	if (bool_arg(p, 1, &t->ipsec) == 0 && t->ipsec &&
	    p->nipsec_yes < CONF_MAX_TUNNELS)
		p->ipsec_yes[p->nipsec_yes++] = p->stmt_line;
}

static void
kw_shortcut_dest(struct conf_parser *p, struct conf_tunnel *t)
{
	struct prefix pf, masked;
	char s[ADDR_STRLEN];
	size_t i;

	if (t->nshortcut_dest == CONF_MAX_SHORTCUT_DEST) {
		conf_err(p, p->stmt_line,
			 "shortcut-destination: at most %d per tunnel",
			 CONF_MAX_SHORTCUT_DEST);
		return;
	}
	if (prefix_parse(&pf, p->args[1].s) == -1) {
		conf_err(p, p->stmt_line,
			 "shortcut-destination %s: not a prefix (e.g. "
			 "10.1.0.0/24)",
			 show(p, 1));
		return;
	}
	masked = pf;
	prefix_mask(&masked);
	if (!addr_eq(&masked.addr, &pf.addr)) {
		conf_err(p, p->stmt_line,
			 "shortcut-destination %s: host bits set (did you "
			 "mean %s?)",
			 show(p, 1), prefix_fmt(&masked, s));
		return;
	}
	for (i = 0; i < t->nshortcut_dest; i++) {
		if (prefix_eq(&t->shortcut_dest[i], &pf)) {
			conf_err(p, p->stmt_line,
				 "shortcut-destination %s: given twice",
				 show(p, 1));
			return;
		}
	}
	t->shortcut_dest[t->nshortcut_dest++] = pf;
}

/* RFC 2332 5.3.4 and Cisco: type 1, a cleartext secret of 1..8 bytes. */
static void
kw_authentication(struct conf_parser *p, struct conf_tunnel *t)
{
	const struct conf_arg *a = &p->args[1];

	if (a->len == 0) {
		conf_err(p, p->stmt_line, "authentication: empty");
		return;
	}
	if (a->len > CONF_AUTH_MAX) {
		conf_err(p, p->stmt_line,
			 "authentication: at most %d bytes (Cisco cleartext)",
			 CONF_AUTH_MAX);
		return;
	}
	memcpy(t->auth, a->s, a->len);
	t->auth_len = a->len;
}

static void
kw_route_table(struct conf_parser *p, struct conf_tunnel *t)
{
	static const uint32_t named[] = {253, 254, 255};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (is(&p->args[1], conf_route_table_name(named[i]))) {
			t->route_table = named[i];
			return;
		}
	}
	if (conf_num_parse(p->args[1].s, &v) == -1 || v < 1 || v > UINT32_MAX) {
		conf_err(p, p->stmt_line,
			 "route-table %s: must be main, default, local or "
			 "1..4294967295",
			 show(p, 1));
		return;
	}
	t->route_table = (uint32_t)v;
}

static void
kw_nhs_fallback(struct conf_parser *p, struct conf_tunnel *t)
{
	conf_dur_arg(p, "nhs-fallback", 1, 0, 3600, &t->nhs_fallback);
}

static void
kw_negative_ttl(struct conf_parser *p, struct conf_tunnel *t)
{
	conf_dur_arg(p, "negative-ttl", 1, 1, 3600, &t->negative_ttl);
}

/*
 * A token bucket per (source, destination) pair: `every 2s` is the time
 * to earn one Traffic Indication, `burst 4` how many can be saved up.
 * "4 per 2s" would read as either, so it is refused with the translation.
 */
static void
kw_redirect_rate(struct conf_parser *p, struct conf_tunnel *t)
{
	bool every = false, burst = false;
	const char *b, *e;
	uint64_t x;
	size_t i;

	if (p->nargs == 4 && is(&p->args[2], "per")) {
		b = show(p, 1);
		e = show(p, 3);
		conf_err(p, p->stmt_line,
			 "redirect-rate %s per %s: ambiguous; write "
			 "\"redirect-rate every %s burst %s\" (one every %s, "
			 "bursts of up to %s)",
			 b, e, e, b, e, b);
		return;
	}
	if (p->nargs < 3 || p->nargs % 2 == 0) {
		conf_err(p, p->stmt_line,
			 "redirect-rate: expected redirect-rate [every "
			 "INTERVAL] [burst N]");
		return;
	}
	for (i = 1; i < p->nargs; i += 2) {
		if (is(&p->args[i], "every") && !every) {
			every = true;
			if (conf_dur_arg(p, "redirect-rate every", i + 1, 1,
					 3600, &t->redirect_interval) == -1)
				return;
		} else if (is(&p->args[i], "burst") && !burst) {
			burst = true;
			if (conf_num_arg(p, "redirect-rate burst", i + 1, 1,
					 1000, &x) == -1)
				return;
			t->redirect_burst = (uint32_t)x;
		} else {
			conf_err(p, p->stmt_line,
				 "redirect-rate: unexpected %s (expected "
				 "every or burst, once each)",
				 show(p, i));
			return;
		}
	}
}

/* --- statements and blocks --------------------------------------------- */

/* Where a keyword of another scope belongs. */
static const char *
scope_where(unsigned int kw_scope, unsigned int scope)
{
	if (kw_scope & SCOPE_IKE)
		return "inside the ike block";
	if (kw_scope & SCOPE_TUNNEL)
		return "inside a tunnel block";
	return scope == SCOPE_IKE ? "outside the ike block"
				  : "outside tunnel blocks";
}

static void
unknown_keyword(struct conf_parser *p, unsigned int scope)
{
	const char *names[KW_COUNT], *hint;
	size_t i;

	for (i = 0; i < KW_COUNT; i++) {
		names[i] = keywords[i].scope & scope ? keywords[i].name : NULL;
		if (strcmp(keywords[i].name, p->args[0].s) != 0)
			continue;
		conf_err(p, p->stmt_line, "%s: only allowed %s", show(p, 0),
			 scope_where(keywords[i].scope, scope));
		return;
	}
	/* Rather a keyword of this scope; then any. */
	hint = conf_suggest(p->args[0].s, names, KW_COUNT);
	for (i = 0; hint == NULL && i < KW_COUNT; i++)
		names[i] = keywords[i].name;
	if (hint == NULL)
		hint = conf_suggest(p->args[0].s, names, KW_COUNT);
	if (hint != NULL)
		conf_err(p, p->stmt_line,
			 "unknown keyword \"%s\" (did you mean \"%s\"?)",
			 show(p, 0), hint);
	else
		conf_err(p, p->stmt_line, "unknown keyword \"%s\"", show(p, 0));
}

/* Check the statement's shape; true when its handler may run. */
static bool
stmt_ok(struct conf_parser *p, const struct keyword *kw, unsigned int *seen)
{
	size_t i, id = (size_t)(kw - keywords);

	if (p->stmt_bad) {
		/* Reported by the lexer; only note that it was there. */
		if (seen[id] == 0)
			seen[id] = p->stmt_line;
		return false;
	}
	if (p->stmt_end == CONF_END_OPEN && !kw->block) {
		conf_err(p, p->stmt_line, "%s: does not take a block",
			 kw->name);
		return false;
	}
	if (kw->block && p->stmt_end != CONF_END_OPEN) {
		conf_err(p, p->stmt_line,
			 "%s: expected \"{\" at the end of the line", kw->name);
		return false;
	}
	if (!kw->repeat && seen[id] != 0) {
		conf_err(p, p->stmt_line, "%s: already set at line %u",
			 kw->name, seen[id]);
		return false;
	}
	/* The first line, even of a bad one: "missing" would be wrong. */
	if (seen[id] == 0)
		seen[id] = p->stmt_line;
	for (i = 1; i < p->nargs; i++) {
		if (id != KW_AUTHENTICATION &&
		    strlen(p->args[i].s) != p->args[i].len) {
			conf_err(p, p->stmt_line, "%s: NUL byte in value",
				 kw->name);
			return false;
		}
	}
	if (kw->nvals == VALUES_ANY || p->nargs - 1 == kw->nvals)
		return true;
	if (p->nargs - 1 < kw->nvals)
		conf_err(p, p->stmt_line, "%s: missing value", kw->name);
	else if (id == KW_AUTHENTICATION) /* do not show part of a secret */
		conf_err(p, p->stmt_line,
			 "authentication: one value (quote a secret with "
			 "blanks)");
	else
		conf_err(p, p->stmt_line, "%s: unexpected %s", kw->name,
			 show(p, kw->nvals + 1));
	return false;
}

static void
stmt(struct conf_parser *p, unsigned int scope, struct conf_tunnel *t)
{
	const struct keyword *kw = NULL;
	unsigned int line = p->stmt_line, nerr;
	size_t i;

	if (p->args[0].quoted) {
		if (!p->stmt_bad)
			conf_err(p, line,
				 "expected a keyword, not a quoted string");
	} else {
		for (i = 0; i < KW_COUNT; i++)
			if ((keywords[i].scope & scope) != 0 &&
			    strcmp(keywords[i].name, p->args[0].s) == 0)
				kw = &keywords[i];
		/* After a lexical error, a guess would only confuse. */
		if (kw == NULL && !p->stmt_bad)
			unknown_keyword(p, scope);
	}
	if (kw != NULL &&
	    stmt_ok(p, kw, scope == SCOPE_TUNNEL ? p->tseen : p->gseen)) {
		nerr = p->nerr;
		kw->fn(p, t);
		if (p->nerr != nerr && scope != SCOPE_GLOBAL)
			p->tbad[kw - keywords] = true;
		return; /* block handlers read their block */
	}
	if (kw != NULL && scope != SCOPE_GLOBAL)
		p->tbad[kw - keywords] = true;
	if (p->stmt_end == CONF_END_OPEN)
		skip_block(p, line);
}

static void
parse_body(struct conf_parser *p, unsigned int scope, struct conf_tunnel *t,
	   unsigned int open_line)
{
	enum conf_end end;
	unsigned int line;

	while (!p->gave_up) {
		end = conf_stmt_read(p);
		line = p->stmt_line;
		if (p->nargs > 0) {
			stmt(p, scope, t);
		} else if (end == CONF_END_OPEN) {
			conf_err(p, line, "unexpected \"{\"");
			skip_block(p, line);
		}
		if (end == CONF_END_CLOSE) {
			if (scope != SCOPE_GLOBAL)
				return;
			conf_err(p, line, "unexpected \"}\"");
		}
		if (end == CONF_END_EOF) {
			if (scope == SCOPE_TUNNEL)
				conf_err(p, open_line,
					 "tunnel %s: no closing \"}\"",
					 t->name[0] != '\0' ? t->name : "?");
			else if (scope == SCOPE_IKE)
				conf_err(p, open_line, "ike: no closing \"}\"");
			return;
		}
	}
}

struct dmvpn_conf *
conf_parse_buf(const char *name, const char *buf, size_t len,
	       struct conf_errors *errs)
{
	struct conf_parser *p;
	struct dmvpn_conf *conf;

	p = calloc(1, sizeof(*p));
	conf = conf_new();
	if (p == NULL || conf == NULL) {
		if (errs != NULL)
			errs->nomem = true;
		free(p);
		conf_free(conf);
		return NULL;
	}
	conf_lex_init(p, name, buf, len);
	p->errs = errs;
	p->errs_start = errs != NULL ? errs->n : 0;
	p->conf = conf;
	parse_body(p, SCOPE_GLOBAL, NULL, 0);
	if (!p->gave_up)
		conf_ike_file_end(p);
	conf_errors_finish(p);
	if (p->nerr > 0 || p->nomem) {
		conf_free(conf);
		conf = NULL;
	}
	free(p);
	return conf;
}
