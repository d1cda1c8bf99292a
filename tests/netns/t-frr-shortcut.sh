#!/bin/bash
# t-frr-shortcut: interop, NHRP phase 3 between a dmvpnd spoke and an FRR
# nhrpd spoke, through a dmvpnd hub (which sends Traffic Indications by
# itself; an FRR hub would need an NFLOG rule).  A ping from LAN 1 to LAN 2
# crosses the hub; the hub redirects both spokes; each resolves the other's
# LAN through the hub (requests forwarded to, and replies back from, the
# other implementation) and installs a shortcut route: dmvpnd on s1 for
# 10.2.0.0/24 via 172.16.0.12, FRR (through zebra) on s2 for 10.1.0.0/24
# via 172.16.0.11.  Traffic then stops crossing the hub.
#
#   hub  192.0.2.1  / 172.16.0.1/24   dmvpnd
#   s1   192.0.2.11 / 172.16.0.11/24  dmvpnd     lan1 10.1.0.0/24
#   s2   192.0.2.12 / 172.16.0.12/32  FRR nhrpd  lan2 10.2.0.0/24
#
# Exit: 0 pass, 1 fail, 77 skip (FRR absent, unless CI=true).
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
frr_require
build=${DMVPN_BUILD:-build/asan}
dmvpnd=$build/dmvpnd
dmvpnctl=$build/dmvpnctl
{ [ -x "$dmvpnd" ] && [ -x "$dmvpnctl" ]; } || fail "$build/dmvpnd not built"
info "FRR: $(frr_version)"

work=$(mktemp -d /tmp/dmvpn-t.XXXXXX)
on_exit rm -rf "$work"

ns_star

# conf NAME ROLE NBMA TUNNEL [extra lines]
conf() {
	local name=$1 role=$2 nbma=$3 tun=$4 l
	shift 4
	{
		echo "log-level debug"
		echo "debug all"
		echo "control-socket $work/$name.sock"
		echo "state-dir $work/$name-state"
		echo "tunnel gre1 {"
		echo "	role $role"
		echo "	local $nbma"
		echo "	address $tun"
		echo "	gre-key 42"
		for l in "$@"; do echo "	$l"; done
		echo "}"
	} >"$work/$name.conf"
}
conf hub hub 192.0.2.1 172.16.0.1/24
conf s1 spoke 192.0.2.11 172.16.0.11/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.1.0.0/24"

ctl() { nsx "$1" "$dmvpnctl" -s "$work/$1.sock" "${@:2}"; }

logs_on_failure() {
	[ "${passed:-0}" = 1 ] && return 0
	local n
	for n in hub s1; do
		ctl "$n" show dmvpn 2>&1 || true
		ctl "$n" show stats 2>&1 || true
	done
	frr_vtysh s2 "show ip nhrp cache" "show ip nhrp shortcut" \
	    "show ip nhrp nhs" "show ip route" 2>&1 || true
	for n in hub s1; do
		echo "--- dmvpnd log of $n"
		tail -n 60 "$work/$n.log" 2>/dev/null || true
	done
	FRR_LOG_LINES=150 frr_logs s2
}
on_exit logs_on_failure

for n in hub s1; do
	nsx "$n" "$dmvpnd" -u root -d -f "$work/$n.conf" -p "$work/$n.pid" \
	    >"$work/$n.log" 2>&1 &
done
frr_gre s2 192.0.2.12 172.16.0.12
frr_start s2 <<-'EOF'
	interface gre1
	 ip nhrp network-id 1
	 ip nhrp holdtime 300
	 ip nhrp nhs 172.16.0.1 nbma 192.0.2.1
	 ip nhrp registration no-unique
	 ip nhrp shortcut
	exit
	EOF

