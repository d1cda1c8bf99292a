#!/bin/bash
# t-dmvpn-phase3: dmvpnd end to end over plain GRE.  A hub and two spokes
# with LANs; the spokes register; a ping from LAN 1 to LAN 2 first crosses
# the hub, the hub's Traffic Indication makes spoke 1 resolve, and the
# shortcut route 10.2.0.0/24 via 172.16.0.12 appears on spoke 1; traffic
# then stops crossing the hub.  A clean stop leaves no route or neighbour
# of ours behind.
#
#   hub  192.0.2.1  / 172.16.0.1
#   s1   192.0.2.11 / 172.16.0.11   lan1 10.1.0.0/24
#   s2   192.0.2.12 / 172.16.0.12   lan2 10.2.0.0/24
#
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
build=${DMVPN_BUILD:-build/asan}
dmvpnd=$build/dmvpnd
dmvpnctl=$build/dmvpnctl
{ [ -x "$dmvpnd" ] && [ -x "$dmvpnctl" ]; } || fail "$build/dmvpnd not built"

work=$(mktemp -d /tmp/dmvpn-t.XXXXXX)
on_exit rm -rf "$work"

ns_star

# conf NAME ROLE NBMA TUNNEL [extra lines]
conf() {
	local name=$1 role=$2 nbma=$3 tun=$4
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
conf s2 spoke 192.0.2.12 172.16.0.12/24 \
    "nhs 172.16.0.1 nbma 192.0.2.1" "shortcut-destination 10.2.0.0/24"

logs() {
	for n in hub s1 s2; do
		echo "--- dmvpnd log of $n"
		tail -n 40 "$work/$n.log" 2>/dev/null || true
	done
}
on_exit logs_on_failure
logs_on_failure() { [ "${passed:-0}" = 1 ] || logs; }

start() {
	nsx "$1" "$dmvpnd" -u root -d -f "$work/$1.conf" -p "$work/$1.pid" \
	    >"$work/$1.log" 2>&1 &
}
ctl() { nsx "$1" "$dmvpnctl" -s "$work/$1.sock" "${@:2}"; }

start hub
start s1
start s2

# Routing as BGP would give it: the spokes reach other LANs via the hub,
# the hub reaches each LAN via its spoke.
wait_until 10 nsx hub ip link show gre1 >/dev/null 2>&1 ||
    fail "hub: no gre1"
wait_until 10 nsx s1 ip link show gre1 >/dev/null 2>&1 ||
    fail "s1: no gre1"
wait_until 10 nsx s2 ip link show gre1 >/dev/null 2>&1 ||
    fail "s2: no gre1"
dm_star_routes

info "registration"
wait_until 20 bash -c "ip netns exec $(ns_name s1) $dmvpnctl -s $work/s1.sock -j show nhs | grep -q '\"state\": *\"up\"'" ||
    fail "s1 did not register"
wait_until 20 bash -c "ip netns exec $(ns_name s2) $dmvpnctl -s $work/s2.sock -j show nhs | grep -q '\"state\": *\"up\"'" ||
    fail "s2 did not register"
ctl hub show dmvpn
peers=$(ctl hub -j show peers)
echo "$peers" | grep -q '"protocol": *"172.16.0.11"' || fail "hub lacks s1: $peers"
echo "$peers" | grep -q '"protocol": *"172.16.0.12"' || fail "hub lacks s2: $peers"
nsx hub ip neigh show dev gre1 | grep -q "172.16.0.11 lladdr 192.0.2.11" ||
    fail "hub: no neighbour entry for s1"

info "phase 3: LAN 1 -> LAN 2 through the hub, then a shortcut"
ns_ping lan1 10.2.0.2 3 >/dev/null ||
    fail "no ping from LAN 1 to LAN 2"
if ! wait_until 20 bash -c "ip netns exec $(ns_name s1) ip route show proto nhrp | grep -q '10.2.0.0/24 via 172.16.0.12'"; then
	ctl hub show stats 2>&1 || true
	ctl s1 show peers 2>&1 || true
	fail "no shortcut route on s1"
fi
ctl s1 show dmvpn
ctl s1 -j show peers | grep -q '"type": *"shortcut"' || fail "no shortcut peer on s1"
nsx s1 ip neigh show dev gre1 | grep -q "172.16.0.12 lladdr 192.0.2.12" ||
    fail "s1: no neighbour entry for s2"
# Traffic now goes spoke to spoke: the hub's tunnel sees no more of it.
before=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
ns_ping lan1 10.2.0.2 5 >/dev/null || fail "no ping over the shortcut"
after=$(nsx hub cat /sys/class/net/gre1/statistics/rx_packets)
info "hub gre1 received $((after - before)) packets during 5 pings"
[ $((after - before)) -lt 5 ] || fail "traffic still crosses the hub"
ctl hub -j show stats | grep -q "Traffic Indication" || fail "no stats"

info "clean stop removes what we installed"
kill -TERM "$(cat "$work/s1.pid")"
wait_until 10 test ! -e "$work/s1.pid" || fail "s1 did not stop"
[ -z "$(nsx s1 ip route show proto nhrp)" ] || fail "s1 left routes: $(nsx s1 ip route show proto nhrp)"
kill -TERM "$(cat "$work/hub.pid")" "$(cat "$work/s2.pid")"
wait_until 10 test ! -e "$work/hub.pid" || fail "hub did not stop"
passed=1
echo "PASS: registration, phase 3 shortcut, clean stop"
