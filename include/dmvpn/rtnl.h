/*
 * rtnetlink messages dmvpnd sends and reads: the multipoint GRE device,
 * its addresses and neighbour-table parameters, neighbour entries
 * (tunnel address -> NBMA address) and routes.
 *
 * The builders write one complete message into a caller's buffer with
 * libmnl and return its length (0 when the buffer is too small): pure
 * functions, so golden-byte tests pin the encoding.  The parsers take a
 * message the kernel sent and fill a plain struct after libmnl's bounds
 * and type validation; -1 on anything malformed.
 */
#ifndef DMVPN_RTNL_H
#define DMVPN_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "dmvpn/addr.h"

#define RTNL_IFNAMSIZ 16

/* The routing protocol number iproute2 and FRR call "nhrp". */
#define RTNL_PROTO_NHRP 191

/* A multipoint GRE device as dmvpnd wants it (or finds it). */
struct rtnl_gre {
	char ifname[RTNL_IFNAMSIZ];
	bool key_set;
	uint32_t key;      /* GRE key, both directions */
	struct addr local; /* NBMA source address, or none */
	uint32_t link;     /* ifindex to bind to (nbma-interface), or 0 */
	uint8_t ttl;       /* 0: inherit */
	uint32_t mtu;      /* 0: kernel default */
	bool pmtudisc;
};

/* What a link dump or event says about an interface. */
struct rtnl_link {
	int ifindex;
	char ifname[RTNL_IFNAMSIZ];
	unsigned int flags; /* IFF_* */
	uint32_t mtu;
	char kind[16]; /* "gre", "ip6gre", ... or "" */
	bool is_gre;   /* kind gre with GRE parameters parsed */
	struct rtnl_gre gre;
	struct addr remote; /* GRE remote: none for multipoint */
};

struct rtnl_neigh {
	uint16_t type; /* RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH */
	int ifindex;
	struct addr dst;
	struct addr lladdr; /* the NBMA address on a GRE device */
	bool has_lladdr;
	uint16_t state; /* NUD_* */
	uint8_t flags;  /* NTF_* */
	uint8_t protocol;
};

struct rtnl_route {
	uint16_t type; /* RTM_NEWROUTE, RTM_DELROUTE */
	struct prefix dst;
	struct addr gateway;
	int oif;
	uint32_t table;
	uint8_t protocol;
	uint8_t rtm_type; /* RTN_UNICAST ... */
	uint32_t metric;
};

struct rtnl_addr {
	uint16_t type; /* RTM_NEWADDR, RTM_DELADDR */
	int ifindex;
	struct prefix prefix;
};

/* Create (create=true) or change the GRE device g. */
size_t rtnl_msg_gre(void *buf, size_t len, uint32_t seq,
		    const struct rtnl_gre *g, bool create);

/*
 * Set the device up or down and clear or set IFF_NOARP (the neighbour
 * machinery must run for NHRP to hear about misses).
 */
size_t rtnl_msg_link_flags(void *buf, size_t len, uint32_t seq, int ifindex,
			   bool up, bool noarp);

/* Delete a device. */
size_t rtnl_msg_link_del(void *buf, size_t len, uint32_t seq, int ifindex);

/* Add or delete an address on a device. */
size_t rtnl_msg_addr(void *buf, size_t len, uint32_t seq, int ifindex,
		     const struct prefix *p, bool add);

/*
 * RTM_SETNEIGHTBL for the device: ask userspace (app_probes) instead of
 * probing on the wire (ucast/mcast probes 0), as NHRP needs.
 */
size_t rtnl_msg_neightbl(void *buf, size_t len, uint32_t seq, int family,
			 int ifindex, uint32_t app_probes,
			 uint32_t ucast_probes, uint32_t mcast_probes);

/*
 * Add/replace or delete a neighbour: dst on ifindex is at NBMA address
 * lladdr (ignored on delete), in state NUD_*, tagged with protocol.
 */
size_t rtnl_msg_neigh(void *buf, size_t len, uint32_t seq, int ifindex,
		      const struct addr *dst, const struct addr *lladdr,
		      uint16_t state, uint8_t protocol, bool add);

/* Add/replace or delete a route. */
size_t rtnl_msg_route(void *buf, size_t len, uint32_t seq,
		      const struct rtnl_route *r, bool add);

/* A dump request: RTM_GETLINK, RTM_GETNEIGH, RTM_GETROUTE, RTM_GETADDR. */
size_t rtnl_msg_dump(void *buf, size_t len, uint32_t seq, uint16_t type,
		     int family);

/* A request for one link by name (RTM_GETLINK with IFLA_IFNAME). */
size_t rtnl_msg_get_link(void *buf, size_t len, uint32_t seq,
			 const char *ifname);

/* Parse a link, neighbour, route or address message; 0 or -1. */
int rtnl_parse_link(const struct nlmsghdr *nlh, struct rtnl_link *out);
int rtnl_parse_neigh(const struct nlmsghdr *nlh, struct rtnl_neigh *out);
int rtnl_parse_route(const struct nlmsghdr *nlh, struct rtnl_route *out);
int rtnl_parse_addr(const struct nlmsghdr *nlh, struct rtnl_addr *out);

/*
 * Compare a device found in the kernel with the one wanted; 0 when it can
 * be adopted, else -1 with a sentence naming what differs in why.
 */
int rtnl_gre_match(const struct rtnl_link *have, const struct rtnl_gre *want,
		   char *why, size_t whylen);

/*
 * Sockets.  A request socket sends one message at a time and waits for
 * the kernel's answer (an ACK, an error, or a dump); an event socket
 * joins multicast groups and is read when libev says it is readable.
 */
struct rtnl_sock;

/* Called for each message of a dump or each event; non-zero stops. */
typedef int rtnl_msg_fn(const struct nlmsghdr *nlh, void *arg);

/* A blocking request socket; NULL with errno. */
struct rtnl_sock *rtnl_open(void);

/*
 * A non-blocking event socket joined to the RTNLGRP_* groups in the
 * `groups` bit mask (1 << (RTNLGRP_x - 1)), with a receive buffer of
 * rcvbuf bytes (forced when privileged); NULL with errno.
 */
struct rtnl_sock *rtnl_open_events(uint32_t groups, int rcvbuf);

/* Close; NULL is fine. */
void rtnl_close(struct rtnl_sock *s);

/* The descriptor, for an ev_io watcher. */
int rtnl_fd(const struct rtnl_sock *s);

/* The next sequence number for a message to send on s. */
uint32_t rtnl_seq(struct rtnl_sock *s);

/*
 * Send a message built by one of the rtnl_msg_*() functions and wait for
 * its answer.  Dump replies and (for requests that return data, like
 * rtnl_msg_get_link) data messages go to cb.  0 on success, or -1 with
 * errno set from the kernel's error (EEXIST, ENODEV, ...).
 */
int rtnl_request(struct rtnl_sock *s, void *msg, size_t len, rtnl_msg_fn *cb,
		 void *arg);

/*
 * Read every pending event and pass each message to cb.  0 when drained;
 * -1 with errno ENOBUFS when the kernel dropped events (the caller must
 * resynchronise with dumps), other errno on real errors.
 */
int rtnl_read_events(struct rtnl_sock *s, rtnl_msg_fn *cb, void *arg);

#endif /* DMVPN_RTNL_H */
