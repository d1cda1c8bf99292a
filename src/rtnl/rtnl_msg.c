/*
 * rtnetlink message builders and parsers: see include/dmvpn/rtnl.h.
 * Every put goes through libmnl's *_check() variants (the message may not
 * outgrow the buffer), every received attribute is validated for type
 * and length before it is read.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "dmvpn/rtnl.h"

/* GRE_KEY in the big-endian i/oflags field (include/uapi/linux/if_tunnel.h). */
#define RTNL_GRE_KEY_FLAG 0x2000

static struct nlmsghdr *
msg_start(void *buf, size_t len, uint16_t type, uint16_t flags, uint32_t seq,
	  size_t hdrlen)
{
	struct nlmsghdr *nlh;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen))
		return NULL;
	/* libmnl leaves attribute padding as it finds it: start from zeros. */
	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

static bool
put_addr(struct nlmsghdr *nlh, size_t len, uint16_t type, const struct addr *a)
{
	return mnl_attr_put_check(nlh, len, type, a->len, a->bytes);
}

size_t
rtnl_msg_gre(void *buf, size_t len, uint32_t seq, const struct rtnl_gre *g,
	     bool create)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *info, *data;
	uint16_t flags =
		create ? NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK : NLM_F_ACK;
	bool ok;

	nlh = msg_start(buf, len, RTM_NEWLINK, flags, seq, sizeof(*ifi));
	if (nlh == NULL)
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ok = mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, g->ifname);
	if (ok && g->mtu != 0)
		ok = mnl_attr_put_u32_check(nlh, len, IFLA_MTU, g->mtu);
	info = ok ? mnl_attr_nest_start_check(nlh, len, IFLA_LINKINFO) : NULL;
	ok = info != NULL &&
	     mnl_attr_put_strz_check(nlh, len, IFLA_INFO_KIND, "gre");
	data = ok ? mnl_attr_nest_start_check(nlh, len, IFLA_INFO_DATA) : NULL;
	ok = data != NULL;
	if (ok && g->key_set) {
		/* Keys and flags are big-endian on the wire (if_tunnel.h). */
		ok = mnl_attr_put_u32_check(nlh, len, IFLA_GRE_IKEY,
					    htonl(g->key)) &&
		     mnl_attr_put_u32_check(nlh, len, IFLA_GRE_OKEY,
					    htonl(g->key)) &&
		     mnl_attr_put_u16_check(nlh, len, IFLA_GRE_IFLAGS,
					    htons(RTNL_GRE_KEY_FLAG)) &&
		     mnl_attr_put_u16_check(nlh, len, IFLA_GRE_OFLAGS,
					    htons(RTNL_GRE_KEY_FLAG));
	}
	if (ok && !addr_is_none(&g->local))
		ok = put_addr(nlh, len, IFLA_GRE_LOCAL, &g->local);
	if (ok && g->link != 0)
		ok = mnl_attr_put_u32_check(nlh, len, IFLA_GRE_LINK, g->link);
	if (ok)
		ok = mnl_attr_put_u8_check(nlh, len, IFLA_GRE_TTL, g->ttl) &&
		     mnl_attr_put_u8_check(nlh, len, IFLA_GRE_PMTUDISC,
					   g->pmtudisc ? 1 : 0);
	if (!ok)
		return 0;
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nlh->nlmsg_len;
}

size_t
rtnl_msg_link_flags(void *buf, size_t len, uint32_t seq, int ifindex, bool up,
		    bool noarp)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = msg_start(buf, len, RTM_NEWLINK, NLM_F_ACK, seq, sizeof(*ifi));
	if (nlh == NULL)
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP | IFF_NOARP;
	ifi->ifi_flags = (up ? IFF_UP : 0) | (noarp ? IFF_NOARP : 0);
	return nlh->nlmsg_len;
}

size_t
rtnl_msg_link_del(void *buf, size_t len, uint32_t seq, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = msg_start(buf, len, RTM_DELLINK, NLM_F_ACK, seq, sizeof(*ifi));
	if (nlh == NULL)
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh->nlmsg_len;
}

