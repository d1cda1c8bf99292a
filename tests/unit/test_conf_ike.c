/*
 * Unit tests for the ike block and `ipsec`: every statement, every
 * default, every error message (exact text), the normalised print and
 * its round trip, and the file checks of conf_parse_file().  The diff
 * (CONF_GC_IKE) is in test_conf_diff.c.
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

/* An ike block with an authentication method, to which tests add lines. */
#define IKE_HEAD "ike {\npsk-file /etc/dmvpn/psk\n"
#define HUB                 \
	"tunnel gre1 {\n"   \
	"role hub\n"        \
	"local 192.0.2.1\n" \
	"address 172.16.0.1/24\n"
#define GCM_DEFAULT "aes256gcm16-prfsha256-x25519-ecp256-modp3072"
#define CBC_DEFAULT "aes256-sha256-prfsha256-x25519-ecp256-modp3072"

static char *
print_conf(const struct dmvpn_conf *conf)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	conf_print(f, conf);
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
	one = print_conf(conf);
	again = conf_parse_buf("print", one, strlen(one), &errs);
	if (again == NULL) {
		conf_errors_print(stderr, &errs);
		fprintf(stderr, "---\n%s---\n", one);
	}
	assert_non_null(again);
	two = print_conf(again);
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

/* Lines added to IKE_HEAD (so the first is line 3). */
static struct dmvpn_conf *
ike_ok(const char *lines)
{
	static char text[8192];

	snprintf(text, sizeof(text), IKE_HEAD "%s\n}\n", lines);
	return parse_ok(text);
}

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

/* One statement added to IKE_HEAD, expecting one message. */
static void
ike_err(const char *line, const char *want)
{
	char text[4096];
	const char *const w[] = {want, NULL};

	snprintf(text, sizeof(text), IKE_HEAD "%s\n}\n", line);
	expect_errors_v(text, w);
}

static const char *
proposal(const struct conf_proposal *pr)
{
	static char s[256];

	return conf_proposal_fmt(pr, s, sizeof(s));
}

/* --- the example of the issue, every statement ------------------------- */

static const char full_example[] =
	"ike {\n"
	"    certificate /etc/dmvpn/host.pem\n"
	"    private-key /etc/dmvpn/host.key\n"
	"    ca /etc/dmvpn/ca.pem\n"
	"    crl /etc/dmvpn/ca.crl\n"
	"    psk-file /etc/dmvpn/psk\n"
	"    identity dn:\"CN=hub,O=Example\"\n"
	"    ike-proposal aes256gcm16-prfsha256-x25519-ecp256 "
	"aes256-sha256-ecp256\n"
	"    esp-proposal aes256gcm16 aes128gcm16 aes256-sha256\n"
	"    ike-lifetime 4h\n"
	"    esp-lifetime 1h\n"
	"    dpd 30s\n"
	"    nat-keepalive 20s\n"
	"    half-open-limit 1000 per-source 50\n"
	"    authorize dn:\"CN=spoke1,O=Example\" 172.16.0.11/32 "
	"10.1.0.0/24\n"
	"    authorize fqdn:spoke2.example.net 172.16.0.12\n"
	"}\n" HUB "}\n";

static void
test_full(void **state)
{
	struct dmvpn_conf *conf;
	const struct conf_ike *ike;
	const struct conf_authorize *a;
	char s[ADDR_STRLEN];

	(void)state;
	conf = parse_ok(full_example);
	ike = &conf->ike;
	assert_true(ike->present);
	assert_int_equal(ike->line, 1);
	assert_string_equal(ike->certificate, "/etc/dmvpn/host.pem");
	assert_int_equal(ike->certificate_line, 2);
	assert_string_equal(ike->private_key, "/etc/dmvpn/host.key");
	assert_int_equal(ike->private_key_line, 3);
	assert_string_equal(ike->ca, "/etc/dmvpn/ca.pem");
	assert_int_equal(ike->ca_line, 4);
	assert_string_equal(ike->crl, "/etc/dmvpn/ca.crl");
	assert_int_equal(ike->crl_line, 5);
	assert_string_equal(ike->psk_file, "/etc/dmvpn/psk");
	assert_int_equal(ike->psk_file_line, 6);
	assert_int_equal(ike->identity.type, CONF_ID_DER_ASN1_DN);
	assert_string_equal(ike->identity.value, "CN=hub,O=Example");

	assert_int_equal(ike->nike, 2);
	assert_int_equal(ike->ike[0].encr, 20);
	assert_int_equal(ike->ike[0].encr_bits, 256);
	assert_int_equal(ike->ike[0].integ, 0);
	assert_int_equal(ike->ike[0].prf, 5);
	assert_int_equal(ike->ike[0].ndh, 2);
	assert_int_equal(ike->ike[0].dh[0], 31);
	assert_int_equal(ike->ike[0].dh[1], 19);
	assert_int_equal(ike->ike[1].encr, 12);
	assert_int_equal(ike->ike[1].encr_bits, 256);
	assert_int_equal(ike->ike[1].integ, 12);
	assert_int_equal(ike->ike[1].prf, 5); /* from the integrity */
	assert_int_equal(ike->ike[1].ndh, 1);
	assert_int_equal(ike->ike[1].dh[0], 19);

	assert_false(ike->esp_auto);
	assert_int_equal(ike->nesp, 3);
	assert_int_equal(ike->esp[0].encr, 20);
	assert_int_equal(ike->esp[0].encr_bits, 256);
	assert_int_equal(ike->esp[1].encr_bits, 128);
	assert_int_equal(ike->esp[2].encr, 12);
	assert_int_equal(ike->esp[2].integ, 12);
	assert_int_equal(ike->esp[2].prf, 0);
	assert_int_equal(ike->esp[2].ndh, 0);

	assert_int_equal(ike->ike_lifetime, 14400);
	assert_int_equal(ike->esp_lifetime, 3600);
	assert_int_equal(ike->dpd, 30);
	assert_int_equal(ike->nat_keepalive, 20);
	assert_int_equal(ike->half_open_limit, 1000);
	assert_int_equal(ike->half_open_per_source, 50);

	assert_int_equal(ike->nauthorize, 2);
	a = &ike->authorize[0];
	assert_int_equal(a->line, 15);
	assert_int_equal(a->id.type, CONF_ID_DER_ASN1_DN);
	assert_string_equal(a->id.value, "CN=spoke1,O=Example");
	assert_int_equal(a->nprefixes, 2);
	assert_string_equal(prefix_fmt(&a->prefixes[0], s), "172.16.0.11/32");
	assert_string_equal(prefix_fmt(&a->prefixes[1], s), "10.1.0.0/24");
	a = &ike->authorize[1];
	assert_int_equal(a->id.type, CONF_ID_FQDN);
	assert_string_equal(a->id.value, "spoke2.example.net");
	assert_int_equal(a->nprefixes, 1);
	assert_string_equal(prefix_fmt(&a->prefixes[0], s), "172.16.0.12/32");

	/* With an ike block, ipsec defaults to yes. */
	assert_true(conf->tunnels[0].ipsec);
	conf_free(conf);
}

