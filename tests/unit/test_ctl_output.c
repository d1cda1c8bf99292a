/*
 * Unit tests for dmvpnctl's output backends (src/ctl/ctl_output_*.c):
 * golden text and JSON for the same sample records (and for IKE and
 * CHILD SAs, show ike and show sa), the IOS duration format and Cisco
 * attributes, empty listings and write errors.  The JSON goldens are
 * the API contract of docs/ctl.md.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmvpn/ctl.h"

/*
 * Two tunnels: a spoke with an NHS, a NATed spoke and a shortcut behind
 * the same NBMA address, an incomplete entry; a hub on IPv6.  Stats come
 * interleaved by section and one name carries a terminal escape.
 */
static void
sample(struct ctl_replies *r)
{
	static struct ctl_interface ifs[2];
	static struct ctl_peer peers[5];
	static struct ctl_nhs nhs[2];
	static struct ctl_route routes[2];
	static struct ctl_stat stats[6];
	static char config[] = "interface gre1 {\n\tnhs 10.0.0.1\n}\n";

	memset(r, 0, sizeof(*r));
	snprintf(ifs[0].ifname, 16, "gre1");
	ifs[0].role = CTL_ROLE_SPOKE;
	ifs[0].peers = 3;
	addr_parse(&ifs[0].nbma, "198.51.100.10");
	prefix_parse(&ifs[0].tunnel, "10.0.0.10/24");
	snprintf(ifs[1].ifname, 16, "gre6");
	ifs[1].role = CTL_ROLE_HUB;
	ifs[1].peers = 1;
	addr_parse(&ifs[1].nbma, "2001:db8::10");
	prefix_parse(&ifs[1].tunnel, "fd00::1/64");

	snprintf(peers[0].ifname, 16, "gre1");
	prefix_parse(&peers[0].proto, "10.0.0.1/32");
	addr_parse(&peers[0].nbma, "192.0.2.1");
	peers[0].type = CTL_PEER_NHS;
	peers[0].state = CTL_PEER_UP;
	peers[0].flags = CTL_PEER_F_UNIQUE | CTL_PEER_F_USED;
	peers[0].expires_in = -1;
	peers[0].uptime = 93784;
	snprintf(peers[1].ifname, 16, "gre1");
	prefix_parse(&peers[1].proto, "10.0.0.3/32");
	addr_parse(&peers[1].nbma, "203.0.113.7");
	addr_parse(&peers[1].claimed_nbma, "192.168.1.3");
	peers[1].type = CTL_PEER_DYNAMIC;
	peers[1].state = CTL_PEER_UP;
	peers[1].flags = CTL_PEER_F_NAT | CTL_PEER_F_ROUTE;
	peers[1].expires_in = 7000;
	peers[1].uptime = 312;
	snprintf(peers[2].ifname, 16, "gre1");
	prefix_parse(&peers[2].proto, "10.1.0.0/16");
	addr_parse(&peers[2].nbma, "203.0.113.7");
	addr_parse(&peers[2].nexthop, "10.0.0.3");
	peers[2].type = CTL_PEER_SHORTCUT;
	peers[2].state = CTL_PEER_IKE;
	peers[2].expires_in = 600;
	snprintf(peers[3].ifname, 16, "gre1");
	prefix_parse(&peers[3].proto, "10.0.0.9/32");
	peers[3].type = CTL_PEER_INCOMPLETE;
	peers[3].state = CTL_PEER_DOWN;
	peers[3].expires_in = 12;
	snprintf(peers[4].ifname, 16, "gre6");
	prefix_parse(&peers[4].proto, "fd00::2/128");
	addr_parse(&peers[4].nbma, "2001:db8:ffff:ffff::2");
	peers[4].type = CTL_PEER_DYNAMIC;
	peers[4].state = CTL_PEER_UP;
	peers[4].expires_in = 7100;
	peers[4].uptime = 1300000;
	r->ifs = ifs;
	r->n_ifs = 2;
	r->peers = peers;
	r->n_peers = 5;

	snprintf(nhs[0].ifname, 16, "gre1");
	addr_parse(&nhs[0].proto, "10.0.0.1");
	addr_parse(&nhs[0].nbma, "192.0.2.1");
	snprintf(nhs[0].fqdn, sizeof(nhs[0].fqdn), "hub1.example.net");
	nhs[0].state = CTL_NHS_UP;
	nhs[0].priority = 1;
	nhs[0].uptime = 93784;
	snprintf(nhs[1].ifname, 16, "gre1");
	addr_parse(&nhs[1].nbma, "192.0.2.2");
	nhs[1].state = CTL_NHS_PROBING;
	nhs[1].priority = 2;
	nhs[1].cluster = 1;
	nhs[1].failures = 4;
	r->nhs = nhs;
	r->n_nhs = 2;

	prefix_parse(&routes[0].dst, "10.1.0.0/16");
	addr_parse(&routes[0].via, "10.0.0.3");
	snprintf(routes[0].ifname, 16, "gre1");
	snprintf(routes[0].protocol, 16, "nhrp");
	routes[0].table = 254;
	routes[0].installed = true;
	prefix_parse(&routes[1].dst, "fd01::/48");
	snprintf(routes[1].ifname, 16, "gre6");
	snprintf(routes[1].protocol, 16, "shortcut");
	routes[1].table = 100;
	r->routes = routes;
	r->n_routes = 2;

	snprintf(stats[0].section, 48, "rx_by_type");
	snprintf(stats[0].name, 48, "registration-request");
	stats[0].value = 12;
	snprintf(stats[1].section, 48, "tx_by_type");
	snprintf(stats[1].name, 48, "registration-reply");
	stats[1].value = 12;
	snprintf(stats[2].section, 48, "rx_by_type");
	snprintf(stats[2].name, 48, "resolution-request");
	stats[2].value = 3;
	snprintf(stats[3].section, 48, "drops_by_reason");
	snprintf(stats[3].name, 48, "auth-mismatch");
	stats[3].value = 1;
	snprintf(stats[4].section, 48, "ctl");
	snprintf(stats[4].name, 48, "requests");
	stats[4].value = 5;
	snprintf(stats[5].section, 48, "drops_by_reason");
	snprintf(stats[5].name, 48, "bad\x1b[31m");
	stats[5].value = 0;
	r->stats = stats;
	r->n_stats = 6;
	r->config = config;
	r->config_len = strlen(config);
	r->has_result = true;
	snprintf(r->result.message, sizeof(r->result.message),
		 "flushed 3 entries");
}

