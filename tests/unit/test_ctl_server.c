/*
 * End-to-end tests of the control server (src/ctl/ctl_server.c) on a
 * real libev loop, with the real client (ctl_client.c) in a thread or
 * raw sockets in the test's own hands: a temp socket path with
 * SO_PEERCRED, socketpairs through ctl_server_adopt, partial and
 * pipelined requests, bad requests, slow and idle clients, the client
 * limit, stale and contested socket files, the credential policy (with
 * real unprivileged children when run as root), and the client's own
 * failure modes (no daemon, hung daemon, wrong version, wrong seq).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "dmvpn/ctl.h"

/* ---- the daemon side the tests plug in ---- */

struct fake_daemon {
	int npeers; /* show_peers sends this many */
	int sent;   /* records accepted by ctl_send_peer */
	int refused;
	int flush_calls;
	bool flush_had_addr;
	struct addr flush_addr;
	int cred_rc;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	const char *config;
	bool child_first; /* show_ike sends a CHILD SA before any IKE SA */
	int child_rc;     /* what that ctl_send_child_sa returned */
};

static struct ctl_peer
peer(int i)
{
	struct ctl_peer p;

	memset(&p, 0, sizeof(p));
	snprintf(p.ifname, sizeof(p.ifname), "gre1");
	p.proto.addr.family = AF_INET;
	p.proto.addr.len = 4;
	p.proto.addr.bytes[0] = 10;
	p.proto.addr.bytes[2] = (uint8_t)(i >> 8);
	p.proto.addr.bytes[3] = (uint8_t)i;
	p.proto.plen = 32;
	addr_parse(&p.nbma, "198.51.100.2");
	p.type = CTL_PEER_DYNAMIC;
	p.state = CTL_PEER_UP;
	p.expires_in = 7200 - i % 7200;
	p.uptime = (uint64_t)i;
	return p;
}

static int
h_show_peers(void *arg, struct ctl_conn *c)
{
	struct fake_daemon *d = arg;
	struct ctl_peer p;
	int i;

	d->cred_rc = ctl_conn_cred(c, &d->pid, &d->uid, &d->gid);
	d->sent = d->refused = 0;
	for (i = 0; i < d->npeers; i++) {
		p = peer(i);
		if (ctl_send_peer(c, &p) == 0)
			d->sent++;
		else
			d->refused++;
	}
	return 0;
}

static int
h_show_dmvpn(void *arg, struct ctl_conn *c)
{
	struct ctl_interface ifc;
	struct ctl_peer p = peer(1);

	(void)arg;
	memset(&ifc, 0, sizeof(ifc));
	snprintf(ifc.ifname, sizeof(ifc.ifname), "gre1");
	ifc.role = CTL_ROLE_HUB;
	ifc.peers = 1;
	prefix_parse(&ifc.tunnel, "10.0.0.1/24");
	if (ctl_send_interface(c, &ifc) == -1 || ctl_send_peer(c, &p) == -1)
		return -1;
	return ctl_send_end(c); /* ending it here is fine too */
}

static int
h_show_nhs(void *arg, struct ctl_conn *c)
{
	struct ctl_nhs n;

	(void)arg;
	memset(&n, 0, sizeof(n));
	snprintf(n.ifname, sizeof(n.ifname), "gre1");
	snprintf(n.fqdn, sizeof(n.fqdn), "hub.example.net");
	n.state = CTL_NHS_PROBING;
	return ctl_send_nhs(c, &n);
}

static int
h_show_routes(void *arg, struct ctl_conn *c)
{
	(void)arg;
	/* A listing that fails is answered with the handler's reason. */
	return ctl_send_result(c, CTL_RES_NOT_FOUND, "no routes table %d", 42);
}

static int
h_show_stats(void *arg, struct ctl_conn *c)
{
	(void)arg;
	if (ctl_send_stat(c, "rx_by_type", "registration-request", 12) == -1 ||
	    ctl_send_stat(c, "drops_by_reason", "auth-mismatch", 1) == -1)
		return -1;
	return 0;
}

static int
h_show_config(void *arg, struct ctl_conn *c)
{
	struct fake_daemon *d = arg;

	return ctl_send_config(c, d->config, strlen(d->config));
}

static int
h_reload(void *arg, struct ctl_conn *c)
{
	(void)arg;
	(void)c;
	return 0; /* the server answers RESULT OK */
}

static int
h_flush(void *arg, struct ctl_conn *c, const struct addr *peer_addr)
{
	struct fake_daemon *d = arg;

	d->flush_calls++;
	d->flush_had_addr = peer_addr != NULL;
	if (peer_addr != NULL)
		d->flush_addr = *peer_addr;
	return ctl_send_result(c, CTL_RES_OK, "flushed %d entries",
			       peer_addr != NULL ? 1 : 7);
}

static int
h_purge(void *arg, struct ctl_conn *c, const struct addr *a)
{
	(void)arg;
	(void)c;
	(void)a;
	return -1; /* the server answers RESULT ERROR */
}

/*
 * Two IKE SAs, the first with a CHILD SA and the second without, or a
 * CHILD SA out of place (which the server must not let out).
 */
