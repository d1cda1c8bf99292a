/*
 * rtnetlink sockets on libmnl: see include/dmvpn/rtnl.h.  Requests always
 * carry NLM_F_ACK (libmnl's examples send without it: fine for a demo,
 * wrong for a daemon that must know a change took), and answers are
 * matched on sequence number and port id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "dmvpn/rtnl.h"

struct rtnl_sock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	/* Big enough for a dump batch of the kernel's (it sends pages). */
	uint8_t buf[65536];
};

static struct rtnl_sock *
rtnl_alloc(int flags, uint32_t groups)
{
	struct rtnl_sock *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | flags);
	if (s->nl == NULL) {
		free(s);
		return NULL;
	}
	if (mnl_socket_bind(s->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;

		mnl_socket_close(s->nl);
		free(s);
		errno = saved;
		return NULL;
	}
	s->portid = mnl_socket_get_portid(s->nl);
	/* Start somewhere arbitrary so a restarted daemon's seqs differ. */
	s->seq = (uint32_t)time(NULL);
	return s;
}

struct rtnl_sock *
rtnl_open(void)
{
	return rtnl_alloc(0, 0);
}

struct rtnl_sock *
rtnl_open_events(uint32_t groups, int rcvbuf)
{
	struct rtnl_sock *s = rtnl_alloc(SOCK_NONBLOCK, groups);
	int fd;

	if (s == NULL)
		return NULL;
	fd = mnl_socket_get_fd(s->nl);
	/*
	 * A hub learns of every neighbour miss here; a large buffer makes
	 * overruns rare, and they are handled (resync) when they happen.
	 */
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
				     sizeof(rcvbuf)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return s;
}

void
rtnl_close(struct rtnl_sock *s)
{
	if (s == NULL)
		return;
	mnl_socket_close(s->nl);
	free(s);
}

int
rtnl_fd(const struct rtnl_sock *s)
{
	return mnl_socket_get_fd(s->nl);
}

uint32_t
rtnl_seq(struct rtnl_sock *s)
{
	return ++s->seq;
}

struct req_ctx {
	rtnl_msg_fn *cb;
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
rtnl_request(struct rtnl_sock *s, void *msg, size_t len, rtnl_msg_fn *cb,
	     void *arg)
{
	struct nlmsghdr *nlh = msg;
	struct req_ctx c = {cb, arg};
	ssize_t n;
	int rc;

	if (len == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	nlh->nlmsg_seq = rtnl_seq(s);
	if (mnl_socket_sendto(s->nl, msg, len) < 0)
		return -1;
	/* mnl_cb_run turns NLMSG_ERROR into -1/errno and stops at DONE/ACK. */
	for (;;) {
		n = mnl_socket_recvfrom(s->nl, s->buf, sizeof(s->buf));
		if (n < 0)
			return -1;
		rc = mnl_cb_run(s->buf, (size_t)n, nlh->nlmsg_seq, s->portid,
				data_cb, &c);
		if (rc <= MNL_CB_STOP)
			return rc == MNL_CB_ERROR ? -1 : 0;
	}
}

int
rtnl_read_events(struct rtnl_sock *s, rtnl_msg_fn *cb, void *arg)
{
	struct req_ctx c = {cb, arg};
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(s->nl, s->buf, sizeof(s->buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1; /* ENOBUFS: the caller resyncs */
		}
		/* Events carry seq 0 and the kernel's port id 0. */
		if (mnl_cb_run(s->buf, (size_t)n, 0, 0, data_cb, &c) ==
		    MNL_CB_ERROR)
			return -1;
	}
}
