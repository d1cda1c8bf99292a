/*
 * The IKEv2 engine's internals, shared by ike_engine.c (tables, timers,
 * sending, dispatch) and the exchange files: ike_sa_init.c (IKE_SA_INIT,
 * cookies, NAT detection), ike_sa_auth.c (IKE_AUTH, the first CHILD SA,
 * simultaneous initiation) and ike_child.c (CREATE_CHILD_SA rekeys and
 * their collisions, INFORMATIONAL: Delete and liveness).
 */
#ifndef DMVPN_IKE_INT_H
#define DMVPN_IKE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/heap.h"
#include "dmvpn/htab.h"
#include "dmvpn/ike.h"
#include "dmvpn/ike_crypto.h"
#include "dmvpn/ike_wire.h"
#include "dmvpn/list.h"

#define IKE_NONCE_LEN     32    /* ours: twice the 128-bit strength (2.10) */
#define IKE_MAX_FRAGS     32    /* RFC 7383: more is refused */
#define IKE_BUF_MAX       8192  /* one message before fragmentation */
#define IKE_HALF_OPEN_TTL 30.0  /* s a half-open SA may wait for IKE_AUTH */
#define IKE_COOKIE_SECRET 120.0 /* s between cookie secret changes */
#define IKE_DELETE_WAIT   10.0  /* s an SA in DELETING waits for the answer */
#define IKE_REKEY_JITTER  0.1   /* rekey up to 10 % early, at random */

enum ike_timer_kind {
	IKE_T_RETRANSMIT, /* our outstanding request */
	IKE_T_EXPIRE,     /* half-open or deleting SA gives up */
	IKE_T_REKEY_IKE,
	IKE_T_REKEY_CHILD,
	IKE_T_DPD,
	IKE_T_KEEPALIVE,
	IKE_T_COOKIE, /* engine: rotate the cookie secret */
};

struct ike_sa;

struct ike_timer {
	struct heap_node hn;
	uint8_t kind;
	struct ike_sa *sa; /* NULL for engine timers */
};

/* What our outstanding request is for, to handle its response. */
enum ike_req_kind {
	IKE_REQ_NONE,
	IKE_REQ_INIT,
	IKE_REQ_AUTH,
	IKE_REQ_REKEY_CHILD,
	IKE_REQ_REKEY_IKE,
	IKE_REQ_DELETE_CHILD,
	IKE_REQ_DELETE_IKE,
	IKE_REQ_DPD,
};

/* A message as sent: one datagram, or its RFC 7383 fragments. */
struct ike_wiremsg {
	uint8_t *frag[IKE_MAX_FRAGS];
	size_t len[IKE_MAX_FRAGS];
	size_t nfrag;
};

/* A CHILD SA: ESP transport, GRE, host to host. */
struct ike_child {
	uint32_t spi_in;  /* allocated by us */
	uint32_t spi_out; /* the peer's */
	struct ike_child_keys keys;
	bool installed;
	bool out_pending; /* inbound SA in, outbound not yet (rekey) */
	double established;
	double rekey_at;
	/* Rekeying this one (REKEY_SA) or being rekeyed: its successor. */
	bool rekeying;
};

#define IKE_MAX_CHILDREN 3 /* current, and the ones of crossing rekeys */

/* Fragments of one message being reassembled (RFC 7383 2.6). */
struct ike_reasm {
	uint32_t msgid;
	bool response;
	uint16_t total;
	uint16_t have;
	uint8_t first; /* inner Next Payload of fragment 1 */
	uint8_t *part[IKE_MAX_FRAGS];
	size_t part_len[IKE_MAX_FRAGS];
};

/*
 * A rekey under way (CREATE_CHILD_SA).  Ours: the nonce and DH of our
 * request, and the SPI the new SA gets.  The peer's crossing one (RFC
 * 7296 2.8.1-2.8.2): its two nonces and what it created, so that once
 * both are done the one with the lowest nonce can go.
 */