/*
 * IKE SAs: an established one behind NAT-T with two CHILD SAs (one mid
 * rekey, its driver unknown), a half-open one over IPv6 with none, and
 * a responder on a non-default port with one.
 */
static void
sample_ike(struct ctl_replies *r)
{
	static struct ctl_ike_sa ike[3];
	static struct ctl_child_sa child[3];
	static size_t child_ike[3] = {0, 0, 2};

	memset(r, 0, sizeof(*r));
	memset(ike, 0, sizeof(ike));
	memset(child, 0, sizeof(child));
	addr_parse(&ike[0].local, "192.0.2.1");
	ike[0].local_port = 4500;
	addr_parse(&ike[0].remote, "203.0.113.7");
	ike[0].remote_port = 4500;
	ike[0].state = CTL_IKE_ESTABLISHED;
	ike[0].initiator = true;
	ike[0].nat_local = true;
	ike[0].nat_remote = true;
	snprintf(ike[0].auth, CTL_AUTH_MAX, "psk");
	snprintf(ike[0].ike_proposal, CTL_PROPOSAL_MAX,
		 "aes256gcm16-prfsha256-x25519");
	snprintf(ike[0].remote_id, CTL_IKE_ID_MAX, "spoke2.example.net");
	ike[0].spi_i = 0x0123456789abcdefULL;
	ike[0].spi_r = 0xfedcba9876543210ULL;
	ike[0].established_s = 12;
	ike[0].rekey_in = 13500;

	addr_parse(&ike[1].local, "2001:db8::1");
	ike[1].local_port = 500;
	addr_parse(&ike[1].remote, "2001:db8::2");
	ike[1].remote_port = 500;
	ike[1].state = CTL_IKE_CONNECTING;
	ike[1].initiator = true;
	snprintf(ike[1].auth, CTL_AUTH_MAX, "-");
	ike[1].spi_i = 0x1a;
	ike[1].rekey_in = -1;

	addr_parse(&ike[2].local, "2001:db8::1");
	ike[2].local_port = 500;
	addr_parse(&ike[2].remote, "2001:db8::3");
	ike[2].remote_port = 1500;
	ike[2].state = CTL_IKE_REKEYING;
	snprintf(ike[2].auth, CTL_AUTH_MAX, "ecdsa");
	snprintf(ike[2].ike_proposal, CTL_PROPOSAL_MAX,
		 "aes128-sha256-prfsha256-ecp256");
	snprintf(ike[2].remote_id, CTL_IKE_ID_MAX, "CN=hub, O=Example");
	ike[2].spi_i = 0xffffffffffffffffULL;
	ike[2].spi_r = 0x100;
	ike[2].established_s = 93784;
	ike[2].rekey_in = 0;

	child[0].spi_in = 0xc0000123;
	child[0].spi_out = 0xc1000456;
	child[0].reqid = 3489660929u;
	snprintf(child[0].esp_proposal, CTL_PROPOSAL_MAX, "aes256gcm16");
	snprintf(child[0].kernel_driver, CTL_DRIVER_MAX, "generic-gcm-aesni");
	child[0].bytes_in = 123456789;
	child[0].bytes_out = 98765;
	child[0].packets_in = 100000;
	child[0].packets_out = 120;
	child[0].established_s = 12;
	child[0].rekey_in = 3300;
	child[0].encap = true;
	child[1].spi_in = 0x0000abcd;
	child[1].spi_out = 0x00000001;
	child[1].reqid = 7;
	snprintf(child[1].esp_proposal, CTL_PROPOSAL_MAX, "aes128-sha256");
	child[1].rekey_in = -1;
	child[1].encap = true;
	child[2].spi_in = 0xffffffff;
	child[2].spi_out = 0x80000000;
	child[2].reqid = 3489660930u;
	snprintf(child[2].esp_proposal, CTL_PROPOSAL_MAX, "aes128gcm16");
	snprintf(child[2].kernel_driver, CTL_DRIVER_MAX, "rfc4106(gcm(aes))");
	child[2].established_s = 3600;
	child[2].rekey_in = 60;
	r->ike_sas = ike;
	r->n_ike_sas = 3;
	r->child_sas = child;
	r->child_ike = child_ike;
	r->n_child_sas = 3;
}

