/*
 * Unit tests for the normalised print and the helpers reload uses to
 * apply only what changed: conf_tunnel_diff(), conf_global_diff(),
 * conf_nhs_diff(), conf_map_diff(), and CONF_GC_IKE.  The parser's own
 * tests are in test_conf_parse.c and test_conf_ike.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

/* --- printing ---------------------------------------------------------- */

static void
test_print(void **state)
{
	struct dmvpn_conf *conf;
	char *out;

	(void)state;
	conf = parse_ok("debug ike,nhrp\nroute-protocol 42\n"
			"hook-script /etc/dmvpn/hook\n" SPOKE_HEAD
			"gre-key 42\nholding-time 600\n"
			"authentication s3cret\nroute-table 1000\n}\n");
	out = print_conf(conf, 0);
	assert_string_equal(out,
			    "log-level info\n"
			    "debug nhrp,ike\n"
			    "control-socket " DMVPN_RUNSTATEDIR "/dmvpnd.sock\n"
			    "state-dir /var/lib/dmvpnd\n"
			    "route-protocol 42\n"
			    "hook-script /etc/dmvpn/hook\n"
			    "\n"
			    "tunnel gre1 {\n"
			    "\trole spoke\n"
			    "\tnbma-interface eth0\n"
			    "\taddress 172.16.0.10/24\n"
			    "\tgre-key 42\n"
			    "\tmtu 1400\n"
			    "\tttl 64\n"
			    "\tnetwork-id 1\n"
			    "\tholding-time 10m\n"
			    "\tregistration unique\n"
			    "\tshortcut yes\n"
			    "\tredirect no\n"
			    "\tnhs 172.16.0.1 nbma 192.0.2.1 priority 0 "
			    "cluster 0\n"
			    "\tnhs-fallback 0s\n"
			    "\tnegative-ttl 1m\n"
			    "\tredirect-rate every 2s burst 4\n"
			    "\tauthentication \"s3cret\"\n"
			    "\troute-table 1000\n"
			    "\tipsec no\n"
			    "}\n");
	free(out);
	conf_free(conf);
}

/* --- reload diffs ------------------------------------------------------ */

static struct dmvpn_conf *
hub_with(const char *lines)
{
	static char text[4096];

	snprintf(text, sizeof(text),
		 "tunnel gre1 {\nrole hub\nlocal 192.0.2.1\n"
		 "address 172.16.0.1/24\naddress 2001:db8:16::1/64\n"
		 "nhs 172.16.0.2 nbma 192.0.2.2\nnhs dynamic nbma "
		 "hub3.example.net\nmap 172.16.0.9 nbma 192.0.2.9\n"
		 "%s\n}\n",
		 lines);
	return parse_ok(text);
}

