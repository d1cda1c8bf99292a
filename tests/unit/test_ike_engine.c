/*
 * The IKEv2 engine against itself (tests/unit/ike_harness.c): IKE_SA_INIT
 * and IKE_AUTH with a PSK, the CHILD SA in both mock kernels with the
 * same keys, retransmission and loss, duplicates, cookies, INVALID_KE,
 * fragmentation, NAT detection, simultaneous initiation, deletes, DPD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <stdlib.h>

#include "dmvpn/ike.h"
#include "dmvpn/log.h"
#include "dmvpn/ike_wire.h"
#include "dmvpn/ike_crypto.h"
#include "ike_harness.h"
#include "ike_pki.h"

static struct ikh h;
static struct ikh_node *a, *b;

static int
teardown(void **state)
{
	(void)state;
	ikh_free(&h);
	return 0;
}

static void
pair(void)
{
	ikh_init(&h);
	a = ikh_node(&h, "a", "192.0.2.1");
	b = ikh_node(&h, "b", "192.0.2.2");
}

static void
up(void)
{
	ikh_start(a);
	ikh_start(b);
	assert_int_equal(ikh_connect(a, b), 0);
	ikh_run(&h, 1);
}

static void
dump_drops(const struct ikh_node *n)
{
	const struct ike_stats *st = ike_stats(n->e);
	int i;

	if (getenv("IKE_DEBUG") == NULL)
		return;
	for (i = 0; i < IKE_DROP_MAX; i++)
		if (st->drops[i] != 0)
			print_message("%s: drop %s %llu\n", n->name,
				      ike_drop_name(i),
				      (unsigned long long)st->drops[i]);
}

static void
assert_up(void)
{
	dump_drops(a);
	dump_drops(b);
	assert_int_equal(ikh_ike_sas(a, b, IKE_SA_ESTABLISHED), 1);
	assert_int_equal(ikh_ike_sas(b, a, IKE_SA_ESTABLISHED), 1);
	assert_int_equal(ikh_count(a, b, true), 1);
	assert_int_equal(ikh_count(a, b, false), 1);
	assert_int_equal(ikh_count(b, a, true), 1);
	assert_int_equal(ikh_count(b, a, false), 1);
	assert_true(ikh_consistent(a, b));
}

static void
test_psk(void **state)
{
	const struct ike_stats *st;

	(void)state;
	pair();
	up();
	assert_up();
	assert_int_equal(a->peer_up, 1);
	assert_int_equal(b->peer_up, 1);
	/* Four messages: INIT and AUTH, each way once. */
	assert_int_equal(ikh_cap_count(&h, a, IKE_EXCH_IKE_SA_INIT, 0), 1);
	assert_int_equal(ikh_cap_count(&h, b, IKE_EXCH_IKE_SA_INIT, 1), 1);
	assert_int_equal(ikh_cap_count(&h, a, IKE_EXCH_IKE_AUTH, 0), 1);
	assert_int_equal(ikh_cap_count(&h, b, IKE_EXCH_IKE_AUTH, 1), 1);
	/* AES-GCM first: 36 octets of key with the salt, no integrity. */
	assert_int_equal(a->ksa[0].keys.encr, IKE_ENCR_AES_GCM_16);
	assert_int_equal(a->ksa[0].keys.encr_key_len, 36);
	assert_int_equal(a->ksa[0].keys.integ_key_len, 0);
	assert_false(a->ksa[0].encap);
	st = ike_stats(a->e);
	assert_int_equal(st->ike_sas_established, 1);
	assert_int_equal(st->retransmits, 0);
	/* Asking again says "up" again and starts nothing. */
	assert_int_equal(ikh_connect(a, b), 0);
	assert_int_equal(a->peer_up, 2);
	assert_int_equal(ikh_cap_count(&h, a, IKE_EXCH_IKE_SA_INIT, 0), 1);
}

