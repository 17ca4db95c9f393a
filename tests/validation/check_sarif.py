#!/usr/bin/python3
"""Runs `convergectl validate --format sarif` on each design given and validates the output
against the SARIF 2.1.0 schema shipped in resources/schemas. Exit 0 when every log is valid."""
import json
import subprocess
import sys

import jsonschema


def main():
    convergectl, schema_path, *designs = sys.argv[1:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for design in designs:
        run = subprocess.run([convergectl, "validate", design, "--format", "sarif"],
                             capture_output=True, text=True, check=False)
        if run.returncode not in (0, 1):
            print(f"{design}: convergectl exited {run.returncode}: {run.stderr}")
            failures += 1
            continue
        log = json.loads(run.stdout)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        for error in errors[:10]:
            path = "/".join(str(p) for p in error.absolute_path)
            print(f"{design}: {path}: {error.message}")
        failures += bool(errors)
        results = log["runs"][0]["results"]
        print(f"{design}: {len(results)} results, "
              f"{len(log['runs'][0]['tool']['driver']['rules'])} rules, "
              f"{'valid' if not errors else 'INVALID'} SARIF 2.1.0")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
