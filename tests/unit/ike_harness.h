/*
 * An in-process IKEv2 network for the engine's tests: nodes with an
 * engine each, a datagram queue between them (with loss, duplication and
 * NAT), a mock kernel that records the CHILD SAs the engines install, a
 * virtual clock.  Linked into every tests/unit/test_ike_*.c.
 */
#ifndef IKE_HARNESS_H
#define IKE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/ike.h"

#define IKH_MAX_NODES 8
#define IKH_MAX_SAS   32
#define IKH_MAX_QUEUE 512
#define IKH_MAX_CAPS  256

/* One SA in a node's mock kernel (one direction). */
struct ikh_ksa {
	uint32_t spi;
	bool in;
	uint32_t reqid;
	struct addr local, remote;
	bool encap;
	uint16_t sport, dport;
	struct ike_esp_keys keys;
};

struct ikh_node {
	const char *name;
	struct ike_engine *e;
	struct ike_conf conf;
	struct addr addr; /* its NBMA address */
	/* Behind a NAT: others see public, ports mapped +40000. */
	bool natted;
	struct addr public_addr;
	bool down; /* drops everything in and out */
	struct ikh_ksa ksa[IKH_MAX_SAS];
	size_t nksa;
	unsigned int peer_up, peer_down, policy_del, child_add, child_del;
	uint32_t next_spi;
	uint32_t rnd;
	uint8_t nonce_fill; /* non-zero: 32-byte randoms are this octet + n */
	uint8_t nonce_count;
	struct ikh *h;
};

struct ikh_pkt {
	struct ikh_node *src;
	struct ike_path path; /* as sent */
	size_t len;
	uint8_t data[8192];
};

/* What went on the wire (after NAT), for the tests to look at. */
struct ikh_cap {
	struct ikh_node *src;
	struct ikh_node *dst;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msgid;
	size_t len;
	bool dropped;
};

struct ikh {
	double now;
	struct ikh_node *nodes[IKH_MAX_NODES];
	size_t nnodes;
	struct ikh_pkt *queue[IKH_MAX_QUEUE];
	size_t qlen;
	struct ikh_cap caps[IKH_MAX_CAPS];
	size_t ncaps;
	/*
	 * Return 0 to deliver, 1 to drop, 2 to deliver twice.  exchange is
	 * the IKE exchange type (0 for a keepalive).
	 */
	int (*filter)(struct ikh *h, const struct ikh_pkt *p, uint8_t exchange,
		      uint8_t flags, uint32_t msgid, void *arg);
	void *filter_arg;
	/* Hold packets back: delivered only when released. */
	bool hold;
	struct ikh_pkt *held[IKH_MAX_QUEUE];
	size_t nheld;
};

void ikh_init(struct ikh *h);
void ikh_free(struct ikh *h);

/* A node with the test defaults (PSK, GCM and CBC proposals). */
struct ikh_node *ikh_node(struct ikh *h, const char *name, const char *addr);

/* Start the node's engine with its conf; asserts success. */
void ikh_start(struct ikh_node *n);
void ikh_stop(struct ikh_node *n);

/* Deliver queued datagrams and run timers for `seconds` of virtual time. */
void ikh_run(struct ikh *h, double seconds);

/* Deliver what is queued now, without moving the clock. */
void ikh_settle(struct ikh *h);

/* Release held packets (in order, or the last one first). */
void ikh_release(struct ikh *h, bool reverse);

/* a asks for IPsec to b (as NHRP would). */
int ikh_connect(struct ikh_node *a, struct ikh_node *b);

/* Number of inbound / outbound SAs in n's kernel toward or from peer. */
size_t ikh_count(const struct ikh_node *n, const struct ikh_node *peer,
		 bool in);

/*
 * True when every outbound SA a has toward b has a matching inbound SA
 * at b (same SPI and keys) and the reverse: the two kernels agree.
 */
bool ikh_consistent(const struct ikh_node *a, const struct ikh_node *b);

/* The number of IKE SAs of n with peer in state st (-1: any state). */
size_t ikh_ike_sas(const struct ikh_node *n, const struct ikh_node *peer,
		   int st);

/* How many captured messages match (src, exchange, response). */
size_t ikh_cap_count(const struct ikh *h, const struct ikh_node *src,
		     uint8_t exchange, int response);

#endif /* IKE_HARNESS_H */
