/*
 * Logging, after OpenBSD's log.c: stderr in the foreground (-d), syslog
 * otherwise; a level threshold and runtime debug categories that
 * `dmvpnctl log` toggles.  Every call preserves errno.  fatal() and
 * fatalx() are for start-up and broken invariants only, never for
 * anything a peer can send.
 */
#ifndef DMVPN_LOG_H
#define DMVPN_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* Debug categories, enabled independently of the level. */
enum log_cat {
	DBG_CORE = 1u << 0,
	DBG_CONF = 1u << 1,
	DBG_CTL = 1u << 2,
	DBG_NHRP = 1u << 3,
	DBG_IKE = 1u << 4,
	DBG_XFRM = 1u << 5,
	DBG_RTNL = 1u << 6,
	DBG_ROUTE = 1u << 7,
	DBG_DNS = 1u << 8,
	DBG_ALL = (1u << 9) - 1,
};

#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * Start logging: to stderr when foreground is true, else to syslog under
 * ident with the given facility (LOG_DAEMON and the like).
 */
void log_init(bool foreground, const char *ident, int facility);

/* Messages above level are dropped (debug ones still need a category). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Enable or disable debug categories (a mask of enum log_cat). */
void log_dbg_enable(unsigned int mask);
void log_dbg_disable(unsigned int mask);
unsigned int log_dbg_mask(void);

/* True when log_dbg(cat, ...) would print: level debug and cat enabled. */
bool log_dbg_on(unsigned int cat);

/* Parse a level name (error|warn|info|debug); -1 when unknown. */
int log_level_parse(const char *name, enum log_level *level);
const char *log_level_name(enum log_level level);

/*
 * Parse a comma-separated category list ("nhrp,ike", "all") into a mask;
 * -1 with *bad pointing at the unknown word.
 */
int log_cat_parse(const char *list, unsigned int *mask, const char **bad);

/* Write the names of the categories in mask, comma-separated, into out. */
void log_cat_format(unsigned int mask, char *out, size_t outlen);

/*
 * Redirect output to a callback instead of stderr/syslog (tests, and the
 * control socket's log streaming later).  NULL restores the default.
 */
typedef void log_sink_fn(enum log_level level, const char *msg, void *arg);
void log_set_sink(log_sink_fn *fn, void *arg);

void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_dbg(unsigned int cat, const char *fmt, ...) LOG_PRINTF(2, 3);
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	LOG_PRINTF(2, 0);

/* Log with strerror(errno) appended, then exit(1). */
void fatal(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
/* Log, then exit(1). */
void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif /* DMVPN_LOG_H */
