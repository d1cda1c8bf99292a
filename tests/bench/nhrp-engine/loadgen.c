/*
 * NHRP registration load generator for the VM comparison (see vm.sh): it
 * plays N spokes registering with a hub over a real multipoint GRE
 * device and counts the Registration Replies that come back.  The same
 * binary, with the same arguments, drives our engine (hub.c) and FRR
 * nhrpd, so their figures compare like with like.
 *
 * Every request is encoded beforehand with our codec exactly as a dmvpnd
 * spoke sends it (spoke.c); spoke i has tunnel address BASE + i and
 * request ID REQID + i.  They go out on an AF_PACKET socket (SOCK_DGRAM,
 * protocol 0x2001) bound to the local GRE device, addressed to the hub by
 * sll_addr = the hub's NBMA address; GRE carries them with key and
 * protocol type 0x2001.  All spokes share the generator's NBMA address,
 * since the TEST-NET ranges the namespaces may use cannot give 10,000
 * spokes an address each; the hub still creates one binding per tunnel
 * address, as it must.
 *
 * Closed loop: at most WINDOW requests are outstanding; each reply (or a
 * request unanswered for TIMEOUT seconds, counted lost) lets the next one
 * go.  So neither hub is flooded past its socket buffer, and the rate is
 * what the hub sustains.  The clock runs from the first send to the last
 * reply.
 *
 * Usage: loadgen -i IFNAME -H HUB_NBMA -S OWN_NBMA -b BASE -n N
 *                [-q REQID] [-w WINDOW] [-t TIMEOUT] [-T LIMIT] [-l LABEL]
 *        loadgen -P ...   probe: register BASE until the hub answers
 * Prints "LOAD label sent S ok O refused R lost L seconds X rate Y".
 * Exit status 0 when every request was answered with Success.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dmvpn/nhrp_proto.h"
#include "spoke.h"

#define PKT_STRIDE 256

struct gen {
	int fd;
	int ifindex;
	struct addr hub;
	size_t n;
	uint32_t reqid0;
	uint8_t *pkt;
	uint16_t *len;
	double *sent_at; /* 0: not sent yet */
	uint8_t *state;  /* 0 waiting, 1 ok, 2 refused, 3 lost */
	size_t *ring;    /* outstanding requests in send order */
	size_t head, count, window;
	uint64_t sent, ok, refused, lost, stray;
	uint8_t first_code; /* first refusal's CIE code */
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
open_packet(struct gen *g, const char *ifname)
{
	struct sockaddr_ll sll;
	int bufsz = 4 << 20;

	g->ifindex = (int)if_nametoindex(ifname);
	if (g->ifindex == 0) {
		fprintf(stderr, "loadgen: %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	g->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC,
		       htons(NHRP_ETHERTYPE));
	if (g->fd == -1) {
		perror("loadgen: AF_PACKET socket");
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(NHRP_ETHERTYPE);
	sll.sll_ifindex = g->ifindex;
	if (bind(g->fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror("loadgen: bind");
		return -1;
	}
	setsockopt(g->fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	return 0;
}

static void
send_one(struct gen *g, size_t i, double now)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(NHRP_ETHERTYPE);
	sll.sll_ifindex = g->ifindex;
	sll.sll_halen = g->hub.len;
	memcpy(sll.sll_addr, g->hub.bytes, g->hub.len);
	if (sendto(g->fd, &g->pkt[i * PKT_STRIDE], g->len[i], 0,
		   (struct sockaddr *)&sll, sizeof(sll)) == -1)
		fprintf(stderr, "loadgen: send: %s\n", strerror(errno));
	g->sent_at[i] = now;
	g->sent++;
}

/* Read every reply waiting; returns how many were ours. */
static size_t
drain(struct gen *g)
{
	uint8_t buf[2048];
	struct sockaddr_ll sll;
	socklen_t slen;
	size_t got = 0;
	uint32_t reqid;
	uint8_t code;
	ssize_t n;
	int rc;

	for (;;) {
		slen = sizeof(sll);
		n = recvfrom(g->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&sll, &slen);
		if (n < 0)
			return got;
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		rc = spoke_check_reply(buf, (size_t)n, NHRP_REGISTRATION_REPLY,
				       &reqid, &code);
		if (rc < 0 || reqid - g->reqid0 >= g->n ||
		    g->state[reqid - g->reqid0] != 0 ||
		    g->sent_at[reqid - g->reqid0] == 0) {
			g->stray++;
			continue;
		}
		if (rc == 0) {
			g->state[reqid - g->reqid0] = 1;
			g->ok++;
		} else {
			if (g->refused++ == 0)
				g->first_code = code;
			g->state[reqid - g->reqid0] = 2;
		}
		got++;
	}
}

/* Retire answered requests and time out old ones, oldest first. */
static void
retire(struct gen *g, double now, double timeout)
{
	while (g->count > 0) {
		size_t i = g->ring[g->head];

		if (g->state[i] == 0) {
			if (now - g->sent_at[i] < timeout)
				return;
			g->state[i] = 3;
			g->lost++;
		}
		g->head = (g->head + 1) % g->window;
		g->count--;
	}
}

static int
build(struct gen *g, const struct addr *own, uint32_t base)
{
	const char *why = NULL;
	size_t i;
	int len;

	g->pkt = calloc(g->n, PKT_STRIDE);
	g->len = calloc(g->n, sizeof(*g->len));
	g->sent_at = calloc(g->n, sizeof(*g->sent_at));
	g->state = calloc(g->n, 1);
	g->ring = calloc(g->window, sizeof(*g->ring));
	if (g->pkt == NULL || g->len == NULL || g->sent_at == NULL ||
	    g->state == NULL || g->ring == NULL)
		return -1;
	for (i = 0; i < g->n; i++) {
		struct addr proto = spoke_ipv4(base + (uint32_t)i);

		len = spoke_registration(&g->pkt[i * PKT_STRIDE], PKT_STRIDE,
					 own, &proto, &g->hub,
					 g->reqid0 + (uint32_t)i, &why);
		if (len < 0) {
			fprintf(stderr, "loadgen: encode: %s\n", why);
			return -1;
		}
		g->len[i] = (uint16_t)len;
	}
	return 0;
}

/* Register spoke 0 every 200 ms until the hub answers or limit passes. */
static int
probe(struct gen *g, double limit)
{
	double start = mono(), now;

	while ((now = mono()) - start < limit) {
		struct pollfd pfd = {.fd = g->fd, .events = POLLIN};

		g->sent_at[0] = 0;
		send_one(g, 0, now);
		if (poll(&pfd, 1, 200) > 0 && drain(g) > 0) {
			printf("PROBE answered after %.1f s: %s\n",
			       mono() - start, g->ok ? "Success" : "refused");
			return g->ok ? 0 : 1;
		}
	}
	printf("PROBE no answer in %.0f s\n", limit);
	return 1;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: loadgen [-P] -i IFNAME -H HUB_NBMA -S OWN_NBMA -b BASE "
		"-n N\n               [-q REQID] [-w WINDOW] [-t TIMEOUT] "
		"[-T LIMIT] [-l LABEL]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct gen g;
	struct addr own, base;
	const char *ifname = NULL, *label = "load";
	double timeout = 3, limit = 300, t0, t_last, now;
	bool probing = false, have_own = false, have_base = false;
	uint32_t base32;
	size_t next = 0;
	int opt;

	memset(&g, 0, sizeof(g));
	g.fd = -1;
	g.reqid0 = 1;
	g.window = 64;
	g.n = 1000;
	while ((opt = getopt(argc, argv, "Pi:H:S:b:n:q:w:t:T:l:")) != -1) {
		switch (opt) {
		case 'P':
			probing = true;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'H':
			if (addr_parse(&g.hub, optarg) == -1)
				usage();
			break;
		case 'S':
			have_own = addr_parse(&own, optarg) == 0;
			break;
		case 'b':
			have_base = addr_parse(&base, optarg) == 0 &&
				    base.family == AF_INET;
			break;
		case 'n':
			g.n = strtoul(optarg, NULL, 10);
			break;
		case 'q':
			g.reqid0 = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			g.window = strtoul(optarg, NULL, 10);
			break;
		case 't':
			timeout = strtod(optarg, NULL);
			break;
		case 'T':
			limit = strtod(optarg, NULL);
			break;
		case 'l':
			label = optarg;
			break;
		default:
			usage();
		}
	}
	if (ifname == NULL || g.hub.family != AF_INET || !have_own ||
	    !have_base || g.n == 0 || g.window == 0)
		usage();
	if (probing)
		g.n = 1;
	if (g.window > g.n)
		g.window = g.n;
	base32 = (uint32_t)base.bytes[0] << 24 | (uint32_t)base.bytes[1] << 16 |
		 (uint32_t)base.bytes[2] << 8 | base.bytes[3];
	if (open_packet(&g, ifname) == -1 || build(&g, &own, base32) == -1)
		return 1;
	if (probing)
		return probe(&g, limit);

	t0 = t_last = mono();
	while (next < g.n || g.count > 0) {
		struct pollfd pfd = {.fd = g.fd, .events = POLLIN};

		now = mono();
		if (now - t0 > limit) {
			fprintf(stderr, "loadgen: %s: gave up after %.0f s\n",
				label, limit);
			break;
		}
		while (next < g.n && g.count < g.window) {
			g.ring[(g.head + g.count) % g.window] = next;
			g.count++;
			send_one(&g, next++, now);
		}
		if (poll(&pfd, 1, 10) > 0 && drain(&g) > 0)
			t_last = mono();
		retire(&g, mono(), timeout);
	}
	/* Requests never sent (limit reached) count as lost too. */
	g.lost += g.n - g.ok - g.refused - g.lost;
	printf("LOAD %s sent %" PRIu64 " ok %" PRIu64 " refused %" PRIu64
	       " lost %" PRIu64 " stray %" PRIu64 " seconds %.3f rate %.1f\n",
	       label, g.sent, g.ok, g.refused, g.lost, g.stray, t_last - t0,
	       t_last > t0 ? (double)g.ok / (t_last - t0) : 0.0);
	if (g.refused > 0)
		printf("LOAD %s first refusal: CIE code %u\n", label,
		       g.first_code);
	return g.ok == g.n ? 0 : 1;
}