static void
test_defaults(void **state)
{
	struct dmvpn_conf *conf;
	const struct conf_ike *ike;

	(void)state;
	conf = parse_ok("ike {\npsk-file /etc/dmvpn/psk\n}\n");
	ike = &conf->ike;
	assert_true(ike->present);
	assert_null(ike->certificate);
	assert_null(ike->private_key);
	assert_null(ike->ca);
	assert_null(ike->crl);
	assert_int_equal(ike->identity.type, CONF_ID_DEFAULT);
	assert_null(ike->identity.value);
	assert_int_equal(ike->nike, 2);
	assert_string_equal(proposal(&ike->ike[0]), GCM_DEFAULT);
	assert_string_equal(proposal(&ike->ike[1]), CBC_DEFAULT);
	assert_int_equal(ike->ike[0].prf, CONF_PRF_HMAC_SHA2_256);
	assert_int_equal(ike->ike[1].integ, CONF_AUTH_HMAC_SHA2_256);
	assert_int_equal(ike->ike[1].ndh, 3);
	assert_int_equal(ike->ike[1].dh[2], CONF_DH_MODP3072);
	assert_true(ike->esp_auto);
	assert_int_equal(ike->nesp, 0);
	assert_int_equal(ike->ike_lifetime, CONF_DEFAULT_IKE_LIFETIME);
	assert_int_equal(ike->esp_lifetime, CONF_DEFAULT_ESP_LIFETIME);
	assert_int_equal(ike->dpd, 30);
	assert_int_equal(ike->nat_keepalive, 20);
	assert_int_equal(ike->half_open_limit, 1000);
	assert_int_equal(ike->half_open_per_source, 50);
	assert_int_equal(ike->nauthorize, 0);
	conf_free(conf);

	/* Without one: no ike, no ipsec. */
	conf = parse_ok(HUB "}\n");
	assert_false(conf->ike.present);
	assert_false(conf->tunnels[0].ipsec);
	conf_free(conf);

	/* The block may follow the tunnels; ipsec no stays no. */
	conf = parse_ok(HUB "}\n"
			    "tunnel gre2 {\nrole hub\nlocal 192.0.2.2\n"
			    "address 172.17.0.1/24\nipsec no\n}\n"
			    "ike {\npsk-file /etc/dmvpn/psk\n}\n");
	assert_true(conf->tunnels[0].ipsec);
	assert_false(conf->tunnels[1].ipsec);
	conf_free(conf);
	conf = parse_ok(HUB "ipsec yes\n}\nike {\npsk-file /p\n}\n");
	assert_true(conf->tunnels[0].ipsec);
	conf_free(conf);

	/* Certificates alone are enough, and the half-open cap may go. */
	conf = parse_ok("ike {\ncertificate /c\nprivate-key /k\nca /a\n"
			"half-open-limit 0\n}\n");
	assert_null(conf->ike.psk_file);
	assert_int_equal(conf->ike.half_open_limit, 0);
	assert_int_equal(conf->ike.half_open_per_source, 50);
	conf_free(conf);
	conf = ike_ok("half-open-limit 200 per-source 0\ndpd 0\n"
		      "nat-keepalive 0s\nike-lifetime 1m\nesp-lifetime 1d");
	assert_int_equal(conf->ike.half_open_limit, 200);
	assert_int_equal(conf->ike.half_open_per_source, 0);
	assert_int_equal(conf->ike.dpd, 0);
	assert_int_equal(conf->ike.nat_keepalive, 0);
	assert_int_equal(conf->ike.ike_lifetime, 60);
	assert_int_equal(conf->ike.esp_lifetime, 86400);
	conf_free(conf);
	conf = ike_ok("dpd 5s\nnat-keepalive 10m\nike-lifetime 1d\n"
		      "esp-lifetime 60");
	assert_int_equal(conf->ike.dpd, 5);
	assert_int_equal(conf->ike.nat_keepalive, 600);
	assert_int_equal(conf->ike.retransmit_tries, 5);
	conf_free(conf);
	conf = ike_ok("retransmit-tries 3");
	assert_int_equal(conf->ike.retransmit_tries, 3);
	conf_free(conf);
}

