/*
 * Unit tests for the DNS watcher against a tiny DNS server on loopback in
 * the same libev loop: all A and AAAA records, re-resolution when the TTL
 * runs out (bounded), changes and failures, and cancelling a watch with a
 * query in flight.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmvpn/buf.h"
#include "dmvpn/dns.h"

/* The fake server's zone: one name, its records, their TTL. */
static struct {
	int fd;
	ev_io io;
	char name[64];
	struct addr addrs[4];
	size_t n;
	uint32_t ttl;
	bool nxdomain;
	unsigned int queries;
	bool silent; /* drop queries (to test cancel in flight) */
} srv;

/* Read a query name into out ("a.b"); -1 on anything odd. */
static int
get_qname(struct buf *b, char *out, size_t outlen)
{
	size_t used = 0;
	uint8_t l;

	while ((l = buf_get_u8(b)) != 0) {
		const uint8_t *p = buf_get_bytes(b, l);

		if (p == NULL || l > 63 || used + l + 2 > outlen)
			return -1;
		if (used > 0)
			out[used++] = '.';
		memcpy(out + used, p, l);
		used += l;
	}
	out[used] = '\0';
	return buf_ok(b) ? 0 : -1;
}

static void
on_query(struct ev_loop *loop, ev_io *io, int revents)
{
	uint8_t in[512], out[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct buf b;
	struct wbuf w;
	uint16_t id, qtype;
	size_t qend, i, an = 0;
	char name[64];
	ssize_t n;

	(void)loop;
	(void)revents;
	n = recvfrom(io->fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);
	if (n <= 12)
		return;
	srv.queries++;
	if (srv.silent)
		return;
	buf_init(&b, in, (size_t)n);
	id = buf_get_be16(&b);
	buf_skip(&b, 10);
	if (get_qname(&b, name, sizeof(name)) == -1)
		return;
	qtype = buf_get_be16(&b);
	buf_skip(&b, 2);
	qend = b.off;
	for (i = 0; i < srv.n; i++)
		an += (qtype == 1 && srv.addrs[i].len == 4) ||
		      (qtype == 28 && srv.addrs[i].len == 16);
	if (strcmp(name, srv.name) != 0 || srv.nxdomain)
		an = 0;
	wbuf_init(&w, out, sizeof(out));
	buf_put_be16(&w, id);
	buf_put_be16(&w, (strcmp(name, srv.name) != 0 || srv.nxdomain)
				 ? 0x8183 /* NXDOMAIN */
				 : 0x8180);
	buf_put_be16(&w, 1);
	buf_put_be16(&w, (uint16_t)an);
	buf_put_be16(&w, 0);
	buf_put_be16(&w, 0);
	buf_put_bytes(&w, in + 12, qend - 12);
	for (i = 0; i < srv.n && an > 0; i++) {
		const struct addr *a = &srv.addrs[i];

		if (!((qtype == 1 && a->len == 4) ||
		      (qtype == 28 && a->len == 16)))
			continue;
		buf_put_be16(&w, 0xc00c); /* pointer to the question name */
		buf_put_be16(&w, qtype);
		buf_put_be16(&w, 1);
		buf_put_be32(&w, srv.ttl);
		buf_put_be16(&w, a->len);
		buf_put_bytes(&w, a->bytes, a->len);
	}
	sendto(io->fd, out, wbuf_len(&w), 0, (struct sockaddr *)&from, fl);
}

static char servers[64];

static void
srv_start(struct ev_loop *loop)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	srv.fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(srv.fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(srv.fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", ntohs(sa.sin_port));
	ev_io_init(&srv.io, on_query, srv.fd, EV_READ);
	ev_io_start(loop, &srv.io);
}

static void
srv_stop(struct ev_loop *loop)
{
	ev_io_stop(loop, &srv.io);
	close(srv.fd);
}

struct result {
	struct addr addrs[DNS_MAX_ADDRS];
	size_t n;
	unsigned int calls;
	bool failed;
	struct ev_loop *loop;
	unsigned int stop_after;
};

static void
on_result(void *arg, const char *name, const struct addr *addrs, size_t n,
	  const char *err)
{
	struct result *r = arg;

	(void)name;
	memcpy(r->addrs, addrs, n * sizeof(*addrs));
	r->n = n;
	r->failed = err != NULL;
	if (++r->calls >= r->stop_after)
		ev_break(r->loop, EVBREAK_ALL);
}

static ev_timer guard;

static void
on_guard(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* Run the loop until `calls` answers or 5 s pass. */
static void
run_until(struct ev_loop *loop, struct result *r, unsigned int calls)
{
	r->stop_after = calls;
	ev_timer_init(&guard, on_guard, 5., 0.);
	ev_timer_start(loop, &guard);
	ev_run(loop, 0);
	ev_timer_stop(loop, &guard);
}

static bool
has(const struct result *r, const char *s)
{
	struct addr a;
	size_t i;

	addr_parse(&a, s);
	for (i = 0; i < r->n; i++)
		if (addr_eq(&r->addrs[i], &a))
			return true;
	return false;
}

static int
setup(void **state)
{
	memset(&srv, 0, sizeof(srv));
	snprintf(srv.name, sizeof(srv.name), "hub.dmvpn.test");
	addr_parse(&srv.addrs[0], "192.0.2.1");
	addr_parse(&srv.addrs[1], "198.51.100.1");
	addr_parse(&srv.addrs[2], "2001:db8::1");
	srv.n = 3;
	srv.ttl = 300;
	*state = ev_loop_new(EVFLAG_AUTO);
	srv_start(*state);
	return 0;
}

static int
teardown(void **state)
{
	srv_stop(*state);
	ev_loop_destroy(*state);
	return 0;
}

static void
test_all_records(void **state)
{
	struct ev_loop *loop = *state;
	const char *why = NULL;
	struct dns *d = dns_new(loop, servers, &why);
	struct result r = {.loop = loop};
	struct dns_watch *w;

	assert_non_null(d);
	w = dns_watch(d, "hub.dmvpn.test", on_result, &r);
	assert_non_null(w);
	run_until(loop, &r, 1);
	assert_int_equal(r.calls, 1);
	assert_false(r.failed);
	assert_int_equal(r.n, 3);
	assert_true(has(&r, "192.0.2.1"));
	assert_true(has(&r, "198.51.100.1"));
	assert_true(has(&r, "2001:db8::1"));
	dns_unwatch(w);
	dns_free(d);
}

static void
test_ttl_reresolve_and_change(void **state)
{
	struct ev_loop *loop = *state;
	const char *why = NULL;
	struct dns *d = dns_new(loop, servers, &why);
	struct result r = {.loop = loop};

	/* TTL 0 from the server, bounded up to 0.2 s here (60 s live). */
	srv.ttl = 0;
	dns_set_ttl_bounds(d, 0.2, 1);
	dns_watch(d, "hub.dmvpn.test", on_result, &r);
	run_until(loop, &r, 1);
	assert_int_equal(r.n, 3);
	/* The hub moves: the next resolution sees it. */
	addr_parse(&srv.addrs[0], "203.0.113.7");
	srv.n = 1;
	run_until(loop, &r, 2);
	assert_int_equal(r.calls, 2);
	assert_int_equal(r.n, 1);
	assert_true(has(&r, "203.0.113.7"));
	dns_free(d);
}

static void
test_failure_retries(void **state)
{
	struct ev_loop *loop = *state;
	const char *why = NULL;
	struct dns *d = dns_new(loop, servers, &why);
	struct result r = {.loop = loop};

	srv.nxdomain = true;
	dns_set_ttl_bounds(d, 0.2, 1);
	dns_watch(d, "hub.dmvpn.test", on_result, &r);
	run_until(loop, &r, 1);
	assert_true(r.failed);
	assert_int_equal(r.n, 0);
	srv.nxdomain = false;
	run_until(loop, &r, 2);
	assert_false(r.failed);
	assert_int_equal(r.n, 3);
	dns_free(d);
}

static void
test_cancel_in_flight(void **state)
{
	struct ev_loop *loop = *state;
	const char *why = NULL;
	struct dns *d = dns_new(loop, servers, &why);
	struct result r = {.loop = loop};
	struct dns_watch *w;

	srv.silent = true;
	w = dns_watch(d, "hub.dmvpn.test", on_result, &r);
	/* Let the query leave, then cancel: no callback, no leak. */
	ev_run(loop, EVRUN_NOWAIT);
	ev_run(loop, EVRUN_NOWAIT);
	dns_unwatch(w);
	w = dns_watch(d, "hub.dmvpn.test", on_result, &r);
	dns_refresh(w);
	dns_free(d);
	assert_int_equal(r.calls, 0);
	dns_free(NULL);
	dns_unwatch(NULL);
}

static void
test_bad_servers(void **state)
{
	const char *why = NULL;

	assert_null(dns_new(*state, "not an address", &why));
	assert_non_null(why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ttl_reresolve_and_change,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_retries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancel_in_flight, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_servers, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