/*
 * The goldens, reviewed by eye: kept one output line per source line,
 * however wide.
 */
/* clang-format off */
static const char golden_text_dmvpn[] =
	"Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete\n"
	"        N - NATed, L - Local, T1 - Route Installed\n"
	"        # Ent --> Number of NHRP entries with same NBMA peer\n"
	"        UpDn Tm --> Up or Down Time for a Tunnel\n"
	"==========================================================================\n"
	"\n"
	"Interface: gre1, IPv4 NHRP Details\n"
	"Type:Spoke, NHRP Peers:3,\n"
	"\n"
	" # Ent  Peer NBMA Addr  Peer Tunnel Add State  UpDn Tm Attrb\n"
	" ----- --------------- --------------- ----- -------- -----\n"
	"     1 192.0.2.1              10.0.0.1    UP    1d02h     S\n"
	"     2 203.0.113.7            10.0.0.3    UP 00:05:12  DNT1\n"
	"                              10.0.0.3   IKE    never     D\n"
	"     1 -                      10.0.0.9  DOWN    never     I\n"
	"\n"
	"Interface: gre6, IPv6 NHRP Details\n"
	"Type:Hub, NHRP Peers:1,\n"
	"\n"
	" # Ent  Peer NBMA Addr        Peer Tunnel Add State  UpDn Tm Attrb\n"
	" ----- --------------------- --------------- ----- -------- -----\n"
	"     1 2001:db8:ffff:ffff::2         fd00::2    UP     2w1d     D\n";

static const char golden_text_peers[] =
	"Interface  Protocol     NBMA                   Claimed NBMA           Type        State  Expires   Uptime    Flags\n"
	"gre1       10.0.0.1/32  192.0.2.1              192.0.2.1              nhs         up     never     1d02h     unique,used\n"
	"gre1       10.0.0.3/32  203.0.113.7            192.168.1.3            dynamic     up     01:56:40  00:05:12  nat,route\n"
	"gre1       10.1.0.0/16  203.0.113.7            203.0.113.7            shortcut    ike    00:10:00  -         -\n"
	"gre1       10.0.0.9/32  -                      -                      incomplete  down   00:00:12  -         -\n"
	"gre6       fd00::2/128  2001:db8:ffff:ffff::2  2001:db8:ffff:ffff::2  dynamic     up     01:58:20  2w1d      -\n";

static const char golden_text_nhs[] =
	"Interface  Protocol  NBMA       State    Priority  Cluster  Uptime  Failures  FQDN\n"
	"gre1       10.0.0.1  192.0.2.1  up       1         0        1d02h   0         hub1.example.net\n"
	"gre1       -         192.0.2.2  probing  2         1        -       4         -\n";

static const char golden_text_routes[] =
	"Destination  Via       Interface  Table  Protocol  Installed\n"
	"10.1.0.0/16  10.0.0.3  gre1       254    nhrp      yes\n"
	"fd01::/48    -         gre6       100    shortcut  no\n";

static const char golden_text_stats[] =
	"rx_by_type:\n"
	"  registration-request  12\n"
	"  resolution-request    3\n"
	"\n"
	"tx_by_type:\n"
	"  registration-reply  12\n"
	"\n"
	"drops_by_reason:\n"
	"  auth-mismatch  1\n"
	"  bad?[31m       0\n"
	"\n"
	"ctl:\n"
	"  requests  5\n";