static void
test_identities(void **state)
{
	static const struct {
		const char *text;
		uint8_t type;
		const char *value;
	} cases[] = {
		{"default", CONF_ID_DEFAULT, NULL},
		{"192.0.2.10", CONF_ID_IPV4_ADDR, "192.0.2.10"},
		{"2001:DB8::0:10", CONF_ID_IPV6_ADDR, "2001:db8::10"},
		{"fqdn:Hub.Example.NET", CONF_ID_FQDN, "hub.example.net"},
		{"email:a@b", CONF_ID_RFC822_ADDR, "a@b"},
		{"email:\"Hub.Admin@Example.net\"", CONF_ID_RFC822_ADDR,
		 "Hub.Admin@Example.net"},
		{"dn:\"CN=hub, O=Example\"", CONF_ID_DER_ASN1_DN,
		 "CN=hub, O=Example"},
		{"dn: \"CN=hub\"", CONF_ID_DER_ASN1_DN, "CN=hub"},
		{"\"dn:CN=hub, O=Example\"", CONF_ID_DER_ASN1_DN,
		 "CN=hub, O=Example"},
		{"dn:CN=hub,O=Example", CONF_ID_DER_ASN1_DN,
		 "CN=hub,O=Example"},
		{"keyid:00A1ff", CONF_ID_KEY_ID, "00a1ff"},
	};
	struct dmvpn_conf *conf;
	char line[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "identity %s", cases[i].text);
		conf = ike_ok(line);
		assert_int_equal(conf->ike.identity.type, cases[i].type);
		if (cases[i].value == NULL)
			assert_null(conf->ike.identity.value);
		else
			assert_string_equal(conf->ike.identity.value,
					    cases[i].value);
		conf_free(conf);
		/* The same IDs authorize. */
		if (cases[i].type == CONF_ID_DEFAULT)
			continue;
		snprintf(line, sizeof(line), "authorize %s 172.16.0.0/24",
			 cases[i].text);
		conf = ike_ok(line);
		assert_int_equal(conf->ike.authorize[0].id.type, cases[i].type);
		assert_string_equal(conf->ike.authorize[0].id.value,
				    cases[i].value);
		conf_free(conf);
	}
	conf = ike_ok("identity 192.0.2.10");
	assert_int_equal(conf->ike.identity.addr.family, AF_INET);
	conf_free(conf);
}

static void
test_proposals(void **state)
{
	static const struct {
		const char *text, *printed;
		uint16_t encr, bits, integ, prf;
	} ike[] = {
		{"aes128-sha256-modp2048", "aes128-sha256-prfsha256-modp2048",
		 12, 128, 12, 5},
		{"aes192-sha384-modp4096", "aes192-sha384-prfsha384-modp4096",
		 12, 192, 13, 6},
		{"aes256-sha512-ecp384", "aes256-sha512-prfsha512-ecp384", 12,
		 256, 14, 7},
		{"aes128gcm16-curve25519", "aes128gcm16-prfsha256-x25519", 20,
		 128, 0, 5},
		{"x25519-prfsha384-aes256gcm16", "aes256gcm16-prfsha384-x25519",
		 20, 256, 0, 6},
		{"ecp256-sha256-prfsha512-aes256",
		 "aes256-sha256-prfsha512-ecp256", 12, 256, 12, 7},
	};
	struct dmvpn_conf *conf;
	const struct conf_proposal *pr;
	char line[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ike) / sizeof(ike[0]); i++) {
		snprintf(line, sizeof(line), "ike-proposal %s", ike[i].text);
		conf = ike_ok(line);
		assert_int_equal(conf->ike.nike, 1);
		pr = &conf->ike.ike[0];
		assert_string_equal(proposal(pr), ike[i].printed);
		assert_int_equal(pr->encr, ike[i].encr);
		assert_int_equal(pr->encr_bits, ike[i].bits);
		assert_int_equal(pr->integ, ike[i].integ);
		assert_int_equal(pr->prf, ike[i].prf);
		conf_free(conf);
	}
	conf = ike_ok("ike-proposal aes256gcm16-modp2048-modp3072-modp4096-"
		      "ecp256-ecp384-x25519");
	pr = &conf->ike.ike[0];
	assert_int_equal(pr->ndh, 6);
	assert_int_equal(pr->dh[0], 14);
	assert_int_equal(pr->dh[1], 15);
	assert_int_equal(pr->dh[2], 16);
	assert_int_equal(pr->dh[3], 19);
	assert_int_equal(pr->dh[4], 20);
	assert_int_equal(pr->dh[5], 31);
	conf_free(conf);
	conf = ike_ok("ike-proposal aes128gcm16-x25519 aes256gcm16-x25519 "
		      "aes128-sha256-x25519 aes192-sha256-x25519 "
		      "aes256-sha256-x25519 aes256-sha384-x25519 "
		      "aes256-sha512-x25519 aes256-sha512-prfsha256-x25519");
	assert_int_equal(conf->ike.nike, CONF_MAX_PROPOSALS);
	conf_free(conf);

	/* ESP: optional groups (PFS), no PRF; auto again after a list. */
	conf = ike_ok("esp-proposal aes128gcm16-ecp256 aes192-sha512");
	assert_false(conf->ike.esp_auto);
	assert_int_equal(conf->ike.nesp, 2);
	assert_string_equal(proposal(&conf->ike.esp[0]), "aes128gcm16-ecp256");
	assert_string_equal(proposal(&conf->ike.esp[1]), "aes192-sha512");
	assert_int_equal(conf->ike.esp[1].prf, 0);
	conf_free(conf);
	conf = ike_ok("esp-proposal auto");
	assert_true(conf->ike.esp_auto);
	assert_int_equal(conf->ike.nesp, 0);
	conf_free(conf);
}

