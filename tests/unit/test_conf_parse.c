/*
 * Unit tests for the configuration parser: every statement, every
 * default, every error message (exact text), durations, quoting, the
 * error limit, reading files.  Every configuration that parses goes
 * through the print/re-parse round trip.  test_conf_diff.c has the
 * printer and the reload diff helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmvpn/conf.h"

#ifndef DMVPN_RUNSTATEDIR
#define DMVPN_RUNSTATEDIR "/run"
#endif

/* A spoke with everything required, to which tests add lines. */
#define SPOKE_HEAD                 \
	"tunnel gre1 {\n"          \
	"role spoke\n"             \
	"nbma-interface eth0\n"    \
	"address 172.16.0.10/24\n" \
	"nhs 172.16.0.1 nbma 192.0.2.1\n"
#define HUB_HEAD            \
	"tunnel gre1 {\n"   \
	"role hub\n"        \
	"local 192.0.2.1\n" \
	"address 172.16.0.1/24\n"

static char *
print_conf(const struct dmvpn_conf *conf, unsigned int flags)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	conf_print_flags(f, conf, flags);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* Print, parse the print, print again: the same text, an equal conf. */
static void
roundtrip(const struct dmvpn_conf *conf)
{
	struct conf_errors errs;
	struct dmvpn_conf *again;
	char *one, *two;

	conf_errors_init(&errs);
	one = print_conf(conf, 0);
	again = conf_parse_buf("print", one, strlen(one), &errs);
	if (again == NULL) {
		conf_errors_print(stderr, &errs);
		fprintf(stderr, "---\n%s---\n", one);
	}
	assert_non_null(again);
	two = print_conf(again, 0);
	assert_string_equal(one, two);
	assert_true(conf_equal(conf, again));
	assert_int_equal(conf_global_diff(conf, again), 0);
	free(one);
	free(two);
	conf_free(again);
	conf_errors_free(&errs);
}

static struct dmvpn_conf *
parse_ok(const char *text)
{
	struct conf_errors errs;
	struct dmvpn_conf *conf;

	conf_errors_init(&errs);
	conf = conf_parse_buf("t.conf", text, strlen(text), &errs);
	if (conf == NULL)
		conf_errors_print(stderr, &errs);
	assert_non_null(conf);
	assert_int_equal(errs.n, 0);
	conf_errors_free(&errs);
	roundtrip(conf);
	return conf;
}

