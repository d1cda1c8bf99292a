/*
 * The control protocol between dmvpnd and dmvpnctl: the one definition
 * both programs compile (as bgpd and bgpctl share their imsg types).
 *
 * A message is a 12-byte header followed by len payload bytes:
 *
 *	version be16 | type be16 | len be32 | seq be32 | payload[len]
 *
 * The header layout never changes between protocol versions, so a peer
 * of another version can always be told so.  Payloads are fixed layouts
 * encoded and decoded only through struct buf/wbuf (never struct casts):
 * addresses are family u8 (0, 4 or 6) + 16 bytes + prefix length u8,
 * strings are a be16 length and that many bytes (bounded, no NUL).
 * A request is answered by zero or more records and then exactly one
 * END (a listing is complete) or RESULT (a command's outcome, or an
 * error); every reply carries the request's seq.  docs/ctl.md is the
 * byte-level reference and the JSON contract of dmvpnctl.
 *
 * The file is grouped as bgpd's headers are: the protocol, then the
 * prototypes of each .c under a comment naming it.
 */
#ifndef DMVPN_CTL_H
#define DMVPN_CTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "dmvpn/addr.h"
#include "dmvpn/buf.h"
#include "dmvpn/log.h"

/*
 * Bumped on any change of a payload layout, type or meaning.
 * 2: SHOW_IKE, SHOW_SA, IKE_SA and CHILD_SA.
 */
#define CTL_VERSION 2u

#define CTL_HDR_LEN 12
/* No message, header included, is ever larger: the framing limit. */
#define CTL_MSG_MAX 65536

/* Bounds of the strings, NUL included (the wire carries one less). */
#define CTL_IFNAME_MAX   16 /* IFNAMSIZ */
#define CTL_FQDN_MAX     256
#define CTL_STAT_MAX     48  /* a counter's section or name */
#define CTL_RTPROTO_MAX  16  /* a route's origin ("nhrp", "static") */
#define CTL_RESULT_MAX   512 /* a RESULT message */
#define CTL_CONFIG_CHUNK 4096
#define CTL_AUTH_MAX     16  /* "psk", "ecdsa", "signature", "-" */
#define CTL_PROPOSAL_MAX 96  /* "aes256gcm16-prfsha256-x25519" */
#define CTL_IKE_ID_MAX   256 /* a remote identity, printable */
#define CTL_DRIVER_MAX   64  /* /proc/crypto driver, CRYPTO_MAX_NAME */

/* Wire sizes of the building blocks. */
#define CTL_ADDR_LEN     18 /* family, 16 bytes, prefix length */
#define CTL_STR_LEN(max) (2 + (max)-1)

/* The default control socket. */
#ifndef DMVPN_RUNSTATEDIR
#define DMVPN_RUNSTATEDIR "/run"
#endif
#define CTL_SOCKET_PATH DMVPN_RUNSTATEDIR "/dmvpnd.sock"

/* Fixed parts and maxima of the record payloads (docs/ctl.md). */
#define CTL_PEER_FIXED  (2 + 4 * CTL_ADDR_LEN + 1 + 1 + 2 + 8 + 8)
#define CTL_PEER_MAXLEN (CTL_PEER_FIXED + CTL_IFNAME_MAX - 1)
#define CTL_NHS_FIXED   (2 + 2 * CTL_ADDR_LEN + 2 + 1 + 1 + 1 + 8 + 4)
#define CTL_NHS_MAXLEN  (CTL_NHS_FIXED + CTL_IFNAME_MAX - 1 + CTL_FQDN_MAX - 1)
#define CTL_ROUTE_FIXED (2 * CTL_ADDR_LEN + 2 + 2 + 4 + 1)
#define CTL_ROUTE_MAXLEN \
	(CTL_ROUTE_FIXED + CTL_IFNAME_MAX - 1 + CTL_RTPROTO_MAX - 1)
