#!/bin/bash
# t-xfrm: the xfrm module against the real kernel, driven by
# tests/tools/xfrm_ctl: what dmvpnd's IKE will install for a GRE peer.
#
#   r1 eth0 192.0.2.1/24 --- inet (br0, forwards, counts) --- r2 eth0 198.51.100.2/24
#   r1 gre1 203.0.113.1/24 ====== GRE in ESP transport ====== r2 gre1 203.0.113.2/24
#
# On both routers: the "require ESP for GRE" wildcard (reqid 100, in and
# out) and per-peer GRE policies (reqid 101) above it, then SA pairs of
# (a) AES-GCM, (b) AES-CBC + HMAC-SHA-256/128, (c) AES-GCM in UDP 4500.
# Checks: each pair carries a ping, its byte counters rise (read back with
# a dump), the internet never sees cleartext GRE and xfrm_stat no errors;
# with only the wildcard left pings fail, nothing leaks and the kernel
# sends ACQUIRE; ALLOCSPI returns an SPI; a 2 s soft / 3 s hard SA gives
# both EXPIREs; flush-reqid removes our range and nothing else.
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
has_esp || skip "kernel lacks ESP with rfc4106(gcm(aes)) (esp4, gcm)"
ctl=${DMVPN_BUILD:-build/asan}/tests/xfrm_ctl
[ -x "$ctl" ] || fail "$ctl not built (make check builds it)"
ctl=$(cd "$(dirname "$ctl")" && pwd)/xfrm_ctl
work=$(mktemp -d)
on_exit rm -rf "$work"

ns_internet
ns_router r1 192.0.2.1/24
ns_router r2 198.51.100.2/24
a1=$(ns_addr r1)
a2=$(ns_addr r2)

# Count what crosses the internet: ESP (plain or in UDP) must flow,
# cleartext GRE must not.
nsx inet nft -f - <<'EOF'
table ip watch {
	counter esp_pkts {}
	counter natt_pkts {}
	counter gre_pkts {}
	chain forward {
		type filter hook forward priority 0; policy accept;
		ip protocol esp counter name esp_pkts
		udp dport 4500 counter name natt_pkts
		ip protocol gre counter name gre_pkts
	}
}
EOF
counter() {
	nsx inet nft list counter ip watch "$1" |
	    awk '$1 == "packets" { print $2 }'
}

# tunnel ME LOCAL REMOTE ADDR
tunnel() {
	nsx "$1" ip tunnel add gre1 mode gre local "$2" remote "$3" ttl 64
	nsx "$1" ip addr add "$4" dev gre1
	nsx "$1" ip link set gre1 up
}
tunnel r1 "$a1" "$a2" 203.0.113.1/24
tunnel r2 "$a2" "$a1" 203.0.113.2/24

# policies ME LOCAL REMOTE: the wildcard and the per-peer pair.
policies() {
	local dir
	for dir in in out; do
		nsx "$1" "$ctl" policy-add wildcard dir=$dir reqid=100 ||
		    fail "$1: wildcard $dir"
		nsx "$1" "$ctl" policy-add peer local="$2" remote="$3" \
		    dir=$dir reqid=101 || fail "$1: peer policy $dir"
	done
}
policies r1 "$a1" "$a2"
policies r2 "$a2" "$a1"

key() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# sa_pair SPI12 SPI21 ARGS...: the SAs r1 -> r2 and r2 -> r1 on both
# routers (outbound replay window 0, inbound 32), with fresh keys.
sa_pair() {
	local s12=$1 s21=$2 k12 k21 me r12
	shift 2
	k12=("$@")
	k21=("$@")
	case " $* " in
	*" alg=gcm "*)
		k12+=(key="$(key 36)")
		k21+=(key="$(key 36)") ;;
	*)
		k12+=(key="$(key 32)" authkey="$(key 32)")
		k21+=(key="$(key 32)" authkey="$(key 32)") ;;
	esac
	for me in r1 r2; do
		[ $me = r1 ] && r12=0 || r12=32
		nsx $me "$ctl" sa-add src="$a1" dst="$a2" spi="$s12" reqid=101 \
		    replay="$r12" "${k12[@]}" || fail "$me: SA $s12"
		nsx $me "$ctl" sa-add src="$a2" dst="$a1" spi="$s21" reqid=101 \
		    replay=$((32 - r12)) "${k21[@]}" || fail "$me: SA $s21"
	done
}

