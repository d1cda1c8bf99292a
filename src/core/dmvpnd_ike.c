/*
 * The daemon's IKE edge: the `ike` block turned into the engine's
 * configuration, the UDP 500/4500 sockets (RFC 3948 marker and
 * keepalives), the XFRM side of the engine's intents (SAs, per-peer and
 * wildcard policies, ALLOCSPI, ACQUIRE/EXPIRE/MAPPING), and the hand-over
 * between NHRP ("bring up IPsec to X") and IKE ("IPsec to X is up").
 *
 * NHRP and IKE never call each other directly: what one asks of the other
 * is queued and delivered from a zero timer, outside both engines, as
 * each engine's ops may not call back into an engine.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/xfrm.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "dmvpn/ctl.h"
#include "dmvpn/ike.h"
#include "dmvpn/ike_crypto.h"
#include "dmvpn/ike_wire.h"
#include "dmvpn/log.h"
#include "dmvpn/xfrm.h"
#include "dmvpnd_ike.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

/* --- configuration ------------------------------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A DN as written in dmvpn.conf, "C=CH, O=Example, CN=hub": components
 * left to right in DER order (as strongSwan writes them), `,` between
 * them (`\,` for a comma inside a value).
 */
static int
dn_der(const char *text, uint8_t *out, size_t cap, size_t *len)
{
	X509_NAME *name = X509_NAME_new();
	char buf[IKE_ID_MAX], *p = buf, *field, *val;
	unsigned char *der = NULL;
	int n, rc = -1;
	size_t i, k = 0;

	if (name == NULL || strlen(text) >= sizeof(buf))
		goto out;
	/* Split on unescaped commas into NUL-separated components. */
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] == '\\' && text[i + 1] != '\0')
			buf[k++] = text[++i];
		else if (text[i] == ',')
			buf[k++] = '\0';
		else
			buf[k++] = text[i];
	}
	buf[k] = '\0';
	while (p < buf + k + 1) {
		size_t l = strlen(p);

		field = p;
		while (*field == ' ')
			field++;
		val = strchr(field, '=');
		if (val == NULL)
			goto out;
		*val++ = '\0';
		if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
					       (const unsigned char *)val, -1,
					       -1, 0) != 1)
			goto out;
		p += l + 1;
	}
	n = i2d_X509_NAME(name, &der);
	if (n <= 0 || (size_t)n > cap)
		goto out;
	memcpy(out, der, (size_t)n);
	*len = (size_t)n;
	rc = 0;
out:
	OPENSSL_free(der);
	X509_NAME_free(name);
	return rc;
}

/* struct conf_id -> struct ike_id (the wire form). */
static int
make_id(const struct conf_id *c, struct ike_id *id, const char **why)
{
	size_t len = 0, i;

	memset(id, 0, sizeof(*id));
	id->type = c->type;
	switch (c->type) {
	case CONF_ID_DEFAULT:
		return 0;
	case CONF_ID_IPV4_ADDR:
	case CONF_ID_IPV6_ADDR:
		memcpy(id->data, c->addr.bytes, c->addr.len);
		id->len = c->addr.len;
		return 0;
	case CONF_ID_FQDN:
	case CONF_ID_RFC822_ADDR:
		len = strlen(c->value);
		if (len > sizeof(id->data))
			break;
		memcpy(id->data, c->value, len);
		id->len = (uint16_t)len;
		return 0;
	case CONF_ID_DER_ASN1_DN:
		if (dn_der(c->value, id->data, sizeof(id->data), &len) == -1)
			break;
		id->len = (uint16_t)len;
		return 0;
	case CONF_ID_KEY_ID:
		len = strlen(c->value);
		if (len % 2 != 0 || len / 2 > sizeof(id->data))
			break;
		for (i = 0; i < len / 2; i++) {
			int hi = hexval(c->value[2 * i]);
			int lo = hexval(c->value[2 * i + 1]);

			if (hi < 0 || lo < 0)
				goto bad;
			id->data[i] = (uint8_t)(hi << 4 | lo);
		}
		id->len = (uint16_t)(len / 2);
		return 0;
	default:
		break;
	}
bad:
	*why = "identity cannot be encoded";
	return -1;
}

