/*
 * XFRM message builders: see include/dmvpn/xfrm.h.
 *
 * The kernel's fixed headers (xfrm_usersa_info and friends) hold 64-bit
 * fields and the caller's buffer need not be 8-byte aligned, so each is
 * filled in a local struct and copied in.  Keys are copied straight from
 * the caller's struct xfrm_sa into the message, never through a
 * temporary, so the message buffer is the only copy left to wipe.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/udp.h>
#include <linux/xfrm.h>

#include "dmvpn/xfrm.h"

void
xfrm_wipe(void *p, size_t n)
{
	/* glibc and musl both have it, and it is not optimised away. */
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void
xfrm_sa_wipe(struct xfrm_sa *sa)
{
	if (sa == NULL)
		return;
	xfrm_wipe(&sa->enc, sizeof(sa->enc));
	xfrm_wipe(&sa->auth, sizeof(sa->auth));
}

static void
host_prefix(struct prefix *p, const struct addr *a)
{
	p->addr = *a;
	p->plen = (uint8_t)addr_bits(a);
}

void
xfrm_sel_gre(struct xfrm_sel *sel, const struct addr *src,
	     const struct addr *dst)
{
	memset(sel, 0, sizeof(*sel));
	host_prefix(&sel->src, src);
	host_prefix(&sel->dst, dst);
	sel->proto = IPPROTO_GRE;
}

/* The family's unspecified address, as a /0. */
static void
any_prefix(struct prefix *p, int family)
{
	memset(p, 0, sizeof(*p));
	p->addr.family = (uint8_t)family;
	p->addr.len = family == AF_INET6 ? 16 : 4;
}

void
xfrm_policy_wildcard(struct xfrm_policy *p, int family,
		     const struct addr *local, uint8_t dir, uint32_t reqid,
		     uint32_t priority)
{
	memset(p, 0, sizeof(*p));
	any_prefix(&p->sel.src, family);
	any_prefix(&p->sel.dst, family);
	if (local != NULL && !addr_is_none(local))
		host_prefix(dir == XFRM_POLICY_OUT ? &p->sel.src : &p->sel.dst,
			    local);
	p->sel.proto = IPPROTO_GRE;
	p->dir = dir;
	p->action = XFRM_POLICY_ALLOW;
	p->priority = priority;
	p->has_tmpl = true;
	p->reqid = reqid;
}

void
xfrm_policy_peer(struct xfrm_policy *p, const struct addr *local,
		 const struct addr *remote, uint8_t dir, uint32_t reqid,
		 uint32_t priority)
{
	memset(p, 0, sizeof(*p));
	if (dir == XFRM_POLICY_OUT)
		xfrm_sel_gre(&p->sel, local, remote);
	else
		xfrm_sel_gre(&p->sel, remote, local);
	p->dir = dir;
	p->action = XFRM_POLICY_ALLOW;
	p->priority = priority;
	p->has_tmpl = true;
	p->reqid = reqid;
}

static struct nlmsghdr *
msg_start(void *buf, size_t len, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;

	if (len < MNL_NLMSG_HDRLEN)
		return NULL;
	/* libmnl leaves padding as it finds it: start from zeros. */
	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

/* Append the fixed header hdr (hdrlen bytes) after the netlink header. */
static bool
put_fixed(struct nlmsghdr *nlh, size_t len, const void *hdr, size_t hdrlen)
{
	if (nlh == NULL || nlh->nlmsg_len + MNL_ALIGN(hdrlen) > len)
		return false;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hdrlen), hdr, hdrlen);
	return true;
}

/*
 * An attribute made of a fixed part and a key: struct xfrm_algo and its
 * kin end in a flexible key array.
 */
static bool
put_alg(struct nlmsghdr *nlh, size_t len, uint16_t type, const void *hdr,
	size_t hdrlen, const uint8_t *key, size_t keylen)
{
	size_t alen = MNL_ATTR_HDRLEN + hdrlen + keylen;
	struct nlattr a;
	uint8_t *p;

	if (alen > UINT16_MAX || nlh->nlmsg_len + MNL_ALIGN(alen) > len)
		return false;
	p = mnl_nlmsg_get_payload_tail(nlh);
	a.nla_type = type;
	a.nla_len = (uint16_t)alen;
	memcpy(p, &a, sizeof(a));
	memcpy(p + MNL_ATTR_HDRLEN, hdr, hdrlen);
	memcpy(p + MNL_ATTR_HDRLEN + hdrlen, key, keylen);
	nlh->nlmsg_len += (uint32_t)MNL_ALIGN(alen);
	return true;
}