static int
h_show_ike(void *arg, struct ctl_conn *c)
{
	struct fake_daemon *d = arg;
	struct ctl_ike_sa s;
	struct ctl_child_sa ch;

	memset(&s, 0, sizeof(s));
	addr_parse(&s.local, "192.0.2.1");
	s.local_port = 500;
	addr_parse(&s.remote, "192.0.2.2");
	s.remote_port = 500;
	s.state = CTL_IKE_ESTABLISHED;
	snprintf(s.auth, sizeof(s.auth), "psk");
	s.spi_i = 1;
	s.rekey_in = -1;
	memset(&ch, 0, sizeof(ch));
	ch.spi_in = 0xc0000123;
	ch.rekey_in = -1;
	if (d->child_first)
		d->child_rc = ctl_send_child_sa(c, &ch);
	if (ctl_send_ike_sa(c, &s) == -1 ||
	    (!d->child_first && ctl_send_child_sa(c, &ch) == -1))
		return -1;
	addr_parse(&s.remote, "2001:db8::2");
	addr_parse(&s.local, "2001:db8::1");
	s.state = CTL_IKE_CONNECTING;
	return ctl_send_ike_sa(c, &s);
}

/* ---- fixture ---- */

struct fx {
	char dir[64];
	char path[128];
	struct ev_loop *loop;
	struct ctl_server *srv;
	struct fake_daemon d;
	struct ctl_handlers h;
	struct ctl_server_conf conf;
	char *config;
};

static struct fx *
fx_new(bool all_handlers)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t i;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/dmvpn-ctl.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/ctl.sock", f->dir);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(f->loop);
	/* Ten thousand bytes of config: three chunks. */
	f->config = malloc(10001);
	assert_non_null(f->config);
	for (i = 0; i < 10000; i++)
		f->config[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
	f->config[10000] = '\0';
	f->d.config = f->config;
	f->d.npeers = 3;
	if (all_handlers) {
		f->h.show_dmvpn = h_show_dmvpn;
		f->h.show_peers = h_show_peers;
		f->h.show_nhs = h_show_nhs;
		f->h.show_routes = h_show_routes;
		f->h.show_stats = h_show_stats;
		f->h.show_config = h_show_config;
		f->h.reload = h_reload;
		f->h.flush = h_flush;
		f->h.purge = h_purge;
		f->h.show_ike = h_show_ike;
	}
	f->h.arg = &f->d;
	f->conf.path = f->path;
	f->conf.group = ""; /* root and ourselves only */
	return f;
}

static void
fx_start(struct fx *f)
{
	f->srv = ctl_server_new(f->loop, &f->conf, &f->h);
	assert_non_null(f->srv);
}

static void
fx_free(struct fx *f)
{
	ctl_server_free(f->srv);
	ev_loop_destroy(f->loop);
	unlink(f->path);
	rmdir(f->dir);
	free(f->config);
	free(f);
}

static void
on_pump_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ONE);
}

/* Run the loop for secs. */
static void
pump(struct fx *f, double secs)
{
	ev_timer t;

	ev_timer_init(&t, on_pump_timer, secs, 0.);
	ev_timer_start(f->loop, &t);
	ev_run(f->loop, 0);
	ev_timer_stop(f->loop, &t);
}

/* ---- the real client, in a thread while the loop runs here ---- */

struct call {
	const char *path;
	struct ctl_request req;
	int timeout_ms;
	int rc; /* -2: connect failed */
	int conn_errno;
	struct ctl_replies rep;
	char err[256];
	atomic_int done;
};

static void *
call_thread(void *arg)
{
	struct call *c = arg;
	int fd = ctl_client_connect(c->path);

	if (fd == -1) {
		c->conn_errno = errno;
		c->rc = -2;
	} else {
		c->rc = ctl_client_call(fd, &c->req, c->timeout_ms, &c->rep,
					c->err, sizeof(c->err));
		close(fd);
	}
	atomic_store(&c->done, 1);
	return NULL;
}

static void
run_call(struct fx *f, struct call *c, enum ctl_type type, uint32_t seq)
{
	pthread_t t;
	int i;

	c->path = f->path;
	c->req.type = type;
	c->req.seq = seq;
	if (c->timeout_ms == 0)
		c->timeout_ms = 5000;
	atomic_store(&c->done, 0);
	assert_int_equal(pthread_create(&t, NULL, call_thread, c), 0);
	for (i = 0; i < 2000 && !atomic_load(&c->done); i++)
		pump(f, 0.005);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(atomic_load(&c->done));
}

/* A request without arguments; returns the finished call. */
static struct call *
call(struct fx *f, enum ctl_type type)
{
	static struct call c;

	ctl_replies_free(&c.rep);
	memset(&c, 0, sizeof(c));
	run_call(f, &c, type, 77);
	if (c.rc != 0)
		fail_msg("%s: rc %d: %s", ctl_type_name(type), c.rc, c.err);
	return &c;
}

static bool
has_stat(const struct ctl_replies *r, const char *sec, const char *name,
	 uint64_t *value)
{
	size_t i;

	for (i = 0; i < r->n_stats; i++)
		if (strcmp(r->stats[i].section, sec) == 0 &&
		    strcmp(r->stats[i].name, name) == 0) {
			if (value != NULL)
				*value = r->stats[i].value;
			return true;
		}
	return false;
}