/* Parse text, expect failure with exactly the messages (NULL-ended). */
static void
expect_errors_v(const char *text, const char *const *want)
{
	struct conf_errors errs;
	struct dmvpn_conf *conf;
	size_t i, n = 0;

	while (want[n] != NULL)
		n++;
	conf_errors_init(&errs);
	conf = conf_parse_buf("t.conf", text, strlen(text), &errs);
	if (errs.n != n) {
		conf_errors_print(stderr, &errs);
		fprintf(stderr, "(wanted %zu messages)\n", n);
	}
	assert_null(conf);
	assert_int_equal(errs.n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(errs.v[i].msg, want[i]);
	conf_errors_free(&errs);
}

#define expect_errors(text, ...)                                        \
	do {                                                            \
		static const char *const want_[] = {__VA_ARGS__, NULL}; \
		expect_errors_v((text), want_);                         \
	} while (0)

/* One statement added to a good spoke, expecting one message. */
static void
spoke_err(const char *line, const char *want)
{
	char text[1024];
	const char *const w[] = {want, NULL};

	snprintf(text, sizeof(text), SPOKE_HEAD "%s\n}\n", line);
	expect_errors_v(text, w);
}

static struct dmvpn_conf *
spoke_ok(const char *lines)
{
	static char text[4096];

	snprintf(text, sizeof(text), SPOKE_HEAD "%s\n}\n", lines);
	return parse_ok(text);
}

/* --- the grammar of the issue, and every default ----------------------- */

static const char issue_example[] =
	"log-level info                        # error | warn | info | debug\n"
	"control-socket /run/dmvpnd.sock\n"
	"tunnel gre1 {\n"
	"    role spoke                        # spoke | hub\n"
	"    nbma-interface eth0               # or: local 192.0.2.10\n"
	"    address 172.16.0.10/24            # repeatable\n"
	"    address 2001:db8:16::10/64\n"
	"    gre-key 42\n"
	"    mtu 1400\n"
	"    network-id 1\n"
	"    holding-time 2h\n"
	"    nhs 172.16.0.1 nbma 192.0.2.1 priority 1 cluster 0\n"
	"    nhs dynamic nbma Hub.Example.NET\n"
	"    map 172.16.0.20 nbma 203.0.113.20\n"
	"    registration no-unique            # default: unique\n"
	"    shortcut yes                      # default: yes on spokes\n"
	"    redirect yes                      # default: yes on hubs\n"
	"    shortcut-destination 10.1.0.0/24  # repeatable\n"
	"    authentication \"secret\"           # Cisco cleartext\n"
	"    route-table main                  # or a number\n"
	"    ipsec no\n"
	"}\n";

static void
test_issue_example(void **state)
{
	struct dmvpn_conf *conf;
	const struct conf_tunnel *t;
	char s[ADDR_STRLEN];

	(void)state;
	conf = parse_ok(issue_example);
	assert_int_equal(conf->log_level, LOG_LVL_INFO);
	assert_string_equal(conf->control_socket, "/run/dmvpnd.sock");
	assert_int_equal(conf->ntunnels, 1);
	t = conf_tunnel_find(conf, "gre1");
	assert_ptr_equal(t, &conf->tunnels[0]);
	assert_null(conf_tunnel_find(conf, "gre2"));
	assert_int_equal(t->line, 3);
	assert_int_equal(t->role, CONF_ROLE_SPOKE);
	assert_string_equal(t->nbma_ifname, "eth0");
	assert_true(addr_is_none(&t->local));
	assert_int_equal(t->naddresses, 2);
	assert_string_equal(prefix_fmt(&t->addresses[0], s), "172.16.0.10/24");
	assert_string_equal(prefix_fmt(&t->addresses[1], s),
			    "2001:db8:16::10/64");
	assert_true(t->has_gre_key);
	assert_int_equal(t->gre_key, 42);
	assert_int_equal(t->mtu, 1400);
	assert_int_equal(t->network_id, 1);
	assert_int_equal(t->holding_time, 7200);
	assert_int_equal(t->nnhs, 2);
	assert_string_equal(addr_fmt(&t->nhs[0].proto, s), "172.16.0.1");
	assert_string_equal(addr_fmt(&t->nhs[0].nbma, s), "192.0.2.1");
	assert_string_equal(t->nhs[0].fqdn, "");
	assert_int_equal(t->nhs[0].priority, 1);
	assert_int_equal(t->nhs[0].cluster, 0);
	assert_int_equal(t->nhs[0].line, 12);
	assert_true(addr_is_none(&t->nhs[1].proto));
	assert_true(addr_is_none(&t->nhs[1].nbma));
	assert_string_equal(t->nhs[1].fqdn, "hub.example.net");
	assert_int_equal(t->nmaps, 1);
	assert_string_equal(addr_fmt(&t->maps[0].proto, s), "172.16.0.20");
	assert_string_equal(addr_fmt(&t->maps[0].nbma, s), "203.0.113.20");
	assert_false(t->unique);
	assert_true(t->shortcut);
	assert_true(t->redirect);
	assert_int_equal(t->nshortcut_dest, 1);
	assert_string_equal(prefix_fmt(&t->shortcut_dest[0], s), "10.1.0.0/24");
	assert_int_equal(t->auth_len, 6);
	assert_memory_equal(t->auth, "secret", 6);
	assert_int_equal(t->route_table, 254);
	assert_false(t->ipsec);
	conf_free(conf);
}

static void
test_defaults(void **state)
{
	struct dmvpn_conf *conf;
	const struct conf_tunnel *t;

	(void)state;
	conf = parse_ok(SPOKE_HEAD "}\n");
	assert_int_equal(conf->log_level, LOG_LVL_INFO);
	assert_int_equal(conf->debug, 0);
	assert_string_equal(conf->control_socket,
			    DMVPN_RUNSTATEDIR "/dmvpnd.sock");
	assert_string_equal(conf->state_dir, "/var/lib/dmvpnd");
	assert_null(conf->hook_script);
	assert_int_equal(conf->route_protocol, 191);
	t = &conf->tunnels[0];
	assert_false(t->has_gre_key);
	assert_int_equal(t->mtu, 1400);
	assert_int_equal(t->ttl, 64);
	assert_int_equal(t->network_id, 1);
	assert_int_equal(t->holding_time, 7200);
	assert_true(t->unique);
	assert_true(t->shortcut);
	assert_false(t->redirect);
	assert_false(t->ipsec);
	assert_int_equal(t->nshortcut_dest, 0);
	assert_int_equal(t->auth_len, 0);
	assert_int_equal(t->route_table, 254);
	assert_int_equal(t->nhs_fallback, 0);
	assert_int_equal(t->negative_ttl, 60);
	assert_int_equal(t->redirect_interval, 2);
	assert_int_equal(t->redirect_burst, 4);
	assert_null(t->hook_script);
	assert_int_equal(t->nhs[0].priority, 0);
	assert_int_equal(t->nhs[0].cluster, 0);
	assert_int_equal(t->nclusters, 0);
	conf_free(conf);

	/* A hub redirects and does not take shortcuts. */
	conf = parse_ok(HUB_HEAD "}\n");
	t = &conf->tunnels[0];
	assert_int_equal(t->role, CONF_ROLE_HUB);
	assert_false(t->shortcut);
	assert_true(t->redirect);
	assert_int_equal(t->nnhs, 0);
	conf_free(conf);

	/* Explicit values win over the role's defaults, either way. */
	conf = parse_ok(HUB_HEAD "shortcut yes\nredirect no\n}\n");
	assert_true(conf->tunnels[0].shortcut);
	assert_false(conf->tunnels[0].redirect);
	conf_free(conf);
	conf = spoke_ok("shortcut no\nredirect yes");
	assert_false(conf->tunnels[0].shortcut);
	assert_true(conf->tunnels[0].redirect);
	conf_free(conf);

	/* An empty file is a configuration without tunnels. */
	conf = parse_ok("");
	assert_int_equal(conf->ntunnels, 0);
	conf_free(conf);
	conf = parse_ok("# nothing\n\n   \n;;\n");
	assert_int_equal(conf->ntunnels, 0);
	conf_free(conf);
}

static void
test_conf_new(void **state)
{
	struct dmvpn_conf *conf = conf_new();
	struct conf_tunnel t;

	(void)state;
	assert_non_null(conf);
	assert_string_equal(conf->state_dir, CONF_DEFAULT_STATE_DIR);
	assert_int_equal(conf->route_protocol, 191);
	roundtrip(conf);
	conf_free(conf);
	conf_free(NULL);
	memset(&t, 0, sizeof(t));
	conf_tunnel_defaults(&t, CONF_ROLE_HUB);
	assert_true(t.redirect);
	assert_false(t.shortcut);
	assert_int_equal(t.mtu, CONF_DEFAULT_MTU);
	assert_string_equal(conf_role_name(CONF_ROLE_HUB), "hub");
	assert_string_equal(conf_role_name(CONF_ROLE_SPOKE), "spoke");
}

/* --- global statements ------------------------------------------------- */

static void
test_globals(void **state)
{
	static const struct {
		const char *text;
		enum log_level level;
	} levels[] = {
		{"log-level error\n", LOG_LVL_ERROR},
		{"log-level warn\n", LOG_LVL_WARN},
		{"log-level warning\n", LOG_LVL_WARN},
		{"log-level info\n", LOG_LVL_INFO},
		{"log-level debug\n", LOG_LVL_DEBUG},
	};
	struct dmvpn_conf *conf;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		conf = parse_ok(levels[i].text);
		assert_int_equal(conf->log_level, levels[i].level);
		conf_free(conf);
	}
	conf = parse_ok("debug nhrp,ike\n");
	assert_int_equal(conf->debug, DBG_NHRP | DBG_IKE);
	conf_free(conf);
	conf = parse_ok("debug nhrp ike,xfrm\n");
	assert_int_equal(conf->debug, DBG_NHRP | DBG_IKE | DBG_XFRM);
	conf_free(conf);
	conf = parse_ok("debug all\n");
	assert_int_equal(conf->debug, DBG_ALL);
	conf_free(conf);
	conf = parse_ok("debug none\n");
	assert_int_equal(conf->debug, 0);
	conf_free(conf);
	conf = parse_ok("debug core,conf,ctl,nhrp,ike,xfrm,rtnl,route,dns\n");
	assert_int_equal(conf->debug, DBG_ALL);
	conf_free(conf);

	conf = parse_ok("control-socket /tmp/x.sock\n"
			"state-dir \"/var/lib/dmvpn d\"\n"
			"route-protocol 200\n"
			"hook-script /etc/dmvpn/hook\n");
	assert_string_equal(conf->control_socket, "/tmp/x.sock");
	assert_string_equal(conf->state_dir, "/var/lib/dmvpn d");
	assert_int_equal(conf->route_protocol, 200);
	assert_string_equal(conf->hook_script, "/etc/dmvpn/hook");
	conf_free(conf);
	conf = parse_ok("route-protocol nhrp\n");
	assert_int_equal(conf->route_protocol, 191);
	conf_free(conf);
	conf = parse_ok("route-protocol 5\n");
	assert_int_equal(conf->route_protocol, 5);
	conf_free(conf);
}

static void
test_global_errors(void **state)
{
	char text[256], want[256];
	const char *const w[] = {want, NULL};

	(void)state;
	expect_errors("log-level loud\n",
		      "t.conf:1: log-level loud: must be error, warn, info or "
		      "debug");
	expect_errors("log-level\n", "t.conf:1: log-level: missing value");
	expect_errors("log-level info debug\n",
		      "t.conf:1: log-level: unexpected debug");
	expect_errors("debug nhrp,bgp\n",
		      "t.conf:1: debug nhrp,bgp: unknown category bgp (known: "
		      "core,conf,ctl,nhrp,ike,xfrm,rtnl,route,dns,all,none)");
	expect_errors("debug nhrp,,ike\n",
		      "t.conf:1: debug nhrp,,ike: empty category name");
	expect_errors("debug\n", "t.conf:1: debug: missing value");
	expect_errors("debug none,nhrp\n",
		      "t.conf:1: debug: none cannot be combined with "
		      "categories");
	expect_errors("control-socket run/x.sock\n",
		      "t.conf:1: control-socket run/x.sock: must be an "
		      "absolute path");
	/* 108 bytes: one too many; the message shows the first 64. */
	snprintf(text, sizeof(text), "control-socket /run/%0103d\n", 0);
	snprintf(want, sizeof(want),
		 "t.conf:1: control-socket /run/%059d...: longer than 107 "
		 "bytes (the limit of a unix socket)",
		 0);
	expect_errors_v(text, w);
	snprintf(text, sizeof(text), "control-socket /run/%0102d\n", 0);
	conf_free(parse_ok(text));
	expect_errors("state-dir var/lib\n",
		      "t.conf:1: state-dir var/lib: must be an absolute path");
	expect_errors("hook-script ./hook\n",
		      "t.conf:1: hook-script ./hook: must be an absolute "
		      "path");
	expect_errors("route-protocol 4\n",
		      "t.conf:1: route-protocol 4: must be nhrp or 5..255 "
		      "(0..4 are the kernel's own)");
	expect_errors("route-protocol 256\n",
		      "t.conf:1: route-protocol 256: must be nhrp or 5..255 "
		      "(0..4 are the kernel's own)");
	expect_errors("route-protocol zebra\n",
		      "t.conf:1: route-protocol zebra: must be nhrp or 5..255 "
		      "(0..4 are the kernel's own)");
	expect_errors("log-level info\nlog-level debug\n",
		      "t.conf:2: log-level: already set at line 1");
	expect_errors("state-dir /a\nstate-dir /b\n",
		      "t.conf:2: state-dir: already set at line 1");
	expect_errors("mtu 1400\n",
		      "t.conf:1: mtu: only allowed inside a tunnel block");
	expect_errors("ike {\n\tpsk \"x\"\n\tfoo {\n\t}\n}\n",
		      "t.conf:1: ike: an authentication method is required: "
		      "psk-file, or certificate, private-key and ca",
		      "t.conf:2: unknown keyword \"psk\"",
		      "t.conf:3: unknown keyword \"foo\"");
	expect_errors("ike\n",
		      "t.conf:1: ike: expected \"{\" at the end of the line");
	expect_errors("log-level info {\n}\n",
		      "t.conf:1: log-level: does not take a block");
}