# sa_del_pair SPI12 SPI21: remove both SAs on both routers.
sa_del_pair() {
	local me
	for me in r1 r2; do
		nsx $me "$ctl" sa-del src="$a1" dst="$a2" spi="$1" ||
		    fail "$me: sa-del $1"
		nsx $me "$ctl" sa-del src="$a2" dst="$a1" spi="$2" ||
		    fail "$me: sa-del $2"
	done
}

# sa_bytes NS SPI: the SA's byte counter, from the tool's dump.
sa_bytes() {
	nsx "$1" "$ctl" dump | awk -v spi="$2" '
		$1 == "sa" && $7 == spi {
			for (i = 1; i < NF; i++) if ($i == "bytes") print $(i + 1)
		}'
}

# xfrm_errors NS: the non-zero error counters of /proc/net/xfrm_stat.
xfrm_errors() {
	# shellcheck disable=SC2016 # awk's fields
	nsx "$1" awk '$2 != 0 { printf "%s=%s ", $1, $2 }' /proc/net/xfrm_stat
}

# check_pair NAME SPI12 SPI21: ping, counters, no errors, no leak.
check_pair() {
	local ns spi before after err
	before=$(sa_bytes r1 "$2")
	ns_ping r1 203.0.113.2 3 || fail "$1: no ping across GRE in ESP"
	for ns in r1 r2; do
		for spi in "$2" "$3"; do
			after=$(sa_bytes $ns "$spi")
			[ "${after:-0}" -gt 0 ] ||
			    fail "$1: $ns: SA $spi counted no bytes"
		done
		err=$(xfrm_errors $ns)
		[ -z "$err" ] || fail "$1: $ns: xfrm_stat errors: $err"
	done
	after=$(sa_bytes r1 "$2")
	[ "$after" -gt "${before:-0}" ] || fail "$1: SA $2 bytes did not rise"
	[ "$(counter gre_pkts)" -eq 0 ] || fail "$1: cleartext GRE crossed the internet"
	info "$1: ok (SA $2: $after bytes)"
}

# (a) AES-GCM.
sa_pair 0x1012 0x1021 alg=gcm
check_pair "aes-gcm" 0x00001012 0x00001021
[ "$(counter esp_pkts)" -gt 0 ] || fail "aes-gcm: no ESP crossed the internet"
sa_del_pair 0x1012 0x1021

# (b) AES-CBC + HMAC-SHA-256 truncated to 128 bits.
sa_pair 0x2012 0x2021 alg=cbc
check_pair "aes-cbc+hmac-sha256" 0x00002012 0x00002021
nsx r1 "$ctl" dump | grep -q 'spi 0x00002012 .*enc cbc(aes) auth hmac(sha256)/128' ||
    fail "aes-cbc: the dump does not show cbc(aes) + hmac(sha256)/128"

# (c) AES-GCM in UDP 4500 (RFC 3948): each receiver needs an ESP-in-UDP
# socket on the port, as an IKE NAT-T socket would hold.
for me in r1 r2; do
	nsx $me "$ctl" udp-encap 4500 120 >"$work/encap-$me" 2>&1 &
done
wait_until 10 grep -q ready "$work/encap-r1" || fail "udp-encap r1: $(cat "$work/encap-r1")"
wait_until 10 grep -q ready "$work/encap-r2" || fail "udp-encap r2: $(cat "$work/encap-r2")"
sa_del_pair 0x2012 0x2021
sa_pair 0x3012 0x3021 alg=gcm encap=4500:4500
check_pair "aes-gcm-udp" 0x00003012 0x00003021
[ "$(counter natt_pkts)" -gt 0 ] || fail "aes-gcm-udp: no UDP 4500 crossed the internet"
nsx r1 "$ctl" dump | grep -q 'spi 0x00003012 .*encap 4500:4500' ||
    fail "aes-gcm-udp: the dump does not show the encapsulation"

# Only the wildcard left: GRE must not flow, in ESP or in the clear, and
# the kernel must ask for an SA (ACQUIRE, with the wildcard's reqid).
for me in r1 r2; do
	nsx $me "$ctl" flush-reqid 101 1 | grep -q 'deleted 2 SAs, 2 policies' ||
	    fail "$me: flush-reqid 101 did not remove the peer's SAs and policies"
done
nsx r1 "$ctl" events 1 15 >"$work/acquire" 2>&1 &
wait_until 10 grep -q listening "$work/acquire" || fail "events: $(cat "$work/acquire")"
gre=$(counter gre_pkts)
esp=$(($(counter esp_pkts) + $(counter natt_pkts)))
if ns_ping r1 203.0.113.2 2 >/dev/null 2>&1; then
	fail "GRE ping passed with only the wildcard policy"
