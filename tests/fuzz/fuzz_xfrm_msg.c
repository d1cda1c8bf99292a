/*
 * libFuzzer target for the XFRM parsers (src/xfrm/xfrm_parse.c): the
 * input is a netlink message stream as a dump or the event socket would
 * deliver it.  Each message libmnl accepts goes to xfrm_parse_event()
 * and, whatever its type, to every specific parser as well, so each sees
 * every shape.  Whatever parses must be self-consistent.  The copy is an
 * exact-size heap buffer, 8-byte aligned like a receive buffer, so ASan
 * sees any read past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/xfrm.h>

#include "dmvpn/xfrm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_addr(const struct addr *a)
{
	if (!((a->family == 0 && a->len == 0) ||
	      (a->family == AF_INET && a->len == 4) ||
	      (a->family == AF_INET6 && a->len == 16)))
		abort();
}

static void
check_sa(const struct xfrm_sa *sa)
{
	check_addr(&sa->src);
	check_addr(&sa->dst);
	/* Names are terminated; keys are never copied out. */
	if (strnlen(sa->enc.name, XFRM_ALG_NAMELEN) == XFRM_ALG_NAMELEN ||
	    strnlen(sa->auth.name, XFRM_ALG_NAMELEN) == XFRM_ALG_NAMELEN ||
	    sa->enc.keylen != 0 || sa->auth.keylen != 0)
		abort();
	if (sa->sel.src.plen > 128 || sa->sel.dst.plen > 128)
		abort();
}

static void
one(const struct nlmsghdr *nlh)
{
	struct xfrm_event ev;
	struct xfrm_sa sa;
	struct xfrm_policy p;
	struct xfrm_acquire aq;
	struct xfrm_mapping m;
	bool hard;

	if (xfrm_parse_event(nlh, &ev) == 0 &&
	    (ev.type == XFRM_MSG_NEWSA || ev.type == XFRM_MSG_EXPIRE))
		check_sa(&ev.sa);
	if (xfrm_parse_sa(nlh, &sa) == 0)
		check_sa(&sa);
	if (xfrm_parse_expire(nlh, &sa, &hard) == 0)
		check_sa(&sa);
	if (xfrm_parse_policy(nlh, &p) == 0)
		check_addr(&p.sel.src.addr);
	if (xfrm_parse_acquire(nlh, &aq) == 0) {
		check_addr(&aq.src);
		check_addr(&aq.dst);
	}
	if (xfrm_parse_mapping(nlh, &m) == 0) {
		check_addr(&m.old_addr);
		check_addr(&m.new_addr);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh;
	uint64_t *mem;
	int left;

	if (size > 65536)
		return 0;
	mem = malloc(size > 0 ? size : 1);
	if (mem == NULL)
		return 0;
	if (size > 0)
		memcpy(mem, data, size);
	left = (int)size;
	nlh = (const struct nlmsghdr *)mem;
	/*
	 * mnl_nlmsg_ok() compares nlmsg_len as an int, so a length above
	 * INT_MAX passes it; the socket code refuses such batches too.
	 */
	while (mnl_nlmsg_ok(nlh, left) && nlh->nlmsg_len <= (uint32_t)left) {
		one(nlh);
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	free(mem);
	return 0;
}
