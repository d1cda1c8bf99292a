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
