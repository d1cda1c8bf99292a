/*
 * Unit tests for the NHRP wire codec (src/nhrp/nhrp_wire.c): golden bytes
 * for every packet type and extension, laid out by hand field by field
 * after RFC 2332 5.2-5.3; IPv4 and IPv6 round trips; every reason the
 * decoder and encoder refuse; real packets from FRR nhrpd; and sweeps of
 * truncated and corrupted packets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dmvpn/buf.h"
#include "dmvpn/nhrp_wire.h"

/* --- golden packets: what nhrp_encode() must produce ---------------- */

/* clang-format off */
static const uint8_t gold_res_req[] = {
	0x00, 0x01, 0x08, 0x00,         /* afn 1, pro.type 0x0800 */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x40, 0x00, 0x48,               /* hopcnt 64, pktsz 72 */
	0x88, 0x32,                     /* chksum */
	0x00, 0x34,                     /* extoff 52 */
	0x01, 0x01, 0x04, 0x00,         /* version 1, type 1, shtl 4, sstl 0 */
	0x04, 0x04,                     /* src, dst proto len */
	0xc8, 0x02,                     /* flags 0xc802 */
	0x01, 0x02, 0x03, 0x04,         /* request ID 0x1020304 */
	0xc0, 0x00, 0x02, 0x0b,         /* src NBMA 192.0.2.11 */
	0xac, 0x10, 0x00, 0x0b,         /* src proto 172.16.0.11 */
	0x0a, 0x02, 0x00, 0x0a,         /* dst proto 10.2.0.10 */
	0x00, 0x20, 0x00, 0x00,         /* CIE code 0, prefix 32, unused */
	0x05, 0x78, 0x1c, 0x20,         /* CIE mtu 1400, holding 7200 */
	0x00, 0x00, 0x00, 0x00,         /* CIE T/L 0/0, proto 0, pref 0 */
	0x80, 0x04, 0x00, 0x00,         /* Fwd Transit, C, length 0 */
	0x80, 0x05, 0x00, 0x00,         /* Rev Transit, C, length 0 */
	0x80, 0x03, 0x00, 0x00,         /* Responder, C, length 0 */
	0x00, 0x09, 0x00, 0x00,         /* NAT, length 0 */
	0x80, 0x00, 0x00, 0x00,         /* End, C, length 0 */
};
static const uint8_t gold_res_reply[] = {
	0x00, 0x01, 0x08, 0x00,         /* afn 1, pro.type 0x0800 */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x40, 0x00, 0x74,               /* hopcnt 64, pktsz 116 */
	0xcc, 0x42,                     /* chksum */
	0x00, 0x3c,                     /* extoff 60 */
	0x01, 0x02, 0x04, 0x00,         /* version 1, type 2, shtl 4, sstl 0 */
	0x04, 0x04,                     /* src, dst proto len */
	0xe8, 0x00,                     /* flags 0xe800 */
	0x01, 0x02, 0x03, 0x04,         /* request ID 0x1020304 */
	0xc0, 0x00, 0x02, 0x0b,         /* src NBMA 192.0.2.11 */
	0xac, 0x10, 0x00, 0x0b,         /* src proto 172.16.0.11 */
	0x0a, 0x02, 0x00, 0x0a,         /* dst proto 10.2.0.10 */
	0x00, 0x18, 0x00, 0x00,         /* CIE code 0, prefix 24, unused */
	0x05, 0x78, 0x1c, 0x20,         /* CIE mtu 1400, holding 7200 */
	0x04, 0x00, 0x04, 0xff,         /* CIE T/L 4/0, proto 4, pref 255 */
	0xc0, 0x00, 0x02, 0x0c,         /* CIE NBMA 192.0.2.12 */
	0xac, 0x10, 0x00, 0x0c,         /* CIE proto 172.16.0.12 */
	0x80, 0x03, 0x00, 0x14,         /* Responder, C, length 20 */
	0x00, 0x00, 0x00, 0x00,         /* resp code 0, prefix 0, unused */
	0x00, 0x00, 0x1c, 0x20,         /* resp mtu 0, holding 7200 */
	0x04, 0x00, 0x04, 0x00,         /* resp T/L 4/0, proto 4, pref 0 */
	0xc0, 0x00, 0x02, 0x0c,         /* resp NBMA 192.0.2.12 */
	0xac, 0x10, 0x00, 0x0c,         /* resp proto 172.16.0.12 */
	0x80, 0x04, 0x00, 0x14,         /* Fwd Transit, C, length 20 */
	0x00, 0x00, 0x00, 0x00,         /* fwd code 0, prefix 0, unused */
	0x00, 0x00, 0x1c, 0x20,         /* fwd mtu 0, holding 7200 */
	0x04, 0x00, 0x04, 0x00,         /* fwd T/L 4/0, proto 4, pref 0 */
	0xc0, 0x00, 0x02, 0x01,         /* fwd NBMA 192.0.2.1 */
	0xac, 0x10, 0x00, 0x01,         /* fwd proto 172.16.0.1 */
	0x80, 0x05, 0x00, 0x00,         /* Rev Transit, C, length 0 */
	0x80, 0x00, 0x00, 0x00,         /* End, C, length 0 */
};
static const uint8_t gold_reg_req[] = {
	0x00, 0x01, 0x08, 0x00,         /* afn 1, pro.type 0x0800 */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x01, 0x00, 0x4a,               /* hopcnt 1, pktsz 74 */
	0x7b, 0x93,                     /* chksum */
	0x00, 0x34,                     /* extoff 52 */
	0x01, 0x03, 0x04, 0x00,         /* version 1, type 3, shtl 4, sstl 0 */
	0x04, 0x04,                     /* src, dst proto len */
	0x80, 0x02,                     /* flags 0x8002 */
	0x00, 0x00, 0x00, 0x07,         /* request ID 0x7 */
	0xc0, 0x00, 0x02, 0x0b,         /* src NBMA 192.0.2.11 */
	0xac, 0x10, 0x00, 0x0b,         /* src proto 172.16.0.11 */
	0xac, 0x10, 0x00, 0x01,         /* dst proto 172.16.0.1 */
	0x00, 0x20, 0x00, 0x00,         /* CIE code 0, prefix 32, unused */
	0x00, 0x00, 0x1c, 0x20,         /* CIE mtu 0, holding 7200 */
	0x00, 0x00, 0x00, 0x00,         /* CIE T/L 0/0, proto 0, pref 0 */
	0x80, 0x03, 0x00, 0x00,         /* Responder, C, length 0 */
	0x80, 0x07, 0x00, 0x0a,         /* Auth, C, length 10 */
	0x00, 0x00, 0x00, 0x01,         /* Cisco auth type 1 (cleartext) */
	/* password "secret" */
	0x73, 0x65, 0x63, 0x72, 0x65, 0x74,
	0x80, 0x00, 0x00, 0x00,         /* End, C, length 0 */
};
static const uint8_t gold_reg_reply[] = {
	0x00, 0x01, 0x08, 0x00,         /* afn 1, pro.type 0x0800 */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x40, 0x00, 0x76,               /* hopcnt 64, pktsz 118 */
	0x98, 0x6c,                     /* chksum */
	0x00, 0x34,                     /* extoff 52 */
	0x01, 0x04, 0x04, 0x00,         /* version 1, type 4, shtl 4, sstl 0 */
	0x04, 0x04,                     /* src, dst proto len */
	0x00, 0x02,                     /* flags 0x0002 */
	0x00, 0x00, 0x00, 0x07,         /* request ID 0x7 */
	0xc0, 0x00, 0x02, 0x0b,         /* src NBMA 192.0.2.11 */
	0xac, 0x10, 0x00, 0x0b,         /* src proto 172.16.0.11 */
	0xac, 0x10, 0x00, 0x01,         /* dst proto 172.16.0.1 */
	0x0e, 0x20, 0x00, 0x00,         /* CIE code 14, prefix 32, unused */
	0x00, 0x00, 0x00, 0x00,         /* CIE mtu 0, holding 0 */
	0x00, 0x00, 0x00, 0x00,         /* CIE T/L 0/0, proto 0, pref 0 */
	0x80, 0x03, 0x00, 0x14,         /* Responder, C, length 20 */
	0x00, 0x00, 0x00, 0x00,         /* resp code 0, prefix 0, unused */
	0x00, 0x00, 0x1c, 0x20,         /* resp mtu 0, holding 7200 */
	0x04, 0x00, 0x04, 0x00,         /* resp T/L 4/0, proto 4, pref 0 */
	0xc0, 0x00, 0x02, 0x01,         /* resp NBMA 192.0.2.1 */
	0xac, 0x10, 0x00, 0x01,         /* resp proto 172.16.0.1 */
	0x00, 0x09, 0x00, 0x14,         /* NAT, length 20 */
	0x00, 0x20, 0x00, 0x00,         /* NAT code 0, prefix 32, unused */
	0x00, 0x00, 0x00, 0x00,         /* NAT mtu 0, holding 0 */
	0x04, 0x00, 0x04, 0x00,         /* NAT T/L 4/0, proto 4, pref 0 */
	0xc6, 0x33, 0x64, 0x07,         /* NAT NBMA 198.51.100.7 */
	0xac, 0x10, 0x00, 0x0b,         /* NAT proto 172.16.0.11 */
	0x80, 0x07, 0x00, 0x0a,         /* Auth, C, length 10 */
	0x00, 0x00, 0x00, 0x01,         /* Cisco auth type 1 (cleartext) */
	/* password "secret" */
	0x73, 0x65, 0x63, 0x72, 0x65, 0x74,
	0x80, 0x00, 0x00, 0x00,         /* End, C, length 0 */
};
static const uint8_t gold_purge_req[] = {
	0x00, 0x01, 0x08, 0x00,         /* afn 1, pro.type 0x0800 */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x40, 0x00, 0x45,               /* hopcnt 64, pktsz 69 */
	0x0b, 0x73,                     /* chksum */
	0x00, 0x38,                     /* extoff 56 */
	0x01, 0x05, 0x04, 0x00,         /* version 1, type 5, shtl 4, sstl 0 */
	0x04, 0x04,                     /* src, dst proto len */
	0x00, 0x00,                     /* flags 0x0000 */
	0x00, 0x00, 0x00, 0x09,         /* request ID 0x9 */
	0xc0, 0x00, 0x02, 0x01,         /* src NBMA 192.0.2.1 */
	0xac, 0x10, 0x00, 0x01,         /* src proto 172.16.0.1 */
	0xac, 0x10, 0x00, 0x0c,         /* dst proto 172.16.0.12 */
	0x00, 0x20, 0x00, 0x00,         /* CIE code 0, prefix 32, unused */
	0x00, 0x00, 0x00, 0x00,         /* CIE mtu 0, holding 0 */
	0x00, 0x00, 0x04, 0x00,         /* CIE T/L 0/0, proto 4, pref 0 */
	0x0a, 0x01, 0x00, 0x00,         /* CIE proto 10.1.0.0 */
	0x00, 0x08, 0x00, 0x05,         /* Vendor, length 5 */
	0x00, 0x00, 0x0c,               /* vendor ID 00000c */
	0xde, 0xad,                     /* vendor data */
	0x80, 0x00, 0x00, 0x00,         /* End, C, length 0 */
};
static const uint8_t gold_purge_reply[] = {
	0x00, 0x01, 0x08, 0x00,         /* afn 1, pro.type 0x0800 */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x40, 0x00, 0x4c,               /* hopcnt 64, pktsz 76 */
	0x85, 0xae,                     /* chksum */
	0x00, 0x38,                     /* extoff 56 */
	0x01, 0x06, 0x04, 0x00,         /* version 1, type 6, shtl 4, sstl 0 */
	0x04, 0x04,                     /* src, dst proto len */
	0x80, 0x00,                     /* flags 0x8000 */
	0x00, 0x00, 0x00, 0x09,         /* request ID 0x9 */
	0xc0, 0x00, 0x02, 0x01,         /* src NBMA 192.0.2.1 */
	0xac, 0x10, 0x00, 0x01,         /* src proto 172.16.0.1 */
	0xac, 0x10, 0x00, 0x0c,         /* dst proto 172.16.0.12 */
	0x00, 0x20, 0x00, 0x00,         /* CIE code 0, prefix 32, unused */
	0x00, 0x00, 0x00, 0x00,         /* CIE mtu 0, holding 0 */
	0x00, 0x00, 0x04, 0x00,         /* CIE T/L 0/0, proto 4, pref 0 */
	0x0a, 0x01, 0x00, 0x00,         /* CIE proto 10.1.0.0 */
	0x00, 0x08, 0x00, 0x05,         /* Vendor, length 5 */
	0x00, 0x00, 0x0c,               /* vendor ID 00000c */
	0xde, 0xad,                     /* vendor data */
	0x38, 0x01, 0x00, 0x03,         /* ext 0x3801, length 3 */
	0x01, 0x02, 0x03,               /* opaque body */
	0x00, 0x00, 0x00, 0x00,         /* End, length 0 */
};
static const uint8_t gold_err_ind[] = {
	0x00, 0x01, 0x08, 0x00,         /* afn 1, pro.type 0x0800 */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x40, 0x00, 0x70,               /* hopcnt 64, pktsz 112 */
	0xd3, 0xdf,                     /* chksum */
	0x00, 0x00,                     /* extoff 0 */
	0x01, 0x07, 0x04, 0x00,         /* version 1, type 7, shtl 4, sstl 0 */
	0x04, 0x04,                     /* src, dst proto len */
	0x00, 0x00,                     /* unused */
	0x00, 0x01, 0x00, 0x34,         /* error code 1, offset 52 */
	0xc0, 0x00, 0x02, 0x01,         /* src NBMA 192.0.2.1 */
	0xac, 0x10, 0x00, 0x01,         /* src proto 172.16.0.1 */
	0xac, 0x10, 0x00, 0x0b,         /* dst proto 172.16.0.11 */
	/* the packet in error: gold_res_req */
	0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x40, 0x00, 0x48, 0x88, 0x32, 0x00, 0x34,
	0x01, 0x01, 0x04, 0x00, 0x04, 0x04, 0xc8, 0x02,
	0x01, 0x02, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x0b,
	0xac, 0x10, 0x00, 0x0b, 0x0a, 0x02, 0x00, 0x0a,
	0x00, 0x20, 0x00, 0x00, 0x05, 0x78, 0x1c, 0x20,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x04, 0x00, 0x00,
	0x80, 0x05, 0x00, 0x00, 0x80, 0x03, 0x00, 0x00,
	0x00, 0x09, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};
