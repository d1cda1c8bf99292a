/*
 * conf_check [-v] [-s] file: check a configuration file as `dmvpnd -n`
 * will.  Errors go to standard error, one per line; with -v the
 * normalised configuration goes to standard output; -s hides secrets.
 * Exit status: 0 when the file is good, 1 when it is not, 2 for usage.
 * tests/conf/run drives it.
 */
#include <stdio.h>
#include <unistd.h>

#include "dmvpn/conf.h"

int
main(int argc, char **argv)
{
	struct conf_errors errs;
	struct dmvpn_conf *conf;
	unsigned int flags = 0;
	int c, verbose = 0;

	while ((c = getopt(argc, argv, "sv")) != -1) {
		switch (c) {
		case 's':
			flags |= CONF_PRINT_HIDE_SECRETS;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	conf_errors_init(&errs);
	conf = conf_parse_file(argv[optind], &errs);
	conf_errors_print(stderr, &errs);
	conf_errors_free(&errs);
	if (conf == NULL)
		return 1;
	if (verbose)
		conf_print_flags(stdout, conf, flags);
	conf_free(conf);
	return fflush(stdout) == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: conf_check [-sv] file\n");
	return 2;
}
