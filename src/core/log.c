/*
 * Logging: stderr with -d, syslog otherwise.  See include/dmvpn/log.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "dmvpn/log.h"

static bool log_foreground = true;
static enum log_level log_level = LOG_LVL_INFO;
static unsigned int log_cats;
static log_sink_fn *log_sink;
static void *log_sink_arg;

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

static const struct {
	const char *name;
	unsigned int mask;
} cat_names[] = {
	{"core", DBG_CORE}, {"conf", DBG_CONF},   {"ctl", DBG_CTL},
	{"nhrp", DBG_NHRP}, {"ike", DBG_IKE},     {"xfrm", DBG_XFRM},
	{"rtnl", DBG_RTNL}, {"route", DBG_ROUTE}, {"dns", DBG_DNS},
};

void
log_init(bool foreground, const char *ident, int facility)
{
	log_foreground = foreground;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_level(enum log_level level)
{
	if (level <= LOG_LVL_DEBUG)
		log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_dbg_enable(unsigned int mask)
{
	log_cats |= mask & DBG_ALL;
}

void
log_dbg_disable(unsigned int mask)
{
	log_cats &= ~mask;
}

unsigned int
log_dbg_mask(void)
{
	return log_cats;
}

bool
log_dbg_on(unsigned int cat)
{
	return log_level >= LOG_LVL_DEBUG && (log_cats & cat) != 0;
}

int
log_level_parse(const char *name, enum log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	/* "warning" is what syslog and many users say. */
	if (strcasecmp(name, "warning") == 0) {
		*level = LOG_LVL_WARN;
		return 0;
	}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	if (level > LOG_LVL_DEBUG)
		return "?";
	return level_names[level];
}

int
log_cat_parse(const char *list, unsigned int *mask, const char **bad)
{
	static char badword[32];
	const char *p = list, *end;
	size_t i, n;
	unsigned int m = 0;

	while (*p != '\0') {
		end = strchr(p, ',');
		n = end == NULL ? strlen(p) : (size_t)(end - p);
		if (n == 3 && strncasecmp(p, "all", 3) == 0) {
			m |= DBG_ALL;
		} else if (n > 0) {
			for (i = 0;
			     i < sizeof(cat_names) / sizeof(cat_names[0]);
			     i++) {
				if (strlen(cat_names[i].name) == n &&
				    strncasecmp(p, cat_names[i].name, n) == 0)
					break;
			}
			if (i == sizeof(cat_names) / sizeof(cat_names[0])) {
				if (n >= sizeof(badword))
					n = sizeof(badword) - 1;
				memcpy(badword, p, n);
				badword[n] = '\0';
				if (bad != NULL)
					*bad = badword;
				return -1;
			}
			m |= cat_names[i].mask;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	*mask = m;
	return 0;
}

void
log_cat_format(unsigned int mask, char *out, size_t outlen)
{
	size_t i, used = 0;
	int n;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < sizeof(cat_names) / sizeof(cat_names[0]); i++) {
		if ((mask & cat_names[i].mask) == 0)
			continue;
		n = snprintf(out + used, outlen - used, "%s%s",
			     used > 0 ? "," : "", cat_names[i].name);
		if (n < 0 || (size_t)n >= outlen - used)
			return;
		used += (size_t)n;
	}
}

void
log_set_sink(log_sink_fn *fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

static int
syslog_prio(enum log_level level)
{
	switch (level) {
	case LOG_LVL_ERROR:
		return LOG_ERR;
	case LOG_LVL_WARN:
		return LOG_WARNING;
	case LOG_LVL_INFO:
		return LOG_INFO;
	case LOG_LVL_DEBUG:
		break;
	}
	return LOG_DEBUG;
}

/* Format once, then hand the line to the sink, stderr or syslog. */
static void log_emit(enum log_level level, const char *fmt, va_list ap,
		     const char *suffix) LOG_PRINTF(2, 0);

static void
log_emit(enum log_level level, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (suffix != NULL) {
		size_t n = strlen(msg);

		snprintf(msg + n, sizeof(msg) - n, ": %s", suffix);
	}
	if (log_sink != NULL) {
		log_sink(level, msg, log_sink_arg);
	} else if (log_foreground) {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %-5s %s\n", stamp,
			ts.tv_nsec / 1000000, level_names[level], msg);
	} else {
		syslog(syslog_prio(level), "%s", msg);
	}
	errno = saved;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	log_emit(level, fmt, ap, NULL);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (log_level < LOG_LVL_WARN)
		return;
	va_start(ap, fmt);
	log_emit(LOG_LVL_WARN, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_WARN, fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_DEBUG, fmt, ap);
	va_end(ap);
}

void
log_dbg(unsigned int cat, const char *fmt, ...)
{
	va_list ap;

	if (!log_dbg_on(cat))
		return;
	va_start(ap, fmt);
	log_emit(LOG_LVL_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_LVL_ERROR, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LVL_ERROR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
