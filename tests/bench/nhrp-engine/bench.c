/*
 * In-process benchmark of the NHRP engine as a hub (NHS).
 *
 * One hub engine (tunnel 172.16.0.1/12, NBMA 192.0.2.1) is fed, through
 * nhrp_recv() and nothing else, the Registration Requests of N simulated
 * spokes (default 100,000), each with its own tunnel address and its own
 * NBMA address, encoded beforehand with our codec exactly as a dmvpnd
 * spoke sends them (spoke.c).  Three loads, timed one after the other with
 * the wall clock (which the targets judge) and with the thread's CPU time
 * (which tells a busy machine from a slow engine):
 *
 *   first     every spoke registers for the first time (cache entries,
 *             virtual connections and neighbour mappings are created);
 *   refresh   every spoke registers again with a new request ID, as it
 *             does at a third of the holding time;
 *   resolve   every spoke asks for another spoke's address and the hub
 *             answers from its registration cache.
 *
 * The send op only counts packets and bytes and decodes one reply in 1024
 * to check it says Success; the intent op only counts.  So what is timed
 * is the engine: decode, cache, timers, reply encode.
 *
 * Why each repetition runs in a fresh child process: the memory figures
 * are deltas (heap bytes handed out, resident set), and a heap that a
 * previous repetition grew and freed would hide the growth.  The packets
 * are encoded once in the parent and shared with the children.
 *
 * Memory is counted two ways, both portable to musl: a counting allocator
 * (the link wraps malloc, calloc, realloc and free with -Wl,--wrap, so
 * every allocation of the engine goes through __wrap_*; sizes come from
 * malloc_usable_size(), which glibc and musl both have) and the resident
 * set read from /proc/self/statm.  The first is what the engine asks for,
 * rounded to the allocator's granularity; the second adds the allocator's
 * own overhead and fragmentation.  mallinfo2() would be glibc-only.
 *
 * NBMA addresses: the spokes' NBMA addresses are only values passed as
 * `from` and carried inside the packets; nothing here touches a socket.
 * 100,000 distinct values do not fit in the three TEST-NET /24s, so they
 * come from 198.18.0.0/15, the range RFC 2544 sets aside for benchmarks.
 *
 * Output: a table on stdout, then "RESULT key value" lines for the run
 * script.  Exit status 0 unless the engine misbehaved (refused spokes,
 * wrong replies); a missed target is not an error.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dmvpn/log.h"
#include "dmvpn/nhrp.h"
#include "dmvpn/nhrp_wire.h"
#include "spoke.h"

#define DEFAULT_SPOKES 100000
#define MAX_SPOKES     131070 /* 198.18.0.1 + i stays in 198.18.0.0/15 */
#define DEFAULT_REPS   5
#define MAX_REPS       25
#define PKT_STRIDE     256 /* bytes reserved per pre-encoded packet */
#define SAMPLE_EVERY   1024

/* The targets. */
#define TARGET_REG_PER_S      500000.0
#define TARGET_BYTES_PER_PEER 512.0

/* --- counting allocator (link with -Wl,--wrap=malloc,...) ---------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

/* Single-threaded: plain counters are enough. */
static struct {
	size_t live;    /* usable bytes currently allocated */
	size_t peak;    /* highest `live` since last reset */
	size_t blocks;  /* blocks currently allocated */
	uint64_t calls; /* malloc/calloc/realloc calls that allocated */
} heapc;

/*
 * Depth guard: linked statically, libc's own calloc or realloc may call
 * malloc, and --wrap reroutes that call here too; count each block once.
 */
static int in_wrap;

static void
heapc_add(void *p)
{
	if (p == NULL)
		return;
	heapc.live += malloc_usable_size(p);
	if (heapc.live > heapc.peak)
		heapc.peak = heapc.live;
	heapc.blocks++;
	heapc.calls++;
}

static void
heapc_sub(void *p)
{
	if (p == NULL)
		return;
	heapc.live -= malloc_usable_size(p);
	heapc.blocks--;
}

void *
__wrap_malloc(size_t n)
{
	void *p;

	if (in_wrap)
		return __real_malloc(n);
	in_wrap = 1;
	p = __real_malloc(n);
	in_wrap = 0;
	heapc_add(p);
	return p;
}

