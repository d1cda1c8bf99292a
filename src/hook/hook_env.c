/*
 * From an NHRP event to the command line and environment of a hook
 * script, as OpenNHRP's nhrp_peer_run_script() builds them.  Which
 * variable comes from which field is documented in docs/dmvpnd.8.md,
 * HOOK SCRIPTS.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dmvpn/hook.h"

const char *
hook_event_name(enum nhrp_event event)
{
	switch (event) {
	case NHRP_EV_PEER_UP:
		return "peer-up";
	case NHRP_EV_PEER_DOWN:
		return "peer-down";
	case NHRP_EV_NHS_UP:
		return "nhs-up";
	case NHRP_EV_NHS_DOWN:
		return "nhs-down";
	case NHRP_EV_ROUTE_UP:
		return "route-up";
	case NHRP_EV_ROUTE_DOWN:
		return "route-down";
	}
	return "unknown";
}

bool
hook_event_is_route(const struct hook_event *ev)
{
	return ev->event == NHRP_EV_ROUTE_UP || ev->event == NHRP_EV_ROUTE_DOWN;
}

/*
 * OpenNHRP's peer types: a resolved peer is "cached" and a resolved
 * network "shortcut-route"; our own networks are "local-route".  An NHS
 * is "dynamic-nhs", the type OpenNHRP gives the servers it registers
 * with through dynamic-map (the events do not say whether the NHS was
 * configured by address or by name).
 */
const char *
hook_type_name(const struct hook_event *ev)
{
	bool route = hook_event_is_route(ev);

	switch (ev->kind) {
	case NHRP_CACHE_INCOMPLETE:
		return "incomplete";
	case NHRP_CACHE_NEGATIVE:
		return "negative";
	case NHRP_CACHE_DYNAMIC:
		return "dynamic";
	case NHRP_CACHE_NHS:
		return "dynamic-nhs";
	case NHRP_CACHE_STATIC:
		return "static";
	case NHRP_CACHE_SHORTCUT:
		return route ? "shortcut-route" : "cached";
	case NHRP_CACHE_LOCAL:
		return route ? "local-route" : "local";
	}
	return "unknown";
}

/* Our tunnel address of the family of dst, else the first one. */
static struct addr
pick_src(const struct hook_iface *ifc, const struct addr *dst)
{
	struct addr none;
	size_t i;

	for (i = 0; i < ifc->naddresses; i++)
		if (ifc->addresses[i].addr.family == dst->family)
			return ifc->addresses[i].addr;
	if (ifc->naddresses > 0)
		return ifc->addresses[0].addr;
	memset(&none, 0, sizeof(none));
	return none;
}

int
hook_event_from_intent(struct hook_event *ev, const struct hook_iface *ifc,
		       const struct nhrp_intent *in)
{
	if (in->type != NHRP_I_EVENT) {
		errno = EINVAL;
		return -1;
	}
	memset(ev, 0, sizeof(*ev));
	ev->event = in->event;
	ev->kind = in->kind;
	if (ifc->ifname != NULL)
		snprintf(ev->ifname, sizeof(ev->ifname), "%s", ifc->ifname);
	ev->gre_key = ifc->gre_key;
	ev->src_nbma = ifc->nbma;
	if (in->event == NHRP_EV_NHS_UP || in->event == NHRP_EV_NHS_DOWN ||
	    in->dst.addr.family == 0) {
		/* An NHS: its tunnel address (none until `nhs dynamic` learns
		 * it), as a host. */
		ev->dst.addr = in->proto;
		ev->dst.plen = (uint8_t)addr_bits(&in->proto);
	} else {
		ev->dst = in->dst;
	}
	ev->src = pick_src(ifc, ev->dst.addr.family != 0 ? &ev->dst.addr
							 : &in->proto);
	ev->nbma = in->nbma;
	/* The address the peer claimed, when NAT changed it on the way. */
	if (!addr_is_none(&in->claimed_nbma) &&
	    !addr_eq(&in->claimed_nbma, &in->nbma))
		ev->nat_oa = in->claimed_nbma;
	if (hook_event_is_route(ev))
		ev->nexthop = in->proto;
	ev->mtu = in->mtu;
	if (in->reason != NULL)
		snprintf(ev->reason, sizeof(ev->reason), "%s", in->reason);
	return 0;
}

