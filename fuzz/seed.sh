#!/usr/bin/env bash
# Builds the seed corpus of every fuzz target in fuzz/corpus/<target>/ from
# the repository's messages (testdata/messages, testdata/hostile, the kept
# regressions) and, when present beside the checkout, the spec examples in
# ../shared/testdata/spec. The DER target also gets every base64 token of
# those messages, decoded. Files are named by content hash, so running it
# again adds only what is new. Nothing here is committed but the script.
set -euo pipefail
cd "$(dirname "$0")"
root=..
spec=$root/../shared/testdata/spec

python3 - "$root" "$spec" <<'PY'
import base64, hashlib, os, re, sys
root, spec = sys.argv[1], sys.argv[2]
targets = ["envelope", "envelope_roundtrip", "xcep_roundtrip", "wstep_roundtrip",
           "discover_roundtrip", "inspect", "enroll"]
sources = [os.path.join(root, "testdata"), os.path.join(root, "fuzz", "regressions")]
if os.path.isdir(spec):
    sources += [os.path.join(spec, d) for d in ("xcep", "wstep", "mde2")]
xml = []
for src in sources:
    for dirpath, _, files in os.walk(src):
        for f in sorted(files):
            if f.endswith((".md", ".txt", ".xsd")):
                continue
            with open(os.path.join(dirpath, f), "rb") as fh:
                data = fh.read()
            if len(data) <= 256 * 1024:
                xml.append(data)
def put(target, data):
    d = os.path.join("corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as fh:
        fh.write(data)
for t in targets:
    for data in xml:
        put(t, data)
# Tokens: BinarySecurityToken and RequestedSecurityToken text, any prefix.
tok = re.compile(rb"<(?:[\w.-]+:)?(?:BinarySecurityToken|RequestedSecurityToken)\b[^>]*>([^<]+)<")
ders = 0
for data in xml:
    for m in tok.finditer(data):
        text = m.group(1).replace(b"&#xD;", b"").replace(b"&#13;", b"")
        put("wstep_payload", text.strip())
        try:
            der = base64.b64decode(re.sub(rb"\s+", b"", text), validate=True)
        except Exception:
            continue
        put("wstep_payload", der)
        ders += 1
counts = {t: len(os.listdir(os.path.join("corpus", t))) for t in targets + ["wstep_payload"]}
print("seeded:", ", ".join(f"{t} {n}" for t, n in counts.items()), f"({ders} DER tokens)")
PY
