/*
 * Pidfile with flock(2): see include/dmvpn/pidfile.h.  flock and the
 * O_CLOEXEC open are both in musl and glibc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "dmvpn/pidfile.h"

static pid_t
pidfile_read_pid(int fd)
{
	char buf[32];
	ssize_t n;
	long v;
	char *end;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf || v <= 0)
		return 0;
	return (pid_t)v;
}

int
pidfile_open(const char *path, pid_t *holder)
{
	int fd, saved;

	*holder = 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		saved = errno;
		*holder = pidfile_read_pid(fd);
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
pidfile_write(int fd)
{
	char buf[32];
	int n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1)
		return -1;
	if (pwrite(fd, buf, (size_t)n, 0) != n)
		return -1;
	return 0;
}

void
pidfile_remove(const char *path, int fd)
{
	if (fd == -1)
		return;
	/* Unlink while still holding the lock so no one sees a stale file. */
	unlink(path);
	close(fd);
}