static const uint8_t gold_traffic_ind[] = {
	0x00, 0x01, 0x08, 0x00,         /* afn 1, pro.type 0x0800 */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x01, 0x00, 0x44,               /* hopcnt 1, pktsz 68 */
	0x76, 0x8f,                     /* chksum */
	0x00, 0x00,                     /* extoff 0 */
	0x01, 0x08, 0x04, 0x00,         /* version 1, type 8, shtl 4, sstl 0 */
	0x04, 0x04,                     /* src, dst proto len */
	0x00, 0x00,                     /* unused */
	0x00, 0x00, 0x00, 0x00,         /* traffic code 0, unused */
	0xc0, 0x00, 0x02, 0x01,         /* src NBMA 192.0.2.1 */
	0xac, 0x10, 0x00, 0x01,         /* src proto 172.16.0.1 */
	0x0a, 0x01, 0x00, 0x0a,         /* dst proto 10.1.0.10 */
	/* quoted IPv4 10.1.0.10 > 10.2.0.10 */
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00,
	0x3f, 0x01, 0x67, 0xca, 0x0a, 0x01, 0x00, 0x0a,
	0x0a, 0x02, 0x00, 0x0a,
	/* quoted ICMP echo */
	0x08, 0x00, 0x4c, 0x31, 0xab, 0xcd, 0x00, 0x01,
};
static const uint8_t gold_v6_reg_req[] = {
	0x00, 0x02, 0x86, 0xdd,         /* afn 2, pro.type 0x86dd */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x01, 0x00, 0x60,               /* hopcnt 1, pktsz 96 */
	0x48, 0xf1,                     /* chksum */
	0x00, 0x58,                     /* extoff 88 */
	0x01, 0x03, 0x10, 0x00,         /* version 1, type 3, shtl 16, sstl 0 */
	0x10, 0x10,                     /* src, dst proto len */
	0x80, 0x02,                     /* flags 0x8002 */
	0x11, 0x22, 0x33, 0x44,         /* request ID 0x11223344 */
	/* src NBMA 2001:db8::11 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11,
	/* src proto fd00::11 */
	0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11,
	/* dst proto fd00::1 */
	0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x80, 0x00, 0x00,         /* CIE code 0, prefix 128, unused */
	0x05, 0x78, 0x1c, 0x20,         /* CIE mtu 1400, holding 7200 */
	0x00, 0x00, 0x00, 0x00,         /* CIE T/L 0/0, proto 0, pref 0 */
	0x80, 0x03, 0x00, 0x00,         /* Responder, C, length 0 */
	0x80, 0x00, 0x00, 0x00,         /* End, C, length 0 */
};
static const uint8_t gold_v6proto_res_reply[] = {
	0x00, 0x01, 0x86, 0xdd,         /* afn 1, pro.type 0x86dd */
	0x00, 0x00, 0x00, 0x00, 0x00,   /* pro.snap */
	0x40, 0x00, 0x88,               /* hopcnt 64, pktsz 136 */
	0xda, 0x52,                     /* chksum */
	0x00, 0x60,                     /* extoff 96 */
	0x01, 0x02, 0x04, 0x00,         /* version 1, type 2, shtl 4, sstl 0 */
	0x10, 0x10,                     /* src, dst proto len */
	0xe8, 0x02,                     /* flags 0xe802 */
	0x00, 0x00, 0x00, 0x05,         /* request ID 0x5 */
	0xc0, 0x00, 0x02, 0x0b,         /* src NBMA 192.0.2.11 */
	/* src proto fd00::11 */
	0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11,
	/* dst proto fd00:2::10 */
	0xfd, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
	0x00, 0x40, 0x00, 0x00,         /* CIE code 0, prefix 64, unused */
	0x05, 0x78, 0x1c, 0x20,         /* CIE mtu 1400, holding 7200 */
	0x04, 0x00, 0x10, 0x00,         /* CIE T/L 4/0, proto 16, pref 0 */
	0xc0, 0x00, 0x02, 0x0c,         /* CIE NBMA 192.0.2.12 */
	/* CIE proto fd00::12 */
	0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12,
	0x80, 0x03, 0x00, 0x20,         /* Responder, C, length 32 */
	0x00, 0x00, 0x00, 0x00,         /* resp code 0, prefix 0, unused */
	0x00, 0x00, 0x1c, 0x20,         /* resp mtu 0, holding 7200 */
	0x04, 0x00, 0x10, 0x00,         /* resp T/L 4/0, proto 16, pref 0 */
	0xc0, 0x00, 0x02, 0x0c,         /* resp NBMA 192.0.2.12 */
	/* resp proto fd00::12 */
	0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12,
	0x80, 0x00, 0x00, 0x00,         /* End, C, length 0 */
};
/* clang-format on */

/*
 * Real packets, the raw NHRP bytes (after Ethernet, IPv4 and GRE with key
 * 42) of frames of /work/shared/reference/frr-wire/dmvpn-plain-nbma.pcap:
 * a hub and two spokes running FRR nhrpd 8.4.4 over plain multipoint GRE.
 * The fields asserted below are those the tshark decode in nhrp-decoded.txt
 * shows for these frames.
 */
