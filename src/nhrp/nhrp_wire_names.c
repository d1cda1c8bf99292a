/*
 * Names of the NHRP wire constants, for logs and `dmvpnctl`.  Each name is
 * the trailing comment of the constant in include/dmvpn/nhrp_proto.h; the
 * unit test checks the two agree for every entry.
 */
#include <stddef.h>
#include <stdint.h>

#include "dmvpn/nhrp_wire.h"

struct nhrp_name {
	unsigned int value;
	const char *name;
};

static const struct nhrp_name nhrp_type_names[] = {
	{NHRP_RESOLUTION_REQUEST, "Resolution Request"},
	{NHRP_RESOLUTION_REPLY, "Resolution Reply"},
	{NHRP_REGISTRATION_REQUEST, "Registration Request"},
	{NHRP_REGISTRATION_REPLY, "Registration Reply"},
	{NHRP_PURGE_REQUEST, "Purge Request"},
	{NHRP_PURGE_REPLY, "Purge Reply"},
	{NHRP_ERROR_INDICATION, "Error Indication"},
	{NHRP_TRAFFIC_INDICATION, "Traffic Indication"},
};

static const struct nhrp_name nhrp_err_names[] = {
	{NHRP_ERR_UNRECOGNIZED_EXT, "Unrecognized Extension"},
	{NHRP_ERR_LOOP_DETECTED, "Loop Detected"},
	{NHRP_ERR_PROTO_UNREACH, "Protocol Address Unreachable"},
	{NHRP_ERR_PROTOCOL, "Protocol Error"},
	{NHRP_ERR_SDU_SIZE, "SDU Size Exceeded"},
	{NHRP_ERR_INVALID_EXT, "Invalid Extension"},
	{NHRP_ERR_INVALID_REPLY, "Invalid Resolution Reply Received"},
	{NHRP_ERR_AUTH_FAILURE, "Authentication Failure"},
	{NHRP_ERR_HOP_COUNT, "Hop Count Exceeded"},
};

static const struct nhrp_name nhrp_cie_code_names[] = {
	{NHRP_CIE_SUCCESS, "Success"},
	{NHRP_CIE_ADMIN_PROHIBITED, "Administratively Prohibited"},
	{NHRP_CIE_INSUFFICIENT_RES, "Insufficient Resources"},
	{NHRP_CIE_NO_BINDING, "No Binding Exists"},
	{NHRP_CIE_NOT_UNIQUE, "Binding Not Unique"},
	{NHRP_CIE_ALREADY_REGISTERED, "Unique Address Already Registered"},
};

static const struct nhrp_name nhrp_ext_names[] = {
	{NHRP_EXT_END, "End"},
	{NHRP_EXT_RESPONDER, "Responder Address"},
	{NHRP_EXT_FWD_TRANSIT, "Forward Transit NHS Record"},
	{NHRP_EXT_REV_TRANSIT, "Reverse Transit NHS Record"},
	{NHRP_EXT_AUTH, "Authentication"},
	{NHRP_EXT_VENDOR, "Vendor-Private"},
	{NHRP_EXT_NAT_ADDR, "Cisco NAT Address"},
};

#define NHRP_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *
nhrp_lookup(const struct nhrp_name *tab, size_t n, unsigned int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].value == value)
			return tab[i].name;
	return "unknown";
}

const char *
nhrp_type_name(uint8_t type)
{
	return nhrp_lookup(nhrp_type_names, NHRP_NELEM(nhrp_type_names), type);
}

const char *
nhrp_err_name(uint16_t code)
{
	return nhrp_lookup(nhrp_err_names, NHRP_NELEM(nhrp_err_names), code);
}

const char *
nhrp_cie_code_name(uint8_t code)
{
	return nhrp_lookup(nhrp_cie_code_names, NHRP_NELEM(nhrp_cie_code_names),
			   code);
}

const char *
nhrp_ext_name(uint16_t type)
{
	return nhrp_lookup(nhrp_ext_names, NHRP_NELEM(nhrp_ext_names),
			   type & (unsigned int)~NHRP_EXT_COMPULSORY);
}