static void
test_wrong_psk(void **state)
{
	(void)state;
	pair();
	b->conf.psk[0] ^= 1;
	up();
	ikh_run(&h, 20);
	assert_int_equal(ikh_ike_sas(a, b, -1), 0);
	assert_int_equal(ikh_ike_sas(b, a, -1), 0);
	assert_int_equal(a->nksa + b->nksa, 0);
	assert_int_equal(ike_stats(b->e)->auth_failures, 1);
	assert_int_equal(ike_stats(a->e)->auth_failures, 1);
	assert_int_equal(a->peer_up, 0);
	/* NHRP hears that its request failed. */
	assert_int_equal(a->peer_down, 1);
}

struct drop_nth {
	int seen;
	int drop_at;
};

/* Drop the drop_at-th datagram (0-based), whatever it is. */
static int
drop_nth(struct ikh *hh, const struct ikh_pkt *p, uint8_t exch, uint8_t flags,
	 uint32_t msgid, void *arg)
{
	struct drop_nth *d = arg;

	(void)hh;
	(void)p;
	(void)exch;
	(void)flags;
	(void)msgid;
	return d->seen++ == d->drop_at ? 1 : 0;
}

static void
test_loss_and_retransmission(void **state)
{
	struct drop_nth d;
	int k;

	(void)state;
	/* Lose each of the four messages in turn: the SA still comes up. */
	for (k = 0; k < 4; k++) {
		pair();
		d.seen = 0;
		d.drop_at = k;
		h.filter = drop_nth;
		h.filter_arg = &d;
		ikh_start(a);
		ikh_start(b);
		ikh_connect(a, b);
		ikh_run(&h, 30);
		assert_up();
		assert_int_equal(ike_stats(a->e)->retransmits, 1);
		assert_int_equal(a->child_add, 1);
		assert_int_equal(b->child_add, 1);
		if (k < 3)
			ikh_free(&h);
	}
}

static int
dup_all(struct ikh *hh, const struct ikh_pkt *p, uint8_t exch, uint8_t flags,
	uint32_t msgid, void *arg)
{
	(void)hh;
	(void)p;
	(void)exch;
	(void)flags;
	(void)msgid;
	(void)arg;
	return 2;
}

static void
test_duplicates(void **state)
{
	(void)state;
	pair();
	h.filter = dup_all;
	up();
	assert_up();
	/* Duplicated requests got the same answer again, nothing more. */
	assert_int_equal(ike_stats(b->e)->ike_sas_established, 1);
	assert_int_equal(a->child_add, 1);
	assert_int_equal(b->child_add, 1);
}

static void
test_dead_peer(void **state)
{
	(void)state;
	pair();
	up();
	assert_up();
	b->down = true;
	ikh_run(&h, a->conf.dpd + 200);
	assert_int_equal(ikh_ike_sas(a, b, -1), 0);
	assert_int_equal(a->nksa, 0);
	assert_int_equal(a->peer_down, 1);
	assert_int_equal(ike_stats(a->e)->dpd_dead, 1);
}

static void
test_release_deletes(void **state)
{
	(void)state;
	pair();
	up();
	assert_up();
	ike_release(a->e, h.now, &b->addr);
	ikh_run(&h, 1);
	assert_int_equal(ikh_ike_sas(a, b, -1), 0);
	assert_int_equal(ikh_ike_sas(b, a, -1), 0);
	assert_int_equal(a->nksa + b->nksa, 0);
	assert_int_equal(a->peer_down, 1);
	assert_int_equal(b->peer_down, 1);
	assert_int_equal(a->policy_del, 1);
	assert_int_equal(b->policy_del, 1);
}

/* A user that asks again counts once: one release ends it. */
static void
test_connect_again(void **state)
{
	(void)state;
	pair();
	up();
	assert_up();
	assert_int_equal(ike_connect_again(a->e, h.now, &a->addr, &b->addr), 0);
	assert_int_equal(ike_connect_again(a->e, h.now, &a->addr, &b->addr), 0);
	/* Each says "up" again (NHRP may have asked because it forgot). */
	assert_int_equal(a->peer_up, 3);
	ike_release(a->e, h.now, &b->addr);
	ikh_run(&h, 1);
	assert_int_equal(ikh_ike_sas(a, b, -1), 0);
	assert_int_equal(a->nksa + b->nksa, 0);
}

