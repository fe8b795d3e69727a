#!/usr/bin/env python3
"""Checks that the broker names no Wams rule by a literal id.

usage: check_rule_literals.py [--root DIR] [--self-test]

The policy (policy/) owns the rules: which rule a refusal cites, its class
(policy::RefusalCode) and the role rule an outsider sees
(policy::RoleRuleOf). A core that compares or builds a rule id as text
("R02", "R10") decides on the policy's behalf and goes stale when the rule
table changes (issue 21). Prints every string literal that is exactly a rule
id ("R01".."R99") in a .h or .cc under broker/, outside comments; exits 1 if
there is any. broker/tools/ is left out: the auditor's report keeps its own
table of the rules, checked against policy/rules.md
(tests/ledger/primitives/report_test.cc).
"""

import argparse
import os
import re
import sys

RULE_LITERAL_RE = re.compile(r'"R[0-9]{2}"')
EXEMPT = ("broker/tools/",)


def literals_in(text):
    """(line number, literal) for each rule-id literal outside // comments."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("//", 1)[0]
        found.extend((number, m.group(0)) for m in RULE_LITERAL_RE.finditer(code))
    return found


def check(root):
    violations = []
    broker = os.path.join(root, "broker")
    for directory, _, files in os.walk(broker):
        for name in sorted(files):
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            if relative.startswith(EXEMPT):
                continue
            with open(path, encoding="utf-8") as source:
                for number, literal in literals_in(source.read()):
                    violations.append(f"{relative}:{number}: rule id literal {literal}")
    return violations


def self_test():
    assert literals_in('if (id == "R10") return;') == [(1, '"R10"')]
    assert literals_in('// {"R04"} in a comment') == []
    assert literals_in('Text("R19: given names")') == []
    assert literals_in('x;\nb.Fail("R02"); // "R03"') == [(2, '"R02"')]
    print("check-rule-literals self-test: ok")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args(argv)
    if args.self_test:
        self_test()
        return 0
    violations = check(os.path.abspath(args.root))
    for line in violations:
        print(line)
    print(f"check-rule-literals: {len(violations)} rule id literals in broker/ "
          f"(outside {', '.join(EXEMPT)})")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
