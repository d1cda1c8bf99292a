/*
 * Comparing configurations, for reload: parse into a new struct, then
 * apply only what differs (bgpd's merge_config()).  Lists whose order
 * means nothing (addresses, nhs, map, cluster, shortcut-destination) are
 * compared as sets; line numbers are never compared.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
prefix_same(const struct prefix *a, const struct prefix *b)
{
	return a->plen == b->plen && addr_eq(&a->addr, &b->addr);
}

/* Same prefixes, in any order (neither list holds duplicates). */
static bool
prefix_set_eq(const struct prefix *a, size_t na, const struct prefix *b,
	      size_t nb)
{
	size_t i, j;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (prefix_same(&a[i], &b[j]))
				break;
		if (j == nb)
			return false;
	}
	return true;
}

static bool
cluster_set_eq(const struct conf_tunnel *a, const struct conf_tunnel *b)
{
	size_t i, j;

	if (a->nclusters != b->nclusters)
		return false;
	for (i = 0; i < a->nclusters; i++) {
		for (j = 0; j < b->nclusters; j++)
			if (a->clusters[i].cluster == b->clusters[j].cluster &&
			    a->clusters[i].max_connections ==
				    b->clusters[j].max_connections)
				break;
		if (j == b->nclusters)
			return false;
	}
	return true;
}

static bool
nhs_key_eq(const struct conf_nhs *a, const struct conf_nhs *b)
{
	return addr_eq(&a->proto, &b->proto) && strcmp(a->fqdn, b->fqdn) == 0 &&
	       addr_eq(&a->nbma, &b->nbma);
}

long
conf_nhs_find(const struct conf_tunnel *t, const struct conf_nhs *e)
{
	size_t i;

	for (i = 0; i < t->nnhs; i++)
		if (nhs_key_eq(&t->nhs[i], e))
			return (long)i;
	return -1;
}

long
conf_map_find(const struct conf_tunnel *t, const struct conf_map *e)
{
	size_t i;

	for (i = 0; i < t->nmaps; i++)
		if (addr_eq(&t->maps[i].proto, &e->proto))
			return (long)i;
	return -1;
}

void
conf_entry_diff_free(struct conf_entry_diff *d)
{
	free(d->added);
	free(d->removed);
	free(d->changed);
	memset(d, 0, sizeof(*d));
}

