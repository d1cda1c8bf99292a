/*
 * The hook runner (src/hook/hook_run.c) with real scripts on libev's
 * default loop: the exact environment a script gets, its output in the
 * log, exit statuses, the timeout (SIGTERM, then SIGKILL, to the whole
 * process group), a storm of 10,000 events, one peer's events in order,
 * no descriptor leaking into a script, and shutdown with scripts still
 * queued or running.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "dmvpn/hook.h"
#include "dmvpn/log.h"

static struct ev_loop *loop;
static char dir[64];

/* ---- captured log ---- */

#define LOG_KEEP 256

static char logged[LOG_KEEP][512];
static size_t nlogged;

static void
sink(enum log_level level, const char *msg, void *arg)
{
	(void)level;
	(void)arg;
	if (nlogged < LOG_KEEP)
		snprintf(logged[nlogged], sizeof(logged[0]), "%s", msg);
	nlogged++;
}

static bool
logged_has(const char *needle)
{
	size_t i;

	for (i = 0; i < nlogged && i < LOG_KEEP; i++)
		if (strstr(logged[i], needle) != NULL)
			return true;
	return false;
}

static size_t
logged_count(const char *needle)
{
	size_t i, n = 0;

	for (i = 0; i < nlogged && i < LOG_KEEP; i++)
		if (strstr(logged[i], needle) != NULL)
			n++;
	return n;
}

/* ---- helpers ---- */

static void
path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void
script(const char *name, const char *body)
{
	char p[128];
	FILE *f;

	path(p, sizeof(p), name);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, 0755), 0);
}

