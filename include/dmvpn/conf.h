/*
 * The configuration file, /etc/dmvpn.conf (see docs/dmvpn.conf.5.md).
 *
 * conf_parse_buf() is pure: bytes in, a struct dmvpn_conf or a list of
 * errors out, no I/O, so it can be fuzzed.  conf_parse_file() reads a file
 * and checks that a file holding secrets is private.  After a successful
 * parse every field holds its effective value: defaults, which depend on
 * the tunnel's role, are already applied.
 *
 * Reload (SIGHUP, `dmvpnctl reload`) parses into a new struct, and a failed
 * parse changes nothing; then the conf_*_diff() helpers say what changed,
 * so only that is applied.
 */
#ifndef DMVPN_CONF_H
#define DMVPN_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "dmvpn/addr.h"
#include "dmvpn/log.h"

#define CONF_IFNAME_MAX        16  /* IFNAMSIZ: 15 characters and the NUL */
#define CONF_FQDN_MAX          256 /* a name, a final dot, the NUL */
#define CONF_AUTH_MAX          8   /* Cisco cleartext NHRP authentication */
#define CONF_MAX_ADDRESSES     8   /* tunnel addresses per tunnel */
#define CONF_MAX_SHORTCUT_DEST 32
#define CONF_MAX_NHS           32
#define CONF_MAX_MAPS          1024
#define CONF_MAX_TUNNELS       64
#define CONF_MAX_ERRORS        100 /* then parsing stops, with a note */
#define CONF_MAX_FILE          (1024 * 1024)
#define CONF_SOCKET_MAX        107 /* sun_path less the NUL */
#define CONF_MAX_PROPOSALS     8   /* per ike-proposal / esp-proposal */
#define CONF_MAX_DH            8   /* DH groups per proposal */
#define CONF_MAX_AUTHORIZE     16384
#define CONF_MAX_AUTH_PREFIXES 16  /* per authorize, as the IKE layer */
#define CONF_ID_MAX            255 /* bytes of an ID's text */

/* Defaults; those of shortcut and redirect depend on the role. */
#define CONF_DEFAULT_HOLDING_TIME      7200
#define CONF_DEFAULT_MTU               1400
#define CONF_DEFAULT_TTL               64
#define CONF_DEFAULT_NETWORK_ID        1
#define CONF_DEFAULT_ROUTE_TABLE       254 /* main */
#define CONF_DEFAULT_ROUTE_PROTOCOL    191 /* "nhrp" in iproute2 and FRR */
#define CONF_DEFAULT_NHS_FALLBACK      0
#define CONF_DEFAULT_NEGATIVE_TTL      60
#define CONF_DEFAULT_REDIRECT_INTERVAL 2
#define CONF_DEFAULT_REDIRECT_BURST    4
#define CONF_DEFAULT_STATE_DIR         "/var/lib/dmvpnd"
#define CONF_DEFAULT_IKE_LIFETIME      (4 * 3600)
#define CONF_DEFAULT_ESP_LIFETIME      3600
#define CONF_DEFAULT_DPD               30
#define CONF_DEFAULT_NAT_KEEPALIVE     20
#define CONF_DEFAULT_RETRANSMIT_TRIES  5
#define CONF_DEFAULT_HALF_OPEN_LIMIT   1000
#define CONF_DEFAULT_HALF_OPEN_SOURCE  50

/*
 * IANA IKEv2 numbers (RFC 7296 3.3.2 and 3.5), as struct conf_ike holds
 * them, so that the IKE engine needs no names.
 */
#define CONF_ENCR_AES_CBC       12 /* ENCR_AES_CBC */
#define CONF_ENCR_AES_GCM_16    20 /* ENCR_AES_GCM_16 */
#define CONF_PRF_HMAC_SHA2_256  5  /* PRF_HMAC_SHA2_256 */
#define CONF_PRF_HMAC_SHA2_384  6  /* PRF_HMAC_SHA2_384 */
#define CONF_PRF_HMAC_SHA2_512  7  /* PRF_HMAC_SHA2_512 */
#define CONF_AUTH_HMAC_SHA2_256 12 /* AUTH_HMAC_SHA2_256_128 */
#define CONF_AUTH_HMAC_SHA2_384 13 /* AUTH_HMAC_SHA2_384_192 */
#define CONF_AUTH_HMAC_SHA2_512 14 /* AUTH_HMAC_SHA2_512_256 */
#define CONF_DH_MODP2048        14 /* 2048-bit MODP Group */
#define CONF_DH_MODP3072        15 /* 3072-bit MODP Group */
#define CONF_DH_MODP4096        16 /* 4096-bit MODP Group */
#define CONF_DH_ECP256          19 /* 256-bit random ECP group */
#define CONF_DH_ECP384          20 /* 384-bit random ECP group */
#define CONF_DH_CURVE25519      31 /* Curve25519 */
#define CONF_ID_DEFAULT         0  /* ours: see struct conf_id */
#define CONF_ID_IPV4_ADDR       1  /* ID_IPV4_ADDR */
#define CONF_ID_FQDN            2  /* ID_FQDN */
#define CONF_ID_RFC822_ADDR     3  /* ID_RFC822_ADDR */
#define CONF_ID_IPV6_ADDR       5  /* ID_IPV6_ADDR */
#define CONF_ID_DER_ASN1_DN     9  /* ID_DER_ASN1_DN */
#define CONF_ID_KEY_ID          11 /* ID_KEY_ID */

