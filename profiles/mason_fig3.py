"""Mason, Figure 3: 2 sequencers, 48 proxies (16 Raft groups), 16 clients (66 nodes).

Instructions:
Nodes are named `sequencer-N`, `proxy-N`, `client-N` and `server-N`; masonlab
derives each node's role from that name. Each node has two experiment interfaces
(10.1.1.k/24, 10.1.2.k/24) on one 10 Gb/s LAN.
"""
# Figure 3 (Mason, largest point: 8 sequence spaces x 16 proxy groups).
# Only the defaults live here; the profile body is the repo-root
# emulab_genilib. For the portal (one file per profile) bundle it:
#   python3 profiles/bundle.py profiles/mason_fig3.py > mason_fig3.py
PROFILE_DEFAULTS = {"sequencers": 2, "proxies": 48, "clients": 16, "servers": 0}

# ---- loader (dropped by bundle.py): run the shared script with the defaults above
PROFILE_DOC = __doc__  # exec() below would replace __doc__ (the portal tour text)
import os as _os
_shared = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), _os.pardir, "emulab_genilib")
with open(_shared) as _f:
    exec(compile(_f.read(), _shared, "exec"))
