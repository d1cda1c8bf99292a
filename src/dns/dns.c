/*
 * c-ares on libev: see include/dmvpn/dns.h.  c-ares tells us which
 * sockets to watch through its socket-state callback; one ev_io per
 * socket feeds ares_process_fd(), and one ev_timer drives c-ares's own
 * timeouts.  Watches re-resolve on their own ev_timer.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ares.h>

#include "dmvpn/dns.h"
#include "dmvpn/list.h"
#include "dmvpn/log.h"

struct dns_sock {
	struct list_node link;
	ev_io io;
	struct dns *d;
};

struct dns {
	struct ev_loop *loop;
	ares_channel channel;
	ev_timer timeout;
	struct list_node socks;
	struct list_node watches;
	double min_ttl, max_ttl;
};

/*
 * A watch outlives dns_unwatch() while a query of its is in flight
 * (c-ares always calls back, with ARES_EDESTRUCTION at the latest): it is
 * then marked dead and freed by the last answer.
 */
struct dns_watch {
	struct list_node link;
	struct dns *d;
	char *name;
	dns_fn *cb;
	void *arg;
	ev_timer again;
	unsigned int generation; /* answers to older queries are ignored */
	unsigned int inflight;
	bool dead;
};

struct dns_query {
	struct dns_watch *w;
	unsigned int generation;
};

static void
dns_arm_timeout(struct dns *d)
{
	struct timeval tv, *tvp;

	ev_timer_stop(d->loop, &d->timeout);
	tvp = ares_timeout(d->channel, NULL, &tv);
	if (tvp == NULL)
		return;
	ev_timer_set(&d->timeout, (double)tvp->tv_sec + tvp->tv_usec / 1e6, 0.);
	ev_timer_start(d->loop, &d->timeout);
}

static void
on_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct dns *d = container_of(t, struct dns, timeout);

	(void)loop;
	(void)revents;
	ares_process_fd(d->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_arm_timeout(d);
}

static void
on_io(struct ev_loop *loop, ev_io *io, int revents)
{
	struct dns_sock *s = container_of(io, struct dns_sock, io);
	struct dns *d = s->d;

	(void)loop;
	ares_process_fd(d->channel,
			(revents & EV_READ) ? io->fd : ARES_SOCKET_BAD,
			(revents & EV_WRITE) ? io->fd : ARES_SOCKET_BAD);
	dns_arm_timeout(d);
}

static struct dns_sock *
sock_find(struct dns *d, ares_socket_t fd)
{
	struct dns_sock *s;

	list_for_each_entry(s, &d->socks, link)
		if (s->io.fd == fd)
			return s;
	return NULL;
}

static void
on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = data;
	struct dns_sock *s = sock_find(d, fd);
	int ev = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

	if (s != NULL) {
		ev_io_stop(d->loop, &s->io);
		if (ev == 0) {
			list_del(&s->link);
			free(s);
			return;
		}
		ev_io_set(&s->io, fd, ev);
		ev_io_start(d->loop, &s->io);
		return;
	}
	if (ev == 0)
		return;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		log_warnx("dns: out of memory for a socket watcher");
		return;
	}
	s->d = d;
	ev_io_init(&s->io, on_io, fd, ev);
	ev_io_start(d->loop, &s->io);
	list_add_tail(&d->socks, &s->link);
}

struct dns *
dns_new(struct ev_loop *loop, const char *servers, const char **why)
{
	static char lookups[] = "fb"; /* /etc/hosts first, then DNS */
	struct ares_options opts;
	struct dns *d;
	int rc;

	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		*why = ares_strerror(rc);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		*why = "out of memory";
		ares_library_cleanup();
		return NULL;
	}
	d->loop = loop;
	d->min_ttl = 60;
	d->max_ttl = 7200;
	list_init(&d->socks);
	list_init(&d->watches);
	ev_timer_init(&d->timeout, on_timeout, 0., 0.);
	memset(&opts, 0, sizeof(opts));
	opts.sock_state_cb = on_sock_state;
	opts.sock_state_cb_data = d;
	opts.lookups = lookups;
	rc = ares_init_options(&d->channel, &opts,
			       ARES_OPT_SOCK_STATE_CB | ARES_OPT_LOOKUPS);
	if (rc == ARES_SUCCESS && servers != NULL) {
		rc = ares_set_servers_ports_csv(d->channel, servers);
		if (rc != ARES_SUCCESS)
			ares_destroy(d->channel);
	}
	if (rc != ARES_SUCCESS) {
		*why = ares_strerror(rc);
		free(d);
		ares_library_cleanup();
		return NULL;
	}
	return d;
}