fi
[ "$(counter gre_pkts)" -eq "$gre" ] || fail "cleartext GRE leaked with only the wildcard"
[ $(($(counter esp_pkts) + $(counter natt_pkts))) -eq "$esp" ] ||
    fail "ESP left without an SA"
wait_until 10 grep -q '^acquire' "$work/acquire" || fail "no ACQUIRE: $(cat "$work/acquire")"
grep -q "^acquire src $a1 dst $a2 reqid 100\$" "$work/acquire" ||
    fail "unexpected ACQUIRE: $(cat "$work/acquire")"
info "wildcard only: no ping, no leak, $(grep '^acquire' "$work/acquire")"

# Lifetimes: 2 s soft, 3 s hard.
nsx r1 "$ctl" events 2 15 >"$work/expire" 2>&1 &
evpid=$!
wait_until 10 grep -q listening "$work/expire" || fail "events: $(cat "$work/expire")"
nsx r1 "$ctl" sa-add src="$a1" dst="$a2" spi=0x4012 reqid=103 alg=gcm \
    key="$(key 36)" soft=2 hard=3 || fail "lifetime SA"
wait "$evpid" || fail "no two EXPIREs: $(cat "$work/expire")"
grep -q '^expire soft .*spi 0x00004012 reqid 103' "$work/expire" ||
    fail "no soft EXPIRE: $(cat "$work/expire")"
grep -q '^expire hard .*spi 0x00004012 reqid 103' "$work/expire" ||
    fail "no hard EXPIRE: $(cat "$work/expire")"
info "lifetimes: $(tr '\n' ';' <"$work/expire" | cut -c1-160)"

# ALLOCSPI: a larval SA with an SPI from our range.
spi=$(nsx r1 "$ctl" allocspi src="$a2" dst="$a1" reqid=102) || fail "allocspi"
case $spi in
"spi 0xc"*) info "allocspi: $spi" ;;
*) fail "allocspi printed '$spi'" ;;
esac

# flush-reqid 100 10 (a restart after kill -9): ours go, reqid 500 stays.
nsx r1 "$ctl" sa-add src="$a1" dst=198.51.100.9 spi=0x5000 reqid=500 \
    alg=gcm key="$(key 36)" || fail "foreign SA"
nsx r1 "$ctl" policy-add peer local="$a1" remote=198.51.100.9 dir=out \
    reqid=500 || fail "foreign policy"
nsx r1 "$ctl" sa-add src="$a1" dst="$a2" spi=0x6000 reqid=109 alg=gcm \
    key="$(key 36)" || fail "SA at the end of the range"
out=$(nsx r1 "$ctl" flush-reqid 100 10) || fail "flush-reqid: $out"
info "flush-reqid 100 10: $out"
left=$(nsx r1 "$ctl" dump)
# The ACQUIRE's larval state (SPI 0) is the kernel's: it expires by itself.
if echo "$left" | grep -v 'spi 0x00000000 ' | grep -Eq 'reqid 10[0-9]( |$)'; then
	fail "flush-reqid left ours: $left"
fi
echo "$left" | grep -q '^sa .*spi 0x00005000 reqid 500' || fail "flush-reqid removed the foreign SA"
echo "$left" | grep -q '^policy .*reqid 500$' || fail "flush-reqid removed the foreign policy"
out=$(nsx r1 "$ctl" flush-reqid 100 10)
[ "$out" = "deleted 0 SAs, 0 policies" ] || fail "flush-reqid is not idempotent: $out"
# /proc/crypto: the GCM SAs above made the kernel instantiate
# rfc4106(gcm(aes)); with AES in the CPU it must be an accelerated driver.
crypto=$("$ctl" crypto) || fail "crypto: $crypto"
info "$(echo "$crypto" | tr '\n' ';')"
echo "$crypto" | grep '^driver rfc4106(gcm(aes)) ' | grep -qv ' none$' ||
    fail "no rfc4106(gcm(aes)) driver"
if grep -qw aes /proc/cpuinfo; then
	echo "$crypto" | grep -q '^driver rfc4106(gcm(aes)) .* accelerated$' ||
	    fail "rfc4106(gcm(aes)) is not accelerated on a CPU with AES"
	echo "$crypto" | grep -q '^order gcm' || fail "AES CPU but GCM not first"
fi
echo "PASS: xfrm SAs, policies, events and reconciliation ($a1 <-> $a2)"
