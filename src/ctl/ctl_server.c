/*
 * The daemon's side of the control socket, on the libev loop.
 *
 * Clients are few and trusted once admitted (root, or the dmvpn group
 * checked with SO_PEERCRED), but the daemon routes packets: it must
 * never block on one, nor let one make it buffer without bound.  So
 * every socket is non-blocking, requests are framed by ctl_reader, the
 * replies of each client queue up to max_outq bytes and the client is
 * dropped beyond that, and a client that stops reading stops being
 * served (its next requests wait) instead of growing the queue.
 *
 * The daemon plugs in through struct ctl_handlers and answers with
 * ctl_send_*(); this module knows nothing of NHRP or netlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>

#include "dmvpn/ctl.h"
#include "dmvpn/list.h"
#include "dmvpn/log.h"

/* Pause accepting this long when out of descriptors, not spin. */
#define ACCEPT_PAUSE 1.0
/* A drained output buffer larger than this is given back. */
#define OUTQ_KEEP    (64 * 1024)
#define GROUPS_STACK 64
#define NO_GID       ((gid_t)-1)

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13; asm-generic value */
#endif

struct ctl_conn {
	struct list_node entry;
	struct ctl_server *srv;
	int fd; /* -1: detached (tests, fuzzing) */
	ev_io rio;
	ev_io wio;
	ev_timer idle;
	struct ucred cred;

	/* Replies not yet written: bytes [out_head, out_len) of out. */
	uint8_t *out;
	size_t out_head;
	size_t out_len;
	size_t out_cap;

	/* The request being answered. */
	uint32_t seq;
	enum ctl_type type;
	bool in_request;
	bool answered; /* its END or RESULT is queued */
	bool stats_sent;
	bool ike_sent; /* an IKE_SA went out: CHILD_SAs may follow */

	bool lost;    /* queue overflow or socket error: drop it */
	bool closing; /* close once the queue is written */
	bool eof;

	struct ctl_reader rd; /* last: it is big */
};

struct ctl_server {
	struct ev_loop *loop;
	struct ctl_handlers h;
	char *path;
	dev_t path_dev; /* to unlink only our own socket file */
	ino_t path_ino;
	int fd;
	ev_io accept_io;
	ev_timer accept_pause;
	gid_t gid; /* NO_GID: root (and our own user) only */
	unsigned int max_clients;
	size_t max_outq;
	double idle;
	struct list_node conns;
	struct ctl_server_stats stats;
};

static void conn_update(struct ctl_conn *c);

/* ---- credentials ---- */

bool
ctl_cred_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
		 uid_t self, gid_t allowed)
{
	size_t i;

	if (uid == 0 || uid == self)
		return true;
	if (allowed == NO_GID)
		return false;
	if (gid == allowed)
		return true;
	for (i = 0; i < ngroups; i++)
		if (groups[i] == allowed)
			return true;
	return false;
}

/*
 * The peer's supplementary groups.  SO_PEERGROUPS gives what its process
 * really holds; before Linux 4.13 fall back to the group database
 * (getpwuid + getgrouplist, both in musl), which misses groups granted
 * after the user logged in.  *out is stack or malloc'd.
 */
static int
peer_groups(int fd, uid_t uid, gid_t *stack, gid_t **out, size_t *n)
{
	socklen_t len = GROUPS_STACK * sizeof(gid_t);
	struct passwd *pw;
	gid_t *g = stack;
	int ng = GROUPS_STACK;

	*out = stack;
	*n = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == 0) {
		*n = len / sizeof(gid_t);
		return 0;
	}
	if (errno == ERANGE) {
		if ((g = malloc(len)) == NULL)
			return -1;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == -1) {
			free(g);
			return -1;
		}
		*out = g;
		*n = len / sizeof(gid_t);
		return 0;
	}
	if (errno != ENOPROTOOPT)
		return -1;
	if ((pw = getpwuid(uid)) == NULL)
		return -1;
	if (getgrouplist(pw->pw_name, pw->pw_gid, g, &ng) == -1) {
		if (ng <= GROUPS_STACK || (g = calloc(ng, sizeof(*g))) == NULL)
			return -1;
		if (getgrouplist(pw->pw_name, pw->pw_gid, g, &ng) == -1) {
			free(g);
			return -1;
		}
		*out = g;
	}
	*n = (size_t)ng;
	return 0;
}