static void
test_cookies(void **state)
{
	(void)state;
	pair();
	/* Every request is one too many: the responder asks for a cookie. */
	b->conf.half_open_limit = 0;
	up();
	assert_up();
	assert_int_equal(ike_stats(b->e)->cookies_sent, 1);
	/* The request, the cookie, the request again with it, the answer. */
	assert_int_equal(ikh_cap_count(&h, a, IKE_EXCH_IKE_SA_INIT, 0), 2);
	assert_int_equal(ikh_cap_count(&h, b, IKE_EXCH_IKE_SA_INIT, 1), 2);
}

static int
drop_from(struct ikh *hh, const struct ikh_pkt *p, uint8_t exch, uint8_t flags,
	  uint32_t msgid, void *arg)
{
	(void)hh;
	(void)exch;
	(void)flags;
	(void)msgid;
	return p->src == arg ? 1 : 0;
}

static void
test_per_source_limit(void **state)
{
	struct ikh_node *c;

	(void)state;
	pair();
	c = ikh_node(&h, "c", "192.0.2.1");
	b->conf.half_open_per_source = 1;
	ikh_start(a);
	ikh_start(b);
	ikh_start(c);
	/* b's answers are lost: a's exchange stays half open at b. */
	h.filter = drop_from;
	h.filter_arg = b;
	ikh_connect(a, b);
	assert_int_equal(ikh_ike_sas(b, a, IKE_SA_AUTHING), 1);
	/* Another initiator behind the same address is refused... */
	ikh_connect(c, b);
	assert_int_equal(ike_stats(b->e)->drops[IKE_DROP_HALF_OPEN], 1);
	ikh_stop(c);
	/* ...and a finishes once b's answers get through. */
	h.filter = NULL;
	ikh_run(&h, 10);
	assert_int_equal(ikh_ike_sas(b, a, IKE_SA_ESTABLISHED), 1);
	assert_int_equal(ikh_ike_sas(a, b, IKE_SA_ESTABLISHED), 1);
}

static void
test_invalid_ke(void **state)
{
	(void)state;
	pair();
	/* b takes only ECP-256: a's first KE (X25519) is refused. */
	b->conf.ike[0].dh[0] = IKE_KE_ECP256;
	b->conf.ike[0].ndh = 1;
	b->conf.nike = 1;
	up();
	assert_up();
	assert_int_equal(ikh_cap_count(&h, a, IKE_EXCH_IKE_SA_INIT, 0), 2);
}

static void
test_no_proposal(void **state)
{
	(void)state;
	pair();
	b->conf.ike[0].encr_bits = 128;
	b->conf.nike = 1;
	up();
	ikh_run(&h, 30);
	assert_int_equal(ikh_ike_sas(a, b, -1), 0);
	assert_int_equal(ikh_ike_sas(b, a, -1), 0);
	assert_int_equal(ike_stats(b->e)->drops[IKE_DROP_NO_PROPOSAL], 1);
	assert_int_equal(a->peer_down, 1);
}

static void
test_cbc(void **state)
{
	(void)state;
	pair();
	/* Only AES-CBC with HMAC-SHA-256, for IKE and for ESP. */
	a->conf.ike[0] = a->conf.ike[1];
	a->conf.nike = 1;
	a->conf.esp[0] = a->conf.esp[1];
	a->conf.nesp = 1;
	up();
	assert_up();
	assert_int_equal(a->ksa[0].keys.encr, IKE_ENCR_AES_CBC);
	assert_int_equal(a->ksa[0].keys.encr_key_len, 16);
	assert_int_equal(a->ksa[0].keys.integ_key_len, 32);
}

static int
count_big(struct ikh *hh, const struct ikh_pkt *p, uint8_t exch, uint8_t flags,
	  uint32_t msgid, void *arg)
{
	size_t *max = arg;

	(void)hh;
	(void)flags;
	(void)msgid;
	if (exch == IKE_EXCH_IKE_AUTH && p->len > *max)
		*max = p->len;
	return 0;
}

