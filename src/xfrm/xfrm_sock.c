/*
 * NETLINK_XFRM sockets on libmnl: see include/dmvpn/xfrm.h.  Requests
 * always carry NLM_F_ACK (the daemon must know an SA or policy took) and
 * answers are matched on sequence number and port id.  Some requests
 * (GETSA, ALLOCSPI) are answered with a NEWSA before the ACK; those go
 * to the caller's callback.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/xfrm.h>

#include "dmvpn/xfrm.h"

struct xfrm_sock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	/*
	 * The kernel fills dump batches up to a page or more; SAs in a dump
	 * carry their keys, so the buffer is wiped after each use.
	 */
	uint8_t buf[65536];
};

static struct xfrm_sock *
xfrm_alloc(int flags, uint32_t groups)
{
	struct xfrm_sock *s = calloc(1, sizeof(*s));
	int saved;

	if (s == NULL)
		return NULL;
	s->nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC | flags);
	if (s->nl == NULL)
		goto fail;
	if (mnl_socket_bind(s->nl, groups, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	s->portid = mnl_socket_get_portid(s->nl);
	/* Start somewhere arbitrary so a restarted daemon's seqs differ. */
	s->seq = (uint32_t)time(NULL);
	return s;
fail:
	saved = errno;
	if (s->nl != NULL)
		mnl_socket_close(s->nl);
	free(s);
	errno = saved;
	return NULL;
}

struct xfrm_sock *
xfrm_open(void)
{
	return xfrm_alloc(0, 0);
}

struct xfrm_sock *
xfrm_open_events(uint32_t groups, int rcvbuf)
{
	struct xfrm_sock *s = xfrm_alloc(SOCK_NONBLOCK, groups);
	int fd;

	if (s == NULL)
		return NULL;
	fd = mnl_socket_get_fd(s->nl);
	/*
	 * A hub with many spokes may see a burst of ACQUIREs (every spoke's
	 * first packet) and EXPIREs; a big buffer makes overruns rare, and
	 * they are reported as ENOBUFS when they happen.
	 */
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
				     sizeof(rcvbuf)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				 sizeof(rcvbuf));
	return s;
}

void
xfrm_close(struct xfrm_sock *s)
{
	if (s == NULL)
		return;
	mnl_socket_close(s->nl);
	xfrm_wipe(s->buf, sizeof(s->buf));
	free(s);
}

int
xfrm_fd(const struct xfrm_sock *s)
{
	return mnl_socket_get_fd(s->nl);
}

/*
 * Every message of a batch fits in it.  libmnl's mnl_nlmsg_ok() compares
 * nlmsg_len as an int, so a length above INT_MAX would get past it; the
 * kernel never sends one, but its bytes are input like any other.
 */
static bool
batch_ok(const uint8_t *p, size_t n)
{
	size_t off = 0;
	uint32_t l;

	while (n - off >= sizeof(struct nlmsghdr)) {
		memcpy(&l, p + off, sizeof(l));
		if (l < sizeof(struct nlmsghdr) || l > n - off)
			return false;
		if (NLMSG_ALIGN(l) >= n - off)
			break;
		off += NLMSG_ALIGN(l);
	}
	return true;
}

struct req_ctx {
	xfrm_msg_fn *cb;
	void *arg;
};

static int
data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct req_ctx *c = data;

	if (c->cb == NULL)
		return MNL_CB_OK;
	return c->cb(nlh, c->arg) == 0 ? MNL_CB_OK : MNL_CB_STOP;
}

int
xfrm_request(struct xfrm_sock *s, void *msg, size_t len, xfrm_msg_fn *cb,
	     void *arg)
{
	struct nlmsghdr *nlh = msg;
	struct req_ctx c = {cb, arg};
	ssize_t n;
	size_t hi = 0;
	int rc, saved;

	if (len < MNL_NLMSG_HDRLEN) {
		errno = EMSGSIZE;
		return -1;
	}
	nlh->nlmsg_seq = ++s->seq;
	if (mnl_socket_sendto(s->nl, msg, len) < 0)
		return -1;
	/* mnl_cb_run turns NLMSG_ERROR into -1/errno and stops at DONE/ACK. */
	for (;;) {
		n = mnl_socket_recvfrom(s->nl, s->buf, sizeof(s->buf));
		if (n < 0) {
			rc = MNL_CB_ERROR;
			break;
		}
		if ((size_t)n > hi)
			hi = (size_t)n;
		if (!batch_ok(s->buf, (size_t)n)) {
			errno = EBADMSG;
			rc = MNL_CB_ERROR;
			break;
		}
		rc = mnl_cb_run(s->buf, (size_t)n, nlh->nlmsg_seq, s->portid,
				data_cb, &c);
		if (rc <= MNL_CB_STOP)
			break;
	}
	saved = errno;
	xfrm_wipe(s->buf, hi);
	errno = saved;
	return rc == MNL_CB_ERROR ? -1 : 0;
}

int
xfrm_sa_install(struct xfrm_sock *s, const struct xfrm_sa *sa, bool update)
{
	uint8_t msg[XFRM_MSG_BUFSIZE];
	size_t len;
	int rc, saved;

	len = xfrm_msg_sa(msg, sizeof(msg), 0, sa, update);
	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	rc = xfrm_request(s, msg, len, NULL, NULL);
	saved = errno;
	xfrm_wipe(msg, sizeof(msg));
	errno = saved;
	return rc;
}

int
xfrm_read_events(struct xfrm_sock *s, xfrm_msg_fn *cb, void *arg)
{
	struct req_ctx c = {cb, arg};
	ssize_t n;
	size_t hi = 0;
	int rc = 0, saved;

	for (;;) {
		n = mnl_socket_recvfrom(s->nl, s->buf, sizeof(s->buf));
		if (n < 0) {
			/* ENOBUFS: events were lost, the caller reconciles. */
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				rc = -1;
			break;
		}
		if ((size_t)n > hi)
			hi = (size_t)n;
		if (!batch_ok(s->buf, (size_t)n)) {
			errno = EBADMSG;
			rc = -1;
			break;
		}
		/* Events carry seq 0 and the kernel's port id 0. */
		if (mnl_cb_run(s->buf, (size_t)n, 0, 0, data_cb, &c) ==
		    MNL_CB_ERROR) {
			rc = -1;
			break;
		}
	}
	/* EXPIRE carries the SA's keys. */
	saved = errno;
	xfrm_wipe(s->buf, hi);
	errno = saved;
	return rc;
}
