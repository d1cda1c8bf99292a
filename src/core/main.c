/*
 * dmvpnd: start-up, configuration, signals and the event loop.
 *
 * Everything protocol lives in the modules; this file reads the
 * configuration, brings the tunnels up (dmvpnd_tunnel.c) on the kernel
 * plane (dmvpnd_kernel.c), serves dmvpnctl (dmvpnd_ctl.c), and handles
 * SIGTERM/SIGINT (clean stop: everything installed is withdrawn) and
 * SIGHUP (reload: only what changed is touched; a file that fails to
 * parse changes nothing).
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <ev.h>

#include "dmvpn/conf.h"
#include "dmvpn/log.h"
#include "dmvpn/pidfile.h"
#include "dmvpn/priv.h"
#include "dmvpn/version.h"
#include "dmvpnd.h"
#include "dmvpnd_hooks.h"

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
	const char *user; /* run as; NULL: stay root (capabilities still go) */
	bool foreground;
	bool check_only;
	bool verbose;
	unsigned int debug_cats;
};

struct runtime {
	struct daemon d;
	struct daemon_opts opts;
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
		"usage: dmvpnd [-dhnvV] [-D categories] [-f file] "
		"[-p pidfile] [-u user]\n"
		"  -d             stay in the foreground and log to stderr\n"
		"  -D categories  enable debug logging for a comma-separated\n"
		"                 list: core,conf,ctl,nhrp,ike,xfrm,rtnl,route,"
		"dns,all\n"
		"  -f file        configuration file (default %s)\n"
		"  -n             check the configuration and exit\n"
		"  -v             with -n: print it in normalised form\n"
		"  -p pidfile     pidfile (default %s)\n"
		"  -u user        run as user after set-up (default %s;\n"
		"                 \"root\" stays root with CAP_NET_ADMIN and\n"
		"                 CAP_NET_RAW only)\n"
		"  -V             print the version and exit\n"
		"  -h             print this help and exit\n",
		DEFAULT_CONF, DEFAULT_PIDFILE, PRIV_USER);
}