/* clang-format off */
/* Frame 1: Registration Request, spoke2 -> hub */
static const uint8_t frr_reg_req[] = {
	0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x5c,
	0xed, 0x90, 0x00, 0x34, 0x01, 0x03, 0x04, 0x00, 0x04, 0x04, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x0c, 0xac, 0x10, 0x00, 0x0c,
	0xac, 0x10, 0x00, 0x0c, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x04, 0x00, 0x00, 0x80, 0x05, 0x00, 0x00,
	0x80, 0x03, 0x00, 0x00, 0x00, 0x09, 0x00, 0x14, 0x00, 0x20, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/* Frame 3: Registration Reply, hub -> spoke2 */
static const uint8_t frr_reg_reply[] = {
	0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x70,
	0x5b, 0x00, 0x00, 0x34, 0x01, 0x04, 0x04, 0x00, 0x04, 0x04, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x0c, 0xac, 0x10, 0x00, 0x0c,
	0xac, 0x10, 0x00, 0x01, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x04, 0x00, 0x00, 0x80, 0x05, 0x00, 0x00,
	0x80, 0x03, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x01, 0xac, 0x10, 0x00, 0x01,
	0x00, 0x09, 0x00, 0x14, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x00, 0x00,
};

/* Frame 87: Resolution Request, spoke1 -> hub */
static const uint8_t frr_res_req[] = {
	0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x48,
	0x91, 0xae, 0x00, 0x34, 0x01, 0x01, 0x04, 0x00, 0x04, 0x04, 0xc8, 0x02,
	0x00, 0x00, 0x00, 0x02, 0xc0, 0x00, 0x02, 0x0b, 0xac, 0x10, 0x00, 0x0b,
	0x0a, 0x02, 0x00, 0x0a, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x04, 0x00, 0x00, 0x80, 0x05, 0x00, 0x00,
	0x80, 0x03, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/* Frame 89: Resolution Request forwarded by the hub to spoke2 */
static const uint8_t frr_res_req_fwd[] = {
	0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x5c,
	0xff, 0x53, 0x00, 0x34, 0x01, 0x01, 0x04, 0x00, 0x04, 0x04, 0xc8, 0x02,
	0x00, 0x00, 0x00, 0x02, 0xc0, 0x00, 0x02, 0x0b, 0xac, 0x10, 0x00, 0x0b,
	0x0a, 0x02, 0x00, 0x0a, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x04, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x1c, 0x20, 0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xac, 0x10, 0x00, 0x01, 0x80, 0x05, 0x00, 0x00, 0x80, 0x03, 0x00, 0x00,
	0x00, 0x09, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/* Frame 92: Resolution Reply, spoke2 -> hub */
static const uint8_t frr_res_reply[] = {
	0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x78,
	0xd6, 0xb0, 0x00, 0x3c, 0x01, 0x02, 0x04, 0x00, 0x04, 0x04, 0xe8, 0x00,
	0x00, 0x00, 0x00, 0x02, 0xc0, 0x00, 0x02, 0x0b, 0xac, 0x10, 0x00, 0x0b,
	0x0a, 0x02, 0x00, 0x0a, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x0c, 0xac, 0x10, 0x00, 0x0c,
	0x80, 0x04, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x01, 0xac, 0x10, 0x00, 0x01,
	0x80, 0x05, 0x00, 0x00, 0x80, 0x03, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x1c, 0x20, 0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x0c,
	0xac, 0x10, 0x00, 0x0c, 0x00, 0x09, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/* Frame 94: Resolution Reply forwarded by the hub to spoke1 */
static const uint8_t frr_res_reply_fwd[] = {
	0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x8c,
	0x44, 0x56, 0x00, 0x3c, 0x01, 0x02, 0x04, 0x00, 0x04, 0x04, 0xe8, 0x00,
	0x00, 0x00, 0x00, 0x02, 0xc0, 0x00, 0x02, 0x0b, 0xac, 0x10, 0x00, 0x0b,
	0x0a, 0x02, 0x00, 0x0a, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x0c, 0xac, 0x10, 0x00, 0x0c,
	0x80, 0x04, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x01, 0xac, 0x10, 0x00, 0x01,
	0x80, 0x05, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x01, 0xac, 0x10, 0x00, 0x01,
	0x80, 0x03, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x20,
	0x04, 0x00, 0x04, 0x00, 0xc0, 0x00, 0x02, 0x0c, 0xac, 0x10, 0x00, 0x0c,
	0x00, 0x09, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/* Frame 85: Traffic Indication, hub -> spoke1 */
static const uint8_t frr_traffic_ind[] = {
	0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x7c,
	0x76, 0x57, 0x00, 0x00, 0x01, 0x08, 0x04, 0x00, 0x04, 0x04, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, 0xac, 0x10, 0x00, 0x01,
	0x0a, 0x01, 0x00, 0x0a, 0x45, 0x00, 0x00, 0x54, 0x5d, 0xe0, 0x40, 0x00,
	0x3e, 0x01, 0xca, 0xb2, 0x0a, 0x01, 0x00, 0x0a, 0x0a, 0x02, 0x00, 0x0a,
	0x08, 0x00, 0x71, 0xc5, 0x01, 0xc5, 0x00, 0x01, 0x7f, 0x48, 0x09, 0x6b,
	0x00, 0x00, 0x00, 0x00, 0x37, 0xee, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
	0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
	0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33,
	0x34, 0x35, 0x36, 0x37,
};
/* clang-format on */

/* --- helpers -------------------------------------------------------- */

static const uint8_t secret[] = {'s', 'e', 'c', 'r', 'e', 't'};
static const uint8_t vendor_data[] = {0xde, 0xad};
static const uint8_t opaque[] = {0x01, 0x02, 0x03};

/* Big enough for any packet; static so the tests keep a small stack. */
static uint8_t out[NHRP_MAX_PKT + 1024];
static uint8_t out2[NHRP_MAX_PKT + 1024];
static struct nhrp_msg msg, msg2;

static void
addr(struct nhrp_addr *a, const char *s)
{
	uint8_t raw[16];
	int v6 = strchr(s, ':') != NULL;

	assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, s, raw), 1);
	assert_int_equal(nhrp_addr_set(a, raw, v6 ? 16 : 4), 0);
}

static void
assert_addr(const struct nhrp_addr *a, const char *s)
{
	struct nhrp_addr want;

	addr(&want, s);
	assert_int_equal(a->len, want.len);
	assert_memory_equal(a->a, want.a, want.len);
}

static size_t
encode_ok(const struct nhrp_msg *m, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	const char *why = NULL;

	wbuf_init(&w, buf, cap);
	if (nhrp_encode(m, &w, &why) != 0)
		fail_msg("encode: %s", why);
	return wbuf_len(&w);
}

static void
decode_ok(const uint8_t *p, size_t len, struct nhrp_msg *m)
{
	const char *why = NULL;

	if (nhrp_decode(p, len, m, &why) != 0)
		fail_msg("decode: %s", why);
}

static void
decode_fails(const uint8_t *p, size_t len, const char *want)
{
	struct nhrp_msg m;
	const char *why = NULL;

	assert_int_equal(nhrp_decode(p, len, &m, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, want);
}

/* Decode p, encode the result: the same bytes must come out. */
static void
roundtrip(const uint8_t *p, size_t len)
{
	size_t n;

	decode_ok(p, len, &msg2);
	n = encode_ok(&msg2, out2, sizeof(out2));
	assert_int_equal(n, len);
	assert_memory_equal(out2, p, len);
}

static void
assert_cie_equal(const struct nhrp_cie *a, const struct nhrp_cie *b)
{
	assert_int_equal(a->code, b->code);
	assert_int_equal(a->prefix_len, b->prefix_len);
	assert_int_equal(a->unused, b->unused);
	assert_int_equal(a->mtu, b->mtu);
	assert_int_equal(a->holding_time, b->holding_time);
	assert_int_equal(a->preference, b->preference);
	assert_int_equal(a->nbma.len, b->nbma.len);
	assert_memory_equal(a->nbma.a, b->nbma.a, a->nbma.len);
	assert_int_equal(a->nbma_sub.len, b->nbma_sub.len);
	assert_memory_equal(a->nbma_sub.a, b->nbma_sub.a, a->nbma_sub.len);
	assert_int_equal(a->proto.len, b->proto.len);
	assert_memory_equal(a->proto.a, b->proto.a, a->proto.len);
}

/* Field by field: what a decoder gives back of what was encoded. */
static void
assert_msg_equal(const struct nhrp_msg *a, const struct nhrp_msg *b)
{
	size_t i, j;

	assert_int_equal(a->afn, b->afn);
	assert_int_equal(a->pro_type, b->pro_type);
	assert_memory_equal(a->pro_snap, b->pro_snap, NHRP_SNAP_LEN);
	assert_int_equal(a->hop_count, b->hop_count);
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->flags, b->flags);
	/* Each type carries only its own words after the flags. */
	if (a->type == NHRP_ERROR_INDICATION) {
		assert_int_equal(a->err_code, b->err_code);
		assert_int_equal(a->err_offset, b->err_offset);
	} else if (a->type == NHRP_TRAFFIC_INDICATION) {
		assert_int_equal(a->traffic_code, b->traffic_code);
		assert_int_equal(a->traffic_unused, b->traffic_unused);
	} else {
		assert_int_equal(a->reqid, b->reqid);
	}
	assert_int_equal(a->src_nbma.len, b->src_nbma.len);
	assert_memory_equal(a->src_nbma.a, b->src_nbma.a, a->src_nbma.len);
	assert_int_equal(a->src_nbma_sub.len, b->src_nbma_sub.len);
	assert_memory_equal(a->src_nbma_sub.a, b->src_nbma_sub.a,
			    a->src_nbma_sub.len);
	assert_int_equal(a->src_proto.len, b->src_proto.len);
	assert_memory_equal(a->src_proto.a, b->src_proto.a, a->src_proto.len);
	assert_int_equal(a->dst_proto.len, b->dst_proto.len);
	assert_memory_equal(a->dst_proto.a, b->dst_proto.a, a->dst_proto.len);
	assert_int_equal(a->payload_len, b->payload_len);
	if (a->payload_len > 0)
		assert_memory_equal(a->payload, b->payload, a->payload_len);
	assert_int_equal(a->cie_count, b->cie_count);
	for (i = 0; i < a->cie_count; i++)
		assert_cie_equal(&a->cie[i], &b->cie[i]);
	assert_int_equal(a->ext_present, b->ext_present);
	assert_int_equal(a->end_compulsory, b->end_compulsory);
	assert_int_equal(a->ext_count, b->ext_count);
	for (i = 0; i < a->ext_count; i++) {
		const struct nhrp_ext *x = &a->ext[i], *y = &b->ext[i];

		assert_int_equal(x->type, y->type);
		assert_int_equal(x->compulsory, y->compulsory);
		if (nhrp_ext_has_cies(x->type)) {
			assert_int_equal(x->cie_count, y->cie_count);
			for (j = 0; j < x->cie_count; j++)
				assert_cie_equal(nhrp_ext_cie(a, x, j),
						 nhrp_ext_cie(b, y, j));
			continue;
		}
		assert_int_equal(x->spi, y->spi);
		assert_int_equal(x->vendor_id, y->vendor_id);
		assert_int_equal(x->data_len, y->data_len);
		if (x->data_len > 0)
			assert_memory_equal(x->data, y->data, x->data_len);
	}
}

/* Build m, encode it, compare with the golden bytes, decode them back. */
static void
check_golden(void (*build)(struct nhrp_msg *), const uint8_t *gold, size_t len)
{
	size_t n;

	build(&msg);
	n = encode_ok(&msg, out, sizeof(out));
	assert_int_equal(n, len);
	assert_memory_equal(out, gold, len);
	assert_true(nhrp_checksum_ok(gold, len));
	decode_ok(gold, len, &msg2);
	assert_msg_equal(&msg, &msg2);
	roundtrip(gold, len);
}

static struct nhrp_cie *
add_cie(struct nhrp_msg *m, uint8_t prefix, uint16_t mtu, uint16_t hold)
{
	struct nhrp_cie *c = nhrp_msg_add_cie(m);

	assert_non_null(c);
	c->prefix_len = prefix;
	c->mtu = mtu;
	c->holding_time = hold;
	return c;
}

static struct nhrp_ext *
add_ext(struct nhrp_msg *m, uint16_t type, bool compulsory)
{
	struct nhrp_ext *e = nhrp_msg_add_ext(m, type, compulsory);

	assert_non_null(e);
	return e;
}

/* A CIE for a CIE-list extension (RFC 2332 5.3.1-5.3.3 style). */
static struct nhrp_cie *
add_ext_cie(struct nhrp_msg *m, struct nhrp_ext *e, uint8_t prefix,
	    uint16_t hold, const char *nbma, const char *proto)
{
	struct nhrp_cie *c = nhrp_ext_add_cie(m, e);

	assert_non_null(c);
	c->prefix_len = prefix;
	c->holding_time = hold;
	if (nbma != NULL)
		addr(&c->nbma, nbma);
	if (proto != NULL)
		addr(&c->proto, proto);
	return c;
}

static void
add_auth(struct nhrp_msg *m)
{
	struct nhrp_ext *e = add_ext(m, NHRP_EXT_AUTH, true);

	e->spi = NHRP_AUTH_CISCO_CLEARTEXT;
	e->data = secret;
	e->data_len = sizeof(secret);
}

static void
add_vendor(struct nhrp_msg *m)
{
	struct nhrp_ext *e = add_ext(m, NHRP_EXT_VENDOR, false);

	e->vendor_id = 0x00000c;
	e->data = vendor_data;
	e->data_len = sizeof(vendor_data);
}

/* --- builders of the golden packets --------------------------------- */

static void
build_res_req(struct nhrp_msg *m)
{
	nhrp_msg_init(m, NHRP_RESOLUTION_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	m->flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S |
		   NHRP_FLAG_RES_NAT;
	m->reqid = 0x01020304;
	addr(&m->src_nbma, "192.0.2.11");
	addr(&m->src_proto, "172.16.0.11");
	addr(&m->dst_proto, "10.2.0.10");
	add_cie(m, 32, 1400, 7200);
	add_ext(m, NHRP_EXT_FWD_TRANSIT, true);
	add_ext(m, NHRP_EXT_REV_TRANSIT, true);
	add_ext(m, NHRP_EXT_RESPONDER, true);
	add_ext(m, NHRP_EXT_NAT_ADDR, false);
}

static void
build_res_reply(struct nhrp_msg *m)
{
	struct nhrp_cie *c;
	struct nhrp_ext *e;

	nhrp_msg_init(m, NHRP_RESOLUTION_REPLY, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	m->flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_D |
		   NHRP_FLAG_RES_S;
	m->reqid = 0x01020304;
	addr(&m->src_nbma, "192.0.2.11");
	addr(&m->src_proto, "172.16.0.11");
	addr(&m->dst_proto, "10.2.0.10");
	c = add_cie(m, 24, 1400, 7200);
	addr(&c->nbma, "192.0.2.12");
	addr(&c->proto, "172.16.0.12");
	c->preference = 255;
	e = add_ext(m, NHRP_EXT_RESPONDER, true);
	add_ext_cie(m, e, 0, 7200, "192.0.2.12", "172.16.0.12");
	e = add_ext(m, NHRP_EXT_FWD_TRANSIT, true);
	add_ext_cie(m, e, 0, 7200, "192.0.2.1", "172.16.0.1");
	add_ext(m, NHRP_EXT_REV_TRANSIT, true);
}

static void
build_reg_req(struct nhrp_msg *m)
{
	nhrp_msg_init(m, NHRP_REGISTRATION_REQUEST, NHRP_AFN_IPV4,
		      NHRP_PRO_IPV4);
	m->hop_count = 1;
	m->flags = NHRP_FLAG_REG_U | NHRP_FLAG_REG_NAT;
	m->reqid = 7;
	addr(&m->src_nbma, "192.0.2.11");
	addr(&m->src_proto, "172.16.0.11");
	addr(&m->dst_proto, "172.16.0.1");
	add_cie(m, 32, 0, 7200);
	add_ext(m, NHRP_EXT_RESPONDER, true);
	add_auth(m);
}

static void
build_reg_reply(struct nhrp_msg *m)
{
	struct nhrp_ext *e;

	nhrp_msg_init(m, NHRP_REGISTRATION_REPLY, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	m->flags = NHRP_FLAG_REG_NAT;
	m->reqid = 7;
	addr(&m->src_nbma, "192.0.2.11");
	addr(&m->src_proto, "172.16.0.11");
	addr(&m->dst_proto, "172.16.0.1");
	add_cie(m, 32, 0, 0)->code = NHRP_CIE_ALREADY_REGISTERED;
	e = add_ext(m, NHRP_EXT_RESPONDER, true);
	add_ext_cie(m, e, 0, 7200, "192.0.2.1", "172.16.0.1");
	e = add_ext(m, NHRP_EXT_NAT_ADDR, false);
	add_ext_cie(m, e, 32, 0, "198.51.100.7", "172.16.0.11");
	add_auth(m);
}

static void
build_purge(struct nhrp_msg *m, uint8_t type)
{
	struct nhrp_cie *c;

	nhrp_msg_init(m, type, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	m->reqid = 9;
	addr(&m->src_nbma, "192.0.2.1");
	addr(&m->src_proto, "172.16.0.1");
	addr(&m->dst_proto, "172.16.0.12");
	c = add_cie(m, 32, 0, 0);
	addr(&c->proto, "10.1.0.0");
	add_vendor(m);
}

static void
build_purge_req(struct nhrp_msg *m)
{
	build_purge(m, NHRP_PURGE_REQUEST);
}

static void
build_purge_reply(struct nhrp_msg *m)
{
	struct nhrp_ext *e;

	build_purge(m, NHRP_PURGE_REPLY);
	m->flags = NHRP_FLAG_PURGE_N;
	e = add_ext(m, 0x3801, false);
	e->data = opaque;
	e->data_len = sizeof(opaque);
	m->end_compulsory = false;
}

static void
build_err_ind(struct nhrp_msg *m)
{
	nhrp_msg_init(m, NHRP_ERROR_INDICATION, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	m->err_code = NHRP_ERR_UNRECOGNIZED_EXT;
	m->err_offset = 52;
	addr(&m->src_nbma, "192.0.2.1");
	addr(&m->src_proto, "172.16.0.1");
	addr(&m->dst_proto, "172.16.0.11");
	m->payload = gold_res_req;
	m->payload_len = sizeof(gold_res_req);
}

static void
build_traffic_ind(struct nhrp_msg *m)
{
	nhrp_msg_init(m, NHRP_TRAFFIC_INDICATION, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	m->hop_count = 1;
	m->traffic_code = NHRP_TRAFFIC_REDIRECT;
	addr(&m->src_nbma, "192.0.2.1");
	addr(&m->src_proto, "172.16.0.1");
	addr(&m->dst_proto, "10.1.0.10");
	/* The quoted packet: the 28 bytes after the destination address. */
	m->payload = gold_traffic_ind + 40;
	m->payload_len = 28;
}

static void
build_v6_reg_req(struct nhrp_msg *m)
{
	nhrp_msg_init(m, NHRP_REGISTRATION_REQUEST, NHRP_AFN_IPV6,
		      NHRP_PRO_IPV6);
	m->hop_count = 1;
	m->flags = NHRP_FLAG_REG_U | NHRP_FLAG_REG_NAT;
	m->reqid = 0x11223344;
	addr(&m->src_nbma, "2001:db8::11");
	addr(&m->src_proto, "fd00::11");
	addr(&m->dst_proto, "fd00::1");
	add_cie(m, 128, 1400, 7200);
	add_ext(m, NHRP_EXT_RESPONDER, true);
}

static void
build_v6proto_res_reply(struct nhrp_msg *m)
{
	struct nhrp_cie *c;
	struct nhrp_ext *e;

	nhrp_msg_init(m, NHRP_RESOLUTION_REPLY, NHRP_AFN_IPV4, NHRP_PRO_IPV6);
	m->flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_D |
		   NHRP_FLAG_RES_S | NHRP_FLAG_RES_NAT;
	m->reqid = 5;
	addr(&m->src_nbma, "192.0.2.11");
	addr(&m->src_proto, "fd00::11");
	addr(&m->dst_proto, "fd00:2::10");
	c = add_cie(m, 64, 1400, 7200);
	addr(&c->nbma, "192.0.2.12");
	addr(&c->proto, "fd00::12");
	e = add_ext(m, NHRP_EXT_RESPONDER, true);
	add_ext_cie(m, e, 0, 7200, "192.0.2.12", "fd00::12");
}

/* --- golden tests: one per packet type, plus IPv6 --------------------- */

static void
test_golden_resolution_request(void **state)
{
	(void)state;
	check_golden(build_res_req, gold_res_req, sizeof(gold_res_req));
	assert_int_equal(msg2.type, NHRP_RESOLUTION_REQUEST);
	assert_int_equal(msg2.ext_count, 4);
	assert_int_equal(msg2.ext[0].off, 52);
	assert_int_equal(msg2.ext[3].off, 64);
	assert_false(msg2.ext[3].compulsory);
	assert_true(msg2.end_compulsory);
	assert_false(msg2.unknown_compulsory);
}

static void
test_golden_resolution_reply(void **state)
{
	const struct nhrp_ext *e;

	(void)state;
	check_golden(build_res_reply, gold_res_reply, sizeof(gold_res_reply));
	e = &msg2.ext[nhrp_ext_find(&msg2, NHRP_EXT_RESPONDER)];
	assert_int_equal(e->cie_count, 1);
	assert_addr(&nhrp_ext_cie(&msg2, e, 0)->nbma, "192.0.2.12");
	e = &msg2.ext[nhrp_ext_find(&msg2, NHRP_EXT_FWD_TRANSIT)];
	assert_addr(&nhrp_ext_cie(&msg2, e, 0)->proto, "172.16.0.1");
	assert_int_equal(msg2.cie[0].preference, 255);
}

static void
test_golden_registration_request(void **state)
{
	const struct nhrp_ext *e;

	(void)state;
	check_golden(build_reg_req, gold_reg_req, sizeof(gold_reg_req));
	e = &msg2.ext[nhrp_ext_find(&msg2, NHRP_EXT_AUTH)];
	assert_true(e->compulsory);
	assert_int_equal(e->spi, NHRP_AUTH_CISCO_CLEARTEXT);
	assert_int_equal(e->data_len, 6);
	assert_memory_equal(e->data, "secret", 6);
}

static void
test_golden_registration_reply(void **state)
{
	const struct nhrp_ext *e;

	(void)state;
	check_golden(build_reg_reply, gold_reg_reply, sizeof(gold_reg_reply));
	assert_int_equal(msg2.cie[0].code, NHRP_CIE_ALREADY_REGISTERED);
	e = &msg2.ext[nhrp_ext_find(&msg2, NHRP_EXT_NAT_ADDR)];
	assert_false(e->compulsory);
	assert_addr(&nhrp_ext_cie(&msg2, e, 0)->nbma, "198.51.100.7");
}

static void
test_golden_purge_request(void **state)
{
	const struct nhrp_ext *e;

	(void)state;
	check_golden(build_purge_req, gold_purge_req, sizeof(gold_purge_req));
	assert_int_equal(msg2.pro_type, NHRP_PRO_IPV4);
	e = &msg2.ext[nhrp_ext_find(&msg2, NHRP_EXT_VENDOR)];
	assert_int_equal(e->vendor_id, 0x00000c);
	assert_int_equal(e->data_len, 2);
}

static void
test_golden_purge_reply(void **state)
{
	(void)state;
	check_golden(build_purge_reply, gold_purge_reply,
		     sizeof(gold_purge_reply));
	assert_int_equal(msg2.flags, NHRP_FLAG_PURGE_N);
	assert_int_equal(msg2.ext[1].type, 0x3801);
	assert_false(msg2.end_compulsory);
	/* Unknown but not compulsory: carried, nothing to answer. */
	assert_false(msg2.unknown_compulsory);
}

static void
test_golden_error_indication(void **state)
{
	(void)state;
	check_golden(build_err_ind, gold_err_ind, sizeof(gold_err_ind));
	assert_int_equal(msg2.err_code, NHRP_ERR_UNRECOGNIZED_EXT);
	assert_int_equal(msg2.err_offset, 52);
	assert_false(msg2.ext_present);
	/* The quoted packet decodes in its own right. */
	decode_ok(msg2.payload, msg2.payload_len, &msg);
	assert_int_equal(msg.type, NHRP_RESOLUTION_REQUEST);
}

static void
test_golden_traffic_indication(void **state)
{
	(void)state;
	check_golden(build_traffic_ind, gold_traffic_ind,
		     sizeof(gold_traffic_ind));
	assert_int_equal(msg2.payload_len, 28);
	assert_int_equal(msg2.payload[0], 0x45);
	assert_int_equal(msg2.traffic_code, NHRP_TRAFFIC_REDIRECT);
}

static void
test_golden_ipv6(void **state)
{
	(void)state;
	check_golden(build_v6_reg_req, gold_v6_reg_req,
		     sizeof(gold_v6_reg_req));
	assert_addr(&msg2.src_nbma, "2001:db8::11");
	assert_int_equal(msg2.cie[0].prefix_len, 128);
	check_golden(build_v6proto_res_reply, gold_v6proto_res_reply,
		     sizeof(gold_v6proto_res_reply));
	assert_addr(&msg2.src_nbma, "192.0.2.11");
	assert_addr(&msg2.cie[0].proto, "fd00::12");
}

/* --- round trips over every address family combination --------------- */

/* Every feature at once, for one ar$afn / ar$pro.type pair. */
static void
build_rich(struct nhrp_msg *m, uint8_t type, uint16_t afn, uint16_t pro)
{
	const char *nbma[2] = {"192.0.2.21", "192.0.2.22"};
	const char *proto[2] = {"172.16.0.21", "172.16.0.22"};
	static const uint8_t sub[] = {0x47, 0x00, 0x05, 0x80, 0xff};
	struct nhrp_cie *c;
	struct nhrp_ext *e;
	size_t i;

	if (afn == NHRP_AFN_IPV6) {
		nbma[0] = "2001:db8::21";
		nbma[1] = "2001:db8:1::22";
	}
	if (pro == NHRP_PRO_IPV6) {
		proto[0] = "fd00::21";
		proto[1] = "fd00:1:2:3:4:5:6:22";
	}
	nhrp_msg_init(m, type, afn, pro);
	m->flags = 0xffff;
	m->reqid = 0xfedcba98;
	m->err_code = NHRP_ERR_LOOP_DETECTED;
	m->err_offset = 33;
	m->traffic_code = 0x1234;
	m->traffic_unused = 0x5678;
	addr(&m->src_nbma, nbma[0]);
	m->src_nbma_sub.len = sizeof(sub);
	memcpy(m->src_nbma_sub.a, sub, sizeof(sub));
	addr(&m->src_proto, proto[0]);
	addr(&m->dst_proto, proto[1]);
	if (type == NHRP_ERROR_INDICATION || type == NHRP_TRAFFIC_INDICATION) {
		m->payload = gold_res_reply;
		m->payload_len = sizeof(gold_res_reply);
	} else {
		for (i = 0; i < 3; i++) {
			c = add_cie(m, (uint8_t)(i * 8), 1400, 300);
			c->code = (uint8_t)i;
			c->unused = (uint16_t)i;
			c->preference = (uint8_t)(10 * i);
			addr(&c->nbma, nbma[i % 2]);
			addr(&c->proto, proto[(i + 1) % 2]);
		}
		c->nbma_sub.len = sizeof(sub);
		memcpy(c->nbma_sub.a, sub, sizeof(sub));
		c->prefix_len = 0xff;
	}
	e = add_ext(m, NHRP_EXT_RESPONDER, true);
	add_ext_cie(m, e, 0, 7200, nbma[1], proto[1]);
	e = add_ext(m, NHRP_EXT_FWD_TRANSIT, true);
	add_ext_cie(m, e, 0, 7200, nbma[0], proto[0]);
	add_ext_cie(m, e, 0, 7200, NULL, proto[1]);
	e = add_ext(m, NHRP_EXT_REV_TRANSIT, true);
	add_ext_cie(m, e, 0, 600, nbma[1], proto[1]);
	add_auth(m);
	add_vendor(m);
	e = add_ext(m, NHRP_EXT_NAT_ADDR, false);
	add_ext_cie(m, e, 32, 0, nbma[1], NULL);
	e = add_ext(m, 0x1001, false);
	e->data = opaque;
	e->data_len = sizeof(opaque);
}

static void
check_rich(uint8_t type, uint16_t afn, uint16_t pro)
{
	size_t n;

	build_rich(&msg, type, afn, pro);
	n = encode_ok(&msg, out, sizeof(out));
	decode_ok(out, n, &msg2);
	assert_msg_equal(&msg, &msg2);
	roundtrip(out, n);
}

static void
test_roundtrip_ipv4(void **state)
{
	uint8_t t;

	(void)state;
	for (t = NHRP_RESOLUTION_REQUEST; t <= NHRP_TRAFFIC_INDICATION; t++)
		check_rich(t, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
}

static void
test_roundtrip_ipv6(void **state)
{
	uint8_t t;

	(void)state;
	for (t = NHRP_RESOLUTION_REQUEST; t <= NHRP_TRAFFIC_INDICATION; t++) {
		check_rich(t, NHRP_AFN_IPV6, NHRP_PRO_IPV6);
		check_rich(t, NHRP_AFN_IPV4, NHRP_PRO_IPV6);
		check_rich(t, NHRP_AFN_IPV6, NHRP_PRO_IPV4);
	}
}

static void
test_roundtrip_no_extensions_part(void **state)
{
	size_t n;

	(void)state;
	build_res_req(&msg);
	msg.ext_count = 0;
	msg.ext_present = false;
	n = encode_ok(&msg, out, sizeof(out));
	assert_int_equal(n, 52);
	/* ar$extoff 0: no extensions, not even End (RFC 2332 5.2). */
	assert_int_equal(out[14], 0);
	assert_int_equal(out[15], 0);
	roundtrip(out, n);
	assert_false(msg2.ext_present);
}

/* --- FRR nhrpd packets --------------------------------------------- */

static void
check_frr_common(const uint8_t *p, size_t len, uint8_t type, uint8_t hop,
		 uint16_t cksum)
{
	decode_ok(p, len, &msg);
	assert_int_equal(msg.afn, NHRP_AFN_IPV4);
	assert_int_equal(msg.pro_type, NHRP_PRO_IPV4);
	assert_int_equal(msg.version, NHRP_VERSION);
	assert_int_equal(msg.type, type);
	assert_int_equal(msg.hop_count, hop);
	assert_int_equal(nhrp_checksum(p, len), cksum);
	roundtrip(p, len);
}

/* The four extensions FRR puts in every request and reply, in its order. */
static void
check_frr_exts(size_t fwd, size_t rev, size_t resp, size_t nat)
{
	static const uint16_t order[] = {NHRP_EXT_FWD_TRANSIT,
					 NHRP_EXT_REV_TRANSIT,
					 NHRP_EXT_RESPONDER, NHRP_EXT_NAT_ADDR};
	size_t want[4];
	size_t i;

	want[0] = fwd;
	want[1] = rev;
	want[2] = resp;
	want[3] = nat;
	assert_true(msg.ext_present);
	assert_int_equal(msg.ext_count, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(msg.ext[i].type, order[i]);
		assert_int_equal(msg.ext[i].compulsory, i < 3);
		assert_int_equal(msg.ext[i].cie_count, want[i]);
	}
	assert_true(msg.end_compulsory);
	assert_false(msg.unknown_compulsory);
}

/* The hub's Transit NHS or Responder CIE: 192.0.2.1 / 172.16.0.1. */
static void
check_frr_hub_cie(const struct nhrp_ext *e)
{
	const struct nhrp_cie *c = nhrp_ext_cie(&msg, e, 0);

	assert_non_null(c);
	assert_int_equal(c->code, NHRP_CIE_SUCCESS);
	assert_int_equal(c->prefix_len, 0);
	assert_int_equal(c->mtu, 0);
	assert_int_equal(c->holding_time, 7200);
	assert_addr(&c->nbma, "192.0.2.1");
	assert_addr(&c->proto, "172.16.0.1");
}

/* Cisco NAT Address CIE: the NBMA address the hub sees, 0.0.0.0. */
static void
check_frr_nat_cie(const struct nhrp_ext *e)
{
	const struct nhrp_cie *c = nhrp_ext_cie(&msg, e, 0);

	assert_non_null(c);
	assert_int_equal(c->prefix_len, 32);
	assert_int_equal(c->holding_time, 0);
	assert_addr(&c->nbma, "192.0.2.1");
	assert_addr(&c->proto, "0.0.0.0");
}

static void
test_frr_registration(void **state)
{
	(void)state;
	check_frr_common(frr_reg_req, sizeof(frr_reg_req),
			 NHRP_REGISTRATION_REQUEST, 1, 0xed90);
	assert_int_equal(msg.flags, NHRP_FLAG_REG_NAT);
	assert_int_equal(msg.reqid, 1);
	assert_addr(&msg.src_nbma, "192.0.2.12");
	assert_addr(&msg.src_proto, "172.16.0.12");
	assert_addr(&msg.dst_proto, "172.16.0.12");
	assert_int_equal(msg.cie_count, 1);
	assert_int_equal(msg.cie[0].prefix_len, 32);
	assert_int_equal(msg.cie[0].holding_time, 7200);
	assert_int_equal(msg.cie[0].nbma.len, 0);
	check_frr_exts(0, 0, 0, 1);
	check_frr_nat_cie(&msg.ext[3]);

	check_frr_common(frr_reg_reply, sizeof(frr_reg_reply),
			 NHRP_REGISTRATION_REPLY, 64, 0x5b00);
	assert_int_equal(msg.flags, NHRP_FLAG_REG_NAT);
	assert_int_equal(msg.reqid, 1);
	assert_addr(&msg.src_nbma, "192.0.2.12");
	assert_addr(&msg.dst_proto, "172.16.0.1");
	assert_int_equal(msg.cie[0].code, NHRP_CIE_SUCCESS);
	assert_int_equal(msg.cie[0].holding_time, 7200);
	check_frr_exts(0, 0, 1, 1);
	check_frr_hub_cie(&msg.ext[2]);
	check_frr_nat_cie(&msg.ext[3]);
}

static void
test_frr_resolution_request(void **state)
{
	(void)state;
	check_frr_common(frr_res_req, sizeof(frr_res_req),
			 NHRP_RESOLUTION_REQUEST, 64, 0x91ae);
	assert_int_equal(msg.flags, NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A |
					    NHRP_FLAG_RES_S |
					    NHRP_FLAG_RES_NAT);
	assert_int_equal(msg.reqid, 2);
	assert_addr(&msg.src_nbma, "192.0.2.11");
	assert_addr(&msg.src_proto, "172.16.0.11");
	assert_addr(&msg.dst_proto, "10.2.0.10");
	assert_int_equal(msg.cie_count, 1);
	assert_int_equal(msg.cie[0].prefix_len, 32);
	assert_int_equal(msg.cie[0].holding_time, 7200);
	check_frr_exts(0, 0, 0, 0);

	/* As the hub forwards it: one hop less, its Forward Transit record. */
	check_frr_common(frr_res_req_fwd, sizeof(frr_res_req_fwd),
			 NHRP_RESOLUTION_REQUEST, 63, 0xff53);
	assert_int_equal(msg.reqid, 2);
	assert_addr(&msg.src_nbma, "192.0.2.11");
	check_frr_exts(1, 0, 0, 0);
	check_frr_hub_cie(&msg.ext[0]);
}

static void
test_frr_resolution_reply(void **state)
{
	(void)state;
	check_frr_common(frr_res_reply, sizeof(frr_res_reply),
			 NHRP_RESOLUTION_REPLY, 64, 0xd6b0);
	assert_int_equal(msg.flags, NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A |
					    NHRP_FLAG_RES_D | NHRP_FLAG_RES_S);
	assert_int_equal(msg.reqid, 2);
	assert_addr(&msg.src_nbma, "192.0.2.11");
	assert_addr(&msg.dst_proto, "10.2.0.10");
	assert_int_equal(msg.cie_count, 1);
	assert_int_equal(msg.cie[0].prefix_len, 24);
	assert_int_equal(msg.cie[0].holding_time, 7200);
	assert_addr(&msg.cie[0].nbma, "192.0.2.12");
	assert_addr(&msg.cie[0].proto, "172.16.0.12");
	check_frr_exts(1, 0, 1, 0);
	check_frr_hub_cie(&msg.ext[0]);
	assert_addr(&nhrp_ext_cie(&msg, &msg.ext[2], 0)->nbma, "192.0.2.12");
	assert_addr(&nhrp_ext_cie(&msg, &msg.ext[2], 0)->proto, "172.16.0.12");

	/* Forwarded back by the hub: its Reverse Transit record added. */
	check_frr_common(frr_res_reply_fwd, sizeof(frr_res_reply_fwd),
			 NHRP_RESOLUTION_REPLY, 63, 0x4456);
	assert_addr(&msg.cie[0].nbma, "192.0.2.12");
	check_frr_exts(1, 1, 1, 0);
	check_frr_hub_cie(&msg.ext[0]);
	check_frr_hub_cie(&msg.ext[1]);
}

static void
test_frr_traffic_indication(void **state)
{
	(void)state;
	check_frr_common(frr_traffic_ind, sizeof(frr_traffic_ind),
			 NHRP_TRAFFIC_INDICATION, 1, 0x7657);
	assert_false(msg.ext_present);
	assert_int_equal(msg.flags, 0);
	assert_int_equal(msg.traffic_code, NHRP_TRAFFIC_REDIRECT);
	assert_addr(&msg.src_nbma, "192.0.2.1");
	assert_addr(&msg.src_proto, "172.16.0.1");
	assert_addr(&msg.dst_proto, "10.1.0.10");
	/* The quoted packet: the ping 10.1.0.10 > 10.2.0.10, 84 bytes. */
	assert_int_equal(msg.payload_len, 84);
	assert_int_equal(msg.payload[0], 0x45);
	assert_memory_equal(msg.payload + 12, "\x0a\x01\x00\x0a", 4);
	assert_memory_equal(msg.payload + 16, "\x0a\x02\x00\x0a", 4);
}

/* --- decoder rejections --------------------------------------------- */

/* Put v at p[off] as two big-endian bytes (test fixtures only). */
static void
set16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
}

static void
fix_checksum(uint8_t *p, size_t len)
{
	set16(p, NHRP_OFF_CHKSUM, nhrp_checksum(p, len));
}

/*
 * One way to break a golden packet: change its length (cut bytes, or
 * append zeros), optionally make ar$pktsz follow (PKTSZ), poke up to two
 * bytes, then recompute the checksum unless told not to (KEEPSUM).
 */
#define PKTSZ   1
#define KEEPSUM 2

struct reject_case {
	const char *why;
	const uint8_t *base;
	size_t base_len;
	int delta;
	int how;
	size_t n_edit;
	struct {
		size_t off;
		uint8_t val;
	} edit[2];
};

#define RES_REQ   gold_res_req, sizeof(gold_res_req)
#define REG_REQ   gold_reg_req, sizeof(gold_reg_req)
#define PURGE_REQ gold_purge_req, sizeof(gold_purge_req)
#define NBMA_LEN  "NBMA address length does not match ar$afn"
#define PROTO_LEN "protocol address length does not match ar$pro.type"

/*
 * Offsets in gold_res_req: 9 hop count, 10 ar$pktsz, 12 ar$chksum, 14
 * ar$extoff, 16 version, 17 type, 18 ar$shtl, 19 ar$sstl, 20/21 protocol
 * address lengths, 40 the CIE (41 prefix, 48 T/L, 50 proto len), 52 the
 * first extension, 68 End.  gold_reg_req has its Authentication extension
 * at 56, gold_purge_req its Vendor-Private one.
 */
/* clang-format off */
static const struct reject_case reject_cases[] = {
	{"truncated fixed header", RES_REQ, -53, KEEPSUM, 0, {{0, 0}}},
	{"ar$pktsz below fixed header", RES_REQ, 0, 0, 1, {{11, 19}}},
	{"truncated packet", RES_REQ, -1, KEEPSUM, 0, {{0, 0}}},
	{"trailing bytes after packet", RES_REQ, 1, 0, 0, {{0, 0}}},
	{"bad checksum", RES_REQ, 0, KEEPSUM, 1, {{13, 0x00}}},
	{"unsupported version", RES_REQ, 0, 0, 1, {{16, 2}}},
	{"unknown packet type", RES_REQ, 0, 0, 1, {{17, 9}}},
	{"unknown packet type", RES_REQ, 0, 0, 1, {{17, 0}}},
	{"hop count is zero", RES_REQ, 0, 0, 1, {{9, 0}}},
	{"unsupported address family", RES_REQ, 0, 0, 1, {{1, 3}}},
	{"unsupported protocol type", RES_REQ, 0, 0, 1, {{3, 1}}},
	{"unsupported protocol type", RES_REQ, 0, 0, 2, {{2, 0}, {3, 0x80}}},
	{"bad ar$extoff", RES_REQ, 0, 0, 1, {{15, 10}}},
	{"bad ar$extoff", RES_REQ, 0, 0, 1, {{14, 1}}},
	{"bad address type/length", RES_REQ, 0, 0, 1, {{18, 0x44}}},
	{"bad address type/length", RES_REQ, 0, 0, 1, {{19, 0x80}}},
	{"bad address type/length", RES_REQ, 0, 0, 1, {{48, 0x84}}},
	{NBMA_LEN, RES_REQ, 0, 0, 1, {{18, 5}}},
	{NBMA_LEN, RES_REQ, 0, 0, 1, {{48, 16}}},
	{"subaddress too long", RES_REQ, 0, 0, 1, {{19, 21}}},
	{"subaddress too long", RES_REQ, 0, 0, 1, {{49, 63}}},
	{PROTO_LEN, RES_REQ, 0, 0, 1, {{20, 5}}},
	{PROTO_LEN, RES_REQ, 0, 0, 1, {{21, 16}}},
	{PROTO_LEN, RES_REQ, 0, 0, 1, {{50, 3}}},
	{"truncated mandatory part", RES_REQ, 0, 0, 1, {{15, 24}}},
	{"truncated mandatory part", RES_REQ, 0, 0, 1, {{15, 36}}},
	{"truncated CIE", RES_REQ, 0, 0, 1, {{15, 50}}},
	{"truncated CIE", RES_REQ, 0, 0, 1, {{50, 4}}},
	{"bad CIE prefix length", RES_REQ, 0, 0, 1, {{41, 33}}},
	{"missing End extension", RES_REQ, -4, PKTSZ, 0, {{0, 0}}},
	{"truncated extension", RES_REQ, -2, PKTSZ, 0, {{0, 0}}},
	{"extension length beyond packet", RES_REQ, 0, 0, 1, {{55, 17}}},
	{"End extension with data", RES_REQ, 4, PKTSZ, 1, {{71, 4}}},
	{"data after End extension", RES_REQ, 4, PKTSZ, 0, {{0, 0}}},
	{"short Authentication extension", REG_REQ, 0, 0, 1, {{59, 3}}},
	{"short Vendor-Private extension", PURGE_REQ, 0, 0, 1, {{59, 2}}},
};
/* clang-format on */

static void
test_decode_rejects(void **state)
{
	uint8_t p[512];
	size_t i, j, len;

	(void)state;
	for (i = 0; i < sizeof(reject_cases) / sizeof(reject_cases[0]); i++) {
		const struct reject_case *c = &reject_cases[i];

		memset(p, 0, sizeof(p));
		memcpy(p, c->base, c->base_len);
		len = (size_t)((long)c->base_len + c->delta);
		if (c->how & PKTSZ)
			set16(p, NHRP_OFF_PKTSZ, (uint16_t)len);
		for (j = 0; j < c->n_edit; j++)
			p[c->edit[j].off] = c->edit[j].val;
		if (!(c->how & KEEPSUM))
			fix_checksum(p, len);
		print_message("reject case %zu: %s\n", i, c->why);
		decode_fails(p, len, c->why);
	}
}

/*
 * A Registration Request made by hand: ncie empty CIEs, then the given
 * extension bytes and End.  For what nhrp_encode() refuses to build.
 */
static size_t
craft(uint8_t *p, size_t cap, size_t ncie, const uint8_t *ext, size_t extlen)
{
	struct wbuf w;
	size_t extoff;

	wbuf_init(&w, p, cap);
	buf_put_be16(&w, NHRP_AFN_IPV4);
	buf_put_be16(&w, NHRP_PRO_IPV4);
	buf_put_zero(&w, NHRP_SNAP_LEN);
	buf_put_u8(&w, 1);
	buf_reserve(&w, 6);
	buf_put_u8(&w, NHRP_VERSION);
	buf_put_u8(&w, NHRP_REGISTRATION_REQUEST);
	buf_put_u8(&w, 4);
	buf_put_u8(&w, 0);
	buf_put_u8(&w, 4);
	buf_put_u8(&w, 4);
	buf_put_be16(&w, 0);
	buf_put_be32(&w, 1);
	buf_put_be32(&w, 0xc000020b);
	buf_put_be32(&w, 0xac10000b);
	buf_put_be32(&w, 0xac100001);
	buf_put_zero(&w, ncie * NHRP_CIE_LEN);
	extoff = wbuf_len(&w);
	buf_put_bytes(&w, ext, extlen);
	buf_put_be32(&w, 0x80000000);
	assert_true(wbuf_ok(&w));
	buf_patch_be16(&w, NHRP_OFF_PKTSZ, (uint16_t)wbuf_len(&w));
	buf_patch_be16(&w, NHRP_OFF_EXTOFF, (uint16_t)extoff);
	buf_patch_be16(&w, NHRP_OFF_CHKSUM, nhrp_checksum(p, wbuf_len(&w)));
	return wbuf_len(&w);
}

static void
test_decode_limits(void **state)
{
	uint8_t ext[1024];
	size_t i, n;

	(void)state;
	/* NHRP_MAX_CIE CIEs decode; one more does not. */
	n = craft(out, sizeof(out), NHRP_MAX_CIE, NULL, 0);
	roundtrip(out, n);
	assert_int_equal(msg2.cie_count, NHRP_MAX_CIE);
	n = craft(out, sizeof(out), NHRP_MAX_CIE + 1, NULL, 0);
	decode_fails(out, n, "too many CIEs");

	/* NHRP_MAX_EXT extensions (End aside); one more does not. */
	memset(ext, 0, sizeof(ext));
	for (i = 0; i <= NHRP_MAX_EXT; i++)
		ext[i * 4 + 1] = 0x0a; /* unknown type 10, length 0 */
	n = craft(out, sizeof(out), 1, ext, NHRP_MAX_EXT * 4);
	roundtrip(out, n);
	assert_int_equal(msg2.ext_count, NHRP_MAX_EXT);
	n = craft(out, sizeof(out), 1, ext, (NHRP_MAX_EXT + 1) * 4);
	decode_fails(out, n, "too many extensions");

	/* A Forward Transit record of NHRP_MAX_EXT_CIE CIEs, then one more. */
	memset(ext, 0, sizeof(ext));
	ext[0] = 0x80;
	ext[1] = NHRP_EXT_FWD_TRANSIT;
	set16(ext, 2, NHRP_MAX_EXT_CIE * NHRP_CIE_LEN);
	n = craft(out, sizeof(out), 1, ext, 4 + NHRP_MAX_EXT_CIE * 12);
	roundtrip(out, n);
	assert_int_equal(msg2.ext[0].cie_count, NHRP_MAX_EXT_CIE);
	set16(ext, 2, (NHRP_MAX_EXT_CIE + 1) * NHRP_CIE_LEN);
	n = craft(out, sizeof(out), 1, ext, 4 + (NHRP_MAX_EXT_CIE + 1) * 12);
	decode_fails(out, n, "too many extension CIEs");

	/* RFC 2332 5.3.1: the Responder Address is one CIE. */
	memset(ext, 0, sizeof(ext));
	ext[0] = 0x80;
	ext[1] = NHRP_EXT_RESPONDER;
	ext[3] = 2 * NHRP_CIE_LEN;
	n = craft(out, sizeof(out), 1, ext, 4 + 2 * NHRP_CIE_LEN);
	decode_fails(out, n, "Responder Address with several CIEs");
}

static void
test_unknown_compulsory(void **state)
{
	static const uint8_t ext[] = {
		0x00, 0x0b, 0x00, 0x00,       /* unknown 11, not compulsory */
		0x80, 0x0a, 0x00, 0x02, 0xab, /* unknown 10, compulsory */
		0xcd, 0x80, 0x03, 0x00, 0x00, /* Responder Address */
		0xc0, 0x0c, 0x00, 0x00,       /* unused bit set: unknown */
	};
	size_t n;

	(void)state;
	n = craft(out, sizeof(out), 1, ext, sizeof(ext));
	roundtrip(out, n);
	assert_true(msg2.unknown_compulsory);
	/* ar$extoff is 52 here: the compulsory one is the second. */
	assert_int_equal(msg2.unknown_off, 56);
	assert_int_equal(msg2.ext[1].off, 56);
	assert_int_equal(msg2.ext[1].type, 10);
	assert_true(msg2.ext[1].compulsory);
	assert_int_equal(msg2.ext[1].data_len, 2);
	assert_int_equal(msg2.ext[3].type, 0x400c);
	assert_string_equal(nhrp_ext_name(msg2.ext[1].type), "unknown");
}

/* --- encoder rejections --------------------------------------------- */

/*
 * What the encoder refuses, each a change to build_res_req()'s message;
 * the case number picks the change in encode_mutate().
 */
static const struct {
	const char *why;
	size_t cap;
} encode_cases[] = {
	{"unsupported version", sizeof(out)},
	{"unknown packet type", sizeof(out)},
	{"hop count is zero", sizeof(out)},
	{"unsupported address family", sizeof(out)},
	{"unsupported protocol type", sizeof(out)},
	{"NBMA address length does not match ar$afn", sizeof(out)},
	{"subaddress too long", sizeof(out)},
	{"protocol address length does not match ar$pro.type", sizeof(out)},
	{"NBMA address length does not match ar$afn", sizeof(out)},
	{"bad CIE prefix length", sizeof(out)},
	{"too many CIEs", sizeof(out)},
	{"too many extensions", sizeof(out)},
	{"too many extension CIEs", sizeof(out)},
	{"CIEs in an indication", sizeof(out)},
	{"missing payload", sizeof(out)},
	{"payload in a packet type without one", sizeof(out)},
	{"bad extension type", sizeof(out)},
	{"bad extension type", sizeof(out)},
	{"bad extension CIE range", sizeof(out)},
	{"Responder Address with several CIEs", sizeof(out)},
	{"bad vendor ID", sizeof(out)},
	{"missing extension data", sizeof(out)},
	{"extension too long", sizeof(out)},
	{"packet too long", sizeof(out)},
	{"output buffer too small", 71},
	{"output buffer too small", 0},
};

static void
encode_mutate(struct nhrp_msg *m, size_t which)
{
	struct nhrp_ext *e;

	switch (which) {
	case 0:
		m->version = 2;
		break;
	case 1:
		m->type = 9;
		break;
	case 2:
		m->hop_count = 0;
		break;
	case 3:
		m->afn = 3;
		break;
	case 4:
		m->pro_type = NHRP_PRO_SNAP;
		break;
	case 5:
		m->src_nbma.len = 16;
		break;
	case 6:
		m->src_nbma_sub.len = NHRP_SUBADDR_MAX + 1;
		break;
	case 7:
		m->dst_proto.len = 16;
		break;
	case 8:
		m->cie[0].nbma.len = 16;
		break;
	case 9:
		m->cie[0].prefix_len = 40;
		break;
	case 10:
		m->cie_count = NHRP_MAX_CIE + 1;
		break;
	case 11:
		m->ext_count = NHRP_MAX_EXT + 1;
		break;
	case 12:
		m->ext_cie_count = NHRP_MAX_EXT_CIE + 1;
		break;
	case 13:
		m->type = NHRP_TRAFFIC_INDICATION;
		break;
	case 14:
		m->type = NHRP_ERROR_INDICATION;
		m->cie_count = 0;
		m->payload_len = 4;
		break;
	case 15:
		m->payload = gold_res_req;
		m->payload_len = 4;
		break;
	case 16:
		m->ext[0].type = NHRP_EXT_END;
		break;
	case 17:
		m->ext[0].type = 0x8001;
		break;
	case 18:
		m->ext[0].cie_count = 1;
		break;
	case 19:
		m->ext_cie_count = 2;
		m->ext[2].cie_count = 2;
		break;
	case 20:
		add_ext(m, NHRP_EXT_VENDOR, false)->vendor_id = 0x1000000;
		break;
	case 21:
		add_ext(m, 0x1234, false)->data_len = 3;
		break;
	case 22:
		e = add_ext(m, NHRP_EXT_AUTH, true);
		e->data = out2;
		e->data_len = 0xffff;
		break;
	case 23:
		m->type = NHRP_TRAFFIC_INDICATION;
		m->cie_count = 0;
		m->ext_count = 0;
		m->ext_present = false;
		m->payload = out2;
		m->payload_len = 0xffff;
		break;
	default:
		break;
	}
}

static void
test_encode_rejects(void **state)
{
	struct wbuf w;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(encode_cases) / sizeof(encode_cases[0]); i++) {
		print_message("encode case %zu: %s\n", i, encode_cases[i].why);
		build_res_req(&msg);
		encode_mutate(&msg, i);
		wbuf_init(&w, out, encode_cases[i].cap);
		why = NULL;
		assert_int_equal(nhrp_encode(&msg, &w, &why), -1);
		assert_non_null(why);
		assert_string_equal(why, encode_cases[i].why);
	}
	/* Exactly enough room works. */
	build_res_req(&msg);
	wbuf_init(&w, out, sizeof(gold_res_req));
	assert_int_equal(nhrp_encode(&msg, &w, NULL), 0);
	assert_memory_equal(out, gold_res_req, sizeof(gold_res_req));
}

/* --- sweeps: every prefix, every single-byte corruption -------------- */

static const struct {
	const uint8_t *p;
	size_t len;
} valid[] = {
	{gold_res_req, sizeof(gold_res_req)},
	{gold_res_reply, sizeof(gold_res_reply)},
	{gold_reg_req, sizeof(gold_reg_req)},
	{gold_reg_reply, sizeof(gold_reg_reply)},
	{gold_purge_req, sizeof(gold_purge_req)},
	{gold_purge_reply, sizeof(gold_purge_reply)},
	{gold_err_ind, sizeof(gold_err_ind)},
	{gold_traffic_ind, sizeof(gold_traffic_ind)},
	{gold_v6_reg_req, sizeof(gold_v6_reg_req)},
	{gold_v6proto_res_reply, sizeof(gold_v6proto_res_reply)},
	{frr_reg_req, sizeof(frr_reg_req)},
	{frr_reg_reply, sizeof(frr_reg_reply)},
	{frr_res_req, sizeof(frr_res_req)},
	{frr_res_req_fwd, sizeof(frr_res_req_fwd)},
	{frr_res_reply, sizeof(frr_res_reply)},
	{frr_res_reply_fwd, sizeof(frr_res_reply_fwd)},
	{frr_traffic_ind, sizeof(frr_traffic_ind)},
};

#define NVALID (sizeof(valid) / sizeof(valid[0]))

/* Whatever decodes must encode back to the same bytes. */
static void
decode_or_reason(const uint8_t *p, size_t len)
{
	struct nhrp_msg m;
	const char *why = NULL;

	if (nhrp_decode(p, len, &m, &why) == 0) {
		assert_int_equal(encode_ok(&m, out2, sizeof(out2)), len);
		assert_memory_equal(out2, p, len);
	} else {
		assert_non_null(why);
	}
}

static void
test_truncation_sweep(void **state)
{
	uint8_t *p;
	size_t i, n;

	(void)state;
	for (i = 0; i < NVALID; i++) {
		for (n = 0; n < valid[i].len; n++) {
			/* An exact-size heap copy lets ASan see overreads. */
			p = malloc(n > 0 ? n : 1);
			assert_non_null(p);
			memcpy(p, valid[i].p, n);
			decode_fails(p, n,
				     n < NHRP_FIXED_LEN
					     ? "truncated fixed header"
					     : "truncated packet");
			/* Now claim the cut is the whole packet. */
			if (n >= NHRP_FIXED_LEN) {
				set16(p, NHRP_OFF_PKTSZ, (uint16_t)n);
				fix_checksum(p, n);
				decode_or_reason(p, n);
			}
			free(p);
		}
	}
}

static void
test_corruption_sweep(void **state)
{
	static const uint8_t vals[] = {0x00, 0x01, 0x04, 0x10, 0x80, 0xff};
	uint8_t *p;
	size_t i, off, v;

	(void)state;
	for (i = 0; i < NVALID; i++) {
		p = malloc(valid[i].len);
		assert_non_null(p);
		for (off = 0; off < valid[i].len; off++) {
			for (v = 0; v < sizeof(vals); v++) {
				memcpy(p, valid[i].p, valid[i].len);
				p[off] = vals[v];
				if (off != NHRP_OFF_CHKSUM &&
				    off != NHRP_OFF_CHKSUM + 1)
					fix_checksum(p, valid[i].len);
				decode_or_reason(p, valid[i].len);
			}
		}
		free(p);
	}
}

/* --- checksum, helpers, names --------------------------------------- */

static void
test_checksum(void **state)
{
	static const uint8_t odd[] = {0x01, 0x02, 0x03};
	uint8_t p[sizeof(gold_res_req)];
	uint32_t sum;
	uint16_t word;

	(void)state;
	/* RFC 1071: an odd length is padded with a zero octet. */
	assert_int_equal(nhrp_checksum(odd, sizeof(odd)), 0xfbfd);
	assert_int_equal(nhrp_checksum(NULL, 0), 0xffff);
	assert_false(nhrp_checksum_ok(odd, sizeof(odd)));
	assert_true(nhrp_checksum_ok(gold_res_req, sizeof(gold_res_req)));

	/*
	 * Move the request ID so the checksum comes out as 0x0000, then
	 * store 0xffff, the other one's complement zero: refused, so that
	 * everything accepted re-encodes to the same bytes.
	 */
	memcpy(p, gold_res_req, sizeof(p));
	sum = (uint16_t)~nhrp_checksum(p, sizeof(p));
	word = (uint16_t)(p[26] << 8 | p[27]);
	sum = word + (0xffff - sum);
	sum = (sum & 0xffff) + (sum >> 16);
	set16(p, 26, (uint16_t)sum);
	assert_int_equal(nhrp_checksum(p, sizeof(p)), 0x0000);
	set16(p, NHRP_OFF_CHKSUM, 0x0000);
	roundtrip(p, sizeof(p));
	set16(p, NHRP_OFF_CHKSUM, 0xffff);
	decode_fails(p, sizeof(p), "bad checksum");
}

static void
test_helpers(void **state)
{
	struct nhrp_ext *fwd, *rev, *resp, other;
	struct nhrp_addr a;
	size_t i, n;
	int idx;

	(void)state;
	assert_int_equal(nhrp_afn_addr_len(NHRP_AFN_IPV4), 4);
	assert_int_equal(nhrp_afn_addr_len(NHRP_AFN_IPV6), 16);
	assert_int_equal(nhrp_afn_addr_len(0), 0);
	assert_int_equal(nhrp_pro_addr_len(NHRP_PRO_IPV6), 16);
	assert_int_equal(nhrp_pro_addr_len(NHRP_PRO_SNAP), 0);
	assert_int_equal(nhrp_addr_set(&a, out, NHRP_ADDR_MAX + 1), -1);
	assert_int_equal(nhrp_addr_set(&a, NULL, 0), 0);
	assert_int_equal(a.len, 0);

	nhrp_msg_init(&msg, NHRP_ERROR_INDICATION, NHRP_AFN_IPV4,
		      NHRP_PRO_IPV4);
	assert_false(msg.ext_present);
	assert_true(msg.end_compulsory);
	assert_int_equal(msg.hop_count, NHRP_HOPCNT_DEFAULT);

	/*
	 * Lists filled out of order keep packet order: a forwarder appends
	 * to the Forward Transit record after later extensions have CIEs.
	 */
	nhrp_msg_init(&msg, NHRP_RESOLUTION_REPLY, NHRP_AFN_IPV4,
		      NHRP_PRO_IPV4);
	addr(&msg.src_proto, "172.16.0.11");
	fwd = add_ext(&msg, NHRP_EXT_FWD_TRANSIT, true);
	rev = add_ext(&msg, NHRP_EXT_REV_TRANSIT, true);
	resp = add_ext(&msg, NHRP_EXT_RESPONDER, true);
	add_ext_cie(&msg, rev, 0, 1, NULL, "10.0.0.2");
	add_ext_cie(&msg, resp, 0, 2, NULL, "10.0.0.9");
	add_ext_cie(&msg, fwd, 0, 3, NULL, "10.0.0.1");
	add_ext_cie(&msg, rev, 0, 4, NULL, "10.0.0.3");
	assert_null(nhrp_ext_add_cie(&msg, resp));   /* 5.3.1: one only */
	assert_null(nhrp_ext_add_cie(&msg, &other)); /* not in msg */
	assert_null(nhrp_msg_add_ext(&msg, NHRP_EXT_END, true));
	assert_null(nhrp_msg_add_ext(&msg, 0x8000, true));
	n = encode_ok(&msg, out, sizeof(out));
	decode_ok(out, n, &msg2);
	assert_msg_equal(&msg, &msg2);
	assert_addr(&nhrp_ext_cie(&msg2, &msg2.ext[0], 0)->proto, "10.0.0.1");
	assert_addr(&nhrp_ext_cie(&msg2, &msg2.ext[1], 0)->proto, "10.0.0.2");
	assert_addr(&nhrp_ext_cie(&msg2, &msg2.ext[1], 1)->proto, "10.0.0.3");
	assert_addr(&nhrp_ext_cie(&msg2, &msg2.ext[2], 0)->proto, "10.0.0.9");
	assert_null(nhrp_ext_cie(&msg2, &msg2.ext[2], 1));
	idx = nhrp_ext_find(&msg2, NHRP_EXT_REV_TRANSIT);
	assert_int_equal(idx, 1);
	assert_int_equal(nhrp_ext_find(&msg2, NHRP_EXT_AUTH), -1);

	/* Tables fill up: NULL, never an overrun. */
	for (i = 0; i < NHRP_MAX_CIE; i++)
		assert_non_null(nhrp_msg_add_cie(&msg));
	assert_null(nhrp_msg_add_cie(&msg));
	while (msg.ext_cie_count < NHRP_MAX_EXT_CIE)
		assert_non_null(nhrp_ext_add_cie(&msg, fwd));
	assert_null(nhrp_ext_add_cie(&msg, rev));
	while (msg.ext_count < NHRP_MAX_EXT)
		assert_non_null(nhrp_msg_add_ext(&msg, NHRP_EXT_VENDOR, 0));
	assert_null(nhrp_msg_add_ext(&msg, NHRP_EXT_VENDOR, 0));
	assert_null(nhrp_ext_add_cie(&msg, &msg.ext[NHRP_MAX_EXT - 1]));
}

/*
 * Each name must be the trailing comment of its constant in
 * nhrp_proto.h, the single source (OpenIKED genmap style).  The header is
 * found from this file's path as the compiler saw it, so this runs from
 * the directory the build ran in; elsewhere it is skipped.
 */
static char proto_h[64 * 1024];

static const char *
header_name(const char *macro, char *buf, size_t cap)
{
	char key[96];
	const char *p, *q;

	snprintf(key, sizeof(key), "#define %s ", macro);
	p = strstr(proto_h, key);
	if (p == NULL)
		return NULL;
	p = strstr(p, "/* ");
	q = p != NULL ? strstr(p, " */") : NULL;
	if (q == NULL || (size_t)(q - p - 3) >= cap)
		return NULL;
	memcpy(buf, p + 3, (size_t)(q - p - 3));
	buf[q - p - 3] = '\0';
	return buf;
}

#define NAME(fn, c)       \
	{                 \
#c, fn(c) \
	}

static void
test_names(void **state)
{
	const struct {
		const char *macro;
		const char *name;
	} names[] = {
		NAME(nhrp_type_name, NHRP_RESOLUTION_REQUEST),
		NAME(nhrp_type_name, NHRP_RESOLUTION_REPLY),
		NAME(nhrp_type_name, NHRP_REGISTRATION_REQUEST),
		NAME(nhrp_type_name, NHRP_REGISTRATION_REPLY),
		NAME(nhrp_type_name, NHRP_PURGE_REQUEST),
		NAME(nhrp_type_name, NHRP_PURGE_REPLY),
		NAME(nhrp_type_name, NHRP_ERROR_INDICATION),
		NAME(nhrp_type_name, NHRP_TRAFFIC_INDICATION),
		NAME(nhrp_err_name, NHRP_ERR_UNRECOGNIZED_EXT),
		NAME(nhrp_err_name, NHRP_ERR_LOOP_DETECTED),
		NAME(nhrp_err_name, NHRP_ERR_PROTO_UNREACH),
		NAME(nhrp_err_name, NHRP_ERR_PROTOCOL),
		NAME(nhrp_err_name, NHRP_ERR_SDU_SIZE),
		NAME(nhrp_err_name, NHRP_ERR_INVALID_EXT),
		NAME(nhrp_err_name, NHRP_ERR_INVALID_REPLY),
		NAME(nhrp_err_name, NHRP_ERR_AUTH_FAILURE),
		NAME(nhrp_err_name, NHRP_ERR_HOP_COUNT),
		NAME(nhrp_cie_code_name, NHRP_CIE_SUCCESS),
		NAME(nhrp_cie_code_name, NHRP_CIE_ADMIN_PROHIBITED),
		NAME(nhrp_cie_code_name, NHRP_CIE_INSUFFICIENT_RES),
		NAME(nhrp_cie_code_name, NHRP_CIE_NO_BINDING),
		NAME(nhrp_cie_code_name, NHRP_CIE_NOT_UNIQUE),
		NAME(nhrp_cie_code_name, NHRP_CIE_ALREADY_REGISTERED),
		NAME(nhrp_ext_name, NHRP_EXT_END),
		NAME(nhrp_ext_name, NHRP_EXT_RESPONDER),
		NAME(nhrp_ext_name, NHRP_EXT_FWD_TRANSIT),
		NAME(nhrp_ext_name, NHRP_EXT_REV_TRANSIT),
		NAME(nhrp_ext_name, NHRP_EXT_AUTH),
		NAME(nhrp_ext_name, NHRP_EXT_VENDOR),
		NAME(nhrp_ext_name, NHRP_EXT_NAT_ADDR),
	};
	char path[512], buf[128];
	const char *file = __FILE__, *tail = "tests/unit/test_nhrp_wire.c";
	size_t i, n, flen = strlen(file), tlen = strlen(tail);
	FILE *f;

	(void)state;
	/* The RFC 2332 5.2.7 numbering: Loop Detected is 3. */
	assert_string_equal(nhrp_err_name(3), "Loop Detected");
	assert_string_equal(nhrp_type_name(0), "unknown");
	assert_string_equal(nhrp_err_name(2), "unknown");
	assert_string_equal(nhrp_cie_code_name(11), "unknown");
	assert_string_equal(
		nhrp_ext_name(NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY),
		"Responder Address");

	if (flen < tlen || strcmp(file + flen - tlen, tail) != 0)
		skip();
	snprintf(path, sizeof(path), "%.*sinclude/dmvpn/nhrp_proto.h",
		 (int)(flen - tlen), file);
	f = fopen(path, "r");
	if (f == NULL)
		skip();
	n = fread(proto_h, 1, sizeof(proto_h) - 1, f);
	fclose(f);
	proto_h[n] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *want =
			header_name(names[i].macro, buf, sizeof(buf));

		if (want == NULL)
			fail_msg("%s: no /* Name */ in %s", names[i].macro,
				 path);
		assert_string_equal(names[i].name, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_resolution_request),
		cmocka_unit_test(test_golden_resolution_reply),
		cmocka_unit_test(test_golden_registration_request),
		cmocka_unit_test(test_golden_registration_reply),
		cmocka_unit_test(test_golden_purge_request),
		cmocka_unit_test(test_golden_purge_reply),
		cmocka_unit_test(test_golden_error_indication),
		cmocka_unit_test(test_golden_traffic_indication),
		cmocka_unit_test(test_golden_ipv6),
		cmocka_unit_test(test_roundtrip_ipv4),
		cmocka_unit_test(test_roundtrip_ipv6),
		cmocka_unit_test(test_roundtrip_no_extensions_part),
		cmocka_unit_test(test_frr_registration),
		cmocka_unit_test(test_frr_resolution_request),
		cmocka_unit_test(test_frr_resolution_reply),
		cmocka_unit_test(test_frr_traffic_indication),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_decode_limits),
		cmocka_unit_test(test_unknown_compulsory),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_corruption_sweep),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("nhrp_wire", tests, NULL, NULL);
}