static const char golden_text_config[] =
	"interface gre1 {\n"
	"\tnhs 10.0.0.1\n"
	"}\n";

static const char golden_text_result[] =
	"flushed 3 entries\n";

static const char golden_json_dmvpn[] =
	"[\n"
	"  {\n"
	"    \"interface\": \"gre1\",\n"
	"    \"role\": \"spoke\",\n"
	"    \"family\": \"ipv4\",\n"
	"    \"nbma\": \"198.51.100.10\",\n"
	"    \"tunnel\": \"10.0.0.10\",\n"
	"    \"prefix\": 24,\n"
	"    \"peer_count\": 3,\n"
	"    \"peers\": [\n"
	"      {\n"
	"        \"interface\": \"gre1\",\n"
	"        \"protocol\": \"10.0.0.1\",\n"
	"        \"prefix\": 32,\n"
	"        \"nbma\": \"192.0.2.1\",\n"
	"        \"claimed_nbma\": \"192.0.2.1\",\n"
	"        \"type\": \"nhs\",\n"
	"        \"state\": \"up\",\n"
	"        \"expires_in\": -1,\n"
	"        \"uptime\": 93784,\n"
	"        \"nexthop\": null,\n"
	"        \"flags\": {\n"
	"          \"unique\": true,\n"
	"          \"nat\": false,\n"
	"          \"used\": true,\n"
	"          \"route\": false\n"
	"        },\n"
	"        \"attributes\": \"S\"\n"
	"      },\n"
	"      {\n"
	"        \"interface\": \"gre1\",\n"
	"        \"protocol\": \"10.0.0.3\",\n"
	"        \"prefix\": 32,\n"
	"        \"nbma\": \"203.0.113.7\",\n"
	"        \"claimed_nbma\": \"192.168.1.3\",\n"
	"        \"type\": \"dynamic\",\n"
	"        \"state\": \"up\",\n"
	"        \"expires_in\": 7000,\n"
	"        \"uptime\": 312,\n"
	"        \"nexthop\": null,\n"
	"        \"flags\": {\n"
	"          \"unique\": false,\n"
	"          \"nat\": true,\n"
	"          \"used\": false,\n"
	"          \"route\": true\n"
	"        },\n"
	"        \"attributes\": \"DNT1\"\n"
	"      },\n"
	"      {\n"
	"        \"interface\": \"gre1\",\n"
	"        \"protocol\": \"10.1.0.0\",\n"
	"        \"prefix\": 16,\n"
	"        \"nbma\": \"203.0.113.7\",\n"
	"        \"claimed_nbma\": \"203.0.113.7\",\n"
	"        \"type\": \"shortcut\",\n"
	"        \"state\": \"ike\",\n"
	"        \"expires_in\": 600,\n"
	"        \"uptime\": 0,\n"
	"        \"nexthop\": \"10.0.0.3\",\n"
	"        \"flags\": {\n"
	"          \"unique\": false,\n"
	"          \"nat\": false,\n"
	"          \"used\": false,\n"
	"          \"route\": false\n"
	"        },\n"
	"        \"attributes\": \"D\"\n"
	"      },\n"
	"      {\n"
	"        \"interface\": \"gre1\",\n"
	"        \"protocol\": \"10.0.0.9\",\n"
	"        \"prefix\": 32,\n"
	"        \"nbma\": null,\n"
	"        \"claimed_nbma\": null,\n"
	"        \"type\": \"incomplete\",\n"
	"        \"state\": \"down\",\n"
	"        \"expires_in\": 12,\n"
	"        \"uptime\": 0,\n"
	"        \"nexthop\": null,\n"
	"        \"flags\": {\n"
	"          \"unique\": false,\n"
	"          \"nat\": false,\n"
	"          \"used\": false,\n"
	"          \"route\": false\n"
	"        },\n"
	"        \"attributes\": \"I\"\n"
	"      }\n"
	"    ]\n"
	"  },\n"
	"  {\n"
	"    \"interface\": \"gre6\",\n"
	"    \"role\": \"hub\",\n"
	"    \"family\": \"ipv6\",\n"
	"    \"nbma\": \"2001:db8::10\",\n"
	"    \"tunnel\": \"fd00::1\",\n"
	"    \"prefix\": 64,\n"
	"    \"peer_count\": 1,\n"
	"    \"peers\": [\n"
	"      {\n"
	"        \"interface\": \"gre6\",\n"
	"        \"protocol\": \"fd00::2\",\n"
	"        \"prefix\": 128,\n"
	"        \"nbma\": \"2001:db8:ffff:ffff::2\",\n"
	"        \"claimed_nbma\": \"2001:db8:ffff:ffff::2\",\n"
	"        \"type\": \"dynamic\",\n"
	"        \"state\": \"up\",\n"
	"        \"expires_in\": 7100,\n"
	"        \"uptime\": 1300000,\n"
	"        \"nexthop\": null,\n"
	"        \"flags\": {\n"
	"          \"unique\": false,\n"
	"          \"nat\": false,\n"
	"          \"used\": false,\n"
	"          \"route\": false\n"
	"        },\n"
	"        \"attributes\": \"D\"\n"
	"      }\n"
	"    ]\n"
	"  }\n"
	"]\n";