/* The pre-shared key: the file's bytes less a trailing newline. */
static int
read_psk(const char *path, uint8_t *psk, size_t *len, const char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd == -1) {
		*why = "psk-file cannot be read";
		return -1;
	}
	n = read(fd, psk, IKE_PSK_MAX);
	close(fd);
	while (n > 0 && (psk[n - 1] == '\n' || psk[n - 1] == '\r'))
		n--;
	if (n <= 0) {
		*why = "psk-file is empty";
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

static void
proposal(struct ike_proposal *p, const struct conf_proposal *c)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->encr = c->encr;
	p->encr_bits = c->encr_bits;
	p->integ = c->integ;
	p->prf = c->prf;
	for (i = 0; i < c->ndh && i < IKE_MAX_DH; i++)
		p->dh[i] = c->dh[i];
	p->ndh = i;
}

/*
 * `esp-proposal auto`: AES-GCM first where an accelerated GCM driver is
 * bound, AES-CBC with HMAC-SHA-256 first where only Padlock is (VIA
 * Padlock has no GCM), from /proc/crypto.
 */
static void
esp_auto(struct ike_daemon *id, struct ike_conf *c)
{
	struct ike_proposal gcm = {.encr = IKE_ENCR_AES_GCM_16,
				   .encr_bits = 256};
	struct ike_proposal cbc = {.encr = IKE_ENCR_AES_CBC,
				   .encr_bits = 256,
				   .integ = IKE_INTEG_HMAC_SHA2_256_128};
	const char *why = "no /proc/crypto";
	enum xfrm_esp_order o = XFRM_ESP_GCM_FIRST;

	if (id->crypto_text != NULL)
		o = xfrm_crypto_esp_order(id->crypto_text, id->crypto_len,
					  &why);
	c->esp[0] = o == XFRM_ESP_CBC_FIRST ? cbc : gcm;
	c->esp[1] = o == XFRM_ESP_CBC_FIRST ? gcm : cbc;
	c->nesp = 2;
	log_info("ike: ESP proposals %s first: %s",
		 o == XFRM_ESP_CBC_FIRST ? "AES-CBC/HMAC-SHA-256" : "AES-GCM",
		 why);
}

static int
make_conf(struct ike_daemon *id, const struct conf_ike *ci, struct ike_conf *c,
	  const char **why)
{
	size_t i, j;

	ike_conf_defaults(c);
	for (i = 0; i < ci->nike && i < IKE_MAX_PROPS; i++)
		proposal(&c->ike[i], &ci->ike[i]);
	c->nike = i;
	if (ci->esp_auto) {
		esp_auto(id, c);
	} else {
		for (i = 0; i < ci->nesp && i < IKE_MAX_PROPS; i++)
			proposal(&c->esp[i], &ci->esp[i]);
		c->nesp = i;
	}
	c->ike_lifetime = ci->ike_lifetime;
	c->esp_lifetime = ci->esp_lifetime;
	c->dpd = ci->dpd;
	c->nat_keepalive = ci->nat_keepalive;
	c->retransmit_tries = ci->retransmit_tries;
	c->half_open_limit = ci->half_open_limit;
	c->half_open_per_source = ci->half_open_per_source;
	c->reqid_base = IKE_REQID_BASE;
	c->reqid_count = IKE_REQID_COUNT;
	c->seed = (uint32_t)getpid();
	if (ci->psk_file != NULL &&
	    read_psk(ci->psk_file, c->psk, &c->psk_len, why) == -1)
		return -1;
	if (ci->certificate != NULL) {
		id->creds = ike_creds_new();
		if (id->creds == NULL ||
		    ike_creds_load(id->creds, ci->certificate, ci->private_key,
				   ci->ca, ci->crl, why) == -1)
			return -1;
		c->creds = id->creds;
	} else if (ci->ca != NULL) {
		/* A PSK router may still verify certificates of others. */
		id->creds = ike_creds_new();
		if (id->creds == NULL ||
		    ike_creds_load(id->creds, NULL, NULL, ci->ca, ci->crl,
				   why) == -1)
			return -1;
		c->creds = id->creds;
	}
	if (make_id(&ci->identity, &c->local_id, why) == -1)
		return -1;
	if (ci->identity.type == CONF_ID_DEFAULT && ci->certificate != NULL) {
		/* Our certificate's subject (RFC 7296 3.5 ID_DER_ASN1_DN). */
		const uint8_t *der;
		const unsigned char *p;
		size_t len;
		X509 *x = NULL;
		unsigned char *out = NULL;
		int n;

		if (ike_creds_own_der(id->creds, 0, &der, &len) == 0) {
			p = der;
			x = d2i_X509(NULL, &p, (long)len);
		}
		n = x != NULL ? i2d_X509_NAME(X509_get_subject_name(x), &out)
			      : -1;
		if (n > 0 && (size_t)n <= sizeof(c->local_id.data)) {
			c->local_id.type = IKE_ID_DER_ASN1_DN;
			c->local_id.len = (uint16_t)n;
			memcpy(c->local_id.data, out, (size_t)n);
		}
		OPENSSL_free(out);
		X509_free(x);
	}
	if (ci->nauthorize > 0) {
		id->authz = calloc(ci->nauthorize, sizeof(*id->authz));
		if (id->authz == NULL) {
			*why = "out of memory";
			return -1;
		}
		for (i = 0; i < ci->nauthorize; i++) {
			const struct conf_authorize *a = &ci->authorize[i];

			if (make_id(&a->id, &id->authz[i].id, why) == -1)
				return -1;
			for (j = 0; j < a->nprefixes && j < IKE_MAX_AUTHZ; j++)
				id->authz[i].prefixes[j] = a->prefixes[j];
			id->authz[i].nprefixes = j;
		}
		c->authz = id->authz;
		c->nauthz = ci->nauthorize;
	}
	return 0;
}