static void
test_fragmentation(void **state)
{
	size_t max = 0;

	(void)state;
	pair();
	/* Small fragments: IKE_AUTH is split both ways (RFC 7383). */
	a->conf.fragment_size = 200;
	b->conf.fragment_size = 200;
	h.filter = count_big;
	h.filter_arg = &max;
	up();
	assert_up();
	assert_true(max <= 200);
	assert_true(ikh_cap_count(&h, a, IKE_EXCH_IKE_AUTH, 0) > 1);
	assert_true(ikh_cap_count(&h, b, IKE_EXCH_IKE_AUTH, 1) > 1);
}

static void
test_nat(void **state)
{
	(void)state;
	pair();
	/* a is behind a NAT: 192.0.2.1 inside, 198.51.100.1 outside. */
	a->natted = true;
	a->public_addr = (struct addr){0};
	assert_int_equal(addr_parse(&a->public_addr, "198.51.100.1"), 0);
	up();
	assert_up();
	assert_true(a->ksa[0].encap);
	assert_true(b->ksa[0].encap);
	/* Both float to 4500; b sends to the NAT's mapped port. */
	assert_int_equal(a->ksa[0].sport, IKE_NATT_PORT);
	assert_int_equal(b->ksa[0].sport, IKE_NATT_PORT);
	assert_int_equal(b->ksa[0].dport, IKE_NATT_PORT + 40000);
	/* The side behind the NAT keeps it open. */
	ikh_run(&h, 25);
	assert_up();
}

static void
test_simultaneous(void **state)
{
	(void)state;
	pair();
	ikh_start(a);
	ikh_start(b);
	/* Both ask at once: the two exchanges cross. */
	h.hold = true;
	ike_connect(a->e, h.now, &a->addr, &b->addr);
	ike_connect(b->e, h.now, &b->addr, &a->addr);
	ikh_settle(&h);
	h.hold = false;
	ikh_release(&h, false);
	ikh_run(&h, 5);
	/* One IKE SA each side survives: the one the lower address began. */
	assert_up();
	assert_int_equal(a->peer_up, 1);
	assert_int_equal(b->peer_up, 1);
	assert_int_equal(a->peer_down, 0);
	assert_int_equal(b->peer_down, 0);
	/* The crossing one was deleted by b, which began it. */
	assert_int_equal(ikh_ike_sas(a, b, -1), 1);
	assert_int_equal(ikh_ike_sas(b, a, -1), 1);
}

/* The same behind a NAT: each end sees other addresses, same SPIs. */
static void
test_simultaneous_nat(void **state)
{
	(void)state;
	pair();
	a->natted = true;
	assert_int_equal(addr_parse(&a->public_addr, "198.51.100.1"), 0);
	ikh_start(a);
	ikh_start(b);
	h.hold = true;
	ike_connect(a->e, h.now, &a->addr, &b->addr);
	ike_connect(b->e, h.now, &b->addr, &a->public_addr);
	ikh_settle(&h);
	h.hold = false;
	ikh_release(&h, false);
	ikh_run(&h, 5);
	assert_up();
	assert_int_equal(ikh_ike_sas(a, b, -1), 1);
	assert_int_equal(ikh_ike_sas(b, a, -1), 1);
	ikh_run(&h, 300);
	assert_up();
}

static void
test_child_rekey(void **state)
{
	uint32_t old_spi;

	(void)state;
	pair();
	a->conf.esp_lifetime = 100;
	b->conf.esp_lifetime = 100;
	up();
	assert_up();
	old_spi = a->ksa[0].spi;
	ikh_run(&h, 100);
	/* Rekeyed once (by whichever timer fired first), old pair gone. */
	assert_up();
	assert_true(a->ksa[0].spi != old_spi || a->ksa[1].spi != old_spi);
	assert_int_equal(ike_stats(a->e)->child_rekeys +
				 ike_stats(b->e)->child_rekeys,
			 1);
	assert_int_equal(a->peer_down + b->peer_down, 0);
	ikh_run(&h, 1000);
	assert_up();
	assert_int_equal(a->peer_down + b->peer_down, 0);
}

/*
 * Make before break, step by step: the responder installs its new
 * inbound SA at once but its new outbound SA only when the initiator,
 * which has both by then, deletes the old pair.  At no point does either
 * side send on an SA the other cannot receive.
 */
