/*
 * XFRM (NETLINK_XFRM) for dmvpnd's IKEv2: ESP transport-mode SAs and the
 * policies that make GRE between NBMA addresses go through them.
 *
 * The builders write one complete message into a caller's buffer with
 * libmnl and return its length (0 when the buffer is too small): pure
 * functions, so golden-byte tests pin the encoding.  The parsers take a
 * message the kernel sent and fill a plain struct after bounds and
 * attribute validation; -1 on anything malformed.  A message that carried
 * key material (xfrm_msg_sa) must be wiped with xfrm_wipe() once sent;
 * xfrm_sa_install() does both.
 *
 * Everything dmvpnd installs carries a reqid from a configured range;
 * xfrm_reconcile() finds what a previous run left behind and touches
 * nothing outside the range (strongSwan's, the administrator's).
 */
#ifndef DMVPN_XFRM_H
#define DMVPN_XFRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "dmvpn/addr.h"

/* Big enough for any message built here. */
#define XFRM_MSG_BUFSIZE 1024

#define XFRM_ALG_NAMELEN 64 /* CRYPTO_MAX_ALG_NAME in the kernel */
#define XFRM_ALG_KEYMAX  64 /* bytes: AES-256 + salt, HMAC-SHA-512 */

/*
 * Default policy priorities (a lower number wins): a peer's own policy
 * must beat the "require ESP for GRE" wildcard.
 */
#define XFRM_PRIO_PEER     1000
#define XFRM_PRIO_WILDCARD 3000

/* Default range for ALLOCSPI (strongSwan's, too: easy to spot). */
#define XFRM_SPI_MIN 0xc0000000u
#define XFRM_SPI_MAX 0xcfffffffu

/* A group bit for xfrm_open_events(): XFRM_GRP(XFRMNLGRP_ACQUIRE). */
#define XFRM_GRP(g) (1u << ((g)-1))

/* A traffic selector.  Both prefixes have the same family. */
struct xfrm_sel {
	struct prefix src, dst; /* plen 0: any */
	uint8_t proto;          /* IPPROTO_GRE, or 0 for any */
	uint16_t sport, dport;  /* host order; 0 (GRE never has ports) */
};

/* Limits of an SA; 0 means none. */
struct xfrm_lifetime {
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_secs, hard_secs; /* after installation */
};

/* An algorithm and its key.  Secret: wipe with xfrm_wipe() after use. */
struct xfrm_alg {
	char name[XFRM_ALG_NAMELEN]; /* "rfc4106(gcm(aes))", "cbc(aes)" ... */
	uint8_t key[XFRM_ALG_KEYMAX];
	uint16_t keylen; /* bytes; rfc4106 includes the 4-byte salt */
	uint16_t bits;   /* AEAD ICV or HMAC truncation, in bits */
};

/*
 * An ESP SA.  The builder derives the selector (host-to-host GRE, no
 * ports) from src and dst; the parsers fill sel, the counters and the
 * algorithm names but never copy a key out of a kernel message.
 */
struct xfrm_sa {
	struct addr src, dst;
	uint32_t spi; /* host order */
	uint32_t reqid;
	uint8_t proto;         /* IPPROTO_ESP */
	uint8_t mode;          /* XFRM_MODE_TRANSPORT */
	uint8_t replay_window; /* inbound 32, outbound 0 */
	struct xfrm_lifetime lft;
	bool encap; /* ESP in UDP (RFC 3948) */
	uint16_t encap_sport, encap_dport;
	bool aead;           /* enc is AEAD; else enc + auth */
	struct xfrm_alg enc; /* AEAD or cipher */
	struct xfrm_alg auth;
	/* Filled by the parsers. */
	struct xfrm_sel sel;
	uint64_t cur_bytes, cur_packets;
};

/*
 * A policy: traffic matching sel in direction dir must use an ESP
 * transport SA with the template's reqid (or is allowed/blocked outright
 * when has_tmpl is false).
 */
struct xfrm_policy {
	struct xfrm_sel sel;
	uint8_t dir;    /* XFRM_POLICY_IN, _OUT, _FWD */
	uint8_t action; /* XFRM_POLICY_ALLOW or _BLOCK */
	uint32_t priority;
	uint32_t index; /* parsed: the kernel's */
	bool has_tmpl;
	uint32_t reqid; /* template */
	uint32_t
		tmpl_spi; /* 0: any SA with the reqid (rekeys need no update) */
	uint8_t tmpl_proto; /* parsed */
	uint8_t tmpl_mode;  /* parsed */
};

/* The kernel wants an SA for traffic sel hit (XFRM_MSG_ACQUIRE). */
struct xfrm_acquire {
	struct addr src, dst; /* the SA to negotiate: local, remote */
	struct xfrm_sel sel;
	uint32_t reqid; /* from the policy's template */
	uint32_t seq;
	uint8_t dir; /* the policy's */
};

