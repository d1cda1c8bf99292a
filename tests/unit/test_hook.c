/*
 * The pure parts of the hook runner (src/hook): an NHRP event turned into
 * opennhrp-script's command line and environment, variable by variable;
 * the queue policy (bounded, oldest dropped, a cap on scripts running,
 * one script at a time per peer) under a registration storm; output cut
 * into log lines; exit statuses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "dmvpn/hook.h"

#define SCRIPT "/etc/dmvpn/hook"

static struct prefix tun_addrs[2];

static struct addr
A(const char *s) {
	struct addr a;

	assert_int_equal(addr_parse(&a, s), 0);
	return a;
}

static struct prefix
P(const char *s) {
	struct prefix p;

	assert_int_equal(prefix_parse(&p, s), 0);
	return p;
}

static struct hook_iface
gre1(void)
{
	struct hook_iface ifc;

	tun_addrs[0] = P("172.16.0.1/24");
	tun_addrs[1] = P("2001:db8:16::1/64");
	memset(&ifc, 0, sizeof(ifc));
	ifc.ifname = "gre1";
	ifc.gre_key = 42;
	ifc.addresses = tun_addrs;
	ifc.naddresses = 2;
	ifc.nbma = A("192.0.2.1");
	return ifc;
}

static struct nhrp_intent
intent(enum nhrp_event event, enum nhrp_cache_type kind)
{
	struct nhrp_intent in;

	memset(&in, 0, sizeof(in));
	in.type = NHRP_I_EVENT;
	in.event = event;
	in.kind = kind;
	return in;
}

/* he's environment must be exactly want (NULL-terminated), in order. */
static void
assert_env(const struct hook_env *he, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		if (i >= he->nenv)
			fail_msg("missing %s", want[i]);
		assert_string_equal(he->envp[i], want[i]);
	}
	if (i != he->nenv)
		fail_msg("unexpected %s", he->envp[i]);
	assert_null(he->envp[he->nenv]);
}

static void
build(struct hook_env *he, const struct nhrp_intent *in, struct hook_event *evp)
{
	struct hook_iface ifc = gre1();
	struct hook_event ev;

	assert_int_equal(hook_event_from_intent(&ev, &ifc, in), 0);
	assert_int_equal(hook_env_build(he, SCRIPT, &ev), 0);
	assert_string_equal(he->argv[0], SCRIPT);
	assert_string_equal(he->argv[1], hook_event_name(in->event));
	assert_null(he->argv[2]);
	if (evp != NULL)
		*evp = ev;
}

static void
test_peer_up_behind_nat(void **state)
{
	struct nhrp_intent in = intent(NHRP_EV_PEER_UP, NHRP_CACHE_DYNAMIC);
	static const char *const want[] = {
		"PATH=" HOOK_PATH,
		"NHRP_TYPE=dynamic",
		"NHRP_SRCADDR=172.16.0.1",
		"NHRP_SRCNBMA=192.0.2.1",
		"NHRP_DESTADDR=172.16.0.10",
		"NHRP_DESTPREFIX=32",
		"NHRP_DESTNBMA=198.51.100.7",
		"NHRP_DESTMTU=1400",
		"NHRP_DESTNBMA_NAT_OA=10.0.0.7",
		"NHRP_INTERFACE=gre1",
		"NHRP_GRE_KEY=42",
		NULL,
	};
	struct hook_env he;

	(void)state;
	in.dst = P("172.16.0.10/32");
	in.proto = A("172.16.0.10");
	in.nbma = A("198.51.100.7");
	in.claimed_nbma = A("10.0.0.7");
	in.mtu = 1400;
	build(&he, &in, NULL);
	assert_env(&he, want);
	assert_string_equal(hook_env_get(&he, "NHRP_DESTNBMA"), "198.51.100.7");
	assert_null(hook_env_get(&he, "NHRP_DEST"));
	assert_null(hook_env_get(&he, "NHRP_NEXTHOP"));
}