static void
test_child_rekey_order(void **state)
{
	uint32_t in_spi;
	size_t i;

	(void)state;
	pair();
	up();
	assert_up();
	for (i = 0, in_spi = 0; i < a->nksa; i++)
		if (a->ksa[i].in)
			in_spi = a->ksa[i].spi;
	h.hold = true;
	ike_kernel_expire(a->e, h.now, &a->addr, in_spi, false);
	ikh_settle(&h);
	ikh_release(&h, false); /* the request reaches b */
	assert_int_equal(ikh_count(b, a, true), 2);
	assert_int_equal(ikh_count(b, a, false), 1);
	ikh_release(&h, false); /* the answer reaches a */
	assert_int_equal(ikh_count(a, b, true), 2);
	assert_int_equal(ikh_count(a, b, false), 2);
	ikh_release(&h, false); /* a's Delete of the old pair reaches b */
	assert_int_equal(ikh_count(b, a, true), 1);
	assert_int_equal(ikh_count(b, a, false), 1);
	h.hold = false;
	ikh_release(&h, false);
	assert_up();
	assert_int_equal(a->peer_down + b->peer_down, 0);
}

static void
test_ike_rekey(void **state)
{
	(void)state;
	pair();
	a->conf.ike_lifetime = 200;
	b->conf.ike_lifetime = 200;
	up();
	assert_up();
	ikh_run(&h, 200);
	assert_up();
	assert_int_equal(
		ike_stats(a->e)->ike_rekeys + ike_stats(b->e)->ike_rekeys, 1);
	/* The CHILD SA carries on untouched under the new IKE SA. */
	assert_int_equal(a->child_add, 1);
	assert_int_equal(a->peer_down + b->peer_down, 0);
	/* And the new IKE SA works: a CHILD rekey over it. */
	ike_kernel_expire(a->e, h.now, &a->addr,
			  a->ksa[0].in ? a->ksa[0].spi : a->ksa[1].spi, false);
	ikh_run(&h, 5);
	assert_up();
	assert_int_equal(a->child_add, 2);
	ikh_run(&h, 2000);
	assert_up();
}

/*
 * Both ends rekey the CHILD SA at the same moment (same seed: the same
 * jittered timer).  nonce_fill decides whose nonces are lowest, and so
 * (RFC 7296 2.8.1) whose new SA is redundant.
 */
static void
child_collision(uint8_t fill_a, uint8_t fill_b)
{
	pair();
	a->conf.esp_lifetime = b->conf.esp_lifetime = 100;
	a->conf.seed = b->conf.seed = 77;
	up();
	assert_up();
	a->nonce_fill = fill_a;
	b->nonce_fill = fill_b;
	ikh_run(&h, 100);
	assert_int_equal(ike_stats(a->e)->child_rekeys, 1);
	assert_int_equal(ike_stats(b->e)->child_rekeys, 1);
	ikh_run(&h, 5);
	/* One pair left each way, the same at both ends. */
	assert_up();
	assert_int_equal(a->child_add, 3);
	assert_int_equal(b->child_add, 3);
	assert_int_equal(a->peer_down + b->peer_down, 0);
	/* And life goes on: later rekeys work. */
	ikh_run(&h, 500);
	assert_up();
}

static void
test_child_rekey_collision_a_low(void **state)
{
	(void)state;
	child_collision(0x10, 0xf0);
}

static void
test_child_rekey_collision_b_low(void **state)
{
	(void)state;
	child_collision(0xf0, 0x10);
}

static void
ike_collision(uint8_t fill_a, uint8_t fill_b)
{
	pair();
	a->conf.ike_lifetime = b->conf.ike_lifetime = 300;
	a->conf.seed = b->conf.seed = 99;
	up();
	assert_up();
	a->nonce_fill = fill_a;
	b->nonce_fill = fill_b;
	ikh_run(&h, 300);
	assert_int_equal(ike_stats(a->e)->ike_rekeys, 1);
	assert_int_equal(ike_stats(b->e)->ike_rekeys, 1);
	ikh_run(&h, 20);
	assert_up();
	assert_int_equal(a->child_add, 1);
	assert_int_equal(a->peer_down + b->peer_down, 0);
	/* The surviving IKE SA carries a CHILD rekey. */
	a->nonce_fill = b->nonce_fill = 0;
	ikh_run(&h, 3600);
	assert_up();
	assert_int_equal(a->peer_down + b->peer_down, 0);
}

