/*
 * dmvpnctl's side of the control socket: connect, send one request,
 * collect its replies until END or RESULT.  One deadline covers the
 * whole exchange, so a hung daemon costs the user timeout_ms, never a
 * hang of its own.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dmvpn/ctl.h"

int
ctl_client_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd, save;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	/*
	 * Non-blocking from the start: connect(2) on a unix socket whose
	 * backlog is full would otherwise wait for a daemon that may be
	 * hung; it fails with EAGAIN instead.
	 */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		save = errno;
		close(fd);
		errno = save;
		return -1;
	}
	return fd;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events until the deadline: 1 ready, 0 timed out, -1 error. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int64_t left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		rc = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (rc > 0)
			return 1;
		if (rc == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/*
 * Room for one more element in an array of n: capacities are powers of
 * two, so the array is full exactly when n is 0 or a power of two.
 */
static void *
grow(void *arr, size_t n, size_t size)
{
	size_t cap;

	if (n != 0 && (n & (n - 1)) != 0)
		return arr;
	cap = n == 0 ? 1 : n * 2;
	if (cap > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(arr, cap * size);
}

#define APPEND(r, arr, n, decode, m, e)                                  \
	do {                                                             \
		void *p_ = grow((r)->arr, (r)->n, sizeof(*(r)->arr));    \
		if (p_ == NULL) {                                        \
			*(e) = CTL_E_OK;                                 \
			return -1;                                       \
		}                                                        \
		(r)->arr = p_;                                           \
		if ((*(e) = decode((m), &(r)->arr[(r)->n])) != CTL_E_OK) \
			return -1;                                       \
		(r)->n++;                                                \
	} while (0)

/*
 * A CHILD_SA belongs to the IKE_SA before it; one before any IKE_SA is
 * an unexpected message.
 */
static int
add_child(struct ctl_replies *r, const struct ctl_msg *m, enum ctl_err *e)
{
	size_t *ike;

	if (r->n_ike_sas == 0) {
		*e = CTL_E_DIRECTION;
		return -1;
	}
	if ((ike = grow(r->child_ike, r->n_child_sas, sizeof(*ike))) == NULL) {
		*e = CTL_E_OK;
		return -1;
	}
	r->child_ike = ike;
	APPEND(r, child_sas, n_child_sas, ctl_decode_child_sa, m, e);
	r->child_ike[r->n_child_sas - 1] = r->n_ike_sas - 1;
	return 0;
}

int
ctl_replies_add(struct ctl_replies *r, uint32_t seq, const struct ctl_msg *m,
		enum ctl_err *e)
{
	char *p;

	if ((*e = ctl_msg_check(m, CTL_DIR_REP)) != CTL_E_OK)
		return -1;
	/* seq 0: the daemon refused the connection before any request. */
	if (m->hdr.seq != seq &&
	    !(m->hdr.type == CTL_RESULT && m->hdr.seq == 0)) {
		*e = CTL_E_SEQ;
		return -1;
	}
	switch (m->hdr.type) {
	case CTL_PEER:
		APPEND(r, peers, n_peers, ctl_decode_peer, m, e);
		return 0;
	case CTL_NHS:
		APPEND(r, nhs, n_nhs, ctl_decode_nhs, m, e);
		return 0;
	case CTL_ROUTE:
		APPEND(r, routes, n_routes, ctl_decode_route, m, e);
		return 0;
	case CTL_STATS:
		APPEND(r, stats, n_stats, ctl_decode_stat, m, e);
		return 0;
	case CTL_INTERFACE:
		APPEND(r, ifs, n_ifs, ctl_decode_interface, m, e);
		return 0;
	case CTL_IKE_SA:
		APPEND(r, ike_sas, n_ike_sas, ctl_decode_ike_sa, m, e);
		return 0;
	case CTL_CHILD_SA:
		return add_child(r, m, e);
	case CTL_CONFIG_TEXT:
		p = realloc(r->config, r->config_len + m->hdr.len + 1);
		if (p == NULL) {
			*e = CTL_E_OK;
			return -1;
		}
		memcpy(p + r->config_len, m->payload, m->hdr.len);
		r->config = p;
		r->config_len += m->hdr.len;
		r->config[r->config_len] = '\0';
		return 0;
	case CTL_END:
		r->ended = true;
		return 1;
	case CTL_RESULT:
		if ((*e = ctl_decode_result(m, &r->result)) != CTL_E_OK)
			return -1;
		r->has_result = true;
		return 1;
	default:
		*e = CTL_E_TYPE;
		return -1;
	}
}

void
ctl_replies_free(struct ctl_replies *r)
{
	if (r == NULL)
		return;
	free(r->ifs);
	free(r->peers);
	free(r->nhs);
	free(r->routes);
	free(r->stats);
	free(r->ike_sas);
	free(r->child_sas);
	free(r->child_ike);
	free(r->config);
	memset(r, 0, sizeof(*r));
}

/* Write the whole request; a daemon that hung up may still have replied. */
static int
send_all(int fd, const uint8_t *p, size_t len, int64_t deadline, char *err,
	 size_t errlen)
{
	ssize_t n;
	int rc;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EPIPE || errno == ECONNRESET))
			return 0; /* read what it said before it went */
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			rc = wait_fd(fd, POLLOUT, deadline);
			if (rc == 1)
				continue;
			snprintf(err, errlen, "%s",
				 rc == 0 ? "dmvpnd does not take the request "
					   "(timed out)"
					 : strerror(errno));
			return -1;
		}
		snprintf(err, errlen, "sending the request: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Pop and collect whole replies: 1 done, 0 more needed, -1 error. */
static int
drain(struct ctl_reader *rd, const struct ctl_request *req,
      struct ctl_replies *out, char *err, size_t errlen)
{
	struct ctl_msg m;
	enum ctl_err e;
	int rc;

	while ((rc = ctl_reader_next(rd, &m, &e)) == 1) {
		rc = ctl_replies_add(out, req->seq, &m, &e);
		if (rc == 1)
			return 1;
		if (rc == -1 && e == CTL_E_OK) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (rc == -1) {
			snprintf(err, errlen,
				 "bad reply from dmvpnd: %s (%s, %u bytes)",
				 ctl_err_name(e), ctl_type_name(m.hdr.type),
				 m.hdr.len);
			return -1;
		}
	}
	if (rc == 0)
		return 0;
	if (e == CTL_E_VERSION)
		snprintf(err, errlen,
			 "dmvpnctl speaks control protocol %u but dmvpnd "
			 "speaks %u: use the dmvpnctl of the running release",
			 CTL_VERSION, rd->bad.version);
	else
		snprintf(err, errlen, "bad reply from dmvpnd: %s",
			 ctl_err_name(e));
	return -1;
}

int
ctl_client_call(int fd, const struct ctl_request *req, int timeout_ms,
		struct ctl_replies *out, char *err, size_t errlen)
{
	int64_t deadline = now_ms() + timeout_ms;
	uint8_t b[CTL_HDR_LEN + 64]; /* requests are small */
	struct ctl_reader *rd;
	struct wbuf w;
	size_t room;
	uint8_t *p;
	ssize_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	wbuf_init(&w, b, sizeof(b));
	if (ctl_encode_request(&w, req) == -1) {
		snprintf(err, errlen, "cannot encode the request");
		return -1;
	}
	if (send_all(fd, b, wbuf_len(&w), deadline, err, errlen) == -1)
		return -1;
	/* 64 KiB: too big for the stack of a small program's callers. */
	if ((rd = malloc(sizeof(*rd))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ctl_reader_init(rd);
	for (;;) {
		if ((rc = drain(rd, req, out, err, errlen)) != 0)
			break;
		p = ctl_reader_space(rd, &room);
		n = recv(fd, p, room, MSG_DONTWAIT);
		if (n > 0) {
			ctl_reader_commit(rd, (size_t)n);
			continue;
		}
		if (n == 0) {
			snprintf(err, errlen,
				 "dmvpnd closed the connection without an "
				 "answer");
			rc = -1;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			snprintf(err, errlen, "reading the answer: %s",
				 strerror(errno));
			rc = -1;
			break;
		}
		rc = wait_fd(fd, POLLIN, deadline);
		if (rc == 1)
			continue;
		if (rc == 0)
			snprintf(err, errlen,
				 "dmvpnd did not answer within %g s",
				 timeout_ms / 1000.0);
		else
			snprintf(err, errlen, "poll: %s", strerror(errno));
		rc = -1;
		break;
	}
	free(rd);
	if (rc == -1) {
		ctl_replies_free(out);
		return -1;
	}
	return 0;
}