/* --- every message ----------------------------------------------------- */

static void
test_value_errors(void **state)
{
	char big[512], want[512];

	(void)state;
	ike_err("certificate etc/host.pem",
		"t.conf:3: certificate etc/host.pem: must be an absolute path");
	ike_err("private-key key",
		"t.conf:3: private-key key: must be an absolute path");
	ike_err("ca ca.pem", "t.conf:3: ca ca.pem: must be an absolute path");
	ike_err("crl ./x", "t.conf:3: crl ./x: must be an absolute path");
	ike_err("psk-file /a", "t.conf:3: psk-file: already set at line 2");
	ike_err("ca /a /b", "t.conf:3: ca: unexpected /b");
	ike_err("crl", "t.conf:3: crl: missing value");

	ike_err("identity", "t.conf:3: identity: missing value");
	ike_err("identity hub",
		"t.conf:3: identity hub: expected default, an address, "
		"fqdn:NAME, email:ADDRESS, dn:\"DN\" or keyid:HEX");
	ike_err("identity fqdn:hub_1.example",
		"t.conf:3: identity fqdn:hub_1.example: not a host name");
	ike_err("identity fqdn:", "t.conf:3: identity fqdn:: not a host name");
	ike_err("identity email:hub.example",
		"t.conf:3: identity email:hub.example: not an email address "
		"(NAME@DOMAIN)");
	ike_err("identity email:a@b@c",
		"t.conf:3: identity email:a@b@c: not an email address "
		"(NAME@DOMAIN)");
	ike_err("identity dn:\"CN hub\"",
		"t.conf:3: identity dn:\"CN hub\": not a distinguished name "
		"(e.g. dn:\"CN=hub,O=Example\")");
	ike_err("identity dn:",
		"t.conf:3: identity dn:: not a distinguished name (e.g. "
		"dn:\"CN=hub,O=Example\")");
	ike_err("identity keyid:abc",
		"t.conf:3: identity keyid:abc: not hex digits (an even "
		"number, at most 128)");
	ike_err("identity keyid:xy",
		"t.conf:3: identity keyid:xy: not hex digits (an even "
		"number, at most 128)");
	ike_err("identity 192.0.2.1 192.0.2.2",
		"t.conf:3: identity: unexpected 192.0.2.2");
	ike_err("identity default\nidentity 192.0.2.1",
		"t.conf:4: identity: already set at line 3");

	ike_err("ike-proposal", "t.conf:3: ike-proposal: missing value");
	ike_err("ike-proposal aes256-sha257-x25519",
		"t.conf:3: ike-proposal aes256-sha257-x25519: unknown "
		"algorithm sha257 (did you mean sha256?)");
	ike_err("ike-proposal 3des-sha1-modp1024",
		"t.conf:3: ike-proposal 3des-sha1-modp1024: unknown algorithm "
		"3des");
	ike_err("ike-proposal aes256--sha256-x25519",
		"t.conf:3: ike-proposal aes256--sha256-x25519: empty "
		"algorithm name");
	ike_err("ike-proposal aes256-sha256-x25519-",
		"t.conf:3: ike-proposal aes256-sha256-x25519-: empty "
		"algorithm name");
	ike_err("ike-proposal aes256-aes256-sha256-x25519",
		"t.conf:3: ike-proposal aes256-aes256-sha256-x25519: aes256 "
		"given twice");
	ike_err("ike-proposal aes256-aes128-sha256-x25519",
		"t.conf:3: ike-proposal aes256-aes128-sha256-x25519: aes128: "
		"a second encryption algorithm (one per proposal)");
	ike_err("ike-proposal aes256-sha256-sha256-x25519",
		"t.conf:3: ike-proposal aes256-sha256-sha256-x25519: sha256 "
		"given twice");
	ike_err("ike-proposal aes256-sha256-sha384-x25519",
		"t.conf:3: ike-proposal aes256-sha256-sha384-x25519: sha384: "
		"a second integrity algorithm (one per proposal)");
	ike_err("ike-proposal aes256gcm16-prfsha256-prfsha256-x25519",
		"t.conf:3: ike-proposal "
		"aes256gcm16-prfsha256-prfsha256-x25519: "
		"prfsha256 given twice");
	ike_err("ike-proposal aes256gcm16-prfsha256-prfsha384-x25519",
		"t.conf:3: ike-proposal "
		"aes256gcm16-prfsha256-prfsha384-x25519: "
		"prfsha384: a second PRF (one per proposal)");
	ike_err("ike-proposal aes256gcm16-x25519-ecp256-x25519",
		"t.conf:3: ike-proposal aes256gcm16-x25519-ecp256-x25519: "
		"x25519 given twice");
	ike_err("ike-proposal aes256gcm16-x25519-curve25519",
		"t.conf:3: ike-proposal aes256gcm16-x25519-curve25519: "
		"curve25519 given twice");
	ike_err("ike-proposal aes256gcm16-sha256-x25519",
		"t.conf:3: ike-proposal aes256gcm16-sha256-x25519: sha256: no "
		"integrity algorithm with aes256gcm16 (GCM authenticates)");
	ike_err("ike-proposal aes128-x25519",
		"t.conf:3: ike-proposal aes128-x25519: aes128: needs an "
		"integrity algorithm (sha256, sha384 or sha512)");
	ike_err("ike-proposal sha256-x25519",
		"t.conf:3: ike-proposal sha256-x25519: no encryption "
		"algorithm (aes128, aes192, aes256, aes128gcm16 or "
		"aes256gcm16)");
	ike_err("ike-proposal aes256gcm16",
		"t.conf:3: ike-proposal aes256gcm16: needs a DH group "
		"(modp2048, modp3072, modp4096, ecp256, ecp384 or x25519)");
	ike_err("ike-proposal aes256gcm16-x25519 aes256gcm16-prfsha256-x25519",
		"t.conf:3: ike-proposal aes256gcm16-prfsha256-x25519: the "
		"same as aes256gcm16-x25519");
	ike_err("ike-proposal a b c d e f g h i",
		"t.conf:3: ike-proposal: at most 8 proposals");
	ike_err("ike-proposal aes256gcm16-x25519\nike-proposal aes128gcm16-"
		"x25519",
		"t.conf:4: ike-proposal: already set at line 3");

	ike_err("esp-proposal", "t.conf:3: esp-proposal: missing value");
	ike_err("esp-proposal aes256gcm16-prfsha256",
		"t.conf:3: esp-proposal aes256gcm16-prfsha256: prfsha256: a "
		"PRF is for ike-proposal only");
	ike_err("esp-proposal aes256gcm16 auto",
		"t.conf:3: esp-proposal: auto cannot be combined with "
		"proposals");
	ike_err("esp-proposal aes256",
		"t.conf:3: esp-proposal aes256: aes256: needs an integrity "
		"algorithm (sha256, sha384 or sha512)");
	ike_err("esp-proposal aes128gcm16-sha512",
		"t.conf:3: esp-proposal aes128gcm16-sha512: sha512: no "
		"integrity algorithm with aes128gcm16 (GCM authenticates)");
	ike_err("esp-proposal aes256gcm16-foo",
		"t.conf:3: esp-proposal aes256gcm16-foo: unknown algorithm "
		"foo");

	ike_err("ike-lifetime 59",
		"t.conf:3: ike-lifetime 59: must be 60s..86400s");
	ike_err("ike-lifetime 1d1s",
		"t.conf:3: ike-lifetime 1d1s: must be 60s..86400s");
	ike_err("ike-lifetime soon",
		"t.conf:3: ike-lifetime soon: not a duration (e.g. 90, 30s, "
		"5m, 2h, 1d, 1h30m)");
	ike_err("esp-lifetime 0",
		"t.conf:3: esp-lifetime 0: must be 60s..86400s");
	ike_err("esp-lifetime 2d",
		"t.conf:3: esp-lifetime 2d: must be 60s..86400s");
	ike_err("dpd 4s", "t.conf:3: dpd 4s: must be 0s (off) or 5s..3600s");
	ike_err("dpd 1h1s",
		"t.conf:3: dpd 1h1s: must be 0s (off) or 5s..3600s");
	ike_err("dpd off",
		"t.conf:3: dpd off: not a duration (e.g. 90, 30s, 5m, 2h, "
		"1d, 1h30m)");
	ike_err("retransmit-tries 0",
		"t.conf:3: retransmit-tries 0: must be 1..10");
	ike_err("retransmit-tries 11",
		"t.conf:3: retransmit-tries 11: must be 1..10");
	ike_err("nat-keepalive 1",
		"t.conf:3: nat-keepalive 1: must be 0s (off) or 5s..600s");
	ike_err("nat-keepalive 11m",
		"t.conf:3: nat-keepalive 11m: must be 0s (off) or 5s..600s");

	ike_err("half-open-limit",
		"t.conf:3: half-open-limit: expected half-open-limit N "
		"[per-source M]");
	ike_err("half-open-limit 10 per 5",
		"t.conf:3: half-open-limit: expected half-open-limit N "
		"[per-source M]");
	ike_err("half-open-limit 10 per-source",
		"t.conf:3: half-open-limit: expected half-open-limit N "
		"[per-source M]");
	ike_err("half-open-limit many",
		"t.conf:3: half-open-limit many: not a number");
	ike_err("half-open-limit 1000001",
		"t.conf:3: half-open-limit 1000001: must be 0..1000000");
	ike_err("half-open-limit 10 per-source -1",
		"t.conf:3: half-open-limit per-source -1: not a number");

	ike_err("authorize fqdn:a.example.net",
		"t.conf:3: authorize: expected authorize ID PREFIX... (e.g. "
		"authorize fqdn:spoke1.example.net 172.16.0.11)");
	ike_err("authorize dn: \"CN=x\"",
		"t.conf:3: authorize dn:CN=x: no tunnel address or prefix "
		"to authorize");
	ike_err("authorize default 172.16.0.11",
		"t.conf:3: authorize default: expected an address, fqdn:NAME, "
		"email:ADDRESS, dn:\"DN\" or keyid:HEX");
	ike_err("authorize fqdn:a.example.net 172.16.0.300",
		"t.conf:3: authorize fqdn:a.example.net 172.16.0.300: not an "
		"address or a prefix");
	ike_err("authorize fqdn:a.example.net 10.1.0.1/24",
		"t.conf:3: authorize fqdn:a.example.net 10.1.0.1/24: host "
		"bits set (did you mean 10.1.0.0/24?)");
	ike_err("authorize fqdn:a.example.net 172.16.0.1 172.16.0.1/32",
		"t.conf:3: authorize fqdn:a.example.net 172.16.0.1/32: given "
		"twice");
	ike_err("authorize dn:\"CN=a, O=b\" 10.0.0.0/8 10.0.0.0/8",
		"t.conf:3: authorize dn:\"CN=a, O=b\" 10.0.0.0/8: given twice");
	ike_err("authorize 192.0.2.1 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24 "
		"10.0.3.0/24 10.0.4.0/24 10.0.5.0/24 10.0.6.0/24 10.0.7.0/24 "
		"10.0.8.0/24 10.0.9.0/24 10.0.10.0/24 10.0.11.0/24 "
		"10.0.12.0/24 10.0.13.0/24 10.0.14.0/24 10.0.15.0/24 "
		"10.0.16.0/24",
		"t.conf:3: authorize 192.0.2.1: at most 16 prefixes");
	/* Longer than the IKE layer takes; messages show 64 bytes. */
	snprintf(big, sizeof(big), "identity email:a@%0252d.net", 0);
	snprintf(want, sizeof(want),
		 "t.conf:3: identity email:a@%056d...: longer than 255 bytes",
		 0);
	ike_err(big, want);
	ike_err("authorize fqdn:A.example.net 172.16.0.1\n"
		"authorize 192.0.2.1 172.16.0.3\n"
		"authorize fqdn:a.example.net 172.16.0.2",
		"t.conf:5: authorize fqdn:a.example.net: already given at "
		"line 3");
}