struct ike_rekey {
	uint8_t nonce[IKE_NONCE_LEN];
	struct ike_dh *dh;
	uint32_t new_spi_in;    /* child rekey: our SPI of the new SA */
	struct ike_sa *new_sa;  /* IKE rekey: the new SA, not yet keyed */
	uint32_t old_spi_in;    /* child rekey: the SA being rekeyed */
	uint32_t delete_spi_in; /* DELETE_CHILD: the one going */
	bool collided;
	uint8_t peer_ni[IKE_NONCE_MAX], our_nr[IKE_NONCE_MAX];
	size_t peer_ni_len, our_nr_len;
	uint32_t peer_child_spi_in; /* the CHILD SA its exchange created */
	uint64_t peer_sa_spi;       /* our SPI of the IKE SA it created */
};

struct ike_sa {
	struct hnode by_spi;  /* our SPI */
	struct hnode by_init; /* responder: (remote, SPIi) of IKE_SA_INIT */
	struct list_node all;
	struct list_node peer_link; /* the SAs of one peer */
	struct ike_peer *peer;

	uint64_t spi_i, spi_r;
	bool initiator; /* the original initiator: the key direction */
	struct ike_path path;
	enum ike_sa_state state;
	double created;
	double established;
	double last_rx;

	struct ike_suite suite;
	struct ike_keys keys;
	bool keyed;
	struct ike_dh *dh;
	uint16_t dh_group; /* what we offer / chose */
	uint8_t nonce_i[IKE_NONCE_MAX], nonce_r[IKE_NONCE_MAX];
	size_t nonce_i_len, nonce_r_len;
	uint8_t cookie[IKE_COOKIE_MAX]; /* initiator: to send back */
	size_t cookie_len;
	/* The IKE_SA_INIT messages, signed over in IKE_AUTH (2.15). */
	uint8_t *init_req, *init_resp;
	size_t init_req_len, init_resp_len;

	/* Message IDs (2.2): window of one each way. */
	uint32_t next_msgid; /* our next request */
	uint32_t peer_msgid; /* the peer's next request */
	enum ike_req_kind req;
	struct ike_wiremsg req_sent;
	unsigned int req_tries;
	struct ike_wiremsg resp_sent; /* for the peer's retransmissions */
	uint32_t resp_msgid;
	bool have_resp;
	struct ike_reasm reasm;

	/* What the peer said it supports (IKE_SA_INIT). */
	bool frag_ok;
	unsigned int sighash_mask;
	bool certreq; /* the peer asked for certificates */
	bool nat_local, nat_remote;

	/* The peer's identity, once authenticated. */
	struct ike_id peer_id;
	uint8_t auth_method;
	X509 *peer_cert;

	struct ike_child child[IKE_MAX_CHILDREN];
	size_t nchild;
	struct ike_rekey rekey;
	const char *delete_why; /* a Delete waits for our request's answer */
	bool loser;             /* simultaneous initiation: this one goes */

	struct ike_timer t_retx, t_expire, t_rekey_ike, t_rekey_child, t_dpd,
		t_keepalive;
};

/* A peer (remote NBMA address): its SAs, reqid and who wants it. */
struct ike_peer {
	struct hnode hn;
	struct addr remote;
	struct addr local;
	uint32_t reqid;
	unsigned int wants; /* ike_connect() minus ike_release() */
	struct list_node sas;
	bool policies; /* the per-peer policies are installed */
	bool held;     /* a caller walks its SAs: do not free it yet */
	bool up;       /* NHRP heard IKE_I_PEER_UP, and no DOWN since */
};