/* ---- raw sockets ---- */

static void
raw_send(int fd, const char *hex)
{
	uint8_t b[512];
	size_t n = 0;
	unsigned int v;

	while (*hex != '\0') {
		if (*hex == ' ' || *hex == '|') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		b[n++] = (uint8_t)v;
		hex += 2;
	}
	assert_int_equal(send(fd, b, n, MSG_NOSIGNAL), (ssize_t)n);
}

/*
 * Read replies from a raw client fd while pumping the loop, until one
 * answer is complete: 1 then, 0 at EOF, -1 on a bad reply.
 */
static int
raw_answer(struct fx *f, int fd, struct ctl_reader *rd, uint32_t seq,
	   struct ctl_replies *rep)
{
	struct ctl_msg m;
	enum ctl_err e;
	size_t room;
	uint8_t *p;
	ssize_t n;
	int i, rc;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < 400; i++) {
		while (ctl_reader_next(rd, &m, &e) == 1) {
			rc = ctl_replies_add(rep, seq, &m, &e);
			if (rc != 0)
				return rc;
		}
		p = ctl_reader_space(rd, &room);
		n = recv(fd, p, room, MSG_DONTWAIT);
		if (n > 0) {
			ctl_reader_commit(rd, (size_t)n);
			continue;
		}
		if (n == 0 || (n == -1 && errno == ECONNRESET))
			return 0;
		pump(f, 0.005);
	}
	fail_msg("no answer");
	return -1;
}

/* Pump until the peer closed fd; true when it did. */
static bool
raw_eof(struct fx *f, int fd)
{
	uint8_t b[4096];
	ssize_t n;
	int i;

	for (i = 0; i < 400; i++) {
		n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0 || (n == -1 && errno == ECONNRESET))
			return true;
		if (n == -1 && errno != EAGAIN)
			return false;
		if (n <= 0)
			pump(f, 0.005);
	}
	return false;
}

static int
raw_connect(const char *path)
{
	int fd = ctl_client_connect(path);

	assert_true(fd >= 0);
	return fd;
}

/* One end adopted by the server, the other returned. */
static int
adopt_pair(struct fx *f)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(ctl_server_adopt(f->srv, sv[0]), 0);
	return sv[1];
}

static struct ctl_reader rd; /* 64 KiB */

/* ---- tests ---- */

static void
test_show_over_path(void **state)
{
	struct fx *f = fx_new(true);
	struct call *c;
	struct stat st;

	(void)state;
	fx_start(f);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600); /* no group: owner only */

	c = call(f, CTL_SHOW_PEERS);
	assert_true(c->rep.ended);
	assert_false(c->rep.has_result);
	assert_int_equal(c->rep.n_peers, 3);
	assert_int_equal(c->rep.peers[2].proto.addr.bytes[3], 2);
	assert_int_equal(c->rep.peers[2].expires_in, 7198);
	/* SO_PEERCRED saw this process. */
	assert_int_equal(f->d.cred_rc, 0);
	assert_int_equal(f->d.pid, getpid());
	assert_int_equal(f->d.uid, getuid());
	assert_int_equal(ctl_server_stats(f->srv)->accepted, 1);
	assert_int_equal(ctl_server_stats(f->srv)->requests, 1);
	ctl_replies_free(&c->rep);
	fx_free(f);
}