/* --- the NHRP <-> IKE queue ------------------------------------------------
 */

void
ike_glue_push(struct ike_daemon *id, enum glue_kind kind,
	      const struct tunnel *t, const struct addr *local,
	      const struct addr *remote)
{
	struct glue_item *g;

	if (id->qlen >= IKE_QUEUE_MAX) {
		log_warnx("ike: NHRP/IKE queue full, dropping a request");
		return;
	}
	g = &id->queue[(id->qhead + id->qlen++) % IKE_QUEUE_MAX];
	g->kind = kind;
	g->t = t;
	g->local = *local;
	g->remote = *remote;
	if (!ev_is_active(&id->glue_timer)) {
		ev_timer_set(&id->glue_timer, 0., 0.);
		ev_timer_start(id->d->loop, &id->glue_timer);
	}
}

static struct ike_want *
want_find(struct ike_daemon *id, const struct glue_item *g)
{
	struct ike_want *w;

	list_for_each_entry(w, &id->wants, link)
		if (w->t == g->t && addr_eq(&w->remote, &g->remote))
			return w;
	return NULL;
}

/* NHRP asks for IPsec: a new user for the engine, or the same again. */
static int
want_add(struct ike_daemon *id, const struct glue_item *g)
{
	double now = ev_now(id->d->loop);
	struct ike_want *w = want_find(id, g);

	if (w != NULL)
		return ike_connect_again(id->e, now, &g->local, &g->remote);
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->t = g->t;
	w->remote = g->remote;
	list_add_tail(&id->wants, &w->link);
	if (ike_connect(id->e, now, &g->local, &g->remote) == -1) {
		list_del(&w->link);
		free(w);
		return -1;
	}
	return 0;
}

static void
want_del(struct ike_daemon *id, const struct glue_item *g)
{
	struct ike_want *w = want_find(id, g);

	if (w == NULL)
		return;
	list_del(&w->link);
	free(w);
	ike_release(id->e, ev_now(id->d->loop), &g->remote);
}

