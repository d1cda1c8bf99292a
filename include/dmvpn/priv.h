/*
 * Privilege drop: once dmvpnd has made its devices, sockets, pidfile and
 * control socket, it keeps only what it needs from then on: the
 * capabilities CAP_NET_ADMIN (routes, neighbours, GRE devices, XFRM, net
 * sysctls) and CAP_NET_RAW (the NHRP packet sockets of tunnels started by
 * a reload), as an unprivileged user when there is one.
 *
 * Linux only, and without libcap: capget(2), capset(2) and prctl(2)
 * through syscall(2), so the same code builds on musl and glibc.
 */
#ifndef DMVPN_PRIV_H
#define DMVPN_PRIV_H

#include <stdint.h>
#include <sys/types.h>

#include <linux/capability.h>

/* The user dmvpnd runs as when it exists. */
#define PRIV_USER "dmvpn"

/* The capabilities kept, as a CapEff mask of /proc/self/status. */
#define PRIV_KEEP_CAPS \
	((UINT64_C(1) << CAP_NET_ADMIN) | (UINT64_C(1) << CAP_NET_RAW))

/*
 * Drop privileges for good.  As root: remove every capability but
 * PRIV_KEEP_CAPS from the bounding set, clear the ambient and inheritable
 * sets; then, when user exists (getpwnam) and is not root, chown
 * state_dir (may be NULL) to it (priv_chown_dir()), take its groups
 * (setgroups, from the group database) and its uid and gid with
 * PR_SET_KEEPCAPS; last, keep only PRIV_KEEP_CAPS permitted and
 * effective, and set no_new_privs (programs it runs, hook scripts, gain
 * nothing from set-user-ID bits or file capabilities).  When user is
 * NULL, "" or unknown the process stays root with those two
 * capabilities.  Not as root, only the capability sets are
 * narrowed.  Everything done is logged.  0, or -1 with errno (and the
 * process may then be half-way: the caller should exit).
 */
int priv_drop(const char *user, const char *state_dir);

/*
 * Give dir and the regular files directly in it to uid:gid, so the
 * dropped daemon can keep writing there.  Symbolic links are neither
 * followed nor changed (dir itself must not be one), and a file with
 * more than one link is left alone (it could be a hard link to a file
 * elsewhere).  0, or -1 with errno of the first failure.
 */
int priv_chown_dir(const char *dir, uid_t uid, gid_t gid);

/* The effective, permitted and inheritable sets (capget); 0 or -1. */
int priv_caps(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);

/* Names of the capabilities in mask ("net_admin,net_raw") into buf. */
const char *priv_caps_fmt(uint64_t mask, char *buf, size_t len);

#endif /* DMVPN_PRIV_H */
