/*
 * The hook runner's policy, without processes: which event's script
 * starts next, what is dropped when too many wait, how output becomes
 * log lines and how an exit status reads.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "dmvpn/hook.h"

struct hook_job *
hook_job_new(const char *script, const struct hook_event *ev)
{
	size_t len = strlen(script);
	struct hook_job *j;

	if (len >= HOOK_SCRIPT_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((j = malloc(sizeof(*j) + len + 1)) == NULL)
		return NULL;
	j->ev = *ev;
	memcpy(j->script, script, len + 1);
	return j;
}

void
hook_job_free(struct hook_job *j)
{
	free(j);
}

bool
hook_job_same_peer(const struct hook_job *a, const struct hook_job *b)
{
	return strcmp(a->ev.ifname, b->ev.ifname) == 0 &&
	       addr_eq(&a->ev.dst.addr, &b->ev.dst.addr);
}

int
hook_queue_init(struct hook_queue *q, size_t cap, size_t max_running)
{
	memset(q, 0, sizeof(*q));
	if (cap == 0)
		cap = HOOK_DEFAULT_QUEUE;
	if (max_running == 0)
		max_running = HOOK_DEFAULT_MAX_RUNNING;
	if (max_running > HOOK_MAX_RUNNING) {
		errno = EINVAL;
		return -1;
	}
	if ((q->ring = calloc(cap, sizeof(*q->ring))) == NULL)
		return -1;
	q->cap = cap;
	q->max_running = max_running;
	return 0;
}

void
hook_queue_fini(struct hook_queue *q)
{
	size_t i;

	if (q->ring != NULL)
		hook_queue_drop_all(q);
	for (i = 0; i < q->nrunning; i++)
		hook_job_free(q->running[i]);
	q->nrunning = 0;
	q->stats.running = 0;
	free(q->ring);
	q->ring = NULL;
	q->cap = 0;
}

static struct hook_job **
slot(struct hook_queue *q, size_t i)
{
	return &q->ring[(q->head + i) % q->cap];
}

int
hook_queue_push(struct hook_queue *q, struct hook_job *j)
{
	int dropped = 0;

	if (q->len == q->cap) {
		/* The oldest event is the likeliest to be stale already. */
		hook_job_free(*slot(q, 0));
		q->head = (q->head + 1) % q->cap;
		q->len--;
		q->stats.dropped++;
		dropped = 1;
	}
	*slot(q, q->len) = j;
	q->len++;
	q->stats.queued = q->len;
	return dropped;
}

static bool
peer_running(const struct hook_queue *q, const struct hook_job *j)
{
	size_t i;

	for (i = 0; i < q->nrunning; i++)
		if (hook_job_same_peer(q->running[i], j))
			return true;
	return false;
}

struct hook_job *
hook_queue_pop(struct hook_queue *q)
{
	struct hook_job *j;
	size_t i, k;

	if (q->nrunning >= q->max_running)
		return NULL;
	/* The first job whose peer is idle; later jobs of a busy peer wait,
	 * so one peer's scripts keep the order of its events. */
	for (i = 0; i < q->len; i++) {
		j = *slot(q, i);
		if (peer_running(q, j))
			continue;
		for (k = i; k + 1 < q->len; k++)
			*slot(q, k) = *slot(q, k + 1);
		q->len--;
		q->running[q->nrunning++] = j;
		q->stats.queued = q->len;
		q->stats.running = q->nrunning;
		q->stats.started++;
		return j;
	}
	return NULL;
}

void
hook_queue_done(struct hook_queue *q, struct hook_job *j, enum hook_result r)
{
	size_t i;

	for (i = 0; i < q->nrunning; i++) {
		if (q->running[i] != j)
			continue;
		q->running[i] = q->running[--q->nrunning];
		break;
	}
	q->stats.running = q->nrunning;
	switch (r) {
	case HOOK_OK:
		q->stats.succeeded++;
		break;
	case HOOK_TIMED_OUT:
		q->stats.timed_out++;
		break;
	case HOOK_FAILED:
	case HOOK_SPAWN_FAILED:
		q->stats.failed++;
		break;
	}
	hook_job_free(j);
}

size_t
hook_queue_drop_all(struct hook_queue *q)
{
	size_t n = q->len;

	while (q->len > 0) {
		hook_job_free(*slot(q, 0));
		q->head = (q->head + 1) % q->cap;
		q->len--;
	}
	q->head = 0;
	q->stats.dropped += n;
	q->stats.queued = 0;
	return n;
}

/* ---- output lines ---- */

static void
emit(struct hook_lines *hl, hook_line_fn *fn, void *arg)
{
	if (hl->len > 0) {
		hl->buf[hl->len] = '\0';
		fn(hl->buf, arg);
	}
	hl->len = 0;
}

void
hook_lines_feed(struct hook_lines *hl, const char *data, size_t n,
		hook_line_fn *fn, void *arg)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\n') {
			emit(hl, fn, arg);
			continue;
		}
		if (c == '\r')
			continue;
		/* Nothing that could forge a log line or a terminal escape. */
		if (c == '\t')
			c = ' ';
		else if (c < 0x20 || c == 0x7f)
			c = '?';
		if (hl->len == HOOK_LINE_MAX)
			emit(hl, fn, arg);
		hl->buf[hl->len++] = (char)c;
	}
}

void
hook_lines_flush(struct hook_lines *hl, hook_line_fn *fn, void *arg)
{
	emit(hl, fn, arg);
}

/* ---- exit status ---- */

enum hook_result
hook_status_result(int status, bool timed_out)
{
	if (timed_out)
		return HOOK_TIMED_OUT;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return HOOK_OK;
	return HOOK_FAILED;
}

const char *
hook_status_fmt(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", (unsigned int)status);
	return buf;
}