static void
on_glue(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ike_daemon *id = container_of(w, struct ike_daemon, glue_timer);
	struct tunnel *t;
	double now = ev_now(loop);

	(void)revents;
	while (id->qlen > 0) {
		struct glue_item g = id->queue[id->qhead];

		id->qhead = (id->qhead + 1) % IKE_QUEUE_MAX;
		id->qlen--;
		switch (g.kind) {
		case GLUE_CONNECT:
			if (want_add(id, &g) == -1)
				ike_glue_push(id, GLUE_DOWN, NULL, &g.local,
					      &g.remote);
			break;
		case GLUE_RELEASE:
			want_del(id, &g);
			break;
		case GLUE_UP:
		case GLUE_DOWN:
			list_for_each_entry(t, &id->d->tunnels, link) {
				if (t->nhrp == NULL || !t->conf->ipsec ||
				    !addr_eq(&t->local_nbma, &g.local))
					continue;
				if (g.kind == GLUE_UP)
					nhrp_ipsec_up(t->nhrp, now, &g.remote);
				else
					nhrp_ipsec_down(t->nhrp, now,
							&g.remote);
				tunnel_arm(t);
			}
			break;
		}
	}
	ike_arm(id);
}

void
daemon_ike_nhrp(struct daemon *d, const struct tunnel *t,
		const struct addr *local, const struct addr *remote, bool up)
{
	if (d->ike == NULL) {
		/* No IKE: the path is as up as it will ever be. */
		return;
	}
	ike_glue_push(d->ike, up ? GLUE_CONNECT : GLUE_RELEASE, t, local,
		      remote);
}

bool
daemon_ike_authorized(struct daemon *d, const struct addr *nbma,
		      const struct addr *proto)
{
	return d->ike == NULL || ike_peer_authorized(d->ike->e, nbma, proto);
}

static void
op_intent(void *ctx, const struct ike_intent *in)
{
	struct ike_daemon *id = ctx;
	const struct ike_child_sa *c = in->child;
	char rs[ADDR_STRLEN];

	switch (in->type) {
	case IKE_I_CHILD_ADD:
		/* Inbound first: the peer may send as soon as it has its. */
		if (ikex_install_sa(id, c, true) == 0 && !c->inbound_only)
			ikex_install_sa(id, c, false);
		ikex_peer_policies(id, &c->path.local.addr,
				   &c->path.remote.addr, c->reqid, true);
		log_dbg(DBG_XFRM, "ike: CHILD SA with %s: in %08x out %08x",
			addr_fmt(&c->path.remote.addr, rs), c->spi_in,
			c->spi_out);
		break;
	case IKE_I_CHILD_OUT:
		ikex_install_sa(id, c, false);
		break;
	case IKE_I_CHILD_DEL:
		ikex_del_sa(id, &c->path.remote.addr, &c->path.local.addr,
			    c->spi_in);
		if (c->spi_out != 0)
			ikex_del_sa(id, &c->path.local.addr,
				    &c->path.remote.addr, c->spi_out);
		break;
	case IKE_I_POLICY_DEL:
		ikex_peer_policies(id, &in->local, &in->remote, in->reqid,
				   false);
		break;
	case IKE_I_PEER_UP:
		ike_glue_push(id, GLUE_UP, NULL, &in->local, &in->remote);
		break;
	case IKE_I_PEER_DOWN:
		ike_glue_push(id, GLUE_DOWN, NULL, &in->local, &in->remote);
		break;
	}
}

/* --- UDP 500 / 4500 ---------------------------------------------------------
 */

static int
sock_open(struct ike_sock *s, int family, uint16_t port)
{
	int one = 1, fd, encap = UDP_ENCAP_ESPINUDP;

	s->fd = -1;
	s->family = family;
	s->port = port;
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET,
					  .sin_port = htons(port)};

		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ==
			    -1 ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			goto fail;
	} else {
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
					    .sin6_port = htons(port)};

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			       sizeof(one)) == -1 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
			       sizeof(one)) == -1 ||
		    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == -1)
			goto fail;
	}
	/* RFC 3948: the kernel takes ESP in UDP off this socket itself. */
	if (port == IKE_NATT_PORT &&
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)) == -1)
		goto fail;
	if (xfrm_socket_bypass(fd, family) == -1)
		goto fail;
	s->fd = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

