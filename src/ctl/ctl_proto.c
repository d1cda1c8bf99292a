/*
 * The control protocol's codec: the message table, framing over a byte
 * stream, and the record encoders and decoders.  Pure: no I/O, no
 * globals but constant tables.  Every byte goes through struct buf/wbuf.
 */
#include <string.h>
#include <sys/socket.h>

#include "dmvpn/ctl.h"

/* Wire address families: ours, not the OS's AF_* values. */
#define CTL_AF_NONE  0
#define CTL_AF_INET  4
#define CTL_AF_INET6 6

#define CTL_ROUTE_F_INSTALLED 0x01

#define CTL_IKE_F_INITIATOR  0x01
#define CTL_IKE_F_NAT_LOCAL  0x02
#define CTL_IKE_F_NAT_REMOTE 0x04
#define CTL_IKE_F_ALL        0x07
#define CTL_CHILD_F_ENCAP    0x01

struct ctl_type_info {
	const char *name;
	enum ctl_dir dir;
	uint32_t min;
	uint32_t max;
	bool known;
};

static const struct ctl_type_info ctl_types[CTL_TYPE_LIMIT] = {
#define CTL_X_INFO(name, val, dir, min, max) \
	[val] = {#name, CTL_DIR_##dir, min, max, true},
	CTL_MESSAGES(CTL_X_INFO)
#undef CTL_X_INFO
};

/* Every bound fits a frame, so the reader can always hold a valid one. */
#define CTL_X_ASSERT(name, val, dir, min, max)                               \
	_Static_assert((min) <= (max) && (max) <= CTL_MSG_MAX - CTL_HDR_LEN, \
		       "bad bounds for " #name);                             \
	_Static_assert((val) > 0 && (val) < CTL_TYPE_LIMIT,                  \
		       "wire value out of range for " #name);
CTL_MESSAGES(CTL_X_ASSERT)
#undef CTL_X_ASSERT

/* LOG_LEVEL carries enum log_level as a number. */
_Static_assert(LOG_LVL_ERROR == 0 && LOG_LVL_DEBUG == 3,
	       "log levels are wire values");

static const struct {
	const char *key;
	const char *text;
} ctl_errs[CTL_E_MAX] = {
#define CTL_X_ERR(name, key, text) [CTL_E_##name] = {key, text},
	CTL_ERRORS(CTL_X_ERR)
#undef CTL_X_ERR
};

/* Types and states share the CTL_PEER_ prefix, so one X serves both. */
#define CTL_X_NAME(name, str) [CTL_PEER_##name] = str,
static const char *const peer_type_names[] = {CTL_PEER_TYPES(CTL_X_NAME)};
static const char *const peer_state_names[] = {CTL_PEER_STATES(CTL_X_NAME)};
#undef CTL_X_NAME
static const char *const nhs_state_names[] = {
#define CTL_X_NAME(name, str) [CTL_NHS_##name] = str,
	CTL_NHS_STATES(CTL_X_NAME)
#undef CTL_X_NAME
};
static const char *const role_names[] = {
#define CTL_X_NAME(name, str) [CTL_ROLE_##name] = str,
	CTL_ROLES(CTL_X_NAME)
#undef CTL_X_NAME
};
static const char *const ike_state_names[] = {
#define CTL_X_NAME(name, str) [CTL_IKE_##name] = str,
	CTL_IKE_STATES(CTL_X_NAME)
#undef CTL_X_NAME
};

/* ---- names ---- */

const char *
ctl_type_name(unsigned int type)
{
	if (type >= CTL_TYPE_LIMIT || !ctl_types[type].known)
		return "UNKNOWN";
	return ctl_types[type].name;
}

const char *
ctl_err_name(enum ctl_err e)
{
	if ((unsigned int)e >= CTL_E_MAX)
		return "unknown error";
	return ctl_errs[e].text;
}

const char *
ctl_err_key(enum ctl_err e)
{
	if ((unsigned int)e >= CTL_E_MAX)
		return "unknown";
	return ctl_errs[e].key;
}

const char *
ctl_result_name(uint32_t code)
{
	switch (code) {
#define CTL_X_RES(name, val, text) \
	case val:                  \
		return text;
		CTL_RESULTS(CTL_X_RES)
#undef CTL_X_RES
	}
	return "error";
}

const char *
ctl_peer_type_name(enum ctl_peer_type t)
{
	if ((unsigned int)t >= CTL_PEER_TYPE_MAX)
		return "unknown";
	return peer_type_names[t];
}

const char *
ctl_peer_state_name(enum ctl_peer_state s)
{
	if ((unsigned int)s >= CTL_PEER_STATE_MAX)
		return "unknown";
	return peer_state_names[s];
}

const char *
ctl_nhs_state_name(enum ctl_nhs_state s)
{
	if ((unsigned int)s >= CTL_NHS_STATE_MAX)
		return "unknown";
	return nhs_state_names[s];
}

const char *
ctl_role_name(enum ctl_role r)
{
	if ((unsigned int)r >= CTL_ROLE_MAX)
		return "unknown";
	return role_names[r];
}

const char *
ctl_ike_state_name(enum ctl_ike_state s)
{
	if ((unsigned int)s >= CTL_IKE_STATE_MAX)
		return "unknown";
	return ike_state_names[s];
}

bool
ctl_type_valid(unsigned int type, enum ctl_dir dir)
{
	return type < CTL_TYPE_LIMIT && ctl_types[type].known &&
	       ctl_types[type].dir == dir;
}

int
ctl_type_bounds(unsigned int type, size_t *min, size_t *max)
{
	if (type >= CTL_TYPE_LIMIT || !ctl_types[type].known)
		return -1;
	*min = ctl_types[type].min;
	*max = ctl_types[type].max;
	return 0;
}

/* ---- header and framing ---- */

void
ctl_hdr_put(struct wbuf *w, const struct ctl_hdr *h)
{
	buf_put_be16(w, h->version);
	buf_put_be16(w, h->type);
	buf_put_be32(w, h->len);
	buf_put_be32(w, h->seq);
}

void
ctl_hdr_get(struct buf *b, struct ctl_hdr *h)
{
	h->version = buf_get_be16(b);
	h->type = buf_get_be16(b);
	h->len = buf_get_be32(b);
	h->seq = buf_get_be32(b);
}

enum ctl_err
ctl_msg_check(const struct ctl_msg *m, enum ctl_dir dir)
{
	const struct ctl_type_info *ti;

	if (m->hdr.version != CTL_VERSION)
		return CTL_E_VERSION;
	if (m->hdr.len > CTL_MSG_MAX - CTL_HDR_LEN)
		return CTL_E_TOO_LONG;
	if (m->hdr.type >= CTL_TYPE_LIMIT || !ctl_types[m->hdr.type].known)
		return CTL_E_TYPE;
	ti = &ctl_types[m->hdr.type];
	if (ti->dir != dir)
		return CTL_E_DIRECTION;
	if (m->hdr.len < ti->min)
		return CTL_E_SHORT;
	if (m->hdr.len > ti->max)
		return CTL_E_LONG;
	return CTL_E_OK;
}

void
ctl_reader_init(struct ctl_reader *r)
{
	r->len = 0;
	r->off = 0;
	r->err = CTL_E_OK;
	memset(&r->bad, 0, sizeof(r->bad));
}

uint8_t *
ctl_reader_space(struct ctl_reader *r, size_t *room)
{
	/*
	 * Move what is left of a partial message to the front: the bytes
	 * are appended after it (OpenNHRP's admin socket read over them).
	 */
	if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	*room = r->err != CTL_E_OK ? 0 : sizeof(r->buf) - r->len;
	return r->buf + r->len;
}

void
ctl_reader_commit(struct ctl_reader *r, size_t n)
{
	if (n > sizeof(r->buf) - r->len)
		n = sizeof(r->buf) - r->len;
	r->len += n;
}

size_t
ctl_reader_feed(struct ctl_reader *r, const void *data, size_t n)
{
	size_t room;
	uint8_t *p = ctl_reader_space(r, &room);

	if (n > room)
		n = room;
	if (n > 0)
		memcpy(p, data, n);
	ctl_reader_commit(r, n);
	return n;
}

int
ctl_reader_next(struct ctl_reader *r, struct ctl_msg *m, enum ctl_err *err)
{
	struct ctl_hdr h;
	struct buf b;
	size_t avail = r->len - r->off;

	if (r->err != CTL_E_OK) {
		*err = r->err;
		return -1;
	}
	if (avail < CTL_HDR_LEN)
		return 0;
	buf_init(&b, r->buf + r->off, avail);
	ctl_hdr_get(&b, &h);
	/*
	 * Judge the header before waiting for the body: a bogus length
	 * must not make us wait for (or buffer) bytes that never come.
	 */
	if (h.version != CTL_VERSION)
		r->err = CTL_E_VERSION;
	else if (h.len > CTL_MSG_MAX - CTL_HDR_LEN)
		r->err = CTL_E_TOO_LONG;
	if (r->err != CTL_E_OK) {
		r->bad = h;
		*err = r->err;
		return -1;
	}
	if (avail - CTL_HDR_LEN < h.len)
		return 0;
	m->hdr = h;
	m->payload = r->buf + r->off + CTL_HDR_LEN;
	r->off += CTL_HDR_LEN + h.len;
	return 1;
}

size_t
ctl_reader_pending(const struct ctl_reader *r)
{
	return r->len - r->off;
}

/* ---- building blocks ---- */

/* An address with a prefix length: family, 16 bytes, plen. */
static void
put_addr(struct wbuf *w, const struct addr *a, unsigned int plen, bool *bad)
{
	uint8_t fam;

	if (a->family == 0 && plen == 0) {
		buf_put_zero(w, CTL_ADDR_LEN);
		return;
	}
	if (a->family == AF_INET && a->len == 4 && plen <= 32)
		fam = CTL_AF_INET;
	else if (a->family == AF_INET6 && a->len == 16 && plen <= 128)
		fam = CTL_AF_INET6;
	else {
		*bad = true;
		return;
	}
	buf_put_u8(w, fam);
	buf_put_bytes(w, a->bytes, a->len);
	buf_put_zero(w, 16 - a->len);
	buf_put_u8(w, (uint8_t)plen);
}

static void
put_host(struct wbuf *w, const struct addr *a, bool *bad)
{
	put_addr(w, a, addr_bits(a), bad);
}

/*
 * Read an address: known family, zero padding, plen within the family.
 * Canonical encodings only, so decode then encode gives the same bytes.
 */
static void
get_addr(struct buf *b, struct addr *a, uint8_t *plen)
{
	const uint8_t *p = buf_get_bytes(b, CTL_ADDR_LEN);
	size_t n, i;

	memset(a, 0, sizeof(*a));
	*plen = 0;
	if (p == NULL)
		return;
	if (p[0] == CTL_AF_NONE)
		n = 0;
	else if (p[0] == CTL_AF_INET)
		n = 4;
	else if (p[0] == CTL_AF_INET6)
		n = 16;
	else {
		buf_fail(b);
		return;
	}
	for (i = 1 + n; i < 17; i++)
		if (p[i] != 0) {
			buf_fail(b);
			return;
		}
	if (p[17] > n * 8) {
		buf_fail(b);
		return;
	}
	if (n > 0)
		addr_from_bytes(a, p + 1, n);
	*plen = p[17];
}

/* A plain address carries its full length (0 for none). */
static void
get_host(struct buf *b, struct addr *a)
{
	uint8_t plen;

	get_addr(b, a, &plen);
	if (buf_ok(b) && plen != addr_bits(a))
		buf_fail(b);
}

static void
get_prefix(struct buf *b, struct prefix *p)
{
	get_addr(b, &p->addr, &p->plen);
}

/* A string: be16 length, then the bytes, at most max - 1 of them. */
static void
put_str(struct wbuf *w, const char *s, size_t max)
{
	size_t n = strnlen(s, max - 1);

	buf_put_be16(w, (uint16_t)n);
	buf_put_bytes(w, s, n);
}

/* Read a string into out[max], NUL-terminated; no NUL inside. */
static void
get_str(struct buf *b, char *out, size_t max)
{
	uint16_t n = buf_get_be16(b);
	const uint8_t *p;

	out[0] = '\0';
	if (!buf_ok(b))
		return;
	if (n > max - 1) {
		buf_fail(b);
		return;
	}
	p = buf_get_bytes(b, n);
	if (p == NULL || memchr(p, '\0', n) != NULL) {
		buf_fail(b);
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

static bool
is_ctrl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * A string that must stay printable: control characters go out as '?'.
 * Used where a value may come from a peer (an IKE identity), so that a
 * hostile one costs a '?' and never the whole record.
 */
static void
put_pstr(struct wbuf *w, const char *s, size_t max)
{
	size_t n = strnlen(s, max - 1), i;

	buf_put_be16(w, (uint16_t)n);
	for (i = 0; i < n; i++)
		buf_put_u8(w, is_ctrl((uint8_t)s[i]) ? '?' : (uint8_t)s[i]);
}

/* Read a string put with put_pstr: a control character is malformed. */
static void
get_pstr(struct buf *b, char *out, size_t max)
{
	size_t i;

	get_str(b, out, max);
	for (i = 0; out[i] != '\0'; i++)
		if (is_ctrl((uint8_t)out[i])) {
			buf_fail(b);
			out[0] = '\0';
			return;
		}
}

/* Start a message in w; returns where it starts. */
static size_t
msg_begin(struct wbuf *w, enum ctl_type type, uint32_t seq)
{
	struct ctl_hdr h = {CTL_VERSION, (uint16_t)type, 0, seq};
	size_t start = wbuf_len(w);

	ctl_hdr_put(w, &h);
	return start;
}

/*
 * Patch the length in and check it against the table, so we never send
 * what the other side must refuse.  On a bad value the message is taken
 * back out of w; on overflow w keeps its sticky error.
 */
static int
msg_finish(struct wbuf *w, size_t start, enum ctl_type type, bool bad)
{
	const struct ctl_type_info *ti = &ctl_types[type];
	size_t len;

	if (!wbuf_ok(w))
		return -1;
	len = wbuf_len(w) - start - CTL_HDR_LEN;
	if (bad || len < ti->min || len > ti->max) {
		w->len = start;
		return -1;
	}
	buf_patch_be32(w, start + 4, (uint32_t)len);
	return 0;
}

/* The payload of m, for a decoder of type; CTL_E_OK when usable. */
static enum ctl_err
payload(const struct ctl_msg *m, enum ctl_type type, enum ctl_dir dir,
	struct buf *b)
{
	enum ctl_err e = ctl_msg_check(m, dir);

	if (e != CTL_E_OK)
		return e;
	if (m->hdr.type != type)
		return CTL_E_TYPE;
	buf_init(b, m->payload, m->hdr.len);
	return CTL_E_OK;
}

/* Every byte read and none missing. */
static enum ctl_err
payload_done(const struct buf *b)
{
	return buf_ok(b) && buf_left(b) == 0 ? CTL_E_OK : CTL_E_PAYLOAD;
}

/* ---- requests ---- */

int
ctl_encode_request(struct wbuf *w, const struct ctl_request *req)
{
	size_t start;
	bool bad = false;

	if (!ctl_type_valid(req->type, CTL_DIR_REQ))
		return -1;
	start = msg_begin(w, req->type, req->seq);
	switch (req->type) {
	case CTL_FLUSH:
		if (req->has_addr && addr_is_none(&req->addr))
			bad = true;
		else if (req->has_addr)
			put_host(w, &req->addr, &bad);
		break;
	case CTL_PURGE:
		bad = !req->has_addr || addr_is_none(&req->addr);
		if (!bad)
			put_host(w, &req->addr, &bad);
		break;
	case CTL_LOG_LEVEL:
		bad = req->log.level > LOG_LVL_DEBUG ||
		      (req->log.debug & ~(uint32_t)DBG_ALL) != 0;
		buf_put_u8(w, (uint8_t)req->log.level);
		buf_put_u8(w, req->log.set_debug ? CTL_LOG_F_DEBUG : 0);
		buf_put_be32(w, req->log.set_debug ? req->log.debug : 0);
		break;
	default:
		break;
	}
	return msg_finish(w, start, req->type, bad);
}

enum ctl_err
ctl_decode_request(const struct ctl_msg *m, struct ctl_request *req)
{
	enum ctl_err e = ctl_msg_check(m, CTL_DIR_REQ);
	struct buf b;
	uint8_t lvl, flags;

	memset(req, 0, sizeof(*req));
	if (e != CTL_E_OK)
		return e;
	req->type = (enum ctl_type)m->hdr.type;
	req->seq = m->hdr.seq;
	buf_init(&b, m->payload, m->hdr.len);
	switch (req->type) {
	case CTL_FLUSH:
	case CTL_PURGE:
		if (m->hdr.len == 0)
			break; /* FLUSH of everything */
		get_host(&b, &req->addr);
		req->has_addr = true;
		if (addr_is_none(&req->addr))
			buf_fail(&b);
		break;
	case CTL_LOG_LEVEL:
		lvl = buf_get_u8(&b);
		flags = buf_get_u8(&b);
		req->log.debug = buf_get_be32(&b);
		req->log.level = (enum log_level)lvl;
		req->log.set_debug = (flags & CTL_LOG_F_DEBUG) != 0;
		if (lvl > LOG_LVL_DEBUG || (flags & ~CTL_LOG_F_DEBUG) != 0 ||
		    (req->log.debug & ~(uint32_t)DBG_ALL) != 0 ||
		    (!req->log.set_debug && req->log.debug != 0))
			buf_fail(&b);
		break;
	default:
		break;
	}
	return payload_done(&b);
}

/* ---- records ---- */

int
ctl_encode_peer(struct wbuf *w, uint32_t seq, const struct ctl_peer *p)
{
	size_t start = msg_begin(w, CTL_PEER, seq);
	bool bad = (unsigned int)p->type >= CTL_PEER_TYPE_MAX ||
		   (unsigned int)p->state >= CTL_PEER_STATE_MAX ||
		   (p->flags & ~CTL_PEER_F_ALL) != 0 || p->expires_in < -1;

	put_str(w, p->ifname, sizeof(p->ifname));
	put_addr(w, &p->proto.addr, p->proto.plen, &bad);
	put_host(w, &p->nbma, &bad);
	put_host(w, &p->claimed_nbma, &bad);
	put_host(w, &p->nexthop, &bad);
	buf_put_u8(w, (uint8_t)p->type);
	buf_put_u8(w, (uint8_t)p->state);
	buf_put_be16(w, p->flags);
	buf_put_be64(w, (uint64_t)p->expires_in);
	buf_put_be64(w, p->uptime);
	return msg_finish(w, start, CTL_PEER, bad);
}

enum ctl_err
ctl_decode_peer(const struct ctl_msg *m, struct ctl_peer *p)
{
	struct buf b;
	enum ctl_err e;
	uint8_t type, state;

	memset(p, 0, sizeof(*p));
	if ((e = payload(m, CTL_PEER, CTL_DIR_REP, &b)) != CTL_E_OK)
		return e;
	get_str(&b, p->ifname, sizeof(p->ifname));
	get_prefix(&b, &p->proto);
	get_host(&b, &p->nbma);
	get_host(&b, &p->claimed_nbma);
	get_host(&b, &p->nexthop);
	type = buf_get_u8(&b);
	state = buf_get_u8(&b);
	p->flags = buf_get_be16(&b);
	p->expires_in = (int64_t)buf_get_be64(&b);
	p->uptime = buf_get_be64(&b);
	p->type = (enum ctl_peer_type)type;
	p->state = (enum ctl_peer_state)state;
	if (type >= CTL_PEER_TYPE_MAX || state >= CTL_PEER_STATE_MAX ||
	    (p->flags & ~CTL_PEER_F_ALL) != 0 || p->expires_in < -1)
		buf_fail(&b);
	return payload_done(&b);
}

int
ctl_encode_nhs(struct wbuf *w, uint32_t seq, const struct ctl_nhs *n)
{
	size_t start = msg_begin(w, CTL_NHS, seq);
	bool bad = (unsigned int)n->state >= CTL_NHS_STATE_MAX;

	put_str(w, n->ifname, sizeof(n->ifname));
	put_host(w, &n->proto, &bad);
	put_host(w, &n->nbma, &bad);
	put_str(w, n->fqdn, sizeof(n->fqdn));
	buf_put_u8(w, (uint8_t)n->state);
	buf_put_u8(w, n->priority);
	buf_put_u8(w, n->cluster);
	buf_put_be64(w, n->uptime);
	buf_put_be32(w, n->failures);
	return msg_finish(w, start, CTL_NHS, bad);
}

enum ctl_err
ctl_decode_nhs(const struct ctl_msg *m, struct ctl_nhs *n)
{
	struct buf b;
	enum ctl_err e;
	uint8_t state;

	memset(n, 0, sizeof(*n));
	if ((e = payload(m, CTL_NHS, CTL_DIR_REP, &b)) != CTL_E_OK)
		return e;
	get_str(&b, n->ifname, sizeof(n->ifname));
	get_host(&b, &n->proto);
	get_host(&b, &n->nbma);
	get_str(&b, n->fqdn, sizeof(n->fqdn));
	state = buf_get_u8(&b);
	n->priority = buf_get_u8(&b);
	n->cluster = buf_get_u8(&b);
	n->uptime = buf_get_be64(&b);
	n->failures = buf_get_be32(&b);
	n->state = (enum ctl_nhs_state)state;
	if (state >= CTL_NHS_STATE_MAX)
		buf_fail(&b);
	return payload_done(&b);
}

int
ctl_encode_route(struct wbuf *w, uint32_t seq, const struct ctl_route *r)
{
	size_t start = msg_begin(w, CTL_ROUTE, seq);
	bool bad = false;

	put_addr(w, &r->dst.addr, r->dst.plen, &bad);
	put_host(w, &r->via, &bad);
	put_str(w, r->ifname, sizeof(r->ifname));
	put_str(w, r->protocol, sizeof(r->protocol));
	buf_put_be32(w, r->table);
	buf_put_u8(w, r->installed ? CTL_ROUTE_F_INSTALLED : 0);
	return msg_finish(w, start, CTL_ROUTE, bad);
}

enum ctl_err
ctl_decode_route(const struct ctl_msg *m, struct ctl_route *r)
{
	struct buf b;
	enum ctl_err e;
	uint8_t flags;

	memset(r, 0, sizeof(*r));
	if ((e = payload(m, CTL_ROUTE, CTL_DIR_REP, &b)) != CTL_E_OK)
		return e;
	get_prefix(&b, &r->dst);
	get_host(&b, &r->via);
	get_str(&b, r->ifname, sizeof(r->ifname));
	get_str(&b, r->protocol, sizeof(r->protocol));
	r->table = buf_get_be32(&b);
	flags = buf_get_u8(&b);
	r->installed = (flags & CTL_ROUTE_F_INSTALLED) != 0;
	if ((flags & ~CTL_ROUTE_F_INSTALLED) != 0)
		buf_fail(&b);
	return payload_done(&b);
}

int
ctl_encode_stat(struct wbuf *w, uint32_t seq, const struct ctl_stat *s)
{
	size_t start = msg_begin(w, CTL_STATS, seq);
	bool bad = s->section[0] == '\0' || s->name[0] == '\0';

	put_str(w, s->section, sizeof(s->section));
	put_str(w, s->name, sizeof(s->name));
	buf_put_be64(w, s->value);
	return msg_finish(w, start, CTL_STATS, bad);
}

enum ctl_err
ctl_decode_stat(const struct ctl_msg *m, struct ctl_stat *s)
{
	struct buf b;
	enum ctl_err e;

	memset(s, 0, sizeof(*s));
	if ((e = payload(m, CTL_STATS, CTL_DIR_REP, &b)) != CTL_E_OK)
		return e;
	get_str(&b, s->section, sizeof(s->section));
	get_str(&b, s->name, sizeof(s->name));
	s->value = buf_get_be64(&b);
	/* Both are JSON keys: an empty one would be useless. */
	if (s->section[0] == '\0' || s->name[0] == '\0')
		buf_fail(&b);
	return payload_done(&b);
}

int
ctl_encode_interface(struct wbuf *w, uint32_t seq,
		     const struct ctl_interface *i)
{
	size_t start = msg_begin(w, CTL_INTERFACE, seq);
	bool bad =
		i->ifname[0] == '\0' || (unsigned int)i->role >= CTL_ROLE_MAX;

	put_str(w, i->ifname, sizeof(i->ifname));
	buf_put_u8(w, (uint8_t)i->role);
	buf_put_be32(w, i->peers);
	put_host(w, &i->nbma, &bad);
	put_addr(w, &i->tunnel.addr, i->tunnel.plen, &bad);
	return msg_finish(w, start, CTL_INTERFACE, bad);
}

enum ctl_err
ctl_decode_interface(const struct ctl_msg *m, struct ctl_interface *i)
{
	struct buf b;
	enum ctl_err e;
	uint8_t role;

	memset(i, 0, sizeof(*i));
	if ((e = payload(m, CTL_INTERFACE, CTL_DIR_REP, &b)) != CTL_E_OK)
		return e;
	get_str(&b, i->ifname, sizeof(i->ifname));
	role = buf_get_u8(&b);
	i->peers = buf_get_be32(&b);
	get_host(&b, &i->nbma);
	get_prefix(&b, &i->tunnel);
	i->role = (enum ctl_role)role;
	if (i->ifname[0] == '\0' || role >= CTL_ROLE_MAX)
		buf_fail(&b);
	return payload_done(&b);
}

/* An IKE SA always has both ends: none is a daemon bug. */
static void
put_endpoint(struct wbuf *w, const struct addr *a, uint16_t port, bool *bad)
{
	if (addr_is_none(a))
		*bad = true;
	put_host(w, a, bad);
	buf_put_be16(w, port);
}

int
ctl_encode_ike_sa(struct wbuf *w, uint32_t seq, const struct ctl_ike_sa *s)
{
	size_t start = msg_begin(w, CTL_IKE_SA, seq);
	bool bad =
		(unsigned int)s->state >= CTL_IKE_STATE_MAX || s->rekey_in < -1;

	put_endpoint(w, &s->local, s->local_port, &bad);
	put_endpoint(w, &s->remote, s->remote_port, &bad);
	buf_put_u8(w, (uint8_t)s->state);
	buf_put_u8(w, (s->initiator ? CTL_IKE_F_INITIATOR : 0) |
			      (s->nat_local ? CTL_IKE_F_NAT_LOCAL : 0) |
			      (s->nat_remote ? CTL_IKE_F_NAT_REMOTE : 0));
	put_pstr(w, s->auth, sizeof(s->auth));
	put_pstr(w, s->ike_proposal, sizeof(s->ike_proposal));
	put_pstr(w, s->remote_id, sizeof(s->remote_id));
	buf_put_be64(w, s->spi_i);
	buf_put_be64(w, s->spi_r);
	buf_put_be64(w, s->established_s);
	buf_put_be64(w, (uint64_t)s->rekey_in);
	return msg_finish(w, start, CTL_IKE_SA, bad);
}

enum ctl_err
ctl_decode_ike_sa(const struct ctl_msg *m, struct ctl_ike_sa *s)
{
	struct buf b;
	enum ctl_err e;
	uint8_t state, flags;

	memset(s, 0, sizeof(*s));
	if ((e = payload(m, CTL_IKE_SA, CTL_DIR_REP, &b)) != CTL_E_OK)
		return e;
	get_host(&b, &s->local);
	s->local_port = buf_get_be16(&b);
	get_host(&b, &s->remote);
	s->remote_port = buf_get_be16(&b);
	state = buf_get_u8(&b);
	flags = buf_get_u8(&b);
	get_pstr(&b, s->auth, sizeof(s->auth));
	get_pstr(&b, s->ike_proposal, sizeof(s->ike_proposal));
	get_pstr(&b, s->remote_id, sizeof(s->remote_id));
	s->spi_i = buf_get_be64(&b);
	s->spi_r = buf_get_be64(&b);
	s->established_s = buf_get_be64(&b);
	s->rekey_in = (int64_t)buf_get_be64(&b);
	s->state = (enum ctl_ike_state)state;
	s->initiator = (flags & CTL_IKE_F_INITIATOR) != 0;
	s->nat_local = (flags & CTL_IKE_F_NAT_LOCAL) != 0;
	s->nat_remote = (flags & CTL_IKE_F_NAT_REMOTE) != 0;
	if (addr_is_none(&s->local) || addr_is_none(&s->remote) ||
	    state >= CTL_IKE_STATE_MAX || (flags & ~CTL_IKE_F_ALL) != 0 ||
	    s->rekey_in < -1)
		buf_fail(&b);
	return payload_done(&b);
}

int
ctl_encode_child_sa(struct wbuf *w, uint32_t seq, const struct ctl_child_sa *s)
{
	size_t start = msg_begin(w, CTL_CHILD_SA, seq);

	buf_put_be32(w, s->spi_in);
	buf_put_be32(w, s->spi_out);
	buf_put_be32(w, s->reqid);
	put_pstr(w, s->esp_proposal, sizeof(s->esp_proposal));
	put_pstr(w, s->kernel_driver, sizeof(s->kernel_driver));
	buf_put_be64(w, s->bytes_in);
	buf_put_be64(w, s->bytes_out);
	buf_put_be64(w, s->packets_in);
	buf_put_be64(w, s->packets_out);
	buf_put_be64(w, s->established_s);
	buf_put_be64(w, (uint64_t)s->rekey_in);
	buf_put_u8(w, s->encap ? CTL_CHILD_F_ENCAP : 0);
	return msg_finish(w, start, CTL_CHILD_SA, s->rekey_in < -1);
}

enum ctl_err
ctl_decode_child_sa(const struct ctl_msg *m, struct ctl_child_sa *s)
{
	struct buf b;
	enum ctl_err e;
	uint8_t flags;

	memset(s, 0, sizeof(*s));
	if ((e = payload(m, CTL_CHILD_SA, CTL_DIR_REP, &b)) != CTL_E_OK)
		return e;
	s->spi_in = buf_get_be32(&b);
	s->spi_out = buf_get_be32(&b);
	s->reqid = buf_get_be32(&b);
	get_pstr(&b, s->esp_proposal, sizeof(s->esp_proposal));
	get_pstr(&b, s->kernel_driver, sizeof(s->kernel_driver));
	s->bytes_in = buf_get_be64(&b);
	s->bytes_out = buf_get_be64(&b);
	s->packets_in = buf_get_be64(&b);
	s->packets_out = buf_get_be64(&b);
	s->established_s = buf_get_be64(&b);
	s->rekey_in = (int64_t)buf_get_be64(&b);
	flags = buf_get_u8(&b);
	s->encap = (flags & CTL_CHILD_F_ENCAP) != 0;
	if ((flags & ~CTL_CHILD_F_ENCAP) != 0 || s->rekey_in < -1)
		buf_fail(&b);
	return payload_done(&b);
}

int
ctl_encode_config_text(struct wbuf *w, uint32_t seq, const void *text,
		       size_t len)
{
	size_t start = msg_begin(w, CTL_CONFIG_TEXT, seq);

	buf_put_bytes(w, text, len);
	return msg_finish(w, start, CTL_CONFIG_TEXT, false);
}

int
ctl_encode_end(struct wbuf *w, uint32_t seq)
{
	size_t start = msg_begin(w, CTL_END, seq);

	return msg_finish(w, start, CTL_END, false);
}

int
ctl_encode_result(struct wbuf *w, uint32_t seq, const struct ctl_result *res)
{
	size_t start = msg_begin(w, CTL_RESULT, seq);

	buf_put_be32(w, res->code);
	put_str(w, res->message, sizeof(res->message));
	return msg_finish(w, start, CTL_RESULT, false);
}

enum ctl_err
ctl_decode_result(const struct ctl_msg *m, struct ctl_result *res)
{
	struct buf b;
	enum ctl_err e;

	memset(res, 0, sizeof(*res));
	if ((e = payload(m, CTL_RESULT, CTL_DIR_REP, &b)) != CTL_E_OK)
		return e;
	res->code = buf_get_be32(&b);
	get_str(&b, res->message, sizeof(res->message));
	return payload_done(&b);
}