void *
__wrap_calloc(size_t n, size_t size)
{
	void *p;

	if (in_wrap)
		return __real_calloc(n, size);
	in_wrap = 1;
	p = __real_calloc(n, size);
	in_wrap = 0;
	heapc_add(p);
	return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (in_wrap)
		return __real_realloc(p, n);
	old = p != NULL ? malloc_usable_size(p) : 0;
	in_wrap = 1;
	q = __real_realloc(p, n);
	in_wrap = 0;
	if (q == NULL)
		return NULL; /* p is untouched (or n was 0 and p is freed) */
	heapc.live -= old;
	heapc.live += malloc_usable_size(q);
	if (heapc.live > heapc.peak)
		heapc.peak = heapc.live;
	if (p == NULL)
		heapc.blocks++;
	heapc.calls++;
	return q;
}

void
__wrap_free(void *p)
{
	if (in_wrap) {
		__real_free(p);
		return;
	}
	heapc_sub(p);
	in_wrap = 1;
	__real_free(p);
	in_wrap = 0;
}

/* --- measurement helpers -------------------------------------------------- */

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * CPU time of this thread.  Beside the wall clock (what the targets are
 * judged on) it tells how much of a CPU the loads really got: on a busy
 * machine the wall-clock rate drops, the per-CPU-second rate much less.
 */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident set in bytes, from /proc/self/statm (Linux, any libc). */
static size_t
rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* Stay on one CPU: the engine is single-threaded; migrations add noise. */
static int
pin_one_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set) == -1)
		return -1;
	for (cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--) {
		if (CPU_ISSET(cpu, &set)) {
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set) == -1)
				return -1;
			return cpu;
		}
	}
	return -1;
}

static void
quiet_sink(enum log_level level, const char *msg, void *arg)
{
	(void)level;
	(void)msg;
	(void)arg;
}

/* --- the workload ------------------------------------------------------- */

/* Packets encoded once, before any timing. */
struct load {
	size_t n;
	uint8_t *pkt; /* n * PKT_STRIDE bytes */
	uint16_t *len;
};

struct world {
	size_t n;
	struct addr hub_nbma;
	struct addr *nbma;  /* spoke i's NBMA address */
	struct addr *proto; /* spoke i's tunnel address */
	struct load first, refresh, resolve;
};

/* What the ops saw; the engine never calls back into the engine. */
struct sink {
	uint64_t packets;
	uint64_t bytes;
	uint64_t intents;
	uint64_t samples;
	uint64_t sample_bad;
	uint8_t expect; /* reply type the current load should produce */
};

static void
op_send(void *ctx, const struct addr *dst, const uint8_t *pkt, size_t len)
{
	struct sink *s = ctx;
	uint32_t reqid;
	uint8_t code;

	(void)dst;
	if (s->packets++ % SAMPLE_EVERY == 0) {
		s->samples++;
		if (spoke_check_reply(pkt, len, s->expect, &reqid, &code) != 0)
			s->sample_bad++;
	}
	s->bytes += len;
}

static void
op_intent(void *ctx, const struct nhrp_intent *in)
{
	struct sink *s = ctx;

	(void)in;
	s->intents++;
}

static int
load_alloc(struct load *l, size_t n)
{
	l->n = n;
	l->pkt = calloc(n, PKT_STRIDE);
	l->len = calloc(n, sizeof(*l->len));
	return l->pkt == NULL || l->len == NULL ? -1 : 0;
}

static int
load_put(struct load *l, size_t i, int len, const char *why)
{
	if (len < 0 || len > PKT_STRIDE) {
		fprintf(stderr, "bench: cannot encode packet %zu: %s\n", i,
			why != NULL ? why : "too long");
		return -1;
	}
	l->len[i] = (uint16_t)len;
	return 0;
}

/*
 * Spoke i: tunnel address 172.16.1.0 + i (inside the hub's /12), NBMA
 * address 198.18.0.1 + i (RFC 2544 benchmarking range, never on a wire).
 */
