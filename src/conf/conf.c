/*
 * The configuration: allocation, errors, and reading the file.  The
 * parsing proper is in conf_parse.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

#ifndef DMVPN_RUNSTATEDIR
#define DMVPN_RUNSTATEDIR "/run"
#endif
#define DEFAULT_CONTROL_SOCKET DMVPN_RUNSTATEDIR "/dmvpnd.sock"

void
conf_errors_init(struct conf_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
}

void
conf_errors_free(struct conf_errors *errs)
{
	size_t i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->v[i].msg);
	free(errs->v);
	conf_errors_init(errs);
}

void
conf_errors_print(FILE *f, const struct conf_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		fprintf(f, "%s\n", errs->v[i].msg);
	if (errs->nomem)
		fprintf(f, "(more errors: out of memory)\n");
}

/* Append "name:line: message" (or "name: message" for line 0). */
static void errs_vadd(struct conf_errors *errs, const char *name,
		      unsigned int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void
errs_vadd(struct conf_errors *errs, const char *name, unsigned int line,
	  const char *fmt, va_list ap)
{
	char head[32], *msg = NULL;
	struct conf_error *v;
	size_t hl, nl, ml;
	va_list ap2;
	int n;

	if (line > 0)
		snprintf(head, sizeof(head), ":%u: ", line);
	else
		snprintf(head, sizeof(head), ": ");
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		goto fail;
	nl = strlen(name);
	hl = strlen(head);
	ml = (size_t)n;
	if ((msg = malloc(nl + hl + ml + 1)) == NULL)
		goto fail;
	memcpy(msg, name, nl);
	memcpy(msg + nl, head, hl);
	vsnprintf(msg + nl + hl, ml + 1, fmt, ap);
	if (errs->n == errs->cap) {
		size_t cap = errs->cap == 0 ? 8 : errs->cap * 2;

		if ((v = realloc(errs->v, cap * sizeof(*v))) == NULL)
			goto fail;
		errs->v = v;
		errs->cap = cap;
	}
	errs->v[errs->n].line = line;
	errs->v[errs->n].msg = msg;
	errs->n++;
	return;
fail:
	free(msg);
	errs->nomem = true;
}

static void errs_add(struct conf_errors *errs, const char *name,
		     unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
errs_add(struct conf_errors *errs, const char *name, unsigned int line,
	 const char *fmt, ...)
{
	va_list ap;

	if (errs == NULL)
		return;
	va_start(ap, fmt);
	errs_vadd(errs, name, line, fmt, ap);
	va_end(ap);
}

void
conf_err(struct conf_parser *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	if (p->gave_up)
		return;
	if (p->nerr >= CONF_MAX_ERRORS) {
		p->gave_up = true;
		return;
	}
	p->nerr++;
	if (p->errs == NULL)
		return;
	va_start(ap, fmt);
	errs_vadd(p->errs, p->name, line, fmt, ap);
	va_end(ap);
}

/*
 * Put this parse's messages in line order (stable: messages about one
 * line keep the order they were found in), then add the note saying the
 * parse gave up, if it did.
 */
void
conf_errors_finish(struct conf_parser *p)
{
	struct conf_errors *errs = p->errs;
	struct conf_error e;
	size_t i, j;

	if (errs == NULL)
		return;
	for (i = p->errs_start + 1; i < errs->n; i++) {
		e = errs->v[i];
		for (j = i; j > p->errs_start && errs->v[j - 1].line > e.line;
		     j--)
			errs->v[j] = errs->v[j - 1];
		errs->v[j] = e;
	}
	if (p->gave_up)
		errs_add(errs, p->name, 0, "too many errors; stopped after %d",
			 CONF_MAX_ERRORS);
	if (p->nomem)
		errs_add(errs, p->name, 0, "out of memory");
}

void
conf_tunnel_defaults(struct conf_tunnel *t, enum conf_role role)
{
	t->role = role;
	t->mtu = CONF_DEFAULT_MTU;
	t->ttl = CONF_DEFAULT_TTL;
	t->network_id = CONF_DEFAULT_NETWORK_ID;
	t->holding_time = CONF_DEFAULT_HOLDING_TIME;
	t->unique = true;
	t->shortcut = role == CONF_ROLE_SPOKE;
	t->redirect = role == CONF_ROLE_HUB;
	/* Until the file ends: then yes when there is an ike block. */
	t->ipsec = false;
	t->route_table = CONF_DEFAULT_ROUTE_TABLE;
	t->nhs_fallback = CONF_DEFAULT_NHS_FALLBACK;
	t->negative_ttl = CONF_DEFAULT_NEGATIVE_TTL;
	t->redirect_interval = CONF_DEFAULT_REDIRECT_INTERVAL;
	t->redirect_burst = CONF_DEFAULT_REDIRECT_BURST;
}

/* Free what t holds (not t itself) and zero it. */
void
conf_tunnel_clear(struct conf_tunnel *t)
{
	free(t->hook_script);
	free(t->nhs);
	free(t->maps);
	free(t->clusters);
	memset(t, 0, sizeof(*t));
}

struct dmvpn_conf *
conf_new(void)
{
	struct dmvpn_conf *conf;

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		return NULL;
	conf->log_level = LOG_LVL_INFO;
	conf->route_protocol = CONF_DEFAULT_ROUTE_PROTOCOL;
	conf->control_socket = strdup(DEFAULT_CONTROL_SOCKET);
	conf->state_dir = strdup(CONF_DEFAULT_STATE_DIR);
	if (conf->control_socket == NULL || conf->state_dir == NULL) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}

void
conf_free(struct dmvpn_conf *conf)
{
	size_t i;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->ntunnels; i++)
		conf_tunnel_clear(&conf->tunnels[i]);
	free(conf->tunnels);
	free(conf->control_socket);
	free(conf->state_dir);
	free(conf->hook_script);
	conf_ike_clear(&conf->ike);
	free(conf);
}

const char *
conf_role_name(enum conf_role role)
{
	return role == CONF_ROLE_HUB ? "hub" : "spoke";
}

const struct conf_tunnel *
conf_tunnel_find(const struct dmvpn_conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->ntunnels; i++)
		if (strcmp(conf->tunnels[i].name, name) == 0)
			return &conf->tunnels[i];
	return NULL;
}

