#!/bin/bash
# t-dmvpn-malformed: a hub with two registered spokes takes malformed and
# hostile NHRP packets from a third router on the same cloud (its own
# gre1, same GRE key): truncated, bad checksums and lengths, random bytes,
# too many CIEs, bad CIEs and headers, no or wrong authentication, an
# unknown compulsory extension, the wrong protocol, an attempt to take
# over spoke 1's registration, empty and oversize packets
# (tests/tools/nhrp_blast.c).  Each kind raises exactly its own counter in
# show stats by exactly the number sent and nothing else; the hub stays up
# (ASan-clean), the attacker registers nothing, and the spokes stay
# registered and keep resolving each other through the hub.
#
#   hub  192.0.2.1  / 172.16.0.1      authentication s3cret
#   s1   192.0.2.11 / 172.16.0.11
#   s2   192.0.2.12 / 172.16.0.12
#   atk  192.0.2.66                   gre1 key 42, MTU 9000, no dmvpnd
#
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
dm_init
blast=$DM_BUILD/tests/nhrp_blast
[ -x "$blast" ] || fail "$blast not built"

ns_internet
ns_router hub 192.0.2.1/24
ns_router s1 192.0.2.11/24
ns_router s2 192.0.2.12/24
ns_router atk 192.0.2.66/24

secret=s3cret
dm_conf hub hub 192.0.2.1 172.16.0.1/24 "authentication $secret"
dm_conf s1 spoke 192.0.2.11 172.16.0.11/24 "authentication $secret" \
    "nhs 172.16.0.1 nbma 192.0.2.1"
dm_conf s2 spoke 192.0.2.12 172.16.0.12/24 "authentication $secret" \
    "nhs 172.16.0.1 nbma 192.0.2.1"
dm_start hub
dm_start s1
dm_start s2
# The attacker: a multipoint GRE device that fragments what it sends.
nsx atk ip link add gre1 type gre key 42 local 192.0.2.66 ttl inherit nopmtudisc
nsx atk ip link set gre1 mtu 9000 up

dm_step "registration"
wait_until 20 dm_is up dm_nhs s1 192.0.2.1 state || fail "s1 did not register"
wait_until 20 dm_is up dm_nhs s2 192.0.2.1 state || fail "s2 did not register"
wait_until 15 ns_ping s1 172.16.0.12 1 >/dev/null || fail "s1 cannot reach s2"
want_neighs="172.16.0.11 192.0.2.11
172.16.0.12 192.0.2.12"
[ "$(dm_neighs hub)" = "$want_neighs" ] || fail "hub neighbours: $(dm_neighs hub)"

# The counters a case may move: every drop reason and a few others.
counters() {
	dm_ctl hub -j show stats | awk '
	{ sub(/^[ \t]+/, "") }
	/^"[^"]*": \{$/ { sec = substr($0, 2, index($0, "\": {") - 2); next }
	/^}/ { sec = ""; next }
	sec == "drops_by_reason" || sec == "nhrp" {
		v = $NF
		sub(/,$/, "", v)
		name = substr($0, 2, index($0, "\":") - 2)
		if (sec == "drops_by_reason" || name ~ /^(registrations_|socket_rx_errors|resolutions_)/)
			print sec "." name "=" v
	}'
}
counter() { printf '%s\n' "$1" | sed -n "s/^$2=//p"; }

# blast CASE COUNT COUNTER [NHRP_BLAST_OPTIONS...]: send; COUNTER (or
# "none") is to rise by COUNT (checked by check_counters against $before).
# The hub takes each case in before the next one is sent, so that at most
# one case (100 packets of at most 512 bytes) waits in its socket buffer.
declare -A want=()
blast() {
	local kind=$1 n=$2 ctr=$3 goal
	shift 3
	BLAST_OUT=$(nsx atk "$blast" -s "$secret" "$@" gre1 192.0.2.66 172.16.0.66 \
	    192.0.2.1 "$kind" "$n") || fail "nhrp_blast $kind failed: $BLAST_OUT"
	want[$ctr]=$((${want[$ctr]:-0} + n))
	if [ "$ctr" != none ]; then
		goal=$(($(counter "$before" "$ctr") + want[$ctr]))
		wait_until 20 eval "[ \"\$(counter \"\$(counters)\" $ctr)\" -ge $goal ]" ||
		    dm_step "$kind: $ctr did not reach $goal"
	fi
	kill -0 "$(dm_pid hub)" 2>/dev/null || fail "the hub died on $kind"
}

