# shellcheck shell=bash
# tests/netns/lib.sh: network-namespace topologies for the real-kernel tests.
#
# Source it from a bash test (after "set -eu"):
#
#	. "$(dirname "$0")/lib.sh"
#	require_root
#	has_gre || skip "no GRE in this kernel"
#	ns_internet
#	ns_router r1 192.0.2.1/24
#	ns_router r2 198.51.100.2/24
#	nsx r1 ip addr
#
# Topology:
#   ns_internet                     "internet" namespace with bridge br0; it
#                                   routes between the /nn subnets attached to
#                                   it, owning the highest host address of each
#                                   (192.0.2.254 for 192.0.2.0/24).
#   ns_router NAME ADDR/PLEN        router namespace; its eth0 (ADDR/PLEN) is a
#                                   veth to the internet bridge, or to the inside
#                                   bridge of the NAT router whose inside net
#                                   holds ADDR.  Default route via that bridge.
#   ns_nat_router NAME ADDR/PLEN INSIDE_NET/PLEN
#                                   router with eth0 outside and bridge br1
#                                   inside (highest host of INSIDE_NET),
#                                   masquerading with nftables.
#   ns_lan ROUTER NAME NET/PLEN     host NAME behind ROUTER on its own veth:
#                                   ROUTER gets the first host address of NET
#                                   (on "l-NAME"), NAME the second (on eth0).
# Helpers:
#   nsx NAME CMD...                 ip netns exec in NAME's namespace
#   ns_name NAME                    the real namespace name
#   ns_addr NAME                    NAME's address (no prefix length)
#   ns_ping NAME DST [COUNT]        ping (iputils, or busybox's)
#   wait_until SECONDS CMD...       poll CMD every 0.2 s until it succeeds
#   require_root / skip REASON / fail REASON / info MSG
#   has_gre / has_esp               probe the kernel in a throwaway namespace
#   on_exit CMD...                  run CMD at exit, before the namespaces go
# FRR (interop tests; see the FRR section below):
#   frr_require                     skip (fail under CI=true) without FRR;
#                                   call it before the test's own on_exit
#   frr_version                     "nhrpd version X.Y.Z"
#   frr_gre NAME NBMA TUNADDR       an mGRE gre1 (key 42) as FRR wants it
#   frr_start NAME < NHRPD_CONF     zebra + nhrpd in NAME's namespace
#   frr_vtysh NAME CMD...           vtysh -c CMD... against NAME's daemons
#   frr_logs NAME                   the tail of NAME's zebra and nhrpd logs
#
# Use only the TEST-NET ranges 192.0.2.0/24, 198.51.100.0/24 and
# 203.0.113.0/24 for addresses that stand for the internet.
#
# Names: every namespace is called "$NS_PREFIX-NAME", with NS_PREFIX from
# DMVPN_NS_PREFIX (run-all sets one per test) or "dmt<pid>", so parallel runs
# never collide.  Links are created directly inside their namespaces (never in
# the caller's), so their names need no prefix; NAME must be at most 13
# characters because it also names the veth on the bridge side.
#
# Cleanup: the library owns the EXIT trap (tests add work with on_exit).  It
# runs the hooks, kills every process left in our namespaces and deletes the
# namespaces, which destroys every link in them.  INT, TERM and HUP exit
# through it too.  With NS_IPV6 unset, IPv6 is disabled in each namespace to
# keep router solicitations and MLD out of packet counters.

NS_PREFIX=${DMVPN_NS_PREFIX:-dmt$$}
NS_LIST=()		# namespaces we created, in order
NS_HOOKS=()		# on_exit commands, quoted for eval
declare -A NS_ADDRS=()	# NAME -> address
NS_NATS=()		# "NAME NET/PLEN" for each NAT router

info() { printf '# %s\n' "$*"; }

skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

# Report, show the state of every namespace (for CI logs), and fail.
fail() {
	printf 'FAIL: %s\n' "$*"
	ns_dump
	exit 1
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
}

on_exit() {
	NS_HOOKS+=("$(printf '%q ' "$@")")
}

wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# --- probes ----------------------------------------------------------------
# Each runs in a throwaway namespace (unshare -n), so nothing outlives it.
# The kernel autoloads ip_gre / esp4 / gcm on demand where they exist.

has_gre() {
	unshare -n ip link add gre1 type gre key 42 ttl 64 local 192.0.2.1 \
	    >/dev/null 2>&1
}

has_esp() {
	unshare -n ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp \
	    spi 0x100 mode transport aead 'rfc4106(gcm(aes))' \
	    0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223 \
	    128 >/dev/null 2>&1
}

# --- IPv4 arithmetic --------------------------------------------------------

_ip2int() {
	local a b c d
	IFS=. read -r a b c d <<<"$1"
	echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

_int2ip() {
	local n=$1
	echo "$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))"
}

_mask() {
	echo $(((0xffffffff << (32 - $1)) & 0xffffffff))
}

# _host NET/PLEN N: the Nth host address (negative N counts back from the
# broadcast address: -1 is the highest host).
_host() {
	local net=${1%/*} plen=${1#*/} n=$2 m base
	m=$(_mask "$plen")
	base=$(($(_ip2int "$net") & m))
	if [ "$n" -lt 0 ]; then
		_int2ip $((base + ((~m) & 0xffffffff) + n))
	else
		_int2ip $((base + n))
	fi
}

# _in_net ADDR NET/PLEN
_in_net() {
	local m
	m=$(_mask "${2#*/}")
	[ $(($(_ip2int "$1") & m)) -eq $(($(_ip2int "${2%/*}") & m)) ]
}

# --- namespaces ---------------------------------------------------------------

ns_name() {
	[ -n "${NS_ADDRS[$1]+set}" ] || { echo "lib.sh: unknown namespace $1" >&2; return 1; }
	echo "$NS_PREFIX-$1"
}

ns_addr() {
	[ -n "${NS_ADDRS[$1]+set}" ] || { echo "lib.sh: unknown namespace $1" >&2; return 1; }
	echo "${NS_ADDRS[$1]}"
}

nsx() {
	local ns
	ns=$(ns_name "$1") || return 1
	shift
	ip netns exec "$ns" "$@"
}

_ns_new() {
	local name=$1 ns=$NS_PREFIX-$1
	case $name in
	'' | *[!A-Za-z0-9_-]*) echo "lib.sh: bad name '$name'" >&2; return 1 ;;
	esac
	[ "${#name}" -le 13 ] || { echo "lib.sh: name '$name' longer than 13" >&2; return 1; }
	[ -z "${NS_ADDRS[$name]+set}" ] || { echo "lib.sh: $name exists" >&2; return 1; }
	ip netns add "$ns"
	NS_LIST+=("$ns")
	NS_ADDRS[$name]=
	if [ -z "${NS_IPV6:-}" ]; then
		# Absent when IPv6 is disabled at boot: nothing to do then.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		    net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
	fi
	ip -n "$ns" link set lo up
}