static const char golden_json_peers[] =
	"[\n"
	"  {\n"
	"    \"interface\": \"gre1\",\n"
	"    \"protocol\": \"10.0.0.1\",\n"
	"    \"prefix\": 32,\n"
	"    \"nbma\": \"192.0.2.1\",\n"
	"    \"claimed_nbma\": \"192.0.2.1\",\n"
	"    \"type\": \"nhs\",\n"
	"    \"state\": \"up\",\n"
	"    \"expires_in\": -1,\n"
	"    \"uptime\": 93784,\n"
	"    \"nexthop\": null,\n"
	"    \"flags\": {\n"
	"      \"unique\": true,\n"
	"      \"nat\": false,\n"
	"      \"used\": true,\n"
	"      \"route\": false\n"
	"    }\n"
	"  },\n"
	"  {\n"
	"    \"interface\": \"gre1\",\n"
	"    \"protocol\": \"10.0.0.3\",\n"
	"    \"prefix\": 32,\n"
	"    \"nbma\": \"203.0.113.7\",\n"
	"    \"claimed_nbma\": \"192.168.1.3\",\n"
	"    \"type\": \"dynamic\",\n"
	"    \"state\": \"up\",\n"
	"    \"expires_in\": 7000,\n"
	"    \"uptime\": 312,\n"
	"    \"nexthop\": null,\n"
	"    \"flags\": {\n"
	"      \"unique\": false,\n"
	"      \"nat\": true,\n"
	"      \"used\": false,\n"
	"      \"route\": true\n"
	"    }\n"
	"  }\n"
	"]\n";

static const char golden_json_nhs[] =
	"[\n"
	"  {\n"
	"    \"interface\": \"gre1\",\n"
	"    \"protocol\": \"10.0.0.1\",\n"
	"    \"nbma\": \"192.0.2.1\",\n"
	"    \"state\": \"up\",\n"
	"    \"priority\": 1,\n"
	"    \"cluster\": 0,\n"
	"    \"fqdn\": \"hub1.example.net\",\n"
	"    \"uptime\": 93784,\n"
	"    \"failures\": 0\n"
	"  },\n"
	"  {\n"
	"    \"interface\": \"gre1\",\n"
	"    \"protocol\": null,\n"
	"    \"nbma\": \"192.0.2.2\",\n"
	"    \"state\": \"probing\",\n"
	"    \"priority\": 2,\n"
	"    \"cluster\": 1,\n"
	"    \"fqdn\": null,\n"
	"    \"uptime\": 0,\n"
	"    \"failures\": 4\n"
	"  }\n"
	"]\n";

static const char golden_json_routes[] =
	"[\n"
	"  {\n"
	"    \"destination\": \"10.1.0.0/16\",\n"
	"    \"via\": \"10.0.0.3\",\n"
	"    \"interface\": \"gre1\",\n"
	"    \"table\": 254,\n"
	"    \"protocol\": \"nhrp\",\n"
	"    \"installed\": true\n"
	"  },\n"
	"  {\n"
	"    \"destination\": \"fd01::/48\",\n"
	"    \"via\": null,\n"
	"    \"interface\": \"gre6\",\n"
	"    \"table\": 100,\n"
	"    \"protocol\": \"shortcut\",\n"
	"    \"installed\": false\n"
	"  }\n"
	"]\n";

static const char golden_json_stats[] =
	"{\n"
	"  \"rx_by_type\": {\n"
	"    \"registration-request\": 12,\n"
	"    \"resolution-request\": 3\n"
	"  },\n"
	"  \"tx_by_type\": {\n"
	"    \"registration-reply\": 12\n"
	"  },\n"
	"  \"drops_by_reason\": {\n"
	"    \"auth-mismatch\": 1,\n"
	"    \"bad\\u001b[31m\": 0\n"
	"  },\n"
	"  \"ctl\": {\n"
	"    \"requests\": 5\n"
	"  }\n"
	"}\n";

static const char golden_json_config[] =
	"{\n"
	"  \"config\": \"interface gre1 {\\n\\tnhs 10.0.0.1\\n}\\n\"\n"
	"}\n";

