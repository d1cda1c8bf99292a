/*
 * The hook runner: hook scripts as child processes of the libev loop.
 *
 * hook_runner_submit() only queues (hook_queue.c decides what runs next);
 * a zero-delay timer then starts what may start, so no process is spawned
 * from inside the NHRP engine's callbacks.  posix_spawn (a vfork-like
 * clone in musl and glibc) costs far less than fork() in a daemon with a
 * large heap.  Each script gets /dev/null for input, one non-blocking
 * pipe for both its outputs (read line by line into the log), its own
 * process group (so a timeout kills what it started too), default signal
 * dispositions and an empty signal mask.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "dmvpn/hook.h"
#include "dmvpn/list.h"
#include "dmvpn/log.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2) /* linux/close_range.h, Linux 5.11 */
#endif

/* Seconds between two "dropped" or "cannot start" messages. */
#define HOOK_LOG_INTERVAL 10.0
/* Bytes read from one script's pipe per wake-up, and after its exit. */
#define HOOK_READ_BURST (16 * 1024)
#define HOOK_READ_TAIL  (64 * 1024)

struct hook_proc {
	struct list_node link;
	struct hook_runner *r;
	struct hook_job *job;
	pid_t pid;
	int fd; /* our end of its stdout and stderr; -1 once closed */
	ev_child child;
	ev_timer timer; /* the timeout, then the grace before SIGKILL */
	ev_io out;
	bool timed_out;
	unsigned int lines;
	double started;
	struct hook_lines hl;
};

struct hook_runner {
	struct ev_loop *loop;
	struct hook_runner_conf conf;
	struct hook_queue q;
	struct list_node procs; /* struct hook_proc */
	size_t nprocs;
	ev_timer kick;     /* starts what may start */
	ev_timer deadline; /* hook_runner_drain() */
	double drop_logged;
	double spawn_logged;
	uint64_t spawn_failures; /* since the last message */
	struct hook_env env;     /* scratch for the next spawn */
};

static void start_ready(struct hook_runner *r);

static const char *
job_desc(const struct hook_job *j, char *buf, size_t len)
{
	const struct hook_event *ev = &j->ev;
	char a[ADDR_STRLEN];

	if (hook_event_is_route(ev))
		prefix_fmt(&ev->dst, a);
	else
		addr_fmt(&ev->dst.addr, a);
	snprintf(buf, len, "%s %s %s", ev->ifname, hook_event_name(ev->event),
		 a);
	return buf;
}

/*
 * Nothing of ours may leak into a script: a netlink or packet socket
 * would hand it what the daemon's capabilities guard.  The daemon's own
 * descriptors are opened close-on-exec, but libraries' may not be.
 */
static void
cloexec_all(void)
{
	struct dirent *de;
	DIR *dir;
	long fd, max;
	int flags;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	/* Before Linux 5.11: every descriptor /proc lists, or all of them. */
	if ((dir = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			fd = strtol(de->d_name, NULL, 10);
			if (fd < 3 || fd == dirfd(dir))
				continue;
			flags = fcntl((int)fd, F_GETFD);
			if (flags != -1 && !(flags & FD_CLOEXEC))
				fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
		}
		closedir(dir);
		return;
	}
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++) {
		flags = fcntl((int)fd, F_GETFD);
		if (flags != -1 && !(flags & FD_CLOEXEC))
			fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
	}
}

