/*
 * dmvpnctl's command line, after ikectl's parser.c: a tree of token
 * tables, each word matched by unique prefix ("sh pe" is show peers), an
 * exact match winning over longer keywords it prefixes.  A new command
 * is a table row; the action names the request it sends.
 */
#include <stdio.h>
#include <string.h>

#include "dmvpn/ctl.h"

#define T_END(next)                                \
	{                                          \
		CTL_TOK_END, "", CTL_NONE, 0, next \
	}
#define T_NONE                                      \
	{                                           \
		CTL_TOK_NONE, "", CTL_NONE, 0, NULL \
	}

static const struct ctl_token t_end[] = {T_END(NULL)};

static const struct ctl_token t_show[] = {
	{CTL_TOK_KEYWORD, "dmvpn", CTL_SHOW_DMVPN, 0, t_end},
	{CTL_TOK_KEYWORD, "peers", CTL_SHOW_PEERS, 0, t_end},
	{CTL_TOK_KEYWORD, "nhs", CTL_SHOW_NHS, 0, t_end},
	{CTL_TOK_KEYWORD, "routes", CTL_SHOW_ROUTES, 0, t_end},
	{CTL_TOK_KEYWORD, "stats", CTL_SHOW_STATS, 0, t_end},
	{CTL_TOK_KEYWORD, "config", CTL_SHOW_CONFIG, 0, t_end},
	{CTL_TOK_KEYWORD, "ike", CTL_SHOW_IKE, 0, t_end},
	{CTL_TOK_KEYWORD, "sa", CTL_SHOW_SA, 0, t_end},
	T_NONE,
};

static const struct ctl_token t_addr[] = {
	{CTL_TOK_ADDRESS, "ADDR", CTL_NONE, 0, t_end},
	T_NONE,
};

static const struct ctl_token t_flush[] = {
	{CTL_TOK_KEYWORD, "peer", CTL_NONE, 0, t_addr},
	T_END(NULL),
};

static const struct ctl_token t_categories[] = {
	{CTL_TOK_CATEGORIES, "CATEGORIES", CTL_NONE, 0, t_end},
	T_NONE,
};

static const struct ctl_token t_level_opts[] = {
	{CTL_TOK_KEYWORD, "debug", CTL_NONE, 0, t_categories},
	T_END(NULL),
};

static const struct ctl_token t_levels[] = {
	{CTL_TOK_LEVEL, "error", CTL_NONE, LOG_LVL_ERROR, t_level_opts},
	{CTL_TOK_LEVEL, "warn", CTL_NONE, LOG_LVL_WARN, t_level_opts},
	{CTL_TOK_LEVEL, "info", CTL_NONE, LOG_LVL_INFO, t_level_opts},
	{CTL_TOK_LEVEL, "debug", CTL_NONE, LOG_LVL_DEBUG, t_level_opts},
	T_NONE,
};

static const struct ctl_token t_log[] = {
	{CTL_TOK_KEYWORD, "level", CTL_LOG_LEVEL, 0, t_levels},
	T_NONE,
};

const struct ctl_token ctl_commands[] = {
	{CTL_TOK_KEYWORD, "show", CTL_NONE, 0, t_show},
	{CTL_TOK_KEYWORD, "reload", CTL_RELOAD, 0, t_end},
	{CTL_TOK_KEYWORD, "flush", CTL_FLUSH, 0, t_flush},
	{CTL_TOK_KEYWORD, "purge", CTL_PURGE, 0, t_addr},
	{CTL_TOK_KEYWORD, "log", CTL_NONE, 0, t_log},
	T_NONE,
};

static bool
is_terminator(const struct ctl_token *t)
{
	return t->type == CTL_TOK_NONE || t->type == CTL_TOK_END;
}

static bool
is_word(const struct ctl_token *t)
{
	return t->type == CTL_TOK_KEYWORD || t->type == CTL_TOK_LEVEL;
}

