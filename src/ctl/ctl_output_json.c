/*
 * dmvpnctl -j: the JSON backend.  The field names and shapes here are an
 * API that scripts and the netns tests match against: change them only
 * together with docs/ctl.md.  Absent addresses are null, durations are
 * whole seconds (-1 for never).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dmvpn/ctl.h"
#include "dmvpn/json.h"

static void
j_addr(struct json *j, const char *key, const struct addr *a)
{
	char s[ADDR_STRLEN];

	if (addr_is_none(a))
		json_null(j, key);
	else
		json_string(j, key, addr_fmt(a, s));
}

static void
j_peer(struct json *j, const struct ctl_peer *p, bool attrs)
{
	char a[16];

	json_object(j, NULL);
	json_string(j, "interface", p->ifname);
	j_addr(j, "protocol", &p->proto.addr);
	json_uint(j, "prefix", p->proto.plen);
	j_addr(j, "nbma", &p->nbma);
	/* Without NAT the peer claimed what we see. */
	j_addr(j, "claimed_nbma",
	       addr_is_none(&p->claimed_nbma) ? &p->nbma : &p->claimed_nbma);
	json_string(j, "type", ctl_peer_type_name(p->type));
	json_string(j, "state", ctl_peer_state_name(p->state));
	json_int(j, "expires_in", p->expires_in);
	json_uint(j, "uptime", p->uptime);
	j_addr(j, "nexthop", &p->nexthop);
	json_object(j, "flags");
	json_bool(j, "unique", p->flags & CTL_PEER_F_UNIQUE);
	json_bool(j, "nat", p->flags & CTL_PEER_F_NAT);
	json_bool(j, "used", p->flags & CTL_PEER_F_USED);
	json_bool(j, "route", p->flags & CTL_PEER_F_ROUTE);
	json_end(j);
	if (attrs)
		json_string(j, "attributes", ctl_peer_attrs(p, a, sizeof(a)));
	json_end(j);
}

static int
jout_peers(FILE *out, const struct ctl_replies *r)
{
	struct json j;
	size_t i;

	json_init(&j, out, true);
	json_array(&j, NULL);
	for (i = 0; i < r->n_peers; i++)
		j_peer(&j, &r->peers[i], false);
	json_end(&j);
	return json_finish(&j);
}

/* One interface of show dmvpn with the peers the daemon sent for it. */
static void
j_dmvpn_if(struct json *j, const char *ifname, const struct ctl_interface *ifc,
	   const struct ctl_replies *r)
{
	int family = AF_INET;
	size_t i, n = 0;

	for (i = 0; i < r->n_peers; i++)
		if (strcmp(r->peers[i].ifname, ifname) == 0)
			n++;
	if (ifc != NULL && ifc->tunnel.addr.family != 0)
		family = ifc->tunnel.addr.family;
	json_object(j, NULL);
	json_string(j, "interface", ifname);
	if (ifc != NULL)
		json_string(j, "role", ctl_role_name(ifc->role));
	else
		json_null(j, "role");
	json_string(j, "family", family == AF_INET6 ? "ipv6" : "ipv4");
	if (ifc != NULL) {
		j_addr(j, "nbma", &ifc->nbma);
		j_addr(j, "tunnel", &ifc->tunnel.addr);
		json_uint(j, "prefix", ifc->tunnel.plen);
	}
	json_uint(j, "peer_count", ifc != NULL ? ifc->peers : n);
	json_array(j, "peers");
	for (i = 0; i < r->n_peers; i++)
		if (strcmp(r->peers[i].ifname, ifname) == 0)
			j_peer(j, &r->peers[i], true);
	json_end(j);
	json_end(j);
}

static int
jout_dmvpn(FILE *out, const struct ctl_replies *r)
{
	struct json j;
	size_t i, k;

	json_init(&j, out, true);
	json_array(&j, NULL);
	for (i = 0; i < r->n_ifs; i++)
		j_dmvpn_if(&j, r->ifs[i].ifname, &r->ifs[i], r);
	for (i = 0; i < r->n_peers; i++) {
		for (k = 0; k < r->n_ifs; k++)
			if (strcmp(r->ifs[k].ifname, r->peers[i].ifname) == 0)
				break;
		if (k < r->n_ifs)
			continue;
		for (k = 0; k < i; k++)
			if (strcmp(r->peers[k].ifname, r->peers[i].ifname) == 0)
				break;
		if (k == i)
			j_dmvpn_if(&j, r->peers[i].ifname, NULL, r);
	}
	json_end(&j);
	return json_finish(&j);
}

static int
jout_nhs(FILE *out, const struct ctl_replies *r)
{
	const struct ctl_nhs *n;
	struct json j;
	size_t i;

	json_init(&j, out, true);
	json_array(&j, NULL);
	for (i = 0; i < r->n_nhs; i++) {
		n = &r->nhs[i];
		json_object(&j, NULL);
		json_string(&j, "interface", n->ifname);
		j_addr(&j, "protocol", &n->proto);
		j_addr(&j, "nbma", &n->nbma);
		json_string(&j, "state", ctl_nhs_state_name(n->state));
		json_uint(&j, "priority", n->priority);
		json_uint(&j, "cluster", n->cluster);
		if (n->fqdn[0] != '\0')
			json_string(&j, "fqdn", n->fqdn);
		else
			json_null(&j, "fqdn");
		json_uint(&j, "uptime", n->uptime);
		json_uint(&j, "failures", n->failures);
		json_end(&j);
	}
	json_end(&j);
	return json_finish(&j);
}

