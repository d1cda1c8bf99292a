/*
 * XFRM message parsers: see include/dmvpn/xfrm.h.
 *
 * Kernel messages are untrusted input like any other: every fixed header
 * is copied out through the bounds-checked reader (never cast in place:
 * the structs hold 64-bit fields and the receive buffer's alignment is
 * libmnl's business), every attribute is length-checked before use, and
 * key material the kernel sends along (dumps and EXPIRE carry it) is
 * never copied.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/xfrm.h>

#include "dmvpn/buf.h"
#include "dmvpn/xfrm.h"

struct attr_tab {
	const struct nlattr *tb[XFRMA_MAX + 1];
};

static int
attr_cb(const struct nlattr *a, void *data)
{
	struct attr_tab *t = data;
	unsigned int type = mnl_attr_get_type(a);

	/* Unknown and future attributes are skipped, not errors. */
	if (type <= XFRMA_MAX)
		t->tb[type] = a;
	return MNL_CB_OK;
}

/*
 * Copy the fixed header (n bytes) into out and index the attributes after
 * it; -1 when the message is too short or an attribute is malformed.
 */
static int
parse_msg(const struct nlmsghdr *nlh, void *out, size_t n, struct attr_tab *t)
{
	struct buf b;

	memset(t, 0, sizeof(*t));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(n))
		return -1;
	buf_init(&b, mnl_nlmsg_get_payload(nlh),
		 nlh->nlmsg_len - MNL_NLMSG_HDRLEN);
	if (buf_copy(&b, out, n) == -1)
		return -1;
	return mnl_attr_parse(nlh, (unsigned int)n, attr_cb, t) == MNL_CB_ERROR
		       ? -1
		       : 0;
}