static void
test_block_errors(void **state)
{
	(void)state;
	expect_errors("ike {\n}\n",
		      "t.conf:1: ike: an authentication method is required: "
		      "psk-file, or certificate, private-key and ca");
	expect_errors("ike {\ncertificate /c\n}\n",
		      "t.conf:2: certificate: needs private-key",
		      "t.conf:2: certificate: needs ca (the trust anchors "
		      "that verify peers' certificates)");
	expect_errors("ike {\nprivate-key /k\nca /a\n}\n",
		      "t.conf:2: private-key: needs certificate");
	expect_errors("ike {\npsk-file /p\ncrl /c\n}\n",
		      "t.conf:3: crl: needs ca");
	/* A bad value is no missing statement. */
	expect_errors("ike {\npsk-file p\n}\n",
		      "t.conf:2: psk-file p: must be an absolute path");
	expect_errors("ike {\npsk-file /p\n",
		      "t.conf:1: ike: no closing \"}\"");

	/* Where things go. */
	expect_errors(IKE_HEAD "}\nike {\npsk-file /q\n}\n",
		      "t.conf:4: ike: only one ike block is allowed; the ike "
		      "block is at line 1");
	expect_errors(IKE_HEAD "}\n" HUB "ike {\n}\n}\n",
		      "t.conf:8: ike: only allowed outside tunnel blocks; the "
		      "ike block is at line 1");
	expect_errors("ike x {\n}\n", "t.conf:1: ike: unexpected x");
	expect_errors("dpd 30s\n",
		      "t.conf:1: dpd: only allowed inside the ike block");
	expect_errors(HUB "authorize 192.0.2.1 172.16.0.2\n}\n",
		      "t.conf:5: authorize: only allowed inside the ike block");
	expect_errors(IKE_HEAD "mtu 1400\nipsec yes\n}\n",
		      "t.conf:3: mtu: only allowed inside a tunnel block",
		      "t.conf:4: ipsec: only allowed inside a tunnel block");
	expect_errors(IKE_HEAD "log-level info\ntunnel gre1 {\n}\n}\n",
		      "t.conf:3: log-level: only allowed outside the ike block",
		      "t.conf:4: tunnel: only allowed outside the ike block");
	expect_errors(IKE_HEAD "dpdd 30s\n}\n",
		      "t.conf:3: unknown keyword \"dpdd\" (did you mean "
		      "\"dpd\"?)");
	expect_errors(IKE_HEAD "ike-propsal aes256gcm16-x25519\n}\n",
		      "t.conf:3: unknown keyword \"ike-propsal\" (did you mean "
		      "\"ike-proposal\"?)");

	/* ipsec yes needs the block, wherever the tunnel is. */
	expect_errors(HUB "ipsec yes\n}\n",
		      "t.conf:5: ipsec yes: needs an ike block");
	expect_errors(HUB "ipsec yes\n}\ntunnel gre1 {\nipsec yes\n}\n",
		      "t.conf:5: ipsec yes: needs an ike block",
		      "t.conf:7: tunnel gre1: already defined at line 1",
		      "t.conf:8: ipsec yes: needs an ike block");
	/* Every error of the block, in line order with the others. */
	expect_errors("ike {\ndpd 1s\nidentity x\n}\n" HUB "mtu 1\n}\n",
		      "t.conf:1: ike: an authentication method is required: "
		      "psk-file, or certificate, private-key and ca",
		      "t.conf:2: dpd 1s: must be 0s (off) or 5s..3600s",
		      "t.conf:3: identity x: expected default, an address, "
		      "fqdn:NAME, email:ADDRESS, dn:\"DN\" or keyid:HEX",
		      "t.conf:9: mtu 1: must be 576..9000");
}

