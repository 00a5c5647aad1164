"""CorfuMason, Figure 4: 2 sequencers, 72 proxies, 24 clients, 8 log servers (106 nodes).

Instructions:
Nodes are named `sequencer-N`, `proxy-N`, `client-N` and `server-N`; masonlab
derives each node's role from that name. Each node has two experiment interfaces
(10.1.1.k/24, 10.1.2.k/24) on one 10 Gb/s LAN. The artifact's stored Emulab profile had this size.
"""
# Figure 4 (CorfuMason, largest point: 4 shards, 24 proxy groups).
# Only the defaults live here; the profile body is the repo-root
# emulab_genilib. For the portal (one file per profile) bundle it:
#   python3 profiles/bundle.py profiles/corfumason_fig4.py > corfumason_fig4.py
PROFILE_DEFAULTS = {"sequencers": 2, "proxies": 72, "clients": 24, "servers": 8}

# ---- loader (dropped by bundle.py): run the shared script with the defaults above
PROFILE_DOC = __doc__  # exec() below would replace __doc__ (the portal tour text)
import os as _os
_shared = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), _os.pardir, "emulab_genilib")
with open(_shared) as _f:
    exec(compile(_f.read(), _shared, "exec"))