static const char golden_json_result[] =
	"{\n"
	"  \"code\": 0,\n"
	"  \"result\": \"ok\",\n"
	"  \"message\": \"flushed 3 entries\"\n"
	"}\n";

static const char golden_text_ike[] =
	"Remote              Local           State        Role  Auth   Proposal                        Established  Rekey in  NAT           Remote ID\n"
	"203.0.113.7:4500    192.0.2.1:4500  established  I     psk    aes256gcm16-prfsha256-x25519    00:00:12     03:45:00  local,remote  spoke2.example.net\n"
	"2001:db8::2         2001:db8::1     connecting   I     -      -                               -            -         -             -\n"
	"[2001:db8::3]:1500  2001:db8::1     rekeying     R     ecdsa  aes128-sha256-prfsha256-ecp256  1d02h        00:00:00  -             CN=hub, O=Example\n";

static const char golden_text_sa[] =
	"Remote       SPI in    SPI out   ESP            Driver             Bytes in   Bytes out  Established  Rekey in  Encap\n"
	"203.0.113.7  c0000123  c1000456  aes256gcm16    generic-gcm-aesni  123456789  98765      00:00:12     00:55:00  udp\n"
	"203.0.113.7  0000abcd  00000001  aes128-sha256  -                  0          0          00:00:00     -         udp\n"
	"2001:db8::3  ffffffff  80000000  aes128gcm16    rfc4106(gcm(aes))  0          0          01:00:00     00:01:00  -\n";

static const char golden_json_ike[] =
	"{\n"
	"  \"ike_sas\": [\n"
	"    {\n"
	"      \"local\": \"192.0.2.1\",\n"
	"      \"local_port\": 4500,\n"
	"      \"remote\": \"203.0.113.7\",\n"
	"      \"remote_port\": 4500,\n"
	"      \"state\": \"established\",\n"
	"      \"initiator\": true,\n"
	"      \"auth\": \"psk\",\n"
	"      \"ike_proposal\": \"aes256gcm16-prfsha256-x25519\",\n"
	"      \"remote_id\": \"spoke2.example.net\",\n"
	"      \"spi_i\": \"0123456789abcdef\",\n"
	"      \"spi_r\": \"fedcba9876543210\",\n"
	"      \"established_s\": 12,\n"
	"      \"rekey_in\": 13500,\n"
	"      \"nat_local\": true,\n"
	"      \"nat_remote\": true,\n"
	"      \"child_sas\": [\n"
	"        {\n"
	"          \"spi_in\": \"c0000123\",\n"
	"          \"spi_out\": \"c1000456\",\n"
	"          \"reqid\": 3489660929,\n"
	"          \"esp_proposal\": \"aes256gcm16\",\n"
	"          \"kernel_driver\": \"generic-gcm-aesni\",\n"
	"          \"bytes_in\": 123456789,\n"
	"          \"bytes_out\": 98765,\n"
	"          \"packets_in\": 100000,\n"
	"          \"packets_out\": 120,\n"
	"          \"established_s\": 12,\n"
	"          \"rekey_in\": 3300,\n"
	"          \"encap\": true\n"
	"        },\n"
	"        {\n"
	"          \"spi_in\": \"0000abcd\",\n"
	"          \"spi_out\": \"00000001\",\n"
	"          \"reqid\": 7,\n"
	"          \"esp_proposal\": \"aes128-sha256\",\n"
	"          \"kernel_driver\": null,\n"
	"          \"bytes_in\": 0,\n"
	"          \"bytes_out\": 0,\n"
	"          \"packets_in\": 0,\n"
	"          \"packets_out\": 0,\n"
	"          \"established_s\": 0,\n"
	"          \"rekey_in\": -1,\n"
	"          \"encap\": true\n"
	"        }\n"
	"      ]\n"
	"    },\n"
	"    {\n"
	"      \"local\": \"2001:db8::1\",\n"
	"      \"local_port\": 500,\n"
	"      \"remote\": \"2001:db8::2\",\n"
	"      \"remote_port\": 500,\n"
	"      \"state\": \"connecting\",\n"
	"      \"initiator\": true,\n"
	"      \"auth\": \"-\",\n"
	"      \"ike_proposal\": null,\n"
	"      \"remote_id\": null,\n"
	"      \"spi_i\": \"000000000000001a\",\n"
	"      \"spi_r\": \"0000000000000000\",\n"
	"      \"established_s\": 0,\n"
	"      \"rekey_in\": -1,\n"
	"      \"nat_local\": false,\n"
	"      \"nat_remote\": false,\n"
	"      \"child_sas\": []\n"
	"    },\n"
	"    {\n"
	"      \"local\": \"2001:db8::1\",\n"
	"      \"local_port\": 500,\n"
	"      \"remote\": \"2001:db8::3\",\n"
	"      \"remote_port\": 1500,\n"
	"      \"state\": \"rekeying\",\n"
	"      \"initiator\": false,\n"
	"      \"auth\": \"ecdsa\",\n"
	"      \"ike_proposal\": \"aes128-sha256-prfsha256-ecp256\",\n"
	"      \"remote_id\": \"CN=hub, O=Example\",\n"
	"      \"spi_i\": \"ffffffffffffffff\",\n"
	"      \"spi_r\": \"0000000000000100\",\n"
	"      \"established_s\": 93784,\n"
	"      \"rekey_in\": 0,\n"
	"      \"nat_local\": false,\n"
	"      \"nat_remote\": false,\n"
	"      \"child_sas\": [\n"
	"        {\n"
	"          \"spi_in\": \"ffffffff\",\n"
	"          \"spi_out\": \"80000000\",\n"
	"          \"reqid\": 3489660930,\n"
	"          \"esp_proposal\": \"aes128gcm16\",\n"
	"          \"kernel_driver\": \"rfc4106(gcm(aes))\",\n"
	"          \"bytes_in\": 0,\n"
	"          \"bytes_out\": 0,\n"
	"          \"packets_in\": 0,\n"
	"          \"packets_out\": 0,\n"
	"          \"established_s\": 3600,\n"
	"          \"rekey_in\": 60,\n"
	"          \"encap\": false\n"
	"        }\n"
	"      ]\n"
	"    }\n"
	"  ]\n"
	"}\n";