static void
on_udp(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ike_sock *s = container_of(w, struct ike_sock, io);
	struct ike_daemon *id = s->id;
	uint8_t buf[IKE_MAX_MSG];
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct sockaddr_storage ss;
	struct ike_path path;
	struct ike_peek pk;
	struct cmsghdr *cm;
	struct iovec iov;
	struct msghdr mh;
	const char *why;
	ssize_t n;
	int i;

	(void)revents;
	for (i = 0; i < 64; i++) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		mh.msg_name = &ss;
		mh.msg_namelen = sizeof(ss);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		n = recvmsg(s->fd, &mh, 0);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				id->udp_errors++;
			break;
		}
		memset(&path, 0, sizeof(path));
		path.local.port = s->port;
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)&ss;

			addr_from_bytes(&path.remote.addr, &sin->sin_addr, 4);
			path.remote.port = ntohs(sin->sin_port);
		} else {
			const struct sockaddr_in6 *sin6 = (const void *)&ss;

			addr_from_bytes(&path.remote.addr, &sin6->sin6_addr,
					16);
			path.remote.port = ntohs(sin6->sin6_port);
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				addr_from_bytes(&path.local.addr, &pi.ipi_addr,
						4);
			} else if (cm->cmsg_level == IPPROTO_IPV6 &&
				   cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				addr_from_bytes(&path.local.addr, &pi.ipi6_addr,
						16);
			}
		}
		if (addr_is_none(&path.local.addr))
			continue;
		if (ike_peek(buf, (size_t)n, s->port == IKE_NATT_PORT, &pk,
			     &why) == -1) {
			log_dbg(DBG_IKE, "ike: datagram from %s: %s",
				addr_fmt(&path.remote.addr,
					 (char[ADDR_STRLEN]){0}),
				why);
			/* The engine counts what it is given. */
			if (pk.kind == IKE_DGRAM_IKE)
				ike_recv(id->e, ev_now(loop), &path,
					 buf + pk.off, (size_t)n - pk.off);
			continue;
		}
		if (pk.kind != IKE_DGRAM_IKE)
			continue; /* keepalive; ESP is the kernel's */
		ike_recv(id->e, ev_now(loop), &path, buf + pk.off,
			 (size_t)n - pk.off);
	}
	ike_arm(id);
}

static void
op_send(void *ctx, const struct ike_path *path, const uint8_t *pkt, size_t len)
{
	struct ike_daemon *id = ctx;
	struct ike_sock *s = NULL;
	static const uint8_t marker[IKE_NON_ESP_LEN] = {0};
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct sockaddr_storage ss;
	struct iovec iov[2];
	struct msghdr mh;
	struct cmsghdr *cm;
	size_t i;
	int family = path->remote.addr.family;

	for (i = 0; i < NSOCK; i++)
		if (id->sock[i].fd != -1 && id->sock[i].family == family &&
		    id->sock[i].port == path->local.port)
			s = &id->sock[i];
	if (s == NULL) {
		id->udp_errors++;
		return;
	}
	memset(&mh, 0, sizeof(mh));
	memset(&ss, 0, sizeof(ss));
	memset(&cbuf, 0, sizeof(cbuf));
	i = 0;
	/* RFC 3948 2.2: IKE on 4500 after a zero marker; not keepalives. */
	if (s->port == IKE_NATT_PORT && !(len == 1 && pkt[0] == 0xff)) {
		iov[i].iov_base = (void *)(uintptr_t)marker;
		iov[i++].iov_len = sizeof(marker);
	}
	iov[i].iov_base = (void *)(uintptr_t)pkt;
	iov[i++].iov_len = len;
	mh.msg_iov = iov;
	mh.msg_iovlen = i;
	mh.msg_name = &ss;
	mh.msg_control = cbuf.b;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)&ss;
		struct in_pktinfo pi;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(path->remote.port);
		memcpy(&sin->sin_addr, path->remote.addr.bytes, 4);
		mh.msg_namelen = sizeof(*sin);
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi_spec_dst, path->local.addr.bytes, 4);
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else {
		struct sockaddr_in6 *sin6 = (void *)&ss;
		struct in6_pktinfo pi;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(path->remote.port);
		memcpy(&sin6->sin6_addr, path->remote.addr.bytes, 16);
		mh.msg_namelen = sizeof(*sin6);
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi6_addr, path->local.addr.bytes, 16);
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	if (sendmsg(s->fd, &mh, 0) == -1) {
		id->udp_errors++;
		log_dbg(DBG_IKE, "ike: send to %s: %s",
			addr_fmt(&path->remote.addr, (char[ADDR_STRLEN]){0}),
			strerror(errno));
	}
}