static void
test_tunnel_diff(void **state)
{
	static const struct {
		const char *lines;
		unsigned int diff;
	} cases[] = {
		{"", 0},
		{"gre-key 5", CONF_TC_DEVICE},
		{"mtu 1500", CONF_TC_LINK},
		{"ttl 10", CONF_TC_LINK},
		{"address 172.17.0.1/24", CONF_TC_ADDRESS},
		{"network-id 7", CONF_TC_NHRP},
		{"holding-time 1h", CONF_TC_NHRP},
		{"registration no-unique", CONF_TC_NHRP},
		{"shortcut yes", CONF_TC_NHRP},
		{"redirect no", CONF_TC_NHRP},
		{"shortcut-destination 10.0.0.0/8", CONF_TC_NHRP},
		{"authentication x", CONF_TC_NHRP},
		{"nhs-fallback 10s", CONF_TC_NHRP},
		{"negative-ttl 10s", CONF_TC_NHRP},
		{"redirect-rate burst 9", CONF_TC_NHRP},
		{"redirect-rate every 9s", CONF_TC_NHRP},
		{"cluster 0 max-connections 1", CONF_TC_NHRP},
		{"nhs 172.16.0.3 nbma 192.0.2.3", CONF_TC_NHS},
		{"map 172.16.0.8 nbma 192.0.2.8", CONF_TC_MAP},
		{"route-table 10", CONF_TC_ROUTE},
		{"hook-script /x", CONF_TC_HOOK},
		{"mtu 1500\ngre-key 1\nmap 172.16.0.8 nbma 192.0.2.8",
		 CONF_TC_LINK | CONF_TC_DEVICE | CONF_TC_MAP},
	};
	struct dmvpn_conf *base = hub_with(""), *c, *nbma;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = hub_with(cases[i].lines);
		assert_int_equal(
			conf_tunnel_diff(&base->tunnels[0], &c->tunnels[0]),
			cases[i].diff);
		assert_int_equal(
			conf_tunnel_diff(&c->tunnels[0], &base->tunnels[0]),
			cases[i].diff);
		assert_int_equal(
			conf_tunnel_equal(&base->tunnels[0], &c->tunnels[0]),
			cases[i].diff == 0);
		assert_int_equal(conf_tunnel_needs_recreate(&base->tunnels[0],
							    &c->tunnels[0]),
				 (cases[i].diff & CONF_TC_DEVICE) != 0);
		assert_int_equal(conf_global_diff(base, c),
				 cases[i].diff != 0 ? CONF_GC_TUNNELS : 0);
		conf_free(c);
	}

	/* The same tunnel as a spoke. */
	c = parse_ok("tunnel gre1 {\nrole spoke\nlocal 192.0.2.1\n"
		     "address 172.16.0.1/24\naddress 2001:db8:16::1/64\n"
		     "nhs 172.16.0.2 nbma 192.0.2.2\nnhs dynamic nbma "
		     "hub3.example.net\nmap 172.16.0.9 nbma 192.0.2.9\n"
		     "shortcut no\nredirect yes\n}\n");
	assert_int_equal(conf_tunnel_diff(&base->tunnels[0], &c->tunnels[0]),
			 CONF_TC_NHRP);
	conf_free(c);

	/* Order of set-like lists does not matter. */
	c = parse_ok("tunnel gre1 {\nrole hub\nlocal 192.0.2.1\n"
		     "map 172.16.0.9 nbma 192.0.2.9\n"
		     "address 2001:db8:16::1/64\naddress 172.16.0.1/24\n"
		     "nhs dynamic nbma hub3.example.net\n"
		     "nhs 172.16.0.2 nbma 192.0.2.2\n}\n");
	assert_int_equal(conf_tunnel_diff(&base->tunnels[0], &c->tunnels[0]),
			 0);
	assert_true(conf_equal(base, c));
	conf_free(c);

	/* local <-> nbma-interface re-creates the device. */
	nbma = parse_ok("tunnel gre1 {\nrole hub\nnbma-interface eth0\n"
			"address 172.16.0.1/24\naddress 2001:db8:16::1/64\n"
			"nhs 172.16.0.2 nbma 192.0.2.2\nnhs dynamic nbma "
			"hub3.example.net\nmap 172.16.0.9 nbma 192.0.2.9\n}\n");
	assert_true(conf_tunnel_needs_recreate(&base->tunnels[0],
					       &nbma->tunnels[0]));
	assert_int_equal(conf_tunnel_diff(&base->tunnels[0], &nbma->tunnels[0]),
			 CONF_TC_DEVICE);
	conf_free(nbma);
	conf_free(base);
}