static void
test_ike_rekey_collision_a_low(void **state)
{
	(void)state;
	ike_collision(0x10, 0xf0);
}

static void
test_ike_rekey_collision_b_low(void **state)
{
	(void)state;
	ike_collision(0xf0, 0x10);
}

/* a deletes the IKE SA while b's CHILD rekey is on its way. */
static void
test_delete_races_rekey(void **state)
{
	(void)state;
	pair();
	up();
	assert_up();
	h.hold = true;
	ike_release(a->e, h.now, &b->addr);
	ike_kernel_expire(b->e, h.now, &b->addr,
			  b->ksa[0].in ? b->ksa[0].spi : b->ksa[1].spi, false);
	ikh_settle(&h);
	h.hold = false;
	ikh_release(&h, false);
	ikh_run(&h, 30);
	assert_int_equal(ikh_ike_sas(a, b, -1), 0);
	assert_int_equal(ikh_ike_sas(b, a, -1), 0);
	assert_int_equal(a->nksa + b->nksa, 0);
	assert_int_equal(a->peer_down, 1);
	assert_int_equal(b->peer_down, 1);
}

/*
 * The kernel's hard expiry while our rekey request is out: the Delete
 * waits for the answer (one request at a time), then both ends let go.
 */
static void
test_hard_expire_during_rekey(void **state)
{
	uint32_t in_spi = 0;
	size_t i;

	(void)state;
	pair();
	up();
	assert_up();
	for (i = 0; i < a->nksa; i++)
		if (a->ksa[i].in)
			in_spi = a->ksa[i].spi;
	h.hold = true;
	ike_kernel_expire(a->e, h.now, &a->addr, in_spi, false);
	ikh_settle(&h);
	ike_kernel_expire(a->e, h.now, &a->addr, in_spi, true);
	/* NHRP hears at once that the peer is down. */
	assert_int_equal(a->peer_down, 1);
	h.hold = false;
	ikh_release(&h, false);
	ikh_run(&h, 30);
	assert_int_equal(ikh_ike_sas(a, b, -1), 0);
	assert_int_equal(ikh_ike_sas(b, a, -1), 0);
	assert_int_equal(a->nksa + b->nksa, 0);
	assert_int_equal(a->peer_down, 1);
	assert_int_equal(b->peer_down, 1);
}

/* A CHILD rekey whose request is lost, then whose answer is lost. */
static void
test_rekey_loss(void **state)
{
	struct drop_nth d;
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		pair();
		up();
		assert_up();
		d.seen = 0;
		d.drop_at = k;
		h.filter = drop_nth;
		h.filter_arg = &d;
		ike_kernel_expire(a->e, h.now, &a->addr,
				  a->ksa[0].in ? a->ksa[0].spi : a->ksa[1].spi,
				  false);
		ikh_run(&h, 60);
		assert_up();
		assert_int_equal(a->peer_down + b->peer_down, 0);
		if (k == 0)
			ikh_free(&h);
	}
}

/* --- certificates ------------------------------------------------------ */

static struct {
	EVP_PKEY *ca_key, *a_key, *b_key, *rogue_key;
	X509 *ca, *a, *b, *rogue_ca;
	struct ike_creds *ca_creds, *cb_creds;
} pk;

