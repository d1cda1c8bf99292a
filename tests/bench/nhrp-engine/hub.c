/*
 * A minimal NHRP hub around our engine, for the VM comparison with FRR
 * nhrpd: the load generator (loadgen.c) drives this and nhrpd the same
 * way, over a real multipoint GRE device, so the ratio compares like with
 * like under the same emulation.
 *
 * It does what the daemon's NHRP plane will do and nothing else: NHRP
 * packets come in on an AF_PACKET socket (SOCK_DGRAM, protocol 0x2001)
 * bound to the GRE device, whose link-layer source address is the peer's
 * NBMA address; they go to nhrp_recv(); replies leave through the same
 * socket with the NBMA address as sll_addr (the GRE device's header_ops
 * turn it into the outer destination).  With -k, the engine's neighbour
 * intents become kernel neighbour entries (RTM_NEWNEIGH/RTM_DELNEIGH on
 * the GRE device, NUD_NOARP), as a DMVPN hub needs to reach its spokes;
 * FRR installs those too (through zebra).  Messages are sent without
 * NLM_F_ACK; the kernel still reports failures, which are counted.
 *
 * Usage: hub -i IFNAME -a ADDR/PLEN -N NBMA [-k]
 * It prints "hub: ready" once listening and, on SIGTERM or SIGINT, its
 * counters as "HUBSTAT key value" lines on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dmvpn/log.h"
#include "dmvpn/nhrp.h"
#include "dmvpn/nhrp_proto.h"

struct hub {
	int pfd; /* AF_PACKET, NHRP */
	int nfd; /* rtnetlink, -1 without -k */
	int ifindex;
	uint32_t nlseq;
	struct nhrp_engine *e;
	/* counters */
	uint64_t rx, tx, tx_err, neigh_set, neigh_del, nl_sent, nl_err;
	uint64_t intents;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
quiet_sink(enum log_level level, const char *msg, void *arg)
{
	(void)arg;
	if (level <= LOG_LVL_WARN)
		fprintf(stderr, "hub: %s\n", msg);
}

static void
op_send(void *ctx, const struct addr *dst, const uint8_t *pkt, size_t len)
{
	struct hub *h = ctx;
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(NHRP_ETHERTYPE);
	sll.sll_ifindex = h->ifindex;
	sll.sll_halen = dst->len;
	memcpy(sll.sll_addr, dst->bytes, dst->len < 8 ? dst->len : 8);
	if (sendto(h->pfd, pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll)) ==
	    -1)
		h->tx_err++;
	else
		h->tx++;
}

/* Append one attribute to a netlink message in buf (cap bytes). */
static void
nl_attr(struct nlmsghdr *nh, size_t cap, uint16_t type, const void *data,
	size_t len)
{
	struct rtattr *rta;
	size_t at = NLMSG_ALIGN(nh->nlmsg_len);

	if (at + RTA_SPACE(len) > cap)
		return;
	rta = (struct rtattr *)(void *)((char *)nh + at);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
}

/* proto -> nbma on our GRE device, or its removal. */
static void
nl_neigh(struct hub *h, bool add, const struct addr *proto,
	 const struct addr *nbma)
{
	union {
		struct nlmsghdr nh;
		char buf[256];
	} u;
	struct ndmsg *nd;

	if (h->nfd == -1 || proto->family != AF_INET)
		return;
	memset(&u, 0, sizeof(u));
	u.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*nd));
	u.nh.nlmsg_type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
	u.nh.nlmsg_flags = NLM_F_REQUEST;
	if (add)
		u.nh.nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	u.nh.nlmsg_seq = ++h->nlseq;
	nd = NLMSG_DATA(&u.nh);
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = h->ifindex;
	nd->ndm_state = NUD_NOARP;
	nl_attr(&u.nh, sizeof(u), NDA_DST, proto->bytes, proto->len);
	if (add && nbma->len > 0)
		nl_attr(&u.nh, sizeof(u), NDA_LLADDR, nbma->bytes, nbma->len);
	if (send(h->nfd, &u, u.nh.nlmsg_len, 0) == -1)
		h->nl_err++;
	else
		h->nl_sent++;
}

