"""Render every Emulab profile of this repo with geni-lib and check the RSpecs.

Run by render_profiles.sh with the python of a venv holding a patched geni-lib 0.9.9.4.
Usage: check_rspecs.py REPO_ROOT WORK_DIR
"""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

REPO, WORK = sys.argv[1], sys.argv[2]
NS = {"r": "http://www.geni.net/resources/rspec/3",
      "emulab": "http://www.protogeni.net/resources/rspec/ext/emulab/1"}
UBUNTU22 = "urn:publicid:IDN+emulab.net+image+emulab-ops//UBUNTU22-64-STD"
ROLES = ("sequencer", "proxy", "client", "server")

# script (relative to the repo), extra args, expected (sequencers, proxies, clients, servers), hw, image
CASES = [
    ("emulab_genilib", [], (2, 3, 1, 0), "d430", UBUNTU22),
    ("emulab_genilib", ["--sequencers", "1", "--proxies", "6", "--clients", "2", "--servers", "3",
                        "--hardware_type", "m510",
                        "--disk_image", "urn:publicid:IDN+utah.cloudlab.us+image+emulab-ops//UBUNTU22-64-STD"],
     (1, 6, 2, 3), "m510", "urn:publicid:IDN+utah.cloudlab.us+image+emulab-ops//UBUNTU22-64-STD"),
    ("profiles/mason_fig3.py", [], (2, 48, 16, 0), "d430", UBUNTU22),
    ("profiles/corfu_fig4.py", [], (2, 0, 16, 8), "d430", UBUNTU22),
    ("profiles/corfumason_fig4.py", [], (2, 72, 24, 8), "d430", UBUNTU22),
    ("profiles/rsmkeeper_fig5.py", [], (0, 3, 1, 0), "d430", UBUNTU22),
    ("profiles/zkmason_fig5.py", [], (2, 48, 16, 24), "d430", UBUNTU22),
    ("profiles/recovery_fig6.py", [], (2, 6, 4, 0), "d430", UBUNTU22),
]
# invalid parameters → geni-lib's verifyParameters(): JSON errors on stderr, exit 100 + #errors
BAD_CASES = [
    ("emulab_genilib", ["--proxies", "4"], "proxies", "multiple of 3"),
    ("profiles/mason_fig3.py", ["--proxies", "99", "--clients", "60"], "proxies", "At most 128 nodes"),
    ("emulab_genilib", ["--clients", "0"], "clients", "At least one client"),
]

failures = []


def fail(label, msg):
    failures.append("%s: %s" % (label, msg))


def run(path, args):
    env = dict(os.environ)
    env.pop("GENILIB_PORTAL_MODE", None)   # standalone mode: the RSpec goes to stdout
    return subprocess.run([sys.executable, path] + args, capture_output=True, text=True,
                          env=env, cwd=WORK, timeout=60)