static char *
slurp(const char *name)
{
	static char buf[8192];
	char p[128];
	size_t n;
	FILE *f;

	path(p, sizeof(p), name);
	f = fopen(p, "r");
	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct hook_event
event(unsigned int n, enum nhrp_event what)
{
	struct hook_event ev;
	char s[32];

	memset(&ev, 0, sizeof(ev));
	ev.event = what;
	ev.kind = NHRP_CACHE_DYNAMIC;
	snprintf(ev.ifname, sizeof(ev.ifname), "gre1");
	ev.gre_key = 42;
	addr_parse(&ev.src, "172.16.0.1");
	addr_parse(&ev.src_nbma, "192.0.2.1");
	snprintf(s, sizeof(s), "172.16.%u.%u", (n >> 8) & 255, n & 255);
	addr_parse(&ev.dst.addr, s);
	ev.dst.plen = 32;
	addr_parse(&ev.nbma, "198.51.100.7");
	return ev;
}

static struct hook_runner *
runner(double timeout, size_t max_running, size_t queue_max)
{
	struct hook_runner_conf c;
	struct hook_runner *r;

	memset(&c, 0, sizeof(c));
	c.timeout = timeout;
	c.kill_grace = 0.3;
	c.max_running = max_running;
	c.queue_max = queue_max;
	c.max_log_lines = 5;
	r = hook_runner_new(loop, &c);
	assert_non_null(r);
	return r;
}

static ev_check observe;
static uint64_t max_running_seen;
static struct hook_runner *observed;

static void
on_observe(struct ev_loop *l, ev_check *w, int revents)
{
	(void)l;
	(void)w;
	(void)revents;
	if (hook_runner_stats(observed)->running > max_running_seen)
		max_running_seen = hook_runner_stats(observed)->running;
}

/* Run the loop until nothing is queued or running, or secs pass. */
static void
run_until_idle(struct hook_runner *r, double secs)
{
	const struct hook_stats *s = hook_runner_stats(r);
	double end;

	observed = r;
	ev_check_init(&observe, on_observe);
	ev_check_start(loop, &observe);
	ev_now_update(loop);
	end = ev_now(loop) + secs;
	/* The first pass starts what was submitted. */
	do {
		ev_run(loop, EVRUN_ONCE);
	} while ((s->queued > 0 || s->running > 0) && ev_now(loop) < end);
	ev_check_stop(loop, &observe);
	assert_int_equal(s->queued, 0);
	assert_int_equal(s->running, 0);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dmvpn-hook.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	nlogged = 0;
	max_running_seen = 0;
	log_set_sink(sink, NULL);
	log_set_level(LOG_LVL_INFO);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	log_set_sink(NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- tests ---- */

/* The script sees its event as $1 and exactly PATH plus NHRP_*. */
static void
test_environment(void **state)
{
	struct hook_runner *r = runner(5, 0, 0);
	struct hook_event ev = event(10, NHRP_EV_PEER_UP);
	char p[128], *env;

	(void)state;
	setenv("DMVPN_TEST_LEAK", "1", 1);
	addr_parse(&ev.nat_oa, "10.0.0.7");
	ev.mtu = 1400;
	script("env.sh", "d=$(dirname \"$0\")\n"
			 "echo \"$1 $#\" > \"$d/args\"\n"
			 "tr '\\0' '\\n' < /proc/$$/environ > \"$d/env\"");
	path(p, sizeof(p), "env.sh");
	assert_int_equal(hook_runner_submit(r, p, &ev), 0);
	/* Nothing starts inside submit. */
	assert_int_equal(hook_runner_stats(r)->running, 0);
	assert_int_equal(hook_runner_stats(r)->queued, 1);
	run_until_idle(r, 5);
	assert_string_equal(slurp("args"), "peer-up 1\n");
	env = slurp("env");
	assert_non_null(env);
	assert_string_equal(env, "PATH=" HOOK_PATH "\n"
				 "NHRP_TYPE=dynamic\n"
				 "NHRP_SRCADDR=172.16.0.1\n"
				 "NHRP_SRCNBMA=192.0.2.1\n"
				 "NHRP_DESTADDR=172.16.0.10\n"
				 "NHRP_DESTPREFIX=32\n"
				 "NHRP_DESTNBMA=198.51.100.7\n"
				 "NHRP_DESTMTU=1400\n"
				 "NHRP_DESTNBMA_NAT_OA=10.0.0.7\n"
				 "NHRP_INTERFACE=gre1\n"
				 "NHRP_GRE_KEY=42\n");
	assert_int_equal(hook_runner_stats(r)->started, 1);
	assert_int_equal(hook_runner_stats(r)->succeeded, 1);
	unsetenv("DMVPN_TEST_LEAK");
	hook_runner_free(r);
}

/* Output of both streams reaches the log, bounded; failures are logged. */
static void
test_output_and_exit(void **state)
{
	struct hook_runner *r = runner(5, 0, 0);
	struct hook_event ev = event(11, NHRP_EV_PEER_DOWN);
	char p[128];

	(void)state;
	script("out.sh", "echo to stdout\n"
			 "echo to stderr >&2\n"
			 "printf 'no newline'\n"
			 "exit 3");
	script("chatty.sh", "i=0; while [ $i -lt 50 ]; do echo line $i; "
			    "i=$((i + 1)); done");
	path(p, sizeof(p), "out.sh");
	hook_runner_submit(r, p, &ev);
	path(p, sizeof(p), "chatty.sh");
	ev = event(12, NHRP_EV_PEER_UP);
	hook_runner_submit(r, p, &ev);
	run_until_idle(r, 5);
	assert_true(logged_has("hook gre1 peer-down 172.16.0.11 ["));
	assert_true(logged_has("]: to stdout"));
	assert_true(logged_has("]: to stderr"));
	assert_true(logged_has("]: no newline"));
	assert_true(logged_has("]: exit 3 after"));
	/* 5 lines, then one note. */
	assert_int_equal(logged_count("]: line "), 5);
	assert_true(logged_has("hook gre1 peer-up 172.16.0.12 ["));
	assert_true(logged_has("more output, not logged"));
	assert_int_equal(hook_runner_stats(r)->failed, 1);
	assert_int_equal(hook_runner_stats(r)->succeeded, 1);
	hook_runner_free(r);
}

/* Past the timeout: SIGTERM (ignored here), then SIGKILL to the group,
 * which takes the script's own background child too. */
static void
test_timeout_kills_group(void **state)
{
	struct hook_runner *r = runner(0.3, 0, 0);
	struct hook_event ev = event(13, NHRP_EV_ROUTE_UP);
	char p[128], *s;
	double t0;
	pid_t bg;
	int i;

	(void)state;
	/* Orphans come to us, so the dead are reaped and kill(0) tells. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	script("hang.sh", "trap '' TERM\n"
			  "sleep 30 &\n"
			  "echo $! > \"$(dirname \"$0\")/bg\"\n"
			  "while :; do sleep 1; done");
	path(p, sizeof(p), "hang.sh");
	ev_now_update(loop);
	t0 = ev_now(loop);
	hook_runner_submit(r, p, &ev);
	run_until_idle(r, 10);
	assert_true(ev_now(loop) - t0 < 3.0);
	assert_int_equal(hook_runner_stats(r)->timed_out, 1);
	assert_int_equal(hook_runner_stats(r)->failed, 0);
	assert_true(logged_has("still running after 0.3s: sending SIGTERM"));
	assert_true(logged_has("sending SIGKILL"));
	assert_true(logged_has("timed out: killed by signal 9"));
	s = slurp("bg");
	assert_non_null(s);
	bg = (pid_t)atol(s);
	assert_true(bg > 1);
	/* The background sleep died with its group (and was reaped). */
	for (i = 0; i < 100 && kill(bg, 0) == 0; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(10000);
	}
	assert_int_equal(kill(bg, 0), -1);
	hook_runner_free(r);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

/* A script that ends on SIGTERM counts as timed out, not failed. */
static void
test_timeout_sigterm_enough(void **state)
{
	struct hook_runner *r = runner(0.2, 0, 0);
	struct hook_event ev = event(14, NHRP_EV_PEER_UP);
	char p[128];

	(void)state;
	script("slow.sh", "exec sleep 30");
	path(p, sizeof(p), "slow.sh");
	hook_runner_submit(r, p, &ev);
	run_until_idle(r, 5);
	assert_int_equal(hook_runner_stats(r)->timed_out, 1);
	assert_false(logged_has("SIGKILL"));
	assert_true(logged_has("killed by signal 15"));
	hook_runner_free(r);
}

/* 10,000 registrations at once: 1024 scripts at most, 4 at a time. */
static void
test_storm(void **state)
{
	struct hook_runner *r = runner(10, 0, 0);
	const struct hook_stats *s = hook_runner_stats(r);
	struct hook_event ev;
	char p[128];
	unsigned int i;

	(void)state;
	script("fast.sh", "exit 0");
	path(p, sizeof(p), "fast.sh");
	for (i = 0; i < 10000; i++) {
		ev = event(i, NHRP_EV_PEER_UP);
		assert_int_equal(hook_runner_submit(r, p, &ev), 0);
	}
	assert_int_equal(s->queued, HOOK_DEFAULT_QUEUE);
	assert_int_equal(s->dropped, 10000 - HOOK_DEFAULT_QUEUE);
	assert_int_equal(s->running, 0);
	/* One message for the whole burst, not one per event. */
	assert_int_equal(logged_count("queue full"), 1);
	run_until_idle(r, 60);
	assert_int_equal(s->started, HOOK_DEFAULT_QUEUE);
	assert_int_equal(s->succeeded, HOOK_DEFAULT_QUEUE);
	assert_true(max_running_seen >= 1);
	assert_true(max_running_seen <= HOOK_DEFAULT_MAX_RUNNING);
	hook_runner_free(r);
}

/* One peer's scripts run one at a time, in order; other peers' alongside. */
static void
test_peer_order(void **state)
{
	struct hook_runner *r = runner(5, 4, 0);
	static const enum nhrp_event seq[] = {
		NHRP_EV_PEER_UP, NHRP_EV_PEER_DOWN, NHRP_EV_PEER_UP,
		NHRP_EV_PEER_DOWN, NHRP_EV_PEER_UP};
	struct hook_event ev;
	char p[128];
	size_t i;

	(void)state;
	/* Slow the first one down, so a racing second would overtake it. */
	script("order.sh", "d=$(dirname \"$0\")\n"
			   "[ -e \"$d/first\" ] || { : > \"$d/first\"; "
			   "sleep 0.3; }\n"
			   "echo \"$1 $NHRP_DESTADDR\" >> \"$d/order\"");
	path(p, sizeof(p), "order.sh");
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		ev = event(20, seq[i]);
		hook_runner_submit(r, p, &ev);
	}
	run_until_idle(r, 10);
	assert_string_equal(slurp("order"), "peer-up 172.16.0.20\n"
					    "peer-down 172.16.0.20\n"
					    "peer-up 172.16.0.20\n"
					    "peer-down 172.16.0.20\n"
					    "peer-up 172.16.0.20\n");
	assert_int_equal(max_running_seen, 1);
	hook_runner_free(r);
}

/* No descriptor of the daemon reaches a script, even one opened without
 * O_CLOEXEC. */
static void
test_no_fd_leak(void **state)
{
	struct hook_runner *r = runner(5, 0, 0);
	struct hook_event ev = event(30, NHRP_EV_NHS_UP);
	char p[128];
	int fd;

	(void)state;
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 7), 7);
	close(fd);
	assert_int_equal(fcntl(7, F_GETFD) & FD_CLOEXEC, 0);
	script("fds.sh",
	       "d=$(dirname \"$0\")\n"
	       "if [ -e /proc/$$/fd/7 ]; then echo leak > \"$d/fds\"; "
	       "else echo clean > \"$d/fds\"; fi\n"
	       "[ -e /proc/$$/fd/0 ] && [ -e /proc/$$/fd/1 ] && "
	       "[ -e /proc/$$/fd/2 ] && echo stdio >> \"$d/fds\"");
	path(p, sizeof(p), "fds.sh");
	hook_runner_submit(r, p, &ev);
	run_until_idle(r, 5);
	assert_string_equal(slurp("fds"), "clean\nstdio\n");
	close(7);
	hook_runner_free(r);
}

/* A missing script fails quietly: counted, logged once per interval. */
static void
test_missing_script(void **state)
{
	struct hook_runner *r = runner(5, 0, 0);
	struct hook_event ev;
	char p[128];
	unsigned int i;

	(void)state;
	path(p, sizeof(p), "does-not-exist");
	for (i = 0; i < 20; i++) {
		ev = event(40 + i, NHRP_EV_PEER_UP);
		hook_runner_submit(r, p, &ev);
	}
	run_until_idle(r, 5);
	assert_int_equal(hook_runner_stats(r)->failed, 20);
	assert_int_equal(hook_runner_stats(r)->started, 20);
	assert_int_equal(logged_count("cannot run"), 1);
	assert_true(logged_has("No such file or directory"));
	hook_runner_free(r);
}

/* Shutdown: drain waits for what it can, then gives up. */
static void
test_drain(void **state)
{
	struct hook_runner *r = runner(5, 2, 0);
	struct hook_event ev;
	char p[128];
	unsigned int i;

	(void)state;
	script("short.sh", "sleep 0.05");
	path(p, sizeof(p), "short.sh");
	for (i = 0; i < 6; i++) {
		ev = event(50 + i, NHRP_EV_PEER_DOWN);
		hook_runner_submit(r, p, &ev);
	}
	assert_int_equal(hook_runner_drain(r, 10), 0);
	assert_int_equal(hook_runner_stats(r)->succeeded, 6);

	script("long.sh", "exec sleep 30");
	path(p, sizeof(p), "long.sh");
	for (i = 0; i < 5; i++) {
		ev = event(60 + i, NHRP_EV_PEER_DOWN);
		hook_runner_submit(r, p, &ev);
	}
	/* Two run, three wait: all five are abandoned. */
	assert_int_equal(hook_runner_drain(r, 0.2), 5);
	assert_int_equal(hook_runner_stats(r)->dropped, 3);
	assert_int_equal(hook_runner_stats(r)->timed_out, 2);
	assert_true(logged_has("still running at shutdown"));
	hook_runner_free(r);
	/* Reap the two we left, so later tests start clean. */
	for (i = 0; i < 20; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(10000);
	}
}

/* Freed with scripts queued and running: nothing leaks (ASan). */
static void
test_free_busy(void **state)
{
	struct hook_runner *r = runner(5, 1, 0);
	struct hook_event ev;
	char p[128];
	unsigned int i;

	(void)state;
	script("long.sh", "exec sleep 30");
	path(p, sizeof(p), "long.sh");
	for (i = 0; i < 3; i++) {
		ev = event(70 + i, NHRP_EV_PEER_UP);
		hook_runner_submit(r, p, &ev);
	}
	ev_run(loop, EVRUN_NOWAIT);
	assert_int_equal(hook_runner_stats(r)->running, 1);
	hook_runner_free(r);
	hook_runner_free(NULL);
	for (i = 0; i < 20; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(10000);
	}
}

static void
test_needs_default_loop(void **state)
{
	struct ev_loop *other = ev_loop_new(EVFLAG_AUTO);

	(void)state;
	assert_non_null(other);
	errno = 0;
	assert_null(hook_runner_new(other, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(hook_runner_new(NULL, NULL));
	ev_loop_destroy(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_environment, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_output_and_exit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timeout_sigterm_enough,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_storm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_fd_leak, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_script, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_busy, setup,
						teardown),
		cmocka_unit_test(test_needs_default_loop),
	};

	loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	if (loop == NULL)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("hook_run", tests, NULL, NULL);
}
