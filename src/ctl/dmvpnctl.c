/*
 * dmvpnctl: inspect and steer a running dmvpnd over its control socket.
 *
 * The command table is the single list of what the tool accepts; the
 * control protocol behind it is defined once in include/dmvpn/ctl.h and
 * shared with the daemon (it arrives with the control server).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dmvpn/version.h"

#ifndef DMVPN_RUNSTATEDIR
#define DMVPN_RUNSTATEDIR "/run"
#endif

#define DEFAULT_SOCKET DMVPN_RUNSTATEDIR "/dmvpnd.sock"

static const struct {
	const char *words;
	const char *help;
} commands[] = {
	{"show dmvpn", "peers in a Cisco-style table"},
	{"show peers", "NHRP peers and cache entries"},
	{"show nhs", "next-hop servers and their state"},
	{"show routes", "routes the daemon installed"},
	{"show stats", "message and drop counters"},
	{"show config", "the running configuration"},
	{"reload", "re-read the configuration file"},
	{"flush [peer ADDR]", "flush dynamic cache entries"},
	{"purge ADDR", "send an NHRP purge for ADDR"},
	{"log level LEVEL", "set the log level (error|warn|info|debug)"},
};

static void
usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: dmvpnctl [-hjV] [-s socket] command [args]\n"
		"  -j         print JSON\n"
		"  -s socket  control socket (default " DEFAULT_SOCKET ")\n"
		"  -V         print the version and exit\n"
		"  -h         print this help and exit\n"
		"commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-20s %s\n", commands[i].words,
			commands[i].help);
}

int
main(int argc, char **argv)
{
	const char *sock = DEFAULT_SOCKET;
	int ch;

	while ((ch = getopt(argc, argv, "hjs:V")) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		case 'j':
			break;
		case 's':
			sock = optarg;
			break;
		case 'V':
			printf("dmvpnctl %s\n", DMVPN_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	fprintf(stderr,
		"dmvpnctl: '%s': the control protocol is not available in "
		"this build (socket %s)\n",
		argv[optind], sock);
	return 1;
}
