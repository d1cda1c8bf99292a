/*
 * Unit tests for dmvpnctl's command tree (src/ctl/ctl_parser.c): full
 * words and unique prefixes, exact matches winning, ambiguity, values
 * (addresses, levels, categories) and every error message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dmvpn/ctl.h"

static char err[256];

/* Parse a space-separated command line; returns ctl_parse's result. */
static int
parse_with(const struct ctl_token *root, const char *line,
	   struct ctl_request *req)
{
	char buf[256], *argv[16], *save = NULL, *w;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return ctl_parse(root, argc, argv, req, err, sizeof(err));
}

static int
parse(const char *line, struct ctl_request *req)
{
	return parse_with(ctl_commands, line, req);
}

static void
expect(const char *line, enum ctl_type type)
{
	struct ctl_request req;

	if (parse(line, &req) != 0)
		fail_msg("'%s': %s", line, err);
	assert_int_equal(req.type, type);
}

static void
expect_err(const char *line, const char *msg)
{
	struct ctl_request req;

	assert_int_equal(parse(line, &req), -1);
	assert_string_equal(err, msg);
}

static void
test_commands(void **state)
{
	(void)state;
	expect("show dmvpn", CTL_SHOW_DMVPN);
	expect("show peers", CTL_SHOW_PEERS);
	expect("show nhs", CTL_SHOW_NHS);
	expect("show routes", CTL_SHOW_ROUTES);
	expect("show stats", CTL_SHOW_STATS);
	expect("show config", CTL_SHOW_CONFIG);
	expect("show ike", CTL_SHOW_IKE);
	expect("show sa", CTL_SHOW_SA);
	expect("reload", CTL_RELOAD);
	expect("flush", CTL_FLUSH);
	expect("log level info", CTL_LOG_LEVEL);
}

static void
test_prefixes(void **state)
{
	(void)state;
	expect("sh pe", CTL_SHOW_PEERS);
	expect("s d", CTL_SHOW_DMVPN);
	expect("sho n", CTL_SHOW_NHS);
	expect("s r", CTL_SHOW_ROUTES);
	/* "s" now starts both stats and sa: "st" and "sa" tell them apart. */
	expect("s st", CTL_SHOW_STATS);
	expect("s sa", CTL_SHOW_SA);
	expect("sh i", CTL_SHOW_IKE);
	expect("show ik", CTL_SHOW_IKE);
	expect("s c", CTL_SHOW_CONFIG);
	expect("rel", CTL_RELOAD);
	expect("f", CTL_FLUSH);
	expect("l l w", CTL_LOG_LEVEL);
}

static void
test_values(void **state)
{
	struct ctl_request req;
	struct addr a;

	(void)state;
	assert_int_equal(parse("flush peer 10.0.0.5", &req), 0);
	assert_int_equal(req.type, CTL_FLUSH);
	assert_true(req.has_addr);
	addr_parse(&a, "10.0.0.5");
	assert_true(addr_eq(&req.addr, &a));
	assert_int_equal(parse("fl p 2001:db8::7", &req), 0);
	addr_parse(&a, "2001:db8::7");
	assert_true(addr_eq(&req.addr, &a));
	assert_int_equal(parse("flush", &req), 0);
	assert_false(req.has_addr);

	assert_int_equal(parse("purge 192.0.2.9", &req), 0);
	assert_int_equal(req.type, CTL_PURGE);
	addr_parse(&a, "192.0.2.9");
	assert_true(addr_eq(&req.addr, &a));

	assert_int_equal(parse("log level debug", &req), 0);
	assert_int_equal(req.log.level, LOG_LVL_DEBUG);
	assert_false(req.log.set_debug);
	assert_int_equal(parse("log level e", &req), 0);
	assert_int_equal(req.log.level, LOG_LVL_ERROR);
	assert_int_equal(parse("log level d d nhrp,ike", &req), 0);
	assert_int_equal(req.log.level, LOG_LVL_DEBUG);
	assert_true(req.log.set_debug);
	assert_int_equal(req.log.debug, DBG_NHRP | DBG_IKE);
	assert_int_equal(parse("log level info debug all", &req), 0);
	assert_int_equal(req.log.debug, DBG_ALL);
	assert_int_equal(parse("log level warn debug none", &req), 0);
	assert_int_equal(req.log.level, LOG_LVL_WARN);
	assert_true(req.log.set_debug);
	assert_int_equal(req.log.debug, 0);
}

