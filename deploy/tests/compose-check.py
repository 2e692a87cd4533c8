"""Validates deploy/compose.yaml offline: variables interpolated from an env file as Compose
does, then the Compose Specification's JSON schema; and our own rules for a PaaS: a
healthcheck on every long-running service, no absolute host paths.

usage: compose-check.py COMPOSE_FILE ENV_FILE SCHEMA_JSON
"""
import json
import re
import sys

import jsonschema
import yaml

compose_path, env_path, schema_path = sys.argv[1:4]
env = {}
for line in open(env_path, encoding="utf-8"):
    line = line.strip()
    if line and not line.startswith("#") and "=" in line:
        key, value = line.split("=", 1)
        env[key] = value

problems = []


def interpolate(match):
    name, op, arg = match.group(1), match.group(2), match.group(3)
    value = env.get(name, "")
    if op == ":?" and not value:
        problems.append(f"${{{name}}} is required: {arg}")
    if op == ":-" and not value:
        return arg
    return value


text = open(compose_path, encoding="utf-8").read()
text = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-?])([^}]*))?\}", interpolate, text)
document = yaml.safe_load(text)
schema = json.load(open(schema_path, encoding="utf-8"))
# The npm copy of the schema predates the top-level `name` of today's specification.
schema.setdefault("properties", {}).setdefault("name", {"type": "string"})
for error in jsonschema.Draft7Validator(schema).iter_errors(document):
    where = "/".join(str(p) for p in error.absolute_path)
    problems.append(f"{where}: {error.message}")
for name, service in document.get("services", {}).items():
    one_shot = service.get("restart") == "no"
    check = service.get("healthcheck", {})
    if not one_shot and check.get("disable"):
        problems.append(f"services/{name}: no healthcheck")
    for volume in service.get("volumes", []):
        source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
        if source.startswith("/"):
            problems.append(f"services/{name}: host path {source}")
for problem in problems:
    print(f"{compose_path}: {problem}")
print("compose: ok" if not problems else f"compose: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