def check_rspec(label, xml_text, counts, hw, image):
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as e:
        return fail(label, "output is not XML (%s)" % e)
    if root.tag != "{%s}rspec" % NS["r"] or root.get("type") != "request":
        return fail(label, "root is not a request <rspec> (%s)" % root.tag)
    expected = {"%s-%d" % (role, i) for role, n in zip(ROLES, counts) for i in range(n)}
    nodes = root.findall("r:node", NS)
    names = [n.get("client_id") for n in nodes]
    if len(names) != len(set(names)):
        fail(label, "duplicate node names")
    if set(names) != expected:
        fail(label, "node names differ: missing %s, unexpected %s"
             % (sorted(expected - set(names))[:5], sorted(set(names) - expected)[:5]))
    if len(nodes) != sum(counts):
        fail(label, "%d nodes, expected %d" % (len(nodes), sum(counts)))
    ifaces, addrs = set(), []
    for n in nodes:
        name = n.get("client_id")
        hws = [h.get("name") for h in n.findall("r:hardware_type", NS)]
        if hws != [hw]:
            fail(label, "%s hardware type %s, expected %s" % (name, hws, hw))
        imgs = [d.get("name") for d in n.findall("r:sliver_type/r:disk_image", NS)]
        if imgs != [image]:
            fail(label, "%s disk image %s, expected %s" % (name, imgs, image))
        if [s.get("name") for s in n.findall("r:sliver_type", NS)] != ["raw"]:
            fail(label, "%s is not a raw PC" % name)
        node_ifaces = [i.get("client_id") for i in n.findall("r:interface", NS)]
        if not node_ifaces:
            fail(label, "%s has no experiment interface" % name)
        ifaces.update(node_ifaces)
        addrs += [ip.get("address") for ip in n.findall("r:interface/r:ip", NS)]
    if len(addrs) != len(set(addrs)):
        fail(label, "duplicate IP addresses")
    links = root.findall("r:link", NS)
    if len(links) != 1:
        return fail(label, "%d links, expected exactly one LAN" % len(links))
    lan = links[0]
    if [t.get("name") for t in lan.findall("r:link_type", NS)] != ["lan"]:
        fail(label, "the link is not a LAN")
    refs = [r.get("client_id") for r in lan.findall("r:interface_ref", NS)]
    if set(refs) != ifaces or len(refs) != len(ifaces):
        fail(label, "the LAN does not link exactly every node interface (%d refs, %d interfaces)"
             % (len(refs), len(ifaces)))
    caps = {p.get("capacity") for p in lan.findall("r:property", NS)}
    if caps != {"10000000"}:
        fail(label, "LAN capacity %s, expected 10000000 kb/s on every interface" % sorted(caps))
    if lan.find("emulab:force_nobwshaping", NS) is None or lan.find("emulab:trivial_ok", NS) is None:
        fail(label, "LAN lacks force_nobwshaping / trivial_ok")


def main():
    summary = []
    for script, args, counts, hw, image in CASES:
        label = " ".join([script] + args) if args else script
        variants = [(label, os.path.join(REPO, script))]
        if script.startswith("profiles/"):
            # the single-file form a portal profile needs must render the same RSpec
            bundled = os.path.join(WORK, "bundled-" + os.path.basename(script))
            with open(bundled, "w") as f:
                subprocess.run([sys.executable, os.path.join(REPO, "profiles", "bundle.py"),
                                os.path.join(REPO, script)], stdout=f, check=True)
            variants.append(("bundled " + os.path.basename(script), bundled))
        outputs = []
        for vlabel, path in variants:
            p = run(path, args)
            if p.returncode != 0:
                fail(vlabel, "exit %d: %s" % (p.returncode, p.stderr.strip()[-400:]))
                continue
            before = len(failures)
            check_rspec(vlabel, p.stdout, counts, hw, image)
            outputs.append(p.stdout)
            if len(failures) == before:
                summary.append("ok   %-44s %3d nodes %s" % (vlabel[:44], sum(counts), hw))
        if len(outputs) == 2 and outputs[0] != outputs[1]:
            fail(label, "bundled single-file profile renders a different RSpec")
    for script, args, param, text in BAD_CASES:
        label = "%s %s (must be rejected)" % (script, " ".join(args))
        p = run(os.path.join(REPO, script), args)
        if p.returncode <= 100:
            fail(label, "exit %d, expected > 100 (geni-lib parameter error)" % p.returncode)
            continue
        try:
            errors = json.loads(p.stderr.strip().splitlines()[-1])
        except (ValueError, IndexError):
            fail(label, "no JSON error list on stderr: %r" % p.stderr[-300:])
            continue
        hit = [e for e in errors if e.get("errorType") == "ParameterError"
               and param in e.get("params", []) and text in e.get("message", "")]
        if not hit or p.stdout.strip():
            fail(label, "expected a ParameterError on %s containing %r and no RSpec; got %s"
                 % (param, text, errors))
        else:
            summary.append("ok   rejected %-35s %s" % (" ".join(args), hit[0]["message"]))
    print("\n".join(summary))
    if failures:
        print("\nFAILED (%d):" % len(failures), file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        sys.exit(1)
    print("all %d checks passed" % len(summary))


main()