static bool
conn_cred_ok(struct ctl_server *s, int fd, struct ucred *uc)
{
	socklen_t len = sizeof(*uc);
	gid_t stack[GROUPS_STACK], *groups = NULL;
	size_t ngroups = 0;
	bool ok;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, uc, &len) == -1 ||
	    len != sizeof(*uc)) {
		log_warn("control: SO_PEERCRED");
		return false;
	}
	/* Only look the groups up when they can matter. */
	if (uc->uid != 0 && uc->uid != geteuid() && s->gid != NO_GID &&
	    uc->gid != s->gid &&
	    peer_groups(fd, uc->uid, stack, &groups, &ngroups) == -1)
		log_warn("control: groups of uid %lu", (unsigned long)uc->uid);
	ok = ctl_cred_allowed(uc->uid, uc->gid, groups, ngroups, geteuid(),
			      s->gid);
	if (groups != stack)
		free(groups);
	return ok;
}

/* ---- output queue ---- */

static size_t
outq_pending(const struct ctl_conn *c)
{
	return c->out_len - c->out_head;
}

/* Make room for need more bytes; -1 (and the client is lost) if not. */
static int
outq_reserve(struct ctl_conn *c, size_t need)
{
	size_t cap;
	uint8_t *p;

	if (c->out_cap - c->out_len >= need)
		return 0;
	if (c->out_head > 0) {
		memmove(c->out, c->out + c->out_head, outq_pending(c));
		c->out_len -= c->out_head;
		c->out_head = 0;
		if (c->out_cap - c->out_len >= need)
			return 0;
	}
	cap = c->out_cap > 0 ? c->out_cap * 2 : 4096;
	while (cap - c->out_len < need)
		cap *= 2;
	if ((p = realloc(c->out, cap)) == NULL) {
		log_warnx("control: out of memory for a client's replies");
		c->lost = true;
		return -1;
	}
	c->out = p;
	c->out_cap = cap;
	return 0;
}