struct ike_engine {
	struct ike_conf conf;
	struct ike_ops ops;
	struct heap timers;
	struct htab sas_by_spi;
	struct htab sas_by_init;
	struct htab peers;
	struct list_node sas;
	size_t half_open;
	struct ike_stats stats;
	uint8_t cookie_secret[32], cookie_prev[32];
	bool have_prev_secret;
	struct ike_timer t_cookie;
	uint8_t *reqid_used; /* one byte per reqid of the range */
	bool stopping;       /* ike_engine_free() under way */
	uint32_t rand_state;
	/*
	 * Scratch space.  A received message's decrypted payloads stay in
	 * rx_plain while its handler builds the answer in plain and buf.
	 */
	uint8_t buf[IKE_BUF_MAX];
	uint8_t plain[IKE_BUF_MAX];
	uint8_t rx_plain[IKE_MAX_FRAGS * 1500];
};

/* ike_engine.c */
void ike_timer_set(struct ike_engine *e, struct ike_timer *t, double at);
void ike_timer_del(struct ike_engine *e, struct ike_timer *t);
void ike_random(struct ike_engine *e, void *buf, size_t len);
double ike_jitter(struct ike_engine *e, double t);
void ike_intent(struct ike_engine *e, const struct ike_intent *in);

struct ike_sa *ike_sa_new(struct ike_engine *e, double now,
			  const struct ike_path *path, bool initiator);
void ike_sa_set_spi_r(struct ike_engine *e, struct ike_sa *sa, uint64_t spi);
void ike_sa_destroy(struct ike_engine *e, double now, struct ike_sa *sa,
		    const char *why);
struct ike_peer *ike_peer_get(struct ike_engine *e, const struct addr *local,
			      const struct addr *remote);
struct ike_peer *ike_peer_find(const struct ike_engine *e,
			       const struct addr *remote);
void ike_peer_attach(struct ike_peer *p, struct ike_sa *sa);
struct ike_sa *ike_sa_by_init(const struct ike_engine *e,
			      const struct addr *remote, uint16_t port,
			      uint64_t spi_i);
int ike_sa_index_init(struct ike_engine *e, struct ike_sa *sa);
struct ike_sa *ike_peer_sa(const struct ike_peer *p);

/* Protected messages: encrypt inner chain m (fragmenting), send, keep. */
int ike_send_request(struct ike_engine *e, double now, struct ike_sa *sa,
		     uint8_t exchange, struct ike_msg *inner,
		     enum ike_req_kind kind);
int ike_send_response(struct ike_engine *e, double now, struct ike_sa *sa,
		      uint8_t exchange, uint32_t msgid, struct ike_msg *inner);
/* A plain (unencrypted) message: IKE_SA_INIT and its answers. */
int ike_send_plain(struct ike_engine *e, const struct ike_path *path,
		   const struct ike_msg *m, struct ike_wiremsg *keep);
void ike_wiremsg_free(struct ike_wiremsg *w);
void ike_wiremsg_resend(struct ike_engine *e, const struct ike_sa *sa,
			const struct ike_wiremsg *w);
void ike_request_done(struct ike_engine *e, struct ike_sa *sa);
/* The first error Notify (type below 16384) of m, or NULL. */
const struct ike_pld *ike_error_notify(const struct ike_msg *m);

/* The CHILD SA intents. */
void ike_child_install(struct ike_engine *e, struct ike_sa *sa,
		       struct ike_child *c);
/* The ike_child_sa of CHILD SA c of sa, as the CHILD_ADD intent has it. */
void ike_child_sa_of(const struct ike_engine *e, const struct ike_sa *sa,
		     const struct ike_child *c, struct ike_child_sa *cs);
void ike_child_install_in(struct ike_engine *e, struct ike_sa *sa,
			  struct ike_child *c);
void ike_child_install_pending(struct ike_engine *e, struct ike_sa *sa);
void ike_child_remove(struct ike_engine *e, struct ike_sa *sa,
		      struct ike_child *c);
void ike_sa_peer_up(struct ike_engine *e, double now, struct ike_sa *sa);
/* NHRP hears "down" when no SA of the peer has a CHILD SA left. */
void ike_peer_down_check(struct ike_engine *e, struct ike_peer *p);
void ike_sa_move(struct ike_engine *e, struct ike_sa *sa,
		 const struct ike_path *np);