static int
jout_routes(FILE *out, const struct ctl_replies *r)
{
	const struct ctl_route *rt;
	char dst[ADDR_STRLEN];
	struct json j;
	size_t i;

	json_init(&j, out, true);
	json_array(&j, NULL);
	for (i = 0; i < r->n_routes; i++) {
		rt = &r->routes[i];
		json_object(&j, NULL);
		json_string(&j, "destination", prefix_fmt(&rt->dst, dst));
		j_addr(&j, "via", &rt->via);
		json_string(&j, "interface", rt->ifname);
		json_uint(&j, "table", rt->table);
		json_string(&j, "protocol", rt->protocol);
		json_bool(&j, "installed", rt->installed);
		json_end(&j);
	}
	json_end(&j);
	return json_finish(&j);
}

/* {section: {name: value}}, sections in the order they first appear. */
static int
jout_stats(FILE *out, const struct ctl_replies *r)
{
	const struct ctl_stat *st = r->stats;
	struct json j;
	size_t i, k;

	json_init(&j, out, true);
	json_object(&j, NULL);
	for (i = 0; i < r->n_stats; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(st[k].section, st[i].section) == 0)
				break;
		if (k < i)
			continue;
		json_object(&j, st[i].section);
		for (k = i; k < r->n_stats; k++)
			if (strcmp(st[k].section, st[i].section) == 0)
				json_uint(&j, st[k].name, st[k].value);
		json_end(&j);
	}
	json_end(&j);
	return json_finish(&j);
}

static int
jout_config(FILE *out, const struct ctl_replies *r)
{
	struct json j;

	json_init(&j, out, true);
	json_object(&j, NULL);
	json_stringn(&j, "config", r->config != NULL ? r->config : "",
		     r->config_len);
	json_end(&j);
	return json_finish(&j);
}

/* A string the daemon does not know (yet) is null, as absent addresses. */
static void
j_str_or_null(struct json *j, const char *key, const char *s)
{
	if (s[0] == '\0')
		json_null(j, key);
	else
		json_string(j, key, s);
}

/*
 * SPIs as hex strings of their full width, as `swanctl --list-sas` and
 * `ip xfrm state` print them, so they can be matched by eye or grep.
 */
static void
j_spi(struct json *j, const char *key, uint64_t spi, int digits)
{
	char s[20];

	snprintf(s, sizeof(s), "%0*" PRIx64, digits, spi);
	json_string(j, key, s);
}

static void
j_child_sa(struct json *j, const struct ctl_child_sa *s)
{
	json_object(j, NULL);
	j_spi(j, "spi_in", s->spi_in, 8);
	j_spi(j, "spi_out", s->spi_out, 8);
	json_uint(j, "reqid", s->reqid);
	j_str_or_null(j, "esp_proposal", s->esp_proposal);
	j_str_or_null(j, "kernel_driver", s->kernel_driver);
	json_uint(j, "bytes_in", s->bytes_in);
	json_uint(j, "bytes_out", s->bytes_out);
	json_uint(j, "packets_in", s->packets_in);
	json_uint(j, "packets_out", s->packets_out);
	json_uint(j, "established_s", s->established_s);
	json_int(j, "rekey_in", s->rekey_in);
	json_bool(j, "encap", s->encap);
	json_end(j);
}

/*
 * show ike and show sa alike: every IKE SA with its CHILD SAs nested.
 * The client keeps the CHILD SAs in wire order, right after their IKE
 * SA, so one pass over them serves every IKE SA.
 */
static int
jout_ike(FILE *out, const struct ctl_replies *r)
{
	const struct ctl_ike_sa *s;
	struct json j;
	size_t i, k = 0;

	json_init(&j, out, true);
	json_object(&j, NULL);
	json_array(&j, "ike_sas");
	for (i = 0; i < r->n_ike_sas; i++) {
		s = &r->ike_sas[i];
		json_object(&j, NULL);
		j_addr(&j, "local", &s->local);
		json_uint(&j, "local_port", s->local_port);
		j_addr(&j, "remote", &s->remote);
		json_uint(&j, "remote_port", s->remote_port);
		json_string(&j, "state", ctl_ike_state_name(s->state));
		json_bool(&j, "initiator", s->initiator);
		j_str_or_null(&j, "auth", s->auth);
		j_str_or_null(&j, "ike_proposal", s->ike_proposal);
		j_str_or_null(&j, "remote_id", s->remote_id);
		j_spi(&j, "spi_i", s->spi_i, 16);
		j_spi(&j, "spi_r", s->spi_r, 16);
		json_uint(&j, "established_s", s->established_s);
		json_int(&j, "rekey_in", s->rekey_in);
		json_bool(&j, "nat_local", s->nat_local);
		json_bool(&j, "nat_remote", s->nat_remote);
		json_array(&j, "child_sas");
		for (; k < r->n_child_sas && r->child_ike[k] == i; k++)
			j_child_sa(&j, &r->child_sas[k]);
		json_end(&j);
		json_end(&j);
	}
	json_end(&j);
	json_end(&j);
	return json_finish(&j);
}

static int
jout_result(FILE *out, const struct ctl_result *res)
{
	struct json j;

	json_init(&j, out, true);
	json_object(&j, NULL);
	json_uint(&j, "code", res->code);
	json_string(&j, "result", ctl_result_name(res->code));
	json_string(&j, "message", res->message);
	json_end(&j);
	return json_finish(&j);
}

const struct ctl_output ctl_output_json = {
	.dmvpn = jout_dmvpn,
	.peers = jout_peers,
	.nhs = jout_nhs,
	.routes = jout_routes,
	.stats = jout_stats,
	.config = jout_config,
	.ike = jout_ike,
	.sa = jout_ike,
	.result = jout_result,
};