/* Write what the socket takes now; the write watcher does the rest. */
static void
outq_flush(struct ctl_conn *c)
{
	ssize_t n;

	while (c->fd != -1 && !c->lost && outq_pending(c) > 0) {
		n = send(c->fd, c->out + c->out_head, outq_pending(c),
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->out_head += (size_t)n;
			if (c->srv->idle > 0)
				ev_timer_again(c->srv->loop, &c->idle);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		log_dbg(DBG_CTL, "control: client gone: %s",
			n == 0 ? "closed" : strerror(errno));
		c->lost = true;
	}
	if (outq_pending(c) == 0) {
		c->out_head = c->out_len = 0;
		if (c->out_cap > OUTQ_KEEP) {
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
	}
}

/* ---- sending ---- */

static int
conn_begin(struct ctl_conn *c, size_t maxlen, struct wbuf *w)
{
	if (c == NULL || !c->in_request || c->answered || c->lost)
		return -1;
	if (outq_reserve(c, CTL_HDR_LEN + maxlen) == -1)
		return -1;
	wbuf_init(w, c->out + c->out_len, c->out_cap - c->out_len);
	return 0;
}

static int
conn_commit(struct ctl_conn *c, struct wbuf *w, int rc)
{
	if (rc == -1) {
		/* A handler passed a value the protocol cannot carry. */
		log_warnx("control: cannot encode a reply record");
		return -1;
	}
	c->out_len += wbuf_len(w);
	/*
	 * A big listing: hand the socket what it takes now, so a client
	 * that keeps reading is not dropped for the size of the answer.
	 */
	if (outq_pending(c) >= OUTQ_KEEP) {
		outq_flush(c);
		if (c->lost)
			return -1;
	}
	if (outq_pending(c) > c->srv->max_outq) {
		log_warnx("control: client (pid %ld) reads too slowly, "
			  "dropping it",
			  (long)c->cred.pid);
		c->srv->stats.dropped_slow++;
		c->lost = true;
		return -1;
	}
	return 0;
}

int
ctl_send_peer(struct ctl_conn *c, const struct ctl_peer *p)
{
	struct wbuf w;

	if (conn_begin(c, CTL_PEER_MAXLEN, &w) == -1)
		return -1;
	return conn_commit(c, &w, ctl_encode_peer(&w, c->seq, p));
}

int
ctl_send_nhs(struct ctl_conn *c, const struct ctl_nhs *n)
{
	struct wbuf w;

	if (conn_begin(c, CTL_NHS_MAXLEN, &w) == -1)
		return -1;
	return conn_commit(c, &w, ctl_encode_nhs(&w, c->seq, n));
}

int
ctl_send_route(struct ctl_conn *c, const struct ctl_route *r)
{
	struct wbuf w;

	if (conn_begin(c, CTL_ROUTE_MAXLEN, &w) == -1)
		return -1;
	return conn_commit(c, &w, ctl_encode_route(&w, c->seq, r));
}

int
ctl_send_stat(struct ctl_conn *c, const char *section, const char *name,
	      uint64_t value)
{
	struct ctl_stat st;
	struct wbuf w;

	snprintf(st.section, sizeof(st.section), "%s", section);
	snprintf(st.name, sizeof(st.name), "%s", name);
	st.value = value;
	if (conn_begin(c, CTL_STAT_MAXLEN, &w) == -1)
		return -1;
	return conn_commit(c, &w, ctl_encode_stat(&w, c->seq, &st));
}

int
ctl_send_interface(struct ctl_conn *c, const struct ctl_interface *i)
{
	struct wbuf w;

	if (conn_begin(c, CTL_IF_MAXLEN, &w) == -1)
		return -1;
	return conn_commit(c, &w, ctl_encode_interface(&w, c->seq, i));
}

int
ctl_send_ike_sa(struct ctl_conn *c, const struct ctl_ike_sa *s)
{
	struct wbuf w;

	if (conn_begin(c, CTL_IKE_SA_MAXLEN, &w) == -1)
		return -1;
	if (conn_commit(c, &w, ctl_encode_ike_sa(&w, c->seq, s)) == -1)
		return -1;
	c->ike_sent = true;
	return 0;
}

int
ctl_send_child_sa(struct ctl_conn *c, const struct ctl_child_sa *s)
{
	struct wbuf w;

	if (conn_begin(c, CTL_CHILD_SA_MAXLEN, &w) == -1)
		return -1;
	/* dmvpnctl could not tell whose it is, and refuses the answer. */
	if (!c->ike_sent) {
		log_warnx("control: a CHILD SA sent before its IKE SA");
		return -1;
	}
	return conn_commit(c, &w, ctl_encode_child_sa(&w, c->seq, s));
}

int
ctl_send_config(struct ctl_conn *c, const char *text, size_t len)
{
	struct wbuf w;
	size_t n;

	while (len > 0) {
		n = len < CTL_CONFIG_CHUNK ? len : CTL_CONFIG_CHUNK;
		if (conn_begin(c, CTL_CONFIG_CHUNK, &w) == -1 ||
		    conn_commit(c, &w,
				ctl_encode_config_text(&w, c->seq, text, n)) ==
			    -1)
			return -1;
		text += n;
		len -= n;
	}
	return 0;
}

/* The server's own counters, at the end of every show stats. */
static int
send_server_stats(struct ctl_conn *c)
{
	const struct ctl_server_stats *st = &c->srv->stats;
	unsigned int i;
	int rc = 0;

	rc |= ctl_send_stat(c, "ctl", "accepted", st->accepted);
	rc |= ctl_send_stat(c, "ctl", "denied", st->denied);
	rc |= ctl_send_stat(c, "ctl", "busy", st->busy);
	rc |= ctl_send_stat(c, "ctl", "requests", st->requests);
	rc |= ctl_send_stat(c, "ctl", "dropped_slow", st->dropped_slow);
	rc |= ctl_send_stat(c, "ctl", "dropped_idle", st->dropped_idle);
	rc |= ctl_send_stat(c, "ctl", "clients", st->clients);
	/* CTL_E_SEQ is the client's to detect, never counted here. */
	for (i = CTL_E_OK + 1; i < CTL_E_MAX; i++)
		if (i != CTL_E_SEQ)
			rc |= ctl_send_stat(c, "ctl_errors",
					    ctl_err_key((enum ctl_err)i),
					    st->bad[i]);
	return rc == 0 ? 0 : -1;
}

int
ctl_send_end(struct ctl_conn *c)
{
	struct wbuf w;

	if (c != NULL && c->in_request && c->type == CTL_SHOW_STATS &&
	    !c->stats_sent && !c->answered) {
		c->stats_sent = true;
		if (send_server_stats(c) == -1)
			return -1;
	}
	if (conn_begin(c, 0, &w) == -1)
		return -1;
	if (conn_commit(c, &w, ctl_encode_end(&w, c->seq)) == -1)
		return -1;
	c->answered = true;
	return 0;
}

static int send_resultv(struct ctl_conn *c, enum ctl_result_code code,
			const char *fmt, va_list ap) LOG_PRINTF(3, 0);

static int
send_resultv(struct ctl_conn *c, enum ctl_result_code code, const char *fmt,
	     va_list ap)
{
	struct ctl_result res;
	struct wbuf w;

	res.code = code;
	vsnprintf(res.message, sizeof(res.message), fmt, ap);
	if (conn_begin(c, CTL_RESULT_MAXLEN, &w) == -1)
		return -1;
	if (conn_commit(c, &w, ctl_encode_result(&w, c->seq, &res)) == -1)
		return -1;
	c->answered = true;
	return 0;
}

int
ctl_send_result(struct ctl_conn *c, enum ctl_result_code code, const char *fmt,
		...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = send_resultv(c, code, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- dispatch ---- */

static int
default_log_level(struct ctl_conn *c, const struct ctl_log_level *req)
{
	char cats[128];

	log_set_level(req->level);
	if (req->set_debug) {
		log_dbg_disable(DBG_ALL);
		log_dbg_enable(req->debug);
	}
	log_cat_format(log_dbg_mask(), cats, sizeof(cats));
	log_info("control: log level %s, debug %s", log_level_name(req->level),
		 cats[0] != '\0' ? cats : "none");
	return ctl_send_result(c, CTL_RES_OK, "log level %s, debug %s",
			       log_level_name(req->level),
			       cats[0] != '\0' ? cats : "none");
}

/* Run the daemon's handler for req; -2 when it has none. */
static int
call_handler(struct ctl_conn *c, const struct ctl_request *req)
{
	const struct ctl_handlers *h = &c->srv->h;
	void *arg = h->arg;

#define CALL(fn, ...) (h->fn == NULL ? -2 : h->fn(__VA_ARGS__))
	switch (req->type) {
	case CTL_SHOW_DMVPN:
		return CALL(show_dmvpn, arg, c);
	case CTL_SHOW_PEERS:
		return CALL(show_peers, arg, c);
	case CTL_SHOW_NHS:
		return CALL(show_nhs, arg, c);
	case CTL_SHOW_ROUTES:
		return CALL(show_routes, arg, c);
	case CTL_SHOW_STATS:
		/* The server's own counters are worth showing alone. */
		return h->show_stats == NULL ? 0 : h->show_stats(arg, c);
	case CTL_SHOW_CONFIG:
		return CALL(show_config, arg, c);
	case CTL_RELOAD:
		return CALL(reload, arg, c);
	case CTL_FLUSH:
		return CALL(flush, arg, c, req->has_addr ? &req->addr : NULL);
	case CTL_PURGE:
		return CALL(purge, arg, c, &req->addr);
	case CTL_LOG_LEVEL:
		if (h->log_level == NULL)
			return default_log_level(c, &req->log);
		return h->log_level(arg, c, &req->log);
	case CTL_SHOW_IKE:
	case CTL_SHOW_SA:
		/*
		 * No handler: no IKE in this daemon (plain GRE), which the
		 * user should hear as such, not as an old dmvpnd.
		 */
		if (h->show_ike == NULL)
			return ctl_send_result(c, CTL_RES_UNSUPPORTED,
					       "%s: IPsec is not configured",
					       ctl_type_name(req->type));
		return h->show_ike(arg, c);
	default:
		return -2;
	}
#undef CALL
}

static bool
is_show(enum ctl_type t)
{
	return (t >= CTL_SHOW_DMVPN && t <= CTL_SHOW_CONFIG) ||
	       t == CTL_SHOW_IKE || t == CTL_SHOW_SA;
}

static void
conn_dispatch(struct ctl_conn *c, const struct ctl_msg *m)
{
	struct ctl_server *s = c->srv;
	struct ctl_request req;
	enum ctl_err e;
	int rc;

	c->seq = m->hdr.seq;
	c->type = (enum ctl_type)m->hdr.type;
	c->in_request = true;
	c->answered = false;
	c->stats_sent = false;
	c->ike_sent = false;
	e = ctl_decode_request(m, &req);
	if (e != CTL_E_OK) {
		s->stats.bad[e]++;
		log_dbg(DBG_CTL, "control: refused %s (type %u, %u bytes): %s",
			ctl_type_name(m->hdr.type), m->hdr.type, m->hdr.len,
			ctl_err_name(e));
		ctl_send_result(c, CTL_RES_BAD_REQUEST, "%s (type %u): %s",
				ctl_type_name(m->hdr.type), m->hdr.type,
				ctl_err_name(e));
		goto done;
	}
	s->stats.requests++;
	log_dbg(DBG_CTL, "control: %s from pid %ld", ctl_type_name(req.type),
		(long)c->cred.pid);
	rc = call_handler(c, &req);
	if (c->answered || c->lost)
		goto done;
	if (rc == -2)
		ctl_send_result(c, CTL_RES_UNSUPPORTED,
				"%s: not supported by this dmvpnd",
				ctl_type_name(req.type));
	else if (rc == -1)
		ctl_send_result(c, CTL_RES_ERROR, "%s failed",
				ctl_type_name(req.type));
	else if (is_show(req.type))
		ctl_send_end(c);
	else
		ctl_send_result(c, CTL_RES_OK, "%s", "");
done:
	c->in_request = false;
}

/*
 * The stream cannot be framed any more (another protocol version, a
 * length no message may have): say why, then close.
 */
static void
conn_fatal(struct ctl_conn *c, enum ctl_err e)
{
	const struct ctl_hdr *h = &c->rd.bad;

	c->srv->stats.bad[e]++;
	c->seq = h->seq;
	c->type = CTL_NONE;
	c->in_request = true;
	c->answered = false;
	if (e == CTL_E_VERSION)
		ctl_send_result(c, CTL_RES_VERSION,
				"protocol version mismatch: dmvpnd speaks %u, "
				"the client %u",
				CTL_VERSION, h->version);
	else
		ctl_send_result(c, CTL_RES_BAD_REQUEST, "%s (%u bytes)",
				ctl_err_name(e), h->len);
	c->in_request = false;
	c->closing = true;
	log_dbg(DBG_CTL, "control: closing a client: %s", ctl_err_name(e));
}

/*
 * Answer the complete requests held in the reader.  A socket client is
 * served one request at a time: the next waits until the replies to the
 * last are written, so a client that does not read cannot make us queue.
 */
static void
conn_process(struct ctl_conn *c)
{
	struct ctl_msg m;
	enum ctl_err e;
	int r;

	while (!c->lost && !c->closing &&
	       (c->fd == -1 || outq_pending(c) == 0)) {
		r = ctl_reader_next(&c->rd, &m, &e);
		if (r == 0)
			break;
		if (r == -1) {
			conn_fatal(c, e);
			break;
		}
		conn_dispatch(c, &m);
		outq_flush(c);
	}
}

/* ---- connections ---- */

static void
conn_close(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;

	if (c->fd != -1) {
		ev_io_stop(s->loop, &c->rio);
		ev_io_stop(s->loop, &c->wio);
		ev_timer_stop(s->loop, &c->idle);
		close(c->fd);
	}
	list_del(&c->entry);
	s->stats.clients--;
	free(c->out);
	free(c);
}

void
ctl_conn_free(struct ctl_conn *c)
{
	if (c != NULL)
		conn_close(c);
}

static void
conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *c = container_of(w, struct ctl_conn, rio);
	size_t room;
	uint8_t *p;
	ssize_t n;

	(void)loop;
	(void)revents;
	p = ctl_reader_space(&c->rd, &room);
	if (room == 0) {
		/* Requests wait in a full reader: read again once served. */
		ev_io_stop(c->srv->loop, &c->rio);
		return;
	}
	n = recv(c->fd, p, room, MSG_DONTWAIT);
	if (n > 0) {
		ctl_reader_commit(&c->rd, (size_t)n);
		if (c->srv->idle > 0)
			ev_timer_again(c->srv->loop, &c->idle);
	} else if (n == 0) {
		c->eof = true;
	} else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		return;
	} else {
		log_dbg(DBG_CTL, "control: read: %s", strerror(errno));
		c->lost = true;
	}
	conn_process(c);
	conn_update(c);
}

static void
conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *c = container_of(w, struct ctl_conn, wio);

	(void)loop;
	(void)revents;
	outq_flush(c);
	conn_process(c);
	conn_update(c);
}

static void
conn_idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_conn *c = container_of(w, struct ctl_conn, idle);

	(void)loop;
	(void)revents;
	log_warnx("control: client (pid %ld) idle for %g s, dropping it",
		  (long)c->cred.pid, c->srv->idle);
	c->srv->stats.dropped_idle++;
	conn_close(c);
}

