/*
 * What the daemon asks of the engine: may a peer register an address
 * (its identity), the SAs for `dmvpnctl show ike` and `show sa`, the
 * counters, the installed CHILD SAs for reconciliation with the kernel,
 * and the IKE SA keys for tshark.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "ike_int.h"

bool
ike_peer_authorized(struct ike_engine *e, const struct addr *remote,
		    const struct addr *proto)
{
	struct ike_peer *p = ike_peer_find(e, remote);
	struct ike_sa *sa = p != NULL ? ike_peer_sa(p) : NULL;
	bool listed = false;
	size_t i, j;

	if (sa == NULL)
		return false;
	for (i = 0; i < e->conf.nauthz; i++) {
		const struct ike_authz *a = &e->conf.authz[i];

		if (a->id.type != sa->peer_id.type ||
		    a->id.len != sa->peer_id.len ||
		    memcmp(a->id.data, sa->peer_id.data, a->id.len) != 0)
			continue;
		listed = true;
		for (j = 0; j < a->nprefixes; j++)
			if (prefix_contains(&a->prefixes[j], proto))
				return true;
	}
	if (sa->peer_cert != NULL) {
		struct addr ips[16];
		size_t n = ike_cert_san_ips(sa->peer_cert, ips, 16);

		for (i = 0; i < n; i++)
			if (addr_eq(&ips[i], proto))
				return true;
		/* A certificate names what its holder may use; else a map. */
		if (n > 0 || listed) {
			e->stats.registrations_refused++;
			return false;
		}
	}
	if (listed) {
		e->stats.registrations_refused++;
		return false;
	}
	/* A PSK peer no `authorize` entry names: trusted by the key. */
	return sa->peer_cert == NULL;
}

static void
id_printable(const struct ike_id *id, char *out, size_t n)
{
	struct addr a;
	size_t i, k = 0;

	out[0] = '\0';
	if ((id->type == IKE_ID_IPV4_ADDR && id->len == 4) ||
	    (id->type == IKE_ID_IPV6_ADDR && id->len == 16)) {
		char as[ADDR_STRLEN];

		addr_from_bytes(&a, id->data, id->len);
		snprintf(out, n, "%s", addr_fmt(&a, as));
		return;
	}
	if (id->type == IKE_ID_DER_ASN1_DN) {
		const unsigned char *p = id->data;
		X509_NAME *name = d2i_X509_NAME(NULL, &p, id->len);

		if (name != NULL) {
			X509_NAME_oneline(name, out, (int)n);
			X509_NAME_free(name);
			return;
		}
	}
	for (i = 0; i < id->len && k + 1 < n; i++) {
		uint8_t c = id->data[i];

		out[k++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
	}
	out[k] = '\0';
}

int
ike_foreach_sa(const struct ike_engine *e, double now,
	       int (*cb)(const struct ike_sa_info *, void *), void *arg)
{
	struct ike_sa *sa;
	struct ike_sa_info info;
	size_t i;
	int rc;

	list_for_each_entry(sa, &e->sas, all) {
		memset(&info, 0, sizeof(info));
		info.path = sa->path;
		info.spi_i = sa->spi_i;
		info.spi_r = sa->spi_r;
		info.initiator = sa->initiator;
		info.state = sa->state;
		info.auth = sa->auth_method == 0                  ? "-"
			    : sa->auth_method == IKE_AUTH_PSK     ? "psk"
			    : sa->auth_method == IKE_AUTH_RSA_SIG ? "rsa"
			    : sa->auth_method == IKE_AUTH_DIGSIG  ? "signature"
								  : "ecdsa";
		if (sa->keyed)
			ike_suite_str(&sa->suite, info.ike_proposal,
				      sizeof(info.ike_proposal));
		id_printable(&sa->peer_id, info.remote_id,
			     sizeof(info.remote_id));
		info.established_s =
			sa->established > 0 ? now - sa->established : 0;
		info.rekey_in = heap_queued(&sa->t_rekey_ike.hn)
					? sa->t_rekey_ike.hn.at - now
					: -1;
		info.nat_local = sa->nat_local;
		info.nat_remote = sa->nat_remote;
		for (i = 0; i < sa->nchild && i < IKE_INFO_CHILDREN; i++) {
			const struct ike_child *c = &sa->child[i];
			struct ike_child_info *ci = &info.child[info.nchild];

			if (!c->installed)
				continue;
			ci->spi_in = c->spi_in;
			ci->spi_out = c->spi_out;
			ci->reqid = sa->peer->reqid;
			ike_esp_suite_str(&c->keys.suite, ci->esp_proposal,
					  sizeof(ci->esp_proposal));
			ci->established_s = now - c->established;
			ci->rekey_in = heap_queued(&sa->t_rekey_child.hn)
					       ? sa->t_rekey_child.hn.at - now
					       : -1;
			ci->encap = sa->nat_local || sa->nat_remote;
			info.nchild++;
		}
		rc = cb(&info, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

const struct ike_stats *
ike_stats(const struct ike_engine *e)
{
	return &e->stats;
}

int
ike_foreach_child_sa(const struct ike_engine *e,
		     int (*cb)(const struct ike_child_sa *, void *), void *arg)
{
	const struct ike_sa *sa;
	struct ike_child_sa cs;
	size_t i;
	int rc;

	list_for_each_entry(sa, &e->sas, all) {
		for (i = 0; i < sa->nchild; i++) {
			if (!sa->child[i].installed || sa->peer == NULL)
				continue;
			ike_child_sa_of(e, sa, &sa->child[i], &cs);
			cs.inbound_only = sa->child[i].out_pending;
			rc = cb(&cs, arg);
			OPENSSL_cleanse(&cs, sizeof(cs));
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int
ike_export_keys(const struct ike_engine *e,
		int (*cb)(const struct ike_sa_keys_export *, void *), void *arg)
{
	const struct ike_sa *sa;
	struct ike_sa_keys_export x;
	int rc;

	list_for_each_entry(sa, &e->sas, all) {
		if (!sa->keyed)
			continue;
		memset(&x, 0, sizeof(x));
		x.spi_i = sa->spi_i;
		x.spi_r = sa->spi_r;
		x.encr = sa->suite.encr;
		x.encr_bits = sa->suite.encr_keybits;
		x.integ = sa->suite.integ;
		x.encr_len = sa->keys.encr_len;
		x.integ_len = sa->keys.integ_len;
		memcpy(x.sk_ei, sa->keys.sk_ei, sa->keys.encr_len);
		memcpy(x.sk_er, sa->keys.sk_er, sa->keys.encr_len);
		memcpy(x.sk_ai, sa->keys.sk_ai, sa->keys.integ_len);
		memcpy(x.sk_ar, sa->keys.sk_ar, sa->keys.integ_len);
		rc = cb(&x, arg);
		OPENSSL_cleanse(&x, sizeof(x));
		if (rc != 0)
			return rc;
	}
	return 0;
}
