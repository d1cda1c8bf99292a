/*
 * The daemon's own state: what ties the sans-I/O engines to the kernel,
 * the event loop and the operator.  Only the dmvpnd program (main.c and
 * dmvpnd_*.c) sees this header; the modules never do.
 */
#ifndef DMVPND_H
#define DMVPND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "dmvpn/addr.h"
#include "dmvpn/conf.h"
#include "dmvpn/dns.h"
#include "dmvpn/list.h"
#include "dmvpn/nhrp.h"
#include "dmvpn/route.h"
#include "dmvpn/rtnl.h"

struct daemon;

/* Redirect decisions cached per destination (hub). */
#define REDIRECT_CACHE     1024
#define REDIRECT_CACHE_TTL 5.0

struct redirect_slot {
	struct addr dst;
	double expires;
	bool redirect;
};

/* One NHS name being resolved for a tunnel. */
struct tunnel_dns {
	struct list_node link;
	struct tunnel *t;
	struct dns_watch *w;
	char name[CONF_FQDN_MAX];
};

/* One `tunnel` block brought to life. */
struct tunnel {
	struct list_node link;
	struct daemon *d;
	struct conf_tunnel *conf; /* points into d->conf */
	char name[CONF_IFNAME_MAX];
	int ifindex;
	struct addr local_nbma;
	bool created; /* we made the device (and delete it on stop) */
	bool link_up; /* IFF_UP as the last link event said */
	struct nhrp_engine *nhrp;
	int nhrp_fd;
	ev_io nhrp_io;
	int redirect_fd;
	ev_io redirect_io;
	ev_timer deadline;
	struct list_node dns; /* struct tunnel_dns */
	struct redirect_slot redirect_cache[REDIRECT_CACHE];
	uint64_t rx_errors;
	uint64_t tx_errors;
	uint64_t redirect_captured; /* packets the capture saw */
	uint64_t redirect_relayed;  /* of which the kernel sent back in */
};

struct ctl_server;
struct hooks;
struct ike_daemon;

struct daemon {
	struct ev_loop *loop;
	struct ctl_server *ctl;
	struct dmvpn_conf *conf;
	const char *conf_file;
	struct rtnl_sock *rtnl;        /* requests */
	struct rtnl_sock *rtnl_events; /* multicast events */
	ev_io rtnl_io;
	bool resync_pending;
	ev_timer resync;
	struct route_engine *routes;
	struct dns *dns;
	struct hooks *hooks;    /* dmvpnd_hooks.c */
	struct ike_daemon *ike; /* dmvpnd_ike.c; NULL without an ike block */
	struct list_node tunnels;
	uint64_t rtnl_overruns;
	uint32_t reqid_limit;
};

/* dmvpnd_tunnel.c */
struct tunnel *tunnel_start(struct daemon *d, struct conf_tunnel *tc);
void tunnel_stop(struct tunnel *t);
int tunnel_reconfigure(struct tunnel *t, struct conf_tunnel *nt);
struct tunnel *tunnel_by_ifindex(struct daemon *d, int ifindex);
struct tunnel *tunnel_by_name(struct daemon *d, const char *name);
void tunnel_arm(struct tunnel *t);

/* dmvpnd_ike.c */
int daemon_ike_start(struct daemon *d);
void daemon_ike_stop(struct daemon *d);
/* NHRP wants (up) or no longer needs IPsec between local and remote. */
void daemon_ike_nhrp(struct daemon *d, const struct tunnel *t,
		     const struct addr *local, const struct addr *remote,
		     bool up);
/* May the IKE peer at nbma register proto?  True without IKE. */
bool daemon_ike_authorized(struct daemon *d, const struct addr *nbma,
			   const struct addr *proto);
struct ctl_conn;
/* `dmvpnctl show ike` / `show sa`, and the ike section of show stats. */
int daemon_ike_show(struct daemon *d, struct ctl_conn *c);
int daemon_ike_send_stats(struct daemon *d, struct ctl_conn *c);

/* main.c */
int daemon_reload(struct daemon *d, char *why, size_t whylen);

/* dmvpnd_ctl.c */
int daemon_ctl_start(struct daemon *d);
void daemon_ctl_stop(struct daemon *d);

/* dmvpnd_kernel.c */
int kernel_open(struct daemon *d);
void kernel_close(struct daemon *d);
void kernel_resync(struct daemon *d);

/* How the kernel routes a destination. */
struct kroute {
	int oif;
	struct addr gateway; /* none: on-link */
	uint8_t plen;        /* of the matching route */
	bool local;          /* one of our own addresses */
};

int kernel_route_lookup(struct daemon *d, int iif, const struct addr *dst,
			const struct addr *src, struct kroute *out);

#endif /* DMVPND_H */