void
dns_set_ttl_bounds(struct dns *d, double min_ttl, double max_ttl)
{
	d->min_ttl = min_ttl;
	d->max_ttl = max_ttl < min_ttl ? min_ttl : max_ttl;
}

static void resolve(struct dns_watch *w);

static void
on_again(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	resolve(container_of(t, struct dns_watch, again));
}

static void
watch_free(struct dns_watch *w)
{
	free(w->name);
	free(w);
}

/* Collect the distinct addresses and the smallest TTL of an answer. */
static size_t
collect(const struct ares_addrinfo *res, struct addr *addrs, double *ttl)
{
	const struct ares_addrinfo_node *n;
	size_t count = 0, i;

	*ttl = -1;
	for (n = res != NULL ? res->nodes : NULL; n != NULL; n = n->ai_next) {
		struct addr a;
		bool dup = false;

		if (n->ai_family == AF_INET)
			addr_from_bytes(
				&a,
				&((const struct sockaddr_in *)(const void *)
					  n->ai_addr)
					 ->sin_addr,
				4);
		else if (n->ai_family == AF_INET6)
			addr_from_bytes(
				&a,
				&((const struct sockaddr_in6 *)(const void *)
					  n->ai_addr)
					 ->sin6_addr,
				16);
		else
			continue;
		for (i = 0; i < count; i++)
			dup |= addr_eq(&addrs[i], &a);
		if (dup || count == DNS_MAX_ADDRS)
			continue;
		addrs[count++] = a;
		if (*ttl < 0 || n->ai_ttl < *ttl)
			*ttl = n->ai_ttl;
	}
	return count;
}

static void
on_answer(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct dns_query *q = arg;
	struct dns_watch *w = q->w;
	struct addr addrs[DNS_MAX_ADDRS];
	size_t count;
	double ttl;
	bool current = q->generation == w->generation;

	(void)timeouts;
	free(q);
	w->inflight--;
	count = collect(res, addrs, &ttl);
	if (res != NULL)
		ares_freeaddrinfo(res);
	if (w->dead) {
		if (w->inflight == 0)
			watch_free(w);
		return;
	}
	if (!current)
		return;
	if (ttl < w->d->min_ttl)
		ttl = w->d->min_ttl;
	if (ttl > w->d->max_ttl)
		ttl = w->d->max_ttl;
	ev_timer_set(&w->again, ttl, 0.);
	ev_timer_start(w->d->loop, &w->again);
	w->cb(w->arg, w->name, addrs, count,
	      status == ARES_SUCCESS ? NULL : ares_strerror(status));
}

static void
resolve(struct dns_watch *w)
{
	struct ares_addrinfo_hints hints;
	struct dns_query *q = calloc(1, sizeof(*q));

	ev_timer_stop(w->d->loop, &w->again);
	if (q == NULL) {
		ev_timer_set(&w->again, w->d->min_ttl, 0.);
		ev_timer_start(w->d->loop, &w->again);
		return;
	}
	q->w = w;
	q->generation = ++w->generation;
	w->inflight++;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(w->d->channel, w->name, NULL, &hints, on_answer, q);
	dns_arm_timeout(w->d);
}

struct dns_watch *
dns_watch(struct dns *d, const char *name, dns_fn *cb, void *arg)
{
	struct dns_watch *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->name = strdup(name);
	if (w->name == NULL) {
		free(w);
		return NULL;
	}
	w->d = d;
	w->cb = cb;
	w->arg = arg;
	ev_timer_init(&w->again, on_again, 0., 0.);
	list_add_tail(&d->watches, &w->link);
	resolve(w);
	return w;
}

void
dns_refresh(struct dns_watch *w)
{
	resolve(w);
}

void
dns_unwatch(struct dns_watch *w)
{
	if (w == NULL)
		return;
	ev_timer_stop(w->d->loop, &w->again);
	list_del(&w->link);
	if (w->inflight > 0)
		w->dead = true;
	else
		watch_free(w);
}

void
dns_free(struct dns *d)
{
	struct dns_watch *w, *tw;
	struct dns_sock *s, *ts;

	if (d == NULL)
		return;
	list_for_each_entry_safe(w, tw, &d->watches, link)
		dns_unwatch(w);
	/* Answers every query with ARES_EDESTRUCTION: dead watches go. */
	ares_destroy(d->channel);
	ev_timer_stop(d->loop, &d->timeout);
	list_for_each_entry_safe(s, ts, &d->socks, link) {
		ev_io_stop(d->loop, &s->io);
		list_del(&s->link);
		free(s);
	}
	free(d);
	ares_library_cleanup();
}