size_t
rtnl_msg_addr(void *buf, size_t len, uint32_t seq, int ifindex,
	      const struct prefix *p, bool add)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	bool ok;

	nlh = msg_start(buf, len, add ? RTM_NEWADDR : RTM_DELADDR,
			add ? NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK
			    : NLM_F_ACK,
			seq, sizeof(*ifa));
	if (nlh == NULL)
		return 0;
	ifa = mnl_nlmsg_get_payload(nlh);
	ifa->ifa_family = p->addr.family;
	ifa->ifa_prefixlen = p->plen;
	ifa->ifa_index = (uint32_t)ifindex;
	ok = put_addr(nlh, len, IFA_LOCAL, &p->addr) &&
	     put_addr(nlh, len, IFA_ADDRESS, &p->addr);
	return ok ? nlh->nlmsg_len : 0;
}

size_t
rtnl_msg_neightbl(void *buf, size_t len, uint32_t seq, int family, int ifindex,
		  uint32_t app_probes, uint32_t ucast_probes,
		  uint32_t mcast_probes)
{
	struct nlmsghdr *nlh;
	struct ndtmsg *ndt;
	struct nlattr *parms;
	bool ok;

	nlh = msg_start(buf, len, RTM_SETNEIGHTBL, NLM_F_ACK, seq,
			sizeof(*ndt));
	if (nlh == NULL)
		return 0;
	ndt = mnl_nlmsg_get_payload(nlh);
	ndt->ndtm_family = (uint8_t)family;
	/* The table is named: ARP for IPv4, the ND cache for IPv6. */
	ok = mnl_attr_put_strz_check(nlh, len, NDTA_NAME,
				     family == AF_INET6 ? "ndisc_cache"
							: "arp_cache");
	parms = ok ? mnl_attr_nest_start_check(nlh, len, NDTA_PARMS) : NULL;
	ok = parms != NULL &&
	     mnl_attr_put_u32_check(nlh, len, NDTPA_IFINDEX,
				    (uint32_t)ifindex) &&
	     mnl_attr_put_u32_check(nlh, len, NDTPA_APP_PROBES, app_probes) &&
	     mnl_attr_put_u32_check(nlh, len, NDTPA_UCAST_PROBES,
				    ucast_probes) &&
	     mnl_attr_put_u32_check(nlh, len, NDTPA_MCAST_PROBES, mcast_probes);
	if (!ok)
		return 0;
	mnl_attr_nest_end(nlh, parms);
	return nlh->nlmsg_len;
}

size_t
rtnl_msg_neigh(void *buf, size_t len, uint32_t seq, int ifindex,
	       const struct addr *dst, const struct addr *lladdr,
	       uint16_t state, uint8_t protocol, bool add)
{
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	bool ok;

	nlh = msg_start(buf, len, add ? RTM_NEWNEIGH : RTM_DELNEIGH,
			add ? NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK
			    : NLM_F_ACK,
			seq, sizeof(*nd));
	if (nlh == NULL)
		return 0;
	nd = mnl_nlmsg_get_payload(nlh);
	nd->ndm_family = dst->family;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = add ? state : 0;
	ok = put_addr(nlh, len, NDA_DST, dst);
	if (ok && add && lladdr != NULL && !addr_is_none(lladdr))
		ok = put_addr(nlh, len, NDA_LLADDR, lladdr);
	/* Our marker, so a restart finds and cleans what we installed. */
	if (ok && add && protocol != 0)
		ok = mnl_attr_put_u8_check(nlh, len, NDA_PROTOCOL, protocol);
	return ok ? nlh->nlmsg_len : 0;
}

size_t
rtnl_msg_route(void *buf, size_t len, uint32_t seq, const struct rtnl_route *r,
	       bool add)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	bool ok = true;

	nlh = msg_start(buf, len, add ? RTM_NEWROUTE : RTM_DELROUTE,
			add ? NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK
			    : NLM_F_ACK,
			seq, sizeof(*rtm));
	if (nlh == NULL)
		return 0;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = r->dst.addr.family;
	rtm->rtm_dst_len = r->dst.plen;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = r->rtm_type != 0 ? r->rtm_type : RTN_UNICAST;
	if (r->table >= 256)
		ok = mnl_attr_put_u32_check(nlh, len, RTA_TABLE, r->table);
	if (ok && r->dst.plen > 0)
		ok = put_addr(nlh, len, RTA_DST, &r->dst.addr);
	if (ok && !addr_is_none(&r->gateway))
		ok = put_addr(nlh, len, RTA_GATEWAY, &r->gateway);
	if (ok && r->oif != 0)
		ok = mnl_attr_put_u32_check(nlh, len, RTA_OIF,
					    (uint32_t)r->oif);
	if (ok && r->metric != 0)
		ok = mnl_attr_put_u32_check(nlh, len, RTA_PRIORITY, r->metric);
	return ok ? nlh->nlmsg_len : 0;
}

