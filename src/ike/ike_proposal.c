/*
 * SA payload proposals (RFC 7296 3.3): ours from the configuration, and
 * the choice among a peer's (2.7: the responder picks one proposal and
 * one transform of each type and returns exactly that).
 */
#include <stdio.h>
#include <string.h>

#include "ike_int.h"

static void
add_transforms(struct ike_msg *m, struct ike_prop *pr,
	       const struct ike_proposal *p, bool ike, uint16_t first_dh)
{
	size_t i;

	ike_msg_add_xform(m, pr, IKE_XF_ENCR, p->encr, p->encr_bits);
	if (ike && p->prf != 0)
		ike_msg_add_xform(m, pr, IKE_XF_PRF, p->prf, 0);
	if (p->integ != 0)
		ike_msg_add_xform(m, pr, IKE_XF_INTEG, p->integ, 0);
	/* The group of our KE payload first: the responder may prefer it. */
	for (i = 0; i < p->ndh; i++)
		if (p->dh[i] == first_dh)
			ike_msg_add_xform(m, pr, IKE_XF_KE, first_dh, 0);
	for (i = 0; i < p->ndh; i++)
		if (p->dh[i] != first_dh)
			ike_msg_add_xform(m, pr, IKE_XF_KE, p->dh[i], 0);
	/* 3.3.3: ESP proposals carry ESN; we do not use it. */
	if (!ike)
		ike_msg_add_xform(m, pr, IKE_XF_ESN, IKE_ESN_NO, 0);
}

void
ike_add_ike_proposals(const struct ike_engine *e, struct ike_msg *m,
		      struct ike_pld *sa, uint16_t first_dh, const uint8_t *spi,
		      size_t spi_len)
{
	size_t i;

	for (i = 0; i < e->conf.nike; i++) {
		struct ike_prop *pr =
			ike_msg_add_prop(m, sa, IKE_PROTO_IKE, spi, spi_len);

		if (pr != NULL)
			add_transforms(m, pr, &e->conf.ike[i], true, first_dh);
	}
}

void
ike_add_esp_proposals(const struct ike_engine *e, struct ike_msg *m,
		      struct ike_pld *sa, uint32_t spi, uint16_t dh)
{
	uint8_t b[4] = {(uint8_t)(spi >> 24), (uint8_t)(spi >> 16),
			(uint8_t)(spi >> 8), (uint8_t)spi};
	size_t i;

	for (i = 0; i < e->conf.nesp; i++) {
		struct ike_proposal p = e->conf.esp[i];
		struct ike_prop *pr;

		/* In IKE_AUTH (dh 0) no KE applies (1.2): offer none. */
		if (dh == 0)
			p.ndh = 0;
		pr = ike_msg_add_prop(m, sa, IKE_PROTO_ESP, b, sizeof(b));
		if (pr != NULL)
			add_transforms(m, pr, &p, false, dh);
	}
}

void
ike_add_chosen(struct ike_msg *m, struct ike_pld *sa, uint8_t proto,
	       uint8_t num, const void *spi, size_t spi_len, uint16_t encr,
	       uint16_t keybits, uint16_t prf, uint16_t integ, uint16_t dh)
{
	struct ike_prop *pr = ike_msg_add_prop(m, sa, proto, spi, spi_len);

	if (pr == NULL)
		return;
	/* 3.3.1: the reply's proposal carries the number of the chosen one. */
	pr->num = num;
	ike_msg_add_xform(m, pr, IKE_XF_ENCR, encr, keybits);
	if (proto == IKE_PROTO_IKE)
		ike_msg_add_xform(m, pr, IKE_XF_PRF, prf, 0);
	if (integ != 0)
		ike_msg_add_xform(m, pr, IKE_XF_INTEG, integ, 0);
	if (dh != 0)
		ike_msg_add_xform(m, pr, IKE_XF_KE, dh, 0);
	if (proto == IKE_PROTO_ESP)
		ike_msg_add_xform(m, pr, IKE_XF_ESN, IKE_ESN_NO, 0);
}