enum conf_role {
	CONF_ROLE_SPOKE,
	CONF_ROLE_HUB,
};

/* `nhs P|dynamic nbma A|NAME [priority N] [cluster N]` */
struct conf_nhs {
	struct addr proto;        /* none for `nhs dynamic`: learned */
	struct addr nbma;         /* none when fqdn is set */
	char fqdn[CONF_FQDN_MAX]; /* "" when nbma is set */
	uint8_t priority;         /* 0 is the most preferred (Cisco) */
	uint8_t cluster;
	unsigned int line; /* where it was given; not compared */
};

/* `map P nbma A`: a static protocol to NBMA mapping. */
struct conf_map {
	struct addr proto;
	struct addr nbma;
	unsigned int line;
};

/* `cluster N max-connections M` */
struct conf_cluster {
	uint8_t cluster;
	uint8_t max_connections;
	unsigned int line;
};

struct conf_tunnel {
	char name[CONF_IFNAME_MAX];
	unsigned int line; /* of `tunnel NAME {`; not compared */
	enum conf_role role;
	/* The NBMA side: exactly one of the two is set. */
	char nbma_ifname[CONF_IFNAME_MAX]; /* "" when local is set */
	struct addr local;
	struct prefix addresses[CONF_MAX_ADDRESSES];
	size_t naddresses;
	bool has_gre_key;
	uint32_t gre_key;
	uint16_t mtu;
	uint8_t ttl;
	uint32_t network_id;
	uint32_t holding_time; /* seconds */
	bool unique;           /* registration unique */
	bool shortcut;
	bool redirect;
	bool ipsec; /* default: yes with an ike block */
	struct prefix shortcut_dest[CONF_MAX_SHORTCUT_DEST];
	size_t nshortcut_dest;
	uint8_t auth[CONF_AUTH_MAX];
	size_t auth_len; /* 0: no authentication */
	uint32_t route_table;
	uint32_t nhs_fallback;      /* seconds */
	uint32_t negative_ttl;      /* seconds */
	uint32_t redirect_interval; /* seconds per token */
	uint32_t redirect_burst;    /* bucket size */
	char *hook_script;          /* NULL: the global one */
	struct conf_nhs *nhs;
	size_t nnhs;
	struct conf_map *maps;
	size_t nmaps;
	struct conf_cluster *clusters;
	size_t nclusters;
};

/*
 * One IKE or ESP proposal: `aes256gcm16-prfsha256-x25519-ecp256`.  A GCM
 * proposal has no integrity; an ESP proposal has no PRF, and its groups
 * (PFS for rekeys) are optional.
 */
struct conf_proposal {
	uint16_t encr;            /* CONF_ENCR_* */
	uint16_t encr_bits;       /* 128, 192 or 256 */
	uint16_t integ;           /* CONF_AUTH_*, 0 for none */
	uint16_t prf;             /* CONF_PRF_*, 0 for ESP */
	uint16_t dh[CONF_MAX_DH]; /* CONF_DH_*, in order of preference */
	size_t ndh;
};

/*
 * An IKE identity: `192.0.2.10`, `fqdn:NAME`, `email:ADDRESS`,
 * `dn:"CN=..."`, `keyid:HEX`.  CONF_ID_DEFAULT (our identity only) means
 * the certificate's subject DN, else our NBMA address: only the IKE layer
 * knows them.
 */
struct conf_id {
	uint8_t type; /* CONF_ID_* */
	/*
	 * The text after the prefix: the address as addr_fmt() writes it,
	 * the name, the DN as given (the IKE layer encodes it), the key ID
	 * in lower-case hex.  NULL for CONF_ID_DEFAULT.
	 */
	char *value;
	struct addr addr; /* CONF_ID_IPV4_ADDR and _IPV6_ADDR */
};