size_t
rtnl_msg_dump(void *buf, size_t len, uint32_t seq, uint16_t type, int family)
{
	struct nlmsghdr *nlh;
	size_t hdrlen;

	/* Each dump takes its own family header; the family is its first byte.
	 */
	switch (type) {
	case RTM_GETLINK:
		hdrlen = sizeof(struct ifinfomsg);
		break;
	case RTM_GETADDR:
		hdrlen = sizeof(struct ifaddrmsg);
		break;
	case RTM_GETNEIGH:
		hdrlen = sizeof(struct ndmsg);
		break;
	case RTM_GETROUTE:
		hdrlen = sizeof(struct rtmsg);
		break;
	default:
		return 0;
	}
	nlh = msg_start(buf, len, type, NLM_F_DUMP, seq, hdrlen);
	if (nlh == NULL)
		return 0;
	*(uint8_t *)mnl_nlmsg_get_payload(nlh) = (uint8_t)family;
	return nlh->nlmsg_len;
}

size_t
rtnl_msg_get_link(void *buf, size_t len, uint32_t seq, const char *ifname)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = msg_start(buf, len, RTM_GETLINK, NLM_F_ACK, seq, sizeof(*ifi));
	if (nlh == NULL)
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	if (!mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, ifname))
		return 0;
	return nlh->nlmsg_len;
}

/* Copy an address attribute of 4 or 16 bytes; -1 otherwise. */
static int
get_addr(const struct nlattr *a, struct addr *out)
{
	return addr_from_bytes(out, mnl_attr_get_payload(a),
			       mnl_attr_get_payload_len(a));
}

struct attr_tab {
	const struct nlattr *tb[64];
	unsigned int max;
};

static int
attr_cb(const struct nlattr *a, void *data)
{
	struct attr_tab *t = data;
	unsigned int type = mnl_attr_get_type(a);

	/* Unknown and future attributes are skipped, not errors. */
	if (type <= t->max && type < 64)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static int
parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, unsigned int max,
	    struct attr_tab *t)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen))
		return -1;
	return mnl_attr_parse(nlh, (unsigned int)hdrlen, attr_cb, t) ==
			       MNL_CB_ERROR
		       ? -1
		       : 0;
}

static int
parse_nested(const struct nlattr *nest, unsigned int max, struct attr_tab *t)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	return mnl_attr_parse_nested(nest, attr_cb, t) == MNL_CB_ERROR ? -1 : 0;
}

/* The GRE parameters inside IFLA_LINKINFO/IFLA_INFO_DATA. */
static int
parse_gre_data(const struct nlattr *data, struct rtnl_link *out)
{
	struct attr_tab t;
	struct rtnl_gre *g = &out->gre;

	if (parse_nested(data, IFLA_GRE_MAX, &t) == -1)
		return -1;
	if (t.tb[IFLA_GRE_IKEY] != NULL) {
		if (mnl_attr_validate(t.tb[IFLA_GRE_IKEY], MNL_TYPE_U32) < 0)
			return -1;
		g->key = ntohl(mnl_attr_get_u32(t.tb[IFLA_GRE_IKEY]));
	}
	if (t.tb[IFLA_GRE_IFLAGS] != NULL) {
		if (mnl_attr_validate(t.tb[IFLA_GRE_IFLAGS], MNL_TYPE_U16) < 0)
			return -1;
		g->key_set = (ntohs(mnl_attr_get_u16(t.tb[IFLA_GRE_IFLAGS])) &
			      RTNL_GRE_KEY_FLAG) != 0;
	}
	if (t.tb[IFLA_GRE_LOCAL] != NULL &&
	    get_addr(t.tb[IFLA_GRE_LOCAL], &g->local) == -1)
		return -1;
	if (t.tb[IFLA_GRE_REMOTE] != NULL &&
	    get_addr(t.tb[IFLA_GRE_REMOTE], &out->remote) == -1)
		return -1;
	if (t.tb[IFLA_GRE_LINK] != NULL) {
		if (mnl_attr_validate(t.tb[IFLA_GRE_LINK], MNL_TYPE_U32) < 0)
			return -1;
		g->link = mnl_attr_get_u32(t.tb[IFLA_GRE_LINK]);
	}
	if (t.tb[IFLA_GRE_TTL] != NULL) {
		if (mnl_attr_validate(t.tb[IFLA_GRE_TTL], MNL_TYPE_U8) < 0)
			return -1;
		g->ttl = mnl_attr_get_u8(t.tb[IFLA_GRE_TTL]);
	}
	if (t.tb[IFLA_GRE_PMTUDISC] != NULL) {
		if (mnl_attr_validate(t.tb[IFLA_GRE_PMTUDISC], MNL_TYPE_U8) < 0)
			return -1;
		g->pmtudisc = mnl_attr_get_u8(t.tb[IFLA_GRE_PMTUDISC]) != 0;
	}
	/* A remote of 0.0.0.0 is how the kernel reports "multipoint". */
	if (!addr_is_none(&out->remote)) {
		static const uint8_t zero[16];

		if (memcmp(out->remote.bytes, zero, out->remote.len) == 0)
			memset(&out->remote, 0, sizeof(out->remote));
	}
	out->is_gre = true;
	return 0;
}