/* Does proposal pr offer this transform (type, id, key length)? */
static bool
offers(const struct ike_msg *m, const struct ike_prop *pr, uint8_t type,
       uint16_t id, uint16_t bits)
{
	size_t i;
	const struct ike_xform *x;

	for (i = 0; (x = ike_prop_xform(m, pr, i)) != NULL; i++)
		if (x->type == type && x->id == id &&
		    (type != IKE_XF_ENCR || x->key_len == bits))
			return true;
	return false;
}

static bool
has_type(const struct ike_msg *m, const struct ike_prop *pr, uint8_t type)
{
	size_t i;
	const struct ike_xform *x;

	for (i = 0; (x = ike_prop_xform(m, pr, i)) != NULL; i++)
		if (x->type == type)
			return true;
	return false;
}

/*
 * Match one of the peer's proposals against one of ours: the encryption,
 * PRF (IKE) and integrity must be offered, integrity absent (or NONE)
 * with AEAD, and a group in common.  Returns the group to use: ke_group
 * when both offer it; else (in *want) the first of ours the peer offers.
 */
static bool
match(const struct ike_msg *m, const struct ike_prop *pr,
      const struct ike_proposal *ours, bool ike, uint16_t ke_group,
      uint16_t *dh, uint16_t *want)
{
	size_t i;

	if (!offers(m, pr, IKE_XF_ENCR, ours->encr, ours->encr_bits))
		return false;
	if (ike && !offers(m, pr, IKE_XF_PRF, ours->prf, 0))
		return false;
	if (ours->integ != 0
		    ? !offers(m, pr, IKE_XF_INTEG, ours->integ, 0)
		    : has_type(m, pr, IKE_XF_INTEG) &&
			      !offers(m, pr, IKE_XF_INTEG, IKE_INTEG_NONE, 0))
		return false;
	if (!ike && has_type(m, pr, IKE_XF_ESN) &&
	    !offers(m, pr, IKE_XF_ESN, IKE_ESN_NO, 0))
		return false;
	*dh = 0;
	*want = 0;
	if (!ike && ke_group == 0) {
		/* No KE payload: only a proposal that can do without. */
		return !has_type(m, pr, IKE_XF_KE) ||
		       offers(m, pr, IKE_XF_KE, IKE_KE_NONE, 0) ||
		       ours->ndh == 0;
	}
	if (!ike && ours->ndh == 0 && !has_type(m, pr, IKE_XF_KE))
		return true;
	/*
	 * A rekey with PFS that our ESP proposal does not ask for: take the
	 * peer's group rather than refuse every rekey until the SA expires
	 * (one end configured for PFS, the other not).
	 */
	if (!ike && ours->ndh == 0 && ike_dh_alg(ke_group) != NULL &&
	    offers(m, pr, IKE_XF_KE, ke_group, 0)) {
		*dh = ke_group;
		return true;
	}
	for (i = 0; i < ours->ndh; i++) {
		if (ours->dh[i] == ke_group &&
		    offers(m, pr, IKE_XF_KE, ke_group, 0)) {
			*dh = ke_group;
			return true;
		}
	}
	for (i = 0; i < ours->ndh; i++) {
		if (offers(m, pr, IKE_XF_KE, ours->dh[i], 0)) {
			*want = ours->dh[i];
			return true;
		}
	}
	return false;
}