/* clang-format on */

typedef int show_fn(FILE *out, const struct ctl_replies *r);

/* Render with fn into memory and compare with want. */
static void
check(show_fn *fn, const struct ctl_replies *r, const char *want)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(fn(f, r), 0);
	fclose(f);
	if (strcmp(text, want) != 0)
		fprintf(stderr, "got:\n%s\nwant:\n%s\n", text, want);
	assert_string_equal(text, want);
	free(text);
}

static int
text_result(FILE *out, const struct ctl_replies *r)
{
	return ctl_output_text.result(out, &r->result);
}

static int
json_result(FILE *out, const struct ctl_replies *r)
{
	return ctl_output_json.result(out, &r->result);
}

static void
test_text(void **state)
{
	struct ctl_replies r;

	(void)state;
	sample(&r);
	check(ctl_output_text.dmvpn, &r, golden_text_dmvpn);
	check(ctl_output_text.peers, &r, golden_text_peers);
	check(ctl_output_text.nhs, &r, golden_text_nhs);
	check(ctl_output_text.routes, &r, golden_text_routes);
	check(ctl_output_text.stats, &r, golden_text_stats);
	check(ctl_output_text.config, &r, golden_text_config);
	check(text_result, &r, golden_text_result);
}

static void
test_json(void **state)
{
	struct ctl_replies r;

	(void)state;
	sample(&r);
	check(ctl_output_json.dmvpn, &r, golden_json_dmvpn);
	check(ctl_output_json.nhs, &r, golden_json_nhs);
	check(ctl_output_json.routes, &r, golden_json_routes);
	check(ctl_output_json.stats, &r, golden_json_stats);
	check(ctl_output_json.config, &r, golden_json_config);
	check(json_result, &r, golden_json_result);
	r.n_peers = 2;
	check(ctl_output_json.peers, &r, golden_json_peers);
}

/* A child under an IKE SA, an IKE SA with none, both commands alike. */
static void
test_ike(void **state)
{
	struct ctl_replies r;

	(void)state;
	sample_ike(&r);
	check(ctl_output_text.ike, &r, golden_text_ike);
	check(ctl_output_text.sa, &r, golden_text_sa);
	check(ctl_output_json.ike, &r, golden_json_ike);
	check(ctl_output_json.sa, &r, golden_json_ike);
}

static void
test_empty(void **state)
{
	struct ctl_replies r;

	(void)state;
	memset(&r, 0, sizeof(r));
	check(ctl_output_json.peers, &r, "[]\n");
	check(ctl_output_json.dmvpn, &r, "[]\n");
	check(ctl_output_json.stats, &r, "{}\n");
	check(ctl_output_json.config, &r, "{\n  \"config\": \"\"\n}\n");
	check(ctl_output_text.routes, &r,
	      "Destination  Via  Interface  Table  Protocol  Installed\n");
	check(ctl_output_json.ike, &r, "{\n  \"ike_sas\": []\n}\n");
	check(ctl_output_text.ike, &r,
	      "Remote  Local  State  Role  Auth  Proposal  Established  "
	      "Rekey in  NAT  Remote ID\n");
	check(ctl_output_text.sa, &r,
	      "Remote  SPI in  SPI out  ESP  Driver  Bytes in  Bytes out  "
	      "Established  Rekey in  Encap\n");
	check(ctl_output_text.stats, &r, "");
	check(ctl_output_text.config, &r, "");
	check(text_result, &r, ""); /* silent success */
}

