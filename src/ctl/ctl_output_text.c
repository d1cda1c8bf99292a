/*
 * dmvpnctl's text output: aligned tables for people.  `show dmvpn`
 * follows Cisco IOS so DMVPN operators read it at a glance; the rest are
 * plain column tables.  Strings from the daemon are printed with control
 * characters replaced, so nothing it sends can drive the terminal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dmvpn/ctl.h"

#define CELL     (CTL_FQDN_MAX + 16)
#define MAX_COLS 10
#define IKE_PORT 500 /* RFC 7296 2: not worth printing */

const char *
ctl_fmt_duration(int64_t secs, char *out, size_t outlen)
{
	int64_t d, h, m, w;

	if (secs < 0) {
		snprintf(out, outlen, "never");
		return out;
	}
	d = secs / 86400;
	h = secs / 3600 % 24;
	m = secs / 60 % 60;
	w = d / 7;
	if (d == 0)
		snprintf(out, outlen, "%02" PRId64 ":%02" PRId64 ":%02" PRId64,
			 h, m, secs % 60);
	else if (w == 0)
		snprintf(out, outlen, "%" PRId64 "d%02" PRId64 "h", d, h);
	else if (d < 365)
		snprintf(out, outlen, "%" PRId64 "w%" PRId64 "d", w, d % 7);
	else
		snprintf(out, outlen, "%" PRId64 "y%" PRId64 "w", d / 365,
			 d % 365 / 7);
	return out;
}

const char *
ctl_peer_attrs(const struct ctl_peer *p, char *out, size_t outlen)
{
	const char *kind;

	switch (p->type) {
	case CTL_PEER_STATIC:
	case CTL_PEER_NHS:
		kind = "S";
		break;
	case CTL_PEER_DYNAMIC:
	case CTL_PEER_SHORTCUT:
		kind = "D";
		break;
	case CTL_PEER_LOCAL:
		kind = "L";
		break;
	default:
		kind = "I"; /* incomplete, negative */
		break;
	}
	snprintf(out, outlen, "%s%s%s", kind,
		 p->flags & CTL_PEER_F_NAT ? "N" : "",
		 p->flags & CTL_PEER_F_ROUTE ? "T1" : "");
	return out;
}

/* Copy s with control characters replaced, for a terminal. */
static const char *
clean(const char *s, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < outlen; i++)
		out[i] =
			(unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	return out;
}

static const char *
host(const struct addr *a, char *out)
{
	return addr_fmt(a, out);
}

/*
 * A column table: row() formats record i into cells; the first pass
 * finds the widths, the second prints, two spaces between columns and
 * no padding after the last.
 */
typedef void row_fn(const void *recs, size_t i, char cells[][CELL]);

static int
table(FILE *out, const char *const *head, size_t ncols, const void *recs,
      size_t nrows, row_fn *row)
{
	char cells[MAX_COLS][CELL];
	size_t width[MAX_COLS], i, c, len;

	for (c = 0; c < ncols; c++)
		width[c] = strlen(head[c]);
	for (i = 0; i < nrows; i++) {
		row(recs, i, cells);
		for (c = 0; c < ncols; c++)
			if ((len = strlen(cells[c])) > width[c])
				width[c] = len;
	}
	for (c = 0; c < ncols; c++)
		fprintf(out, "%-*s%s", c + 1 < ncols ? (int)width[c] : 0,
			head[c], c + 1 < ncols ? "  " : "\n");
	for (i = 0; i < nrows; i++) {
		row(recs, i, cells);
		for (c = 0; c < ncols; c++)
			fprintf(out, "%-*s%s",
				c + 1 < ncols ? (int)width[c] : 0, cells[c],
				c + 1 < ncols ? "  " : "\n");
	}
	return ferror(out) ? -1 : 0;
}

static void
peer_flags(const struct ctl_peer *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s%s%s",
		 p->flags & CTL_PEER_F_UNIQUE ? "unique," : "",
		 p->flags & CTL_PEER_F_NAT ? "nat," : "",
		 p->flags & CTL_PEER_F_USED ? "used," : "",
		 p->flags & CTL_PEER_F_ROUTE ? "route," : "");
	if (out[0] == '\0')
		snprintf(out, outlen, "-");
	else
		out[strlen(out) - 1] = '\0';
}

static void
peer_row(const void *recs, size_t i, char cells[][CELL])
{
	const struct ctl_peer *p = (const struct ctl_peer *)recs + i;
	bool up = p->state == CTL_PEER_UP || p->uptime > 0;

	clean(p->ifname, cells[0], CELL);
	prefix_fmt(&p->proto, cells[1]);
	host(&p->nbma, cells[2]);
	host(addr_is_none(&p->claimed_nbma) ? &p->nbma : &p->claimed_nbma,
	     cells[3]);
	snprintf(cells[4], CELL, "%s", ctl_peer_type_name(p->type));
	snprintf(cells[5], CELL, "%s", ctl_peer_state_name(p->state));
	ctl_fmt_duration(p->expires_in, cells[6], CELL);
	if (up)
		ctl_fmt_duration((int64_t)p->uptime, cells[7], CELL);
	else
		snprintf(cells[7], CELL, "-");
	peer_flags(p, cells[8], CELL);
}