#define CTL_STAT_FIXED    (2 + 2 + 8)
#define CTL_STAT_MAXLEN   (CTL_STAT_FIXED + 2 * (CTL_STAT_MAX - 1))
#define CTL_IF_FIXED      (2 + 1 + 4 + 2 * CTL_ADDR_LEN)
#define CTL_IF_MAXLEN     (CTL_IF_FIXED + CTL_IFNAME_MAX - 1)
#define CTL_RESULT_FIXED  (4 + 2)
#define CTL_RESULT_MAXLEN (CTL_RESULT_FIXED + CTL_RESULT_MAX - 1)
#define CTL_LOG_LEVEL_LEN (1 + 1 + 4)
#define CTL_IKE_SA_FIXED  (2 * (CTL_ADDR_LEN + 2) + 1 + 1 + 3 * 2 + 4 * 8)
#define CTL_IKE_SA_MAXLEN                                             \
	(CTL_IKE_SA_FIXED + CTL_AUTH_MAX - 1 + CTL_PROPOSAL_MAX - 1 + \
	 CTL_IKE_ID_MAX - 1)
#define CTL_CHILD_SA_FIXED (3 * 4 + 2 * 2 + 6 * 8 + 1)
#define CTL_CHILD_SA_MAXLEN \
	(CTL_CHILD_SA_FIXED + CTL_PROPOSAL_MAX - 1 + CTL_DRIVER_MAX - 1)

/*
 * The messages: name, wire value, direction (REQ from dmvpnctl, REP from
 * dmvpnd), minimum and maximum payload length.  Wire values are an ABI:
 * never renumber, append.
 */
#define CTL_MESSAGES(X)                                             \
	X(SHOW_DMVPN, 1, REQ, 0, 0)                                 \
	X(SHOW_PEERS, 2, REQ, 0, 0)                                 \
	X(SHOW_NHS, 3, REQ, 0, 0)                                   \
	X(SHOW_ROUTES, 4, REQ, 0, 0)                                \
	X(SHOW_STATS, 5, REQ, 0, 0)                                 \
	X(SHOW_CONFIG, 6, REQ, 0, 0)                                \
	X(RELOAD, 7, REQ, 0, 0)                                     \
	X(FLUSH, 8, REQ, 0, CTL_ADDR_LEN)                           \
	X(PURGE, 9, REQ, CTL_ADDR_LEN, CTL_ADDR_LEN)                \
	X(LOG_LEVEL, 10, REQ, CTL_LOG_LEVEL_LEN, CTL_LOG_LEVEL_LEN) \
	X(SHOW_IKE, 11, REQ, 0, 0)                                  \
	X(SHOW_SA, 12, REQ, 0, 0)                                   \
	X(PEER, 64, REP, CTL_PEER_FIXED, CTL_PEER_MAXLEN)           \
	X(NHS, 65, REP, CTL_NHS_FIXED, CTL_NHS_MAXLEN)              \
	X(ROUTE, 66, REP, CTL_ROUTE_FIXED, CTL_ROUTE_MAXLEN)        \
	X(STATS, 67, REP, CTL_STAT_FIXED, CTL_STAT_MAXLEN)          \
	X(CONFIG_TEXT, 68, REP, 1, CTL_CONFIG_CHUNK)                \
	X(INTERFACE, 69, REP, CTL_IF_FIXED, CTL_IF_MAXLEN)          \
	X(END, 70, REP, 0, 0)                                       \
	X(RESULT, 71, REP, CTL_RESULT_FIXED, CTL_RESULT_MAXLEN)     \
	X(IKE_SA, 72, REP, CTL_IKE_SA_FIXED, CTL_IKE_SA_MAXLEN)     \
	X(CHILD_SA, 73, REP, CTL_CHILD_SA_FIXED, CTL_CHILD_SA_MAXLEN)

enum ctl_type {
	CTL_NONE = 0,
#define CTL_X_ENUM(name, val, dir, min, max) CTL_##name = val,
	CTL_MESSAGES(CTL_X_ENUM)
#undef CTL_X_ENUM
};

/* Every wire value is below this (ctl_proto.c asserts it). */
#define CTL_TYPE_LIMIT 128

enum ctl_dir {
	CTL_DIR_REQ,
	CTL_DIR_REP,
};

struct ctl_hdr {
	uint16_t version;
	uint16_t type;
	uint32_t len; /* payload bytes after the header */
	uint32_t seq; /* chosen by the client, echoed in replies; 0: none */
};

/* A framed message; payload points into the reader's buffer. */
struct ctl_msg {
	struct ctl_hdr hdr;
	const uint8_t *payload;
};

