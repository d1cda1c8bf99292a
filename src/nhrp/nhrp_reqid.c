/*
 * Persistent request-ID reservations: see include/dmvpn/nhrp_reqid.h.
 * The file holds one decimal number, the first ID not yet reserved.  It
 * is replaced atomically (write a temporary file, fsync, rename) so a
 * crash leaves either the old or the new reservation, never a torn one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmvpn/nhrp_reqid.h"

static int
reqid_read(const char *path, uint32_t *out)
{
	char buf[32];
	ssize_t n;
	unsigned long v;
	char *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (end == buf || errno != 0 || v > UINT32_MAX ||
	    (*end != '\n' && *end != '\0'))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int
nhrp_reqid_persist(const char *path, uint32_t limit)
{
	char tmp[4096], buf[32];
	int fd, n, saved;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	n = snprintf(buf, sizeof(buf), "%u\n", limit);
	if (write(fd, buf, (size_t)n) != n || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

int
nhrp_reqid_restore(const char *path, uint32_t block, uint32_t *base,
		   uint32_t *limit)
{
	uint32_t start;

	if (block == 0)
		block = NHRP_REQID_DEFAULT_BLOCK;
	if (reqid_read(path, &start) == -1)
		start = (uint32_t)time(NULL);
	/* 0 is never used: some peers read it as "no request". */
	if (start == 0)
		start = 1;
	*base = start;
	*limit = start + block;
	if (*limit < start)
		*limit = UINT32_MAX; /* wrap: one short block, then around */
	return nhrp_reqid_persist(path, *limit);
}