/* The first secret the configuration holds, by keyword, or NULL. */
static const char *
conf_secret(const struct dmvpn_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->ntunnels; i++)
		if (conf->tunnels[i].auth_len > 0)
			return "authentication";
	return NULL;
}

/* The user dmvpnd runs as after set-up: it must re-read the file. */
static uid_t conf_trusted_uid = (uid_t)-1;

void
conf_set_trusted_uid(uid_t uid)
{
	conf_trusted_uid = uid;
}

/*
 * OpenIKED's check_file_secrecy(): a file holding secrets is owned by
 * root, by whoever reads it, or by the user the daemon runs as (so a
 * reload can read it), and nobody else may read or write it.
 */
static int
check_secrecy(const char *path, const struct stat *st, const char *what,
	      struct conf_errors *errs)
{
	int rc = 0;

	if (st->st_uid != 0 && st->st_uid != geteuid() &&
	    st->st_uid != conf_trusted_uid) {
		errs_add(errs, path, 0,
			 "holds a secret (%s) but is owned by uid %lu: it must "
			 "be owned by root",
			 what, (unsigned long)st->st_uid);
		rc = -1;
	}
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		errs_add(errs, path, 0,
			 "holds a secret (%s) but group or others may access "
			 "it (mode %04o): chmod 600 %s",
			 what, (unsigned int)(st->st_mode & 07777), path);
		rc = -1;
	}
	return rc;
}

/*
 * A file the ike block names: it must open (readable by us) and be a
 * regular file; a secret one must also pass check_secrecy()'s rules.
 * Messages name the statement, "name:line: psk-file PATH: what".
 */