/*
 * Why a message was refused: the decoder's reasons, also the keys of
 * the server's bad-request counters (`show stats`, section ctl_errors).
 */
#define CTL_ERRORS(X)                                        \
	X(OK, "ok", "no error")                              \
	X(VERSION, "version", "protocol version mismatch")   \
	X(TOO_LONG, "too_long", "message too long")          \
	X(TYPE, "unknown_type", "unknown message type")      \
	X(DIRECTION, "direction", "unexpected message type") \
	X(SHORT, "short", "payload too short for its type")  \
	X(LONG, "long", "payload too long for its type")     \
	X(PAYLOAD, "malformed", "malformed payload")         \
	X(SEQ, "seq", "reply to another request")

enum ctl_err {
#define CTL_X_ENUM(name, key, text) CTL_E_##name,
	CTL_ERRORS(CTL_X_ENUM) CTL_E_MAX
#undef CTL_X_ENUM
};

/* RESULT codes: wire values, an ABI like the message types. */
#define CTL_RESULTS(X)                     \
	X(OK, 0, "ok")                     \
	X(ERROR, 1, "failed")              \
	X(BAD_REQUEST, 2, "bad request")   \
	X(VERSION, 3, "version mismatch")  \
	X(DENIED, 4, "permission denied")  \
	X(UNSUPPORTED, 5, "not supported") \
	X(NOT_FOUND, 6, "not found")       \
	X(BUSY, 7, "too many control clients")

enum ctl_result_code {
#define CTL_X_ENUM(name, val, text) CTL_RES_##name = val,
	CTL_RESULTS(CTL_X_ENUM)
#undef CTL_X_ENUM
};

/* Record field enums, with their JSON names: an API (docs/ctl.md). */
#define CTL_PEER_TYPES(X)       \
	X(STATIC, "static")     \
	X(DYNAMIC, "dynamic")   \
	X(NHS, "nhs")           \
	X(SHORTCUT, "shortcut") \
	X(LOCAL, "local")       \
	X(NEGATIVE, "negative") \
	X(INCOMPLETE, "incomplete")
#define CTL_PEER_STATES(X) \
	X(DOWN, "down")    \
	X(IKE, "ike")      \
	X(NHRP, "nhrp")    \
	X(UP, "up")
#define CTL_NHS_STATES(X)     \
	X(DOWN, "down")       \
	X(PROBING, "probing") \
	X(UP, "up")
#define CTL_ROLES(X)      \
	X(SPOKE, "spoke") \
	X(HUB, "hub")
#define CTL_IKE_STATES(X)                   \
	X(CONNECTING, "connecting")         \
	X(AUTHENTICATING, "authenticating") \
	X(ESTABLISHED, "established")       \
	X(REKEYING, "rekeying")             \
	X(DELETING, "deleting")

enum ctl_peer_type {
#define CTL_X_ENUM(name, str) CTL_PEER_##name,
	CTL_PEER_TYPES(CTL_X_ENUM) CTL_PEER_TYPE_MAX
};
enum ctl_peer_state {
	CTL_PEER_STATES(CTL_X_ENUM) CTL_PEER_STATE_MAX
#undef CTL_X_ENUM
};
enum ctl_nhs_state {
#define CTL_X_ENUM(name, str) CTL_NHS_##name,
	CTL_NHS_STATES(CTL_X_ENUM) CTL_NHS_STATE_MAX
#undef CTL_X_ENUM
};
enum ctl_role {
#define CTL_X_ENUM(name, str) CTL_ROLE_##name,
	CTL_ROLES(CTL_X_ENUM) CTL_ROLE_MAX
#undef CTL_X_ENUM
};
enum ctl_ike_state {
#define CTL_X_ENUM(name, str) CTL_IKE_##name,
	CTL_IKE_STATES(CTL_X_ENUM) CTL_IKE_STATE_MAX
#undef CTL_X_ENUM
};

/* struct ctl_peer flags (Cisco attributes in brackets). */
#define CTL_PEER_F_UNIQUE 0x0001 /* registered with the U bit */
#define CTL_PEER_F_NAT    0x0002 /* NBMA differs from claimed [N] */
#define CTL_PEER_F_USED   0x0004 /* traffic used it recently */
#define CTL_PEER_F_ROUTE  0x0008 /* a route through it is installed [T1] */
#define CTL_PEER_F_ALL    0x000f

