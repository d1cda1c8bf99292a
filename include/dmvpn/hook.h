/*
 * Hook scripts, compatible with OpenNHRP's opennhrp-script: for each
 * event of the NHRP engine (peer-up, peer-down, nhs-up, nhs-down,
 * route-up, route-down) run `SCRIPT EVENT` with the NHRP_* environment
 * OpenNHRP sets, and nothing else but a fixed PATH.
 *
 * The pure parts can be tested without processes: the snapshot of an
 * event (struct hook_event, taken from an NHRP intent), the argv and
 * environment built from it (struct hook_env), the queue policy (struct
 * hook_queue) and the cutting of a script's output into log lines
 * (struct hook_lines).
 *
 * The runner (struct hook_runner) starts the scripts from the libev loop
 * with posix_spawn.  It never blocks and never starts a script from
 * inside hook_runner_submit(): a storm of events on a hub queues them, at
 * most max_running scripts run at once, one at a time per peer, and when
 * the queue is full the oldest waiting event is dropped and counted.  A
 * script that runs past its timeout gets SIGTERM, then SIGKILL, sent to
 * its process group.  See docs/dmvpnd.8.md, HOOK SCRIPTS.
 */
#ifndef DMVPN_HOOK_H
#define DMVPN_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "dmvpn/addr.h"
#include "dmvpn/nhrp.h"

#define HOOK_DEFAULT_MAX_RUNNING 4
#define HOOK_DEFAULT_QUEUE       1024
#define HOOK_DEFAULT_TIMEOUT     30.0 /* s; OpenNHRP used 120 */
#define HOOK_DEFAULT_KILL_GRACE  5.0  /* s from SIGTERM to SIGKILL */
#define HOOK_DEFAULT_LOG_LINES   100  /* of output per script */
#define HOOK_MAX_RUNNING         64
#define HOOK_IFNAME_MAX          16
#define HOOK_REASON_MAX          48
#define HOOK_LINE_MAX            400 /* longer output lines are cut */
#define HOOK_SCRIPT_MAX          4096
#define HOOK_ENV_MAX             16
#define HOOK_ENV_BUF             (HOOK_SCRIPT_MAX + 1024)

/* The only environment a script inherits besides NHRP_*. */
#define HOOK_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* What a script needs to know of one event; a value, safe to queue. */
struct hook_event {
	enum nhrp_event event;
	enum nhrp_cache_type kind;
	char ifname[HOOK_IFNAME_MAX]; /* NHRP_INTERFACE */
	uint32_t gre_key;             /* NHRP_GRE_KEY; 0 when none */
	struct addr src;              /* NHRP_SRCADDR: our tunnel address */
	struct addr src_nbma;         /* NHRP_SRCNBMA: our NBMA address */
	struct prefix dst;            /* NHRP_DESTADDR, NHRP_DESTPREFIX */
	struct addr nbma;             /* NHRP_DESTNBMA */
	struct addr nat_oa;           /* NHRP_DESTNBMA_NAT_OA */
	struct addr nexthop;          /* NHRP_NEXTHOP (route events) */
	uint16_t mtu;                 /* NHRP_DESTMTU; 0 when unknown */
	char reason[HOOK_REASON_MAX]; /* NHRP_PEER_DOWN_REASON; "" none */
};

/* The tunnel an event happened on. */
struct hook_iface {
	const char *ifname;
	uint32_t gre_key;               /* 0 when the tunnel has no key */
	const struct prefix *addresses; /* ours in the tunnel */
	size_t naddresses;
	struct addr nbma; /* our NBMA (underlay) address */
};

/*
 * Take what a script needs from an NHRP_I_EVENT intent that happened on
 * ifc; -1 (EINVAL) for any other intent.
 */
int hook_event_from_intent(struct hook_event *ev, const struct hook_iface *ifc,
			   const struct nhrp_intent *in);

/* The event's name, the script's first argument: "peer-up", ... */
const char *hook_event_name(enum nhrp_event event);

/* NHRP_TYPE, spelt as OpenNHRP spells its peer types ("dynamic", ...). */
const char *hook_type_name(const struct hook_event *ev);

/* True for route-up and route-down. */
bool hook_event_is_route(const struct hook_event *ev);

/* The argument and environment vectors of one run; pointers into buf. */
struct hook_env {
	char *argv[3];
	char *envp[HOOK_ENV_MAX + 1];
	size_t nenv;
	char buf[HOOK_ENV_BUF];
	size_t used;
};

/*
 * Fill he to run script for ev: argv is { script, event name, NULL },
 * envp is PATH plus the NHRP_* variables that apply; -1 (ENAMETOOLONG)
 * when the script's path is too long.
 */
int hook_env_build(struct hook_env *he, const char *script,
		   const struct hook_event *ev);

/* The value of variable name in he ("NHRP_TYPE"), or NULL. */
const char *hook_env_get(const struct hook_env *he, const char *name);

/* ---- the queue policy ---- */

/* One event waiting for, or running, its script. */
struct hook_job {
	struct hook_event ev;
	char script[]; /* NUL-terminated */
};

/* A copy of ev and script; NULL on ENOMEM or ENAMETOOLONG. */
struct hook_job *hook_job_new(const char *script, const struct hook_event *ev);

/* Free a job; NULL is fine. */
void hook_job_free(struct hook_job *j);