/* `authorize ID PREFIX...`: what a peer may register in NHRP. */
struct conf_authorize {
	struct conf_id id;
	struct prefix *prefixes; /* host bits clear */
	size_t nprefixes;
	unsigned int line; /* not compared */
};

/* The `ike { }` block: IKEv2 for every tunnel with `ipsec yes`. */
struct conf_ike {
	bool present;      /* the others are meaningless without it */
	char *certificate; /* absolute paths, or NULL */
	char *private_key;
	char *ca;
	char *crl;
	char *psk_file;
	struct conf_id identity;
	struct conf_proposal ike[CONF_MAX_PROPOSALS];
	size_t nike;   /* 1.. after a parse: defaults applied */
	bool esp_auto; /* from /proc/crypto at run time; then nesp is 0 */
	struct conf_proposal esp[CONF_MAX_PROPOSALS];
	size_t nesp;
	uint32_t ike_lifetime;         /* seconds to rekey the IKE SA */
	uint32_t esp_lifetime;         /* seconds to rekey a CHILD SA */
	uint32_t dpd;                  /* seconds, 0: off */
	uint32_t nat_keepalive;        /* seconds, 0: off */
	uint32_t retransmit_tries;     /* sends of a request before giving up */
	uint32_t half_open_limit;      /* then cookies (RFC 7296 2.6) */
	uint32_t half_open_per_source; /* 0: unlimited */
	struct conf_authorize *authorize;
	size_t nauthorize;
	/* Where each was given, for messages; not compared. */
	unsigned int line;
	unsigned int certificate_line, private_key_line, ca_line, crl_line,
		psk_file_line;
};

struct dmvpn_conf {
	enum log_level log_level;
	unsigned int debug; /* enum log_cat mask */
	char *control_socket;
	char *state_dir;
	char *hook_script; /* NULL: none */
	uint8_t route_protocol;
	struct conf_tunnel *tunnels;
	size_t ntunnels;
	struct conf_ike ike;
};

struct conf_error {
	unsigned int line; /* 0: about the whole file */
	char *msg;         /* "file:line: message" */
};

/* What a parse found wrong.  Zero it (or conf_errors_init) before use. */
struct conf_errors {
	struct conf_error *v;
	size_t n;
	size_t cap;
	bool nomem; /* some messages were lost for want of memory */
};

/* Make errs empty. */
void conf_errors_init(struct conf_errors *errs);

/* Free the messages and make errs empty again. */
void conf_errors_free(struct conf_errors *errs);

/* Print each message on its own line. */
void conf_errors_print(FILE *f, const struct conf_errors *errs);

/*
 * Parse len bytes of buf; name is the file name the messages start with.
 * Returns the configuration, or NULL when there were errors (all appended
 * to errs, which may be NULL) or memory ran out.
 */
struct dmvpn_conf *conf_parse_buf(const char *name, const char *buf, size_t len,
				  struct conf_errors *errs);

/*
 * Read and parse the file at path.  Besides conf_parse_buf()'s checks,
 * a file holding a secret (authentication) must be owned by root or the
 * caller and not be accessible to group or others; so must the ike
 * block's psk-file and private-key, and its certificate, ca and crl must
 * be readable.  No PEM is parsed here.
 */
struct dmvpn_conf *conf_parse_file(const char *path, struct conf_errors *errs);

/*
 * Also accept a secret-holding file owned by uid: the user the daemon
 * runs as after dropping root, which must re-read it on reload.
 * (uid_t)-1 (the default) for none.
 */
void conf_set_trusted_uid(uid_t uid);

/* A configuration with the global defaults and no tunnel; NULL on ENOMEM. */
struct dmvpn_conf *conf_new(void);

/* Free a configuration; NULL is fine. */
void conf_free(struct dmvpn_conf *conf);

/* Apply the defaults of role to every field of t (used by the parser). */
void conf_tunnel_defaults(struct conf_tunnel *t, enum conf_role role);

/* conf_print_flags() flags */
#define CONF_PRINT_HIDE_SECRETS 0x1 /* authentication "********" */

/*
 * Print conf in normalised form (every value explicit, canonical order
 * and spelling); parsing the output yields an equal configuration.
 */
void conf_print(FILE *f, const struct dmvpn_conf *conf);
void conf_print_flags(FILE *f, const struct dmvpn_conf *conf,
		      unsigned int flags);

/* Names for printing and JSON. */
const char *conf_role_name(enum conf_role role);

/*
 * A proposal as the file spells it, such as "aes256-sha256-prfsha256-
 * ecp256", into out (outlen bytes, truncated); returns out.
 */