/* --- tunnel statements ------------------------------------------------- */

static void
test_tunnel_statements(void **state)
{
	struct dmvpn_conf *conf;
	const struct conf_tunnel *t;
	char s[ADDR_STRLEN];

	(void)state;
	conf = parse_ok("tunnel dmvpn-hub.1 {\n"
			"role hub\n"
			"local 2001:db8::1\n"
			"address 172.16.0.1/16\n"
			"address 10.99.0.1/31\n"
			"address 2001:db8:16::1/64\n"
			"gre-key 0\n"
			"mtu 9000\n"
			"ttl 1\n"
			"network-id 4294967295\n"
			"holding-time 65535\n"
			"registration unique\n"
			"shortcut-destination 10.1.0.0/24\n"
			"shortcut-destination 192.0.2.77\n"
			"shortcut-destination 2001:db8:1::/48\n"
			"route-table 100\n"
			"nhs-fallback 1h\n"
			"negative-ttl 1s\n"
			"redirect-rate burst 10 every 1m\n"
			"hook-script /usr/libexec/dmvpn-hook\n"
			"cluster 1 max-connections 2\n"
			"nhs 172.16.0.2 nbma 2001:db8::2 cluster 1 priority 9\n"
			"nhs 2001:db8:16::2 nbma hub2.example.net.\n"
			"map 172.16.9.9 nbma 2001:db8::99\n"
			"}\n");
	t = &conf->tunnels[0];
	assert_string_equal(t->name, "dmvpn-hub.1");
	assert_string_equal(addr_fmt(&t->local, s), "2001:db8::1");
	assert_string_equal(t->nbma_ifname, "");
	assert_int_equal(t->naddresses, 3);
	assert_true(t->has_gre_key);
	assert_int_equal(t->gre_key, 0);
	assert_int_equal(t->mtu, 9000);
	assert_int_equal(t->ttl, 1);
	assert_int_equal(t->network_id, 4294967295u);
	assert_int_equal(t->holding_time, 65535);
	assert_true(t->unique);
	assert_int_equal(t->nshortcut_dest, 3);
	assert_string_equal(prefix_fmt(&t->shortcut_dest[1], s),
			    "192.0.2.77/32");
	assert_int_equal(t->route_table, 100);
	assert_int_equal(t->nhs_fallback, 3600);
	assert_int_equal(t->negative_ttl, 1);
	assert_int_equal(t->redirect_interval, 60);
	assert_int_equal(t->redirect_burst, 10);
	assert_string_equal(t->hook_script, "/usr/libexec/dmvpn-hook");
	assert_int_equal(t->nclusters, 1);
	assert_int_equal(t->clusters[0].cluster, 1);
	assert_int_equal(t->clusters[0].max_connections, 2);
	assert_int_equal(t->nhs[0].priority, 9);
	assert_int_equal(t->nhs[0].cluster, 1);
	assert_string_equal(t->nhs[1].fqdn, "hub2.example.net.");
	conf_free(conf);

	conf = spoke_ok("gre-key 4294967295\nmtu 576\nttl 255\n"
			"route-table default\nredirect-rate every 5s\n"
			"authentication x\nregistration no-unique");
	t = &conf->tunnels[0];
	assert_int_equal(t->gre_key, 4294967295u);
	assert_int_equal(t->mtu, 576);
	assert_int_equal(t->ttl, 255);
	assert_int_equal(t->route_table, 253);
	assert_int_equal(t->redirect_interval, 5);
	assert_int_equal(t->redirect_burst, 4);
	assert_int_equal(t->auth_len, 1);
	assert_false(t->unique);
	conf_free(conf);

	conf = spoke_ok("route-table local\nredirect-rate burst 1");
	assert_int_equal(conf->tunnels[0].route_table, 255);
	assert_int_equal(conf->tunnels[0].redirect_burst, 1);
	conf_free(conf);
}