static int
world_build(struct world *w, size_t n)
{
	const char *why = NULL;
	uint32_t reqid = 1;
	size_t i;

	memset(w, 0, sizeof(*w));
	w->n = n;
	w->hub_nbma = spoke_ipv4(0xc0000201u); /* 192.0.2.1 */
	w->nbma = calloc(n, sizeof(*w->nbma));
	w->proto = calloc(n, sizeof(*w->proto));
	if (w->nbma == NULL || w->proto == NULL ||
	    load_alloc(&w->first, n) == -1 ||
	    load_alloc(&w->refresh, n) == -1 ||
	    load_alloc(&w->resolve, n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		w->proto[i] = spoke_ipv4(0xac100100u + (uint32_t)i);
		w->nbma[i] = spoke_ipv4(0xc6120001u + (uint32_t)i);
	}
	for (i = 0; i < n; i++) {
		uint8_t *p = &w->first.pkt[i * PKT_STRIDE];
		int len = spoke_registration(p, PKT_STRIDE, &w->nbma[i],
					     &w->proto[i], &w->hub_nbma,
					     reqid++, &why);

		if (load_put(&w->first, i, len, why) == -1)
			return -1;
	}
	/* A refresh is a new request with a new ID (RFC 2332 5.2.3). */
	for (i = 0; i < n; i++) {
		uint8_t *p = &w->refresh.pkt[i * PKT_STRIDE];
		int len = spoke_registration(p, PKT_STRIDE, &w->nbma[i],
					     &w->proto[i], &w->hub_nbma,
					     reqid++, &why);

		if (load_put(&w->refresh, i, len, why) == -1)
			return -1;
	}
	/* Spoke i resolves spoke i + n/2: every target is in the cache. */
	for (i = 0; i < n; i++) {
		uint8_t *p = &w->resolve.pkt[i * PKT_STRIDE];
		int len = spoke_resolution(
			p, PKT_STRIDE, &w->nbma[i], &w->proto[i],
			&w->proto[(i + n / 2) % n], reqid++, &why);

		if (load_put(&w->resolve, i, len, why) == -1)
			return -1;
	}
	return 0;
}

/* One repetition's figures, sent from the child to the parent. */
struct rep {
	int ok;
	char err[160];
	double s_first, s_refresh, s_resolve; /* wall clock */
	double c_first, c_refresh, c_resolve; /* CPU time */
	double cpu_share;                     /* CPU / wall over the loads, % */
	double heap_first;   /* heap bytes per spoke after `first` */
	double heap_resolve; /* ... after `resolve` (holders added) */
	double rss_first;    /* resident bytes per spoke after `first` */
	double allocs_first; /* allocation calls per first registration */
	double allocs_refresh;
	double reply_bytes; /* mean registration reply size */
	double ms_free;     /* nhrp_engine_free(), not a target */
	double peak_free;   /* heap peak during it, bytes per spoke */
	uint64_t samples, sample_bad;
};

/* Feed one load to the engine; returns the seconds it took, *cpu the CPU. */
static double
feed(struct nhrp_engine *e, const struct world *w, const struct load *l,
     double now, double *cpu)
{
	double t0 = mono(), c0 = cpu_now();
	size_t i;

	for (i = 0; i < l->n; i++)
		nhrp_recv(e, now, &w->nbma[i], &l->pkt[i * PKT_STRIDE],
			  l->len[i]);
	*cpu = cpu_now() - c0;
	return mono() - t0;
}

static void
rep_fail(struct rep *r, const char *what, uint64_t got, uint64_t want)
{
	r->ok = 0;
	snprintf(r->err, sizeof(r->err), "%s: %" PRIu64 " (want %" PRIu64 ")",
		 what, got, want);
}

static void
run_rep(const struct world *w, struct rep *r)
{
	struct sink sink;
	struct nhrp_ops ops = {
		.send = op_send,
		.intent = op_intent,
		.ctx = &sink,
	};
	struct nhrp_conf conf;
	struct nhrp_engine *e;
	const struct nhrp_stats *st;
	const char *why = NULL;
	size_t heap0, rss0, n = w->n;
	uint64_t calls0;
	double now = 1000;

	memset(r, 0, sizeof(*r));
	memset(&sink, 0, sizeof(sink));
	r->ok = 1;
	nhrp_conf_defaults(&conf, NHRP_ROLE_HUB);
	snprintf(conf.ifname, sizeof(conf.ifname), "gre1");
	prefix_parse(&conf.local[0], "172.16.0.1/12");
	conf.nlocal = 1;
	conf.local_nbma = w->hub_nbma;
	heap0 = heapc.live;
	calls0 = heapc.calls;
	rss0 = rss_bytes();
	e = nhrp_engine_new(&conf, &ops, now, &why);
	if (e == NULL) {
		snprintf(r->err, sizeof(r->err), "engine: %s", why);
		r->ok = 0;
		return;
	}
	st = nhrp_stats(e);

	sink.expect = NHRP_REGISTRATION_REPLY;
	r->s_first = feed(e, w, &w->first, now, &r->c_first);
	r->heap_first = (double)(heapc.live - heap0) / (double)n;
	r->rss_first = (double)(rss_bytes() - rss0) / (double)n;
	r->allocs_first = (double)(heapc.calls - calls0) / (double)n;
	r->reply_bytes = (double)sink.bytes / (double)n;
	if (st->registrations_accepted != n)
		rep_fail(r, "first: accepted", st->registrations_accepted, n);
	if (st->tx_by_type[NHRP_REGISTRATION_REPLY] != n)
		rep_fail(r, "first: replies",
			 st->tx_by_type[NHRP_REGISTRATION_REPLY], n);

	/* A third of the holding time later, as spokes refresh. */
	now += SPOKE_HOLDING_TIME / 3.0;
	calls0 = heapc.calls;
	r->s_refresh = feed(e, w, &w->refresh, now, &r->c_refresh);
	r->allocs_refresh = (double)(heapc.calls - calls0) / (double)n;
	if (st->registrations_accepted != 2 * n)
		rep_fail(r, "refresh: accepted", st->registrations_accepted,
			 2 * n);

	now += 1;
	sink.expect = NHRP_RESOLUTION_REPLY;
	r->s_resolve = feed(e, w, &w->resolve, now, &r->c_resolve);
	r->cpu_share = 100 * (r->c_first + r->c_refresh + r->c_resolve) /
		       (r->s_first + r->s_refresh + r->s_resolve);
	r->heap_resolve = (double)(heapc.live - heap0) / (double)n;
	if (st->resolutions_answered != n)
		rep_fail(r, "resolve: answered", st->resolutions_answered, n);
	if (st->tx_by_type[NHRP_RESOLUTION_REPLY] != n)
		rep_fail(r, "resolve: replies",
			 st->tx_by_type[NHRP_RESOLUTION_REPLY], n);

	r->samples = sink.samples;
	r->sample_bad = sink.sample_bad;
	if (sink.sample_bad > 0)
		rep_fail(r, "sampled replies not Success", sink.sample_bad, 0);
	/*
	 * Shutdown: the engine withdraws what it installed and purges the
	 * bindings it gave out (every spoke resolved one), so this is timed
	 * too, with the heap's high-water mark while it runs.
	 */
	heapc.peak = heapc.live;
	r->ms_free = mono();
	nhrp_engine_free(e, now);
	r->ms_free = (mono() - r->ms_free) * 1000;
	r->peak_free = (double)(heapc.peak - heap0) / (double)n;
}

/* Run one repetition in a child so that its heap starts fresh. */
static int
run_child(const struct world *w, struct rep *r)
{
	int fd[2], status;
	pid_t pid;
	ssize_t got;

	if (pipe(fd) == -1)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		run_rep(w, r);
		if (write(fd[1], r, sizeof(*r)) != (ssize_t)sizeof(*r))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	do
		got = read(fd[0], r, sizeof(*r));
	while (got == -1 && errno == EINTR);
	close(fd[0]);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || got != (ssize_t)sizeof(*r))
		return -1;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, minimum and maximum of field `off` over the repetitions. */
static void
stat_of(const struct rep *reps, size_t n, size_t off, bool rate, size_t npeers,
	double out[3])
{
	double v[MAX_REPS];
	size_t i;

	for (i = 0; i < n; i++) {
		double x;

		memcpy(&x, (const char *)&reps[i] + off, sizeof(x));
		v[i] = rate ? (double)npeers / x : x;
	}
	qsort(v, n, sizeof(v[0]), cmp_double);
	out[0] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	out[1] = v[0];
	out[2] = v[n - 1];
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench [-n SPOKES] [-r REPETITIONS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct rep reps[MAX_REPS];
	static const struct {
		const char *key, *label;
		size_t off;
		bool rate;
		int target; /* 0 none, 1 rate >=, 2 bytes <= */
	} rows[] = {
		{"first_per_s", "first registrations/s",
		 offsetof(struct rep, s_first), true, 1},
		{"refresh_per_s", "refresh registrations/s",
		 offsetof(struct rep, s_refresh), true, 1},
		{"resolve_per_s", "resolutions from cache/s",
		 offsetof(struct rep, s_resolve), true, 0},
		{"first_per_cpu_s", "first registrations per CPU-second",
		 offsetof(struct rep, c_first), true, 0},
		{"refresh_per_cpu_s", "refresh registrations per CPU-second",
		 offsetof(struct rep, c_refresh), true, 0},
		{"resolve_per_cpu_s", "resolutions per CPU-second",
		 offsetof(struct rep, c_resolve), true, 0},
		{"cpu_share_pct", "CPU share during the loads, %",
		 offsetof(struct rep, cpu_share), false, 0},
		{"heap_bytes_per_spoke", "heap bytes per spoke",
		 offsetof(struct rep, heap_first), false, 2},
		{"rss_bytes_per_spoke", "RSS bytes per spoke",
		 offsetof(struct rep, rss_first), false, 2},
		{"heap_bytes_per_spoke_after_resolve",
		 "heap bytes per spoke after resolve",
		 offsetof(struct rep, heap_resolve), false, 0},
		{"allocs_per_first", "allocations per first registration",
		 offsetof(struct rep, allocs_first), false, 0},
		{"allocs_per_refresh", "allocations per refresh",
		 offsetof(struct rep, allocs_refresh), false, 0},
		{"reply_bytes", "registration reply bytes",
		 offsetof(struct rep, reply_bytes), false, 0},
		{"free_ms", "engine free (shutdown) ms",
		 offsetof(struct rep, ms_free), false, 0},
		{"free_peak_heap_per_spoke", "heap peak in shutdown, B/spoke",
		 offsetof(struct rep, peak_free), false, 0},
	};
	double med[sizeof(rows) / sizeof(rows[0])][3];
	struct world w;
	size_t n = DEFAULT_SPOKES, nreps = DEFAULT_REPS, i;
	int opt, cpu, bad = 0;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			nreps = strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	/* NBMA addresses must stay inside 198.18.0.0/15. */
	if (n < 2 || n > MAX_SPOKES || nreps < 1 || nreps > MAX_REPS)
		usage();
	log_set_sink(quiet_sink, NULL);
	cpu = pin_one_cpu();
	if (world_build(&w, n) == -1) {
		fprintf(stderr, "bench: cannot build the workload\n");
		return 1;
	}
	printf("nhrp-engine in-process: hub 172.16.0.1/12 NBMA 192.0.2.1, "
	       "%zu spokes, %zu repetitions, pinned to CPU %d\n",
	       n, nreps, cpu);
	printf("packet sizes: registration %u B, resolution %u B\n",
	       w.first.len[0], w.resolve.len[0]);
	for (i = 0; i < nreps; i++) {
		if (run_child(&w, &reps[i]) == -1) {
			fprintf(stderr, "bench: repetition %zu died\n", i + 1);
			return 1;
		}
		if (!reps[i].ok) {
			fprintf(stderr, "bench: repetition %zu: %s\n", i + 1,
				reps[i].err);
			bad = 1;
		}
		printf("  rep %zu: first %.0f/s  refresh %.0f/s  resolve "
		       "%.0f/s  heap %.0f B/spoke  rss %.0f B/spoke  cpu "
		       "%.0f%%\n",
		       i + 1, (double)n / reps[i].s_first,
		       (double)n / reps[i].s_refresh,
		       (double)n / reps[i].s_resolve, reps[i].heap_first,
		       reps[i].rss_first, reps[i].cpu_share);
	}
	printf("\n%-36s %12s %12s %12s  %s\n", "measurement", "median", "min",
	       "max", "target");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double s[3];
		char target[48] = "";

		stat_of(reps, nreps, rows[i].off, rows[i].rate, n, s);
		memcpy(med[i], s, sizeof(s));
		if (rows[i].target == 1)
			snprintf(target, sizeof(target), ">= %.0f/s: %s",
				 TARGET_REG_PER_S,
				 s[0] >= TARGET_REG_PER_S ? "PASS" : "MISS");
		else if (rows[i].target == 2)
			snprintf(target, sizeof(target), "<= %.0f B: %s",
				 TARGET_BYTES_PER_PEER,
				 s[0] <= TARGET_BYTES_PER_PEER ? "PASS"
							       : "MISS");
		printf("%-36s %12.1f %12.1f %12.1f  %s\n", rows[i].label, s[0],
		       s[1], s[2], target);
	}
	/* For the run script: median, min, max. */
	printf("\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		printf("RESULT %s %.1f %.1f %.1f\n", rows[i].key, med[i][0],
		       med[i][1], med[i][2]);
	printf("RESULT spokes %zu\nRESULT reps %zu\n", n, nreps);
	printf("RESULT sampled_replies %" PRIu64 " bad %" PRIu64 "\n",
	       reps[0].samples, reps[0].sample_bad);
	return bad;
}
