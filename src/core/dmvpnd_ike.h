/*
 * What dmvpnd_ike.c (the IKE edge: configuration, UDP, the NHRP and IKE
 * hand-over, dmvpnctl) and dmvpnd_xfrm.c (the XFRM side of the engine's
 * intents, reconciliation, kernel events) share.  Only the dmvpnd program
 * sees it.
 */
#ifndef DMVPND_IKE_H
#define DMVPND_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "dmvpn/addr.h"
#include "dmvpn/ike.h"
#include "dmvpnd.h"

struct xfrm_sock;
struct ike_creds;

#define IKE_REQID_BASE  0x444d0000u /* "DM": ours, easy to spot */
#define IKE_REQID_COUNT 65536u
/*
 * Inbound SPIs come from this range (not strongSwan's c0000000-cfffffff):
 * an ALLOCSPI larval SA has no reqid yet, and the range is how a start
 * after kill -9 knows which of those are ours.
 */
#define OUR_SPI_MIN   0xd4000000u
#define OUR_SPI_MAX   0xd7ffffffu
#define IKE_QUEUE_MAX 4096
#define NSOCK         4 /* v4/500, v4/4500, v6/500, v6/4500 */

/* Something one engine asked of the other, delivered later. */
enum glue_kind {
	GLUE_CONNECT, /* NHRP -> IKE */
	GLUE_RELEASE,
	GLUE_UP, /* IKE -> NHRP */
	GLUE_DOWN,
};

struct glue_item {
	enum glue_kind kind;
	const struct tunnel *t; /* CONNECT, RELEASE: who asks (a key only) */
	struct addr local, remote;
};

/*
 * A tunnel's NHRP wants IPsec to remote.  NHRP repeats a request that
 * got nowhere; each tunnel counts once with the engine, however often
 * it asks, until it releases.
 */
struct ike_want {
	struct list_node link;
	const struct tunnel *t;
	struct addr remote;
};

struct ike_sock {
	struct ike_daemon *id;
	int fd;
	int family;
	uint16_t port;
	ev_io io;
};

struct ike_daemon {
	struct daemon *d;
	struct ike_engine *e;
	struct ike_creds *creds;
	struct ike_authz *authz;
	struct xfrm_sock *xfrm;
	struct xfrm_sock *xfrm_ev;
	ev_io xfrm_io;
	struct ike_sock sock[NSOCK];
	ev_timer deadline;
	ev_timer glue_timer;
	struct glue_item *queue;
	size_t qhead, qlen;
	char *crypto_text; /* /proc/crypto at start, for `show sa` */
	size_t crypto_len;
	bool wildcard[2]; /* v4, v6 wildcard policies installed */
	uint64_t xfrm_overruns;
	uint64_t xfrm_errors;
	uint64_t udp_errors;
	struct list_node wants; /* struct ike_want */
};

/* dmvpnd_ike.c */
void ike_glue_push(struct ike_daemon *id, enum glue_kind kind,
		   const struct tunnel *t, const struct addr *local,
		   const struct addr *remote);
void ike_arm(struct ike_daemon *id);

/* dmvpnd_xfrm.c */
int ikex_install_sa(struct ike_daemon *id, const struct ike_child_sa *c,
		    bool in);
void ikex_peer_policies(struct ike_daemon *id, const struct addr *local,
			const struct addr *remote, uint32_t reqid, bool add);
void ikex_del_sa(struct ike_daemon *id, const struct addr *src,
		 const struct addr *dst, uint32_t spi);
int ikex_alloc_spi(void *ctx, const struct addr *local,
		   const struct addr *remote, uint32_t *spi);
/*
 * Make the kernel hold exactly what we want of our reqid range (with
 * want_ours false: nothing); larval: also our ALLOCSPI larval SAs.
 */
void ikex_reconcile(struct ike_daemon *id, bool want_ours, bool larval);
void ikex_wildcards(struct ike_daemon *id, int family, bool add);
void ikex_on_readable(struct ev_loop *loop, ev_io *w, int revents);
void ikex_sa_counters(struct ike_daemon *id, const struct addr *dst,
		      uint32_t spi, uint64_t *bytes, uint64_t *packets);

#endif /* DMVPND_IKE_H */