static void
test_tunnel_value_errors(void **state)
{
	(void)state;
	/* In line order, whenever they were found. */
	expect_errors("tunnel gre1 {\nrole server\n}\n",
		      "t.conf:1: tunnel gre1: address is required (e.g. "
		      "address 172.16.0.10/24)",
		      "t.conf:1: tunnel gre1: nbma-interface or local is "
		      "required",
		      "t.conf:2: role server: must be spoke or hub");
	spoke_err("gre-key -1", "t.conf:6: gre-key -1: not a number");
	spoke_err("gre-key 0x2a", "t.conf:6: gre-key 0x2a: not a number");
	spoke_err("gre-key 4294967296",
		  "t.conf:6: gre-key 4294967296: must be 0..4294967295");
	spoke_err("gre-key 99999999999999999999999",
		  "t.conf:6: gre-key 99999999999999999999999: must be "
		  "0..4294967295");
	spoke_err("mtu 575", "t.conf:6: mtu 575: must be 576..9000");
	spoke_err("mtu 9001", "t.conf:6: mtu 9001: must be 576..9000");
	spoke_err("ttl 0", "t.conf:6: ttl 0: must be 1..255");
	spoke_err("network-id 0",
		  "t.conf:6: network-id 0: must be 1..4294967295");
	spoke_err("holding-time 0",
		  "t.conf:6: holding-time 0: must be 1s..65535s");
	spoke_err("holding-time 1d",
		  "t.conf:6: holding-time 1d: must be 1s..65535s");
	spoke_err("holding-time 2 h", "t.conf:6: holding-time: unexpected h");
	spoke_err("registration once",
		  "t.conf:6: registration once: must be unique or no-unique");
	spoke_err("shortcut maybe",
		  "t.conf:6: shortcut maybe: must be yes or no");
	spoke_err("redirect on", "t.conf:6: redirect on: must be yes or no");
	spoke_err("ipsec 1", "t.conf:6: ipsec 1: must be yes or no");
	spoke_err("ipsec yes", "t.conf:6: ipsec yes: needs an ike block");
	spoke_err("route-table 0",
		  "t.conf:6: route-table 0: must be main, default, local or "
		  "1..4294967295");
	spoke_err("route-table Main",
		  "t.conf:6: route-table Main: must be main, default, local "
		  "or 1..4294967295");
	spoke_err("nhs-fallback 2h",
		  "t.conf:6: nhs-fallback 2h: must be 0s..3600s");
	spoke_err("negative-ttl 0",
		  "t.conf:6: negative-ttl 0: must be 1s..3600s");
	spoke_err("redirect-rate 4 per 2s",
		  "t.conf:6: redirect-rate 4 per 2s: ambiguous; write "
		  "\"redirect-rate every 2s burst 4\" (one every 2s, bursts of "
		  "up to 4)");
	spoke_err("redirect-rate every",
		  "t.conf:6: redirect-rate: expected redirect-rate [every "
		  "INTERVAL] [burst N]");
	spoke_err("redirect-rate every 0s",
		  "t.conf:6: redirect-rate every 0s: must be 1s..3600s");
	spoke_err("redirect-rate burst 0",
		  "t.conf:6: redirect-rate burst 0: must be 1..1000");
	spoke_err("redirect-rate every 1s every 2s",
		  "t.conf:6: redirect-rate: unexpected every (expected every "
		  "or burst, once each)");
	spoke_err("authentication \"\"", "t.conf:6: authentication: empty");
	spoke_err("authentication my secret",
		  "t.conf:6: authentication: one value (quote a secret with "
		  "blanks)");
	spoke_err("authentication 123456789",
		  "t.conf:6: authentication: at most 8 bytes (Cisco "
		  "cleartext)");
	spoke_err("nbma-interface eth1",
		  "t.conf:6: nbma-interface: already set at line 3");
	spoke_err("hook-script hook",
		  "t.conf:6: hook-script hook: must be an absolute path");
	spoke_err("local 192.0.2.10",
		  "t.conf:6: nbma-interface and local: give one, not both "
		  "(lines 3 and 6)");
	spoke_err("control-socket /x",
		  "t.conf:6: control-socket: only allowed outside tunnel "
		  "blocks");
	spoke_err("address 10.0.0.1/8 {\n}",
		  "t.conf:6: address: does not take a block");
	spoke_err("mtu 1400\nmtu 1500", "t.conf:7: mtu: already set at line 6");
	spoke_err("state-dir \"/a\\x00b\"",
		  "t.conf:6: state-dir: only allowed outside tunnel blocks");
	expect_errors("state-dir \"/a\\x00b\"\n",
		      "t.conf:1: state-dir: NUL byte in value");
}

static void
test_addresses(void **state)
{
	(void)state;
	spoke_err("address 172.16.1.10",
		  "t.conf:6: address 172.16.1.10: needs a prefix length "
		  "(e.g. 172.16.1.10/24)");
	spoke_err("address 2001:db8::1",
		  "t.conf:6: address 2001:db8::1: needs a prefix length "
		  "(e.g. 2001:db8::1/64)");
	spoke_err("address 172.16.1.10/33",
		  "t.conf:6: address 172.16.1.10/33: not an address with a "
		  "prefix length (e.g. 172.16.0.10/24)");
	spoke_err("address 172.16.1.0/24",
		  "t.conf:6: address 172.16.1.0/24: that is the network "
		  "address, not a host's");
	spoke_err("address 172.16.1.255/24",
		  "t.conf:6: address 172.16.1.255/24: that is the broadcast "
		  "address");
	spoke_err("address 2001:db8::/64",
		  "t.conf:6: address 2001:db8::/64: that is the network "
		  "address, not a host's");
	spoke_err("address 224.0.0.5/24",
		  "t.conf:6: address 224.0.0.5/24: not a unicast address");
	spoke_err("address 127.0.0.2/8",
		  "t.conf:6: address 127.0.0.2/8: not a unicast address");
	spoke_err("address ff02::5/64",
		  "t.conf:6: address ff02::5/64: not a unicast address");
	spoke_err("address 172.16.0.10/16",
		  "t.conf:6: address 172.16.0.10/16: given twice");
	expect_errors("tunnel gre1 {\nrole hub\nlocal 0.0.0.0\naddress "
		      "10.0.0.1/24\n}\n",
		      "t.conf:3: local 0.0.0.0: not a unicast address");
	expect_errors("tunnel gre1 {\nrole hub\nlocal ::1\naddress "
		      "10.0.0.1/24\n}\n",
		      "t.conf:3: local ::1: not a unicast address");
	expect_errors("tunnel gre1 {\nrole hub\nlocal gw.example.net\naddress "
		      "10.0.0.1/24\n}\n",
		      "t.conf:3: local gw.example.net: not an IPv4 or IPv6 "
		      "address");
	expect_errors(HUB_HEAD "address 172.16.1.1/24\naddress 172.16.2.1/24\n"
			       "address 172.16.3.1/24\naddress "
			       "172.16.4.1/24\naddress 172.16.5.1/24\naddress "
			       "172.16.6.1/24\naddress 172.16.7.1/24\naddress "
			       "172.16.8.1/24\n}\n",
		      "t.conf:12: address: at most 8 per tunnel");
	/* /31 and /32 have no network or broadcast address. */
	conf_free(parse_ok(HUB_HEAD
			   "address 10.9.9.0/31\naddress "
			   "10.8.8.8/32\naddress 2001:db8::/127\n}\n"));
	spoke_err("shortcut-destination 10.1.0.1/24",
		  "t.conf:6: shortcut-destination 10.1.0.1/24: host bits set "
		  "(did you mean 10.1.0.0/24?)");
	spoke_err("shortcut-destination 10.1.0.0/24\nshortcut-destination "
		  "10.1.0.0/24",
		  "t.conf:7: shortcut-destination 10.1.0.0/24: given twice");
	spoke_err("shortcut-destination lan",
		  "t.conf:6: shortcut-destination lan: not a prefix (e.g. "
		  "10.1.0.0/24)");
}