/* "a, b or c": what the table accepts, for error messages. */
static void
expected(const struct ctl_token *table, char *out, size_t outlen)
{
	const struct ctl_token *t;
	size_t used = 0, n = 0, total = 0;
	int len;

	for (t = table; !is_terminator(t); t++)
		total++;
	out[0] = '\0';
	for (t = table; !is_terminator(t) && used < outlen; t++, n++) {
		len = snprintf(out + used, outlen - used, "%s%s",
			       n == 0           ? ""
			       : n + 1 == total ? " or "
						: ", ",
			       t->keyword);
		if (len < 0)
			return;
		used += (size_t)len;
	}
}

/* Take a value token's word into req; -1 with err when it is no such value. */
static int
take_value(const struct ctl_token *t, const char *word, struct ctl_request *req,
	   char *err, size_t errlen)
{
	unsigned int mask;
	const char *bad;

	switch (t->type) {
	case CTL_TOK_ADDRESS:
		if (addr_parse(&req->addr, word) == -1) {
			snprintf(err, errlen, "'%s' is not an IP address",
				 word);
			return -1;
		}
		req->has_addr = true;
		return 0;
	case CTL_TOK_CATEGORIES:
		if (strcmp(word, "none") == 0) {
			mask = 0;
		} else if (log_cat_parse(word, &mask, &bad) == -1) {
			snprintf(err, errlen,
				 "unknown debug category '%s' (core, conf, "
				 "ctl, nhrp, ike, xfrm, rtnl, route, dns, all "
				 "or none)",
				 bad);
			return -1;
		}
		req->log.set_debug = true;
		req->log.debug = mask;
		return 0;
	default:
		return -1;
	}
}

/* The token of table that word selects, or NULL with err set. */
static const struct ctl_token *
match(const struct ctl_token *table, const char *word, struct ctl_request *req,
      char *err, size_t errlen)
{
	const struct ctl_token *t, *found = NULL, *value = NULL;
	size_t n = 0, wlen = strlen(word), used;
	char list[256];

	for (t = table; !is_terminator(t); t++) {
		if (!is_word(t)) {
			if (value == NULL)
				value = t;
			continue;
		}
		if (strcmp(word, t->keyword) == 0)
			return t;
		if (wlen > 0 && strncmp(word, t->keyword, wlen) == 0) {
			found = t;
			n++;
		}
	}
	if (n == 1)
		return found;
	if (n > 1) {
		used = 0;
		list[0] = '\0';
		for (t = table; !is_terminator(t); t++) {
			if (!is_word(t) || strncmp(word, t->keyword, wlen) != 0)
				continue;
			used += (size_t)snprintf(
				list + used, sizeof(list) - used, "%s%s",
				used > 0 ? ", " : "", t->keyword);
			if (used >= sizeof(list))
				break;
		}
		snprintf(err, errlen, "ambiguous argument '%s': %s", word,
			 list);
		return NULL;
	}
	if (value != NULL)
		return take_value(value, word, req, err, errlen) == 0 ? value
								      : NULL;
	if (table == t) {
		snprintf(err, errlen, "unexpected argument '%s'", word);
		return NULL;
	}
	expected(table, list, sizeof(list));
	snprintf(err, errlen, "unknown argument '%s': expected %s", word, list);
	return NULL;
}

int
ctl_parse(const struct ctl_token *root, int argc, char *const argv[],
	  struct ctl_request *req, char *err, size_t errlen)
{
	const struct ctl_token *table = root, *t;
	const char *last = "dmvpnctl";
	char list[256];
	int i;

	memset(req, 0, sizeof(*req));
	err[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (table == NULL) {
			snprintf(err, errlen, "unexpected argument '%s'",
				 argv[i]);
			return -1;
		}
		if ((t = match(table, argv[i], req, err, errlen)) == NULL)
			return -1;
		if (t->action != CTL_NONE)
			req->type = t->action;
		if (t->type == CTL_TOK_LEVEL)
			req->log.level = (enum log_level)t->arg;
		last = is_word(t) ? t->keyword : argv[i];
		table = t->next;
	}
	if (table != NULL) {
		for (t = table; !is_terminator(t); t++)
			;
		if (t->type == CTL_TOK_NONE) {
			expected(table, list, sizeof(list));
			snprintf(err, errlen,
				 "%s: incomplete command, expected %s", last,
				 list);
			return -1;
		}
	}
	if (req->type == CTL_NONE) {
		snprintf(err, errlen, "no command given");
		return -1;
	}
	return 0;
}