static void
test_peer_down_reason(void **state)
{
	struct nhrp_intent in = intent(NHRP_EV_PEER_DOWN, NHRP_CACHE_STATIC);
	static const char *const want[] = {
		"PATH=" HOOK_PATH,
		"NHRP_TYPE=static",
		"NHRP_SRCADDR=172.16.0.1",
		"NHRP_SRCNBMA=192.0.2.1",
		"NHRP_DESTADDR=172.16.0.254",
		"NHRP_DESTPREFIX=32",
		"NHRP_PEER_DOWN_REASON=user-request",
		"NHRP_DESTNBMA=203.0.113.254",
		"NHRP_INTERFACE=gre1",
		"NHRP_GRE_KEY=42",
		NULL,
	};
	struct hook_env he;

	(void)state;
	in.dst = P("172.16.0.254/32");
	in.proto = A("172.16.0.254");
	in.nbma = A("203.0.113.254");
	/* Claimed equal to seen: no NAT, no NAT_OA. */
	in.claimed_nbma = A("203.0.113.254");
	in.reason = "user-request";
	build(&he, &in, NULL);
	assert_env(&he, want);
}

static void
test_route_up_shortcut(void **state)
{
	struct nhrp_intent in = intent(NHRP_EV_ROUTE_UP, NHRP_CACHE_SHORTCUT);
	static const char *const want[] = {
		"PATH=" HOOK_PATH,          "NHRP_TYPE=shortcut-route",
		"NHRP_SRCADDR=172.16.0.1",  "NHRP_SRCNBMA=192.0.2.1",
		"NHRP_DESTADDR=10.2.0.0",   "NHRP_DESTPREFIX=24",
		"NHRP_NEXTHOP=172.16.0.20", "NHRP_INTERFACE=gre1",
		"NHRP_GRE_KEY=42",          NULL,
	};
	struct hook_env he;
	struct hook_event ev;

	(void)state;
	in.dst = P("10.2.0.0/24");
	in.proto = A("172.16.0.20");
	in.nbma = A("198.51.100.20");
	in.mtu = 1400;
	build(&he, &in, &ev);
	assert_env(&he, want);
	assert_true(hook_event_is_route(&ev));
}

static void
test_route_down_local(void **state)
{
	struct nhrp_intent in = intent(NHRP_EV_ROUTE_DOWN, NHRP_CACHE_LOCAL);
	struct hook_env he;

	(void)state;
	in.dst = P("10.1.0.0/24");
	in.proto = A("172.16.0.1");
	in.reason = "expired";
	build(&he, &in, NULL);
	assert_string_equal(hook_env_get(&he, "NHRP_TYPE"), "local-route");
	assert_string_equal(hook_env_get(&he, "NHRP_PEER_DOWN_REASON"),
			    "expired");
	assert_string_equal(hook_env_get(&he, "NHRP_NEXTHOP"), "172.16.0.1");
}

static void
test_nhs_up(void **state)
{
	struct nhrp_intent in = intent(NHRP_EV_NHS_UP, NHRP_CACHE_NHS);
	static const char *const want[] = {
		"PATH=" HOOK_PATH,
		"NHRP_TYPE=dynamic-nhs",
		"NHRP_SRCADDR=172.16.0.1",
		"NHRP_SRCNBMA=192.0.2.1",
		"NHRP_DESTADDR=172.16.0.2",
		"NHRP_DESTPREFIX=32",
		"NHRP_DESTNBMA=198.51.100.2",
		"NHRP_INTERFACE=gre1",
		"NHRP_GRE_KEY=42",
		NULL,
	};
	struct hook_env he;

	(void)state;
	in.proto = A("172.16.0.2");
	in.nbma = A("198.51.100.2");
	build(&he, &in, NULL);
	assert_env(&he, want);
}

/* `nhs dynamic` before its reply: no tunnel address to tell yet. */
static void
test_nhs_down_unlearned(void **state)
{
	struct nhrp_intent in = intent(NHRP_EV_NHS_DOWN, NHRP_CACHE_NHS);
	static const char *const want[] = {
		"PATH=" HOOK_PATH,
		"NHRP_TYPE=dynamic-nhs",
		"NHRP_SRCADDR=172.16.0.1",
		"NHRP_SRCNBMA=192.0.2.1",
		"NHRP_PEER_DOWN_REASON=lower-down",
		"NHRP_DESTNBMA=198.51.100.2",
		"NHRP_INTERFACE=gre1",
		"NHRP_GRE_KEY=42",
		NULL,
	};
	struct hook_env he;

	(void)state;
	in.nbma = A("198.51.100.2");
	in.reason = "lower-down";
	build(&he, &in, NULL);
	assert_env(&he, want);
}