int
rtnl_parse_link(const struct nlmsghdr *nlh, struct rtnl_link *out)
{
	const struct ifinfomsg *ifi;
	struct attr_tab t, li;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (parse_attrs(nlh, sizeof(*ifi), IFLA_MAX, &t) == -1)
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	out->ifindex = ifi->ifi_index;
	out->flags = ifi->ifi_flags;
	if (t.tb[IFLA_IFNAME] != NULL) {
		if (mnl_attr_validate(t.tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) <
		    0)
			return -1;
		n = strnlen(mnl_attr_get_str(t.tb[IFLA_IFNAME]),
			    RTNL_IFNAMSIZ - 1);
		memcpy(out->ifname, mnl_attr_get_str(t.tb[IFLA_IFNAME]), n);
		memcpy(out->gre.ifname, out->ifname, n);
	}
	if (t.tb[IFLA_MTU] != NULL) {
		if (mnl_attr_validate(t.tb[IFLA_MTU], MNL_TYPE_U32) < 0)
			return -1;
		out->mtu = mnl_attr_get_u32(t.tb[IFLA_MTU]);
		out->gre.mtu = out->mtu;
	}
	if (t.tb[IFLA_LINKINFO] == NULL)
		return 0;
	if (parse_nested(t.tb[IFLA_LINKINFO], IFLA_INFO_MAX, &li) == -1)
		return -1;
	if (li.tb[IFLA_INFO_KIND] != NULL) {
		if (mnl_attr_validate(li.tb[IFLA_INFO_KIND], MNL_TYPE_STRING) <
		    0)
			return -1;
		n = mnl_attr_get_payload_len(li.tb[IFLA_INFO_KIND]);
		if (n >= sizeof(out->kind))
			n = sizeof(out->kind) - 1;
		memcpy(out->kind, mnl_attr_get_payload(li.tb[IFLA_INFO_KIND]),
		       n);
		out->kind[n] = '\0';
		out->kind[strnlen(out->kind, n)] = '\0';
	}
	if (strcmp(out->kind, "gre") == 0 && li.tb[IFLA_INFO_DATA] != NULL)
		return parse_gre_data(li.tb[IFLA_INFO_DATA], out);
	return 0;
}

int
rtnl_parse_neigh(const struct nlmsghdr *nlh, struct rtnl_neigh *out)
{
	const struct ndmsg *nd;
	struct attr_tab t;

	memset(out, 0, sizeof(*out));
	if (parse_attrs(nlh, sizeof(*nd), NDA_MAX, &t) == -1)
		return -1;
	nd = mnl_nlmsg_get_payload(nlh);
	out->type = nlh->nlmsg_type;
	out->ifindex = nd->ndm_ifindex;
	out->state = nd->ndm_state;
	out->flags = nd->ndm_flags;
	if (t.tb[NDA_DST] == NULL || get_addr(t.tb[NDA_DST], &out->dst) == -1)
		return -1;
	if (t.tb[NDA_LLADDR] != NULL &&
	    get_addr(t.tb[NDA_LLADDR], &out->lladdr) == 0)
		out->has_lladdr = true;
	if (t.tb[NDA_PROTOCOL] != NULL) {
		if (mnl_attr_validate(t.tb[NDA_PROTOCOL], MNL_TYPE_U8) < 0)
			return -1;
		out->protocol = mnl_attr_get_u8(t.tb[NDA_PROTOCOL]);
	}
	return 0;
}

