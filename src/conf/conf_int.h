/*
 * Internals of the configuration parser, shared by the files of src/conf only.
 *
 * The lexer turns bytes into statements: the words of one line (or up to a
 * ';'), ended by a newline, ';', '{', '}' or the end of the file.  Each
 * statement is handled by one keyword handler (conf_parse.c), each value
 * by one validator (conf_value.c); block-level checks and defaults run when
 * a block closes (conf_validate.c).  An error never stops the parse before
 * CONF_MAX_ERRORS: the statement is dropped and the next one read.
 */
#ifndef DMVPN_CONF_INT_H
#define DMVPN_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dmvpn/conf.h"

#define CONF_WORD_MAX   4095  /* bytes in one word or string */
#define CONF_ARGS_MAX   64    /* words in one statement */
#define CONF_ARENA_MAX  16384 /* bytes of words in one statement */
#define CONF_SHOW_MAX   64    /* bytes of a value quoted in a message */
#define CONF_PATH_MAX   4095
#define CONF_SHOW_BUF   (CONF_SHOW_MAX * 4 + 8) /* escapes, quotes, "..." */
#define CONF_SHOW_SLOTS 4

/*
 * Keywords; conf_parse.c has their table, conf_validate.c and conf_ike.c
 * their lines.
 */
enum conf_kw {
	KW_LOG_LEVEL,
	KW_DEBUG,
	KW_CONTROL_SOCKET,
	KW_STATE_DIR,
	KW_ROUTE_PROTOCOL,
	KW_HOOK_SCRIPT,
	KW_TUNNEL,
	KW_IKE,
	KW_ROLE,
	KW_NBMA_INTERFACE,
	KW_LOCAL,
	KW_ADDRESS,
	KW_GRE_KEY,
	KW_MTU,
	KW_TTL,
	KW_NETWORK_ID,
	KW_HOLDING_TIME,
	KW_NHS,
	KW_MAP,
	KW_CLUSTER,
	KW_REGISTRATION,
	KW_SHORTCUT,
	KW_REDIRECT,
	KW_SHORTCUT_DEST,
	KW_AUTHENTICATION,
	KW_ROUTE_TABLE,
	KW_IPSEC,
	KW_NHS_FALLBACK,
	KW_NEGATIVE_TTL,
	KW_REDIRECT_RATE,
	/* The ike block's (conf_ike.c). */
	KW_CERTIFICATE,
	KW_PRIVATE_KEY,
	KW_CA,
	KW_CRL,
	KW_PSK_FILE,
	KW_IDENTITY,
	KW_IKE_PROPOSAL,
	KW_ESP_PROPOSAL,
	KW_IKE_LIFETIME,
	KW_ESP_LIFETIME,
	KW_DPD,
	KW_NAT_KEEPALIVE,
	KW_RETRANSMIT_TRIES,
	KW_HALF_OPEN_LIMIT,
	KW_AUTHORIZE,
	KW_COUNT,
};

/* How a statement ended. */
enum conf_end {
	CONF_END_EOL,   /* newline or ';' */
	CONF_END_OPEN,  /* '{': a block follows */
	CONF_END_CLOSE, /* '}': the enclosing block ends too */
	CONF_END_EOF,
};

struct conf_arg {
	const char *s; /* NUL-terminated, but may hold NULs: see len */
	size_t len;
	bool quoted;
};

struct conf_parser {
	const char *name; /* file name for messages */
	const char *buf;
	size_t len;
	size_t off;
	unsigned int line; /* of the lexer */

	struct conf_errors *errs;
	size_t errs_start; /* errs->n when this parse began */
	unsigned int nerr; /* errors found, stored or not */
	bool gave_up;      /* CONF_MAX_ERRORS reached */
	bool nomem;

	/* The statement being handled. */
	struct conf_arg args[CONF_ARGS_MAX];
	size_t nargs;
	unsigned int stmt_line;
	enum conf_end stmt_end;
	bool stmt_bad; /* the lexer already complained */
	char arena[CONF_ARENA_MAX];
	size_t used;
	/* Values quoted for messages (conf_parse.c show()). */
	char showbuf[CONF_SHOW_SLOTS][CONF_SHOW_BUF];
	unsigned int nshow;

