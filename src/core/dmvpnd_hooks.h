/*
 * dmvpnd's hook scripts: each event of a tunnel's NHRP engine (an
 * NHRP_I_EVENT intent: peer-up, peer-down, nhs-up, nhs-down, route-up,
 * route-down) runs the tunnel's hook-script, or else the global one,
 * through the hook runner of include/dmvpn/hook.h: opennhrp-script's
 * arguments and environment, at most 4 scripts at a time, 1024 events
 * queued, 30 s each.  Only the dmvpnd program sees this header.
 */
#ifndef DMVPND_HOOKS_H
#define DMVPND_HOOKS_H

#include <ev.h>

#include "dmvpn/hook.h"
#include "dmvpn/nhrp.h"

struct ctl_conn;
struct hooks;
struct tunnel;

/* How long dmvpnd waits at shutdown for the scripts of the last events. */
#define HOOKS_SHUTDOWN_WAIT 10.0

/* The hook runner on loop (libev's default loop); NULL with errno. */
struct hooks *hooks_new(struct ev_loop *loop);

/*
 * Queue the script for an NHRP_I_EVENT intent of tunnel t; other intents,
 * and tunnels without a script, are ignored.  Never blocks or forks.
 */
void hooks_event(struct hooks *h, const struct tunnel *t,
		 const struct nhrp_intent *in);

/*
 * At shutdown, after the tunnels have stopped (their peer-down events
 * are queued then): run the loop until the scripts are done or max_wait
 * seconds have passed.
 */
void hooks_drain(struct hooks *h, double max_wait);

/* Stop: running scripts get SIGTERM, queued events are dropped.  NULL ok. */
void hooks_free(struct hooks *h);

/* The counters (`dmvpnctl show stats`, section "hooks"). */
const struct hook_stats *hooks_stats(const struct hooks *h);

/* Send the counters as STATS records of section "hooks"; 0 or -1. */
int hooks_send_stats(const struct hooks *h, struct ctl_conn *c);

#endif /* DMVPND_HOOKS_H */