/* --- printing ---------------------------------------------------------- */

static void
test_print(void **state)
{
	struct dmvpn_conf *conf;
	struct conf_id id;
	struct conf_proposal pr;
	char *out, s[16];

	(void)state;
	conf = parse_ok(full_example);
	out = print_conf(conf);
	assert_non_null(strstr(
		out, "\nike {\n"
		     "\tcertificate /etc/dmvpn/host.pem\n"
		     "\tprivate-key /etc/dmvpn/host.key\n"
		     "\tca /etc/dmvpn/ca.pem\n"
		     "\tcrl /etc/dmvpn/ca.crl\n"
		     "\tpsk-file /etc/dmvpn/psk\n"
		     "\tidentity dn:\"CN=hub,O=Example\"\n"
		     "\tike-proposal aes256gcm16-prfsha256-x25519-ecp256 "
		     "aes256-sha256-prfsha256-ecp256\n"
		     "\tesp-proposal aes256gcm16 aes128gcm16 aes256-sha256\n"
		     "\tike-lifetime 4h\n"
		     "\tesp-lifetime 1h\n"
		     "\tdpd 30s\n"
		     "\tnat-keepalive 20s\n"
		     "\tretransmit-tries 5\n"
		     "\thalf-open-limit 1000 per-source 50\n"
		     "\tauthorize dn:\"CN=spoke1,O=Example\" 172.16.0.11/32 "
		     "10.1.0.0/24\n"
		     "\tauthorize fqdn:spoke2.example.net 172.16.0.12/32\n"
		     "}\n\ntunnel gre1 {\n"));
	assert_non_null(strstr(out, "\tipsec yes\n"));
	free(out);
	conf_free(conf);

	conf = parse_ok("ike {\npsk-file \"/etc/dmvpn/my psk\"\n"
			"identity email:\"x#y@example.net\"\n"
			"authorize dn:\"CN=\\\"q\\\"\" 2001:db8::/64\n"
			"authorize keyid:ff 172.16.0.0/16\n}\n");
	out = print_conf(conf);
	assert_non_null(
		strstr(out, "ike {\n"
			    "\tpsk-file \"/etc/dmvpn/my psk\"\n"
			    "\tidentity email:\"x#y@example.net\"\n"
			    "\tike-proposal " GCM_DEFAULT " " CBC_DEFAULT "\n"
			    "\tesp-proposal auto\n"
			    "\tike-lifetime 4h\n"
			    "\tesp-lifetime 1h\n"
			    "\tdpd 30s\n"
			    "\tnat-keepalive 20s\n"
			    "\tretransmit-tries 5\n"
			    "\thalf-open-limit 1000 per-source 50\n"
			    "\tauthorize dn:\"CN=\\\"q\\\"\" 2001:db8::/64\n"
			    "\tauthorize keyid:ff 172.16.0.0/16\n"
			    "}\n"));
	free(out);
	conf_free(conf);

	conf = ike_ok("identity default");
	out = print_conf(conf);
	assert_non_null(strstr(out, "\tidentity default\n"));
	free(out);
	conf_free(conf);

	/* The formatters truncate, always NUL-terminated. */
	memset(&id, 0, sizeof(id));
	id.type = CONF_ID_FQDN;
	id.value = "spoke1.example.net";
	assert_string_equal(conf_id_fmt(&id, s, sizeof(s)), "fqdn:spoke1.exa");
	assert_string_equal(conf_id_fmt(&id, s, 1), "");
	memset(&pr, 0, sizeof(pr));
	pr.encr = CONF_ENCR_AES_CBC;
	pr.encr_bits = 128;
	pr.integ = CONF_AUTH_HMAC_SHA2_256;
	pr.dh[0] = CONF_DH_ECP384;
	pr.ndh = 1;
	assert_string_equal(conf_proposal_fmt(&pr, s, sizeof(s)),
			    "aes128-sha256-e");
}

