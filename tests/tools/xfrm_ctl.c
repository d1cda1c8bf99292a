/*
 * xfrm_ctl: a command line over the xfrm module, for tests/netns/t-xfrm.sh.
 *
 *   xfrm_ctl sa-add src=A dst=B spi=N reqid=N alg=gcm|cbc key=HEX
 *                   [authkey=HEX] [replay=N] [encap=SPORT:DPORT]
 *                   [soft=SECS] [hard=SECS] [update]
 *   xfrm_ctl sa-del src=A dst=B spi=N
 *   xfrm_ctl policy-add wildcard dir=in|out reqid=N [local=A] [prio=N]
 *   xfrm_ctl policy-add peer local=A remote=B dir=in|out reqid=N [prio=N]
 *   xfrm_ctl allocspi src=A dst=B reqid=N     prints "spi 0x..."
 *   xfrm_ctl flush-reqid BASE COUNT           reconcile against nothing
 *   xfrm_ctl dump                             one line per SA and policy
 *   xfrm_ctl events N [SECONDS]               print N events, then exit
 *   xfrm_ctl udp-encap PORT SECONDS           hold an ESP-in-UDP socket
 *   xfrm_ctl crypto                           /proc/crypto drivers, order
 *
 * Exit status 0 on success, 1 on a kernel error (printed), 2 on usage.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/xfrm.h>

#include "dmvpn/xfrm.h"

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr, "usage: xfrm_ctl sa-add|sa-del|policy-add|allocspi|"
			"flush-reqid|dump|events|udp-encap ... "
			"(see tests/tools/xfrm_ctl.c)\n");
	exit(2);
}

/* The value of key=... among the arguments, or NULL. */
static const char *
opt(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);
	int i;

	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

static bool
flag(int argc, char **argv, const char *word)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], word) == 0)
			return true;
	return false;
}

static const char *
need(int argc, char **argv, const char *key)
{
	const char *v = opt(argc, argv, key);

	if (v == NULL) {
		fprintf(stderr, "xfrm_ctl: missing %s=\n", key);
		exit(2);
	}
	return v;
}

static uint32_t
num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
		fprintf(stderr, "xfrm_ctl: bad number %s\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

static struct addr
address(const char *s)
{
	struct addr a;

	if (addr_parse(&a, s) == -1) {
		fprintf(stderr, "xfrm_ctl: bad address %s\n", s);
		exit(2);
	}
	return a;
}

static uint16_t
hexkey(const char *s, uint8_t *out)
{
	size_t n = strlen(s), i;
	unsigned int b;

	if (strncmp(s, "0x", 2) == 0) {
		s += 2;
		n -= 2;
	}
	if (n % 2 != 0 || n / 2 > XFRM_ALG_KEYMAX) {
		fprintf(stderr, "xfrm_ctl: bad key length\n");
		exit(2);
	}
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1) {
			fprintf(stderr, "xfrm_ctl: bad key\n");
			exit(2);
		}
		out[i] = (uint8_t)b;
	}
	return (uint16_t)(n / 2);
}

static uint8_t
direction(const char *s)
{
	if (strcmp(s, "in") == 0)
		return XFRM_POLICY_IN;
	if (strcmp(s, "out") == 0)
		return XFRM_POLICY_OUT;
	fprintf(stderr, "xfrm_ctl: dir must be in or out\n");
	exit(2);
}

static int
kernel_error(const char *what)
{
	fprintf(stderr, "xfrm_ctl: %s: %s\n", what, strerror(errno));
	return 1;
}

