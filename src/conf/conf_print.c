/*
 * The normalised configuration (`dmvpnd -nv`, `dmvpnctl show config`),
 * after bgpd's printconf.c: every value explicit, in the order of
 * docs/dmvpn.conf.5.md, spelled the one way the parser reads back into
 * an equal configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

/* A value: bare when it is one word, else quoted with escapes. */
static void
print_word(FILE *f, const char *s, size_t len)
{
	char e[5];
	size_t i;

	if (conf_bare_ok(s, len)) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('"', f);
	for (i = 0; i < len; i++)
		fputs(conf_esc((unsigned char)s[i], e), f);
	fputc('"', f);
}

static void
print_str(FILE *f, const char *kw, const char *s)
{
	fprintf(f, "%s ", kw);
	print_word(f, s, strlen(s));
	fputc('\n', f);
}

static void
print_dur(FILE *f, const char *kw, uint64_t secs)
{
	char s[64];

	conf_duration_fmt(secs, s, sizeof(s));
	fprintf(f, "\t%s %s\n", kw, s);
}

static const char *
yesno(bool b)
{
	return b ? "yes" : "no";
}

static void
print_nhs(FILE *f, const struct conf_nhs *n)
{
	char s[ADDR_STRLEN];

	fprintf(f, "\tnhs %s",
		addr_is_none(&n->proto) ? "dynamic" : addr_fmt(&n->proto, s));
	fprintf(f, " nbma %s",
		n->fqdn[0] != '\0' ? n->fqdn : addr_fmt(&n->nbma, s));
	fprintf(f, " priority %u cluster %u\n", n->priority, n->cluster);
}

static void
print_tunnel(FILE *f, const struct conf_tunnel *t, unsigned int flags)
{
	char s[ADDR_STRLEN], d[64], e[5];
	const char *name;
	size_t i;

	fprintf(f, "tunnel %s {\n", t->name);
	fprintf(f, "\trole %s\n", conf_role_name(t->role));
	if (t->nbma_ifname[0] != '\0')
		fprintf(f, "\tnbma-interface %s\n", t->nbma_ifname);
	if (!addr_is_none(&t->local))
		fprintf(f, "\tlocal %s\n", addr_fmt(&t->local, s));
	for (i = 0; i < t->naddresses; i++)
		fprintf(f, "\taddress %s\n", prefix_fmt(&t->addresses[i], s));
	if (t->has_gre_key)
		fprintf(f, "\tgre-key %u\n", t->gre_key);
	fprintf(f, "\tmtu %u\n", t->mtu);
	fprintf(f, "\tttl %u\n", t->ttl);
	fprintf(f, "\tnetwork-id %u\n", t->network_id);
	print_dur(f, "holding-time", t->holding_time);
	fprintf(f, "\tregistration %s\n", t->unique ? "unique" : "no-unique");
	fprintf(f, "\tshortcut %s\n", yesno(t->shortcut));
	fprintf(f, "\tredirect %s\n", yesno(t->redirect));
	for (i = 0; i < t->nshortcut_dest; i++)
		fprintf(f, "\tshortcut-destination %s\n",
			prefix_fmt(&t->shortcut_dest[i], s));
	for (i = 0; i < t->nnhs; i++)
		print_nhs(f, &t->nhs[i]);
	for (i = 0; i < t->nmaps; i++) {
		fprintf(f, "\tmap %s", addr_fmt(&t->maps[i].proto, s));
		fprintf(f, " nbma %s\n", addr_fmt(&t->maps[i].nbma, s));
	}
	for (i = 0; i < t->nclusters; i++)
		fprintf(f, "\tcluster %u max-connections %u\n",
			t->clusters[i].cluster, t->clusters[i].max_connections);
	print_dur(f, "nhs-fallback", t->nhs_fallback);
	print_dur(f, "negative-ttl", t->negative_ttl);
	conf_duration_fmt(t->redirect_interval, d, sizeof(d));
	fprintf(f, "\tredirect-rate every %s burst %u\n", d, t->redirect_burst);
	if (t->auth_len > 0) {
		/* Always quoted, so that it stands out. */
		fputs("\tauthentication ", f);
		if (flags & CONF_PRINT_HIDE_SECRETS) {
			fputs("\"********\"", f);
		} else {
			fputc('"', f);
			for (i = 0; i < t->auth_len; i++)
				fputs(conf_esc(t->auth[i], e), f);
			fputc('"', f);
		}
		fputc('\n', f);
	}
	name = conf_route_table_name(t->route_table);
	if (name != NULL)
		fprintf(f, "\troute-table %s\n", name);
	else
		fprintf(f, "\troute-table %u\n", t->route_table);
	fprintf(f, "\tipsec %s\n", yesno(t->ipsec));
	if (t->hook_script != NULL) {
		fputc('\t', f);
		print_str(f, "hook-script", t->hook_script);
	}
	fprintf(f, "}\n");
}