/* Append "NAME=value" to he's environment; -1 when it does not fit. */
static int env_add(struct hook_env *he, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
env_add(struct hook_env *he, const char *name, const char *fmt, ...)
{
	size_t room = sizeof(he->buf) - he->used;
	char *p = he->buf + he->used;
	va_list ap;
	int n, m;

	if (he->nenv >= HOOK_ENV_MAX)
		return -1;
	n = snprintf(p, room, "%s=", name);
	if (n < 0 || (size_t)n >= room)
		return -1;
	va_start(ap, fmt);
	m = vsnprintf(p + n, room - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= room - (size_t)n)
		return -1;
	he->envp[he->nenv++] = p;
	he->envp[he->nenv] = NULL;
	he->used += (size_t)n + (size_t)m + 1;
	return 0;
}

static int
env_addr(struct hook_env *he, const char *name, const struct addr *a)
{
	char s[ADDR_STRLEN];

	if (addr_is_none(a))
		return 0;
	return env_add(he, name, "%s", addr_fmt(a, s));
}

int
hook_env_build(struct hook_env *he, const char *script,
	       const struct hook_event *ev)
{
	size_t len = strlen(script);
	int rc = 0;

	memset(he, 0, sizeof(*he));
	if (len >= HOOK_SCRIPT_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(he->buf, script, len + 1);
	he->used = len + 1;
	he->argv[0] = he->buf;
	/* The event name is a constant, but argv wants char *. */
	len = strlen(hook_event_name(ev->event));
	memcpy(he->buf + he->used, hook_event_name(ev->event), len + 1);
	he->argv[1] = he->buf + he->used;
	he->argv[2] = NULL;
	he->used += len + 1;

	/* In OpenNHRP's order. */
	rc |= env_add(he, "PATH", "%s", HOOK_PATH);
	rc |= env_add(he, "NHRP_TYPE", "%s", hook_type_name(ev));
	rc |= env_addr(he, "NHRP_SRCADDR", &ev->src);
	rc |= env_addr(he, "NHRP_SRCNBMA", &ev->src_nbma);
	if (!addr_is_none(&ev->dst.addr)) {
		rc |= env_addr(he, "NHRP_DESTADDR", &ev->dst.addr);
		rc |= env_add(he, "NHRP_DESTPREFIX", "%u", ev->dst.plen);
	}
	if (ev->reason[0] != '\0')
		rc |= env_add(he, "NHRP_PEER_DOWN_REASON", "%s", ev->reason);
	if (hook_event_is_route(ev)) {
		rc |= env_addr(he, "NHRP_NEXTHOP", &ev->nexthop);
	} else {
		rc |= env_addr(he, "NHRP_DESTNBMA", &ev->nbma);
		if (ev->mtu != 0)
			rc |= env_add(he, "NHRP_DESTMTU", "%u", ev->mtu);
		rc |= env_addr(he, "NHRP_DESTNBMA_NAT_OA", &ev->nat_oa);
	}
	rc |= env_add(he, "NHRP_INTERFACE", "%s", ev->ifname);
	rc |= env_add(he, "NHRP_GRE_KEY", "%" PRIu32, ev->gre_key);
	if (rc != 0) {
		/* Cannot happen with these sizes; never run half an env. */
		errno = E2BIG;
		return -1;
	}
	return 0;
}

const char *
hook_env_get(const struct hook_env *he, const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i < he->nenv; i++)
		if (strncmp(he->envp[i], name, n) == 0 && he->envp[i][n] == '=')
			return he->envp[i] + n + 1;
	return NULL;
}