/* PEER: one NHRP cache entry (`show peers`, `show dmvpn`). */
struct ctl_peer {
	char ifname[CTL_IFNAME_MAX];
	struct prefix proto; /* tunnel address and prefix length */
	struct addr nbma;
	struct addr claimed_nbma; /* what the peer said; none without NAT */
	struct addr nexthop;      /* shortcut: the peer's tunnel address */
	enum ctl_peer_type type;
	enum ctl_peer_state state;
	uint16_t flags;     /* CTL_PEER_F_* */
	int64_t expires_in; /* seconds, -1 = never */
	uint64_t uptime;    /* seconds up; 0 when not up */
};

/* NHS: one next-hop server (`show nhs`). */
struct ctl_nhs {
	char ifname[CTL_IFNAME_MAX];
	struct addr proto;       /* none until learned */
	struct addr nbma;        /* none until resolved */
	char fqdn[CTL_FQDN_MAX]; /* "" for a numeric NHS */
	enum ctl_nhs_state state;
	uint8_t priority;
	uint8_t cluster;
	uint64_t uptime; /* seconds registered; 0 when not up */
	uint32_t failures;
};

/* ROUTE: a route the daemon wants or installed (`show routes`). */
struct ctl_route {
	struct prefix dst;
	struct addr via; /* none: directly on the interface */
	char ifname[CTL_IFNAME_MAX];
	char protocol[CTL_RTPROTO_MAX];
	uint32_t table;
	bool installed;
};

/*
 * STATS: one counter.  A generic (section, name, value) so a new counter
 * needs no protocol change: the daemon sends rx_by_type, tx_by_type,
 * drops_by_reason and whatever else it counts.
 */
struct ctl_stat {
	char section[CTL_STAT_MAX];
	char name[CTL_STAT_MAX];
	uint64_t value;
};

/* INTERFACE: one tunnel's summary, the head of its `show dmvpn` block. */
struct ctl_interface {
	char ifname[CTL_IFNAME_MAX];
	enum ctl_role role;
	uint32_t peers;
	struct addr nbma;     /* our NBMA address */
	struct prefix tunnel; /* our tunnel address */
};

/*
 * IKE_SA: one IKE SA (`show ike`, `show sa`), followed on the wire by
 * the CHILD_SA records that belong to it.  Strings are cut at their
 * bound; control characters in them are sent as '?' (the remote ID is
 * the peer's to choose, and must not hide an SA from the listing).
 */
struct ctl_ike_sa {
	struct addr local; /* both always set */
	uint16_t local_port;
	struct addr remote;
	uint16_t remote_port;
	enum ctl_ike_state state;
	bool initiator;
	bool nat_local;          /* we are behind a NAT (RFC 7296 2.23) */
	bool nat_remote;         /* the peer is */
	char auth[CTL_AUTH_MAX]; /* "psk", "rsa", ..., "-" */
	char ike_proposal[CTL_PROPOSAL_MAX]; /* "" until negotiated */
	char remote_id[CTL_IKE_ID_MAX];
	uint64_t spi_i;
	uint64_t spi_r;         /* 0 until the responder answered */
	uint64_t established_s; /* seconds; 0 when not established */
	int64_t rekey_in;       /* seconds, -1 = none scheduled */
};

/* CHILD_SA: one ESP SA pair of the IKE SA sent before it. */
struct ctl_child_sa {
	uint32_t spi_in;
	uint32_t spi_out;
	uint32_t reqid;
	char esp_proposal[CTL_PROPOSAL_MAX]; /* "aes256gcm16" */
	char kernel_driver[CTL_DRIVER_MAX];  /* "" when unknown */
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t packets_in;
	uint64_t packets_out;
	uint64_t established_s;
	int64_t rekey_in; /* seconds, -1 = none scheduled */
	bool encap;       /* ESP in UDP 4500 (RFC 3948) */
};

/* RESULT: the outcome of a command, or why a request failed. */
struct ctl_result {
	uint32_t code; /* enum ctl_result_code */
	char message[CTL_RESULT_MAX];
};

