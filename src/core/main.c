/*
 * dmvpnd: process start-up, signals and the event loop.
 *
 * The protocol engines are plugged in by later modules; this file owns
 * only what every daemon needs: options, logging, the pidfile, the libev
 * loop, and clean handling of SIGTERM/SIGINT (stop) and SIGHUP (reload).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <ev.h>

#include "dmvpn/log.h"
#include "dmvpn/pidfile.h"
#include "dmvpn/timer.h"
#include "dmvpn/version.h"

#ifndef DMVPN_SYSCONFDIR
#define DMVPN_SYSCONFDIR "/etc"
#endif
#ifndef DMVPN_RUNSTATEDIR
#define DMVPN_RUNSTATEDIR "/run"
#endif

#define DEFAULT_CONF    DMVPN_SYSCONFDIR "/dmvpn.conf"
#define DEFAULT_PIDFILE DMVPN_RUNSTATEDIR "/dmvpnd.pid"

struct daemon_opts {
	const char *conf_file;
	const char *pidfile;
	bool foreground;
	unsigned int debug_cats;
};

struct daemon {
	struct daemon_opts opts;
	struct ev_loop *loop;
	struct tclock *clock;
	ev_signal sig_term;
	ev_signal sig_int;
	ev_signal sig_hup;
	int pidfd;
	unsigned int reloads;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: dmvpnd [-dhV] [-D categories] [-f file] [-p pidfile]\n"
		"  -d             stay in the foreground and log to stderr\n"
		"  -D categories  enable debug logging for a comma-separated\n"
		"                 list: core,conf,ctl,nhrp,ike,xfrm,rtnl,route,"
		"dns,all\n"
		"  -f file        configuration file (default %s)\n"
		"  -p pidfile     pidfile (default %s)\n"
		"  -V             print the version and exit\n"
		"  -h             print this help and exit\n",
		DEFAULT_CONF, DEFAULT_PIDFILE);
}

static int
parse_opts(int argc, char **argv, struct daemon_opts *o)
{
	const char *bad;
	int ch;

	o->conf_file = DEFAULT_CONF;
	o->pidfile = DEFAULT_PIDFILE;
	while ((ch = getopt(argc, argv, "dD:f:hp:V")) != -1) {
		switch (ch) {
		case 'd':
			o->foreground = true;
			break;
		case 'D':
			if (log_cat_parse(optarg, &o->debug_cats, &bad) == -1) {
				fprintf(stderr,
					"dmvpnd: unknown debug category '%s'\n",
					bad);
				return 2;
			}
			break;
		case 'f':
			o->conf_file = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'V':
			printf("dmvpnd %s\n", DMVPN_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dmvpnd: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	return -1;
}

static void
on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	log_info("received %s, shutting down", strsignal(w->signum));
	ev_break(loop, EVBREAK_ALL);
}

static void
on_reload(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = container_of(w, struct daemon, sig_hup);

	(void)loop;
	(void)revents;
	d->reloads++;
	/* The configuration engine hooks in here; until then, say so. */
	log_info("received SIGHUP: reload %u of %s", d->reloads,
		 d->opts.conf_file);
}

static int
daemon_start(struct daemon *d)
{
	pid_t holder;

	d->loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	if (d->loop == NULL) {
		log_error("cannot initialise the event loop");
		return -1;
	}
	d->clock = tclock_ev_new(d->loop);
	if (d->clock == NULL) {
		log_error("out of memory");
		return -1;
	}
	if (!d->opts.foreground && daemon(0, 0) == -1) {
		log_warn("daemon");
		return -1;
	}
	/* libev must learn about the fork before the loop runs again. */
	ev_loop_fork(d->loop);
	d->pidfd = pidfile_open(d->opts.pidfile, &holder);
	if (d->pidfd == -1) {
		if (errno == EWOULDBLOCK)
			log_error("already running (pid %ld, pidfile %s)",
				  (long)holder, d->opts.pidfile);
		else
			log_warn("pidfile %s", d->opts.pidfile);
		return -1;
	}
	if (pidfile_write(d->pidfd) == -1) {
		log_warn("pidfile %s", d->opts.pidfile);
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	ev_signal_init(&d->sig_term, on_stop, SIGTERM);
	ev_signal_init(&d->sig_int, on_stop, SIGINT);
	ev_signal_init(&d->sig_hup, on_reload, SIGHUP);
	ev_signal_start(d->loop, &d->sig_term);
	ev_signal_start(d->loop, &d->sig_int);
	ev_signal_start(d->loop, &d->sig_hup);
	return 0;
}

static void
daemon_stop(struct daemon *d)
{
	if (d->loop != NULL) {
		ev_signal_stop(d->loop, &d->sig_term);
		ev_signal_stop(d->loop, &d->sig_int);
		ev_signal_stop(d->loop, &d->sig_hup);
	}
	pidfile_remove(d->opts.pidfile, d->pidfd);
	d->pidfd = -1;
	tclock_free(d->clock);
	d->clock = NULL;
	if (d->loop != NULL)
		ev_loop_destroy(d->loop);
	d->loop = NULL;
}

int
main(int argc, char **argv)
{
	struct daemon d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.pidfd = -1;
	rc = parse_opts(argc, argv, &d.opts);
	if (rc >= 0)
		return rc;

	log_init(d.opts.foreground, "dmvpnd", LOG_DAEMON);
	if (d.opts.debug_cats != 0) {
		log_set_level(LOG_LVL_DEBUG);
		log_dbg_enable(d.opts.debug_cats);
	}
	if (daemon_start(&d) == -1) {
		daemon_stop(&d);
		return 1;
	}
	log_info("dmvpnd %s started (pid %ld, config %s)", DMVPN_VERSION,
		 (long)getpid(), d.opts.conf_file);
	ev_run(d.loop, 0);
	daemon_stop(&d);
	log_info("dmvpnd stopped");
	return 0;
}
