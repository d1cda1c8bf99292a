/*
 * The privilege drop (src/priv), for real: each test forks, drops in the
 * child (in a network namespace of its own, so its network changes touch
 * nothing of the host) and checks there what the kernel says:
 * /proc/self/status (CapEff, CapPrm, CapInh, CapBnd, CapAmb, Uid, Gid),
 * that CAP_NET_ADMIN and CAP_NET_RAW still work (a link brought up, a net
 * sysctl written, a packet socket opened), that nothing else does (root
 * files, chown, setuid(0)), and what a program it runs gets.  Needs root;
 * skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmvpn/log.h"
#include "dmvpn/priv.h"

#define USER "nobody"

static char dir[64];
static char rootfile[128];

/* In the child: print why and leave with the check's number. */
#define CHECK(n, cond)                                                      \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "child check %d failed: %s (%s)\n", \
				(n), #cond, strerror(errno));               \
			_exit(n);                                           \
		}                                                           \
	} while (0)

/* A hex field ("CapEff") or the first number ("Uid") of /proc/self/status. */
static uint64_t
status_field(const char *name)
{
	char line[256];
	size_t n = strlen(name);
	uint64_t v = UINT64_MAX;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return v;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, name, n) != 0 || line[n] != ':')
			continue;
		v = strtoull(line + n + 1, NULL,
			     strncmp(name, "Cap", 3) == 0 ? 16 : 10);
		break;
	}
	fclose(f);
	return v;
}

/* Bring lo up in our namespace: needs CAP_NET_ADMIN. */
static int
lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/* What dmvpnd writes for each tunnel (dmvpnd_tunnel.c). */
static int
net_sysctl_write(void)
{
	int fd = open("/proc/sys/net/ipv4/conf/lo/send_redirects",
		      O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, "0", 1);
	close(fd);
	return n == 1 ? 0 : -1;
}

static int
packet_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

/* CapEff of a program the dropped process runs. */
static uint64_t
exec_capeff(void)
{
	char buf[64] = "";
	FILE *p = popen("exec awk '/^CapEff:/ { print $2 }' /proc/self/status",
			"r");

	if (p == NULL)
		return UINT64_MAX;
	if (fgets(buf, sizeof(buf), p) == NULL)
		buf[0] = '\0';
	pclose(p);
	return buf[0] == '\0' ? UINT64_MAX : strtoull(buf, NULL, 16);
}

