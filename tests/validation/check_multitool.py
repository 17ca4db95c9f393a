#!/usr/bin/python3
"""Runs the Microsoft SARIF multitool's `validate` on `convergectl validate --format sarif` of a
design, written as a pipeline in the repository root writes it (a relative FILE). Fails on any
error-level result and on any result of the rules named with --forbid (SARIF2005, SARIF2017).
Exits 77 (skipped) when the multitool is not installed: installer/deps.sh installs it with
`npm ci` from tests/tools/package-lock.json."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

SKIPPED = 77


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("convergectl")
    ap.add_argument("multitool")
    ap.add_argument("design", help="relative to --root")
    ap.add_argument("--root", required=True)
    ap.add_argument("--forbid", action="append", default=[])
    args = ap.parse_args()
    if not os.path.exists(args.multitool):
        print(f"SKIPPED: the SARIF multitool is not installed ({args.multitool}); "
              "run installer/deps.sh (npm ci in tests/tools)")
        return SKIPPED
    if not os.access(args.multitool, os.X_OK):
        print(f"{args.multitool} is not executable: its postinstall (chmod u+x) did not run; "
              "check allowScripts in tests/tools/package.json")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        sarif = os.path.join(tmp, "design.sarif")
        run = subprocess.run([args.convergectl, "validate", args.design, "--format", "sarif"],
                             cwd=args.root, capture_output=True, text=True, check=False)
        if run.returncode not in (0, 1):
            print(f"convergectl exited {run.returncode}: {run.stderr}")
            return 1
        with open(sarif, "w", encoding="utf-8") as f:
            f.write(run.stdout)
        report = os.path.join(tmp, "validation.sarif")
        check = subprocess.run(
            [args.multitool, "validate", sarif, "--output", report, "--log", "ForceOverwrite",
             "--level", "Error;Warning;Note"],
            cwd=args.root, capture_output=True, text=True, check=False,
            env=dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1"))
        if not os.path.exists(report):
            print(f"the multitool wrote no report (exit {check.returncode}):\n"
                  f"{check.stdout}\n{check.stderr}")
            return 1
        with open(report, encoding="utf-8-sig") as f:
            log = json.load(f)
    return judge(log, set(args.forbid), check.returncode)


def judge(log, forbidden, exit_code):
    failures = 0
    results = [r for run in log.get("runs", []) for r in run.get("results", [])]
    for r in results:
        rule = r.get("ruleId", "?")
        level = r.get("level", "warning")
        text = r.get("message", {}).get("text") or r.get("message", {}).get("arguments")
        bad = level == "error" or rule in forbidden
        failures += bad
        print(f"{'FAIL' if bad else 'note'}: {rule} ({level}): {text}")
    notifications = [n for run in log.get("runs", []) for inv in run.get("invocations", [])
                     for n in inv.get("toolExecutionNotifications", [])
                     if n.get("level") == "error"]
    for n in notifications:
        print(f"FAIL: tool error: {n.get('message', {}).get('text')}")
    failures += len(notifications)
    print(f"multitool validate: exit {exit_code}, {len(results)} result(s), {failures} failing")
    return 1 if failures or exit_code != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
