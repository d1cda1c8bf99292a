#!/bin/bash
# t-frr-hub: interop, FRR nhrpd as the hub (NHS) and two dmvpnd spokes.
# FRR runs zebra and nhrpd on its own multipoint GRE gre1 (a /32 tunnel
# address, as nhrpd requires); the dmvpnd spokes register with it, s1
# naming the hub by its tunnel address, s2 with "nhs dynamic" (learning
# that address from FRR's reply).  FRR's cache must list both spokes as
# dynamic with their NBMA addresses, and each spoke must see its NHS up.
#
#   hub  192.0.2.1  / 172.16.0.1   FRR nhrpd
#   s1   192.0.2.11 / 172.16.0.11  dmvpnd, nhs 172.16.0.1 nbma 192.0.2.1
#   s2   192.0.2.12 / 172.16.0.12  dmvpnd, nhs dynamic nbma 192.0.2.1
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

ns_internet
ns_router hub 192.0.2.1/24
ns_router s1 192.0.2.11/24
ns_router s2 192.0.2.12/24

# conf NAME NBMA TUNNEL NHS: a dmvpnd spoke of FRR's hub.
conf() {
	cat >"$work/$1.conf" <<-EOF
	log-level debug
	debug all
	control-socket $work/$1.sock
	state-dir $work/$1-state
	tunnel gre1 {
		role spoke
		local $2
		address $3
		gre-key 42
		holding-time 5m
		nhs $4 nbma 192.0.2.1
	}
	EOF
}
conf s1 192.0.2.11 172.16.0.11/24 172.16.0.1
conf s2 192.0.2.12 172.16.0.12/24 dynamic

logs_on_failure() {
	[ "${passed:-0}" = 1 ] && return 0
	frr_vtysh hub "show ip nhrp cache" "show ip nhrp nhs" 2>&1 || true
	frr_logs hub
	for n in s1 s2; do
		echo "--- dmvpnd log of $n"
		tail -n 40 "$work/$n.log" 2>/dev/null || true
	done
}
on_exit logs_on_failure

ctl() { nsx "$1" "$dmvpnctl" -s "$work/$1.sock" "${@:2}"; }
# The spoke's NHS is up, with FRR's tunnel address (s2 learns it).
nhs_up() {
	ctl "$1" -j show nhs 2>/dev/null | tr -d ' \n' |
	    grep -q '"protocol":"172.16.0.1","nbma":"192.0.2.1","state":"up"'
}
# FRR's cache, whitespace removed: {"interface":..,"type":..,"protocol":..}
frr_cache() { frr_vtysh hub "show ip nhrp cache json" | tr -d ' \n'; }
frr_has() { frr_cache | grep -q "\"type\":\"dynamic\",\"protocol\":\"$1\",\"nbma\":\"$2\""; }

frr_gre hub 192.0.2.1 172.16.0.1
frr_start hub <<-'EOF'
	interface gre1
	 ip nhrp network-id 1
	 ip nhrp holdtime 300
	 ip nhrp redirect
	exit
	EOF

for n in s1 s2; do
	nsx "$n" "$dmvpnd" -u root -d -f "$work/$n.conf" -p "$work/$n.pid" \
	    >"$work/$n.log" 2>&1 &
done

info "registration with FRR's hub"
wait_until 30 nhs_up s1 || fail "s1: NHS not up: $(ctl s1 -j show nhs)"
wait_until 30 nhs_up s2 || fail "s2: NHS not up: $(ctl s2 -j show nhs)"
ctl s2 show nhs
wait_until 10 frr_has 172.16.0.11 192.0.2.11 ||
    fail "FRR's cache lacks s1 as dynamic: $(frr_cache)"
wait_until 10 frr_has 172.16.0.12 192.0.2.12 ||
    fail "FRR's cache lacks s2 as dynamic: $(frr_cache)"
frr_vtysh hub "show ip nhrp cache"
# FRR maps what registered in the kernel too (the hub's neighbour table).
nsx hub ip neigh show dev gre1 | grep -q "172.16.0.11 lladdr 192.0.2.11" ||
    fail "FRR hub: no neighbour entry for s1: $(nsx hub ip neigh show dev gre1)"

info "data over the tunnel both ways (FRR routes to each spoke it learned)"
ns_ping s1 172.16.0.1 2 >/dev/null || fail "s1 cannot ping FRR's hub"
ns_ping s2 172.16.0.1 2 >/dev/null || fail "s2 cannot ping FRR's hub"

passed=1
echo "PASS: dmvpnd spokes registered with FRR nhrpd's hub ($(frr_version))"