/*
 * After any event: drop a lost client, close a finished one, and watch
 * for reading or writing as the queue says.  The last use of c.
 */
static void
conn_update(struct ctl_conn *c)
{
	struct ev_loop *loop = c->srv->loop;
	size_t room;

	if (c->fd == -1)
		return;
	outq_flush(c);
	if (c->lost) {
		conn_close(c);
		return;
	}
	if (outq_pending(c) > 0) {
		ev_io_stop(loop, &c->rio);
		ev_io_start(loop, &c->wio);
		return;
	}
	ev_io_stop(loop, &c->wio);
	if (c->closing || c->eof) {
		conn_close(c);
		return;
	}
	(void)ctl_reader_space(&c->rd, &room);
	if (room > 0)
		ev_io_start(loop, &c->rio);
}

static struct ctl_conn *
conn_new(struct ctl_server *s, int fd)
{
	struct ctl_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->srv = s;
	c->fd = fd;
	c->cred.pid = -1;
	c->cred.uid = (uid_t)-1;
	c->cred.gid = (gid_t)-1;
	ctl_reader_init(&c->rd);
	list_add_tail(&s->conns, &c->entry);
	s->stats.clients++;
	return c;
}

/* Tell a refused client why, if its socket takes it now; then close. */
static void
refuse(int fd, enum ctl_result_code code, const char *msg)
{
	uint8_t b[CTL_HDR_LEN + CTL_RESULT_MAXLEN];
	struct ctl_result res;
	struct wbuf w;

	res.code = code;
	snprintf(res.message, sizeof(res.message), "%s", msg);
	wbuf_init(&w, b, sizeof(b));
	if (ctl_encode_result(&w, 0, &res) == 0 &&
	    send(fd, b, wbuf_len(&w), MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
		log_dbg(DBG_CTL, "control: refusing: %s", strerror(errno));
	close(fd);
}

static int
conn_start(struct ctl_server *s, int fd)
{
	struct ctl_conn *c;
	struct ucred uc;

	if (!conn_cred_ok(s, fd, &uc)) {
		log_warnx("control: refused uid %lu gid %lu pid %ld",
			  (unsigned long)uc.uid, (unsigned long)uc.gid,
			  (long)uc.pid);
		s->stats.denied++;
		refuse(fd, CTL_RES_DENIED,
		       "permission denied: root or group dmvpn only");
		return -1;
	}
	if (s->stats.clients >= s->max_clients) {
		log_warnx("control: %u clients already, refusing pid %ld",
			  s->max_clients, (long)uc.pid);
		s->stats.busy++;
		refuse(fd, CTL_RES_BUSY, "too many control clients");
		return -1;
	}
	if ((c = conn_new(s, fd)) == NULL) {
		log_warnx("control: out of memory for a client");
		close(fd);
		return -1;
	}
	c->cred = uc;
	s->stats.accepted++;
	ev_io_init(&c->rio, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, conn_write_cb, fd, EV_WRITE);
	ev_init(&c->idle, conn_idle_cb);
	c->idle.repeat = s->idle;
	if (s->idle > 0)
		ev_timer_again(s->loop, &c->idle);
	ev_io_start(s->loop, &c->rio);
	log_dbg(DBG_CTL, "control: client uid %lu pid %ld",
		(unsigned long)uc.uid, (long)uc.pid);
	return 0;
}

int
ctl_server_adopt(struct ctl_server *s, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		close(fd);
		return -1;
	}
	return conn_start(s, fd);
}

int
ctl_conn_cred(const struct ctl_conn *c, pid_t *pid, uid_t *uid, gid_t *gid)
{
	if (c->fd == -1)
		return -1;
	*pid = c->cred.pid;
	*uid = c->cred.uid;
	*gid = c->cred.gid;
	return 0;
}

struct ctl_conn *
ctl_conn_detached(struct ctl_server *s)
{
	return conn_new(s, -1);
}

int
ctl_conn_input(struct ctl_conn *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n, before;

	while (!c->lost && !c->closing && len > 0) {
		before = ctl_reader_pending(&c->rd);
		n = ctl_reader_feed(&c->rd, p, len);
		p += n;
		len -= n;
		conn_process(c);
		/*
		 * A full reader always holds a whole message (or a fatal
		 * error), so this is unreachable; never spin on it.
		 */
		if (n == 0 && ctl_reader_pending(&c->rd) == before)
			return -1;
	}
	return c->lost || c->closing ? -1 : 0;
}

size_t
ctl_conn_output(struct ctl_conn *c, void *out, size_t cap)
{
	size_t n = outq_pending(c);

	if (n > cap)
		n = cap;
	if (n == 0)
		return 0; /* out may be NULL: nothing was ever queued */
	memcpy(out, c->out + c->out_head, n);
	c->out_head += n;
	if (outq_pending(c) == 0)
		c->out_head = c->out_len = 0;
	return n;
}

/* ---- the listener ---- */

static void
accept_resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_server *s = container_of(w, struct ctl_server, accept_pause);

	(void)revents;
	ev_io_start(loop, &s->accept_io);
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = container_of(w, struct ctl_server, accept_io);
	int fd;

	(void)revents;
	for (;;) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			conn_start(s, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		log_warn("control: accept");
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			ev_io_stop(loop, &s->accept_io);
			ev_timer_set(&s->accept_pause, ACCEPT_PAUSE, 0.);
			ev_timer_start(loop, &s->accept_pause);
		}
		return;
	}
}