/* --- the file checks --------------------------------------------------- */

struct files {
	char dir[64];
	char conf[128];
	char psk[128];
	char key[128];
	char cert[128];
};

static void
put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* A configuration naming files in a new directory; returns its path. */
static void
files_make(struct files *fs, const char *extra)
{
	char text[2048];

	strcpy(fs->dir, "/tmp/test_conf_ike.XXXXXX");
	assert_non_null(mkdtemp(fs->dir));
	snprintf(fs->conf, sizeof(fs->conf), "%s/dmvpn.conf", fs->dir);
	snprintf(fs->psk, sizeof(fs->psk), "%s/psk", fs->dir);
	snprintf(fs->key, sizeof(fs->key), "%s/host.key", fs->dir);
	snprintf(fs->cert, sizeof(fs->cert), "%s/host.pem", fs->dir);
	put(fs->psk, "secret\n", 0600);
	put(fs->key, "key\n", 0600);
	put(fs->cert, "cert\n", 0644);
	snprintf(text, sizeof(text),
		 "ike {\n"
		 "psk-file %s\n"
		 "certificate %s\n"
		 "private-key %s\n"
		 "ca %s\n"
		 "%s"
		 "}\n",
		 fs->psk, fs->cert, fs->key, fs->cert, extra);
	put(fs->conf, text, 0644);
}

