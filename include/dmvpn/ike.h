/*
 * The IKEv2 engine (RFC 7296), sans-I/O.
 *
 * One engine keys ESP transport-mode SAs that protect GRE between this
 * router's NBMA address and each peer's: one IKE SA and one CHILD SA
 * (GRE, IP protocol 47, host to host) per peer.  It owns no socket, no
 * netlink and no event loop: the daemon feeds it datagrams received on
 * UDP 500/4500, the time, NHRP's wishes (bring up IPsec to X, X is no
 * longer needed) and kernel events (ACQUIRE, EXPIRE, MAPPING); the engine
 * answers through struct ike_ops with datagrams to send and intents
 * (install this CHILD SA, remove that one, IPsec to X is up / down).
 * Every input takes `now` in seconds on a monotonic clock, and
 * ike_next_deadline() says when the engine wants ike_tick() next.  The
 * ops must not call back into the engine.
 *
 * See docs/ike.md for the state machines and what of RFC 7296 and its
 * companions is implemented.
 */
#ifndef DMVPN_IKE_H
#define DMVPN_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/addr.h"

#define IKE_PORT         500
#define IKE_NATT_PORT    4500
#define IKE_MAX_PROPS    8
#define IKE_MAX_DH       8
#define IKE_ID_MAX       256
#define IKE_MAX_KEY      64 /* bytes of one ESP key, salt included */
#define IKE_PSK_MAX      256
#define IKE_MAX_AUTHZ    16 /* prefixes one peer ID may register */
#define IKE_PROPOSAL_STR 96 /* "aes256gcm16-prfsha256-x25519" and more */

/* One end of a datagram path. */
struct ike_endpoint {
	struct addr addr;
	uint16_t port;
};

/* Where a datagram came from / goes: our end and the peer's. */
struct ike_path {
	struct ike_endpoint local;
	struct ike_endpoint remote;
};

/*
 * A proposal as IANA numbers (RFC 7296 3.3.2): encryption and its key
 * length, integrity (0 with AEAD), PRF (0 for ESP), and the DH groups in
 * order of preference (for ESP: PFS groups for rekeying, may be none).
 */
struct ike_proposal {
	uint16_t encr;
	uint16_t encr_bits;
	uint16_t integ;
	uint16_t prf;
	uint16_t dh[IKE_MAX_DH];
	size_t ndh;
};

/* An IKE identity (RFC 7296 3.5): type and data as on the wire. */
struct ike_id {
	uint8_t type;
	uint16_t len;
	uint8_t data[IKE_ID_MAX];
};

/* Which tunnel addresses a peer with a given identity may register. */
struct ike_authz {
	struct ike_id id;
	struct prefix prefixes[IKE_MAX_AUTHZ];
	size_t nprefixes;
};

struct ike_creds; /* certificates, key and trust store: ike_crypto.h */

struct ike_conf {
	struct ike_proposal ike[IKE_MAX_PROPS];
	size_t nike;
	struct ike_proposal esp[IKE_MAX_PROPS];
	size_t nesp;
	struct ike_id local_id; /* type 0: our NBMA address (ID_IPV4_ADDR) */
	/* PSK when psk_len > 0; certificates when creds != NULL. */
	uint8_t psk[IKE_PSK_MAX];
	size_t psk_len;
	const struct ike_creds *creds; /* the caller keeps it alive */
	const struct ike_authz *authz;
	size_t nauthz;
	double ike_lifetime;  /* s until the IKE SA is rekeyed */
	double esp_lifetime;  /* s until a CHILD SA is rekeyed */
	double dpd;           /* s of silence before a liveness check; 0 off */
	double nat_keepalive; /* s between NAT keepalives; 0 off */
	unsigned int half_open_limit;      /* cookies above this many */
	unsigned int half_open_per_source; /* 0: no per-source limit */
	/* CHILD SAs get reqids in [reqid_base, reqid_base + reqid_count). */
	uint32_t reqid_base;
	uint32_t reqid_count;
	/* Retransmission (RFC 7296 2.1): first timeout, factor, tries. */
	double retransmit_timeout;
	double retransmit_base;
	unsigned int retransmit_tries;
	size_t fragment_size; /* RFC 7383: fragment beyond this; 0 never */
	uint32_t seed;        /* for jitter; any value */
};

/* Fill conf with the defaults (lifetimes, DPD, retransmission, ...). */
void ike_conf_defaults(struct ike_conf *conf);

/* An ESP SA's algorithms and keys for one direction (secret). */
struct ike_esp_keys {
	uint16_t encr;      /* IANA ENCR_* */
	uint16_t encr_bits; /* key bits, salt excluded */
	uint16_t integ;     /* IANA AUTH_*, 0 with AEAD */
	uint8_t encr_key[IKE_MAX_KEY];
	size_t encr_key_len; /* with the 4-byte salt for GCM */
	uint8_t integ_key[IKE_MAX_KEY];
	size_t integ_key_len;
};