/*
 * A socket file at path: take it over if nobody answers on it (a
 * daemon killed with -9 left it), refuse if somebody does, and never
 * remove anything that is not a socket.
 */
static int
clear_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("control: %s exists and is not a socket", path);
		errno = EEXIST;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0)) == -1)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		close(fd);
		log_warnx("control: another dmvpnd answers on %s", path);
		errno = EADDRINUSE;
		return -1;
	}
	rc = errno;
	close(fd);
	if (rc != ECONNREFUSED) {
		errno = rc;
		return -1;
	}
	log_info("control: removing stale socket %s", path);
	return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
}

static int
server_listen(struct ctl_server *s, const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (clear_stale(path, &sun) == -1)
		return -1;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd == -1)
		return -1;
	/* Created owner-only; widened once it belongs to the group. */
	old = umask(0177);
	rc = bind(s->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1)
		return -1;
	if ((s->path = strdup(path)) == NULL) {
		unlink(path);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		s->path_dev = st.st_dev;
		s->path_ino = st.st_ino;
	}
	if (s->gid != NO_GID) {
		if (chown(path, (uid_t)-1, s->gid) == -1 ||
		    chmod(path, 0660) == -1) {
			log_warn("control: %s: group access", path);
			s->gid = NO_GID;
		}
	}
	if (listen(s->fd, 16) == -1)
		return -1;
	ev_io_init(&s->accept_io, accept_cb, s->fd, EV_READ);
	ev_io_start(s->loop, &s->accept_io);
	return 0;
}

