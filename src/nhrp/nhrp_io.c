/*
 * AF_PACKET sockets for NHRP and the hub's redirect capture: see
 * include/dmvpn/nhrp_io.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dmvpn/nhrp_io.h"
#include "dmvpn/nhrp_proto.h"

static int
packet_socket(int ifindex, uint16_t proto)
{
	struct sockaddr_ll sll;
	int fd;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    htons(proto));
	if (fd == -1)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
nhrp_io_open(int ifindex)
{
	return packet_socket(ifindex, NHRP_ETHERTYPE);
}

int
nhrp_io_send(int fd, int ifindex, const struct addr *dst, const uint8_t *pkt,
	     size_t len)
{
	struct sockaddr_ll sll;

	if (dst->len > sizeof(sll.sll_addr)) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(NHRP_ETHERTYPE);
	sll.sll_ifindex = ifindex;
	/* On a GRE device the "link-layer address" is the NBMA address. */
	sll.sll_halen = dst->len;
	memcpy(sll.sll_addr, dst->bytes, dst->len);
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll)) == -1)
		return -1;
	return 0;
}

/*
 * Receive one packet and its sender's NBMA address (sll_addr).  Returns
 * the packet's real length (MSG_TRUNC), which may exceed len; 0 when
 * nothing is waiting; -1 with errno.
 */
static ssize_t
recv_from(int fd, uint8_t *buf, size_t len, struct addr *from)
{
	struct sockaddr_ll sll;
	socklen_t sl = sizeof(sll);
	ssize_t n;

	n = recvfrom(fd, buf, len, MSG_TRUNC, (struct sockaddr *)&sll, &sl);
	if (n == -1)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
	if (addr_from_bytes(from, sll.sll_addr, sll.sll_halen) == -1)
		memset(from, 0, sizeof(*from));
	return n;
}

ssize_t
nhrp_io_recv(int fd, uint8_t *buf, size_t len, struct addr *from)
{
	ssize_t n = recv_from(fd, buf, len, from);

	/* A truncated NHRP packet is malformed: hand it over whole or not. */
	if (n > 0 && (size_t)n > len) {
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

/*
 * The capture filter, classic BPF on the IP header (SOCK_DGRAM: no link
 * header), cut at NHRP_IO_SNAPLEN bytes:
 *   incoming (not PACKET_OUTGOING), IPv4 or IPv6,
 *   destination is none of ours (IPv4: compared as one word; IPv6: the
 *   last word, then the daemon checks exactly),
 * everything else dropped in the kernel.
 */
#define MAX_LOCAL 16

int
nhrp_redirect_open(int ifindex, const struct addr *local, size_t nlocal)
{
	struct sock_filter prog[16 + 2 * MAX_LOCAL];
	struct sock_fprog fprog;
	size_t n = 0, i, nv4 = 0, nv6 = 0;
	uint32_t v4[MAX_LOCAL], v6[MAX_LOCAL];
	size_t ip4, ip6;
	int fd;

	for (i = 0; i < nlocal && i < MAX_LOCAL; i++) {
		uint32_t w;

		if (local[i].len == 4) {
			memcpy(&w, local[i].bytes, 4);
			v4[nv4++] = ntohl(w);
		} else if (local[i].len == 16) {
			memcpy(&w, local[i].bytes + 12, 4);
			v6[nv6++] = ntohl(w);
		}
	}
	fd = packet_socket(ifindex, ETH_P_ALL);
	if (fd == -1)
		return -1;
	/* Drop our own transmissions. */
	prog[n++] = (struct sock_filter)BPF_STMT(
		BPF_LD | BPF_B | BPF_ABS,
		(uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE));
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						 PACKET_OUTGOING, 0, 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	/* The IP version nibble. */
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 4);
	ip4 = n;
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4,
						 0, 0); /* patched below */
	ip6 = n;
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6,
						 0, 0); /* patched below */
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	/* IPv4: destination at offset 16. */
	prog[ip4].jt = (uint8_t)(n - ip4 - 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16);
	for (i = 0; i < nv4; i++)
		prog[n++] = (struct sock_filter)BPF_JUMP(
			BPF_JMP | BPF_JEQ | BPF_K, v4[i], (uint8_t)(nv4 - i),
			0);
	prog[n++] =
		(struct sock_filter)BPF_STMT(BPF_RET | BPF_K, NHRP_IO_SNAPLEN);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	/* IPv6: the last word of the destination, at offset 36. */
	prog[ip6].jt = (uint8_t)(n - ip6 - 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 36);
	for (i = 0; i < nv6; i++)
		prog[n++] = (struct sock_filter)BPF_JUMP(
			BPF_JMP | BPF_JEQ | BPF_K, v6[i], (uint8_t)(nv6 - i),
			0);
	prog[n++] =
		(struct sock_filter)BPF_STMT(BPF_RET | BPF_K, NHRP_IO_SNAPLEN);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	fprog.len = (unsigned short)n;
	fprog.filter = prog;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog,
		       sizeof(fprog)) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

ssize_t
nhrp_redirect_recv(int fd, uint8_t *buf, size_t len, struct addr *from)
{
	ssize_t n = recv_from(fd, buf, len, from);

	/* The capture is cut at the snap length: the head is all we want. */
	return n > 0 && (size_t)n > len ? (ssize_t)len : n;
}