static void
kaddr(xfrm_address_t *k, const struct addr *a)
{
	memset(k, 0, sizeof(*k));
	memcpy(k, a->bytes, a->len <= sizeof(*k) ? a->len : sizeof(*k));
}

static bool
family_ok(const struct addr *a)
{
	return (a->family == AF_INET && a->len == 4) ||
	       (a->family == AF_INET6 && a->len == 16);
}

static int
sel_to_kernel(const struct xfrm_sel *s, struct xfrm_selector *k)
{
	memset(k, 0, sizeof(*k));
	if (!family_ok(&s->src.addr) ||
	    s->src.addr.family != s->dst.addr.family ||
	    s->src.plen > addr_bits(&s->src.addr) ||
	    s->dst.plen > addr_bits(&s->dst.addr))
		return -1;
	kaddr(&k->daddr, &s->dst.addr);
	kaddr(&k->saddr, &s->src.addr);
	k->family = s->src.addr.family;
	k->prefixlen_d = s->dst.plen;
	k->prefixlen_s = s->src.plen;
	k->proto = s->proto;
	/* Ports only with a mask; GRE has none (the key is not a port). */
	k->dport = htons(s->dport);
	k->dport_mask = s->dport != 0 ? 0xffff : 0;
	k->sport = htons(s->sport);
	k->sport_mask = s->sport != 0 ? 0xffff : 0;
	return 0;
}

/* 0 is "no limit" to us and "expire at once" to the kernel. */
static uint64_t
limit(uint64_t v)
{
	return v != 0 ? v : XFRM_INF;
}

static void
lft_infinite(struct xfrm_lifetime_cfg *c)
{
	c->soft_byte_limit = XFRM_INF;
	c->hard_byte_limit = XFRM_INF;
	c->soft_packet_limit = XFRM_INF;
	c->hard_packet_limit = XFRM_INF;
}

static bool
alg_ok(const struct xfrm_alg *a)
{
	return a->keylen <= XFRM_ALG_KEYMAX && a->name[0] != '\0' &&
	       memchr(a->name, '\0', sizeof(a->name)) != NULL;
}

static bool
put_algs(struct nlmsghdr *nlh, size_t len, const struct xfrm_sa *sa)
{
	if (!alg_ok(&sa->enc))
		return false;
	if (sa->aead) {
		struct xfrm_algo_aead h;

		memset(&h, 0, sizeof(h));
		strcpy(h.alg_name, sa->enc.name);
		h.alg_key_len = sa->enc.keylen * 8u;
		h.alg_icv_len = sa->enc.bits;
		return put_alg(nlh, len, XFRMA_ALG_AEAD, &h, sizeof(h),
			       sa->enc.key, sa->enc.keylen);
	}
	{
		struct xfrm_algo c;
		struct xfrm_algo_auth h;

		if (!alg_ok(&sa->auth))
			return false;
		memset(&c, 0, sizeof(c));
		strcpy(c.alg_name, sa->enc.name);
		c.alg_key_len = sa->enc.keylen * 8u;
		memset(&h, 0, sizeof(h));
		strcpy(h.alg_name, sa->auth.name);
		h.alg_key_len = sa->auth.keylen * 8u;
		/* The kernel's default for hmac(sha256) is 96 bits: say 128. */
		h.alg_trunc_len = sa->auth.bits;
		return put_alg(nlh, len, XFRMA_ALG_AUTH_TRUNC, &h, sizeof(h),
			       sa->auth.key, sa->auth.keylen) &&
		       put_alg(nlh, len, XFRMA_ALG_CRYPT, &c, sizeof(c),
			       sa->enc.key, sa->enc.keylen);
	}
}

