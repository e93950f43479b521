#!/usr/bin/env bash
# pip-audit against the locked dependencies (uv.lock, every group, exact versions with hashes): exit 1 when
# any locked package has a known vulnerability (the report names it and the fixed versions; upgrade the pin
# in pyproject.toml, `var/tools/bin/uv lock`, commit). Run by .ci/run; by hand: scripts/audit_dependencies.sh
#
# The vulnerability data comes from PyPI's JSON API (pip-audit's default service; PIP_AUDIT_SERVICE=osv for
# OSV). A package the service has no answer for is "not audited": the report says how many, and with
# PIP_AUDIT_STRICT=1 that fails the run too.
set -euo pipefail
cd "$(dirname "$0")/.."

uv=var/tools/bin/uv
[ -x "$uv" ] || { echo "run 'make setup' first (it installs uv and pip-audit)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$uv" export --frozen --all-groups --no-emit-project --quiet -o "$work/requirements.txt"
status=0
.venv/bin/pip-audit --requirement "$work/requirements.txt" --no-deps --disable-pip \
  --vulnerability-service "${PIP_AUDIT_SERVICE:-pypi}" --progress-spinner off \
  --format json --output "$work/audit.json" 2>"$work/stderr" || status=$?
if [ ! -s "$work/audit.json" ]; then
  echo "pip-audit did not run (exit $status):"; cat "$work/stderr"; exit 2
fi

.venv/bin/python - "$work/audit.json" <<'PY'
import json
import os
import sys

report = json.load(open(sys.argv[1]))
deps = report["dependencies"]
skipped = [d for d in deps if "skip_reason" in d]
vulnerable = [d for d in deps if d.get("vulns")]
print(f"pip-audit: {len(deps) - len(skipped)} of {len(deps)} locked packages audited, "
      f"{sum(len(d['vulns']) for d in vulnerable)} known vulnerabilities")
for dep in vulnerable:
    for vuln in dep["vulns"]:
        fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
        print(f"  VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixed})")
if skipped:
    print(f"  NOT AUDITED: {len(skipped)} packages (the vulnerability service had no answer for them), "
          f"e.g. {skipped[0]['skip_reason']}")
if vulnerable:
    sys.exit(1)
if skipped and os.environ.get("PIP_AUDIT_STRICT") == "1":
    print("PIP_AUDIT_STRICT=1: packages that could not be audited fail the run")
    sys.exit(1)
PY
