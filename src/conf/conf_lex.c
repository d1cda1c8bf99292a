/*
 * The lexer: bytes to statements.
 *
 * A word is a run of printable ASCII other than space and the characters
 * " ' # { } ; \.  A string is double-quoted, on one line, with the escapes
 * \" \\ \n \t \r and \xHH.  '#' starts a comment to the end of the line.
 * A statement is the words up to a newline or ';' (then it stands alone),
 * '{' (a block follows) or '}' (the enclosing block ends after it).
 *
 * The lexer never stops early: a bad byte, a runaway string or a word too
 * long is reported, the statement is marked bad (so that its handler does
 * not run and add a second, confusing message), and lexing goes on.
 */
#include <stdarg.h>
#include <stdio.h>

#include "conf_int.h"

void
conf_lex_init(struct conf_parser *p, const char *name, const char *buf,
	      size_t len)
{
	p->name = name;
	p->buf = buf;
	p->len = len;
	p->off = 0;
	p->line = 1;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Report a lexical error, once per statement: the first is the one that
 * matters, and a line of garbage should not use up CONF_MAX_ERRORS.
 */
static void lex_err(struct conf_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
lex_err(struct conf_parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!p->stmt_bad) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		conf_err(p, p->line, "%s", msg);
	}
	p->stmt_bad = true;
}

static void
bad_byte(struct conf_parser *p, unsigned char c, const char *where)
{
	if (c == '\'')
		lex_err(p,
			"invalid character \"'\"%s (strings use double quotes)",
			where);
	else if (c == '\\')
		lex_err(p, "invalid character \"\\\"%s", where);
	else
		lex_err(p, "invalid character 0x%02x%s", c, where);
}

/*
 * Start a new word in the arena; false (and the statement marked bad) when
 * the statement has too many words.
 */
static bool
word_begin(struct conf_parser *p, bool quoted)
{
	if (p->nargs == CONF_ARGS_MAX) {
		lex_err(p, "too many words in one statement (at most %d)",
			CONF_ARGS_MAX);
		return false;
	}
	if (p->nargs == 0)
		p->stmt_line = p->line;
	p->args[p->nargs].s = p->arena + p->used;
	p->args[p->nargs].len = 0;
	p->args[p->nargs].quoted = quoted;
	return true;
}

/* Add byte c to the word being built, if it still fits. */
static void
word_put(struct conf_parser *p, bool *room, char c)
{
	struct conf_arg *a = &p->args[p->nargs];

	if (!*room)
		return;
	if (a->len == CONF_WORD_MAX || p->used + 1 >= CONF_ARENA_MAX) {
		if (a->len == CONF_WORD_MAX)
			lex_err(p, "word longer than %d bytes", CONF_WORD_MAX);
		else
			lex_err(p, "statement longer than %d bytes",
				CONF_ARENA_MAX);
		*room = false;
		return;
	}
	p->arena[p->used++] = c;
	a->len++;
}

static void
word_end(struct conf_parser *p, bool room)
{
	if (!room)
		return;
	p->arena[p->used++] = '\0';
	p->nargs++;
}

static void
lex_word(struct conf_parser *p)
{
	bool room = word_begin(p, false);

	while (p->off < p->len && conf_word_char((unsigned char)p->buf[p->off]))
		word_put(p, &room, p->buf[p->off++]);
	word_end(p, room);
}

/* A quoted string; p->off is at the opening quote. */
static void
lex_string(struct conf_parser *p)
{
	bool room = word_begin(p, true);
	unsigned char c;
	int hi, lo;

	p->off++;
	for (;;) {
		if (p->off >= p->len || p->buf[p->off] == '\n') {
			lex_err(p, "unterminated string");
			break;
		}
		c = (unsigned char)p->buf[p->off++];
		if (c == '"')
			break;
		if (c == '\\') {
			c = p->off < p->len ? (unsigned char)p->buf[p->off]
					    : '\0';
			if (c == '\n' || p->off >= p->len)
				continue; /* reported as unterminated */
			p->off++;
			switch (c) {
			case '"':
			case '\\':
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'x':
				hi = p->off < p->len
					     ? hexval((unsigned char)
							      p->buf[p->off])
					     : -1;
				lo = p->off + 1 < p->len
					     ? hexval((unsigned char)p
							      ->buf[p->off + 1])
					     : -1;
				if (hi < 0 || lo < 0) {
					lex_err(p, "\\x needs two hex digits");
					continue;
				}
				p->off += 2;
				c = (unsigned char)(hi * 16 + lo);
				break;
			default:
				if (c > ' ' && c < 0x7f)
					lex_err(p, "unknown escape \\%c", c);
				else
					lex_err(p, "unknown escape \\ + 0x%02x",
						c);
				continue;
			}
		} else if ((c < ' ' && c != '\t') || c == 0x7f) {
			bad_byte(p, c, " in string");
			continue;
		}
		word_put(p, &room, (char)c);
	}
	word_end(p, room);
}

enum conf_end
conf_stmt_read(struct conf_parser *p)
{
	unsigned char c;

	p->nargs = 0;
	p->used = 0;
	p->stmt_bad = false;
	p->stmt_line = p->line;
	for (;;) {
		if (p->off >= p->len) {
			p->stmt_end = CONF_END_EOF;
			break;
		}
		c = (unsigned char)p->buf[p->off];
		if (c == ' ' || c == '\t' || c == '\r') {
			p->off++;
		} else if (c == '\n' || c == ';') {
			p->off++;
			if (p->nargs > 0 || p->stmt_bad) {
				p->stmt_end = CONF_END_EOL;
				if (c == '\n')
					p->line++;
				break;
			}
			if (c == '\n')
				p->line++;
			p->stmt_line = p->line;
		} else if (c == '#') {
			while (p->off < p->len && p->buf[p->off] != '\n')
				p->off++;
		} else if (c == '{' || c == '}') {
			p->off++;
			p->stmt_end = c == '{' ? CONF_END_OPEN : CONF_END_CLOSE;
			if (p->nargs == 0)
				p->stmt_line = p->line;
			break;
		} else if (c == '"') {
			lex_string(p);
		} else if (conf_word_char(c)) {
			lex_word(p);
		} else {
			bad_byte(p, c, "");
			p->off++;
		}
	}
	return p->stmt_end;
}