/* Count the errors the kernel reported for our neighbour messages. */
static void
nl_drain(struct hub *h)
{
	char buf[8192];
	ssize_t n;

	while ((n = recv(h->nfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *nh = (struct nlmsghdr *)(void *)buf;
		size_t left = (size_t)n;

		for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			const struct nlmsgerr *err = NLMSG_DATA(nh);

			if (nh->nlmsg_type == NLMSG_ERROR && err->error != 0) {
				if (h->nl_err++ == 0)
					fprintf(stderr, "hub: neighbour: %s\n",
						strerror(-err->error));
			}
		}
	}
}

static void
op_intent(void *ctx, const struct nhrp_intent *in)
{
	struct hub *h = ctx;

	h->intents++;
	switch (in->type) {
	case NHRP_I_NEIGH_SET:
		h->neigh_set++;
		nl_neigh(h, true, &in->proto, &in->nbma);
		break;
	case NHRP_I_NEIGH_DEL:
		h->neigh_del++;
		nl_neigh(h, false, &in->proto, &in->nbma);
		break;
	default:
		break;
	}
}

static int
open_packet(struct hub *h, const char *ifname)
{
	struct sockaddr_ll sll;
	int bufsz = 4 << 20;

	h->ifindex = (int)if_nametoindex(ifname);
	if (h->ifindex == 0) {
		fprintf(stderr, "hub: %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	h->pfd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC,
			htons(NHRP_ETHERTYPE));
	if (h->pfd == -1) {
		perror("hub: AF_PACKET socket");
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(NHRP_ETHERTYPE);
	sll.sll_ifindex = h->ifindex;
	if (bind(h->pfd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror("hub: bind");
		return -1;
	}
	/* Capped by net.core.rmem_max; the VM script raises it for both. */
	setsockopt(h->pfd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	return 0;
}

static int
open_netlink(struct hub *h)
{
	struct sockaddr_nl snl;
	int bufsz = 4 << 20;

	h->nfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (h->nfd == -1) {
		perror("hub: netlink socket");
		return -1;
	}
	memset(&snl, 0, sizeof(snl));
	snl.nl_family = AF_NETLINK;
	if (bind(h->nfd, (struct sockaddr *)&snl, sizeof(snl)) == -1) {
		perror("hub: netlink bind");
		return -1;
	}
	setsockopt(h->nfd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	return 0;
}

/* Read every packet waiting and hand it to the engine. */
static void
drain_packets(struct hub *h)
{
	uint8_t buf[2048];
	struct sockaddr_ll sll;
	socklen_t slen;
	struct addr from;
	ssize_t n;

	for (;;) {
		slen = sizeof(sll);
		n = recvfrom(h->pfd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&sll, &slen);
		if (n < 0)
			return;
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (addr_from_bytes(&from, sll.sll_addr, sll.sll_halen) == -1)
			continue;
		h->rx++;
		nhrp_recv(h->e, mono(), &from, buf, (size_t)n);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: hub -i IFNAME -a ADDR/PLEN -N NBMA [-k]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct hub h;
	struct nhrp_conf conf;
	struct nhrp_ops ops = {.send = op_send, .intent = op_intent};
	const struct nhrp_stats *st;
	const char *ifname = NULL, *why = NULL;
	struct sigaction sa;
	bool kernel = false;
	int opt;

	memset(&h, 0, sizeof(h));
	h.pfd = h.nfd = -1;
	nhrp_conf_defaults(&conf, NHRP_ROLE_HUB);
	while ((opt = getopt(argc, argv, "i:a:N:k")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'a':
			if (prefix_parse(&conf.local[0], optarg) == -1)
				usage();
			conf.nlocal = 1;
			break;
		case 'N':
			if (addr_parse(&conf.local_nbma, optarg) == -1)
				usage();
			break;
		case 'k':
			kernel = true;
			break;
		default:
			usage();
		}
	}
	if (ifname == NULL || conf.nlocal == 0)
		usage();
	snprintf(conf.ifname, sizeof(conf.ifname), "%s", ifname);
	log_set_sink(quiet_sink, NULL);
	if (open_packet(&h, ifname) == -1 || (kernel && open_netlink(&h) == -1))
		return 1;
	ops.ctx = &h;
	h.e = nhrp_engine_new(&conf, &ops, mono(), &why);
	if (h.e == NULL) {
		fprintf(stderr, "hub: engine: %s\n", why);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("hub: ready on %s (ifindex %d)%s\n", ifname, h.ifindex,
	       kernel ? ", installing neighbours" : "");
	fflush(stdout);
	while (!stop) {
		struct pollfd pfd[2] = {{.fd = h.pfd, .events = POLLIN},
					{.fd = h.nfd, .events = POLLIN}};
		double next = nhrp_next_deadline(h.e), now = mono();
		int timeout = 1000;

		if (next >= 0)
			timeout = next <= now ? 0
					      : (int)((next - now) * 1000) + 1;
		if (timeout > 1000)
			timeout = 1000;
		if (poll(pfd, h.nfd == -1 ? 1 : 2, timeout) == -1 &&
		    errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN)
			drain_packets(&h);
		if (h.nfd != -1 && (pfd[1].revents & POLLIN))
			nl_drain(&h);
		nhrp_tick(h.e, mono());
	}
	if (h.nfd != -1)
		nl_drain(&h);
	st = nhrp_stats(h.e);
	printf("HUBSTAT rx %" PRIu64 "\nHUBSTAT tx %" PRIu64 "\n"
	       "HUBSTAT tx_err %" PRIu64 "\n",
	       h.rx, h.tx, h.tx_err);
	printf("HUBSTAT registrations_accepted %" PRIu64 "\n"
	       "HUBSTAT registrations_rejected %" PRIu64 "\n",
	       st->registrations_accepted, st->registrations_rejected);
	printf("HUBSTAT neigh_set %" PRIu64 "\nHUBSTAT nl_sent %" PRIu64 "\n"
	       "HUBSTAT nl_err %" PRIu64 "\n",
	       h.neigh_set, h.nl_sent, h.nl_err);
	/*
	 * The engine withdraws its neighbours on the way out; vm.sh deletes
	 * gre1 next, which takes them anyway, so spare the VM the messages.
	 */
	h.nfd = -1;
	nhrp_engine_free(h.e, mono());
	return 0;
}