/* --- the engine's deadline --------------------------------------------------
 */

void
ike_arm(struct ike_daemon *id)
{
	double at = ike_next_deadline(id->e);

	ev_timer_stop(id->d->loop, &id->deadline);
	if (at < 0)
		return;
	at -= ev_now(id->d->loop);
	ev_timer_set(&id->deadline, at > 0 ? at : 0, 0.);
	ev_timer_start(id->d->loop, &id->deadline);
}

static void
on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ike_daemon *id = container_of(w, struct ike_daemon, deadline);

	(void)revents;
	ike_tick(id->e, ev_now(loop));
	ike_arm(id);
}

/* --- start and stop ----------------------------------------------------------
 */

/*
 * Without an ike block: what an IPsec run of ours left behind (kill -9,
 * then IPsec taken out of the configuration) must not keep dropping GRE.
 */
static void
cleanup_stale(void)
{
	struct ike_daemon tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.xfrm = xfrm_open();
	if (tmp.xfrm == NULL)
		return; /* no XFRM in this kernel: nothing of ours either */
	ikex_reconcile(&tmp, false, true);
	xfrm_close(tmp.xfrm);
}

int
daemon_ike_start(struct daemon *d)
{
	const struct conf_ike *ci = &d->conf->ike;
	struct ike_ops ops = {.send = op_send,
			      .intent = op_intent,
			      .alloc_spi = ikex_alloc_spi};
	struct ike_daemon *id;
	struct ike_conf c;
	const char *why = NULL;
	size_t i, ok = 0;

	if (!ci->present) {
		cleanup_stale();
		return 0;
	}
	id = calloc(1, sizeof(*id));
	if (id == NULL ||
	    (id->queue = calloc(IKE_QUEUE_MAX, sizeof(*id->queue))) == NULL) {
		free(id);
		log_error("ike: out of memory");
		return -1;
	}
	id->d = d;
	d->ike = id;
	list_init(&id->wants);
	for (i = 0; i < NSOCK; i++)
		id->sock[i].fd = -1;
	ev_timer_init(&id->deadline, on_deadline, 0., 0.);
	ev_timer_init(&id->glue_timer, on_glue, 0., 0.);
	if (xfrm_crypto_read(NULL, &id->crypto_text, &id->crypto_len) == -1)
		id->crypto_text = NULL;
	if (make_conf(id, ci, &c, &why) == -1) {
		log_error("ike: %s", why);
		OPENSSL_cleanse(&c, sizeof(c));
		return -1;
	}
	id->xfrm = xfrm_open();
	id->xfrm_ev = xfrm_open_events(XFRM_GRP(XFRMNLGRP_ACQUIRE) |
					       XFRM_GRP(XFRMNLGRP_EXPIRE) |
					       XFRM_GRP(XFRMNLGRP_MAPPING),
				       4 << 20);
	if (id->xfrm == NULL || id->xfrm_ev == NULL) {
		log_error("ike: XFRM netlink: %s (is the xfrm_user module "
			  "available?)",
			  strerror(errno));
		OPENSSL_cleanse(&c, sizeof(c));
		return -1;
	}
	ops.ctx = id;
	id->e = ike_engine_new(&c, &ops, ev_now(d->loop), &why);
	OPENSSL_cleanse(&c, sizeof(c));
	if (id->e == NULL) {
		log_error("ike: %s", why);
		return -1;
	}
	for (i = 0; i < NSOCK; i++) {
		struct ike_sock *s = &id->sock[i];

		s->id = id;
		if (sock_open(s, i < 2 ? AF_INET : AF_INET6,
			      i % 2 == 0 ? IKE_PORT : IKE_NATT_PORT) == -1) {
			/* No IPv6 on the box is fine; no IPv4 IKE is not. */
			if (i < 2) {
				log_error("ike: UDP port %u: %s",
					  i % 2 == 0 ? IKE_PORT : IKE_NATT_PORT,
					  strerror(errno));
				return -1;
			}
			continue;
		}
		ok++;
		ev_io_init(&s->io, on_udp, s->fd, EV_READ);
		ev_io_start(d->loop, &s->io);
	}
	/* The wildcards, and what a previous run left (kill -9) goes. */
	id->wildcard[0] = true;
	id->wildcard[1] = id->sock[2].fd != -1;
	ikex_wildcards(id, AF_INET, true);
	if (id->wildcard[1])
		ikex_wildcards(id, AF_INET6, true);
	ikex_reconcile(id, true, true);
	ev_io_init(&id->xfrm_io, ikex_on_readable, xfrm_fd(id->xfrm_ev),
		   EV_READ);
	ev_io_start(d->loop, &id->xfrm_io);
	log_info("ike: listening on UDP %u and %u (%zu sockets), %s", IKE_PORT,
		 IKE_NATT_PORT, ok,
		 ci->certificate != NULL ? "certificates" : "pre-shared key");
	return 0;
}