static void
files_remove(struct files *fs)
{
	unlink(fs->conf);
	unlink(fs->psk);
	unlink(fs->key);
	unlink(fs->cert);
	rmdir(fs->dir);
}

/* conf_parse_file() fails with exactly the messages (NULL-ended). */
static void
file_errors_v(const struct files *fs, const char *const *want)
{
	struct conf_errors errs;
	size_t i, n = 0;

	while (want[n] != NULL)
		n++;
	conf_errors_init(&errs);
	assert_null(conf_parse_file(fs->conf, &errs));
	if (errs.n != n)
		conf_errors_print(stderr, &errs);
	assert_int_equal(errs.n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(errs.v[i].msg, want[i]);
	conf_errors_free(&errs);
}

static void
test_files(void **state)
{
	struct conf_errors errs;
	struct dmvpn_conf *conf;
	struct files fs;
	char w1[512], w2[512];
	const char *want[3] = {w1, w2, NULL};

	(void)state;
	conf_errors_init(&errs);
	files_make(&fs, "");
	conf = conf_parse_file(fs.conf, &errs);
	if (conf == NULL)
		conf_errors_print(stderr, &errs);
	assert_non_null(conf);
	assert_string_equal(conf->ike.psk_file, fs.psk);
	conf_free(conf);

	/* The secrets must be private; the configuration need not be. */
	assert_int_equal(chmod(fs.psk, 0644), 0);
	assert_int_equal(chmod(fs.key, 0640), 0);
	snprintf(w1, sizeof(w1),
		 "%s:2: psk-file %s: mode 0644, must not be readable by "
		 "group or others (chmod 600)",
		 fs.conf, fs.psk);
	snprintf(w2, sizeof(w2),
		 "%s:4: private-key %s: mode 0640, must not be readable by "
		 "group or others (chmod 600)",
		 fs.conf, fs.key);
	file_errors_v(&fs, want);
	assert_int_equal(chmod(fs.psk, 0602), 0);
	assert_int_equal(chmod(fs.key, 0600), 0);
	snprintf(w1, sizeof(w1),
		 "%s:2: psk-file %s: mode 0602, must not be readable by "
		 "group or others (chmod 600)",
		 fs.conf, fs.psk);
	want[1] = NULL;
	file_errors_v(&fs, want);
	assert_int_equal(chmod(fs.psk, 0400), 0);
	conf = conf_parse_file(fs.conf, &errs);
	assert_non_null(conf);
	conf_free(conf);

	/* Someone else's: only root can arrange that. */
	if (geteuid() == 0) {
		assert_int_equal(chown(fs.psk, 12345, 0), 0);
		snprintf(w1, sizeof(w1),
			 "%s:2: psk-file %s: owned by uid 12345, must be "
			 "owned by root",
			 fs.conf, fs.psk);
		file_errors_v(&fs, want);
		conf_set_trusted_uid(12345);
		conf = conf_parse_file(fs.conf, &errs);
		assert_non_null(conf);
		conf_free(conf);
		conf_set_trusted_uid((uid_t)-1);
		assert_int_equal(chown(fs.psk, 0, 0), 0);
	}

	/* Missing files, and a directory. */
	assert_int_equal(unlink(fs.cert), 0);
	snprintf(w1, sizeof(w1),
		 "%s:3: certificate %s: No such file or directory", fs.conf,
		 fs.cert);
	snprintf(w2, sizeof(w2), "%s:5: ca %s: No such file or directory",
		 fs.conf, fs.cert);
	want[1] = w2;
	file_errors_v(&fs, want);
	files_remove(&fs);

	files_make(&fs, "crl /tmp\n");
	snprintf(w1, sizeof(w1), "%s:6: crl /tmp: not a regular file", fs.conf);
	want[1] = NULL;
	file_errors_v(&fs, want);
	files_remove(&fs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_proposals),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_block_errors),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