/* n authenticates with cert/key, trusting ca; its ID is the subject DN. */
static struct ike_creds *
use_cert(struct ikh_node *n, X509 *cert, EVP_PKEY *key, X509 *ca, X509_CRL *crl)
{
	struct ike_creds *c = ike_creds_new();
	unsigned char *der = NULL;
	int len;

	assert_non_null(c);
	assert_int_equal(ike_creds_add_own_cert(c, cert), 0);
	assert_int_equal(ike_creds_set_key(c, key), 0);
	assert_int_equal(ike_creds_add_ca(c, ca), 0);
	if (crl != NULL)
		assert_int_equal(ike_creds_add_crl(c, crl), 0);
	len = i2d_X509_NAME(X509_get_subject_name(cert), &der);
	assert_true(len > 0 && (size_t)len <= sizeof(n->conf.local_id.data));
	n->conf.local_id.type = IKE_ID_DER_ASN1_DN;
	n->conf.local_id.len = (uint16_t)len;
	memcpy(n->conf.local_id.data, der, (size_t)len);
	OPENSSL_free(der);
	n->conf.psk_len = 0;
	n->conf.creds = c;
	return c;
}

static void
pki_make(void)
{
	memset(&pk, 0, sizeof(pk));
	pk.ca_key = ec_key("P-256");
	pk.a_key = ec_key("P-256");
	pk.b_key = rsa_key();
	pk.rogue_key = ec_key("P-256");
	pk.ca = make_cert("test CA", pk.ca_key, NULL, NULL, 1, true, NULL);
	pk.a = make_cert("a", pk.a_key, pk.ca, pk.ca_key, 10, false,
			 "IP:192.0.2.1,IP:172.16.0.1");
	pk.b = make_cert("b", pk.b_key, pk.ca, pk.ca_key, 11, false,
			 "IP:192.0.2.2,IP:172.16.0.2");
	pk.rogue_ca =
		make_cert("test CA", pk.rogue_key, NULL, NULL, 1, true, NULL);
}

static int
pki_teardown(void **state)
{
	teardown(state);
	ike_creds_free(pk.ca_creds);
	ike_creds_free(pk.cb_creds);
	X509_free(pk.ca);
	X509_free(pk.a);
	X509_free(pk.b);
	X509_free(pk.rogue_ca);
	EVP_PKEY_free(pk.ca_key);
	EVP_PKEY_free(pk.a_key);
	EVP_PKEY_free(pk.b_key);
	EVP_PKEY_free(pk.rogue_key);
	return 0;
}

static int
sa_auth(const struct ike_sa_info *i, void *arg)
{
	*(const char **)arg = i->auth;
	return 1;
}

/* ECDSA and RSA certificates, RFC 7427 signatures both ways. */
static void
test_certificates(void **state)
{
	const char *auth = NULL;
	struct addr p;

	(void)state;
	pki_make();
	pair();
	pk.ca_creds = use_cert(a, pk.a, pk.a_key, pk.ca, NULL);
	pk.cb_creds = use_cert(b, pk.b, pk.b_key, pk.ca, NULL);
	up();
	assert_up();
	ike_foreach_sa(a->e, h.now, sa_auth, &auth);
	assert_string_equal(auth, "signature");
	/* What b's certificate lets it register on a (a hub). */
	assert_int_equal(addr_parse(&p, "172.16.0.2"), 0);
	assert_true(ike_peer_authorized(a->e, &b->addr, &p));
	assert_int_equal(addr_parse(&p, "172.16.0.3"), 0);
	assert_false(ike_peer_authorized(a->e, &b->addr, &p));
	assert_int_equal(ike_stats(a->e)->registrations_refused, 1);
}

/*
 * a trusts another CA of the same name: b accepts a, a refuses b's
 * certificate and deletes the SA (RFC 7296 2.21.2), so b drops it too.
 */
static void
test_certificate_untrusted(void **state)
{
	(void)state;
	pki_make();
	pair();
	pk.ca_creds = use_cert(a, pk.a, pk.a_key, pk.rogue_ca, NULL);
	pk.cb_creds = use_cert(b, pk.b, pk.b_key, pk.ca, NULL);
	up();
	ikh_run(&h, 30);
	assert_int_equal(ikh_ike_sas(a, b, -1), 0);
	assert_int_equal(ikh_ike_sas(b, a, -1), 0);
	assert_int_equal(a->nksa + b->nksa, 0);
	assert_int_equal(ike_stats(a->e)->auth_failures, 1);
	assert_int_equal(ike_stats(b->e)->auth_failures, 0);
	assert_int_equal(a->peer_up, 0);
	/* b, the responder, was up until a's Delete came. */
	assert_int_equal(b->peer_down, b->peer_up);
}

