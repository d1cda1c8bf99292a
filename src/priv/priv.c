/*
 * Privilege drop: see include/dmvpn/priv.h.
 *
 * The order matters.  The bounding set can only shrink while we hold
 * CAP_SETPCAP, so it goes first, as root.  PR_SET_KEEPCAPS keeps the
 * permitted set across setresuid() (which clears the effective one);
 * capset() then keeps the two capabilities, permitted and effective, and
 * nothing inheritable: a hook script the daemon starts as the user gets
 * no capability at all, and not even a set-user-ID program it runs can
 * get more than the bounding set.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dmvpn/log.h"
#include "dmvpn/priv.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT           47 /* Linux 4.3 */
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define NGROUPS_LIMIT 65536

int
priv_caps(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];

	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &h, d) == -1)
		return -1;
	*effective = d[0].effective | (uint64_t)d[1].effective << 32;
	*permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int
caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];

	memset(&h, 0, sizeof(h));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	d[0].effective = (uint32_t)effective;
	d[1].effective = (uint32_t)(effective >> 32);
	d[0].permitted = (uint32_t)permitted;
	d[1].permitted = (uint32_t)(permitted >> 32);
	d[0].inheritable = (uint32_t)inheritable;
	d[1].inheritable = (uint32_t)(inheritable >> 32);
	return syscall(SYS_capset, &h, d) == -1 ? -1 : 0;
}

const char *
priv_caps_fmt(uint64_t mask, char *buf, size_t len)
{
	static const struct {
		int cap;
		const char *name;
	} names[] = {
		{CAP_CHOWN, "chown"},
		{CAP_DAC_OVERRIDE, "dac_override"},
		{CAP_DAC_READ_SEARCH, "dac_read_search"},
		{CAP_FOWNER, "fowner"},
		{CAP_KILL, "kill"},
		{CAP_SETGID, "setgid"},
		{CAP_SETUID, "setuid"},
		{CAP_SETPCAP, "setpcap"},
		{CAP_NET_BIND_SERVICE, "net_bind_service"},
		{CAP_NET_ADMIN, "net_admin"},
		{CAP_NET_RAW, "net_raw"},
		{CAP_SYS_ADMIN, "sys_admin"},
	};
	size_t i, used = 0;
	int n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(mask & (UINT64_C(1) << names[i].cap)))
			continue;
		mask &= ~(UINT64_C(1) << names[i].cap);
		n = snprintf(buf + used, len - used, "%s%s",
			     used > 0 ? "," : "", names[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return buf;
		used += (size_t)n;
	}
	if (mask != 0)
		snprintf(buf + used, len - used, "%s0x%llx",
			 used > 0 ? "," : "", (unsigned long long)mask);
	else if (used == 0)
		snprintf(buf, len, "none");
	return buf;
}