static int
spawn_attrs(posix_spawn_file_actions_t *fa, posix_spawnattr_t *at, int wfd)
{
	static const int reset[] = {SIGPIPE, SIGCHLD, SIGHUP,  SIGINT, SIGTERM,
				    SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};
	sigset_t none, def;
	size_t i;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	for (i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		sigaddset(&def, reset[i]);
	rc = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(fa, wfd, 1);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(fa, wfd, 2);
	if (rc == 0)
		rc = posix_spawnattr_setflags(
			at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				    POSIX_SPAWN_SETSIGDEF);
	if (rc == 0)
		rc = posix_spawnattr_setpgroup(at, 0);
	if (rc == 0)
		rc = posix_spawnattr_setsigmask(at, &none);
	if (rc == 0)
		rc = posix_spawnattr_setsigdefault(at, &def);
	return rc;
}

/* Start p's script; -1 with errno. */
static int
spawn(struct hook_runner *r, struct hook_proc *p)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int pfd[2], fd, rc;

	if (hook_env_build(&r->env, p->job->script, &p->job->ev) == -1)
		return -1;
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return -1;
	/* Should 0..2 be closed, keep the write end clear of them. */
	if (pfd[1] <= 2) {
		fd = fcntl(pfd[1], F_DUPFD_CLOEXEC, 3);
		close(pfd[1]);
		if (fd == -1) {
			close(pfd[0]);
			return -1;
		}
		pfd[1] = fd;
	}
	/* Only our end is non-blocking: the script writes as it likes. */
	if (fcntl(pfd[0], F_SETFL, O_NONBLOCK) == -1) {
		rc = errno;
		goto fail_pipe;
	}
	cloexec_all();
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto fail_pipe;
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto fail_pipe;
	}
	rc = spawn_attrs(&fa, &at, pfd[1]);
	if (rc == 0)
		rc = posix_spawn(&p->pid, r->env.argv[0], &fa, &at, r->env.argv,
				 r->env.envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0)
		goto fail_pipe;
	close(pfd[1]);
	p->fd = pfd[0];
	return 0;
fail_pipe:
	close(pfd[0]);
	close(pfd[1]);
	errno = rc;
	return -1;
}

static void
kill_group(struct hook_proc *p, int sig)
{
	if (kill(-p->pid, sig) == -1 && errno == ESRCH)
		kill(p->pid, sig);
}

static void
on_line(const char *line, void *arg)
{
	struct hook_proc *p = arg;
	char desc[128];

	p->lines++;
	if (p->lines <= p->r->conf.max_log_lines)
		log_info("hook %s [%ld]: %s",
			 job_desc(p->job, desc, sizeof(desc)), (long)p->pid,
			 line);
	else if (p->lines == p->r->conf.max_log_lines + 1)
		log_info("hook %s [%ld]: more output, not logged",
			 job_desc(p->job, desc, sizeof(desc)), (long)p->pid);
}

static void
close_output(struct hook_proc *p)
{
	if (p->fd == -1)
		return;
	ev_io_stop(p->r->loop, &p->out);
	close(p->fd);
	p->fd = -1;
	hook_lines_flush(&p->hl, on_line, p);
}

/* Read at most limit bytes of what the script wrote; close on EOF. */
static void
read_output(struct hook_proc *p, size_t limit)
{
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	while (p->fd != -1 && total < limit) {
		n = read(p->fd, buf, sizeof(buf));
		if (n > 0) {
			hook_lines_feed(&p->hl, buf, (size_t)n, on_line, p);
			total += (size_t)n;
		} else if (n == -1 && errno == EINTR) {
			continue;
		} else if (n == -1 && errno == EAGAIN) {
			return;
		} else {
			close_output(p); /* EOF, or an error */
		}
	}
}

static void
on_output(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	read_output(container_of(w, struct hook_proc, out), HOOK_READ_BURST);
}

/* Forget p: its watchers, its pipe and its job, counted as r. */
static void
proc_end(struct hook_proc *p, enum hook_result res)
{
	struct hook_runner *r = p->r;

	ev_child_stop(r->loop, &p->child);
	ev_timer_stop(r->loop, &p->timer);
	close_output(p);
	list_del(&p->link);
	r->nprocs--;
	hook_queue_done(&r->q, p->job, res);
	free(p);
}