static int
check_ike_file(const char *name, unsigned int line, const char *kw,
	       const char *path, bool secret, struct conf_errors *errs)
{
	char q[CONF_SHOW_BUF];
	struct stat st;
	int fd, rc = 0;

	if (path == NULL)
		return 0;
	conf_quote(path, strlen(path), q, sizeof(q), CONF_SHOW_MAX);
	/* O_NONBLOCK: a FIFO must not hang the check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		errs_add(errs, name, line, "%s %s: %s", kw, q, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		errs_add(errs, name, line, "%s %s: %s", kw, q, strerror(errno));
		rc = -1;
	} else if (!S_ISREG(st.st_mode)) {
		errs_add(errs, name, line, "%s %s: not a regular file", kw, q);
		rc = -1;
	} else if (secret) {
		if (st.st_uid != 0 && st.st_uid != geteuid() &&
		    st.st_uid != conf_trusted_uid) {
			errs_add(errs, name, line,
				 "%s %s: owned by uid %lu, must be owned by "
				 "root",
				 kw, q, (unsigned long)st.st_uid);
			rc = -1;
		}
		if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
			errs_add(errs, name, line,
				 "%s %s: mode %04o, must not be readable by "
				 "group or others (chmod 600)",
				 kw, q, (unsigned int)(st.st_mode & 07777));
			rc = -1;
		}
	}
	close(fd);
	return rc;
}

/* All of the ike block's files, in line order, all problems reported. */
static int
check_ike_files(const struct conf_ike *ike, const char *name,
		struct conf_errors *errs)
{
	struct {
		unsigned int line;
		const char *kw, *path;
		bool secret;
	} v[] =
		{
			{ike->certificate_line, "certificate", ike->certificate,
			 false},
			{ike->private_key_line, "private-key", ike->private_key,
			 true},
			{ike->ca_line, "ca", ike->ca, false},
			{ike->crl_line, "crl", ike->crl, false},
			{ike->psk_file_line, "psk-file", ike->psk_file, true},
		},
	  e;
	size_t i, j, n = sizeof(v) / sizeof(v[0]);
	int rc = 0;

	if (!ike->present)
		return 0;
	for (i = 1; i < n; i++) {
		e = v[i];
		for (j = i; j > 0 && v[j - 1].line > e.line; j--)
			v[j] = v[j - 1];
		v[j] = e;
	}
	for (i = 0; i < n; i++)
		if (check_ike_file(name, v[i].line, v[i].kw, v[i].path,
				   v[i].secret, errs) == -1)
			rc = -1;
	return rc;
}

struct dmvpn_conf *
conf_parse_file(const char *path, struct conf_errors *errs)
{
	struct dmvpn_conf *conf = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	const char *what;
	bool bad;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		errs_add(errs, path, 0, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		errs_add(errs, path, 0, "%s", strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		errs_add(errs, path, 0, "not a regular file");
		goto done;
	}
	if (st.st_size > CONF_MAX_FILE) {
		errs_add(errs, path, 0, "larger than %d bytes", CONF_MAX_FILE);
		goto done;
	}
	/* One byte more than allowed, to see a file that grew meanwhile. */
	if ((buf = malloc(CONF_MAX_FILE + 1)) == NULL) {
		errs_add(errs, path, 0, "%s", strerror(ENOMEM));
		goto done;
	}
	for (;;) {
		n = read(fd, buf + len, CONF_MAX_FILE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			errs_add(errs, path, 0, "%s", strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONF_MAX_FILE) {
			errs_add(errs, path, 0, "larger than %d bytes",
				 CONF_MAX_FILE);
			goto done;
		}
	}
	conf = conf_parse_buf(path, buf, len, errs);
	if (conf == NULL)
		goto done;
	bad = check_ike_files(&conf->ike, path, errs) == -1;
	if ((what = conf_secret(conf)) != NULL &&
	    check_secrecy(path, &st, what, errs) == -1)
		bad = true;
	if (bad) {
		conf_free(conf);
		conf = NULL;
	}
done:
	free(buf);
	close(fd);
	return conf;
}
