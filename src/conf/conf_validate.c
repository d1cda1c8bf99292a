/*
 * Rules that span statements, checked when a tunnel block closes: what
 * is required, what conflicts, and the defaults that depend on the role.
 * Messages name the line of the statement at fault, or the tunnel's.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

static unsigned int
family_v(int family)
{
	return family == AF_INET ? 4 : 6;
}

/* "a, b and c": the tunnel addresses of one family, for messages. */
static void
list_addresses(const struct conf_tunnel *t, int family, char *out,
	       size_t outlen)
{
	char s[ADDR_STRLEN];
	size_t i, used = 0, n = 0;
	int k;

	out[0] = '\0';
	for (i = 0; i < t->naddresses; i++) {
		if (t->addresses[i].addr.family != family)
			continue;
		k = snprintf(out + used, outlen - used, "%s%s",
			     n > 0 ? ", " : "",
			     prefix_fmt(&t->addresses[i], s));
		if (k < 0 || (size_t)k >= outlen - used)
			return;
		used += (size_t)k;
		n++;
	}
}

/* An nhs or map protocol address must be a neighbour on the tunnel. */
static void
check_inside(struct conf_parser *p, const struct conf_tunnel *t,
	     const char *what, const struct addr *a, unsigned int line)
{
	char s[ADDR_STRLEN], list[CONF_MAX_ADDRESSES * (ADDR_STRLEN + 2)];
	size_t i, n = 0;

	if (p->tbad[KW_ADDRESS])
		return; /* the addresses we have are not all there are */
	addr_fmt(a, s);
	for (i = 0; i < t->naddresses; i++) {
		if (addr_eq(&t->addresses[i].addr, a)) {
			conf_err(p, line,
				 "%s %s: that is this tunnel's own address",
				 what, s);
			return;
		}
	}
	for (i = 0; i < t->naddresses; i++) {
		if (t->addresses[i].addr.family != a->family)
			continue;
		if (prefix_contains(&t->addresses[i], a))
			return;
		n++;
	}
	if (n == 0) {
		/* Without any address, "address is required" says it. */
		if (t->naddresses > 0)
			conf_err(p, line,
				 "%s %s: the tunnel has no IPv%u address", what,
				 s, family_v(a->family));
		return;
	}
	list_addresses(t, a->family, list, sizeof(list));
	conf_err(p, line, "%s %s: not inside the tunnel's address%s %s", what,
		 s, n > 1 ? "es" : "", list);
}

static bool
nhs_same_nbma(const struct conf_nhs *a, const struct conf_nhs *b)
{
	if (a->fqdn[0] != '\0' || b->fqdn[0] != '\0')
		return strcmp(a->fqdn, b->fqdn) == 0;
	return addr_eq(&a->nbma, &b->nbma);
}

static const char *
nhs_name(const struct conf_nhs *n, char *out)
{
	if (addr_is_none(&n->proto))
		return strcpy(out, "dynamic");
	return addr_fmt(&n->proto, out);
}

static void
check_nhs(struct conf_parser *p, const struct conf_tunnel *t)
{
	const struct conf_nhs *n, *o;
	char s[ADDR_STRLEN], b[ADDR_STRLEN];
	size_t i, j;

	for (i = 0; i < t->nnhs; i++) {
		n = &t->nhs[i];
		if (!addr_is_none(&n->proto))
			check_inside(p, t, "nhs", &n->proto, n->line);
		for (j = 0; j < i; j++) {
			o = &t->nhs[j];
			if (!addr_is_none(&n->proto) &&
			    addr_eq(&n->proto, &o->proto)) {
				conf_err(p, n->line,
					 "nhs %s: already given at line %u",
					 addr_fmt(&n->proto, s), o->line);
				break;
			}
			if (addr_is_none(&n->proto) &&
			    addr_is_none(&o->proto) && nhs_same_nbma(n, o)) {
				conf_err(p, n->line,
					 "nhs dynamic nbma %s: already given "
					 "at line %u",
					 n->fqdn[0] != '\0'
						 ? n->fqdn
						 : addr_fmt(&n->nbma, b),
					 o->line);
				break;
			}
		}
	}
}