/* LOG_LEVEL: the level, and optionally the debug categories to set. */
#define CTL_LOG_F_DEBUG 0x01 /* debug holds the new category mask */
struct ctl_log_level {
	enum log_level level;
	bool set_debug;
	uint32_t debug; /* enum log_cat mask */
};

/* A decoded request, as the server dispatches it and the client sends it. */
struct ctl_request {
	enum ctl_type type;
	uint32_t seq;
	bool has_addr;
	struct addr addr; /* FLUSH (when has_addr), PURGE */
	struct ctl_log_level log;
};

/* ---- ctl_proto.c: names, limits, framing, record codecs ---- */

/* Names of message types, errors, result codes and field values. */
const char *ctl_type_name(unsigned int type);
const char *ctl_err_name(enum ctl_err e);
const char *ctl_err_key(enum ctl_err e);
const char *ctl_result_name(uint32_t code);
const char *ctl_peer_type_name(enum ctl_peer_type t);
const char *ctl_peer_state_name(enum ctl_peer_state s);
const char *ctl_nhs_state_name(enum ctl_nhs_state s);
const char *ctl_role_name(enum ctl_role r);
const char *ctl_ike_state_name(enum ctl_ike_state s);

/* True when type is a known message of direction dir. */
bool ctl_type_valid(unsigned int type, enum ctl_dir dir);

/* Payload bounds of a known type; -1 for an unknown one. */
int ctl_type_bounds(unsigned int type, size_t *min, size_t *max);

/* Write / read the 12-byte header. */
void ctl_hdr_put(struct wbuf *w, const struct ctl_hdr *h);
void ctl_hdr_get(struct buf *b, struct ctl_hdr *h);

/*
 * Check a framed message against the table: known type of direction dir,
 * payload length within its bounds.  CTL_E_OK or the reason.
 */
enum ctl_err ctl_msg_check(const struct ctl_msg *m, enum ctl_dir dir);

/*
 * Incremental framing over a byte stream.  Bytes go in at
 * ctl_reader_space/commit (read(2) straight into it) or ctl_reader_feed;
 * ctl_reader_next pops whole messages, however the stream was split:
 * several per read, or one across many reads.  Version mismatch and a
 * length over CTL_MSG_MAX are fatal (the stream cannot be trusted to be
 * framed); everything else is for ctl_msg_check and the decoders.
 */
struct ctl_reader {
	size_t len;         /* bytes held in buf */
	size_t off;         /* bytes of buf already handed out */
	enum ctl_err err;   /* sticky fatal error */
	struct ctl_hdr bad; /* the header that caused err */
	uint8_t buf[CTL_MSG_MAX];
};

void ctl_reader_init(struct ctl_reader *r);

/*
 * Room to read into: returns where and sets *room (0 only after a fatal
 * error).  Invalidates messages returned earlier.
 */
uint8_t *ctl_reader_space(struct ctl_reader *r, size_t *room);

/* Account n bytes just written at ctl_reader_space(). */
void ctl_reader_commit(struct ctl_reader *r, size_t n);

/* Copy in up to n bytes; returns how many fitted. */
size_t ctl_reader_feed(struct ctl_reader *r, const void *data, size_t n);

/*
 * Pop the next whole message: 1 with *m set (valid until the next
 * space/feed), 0 when more bytes are needed, -1 on a fatal error
 * (*err set; r->bad holds the offending header).
 */
int ctl_reader_next(struct ctl_reader *r, struct ctl_msg *m, enum ctl_err *err);

/* Bytes held but not yet returned as messages. */
size_t ctl_reader_pending(const struct ctl_reader *r);

/*
 * Encoders: append one whole message (header and payload) to w.
 * 0, or -1 when w is full or a value cannot be encoded (bad family or
 * enum); strings longer than their bound are cut at the bound.
 */
int ctl_encode_request(struct wbuf *w, const struct ctl_request *req);
int ctl_encode_peer(struct wbuf *w, uint32_t seq, const struct ctl_peer *p);
int ctl_encode_nhs(struct wbuf *w, uint32_t seq, const struct ctl_nhs *n);
int ctl_encode_route(struct wbuf *w, uint32_t seq, const struct ctl_route *r);
int ctl_encode_stat(struct wbuf *w, uint32_t seq, const struct ctl_stat *s);
int ctl_encode_interface(struct wbuf *w, uint32_t seq,
			 const struct ctl_interface *i);