static int
cmd_sa_add(struct xfrm_sock *s, int argc, char **argv)
{
	struct xfrm_sa sa;
	const char *alg = need(argc, argv, "alg"), *v;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.src = address(need(argc, argv, "src"));
	sa.dst = address(need(argc, argv, "dst"));
	sa.spi = num(need(argc, argv, "spi"));
	sa.reqid = num(need(argc, argv, "reqid"));
	sa.proto = IPPROTO_ESP;
	sa.mode = XFRM_MODE_TRANSPORT;
	if ((v = opt(argc, argv, "replay")) != NULL)
		sa.replay_window = (uint8_t)num(v);
	if ((v = opt(argc, argv, "soft")) != NULL)
		sa.lft.soft_secs = num(v);
	if ((v = opt(argc, argv, "hard")) != NULL)
		sa.lft.hard_secs = num(v);
	if ((v = opt(argc, argv, "encap")) != NULL) {
		unsigned int sp, dp;

		if (sscanf(v, "%u:%u", &sp, &dp) != 2 || sp > 65535 ||
		    dp > 65535)
			usage();
		sa.encap = true;
		sa.encap_sport = (uint16_t)sp;
		sa.encap_dport = (uint16_t)dp;
	}
	sa.enc.keylen = hexkey(need(argc, argv, "key"), sa.enc.key);
	if (strcmp(alg, "gcm") == 0) {
		sa.aead = true;
		strcpy(sa.enc.name, "rfc4106(gcm(aes))");
		sa.enc.bits = 128;
	} else if (strcmp(alg, "cbc") == 0) {
		strcpy(sa.enc.name, "cbc(aes)");
		strcpy(sa.auth.name, "hmac(sha256)");
		sa.auth.keylen =
			hexkey(need(argc, argv, "authkey"), sa.auth.key);
		sa.auth.bits = 128;
	} else {
		usage();
	}
	rc = xfrm_sa_install(s, &sa, flag(argc, argv, "update"));
	xfrm_sa_wipe(&sa);
	return rc == 0 ? 0 : kernel_error("sa-add");
}

static int
cmd_sa_del(struct xfrm_sock *s, int argc, char **argv)
{
	uint8_t msg[XFRM_MSG_BUFSIZE];
	struct addr src = address(need(argc, argv, "src"));
	struct addr dst = address(need(argc, argv, "dst"));
	size_t len = xfrm_msg_sa_del(msg, sizeof(msg), 0, &src, &dst,
				     num(need(argc, argv, "spi")), IPPROTO_ESP);

	return xfrm_request(s, msg, len, NULL, NULL) == 0
		       ? 0
		       : kernel_error("sa-del");
}

static int
cmd_policy_add(struct xfrm_sock *s, int argc, char **argv)
{
	uint8_t msg[XFRM_MSG_BUFSIZE];
	struct xfrm_policy p;
	struct addr local, remote;
	const char *v;
	uint8_t dir = direction(need(argc, argv, "dir"));
	uint32_t reqid = num(need(argc, argv, "reqid"));
	size_t len;

	if (argc < 1)
		usage();
	if (strcmp(argv[0], "wildcard") == 0) {
		memset(&local, 0, sizeof(local));
		if ((v = opt(argc, argv, "local")) != NULL)
			local = address(v);
		v = opt(argc, argv, "prio");
		xfrm_policy_wildcard(&p, AF_INET, &local, dir, reqid,
				     v != NULL ? num(v) : XFRM_PRIO_WILDCARD);
	} else if (strcmp(argv[0], "peer") == 0) {
		local = address(need(argc, argv, "local"));
		remote = address(need(argc, argv, "remote"));
		v = opt(argc, argv, "prio");
		xfrm_policy_peer(&p, &local, &remote, dir, reqid,
				 v != NULL ? num(v) : XFRM_PRIO_PEER);
	} else {
		usage();
	}
	len = xfrm_msg_policy(msg, sizeof(msg), 0, &p, true);
	return xfrm_request(s, msg, len, NULL, NULL) == 0
		       ? 0
		       : kernel_error("policy-add");
}