static void
check_maps(struct conf_parser *p, const struct conf_tunnel *t)
{
	const struct conf_map *m;
	char s[ADDR_STRLEN];
	size_t i, j;

	for (i = 0; i < t->nmaps; i++) {
		m = &t->maps[i];
		addr_fmt(&m->proto, s);
		check_inside(p, t, "map", &m->proto, m->line);
		for (j = 0; j < i; j++) {
			if (addr_eq(&m->proto, &t->maps[j].proto)) {
				conf_err(p, m->line,
					 "map %s: already given at line %u", s,
					 t->maps[j].line);
				break;
			}
		}
		for (j = 0; j < t->nnhs; j++) {
			if (addr_eq(&m->proto, &t->nhs[j].proto)) {
				conf_err(p, m->line,
					 "map %s: already an nhs at line %u, "
					 "which gives its nbma",
					 s, t->nhs[j].line);
				break;
			}
		}
	}
}

/*
 * One GRE device (gre or ip6gre) carries one NBMA family, so the local
 * address and every NBMA address must agree.
 */
static void
check_nbma_family(struct conf_parser *p, const struct conf_tunnel *t)
{
	char ref[ADDR_STRLEN + 32], s[ADDR_STRLEN + 8], a[ADDR_STRLEN];
	const struct addr *nbma;
	int family = 0;
	unsigned int line;
	size_t i;

	if (!addr_is_none(&t->local)) {
		family = t->local.family;
		snprintf(ref, sizeof(ref), "local %s", addr_fmt(&t->local, s));
	}
	for (i = 0; i < t->nnhs + t->nmaps; i++) {
		if (i < t->nnhs) {
			nbma = &t->nhs[i].nbma;
			line = t->nhs[i].line;
			snprintf(s, sizeof(s), "nhs ");
			nhs_name(&t->nhs[i], s + 4);
		} else {
			nbma = &t->maps[i - t->nnhs].nbma;
			line = t->maps[i - t->nnhs].line;
			snprintf(s, sizeof(s), "map ");
			addr_fmt(&t->maps[i - t->nnhs].proto, s + 4);
		}
		if (addr_is_none(nbma))
			continue;
		if (family == 0) {
			family = nbma->family;
			snprintf(ref, sizeof(ref), "the nbma at line %u", line);
		} else if (nbma->family != family) {
			conf_err(p, line,
				 "%s: nbma %s is IPv%u but %s is IPv%u (one "
				 "tunnel carries one NBMA family)",
				 s, addr_fmt(nbma, a), family_v(nbma->family),
				 ref, family_v(family));
		}
	}
}

static void
check_clusters(struct conf_parser *p, const struct conf_tunnel *t)
{
	const struct conf_cluster *c;
	size_t i, j;

	for (i = 0; i < t->nclusters; i++) {
		c = &t->clusters[i];
		for (j = 0; j < i; j++)
			if (t->clusters[j].cluster == c->cluster)
				break;
		if (j < i) {
			conf_err(p, c->line,
				 "cluster %u: already given at line %u",
				 c->cluster, t->clusters[j].line);
			continue;
		}
		for (j = 0; j < t->nnhs; j++)
			if (t->nhs[j].cluster == c->cluster)
				break;
		if (j == t->nnhs && !p->tbad[KW_NHS])
			conf_err(p, c->line, "cluster %u: no nhs is in it",
				 c->cluster);
	}
}

static bool
prefixes_overlap(const struct prefix *a, const struct prefix *b)
{
	if (a->addr.family != b->addr.family)
		return false;
	return a->plen <= b->plen ? prefix_contains(a, &b->addr)
				  : prefix_contains(b, &a->addr);
}

static const char *
nbma_side(const struct conf_tunnel *t, char *out, size_t outlen)
{
	char s[ADDR_STRLEN];

	if (t->nbma_ifname[0] != '\0')
		snprintf(out, outlen, "nbma-interface %s", t->nbma_ifname);
	else
		snprintf(out, outlen, "local %s", addr_fmt(&t->local, s));
	return out;
}