static int
diff_alloc(struct conf_entry_diff *d, size_t nold, size_t nnew)
{
	memset(d, 0, sizeof(*d));
	d->added = calloc(nnew + 1, sizeof(*d->added));
	d->removed = calloc(nold + 1, sizeof(*d->removed));
	d->changed = calloc(nnew + 1, sizeof(*d->changed));
	if (d->added == NULL || d->removed == NULL || d->changed == NULL) {
		conf_entry_diff_free(d);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
conf_nhs_diff(const struct conf_tunnel *old_t, const struct conf_tunnel *new_t,
	      struct conf_entry_diff *d)
{
	const struct conf_nhs *o, *n;
	size_t i;
	long k;

	if (diff_alloc(d, old_t->nnhs, new_t->nnhs) == -1)
		return -1;
	for (i = 0; i < new_t->nnhs; i++) {
		n = &new_t->nhs[i];
		if ((k = conf_nhs_find(old_t, n)) == -1) {
			d->added[d->nadded++] = i;
			continue;
		}
		o = &old_t->nhs[k];
		if (o->priority != n->priority || o->cluster != n->cluster) {
			d->changed[d->nchanged].old_idx = (size_t)k;
			d->changed[d->nchanged++].new_idx = i;
		}
	}
	for (i = 0; i < old_t->nnhs; i++)
		if (conf_nhs_find(new_t, &old_t->nhs[i]) == -1)
			d->removed[d->nremoved++] = i;
	return 0;
}

int
conf_map_diff(const struct conf_tunnel *old_t, const struct conf_tunnel *new_t,
	      struct conf_entry_diff *d)
{
	size_t i;
	long k;

	if (diff_alloc(d, old_t->nmaps, new_t->nmaps) == -1)
		return -1;
	for (i = 0; i < new_t->nmaps; i++) {
		if ((k = conf_map_find(old_t, &new_t->maps[i])) == -1) {
			d->added[d->nadded++] = i;
		} else if (!addr_eq(&old_t->maps[k].nbma,
				    &new_t->maps[i].nbma)) {
			d->changed[d->nchanged].old_idx = (size_t)k;
			d->changed[d->nchanged++].new_idx = i;
		}
	}
	for (i = 0; i < old_t->nmaps; i++)
		if (conf_map_find(new_t, &old_t->maps[i]) == -1)
			d->removed[d->nremoved++] = i;
	return 0;
}

/* Same nhs entries with the same attributes, in any order. */
static bool
nhs_set_eq(const struct conf_tunnel *a, const struct conf_tunnel *b)
{
	size_t i;
	long k;

	if (a->nnhs != b->nnhs)
		return false;
	for (i = 0; i < a->nnhs; i++) {
		k = conf_nhs_find(b, &a->nhs[i]);
		if (k == -1 || b->nhs[k].priority != a->nhs[i].priority ||
		    b->nhs[k].cluster != a->nhs[i].cluster)
			return false;
	}
	return true;
}

static bool
map_set_eq(const struct conf_tunnel *a, const struct conf_tunnel *b)
{
	size_t i;
	long k;

	if (a->nmaps != b->nmaps)
		return false;
	for (i = 0; i < a->nmaps; i++) {
		k = conf_map_find(b, &a->maps[i]);
		if (k == -1 || !addr_eq(&b->maps[k].nbma, &a->maps[i].nbma))
			return false;
	}
	return true;
}

unsigned int
conf_tunnel_diff(const struct conf_tunnel *a, const struct conf_tunnel *b)
{
	unsigned int d = 0;

	if (a->has_gre_key != b->has_gre_key || a->gre_key != b->gre_key ||
	    strcmp(a->nbma_ifname, b->nbma_ifname) != 0 ||
	    !addr_eq(&a->local, &b->local))
		d |= CONF_TC_DEVICE;
	if (a->mtu != b->mtu || a->ttl != b->ttl)
		d |= CONF_TC_LINK;
	if (!prefix_set_eq(a->addresses, a->naddresses, b->addresses,
			   b->naddresses))
		d |= CONF_TC_ADDRESS;
	if (a->role != b->role || a->network_id != b->network_id ||
	    a->holding_time != b->holding_time || a->unique != b->unique ||
	    a->shortcut != b->shortcut || a->redirect != b->redirect ||
	    !prefix_set_eq(a->shortcut_dest, a->nshortcut_dest,
			   b->shortcut_dest, b->nshortcut_dest) ||
	    a->auth_len != b->auth_len ||
	    memcmp(a->auth, b->auth, a->auth_len) != 0 ||
	    a->nhs_fallback != b->nhs_fallback ||
	    a->negative_ttl != b->negative_ttl ||
	    a->redirect_interval != b->redirect_interval ||
	    a->redirect_burst != b->redirect_burst || !cluster_set_eq(a, b))
		d |= CONF_TC_NHRP;
	if (!nhs_set_eq(a, b))
		d |= CONF_TC_NHS;
	if (!map_set_eq(a, b))
		d |= CONF_TC_MAP;
	if (a->route_table != b->route_table)
		d |= CONF_TC_ROUTE;
	if (a->ipsec != b->ipsec)
		d |= CONF_TC_IPSEC;
	if (!str_eq(a->hook_script, b->hook_script))
		d |= CONF_TC_HOOK;
	return d;
}

bool
conf_tunnel_equal(const struct conf_tunnel *a, const struct conf_tunnel *b)
{
	return strcmp(a->name, b->name) == 0 && conf_tunnel_diff(a, b) == 0;
}

bool
conf_tunnel_needs_recreate(const struct conf_tunnel *a,
			   const struct conf_tunnel *b)
{
	return (conf_tunnel_diff(a, b) & CONF_TC_DEVICE) != 0;
}

/* The same authorize entries, in any order (IDs are unique). */
static bool
authorize_set_eq(const struct conf_ike *a, const struct conf_ike *b)
{
	const struct conf_authorize *x, *y;
	size_t i, j;

	if (a->nauthorize != b->nauthorize)
		return false;
	for (i = 0; i < a->nauthorize; i++) {
		x = &a->authorize[i];
		for (j = 0; j < b->nauthorize; j++)
			if (conf_id_equal(&x->id, &b->authorize[j].id))
				break;
		if (j == b->nauthorize)
			return false;
		y = &b->authorize[j];
		if (!prefix_set_eq(x->prefixes, x->nprefixes, y->prefixes,
				   y->nprefixes))
			return false;
	}
	return true;
}

bool
conf_ike_equal(const struct conf_ike *a, const struct conf_ike *b)
{
	if (!a->present || !b->present)
		return a->present == b->present;
	return str_eq(a->certificate, b->certificate) &&
	       str_eq(a->private_key, b->private_key) && str_eq(a->ca, b->ca) &&
	       str_eq(a->crl, b->crl) && str_eq(a->psk_file, b->psk_file) &&
	       conf_id_equal(&a->identity, &b->identity) &&
	       conf_proposals_equal(a->ike, a->nike, b->ike, b->nike) &&
	       a->esp_auto == b->esp_auto &&
	       conf_proposals_equal(a->esp, a->nesp, b->esp, b->nesp) &&
	       a->ike_lifetime == b->ike_lifetime &&
	       a->esp_lifetime == b->esp_lifetime && a->dpd == b->dpd &&
	       a->nat_keepalive == b->nat_keepalive &&
	       a->retransmit_tries == b->retransmit_tries &&
	       a->half_open_limit == b->half_open_limit &&
	       a->half_open_per_source == b->half_open_per_source &&
	       authorize_set_eq(a, b);
}

unsigned int
conf_global_diff(const struct dmvpn_conf *a, const struct dmvpn_conf *b)
{
	const struct conf_tunnel *t;
	unsigned int d = 0;
	size_t i;

	if (a->log_level != b->log_level || a->debug != b->debug)
		d |= CONF_GC_LOG;
	if (!str_eq(a->control_socket, b->control_socket))
		d |= CONF_GC_CONTROL_SOCKET;
	if (!str_eq(a->state_dir, b->state_dir))
		d |= CONF_GC_STATE_DIR;
	if (a->route_protocol != b->route_protocol)
		d |= CONF_GC_ROUTE_PROTOCOL;
	if (!str_eq(a->hook_script, b->hook_script))
		d |= CONF_GC_HOOK;
	if (!conf_ike_equal(&a->ike, &b->ike))
		d |= CONF_GC_IKE;
	if (a->ntunnels != b->ntunnels)
		d |= CONF_GC_TUNNELS;
	for (i = 0; i < a->ntunnels && (d & CONF_GC_TUNNELS) == 0; i++) {
		t = conf_tunnel_find(b, a->tunnels[i].name);
		if (t == NULL || conf_tunnel_diff(&a->tunnels[i], t) != 0)
			d |= CONF_GC_TUNNELS;
	}
	return d;
}

bool
conf_equal(const struct dmvpn_conf *a, const struct dmvpn_conf *b)
{
	return conf_global_diff(a, b) == 0;
}