_ns_forward() {
	ip netns exec "$(ns_name "$1")" sysctl -qw net.ipv4.ip_forward=1
}

# _ns_uplink NAME ADDR/PLEN: give NAME an eth0 on the right bridge.
_ns_uplink() {
	local name=$1 cidr=$2 up=inet bridge=br0 gw nat
	for nat in "${NS_NATS[@]}"; do
		if _in_net "${cidr%/*}" "${nat#* }"; then
			up=${nat%% *}
			bridge=br1
		fi
	done
	[ "$up" != inet ] || [ -n "${NS_ADDRS[inet]+set}" ] || ns_internet
	gw=$(_host "$cidr" -1)
	[ "$gw" != "${cidr%/*}" ] || { echo "lib.sh: $cidr is the gateway address" >&2; return 1; }
	ip link add eth0 netns "$(ns_name "$name")" type veth \
	    peer name "$name" netns "$(ns_name "$up")"
	nsx "$up" ip link set "$name" master "$bridge" up
	# The internet owns the gateway of every subnet that joins it.
	if [ "$up" = inet ] && ! nsx inet ip -4 addr show dev br0 | grep -q "inet $gw/"; then
		nsx inet ip addr add "$gw/${cidr#*/}" dev br0
	fi
	nsx "$name" ip addr add "$cidr" dev eth0
	nsx "$name" ip link set eth0 up
	nsx "$name" ip route add default via "$gw"
	NS_ADDRS[$name]=${cidr%/*}
}

ns_internet() {
	[ -z "${NS_ADDRS[inet]+set}" ] || return 0
	_ns_new inet
	nsx inet ip link add br0 type bridge
	nsx inet ip link set br0 up
	_ns_forward inet
}

ns_router() {
	[ $# -eq 2 ] || { echo "usage: ns_router NAME ADDR/PLEN" >&2; return 1; }
	_ns_new "$1"
	_ns_forward "$1"
	_ns_uplink "$1" "$2"
}

ns_nat_router() {
	[ $# -eq 3 ] || { echo "usage: ns_nat_router NAME ADDR/PLEN INSIDE_NET/PLEN" >&2; return 1; }
	local name=$1 inside=$3
	ns_router "$name" "$2"
	nsx "$name" ip link add br1 type bridge
	nsx "$name" ip addr add "$(_host "$inside" -1)/${inside#*/}" dev br1
	nsx "$name" ip link set br1 up
	nsx "$name" nft -f - <<-'EOF'
	table ip nat {
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "eth0" masquerade
		}
	}
	EOF
	NS_NATS+=("$name $inside")
}