static void
test_nhs_map(void **state)
{
	(void)state;
	spoke_err("nhs 172.16.0.2",
		  "t.conf:6: nhs: expected nhs ADDRESS|dynamic nbma "
		  "ADDRESS|NAME [priority N] [cluster N]");
	spoke_err("nhs 172.16.0.2 via 192.0.2.2",
		  "t.conf:6: nhs: expected nhs ADDRESS|dynamic nbma "
		  "ADDRESS|NAME [priority N] [cluster N]");
	spoke_err("nhs hub nbma 192.0.2.2",
		  "t.conf:6: nhs hub: not an IPv4 or IPv6 address");
	spoke_err("nhs 172.16.0.2 nbma 192.0.2.300",
		  "t.conf:6: nhs 172.16.0.2: nbma 192.0.2.300: not an address "
		  "or a host name");
	spoke_err("nhs 172.16.0.2 nbma -hub.example.net",
		  "t.conf:6: nhs 172.16.0.2: nbma -hub.example.net: not an "
		  "address or a host name");
	spoke_err("nhs 172.16.0.2 nbma hub..example.net",
		  "t.conf:6: nhs 172.16.0.2: nbma hub..example.net: not an "
		  "address or a host name");
	spoke_err("nhs 172.16.0.2 nbma hub_1.example.net",
		  "t.conf:6: nhs 172.16.0.2: nbma hub_1.example.net: not an "
		  "address or a host name");
	spoke_err("nhs 172.16.0.2 nbma 255.255.255.255",
		  "t.conf:6: nhs 172.16.0.2: nbma 255.255.255.255: not a "
		  "unicast address");
	spoke_err("nhs 172.16.0.2 nbma 192.0.2.2 priority 256",
		  "t.conf:6: nhs 172.16.0.2 priority 256: must be 0..255");
	spoke_err("nhs 172.16.0.2 nbma 192.0.2.2 cluster x",
		  "t.conf:6: nhs 172.16.0.2 cluster x: not a number");
	spoke_err("nhs 172.16.0.2 nbma 192.0.2.2 priority",
		  "t.conf:6: nhs 172.16.0.2: priority: missing value");
	spoke_err("nhs 172.16.0.2 nbma 192.0.2.2 priority 1 priority 2",
		  "t.conf:6: nhs 172.16.0.2: priority given twice");
	spoke_err("nhs 172.16.0.2 nbma 192.0.2.2 weight 2",
		  "t.conf:6: nhs 172.16.0.2: unexpected weight (expected "
		  "priority or cluster)");
	spoke_err("nhs 10.0.0.1 nbma 192.0.2.2",
		  "t.conf:6: nhs 10.0.0.1: not inside the tunnel's address "
		  "172.16.0.10/24");
	spoke_err("address 172.17.0.10/24\nnhs 10.0.0.1 nbma 192.0.2.2",
		  "t.conf:7: nhs 10.0.0.1: not inside the tunnel's addresses "
		  "172.16.0.10/24, 172.17.0.10/24");
	spoke_err("nhs 2001:db8::1 nbma 192.0.2.2",
		  "t.conf:6: nhs 2001:db8::1: the tunnel has no IPv6 address");
	spoke_err("nhs 172.16.0.10 nbma 192.0.2.2",
		  "t.conf:6: nhs 172.16.0.10: that is this tunnel's own "
		  "address");
	spoke_err("nhs 172.16.0.1 nbma 192.0.2.9",
		  "t.conf:6: nhs 172.16.0.1: already given at line 5");
	spoke_err("nhs dynamic nbma hub.example.net\n"
		  "nhs dynamic nbma HUB.example.net",
		  "t.conf:7: nhs dynamic nbma hub.example.net: already given "
		  "at line 6");
	spoke_err("nhs 172.16.0.2 nbma 2001:db8::2",
		  "t.conf:6: nhs 172.16.0.2: nbma 2001:db8::2 is IPv6 but the "
		  "nbma at line 5 is IPv4 (one tunnel carries one NBMA "
		  "family)");
	spoke_err("map 172.16.0.20",
		  "t.conf:6: map: expected map ADDRESS nbma ADDRESS");
	spoke_err("map 172.16.0.20 nbma gw.example.net",
		  "t.conf:6: map 172.16.0.20 nbma gw.example.net: must be an "
		  "address (host names are for nhs)");
	spoke_err("map 172.16.0.20 nbma 192.0.2.999",
		  "t.conf:6: map 172.16.0.20 nbma 192.0.2.999: not an IPv4 or "
		  "IPv6 address");
	spoke_err("map 10.0.0.20 nbma 192.0.2.20",
		  "t.conf:6: map 10.0.0.20: not inside the tunnel's address "
		  "172.16.0.10/24");
	spoke_err("map 172.16.0.20 nbma 192.0.2.20\n"
		  "map 172.16.0.20 nbma 192.0.2.21",
		  "t.conf:7: map 172.16.0.20: already given at line 6");
	spoke_err("map 172.16.0.1 nbma 192.0.2.1",
		  "t.conf:6: map 172.16.0.1: already an nhs at line 5, which "
		  "gives its nbma");
	spoke_err("map 172.16.0.20 nbma 2001:db8::20",
		  "t.conf:6: map 172.16.0.20: nbma 2001:db8::20 is IPv6 but "
		  "the nbma at line 5 is IPv4 (one tunnel carries one NBMA "
		  "family)");
	expect_errors("tunnel gre1 {\nrole spoke\nlocal 2001:db8::10\n"
		      "address 172.16.0.10/24\n"
		      "nhs 172.16.0.1 nbma 192.0.2.1\n}\n",
		      "t.conf:5: nhs 172.16.0.1: nbma 192.0.2.1 is IPv4 but "
		      "local 2001:db8::10 is IPv6 (one tunnel carries one NBMA "
		      "family)");
	spoke_err("cluster 1 max-connections 2",
		  "t.conf:6: cluster 1: no nhs is in it");
	spoke_err("cluster 0 max-connections 2\ncluster 0 max-connections 3",
		  "t.conf:7: cluster 0: already given at line 6");
	spoke_err("cluster 0 max-connections 0",
		  "t.conf:6: cluster 0 max-connections 0: must be 1..255");
	spoke_err("cluster 256 max-connections 1",
		  "t.conf:6: cluster 256: must be 0..255");
	spoke_err("cluster 0 max 1",
		  "t.conf:6: cluster: expected cluster N max-connections M");
}

static void
test_required(void **state)
{
	(void)state;
	expect_errors("tunnel gre1 {\n}\n",
		      "t.conf:1: tunnel gre1: role is required (spoke or hub)",
		      "t.conf:1: tunnel gre1: address is required (e.g. "
		      "address 172.16.0.10/24)",
		      "t.conf:1: tunnel gre1: nbma-interface or local is "
		      "required");
	expect_errors("tunnel gre1 {\nrole spoke\nlocal 192.0.2.10\n"
		      "address 172.16.0.10/24\n}\n",
		      "t.conf:1: tunnel gre1: a spoke needs at least one nhs "
		      "or map");
	/* A map alone will do. */
	conf_free(parse_ok("tunnel gre1 {\nrole spoke\nlocal 192.0.2.10\n"
			   "address 172.16.0.10/24\n"
			   "map 172.16.0.1 nbma 192.0.2.1\n}\n"));
	/* A bad address is reported once, not again as missing. */
	expect_errors("tunnel gre1 {\nrole hub\nlocal 192.0.2.10\n"
		      "address 172.16.0.10\n}\n",
		      "t.conf:4: address 172.16.0.10: needs a prefix length "
		      "(e.g. 172.16.0.10/24)");
	/* Nor when the lexer refused it. */
	expect_errors("tunnel gre1 {\nrole hub\nlocal 192.0.2.10\n"
		      "address \"172.16.0.10/24\n}\n",
		      "t.conf:4: unterminated string");
	/* ... and nhs checks that need the addresses are skipped. */
	expect_errors("tunnel gre1 {\nrole spoke\nlocal 192.0.2.10\n"
		      "address 172.16.0.10/33\nnhs 172.16.0.1 nbma "
		      "192.0.2.1\n}\n",
		      "t.conf:4: address 172.16.0.10/33: not an address with a "
		      "prefix length (e.g. 172.16.0.10/24)");
	/* A bad role does not make it a spoke without nhs. */
	expect_errors("tunnel gre1 {\nrole router\nlocal 192.0.2.10\n"
		      "address 172.16.0.10/24\n}\n",
		      "t.conf:2: role router: must be spoke or hub");
	spoke_err("mtu 1000\naddress 2001:db8::10/64",
		  "t.conf:6: mtu 1000: must be 1280..9000 with an IPv6 tunnel "
		  "address");
	conf_free(spoke_ok("mtu 1280\naddress 2001:db8::10/64"));
}