static void
test_entry_diff(void **state)
{
	struct dmvpn_conf *a, *b;
	struct conf_entry_diff d;
	const struct conf_tunnel *ta, *tb;

	(void)state;
	a = hub_with("nhs 172.16.0.4 nbma 192.0.2.4 priority 1\n"
		     "map 172.16.0.10 nbma 192.0.2.10");
	b = parse_ok("tunnel gre1 {\nrole hub\nlocal 192.0.2.1\n"
		     "address 172.16.0.1/24\n"
		     "nhs 172.16.0.4 nbma 192.0.2.4 priority 2\n"
		     "nhs 172.16.0.5 nbma 192.0.2.5\n"
		     "nhs dynamic nbma hub3.example.net\n"
		     "map 172.16.0.9 nbma 192.0.2.99\n"
		     "map 172.16.0.11 nbma 192.0.2.11\n}\n");
	ta = &a->tunnels[0];
	tb = &b->tunnels[0];
	/* a: nhs .2, dynamic hub3, .4 (prio 1); b: .4 (prio 2), .5, hub3 */
	assert_int_equal(conf_nhs_diff(ta, tb, &d), 0);
	assert_int_equal(d.nadded, 1);
	assert_int_equal(d.added[0], 1);
	assert_int_equal(d.nremoved, 1);
	assert_int_equal(d.removed[0], 0);
	assert_int_equal(d.nchanged, 1);
	assert_int_equal(d.changed[0].old_idx, 2);
	assert_int_equal(d.changed[0].new_idx, 0);
	conf_entry_diff_free(&d);
	assert_null(d.added);
	conf_entry_diff_free(&d);

	/* a: map .9 -> .9, .10; b: .9 -> .99, .11 */
	assert_int_equal(conf_map_diff(ta, tb, &d), 0);
	assert_int_equal(d.nadded, 1);
	assert_int_equal(d.added[0], 1);
	assert_int_equal(d.nremoved, 1);
	assert_int_equal(d.removed[0], 1);
	assert_int_equal(d.nchanged, 1);
	assert_int_equal(d.changed[0].old_idx, 0);
	assert_int_equal(d.changed[0].new_idx, 0);
	conf_entry_diff_free(&d);

	assert_int_equal(conf_nhs_find(tb, &ta->nhs[1]), 2);
	assert_int_equal(conf_nhs_find(tb, &ta->nhs[0]), -1);
	assert_int_equal(conf_map_find(tb, &ta->maps[0]), 0);
	assert_int_equal(conf_map_find(tb, &ta->maps[1]), -1);

	/* Against itself: nothing. */
	assert_int_equal(conf_nhs_diff(ta, ta, &d), 0);
	assert_int_equal(d.nadded + d.nremoved + d.nchanged, 0);
	conf_entry_diff_free(&d);
	conf_free(a);
	conf_free(b);
}

static void
test_global_diff(void **state)
{
	static const struct {
		const char *text;
		unsigned int diff;
	} cases[] = {
		{"", 0},
		{"log-level debug\n", CONF_GC_LOG},
		{"debug nhrp\n", CONF_GC_LOG},
		{"control-socket /tmp/s\n", CONF_GC_CONTROL_SOCKET},
		{"state-dir /tmp\n", CONF_GC_STATE_DIR},
		{"route-protocol 99\n", CONF_GC_ROUTE_PROTOCOL},
		{"hook-script /bin/true\n", CONF_GC_HOOK},
		{HUB_HEAD "}\n", CONF_GC_TUNNELS},
		{"log-level warn\nstate-dir /tmp\n",
		 CONF_GC_LOG | CONF_GC_STATE_DIR},
		{"ike {\npsk-file /p\n}\n", CONF_GC_IKE},
	};
	struct dmvpn_conf *base = parse_ok(""), *c, *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = parse_ok(cases[i].text);
		assert_int_equal(conf_global_diff(base, c), cases[i].diff);
		assert_int_equal(conf_global_diff(c, base), cases[i].diff);
		assert_int_equal(conf_equal(base, c), cases[i].diff == 0);
		conf_free(c);
	}
	/* A renamed tunnel is another tunnel. */
	c = parse_ok(HUB_HEAD "}\n");
	d = parse_ok("tunnel gre9 {\nrole hub\nlocal 192.0.2.1\n"
		     "address 172.16.0.1/24\n}\n");
	assert_int_equal(conf_global_diff(c, d), CONF_GC_TUNNELS);
	assert_false(conf_tunnel_equal(&c->tunnels[0], &d->tunnels[0]));
	assert_int_equal(conf_tunnel_diff(&c->tunnels[0], &d->tunnels[0]), 0);
	conf_free(c);
	conf_free(d);
	conf_free(base);
}