ns_lan() {
	[ $# -eq 3 ] || { echo "usage: ns_lan ROUTER NAME NET/PLEN" >&2; return 1; }
	local router=$1 name=$2 net=$3 raddr haddr
	ns_name "$router" >/dev/null
	raddr=$(_host "$net" 1)
	haddr=$(_host "$net" 2)
	_ns_new "$name"
	ip link add eth0 netns "$(ns_name "$name")" type veth \
	    peer name "l-$name" netns "$(ns_name "$router")"
	nsx "$router" ip addr add "$raddr/${net#*/}" dev "l-$name"
	nsx "$router" ip link set "l-$name" up
	nsx "$name" ip addr add "$haddr/${net#*/}" dev eth0
	nsx "$name" ip link set eth0 up
	nsx "$name" ip route add default via "$raddr"
	NS_ADDRS[$name]=$haddr
}

# ns_ping NAME DST [COUNT]: iputils ping when installed, else busybox's
# (busybox-static is already a dependency of the VM tier).
ns_ping() {
	local n=${3:-3} ping=(ping)
	command -v ping >/dev/null || ping=(busybox ping)
	nsx "$1" "${ping[@]}" -c "$n" -i 0.2 -W 2 -w $((n + 2)) "$2"
}

# Print addresses, routes, neighbours and XFRM state of every namespace.
ns_dump() {
	local ns
	for ns in "${NS_LIST[@]}"; do
		echo "=== $ns"
		ip -n "$ns" -br addr 2>&1
		ip -n "$ns" route 2>&1
		ip -n "$ns" neigh 2>&1
		ip -n "$ns" -s xfrm state 2>&1
		ip -n "$ns" xfrm policy 2>&1
	done
}

# --- FRR (zebra + nhrpd) for the interop tests ---------------------------------
# Each FRR router runs its own zebra and nhrpd inside its namespace, with its
# configuration, sockets, pid files and logs in $FRR_WORK/NAME (never /etc or
# /var/run, which are read-only in the test VM).  The daemons drop to the
# "frr" user, as packaged (root is not in the "frrvty" group FRR insists
# on), so that directory belongs to frr.  The namespace cleanup stops them.

FRR_SBIN=${FRR_SBIN:-/usr/lib/frr}
FRR_WORK=

# FRR missing: skip, except under CI=true (make deps installs it there).
frr_require() {
	local why=
	[ -x "$FRR_SBIN/zebra" ] && [ -x "$FRR_SBIN/nhrpd" ] ||
	    why="FRR not installed ($FRR_SBIN/zebra, $FRR_SBIN/nhrpd)"
	[ -n "$why" ] || command -v vtysh >/dev/null || why="FRR's vtysh not installed"
	[ -n "$why" ] || id frr >/dev/null 2>&1 || why="no user frr (FRR package)"
	if [ -z "$why" ]; then
		_frr_init
		return 0
	fi
	[ "${CI:-}" != true ] || fail "$why, and CI=true requires FRR (make deps installs it)"
	skip "$why"
}

frr_version() {
	"$FRR_SBIN/nhrpd" --version 2>/dev/null | head -n 1
}

# frr_gre NAME NBMA TUNADDR: the tunnel FRR runs on (FRR makes none): gre1,
# key 42, from NBMA, with the tunnel address as a /32 (nhrpd's rule).
frr_gre() {
	nsx "$1" ip link add gre1 type gre key 42 ttl 64 local "$2"
	nsx "$1" ip addr add "$3/32" dev gre1
	nsx "$1" ip link set gre1 up
}

# Not in a subshell: it sets FRR_WORK and registers the cleanup (so a test's
# own on_exit hooks, registered later, run first and still see the logs).
_frr_init() {
	[ -z "$FRR_WORK" ] || return 0
	FRR_WORK=$(mktemp -d /tmp/dmvpn-frr.XXXXXX)
	# The daemons run as frr: they must reach their directory.
	chmod 755 "$FRR_WORK"
	on_exit _frr_cleanup
}

# shellcheck disable=SC2317 # invoked from the EXIT trap
_frr_cleanup() {
	local f pids=()
	for f in "$FRR_WORK"/*/nhrpd.pid "$FRR_WORK"/*/zebra.pid; do
		[ -s "$f" ] && pids+=("$(cat "$f")")
	done
	if [ ${#pids[@]} -gt 0 ]; then
		kill "${pids[@]}" 2>/dev/null
		for f in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "${pids[@]}" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -rf "$FRR_WORK"
}

# frr_start NAME: start zebra, then nhrpd with the configuration read from
# stdin (a log file and debugging are added), and wait for nhrpd's vty.
frr_start() {
	local name=$1 dir
	_frr_init
	dir=$FRR_WORK/$name
	mkdir -p "$dir"
	{
		echo "hostname $name"
		echo "log file $dir/zebra.log"
	} >"$dir/zebra.conf"
	{
		echo "hostname $name"
		echo "log file $dir/nhrpd.log"
		echo "debug nhrp all"
		cat
	} >"$dir/nhrpd.conf"
	chown -R frr:frr "$dir"
	# -d returns once the daemon is ready; -P 0: no TCP vty.
	nsx "$name" "$FRR_SBIN/zebra" -d -P 0 -f "$dir/zebra.conf" \
	    -z "$dir/zserv.api" --vty_socket "$dir" -i "$dir/zebra.pid" \
	    >"$dir/zebra.out" 2>&1 || { cat "$dir/zebra.out"; return 1; }
	nsx "$name" "$FRR_SBIN/nhrpd" -d -P 0 -f "$dir/nhrpd.conf" \
	    -z "$dir/zserv.api" --vty_socket "$dir" -i "$dir/nhrpd.pid" \
	    >"$dir/nhrpd.out" 2>&1 || { cat "$dir/nhrpd.out"; return 1; }
	wait_until 10 test -S "$dir/nhrpd.vty" || {
		echo "lib.sh: $name: nhrpd has no vty socket" >&2
		return 1
	}
}

# frr_vtysh NAME CMD...: run each CMD in vtysh against NAME's daemons.
frr_vtysh() {
	local name=$1 dir=$FRR_WORK/$1 c args=()
	shift
	for c in "$@"; do
		args+=(-c "$c")
	done
	nsx "$name" vtysh --vty_socket "$dir" "${args[@]}"
}

frr_logs() {
	local dir=$FRR_WORK/$1
	echo "--- FRR zebra log of $1"
	tail -n 30 "$dir/zebra.log" 2>/dev/null || true
	echo "--- FRR nhrpd log of $1"
	tail -n "${FRR_LOG_LINES:-80}" "$dir/nhrpd.log" 2>/dev/null || true
}

# --- strongSwan (charon + swanctl) for the interop tests ------------------------
# Each strongSwan router runs its own charon inside its namespace, with
# strongswan.conf, the swanctl directory (swanctl.conf, x509, x509ca,
# private), the VICI socket, the log and the pid file in $SS_WORK/NAME.
# charon's pid file is fixed at build time (/var/run/charon.pid), so each
# charon runs in a mount namespace of its own with NAME's run/ bound on
# /run: several charons never collide, nor meet the host's.
#
#   ss_require                      skip (fail under CI=true) without charon
#                                   and swanctl
#   ss_version NAME                 "strongSwan X.Y.Z charon (...)"
#   ss_start NAME < SWANCTL_CONF    charon in NAME's namespace, then
#                                   swanctl --load-all with SWANCTL_CONF;
#                                   files for x509/x509ca/private: ss_dir;
#                                   SS_CHARON_EXTRA: more charon settings
#                                   ("fragment_size = 600")
#   ss_dir NAME                     NAME's swanctl directory (made if needed)
#   ss_swanctl NAME ARGS...         swanctl against NAME's charon
#   ss_spis NAME                    "IN OUT" (hex) per installed CHILD SA
#   ss_stop NAME                    stop NAME's charon (it removes its SAs)
#   ss_logs NAME                    the tail of NAME's charon log
#   ss_logs_on_failure NAME...      at exit, unless dm_pass ran: their SAs
#                                   and logs
#   ss_conn LOCAL REMOTE AUTH START [SETTING...]
#                                   a swanctl.conf for ss_start: GRE in ESP
#                                   transport mode (see below)
#   ss_nchild NAME                  how many CHILD SAs charon has installed
#   ss_dm_spis NAME LOCAL REMOTE    dmvpnd's "IN OUT" SPIs with REMOTE (show sa)
#   ss_kernel_spis NAME LOCAL REMOTE  the same from ip xfrm state
#   ss_same_spis X XADDR Y YADDR    dmvpnd on X, its kernel and charon on Y
#                                   agree on the SPIs of their one CHILD SA
#   ss_spis_agree X XADDR Y YADDR   the same as a quiet predicate
#   ss_ike_ids NAME                 charon's IKE SAs' unique ids ("1 2")
#   ss_child_ids NAME               its CHILD SAs' unique ids
#   ss_now / ss_since T             time stamps for measurements
#   ss_ping NAME DST SECONDS OUT    ping -i 0.2 in the background
#   ss_ping_lost OUT                "SENT LOST" from its summary

SS_CHARON=${SS_CHARON:-}
SS_WORK=
SS_DM='' SS_SS='' SS_K=''	# ss_spis_agree's last reading

# charon missing: skip, except under CI=true (make deps installs it there).
ss_require() {
	local why='' c
	if [ -z "$SS_CHARON" ]; then
		for c in /usr/lib/ipsec/charon /usr/libexec/ipsec/charon \
		    /usr/lib/strongswan/charon; do
			[ -x "$c" ] && { SS_CHARON=$c; break; }
		done
	fi
	[ -n "$SS_CHARON" ] || why="strongSwan's charon not installed"
	[ -n "$why" ] || command -v swanctl >/dev/null || why="swanctl not installed"
	[ -n "$why" ] || command -v openssl >/dev/null || why="openssl not installed"
	if [ -z "$why" ]; then
		_ss_init
		return 0
	fi
	[ "${CI:-}" != true ] || fail "$why, and CI=true requires strongSwan (make deps installs it)"
	skip "$why"
}

# ss_version NAME: what NAME's running charon says it is, "strongSwan
# 5.9.8 charon (Linux, ...)".
ss_version() {
	ss_swanctl "$1" --version --daemon 2>/dev/null | head -n 1
}

# Not in a subshell: it sets SS_WORK and registers the cleanup.
_ss_init() {
	[ -z "$SS_WORK" ] || return 0
	SS_WORK=$(mktemp -d /tmp/dmvpn-ss.XXXXXX)
	on_exit _ss_cleanup
}

# shellcheck disable=SC2317 # invoked from the EXIT trap
_ss_cleanup() {
	local d
	for d in "$SS_WORK"/*/; do
		[ -d "$d" ] && ss_stop "$(basename "$d")"
	done
	rm -rf "$SS_WORK"
}

ss_dir() {
	_ss_init
	mkdir -p "$SS_WORK/$1/swanctl/x509" "$SS_WORK/$1/swanctl/x509ca" \
	    "$SS_WORK/$1/swanctl/private" "$SS_WORK/$1/run"
	chmod 700 "$SS_WORK/$1/swanctl/private"
	echo "$SS_WORK/$1/swanctl"
}

# _ss_env NAME: the environment charon and swanctl read NAME's files with.
_ss_env() {
	echo "STRONGSWAN_CONF=$SS_WORK/$1/strongswan.conf"
	echo "SWANCTL_DIR=$SS_WORK/$1/swanctl"
}

# The plugins charon needs (the openssl plugin brings AES-GCM, X25519,
# ECP, RSA and ECDSA); naming them avoids the warnings about the rest of
# the built-in list that the packages do not ship.
SS_PLUGINS="random nonce aes sha1 sha2 hmac gcm kdf openssl pem pkcs1 pkcs8 x509"
SS_PLUGINS="$SS_PLUGINS pubkey constraints kernel-netlink socket-default vici"

_ss_conf() {
	local dir=$SS_WORK/$1
	cat <<-EOF
	charon {
		load = $SS_PLUGINS
		install_routes = no
		install_virtual_ip = no
		retransmit_timeout = 2.0
		retransmit_tries = 4
		${SS_CHARON_EXTRA:-}
		plugins {
			vici {
				socket = unix://$dir/charon.vici
			}
		}
		filelog {
			charon {
				path = $dir/charon.log
				time_format = %T
				ike_name = yes
				flush_line = yes
				default = 1
				ike = 2
				cfg = 2
				knl = 2
			}
		}
		syslog {
			daemon {
				default = -1
			}
		}
	}
	swanctl {
		load = random nonce sha1 sha2 openssl pem pkcs1 pkcs8 x509 pubkey
	}
	EOF
}

# ss_start NAME < SWANCTL_CONF
ss_start() {
	local name=$1 dir
	ss_dir "$name" >/dev/null
	dir=$SS_WORK/$name
	_ss_conf "$name" >"$dir/strongswan.conf"
	cat >"$dir/swanctl/swanctl.conf"
	chmod 600 "$dir/swanctl/swanctl.conf"
	# shellcheck disable=SC2046,SC2016 # one word per variable; sh's $1, $@
	nsx "$name" unshare -m sh -c 'mount --bind "$1" /run && shift && exec "$@"' \
	    sh "$dir/run" env $(_ss_env "$name") "$SS_CHARON" \
	    >"$dir/charon.out" 2>&1 &
	disown "$!"
	wait_until 15 test -S "$dir/charon.vici" || {
		cat "$dir/charon.out" "$dir/charon.log" 2>/dev/null
		echo "lib.sh: $name: charon has no VICI socket" >&2
		return 1
	}
	ss_swanctl "$name" --load-all --noprompt >"$dir/load.out" 2>&1 || {
		cat "$dir/load.out"
		echo "lib.sh: $name: swanctl --load-all failed" >&2
		return 1
	}
}

ss_swanctl() {
	local name=$1
	shift
	# shellcheck disable=SC2046
	nsx "$name" env $(_ss_env "$name") swanctl "$@" \
	    --uri "unix://$SS_WORK/$name/charon.vici"
}

# ss_spis NAME: per installed CHILD SA, charon's inbound and outbound SPI,
# "c1234567 c89abcde", as --list-sas prints them ("in  c1234567, ...").
ss_spis() {
	ss_swanctl "$1" --list-sas 2>/dev/null | awk '
	$1 == "in" { i = $2; sub(/,$/, "", i) }
	$1 == "out" && i != "" { o = $2; sub(/,$/, "", o); print i, o; i = "" }'
}

ss_stop() {
	local name=$1 f=$SS_WORK/$1/run/charon.pid pid
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	kill "$pid" 2>/dev/null || return 0
	wait_until 10 eval "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
	rm -f "$f"
}

ss_logs() {
	echo "--- charon log of $1"
	tail -n "${SS_LOG_LINES:-80}" "$SS_WORK/$1/charon.log" 2>/dev/null || true
}

# ss_logs_on_failure NAME...: at exit, unless dm_pass ran, show the SAs
# and the log of each NAME's charon.
ss_logs_on_failure() {
	on_exit _ss_logs_on_failure "$@"
}

# shellcheck disable=SC2317 # invoked from the EXIT trap
_ss_logs_on_failure() {
	local n
	[ "${DM_PASSED:-0}" = 1 ] && return 0
	for n in "$@"; do
		echo "--- swanctl --list-sas on $n"
		ss_swanctl "$n" --list-sas 2>&1 | head -n 40
		ss_logs "$n"
	done
}

# ss_conn LOCAL REMOTE AUTH START [SETTING...]: a swanctl.conf for ss_start
# with one connection "dmvpn" from LOCAL to REMOTE (NBMA addresses) and one
# child "gre" protecting GRE between them in ESP transport mode.
#   AUTH   psk (the key dm_ike writes), or a certificate file in ss_dir's
#          x509/ (public key authentication; the peer's must chain to a
#          CA in x509ca/)
#   START  the child's start_action: none (responder) or trap (initiate
#          on the first GRE packet, from the kernel's ACQUIRE)
#   SETTING  "key = value" for the connection, or "child.key = value" for
#          the child (rekey_time, life_time, ...)
ss_conn() {
	local local_addr=$1 remote_addr=$2 auth=$3 start=$4 s
	shift 4
	echo "connections {"
	echo "	dmvpn {"
	echo "		local_addrs = $local_addr"
	echo "		remote_addrs = $remote_addr"
	echo "		proposals = aes256gcm16-prfsha256-x25519, aes256-sha256-ecp256"
	echo "		version = 2"
	echo "		mobike = no"
	for s in "$@"; do
		case $s in child.*) ;; *) echo "		$s" ;; esac
	done
	if [ "$auth" = psk ]; then
		echo "		local { auth = psk }"
		echo "		remote { auth = psk }"
	else
		echo "		local { auth = pubkey"
		echo "			certs = $auth }"
		echo "		remote { auth = pubkey }"
	fi
	echo "		children {"
	echo "			gre {"
	echo "				mode = transport"
	echo "				local_ts = dynamic[gre]"
	echo "				remote_ts = dynamic[gre]"
	echo "				esp_proposals = aes256gcm16, aes256-sha256"
	echo "				start_action = $start"
	for s in "$@"; do
		case $s in child.*) echo "				${s#child.}" ;; esac
	done
	echo "			}"
	echo "		}"
	echo "	}"
	echo "}"
	if [ "$auth" = psk ]; then
		echo "secrets {"
		echo "	ike-dmvpn {"
		echo "		secret = \"${DM_PSK:-dmvpnd test key 42}\""
		echo "	}"
		echo "}"
	fi
}

# ss_nchild NAME: how many CHILD SAs NAME's charon has installed.
ss_nchild() { ss_spis "$1" | wc -l; }

# ss_ike_ids / ss_child_ids NAME: the unique ids (#N) of charon's IKE SAs
# and CHILD SAs, in --list-sas order.  charon numbers every new SA, a
# rekeyed one included, so the ids count the rekeys.
ss_ike_ids() {
	ss_swanctl "$1" --list-sas 2>/dev/null |
	    awk '/^[^ ].*: #[0-9]+, / { sub(/,$/, "", $2); sub(/^#/, "", $2); printf "%s ", $2 }'
}

ss_child_ids() {
	ss_swanctl "$1" --list-sas 2>/dev/null |
	    awk '/^  [^ ].*: #[0-9]+, reqid/ { sub(/,$/, "", $2); sub(/^#/, "", $2); printf "%s ", $2 }'
}

# ss_dm_spis NAME LOCAL REMOTE: dmvpnd's CHILD SAs with REMOTE as "IN OUT"
# (8 hex digits each), as "dmvpnctl -j show sa" reports them.
ss_dm_spis() {
	dm_ctl "$1" -j show sa 2>/dev/null | tr -d ' \t\n' |
	    grep -o '"\(remote\|spi_in\|spi_out\)":"[^"]*"' |
	    awk -F'"' -v r="$3" '
	    $2 == "remote" { ike = $4 }
	    $2 == "spi_in" { i = $4 }
	    $2 == "spi_out" && ike == r { print i, $4 }'
}

# ss_kernel_spis NAME LOCAL REMOTE: the same from NAME's kernel: the SA
# REMOTE -> LOCAL is in, LOCAL -> REMOTE out (meaningful while one pair is
# installed).
ss_kernel_spis() {
	local in out
	in=$(nsx "$1" ip xfrm state list src "$3" dst "$2" proto esp |
	    awk '$3 == "spi" { sub(/^0x/, "", $4); sub(/\(.*/, "", $4); print $4 }')
	out=$(nsx "$1" ip xfrm state list src "$2" dst "$3" proto esp |
	    awk '$3 == "spi" { sub(/^0x/, "", $4); sub(/\(.*/, "", $4); print $4 }')
	[ -n "$in" ] && [ -n "$out" ] && echo "$in $out"
}

# ss_spis_agree X XADDR Y YADDR: ss_same_spis as a quiet predicate (for
# wait_until while a rekey may be under way); it leaves what it read in
# SS_DM, SS_SS and SS_K.
ss_spis_agree() {
	SS_DM=$(ss_dm_spis "$1" "$2" "$4")
	SS_SS=$(ss_spis "$3")
	SS_K=$(ss_kernel_spis "$1" "$2" "$4")
	[ "$(printf '%s\n' "$SS_DM" | grep -c .)" -eq 1 ] &&
	    [ "$(printf '%s\n' "$SS_SS" | grep -c .)" -eq 1 ] &&
	    [ "${SS_DM#* } ${SS_DM% *}" = "$SS_SS" ] && [ "$SS_K" = "$SS_DM" ]
}

# ss_same_spis X XADDR Y YADDR: dmvpnd on X ("show sa") and charon on Y
# ("swanctl --list-sas") have exactly one CHILD SA between them, with the
# same SPIs (X's in is Y's out), and X's kernel holds that pair.  A rekey
# under way (two pairs for a moment) gets 10 s to finish; the three views
# are read together, so one read before a rekey and one after never meet.
ss_same_spis() {
	local x=$1 y=$3 ya=$4
	if wait_until 10 ss_spis_agree "$@"; then
		info "SPIs in/out: $x dmvpnd $SS_DM (kernel the same); $y charon $SS_SS"
		return 0
	fi
	[ "$(printf '%s\n' "$SS_DM" | grep -c .)" -eq 1 ] ||
	    fail "$x: not one CHILD SA with $ya in show sa: '$SS_DM' ($(dm_ctl "$x" show sa))"
	[ "$(printf '%s\n' "$SS_SS" | grep -c .)" -eq 1 ] ||
	    fail "$y: charon has not one CHILD SA: '$SS_SS'"
	[ "${SS_DM#* } ${SS_DM% *}" = "$SS_SS" ] ||
	    fail "SPIs differ: $x (dmvpnd) in/out $SS_DM, $y (charon) in/out $SS_SS"
	fail "$x: the kernel's SPIs ($SS_K) are not show sa's ($SS_DM)"
}

# ss_now: seconds since the epoch with milliseconds; ss_since T: the
# seconds from T to now, with milliseconds (for setup-time reports).
ss_now() { date +%s.%3N; }
ss_since() { awk -v t="$1" -v n="$(ss_now)" 'BEGIN { printf "%.2f", n - t }'; }

# ss_ping NAME DST SECONDS OUT: ping -i 0.2 for SECONDS in the background,
# its summary to OUT; ss_ping_lost OUT: "SENT LOST" once it finished.
ss_ping() {
	local ping=(ping)
	command -v ping >/dev/null || ping=(busybox ping)
	# The deadline leaves room for a slow (emulated) machine.
	nsx "$1" "${ping[@]}" -q -i 0.2 -c $(($3 * 5)) -W 2 -w $(($3 * 2 + 5)) "$2" \
	    >"$4" 2>&1 &
}

ss_ping_lost() {
	awk '/packets transmitted/ { print $1, $1 - $4; found = 1 }
	    END { if (!found) print "0 0" }' "$1"
}

# shellcheck disable=SC2317 # invoked from the EXIT trap
_ns_cleanup() {
	local rc=$? i ns pids tries
	set +e
	trap - EXIT INT TERM HUP
	for ((i = ${#NS_HOOKS[@]} - 1; i >= 0; i--)); do
		eval "${NS_HOOKS[i]}"
	done
	for ((i = ${#NS_LIST[@]} - 1; i >= 0; i--)); do
		ns=${NS_LIST[i]}
		# A process left in a namespace keeps it (and its links) alive
		# after "ip netns del": end ours first.
		for tries in 1 2 3 4 5 6 7 8 9 10; do
			pids=$(ip netns pids "$ns" 2>/dev/null)
			[ -n "$pids" ] || break
			if [ "$tries" -lt 10 ]; then
				# shellcheck disable=SC2086 # a list of pids
				kill $pids 2>/dev/null
			else
				# shellcheck disable=SC2086
				kill -9 $pids 2>/dev/null
			fi
			sleep 0.1
		done
		ip netns del "$ns" 2>/dev/null
	done
	exit "$rc"
}
trap _ns_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- dmvpnd ---------------------------------------------------------------------
# Helpers for the tests that run dmvpnd (t-dmvpn-*.sh).  Every daemon is
# named after its namespace NAME; its files live in $DM_WORK: NAME.conf,
# NAME.log (appended across restarts), NAME.pid, NAME.sock, NAME-state/.
#
#   dm_init                         DM_BUILD (DMVPN_BUILD, default build/asan),
#                                   DMVPND/DMVPNCTL in it, DM_WORK (removed at
#                                   exit);
#                                   the daemons' logs are shown on failure
#   dm_conf NAME ROLE NBMA ADDR/PLEN [LINE...]
#                                   write NAME.conf: debug logging, socket,
#                                   state dir and "tunnel gre1 { role, local,
#                                   address, gre-key 42, LINE... }"
#   dm_start NAME                   start dmvpnd in NAME; wait until it answers
#   dm_pid NAME                     the pid dm_start saw
#   dm_stop NAME [SIGNAL]           send SIGNAL (TERM) and wait for the exit
#   dm_ctl NAME ARGS...             dmvpnctl on NAME's socket
#   dm_rows NAME WHAT               "dmvpnctl -j show WHAT" (peers, nhs,
#                                   routes), one line per object, each field
#                                   as " key=value " (flags.nat=true; null
#                                   becomes -); empty output if unreachable
#   dm_peer NAME PROTO [FIELD]      NAME's show-peers row for tunnel address
#                                   PROTO, or one field of it; status 1 if none
#   dm_nhs NAME NBMA [FIELD]        the same for show nhs, by NBMA address
#   dm_stat NAME SECTION COUNTER    a show-stats counter (0 when absent), e.g.
#                                   dm_stat hub rx_by_type "Resolution Request"
#   dm_field ROW FIELD              one field of a row
#   dm_pick ROWS KEY VALUE [FIELD]  the first of ROWS (dm_rows output) whose
#                                   KEY is VALUE, or one field of it
#   dm_is VALUE CMD...              CMD prints VALUE (for wait_until, which
#                                   must run the command each time:
#                                   wait_until 20 dm_is up dm_nhs s1 ADDR state)
#   dm_neighs NAME                  NAME's proto nhrp neighbours on gre1, one
#                                   "ADDR LLADDR" (or "ADDR -") a line, sorted
#   dm_routes NAME                  NAME's proto nhrp routes, sorted
#   dm_sanitizers_clean NAME...     no ASan/UBSan/LSan report in their logs
#   dm_step MSG                     info MSG with the seconds since the start
#   dm_pass MSG                     print "PASS: MSG" (no logs at exit)

dm_init() {
	DM_BUILD=${DMVPN_BUILD:-build/asan}
	DMVPND=$DM_BUILD/dmvpnd
	DMVPNCTL=$DM_BUILD/dmvpnctl
	{ [ -x "$DMVPND" ] && [ -x "$DMVPNCTL" ]; } || fail "$DM_BUILD/dmvpnd not built"
	DM_WORK=$(mktemp -d /tmp/dmvpn-t.XXXXXX)
	DM_PASSED=0
	declare -gA DM_PIDS=()
	on_exit rm -rf "$DM_WORK"
	on_exit _dm_logs_on_failure
}

# shellcheck disable=SC2317 # invoked from the EXIT trap
_dm_logs_on_failure() {
	local f
	[ "$DM_PASSED" = 1 ] && return 0
	for f in "$DM_WORK"/*.log; do
		[ -e "$f" ] || continue
		echo "--- dmvpnd log $(basename "$f" .log) (last 60 lines)"
		tail -n 60 "$f"
	done
}

# ns_star: the cloud most tests use, hub and two spokes with a LAN each:
#   hub 192.0.2.1, s1 192.0.2.11 (lan1 10.1.0.0/24), s2 192.0.2.12 (lan2
#   10.2.0.0/24).
ns_star() {
	ns_internet
	ns_router hub 192.0.2.1/24
	ns_router s1 192.0.2.11/24
	ns_router s2 192.0.2.12/24
	ns_lan s1 lan1 10.1.0.0/24
	ns_lan s2 lan2 10.2.0.0/24
}

# dm_star_routes: the routes BGP would give ns_star's routers once their
# gre1 is up (tunnel 172.16.0.0/24, hub .1, spokes .11 and .12): the hub
# reaches each LAN through its spoke, the spokes everything through the
# hub (phase 3).
dm_star_routes() {
	nsx hub ip route add 10.1.0.0/24 via 172.16.0.11 dev gre1 onlink
	nsx hub ip route add 10.2.0.0/24 via 172.16.0.12 dev gre1 onlink
	nsx s1 ip route add 10.0.0.0/8 via 172.16.0.1 dev gre1 onlink
	nsx s2 ip route add 10.0.0.0/8 via 172.16.0.1 dev gre1 onlink
}

dm_conf() {
	local name=$1 role=$2 nbma=$3 tun=$4 l
	shift 4
	{
		echo "log-level debug"
		echo "debug all"
		echo "control-socket $DM_WORK/$name.sock"
		echo "state-dir $DM_WORK/$name-state"
		echo "tunnel gre1 {"
		echo "	role $role"
		echo "	local $nbma"
		echo "	address $tun"
		echo "	gre-key 42"
		for l in "$@"; do echo "	$l"; done
		echo "}"
	} >"$DM_WORK/$name.conf"
	# A file with an authentication secret must be private.
	chmod 600 "$DM_WORK/$name.conf"
}

# dm_ike NAME [LINE...]: append an ike block with a pre-shared key (and
# the LINEs) to NAME's configuration; dm_conf first.
dm_ike() {
	local name=$1 l
	shift
	printf '%s\n' "${DM_PSK:-dmvpnd test key 42}" >"$DM_WORK/$name.psk"
	chmod 600 "$DM_WORK/$name.psk"
	{
		echo "ike {"
		echo "	psk-file $DM_WORK/$name.psk"
		for l in "$@"; do echo "	$l"; done
		echo "}"
	} >>"$DM_WORK/$name.conf"
}

# dm_ca: a test CA (ECDSA P-256) in $DM_WORK, once per test.
dm_ca() {
	[ -f "$DM_WORK/ca.pem" ] && return 0
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$DM_WORK/ca.key" 2>/dev/null
	openssl req -x509 -new -key "$DM_WORK/ca.key" -days 30 \
	    -subj "/O=dmvpnd test/CN=dmvpnd test CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    -out "$DM_WORK/ca.pem" 2>/dev/null
}

# dm_cert NAME ec|rsa SAN: a key and a certificate signed by dm_ca for
# NAME (CN=NAME), subjectAltName SAN (e.g. "IP:192.0.2.1,IP:172.16.0.1").
dm_cert() {
	local name=$1 kind=$2 san=$3
	dm_ca
	if [ "$kind" = rsa ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		    -out "$DM_WORK/$name.key" 2>/dev/null
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		    -out "$DM_WORK/$name.key" 2>/dev/null
	fi
	chmod 600 "$DM_WORK/$name.key"
	openssl req -new -key "$DM_WORK/$name.key" \
	    -subj "/O=dmvpnd test/CN=$name" -out "$DM_WORK/$name.csr" 2>/dev/null
	printf 'subjectAltName=%s\n' "$san" >"$DM_WORK/$name.ext"
	openssl x509 -req -in "$DM_WORK/$name.csr" -CA "$DM_WORK/ca.pem" \
	    -CAkey "$DM_WORK/ca.key" -CAcreateserial -days 30 \
	    -extfile "$DM_WORK/$name.ext" -out "$DM_WORK/$name.pem" 2>/dev/null
}

# dm_ike_cert NAME ec|rsa SAN [LINE...]: like dm_ike, with a certificate
# from dm_cert instead of a pre-shared key.
dm_ike_cert() {
	local name=$1 kind=$2 san=$3 l
	shift 3
	dm_cert "$name" "$kind" "$san"
	{
		echo "ike {"
		echo "	certificate $DM_WORK/$name.pem"
		echo "	private-key $DM_WORK/$name.key"
		echo "	ca $DM_WORK/ca.pem"
		for l in "$@"; do echo "	$l"; done
		echo "}"
	} >>"$DM_WORK/$name.conf"
}

# ns_watch_wire: count what the internet namespace forwards between its
# subnets: ESP, ESP in UDP 4500 and cleartext GRE (routers must be on
# different subnets for their traffic to be forwarded, not bridged).
ns_watch_wire() {
	nsx inet nft -f - <<-'EOF'
	table ip wire {
		counter esp_pkts {}
		counter natt_pkts {}
		counter gre_pkts {}
		counter ike_pkts {}
		chain forward {
			type filter hook forward priority 0; policy accept;
			ip protocol esp counter name esp_pkts
			udp dport 4500 counter name natt_pkts
			udp dport 500 counter name ike_pkts
			ip protocol gre counter name gre_pkts
		}
	}
	EOF
}

# ns_wire_count esp|natt|gre|ike: packets of that kind forwarded so far.
ns_wire_count() {
	nsx inet nft list counter ip wire "$1_pkts" | awk '$1 == "packets" { print $2 }'
}

# dm_xfrm_states NAME: how many XFRM states NAME's kernel holds.
dm_xfrm_states() { nsx "$1" ip xfrm state | grep -c '^src' || true; }

dm_start() {
	local name=$1
	echo "=== start $(date +%T)" >>"$DM_WORK/$name.log"
	ip netns exec "$(ns_name "$name")" "$DMVPND" -u root -d -f "$DM_WORK/$name.conf" \
	    -p "$DM_WORK/$name.pid" >>"$DM_WORK/$name.log" 2>&1 &
	DM_PIDS[$name]=$!
	# Ours to reap quietly: no "Killed" notice when a test kills it.
	disown "$!"
	wait_until 15 _dm_answers "$name" || fail "$name: dmvpnd did not start"
}

_dm_answers() {
	kill -0 "${DM_PIDS[$1]}" 2>/dev/null || fail "$1: dmvpnd exited"
	dm_ctl "$1" show nhs >/dev/null 2>&1
}

dm_pid() { echo "${DM_PIDS[$1]}"; }

dm_stop() {
	local name=$1 sig=${2:-TERM} pid=${DM_PIDS[$1]}
	kill -"$sig" "$pid" 2>/dev/null || true
	wait_until 20 _dm_gone "$pid" || fail "$name: dmvpnd (pid $pid) did not exit on SIG$sig"
}

_dm_gone() { ! kill -0 "$1" 2>/dev/null; }

dm_ctl() { nsx "$1" "$DMVPNCTL" -s "$DM_WORK/$1.sock" "${@:2}"; }

dm_rows() {
	dm_ctl "$1" -j show "$2" 2>/dev/null | awk '
	function path(key,   i, p) {
		p = ""
		for (i = 3; i <= d; i++)
			p = p k[i] "."
		return p key
	}
	{
		s = $0
		sub(/^[ \t]+/, "", s)
		sub(/,$/, "", s)
		key = ""
		if (match(s, /^"[^"]*": /)) {
			key = substr(s, 2, RLENGTH - 4)
			s = substr(s, RLENGTH + 1)
		}
		if (s == "{" || s == "[") {
			k[++d] = key
			next
		}
		if (s == "}" || s == "]") {
			if (d == 2 && row != "")
				print row " "
			if (d == 2)
				row = ""
			d--
			next
		}
		gsub(/^"|"$/, "", s)
		if (s == "null")
			s = "-"
		row = row " " path(key) "=" s
	}'
}

dm_field() {
	local v
	v=$(printf '%s\n' "$1" | sed -n "s/.* $2=\([^ ]*\) .*/\1/p")
	[ -n "$v" ] || return 1
	echo "$v"
}

dm_is() { [ "$("${@:2}" 2>/dev/null)" = "$1" ]; }

dm_pick() {
	local row
	row=$(printf '%s\n' "$1" | grep -F " $2=$3 " | head -n 1)
	[ -n "$row" ] || return 1
	if [ -n "${4:-}" ]; then
		dm_field "$row" "$4"
	else
		echo "$row"
	fi
}

_dm_row() { dm_pick "$(dm_rows "$1" "$2")" "$3" "$4" "${5:-}"; }

dm_peer() { _dm_row "$1" peers protocol "$2" "${3:-}"; }
dm_nhs() { _dm_row "$1" nhs nbma "$2" "${3:-}"; }

dm_stat() {
	dm_ctl "$1" -j show stats 2>/dev/null | awk -v sec="\"$2\": {" -v ctr="\"$3\":" '
	{ sub(/^[ \t]+/, "") }
	$0 == sec { in_sec = 1; next }
	in_sec && /^}/ { in_sec = 0 }
	in_sec && index($0, ctr " ") == 1 {
		v = substr($0, length(ctr) + 2)
		sub(/,$/, "", v)
		n = v
	}
	END { print n + 0 }'
}

dm_neighs() {
	nsx "$1" ip neigh show dev gre1 proto nhrp |
	    awk '{ print $1, ($2 == "lladdr" ? $3 : "-") }' | sort
}

dm_routes() {
	nsx "$1" ip route show proto nhrp table all | sort
}

dm_sanitizers_clean() {
	local n bad=0
	for n in "$@"; do
		if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
		    "$DM_WORK/$n.log" 2>/dev/null; then
			echo "# sanitizer report in the log of $n:"
			grep -E -A 30 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
			    "$DM_WORK/$n.log" | head -n 60
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}

dm_step() { info "[${SECONDS}s] $*"; }

dm_pass() {
	DM_PASSED=1
	echo "PASS: $*"
}