/* Against the tunnels already accepted (t is not among them yet). */
static void
check_other_tunnels(struct conf_parser *p, const struct conf_tunnel *t)
{
	const struct conf_tunnel *o;
	char side[ADDR_STRLEN + 32], key[16], a[ADDR_STRLEN], b[ADDR_STRLEN];
	size_t i, j, k;

	for (i = 0; i < p->conf->ntunnels; i++) {
		o = &p->conf->tunnels[i];
		if (o->has_gre_key == t->has_gre_key &&
		    (!t->has_gre_key || o->gre_key == t->gre_key) &&
		    strcmp(o->nbma_ifname, t->nbma_ifname) == 0 &&
		    addr_eq(&o->local, &t->local)) {
			if (t->has_gre_key)
				snprintf(key, sizeof(key), "%u", t->gre_key);
			else
				snprintf(key, sizeof(key), "none");
			conf_err(p, t->line,
				 "tunnel %s: same %s and gre-key (%s) as "
				 "tunnel %s at line %u; the kernel could not "
				 "tell their packets apart",
				 t->name, nbma_side(t, side, sizeof(side)), key,
				 o->name, o->line);
		}
		for (j = 0; j < t->naddresses; j++)
			for (k = 0; k < o->naddresses; k++)
				if (prefixes_overlap(&t->addresses[j],
						     &o->addresses[k]))
					conf_err(
						p, t->line,
						"tunnel %s: address %s "
						"overlaps %s of tunnel %s "
						"at line %u",
						t->name,
						prefix_fmt(&t->addresses[j], a),
						prefix_fmt(&o->addresses[k], b),
						o->name, o->line);
	}
}

void
conf_tunnel_finish(struct conf_parser *p, struct conf_tunnel *t)
{
	const unsigned int *seen = p->tseen;
	unsigned int first, later;
	size_t i;

	if (seen[KW_ROLE] == 0)
		conf_err(p, t->line,
			 "tunnel %s: role is required (spoke or hub)", t->name);
	if (seen[KW_SHORTCUT] == 0)
		t->shortcut = t->role == CONF_ROLE_SPOKE;
	if (seen[KW_REDIRECT] == 0)
		t->redirect = t->role == CONF_ROLE_HUB;
	if (seen[KW_ADDRESS] == 0)
		conf_err(p, t->line,
			 "tunnel %s: address is required (e.g. address "
			 "172.16.0.10/24)",
			 t->name);
	if (seen[KW_NBMA_INTERFACE] != 0 && seen[KW_LOCAL] != 0) {
		first = seen[KW_LOCAL];
		later = seen[KW_NBMA_INTERFACE];
		if (first > later) {
			later = first;
			first = seen[KW_NBMA_INTERFACE];
		}
		conf_err(p, later,
			 "nbma-interface and local: give one, not both "
			 "(lines %u and %u)",
			 first, later);
	} else if (seen[KW_NBMA_INTERFACE] == 0 && seen[KW_LOCAL] == 0) {
		conf_err(p, t->line,
			 "tunnel %s: nbma-interface or local is required",
			 t->name);
	}
	if (strcmp(t->nbma_ifname, t->name) == 0)
		conf_err(p, seen[KW_NBMA_INTERFACE],
			 "nbma-interface %s: that is the tunnel itself",
			 t->name);
	/* Kept tunnels go at index ntunnels; see conf_ike_file_end(). */
	if (seen[KW_IPSEC] == 0 && p->conf->ntunnels < CONF_MAX_TUNNELS)
		p->ipsec_implicit[p->conf->ntunnels] = true;
	for (i = 0; i < t->naddresses; i++) {
		/* RFC 8200 5: IPv6 links have an MTU of 1280 or more. */
		if (t->addresses[i].addr.family == AF_INET6 && t->mtu < 1280) {
			conf_err(p, seen[KW_MTU] != 0 ? seen[KW_MTU] : t->line,
				 "mtu %u: must be 1280..9000 with an IPv6 "
				 "tunnel address",
				 t->mtu);
			break;
		}
	}
	if (t->role == CONF_ROLE_SPOKE && seen[KW_ROLE] != 0 &&
	    !p->tbad[KW_ROLE] && seen[KW_NHS] == 0 && seen[KW_MAP] == 0)
		conf_err(p, t->line,
			 "tunnel %s: a spoke needs at least one nhs or map",
			 t->name);
	check_nhs(p, t);
	check_maps(p, t);
	check_nbma_family(p, t);
	check_clusters(p, t);
	check_other_tunnels(p, t);
}