/* True when a and b are about the same peer (tunnel and address). */
bool hook_job_same_peer(const struct hook_job *a, const struct hook_job *b);

enum hook_result {
	HOOK_OK,           /* exit 0 */
	HOOK_FAILED,       /* a non-zero exit, or killed by a signal */
	HOOK_TIMED_OUT,    /* killed by us after its timeout */
	HOOK_SPAWN_FAILED, /* could not be started */
};

/* `dmvpnctl show stats`, section "hooks". */
struct hook_stats {
	uint64_t started;   /* taken off the queue to run */
	uint64_t succeeded; /* exit 0 */
	uint64_t failed;    /* non-zero exit, signal, or could not start */
	uint64_t timed_out; /* killed after the timeout */
	uint64_t dropped;   /* the queue was full, or shutdown came first */
	uint64_t queued;    /* waiting now */
	uint64_t running;   /* running now */
};

/*
 * A bounded FIFO of jobs and the set of those running.  A job may start
 * when fewer than max_running run and no job about the same peer runs:
 * the scripts of one peer run in the order of its events, as OpenNHRP
 * runs them.
 */
struct hook_queue {
	struct hook_job **ring;
	size_t cap;
	size_t head;
	size_t len;
	struct hook_job *running[HOOK_MAX_RUNNING];
	size_t max_running;
	size_t nrunning;
	struct hook_stats stats;
};

/*
 * Make q empty with room for cap jobs (0: HOOK_DEFAULT_QUEUE) and
 * max_running at once (0: HOOK_DEFAULT_MAX_RUNNING, at most
 * HOOK_MAX_RUNNING); -1 on ENOMEM or EINVAL.
 */
int hook_queue_init(struct hook_queue *q, size_t cap, size_t max_running);

/* Free the waiting and running jobs and the ring. */
void hook_queue_fini(struct hook_queue *q);

/*
 * Queue j, which q then owns.  When q is full the oldest waiting job is
 * dropped (freed and counted): returns 1 then, else 0.
 */
int hook_queue_push(struct hook_queue *q, struct hook_job *j);

/*
 * The oldest job that may start now, moved to the running set and
 * counted as started; NULL when none may.
 */
struct hook_job *hook_queue_pop(struct hook_queue *q);

/* A running job finished: count the result and free the job. */
void hook_queue_done(struct hook_queue *q, struct hook_job *j,
		     enum hook_result r);

/* Drop every waiting job (counted); returns how many. */
size_t hook_queue_drop_all(struct hook_queue *q);

/* ---- output lines ---- */

/*
 * Cuts a script's output into lines for the log: "\r" is dropped, other
 * control characters become "?", empty lines are skipped and a line
 * longer than HOOK_LINE_MAX is cut into pieces.
 */
struct hook_lines {
	char buf[HOOK_LINE_MAX + 1];
	size_t len;
};

typedef void hook_line_fn(const char *line, void *arg);

/* Feed n bytes; fn gets each complete line, without its newline. */
void hook_lines_feed(struct hook_lines *hl, const char *data, size_t n,
		     hook_line_fn *fn, void *arg);

/* Hand fn what is left after the last newline. */
void hook_lines_flush(struct hook_lines *hl, hook_line_fn *fn, void *arg);

/*
 * The result of a wait status (timed_out: we killed it), and the status
 * in words ("exit 3", "killed by signal 9 (Killed)") in buf.
 */
enum hook_result hook_status_result(int status, bool timed_out);
const char *hook_status_fmt(int status, char *buf, size_t len);

/* ---- the runner ---- */

struct hook_runner_conf {
	double timeout;       /* s; 0: HOOK_DEFAULT_TIMEOUT */
	double kill_grace;    /* s; 0: HOOK_DEFAULT_KILL_GRACE */
	size_t max_running;   /* 0: HOOK_DEFAULT_MAX_RUNNING */
	size_t queue_max;     /* 0: HOOK_DEFAULT_QUEUE */
	size_t max_log_lines; /* 0: HOOK_DEFAULT_LOG_LINES */
};

struct hook_runner;

/*
 * A runner on loop, which must be libev's default loop (the only one
 * with child watchers); conf may be NULL.  NULL with errno on failure.
 */
struct hook_runner *hook_runner_new(struct ev_loop *loop,
				    const struct hook_runner_conf *conf);

/*
 * Queue the run of script for ev.  Nothing is started here: the runner
 * starts scripts from its own watchers.  -1 with errno (ENOMEM,
 * ENAMETOOLONG); the event is then counted as dropped.
 *
 * Before each start the runner marks every descriptor above 2 of the
 * process close-on-exec (close_range(2) CLOSE_RANGE_CLOEXEC), so that no
 * socket of the daemon leaks into a script.
 */
int hook_runner_submit(struct hook_runner *r, const char *script,
		       const struct hook_event *ev);

/*
 * For shutdown: run the loop until every queued script has finished or
 * max_wait seconds have passed, then drop what still waits and send
 * SIGTERM to what still runs.  Returns how many scripts were abandoned.
 */
size_t hook_runner_drain(struct hook_runner *r, double max_wait);

/* Send SIGTERM to running scripts, drop queued ones, free.  NULL is fine. */
void hook_runner_free(struct hook_runner *r);

/* The counters; queued and running are current. */
const struct hook_stats *hook_runner_stats(const struct hook_runner *r);

#endif /* DMVPN_HOOK_H */
