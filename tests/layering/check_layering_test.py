#!/usr/bin/env python3
"""Shows that check_layering.py fails on what it is meant to catch.

Each case builds a small tree in a temp dir holding every path of the real
layer table (tests/layering/layers.txt), adds the files of the case and runs
the checker on it, with an allow-list of the case's own.
"""

import contextlib
import io
import os
import tempfile
import unittest

import check_layering

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = os.path.join(HERE, "layers.txt")


class CheckLayeringTest(unittest.TestCase):
    def setUp(self):
        self.temp = tempfile.TemporaryDirectory()
        self.root = self.temp.name
        for path in check_layering.Layers(LAYERS).paths:
            if path.endswith(check_layering.SOURCE_SUFFIXES):
                self.write(path, "")
            else:
                os.makedirs(os.path.join(self.root, path), exist_ok=True)

    def tearDown(self):
        self.temp.cleanup()

    def write(self, path, text):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as out:
            out.write(text)

    def run_checker(self, allowed=""):
        self.write("allowed.txt", allowed)
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            code = check_layering.main(["--root", self.root, "--layers", LAYERS,
                                        "--allowed", os.path.join(self.root, "allowed.txt")])
        return code, output.getvalue()

    def test_downward_includes_and_links_pass(self):
        self.write("broker/storage/backend.h", '#include "broker/base/status_macros.h"\n')
        self.write("broker/base/status_macros.h", "")
        # A new file of a split ledger falls in its directory's layer.
        self.write("broker/ledger/store/ledger_append.cc", '#include "broker/storage/backend.h"\n')
        self.write("broker/storage/CMakeLists.txt", "add_library(wams_storage backend.cc)\n")
        self.write("broker/ledger/store/CMakeLists.txt",
                   "add_library(wams_ledger ledger_append.cc)\n"
                   "target_link_libraries(wams_ledger PUBLIC wams_storage absl::status)\n")
        code, output = self.run_checker()
        self.assertEqual(code, 0, output)
        self.assertIn("2 includes checked", output)
        self.assertIn("1 target links checked", output)
        self.assertIn("0 violations", output)

    def test_upward_include_fails(self):
        self.write("broker/services/broker_server.h", "")
        self.write("policy/decide_steps.cc",
                   '#include "absl/status/status.h"\n#include "broker/services/broker_server.h"\n')
        code, output = self.run_checker()
        self.assertEqual(code, 1, output)
        self.assertIn('policy/decide_steps.cc:2: include "broker/services/broker_server.h": '
                      "policy (policy) -> broker/services (services); policy may use base, proto",
                      output)

    def test_adapter_including_broker_internals_fails(self):
        self.write("broker/cases/case_manager.h", "")
        self.write("adapters/sdk/provider_server.cc", '#include "broker/cases/case_manager.h"\n')
        code, output = self.run_checker()
        self.assertEqual(code, 1, output)
        self.assertIn("adapters/sdk (adapter_sdk) -> broker/cases (core)", output)

    def test_upward_link_fails(self):
        self.write("broker/storage/CMakeLists.txt",
                   "add_library(wams_storage backend.cc)\n"
                   "target_link_libraries(wams_storage\n"
                   "  PUBLIC absl::status  # a comment (with parentheses)\n"
                   "  PRIVATE wams::services)\n")
        self.write("broker/services/CMakeLists.txt",
                   "add_library(wams_services broker_server.cc)\n"
                   "add_library(wams::services ALIAS wams_services)\n")
        code, output = self.run_checker()
        self.assertEqual(code, 1, output)
        self.assertIn("broker/storage/CMakeLists.txt:4: link wams_storage -> wams::services: "
                      "broker/storage (storage) -> broker/services (services)", output)

    def test_allowed_violation_passes_and_is_listed(self):
        self.write("broker/services/broker_server.h", "")
        self.write("policy/decide_steps.cc", '#include "broker/services/broker_server.h"\n')
        code, output = self.run_checker(
            "# why\npolicy/decide_steps.cc -> broker/services: kept for the test\n")
        self.assertEqual(code, 0, output)
        self.assertIn("allowed: policy/decide_steps.cc:1:", output)

    def test_allow_list_entry_matching_nothing_fails(self):
        code, output = self.run_checker("policy -> broker/services: fixed long ago\n")
        self.assertEqual(code, 1, output)
        self.assertIn("allowed policy -> broker/services is no longer used: remove it", output)

    def test_allow_list_entry_without_reason_is_malformed(self):
        code, _ = self.run_checker("policy -> broker/services\n")
        self.assertEqual(code, 2)

    def test_file_in_an_unlisted_directory_fails(self):
        self.write("broker/newthing/thing.cc", "")
        code, output = self.run_checker()
        self.assertEqual(code, 1, output)
        self.assertIn("broker/newthing/thing.cc: in no directory of the layer table", output)


if __name__ == "__main__":
    unittest.main()