static void
test_every_request(void **state)
{
	struct fx *f = fx_new(true);
	enum log_level saved = log_get_level();
	struct call *c, flush;
	uint64_t v;

	(void)state;
	fx_start(f);
	c = call(f, CTL_SHOW_DMVPN);
	assert_true(c->rep.ended);
	assert_int_equal(c->rep.n_ifs, 1);
	assert_int_equal(c->rep.ifs[0].role, CTL_ROLE_HUB);
	assert_int_equal(c->rep.n_peers, 1);

	c = call(f, CTL_SHOW_NHS);
	assert_true(c->rep.ended);
	assert_int_equal(c->rep.n_nhs, 1);
	assert_string_equal(c->rep.nhs[0].fqdn, "hub.example.net");

	c = call(f, CTL_SHOW_ROUTES);
	assert_false(c->rep.ended);
	assert_true(c->rep.has_result);
	assert_int_equal(c->rep.result.code, CTL_RES_NOT_FOUND);
	assert_string_equal(c->rep.result.message, "no routes table 42");

	c = call(f, CTL_SHOW_STATS);
	assert_true(c->rep.ended);
	assert_true(
		has_stat(&c->rep, "rx_by_type", "registration-request", &v));
	assert_int_equal(v, 12);
	assert_true(has_stat(&c->rep, "ctl", "requests", &v));
	assert_int_equal(v, 4);
	assert_true(has_stat(&c->rep, "ctl", "clients", &v));
	assert_int_equal(v, 1);
	assert_true(has_stat(&c->rep, "ctl_errors", "unknown_type", &v));
	assert_int_equal(v, 0);
	/* The daemon's sections come first. */
	assert_string_equal(c->rep.stats[0].section, "rx_by_type");

	c = call(f, CTL_SHOW_CONFIG);
	assert_true(c->rep.ended);
	assert_int_equal(c->rep.config_len, 10000);
	assert_string_equal(c->rep.config, f->config);

	c = call(f, CTL_RELOAD);
	assert_true(c->rep.has_result);
	assert_int_equal(c->rep.result.code, CTL_RES_OK);
	assert_string_equal(c->rep.result.message, "");

	c = call(f, CTL_FLUSH);
	assert_int_equal(c->rep.result.code, CTL_RES_OK);
	assert_string_equal(c->rep.result.message, "flushed 7 entries");
	assert_false(f->d.flush_had_addr);

	memset(&flush, 0, sizeof(flush));
	flush.req.has_addr = true;
	addr_parse(&flush.req.addr, "2001:db8::5");
	run_call(f, &flush, CTL_FLUSH, 9);
	assert_int_equal(flush.rc, 0);
	assert_string_equal(flush.rep.result.message, "flushed 1 entries");
	assert_true(f->d.flush_had_addr);
	assert_true(addr_eq(&f->d.flush_addr, &flush.req.addr));
	assert_int_equal(f->d.flush_calls, 2);
	ctl_replies_free(&flush.rep);

	memset(&flush, 0, sizeof(flush));
	flush.req.has_addr = true;
	addr_parse(&flush.req.addr, "10.0.0.9");
	run_call(f, &flush, CTL_PURGE, 10);
	assert_int_equal(flush.rc, 0);
	assert_int_equal(flush.rep.result.code, CTL_RES_ERROR);
	assert_string_equal(flush.rep.result.message, "PURGE failed");
	ctl_replies_free(&flush.rep);

	/* No log_level handler: the server sets it through log.h. */
	memset(&flush, 0, sizeof(flush));
	flush.req.log.level = LOG_LVL_WARN;
	flush.req.log.set_debug = true;
	flush.req.log.debug = DBG_CTL | DBG_NHRP;
	run_call(f, &flush, CTL_LOG_LEVEL, 11);
	assert_int_equal(flush.rc, 0);
	assert_int_equal(flush.rep.result.code, CTL_RES_OK);
	assert_string_equal(flush.rep.result.message,
			    "log level warn, debug ctl,nhrp");
	assert_int_equal(log_get_level(), LOG_LVL_WARN);
	assert_int_equal(log_dbg_mask(), DBG_CTL | DBG_NHRP);
	log_dbg_disable(DBG_ALL);
	log_set_level(saved);
	ctl_replies_free(&flush.rep);

	c = call(f, CTL_SHOW_STATS);
	assert_true(has_stat(&c->rep, "ctl", "requests", &v));
	assert_int_equal(v, 11);
	ctl_replies_free(&c->rep);
	fx_free(f);
}

static void
test_no_handlers(void **state)
{
	struct fx *f = fx_new(false);
	struct call *c;

	(void)state;
	fx_start(f);
	c = call(f, CTL_SHOW_PEERS);
	assert_true(c->rep.has_result);
	assert_int_equal(c->rep.result.code, CTL_RES_UNSUPPORTED);
	assert_string_equal(c->rep.result.message,
			    "SHOW_PEERS: not supported by this dmvpnd");
	c = call(f, CTL_RELOAD);
	assert_int_equal(c->rep.result.code, CTL_RES_UNSUPPORTED);
	/* No show_ike: a daemon without IKE, said in so many words. */
	c = call(f, CTL_SHOW_IKE);
	assert_false(c->rep.ended);
	assert_int_equal(c->rep.result.code, CTL_RES_UNSUPPORTED);
	assert_string_equal(c->rep.result.message,
			    "SHOW_IKE: IPsec is not configured");
	c = call(f, CTL_SHOW_SA);
	assert_int_equal(c->rep.result.code, CTL_RES_UNSUPPORTED);
	assert_string_equal(c->rep.result.message,
			    "SHOW_SA: IPsec is not configured");
	/* show stats still answers with the server's own counters. */
	c = call(f, CTL_SHOW_STATS);
	assert_true(c->rep.ended);
	assert_true(has_stat(&c->rep, "ctl", "accepted", NULL));
	assert_string_equal(c->rep.stats[0].section, "ctl");
	ctl_replies_free(&c->rep);
	fx_free(f);
}

/* One handler answers both, and the server ends them as listings. */
static void
test_show_ike(void **state)
{
	static const enum ctl_type types[] = {CTL_SHOW_IKE, CTL_SHOW_SA};
	struct fx *f = fx_new(true);
	struct call *c;
	size_t i;

	(void)state;
	fx_start(f);
	for (i = 0; i < 2; i++) {
		c = call(f, types[i]);
		assert_true(c->rep.ended);
		assert_false(c->rep.has_result);
		assert_int_equal(c->rep.n_ike_sas, 2);
		assert_int_equal(c->rep.n_child_sas, 1);
		assert_int_equal(c->rep.child_ike[0], 0);
		assert_int_equal(c->rep.child_sas[0].spi_in, 0xc0000123);
		assert_string_equal(c->rep.ike_sas[0].auth, "psk");
		assert_int_equal(c->rep.ike_sas[1].state, CTL_IKE_CONNECTING);
		assert_int_equal(c->rep.ike_sas[1].remote.family, AF_INET6);
	}

	/* A CHILD SA first is refused, and the rest still goes out. */
	f->d.child_first = true;
	c = call(f, CTL_SHOW_SA);
	assert_int_equal(f->d.child_rc, -1);
	assert_true(c->rep.ended);
	assert_int_equal(c->rep.n_ike_sas, 2);
	assert_int_equal(c->rep.n_child_sas, 0);
	/* ... and the next request starts with none sent. */
	c = call(f, CTL_SHOW_IKE);
	assert_int_equal(f->d.child_rc, -1);
	ctl_replies_free(&c->rep);
	fx_free(f);
}