/* The per-tunnel limits: 32 nhs, 1024 maps, 32 shortcut-destinations. */
static void
test_limits(void **state)
{
	const char *const w_nhs[] = {"t.conf:37: nhs: at most 32 per tunnel",
				     NULL};
	const char *const w_map[] = {
		"t.conf:1029: map: at most 1024 per tunnel", NULL};
	const char *const w_sd[] = {
		"t.conf:37: shortcut-destination: at most 32 per tunnel", NULL};
	char *text;
	size_t i, used, cap = 64 * 1100;

	(void)state;
	text = malloc(cap);
	assert_non_null(text);
	/* Lines 1-4 open a hub on 10/8; the entries start at line 5. */
	used = (size_t)snprintf(text, cap,
				"tunnel g {\nrole hub\nlocal "
				"192.0.2.1\naddress 10.0.0.1/8\n");
	for (i = 1; i <= 33; i++)
		used += (size_t)snprintf(text + used, cap - used,
					 "nhs 10.0.%zu.1 nbma 192.0.2.%zu\n", i,
					 i);
	snprintf(text + used, cap - used, "}\n");
	expect_errors_v(text, w_nhs);

	used = (size_t)snprintf(text, cap,
				"tunnel g {\nrole hub\nlocal "
				"192.0.2.1\naddress 10.0.0.1/8\n");
	for (i = 1; i <= 1025; i++)
		used += (size_t)snprintf(text + used, cap - used,
					 "map 10.%zu.%zu.1 nbma 192.0.2.9\n",
					 i / 250, i % 250);
	snprintf(text + used, cap - used, "}\n");
	expect_errors_v(text, w_map);

	used = (size_t)snprintf(text, cap,
				"tunnel g {\nrole hub\nlocal "
				"192.0.2.1\naddress 10.0.0.1/8\n");
	for (i = 1; i <= 33; i++)
		used += (size_t)snprintf(text + used, cap - used,
					 "shortcut-destination 11.%zu.0.0/16\n",
					 i);
	snprintf(text + used, cap - used, "}\n");
	expect_errors_v(text, w_sd);
	free(text);
}

static void
test_tunnel_names(void **state)
{
	char text[8192];
	size_t i, used = 0;

	(void)state;
	conf_free(parse_ok(HUB_HEAD "}\n"));
	expect_errors("tunnel gre1/a {\n}\n",
		      "t.conf:1: tunnel gre1/a: not an interface name (1..15 "
		      "characters, no '/', ':' or whitespace)");
	expect_errors("tunnel eth0:1 {\n}\n",
		      "t.conf:1: tunnel eth0:1: not an interface name (1..15 "
		      "characters, no '/', ':' or whitespace)");
	expect_errors("tunnel \"gre 1\" {\n}\n",
		      "t.conf:1: tunnel \"gre 1\": not an interface name "
		      "(1..15 characters, no '/', ':' or whitespace)");
	expect_errors("tunnel 0123456789abcdef {\n}\n",
		      "t.conf:1: tunnel 0123456789abcdef: not an interface "
		      "name (1..15 characters, no '/', ':' or whitespace)");
	expect_errors("tunnel .. {\n}\n",
		      "t.conf:1: tunnel ..: not an interface name (1..15 "
		      "characters, no '/', ':' or whitespace)");
	conf_free(parse_ok("tunnel 0123456789abcde {\nrole hub\nlocal "
			   "192.0.2.1\naddress 10.0.0.1/24\n}\n"));
	expect_errors("tunnel gre1 {\nrole hub\nnbma-interface gre1\n"
		      "address 10.0.0.1/24\n}\n",
		      "t.conf:3: nbma-interface gre1: that is the tunnel "
		      "itself");
	expect_errors("tunnel gre1 {\nrole hub\nnbma-interface eth0/1\n"
		      "address 10.0.0.1/24\n}\n",
		      "t.conf:3: nbma-interface eth0/1: not an interface name "
		      "(1..15 characters, no '/', ':' or whitespace)");
	expect_errors(HUB_HEAD "}\n" HUB_HEAD "}\n",
		      "t.conf:6: tunnel gre1: already defined at line 1");
	expect_errors("tunnel {\n}\n", "t.conf:1: tunnel: missing value");
	expect_errors("tunnel gre1\n",
		      "t.conf:1: tunnel: expected \"{\" at the end of the "
		      "line");
	expect_errors(HUB_HEAD "nbma-interface eth0\n",
		      "t.conf:1: tunnel gre1: no closing \"}\"",
		      "t.conf:5: nbma-interface and local: give one, not both "
		      "(lines 3 and 5)");
	expect_errors(HUB_HEAD "}\n}\n", "t.conf:6: unexpected \"}\"");
	expect_errors(HUB_HEAD "tunnel gre2 {\n}\n}\n",
		      "t.conf:5: tunnel: only allowed outside tunnel blocks");
	/* CONF_MAX_TUNNELS */
	for (i = 0; i <= CONF_MAX_TUNNELS; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "tunnel t%zu {\nrole hub\nlocal "
					 "192.0.2.1\ngre-key %zu\naddress "
					 "10.%zu.0.1/24\n}\n",
					 i, i, i);
	expect_errors(text, "t.conf:385: tunnel t64: more than 64 tunnels");
}

static void
test_cross_tunnel(void **state)
{
	struct dmvpn_conf *conf;

	(void)state;
	expect_errors(HUB_HEAD "}\ntunnel gre2 {\nrole hub\nlocal 192.0.2.1\n"
			       "address 172.17.0.1/24\n}\n",
		      "t.conf:6: tunnel gre2: same local 192.0.2.1 and gre-key "
		      "(none) as tunnel gre1 at line 1; the kernel could not "
		      "tell their packets apart");
	expect_errors(SPOKE_HEAD "gre-key 7\n}\n" SPOKE_HEAD "}\n",
		      "t.conf:8: tunnel gre1: already defined at line 1");
	expect_errors(SPOKE_HEAD "gre-key 7\n}\ntunnel gre2 {\nrole spoke\n"
				 "nbma-interface eth0\ngre-key 7\n"
				 "address 172.17.0.10/24\n"
				 "nhs 172.17.0.1 nbma 192.0.2.1\n}\n",
		      "t.conf:8: tunnel gre2: same nbma-interface eth0 and "
		      "gre-key (7) as tunnel gre1 at line 1; the kernel could "
		      "not tell their packets apart");
	expect_errors(HUB_HEAD "gre-key 1\n}\ntunnel gre2 {\nrole hub\n"
			       "local 192.0.2.1\ngre-key 2\n"
			       "address 172.16.5.1/16\n}\n",
		      "t.conf:7: tunnel gre2: address 172.16.5.1/16 overlaps "
		      "172.16.0.1/24 of tunnel gre1 at line 1");
	conf = parse_ok(HUB_HEAD "gre-key 1\n}\ntunnel gre2 {\nrole hub\n"
				 "local 192.0.2.1\ngre-key 2\n"
				 "address 172.17.0.1/24\n}\n");
	assert_int_equal(conf->ntunnels, 2);
	assert_non_null(conf_tunnel_find(conf, "gre2"));
	conf_free(conf);
}

/* --- durations, quoting, lexing ---------------------------------------- */

