/* The release version, printed by `dmvpnd -V` and `dmvpnctl -V`. */
#ifndef DMVPN_VERSION_H
#define DMVPN_VERSION_H

#define DMVPN_VERSION "0.1.0"

#endif /* DMVPN_VERSION_H */