int ctl_encode_ike_sa(struct wbuf *w, uint32_t seq, const struct ctl_ike_sa *s);
int ctl_encode_child_sa(struct wbuf *w, uint32_t seq,
			const struct ctl_child_sa *s);
int ctl_encode_config_text(struct wbuf *w, uint32_t seq, const void *text,
			   size_t len);
int ctl_encode_end(struct wbuf *w, uint32_t seq);
int ctl_encode_result(struct wbuf *w, uint32_t seq,
		      const struct ctl_result *res);

/*
 * Decoders: m must be of the named type and pass ctl_msg_check.  They
 * read every byte through struct buf, demand the exact length, valid
 * enums and canonical addresses, NUL-terminate strings, and return
 * CTL_E_OK or the reason (CTL_E_PAYLOAD, CTL_E_TYPE).
 */
enum ctl_err ctl_decode_request(const struct ctl_msg *m,
				struct ctl_request *req);
enum ctl_err ctl_decode_peer(const struct ctl_msg *m, struct ctl_peer *p);
enum ctl_err ctl_decode_nhs(const struct ctl_msg *m, struct ctl_nhs *n);
enum ctl_err ctl_decode_route(const struct ctl_msg *m, struct ctl_route *r);
enum ctl_err ctl_decode_stat(const struct ctl_msg *m, struct ctl_stat *s);
enum ctl_err ctl_decode_interface(const struct ctl_msg *m,
				  struct ctl_interface *i);
enum ctl_err ctl_decode_ike_sa(const struct ctl_msg *m, struct ctl_ike_sa *s);
enum ctl_err ctl_decode_child_sa(const struct ctl_msg *m,
				 struct ctl_child_sa *s);
enum ctl_err ctl_decode_result(const struct ctl_msg *m, struct ctl_result *res);

/* ---- ctl_server.c: the daemon side ---- */

struct ev_loop;
struct ctl_server;
struct ctl_conn;

/*
 * What the daemon answers with.  Each handler runs synchronously for one
 * request, sends records with ctl_send_*(), and returns 0 or -1.  The
 * server then ends the exchange if the handler did not: END after a
 * show, RESULT OK after a command, RESULT ERROR after -1.  A handler may
 * end it itself with ctl_send_result() (an error, or a command's message).
 * A NULL handler answers RESULT UNSUPPORTED, except log_level (NULL: the
 * server sets the level itself through log.h) and show_stats (NULL: only
 * the server's own counters); a NULL show_ike says IPsec is not
 * configured.  The server appends its own counters
 * (sections "ctl" and "ctl_errors") to every show stats.
 * Handlers must not free the server.
 */
struct ctl_handlers {
	int (*show_dmvpn)(void *arg, struct ctl_conn *c);
	int (*show_peers)(void *arg, struct ctl_conn *c);
	int (*show_nhs)(void *arg, struct ctl_conn *c);
	int (*show_routes)(void *arg, struct ctl_conn *c);
	int (*show_stats)(void *arg, struct ctl_conn *c);
	int (*show_config)(void *arg, struct ctl_conn *c);
	int (*reload)(void *arg, struct ctl_conn *c);
	/* peer NULL: flush every dynamic entry */
	int (*flush)(void *arg, struct ctl_conn *c, const struct addr *peer);
	int (*purge)(void *arg, struct ctl_conn *c, const struct addr *addr);
	int (*log_level)(void *arg, struct ctl_conn *c,
			 const struct ctl_log_level *req);
	/*
	 * SHOW_IKE and SHOW_SA alike: per IKE SA, ctl_send_ike_sa() then
	 * ctl_send_child_sa() for each of its CHILD SAs.
	 */
	int (*show_ike)(void *arg, struct ctl_conn *c);
	void *arg;
};

#define CTL_MAX_CLIENTS  32
#define CTL_OUTQ_MAX     (4u << 20) /* bytes queued for one client */
#define CTL_IDLE_TIMEOUT 30.0       /* s without progress, then dropped */
#define CTL_GROUP        "dmvpn"