static void
test_durations(void **state)
{
	static const struct {
		const char *in;
		uint32_t secs;
		const char *out;
	} good[] = {
		{"90", 90, "1m30s"},      {"30s", 30, "30s"},
		{"5m", 300, "5m"},        {"2h", 7200, "2h"},
		{"1h30m", 5400, "1h30m"}, {"18h12m15s", 65535, "18h12m15s"},
		{"0001", 1, "1s"},        {"59m60s", 3600, "1h"},
		{"1h0m1s", 3601, "1h1s"}, {"65535", 65535, "18h12m15s"},
	};
	static const char *const bad[] = {
		"5x", "m",   "1h1h", "30m1h", "1.5h", "-1",
		"h1", "1hm", "1H",   "",      "1s5",
	};
	struct dmvpn_conf *conf;
	char line[128], want[256], *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(line, sizeof(line), "holding-time %s", good[i].in);
		conf = spoke_ok(line);
		assert_int_equal(conf->tunnels[0].holding_time, good[i].secs);
		out = print_conf(conf, 0);
		snprintf(want, sizeof(want), "\tholding-time %s\n",
			 good[i].out);
		assert_non_null(strstr(out, want));
		free(out);
		conf_free(conf);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "holding-time \"%s\"", bad[i]);
		snprintf(want, sizeof(want),
			 "t.conf:6: holding-time %s%s%s: not a duration (e.g. "
			 "90, 30s, 5m, 2h, 1d, 1h30m)",
			 bad[i][0] == '\0' ? "\"" : "", bad[i],
			 bad[i][0] == '\0' ? "\"" : "");
		spoke_err(line, want);
	}
	spoke_err("holding-time 99999999999999999999d",
		  "t.conf:6: holding-time 99999999999999999999d: must be "
		  "1s..65535s");
	spoke_err("nhs-fallback 1d1s",
		  "t.conf:6: nhs-fallback 1d1s: must be 0s..3600s");
	conf = spoke_ok("nhs-fallback 0\nnegative-ttl 1h");
	assert_int_equal(conf->tunnels[0].nhs_fallback, 0);
	assert_int_equal(conf->tunnels[0].negative_ttl, 3600);
	conf_free(conf);
}

static void
test_quoting(void **state)
{
	struct dmvpn_conf *conf;
	char *out;

	(void)state;
	conf = spoke_ok("authentication \"a\\\"b\\\\c\\x01\\t#\"");
	assert_int_equal(conf->tunnels[0].auth_len, 8);
	assert_memory_equal(conf->tunnels[0].auth, "a\"b\\c\x01\t#", 8);
	out = print_conf(conf, 0);
	assert_non_null(
		strstr(out, "\tauthentication \"a\\\"b\\\\c\\x01\\t#\"\n"));
	free(out);
	out = print_conf(conf, CONF_PRINT_HIDE_SECRETS);
	assert_non_null(strstr(out, "\tauthentication \"********\"\n"));
	free(out);
	conf_free(conf);

	/* NUL bytes are fine in a secret, nowhere else. */
	conf = spoke_ok("authentication \"\\x00\\x00\"");
	assert_int_equal(conf->tunnels[0].auth_len, 2);
	conf_free(conf);

	conf = parse_ok("hook-script \"/opt/my hooks/\\x7fhook#1\"\n"
			"state-dir \"/var/lib/dmvpnd\"\n");
	assert_string_equal(conf->hook_script, "/opt/my hooks/\x7fhook#1");
	out = print_conf(conf, 0);
	assert_non_null(
		strstr(out, "hook-script \"/opt/my hooks/\\x7fhook#1\"\n"));
	assert_non_null(strstr(out, "state-dir /var/lib/dmvpnd\n"));
	free(out);
	conf_free(conf);
	conf = parse_ok("state-dir \"/var/lib/\xc3\xa9t\xc3\xa9\"\n");
	out = print_conf(conf, 0);
	assert_non_null(
		strstr(out, "state-dir \"/var/lib/\\xc3\\xa9t\\xc3\\xa9\"\n"));
	free(out);
	conf_free(conf);

	expect_errors("state-dir \"/var\n", "t.conf:1: unterminated string");
	expect_errors("state-dir \"/var\\q\"\n",
		      "t.conf:1: unknown escape \\q");
	expect_errors("state-dir \"/var\\ x\"\n",
		      "t.conf:1: unknown escape \\ + 0x20");
	expect_errors("state-dir \"/var\\x4\"\n",
		      "t.conf:1: \\x needs two hex digits");
	expect_errors("state-dir \"/var\\", "t.conf:1: unterminated string");
	expect_errors("state-dir \"/v\x01r\"\n",
		      "t.conf:1: invalid character 0x01 in string");
	expect_errors("state-dir '/var'\n",
		      "t.conf:1: invalid character \"'\" (strings use double "
		      "quotes)");
	expect_errors("state-dir /v\\ar\n",
		      "t.conf:1: invalid character \"\\\"");
	expect_errors("\"log-level\" info\n",
		      "t.conf:1: expected a keyword, not a quoted string");
}

static void
test_lexing(void **state)
{
	static const char crlf[] = "tunnel gre1 {\r\n"
				   "  role spoke\r\n"
				   "  nbma-interface eth0\r\n"
				   "  address 172.16.0.10/24\r\n"
				   "  nhs 172.16.0.1 nbma 192.0.2.1\r\n"
				   "}\r\n";
	static const char nul[] = "log-level info\n\0\nlog-level x\n";
	char big[24000];
	struct dmvpn_conf *conf;
	struct conf_errors errs;

	(void)state;
	conf = parse_ok("tunnel gre1 { role hub; local 192.0.2.1; address "
			"172.16.0.1/24 }\nlog-level debug;debug nhrp\n");
	assert_int_equal(conf->tunnels[0].role, CONF_ROLE_HUB);
	assert_int_equal(conf->log_level, LOG_LVL_DEBUG);
	conf_free(conf);
	conf = parse_ok("log-level debug#comment right here\n# and here\n");
	assert_int_equal(conf->log_level, LOG_LVL_DEBUG);
	conf_free(conf);
	conf = parse_ok(crlf);
	assert_string_equal(conf->tunnels[0].nbma_ifname, "eth0");
	conf_free(conf);

	/* A NUL byte is an invalid character; the rest is still read. */
	conf_errors_init(&errs);
	assert_null(conf_parse_buf("t.conf", nul, sizeof(nul) - 1, &errs));
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.v[0].msg, "t.conf:2: invalid character 0x00");
	assert_string_equal(errs.v[1].msg,
			    "t.conf:3: log-level: already set at line 1");
	assert_int_equal(errs.v[0].line, 2);
	conf_errors_free(&errs);

	expect_errors("log-level \xc3\xa9\n",
		      "t.conf:1: invalid character 0xc3");
	expect_errors("{\nlog-level x\n}\nlog-level info\n",
		      "t.conf:1: unexpected \"{\"");
	expect_errors("foo bar {\n  baz {\n  }\n  log-level x\n}\n",
		      "t.conf:1: unknown keyword \"foo\"");
	expect_errors("foo {\n", "t.conf:1: unknown keyword \"foo\"",
		      "t.conf:1: no closing \"}\" for the block opened here");
	memset(big, 'a', sizeof(big));
	memcpy(big, "state-dir /", 11);
	big[sizeof(big) - 1] = '\0';
	expect_errors(big, "t.conf:1: word longer than 4095 bytes");
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i < 70; i++)
		strcat(big, "x ");
	expect_errors(big,
		      "t.conf:1: too many words in one statement (at most 64)");
	memset(big, 0, sizeof(big));
	strcat(big, "debug");
	for (size_t i = 0; i < 5; i++) {
		strcat(big, " \"");
		memset(big + strlen(big), 'n', 4000);
		strcat(big, "\"");
	}
	expect_errors(big, "t.conf:1: statement longer than 16384 bytes");
}

static void
test_unknown_keywords(void **state)
{
	(void)state;
	expect_errors("holdtime 5\n", "t.conf:1: unknown keyword \"holdtime\" "
				      "(did you mean \"holding-time\"?)");
	expect_errors("tunel gre1 {\n}\n",
		      "t.conf:1: unknown keyword \"tunel\" (did you mean "
		      "\"tunnel\"?)");
	expect_errors("Log-Level info\n",
		      "t.conf:1: unknown keyword \"Log-Level\" (did you mean "
		      "\"log-level\"?)");
	expect_errors("frobnicate 5\n", "t.conf:1: unknown keyword "
					"\"frobnicate\"");
	spoke_err("mut 1400",
		  "t.conf:6: unknown keyword \"mut\" (did you mean \"mtu\"?)");
	spoke_err("nbma-iface eth0",
		  "t.conf:6: unknown keyword \"nbma-iface\" (did you mean "
		  "\"nbma-interface\"?)");
	spoke_err("shortcut-dest 10.0.0.0/8",
		  "t.conf:6: unknown keyword \"shortcut-dest\" (did you mean "
		  "\"shortcut-destination\"?)");
	spoke_err("x 1", "t.conf:6: unknown keyword \"x\"");
	spoke_err("log-levl info",
		  "t.conf:6: unknown keyword \"log-levl\" (did you mean "
		  "\"log-level\"?)");
	spoke_err("ike {\n}", "t.conf:6: ike: only allowed outside tunnel "
			      "blocks (one ike block serves every tunnel)");
}