/* A CHILD SA to install: both directions, host to host, GRE. */
struct ike_child_sa {
	struct ike_path path; /* ports matter only when encap is set */
	bool encap;           /* UDP encapsulation (RFC 3948) on 4500 */
	uint32_t reqid;
	uint32_t spi_in;  /* ours: the peer sends with it */
	uint32_t spi_out; /* the peer's */
	struct ike_esp_keys in;
	struct ike_esp_keys out;
	double lifetime_soft; /* s: the engine rekeys itself before */
	double lifetime_hard;
	/*
	 * CHILD_ADD of a rekey's responder: the inbound SA only; the
	 * outbound one follows (IKE_I_CHILD_OUT) once the initiator has
	 * its new inbound SA, so that no packet arrives before its SA.
	 */
	bool inbound_only;
};

enum ike_intent_type {
	IKE_I_CHILD_ADD,  /* install the SA pair and the peer's policies */
	IKE_I_CHILD_OUT,  /* install the outbound SA of an inbound_only add */
	IKE_I_CHILD_DEL,  /* remove the SA pair (the policies stay) */
	IKE_I_PEER_UP,    /* IPsec to remote is usable: tell NHRP */
	IKE_I_PEER_DOWN,  /* no CHILD SA to remote is left: tell NHRP */
	IKE_I_POLICY_DEL, /* the peer is gone: remove its policies */
};

struct ike_intent {
	enum ike_intent_type type;
	const struct ike_child_sa *child; /* CHILD_ADD, _OUT, _DEL */
	struct addr local;                /* PEER_*, POLICY_DEL */
	struct addr remote;
	uint32_t reqid; /* POLICY_DEL */
};

struct ike_ops {
	void *ctx;
	/* Send pkt on path (to UDP 4500: the caller adds the 4-byte marker). */
	void (*send)(void *ctx, const struct ike_path *path, const uint8_t *pkt,
		     size_t len);
	void (*intent)(void *ctx, const struct ike_intent *in);
	/*
	 * An inbound SPI for an SA from remote to local (XFRM ALLOCSPI);
	 * 0 on success.  NULL: the engine picks random ones.
	 */
	int (*alloc_spi)(void *ctx, const struct addr *local,
			 const struct addr *remote, uint32_t *spi);
	/* Fill buf with random bytes (nonces, SPIs); NULL: OpenSSL's. */
	void (*random)(void *ctx, uint8_t *buf, size_t len);
};

/* The states of an IKE SA (`dmvpnctl show ike` "state"). */
enum ike_sa_state {
	IKE_SA_CONNECTING,  /* IKE_SA_INIT under way */
	IKE_SA_AUTHING,     /* IKE_AUTH under way */
	IKE_SA_ESTABLISHED, /* authenticated, CHILD SA installed */
	IKE_SA_REKEYING,    /* a rekey of the IKE SA is under way */
	IKE_SA_DELETING,    /* our Delete is on its way */
	IKE_SA_STATE_MAX,
};

/* A CHILD SA, as `dmvpnctl show sa` reports it. */
struct ike_child_info {
	uint32_t spi_in;
	uint32_t spi_out;
	uint32_t reqid;
	char esp_proposal[IKE_PROPOSAL_STR];
	double established_s;
	double rekey_in; /* s until the engine rekeys it */
	bool encap;
};

#define IKE_INFO_CHILDREN 4

/* An IKE SA, as `dmvpnctl show ike` reports it. */
struct ike_sa_info {
	struct ike_path path;
	uint64_t spi_i;
	uint64_t spi_r;
	bool initiator;
	enum ike_sa_state state;
	const char *auth; /* "psk", "rsa", "ecdsa", "signature" or "-" */
	char ike_proposal[IKE_PROPOSAL_STR];
	char remote_id[IKE_ID_MAX]; /* printable */
	double established_s;
	double rekey_in;
	bool nat_local;  /* we are behind a NAT */
	bool nat_remote; /* the peer is */
	struct ike_child_info child[IKE_INFO_CHILDREN];
	size_t nchild;
};

/* Counters for `dmvpnctl show stats`. */
struct ike_stats {
	uint64_t rx;
	uint64_t tx;
	uint64_t retransmits;
	uint64_t ike_sas_established;
	uint64_t ike_sas_failed;
	uint64_t child_sas_installed;
	uint64_t ike_rekeys;
	uint64_t child_rekeys;
	uint64_t cookies_sent;
	uint64_t dpd_dead;
	uint64_t auth_failures;
	uint64_t registrations_refused; /* identity may not register it */
	uint64_t drops[16];             /* enum ike_drop */
};