/* A NATed peer's address or port changed (XFRM_MSG_MAPPING). */
struct xfrm_mapping {
	struct addr dst; /* the SA: dst/spi/proto */
	uint32_t spi;
	uint8_t proto;
	uint32_t reqid;
	struct addr old_addr, new_addr;
	uint16_t old_port, new_port; /* host order */
};

/* One parsed event or dump message. */
struct xfrm_event {
	uint16_t type; /* XFRM_MSG_NEWSA, _EXPIRE, _ACQUIRE, ... */
	bool hard;     /* EXPIRE: hard (the SA is gone) or soft */
	struct xfrm_sa sa;
	struct xfrm_policy policy;
	struct xfrm_acquire acquire;
	struct xfrm_mapping mapping;
};

/* Zero n bytes at p so the compiler cannot drop it (keys). */
void xfrm_wipe(void *p, size_t n);

/* Wipe the keys of sa. */
void xfrm_sa_wipe(struct xfrm_sa *sa);

/* A host-to-host GRE selector from src to dst. */
void xfrm_sel_gre(struct xfrm_sel *sel, const struct addr *src,
		  const struct addr *dst);

/*
 * The "require ESP for GRE" wildcard of family: any -> any GRE (or, when
 * local is not NULL, only GRE from local (out) / to local (in)), with an
 * ESP transport template of reqid at priority.
 */
void xfrm_policy_wildcard(struct xfrm_policy *p, int family,
			  const struct addr *local, uint8_t dir, uint32_t reqid,
			  uint32_t priority);

/* The per-peer policy: GRE local <-> remote in dir, template reqid. */
void xfrm_policy_peer(struct xfrm_policy *p, const struct addr *local,
		      const struct addr *remote, uint8_t dir, uint32_t reqid,
		      uint32_t priority);

/* NEWSA (or UPDSA, which replaces an ALLOCSPI larval state). */
size_t xfrm_msg_sa(void *buf, size_t len, uint32_t seq,
		   const struct xfrm_sa *sa, bool update);

/* DELSA by dst/spi/proto (src is added when not none). */
size_t xfrm_msg_sa_del(void *buf, size_t len, uint32_t seq,
		       const struct addr *src, const struct addr *dst,
		       uint32_t spi, uint8_t proto);

/* GETSA: the reply is a NEWSA with the counters and lifetimes. */
size_t xfrm_msg_sa_get(void *buf, size_t len, uint32_t seq,
		       const struct addr *dst, uint32_t spi, uint8_t proto);

/* ALLOCSPI for an ESP SA src -> dst in [min, max]: replied with NEWSA. */
size_t xfrm_msg_allocspi(void *buf, size_t len, uint32_t seq,
			 const struct addr *src, const struct addr *dst,
			 uint32_t reqid, uint32_t min, uint32_t max);

/* NEWPOLICY (or UPDPOLICY: create or replace). */
size_t xfrm_msg_policy(void *buf, size_t len, uint32_t seq,
		       const struct xfrm_policy *p, bool update);

/* DELPOLICY by selector and direction. */
size_t xfrm_msg_policy_del(void *buf, size_t len, uint32_t seq,
			   const struct xfrm_sel *sel, uint8_t dir);

/* A dump request: XFRM_MSG_GETSA or XFRM_MSG_GETPOLICY. */
size_t xfrm_msg_dump(void *buf, size_t len, uint32_t seq, uint16_t type);

/* Parse NEWSA/UPDSA (dumps, GETSA and ALLOCSPI replies); 0 or -1. */
int xfrm_parse_sa(const struct nlmsghdr *nlh, struct xfrm_sa *out);

/* Parse NEWPOLICY/UPDPOLICY; 0 or -1. */
int xfrm_parse_policy(const struct nlmsghdr *nlh, struct xfrm_policy *out);

/* Parse EXPIRE: the SA and whether the hard limit was hit; 0 or -1. */
int xfrm_parse_expire(const struct nlmsghdr *nlh, struct xfrm_sa *out,
		      bool *hard);

/* Parse ACQUIRE; 0 or -1. */
int xfrm_parse_acquire(const struct nlmsghdr *nlh, struct xfrm_acquire *out);

/* Parse MAPPING; 0 or -1. */
int xfrm_parse_mapping(const struct nlmsghdr *nlh, struct xfrm_mapping *out);

/*
 * Parse whichever of the above nlh is into ev (ev->type says which):
 * 0, 1 for a type we ignore (POLEXPIRE, DELSA ...), -1 when malformed.
 */
int xfrm_parse_event(const struct nlmsghdr *nlh, struct xfrm_event *ev);