static void
on_child(struct ev_loop *loop, ev_child *w, int revents)
{
	struct hook_proc *p = container_of(w, struct hook_proc, child);
	struct hook_runner *r = p->r;
	enum hook_result res = hook_status_result(w->rstatus, p->timed_out);
	char desc[128], st[64];
	double took = ev_now(loop) - p->started;

	(void)revents;
	/* Whatever it wrote last; a child of its own that keeps the pipe open
	 * does not keep the slot. */
	read_output(p, HOOK_READ_TAIL);
	job_desc(p->job, desc, sizeof(desc));
	hook_status_fmt(w->rstatus, st, sizeof(st));
	if (res == HOOK_OK)
		log_dbg(DBG_CORE, "hook %s [%ld]: %s after %.1fs", desc,
			(long)p->pid, st, took);
	else if (res == HOOK_TIMED_OUT)
		log_warnx("hook %s [%ld]: timed out: %s after %.1fs", desc,
			  (long)p->pid, st, took);
	else
		log_warnx("hook %s [%ld]: %s after %.1fs", desc, (long)p->pid,
			  st, took);
	proc_end(p, res);
	start_ready(r);
}

static void
on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hook_proc *p = container_of(w, struct hook_proc, timer);
	char desc[128];

	(void)revents;
	job_desc(p->job, desc, sizeof(desc));
	if (!p->timed_out) {
		p->timed_out = true;
		log_warnx("hook %s [%ld]: still running after %gs: "
			  "sending SIGTERM",
			  desc, (long)p->pid, p->r->conf.timeout);
		kill_group(p, SIGTERM);
		ev_timer_set(w, p->r->conf.kill_grace, 0.);
		ev_timer_start(loop, w);
		return;
	}
	log_warnx("hook %s [%ld]: still running %gs after SIGTERM: "
		  "sending SIGKILL",
		  desc, (long)p->pid, p->r->conf.kill_grace);
	kill_group(p, SIGKILL);
}

static void
note_spawn_failure(struct hook_runner *r, const struct hook_job *j, int err)
{
	double now = ev_now(r->loop);
	char desc[128];

	r->spawn_failures++;
	if (r->spawn_logged != 0 && now - r->spawn_logged < HOOK_LOG_INTERVAL)
		return;
	log_warnx("hook %s: cannot run %s: %s (%llu failure%s since the last "
		  "message)",
		  job_desc(j, desc, sizeof(desc)), j->script, strerror(err),
		  (unsigned long long)r->spawn_failures,
		  r->spawn_failures == 1 ? "" : "s");
	r->spawn_logged = now;
	r->spawn_failures = 0;
}

static void
start_one(struct hook_runner *r, struct hook_job *j)
{
	struct hook_proc *p = calloc(1, sizeof(*p));
	char desc[128];

	if (p == NULL) {
		note_spawn_failure(r, j, ENOMEM);
		hook_queue_done(&r->q, j, HOOK_SPAWN_FAILED);
		return;
	}
	p->r = r;
	p->job = j;
	p->fd = -1;
	if (spawn(r, p) == -1) {
		note_spawn_failure(r, j, errno);
		hook_queue_done(&r->q, j, HOOK_SPAWN_FAILED);
		free(p);
		return;
	}
	p->started = ev_now(r->loop);
	list_add_tail(&r->procs, &p->link);
	r->nprocs++;
	ev_child_init(&p->child, on_child, p->pid, 0);
	ev_child_start(r->loop, &p->child);
	ev_io_init(&p->out, on_output, p->fd, EV_READ);
	ev_io_start(r->loop, &p->out);
	ev_timer_init(&p->timer, on_timeout, r->conf.timeout, 0.);
	ev_timer_start(r->loop, &p->timer);
	log_dbg(DBG_CORE, "hook %s [%ld]: started %s",
		job_desc(j, desc, sizeof(desc)), (long)p->pid, j->script);
}

static void
start_ready(struct hook_runner *r)
{
	struct hook_job *j;

	while ((j = hook_queue_pop(&r->q)) != NULL)
		start_one(r, j);
}

static void
on_kick(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	start_ready(container_of(w, struct hook_runner, kick));
}