/* Copy an attribute's payload of at least n bytes; -1 when shorter. */
static int
attr_struct(const struct nlattr *a, void *out, size_t n)
{
	struct buf b;

	buf_init(&b, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	return buf_copy(&b, out, n);
}

static int
addr_of(struct addr *out, const xfrm_address_t *k, unsigned int family)
{
	if (family == AF_INET)
		return addr_from_bytes(out, k, 4);
	if (family == AF_INET6)
		return addr_from_bytes(out, k, 16);
	return -1;
}

/* A selector; family 0 (an SA installed without one) leaves it empty. */
static int
sel_of(struct xfrm_sel *out, const struct xfrm_selector *k)
{
	memset(out, 0, sizeof(*out));
	if (k->family == 0)
		return 0;
	if (addr_of(&out->src.addr, &k->saddr, k->family) == -1 ||
	    addr_of(&out->dst.addr, &k->daddr, k->family) == -1 ||
	    k->prefixlen_s > addr_bits(&out->src.addr) ||
	    k->prefixlen_d > addr_bits(&out->dst.addr))
		return -1;
	out->src.plen = k->prefixlen_s;
	out->dst.plen = k->prefixlen_d;
	out->proto = k->proto;
	out->sport = ntohs(k->sport);
	out->dport = ntohs(k->dport);
	return 0;
}

static uint64_t
unlimit(uint64_t v)
{
	return v == XFRM_INF ? 0 : v;
}

static void
alg_name(struct xfrm_alg *out, const char *name)
{
	/* The kernel's names are NUL-terminated; do not rely on it. */
	size_t n = strnlen(name, XFRM_ALG_NAMELEN - 1);

	memcpy(out->name, name, n);
	out->name[n] = '\0';
}

static int
sa_algs(struct xfrm_sa *out, const struct attr_tab *t)
{
	if (t->tb[XFRMA_ALG_AEAD] != NULL) {
		struct xfrm_algo_aead h;

		if (attr_struct(t->tb[XFRMA_ALG_AEAD], &h, sizeof(h)) == -1)
			return -1;
		out->aead = true;
		alg_name(&out->enc, h.alg_name);
		out->enc.bits = (uint16_t)h.alg_icv_len;
	}
	if (t->tb[XFRMA_ALG_CRYPT] != NULL) {
		struct xfrm_algo h;

		if (attr_struct(t->tb[XFRMA_ALG_CRYPT], &h, sizeof(h)) == -1)
			return -1;
		alg_name(&out->enc, h.alg_name);
	}
	/* The kernel sends both AUTH and AUTH_TRUNC; the latter has bits. */
	if (t->tb[XFRMA_ALG_AUTH_TRUNC] != NULL) {
		struct xfrm_algo_auth h;

		if (attr_struct(t->tb[XFRMA_ALG_AUTH_TRUNC], &h, sizeof(h)) ==
		    -1)
			return -1;
		alg_name(&out->auth, h.alg_name);
		out->auth.bits = (uint16_t)h.alg_trunc_len;
	} else if (t->tb[XFRMA_ALG_AUTH] != NULL) {
		struct xfrm_algo h;

		if (attr_struct(t->tb[XFRMA_ALG_AUTH], &h, sizeof(h)) == -1)
			return -1;
		alg_name(&out->auth, h.alg_name);
	}
	return 0;
}

static int
sa_of(struct xfrm_sa *out, const struct xfrm_usersa_info *info,
      const struct attr_tab *t)
{
	memset(out, 0, sizeof(*out));
	if (addr_of(&out->src, &info->saddr, info->family) == -1 ||
	    addr_of(&out->dst, &info->id.daddr, info->family) == -1 ||
	    sel_of(&out->sel, &info->sel) == -1)
		return -1;
	out->spi = ntohl(info->id.spi);
	out->reqid = info->reqid;
	out->proto = info->id.proto;
	out->mode = info->mode;
	out->replay_window = info->replay_window;
	out->lft.soft_bytes = unlimit(info->lft.soft_byte_limit);
	out->lft.hard_bytes = unlimit(info->lft.hard_byte_limit);
	out->lft.soft_packets = unlimit(info->lft.soft_packet_limit);
	out->lft.hard_packets = unlimit(info->lft.hard_packet_limit);
	out->lft.soft_secs = info->lft.soft_add_expires_seconds;
	out->lft.hard_secs = info->lft.hard_add_expires_seconds;
	out->cur_bytes = info->curlft.bytes;
	out->cur_packets = info->curlft.packets;
	if (t == NULL)
		return 0;
	if (t->tb[XFRMA_ENCAP] != NULL) {
		struct xfrm_encap_tmpl e;

		if (attr_struct(t->tb[XFRMA_ENCAP], &e, sizeof(e)) == -1)
			return -1;
		out->encap = true;
		out->encap_sport = ntohs(e.encap_sport);
		out->encap_dport = ntohs(e.encap_dport);
	}
	return sa_algs(out, t);
}

int
xfrm_parse_sa(const struct nlmsghdr *nlh, struct xfrm_sa *out)
{
	struct xfrm_usersa_info info;
	struct attr_tab t;

	memset(out, 0, sizeof(*out));
	if (parse_msg(nlh, &info, sizeof(info), &t) == -1)
		return -1;
	return sa_of(out, &info, &t);
}

/* The first template of an XFRMA_TMPL array, if any. */
static int
first_tmpl(const struct attr_tab *t, struct xfrm_user_tmpl *tmpl, bool *has)
{
	*has = false;
	if (t->tb[XFRMA_TMPL] == NULL)
		return 0;
	if (attr_struct(t->tb[XFRMA_TMPL], tmpl, sizeof(*tmpl)) == -1)
		return -1;
	*has = true;
	return 0;
}

static int
policy_of(struct xfrm_policy *out, const struct xfrm_userpolicy_info *pi,
	  const struct attr_tab *t)
{
	struct xfrm_user_tmpl tmpl;

	memset(out, 0, sizeof(*out));
	if (pi->sel.family == 0 || sel_of(&out->sel, &pi->sel) == -1)
		return -1;
	out->dir = pi->dir;
	out->action = pi->action;
	out->priority = pi->priority;
	out->index = pi->index;
	if (t == NULL)
		return 0;
	if (first_tmpl(t, &tmpl, &out->has_tmpl) == -1)
		return -1;
	if (out->has_tmpl) {
		out->reqid = tmpl.reqid;
		out->tmpl_spi = ntohl(tmpl.id.spi);
		out->tmpl_proto = tmpl.id.proto;
		out->tmpl_mode = tmpl.mode;
	}
	return 0;
}

int
xfrm_parse_policy(const struct nlmsghdr *nlh, struct xfrm_policy *out)
{
	struct xfrm_userpolicy_info pi;
	struct attr_tab t;

	memset(out, 0, sizeof(*out));
	if (parse_msg(nlh, &pi, sizeof(pi), &t) == -1)
		return -1;
	return policy_of(out, &pi, &t);
}

int
xfrm_parse_expire(const struct nlmsghdr *nlh, struct xfrm_sa *out, bool *hard)
{
	struct xfrm_user_expire ue;
	struct attr_tab t;

	memset(out, 0, sizeof(*out));
	*hard = false;
	if (parse_msg(nlh, &ue, sizeof(ue), &t) == -1 ||
	    sa_of(out, &ue.state, &t) == -1)
		return -1;
	*hard = ue.hard != 0;
	return 0;
}

int
xfrm_parse_acquire(const struct nlmsghdr *nlh, struct xfrm_acquire *out)
{
	struct xfrm_user_acquire ua;
	struct xfrm_user_tmpl tmpl;
	struct attr_tab t;
	bool has;
	unsigned int family;

	memset(out, 0, sizeof(*out));
	if (parse_msg(nlh, &ua, sizeof(ua), &t) == -1)
		return -1;
	/* The state's selector is the flow that hit the policy. */
	family = ua.sel.family != 0 ? ua.sel.family : ua.policy.sel.family;
	if (addr_of(&out->src, &ua.saddr, family) == -1 ||
	    addr_of(&out->dst, &ua.id.daddr, family) == -1 ||
	    sel_of(&out->sel, &ua.sel) == -1 ||
	    first_tmpl(&t, &tmpl, &has) == -1)
		return -1;
	out->reqid = has ? tmpl.reqid : 0;
	out->seq = ua.seq;
	out->dir = ua.policy.dir;
	return 0;
}

int
xfrm_parse_mapping(const struct nlmsghdr *nlh, struct xfrm_mapping *out)
{
	struct xfrm_user_mapping um;
	struct attr_tab t;

	memset(out, 0, sizeof(*out));
	if (parse_msg(nlh, &um, sizeof(um), &t) == -1)
		return -1;
	if (addr_of(&out->dst, &um.id.daddr, um.id.family) == -1 ||
	    addr_of(&out->old_addr, &um.old_saddr, um.id.family) == -1 ||
	    addr_of(&out->new_addr, &um.new_saddr, um.id.family) == -1)
		return -1;
	out->spi = ntohl(um.id.spi);
	out->proto = um.id.proto;
	out->reqid = um.reqid;
	out->old_port = ntohs(um.old_sport);
	out->new_port = ntohs(um.new_sport);
	return 0;
}

int
xfrm_parse_event(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = nlh->nlmsg_type;
	switch (nlh->nlmsg_type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		return xfrm_parse_sa(nlh, &ev->sa);
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY:
		return xfrm_parse_policy(nlh, &ev->policy);
	case XFRM_MSG_EXPIRE:
		return xfrm_parse_expire(nlh, &ev->sa, &ev->hard);
	case XFRM_MSG_ACQUIRE:
		return xfrm_parse_acquire(nlh, &ev->acquire);
	case XFRM_MSG_MAPPING:
		return xfrm_parse_mapping(nlh, &ev->mapping);
	default:
		/* POLEXPIRE (we set no policy lifetimes), DELSA, ... */
		return 1;
	}
}
