"""Parses Prometheus text (stdin) with prometheus_client's own parser and prints
what it read as JSON: {"families": {name: type}, "samples": [[name, labels, value], ...]}.

A text the parser refuses makes it raise, and the script exit non-zero."""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> None:
    families = {}
    samples = []
    for family in text_string_to_metric_families(sys.stdin.read()):
        if family.name in families:
            raise SystemExit(f"family {family.name} appears twice")
        families[family.name] = family.type
        for sample in family.samples:
            samples.append([sample.name, sample.labels, sample.value])
    json.dump({"families": families, "samples": samples}, sys.stdout)


if __name__ == "__main__":
    main()