struct ctl_server_conf {
	/* Socket path; NULL for no listener (ctl_server_adopt, tests). */
	const char *path;
	/*
	 * Group allowed besides root: NULL means CTL_GROUP, "" none.  When
	 * the group exists the socket is mode 0660 and owned by it, else
	 * 0600 (only root, or the daemon's own user, can connect).
	 */
	const char *group;
	unsigned int max_clients; /* 0: CTL_MAX_CLIENTS */
	size_t max_outq;          /* 0: CTL_OUTQ_MAX */
	double idle_timeout;      /* 0: CTL_IDLE_TIMEOUT; < 0: none */
};

/* The server's own counters, also sent in every `show stats`. */
struct ctl_server_stats {
	uint64_t accepted;
	uint64_t denied;         /* SO_PEERCRED check failed */
	uint64_t busy;           /* refused: max_clients reached */
	uint64_t requests;       /* well-formed requests dispatched */
	uint64_t bad[CTL_E_MAX]; /* refused requests, by reason */
	uint64_t dropped_slow;   /* output queue over max_outq */
	uint64_t dropped_idle;
	uint64_t clients; /* connected now */
};

/*
 * Listen on conf->path: remove a stale socket file, refuse (errno
 * EADDRINUSE) when another daemon answers on it, EEXIST when the path is
 * not a socket.  NULL with errno set on failure (logged).
 */
struct ctl_server *ctl_server_new(struct ev_loop *loop,
				  const struct ctl_server_conf *conf,
				  const struct ctl_handlers *h);

/* Close every client and the listener, unlink the socket, free. */
void ctl_server_free(struct ctl_server *s);

/*
 * Serve an already connected stream socket (a socketpair, say) as if it
 * had been accepted: same credential check, limits and dispatch.
 * 0, or -1 (fd closed) when refused.
 */
int ctl_server_adopt(struct ctl_server *s, int fd);

const struct ctl_server_stats *ctl_server_stats(const struct ctl_server *s);

/* Records and ends, for handlers: 0, or -1 once the client is lost. */
int ctl_send_peer(struct ctl_conn *c, const struct ctl_peer *p);
int ctl_send_nhs(struct ctl_conn *c, const struct ctl_nhs *n);
int ctl_send_route(struct ctl_conn *c, const struct ctl_route *r);
int ctl_send_stat(struct ctl_conn *c, const char *section, const char *name,
		  uint64_t value);
int ctl_send_interface(struct ctl_conn *c, const struct ctl_interface *i);
int ctl_send_ike_sa(struct ctl_conn *c, const struct ctl_ike_sa *s);
/* A CHILD SA of the IKE SA sent last; -1 when none was sent yet. */
int ctl_send_child_sa(struct ctl_conn *c, const struct ctl_child_sa *s);
/* Any length: cut into CONFIG_TEXT chunks. */
int ctl_send_config(struct ctl_conn *c, const char *text, size_t len);
int ctl_send_end(struct ctl_conn *c);
int ctl_send_result(struct ctl_conn *c, enum ctl_result_code code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The client's credentials (SO_PEERCRED); -1 for a detached conn. */
int ctl_conn_cred(const struct ctl_conn *c, pid_t *pid, uid_t *uid, gid_t *gid);

/*
 * Test and fuzz seam: a connection with no socket.  Bytes given to
 * ctl_conn_input are framed and dispatched as if read from a client;
 * replies queue up until ctl_conn_output drains them.  ctl_conn_input
 * returns -1 once the server would have closed the connection.
 */
struct ctl_conn *ctl_conn_detached(struct ctl_server *s);
int ctl_conn_input(struct ctl_conn *c, const void *data, size_t len);
size_t ctl_conn_output(struct ctl_conn *c, void *out, size_t cap);
void ctl_conn_free(struct ctl_conn *c);

/*
 * The credential policy, pure for tests: root, the daemon's own user
 * (self) and members of group allowed (the peer's gid or one of its
 * supplementary groups; (gid_t)-1: no group) may connect.
 */
bool ctl_cred_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
		      uid_t self, gid_t allowed);

/* ---- ctl_client.c: dmvpnctl's side ---- */