/* --- all errors, and the limit ----------------------------------------- */

static void
test_all_errors(void **state)
{
	(void)state;
	expect_errors(
		"log-level loud\n"
		"tunnel gre1 {\n"
		"\trole spoke\n"
		"\tnbma-interface eth0\n"
		"\taddress 172.16.0.10/24\n"
		"\tmtu 100\n"
		"\tholding-time 0\n"
		"\tnhs 10.0.0.1 nbma 192.0.2.1\n"
		"\tauthentication \"much too long\"\n"
		"\tbogus\n"
		"}\n"
		"tunnel gre1 {\n"
		"}\n"
		"state-dir relative\n",
		"t.conf:1: log-level loud: must be error, warn, info or "
		"debug",
		"t.conf:6: mtu 100: must be 576..9000",
		"t.conf:7: holding-time 0: must be 1s..65535s",
		"t.conf:8: nhs 10.0.0.1: not inside the tunnel's address "
		"172.16.0.10/24",
		"t.conf:9: authentication: at most 8 bytes (Cisco "
		"cleartext)",
		"t.conf:10: unknown keyword \"bogus\"",
		"t.conf:12: tunnel gre1: already defined at line 2",
		"t.conf:14: state-dir relative: must be an absolute path");
}

static void
test_error_limit(void **state)
{
	struct conf_errors errs;
	char *text;
	size_t i, used = 0, cap = 150 * 32;

	(void)state;
	text = malloc(cap);
	assert_non_null(text);
	for (i = 0; i < 150; i++)
		used += (size_t)snprintf(text + used, cap - used, "bad%zu\n",
					 i);
	conf_errors_init(&errs);
	assert_null(conf_parse_buf("t.conf", text, used, &errs));
	assert_int_equal(errs.n, CONF_MAX_ERRORS + 1);
	assert_string_equal(errs.v[0].msg,
			    "t.conf:1: unknown keyword \"bad0\"");
	assert_string_equal(errs.v[99].msg,
			    "t.conf:100: unknown keyword \"bad99\"");
	assert_string_equal(errs.v[100].msg,
			    "t.conf: too many errors; stopped after 100");
	assert_int_equal(errs.v[100].line, 0);
	conf_errors_free(&errs);
	assert_int_equal(errs.n, 0);

	/* Exactly 100: no note. */
	conf_errors_init(&errs);
	used = 0;
	for (i = 0; i < 100; i++)
		used += (size_t)snprintf(text + used, cap - used, "bad%zu\n",
					 i);
	assert_null(conf_parse_buf("t.conf", text, used, &errs));
	assert_int_equal(errs.n, 100);
	conf_errors_free(&errs);

	/* Without an error list, failure is still failure. */
	assert_null(conf_parse_buf("t.conf", text, used, NULL));
	free(text);
}

static void
test_errors_append(void **state)
{
	struct conf_errors errs;
	FILE *f;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	conf_errors_init(&errs);
	assert_null(conf_parse_buf("a.conf", "x\n", 2, &errs));
	assert_null(conf_parse_buf("b.conf", "\n\ny\n", 4, &errs));
	assert_int_equal(errs.n, 2);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	conf_errors_print(f, &errs);
	fclose(f);
	assert_string_equal(out, "a.conf:1: unknown keyword \"x\"\n"
				 "b.conf:3: unknown keyword \"y\"\n");
	free(out);
	conf_errors_free(&errs);
	conf_errors_free(NULL);
}

/* --- files ------------------------------------------------------------- */

static char *
write_tmp(const char *text, mode_t mode)
{
	char *path = strdup("/tmp/test_conf.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void
test_parse_file(void **state)
{
	struct conf_errors errs;
	struct dmvpn_conf *conf;
	char *path, want[256];

	(void)state;
	conf_errors_init(&errs);
	path = write_tmp(issue_example, 0600);
	conf = conf_parse_file(path, &errs);
	assert_non_null(conf);
	assert_int_equal(errs.n, 0);
	conf_free(conf);

	/* A secret in a file others may read is refused. */
	assert_int_equal(chmod(path, 0640), 0);
	assert_null(conf_parse_file(path, &errs));
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want),
		 "%s: holds a secret (authentication) but group or others "
		 "may access it (mode 0640): chmod 600 %s",
		 path, path);
	assert_string_equal(errs.v[0].msg, want);
	conf_errors_free(&errs);

	/* Owned by someone else: only root can arrange that. */
	if (geteuid() == 0) {
		assert_int_equal(chmod(path, 0600), 0);
		assert_int_equal(chown(path, 12345, 0), 0);
		assert_null(conf_parse_file(path, &errs));
		snprintf(want, sizeof(want),
			 "%s: holds a secret (authentication) but is owned by "
			 "uid 12345: it must be owned by root",
			 path);
		assert_string_equal(errs.v[0].msg, want);
		conf_errors_free(&errs);
	}
	unlink(path);
	free(path);

	/* Without a secret, any mode will do. */
	path = write_tmp(HUB_HEAD "}\n", 0644);
	conf = conf_parse_file(path, &errs);
	assert_non_null(conf);
	conf_free(conf);
	unlink(path);
	free(path);

	/* Errors carry the path. */
	path = write_tmp("\nmtu 1400\n", 0600);
	assert_null(conf_parse_file(path, &errs));
	snprintf(want, sizeof(want),
		 "%s:2: mtu: only allowed inside a tunnel block", path);
	assert_string_equal(errs.v[0].msg, want);
	conf_errors_free(&errs);
	unlink(path);
	free(path);

	assert_null(conf_parse_file("/nonexistent/dmvpn.conf", &errs));
	assert_string_equal(errs.v[0].msg, "/nonexistent/dmvpn.conf: No such "
					   "file or directory");
	conf_errors_free(&errs);
	assert_null(conf_parse_file("/tmp", &errs));
	assert_string_equal(errs.v[0].msg, "/tmp: not a regular file");
	conf_errors_free(&errs);
}

static void
test_parse_file_large(void **state)
{
	struct conf_errors errs;
	char path[] = "/tmp/test_conf_big.XXXXXX", want[128];
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, CONF_MAX_FILE + 1), 0);
	close(fd);
	conf_errors_init(&errs);
	assert_null(conf_parse_file(path, &errs));
	snprintf(want, sizeof(want), "%s: larger than 1048576 bytes", path);
	assert_string_equal(errs.v[0].msg, want);
	conf_errors_free(&errs);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_conf_new),
		cmocka_unit_test(test_globals),
		cmocka_unit_test(test_global_errors),
		cmocka_unit_test(test_tunnel_statements),
		cmocka_unit_test(test_tunnel_value_errors),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_nhs_map),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_tunnel_names),
		cmocka_unit_test(test_cross_tunnel),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_lexing),
		cmocka_unit_test(test_unknown_keywords),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_error_limit),
		cmocka_unit_test(test_errors_append),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_parse_file_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