static void
test_errors(void **state)
{
	struct ctl_request req;

	(void)state;
	assert_int_equal(
		ctl_parse(ctl_commands, 0, NULL, &req, err, sizeof(err)), -1);
	assert_string_equal(err, "dmvpnctl: incomplete command, expected "
				 "show, reload, flush, purge or log");
	expect_err("show", "show: incomplete command, expected dmvpn, peers, "
			   "nhs, routes, stats, config, ike or sa");
	expect_err("sh", "show: incomplete command, expected dmvpn, peers, "
			 "nhs, routes, stats, config, ike or sa");
	expect_err("bogus", "unknown argument 'bogus': expected show, reload, "
			    "flush, purge or log");
	expect_err("show peerz", "unknown argument 'peerz': expected dmvpn, "
				 "peers, nhs, routes, stats, config, ike or "
				 "sa");
	expect_err("show ikev2", "unknown argument 'ikev2': expected dmvpn, "
				 "peers, nhs, routes, stats, config, ike or "
				 "sa");
	expect_err("show ike now", "unexpected argument 'now'");
	expect_err("show sa 10.0.0.1", "unexpected argument '10.0.0.1'");
	expect_err("show peers now", "unexpected argument 'now'");
	expect_err("reload now", "unexpected argument 'now'");
	expect_err("purge", "purge: incomplete command, expected ADDR");
	expect_err("purge 10.0.0", "'10.0.0' is not an IP address");
	expect_err("flush peer", "peer: incomplete command, expected ADDR");
	expect_err("flush peer 10.0.0.1 x", "unexpected argument 'x'");
	expect_err("log", "log: incomplete command, expected level");
	expect_err("log level", "level: incomplete command, expected error, "
				"warn, info or debug");
	expect_err("log level loud", "unknown argument 'loud': expected "
				     "error, warn, info or debug");
	expect_err("log level info debug", "debug: incomplete command, "
					   "expected CATEGORIES");
	expect_err("log level info debug nhrp,bogus",
		   "unknown debug category 'bogus' (core, conf, ctl, nhrp, "
		   "ike, xfrm, rtnl, route, dns, all or none)");
}

/* A tree with words sharing prefixes, to pin ambiguity down. */
static const struct ctl_token t_end[] = {
	{CTL_TOK_END, "", CTL_NONE, 0, NULL},
};
static const struct ctl_token t_root[] = {
	{CTL_TOK_KEYWORD, "peer", CTL_SHOW_NHS, 0, t_end},
	{CTL_TOK_KEYWORD, "peers", CTL_SHOW_PEERS, 0, t_end},
	{CTL_TOK_KEYWORD, "purge", CTL_PURGE, 0, t_end},
	{CTL_TOK_KEYWORD, "show", CTL_SHOW_STATS, 0, t_end},
	{CTL_TOK_NONE, "", CTL_NONE, 0, NULL},
};

static void
test_ambiguity(void **state)
{
	struct ctl_request req;

	(void)state;
	assert_int_equal(parse_with(t_root, "p", &req), -1);
	assert_string_equal(err, "ambiguous argument 'p': peer, peers, purge");
	assert_int_equal(parse_with(t_root, "pe", &req), -1);
	assert_string_equal(err, "ambiguous argument 'pe': peer, peers");
	/* An exact word wins over longer ones it prefixes. */
	assert_int_equal(parse_with(t_root, "peer", &req), 0);
	assert_int_equal(req.type, CTL_SHOW_NHS);
	assert_int_equal(parse_with(t_root, "peers", &req), 0);
	assert_int_equal(req.type, CTL_SHOW_PEERS);
	assert_int_equal(parse_with(t_root, "pu", &req), 0);
	assert_int_equal(req.type, CTL_PURGE);
	assert_int_equal(parse_with(t_root, "s", &req), 0);
	assert_int_equal(req.type, CTL_SHOW_STATS);
	/* Longer than the keyword is no prefix. */
	assert_int_equal(parse_with(t_root, "shows", &req), -1);

	/* The real tree: stats and sa share their first letter. */
	assert_int_equal(parse("show s", &req), -1);
	assert_string_equal(err, "ambiguous argument 's': stats, sa");

	/* An empty word matches nothing. */
	char empty[] = "";
	char *argv[] = {empty};
	assert_int_equal(
		ctl_parse(ctl_commands, 1, argv, &req, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown argument '': expected show, "
				 "reload, flush, purge or log");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_ambiguity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