/* Requests split into single bytes and several in one go. */
static void
test_partial_and_pipelined(void **state)
{
	static const char *const reqs = "0002 0005 00000000 00000001"
					"0002 0007 00000000 00000002"
					"0002 0002 00000000 00000003";
	struct fx *f = fx_new(true);
	struct ctl_replies rep;
	uint8_t b[64];
	size_t n = 0, i;
	unsigned int v;
	const char *h;
	int fd;

	(void)state;
	fx_start(f);
	fd = adopt_pair(f);
	for (h = reqs; *h != '\0'; h++) {
		if (*h == ' ')
			continue;
		assert_int_equal(sscanf(h, "%2x", &v), 1);
		b[n++] = (uint8_t)v;
		h++;
	}
	/* The first two byte by byte, the loop running in between. */
	for (i = 0; i < 24; i++) {
		assert_int_equal(send(fd, b + i, 1, 0), 1);
		pump(f, 0.001);
	}
	/* The third together with nothing else. */
	assert_int_equal(send(fd, b + 24, 12, 0), 12);
	ctl_reader_init(&rd);
	assert_int_equal(raw_answer(f, fd, &rd, 1, &rep), 1);
	assert_true(rep.ended);
	ctl_replies_free(&rep);
	assert_int_equal(raw_answer(f, fd, &rd, 2, &rep), 1);
	assert_int_equal(rep.result.code, CTL_RES_OK);
	ctl_replies_free(&rep);
	assert_int_equal(raw_answer(f, fd, &rd, 3, &rep), 1);
	assert_int_equal(rep.n_peers, 3);
	ctl_replies_free(&rep);
	/* A socketpair has credentials too. */
	assert_int_equal(f->d.cred_rc, 0);
	assert_int_equal(f->d.pid, getpid());
	close(fd);
	assert_true(raw_eof(f, -1) || true);
	pump(f, 0.01);
	assert_int_equal(ctl_server_stats(f->srv)->clients, 0);
	fx_free(f);
}

static void
expect_bad(struct fx *f, int fd, const char *hex, uint32_t seq, uint32_t code,
	   const char *msg)
{
	struct ctl_replies rep;

	raw_send(fd, hex);
	assert_int_equal(raw_answer(f, fd, &rd, seq, &rep), 1);
	assert_true(rep.has_result);
	assert_int_equal(rep.result.code, code);
	assert_string_equal(rep.result.message, msg);
	ctl_replies_free(&rep);
}

static void
test_bad_requests(void **state)
{
	struct fx *f = fx_new(true);
	const struct ctl_server_stats *st;
	struct ctl_replies rep;
	int fd;

	(void)state;
	fx_start(f);
	st = ctl_server_stats(f->srv);
	fd = adopt_pair(f);
	ctl_reader_init(&rd);
	/* Each is refused and the connection goes on. */
	expect_bad(f, fd, "0002 000d 00000000 00000005", 5, CTL_RES_BAD_REQUEST,
		   "UNKNOWN (type 13): unknown message type");
	expect_bad(f, fd, "0002 0040 00000000 00000006", 6, CTL_RES_BAD_REQUEST,
		   "PEER (type 64): unexpected message type");
	expect_bad(f, fd, "0002 0002 00000001 00000007 | 00", 7,
		   CTL_RES_BAD_REQUEST,
		   "SHOW_PEERS (type 2): payload too long for its type");
	expect_bad(f, fd, "0002 0009 00000001 00000008 | 00", 8,
		   CTL_RES_BAD_REQUEST,
		   "PURGE (type 9): payload too short for its type");
	expect_bad(f, fd,
		   "0002 0009 00000012 00000009 | 07 0a000001 "
		   "000000000000000000000000 20",
		   9, CTL_RES_BAD_REQUEST, "PURGE (type 9): malformed payload");
	raw_send(fd, "0002 0002 00000000 0000000a");
	assert_int_equal(raw_answer(f, fd, &rd, 10, &rep), 1);
	assert_int_equal(rep.n_peers, 3);
	ctl_replies_free(&rep);
	assert_int_equal(st->bad[CTL_E_TYPE], 1);
	assert_int_equal(st->bad[CTL_E_DIRECTION], 1);
	assert_int_equal(st->bad[CTL_E_LONG], 1);
	assert_int_equal(st->bad[CTL_E_SHORT], 1);
	assert_int_equal(st->bad[CTL_E_PAYLOAD], 1);

	/* Another version: told so (in its own version), then closed. */
	raw_send(fd, "0001 0002 00000000 0000000b");
	assert_int_equal(raw_answer(f, fd, &rd, 11, &rep), 1);
	assert_int_equal(rep.result.code, CTL_RES_VERSION);
	assert_string_equal(rep.result.message,
			    "protocol version mismatch: dmvpnd speaks 2, the "
			    "client 1");
	ctl_replies_free(&rep);
	assert_true(raw_eof(f, fd));
	close(fd);
	assert_int_equal(st->bad[CTL_E_VERSION], 1);

	/* Too long to frame: told so, then closed. */
	fd = adopt_pair(f);
	ctl_reader_init(&rd);
	raw_send(fd, "0002 0002 00010000 0000000c");
	assert_int_equal(raw_answer(f, fd, &rd, 12, &rep), 1);
	assert_int_equal(rep.result.code, CTL_RES_BAD_REQUEST);
	assert_string_equal(rep.result.message,
			    "message too long (65536 bytes)");
	ctl_replies_free(&rep);
	assert_true(raw_eof(f, fd));
	close(fd);
	assert_int_equal(st->bad[CTL_E_TOO_LONG], 1);

	/* A client that asks and hangs up at once costs nothing. */
	fd = adopt_pair(f);
	raw_send(fd, "0002 0002 00000000 0000000d");
	close(fd);
	pump(f, 0.02);
	assert_int_equal(st->clients, 0);
	fx_free(f);
}