static void
test_ipv6_peer_source(void **state)
{
	struct nhrp_intent in = intent(NHRP_EV_PEER_UP, NHRP_CACHE_SHORTCUT);
	struct hook_env he;

	(void)state;
	in.dst = P("2001:db8:16::20/128");
	in.proto = A("2001:db8:16::20");
	in.nbma = A("198.51.100.20");
	build(&he, &in, NULL);
	assert_string_equal(hook_env_get(&he, "NHRP_TYPE"), "cached");
	assert_string_equal(hook_env_get(&he, "NHRP_SRCADDR"),
			    "2001:db8:16::1");
	assert_string_equal(hook_env_get(&he, "NHRP_DESTADDR"),
			    "2001:db8:16::20");
	assert_string_equal(hook_env_get(&he, "NHRP_DESTPREFIX"), "128");
}

static void
test_no_key_no_addresses(void **state)
{
	struct nhrp_intent in = intent(NHRP_EV_PEER_UP, NHRP_CACHE_LOCAL);
	struct hook_iface ifc;
	struct hook_event ev;
	struct hook_env he;

	(void)state;
	memset(&ifc, 0, sizeof(ifc));
	ifc.ifname = "tun-with-long-n"; /* 15 characters */
	in.dst = P("172.16.0.1/32");
	assert_int_equal(hook_event_from_intent(&ev, &ifc, &in), 0);
	assert_int_equal(hook_env_build(&he, SCRIPT, &ev), 0);
	assert_string_equal(hook_env_get(&he, "NHRP_TYPE"), "local");
	assert_string_equal(hook_env_get(&he, "NHRP_GRE_KEY"), "0");
	assert_string_equal(hook_env_get(&he, "NHRP_INTERFACE"),
			    "tun-with-long-n");
	assert_null(hook_env_get(&he, "NHRP_SRCADDR"));
	assert_null(hook_env_get(&he, "NHRP_SRCNBMA"));
	assert_null(hook_env_get(&he, "NHRP_DESTNBMA"));
}

static void
test_names(void **state)
{
	struct hook_event ev;

	(void)state;
	assert_string_equal(hook_event_name(NHRP_EV_PEER_UP), "peer-up");
	assert_string_equal(hook_event_name(NHRP_EV_PEER_DOWN), "peer-down");
	assert_string_equal(hook_event_name(NHRP_EV_NHS_UP), "nhs-up");
	assert_string_equal(hook_event_name(NHRP_EV_NHS_DOWN), "nhs-down");
	assert_string_equal(hook_event_name(NHRP_EV_ROUTE_UP), "route-up");
	assert_string_equal(hook_event_name(NHRP_EV_ROUTE_DOWN), "route-down");
	assert_string_equal(hook_event_name((enum nhrp_event)99), "unknown");
	memset(&ev, 0, sizeof(ev));
	ev.event = NHRP_EV_PEER_UP;
	ev.kind = NHRP_CACHE_INCOMPLETE;
	assert_string_equal(hook_type_name(&ev), "incomplete");
	ev.kind = NHRP_CACHE_NEGATIVE;
	assert_string_equal(hook_type_name(&ev), "negative");
	ev.kind = (enum nhrp_cache_type)99;
	assert_string_equal(hook_type_name(&ev), "unknown");
}