# Routing as BGP would give it: the spokes reach other LANs via the hub,
# the hub reaches each LAN via its spoke.  s2's routes are kernel routes
# that zebra hands to nhrpd like any other; FRR also wants the tunnel's
# network routed via the hub (its docs: the hubs announce it), or it
# ignores a Resolution Request from a spoke it has no route to.
wait_until 10 nsx hub ip link show gre1 >/dev/null 2>&1 || fail "hub: no gre1"
wait_until 10 nsx s1 ip link show gre1 >/dev/null 2>&1 || fail "s1: no gre1"
dm_star_routes
nsx s2 ip route add 172.16.0.0/24 via 172.16.0.1 dev gre1 onlink

# hub_peer_up ADDR NBMA: the hub's dynamic entry for ADDR is up.
hub_peer_up() {
	ctl hub -j show peers 2>/dev/null | tr -d ' \n' |
	    sed 's/{"interface"/\n&/g' | grep "\"protocol\":\"$1\"" |
	    grep "\"nbma\":\"$2\"" | grep '"type":"dynamic"' |
	    grep -q '"state":"up"'
}

info "registration"
wait_until 30 hub_peer_up 172.16.0.11 192.0.2.11 || fail "s1 did not register"
wait_until 30 hub_peer_up 172.16.0.12 192.0.2.12 || fail "s2 (FRR) did not register"
ctl hub show dmvpn

info "LAN 1 <-> LAN 2 through the hub, then shortcuts on both spokes"
ns_ping lan1 10.2.0.2 3 >/dev/null || fail "no ping from LAN 1 to LAN 2"
s1_route() { nsx s1 ip route show proto nhrp | grep -q '^10.2.0.0/24 .*via 172.16.0.12 dev gre1'; }
s2_route() { nsx s2 ip route show proto nhrp | grep -q '^10.1.0.0/24 .*via 172.16.0.11 dev gre1'; }
# FRR's shortcut list: "Type Prefix Via Identity"
s2_shortcut() { frr_vtysh s2 "show ip nhrp shortcut" | grep -Eq '^[a-z]+ +10\.1\.0\.0/24 +172\.16\.0\.11( |$)'; }
# Keep traffic flowing while the shortcuts come up (as FRR's hub and ours
# redirect only traffic they relay).
ok=0
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	if s1_route && s2_route && s2_shortcut; then
		ok=1
		break
	fi
	ns_ping lan1 10.2.0.2 2 >/dev/null || true
done
s1_route || fail "no shortcut route 10.2.0.0/24 via 172.16.0.12 on s1 (dmvpnd): $(nsx s1 ip route)"
s2_route || fail "no shortcut route 10.1.0.0/24 via 172.16.0.11 on s2 (FRR): $(nsx s2 ip route)"
s2_shortcut || fail "FRR lists no shortcut to 10.1.0.0/24"
[ "$ok" = 1 ] || fail "shortcuts did not settle"
ctl s1 show dmvpn
frr_vtysh s2 "show ip nhrp shortcut" "show ip nhrp cache"
nsx s2 ip route show proto nhrp
ctl s1 -j show peers | tr -d ' \n' | grep -q '"type":"shortcut"' ||
    fail "no shortcut entry on s1"
nsx s1 ip neigh show dev gre1 | grep -q "172.16.0.12 lladdr 192.0.2.12" ||
    fail "s1: no neighbour entry for s2"
nsx s2 ip neigh show dev gre1 | grep -q "172.16.0.11 lladdr 192.0.2.11" ||
    fail "s2 (FRR): no neighbour entry for s1"

info "traffic goes spoke to spoke, both ways"
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
ns_ping lan1 10.2.0.2 5 >/dev/null || fail "no ping over the shortcut"
ns_ping lan2 10.1.0.2 5 >/dev/null || fail "no ping over the shortcut from LAN 2"
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
info "hub gre1 received $((after - before)) packets during 10 pings"
[ $((after - before)) -lt 5 ] || fail "traffic still crosses the hub"

passed=1
echo "PASS: phase 3 shortcuts both ways between dmvpnd and FRR nhrpd ($(frr_version))"