int
ike_choose_ike(const struct ike_engine *e, const struct ike_msg *m,
	       const struct ike_pld *sa, uint16_t ke_group,
	       struct ike_suite *out, const struct ike_prop **chosen,
	       uint16_t *want_group)
{
	const struct ike_prop *pr;
	uint16_t dh, want, first_want = 0;
	size_t i, j;

	/* The peer's order of preference, then ours (2.7). */
	for (i = 0; (pr = ike_sa_prop(m, sa, i)) != NULL; i++) {
		if (pr->proto != IKE_PROTO_IKE || pr->unknown)
			continue;
		for (j = 0; j < e->conf.nike; j++) {
			const struct ike_proposal *o = &e->conf.ike[j];

			if (!match(m, pr, o, true, ke_group, &dh, &want))
				continue;
			if (dh == 0) {
				if (first_want == 0)
					first_want = want;
				continue;
			}
			out->encr = o->encr;
			out->encr_keybits = o->encr_bits;
			out->prf = o->prf;
			out->integ = o->integ;
			out->dh = dh;
			*chosen = pr;
			return 0;
		}
	}
	if (first_want != 0) {
		*want_group = first_want;
		return 1;
	}
	return -1;
}

int
ike_choose_esp(const struct ike_engine *e, const struct ike_msg *m,
	       const struct ike_pld *sa, uint16_t ke_group,
	       struct ike_esp_suite *out, uint32_t *peer_spi,
	       uint16_t *want_group)
{
	const struct ike_prop *pr;
	uint16_t dh, want, first_want = 0;
	size_t i, j;

	for (i = 0; (pr = ike_sa_prop(m, sa, i)) != NULL; i++) {
		if (pr->proto != IKE_PROTO_ESP || pr->unknown ||
		    pr->spi_len != 4)
			continue;
		for (j = 0; j < e->conf.nesp; j++) {
			const struct ike_proposal *o = &e->conf.esp[j];

			if (!match(m, pr, o, false, ke_group, &dh, &want))
				continue;
			if (ke_group != 0 && dh == 0 && want != 0) {
				if (first_want == 0)
					first_want = want;
				continue;
			}
			memset(out, 0, sizeof(*out));
			out->encr = o->encr;
			out->encr_keybits = o->encr_bits;
			out->integ = o->integ;
			out->dh = dh;
			*peer_spi = ike_spi32(pr->spi, pr->spi_len);
			return (int)pr->num;
		}
	}
	if (first_want != 0) {
		*want_group = first_want;
		return -2;
	}
	return -1;
}

static const char *
encr_str(uint16_t encr, uint16_t bits, char *b, size_t n)
{
	snprintf(b, n, "aes%u%s", bits,
		 encr == IKE_ENCR_AES_GCM_16 ? "gcm16" : "");
	return b;
}

static const char *
integ_str(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA2_256_128:
		return "-sha256";
	case IKE_INTEG_HMAC_SHA2_384_192:
		return "-sha384";
	case IKE_INTEG_HMAC_SHA2_512_256:
		return "-sha512";
	default:
		return "";
	}
}

static const char *
prf_str(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return "-prfsha256";
	case IKE_PRF_HMAC_SHA2_384:
		return "-prfsha384";
	case IKE_PRF_HMAC_SHA2_512:
		return "-prfsha512";
	default:
		return "";
	}
}

static const char *
dh_str(uint16_t dh)
{
	switch (dh) {
	case IKE_KE_MODP2048:
		return "-modp2048";
	case IKE_KE_MODP3072:
		return "-modp3072";
	case IKE_KE_MODP4096:
		return "-modp4096";
	case IKE_KE_ECP256:
		return "-ecp256";
	case IKE_KE_ECP384:
		return "-ecp384";
	case IKE_KE_CURVE25519:
		return "-x25519";
	default:
		return "";
	}
}

/* strongSwan-style names, as dmvpn.conf(5) spells proposals. */
void
ike_suite_str(const struct ike_suite *s, char *out, size_t n)
{
	char b[16];

	snprintf(out, n, "%s%s%s%s",
		 encr_str(s->encr, s->encr_keybits, b, sizeof(b)),
		 integ_str(s->integ), prf_str(s->prf), dh_str(s->dh));
}

void
ike_esp_suite_str(const struct ike_esp_suite *s, char *out, size_t n)
{
	char b[16];

	snprintf(out, n, "%s%s%s",
		 encr_str(s->encr, s->encr_keybits, b, sizeof(b)),
		 integ_str(s->integ), dh_str(s->dh));
}
