/*
 * libFuzzer target for src/conf: any bytes through conf_parse_buf().
 * Whatever parses must print, and the print must parse back into an
 * equal configuration that prints the same (the `dmvpnd -nv` promise);
 * the diff helpers must find nothing between the two.  Errors must all
 * read "name:line: message" with a line inside the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmvpn/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
print(const struct dmvpn_conf *conf, size_t *len, unsigned int flags)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	if (f == NULL)
		return NULL;
	conf_print_flags(f, conf, flags);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static void
check_errors(const struct conf_errors *errs, const uint8_t *data, size_t size)
{
	size_t i, lines = 1;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	if (errs->n == 0 && !errs->nomem)
		abort();
	for (i = 0; i < errs->n; i++) {
		if (strncmp(errs->v[i].msg, "fuzz:", 5) != 0 ||
		    errs->v[i].line > lines)
			abort();
		/* In line order, the note about giving up (line 0) last. */
		if (i > 0 && errs->v[i].line != 0 &&
		    errs->v[i].line < errs->v[i - 1].line)
			abort();
	}
	if (errs->n > CONF_MAX_ERRORS + 2)
		abort();
}

static void
check_diffs(const struct dmvpn_conf *a, const struct dmvpn_conf *b)
{
	struct conf_entry_diff d;
	size_t i;

	if (!conf_equal(a, b) || conf_global_diff(a, b) != 0)
		abort();
	for (i = 0; i < a->ntunnels; i++) {
		const struct conf_tunnel *t = &a->tunnels[i];

		if (!conf_tunnel_equal(t, &b->tunnels[i]) ||
		    conf_tunnel_needs_recreate(t, &b->tunnels[i]))
			abort();
		if (conf_nhs_diff(t, &b->tunnels[i], &d) == 0) {
			if (d.nadded + d.nremoved + d.nchanged != 0)
				abort();
			conf_entry_diff_free(&d);
		}
		if (conf_map_diff(t, &b->tunnels[i], &d) == 0) {
			if (d.nadded + d.nremoved + d.nchanged != 0)
				abort();
			conf_entry_diff_free(&d);
		}
		/* Against the previous tunnel: whatever it says, no crash. */
		if (i > 0) {
			(void)conf_tunnel_diff(&a->tunnels[i - 1], t);
			if (conf_nhs_diff(&a->tunnels[i - 1], t, &d) == 0)
				conf_entry_diff_free(&d);
			if (conf_map_diff(&a->tunnels[i - 1], t, &d) == 0)
				conf_entry_diff_free(&d);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors errs;
	struct dmvpn_conf *conf, *again = NULL;
	char *out1 = NULL, *out2 = NULL;
	size_t len1 = 0, len2 = 0;

	conf_errors_init(&errs);
	conf = conf_parse_buf("fuzz", (const char *)data, size, &errs);
	if (conf == NULL) {
		check_errors(&errs, data, size);
		conf_errors_free(&errs);
		return 0;
	}
	if (errs.n != 0)
		abort();
	/* Hiding secrets must not break the output either. */
	free(print(conf, &len1, CONF_PRINT_HIDE_SECRETS));
	if ((out1 = print(conf, &len1, 0)) == NULL)
		goto done;
	again = conf_parse_buf("fuzz", out1, len1, &errs);
	if (again == NULL) {
		if (!errs.nomem && errs.n > 0) {
			conf_errors_print(stderr, &errs);
			fprintf(stderr, "---\n%s", out1);
			abort();
		}
		goto done;
	}
	if ((out2 = print(again, &len2, 0)) == NULL)
		goto done;
	if (len1 != len2 || memcmp(out1, out2, len1) != 0)
		abort();
	check_diffs(conf, again);
done:
	free(out1);
	free(out2);
	conf_free(conf);
	conf_free(again);
	conf_errors_free(&errs);
	return 0;
}