size_t
xfrm_msg_sa(void *buf, size_t len, uint32_t seq, const struct xfrm_sa *sa,
	    bool update)
{
	struct nlmsghdr *nlh;
	struct xfrm_usersa_info info;
	struct xfrm_sel sel;
	bool ok;

	if (!family_ok(&sa->src) || sa->src.family != sa->dst.family)
		return 0;
	memset(&info, 0, sizeof(info));
	/* RFC 4303 transport mode for GRE: the selector is the GRE flow. */
	xfrm_sel_gre(&sel, &sa->src, &sa->dst);
	if (sel_to_kernel(&sel, &info.sel) == -1)
		return 0;
	kaddr(&info.id.daddr, &sa->dst);
	info.id.spi = htonl(sa->spi);
	info.id.proto = sa->proto != 0 ? sa->proto : IPPROTO_ESP;
	kaddr(&info.saddr, &sa->src);
	info.lft.soft_byte_limit = limit(sa->lft.soft_bytes);
	info.lft.hard_byte_limit = limit(sa->lft.hard_bytes);
	info.lft.soft_packet_limit = limit(sa->lft.soft_packets);
	info.lft.hard_packet_limit = limit(sa->lft.hard_packets);
	info.lft.soft_add_expires_seconds = sa->lft.soft_secs;
	info.lft.hard_add_expires_seconds = sa->lft.hard_secs;
	info.reqid = sa->reqid;
	info.family = sa->src.family;
	info.mode = sa->mode;
	info.replay_window = sa->replay_window;
	nlh = msg_start(buf, len, update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA,
			update ? NLM_F_ACK
			       : NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
			seq);
	ok = put_fixed(nlh, len, &info, sizeof(info)) && put_algs(nlh, len, sa);
	if (ok && sa->encap) {
		struct xfrm_encap_tmpl e;

		/* RFC 3948; NAT-OA is unused in transport mode for GRE. */
		memset(&e, 0, sizeof(e));
		e.encap_type = UDP_ENCAP_ESPINUDP;
		e.encap_sport = htons(sa->encap_sport);
		e.encap_dport = htons(sa->encap_dport);
		ok = mnl_attr_put_check(nlh, len, XFRMA_ENCAP, sizeof(e), &e);
	}
	if (!ok) {
		xfrm_wipe(buf, len);
		return 0;
	}
	return nlh->nlmsg_len;
}

static size_t
sa_id_msg(void *buf, size_t len, uint16_t type, uint32_t seq,
	  const struct addr *src, const struct addr *dst, uint32_t spi,
	  uint8_t proto)
{
	struct nlmsghdr *nlh;
	struct xfrm_usersa_id id;

	if (!family_ok(dst))
		return 0;
	memset(&id, 0, sizeof(id));
	kaddr(&id.daddr, dst);
	id.spi = htonl(spi);
	id.family = dst->family;
	id.proto = proto != 0 ? proto : IPPROTO_ESP;
	nlh = msg_start(buf, len, type, NLM_F_ACK, seq);
	if (!put_fixed(nlh, len, &id, sizeof(id)))
		return 0;
	if (src != NULL && !addr_is_none(src)) {
		xfrm_address_t k;

		kaddr(&k, src);
		if (!mnl_attr_put_check(nlh, len, XFRMA_SRCADDR, sizeof(k), &k))
			return 0;
	}
	return nlh->nlmsg_len;
}

size_t
xfrm_msg_sa_del(void *buf, size_t len, uint32_t seq, const struct addr *src,
		const struct addr *dst, uint32_t spi, uint8_t proto)
{
	return sa_id_msg(buf, len, XFRM_MSG_DELSA, seq, src, dst, spi, proto);
}

size_t
xfrm_msg_sa_get(void *buf, size_t len, uint32_t seq, const struct addr *dst,
		uint32_t spi, uint8_t proto)
{
	return sa_id_msg(buf, len, XFRM_MSG_GETSA, seq, NULL, dst, spi, proto);
}

size_t
xfrm_msg_allocspi(void *buf, size_t len, uint32_t seq, const struct addr *src,
		  const struct addr *dst, uint32_t reqid, uint32_t min,
		  uint32_t max)
{
	struct nlmsghdr *nlh;
	struct xfrm_userspi_info u;

	if (!family_ok(src) || src->family != dst->family || min > max)
		return 0;
	/*
	 * The kernel makes a larval (ACQ) state dst/proto/reqid holding the
	 * SPI; our UPDSA with that SPI later replaces it.
	 */
	memset(&u, 0, sizeof(u));
	kaddr(&u.info.id.daddr, dst);
	u.info.id.proto = IPPROTO_ESP;
	kaddr(&u.info.saddr, src);
	u.info.family = src->family;
	u.info.reqid = reqid;
	u.info.mode = XFRM_MODE_TRANSPORT;
	u.min = min;
	u.max = max;
	nlh = msg_start(buf, len, XFRM_MSG_ALLOCSPI, NLM_F_ACK, seq);
	return put_fixed(nlh, len, &u, sizeof(u)) ? nlh->nlmsg_len : 0;
}