/* A reply the server had to send in another version, seen by ctl_client. */
static void
test_version_told_to_client(void **state)
{
	struct fx *f = fx_new(true);
	struct ctl_replies rep;
	char err[256];
	int sv[2];
	struct ctl_request req;

	(void)state;
	/* The "daemon" end answers in protocol 1 before it is asked. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	raw_send(sv[0], "0001 0047 00000006 00000000 | 00000003 0000");
	memset(&req, 0, sizeof(req));
	req.type = CTL_SHOW_PEERS;
	req.seq = 1;
	assert_int_equal(
		ctl_client_call(sv[1], &req, 1000, &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "dmvpnctl speaks control protocol 2 but "
				 "dmvpnd speaks 1: use the dmvpnctl of the "
				 "running release");
	close(sv[0]);
	close(sv[1]);
	fx_free(f);
}

static void
test_slow_client_dropped(void **state)
{
	struct fx *f = fx_new(true);
	const struct ctl_server_stats *st;
	int fd;

	(void)state;
	f->conf.max_outq = 128 * 1024;
	f->d.npeers = 5000; /* ~600 KiB of replies */
	fx_start(f);
	st = ctl_server_stats(f->srv);
	fd = adopt_pair(f);
	raw_send(fd, "0002 0002 00000000 00000001");
	pump(f, 0.02); /* and never read */
	assert_int_equal(st->dropped_slow, 1);
	assert_int_equal(st->clients, 0);
	assert_true(f->d.sent > 0);
	assert_true(f->d.refused > 0);
	assert_int_equal(f->d.sent + f->d.refused, 5000);
	assert_true(raw_eof(f, fd));
	close(fd);
	fx_free(f);
}

/* A big answer to a client that keeps reading goes through whole. */
static void
test_big_answer(void **state)
{
	struct fx *f = fx_new(true);
	struct call *c;

	(void)state;
	f->d.npeers = 20000; /* ~2.4 MB: beyond the socket buffers */
	fx_start(f);
	c = call(f, CTL_SHOW_PEERS);
	assert_true(c->rep.ended);
	assert_int_equal(c->rep.n_peers, 20000);
	assert_int_equal(c->rep.peers[19999].uptime, 19999);
	assert_int_equal(ctl_server_stats(f->srv)->dropped_slow, 0);
	ctl_replies_free(&c->rep);
	fx_free(f);
}

static void
test_max_clients(void **state)
{
	struct fx *f = fx_new(true);
	const struct ctl_server_stats *st;
	struct ctl_replies rep;
	int a, b, c;
	struct call *k;

	(void)state;
	f->conf.max_clients = 2;
	fx_start(f);
	st = ctl_server_stats(f->srv);
	a = raw_connect(f->path);
	b = raw_connect(f->path);
	pump(f, 0.01);
	assert_int_equal(st->clients, 2);
	c = raw_connect(f->path);
	ctl_reader_init(&rd);
	assert_int_equal(raw_answer(f, c, &rd, 1, &rep), 1);
	assert_int_equal(rep.result.code, CTL_RES_BUSY);
	assert_string_equal(rep.result.message, "too many control clients");
	ctl_replies_free(&rep);
	assert_true(raw_eof(f, c));
	close(c);
	assert_int_equal(st->busy, 1);
	/* A slot freed is a slot to use. */
	close(a);
	pump(f, 0.01);
	k = call(f, CTL_SHOW_PEERS);
	assert_int_equal(k->rep.n_peers, 3);
	ctl_replies_free(&k->rep);
	close(b);
	fx_free(f);
}

static void
test_idle_dropped(void **state)
{
	struct fx *f = fx_new(true);
	int fd;

	(void)state;
	f->conf.idle_timeout = 0.05;
	fx_start(f);
	fd = raw_connect(f->path);
	raw_send(fd, "0002 0002"); /* half a header, then nothing */
	pump(f, 0.2);
	assert_int_equal(ctl_server_stats(f->srv)->dropped_idle, 1);
	assert_int_equal(ctl_server_stats(f->srv)->clients, 0);
	assert_true(raw_eof(f, fd));
	close(fd);
	fx_free(f);
}