/* Every reply to one request, decoded. */
struct ctl_replies {
	struct ctl_interface *ifs;
	size_t n_ifs;
	struct ctl_peer *peers;
	size_t n_peers;
	struct ctl_nhs *nhs;
	size_t n_nhs;
	struct ctl_route *routes;
	size_t n_routes;
	struct ctl_stat *stats;
	size_t n_stats;
	struct ctl_ike_sa *ike_sas;
	size_t n_ike_sas;
	struct ctl_child_sa *child_sas;
	/*
	 * Per CHILD SA, its IKE SA's index in ike_sas.  Wire order, so it
	 * never decreases: each IKE SA's CHILD SAs are together.
	 */
	size_t *child_ike;
	size_t n_child_sas;
	char *config; /* NUL-terminated; config_len excludes it */
	size_t config_len;
	bool ended;      /* END seen */
	bool has_result; /* RESULT seen */
	struct ctl_result result;
};

#define CTL_CLIENT_TIMEOUT_MS 5000

/* Connect to the daemon's socket; the fd, or -1 with errno set. */
int ctl_client_connect(const char *path);

/*
 * Send req (seq is set by the caller, non-zero) and collect the replies
 * until END or RESULT, within timeout_ms in all.  0 on a complete
 * answer, -1 with a message in err (timeout, lost daemon, bad reply).
 */
int ctl_client_call(int fd, const struct ctl_request *req, int timeout_ms,
		    struct ctl_replies *out, char *err, size_t errlen);

/*
 * Add one reply message for request seq to r: 1 when it ended the
 * answer, 0 when more follow, -1 with *e set when it is not a valid reply.
 */
int ctl_replies_add(struct ctl_replies *r, uint32_t seq,
		    const struct ctl_msg *m, enum ctl_err *e);

/* Free what r holds and zero it (r may be NULL). */
void ctl_replies_free(struct ctl_replies *r);

/* ---- ctl_parser.c: dmvpnctl's command tree (after ikectl) ---- */

enum ctl_token_type {
	CTL_TOK_NONE,       /* end of a table: more words are required */
	CTL_TOK_END,        /* end of a table: the command may end here */
	CTL_TOK_KEYWORD,    /* a word, matched by unique prefix */
	CTL_TOK_LEVEL,      /* a log level keyword; arg is the level */
	CTL_TOK_ADDRESS,    /* an IPv4 or IPv6 address */
	CTL_TOK_CATEGORIES, /* a debug category list, or "none" */
};

struct ctl_token {
	enum ctl_token_type type;
	const char *keyword;  /* KEYWORD, LEVEL: the word; else for help */
	enum ctl_type action; /* request chosen on match, CTL_NONE: none */
	int arg;
	const struct ctl_token *next;
};

/* The root of dmvpnctl's tree. */
extern const struct ctl_token ctl_commands[];

/*
 * Parse argv against the tree at root into req (seq left 0).  0, or -1
 * with a message in err ("ambiguous argument 'p': peers, purge").
 */
int ctl_parse(const struct ctl_token *root, int argc, char *const argv[],
	      struct ctl_request *req, char *err, size_t errlen);

/* ---- ctl_output_text.c, ctl_output_json.c: what dmvpnctl prints ---- */

/*
 * One backend per format (bgpctl's struct output): each prints the
 * collected replies of one show, or a command's result, to out and
 * returns 0, or -1 on a write error.
 */
struct ctl_output {
	int (*dmvpn)(FILE *out, const struct ctl_replies *r);
	int (*peers)(FILE *out, const struct ctl_replies *r);
	int (*nhs)(FILE *out, const struct ctl_replies *r);
	int (*routes)(FILE *out, const struct ctl_replies *r);
	int (*stats)(FILE *out, const struct ctl_replies *r);
	int (*config)(FILE *out, const struct ctl_replies *r);
	int (*ike)(FILE *out, const struct ctl_replies *r);
	int (*sa)(FILE *out, const struct ctl_replies *r);
	int (*result)(FILE *out, const struct ctl_result *res);
};

extern const struct ctl_output ctl_output_text;
extern const struct ctl_output ctl_output_json;

/*
 * A duration as IOS prints it: "00:05:12" under a day, "1d02h" under a
 * week, "2w3d" beyond; "never" for negative values.  out: 16 bytes.
 */
const char *ctl_fmt_duration(int64_t secs, char *out, size_t outlen);

/* The Cisco `show dmvpn` attributes of a peer ("D", "SN", "DT1"). */
const char *ctl_peer_attrs(const struct ctl_peer *p, char *out, size_t outlen);

#endif /* DMVPN_CTL_H */
