/*
 * The daemon's pidfile, held under an exclusive flock(2) for the life of
 * the process, so a second instance is refused with the first one's pid
 * and a stale file left by kill -9 is simply taken over.
 */
#ifndef DMVPN_PIDFILE_H
#define DMVPN_PIDFILE_H

#include <sys/types.h>

/*
 * Create or open path and lock it.  Returns the descriptor, or -1 with
 * errno set; EWOULDBLOCK means another live process holds it, and its pid
 * (0 when unreadable) is stored in *holder.
 */
int pidfile_open(const char *path, pid_t *holder);

/* Write the calling process's pid into the locked file; 0 or -1. */
int pidfile_write(int fd);

/* Unlink path and close fd; for a clean exit. */
void pidfile_remove(const char *path, int fd);

#endif /* DMVPN_PIDFILE_H */
