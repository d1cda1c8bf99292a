/*
 * libFuzzer target for the control server's input side: arbitrary bytes
 * from a client go through framing, table checks, request decoding and
 * dispatch to handlers that answer with every kind of record, exactly as
 * from a socket (ctl_conn_detached is the socket-less seam).
 *
 * The first input byte picks how the rest is split into reads (0: one
 * read; n: reads of n bytes), so partial requests are explored too.
 * Every reply the server queues must then frame, pass the reply table
 * and decode: the server must never emit what dmvpnctl would refuse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "dmvpn/ctl.h"
#include "dmvpn/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctl_peer
sample_peer(int i)
{
	struct ctl_peer p;

	memset(&p, 0, sizeof(p));
	memcpy(p.ifname, "gre1", 5);
	prefix_parse(&p.proto, i ? "10.0.0.2/32" : "fd00::2/128");
	addr_parse(&p.nbma, i ? "198.51.100.2" : "2001:db8::2");
	p.type = i ? CTL_PEER_DYNAMIC : CTL_PEER_SHORTCUT;
	p.state = CTL_PEER_UP;
	p.flags = CTL_PEER_F_NAT;
	p.expires_in = -1;
	return p;
}

static int
h_peers(void *arg, struct ctl_conn *c)
{
	struct ctl_peer p0 = sample_peer(0), p1 = sample_peer(1);

	(void)arg;
	return ctl_send_peer(c, &p0) | ctl_send_peer(c, &p1);
}

/* show ike / show sa: an IKE SA with one CHILD SA, then one without. */
static int
h_ike(void *arg, struct ctl_conn *c)
{
	struct ctl_ike_sa sa;
	struct ctl_child_sa ch;

	(void)arg;
	memset(&sa, 0, sizeof(sa));
	addr_parse(&sa.local, "192.0.2.1");
	addr_parse(&sa.remote, "198.51.100.2");
	sa.local_port = sa.remote_port = 500;
	sa.state = CTL_IKE_ESTABLISHED;
	memcpy(sa.auth, "psk", 4);
	memcpy(sa.ike_proposal, "aes256gcm16-prfsha256-x25519", 29);
	sa.spi_i = 0x0123456789abcdefull;
	sa.rekey_in = -1;
	memset(&ch, 0, sizeof(ch));
	ch.spi_in = 0xd4000001u;
	ch.spi_out = 0xd5000002u;
	memcpy(ch.esp_proposal, "aes256gcm16", 12);
	ch.rekey_in = 30;
	if (ctl_send_ike_sa(c, &sa) == -1 || ctl_send_child_sa(c, &ch) == -1)
		return -1;
	sa.state = CTL_IKE_CONNECTING;
	return ctl_send_ike_sa(c, &sa);
}

static int
h_dmvpn(void *arg, struct ctl_conn *c)
{
	struct ctl_interface ifc;
	struct ctl_peer p = sample_peer(1);

	(void)arg;
	memset(&ifc, 0, sizeof(ifc));
	memcpy(ifc.ifname, "gre1", 5);
	ifc.role = CTL_ROLE_SPOKE;
	prefix_parse(&ifc.tunnel, "10.0.0.10/24");
	return ctl_send_interface(c, &ifc) | ctl_send_peer(c, &p);
}

static int
h_nhs(void *arg, struct ctl_conn *c)
{
	struct ctl_nhs n;

	(void)arg;
	memset(&n, 0, sizeof(n));
	memset(n.fqdn, 'h', sizeof(n.fqdn)); /* unterminated: cut */
	n.state = CTL_NHS_PROBING;
	return ctl_send_nhs(c, &n);
}

static int
h_routes(void *arg, struct ctl_conn *c)
{
	struct ctl_route r;

	(void)arg;
	memset(&r, 0, sizeof(r));
	prefix_parse(&r.dst, "10.1.0.0/16");
	memcpy(r.protocol, "nhrp", 5);
	ctl_send_route(c, &r);
	return ctl_send_result(c, CTL_RES_NOT_FOUND, "%s", "no table");
}

static int
h_stats(void *arg, struct ctl_conn *c)
{
	(void)arg;
	return ctl_send_stat(c, "rx_by_type", "registration-request", 1);
}

static int
h_config(void *arg, struct ctl_conn *c)
{
	static char text[CTL_CONFIG_CHUNK * 2 + 7];

	(void)arg;
	memset(text, 'c', sizeof(text));
	return ctl_send_config(c, text, sizeof(text));
}

static int
h_reload(void *arg, struct ctl_conn *c)
{
	(void)arg;
	(void)c;
	return -1;
}

static int
h_flush(void *arg, struct ctl_conn *c, const struct addr *peer)
{
	char s[ADDR_STRLEN];

	(void)arg;
	if (peer == NULL)
		return 0;
	return ctl_send_result(c, CTL_RES_OK, "flushed %s", addr_fmt(peer, s));
}

static void
quiet(enum log_level level, const char *msg, void *arg)
{
	(void)level;
	(void)msg;
	(void)arg;
}

static struct ctl_server *
server(void)
{
	static struct ctl_server *srv;
	static const struct ctl_handlers h = {
		.show_dmvpn = h_dmvpn,
		.show_peers = h_peers,
		.show_nhs = h_nhs,
		.show_routes = h_routes,
		.show_stats = h_stats,
		.show_config = h_config,
		.show_ike = h_ike,
		.reload = h_reload,
		.flush = h_flush,
		/* purge: unsupported; log_level: the server's default */
	};
	struct ctl_server_conf conf;

	if (srv == NULL) {
		log_set_sink(quiet, NULL);
		memset(&conf, 0, sizeof(conf));
		srv = ctl_server_new(ev_default_loop(0), &conf, &h);
		if (srv == NULL)
			abort();
	}
	return srv;
}

/* Every queued reply must be one dmvpnctl accepts. */
static void
check_output(struct ctl_conn *c, struct ctl_reader *rd)
{
	struct ctl_replies rep;
	struct ctl_msg m;
	enum ctl_err e;
	size_t n, room;
	uint8_t *p;
	int rc;

	for (;;) {
		p = ctl_reader_space(rd, &room);
		if ((n = ctl_conn_output(c, p, room)) == 0)
			break;
		ctl_reader_commit(rd, n);
		memset(&rep, 0, sizeof(rep));
		while ((rc = ctl_reader_next(rd, &m, &e)) == 1)
			if (ctl_replies_add(&rep, m.hdr.seq, &m, &e) == -1)
				abort();
		ctl_replies_free(&rep);
		if (rc == -1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl_reader rd;
	struct ctl_server *srv = server();
	struct ctl_conn *c;
	size_t chunk, off = 1, n;

	if (size < 1)
		return 0;
	chunk = data[0] == 0 ? size : data[0];
	if ((c = ctl_conn_detached(srv)) == NULL)
		abort();
	ctl_reader_init(&rd);
	while (off < size) {
		n = size - off < chunk ? size - off : chunk;
		if (ctl_conn_input(c, data + off, n) == -1) {
			check_output(c, &rd);
			break;
		}
		check_output(c, &rd);
		off += n;
	}
	if (ctl_reader_pending(&rd) != 0)
		abort(); /* a reply cut short */
	ctl_conn_free(c);
	/* The level the default LOG_LEVEL handler may have set. */
	log_set_level(LOG_LVL_INFO);
	log_dbg_disable(DBG_ALL);
	return 0;
}
