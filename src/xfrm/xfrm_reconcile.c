/*
 * Reconciliation of XFRM state: see include/dmvpn/xfrm.h.
 *
 * Pure logic over what a dump returned.  Ownership is the reqid: every SA
 * and policy template dmvpnd installs carries one from its configured
 * range, so after a kill -9 the next start finds exactly what the last
 * run left, and never touches strongSwan's or the administrator's
 * entries.  The kernel keys an SA by (dst, spi, proto) and a policy by
 * (selector, dir); a wanted entry with the same key but other contents is
 * replaced in place (UPDSA/UPDPOLICY) rather than deleted and re-added,
 * which would open a window for cleartext or dropped GRE.
 *
 * Quadratic, on purpose: it runs at start and after an event overrun,
 * and a few thousand peers cost milliseconds.
 */
#include <errno.h>
#include <string.h>

#include <linux/xfrm.h>

#include "dmvpn/xfrm.h"

bool
xfrm_range_has(const struct xfrm_range *r, uint32_t reqid)
{
	return reqid >= r->base && reqid - r->base < r->count;
}

static bool
sa_same_key(const struct xfrm_sa *a, const struct xfrm_sa *b)
{
	return addr_eq(&a->dst, &b->dst) && a->spi == b->spi &&
	       a->proto == b->proto;
}

/* What a dump can show of an SA (keys it has but we do not compare). */
static bool
sa_same(const struct xfrm_sa *a, const struct xfrm_sa *b)
{
	return sa_same_key(a, b) && addr_eq(&a->src, &b->src) &&
	       a->reqid == b->reqid && a->mode == b->mode &&
	       a->encap == b->encap &&
	       (!a->encap || (a->encap_sport == b->encap_sport &&
			      a->encap_dport == b->encap_dport));
}

static bool
sel_eq(const struct xfrm_sel *a, const struct xfrm_sel *b)
{
	return prefix_eq(&a->src, &b->src) && prefix_eq(&a->dst, &b->dst) &&
	       a->proto == b->proto && a->sport == b->sport &&
	       a->dport == b->dport;
}

static bool
pol_same_key(const struct xfrm_policy *a, const struct xfrm_policy *b)
{
	return a->dir == b->dir && sel_eq(&a->sel, &b->sel);
}

static bool
pol_same(const struct xfrm_policy *a, const struct xfrm_policy *b)
{
	return pol_same_key(a, b) && a->action == b->action &&
	       a->priority == b->priority && a->has_tmpl == b->has_tmpl &&
	       (!a->has_tmpl ||
		(a->reqid == b->reqid && a->tmpl_spi == b->tmpl_spi));
}

/*
 * A policy of ours: a global one (socket policies show up in dumps with
 * dir >= XFRM_POLICY_MAX and have no template) with our reqid.
 */
static bool
pol_ours(const struct xfrm_range *r, const struct xfrm_policy *p)
{
	return p->dir < XFRM_POLICY_MAX && p->has_tmpl &&
	       xfrm_range_has(r, p->reqid);
}

int
xfrm_reconcile(const struct xfrm_range *r, const struct xfrm_sa *have_sa,
	       size_t nhave_sa, const struct xfrm_sa *want_sa, size_t nwant_sa,
	       const struct xfrm_policy *have_pol, size_t nhave_pol,
	       const struct xfrm_policy *want_pol, size_t nwant_pol,
	       struct xfrm_plan *plan)
{
	size_t i, j;

	plan->ndel_sa = plan->nadd_sa = plan->ndel_pol = plan->nadd_pol = 0;
	/* reqid 0 means "none" in a template: it can never be ours. */
	if (r->base == 0 || r->count == 0 || r->count > UINT32_MAX - r->base) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < nhave_sa; i++) {
		/*
		 * SPI 0 is a larval state the kernel made for an ACQUIRE: it
		 * is not hashed by SPI (DELSA cannot find it), a real SA for
		 * the flow replaces it and it expires on its own after
		 * net.core.xfrm_acq_expires.
		 */
		if (!xfrm_range_has(r, have_sa[i].reqid) || have_sa[i].spi == 0)
			continue;
		for (j = 0; j < nwant_sa; j++)
			if (sa_same_key(&have_sa[i], &want_sa[j]))
				break;
		if (j == nwant_sa)
			plan->del_sa[plan->ndel_sa++] = i;
	}
	for (j = 0; j < nwant_sa; j++) {
		for (i = 0; i < nhave_sa; i++)
			if (sa_same(&have_sa[i], &want_sa[j]))
				break;
		if (i == nhave_sa && plan->add_sa != NULL)
			plan->add_sa[plan->nadd_sa++] = j;
	}
	for (i = 0; i < nhave_pol; i++) {
		if (!pol_ours(r, &have_pol[i]))
			continue;
		for (j = 0; j < nwant_pol; j++)
			if (pol_same_key(&have_pol[i], &want_pol[j]))
				break;
		if (j == nwant_pol)
			plan->del_pol[plan->ndel_pol++] = i;
	}
	for (j = 0; j < nwant_pol; j++) {
		for (i = 0; i < nhave_pol; i++)
			if (pol_same(&have_pol[i], &want_pol[j]))
				break;
		if (i == nhave_pol && plan->add_pol != NULL)
			plan->add_pol[plan->nadd_pol++] = j;
	}
	return 0;
}