/* The responder's CRL revokes the initiator's certificate. */
static void
test_certificate_revoked(void **state)
{
	X509_CRL *crl;

	(void)state;
	pki_make();
	pair();
	crl = make_crl(pk.ca, pk.ca_key, 10); /* a's serial */
	pk.ca_creds = use_cert(a, pk.a, pk.a_key, pk.ca, NULL);
	pk.cb_creds = use_cert(b, pk.b, pk.b_key, pk.ca, crl);
	X509_CRL_free(crl);
	up();
	ikh_run(&h, 30);
	assert_int_equal(ikh_ike_sas(b, a, -1), 0);
	assert_int_equal(ike_stats(b->e)->auth_failures, 1);
	assert_int_equal(a->nksa + b->nksa, 0);
}

/* Every KE group we offer works end to end (INVALID_KE brings b's). */
static void
test_groups(void **state)
{
	static const uint16_t groups[] = {IKE_KE_MODP2048, IKE_KE_MODP3072,
					  IKE_KE_ECP256, IKE_KE_ECP384,
					  IKE_KE_CURVE25519};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		pair();
		b->conf.ike[0].dh[0] = groups[i];
		b->conf.ike[0].ndh = 1;
		b->conf.nike = 1;
		a->conf.ike[0].dh[0] = groups[i];
		a->conf.ike[0].ndh = 1;
		a->conf.nike = 1;
		up();
		assert_up();
		if (i + 1 < sizeof(groups) / sizeof(groups[0]))
			ikh_free(&h);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_psk, teardown),
		cmocka_unit_test_teardown(test_wrong_psk, teardown),
		cmocka_unit_test_teardown(test_loss_and_retransmission,
					  teardown),
		cmocka_unit_test_teardown(test_duplicates, teardown),
		cmocka_unit_test_teardown(test_dead_peer, teardown),
		cmocka_unit_test_teardown(test_release_deletes, teardown),
		cmocka_unit_test_teardown(test_connect_again, teardown),
		cmocka_unit_test_teardown(test_cookies, teardown),
		cmocka_unit_test_teardown(test_per_source_limit, teardown),
		cmocka_unit_test_teardown(test_invalid_ke, teardown),
		cmocka_unit_test_teardown(test_no_proposal, teardown),
		cmocka_unit_test_teardown(test_cbc, teardown),
		cmocka_unit_test_teardown(test_fragmentation, teardown),
		cmocka_unit_test_teardown(test_nat, teardown),
		cmocka_unit_test_teardown(test_simultaneous, teardown),
		cmocka_unit_test_teardown(test_simultaneous_nat, teardown),
		cmocka_unit_test_teardown(test_child_rekey, teardown),
		cmocka_unit_test_teardown(test_child_rekey_order, teardown),
		cmocka_unit_test_teardown(test_ike_rekey, teardown),
		cmocka_unit_test_teardown(test_child_rekey_collision_a_low,
					  teardown),
		cmocka_unit_test_teardown(test_child_rekey_collision_b_low,
					  teardown),
		cmocka_unit_test_teardown(test_ike_rekey_collision_a_low,
					  teardown),
		cmocka_unit_test_teardown(test_ike_rekey_collision_b_low,
					  teardown),
		cmocka_unit_test_teardown(test_delete_races_rekey, teardown),
		cmocka_unit_test_teardown(test_rekey_loss, teardown),
		cmocka_unit_test_teardown(test_hard_expire_during_rekey,
					  teardown),
		cmocka_unit_test_teardown(test_certificates, pki_teardown),
		cmocka_unit_test_teardown(test_certificate_untrusted,
					  pki_teardown),
		cmocka_unit_test_teardown(test_certificate_revoked,
					  pki_teardown),
		cmocka_unit_test_teardown(test_groups, teardown),
	};

	if (getenv("IKE_DEBUG") != NULL) {
		log_set_level(LOG_LVL_DEBUG);
		log_dbg_enable(DBG_IKE);
	} else {
		log_set_level(LOG_LVL_WARN);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