/* Proposals. */
void ike_add_ike_proposals(const struct ike_engine *e, struct ike_msg *m,
			   struct ike_pld *sa, uint16_t first_dh,
			   const uint8_t *spi, size_t spi_len);
int ike_choose_ike(const struct ike_engine *e, const struct ike_msg *m,
		   const struct ike_pld *sa, uint16_t ke_group,
		   struct ike_suite *out, const struct ike_prop **chosen,
		   uint16_t *want_group);
void ike_add_esp_proposals(const struct ike_engine *e, struct ike_msg *m,
			   struct ike_pld *sa, uint32_t spi, uint16_t dh);
int ike_choose_esp(const struct ike_engine *e, const struct ike_msg *m,
		   const struct ike_pld *sa, uint16_t ke_group,
		   struct ike_esp_suite *out, uint32_t *peer_spi,
		   uint16_t *want_group);
void ike_add_chosen(struct ike_msg *m, struct ike_pld *sa, uint8_t proto,
		    uint8_t num, const void *spi, size_t spi_len, uint16_t encr,
		    uint16_t keybits, uint16_t prf, uint16_t integ,
		    uint16_t dh);
void ike_suite_str(const struct ike_suite *s, char *out, size_t n);
void ike_esp_suite_str(const struct ike_esp_suite *s, char *out, size_t n);

/* ike_sa_init.c */
int ike_initiate(struct ike_engine *e, double now, struct ike_peer *p);
void ike_handle_init_request(struct ike_engine *e, double now,
			     const struct ike_path *path,
			     const struct ike_msg *m, const uint8_t *pkt,
			     size_t len);
void ike_handle_init_response(struct ike_engine *e, double now,
			      struct ike_sa *sa, const struct ike_msg *m,
			      const uint8_t *pkt, size_t len);
void ike_cookie_rotate(struct ike_engine *e, double now);

/* ike_sa_auth.c */
int ike_send_auth(struct ike_engine *e, double now, struct ike_sa *sa);
void ike_handle_auth_request(struct ike_engine *e, double now,
			     struct ike_sa *sa, const struct ike_msg *m);
void ike_handle_auth_response(struct ike_engine *e, double now,
			      struct ike_sa *sa, const struct ike_msg *m);
int ike_child_keys_for(struct ike_engine *e, struct ike_sa *sa,
		       struct ike_child *c, const struct ike_esp_suite *s,
		       const uint8_t *gir, size_t girlen, const uint8_t *ni,
		       size_t nilen, const uint8_t *nr, size_t nrlen);
bool ike_ts_acceptable(const struct ike_msg *m, const struct ike_pld *tsp);
void ike_add_gre_ts(struct ike_msg *m, const struct addr *i,
		    const struct addr *r);
void ike_sa_settle(struct ike_engine *e, double now, struct ike_sa *sa);

/* ike_child.c */
void ike_rekey_child_start(struct ike_engine *e, double now, struct ike_sa *sa);
void ike_rekey_ike_start(struct ike_engine *e, double now, struct ike_sa *sa);
void ike_handle_create_child_request(struct ike_engine *e, double now,
				     struct ike_sa *sa,
				     const struct ike_msg *m);
void ike_handle_create_child_response(struct ike_engine *e, double now,
				      struct ike_sa *sa,
				      const struct ike_msg *m);
void ike_handle_info_request(struct ike_engine *e, double now,
			     struct ike_sa *sa, const struct ike_msg *m);
void ike_handle_info_response(struct ike_engine *e, double now,
			      struct ike_sa *sa, const struct ike_msg *m);
void ike_delete_sa(struct ike_engine *e, double now, struct ike_sa *sa,
		   const char *why);
void ike_dpd_start(struct ike_engine *e, double now, struct ike_sa *sa);
void ike_schedule_rekeys(struct ike_engine *e, double now, struct ike_sa *sa);

#endif /* DMVPN_IKE_INT_H */
