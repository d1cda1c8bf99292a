/*
 * Names of the IKEv2 wire constants, for logs and `dmvpnctl`.  Each name
 * is the trailing comment of the constant in include/dmvpn/ike_wire.h (the
 * IANA "IKEv2 Parameters" registry names); the unit test checks the two
 * agree for every entry.
 */
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/ike_wire.h"

struct ike_name {
	unsigned int value;
	const char *name;
};

static const struct ike_name ike_exchange_names[] = {
	{IKE_EXCH_IKE_SA_INIT, "IKE_SA_INIT"},
	{IKE_EXCH_IKE_AUTH, "IKE_AUTH"},
	{IKE_EXCH_CREATE_CHILD_SA, "CREATE_CHILD_SA"},
	{IKE_EXCH_INFORMATIONAL, "INFORMATIONAL"},
};

static const struct ike_name ike_payload_names[] = {
	{IKE_PLD_NONE, "No Next Payload"},
	{IKE_PLD_SA, "SA"},
	{IKE_PLD_KE, "KE"},
	{IKE_PLD_IDI, "IDi"},
	{IKE_PLD_IDR, "IDr"},
	{IKE_PLD_CERT, "CERT"},
	{IKE_PLD_CERTREQ, "CERTREQ"},
	{IKE_PLD_AUTH, "AUTH"},
	{IKE_PLD_NONCE, "Nonce"},
	{IKE_PLD_NOTIFY, "Notify"},
	{IKE_PLD_DELETE, "Delete"},
	{IKE_PLD_VID, "Vendor ID"},
	{IKE_PLD_TSI, "TSi"},
	{IKE_PLD_TSR, "TSr"},
	{IKE_PLD_SK, "SK"},
	{IKE_PLD_CP, "CP"},
	{IKE_PLD_EAP, "EAP"},
	{IKE_PLD_SKF, "SKF"},
};