struct ctl_server *
ctl_server_new(struct ev_loop *loop, const struct ctl_server_conf *conf,
	       const struct ctl_handlers *h)
{
	const char *group = conf->group != NULL ? conf->group : CTL_GROUP;
	struct ctl_server *s = calloc(1, sizeof(*s));
	struct group *gr;
	int save;

	if (s == NULL)
		return NULL;
	s->loop = loop;
	s->h = *h;
	s->fd = -1;
	s->max_clients =
		conf->max_clients > 0 ? conf->max_clients : CTL_MAX_CLIENTS;
	s->max_outq = conf->max_outq > 0 ? conf->max_outq : CTL_OUTQ_MAX;
	s->idle =
		conf->idle_timeout == 0 ? CTL_IDLE_TIMEOUT : conf->idle_timeout;
	list_init(&s->conns);
	ev_init(&s->accept_pause, accept_resume_cb);
	s->gid = NO_GID;
	if (group[0] != '\0' && (gr = getgrnam(group)) != NULL)
		s->gid = gr->gr_gid;
	if (conf->path != NULL && server_listen(s, conf->path) == -1) {
		save = errno;
		log_warn("control: cannot listen on %s", conf->path);
		if (s->fd != -1)
			close(s->fd);
		if (s->path != NULL)
			unlink(s->path);
		free(s->path);
		free(s);
		errno = save;
		return NULL;
	}
	if (conf->path != NULL)
		log_dbg(DBG_CTL, "control: listening on %s (%s)", conf->path,
			s->gid != NO_GID ? "root and group" : "root only");
	return s;
}

void
ctl_server_free(struct ctl_server *s)
{
	struct ctl_conn *c, *tmp;
	struct stat st;

	if (s == NULL)
		return;
	list_for_each_entry_safe(c, tmp, &s->conns, entry)
		conn_close(c);
	ev_timer_stop(s->loop, &s->accept_pause);
	if (s->fd != -1) {
		ev_io_stop(s->loop, &s->accept_io);
		close(s->fd);
	}
	/* Only our own file: a newer daemon may have replaced it. */
	if (s->path != NULL && lstat(s->path, &st) == 0 &&
	    st.st_dev == s->path_dev && st.st_ino == s->path_ino)
		unlink(s->path);
	free(s->path);
	free(s);
}

const struct ctl_server_stats *
ctl_server_stats(const struct ctl_server *s)
{
	return &s->stats;
}