static int
on_spi(const struct nlmsghdr *nlh, void *arg)
{
	struct xfrm_sa sa;

	if (nlh->nlmsg_type == XFRM_MSG_NEWSA && xfrm_parse_sa(nlh, &sa) == 0)
		*(uint32_t *)arg = sa.spi;
	return 0;
}

static int
cmd_allocspi(struct xfrm_sock *s, int argc, char **argv)
{
	uint8_t msg[XFRM_MSG_BUFSIZE];
	struct addr src = address(need(argc, argv, "src"));
	struct addr dst = address(need(argc, argv, "dst"));
	uint32_t spi = 0;
	size_t len;

	len = xfrm_msg_allocspi(msg, sizeof(msg), 0, &src, &dst,
				num(need(argc, argv, "reqid")), XFRM_SPI_MIN,
				XFRM_SPI_MAX);
	if (xfrm_request(s, msg, len, on_spi, &spi) == -1)
		return kernel_error("allocspi");
	if (spi == 0) {
		fprintf(stderr, "xfrm_ctl: allocspi: no SPI in the reply\n");
		return 1;
	}
	printf("spi 0x%08x\n", spi);
	return 0;
}

/* Everything a dump returned. */
struct dump {
	struct xfrm_sa *sa;
	size_t nsa;
	struct xfrm_policy *pol;
	size_t npol;
	int bad;
};

static int
on_dump(const struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	struct xfrm_event ev;
	void *p;

	if (xfrm_parse_event(nlh, &ev) != 0) {
		d->bad++;
		return 0;
	}
	if (ev.type == XFRM_MSG_NEWSA) {
		p = realloc(d->sa, (d->nsa + 1) * sizeof(*d->sa));
		if (p == NULL)
			return -1;
		d->sa = p;
		d->sa[d->nsa++] = ev.sa;
	} else if (ev.type == XFRM_MSG_NEWPOLICY) {
		p = realloc(d->pol, (d->npol + 1) * sizeof(*d->pol));
		if (p == NULL)
			return -1;
		d->pol = p;
		d->pol[d->npol++] = ev.policy;
	}
	return 0;
}

static int
dump_all(struct xfrm_sock *s, struct dump *d)
{
	uint8_t msg[XFRM_MSG_BUFSIZE];
	size_t len;

	memset(d, 0, sizeof(*d));
	len = xfrm_msg_dump(msg, sizeof(msg), 0, XFRM_MSG_GETSA);
	if (xfrm_request(s, msg, len, on_dump, d) == -1)
		return kernel_error("dump SAs");
	len = xfrm_msg_dump(msg, sizeof(msg), 0, XFRM_MSG_GETPOLICY);
	if (xfrm_request(s, msg, len, on_dump, d) == -1)
		return kernel_error("dump policies");
	return 0;
}

static void
print_sa(const char *what, const struct xfrm_sa *sa)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	printf("%s src %s dst %s spi 0x%08x reqid %u proto %u mode %u "
	       "replay %u bytes %llu packets %llu enc %s",
	       what, addr_fmt(&sa->src, a), addr_fmt(&sa->dst, b), sa->spi,
	       sa->reqid, sa->proto, sa->mode, sa->replay_window,
	       (unsigned long long)sa->cur_bytes,
	       (unsigned long long)sa->cur_packets,
	       sa->enc.name[0] ? sa->enc.name : "-");
	if (sa->auth.name[0])
		printf(" auth %s/%u", sa->auth.name, sa->auth.bits);
	if (sa->encap)
		printf(" encap %u:%u", sa->encap_sport, sa->encap_dport);
	printf("\n");
}

static void
print_policy(const struct xfrm_policy *p)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	printf("policy src %s dst %s proto %u dir %u prio %u action %u",
	       prefix_fmt(&p->sel.src, a), prefix_fmt(&p->sel.dst, b),
	       p->sel.proto, p->dir, p->priority, p->action);
	if (p->has_tmpl)
		printf(" reqid %u", p->reqid);
	printf("\n");
}