static int
text_peers(FILE *out, const struct ctl_replies *r)
{
	static const char *const head[] = {"Interface",    "Protocol", "NBMA",
					   "Claimed NBMA", "Type",     "State",
					   "Expires",      "Uptime",   "Flags"};

	return table(out, head, 9, r->peers, r->n_peers, peer_row);
}

static void
nhs_row(const void *recs, size_t i, char cells[][CELL])
{
	const struct ctl_nhs *n = (const struct ctl_nhs *)recs + i;

	clean(n->ifname, cells[0], CELL);
	host(&n->proto, cells[1]);
	host(&n->nbma, cells[2]);
	snprintf(cells[3], CELL, "%s", ctl_nhs_state_name(n->state));
	snprintf(cells[4], CELL, "%u", n->priority);
	snprintf(cells[5], CELL, "%u", n->cluster);
	if (n->state == CTL_NHS_UP || n->uptime > 0)
		ctl_fmt_duration((int64_t)n->uptime, cells[6], CELL);
	else
		snprintf(cells[6], CELL, "-");
	snprintf(cells[7], CELL, "%" PRIu32, n->failures);
	if (n->fqdn[0] != '\0')
		clean(n->fqdn, cells[8], CELL);
	else
		snprintf(cells[8], CELL, "-");
}

static int
text_nhs(FILE *out, const struct ctl_replies *r)
{
	static const char *const head[] = {"Interface", "Protocol", "NBMA",
					   "State",     "Priority", "Cluster",
					   "Uptime",    "Failures", "FQDN"};

	return table(out, head, 9, r->nhs, r->n_nhs, nhs_row);
}

static void
route_row(const void *recs, size_t i, char cells[][CELL])
{
	const struct ctl_route *rt = (const struct ctl_route *)recs + i;

	prefix_fmt(&rt->dst, cells[0]);
	host(&rt->via, cells[1]);
	clean(rt->ifname, cells[2], CELL);
	snprintf(cells[3], CELL, "%" PRIu32, rt->table);
	clean(rt->protocol[0] != '\0' ? rt->protocol : "-", cells[4], CELL);
	snprintf(cells[5], CELL, "%s", rt->installed ? "yes" : "no");
}

static int
text_routes(FILE *out, const struct ctl_replies *r)
{
	static const char *const head[] = {"Destination", "Via",
					   "Interface",   "Table",
					   "Protocol",    "Installed"};

	return table(out, head, 6, r->routes, r->n_routes, route_row);
}

/* Sections in the order they first appear, each with its counters. */
static int
text_stats(FILE *out, const struct ctl_replies *r)
{
	const struct ctl_stat *st = r->stats;
	char sec[CTL_STAT_MAX], name[CTL_STAT_MAX];
	size_t i, j, k, width;

	for (i = 0; i < r->n_stats; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(st[j].section, st[i].section) == 0)
				break;
		if (j < i)
			continue; /* printed with its first counter */
		width = 0;
		for (k = i; k < r->n_stats; k++)
			if (strcmp(st[k].section, st[i].section) == 0 &&
			    strlen(st[k].name) > width)
				width = strlen(st[k].name);
		fprintf(out, "%s%s:\n", i > 0 ? "\n" : "",
			clean(st[i].section, sec, sizeof(sec)));
		for (k = i; k < r->n_stats; k++)
			if (strcmp(st[k].section, st[i].section) == 0)
				fprintf(out, "  %-*s  %" PRIu64 "\n",
					(int)width,
					clean(st[k].name, name, sizeof(name)),
					st[k].value);
	}
	return ferror(out) ? -1 : 0;
}

static int
text_config(FILE *out, const struct ctl_replies *r)
{
	if (r->config_len > 0 &&
	    fwrite(r->config, 1, r->config_len, out) != r->config_len)
		return -1;
	return ferror(out) ? -1 : 0;
}

static int
text_result(FILE *out, const struct ctl_result *res)
{
	char msg[CTL_RESULT_MAX];

	/* Silence is success, unless the daemon had something to say. */
	if (res->message[0] != '\0')
		fprintf(out, "%s\n", clean(res->message, msg, sizeof(msg)));
	return ferror(out) ? -1 : 0;
}

/* ---- show ike, show sa ---- */

static const char *
or_dash(const char *s, char *out)
{
	return clean(s[0] != '\0' ? s : "-", out, CELL);
}

