#!/usr/bin/env python3
"""Build the bundled AWS-managed policy snapshot used by `facts::account`.

Reads ../shared/corpus/managed-policies/{index.json,current/*.json} (see its SOURCE.txt)
and writes facts/data/managed/aws-managed-policies.tsv: one line per policy,

    <policy ARN> TAB <default version id> TAB <minified JSON document>

sorted by ARN. The loader embeds the file with include_str! and parses only the documents
of policies an input attaches without describing them.

Usage: scripts/gen_managed_snapshot.py [SHARED_DIR]   (default: ../shared next to the repo)
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared")
    corpus = os.path.join(shared, "corpus", "managed-policies")
    with open(os.path.join(corpus, "index.json"), encoding="utf-8") as f:
        index = json.load(f)
    lines = []
    for entry in index:
        arn, name, version = entry["arn"], entry["name"], entry["latestVersionId"]
        with open(os.path.join(corpus, "current", name + ".json"), encoding="utf-8") as f:
            doc = json.load(f)
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        if "\t" in arn or "\n" in text or "\t" in text:
            raise SystemExit(f"unexpected tab or newline in {arn}")
        lines.append(f"{arn}\t{version}\t{text}\n")
    lines.sort()
    out = os.path.join(ROOT, "facts", "data", "managed", "aws-managed-policies.tsv")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(lines)
    print(f"wrote {len(lines)} policies to {out} ({os.path.getsize(out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