size_t
xfrm_msg_policy(void *buf, size_t len, uint32_t seq,
		const struct xfrm_policy *p, bool update)
{
	struct nlmsghdr *nlh;
	struct xfrm_userpolicy_info pi;
	struct xfrm_user_tmpl t;

	memset(&pi, 0, sizeof(pi));
	if (sel_to_kernel(&p->sel, &pi.sel) == -1 || p->dir >= XFRM_POLICY_MAX)
		return 0;
	lft_infinite(&pi.lft);
	pi.priority = p->priority;
	pi.dir = p->dir;
	pi.action = p->action;
	pi.share = XFRM_SHARE_ANY;
	nlh = msg_start(
		buf, len, update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY,
		update ? NLM_F_ACK : NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
		seq);
	if (!put_fixed(nlh, len, &pi, sizeof(pi)))
		return 0;
	if (!p->has_tmpl)
		return nlh->nlmsg_len;
	/*
	 * Transport mode: the template's addresses stay zero, the kernel
	 * takes the flow's (xfrm_tmpl_resolve_one).  No "use" level: a
	 * required template is what keeps cleartext GRE out.
	 */
	memset(&t, 0, sizeof(t));
	t.id.spi = htonl(p->tmpl_spi);
	t.id.proto = IPPROTO_ESP;
	t.family = p->sel.src.addr.family;
	t.reqid = p->reqid;
	t.mode = XFRM_MODE_TRANSPORT;
	t.share = XFRM_SHARE_ANY;
	t.aalgos = ~0u;
	t.ealgos = ~0u;
	t.calgos = ~0u;
	if (!mnl_attr_put_check(nlh, len, XFRMA_TMPL, sizeof(t), &t))
		return 0;
	return nlh->nlmsg_len;
}

size_t
xfrm_msg_policy_del(void *buf, size_t len, uint32_t seq,
		    const struct xfrm_sel *sel, uint8_t dir)
{
	struct nlmsghdr *nlh;
	struct xfrm_userpolicy_id id;

	memset(&id, 0, sizeof(id));
	if (sel_to_kernel(sel, &id.sel) == -1 || dir >= XFRM_POLICY_MAX)
		return 0;
	id.dir = dir;
	nlh = msg_start(buf, len, XFRM_MSG_DELPOLICY, NLM_F_ACK, seq);
	return put_fixed(nlh, len, &id, sizeof(id)) ? nlh->nlmsg_len : 0;
}

size_t
xfrm_msg_dump(void *buf, size_t len, uint32_t seq, uint16_t type)
{
	struct nlmsghdr *nlh;

	/* No filter: a bare header dumps everything (xfrm_dump_sa_start). */
	if (type != XFRM_MSG_GETSA && type != XFRM_MSG_GETPOLICY)
		return 0;
	nlh = msg_start(buf, len, type, NLM_F_DUMP, seq);
	return nlh != NULL ? nlh->nlmsg_len : 0;
}

int
xfrm_socket_bypass(int fd, int family)
{
	struct xfrm_userpolicy_info pi;
	int level, opt;
	uint8_t dir;

	if (family == AF_INET) {
		level = IPPROTO_IP;
		opt = IP_XFRM_POLICY;
	} else if (family == AF_INET6) {
		level = IPPROTO_IPV6;
		opt = IPV6_XFRM_POLICY;
	} else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/*
	 * A per-socket policy without templates whose action is allow: it
	 * is consulted before the global ones, so IKE itself never needs
	 * (or waits for) an SA.
	 */
	for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
		memset(&pi, 0, sizeof(pi));
		pi.sel.family = (uint16_t)family;
		lft_infinite(&pi.lft);
		pi.dir = dir;
		pi.action = XFRM_POLICY_ALLOW;
		pi.share = XFRM_SHARE_ANY;
		if (setsockopt(fd, level, opt, &pi, sizeof(pi)) == -1)
			return -1;
	}
	return 0;
}