static int
parse_opts(int argc, char **argv, struct daemon_opts *o)
{
	const char *bad;
	int ch;

	o->conf_file = DEFAULT_CONF;
	o->pidfile = DEFAULT_PIDFILE;
	o->user = PRIV_USER;
	while ((ch = getopt(argc, argv, "dD:f:hnp:u:vV")) != -1) {
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
		case 'n':
			o->check_only = true;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'u':
			o->user = strcmp(optarg, "root") == 0 ? NULL : optarg;
			break;
		case 'v':
			o->verbose = true;
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

/* Parse the file; every error is logged (file:line: message). */
static struct dmvpn_conf *
load_conf(const char *path, char *why, size_t whylen)
{
	struct conf_errors errs;
	struct dmvpn_conf *conf;
	size_t i;

	conf_errors_init(&errs);
	conf = conf_parse_file(path, &errs);
	for (i = 0; i < errs.n; i++)
		log_error("%s", errs.v[i].msg);
	if (conf == NULL)
		snprintf(why, whylen, "%s: %zu error%s", path, errs.n,
			 errs.n == 1 ? "" : "s");
	conf_errors_free(&errs);
	return conf;
}

static void
apply_logging(const struct dmvpn_conf *conf, unsigned int cli_debug)
{
	log_set_level(conf->log_level);
	log_dbg_disable(DBG_ALL);
	log_dbg_enable(conf->debug | cli_debug);
	if (cli_debug != 0)
		log_set_level(LOG_LVL_DEBUG);
}

/* The state directory holds the request-ID reservations. */
static void
make_state_dir(const struct dmvpn_conf *conf)
{
	if (mkdir(conf->state_dir, 0700) == -1 && errno != EEXIST)
		log_warn("state-dir %s", conf->state_dir);
}

static void
start_tunnels(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->conf->ntunnels; i++)
		tunnel_start(d, &d->conf->tunnels[i]);
}

/*
 * SIGHUP and `dmvpnctl reload`: parse into a new configuration, then
 * touch only what changed.  A tunnel whose block is unchanged keeps its
 * peers; a changed one is restarted; removed ones stop, new ones start.
 */
int
daemon_reload(struct daemon *d, char *why, size_t whylen)
{
	struct runtime *rt = container_of(d, struct runtime, d);
	struct dmvpn_conf *conf, *old = d->conf;
	struct tunnel *t, *tmp;
	unsigned int kept = 0, changed = 0, restarted = 0, started = 0;
	unsigned int stopped = 0;
	size_t i;

	conf = load_conf(d->conf_file, why, whylen);
	if (conf == NULL) {
		log_error("reload: %s; keeping the running configuration", why);
		return -1;
	}
	if (conf_global_diff(old, conf) & CONF_GC_IKE)
		log_warnx("reload: the ike block changed; it applies at the "
			  "next start of dmvpnd");
	d->conf = conf;
	apply_logging(conf, rt->opts.debug_cats);
	make_state_dir(conf);
	list_for_each_entry_safe(t, tmp, &d->tunnels, link) {
		struct conf_tunnel *nt = NULL;

		for (i = 0; i < conf->ntunnels; i++)
			if (strcmp(conf->tunnels[i].name, t->name) == 0)
				nt = &conf->tunnels[i];

		if (nt != NULL && conf_tunnel_equal(t->conf, nt)) {
			t->conf = nt;
			kept++;
			continue;
		}
		/* Changed: in place when the engine can, peers stay up. */
		if (nt != NULL && tunnel_reconfigure(t, nt) == 0) {
			changed++;
			continue;
		}
		/* The old block must stay readable while it stops. */
		tunnel_stop(t);
		if (nt == NULL)
			stopped++;
	}
	for (i = 0; i < conf->ntunnels; i++) {
		if (tunnel_by_name(d, conf->tunnels[i].name) != NULL)
			continue;
		if (conf_tunnel_find(old, conf->tunnels[i].name) != NULL)
			restarted++;
		else
			started++;
		tunnel_start(d, &conf->tunnels[i]);
	}
	conf_free(old);
	kernel_resync(d);
	rt->reloads++;
	snprintf(why, whylen,
		 "reloaded: %u tunnel%s unchanged, %u changed in place, "
		 "%u restarted, %u started, %u stopped",
		 kept, kept == 1 ? "" : "s", changed, restarted, started,
		 stopped);
	log_info("%s", why);
	return 0;
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
	struct runtime *rt = container_of(w, struct runtime, sig_hup);
	char why[256];

	(void)loop;
	(void)revents;
	log_info("received SIGHUP: reloading %s", rt->d.conf_file);
	daemon_reload(&rt->d, why, sizeof(why));
}

static int
daemon_start(struct runtime *rt)
{
	struct daemon *d = &rt->d;
	const char *why = NULL;
	pid_t holder;

	if (!rt->opts.foreground && daemon(0, 0) == -1) {
		log_warn("daemon");
		return -1;
	}
	d->loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	if (d->loop == NULL) {
		log_error("cannot initialise the event loop");
		return -1;
	}
	rt->pidfd = pidfile_open(rt->opts.pidfile, &holder);
	if (rt->pidfd == -1) {
		if (errno == EWOULDBLOCK)
			log_error("already running (pid %ld, pidfile %s)",
				  (long)holder, rt->opts.pidfile);
		else
			log_warn("pidfile %s", rt->opts.pidfile);
		return -1;
	}
	if (pidfile_write(rt->pidfd) == -1) {
		log_warn("pidfile %s", rt->opts.pidfile);
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	ev_signal_init(&rt->sig_term, on_stop, SIGTERM);
	ev_signal_init(&rt->sig_int, on_stop, SIGINT);
	ev_signal_init(&rt->sig_hup, on_reload, SIGHUP);
	ev_signal_start(d->loop, &rt->sig_term);
	ev_signal_start(d->loop, &rt->sig_int);
	ev_signal_start(d->loop, &rt->sig_hup);
	make_state_dir(d->conf);
	if (kernel_open(d) == -1)
		return -1;
	d->dns = dns_new(d->loop, NULL, &why);
	if (d->dns == NULL) {
		log_error("DNS resolver: %s", why);
		return -1;
	}
	/* Before the tunnels: their first events may run hook scripts. */
	d->hooks = hooks_new(d->loop);
	if (d->hooks == NULL) {
		log_warn("hook scripts");
		return -1;
	}
	if (daemon_ctl_start(d) == -1)
		return -1;
	/* Before the tunnels: NHRP asks for IPsec from its first moment. */
	if (daemon_ike_start(d) == -1)
		return -1;
	start_tunnels(d);
	/* Clean what a previous run (kill -9) left, install what we want. */
	kernel_resync(d);
	/* All that needs root is done: keep CAP_NET_ADMIN and CAP_NET_RAW. */
	if (priv_drop(rt->opts.user, d->conf->state_dir) == -1) {
		log_error("cannot drop privileges");
		return -1;
	}
	return 0;
}

static void
daemon_stop(struct runtime *rt)
{
	struct daemon *d = &rt->d;
	struct tunnel *t, *tmp;

	if (d->loop != NULL) {
		ev_signal_stop(d->loop, &rt->sig_term);
		ev_signal_stop(d->loop, &rt->sig_int);
		ev_signal_stop(d->loop, &rt->sig_hup);
	}
	daemon_ctl_stop(d);
	/* A last resync also clears the negative answers we gave the kernel. */
	if (d->routes != NULL && d->rtnl != NULL)
		kernel_resync(d);
	list_for_each_entry_safe(t, tmp, &d->tunnels, link)
		tunnel_stop(t);
	/* Deletes to the peers; our SAs and policies leave the kernel. */
	daemon_ike_stop(d);
	kernel_close(d);
	dns_free(d->dns);
	d->dns = NULL;
	/* The tunnels' last peer-down events run their scripts now. */
	hooks_drain(d->hooks, HOOKS_SHUTDOWN_WAIT);
	hooks_free(d->hooks);
	d->hooks = NULL;
	pidfile_remove(rt->opts.pidfile, rt->pidfd);
	rt->pidfd = -1;
	conf_free(d->conf);
	d->conf = NULL;
	if (d->loop != NULL)
		ev_loop_destroy(d->loop);
	d->loop = NULL;
}

int
main(int argc, char **argv)
{
	static struct runtime rt;
	char why[256];
	int rc;

	rt.pidfd = -1;
	list_init(&rt.d.tunnels);
	rc = parse_opts(argc, argv, &rt.opts);
	if (rc >= 0)
		return rc;
	rt.d.conf_file = rt.opts.conf_file;
	if (rt.opts.user != NULL) {
		struct passwd *pw = getpwnam(rt.opts.user);

		if (pw != NULL)
			conf_set_trusted_uid(pw->pw_uid);
	}
	log_init(rt.opts.foreground || rt.opts.check_only, "dmvpnd",
		 LOG_DAEMON);
	rt.d.conf = load_conf(rt.opts.conf_file, why, sizeof(why));
	if (rt.opts.check_only) {
		if (rt.d.conf == NULL)
			return 1;
		if (rt.opts.verbose)
			conf_print(stdout, rt.d.conf);
		conf_free(rt.d.conf);
		return 0;
	}
	if (rt.d.conf == NULL) {
		log_error("%s", why);
		return 1;
	}
	apply_logging(rt.d.conf, rt.opts.debug_cats);
	if (daemon_start(&rt) == -1) {
		daemon_stop(&rt);
		return 1;
	}
	log_info("dmvpnd %s started (pid %ld, config %s)", DMVPN_VERSION,
		 (long)getpid(), rt.opts.conf_file);
	ev_run(rt.d.loop, 0);
	daemon_stop(&rt);
	log_info("dmvpnd stopped");
	return 0;
}