/* Remove every capability not in keep from the bounding set. */
static int
bounding_drop(uint64_t keep)
{
	int cap, rc;

	for (cap = 0; cap < 64; cap++) {
		rc = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (rc < 0)
			break; /* EINVAL: past the kernel's last capability */
		if (rc == 0 || (keep & (UINT64_C(1) << cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
			return -1;
	}
	return 0;
}

static uint64_t
bounding_get(void)
{
	uint64_t set = 0;
	int cap;

	for (cap = 0; cap < 64; cap++) {
		int rc = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (rc < 0)
			break;
		if (rc == 1)
			set |= UINT64_C(1) << cap;
	}
	return set;
}

static void
ambient_clear(void)
{
	/* EINVAL before Linux 4.3, which has no ambient set to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		log_warn("privileges: clearing the ambient capabilities");
}

int
priv_chown_dir(const char *dir, uid_t uid, gid_t gid)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd, fd, err = 0;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd == -1)
		return -1;
	if (fchown(dfd, uid, gid) == -1) {
		err = errno;
		goto done;
	}
	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		err = errno;
		if (fd != -1)
			close(fd);
		goto done;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
		    (st.st_uid == uid && st.st_gid == gid))
			continue;
		if (fchownat(dfd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) ==
			    -1 &&
		    err == 0)
			err = errno;
	}
	closedir(d);
done:
	close(dfd);
	errno = err;
	return err == 0 ? 0 : -1;
}

/* The supplementary groups of user, malloc'd; -1 with errno. */
static int
user_groups(const char *user, gid_t gid, gid_t **out, int *n)
{
	gid_t *g = NULL, *ng;
	int want = 32, got;

	for (;;) {
		if ((ng = realloc(g, (size_t)want * sizeof(*g))) == NULL) {
			free(g);
			return -1;
		}
		g = ng;
		got = want;
		if (getgrouplist(user, gid, g, &got) != -1)
			break;
		/* got now says how many there are (glibc, musl). */
		if (got <= want)
			want *= 2;
		else
			want = got;
		if (want > NGROUPS_LIMIT) {
			free(g);
			errno = E2BIG;
			return -1;
		}
	}
	*out = g;
	*n = got;
	return 0;
}

/* As root: the bounding set, then the user, then the sets. */
static int
drop_root(const char *user, const char *state_dir)
{
	struct passwd *pw = NULL;
	uid_t uid = 0;
	gid_t gid = 0, *groups = NULL;
	int ngroups = 0, save;
	char name[64], caps[128];
	uint64_t eff, prm, inh;

	if (user != NULL && user[0] != '\0') {
		errno = 0;
		pw = getpwnam(user);
		if (pw == NULL && errno != 0 && errno != ENOENT &&
		    errno != ESRCH)
			log_warn("privileges: looking up user %s", user);
	}
	if (pw != NULL && pw->pw_uid == 0) {
		log_warnx("privileges: user %s is root", user);
		pw = NULL;
	}
	if (pw != NULL) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		snprintf(name, sizeof(name), "%s", pw->pw_name);
		if (user_groups(name, gid, &groups, &ngroups) == -1) {
			log_warn("privileges: groups of %s", name);
			return -1;
		}
		/* Written later by the daemon: reservations of request IDs. */
		if (state_dir != NULL &&
		    priv_chown_dir(state_dir, uid, gid) == -1)
			log_warn("privileges: giving %s to %s", state_dir,
				 name);
	}
	if (bounding_drop(PRIV_KEEP_CAPS) == -1) {
		log_warn("privileges: PR_CAPBSET_DROP");
		goto fail;
	}
	ambient_clear();
	if (pw != NULL) {
		if (setgroups((size_t)ngroups, groups) == -1) {
			log_warn("privileges: setgroups");
			goto fail;
		}
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1) {
			log_warn("privileges: PR_SET_KEEPCAPS");
			goto fail;
		}
		if (setresgid(gid, gid, gid) == -1) {
			log_warn("privileges: setresgid %lu",
				 (unsigned long)gid);
			goto fail;
		}
		if (setresuid(uid, uid, uid) == -1) {
			log_warn("privileges: setresuid %lu",
				 (unsigned long)uid);
			goto fail;
		}
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	if (caps_set(PRIV_KEEP_CAPS, PRIV_KEEP_CAPS, 0) == -1) {
		log_warn("privileges: capset");
		goto fail;
	}
	/* Nor through a set-user-ID or file-capability program (hooks). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("privileges: PR_SET_NO_NEW_PRIVS");
		goto fail;
	}
	/* Trust, but check: nothing more may be left, nor come back. */
	if (priv_caps(&eff, &prm, &inh) == -1 || eff != PRIV_KEEP_CAPS ||
	    prm != PRIV_KEEP_CAPS || inh != 0 ||
	    bounding_get() != PRIV_KEEP_CAPS) {
		log_warnx("privileges: the capability sets are not as set");
		errno = EPERM;
		goto fail;
	}
	if (pw != NULL && (setuid(0) != -1 || getuid() != uid ||
			   geteuid() != uid || getegid() != gid)) {
		log_warnx("privileges: root could be regained");
		errno = EPERM;
		goto fail;
	}
	priv_caps_fmt(PRIV_KEEP_CAPS, caps, sizeof(caps));
	if (pw != NULL)
		log_info("privileges: running as %s (uid %lu, gid %lu, %d "
			 "group%s) with capabilities %s only",
			 name, (unsigned long)uid, (unsigned long)gid, ngroups,
			 ngroups == 1 ? "" : "s", caps);
	else if (user != NULL && user[0] != '\0')
		log_info("privileges: no user %s: staying root with "
			 "capabilities %s only",
			 user, caps);
	else
		log_info("privileges: staying root with capabilities %s only",
			 caps);
	free(groups);
	return 0;
fail:
	save = errno;
	free(groups);
	errno = save;
	return -1;
}

int
priv_drop(const char *user, const char *state_dir)
{
	uint64_t eff, prm, inh, keep;
	char caps[128];

	if (geteuid() == 0)
		return drop_root(user, state_dir);
	/* Started unprivileged (file capabilities, or a test): narrow. */
	if (priv_caps(&eff, &prm, &inh) == -1) {
		log_warn("privileges: capget");
		return -1;
	}
	keep = prm & PRIV_KEEP_CAPS;
	if ((eff & (UINT64_C(1) << CAP_SETPCAP)) && bounding_drop(keep) == -1)
		log_warn("privileges: PR_CAPBSET_DROP");
	ambient_clear();
	if ((eff != keep || prm != keep || inh != 0) &&
	    caps_set(keep, keep, 0) == -1) {
		log_warn("privileges: capset");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("privileges: PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	log_info("privileges: running as uid %lu with capabilities %s",
		 (unsigned long)getuid(),
		 priv_caps_fmt(keep, caps, sizeof(caps)));
	return 0;
}
