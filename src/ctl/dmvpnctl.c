/*
 * dmvpnctl: inspect and steer a running dmvpnd over its control socket.
 *
 * The command tree lives in ctl_parser.c, the protocol in
 * include/dmvpn/ctl.h (shared with the daemon), the formats in
 * ctl_output_{text,json}.c; this file only strings them together.
 * Exit status: 0 done, 1 the daemon could not be reached or refused,
 * 2 a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dmvpn/ctl.h"
#include "dmvpn/version.h"

static const struct {
	const char *words;
	const char *help;
} commands[] = {
	{"show dmvpn", "peers per tunnel, Cisco style"},
	{"show peers", "NHRP peers and cache entries"},
	{"show nhs", "next-hop servers and their state"},
	{"show routes", "routes the daemon installed"},
	{"show stats", "message and drop counters"},
	{"show config", "the running configuration"},
	{"show ike", "IKE SAs: peers, state, proposal, rekey"},
	{"show sa", "IPsec (ESP) SAs: SPIs, proposal, traffic"},
	{"reload", "re-read the configuration file"},
	{"flush [peer ADDR]", "flush dynamic cache entries"},
	{"purge ADDR", "send an NHRP purge for ADDR"},
	{"log level LEVEL [debug CATEGORIES]",
	 "set the log level (error|warn|info|debug) and debug categories"},
};

static void
usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: dmvpnctl [-hjV] [-s socket] command [args]\n"
		"  -j         print JSON\n"
		"  -s socket  control socket (default " CTL_SOCKET_PATH ")\n"
		"  -V         print the version and exit\n"
		"  -h         print this help and exit\n"
		"commands (any unique prefix will do, e.g. 'sh pe'):\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-34s %s\n", commands[i].words,
			commands[i].help);
}

static int
print(const struct ctl_output *o, const struct ctl_request *req,
      const struct ctl_replies *rep)
{
	switch (req->type) {
	case CTL_SHOW_DMVPN:
		return o->dmvpn(stdout, rep);
	case CTL_SHOW_PEERS:
		return o->peers(stdout, rep);
	case CTL_SHOW_NHS:
		return o->nhs(stdout, rep);
	case CTL_SHOW_ROUTES:
		return o->routes(stdout, rep);
	case CTL_SHOW_STATS:
		return o->stats(stdout, rep);
	case CTL_SHOW_CONFIG:
		return o->config(stdout, rep);
	case CTL_SHOW_IKE:
		return o->ike(stdout, rep);
	case CTL_SHOW_SA:
		return o->sa(stdout, rep);
	default:
		return rep->has_result ? o->result(stdout, &rep->result) : 0;
	}
}

int
main(int argc, char **argv)
{
	const char *sock = CTL_SOCKET_PATH;
	struct ctl_request req;
	struct ctl_replies rep;
	char err[CTL_RESULT_MAX + 64];
	bool json = false;
	int ch, fd, rc;

	while ((ch = getopt(argc, argv, "hjs:V")) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		case 'j':
			json = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'V':
			printf("dmvpnctl %s (control protocol %u)\n",
			       DMVPN_VERSION, CTL_VERSION);
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
	if (ctl_parse(ctl_commands, argc - optind, argv + optind, &req, err,
		      sizeof(err)) == -1) {
		fprintf(stderr,
			"dmvpnctl: %s\n(dmvpnctl -h lists the commands)\n",
			err);
		return 2;
	}
	req.seq = 1;
	if ((fd = ctl_client_connect(sock)) == -1) {
		fprintf(stderr,
			"dmvpnctl: cannot reach dmvpnd at %s: %s (%s)\n", sock,
			strerror(errno),
			errno == EACCES   ? "are you root or in group dmvpn?"
			: errno == EAGAIN ? "is dmvpnd hung?"
					  : "is dmvpnd running?");
		return 1;
	}
	rc = ctl_client_call(fd, &req, CTL_CLIENT_TIMEOUT_MS, &rep, err,
			     sizeof(err));
	close(fd);
	if (rc == -1) {
		fprintf(stderr, "dmvpnctl: %s\n", err);
		return 1;
	}
	if (rep.has_result && rep.result.code != CTL_RES_OK) {
		fprintf(stderr, "dmvpnctl: %s\n",
			rep.result.message[0] != '\0'
				? rep.result.message
				: ctl_result_name(rep.result.code));
		ctl_replies_free(&rep);
		return 1;
	}
	rc = print(json ? &ctl_output_json : &ctl_output_text, &req, &rep);
	ctl_replies_free(&rep);
	if (rc == -1 || fflush(stdout) == EOF) {
		fprintf(stderr, "dmvpnctl: writing the output: %s\n",
			strerror(errno));
		return 1;
	}
	return 0;
}