void
daemon_ike_stop(struct daemon *d)
{
	struct ike_daemon *id = d->ike;
	size_t i;

	if (id == NULL)
		return;
	/* Deletes to every peer, SAs and peer policies out (intents). */
	if (id->e != NULL)
		ike_engine_free(id->e, ev_now(d->loop));
	id->e = NULL;
	/* After the engine: its last intents queued for NHRP, gone now. */
	ev_timer_stop(d->loop, &id->deadline);
	ev_timer_stop(d->loop, &id->glue_timer);
	if (id->xfrm != NULL) {
		id->wildcard[0] = id->wildcard[1] = false;
		ikex_reconcile(id, false, true);
	}
	if (id->xfrm_ev != NULL) {
		ev_io_stop(d->loop, &id->xfrm_io);
		xfrm_close(id->xfrm_ev);
	}
	xfrm_close(id->xfrm);
	for (i = 0; i < NSOCK; i++) {
		if (id->sock[i].fd == -1)
			continue;
		ev_io_stop(d->loop, &id->sock[i].io);
		close(id->sock[i].fd);
	}
	while (!list_empty(&id->wants)) {
		struct ike_want *w =
			list_first_entry(&id->wants, struct ike_want, link);

		list_del(&w->link);
		free(w);
	}
	ike_creds_free(id->creds);
	free(id->authz);
	free(id->queue);
	free(id->crypto_text);
	free(id);
	d->ike = NULL;
}

/* --- dmvpnctl ------------------------------------------------------------ */

struct show {
	struct ike_daemon *id;
	struct ctl_conn *c;
};

static enum ctl_ike_state
ctl_state(enum ike_sa_state s)
{
	switch (s) {
	case IKE_SA_CONNECTING:
		return CTL_IKE_CONNECTING;
	case IKE_SA_AUTHING:
		return CTL_IKE_AUTHENTICATING;
	case IKE_SA_REKEYING:
		return CTL_IKE_REKEYING;
	case IKE_SA_DELETING:
		return CTL_IKE_DELETING;
	default:
		return CTL_IKE_ESTABLISHED;
	}
}