	struct dmvpn_conf *conf;
	/*
	 * Lines where each keyword was seen, per scope (0: not yet); the
	 * ike block's keywords are in gseen, as there is one block.
	 */
	unsigned int gseen[KW_COUNT];
	unsigned int tseen[KW_COUNT];
	/*
	 * Keywords of the block being read (a tunnel or the ike block)
	 * given with an error: skip checks that use them.
	 */
	bool tbad[KW_COUNT];
	/* An ike block was seen, even a misplaced one. */
	bool ike_any;
	/*
	 * The ike block may follow the tunnels, so ipsec's default and
	 * "ipsec yes: needs an ike block" wait for the end of the file:
	 * which kept tunnels gave no ipsec, and the lines of `ipsec yes`.
	 */
	bool ipsec_implicit[CONF_MAX_TUNNELS];
	unsigned int ipsec_yes[CONF_MAX_TUNNELS];
	size_t nipsec_yes;
};

/* conf.c */
void conf_err(struct conf_parser *p, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conf_errors_finish(struct conf_parser *p);
void conf_tunnel_clear(struct conf_tunnel *t);

/* conf_lex.c */
void conf_lex_init(struct conf_parser *p, const char *name, const char *buf,
		   size_t len);
/* Read the next statement into p->args; returns how it ended. */
enum conf_end conf_stmt_read(struct conf_parser *p);

/* conf_value.c */
int conf_num_parse(const char *s, uint64_t *out);
int conf_duration_parse(const char *s, uint64_t *secs);
void conf_duration_fmt(uint64_t secs, char *out, size_t outlen);
bool conf_word_char(unsigned char c);
bool conf_ifname_ok(const char *s, size_t len);
bool conf_hostname_ok(const char *s, size_t len);
bool conf_bare_ok(const char *s, size_t len);
const char *conf_esc(unsigned char c, char *e);
void conf_quote(const char *s, size_t len, char *out, size_t outlen,
		size_t maxshow);
const char *conf_show(const struct conf_arg *a, char *out);
unsigned int conf_distance(const char *a, const char *b);
const char *conf_suggest(const char *word, const char *const *names, size_t n);
bool conf_unicast_ok(const struct addr *a);
const char *conf_route_table_name(uint32_t table);

/* conf_parse.c: value helpers that report their own error, -1 */
int conf_num_arg(struct conf_parser *p, const char *label, size_t i,
		 uint64_t min, uint64_t max, uint64_t *out);
int conf_dur_arg(struct conf_parser *p, const char *label, size_t i,
		 uint64_t min, uint64_t max, uint32_t *out);
int conf_path_arg(struct conf_parser *p, size_t i, size_t maxlen,
		  const char *why, char **out);
/* v grown, when needed, to hold n + 1 elements of size bytes; NULL: ENOMEM. */
void *conf_grow(struct conf_parser *p, void *v, size_t n, size_t size);

/* conf_validate.c */
void conf_tunnel_finish(struct conf_parser *p, struct conf_tunnel *t);

/* conf_ike.c */
void conf_ike_defaults(struct conf_ike *ike);
void conf_ike_clear(struct conf_ike *ike);
/* The block's rules and defaults, when it closes. */
void conf_ike_finish(struct conf_parser *p);
/* ipsec's default and rule, at the end of the file. */
void conf_ike_file_end(struct conf_parser *p);
void conf_kw_certificate(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_private_key(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_ca(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_crl(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_psk_file(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_identity(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_ike_proposal(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_esp_proposal(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_ike_lifetime(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_esp_lifetime(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_dpd(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_nat_keepalive(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_retransmit_tries(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_half_open_limit(struct conf_parser *p, struct conf_tunnel *t);
void conf_kw_authorize(struct conf_parser *p, struct conf_tunnel *t);
bool conf_id_equal(const struct conf_id *a, const struct conf_id *b);
/* Same proposals in the same order (of preference). */
bool conf_proposals_equal(const struct conf_proposal *a, size_t na,
			  const struct conf_proposal *b, size_t nb);

/* conf_print.c */
void conf_ike_print(FILE *f, const struct conf_ike *ike);

/* conf_diff.c */
bool conf_ike_equal(const struct conf_ike *a, const struct conf_ike *b);

#endif /* DMVPN_CONF_INT_H */