/* Run fn in a child; its exit status must be 0. */
static void
in_child(void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child: status 0x%x (check %d)", (unsigned int)status,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void
child_user(void)
{
	struct passwd *pw = getpwnam(USER);
	char p[128];
	struct stat st;
	uid_t uid;
	gid_t gid;

	CHECK(1, pw != NULL);
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	CHECK(2, unshare(CLONE_NEWNET) == 0);
	CHECK(3, priv_drop(USER, dir) == 0);
	CHECK(4, getuid() == uid && geteuid() == uid);
	CHECK(5, getgid() == gid && getegid() == gid);
	CHECK(6, status_field("Uid") == uid && status_field("Gid") == gid);
	CHECK(7, status_field("CapEff") == PRIV_KEEP_CAPS);
	CHECK(8, status_field("CapPrm") == PRIV_KEEP_CAPS);
	CHECK(9, status_field("CapInh") == 0);
	CHECK(10, status_field("CapBnd") == PRIV_KEEP_CAPS);
	CHECK(11, status_field("CapAmb") == 0 ||
			  status_field("CapAmb") == UINT64_MAX);
	/* No way back. */
	CHECK(12, setuid(0) == -1 && seteuid(0) == -1 && getuid() == uid);
	CHECK(13, setgroups(0, NULL) == -1);
	/* What the daemon still does after the drop. */
	CHECK(14, lo_up() == 0);
	CHECK(15, net_sysctl_write() == 0);
	CHECK(16, packet_socket() == 0);
	/* The state directory and its file are ours now. */
	CHECK(17, stat(dir, &st) == 0 && st.st_uid == uid && st.st_gid == gid);
	snprintf(p, sizeof(p), "%s/reqid-gre1", dir);
	CHECK(18, stat(p, &st) == 0 && st.st_uid == uid);
	CHECK(19, open(p, O_WRONLY | O_CLOEXEC) >= 0);
	/* Nothing beyond it. */
	CHECK(20,
	      open(rootfile, O_RDONLY | O_CLOEXEC) == -1 && errno == EACCES);
	/* A program we run (a hook script) gets no capability at all, nor
	 * anything from a set-user-ID bit. */
	CHECK(21, exec_capeff() == 0);
	CHECK(22, status_field("NoNewPrivs") == 1);
}

static void
child_no_user(void)
{
	char p[128];
	struct stat st;

	CHECK(1, unshare(CLONE_NEWNET) == 0);
	CHECK(2, priv_drop("no-such-user-dmvpn", dir) == 0);
	CHECK(3, getuid() == 0 && geteuid() == 0);
	CHECK(4, status_field("CapEff") == PRIV_KEEP_CAPS);
	CHECK(5, status_field("CapPrm") == PRIV_KEEP_CAPS);
	CHECK(6, status_field("CapInh") == 0);
	CHECK(7, status_field("CapBnd") == PRIV_KEEP_CAPS);
	CHECK(8, lo_up() == 0);
	CHECK(9, net_sysctl_write() == 0);
	CHECK(10, packet_socket() == 0);
	/* Root without CAP_DAC_OVERRIDE: its 0000 file is closed to it. */
	CHECK(11,
	      open(rootfile, O_RDONLY | O_CLOEXEC) == -1 && errno == EACCES);
	/* No CAP_CHOWN, so the state directory stays as it was. */
	CHECK(12, chown(rootfile, 1, 1) == -1 && errno == EPERM);
	CHECK(13, stat(dir, &st) == 0 && st.st_uid == 0);
	snprintf(p, sizeof(p), "%s/reqid-gre1", dir);
	CHECK(14, stat(p, &st) == 0 && st.st_uid == 0);
	/* Still root, but a program it runs is bounded by the same two. */
	CHECK(15, exec_capeff() == PRIV_KEEP_CAPS);
	CHECK(16, setuid(0) == 0);
	CHECK(17, status_field("NoNewPrivs") == 1);
}

/* Started unprivileged: only the sets are narrowed, no error. */
static void
child_unprivileged(void)
{
	struct passwd *pw = getpwnam(USER);
	uint64_t e, p, i;

	CHECK(1, pw != NULL);
	CHECK(2, setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == 0);
	CHECK(3, setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == 0);
	CHECK(4, priv_drop(USER, NULL) == 0);
	CHECK(5, priv_caps(&e, &p, &i) == 0 && e == 0 && p == 0 && i == 0);
	CHECK(6, getuid() == pw->pw_uid);
	CHECK(7, status_field("NoNewPrivs") == 1);
}

static int
setup(void **state)
{
	char p[128];
	int fd;

	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(dir, sizeof(dir), "/tmp/dmvpn-priv.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	/* mkdtemp's 0700, as make_state_dir() creates it. */
	snprintf(p, sizeof(p), "%s/reqid-gre1", dir);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return -1;
	close(fd);
	snprintf(rootfile, sizeof(rootfile), "%s-root", dir);
	if ((fd = open(rootfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0)) == -1)
		return -1;
	close(fd);
	log_set_level(LOG_LVL_ERROR);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[256];

	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, rootfile);
	return system(cmd) == 0 ? 0 : -1;
}

static void
need_root_and_netns(void)
{
	if (geteuid() != 0 || getpwnam(USER) == NULL)
		skip();
}

static void
test_drop_to_user(void **state)
{
	(void)state;
	need_root_and_netns();
	in_child(child_user);
}

static void
test_stay_root(void **state)
{
	(void)state;
	need_root_and_netns();
	in_child(child_no_user);
}

static void
test_unprivileged(void **state)
{
	(void)state;
	need_root_and_netns();
	in_child(child_unprivileged);
}

/* Symbolic and hard links are neither followed nor changed. */
static void
test_chown_dir_links(void **state)
{
	char sub[128], lnk[128], hard[128], target[128];
	struct stat st;
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(target, sizeof(target), "%s-target", dir);
	fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(lnk, sizeof(lnk), "%s/symlink", dir);
	assert_int_equal(symlink(target, lnk), 0);
	snprintf(hard, sizeof(hard), "%s/hardlink", dir);
	assert_int_equal(link(target, hard), 0);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);

	assert_int_equal(priv_chown_dir(dir, 1234, 1235), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, 1235);
	snprintf(sub, sizeof(sub), "%s/reqid-gre1", dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_uid, 1234);
	/* Through neither link did the target change hands. */
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(lstat(lnk, &st), 0);
	assert_int_equal(st.st_uid, 0);
	/* Nor do subdirectories. */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_uid, 0);

	/* The directory itself must not be a link. */
	assert_int_equal(priv_chown_dir(lnk, 1234, 1234), -1);
	assert_int_equal(priv_chown_dir("/nonexistent-dmvpn", 1, 1), -1);
	assert_int_equal(errno, ENOENT);
	unlink(target);
}

static void
test_caps_fmt(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(priv_caps_fmt(PRIV_KEEP_CAPS, buf, sizeof(buf)),
			    "net_admin,net_raw");
	assert_string_equal(priv_caps_fmt(0, buf, sizeof(buf)), "none");
	assert_string_equal(
		priv_caps_fmt((UINT64_C(1) << CAP_CHOWN) | (UINT64_C(1) << 40),
			      buf, sizeof(buf)),
		"chown,0x10000000000");
	assert_string_equal(priv_caps_fmt(PRIV_KEEP_CAPS, buf, 4), "net");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drop_to_user, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stay_root, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unprivileged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chown_dir_links, setup,
						teardown),
		cmocka_unit_test(test_caps_fmt),
	};

	return cmocka_run_group_tests_name("priv", tests, NULL, NULL);
}