int
rtnl_parse_route(const struct nlmsghdr *nlh, struct rtnl_route *out)
{
	const struct rtmsg *rtm;
	struct attr_tab t;

	memset(out, 0, sizeof(*out));
	if (parse_attrs(nlh, sizeof(*rtm), RTA_MAX, &t) == -1)
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	out->type = nlh->nlmsg_type;
	out->table = rtm->rtm_table;
	out->protocol = rtm->rtm_protocol;
	out->rtm_type = rtm->rtm_type;
	out->dst.plen = rtm->rtm_dst_len;
	out->dst.addr.family = rtm->rtm_family;
	out->dst.addr.len = rtm->rtm_family == AF_INET6 ? 16 : 4;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -1;
	if (out->dst.plen > addr_bits(&out->dst.addr))
		return -1;
	if (t.tb[RTA_TABLE] != NULL) {
		if (mnl_attr_validate(t.tb[RTA_TABLE], MNL_TYPE_U32) < 0)
			return -1;
		out->table = mnl_attr_get_u32(t.tb[RTA_TABLE]);
	}
	if (t.tb[RTA_DST] != NULL &&
	    (get_addr(t.tb[RTA_DST], &out->dst.addr) == -1 ||
	     out->dst.addr.family != rtm->rtm_family))
		return -1;
	if (t.tb[RTA_GATEWAY] != NULL &&
	    get_addr(t.tb[RTA_GATEWAY], &out->gateway) == -1)
		return -1;
	if (t.tb[RTA_OIF] != NULL) {
		if (mnl_attr_validate(t.tb[RTA_OIF], MNL_TYPE_U32) < 0)
			return -1;
		out->oif = (int)mnl_attr_get_u32(t.tb[RTA_OIF]);
	}
	if (t.tb[RTA_PRIORITY] != NULL) {
		if (mnl_attr_validate(t.tb[RTA_PRIORITY], MNL_TYPE_U32) < 0)
			return -1;
		out->metric = mnl_attr_get_u32(t.tb[RTA_PRIORITY]);
	}
	return 0;
}

int
rtnl_parse_addr(const struct nlmsghdr *nlh, struct rtnl_addr *out)
{
	const struct ifaddrmsg *ifa;
	struct attr_tab t;
	const struct nlattr *a;

	memset(out, 0, sizeof(*out));
	if (parse_attrs(nlh, sizeof(*ifa), IFA_MAX, &t) == -1)
		return -1;
	ifa = mnl_nlmsg_get_payload(nlh);
	out->type = nlh->nlmsg_type;
	out->ifindex = (int)ifa->ifa_index;
	/* IFA_LOCAL is the address itself on point-to-point devices. */
	a = t.tb[IFA_LOCAL] != NULL ? t.tb[IFA_LOCAL] : t.tb[IFA_ADDRESS];
	if (a == NULL || get_addr(a, &out->prefix.addr) == -1 ||
	    ifa->ifa_prefixlen > addr_bits(&out->prefix.addr))
		return -1;
	out->prefix.plen = ifa->ifa_prefixlen;
	return 0;
}

int
rtnl_gre_match(const struct rtnl_link *have, const struct rtnl_gre *want,
	       char *why, size_t whylen)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	if (!have->is_gre) {
		snprintf(why, whylen, "%s exists but is not a GRE device (%s)",
			 have->ifname, have->kind[0] ? have->kind : "no kind");
		return -1;
	}
	if (!addr_is_none(&have->remote)) {
		snprintf(why, whylen,
			 "%s is point-to-point (remote %s), not multipoint",
			 have->ifname, addr_fmt(&have->remote, a));
		return -1;
	}
	if (have->gre.key_set != want->key_set ||
	    (want->key_set && have->gre.key != want->key)) {
		snprintf(why, whylen, "%s has GRE key %s%u, configured %s%u",
			 have->ifname, have->gre.key_set ? "" : "none ",
			 have->gre.key, want->key_set ? "" : "none ",
			 want->key);
		return -1;
	}
	if (!addr_eq(&have->gre.local, &want->local)) {
		snprintf(why, whylen, "%s has local %s, configured %s",
			 have->ifname, addr_fmt(&have->gre.local, a),
			 addr_fmt(&want->local, b));
		return -1;
	}
	if (want->link != 0 && have->gre.link != want->link) {
		snprintf(why, whylen,
			 "%s is bound to ifindex %u, configured ifindex %u",
			 have->ifname, have->gre.link, want->link);
		return -1;
	}
	if (want->ttl != have->gre.ttl) {
		snprintf(why, whylen, "%s has ttl %u, configured %u",
			 have->ifname, have->gre.ttl, want->ttl);
		return -1;
	}
	return 0;
}