static const struct ike_name ike_notify_names[] = {
	{IKE_N_UNSUPP_CRITICAL, "UNSUPPORTED_CRITICAL_PAYLOAD"},
	{IKE_N_INVALID_IKE_SPI, "INVALID_IKE_SPI"},
	{IKE_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION"},
	{IKE_N_INVALID_SYNTAX, "INVALID_SYNTAX"},
	{IKE_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID"},
	{IKE_N_INVALID_SPI, "INVALID_SPI"},
	{IKE_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN"},
	{IKE_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD"},
	{IKE_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED"},
	{IKE_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED"},
	{IKE_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS"},
	{IKE_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE"},
	{IKE_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED"},
	{IKE_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE"},
	{IKE_N_INVALID_SELECTORS, "INVALID_SELECTORS"},
	{IKE_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE"},
	{IKE_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND"},
	{IKE_N_INITIAL_CONTACT, "INITIAL_CONTACT"},
	{IKE_N_SET_WINDOW_SIZE, "SET_WINDOW_SIZE"},
	{IKE_N_ADDITIONAL_TS_POSSIBLE, "ADDITIONAL_TS_POSSIBLE"},
	{IKE_N_IPCOMP_SUPPORTED, "IPCOMP_SUPPORTED"},
	{IKE_N_NATD_SRC, "NAT_DETECTION_SOURCE_IP"},
	{IKE_N_NATD_DST, "NAT_DETECTION_DESTINATION_IP"},
	{IKE_N_COOKIE, "COOKIE"},
	{IKE_N_USE_TRANSPORT_MODE, "USE_TRANSPORT_MODE"},
	{IKE_N_HTTP_CERT_LOOKUP, "HTTP_CERT_LOOKUP_SUPPORTED"},
	{IKE_N_REKEY_SA, "REKEY_SA"},
	{IKE_N_ESP_TFC_PAD_NOT_SUPP, "ESP_TFC_PADDING_NOT_SUPPORTED"},
	{IKE_N_NON_FIRST_FRAGS, "NON_FIRST_FRAGMENTS_ALSO"},
	{IKE_N_MOBIKE_SUPPORTED, "MOBIKE_SUPPORTED"},
	{IKE_N_REDIRECT_SUPPORTED, "REDIRECT_SUPPORTED"},
	{IKE_N_FRAG_SUPPORTED, "IKEV2_FRAGMENTATION_SUPPORTED"},
	{IKE_N_SIG_HASH_ALGS, "SIGNATURE_HASH_ALGORITHMS"},
};

static const struct ike_name ike_proto_names[] = {
	{IKE_PROTO_NONE, "none"},
	{IKE_PROTO_IKE, "IKE"},
	{IKE_PROTO_AH, "AH"},
	{IKE_PROTO_ESP, "ESP"},
};

static const struct ike_name ike_xform_type_names[] = {
	{IKE_XF_ENCR, "ENCR"}, {IKE_XF_PRF, "PRF"}, {IKE_XF_INTEG, "INTEG"},
	{IKE_XF_KE, "KE"},     {IKE_XF_ESN, "ESN"},
};

static const struct ike_name ike_encr_names[] = {
	{IKE_ENCR_3DES, "3DES"},
	{IKE_ENCR_NULL, "NULL"},
	{IKE_ENCR_AES_CBC, "AES_CBC"},
	{IKE_ENCR_AES_CTR, "AES_CTR"},
	{IKE_ENCR_AES_CCM_8, "AES_CCM_8"},
	{IKE_ENCR_AES_CCM_12, "AES_CCM_12"},
	{IKE_ENCR_AES_CCM_16, "AES_CCM_16"},
	{IKE_ENCR_AES_GCM_8, "AES_GCM_8"},
	{IKE_ENCR_AES_GCM_12, "AES_GCM_12"},
	{IKE_ENCR_AES_GCM_16, "AES_GCM_16"},
	{IKE_ENCR_CHACHA20_POLY1305, "CHACHA20_POLY1305"},
};

static const struct ike_name ike_prf_names[] = {
	{IKE_PRF_HMAC_SHA1, "PRF_HMAC_SHA1"},
	{IKE_PRF_AES128_XCBC, "PRF_AES128_XCBC"},
	{IKE_PRF_HMAC_SHA2_256, "PRF_HMAC_SHA2_256"},
	{IKE_PRF_HMAC_SHA2_384, "PRF_HMAC_SHA2_384"},
	{IKE_PRF_HMAC_SHA2_512, "PRF_HMAC_SHA2_512"},
	{IKE_PRF_AES128_CMAC, "PRF_AES128_CMAC"},
};

static const struct ike_name ike_integ_names[] = {
	{IKE_INTEG_NONE, "NONE"},
	{IKE_INTEG_HMAC_SHA1_96, "AUTH_HMAC_SHA1_96"},
	{IKE_INTEG_AES_XCBC_96, "AUTH_AES_XCBC_96"},
	{IKE_INTEG_AES_CMAC_96, "AUTH_AES_CMAC_96"},
	{IKE_INTEG_HMAC_SHA2_256_128, "AUTH_HMAC_SHA2_256_128"},
	{IKE_INTEG_HMAC_SHA2_384_192, "AUTH_HMAC_SHA2_384_192"},
	{IKE_INTEG_HMAC_SHA2_512_256, "AUTH_HMAC_SHA2_512_256"},
};

static const struct ike_name ike_ke_names[] = {
	{IKE_KE_NONE, "NONE"},
	{IKE_KE_MODP1024, "MODP1024"},
	{IKE_KE_MODP2048, "MODP2048"},
	{IKE_KE_MODP3072, "MODP3072"},
	{IKE_KE_MODP4096, "MODP4096"},
	{IKE_KE_ECP256, "ECP256"},
	{IKE_KE_ECP384, "ECP384"},
	{IKE_KE_ECP521, "ECP521"},
	{IKE_KE_CURVE25519, "Curve25519"},
	{IKE_KE_CURVE448, "Curve448"},
};

static const struct ike_name ike_esn_names[] = {
	{IKE_ESN_NO, "No ESN"},
	{IKE_ESN_YES, "ESN"},
};

static const struct ike_name ike_id_type_names[] = {
	{IKE_ID_IPV4_ADDR, "ID_IPV4_ADDR"},
	{IKE_ID_FQDN, "ID_FQDN"},
	{IKE_ID_RFC822_ADDR, "ID_RFC822_ADDR"},
	{IKE_ID_IPV6_ADDR, "ID_IPV6_ADDR"},
	{IKE_ID_DER_ASN1_DN, "ID_DER_ASN1_DN"},
	{IKE_ID_DER_ASN1_GN, "ID_DER_ASN1_GN"},
	{IKE_ID_KEY_ID, "ID_KEY_ID"},
};

static const struct ike_name ike_auth_method_names[] = {
	{IKE_AUTH_RSA_SIG, "RSA Digital Signature"},
	{IKE_AUTH_PSK, "Shared Key Message Integrity Code"},
	{IKE_AUTH_DSS_SIG, "DSS Digital Signature"},
	{IKE_AUTH_ECDSA_256, "ECDSA with SHA-256 on the P-256 curve"},
	{IKE_AUTH_ECDSA_384, "ECDSA with SHA-384 on the P-384 curve"},
	{IKE_AUTH_ECDSA_521, "ECDSA with SHA-512 on the P-521 curve"},
	{IKE_AUTH_DIGSIG, "Digital Signature"},
};

static const struct ike_name ike_ts_type_names[] = {
	{IKE_TS_IPV4_ADDR_RANGE, "TS_IPV4_ADDR_RANGE"},
	{IKE_TS_IPV6_ADDR_RANGE, "TS_IPV6_ADDR_RANGE"},
};

#define IKE_NELEM(a)       (sizeof(a) / sizeof((a)[0]))
#define IKE_LOOKUP(tab, v) ike_lookup(tab, IKE_NELEM(tab), v)

static const char *
ike_lookup(const struct ike_name *tab, size_t n, unsigned int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].value == value)
			return tab[i].name;
	return "unknown";
}

const char *
ike_exchange_name(uint8_t exchange)
{
	return IKE_LOOKUP(ike_exchange_names, exchange);
}

const char *
ike_payload_name(uint8_t type)
{
	return IKE_LOOKUP(ike_payload_names, type);
}

const char *
ike_notify_name(uint16_t type)
{
	return IKE_LOOKUP(ike_notify_names, type);
}

const char *
ike_proto_name(uint8_t proto)
{
	return IKE_LOOKUP(ike_proto_names, proto);
}

const char *
ike_xform_type_name(uint8_t type)
{
	return IKE_LOOKUP(ike_xform_type_names, type);
}

const char *
ike_xform_id_name(uint8_t type, uint16_t id)
{
	switch (type) {
	case IKE_XF_ENCR:
		return IKE_LOOKUP(ike_encr_names, id);
	case IKE_XF_PRF:
		return IKE_LOOKUP(ike_prf_names, id);
	case IKE_XF_INTEG:
		return IKE_LOOKUP(ike_integ_names, id);
	case IKE_XF_KE:
		return IKE_LOOKUP(ike_ke_names, id);
	case IKE_XF_ESN:
		return IKE_LOOKUP(ike_esn_names, id);
	default:
		return "unknown";
	}
}

const char *
ike_id_type_name(uint8_t type)
{
	return IKE_LOOKUP(ike_id_type_names, type);
}

const char *
ike_auth_method_name(uint8_t method)
{
	return IKE_LOOKUP(ike_auth_method_names, method);
}

const char *
ike_ts_type_name(uint8_t type)
{
	return IKE_LOOKUP(ike_ts_type_names, type);
}