/* An IKE endpoint, with its port when it is not IKE's own. */
static const char *
endpoint(const struct addr *a, uint16_t port, char *out)
{
	char s[ADDR_STRLEN];

	host(a, s);
	if (port == IKE_PORT)
		snprintf(out, CELL, "%s", s);
	else
		snprintf(out, CELL, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
			 s, port);
	return out;
}

/* Seconds to the next rekey; "-" when none is scheduled. */
static const char *
rekey(int64_t secs, char *out)
{
	if (secs < 0) {
		snprintf(out, CELL, "-");
		return out;
	}
	return ctl_fmt_duration(secs, out, CELL);
}

static void
ike_row(const void *recs, size_t i, char cells[][CELL])
{
	const struct ctl_ike_sa *s = (const struct ctl_ike_sa *)recs + i;

	endpoint(&s->remote, s->remote_port, cells[0]);
	endpoint(&s->local, s->local_port, cells[1]);
	snprintf(cells[2], CELL, "%s", ctl_ike_state_name(s->state));
	snprintf(cells[3], CELL, "%s", s->initiator ? "I" : "R");
	or_dash(s->auth, cells[4]);
	or_dash(s->ike_proposal, cells[5]);
	if (s->established_s > 0 || s->state == CTL_IKE_ESTABLISHED ||
	    s->state == CTL_IKE_REKEYING)
		ctl_fmt_duration((int64_t)s->established_s, cells[6], CELL);
	else
		snprintf(cells[6], CELL, "-");
	rekey(s->rekey_in, cells[7]);
	snprintf(cells[8], CELL, "%s",
		 s->nat_local && s->nat_remote ? "local,remote"
		 : s->nat_local                ? "local"
		 : s->nat_remote               ? "remote"
					       : "-");
	or_dash(s->remote_id, cells[9]);
}

static int
text_ike(FILE *out, const struct ctl_replies *r)
{
	static const char *const head[] = {
		"Remote",   "Local",       "State",    "Role", "Auth",
		"Proposal", "Established", "Rekey in", "NAT",  "Remote ID"};

	return table(out, head, 10, r->ike_sas, r->n_ike_sas, ike_row);
}

/* recs is the whole ctl_replies: a CHILD SA row shows its IKE SA's peer. */
static void
sa_row(const void *recs, size_t i, char cells[][CELL])
{
	const struct ctl_replies *r = recs;
	const struct ctl_child_sa *s = &r->child_sas[i];

	host(&r->ike_sas[r->child_ike[i]].remote, cells[0]);
	snprintf(cells[1], CELL, "%08" PRIx32, s->spi_in);
	snprintf(cells[2], CELL, "%08" PRIx32, s->spi_out);
	or_dash(s->esp_proposal, cells[3]);
	or_dash(s->kernel_driver, cells[4]);
	snprintf(cells[5], CELL, "%" PRIu64, s->bytes_in);
	snprintf(cells[6], CELL, "%" PRIu64, s->bytes_out);
	ctl_fmt_duration((int64_t)s->established_s, cells[7], CELL);
	rekey(s->rekey_in, cells[8]);
	snprintf(cells[9], CELL, "%s", s->encap ? "udp" : "-");
}

static int
text_sa(FILE *out, const struct ctl_replies *r)
{
	static const char *const head[] = {
		"Remote",   "SPI in",    "SPI out",     "ESP",      "Driver",
		"Bytes in", "Bytes out", "Established", "Rekey in", "Encap"};

	return table(out, head, 10, r, r->n_child_sas, sa_row);
}

/* ---- show dmvpn ---- */

static const char dmvpn_legend[] =
	"Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete\n"
	"        N - NATed, L - Local, T1 - Route Installed\n"
	"        # Ent --> Number of NHRP entries with same NBMA peer\n"
	"        UpDn Tm --> Up or Down Time for a Tunnel\n"
	"=============================================================="
	"============\n";

static const char *
state_upper(enum ctl_peer_state s)
{
	switch (s) {
	case CTL_PEER_UP:
		return "UP";
	case CTL_PEER_IKE:
		return "IKE";
	case CTL_PEER_NHRP:
		return "NHRP";
	default:
		return "DOWN";
	}
}

/*
 * Rows grouped by NBMA address, then by tunnel address, entries with no
 * NBMA address yet (incomplete) last; ties keep the daemon's order.
 */
static int
peer_order(const void *a, const void *b)
{
	const struct ctl_peer *p = *(const struct ctl_peer *const *)a;
	const struct ctl_peer *q = *(const struct ctl_peer *const *)b;
	int c = (int)addr_is_none(&p->nbma) - (int)addr_is_none(&q->nbma);

	if (c == 0)
		c = addr_cmp(&p->nbma, &q->nbma);
	if (c == 0)
		c = addr_cmp(&p->proto.addr, &q->proto.addr);
	if (c == 0)
		c = p < q ? -1 : p > q;
	return c;
}