static void
test_socket_file(void **state)
{
	struct fx *f = fx_new(true);
	struct ctl_server *other;
	struct sockaddr_un sun;
	struct ctl_server_conf conf;
	char file[160];
	struct stat st;
	int fd;

	(void)state;
	/* A stale socket left by a killed daemon is taken over. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_true(strlen(f->path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, f->path, strlen(f->path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(stat(f->path, &st), 0);
	errno = 0;
	assert_int_equal(ctl_client_connect(f->path), -1);
	assert_int_equal(errno, ECONNREFUSED);
	fx_start(f);

	/* A live one is not. */
	conf = f->conf;
	errno = 0;
	other = ctl_server_new(f->loop, &conf, &f->h);
	assert_null(other);
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(call(f, CTL_SHOW_PEERS)->rep.n_peers, 3);
	ctl_replies_free(&call(f, CTL_SHOW_PEERS)->rep);

	/* Nor is anything that is not a socket. */
	snprintf(file, sizeof(file), "%s/plain", f->dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	conf.path = file;
	errno = 0;
	assert_null(ctl_server_new(f->loop, &conf, &f->h));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(stat(file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(file);

	/* A path too long for sun_path. */
	memset(file, 'x', sizeof(file) - 1);
	file[0] = '/';
	file[sizeof(file) - 1] = '\0';
	conf.path = file;
	errno = 0;
	assert_null(ctl_server_new(f->loop, &conf, &f->h));
	assert_int_equal(errno, ENAMETOOLONG);
	errno = 0;
	assert_int_equal(ctl_client_connect(file), -1);
	assert_int_equal(errno, ENAMETOOLONG);

	/* Freed, the server removes its socket. */
	ctl_server_free(f->srv);
	f->srv = NULL;
	assert_int_equal(stat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(ctl_client_connect(f->path), -1);
	assert_int_equal(errno, ENOENT);
	fx_free(f);
}

static void
test_client_failures(void **state)
{
	struct ctl_request req;
	struct ctl_replies rep;
	struct sockaddr_un sun;
	char dir[] = "/tmp/dmvpn-ctl.XXXXXX", err[256];
	int sv[2], lfd, fd;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.type = CTL_SHOW_PEERS;
	req.seq = 4;

	/* A hung daemon: it listens but never answers. */
	assert_non_null(mkdtemp(dir));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/hung.sock", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	fd = ctl_client_connect(sun.sun_path);
	assert_true(fd >= 0);
	assert_int_equal(ctl_client_call(fd, &req, 200, &rep, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "dmvpnd did not answer within 0.2 s");
	close(fd);
	close(lfd);
	unlink(sun.sun_path);
	rmdir(dir);

	/* A reply to another request. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	raw_send(sv[0], "0002 0046 00000000 00000005");
	assert_int_equal(
		ctl_client_call(sv[1], &req, 1000, &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "bad reply from dmvpnd: reply to another "
				 "request (END, 0 bytes)");
	close(sv[0]);
	close(sv[1]);

	/* A request sent back as if it were a reply. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	raw_send(sv[0], "0002 0002 00000000 00000004");
	assert_int_equal(
		ctl_client_call(sv[1], &req, 1000, &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "bad reply from dmvpnd: unexpected message "
				 "type (SHOW_PEERS, 0 bytes)");
	close(sv[0]);
	close(sv[1]);

	/* Gone without a word. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[0]);
	assert_int_equal(
		ctl_client_call(sv[1], &req, 1000, &rep, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "dmvpnd closed the connection without an answer");
	close(sv[1]);

	/* Refused before the request (seq 0), then gone: the refusal. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	raw_send(sv[0], "0002 0047 00000008 00000000 | 00000004 0002 6e6f");
	close(sv[0]);
	assert_int_equal(
		ctl_client_call(sv[1], &req, 1000, &rep, err, sizeof(err)), 0);
	assert_true(rep.has_result);
	assert_int_equal(rep.result.code, CTL_RES_DENIED);
	assert_string_equal(rep.result.message, "no");
	ctl_replies_free(&rep);
	close(sv[1]);
}

static void
test_detached(void **state)
{
	struct fx *f = fx_new(true);
	struct ctl_conn *c;
	struct ctl_replies rep;
	struct ctl_msg m;
	enum ctl_err e;
	uint8_t out[4096], in[] = {0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9,
				   0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 10};
	pid_t pid;
	uid_t uid;
	gid_t gid;
	size_t n;

	(void)state;
	f->conf.path = NULL; /* no listener at all */
	fx_start(f);
	c = ctl_conn_detached(f->srv);
	assert_non_null(c);
	assert_int_equal(ctl_conn_cred(c, &pid, &uid, &gid), -1);
	assert_int_equal(ctl_conn_input(c, in, sizeof(in)), 0);
	n = ctl_conn_output(c, out, sizeof(out));
	ctl_reader_init(&rd);
	assert_int_equal(ctl_reader_feed(&rd, out, n), n);
	memset(&rep, 0, sizeof(rep));
	while (ctl_reader_next(&rd, &m, &e) == 1)
		if (ctl_replies_add(&rep, 9, &m, &e) == 1)
			break;
	assert_true(rep.ended);
	assert_int_equal(rep.n_peers, 3);
	ctl_replies_free(&rep);
	while (ctl_reader_next(&rd, &m, &e) == 1)
		if (ctl_replies_add(&rep, 10, &m, &e) == 1)
			break;
	assert_true(rep.ended);
	assert_int_equal(rep.n_nhs, 1);
	ctl_replies_free(&rep);
	assert_int_equal(ctl_conn_output(c, out, sizeof(out)), 0);
	/* A fatal error: -1, the server would close. */
	assert_int_equal(ctl_conn_input(c, "\0\7\0\2\0\0\0\0\0\0\0\1", 12), -1);
	ctl_conn_free(c);
	ctl_conn_free(NULL);
	assert_int_equal(ctl_server_stats(f->srv)->clients, 0);
	/* Connections still open when the server goes are closed. */
	assert_non_null(ctl_conn_detached(f->srv));
	(void)adopt_pair(f);
	fx_free(f);
	ctl_server_free(NULL);
}

static void
test_cred_policy(void **state)
{
	gid_t groups[] = {10, 20, 30};

	(void)state;
	assert_true(ctl_cred_allowed(0, 0, NULL, 0, 1000, (gid_t)-1));
	assert_true(ctl_cred_allowed(1000, 1000, NULL, 0, 1000, (gid_t)-1));
	assert_false(ctl_cred_allowed(1001, 1001, NULL, 0, 1000, (gid_t)-1));
	assert_false(ctl_cred_allowed(1001, 1001, groups, 3, 0, (gid_t)-1));
	assert_true(ctl_cred_allowed(1001, 20, NULL, 0, 0, 20));
	assert_true(ctl_cred_allowed(1001, 1001, groups, 3, 0, 30));
	assert_false(ctl_cred_allowed(1001, 1001, groups, 3, 0, 40));
	assert_false(ctl_cred_allowed(1001, 1001, groups, 0, 0, 10));
}

/* In a child: drop to uid 65534 with the given groups and ask. */
static int
child_ask(const char *path, gid_t gid, const gid_t *groups, size_t n)
{
	struct ctl_request req;
	struct ctl_replies rep;
	char err[256];
	int fd;

	if (setgroups(n, groups) == -1 || setgid(gid) == -1 ||
	    setuid(65534) == -1)
		return 10;
	if ((fd = ctl_client_connect(path)) == -1)
		return 11;
	memset(&req, 0, sizeof(req));
	req.type = CTL_SHOW_PEERS;
	req.seq = 1;
	if (ctl_client_call(fd, &req, 3000, &rep, err, sizeof(err)) == -1)
		return 12;
	if (rep.has_result && rep.result.code == CTL_RES_DENIED)
		return 1;
	return rep.ended && rep.n_peers == 3 ? 0 : 13;
}

static int
run_child(struct fx *f, gid_t gid, const gid_t *groups, size_t n)
{
	pid_t pid = fork();
	int status, i;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_ask(f->path, gid, groups, n));
	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
		pump(f, 0.005);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 98;
}

/* Real unprivileged peers: needs root to change identity. */
static void
test_cred_children(void **state)
{
	struct fx *f;
	struct group *gr;
	const struct ctl_server_stats *st;
	gid_t other = 1, grp;
	struct stat sb;

	(void)state;
	gr = geteuid() == 0 ? getgrgid(65534) : NULL;
	if (gr == NULL) {
		skip();
		return;
	}
	grp = gr->gr_gid;
	f = fx_new(true);
	f->conf.group = gr->gr_name;
	fx_start(f);
	st = ctl_server_stats(f->srv);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0660);
	assert_int_equal(sb.st_gid, grp);
	/* Past the file mode, so SO_PEERCRED is what decides. */
	assert_int_equal(chmod(f->dir, 0755), 0);
	assert_int_equal(chmod(f->path, 0666), 0);

	assert_int_equal(run_child(f, grp, NULL, 0), 0);   /* primary group */
	assert_int_equal(run_child(f, other, &grp, 1), 0); /* supplementary */
	assert_int_equal(run_child(f, other, NULL, 0), 1); /* neither */
	assert_int_equal(st->denied, 1);
	assert_int_equal(st->accepted, 2);
	fx_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_over_path),
		cmocka_unit_test(test_every_request),
		cmocka_unit_test(test_no_handlers),
		cmocka_unit_test(test_show_ike),
		cmocka_unit_test(test_partial_and_pipelined),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_version_told_to_client),
		cmocka_unit_test(test_slow_client_dropped),
		cmocka_unit_test(test_big_answer),
		cmocka_unit_test(test_max_clients),
		cmocka_unit_test(test_idle_dropped),
		cmocka_unit_test(test_socket_file),
		cmocka_unit_test(test_client_failures),
		cmocka_unit_test(test_detached),
		cmocka_unit_test(test_cred_policy),
		cmocka_unit_test(test_cred_children),
	};

	signal(SIGPIPE, SIG_IGN);
	log_init(true, "test_ctl_server", 0);
	log_set_level(LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