static int
show_one(const struct ike_sa_info *i, void *arg)
{
	struct show *sh = arg;
	struct ike_daemon *id = sh->id;
	struct ctl_ike_sa r;
	size_t k;

	memset(&r, 0, sizeof(r));
	r.local = i->path.local.addr;
	r.local_port = i->path.local.port;
	r.remote = i->path.remote.addr;
	r.remote_port = i->path.remote.port;
	r.state = ctl_state(i->state);
	r.initiator = i->initiator;
	r.nat_local = i->nat_local;
	r.nat_remote = i->nat_remote;
	snprintf(r.auth, sizeof(r.auth), "%s", i->auth);
	snprintf(r.ike_proposal, sizeof(r.ike_proposal), "%s", i->ike_proposal);
	snprintf(r.remote_id, sizeof(r.remote_id), "%s", i->remote_id);
	r.spi_i = i->spi_i;
	r.spi_r = i->spi_r;
	r.established_s = (uint64_t)i->established_s;
	r.rekey_in = i->rekey_in < 0 ? -1 : (int64_t)i->rekey_in;
	if (ctl_send_ike_sa(sh->c, &r) == -1)
		return -1;
	for (k = 0; k < i->nchild; k++) {
		const struct ike_child_info *ci = &i->child[k];
		struct xfrm_crypto_driver drv = {0};
		struct ctl_child_sa cr;
		/* The generic name the kernel binds a driver to (rfc4106...).
		 */
		const char *alg = strstr(ci->esp_proposal, "gcm") != NULL
					  ? "rfc4106(gcm(aes))"
					  : "cbc(aes)";

		memset(&cr, 0, sizeof(cr));
		cr.spi_in = ci->spi_in;
		cr.spi_out = ci->spi_out;
		cr.reqid = ci->reqid;
		snprintf(cr.esp_proposal, sizeof(cr.esp_proposal), "%s",
			 ci->esp_proposal);
		if (id->crypto_text != NULL &&
		    xfrm_crypto_lookup(id->crypto_text, id->crypto_len, alg,
				       &drv) == 0)
			snprintf(cr.kernel_driver, sizeof(cr.kernel_driver),
				 "%s", drv.driver);
		ikex_sa_counters(id, &i->path.local.addr, ci->spi_in,
				 &cr.bytes_in, &cr.packets_in);
		ikex_sa_counters(id, &i->path.remote.addr, ci->spi_out,
				 &cr.bytes_out, &cr.packets_out);
		cr.established_s = (uint64_t)ci->established_s;
		cr.rekey_in = ci->rekey_in < 0 ? -1 : (int64_t)ci->rekey_in;
		cr.encap = ci->encap;
		if (ctl_send_child_sa(sh->c, &cr) == -1)
			return -1;
	}
	return 0;
}

int
daemon_ike_show(struct daemon *d, struct ctl_conn *c)
{
	struct show sh = {d->ike, c};

	if (d->ike == NULL || d->ike->e == NULL)
		return ctl_send_result(
			c, CTL_RES_UNSUPPORTED,
			"IPsec is not configured (no ike block)");
	/* The kernel driver names change only with modules: read them again. */
	free(d->ike->crypto_text);
	if (xfrm_crypto_read(NULL, &d->ike->crypto_text, &d->ike->crypto_len) ==
	    -1)
		d->ike->crypto_text = NULL;
	return ike_foreach_sa(d->ike->e, ev_now(d->loop), show_one, &sh) != 0
		       ? -1
		       : 0;
}

int
daemon_ike_send_stats(struct daemon *d, struct ctl_conn *c)
{
	const struct ike_stats *st;
	int i;

	if (d->ike == NULL || d->ike->e == NULL)
		return 0;
	st = ike_stats(d->ike->e);
#define IKE_STAT(name) ctl_send_stat(c, "ike", #name, st->name)
	IKE_STAT(rx);
	IKE_STAT(tx);
	IKE_STAT(retransmits);
	IKE_STAT(ike_sas_established);
	IKE_STAT(ike_sas_failed);
	IKE_STAT(child_sas_installed);
	IKE_STAT(ike_rekeys);
	IKE_STAT(child_rekeys);
	IKE_STAT(cookies_sent);
	IKE_STAT(dpd_dead);
	IKE_STAT(auth_failures);
	IKE_STAT(registrations_refused);
#undef IKE_STAT
	for (i = 0; i < IKE_DROP_MAX; i++)
		if (ctl_send_stat(c, "ike_drops",
				  ike_drop_name((enum ike_drop)i),
				  st->drops[i]) == -1)
			return -1;
	ctl_send_stat(c, "ike", "xfrm_errors", d->ike->xfrm_errors);
	ctl_send_stat(c, "ike", "xfrm_overruns", d->ike->xfrm_overruns);
	return ctl_send_stat(c, "ike", "udp_errors", d->ike->udp_errors);
}
