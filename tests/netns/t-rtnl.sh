#!/bin/bash
# t-rtnl: the rtnl module against the real kernel (tests/tools/rtnl_probe):
# GRE device creation and adoption, neighbour table parameters, tagged
# neighbours and routes, dumps and events, in a throwaway namespace.
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
has_gre || skip "kernel lacks GRE (ip_gre)"
probe=${DMVPN_BUILD:-build/asan}/tests/rtnl_probe
[ -x "$probe" ] || fail "$probe not built (make check builds it)"

ns_internet
ns_router r1 192.0.2.1/24
nsx r1 "$probe" "$(ns_addr r1)" || fail "rtnl_probe failed"
echo "PASS: rtnl against the kernel"