# Every counter moved by exactly what was sent, nothing else moved.
check_counters() {
	local before=$1 after line name b a
	_reached() {
		after=$(counters)
		for name in "${!want[@]}"; do
			[ "$name" != none ] || continue
			[ "$(counter "$after" "$name")" -ge $(($(counter "$before" "$name") + want[$name])) ] ||
			    return 1
		done
	}
	wait_until 20 _reached || true
	# Let stragglers arrive: nothing more may move.
	sleep 1
	after=$(counters)
	while IFS= read -r line; do
		name=${line%%=*}
		b=${line#*=}
		a=$(counter "$after" "$name")
		[ "${want[$name]:-0}" -eq 0 ] || dm_step "$name: $b -> $a (want +${want[$name]})"
		[ "$a" -eq $((b + ${want[$name]:-0})) ] || {
			grep -E "from 192.0.2.66|refused" "$DM_WORK/hub.log" | tail -n 20
			fail "$name went from $b to $a, want +${want[$name]:-0}"
		}
	done <<<"$before"
	want=()
}

before=$(counters)
[ -n "$before" ] || fail "no counters from the hub"
dm_step "malformed packets"
blast truncated 40 drops_by_reason.malformed
blast checksum 20 drops_by_reason.malformed
blast badlen 25 drops_by_reason.malformed
blast garbage 100 drops_by_reason.malformed
blast cies 20 drops_by_reason.malformed
blast badcie 20 drops_by_reason.malformed
blast header 20 drops_by_reason.malformed
blast empty 10 none
check_counters "$before"

before=$(counters)
dm_step "authentication, and well-formed packets that are not acceptable"
blast noauth 10 drops_by_reason.auth_missing
blast badauth 15 drops_by_reason.auth_mismatch
blast unknown-ext 10 drops_by_reason.unknown_compulsory_extension -w 2
printf '%s\n' "$BLAST_OUT" | grep -qx "error 1 10" ||
    fail "want 10 Error Indications (Unrecognized Extension) back: $BLAST_OUT"
blast wrongproto 10 drops_by_reason.wrong_protocol
blast hijack=172.16.0.11 10 nhrp.registrations_rejected -w 2
printf '%s\n' "$BLAST_OUT" | grep -qx "rx Registration Reply 10" ||
    fail "want 10 refusals back: $BLAST_OUT"
blast oversize 5 nhrp.socket_rx_errors
check_counters "$before"

dm_step "the hub is up, the spokes too, the attacker got nothing"
kill -0 "$(dm_pid hub)" || fail "the hub died"
[ "$(dm_peer hub 172.16.0.11 nbma)" = 192.0.2.11 ] || fail "s1 was hijacked: $(dm_peer hub 172.16.0.11)"
[ "$(dm_peer hub 172.16.0.12 state)" = up ] || fail "s2 is not up on the hub: $(dm_rows hub peers)"
! dm_peer hub 172.16.0.66 >/dev/null || fail "the attacker registered: $(dm_rows hub peers)"
! dm_rows hub peers | grep -q " nbma=192.0.2.66 " || fail "the hub binds the attacker: $(dm_rows hub peers)"
[ "$(dm_neighs hub)" = "$want_neighs" ] || fail "hub neighbours: $(dm_neighs hub)"
for n in s1 s2; do
	[ "$(dm_nhs "$n" 192.0.2.1 state)" = up ] || fail "$n lost its NHS: $(dm_rows "$n" nhs)"
done
# A fresh resolution through the hub still works.
dm_ctl s1 flush >/dev/null
res=$(dm_stat hub nhrp resolutions_answered)
wait_until 15 ns_ping s1 172.16.0.12 1 >/dev/null || fail "s1 cannot reach s2 any more"
[ "$(dm_stat hub nhrp resolutions_answered)" -gt "$res" ] || fail "no new resolution answered"
dm_ctl hub show stats

dm_step "clean stop"
for n in s1 s2 hub; do dm_stop "$n"; done
dm_sanitizers_clean hub s1 s2 || fail "sanitizer reports"
dm_pass "malformed and hostile NHRP: counted exactly, hub up, spokes unharmed"