static void
test_bad_input(void **state)
{
	struct nhrp_intent in = intent(NHRP_EV_PEER_UP, NHRP_CACHE_DYNAMIC);
	struct hook_iface ifc = gre1();
	struct hook_event ev;
	struct hook_env he;
	char *longpath = malloc(HOOK_SCRIPT_MAX + 1);

	(void)state;
	assert_non_null(longpath);
	in.type = NHRP_I_NEIGH_SET;
	errno = 0;
	assert_int_equal(hook_event_from_intent(&ev, &ifc, &in), -1);
	assert_int_equal(errno, EINVAL);
	in.type = NHRP_I_EVENT;
	assert_int_equal(hook_event_from_intent(&ev, &ifc, &in), 0);
	memset(longpath, 'x', HOOK_SCRIPT_MAX);
	longpath[0] = '/';
	longpath[HOOK_SCRIPT_MAX] = '\0';
	errno = 0;
	assert_int_equal(hook_env_build(&he, longpath, &ev), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	errno = 0;
	assert_null(hook_job_new(longpath, &ev));
	assert_int_equal(errno, ENAMETOOLONG);
	/* The longest path that fits still leaves room for the variables. */
	longpath[HOOK_SCRIPT_MAX - 1] = '\0';
	in.dst = P("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128");
	in.nbma = A("2001:db8:ffff:ffff:ffff:ffff:ffff:fffe");
	in.claimed_nbma = A("2001:db8:ffff:ffff:ffff:ffff:ffff:fffd");
	in.mtu = 65535;
	in.reason = "a reason that is longer than the field holds, cut";
	assert_int_equal(hook_event_from_intent(&ev, &ifc, &in), 0);
	assert_int_equal(hook_env_build(&he, longpath, &ev), 0);
	assert_int_equal(strlen(hook_env_get(&he, "NHRP_PEER_DOWN_REASON")),
			 HOOK_REASON_MAX - 1);
	free(longpath);
}

/* ---- the queue ---- */

static struct hook_job *
job(const char *ifname, const char *dst, enum nhrp_event event)
{
	struct hook_event ev;
	struct hook_job *j;

	memset(&ev, 0, sizeof(ev));
	snprintf(ev.ifname, sizeof(ev.ifname), "%s", ifname);
	ev.dst = P(dst);
	ev.event = event;
	j = hook_job_new(SCRIPT, &ev);
	assert_non_null(j);
	return j;
}

static struct hook_job *
job_n(unsigned int n)
{
	char dst[32];

	snprintf(dst, sizeof(dst), "10.%u.%u.%u/32", (n >> 16) & 255,
		 (n >> 8) & 255, n & 255);
	return job("gre1", dst, NHRP_EV_PEER_UP);
}

static void
test_queue_fifo_and_cap(void **state)
{
	struct hook_queue q;
	struct hook_job *j;
	unsigned int i;

	(void)state;
	assert_int_equal(hook_queue_init(&q, 3, 1), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(hook_queue_push(&q, job_n(i)), 0);
	/* Full: the oldest (0) goes. */
	assert_int_equal(hook_queue_push(&q, job_n(3)), 1);
	assert_int_equal(q.stats.dropped, 1);
	assert_int_equal(q.stats.queued, 3);
	j = hook_queue_pop(&q);
	assert_non_null(j);
	assert_int_equal(j->ev.dst.addr.bytes[3], 1);
	assert_string_equal(j->script, SCRIPT);
	/* One may run at a time. */
	assert_null(hook_queue_pop(&q));
	assert_int_equal(q.stats.running, 1);
	hook_queue_done(&q, j, HOOK_OK);
	j = hook_queue_pop(&q);
	assert_int_equal(j->ev.dst.addr.bytes[3], 2);
	hook_queue_done(&q, j, HOOK_FAILED);
	j = hook_queue_pop(&q);
	assert_int_equal(j->ev.dst.addr.bytes[3], 3);
	hook_queue_done(&q, j, HOOK_TIMED_OUT);
	assert_null(hook_queue_pop(&q));
	assert_int_equal(q.stats.started, 3);
	assert_int_equal(q.stats.succeeded, 1);
	assert_int_equal(q.stats.failed, 1);
	assert_int_equal(q.stats.timed_out, 1);
	assert_int_equal(q.stats.running, 0);
	assert_int_equal(q.stats.queued, 0);
	hook_queue_fini(&q);
}

/* Events of one peer run one after the other, in order; others pass. */
static void
test_queue_per_peer_order(void **state)
{
	struct hook_queue q;
	struct hook_job *a1, *b1, *a2, *c1, *j;

	(void)state;
	assert_int_equal(hook_queue_init(&q, 16, 4), 0);
	hook_queue_push(&q, job("gre1", "172.16.0.10/32", NHRP_EV_PEER_UP));
	hook_queue_push(&q, job("gre1", "172.16.0.10/32", NHRP_EV_PEER_DOWN));
	hook_queue_push(&q, job("gre1", "172.16.0.10/32", NHRP_EV_PEER_UP));
	hook_queue_push(&q, job("gre1", "172.16.0.11/32", NHRP_EV_PEER_UP));
	/* Same address on another tunnel: another peer. */
	hook_queue_push(&q, job("gre2", "172.16.0.10/32", NHRP_EV_PEER_UP));
	a1 = hook_queue_pop(&q);
	assert_int_equal(a1->ev.event, NHRP_EV_PEER_UP);
	b1 = hook_queue_pop(&q);
	assert_int_equal(b1->ev.dst.addr.bytes[3], 11);
	c1 = hook_queue_pop(&q);
	assert_string_equal(c1->ev.ifname, "gre2");
	/* Only .10's down and up are left, and .10 runs. */
	assert_null(hook_queue_pop(&q));
	assert_int_equal(q.stats.queued, 2);
	hook_queue_done(&q, b1, HOOK_OK);
	assert_null(hook_queue_pop(&q));
	hook_queue_done(&q, a1, HOOK_OK);
	a2 = hook_queue_pop(&q);
	assert_int_equal(a2->ev.event, NHRP_EV_PEER_DOWN);
	assert_null(hook_queue_pop(&q));
	hook_queue_done(&q, a2, HOOK_OK);
	j = hook_queue_pop(&q);
	assert_int_equal(j->ev.event, NHRP_EV_PEER_UP);
	assert_int_equal(j->ev.dst.addr.bytes[3], 10);
	hook_queue_done(&q, j, HOOK_OK);
	hook_queue_done(&q, c1, HOOK_SPAWN_FAILED);
	assert_int_equal(q.stats.started, 5);
	assert_int_equal(q.stats.succeeded, 4);
	assert_int_equal(q.stats.failed, 1);
	hook_queue_fini(&q);
}

/* 10,000 registrations at once: at most 4 scripts, 1024 kept. */
static void
test_queue_storm(void **state)
{
	struct hook_queue q;
	struct hook_job *run[HOOK_MAX_RUNNING];
	size_t n, k, i;
	unsigned int dropped = 0, last = 0;

	(void)state;
	assert_int_equal(hook_queue_init(&q, 0, 0), 0);
	assert_int_equal(q.cap, HOOK_DEFAULT_QUEUE);
	assert_int_equal(q.max_running, HOOK_DEFAULT_MAX_RUNNING);
	for (i = 0; i < 10000; i++)
		dropped +=
			(unsigned int)hook_queue_push(&q, job_n((unsigned)i));
	assert_int_equal(dropped, 10000 - HOOK_DEFAULT_QUEUE);
	assert_int_equal(q.stats.dropped, 10000 - HOOK_DEFAULT_QUEUE);
	assert_int_equal(q.stats.queued, HOOK_DEFAULT_QUEUE);
	/* Drain in rounds: never more than 4 running, the newest kept, in
	 * order. */
	for (;;) {
		for (n = 0; (run[n] = hook_queue_pop(&q)) != NULL; n++) {
			unsigned int id =
				(unsigned)run[n]->ev.dst.addr.bytes[1] << 16 |
				(unsigned)run[n]->ev.dst.addr.bytes[2] << 8 |
				run[n]->ev.dst.addr.bytes[3];

			assert_true(n < 4);
			assert_true(id >= 10000 - HOOK_DEFAULT_QUEUE);
			assert_true(id >= last);
			last = id;
		}
		if (n == 0)
			break;
		for (k = 0; k < n; k++)
			hook_queue_done(&q, run[k], HOOK_OK);
	}
	assert_int_equal(q.stats.started, HOOK_DEFAULT_QUEUE);
	assert_int_equal(q.stats.succeeded, HOOK_DEFAULT_QUEUE);
	assert_int_equal(last, 9999);
	hook_queue_fini(&q);
}

static void
test_queue_drop_all_and_fini(void **state)
{
	struct hook_queue q;
	struct hook_job *j;

	(void)state;
	errno = 0;
	assert_int_equal(hook_queue_init(&q, 4, HOOK_MAX_RUNNING + 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(hook_queue_init(&q, 4, 2), 0);
	hook_queue_push(&q, job_n(1));
	hook_queue_push(&q, job_n(2));
	hook_queue_push(&q, job_n(3));
	j = hook_queue_pop(&q);
	assert_non_null(j);
	assert_int_equal(hook_queue_drop_all(&q), 2);
	assert_int_equal(q.stats.dropped, 2);
	assert_null(hook_queue_pop(&q));
	/* Pushing after a drop wraps the ring correctly. */
	hook_queue_push(&q, job_n(4));
	hook_queue_push(&q, job_n(5));
	/* fini frees the running one too (ASan checks). */
	hook_queue_fini(&q);
	hook_queue_fini(&q);
}

/* ---- output lines ---- */

struct lines {
	char v[16][HOOK_LINE_MAX + 1];
	size_t n;
};

static void
collect(const char *line, void *arg)
{
	struct lines *l = arg;

	assert_true(l->n < 16);
	snprintf(l->v[l->n++], sizeof(l->v[0]), "%s", line);
}

static void
test_lines(void **state)
{
	static const char out[] = "first\r\nsec"
				  "ond\n\n\ntab\there\x1b[31mred\x7f\n"
				  "no newline";
	struct hook_lines hl;
	struct lines l;
	size_t i;

	(void)state;
	memset(&hl, 0, sizeof(hl));
	memset(&l, 0, sizeof(l));
	/* Byte by byte, as a pipe may hand it over. */
	for (i = 0; i < sizeof(out) - 1; i++)
		hook_lines_feed(&hl, out + i, 1, collect, &l);
	assert_int_equal(l.n, 3);
	hook_lines_flush(&hl, collect, &l);
	hook_lines_flush(&hl, collect, &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], "first");
	assert_string_equal(l.v[1], "second");
	assert_string_equal(l.v[2], "tab here?[31mred?");
	assert_string_equal(l.v[3], "no newline");
}

static void
test_lines_long(void **state)
{
	char big[HOOK_LINE_MAX * 2 + 10];
	struct hook_lines hl;
	struct lines l;

	(void)state;
	memset(&hl, 0, sizeof(hl));
	memset(&l, 0, sizeof(l));
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	hook_lines_feed(&hl, big, sizeof(big), collect, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(strlen(l.v[0]), HOOK_LINE_MAX);
	assert_int_equal(strlen(l.v[1]), HOOK_LINE_MAX);
	assert_int_equal(strlen(l.v[2]), 9);
}

static void
test_status(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(hook_status_result(0, false), HOOK_OK);
	assert_string_equal(hook_status_fmt(0, buf, sizeof(buf)), "exit 0");
	assert_int_equal(hook_status_result(3 << 8, false), HOOK_FAILED);
	assert_string_equal(hook_status_fmt(3 << 8, buf, sizeof(buf)),
			    "exit 3");
	/* A raw wait status for "killed by SIGKILL" is the signal number. */
	assert_int_equal(hook_status_result(9, false), HOOK_FAILED);
	hook_status_fmt(9, buf, sizeof(buf));
	assert_memory_equal(buf, "killed by signal 9 (", 20);
	/* Killed by us, however it ended. */
	assert_int_equal(hook_status_result(15, true), HOOK_TIMED_OUT);
	assert_int_equal(hook_status_result(0, true), HOOK_TIMED_OUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_up_behind_nat),
		cmocka_unit_test(test_peer_down_reason),
		cmocka_unit_test(test_route_up_shortcut),
		cmocka_unit_test(test_route_down_local),
		cmocka_unit_test(test_nhs_up),
		cmocka_unit_test(test_nhs_down_unlearned),
		cmocka_unit_test(test_ipv6_peer_source),
		cmocka_unit_test(test_no_key_no_addresses),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_queue_fifo_and_cap),
		cmocka_unit_test(test_queue_per_peer_order),
		cmocka_unit_test(test_queue_storm),
		cmocka_unit_test(test_queue_drop_all_and_fini),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_lines_long),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests_name("hook", tests, NULL, NULL);
}
