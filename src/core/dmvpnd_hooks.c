/*
 * The daemon's side of the hook scripts: which script a tunnel's event
 * runs and what the script is told about the tunnel.  The runner itself
 * (queue, processes, timeouts, output) is src/hook.
 */
#include <stdlib.h>
#include <string.h>

#include "dmvpn/ctl.h"
#include "dmvpn/log.h"
#include "dmvpnd.h"
#include "dmvpnd_hooks.h"

struct hooks {
	struct hook_runner *r;
};

struct hooks *
hooks_new(struct ev_loop *loop)
{
	struct hooks *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	/* The defaults: 4 at a time, 1024 queued, 30 s, SIGKILL 5 s later. */
	if ((h->r = hook_runner_new(loop, NULL)) == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

void
hooks_event(struct hooks *h, const struct tunnel *t,
	    const struct nhrp_intent *in)
{
	const char *script;
	struct hook_iface ifc;
	struct hook_event ev;

	if (h == NULL || in->type != NHRP_I_EVENT)
		return;
	/* While a tunnel stops on reload, t->conf is still its old block. */
	script = t->conf->hook_script != NULL ? t->conf->hook_script
					      : t->d->conf->hook_script;
	if (script == NULL || script[0] == '\0')
		return;
	memset(&ifc, 0, sizeof(ifc));
	ifc.ifname = t->name;
	ifc.gre_key = t->conf->has_gre_key ? t->conf->gre_key : 0;
	ifc.addresses = t->conf->addresses;
	ifc.naddresses = t->conf->naddresses;
	ifc.nbma = t->local_nbma;
	if (hook_event_from_intent(&ev, &ifc, in) == -1)
		return;
	if (hook_runner_submit(h->r, script, &ev) == -1)
		log_warn("tunnel %s: hook %s %s", t->name,
			 hook_event_name(in->event), script);
}

void
hooks_drain(struct hooks *h, double max_wait)
{
	const struct hook_stats *s;

	if (h == NULL)
		return;
	s = hook_runner_stats(h->r);
	if (s->queued + s->running > 0)
		log_info("waiting up to %gs for %llu hook script%s", max_wait,
			 (unsigned long long)(s->queued + s->running),
			 s->queued + s->running == 1 ? "" : "s");
	hook_runner_drain(h->r, max_wait);
}

void
hooks_free(struct hooks *h)
{
	if (h == NULL)
		return;
	hook_runner_free(h->r);
	free(h);
}

const struct hook_stats *
hooks_stats(const struct hooks *h)
{
	return hook_runner_stats(h->r);
}

int
hooks_send_stats(const struct hooks *h, struct ctl_conn *c)
{
	const struct hook_stats *s;

	if (h == NULL)
		return 0;
	s = hook_runner_stats(h->r);
	if (ctl_send_stat(c, "hooks", "started", s->started) == -1 ||
	    ctl_send_stat(c, "hooks", "succeeded", s->succeeded) == -1 ||
	    ctl_send_stat(c, "hooks", "failed", s->failed) == -1 ||
	    ctl_send_stat(c, "hooks", "timed_out", s->timed_out) == -1 ||
	    ctl_send_stat(c, "hooks", "dropped", s->dropped) == -1 ||
	    ctl_send_stat(c, "hooks", "queued", s->queued) == -1)
		return -1;
	return ctl_send_stat(c, "hooks", "running", s->running);
}
