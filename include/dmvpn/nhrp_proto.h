/*
 * NHRP wire constants: RFC 2332 plus the Cisco DMVPN additions (the
 * Traffic Indication packet, the NAT flag and the NAT Address extension).
 * Constants only, each with its name in a trailing comment; for packet
 * types, error codes, CIE codes and extension types that comment is what
 * the nhrp_*_name() lookups in nhrp_wire.h return (test_names checks it).
 */
#ifndef DMVPN_NHRP_PROTO_H
#define DMVPN_NHRP_PROTO_H

/* GRE protocol type and Ethertype that carry NHRP */
#define NHRP_ETHERTYPE 0x2001 /* NHRP */

/* ar$op.version (RFC 2332 5.2) */
#define NHRP_VERSION 1 /* NHRP - RFC 2332 */

/* ar$op.type (RFC 2332 5.2.1-5.2.7; 8 is Cisco's) */
#define NHRP_RESOLUTION_REQUEST   1 /* Resolution Request */
#define NHRP_RESOLUTION_REPLY     2 /* Resolution Reply */
#define NHRP_REGISTRATION_REQUEST 3 /* Registration Request */
#define NHRP_REGISTRATION_REPLY   4 /* Registration Reply */
#define NHRP_PURGE_REQUEST        5 /* Purge Request */
#define NHRP_PURGE_REPLY          6 /* Purge Reply */
#define NHRP_ERROR_INDICATION     7 /* Error Indication */
#define NHRP_TRAFFIC_INDICATION   8 /* Traffic Indication */

/* ar$afn: IANA address family numbers of the NBMA addresses */
#define NHRP_AFN_IPV4 1 /* IPv4 */
#define NHRP_AFN_IPV6 2 /* IPv6 */

/* ar$pro.type: protocol types, Ethertype form (RFC 2332 5.2) */
#define NHRP_PRO_IPV4 0x0800 /* IPv4 */
#define NHRP_PRO_IPV6 0x86dd /* IPv6 */
#define NHRP_PRO_SNAP 0x0080 /* SNAP long form */

/* Fixed sizes in octets */
#define NHRP_FIXED_LEN   20 /* Fixed Header (RFC 2332 5.2) */
#define NHRP_COMMON_LEN  8  /* Mandatory Part common header (5.2.0.1) */
#define NHRP_CIE_LEN     12 /* CIE without its addresses (5.2.0.1) */
#define NHRP_EXT_HDR_LEN 4  /* Extension type and length (5.3) */
#define NHRP_SNAP_LEN    5  /* ar$pro.snap */

/* Fixed header field offsets (RFC 2332 5.2) */
#define NHRP_OFF_PKTSZ  10 /* ar$pktsz */
#define NHRP_OFF_CHKSUM 12 /* ar$chksum */
#define NHRP_OFF_EXTOFF 14 /* ar$extoff */

/* Address type/length octets: ar$shtl, ar$sstl, Cli (S)Addr T/L (5.2) */
#define NHRP_TL_RESERVED 0x80 /* Reserved */
#define NHRP_TL_E164     0x40 /* Native E.164 format */
#define NHRP_TL_LEN_MASK 0x3f /* Length */

/* Resolution Request/Reply flags (RFC 2332 5.2.1, 5.2.2) */
#define NHRP_FLAG_RES_Q   0x8000 /* Is Router */
#define NHRP_FLAG_RES_A   0x4000 /* Authoritative */
#define NHRP_FLAG_RES_D   0x2000 /* Stable Association */
#define NHRP_FLAG_RES_U   0x1000 /* Uniqueness */
#define NHRP_FLAG_RES_S   0x0800 /* Stable Binding */
#define NHRP_FLAG_RES_NAT 0x0002 /* Cisco NAT Supported */

/* Registration Request/Reply flags (RFC 2332 5.2.3) */
#define NHRP_FLAG_REG_U   0x8000 /* Uniqueness */
#define NHRP_FLAG_REG_NAT 0x0002 /* Cisco NAT Supported */

/* Purge Request/Reply flags (RFC 2332 5.2.5) */
#define NHRP_FLAG_PURGE_N 0x8000 /* No Reply Expected */

/* CIE codes (RFC 2332 5.2.2, 5.2.4) */
#define NHRP_CIE_SUCCESS            0  /* Success */
#define NHRP_CIE_ADMIN_PROHIBITED   4  /* Administratively Prohibited */
#define NHRP_CIE_INSUFFICIENT_RES   5  /* Insufficient Resources */
#define NHRP_CIE_NO_BINDING         12 /* No Binding Exists */
#define NHRP_CIE_NOT_UNIQUE         13 /* Binding Not Unique */
#define NHRP_CIE_ALREADY_REGISTERED 14 /* Unique Address Already Registered */

/* Error Indication codes (RFC 2332 5.2.7) */
#define NHRP_ERR_UNRECOGNIZED_EXT 1  /* Unrecognized Extension */
#define NHRP_ERR_LOOP_DETECTED    3  /* Loop Detected */
#define NHRP_ERR_PROTO_UNREACH    6  /* Protocol Address Unreachable */
#define NHRP_ERR_PROTOCOL         7  /* Protocol Error */
#define NHRP_ERR_SDU_SIZE         8  /* SDU Size Exceeded */
#define NHRP_ERR_INVALID_EXT      9  /* Invalid Extension */
#define NHRP_ERR_INVALID_REPLY    10 /* Invalid Resolution Reply Received */
#define NHRP_ERR_AUTH_FAILURE     11 /* Authentication Failure */
#define NHRP_ERR_HOP_COUNT        15 /* Hop Count Exceeded */

/* Traffic Indication codes (Cisco) */
#define NHRP_TRAFFIC_REDIRECT 0 /* Traffic Redirect */

/* Extension type field (RFC 2332 5.3) */
#define NHRP_EXT_COMPULSORY 0x8000 /* Compulsory */
#define NHRP_EXT_UNUSED     0x4000 /* Unused */
#define NHRP_EXT_TYPE_MASK  0x3fff /* Type */

/* Extension types (RFC 2332 5.3.0-5.3.5; 9 is Cisco's) */
#define NHRP_EXT_END         0 /* End */
#define NHRP_EXT_RESPONDER   3 /* Responder Address */
#define NHRP_EXT_FWD_TRANSIT 4 /* Forward Transit NHS Record */
#define NHRP_EXT_REV_TRANSIT 5 /* Reverse Transit NHS Record */
#define NHRP_EXT_AUTH        7 /* Authentication */
#define NHRP_EXT_VENDOR      8 /* Vendor-Private */
#define NHRP_EXT_NAT_ADDR    9 /* Cisco NAT Address */

/* Authentication extension: first 32 bits, Cisco's authentication type */
#define NHRP_AUTH_CISCO_CLEARTEXT 1 /* Cisco Cleartext Password */

/* Vendor-Private extension: the IEEE vendor ID is 3 octets (5.3.5) */
#define NHRP_VENDOR_ID_LEN 3 /* Vendor ID */

#endif /* DMVPN_NHRP_PROTO_H */