/* The ike block: any change is CONF_GC_IKE; sets are sets. */
static void
test_ike_diff(void **state)
{
#define IKE_BASE                                                 \
	"ike {\npsk-file /p\n"                                   \
	"authorize fqdn:a.example.net 172.16.0.11 10.1.0.0/24\n" \
	"authorize 192.0.2.7 172.16.0.12\n"
	static const struct {
		const char *text;
		unsigned int diff;
	} cases[] = {
		{IKE_BASE "}\n", 0},
		/* Order of authorize lines and prefixes means nothing. */
		{"ike {\npsk-file /p\nauthorize 192.0.2.7 172.16.0.12\n"
		 "authorize fqdn:A.example.net 10.1.0.0/24 172.16.0.11\n}\n",
		 0},
		/* Defaults written out are the defaults. */
		{IKE_BASE "identity default\nesp-proposal auto\n"
			  "ike-proposal aes256gcm16-prfsha256-x25519-ecp256-"
			  "modp3072 aes256-sha256-x25519-ecp256-modp3072\n"
			  "ike-lifetime 4h\nesp-lifetime 60m\ndpd 30\n"
			  "nat-keepalive 20s\nhalf-open-limit 1000\n}\n",
		 0},
		{IKE_BASE "certificate /c\nprivate-key /k\nca /a\n}\n",
		 CONF_GC_IKE},
		{IKE_BASE "certificate /c\nprivate-key /k\nca /a\ncrl /r\n}\n",
		 CONF_GC_IKE},
		{IKE_BASE "identity 192.0.2.1\n}\n", CONF_GC_IKE},
		{IKE_BASE "ike-proposal aes256-sha256-x25519-ecp256-modp3072 "
			  "aes256gcm16-x25519-ecp256-modp3072\n}\n",
		 CONF_GC_IKE},
		{IKE_BASE "esp-proposal aes256gcm16\n}\n", CONF_GC_IKE},
		{IKE_BASE "ike-lifetime 3h\n}\n", CONF_GC_IKE},
		{IKE_BASE "esp-lifetime 2h\n}\n", CONF_GC_IKE},
		{IKE_BASE "dpd 0\n}\n", CONF_GC_IKE},
		{IKE_BASE "nat-keepalive 30s\n}\n", CONF_GC_IKE},
		{IKE_BASE "half-open-limit 999\n}\n", CONF_GC_IKE},
		{IKE_BASE "half-open-limit 1000 per-source 0\n}\n",
		 CONF_GC_IKE},
		{IKE_BASE "authorize fqdn:b.example.net 172.16.0.13\n}\n",
		 CONF_GC_IKE},
		{"ike {\npsk-file /p\nauthorize 192.0.2.7 172.16.0.12\n"
		 "authorize fqdn:a.example.net 172.16.0.11\n}\n",
		 CONF_GC_IKE},
		{"ike {\npsk-file /p\nauthorize 192.0.2.7 172.16.0.12\n"
		 "authorize fqdn:b.example.net 172.16.0.11 10.1.0.0/24\n}\n",
		 CONF_GC_IKE},
		{"ike {\npsk-file /other\n}\n", CONF_GC_IKE},
		{"", CONF_GC_IKE},
	};
	struct dmvpn_conf *base = parse_ok(IKE_BASE "}\n"), *c, *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = parse_ok(cases[i].text);
		assert_int_equal(conf_global_diff(base, c), cases[i].diff);
		assert_int_equal(conf_global_diff(c, base), cases[i].diff);
		assert_int_equal(conf_equal(base, c), cases[i].diff == 0);
		conf_free(c);
	}
	conf_free(base);

	/* Adding the block turns IPsec on in a tunnel that did not say. */
	c = parse_ok(HUB_HEAD "}\n");
	d = parse_ok(HUB_HEAD "}\nike {\npsk-file /p\n}\n");
	assert_int_equal(conf_global_diff(c, d), CONF_GC_IKE | CONF_GC_TUNNELS);
	assert_int_equal(conf_tunnel_diff(&c->tunnels[0], &d->tunnels[0]),
			 CONF_TC_IPSEC);
	conf_free(d);
	d = parse_ok(HUB_HEAD "ipsec no\n}\nike {\npsk-file /p\n}\n");
	assert_int_equal(conf_global_diff(c, d), CONF_GC_IKE);
	conf_free(d);
	conf_free(c);
#undef IKE_BASE
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_tunnel_diff),
		cmocka_unit_test(test_entry_diff),
		cmocka_unit_test(test_global_diff),
		cmocka_unit_test(test_ike_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