/*
 * The peer's tunnel address, as IOS shows it: for a shortcut route the
 * next hop (the other spoke), not the network behind it.
 */
static const struct addr *
peer_tunnel_addr(const struct ctl_peer *p)
{
	return addr_is_none(&p->nexthop) ? &p->proto.addr : &p->nexthop;
}

static void
dmvpn_block(FILE *out, const char *ifname, const struct ctl_interface *ifc,
	    const struct ctl_replies *r, const struct ctl_peer **rows)
{
	char name[CTL_IFNAME_MAX], nbma[ADDR_STRLEN], proto[ADDR_STRLEN];
	char count[24], updn[24], attrs[16];
	size_t n = 0, i, j, same, wn = 15, wp = 15, npeers = 0;
	int family = AF_INET;

	for (i = 0; i < r->n_peers; i++)
		if (strcmp(r->peers[i].ifname, ifname) == 0)
			rows[n++] = &r->peers[i];
	qsort(rows, n, sizeof(*rows), peer_order);
	for (i = 0; i < n; i++) {
		if (i == 0 || !addr_eq(&rows[i]->nbma, &rows[i - 1]->nbma))
			npeers++;
		if (strlen(host(&rows[i]->nbma, nbma)) > wn)
			wn = strlen(nbma);
		if (strlen(host(peer_tunnel_addr(rows[i]), proto)) > wp)
			wp = strlen(proto);
	}
	if (ifc != NULL && ifc->tunnel.addr.family != 0)
		family = ifc->tunnel.addr.family;
	else if (n > 0 && rows[0]->proto.addr.family != 0)
		family = rows[0]->proto.addr.family;
	fprintf(out, "\nInterface: %s, %s NHRP Details\n",
		clean(ifname, name, sizeof(name)),
		family == AF_INET6 ? "IPv6" : "IPv4");
	fprintf(out, "Type:%s, NHRP Peers:%lu,\n\n",
		ifc == NULL                 ? "Unknown"
		: ifc->role == CTL_ROLE_HUB ? "Hub"
					    : "Spoke",
		ifc != NULL ? (unsigned long)ifc->peers
			    : (unsigned long)npeers);
	fprintf(out, " # Ent  %-*s %*s State  UpDn Tm Attrb\n", (int)wn,
		"Peer NBMA Addr", (int)wp, "Peer Tunnel Add");
	fprintf(out, " ----- %.*s %.*s ----- -------- -----\n", (int)wn,
		"----------------------------------------------", (int)wp,
		"----------------------------------------------");
	for (i = 0; i < n; i = j) {
		for (j = i + 1;
		     j < n && addr_eq(&rows[j]->nbma, &rows[i]->nbma); j++)
			;
		for (same = i; same < j; same++) {
			const struct ctl_peer *p = rows[same];

			snprintf(count, sizeof(count), "%lu",
				 (unsigned long)(j - i));
			ctl_fmt_duration(p->state == CTL_PEER_UP
						 ? (int64_t)p->uptime
						 : -1,
					 updn, sizeof(updn));
			fprintf(out, " %5s %-*s %*s %5s %8s %5s\n",
				same == i ? count : "", (int)wn,
				same == i ? host(&p->nbma, nbma) : "", (int)wp,
				host(peer_tunnel_addr(p), proto),
				state_upper(p->state), updn,
				ctl_peer_attrs(p, attrs, sizeof(attrs)));
		}
	}
}

static int
text_dmvpn(FILE *out, const struct ctl_replies *r)
{
	const struct ctl_peer **rows = NULL;
	size_t i, j;

	if (r->n_peers > 0 &&
	    (rows = calloc(r->n_peers, sizeof(*rows))) == NULL)
		return -1;
	fputs(dmvpn_legend, out);
	for (i = 0; i < r->n_ifs; i++)
		dmvpn_block(out, r->ifs[i].ifname, &r->ifs[i], r, rows);
	/* Peers of an interface the daemon sent no summary for. */
	for (i = 0; i < r->n_peers; i++) {
		for (j = 0; j < r->n_ifs; j++)
			if (strcmp(r->ifs[j].ifname, r->peers[i].ifname) == 0)
				break;
		if (j < r->n_ifs)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(r->peers[j].ifname, r->peers[i].ifname) == 0)
				break;
		if (j == i)
			dmvpn_block(out, r->peers[i].ifname, NULL, r, rows);
	}
	free(rows);
	return ferror(out) ? -1 : 0;
}

const struct ctl_output ctl_output_text = {
	.dmvpn = text_dmvpn,
	.peers = text_peers,
	.nhs = text_nhs,
	.routes = text_routes,
	.stats = text_stats,
	.config = text_config,
	.ike = text_ike,
	.sa = text_sa,
	.result = text_result,
};