static void
on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	/* Only there to end ev_run(EVRUN_ONCE) in hook_runner_drain(). */
}

struct hook_runner *
hook_runner_new(struct ev_loop *loop, const struct hook_runner_conf *conf)
{
	struct hook_runner *r;

	if (loop == NULL || !ev_is_default_loop(loop)) {
		errno = EINVAL;
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (conf != NULL)
		r->conf = *conf;
	if (r->conf.timeout <= 0)
		r->conf.timeout = HOOK_DEFAULT_TIMEOUT;
	if (r->conf.kill_grace <= 0)
		r->conf.kill_grace = HOOK_DEFAULT_KILL_GRACE;
	if (r->conf.max_log_lines == 0)
		r->conf.max_log_lines = HOOK_DEFAULT_LOG_LINES;
	if (hook_queue_init(&r->q, r->conf.queue_max, r->conf.max_running) ==
	    -1) {
		free(r);
		return NULL;
	}
	r->conf.queue_max = r->q.cap;
	r->conf.max_running = r->q.max_running;
	r->loop = loop;
	list_init(&r->procs);
	ev_timer_init(&r->kick, on_kick, 0., 0.);
	ev_timer_init(&r->deadline, on_deadline, 0., 0.);
	return r;
}

int
hook_runner_submit(struct hook_runner *r, const char *script,
		   const struct hook_event *ev)
{
	struct hook_job *j = hook_job_new(script, ev);
	double now = ev_now(r->loop);

	if (j == NULL) {
		r->q.stats.dropped++;
		return -1;
	}
	if (hook_queue_push(&r->q, j) == 1 &&
	    (r->drop_logged == 0 ||
	     now - r->drop_logged >= HOOK_LOG_INTERVAL)) {
		log_warnx("hooks: queue full (%zu events): dropped the oldest "
			  "(%llu dropped so far)",
			  r->q.len, (unsigned long long)r->q.stats.dropped);
		r->drop_logged = now;
	}
	if (!ev_is_active(&r->kick))
		ev_timer_start(r->loop, &r->kick);
	return 0;
}

/* Give up on what runs: SIGTERM to its group, counted as timed out. */
static size_t
abandon_running(struct hook_runner *r)
{
	struct hook_proc *p, *tmp;
	size_t n = 0;
	char desc[128];

	list_for_each_entry_safe(p, tmp, &r->procs, link) {
		log_warnx("hook %s [%ld]: still running at shutdown: sending "
			  "SIGTERM",
			  job_desc(p->job, desc, sizeof(desc)), (long)p->pid);
		kill_group(p, SIGTERM);
		proc_end(p, HOOK_TIMED_OUT);
		n++;
	}
	return n;
}

size_t
hook_runner_drain(struct hook_runner *r, double max_wait)
{
	double end;
	size_t n;

	ev_timer_stop(r->loop, &r->kick);
	ev_now_update(r->loop);
	end = ev_now(r->loop) + max_wait;
	start_ready(r);
	while ((r->q.len > 0 || r->nprocs > 0) && ev_now(r->loop) < end) {
		ev_timer_set(&r->deadline, end - ev_now(r->loop), 0.);
		ev_timer_start(r->loop, &r->deadline);
		ev_run(r->loop, EVRUN_ONCE);
		ev_timer_stop(r->loop, &r->deadline);
		start_ready(r);
	}
	n = hook_queue_drop_all(&r->q);
	if (n > 0)
		log_warnx("hooks: %zu events dropped at shutdown", n);
	return n + abandon_running(r);
}

void
hook_runner_free(struct hook_runner *r)
{
	if (r == NULL)
		return;
	ev_timer_stop(r->loop, &r->kick);
	ev_timer_stop(r->loop, &r->deadline);
	abandon_running(r);
	hook_queue_fini(&r->q);
	free(r);
}

const struct hook_stats *
hook_runner_stats(const struct hook_runner *r)
{
	return &r->q.stats;
}