static void
print_id(FILE *f, const struct conf_id *id)
{
	size_t len = (id->value != NULL ? strlen(id->value) * 4 : 0) + 16;
	char *s = malloc(len);

	/* Short of memory, the output is short too; never wrong. */
	if (s != NULL)
		fputs(conf_id_fmt(id, s, len), f);
	free(s);
}

static void
print_proposals(FILE *f, const char *kw, const struct conf_proposal *v,
		size_t n)
{
	char s[256];
	size_t i;

	fprintf(f, "\t%s", kw);
	for (i = 0; i < n; i++)
		fprintf(f, " %s", conf_proposal_fmt(&v[i], s, sizeof(s)));
	fputc('\n', f);
}

void
conf_ike_print(FILE *f, const struct conf_ike *ike)
{
	const struct {
		const char *kw;
		const char *path;
	} files[] = {
		{"certificate", ike->certificate},
		{"private-key", ike->private_key},
		{"ca", ike->ca},
		{"crl", ike->crl},
		{"psk-file", ike->psk_file},
	};
	char s[ADDR_STRLEN];
	size_t i, j;

	fprintf(f, "ike {\n");
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].path == NULL)
			continue;
		fputc('\t', f);
		print_str(f, files[i].kw, files[i].path);
	}
	fputs("\tidentity ", f);
	print_id(f, &ike->identity);
	fputc('\n', f);
	print_proposals(f, "ike-proposal", ike->ike, ike->nike);
	if (ike->esp_auto)
		fprintf(f, "\tesp-proposal auto\n");
	else
		print_proposals(f, "esp-proposal", ike->esp, ike->nesp);
	print_dur(f, "ike-lifetime", ike->ike_lifetime);
	print_dur(f, "esp-lifetime", ike->esp_lifetime);
	print_dur(f, "dpd", ike->dpd);
	print_dur(f, "nat-keepalive", ike->nat_keepalive);
	fprintf(f, "\tretransmit-tries %u\n", ike->retransmit_tries);
	fprintf(f, "\thalf-open-limit %u per-source %u\n", ike->half_open_limit,
		ike->half_open_per_source);
	for (i = 0; i < ike->nauthorize; i++) {
		fputs("\tauthorize ", f);
		print_id(f, &ike->authorize[i].id);
		for (j = 0; j < ike->authorize[i].nprefixes; j++)
			fprintf(f, " %s",
				prefix_fmt(&ike->authorize[i].prefixes[j], s));
		fputc('\n', f);
	}
	fprintf(f, "}\n");
}

void
conf_print_flags(FILE *f, const struct dmvpn_conf *conf, unsigned int flags)
{
	char cats[128];
	size_t i;

	fprintf(f, "log-level %s\n", log_level_name(conf->log_level));
	if (conf->debug == 0)
		snprintf(cats, sizeof(cats), "none");
	else if ((conf->debug & DBG_ALL) == DBG_ALL)
		snprintf(cats, sizeof(cats), "all");
	else
		log_cat_format(conf->debug, cats, sizeof(cats));
	fprintf(f, "debug %s\n", cats);
	print_str(f, "control-socket", conf->control_socket);
	print_str(f, "state-dir", conf->state_dir);
	if (conf->route_protocol == CONF_DEFAULT_ROUTE_PROTOCOL)
		fprintf(f, "route-protocol nhrp\n");
	else
		fprintf(f, "route-protocol %u\n", conf->route_protocol);
	if (conf->hook_script != NULL)
		print_str(f, "hook-script", conf->hook_script);
	if (conf->ike.present) {
		fputc('\n', f);
		conf_ike_print(f, &conf->ike);
	}
	for (i = 0; i < conf->ntunnels; i++) {
		fputc('\n', f);
		print_tunnel(f, &conf->tunnels[i], flags);
	}
}

void
conf_print(FILE *f, const struct dmvpn_conf *conf)
{
	conf_print_flags(f, conf, 0);
}