/*
 * Let the IKE socket fd (AF_INET or AF_INET6) bypass every policy, in
 * and out, so IKE is never caught by the "require ESP" wildcard; 0 or -1.
 */
int xfrm_socket_bypass(int fd, int family);

/*
 * Sockets.  A request socket sends one message and waits for the answer
 * (an ACK, an error, a reply or a dump); an event socket joins groups and
 * is read when libev says it is readable.
 */
struct xfrm_sock;

/* Called for each message of a dump, reply or event; non-zero stops. */
typedef int xfrm_msg_fn(const struct nlmsghdr *nlh, void *arg);

/* A blocking request socket; NULL with errno. */
struct xfrm_sock *xfrm_open(void);

/*
 * A non-blocking event socket joined to the groups in the mask (XFRM_GRP
 * bits: ACQUIRE, EXPIRE, MAPPING for the daemon) with rcvbuf bytes of
 * receive buffer (forced when privileged); NULL with errno.
 */
struct xfrm_sock *xfrm_open_events(uint32_t groups, int rcvbuf);

/* Close; NULL is fine. */
void xfrm_close(struct xfrm_sock *s);

/* The descriptor, for an ev_io watcher. */
int xfrm_fd(const struct xfrm_sock *s);

/*
 * Send a message built by an xfrm_msg_*() function and wait for the
 * answer; replies and dump messages go to cb (NULL: ignored).  0, or -1
 * with errno from the kernel (EEXIST, ESRCH, ENOENT ...).
 */
int xfrm_request(struct xfrm_sock *s, void *msg, size_t len, xfrm_msg_fn *cb,
		 void *arg);

/* Build, send and wipe a NEWSA/UPDSA for sa; 0 or -1 with errno. */
int xfrm_sa_install(struct xfrm_sock *s, const struct xfrm_sa *sa, bool update);

/*
 * Read every pending event and pass each message to cb.  0 when drained;
 * -1 with errno ENOBUFS when the kernel dropped events (overrun: the
 * caller reconciles from dumps), another errno on real errors.
 */
int xfrm_read_events(struct xfrm_sock *s, xfrm_msg_fn *cb, void *arg);

/* Reconciliation: dmvpnd's reqids are [base, base + count), base > 0. */
struct xfrm_range {
	uint32_t base, count;
};

/* True when reqid belongs to us. */
bool xfrm_range_has(const struct xfrm_range *r, uint32_t reqid);

/*
 * Compare what a dump found (have) with what should be installed (want).
 * Indices into have of SAs/policies to delete (ours but not wanted) go to
 * del_sa/del_pol (room for nhave_* entries each); indices into want of
 * ones missing or different (install with UPDSA/UPDPOLICY) go to
 * add_sa/add_pol (room for nwant_*; may be NULL).  Anything whose reqid
 * is outside r is left alone.  Counts are returned through the n* out
 * arguments.  0, or -1 (EINVAL) for an empty or base-0 range.
 */
struct xfrm_plan {
	size_t *del_sa, ndel_sa;
	size_t *add_sa, nadd_sa;
	size_t *del_pol, ndel_pol;
	size_t *add_pol, nadd_pol;
};

int xfrm_reconcile(const struct xfrm_range *r, const struct xfrm_sa *have_sa,
		   size_t nhave_sa, const struct xfrm_sa *want_sa,
		   size_t nwant_sa, const struct xfrm_policy *have_pol,
		   size_t nhave_pol, const struct xfrm_policy *want_pol,
		   size_t nwant_pol, struct xfrm_plan *plan);

/*
 * Kernel crypto drivers (/proc/crypto): which implementation the kernel
 * binds for an algorithm name, and the ESP proposal order that follows.
 */
struct xfrm_crypto_driver {
	char name[XFRM_ALG_NAMELEN];
	char driver[XFRM_ALG_NAMELEN];
	int priority;
	bool accelerated; /* AES-NI, VAES, Padlock, ARMv8 CE */
};

/*
 * The highest-priority usable entry named alg in the /proc/crypto text;
 * 0, or -1 when there is none.
 */
int xfrm_crypto_lookup(const char *text, size_t len, const char *alg,
		       struct xfrm_crypto_driver *out);

enum xfrm_esp_order {
	XFRM_ESP_GCM_FIRST, /* rfc4106(gcm(aes)) first */
	XFRM_ESP_CBC_FIRST, /* cbc(aes) + hmac(sha256) first */
};

/* The ESP proposal order for this kernel, with a reason in *why. */
enum xfrm_esp_order xfrm_crypto_esp_order(const char *text, size_t len,
					  const char **why);

/* Read /proc/crypto (or path) into a malloc'd *text; 0 or -1 with errno. */
int xfrm_crypto_read(const char *path, char **text, size_t *len);

#endif /* DMVPN_XFRM_H */