static int
cmd_dump(struct xfrm_sock *s)
{
	struct dump d;
	size_t i;

	if (dump_all(s, &d) != 0)
		return 1;
	for (i = 0; i < d.nsa; i++)
		print_sa("sa", &d.sa[i]);
	for (i = 0; i < d.npol; i++)
		print_policy(&d.pol[i]);
	free(d.sa);
	free(d.pol);
	if (d.bad > 0) {
		fprintf(stderr, "xfrm_ctl: %d messages did not parse\n", d.bad);
		return 1;
	}
	return 0;
}

static int
cmd_flush(struct xfrm_sock *s, int argc, char **argv)
{
	uint8_t msg[XFRM_MSG_BUFSIZE];
	struct xfrm_range r;
	struct xfrm_plan plan;
	struct dump d;
	size_t i, len;
	int rc = 0;

	if (argc != 2)
		usage();
	r.base = num(argv[0]);
	r.count = num(argv[1]);
	if (dump_all(s, &d) != 0)
		return 1;
	memset(&plan, 0, sizeof(plan));
	plan.del_sa = calloc(d.nsa + 1, sizeof(size_t));
	plan.del_pol = calloc(d.npol + 1, sizeof(size_t));
	if (plan.del_sa == NULL || plan.del_pol == NULL ||
	    xfrm_reconcile(&r, d.sa, d.nsa, NULL, 0, d.pol, d.npol, NULL, 0,
			   &plan) == -1) {
		rc = kernel_error("flush-reqid");
		goto out;
	}
	/* Policies first: no window in which GRE could leave unprotected. */
	for (i = 0; i < plan.ndel_pol; i++) {
		const struct xfrm_policy *p = &d.pol[plan.del_pol[i]];

		len = xfrm_msg_policy_del(msg, sizeof(msg), 0, &p->sel, p->dir);
		if (xfrm_request(s, msg, len, NULL, NULL) == -1)
			rc = kernel_error("delete policy");
	}
	for (i = 0; i < plan.ndel_sa; i++) {
		const struct xfrm_sa *sa = &d.sa[plan.del_sa[i]];

		len = xfrm_msg_sa_del(msg, sizeof(msg), 0, &sa->src, &sa->dst,
				      sa->spi, sa->proto);
		if (xfrm_request(s, msg, len, NULL, NULL) == -1)
			rc = kernel_error("delete SA");
	}
	printf("deleted %zu SAs, %zu policies\n", plan.ndel_sa, plan.ndel_pol);
out:
	free(plan.del_sa);
	free(plan.del_pol);
	free(d.sa);
	free(d.pol);
	return rc;
}

static int
on_event(const struct nlmsghdr *nlh, void *arg)
{
	struct xfrm_event ev;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	int *left = arg;

	switch (xfrm_parse_event(nlh, &ev)) {
	case -1:
		printf("malformed type %u\n", nlh->nlmsg_type);
		break;
	case 1:
		return 0;
	}
	switch (ev.type) {
	case XFRM_MSG_EXPIRE:
		print_sa(ev.hard ? "expire hard" : "expire soft", &ev.sa);
		break;
	case XFRM_MSG_ACQUIRE:
		printf("acquire src %s dst %s reqid %u\n",
		       addr_fmt(&ev.acquire.src, a),
		       addr_fmt(&ev.acquire.dst, b), ev.acquire.reqid);
		break;
	case XFRM_MSG_MAPPING:
		printf("mapping spi 0x%08x %s:%u -> %s:%u\n", ev.mapping.spi,
		       addr_fmt(&ev.mapping.old_addr, a), ev.mapping.old_port,
		       addr_fmt(&ev.mapping.new_addr, b), ev.mapping.new_port);
		break;
	default:
		printf("event type %u\n", ev.type);
		break;
	}
	fflush(stdout);
	return --*left > 0 ? 0 : 1;
}