/* Peers of an interface the daemon sent no INTERFACE record for. */
static void
test_dmvpn_orphans(void **state)
{
	struct ctl_replies r;

	(void)state;
	sample(&r);
	r.n_ifs = 1; /* forget gre6 */
	check(ctl_output_text.dmvpn, &r,
	      "Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete\n"
	      "        N - NATed, L - Local, T1 - Route Installed\n"
	      "        # Ent --> Number of NHRP entries with same NBMA peer\n"
	      "        UpDn Tm --> Up or Down Time for a Tunnel\n"
	      "==============================================================="
	      "===========\n"
	      "\n"
	      "Interface: gre1, IPv4 NHRP Details\n"
	      "Type:Spoke, NHRP Peers:3,\n"
	      "\n"
	      " # Ent  Peer NBMA Addr  Peer Tunnel Add State  UpDn Tm Attrb\n"
	      " ----- --------------- --------------- ----- -------- -----\n"
	      "     1 192.0.2.1              10.0.0.1    UP    1d02h     S\n"
	      "     2 203.0.113.7            10.0.0.3    UP 00:05:12  DNT1\n"
	      "                              10.0.0.3   IKE    never     D\n"
	      "     1 -                      10.0.0.9  DOWN    never     I\n"
	      "\n"
	      "Interface: gre6, IPv6 NHRP Details\n"
	      "Type:Unknown, NHRP Peers:1,\n"
	      "\n"
	      " # Ent  Peer NBMA Addr        Peer Tunnel Add State  UpDn Tm "
	      "Attrb\n"
	      " ----- --------------------- --------------- ----- -------- "
	      "-----\n"
	      "     1 2001:db8:ffff:ffff::2         fd00::2    UP     2w1d  "
	      "   D\n");
}

static void
test_duration(void **state)
{
	static const struct {
		int64_t secs;
		const char *want;
	} cases[] = {
		{-1, "never"},         {-100, "never"},
		{0, "00:00:00"},       {59, "00:00:59"},
		{312, "00:05:12"},     {86399, "23:59:59"},
		{86400, "1d00h"},      {93784, "1d02h"},
		{604799, "6d23h"},     {604800, "1w0d"},
		{1300000, "2w1d"},     {364 * 86400, "52w0d"},
		{365 * 86400, "1y0w"}, {800 * 86400, "2y10w"},
	};
	char out[24];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(
			ctl_fmt_duration(cases[i].secs, out, sizeof(out)),
			cases[i].want);
}

static void
test_attrs(void **state)
{
	static const struct {
		enum ctl_peer_type type;
		uint16_t flags;
		const char *want;
	} cases[] = {
		{CTL_PEER_STATIC, 0, "S"},
		{CTL_PEER_NHS, CTL_PEER_F_UNIQUE, "S"},
		{CTL_PEER_DYNAMIC, CTL_PEER_F_NAT, "DN"},
		{CTL_PEER_SHORTCUT, CTL_PEER_F_ROUTE, "DT1"},
		{CTL_PEER_DYNAMIC, CTL_PEER_F_NAT | CTL_PEER_F_ROUTE, "DNT1"},
		{CTL_PEER_LOCAL, 0, "L"},
		{CTL_PEER_INCOMPLETE, 0, "I"},
		{CTL_PEER_NEGATIVE, 0, "I"},
	};
	struct ctl_peer p;
	char out[16];
	size_t i;

	(void)state;
	memset(&p, 0, sizeof(p));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p.type = cases[i].type;
		p.flags = cases[i].flags;
		assert_string_equal(ctl_peer_attrs(&p, out, sizeof(out)),
				    cases[i].want);
	}
}

static void
test_write_error(void **state)
{
	struct ctl_replies r;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (f == NULL)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	sample(&r);
	assert_int_equal(ctl_output_json.peers(f, &r), -1);
	clearerr(f);
	assert_int_equal(ctl_output_text.peers(f, &r), -1);
	clearerr(f);
	assert_int_equal(ctl_output_text.dmvpn(f, &r), -1);
	clearerr(f);
	sample_ike(&r);
	assert_int_equal(ctl_output_json.ike(f, &r), -1);
	clearerr(f);
	assert_int_equal(ctl_output_text.ike(f, &r), -1);
	clearerr(f);
	assert_int_equal(ctl_output_text.sa(f, &r), -1);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_ike),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_dmvpn_orphans),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