enum ike_drop {
	IKE_DROP_MALFORMED,
	IKE_DROP_NO_SA,       /* unknown SPI */
	IKE_DROP_MSGID,       /* outside the window */
	IKE_DROP_DECRYPT,     /* ICV or padding */
	IKE_DROP_HALF_OPEN,   /* per-source limit */
	IKE_DROP_COOKIE,      /* missing or bad cookie */
	IKE_DROP_NO_PROPOSAL, /* nothing acceptable */
	IKE_DROP_AUTH,        /* authentication failed */
	IKE_DROP_STATE,       /* not expected now */
	IKE_DROP_FRAGMENT,    /* bad or too many fragments */
	IKE_DROP_MAX,
};

struct ike_engine;

/* Make an engine; NULL with *why on bad configuration or no memory. */
struct ike_engine *ike_engine_new(const struct ike_conf *conf,
				  const struct ike_ops *ops, double now,
				  const char **why);

/*
 * Stop: delete every IKE SA (an INFORMATIONAL Delete each, not waited
 * for), withdraw every CHILD SA and policy (intents), free the engine.
 */
void ike_engine_free(struct ike_engine *e, double now);

/* A datagram arrived (the 4500 marker already stripped). */
void ike_recv(struct ike_engine *e, double now, const struct ike_path *path,
	      const uint8_t *pkt, size_t len);

/* Run every timer due at now; when next, or -1 for never. */
void ike_tick(struct ike_engine *e, double now);
double ike_next_deadline(const struct ike_engine *e);

/*
 * NHRP wants IPsec between local and remote (NBMA addresses): start IKE
 * unless an SA exists or is under way; IKE_I_PEER_UP follows.  -1 when
 * the engine cannot (no memory, no reqid left).
 */
int ike_connect(struct ike_engine *e, double now, const struct addr *local,
		const struct addr *remote);

/*
 * The same user asks again (NHRP repeats a request that got nowhere):
 * as ike_connect(), without counting another user.
 */
int ike_connect_again(struct ike_engine *e, double now,
		      const struct addr *local, const struct addr *remote);

/* NHRP no longer needs remote: an SA we initiated is deleted when idle. */
void ike_release(struct ike_engine *e, double now, const struct addr *remote);

/* The kernel's wildcard GRE policy saw traffic to remote (ACQUIRE). */
void ike_kernel_acquire(struct ike_engine *e, double now,
			const struct addr *local, const struct addr *remote);

/* An SA's lifetime ran out in the kernel (soft: rekey; hard: gone). */
void ike_kernel_expire(struct ike_engine *e, double now, const struct addr *dst,
		       uint32_t spi, bool hard);

/* A NATed peer's address or port changed (XFRM_MSG_MAPPING). */
void ike_kernel_mapping(struct ike_engine *e, double now,
			const struct addr *old_addr, uint16_t old_port,
			const struct addr *new_addr, uint16_t new_port);

/*
 * May the peer at NBMA address remote register (or claim) the tunnel
 * address proto?  True when its certificate names proto (subjectAltName
 * IP) or an `authorize` entry for its identity covers it; with a PSK and
 * no `authorize` entry for the identity, any address.  False when no IKE
 * SA to remote is established.
 */
bool ike_peer_authorized(struct ike_engine *e, const struct addr *remote,
			 const struct addr *proto);

/* Iterate over the IKE SAs; stop early when cb returns non-zero. */
int ike_foreach_sa(const struct ike_engine *e, double now,
		   int (*cb)(const struct ike_sa_info *, void *), void *arg);

const struct ike_stats *ike_stats(const struct ike_engine *e);

/*
 * Every CHILD SA the engine has installed, keys included, for the
 * daemon's reconciliation with the kernel (after a netlink overrun);
 * stop early when cb returns non-zero.  The struct is wiped after cb.
 */
int ike_foreach_child_sa(const struct ike_engine *e,
			 int (*cb)(const struct ike_child_sa *, void *),
			 void *arg);

/* The keys of one IKE SA, for Wireshark's IKEv2 decryption table. */
struct ike_sa_keys_export {
	uint64_t spi_i, spi_r;
	uint16_t encr, encr_bits, integ;
	uint8_t sk_ei[64], sk_er[64], sk_ai[64], sk_ar[64];
	size_t encr_len, integ_len; /* salt included for GCM */
};

/*
 * Test and debugging aid: the keys of every keyed IKE SA (never logged;
 * the caller wipes them).  Used by tests/tools to let tshark decrypt our
 * SK payloads.
 */
int ike_export_keys(const struct ike_engine *e,
		    int (*cb)(const struct ike_sa_keys_export *, void *),
		    void *arg);

/* Names for JSON and logs. */
const char *ike_sa_state_name(enum ike_sa_state s);
const char *ike_drop_name(enum ike_drop d);

#endif /* DMVPN_IKE_H */