static int
cmd_events(int argc, char **argv)
{
	struct xfrm_sock *s;
	struct pollfd pfd;
	int left, secs;
	time_t end;

	if (argc < 1)
		usage();
	left = (int)num(argv[0]);
	secs = argc > 1 ? (int)num(argv[1]) : 30;
	s = xfrm_open_events(XFRM_GRP(XFRMNLGRP_ACQUIRE) |
				     XFRM_GRP(XFRMNLGRP_EXPIRE) |
				     XFRM_GRP(XFRMNLGRP_MAPPING),
			     1 << 20);
	if (s == NULL)
		return kernel_error("events");
	/* Tell a waiting script we are subscribed. */
	printf("listening\n");
	fflush(stdout);
	end = time(NULL) + secs;
	while (left > 0 && time(NULL) < end) {
		pfd.fd = xfrm_fd(s);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if (xfrm_read_events(s, on_event, &left) == -1) {
			if (errno != ENOBUFS)
				break;
			printf("overrun: reconcile\n");
		}
	}
	xfrm_close(s);
	return left > 0 ? 1 : 0;
}

static int
cmd_udp_encap(int argc, char **argv)
{
	struct sockaddr_in sin;
	int fd, type = UDP_ENCAP_ESPINUDP;

	if (argc != 2)
		usage();
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)num(argv[0]));
	/*
	 * As an IKE NAT-T socket would be: policy bypass first, then ESP
	 * decapsulation (RFC 3948) for what arrives on the port.
	 */
	if (fd == -1 || xfrm_socket_bypass(fd, AF_INET) == -1 ||
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return kernel_error("udp-encap");
	printf("ready\n");
	fflush(stdout);
	sleep(num(argv[1]));
	close(fd);
	return 0;
}

static int
cmd_crypto(void)
{
	static const char *const algs[] = {"rfc4106(gcm(aes))", "gcm(aes)",
					   "cbc(aes)", "hmac(sha256)"};
	struct xfrm_crypto_driver d;
	const char *why;
	char *text;
	size_t len, i;
	enum xfrm_esp_order o;

	if (xfrm_crypto_read(NULL, &text, &len) == -1)
		return kernel_error("/proc/crypto");
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (xfrm_crypto_lookup(text, len, algs[i], &d) == 0)
			printf("driver %s %s priority %d%s\n", algs[i],
			       d.driver, d.priority,
			       d.accelerated ? " accelerated" : "");
		else
			printf("driver %s none\n", algs[i]);
	}
	o = xfrm_crypto_esp_order(text, len, &why);
	printf("order %s (%s)\n", o == XFRM_ESP_GCM_FIRST ? "gcm" : "cbc", why);
	free(text);
	return 0;
}

int
main(int argc, char **argv)
{
	struct xfrm_sock *s;
	const char *cmd;
	int rc;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	if (strcmp(cmd, "events") == 0)
		return cmd_events(argc, argv);
	if (strcmp(cmd, "udp-encap") == 0)
		return cmd_udp_encap(argc, argv);
	if (strcmp(cmd, "crypto") == 0)
		return cmd_crypto();
	s = xfrm_open();
	if (s == NULL)
		return kernel_error("open NETLINK_XFRM");
	if (strcmp(cmd, "sa-add") == 0)
		rc = cmd_sa_add(s, argc, argv);
	else if (strcmp(cmd, "sa-del") == 0)
		rc = cmd_sa_del(s, argc, argv);
	else if (strcmp(cmd, "policy-add") == 0)
		rc = cmd_policy_add(s, argc, argv);
	else if (strcmp(cmd, "allocspi") == 0)
		rc = cmd_allocspi(s, argc, argv);
	else if (strcmp(cmd, "flush-reqid") == 0)
		rc = cmd_flush(s, argc, argv);
	else if (strcmp(cmd, "dump") == 0)
		rc = cmd_dump(s);
	else
		usage();
	xfrm_close(s);
	return rc;
}