const char *conf_proposal_fmt(const struct conf_proposal *pr, char *out,
			      size_t outlen);

/* An identity as the file spells it (quoted where needed); returns out. */
const char *conf_id_fmt(const struct conf_id *id, char *out, size_t outlen);

/* The tunnel called name, or NULL. */
const struct conf_tunnel *conf_tunnel_find(const struct dmvpn_conf *conf,
					   const char *name);

/* What differs between two versions of a tunnel block: conf_tunnel_diff(). */
enum conf_tunnel_change {
	/* The GRE device must be re-created: gre-key, local, nbma-interface. */
	CONF_TC_DEVICE = 1u << 0,
	/* Device attributes that change in place: mtu, ttl. */
	CONF_TC_LINK = 1u << 1,
	/* Tunnel addresses added or removed. */
	CONF_TC_ADDRESS = 1u << 2,
	/*
	 * NHRP parameters: role, network-id, holding-time, registration,
	 * shortcut, redirect, shortcut-destination, authentication,
	 * nhs-fallback, negative-ttl, redirect-rate, cluster.
	 */
	CONF_TC_NHRP = 1u << 3,
	/* nhs entries added, removed or changed: conf_nhs_diff(). */
	CONF_TC_NHS = 1u << 4,
	/* map entries added, removed or changed: conf_map_diff(). */
	CONF_TC_MAP = 1u << 5,
	/* route-table: the shortcut routes move. */
	CONF_TC_ROUTE = 1u << 6,
	CONF_TC_IPSEC = 1u << 7,
	CONF_TC_HOOK = 1u << 8,
};

/* A mask of enum conf_tunnel_change; 0 when a and b are the same. */
unsigned int conf_tunnel_diff(const struct conf_tunnel *a,
			      const struct conf_tunnel *b);

/* True when a and b are the same (line numbers aside). */
bool conf_tunnel_equal(const struct conf_tunnel *a,
		       const struct conf_tunnel *b);

/* True when going from a to b needs the GRE device deleted and re-made. */
bool conf_tunnel_needs_recreate(const struct conf_tunnel *a,
				const struct conf_tunnel *b);

/* What differs between two whole configurations: conf_global_diff(). */
enum conf_global_change {
	CONF_GC_LOG = 1u << 0,            /* log-level, debug */
	CONF_GC_CONTROL_SOCKET = 1u << 1, /* re-open the socket */
	CONF_GC_STATE_DIR = 1u << 2,
	CONF_GC_ROUTE_PROTOCOL = 1u << 3, /* re-tag every installed route */
	CONF_GC_HOOK = 1u << 4,
	CONF_GC_TUNNELS = 1u << 5, /* a tunnel added, removed or changed */
	CONF_GC_IKE = 1u << 6,     /* anything in the ike block */
};

/* A mask of enum conf_global_change; 0 when a and b are the same. */
unsigned int conf_global_diff(const struct dmvpn_conf *a,
			      const struct dmvpn_conf *b);

/* True when a and b are the same configuration (line numbers aside). */
bool conf_equal(const struct dmvpn_conf *a, const struct dmvpn_conf *b);

struct conf_index_pair {
	size_t old_idx;
	size_t new_idx;
};

/*
 * Entries of two versions of a list (nhs or map).  Entries match by key:
 * an nhs by its protocol address (or `dynamic`) and NBMA address or name,
 * a map by its protocol address.  A matched entry whose other fields
 * differ (an nhs's priority or cluster, a map's NBMA address) is changed.
 */
struct conf_entry_diff {
	size_t *added; /* indices into the new tunnel's array */
	size_t nadded;
	size_t *removed; /* indices into the old tunnel's array */
	size_t nremoved;
	struct conf_index_pair *changed;
	size_t nchanged;
};

/* Fill d from old to new; -1 (ENOMEM) with d empty. */
int conf_nhs_diff(const struct conf_tunnel *old_t,
		  const struct conf_tunnel *new_t, struct conf_entry_diff *d);
int conf_map_diff(const struct conf_tunnel *old_t,
		  const struct conf_tunnel *new_t, struct conf_entry_diff *d);

/* Free what a diff holds and make it empty; fine on an empty one. */
void conf_entry_diff_free(struct conf_entry_diff *d);

/* Index of an nhs / map of t matching e's key, or -1. */
long conf_nhs_find(const struct conf_tunnel *t, const struct conf_nhs *e);
long conf_map_find(const struct conf_tunnel *t, const struct conf_map *e);

#endif /* DMVPN_CONF_H */
