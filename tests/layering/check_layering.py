#!/usr/bin/env python3
"""Checks that includes and target links go only down the layers.

usage: check_layering.py [--root DIR] [--layers FILE] [--allowed FILE]

Reads the layer table (tests/layering/layers.txt): the layers, which lower
layers each may use, and the layer of every source directory. Then checks

  - every `#include "..."` of every .h and .cc under the table's top-level
    folders: the including file's layer must be allowed to use the layer of
    the file it includes (headers outside the repository are not checked);
  - every `target_link_libraries` of the CMakeLists.txt files there: the
    target's layer must be allowed to use the linked target's layer (a target
    lies where its sources are; targets not defined here are not checked).

A violation listed in the allow-list (tests/layering/allowed.txt) is reported
as allowed; an allow-list entry that matches nothing is an error, so the list
only shrinks. Prints one line per violation and a summary; exits 1 if any
violation is not allowed, 2 if the table or allow-list is malformed.
Design and output: tests/README.md, "Layering".
"""

import argparse
import os
import re
import sys

SOURCE_SUFFIXES = (".h", ".cc")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
LINK_KEYWORDS = {"PUBLIC", "PRIVATE", "INTERFACE", "LINK_PUBLIC", "LINK_PRIVATE",
                 "LINK_INTERFACE_LIBRARIES", "debug", "optimized", "general"}
LIBRARY_KEYWORDS = {"STATIC", "SHARED", "MODULE", "OBJECT", "INTERFACE", "IMPORTED",
                    "GLOBAL", "EXCLUDE_FROM_ALL", "UNKNOWN", "WIN32", "MACOSX_BUNDLE"}


class TableError(Exception):
    """The layer table or the allow-list does not parse."""


class Layers:
    """The layer table: layers, what each may use, and where each path lies."""

    def __init__(self, path):
        self.uses = {}  # layer -> set of layers it may use, itself and transitively
        self.paths = {}  # repository path (directory or file) -> layer
        self.targets = {}  # target name -> repository directory
        section = None
        direct = {}
        with open(path, encoding="utf-8") as table:
            for number, line in enumerate(table, 1):
                words = line.split("#", 1)[0].split()
                if not words:
                    continue
                if len(words) == 1 and re.fullmatch(r"\[\w+\]", words[0]):
                    section = words[0][1:-1]
                    continue
                where = f"{path}:{number}"
                if section == "layers":
                    if words[0] in direct:
                        raise TableError(f"{where}: layer {words[0]} declared twice")
                    unknown = [w for w in words[1:] if w not in direct]
                    if unknown:
                        # Declared lowest first, so a cycle cannot be written.
                        raise TableError(f"{where}: {words[0]} uses {unknown[0]}, "
                                         "which is not declared above it")
                    direct[words[0]] = words[1:]
                elif section == "directories":
                    if len(words) != 2 or words[1] not in direct:
                        raise TableError(f"{where}: expected '<path> <declared layer>'")
                    self.paths[words[0].strip("/")] = words[1]
                elif section == "targets":
                    if len(words) != 2:
                        raise TableError(f"{where}: expected '<target> <directory>'")
                    self.targets[words[0]] = words[1].strip("/")
                else:
                    raise TableError(f"{where}: line outside [layers], [directories], [targets]")
        for layer in direct:
            reach, todo = {layer}, list(direct[layer])
            while todo:
                lower = todo.pop()
                if lower not in reach:
                    reach.add(lower)
                    todo.extend(direct[lower])
            self.uses[layer] = reach
        self.direct = direct
        self.roots = sorted({p.split("/")[0] for p in self.paths})

    def classify(self, path):
        """The (table path, layer) a repository path falls in, or (None, None)."""
        best = None
        for listed in self.paths:
            if path == listed or path.startswith(listed + "/"):
                if best is None or len(listed) > len(best):
                    best = listed
        return (best, self.paths[best]) if best else (None, None)

    def may_use(self, layer, lower):
        return lower in self.uses[layer]

    def allowed_below(self, layer):
        return ", ".join(sorted(self.uses[layer] - {layer})) or "nothing"


class AllowList:
    """Known violations kept on purpose: '<from> -> <to>: <reason>' per line.

    <from> and <to> are repository paths (a file or a directory and what is
    below it): for an include the including and the included file, for a link
    the directories of the linking and the linked target.
    """

    def __init__(self, path):
        self.entries = []  # [from, to, line, used]
        if not path or not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as listing:
            for number, line in enumerate(listing, 1):
                text = line.split("#", 1)[0].strip()
                if not text:
                    continue
                match = re.fullmatch(r"(\S+)\s*->\s*(\S+?)\s*:\s*(\S.*)", text)
                if not match:
                    raise TableError(f"{path}:{number}: expected '<from> -> <to>: <reason>'")
                self.entries.append([match[1].strip("/"), match[2].strip("/"),
                                     f"{path}:{number}", False])

    def allows(self, source, target):
        for entry in self.entries:
            if _under(source, entry[0]) and _under(target, entry[1]):
                entry[3] = True
                return True
        return False

    def unused(self):
        return [e for e in self.entries if not e[3]]


def _under(path, prefix):
    return path == prefix or path.startswith(prefix + "/")


def _source_files(root, layers):
    for top in layers.roots:
        for directory, subdirs, files in os.walk(os.path.join(root, top)):
            subdirs.sort()
            for name in sorted(files):
                full = os.path.join(directory, name)
                yield os.path.relpath(full, root).replace(os.sep, "/"), name


def _resolve_include(root, including, spelled, quoted, layers):
    """The repository path an include names, or None for a header from outside."""
    candidates = []
    if quoted:  # the compiler looks next to the including file first
        candidates.append(os.path.join(os.path.dirname(including), spelled))
    candidates.append(spelled)
    if spelled.endswith(".pb.h"):  # generated from a .proto of this repository
        stem = spelled[: -len(".grpc.pb.h")] if spelled.endswith(".grpc.pb.h") \
            else spelled[: -len(".pb.h")]
        candidates += [stem + ".proto", "proto/" + stem + ".proto"]
    for candidate in candidates:
        candidate = os.path.normpath(candidate).replace(os.sep, "/")
        if not candidate.startswith("..") and os.path.isfile(os.path.join(root, candidate)):
            return candidate
    # Not there (yet): still ours if it names a directory of the table.
    if layers.classify(spelled)[0] is not None and "/" in spelled:
        return spelled
    return None


class Checker:
    def __init__(self, root, layers, allowed):
        self.root, self.layers, self.allowed = root, layers, allowed
        self.violations = []  # lines for violations not allowed
        self.allowed_lines = []  # lines for violations on the allow-list
        self.directories = set()
        self.includes = self.external_includes = 0
        self.links = self.external_links = 0

    def _report(self, where, what, source, target):
        source_path, source_layer = self.layers.classify(source)
        target_path, target_layer = self.layers.classify(target)
        line = (f"{where}: {what}: {source_path} ({source_layer}) -> {target_path} "
                f"({target_layer}); {source_layer} may use {self.layers.allowed_below(source_layer)}")
        if self.allowed.allows(source, target):
            self.allowed_lines.append(line)
        else:
            self.violations.append(line)

    def _check_edge(self, where, what, source, target):
        _, source_layer = self.layers.classify(source)
        _, target_layer = self.layers.classify(target)
        if target_layer is None:
            self.violations.append(f"{where}: {what}: {target} is in no directory of the layer table")
        elif source_layer is not None and not self.layers.may_use(source_layer, target_layer):
            self._report(where, what, source, target)

    def check_includes(self, path):
        path_dir, layer = self.layers.classify(path)
        if layer is None:
            self.violations.append(f"{path}: in no directory of the layer table: add its directory")
            return
        self.directories.add(path_dir)
        with open(os.path.join(self.root, path), encoding="utf-8", errors="replace") as source:
            for number, line in enumerate(source, 1):
                match = INCLUDE_RE.match(line)
                if not match:
                    continue
                quoted, spelled = match[1] == '"', match[2]
                target = _resolve_include(self.root, path, spelled, quoted, self.layers)
                if target is None:
                    self.external_includes += 1
                    continue
                self.includes += 1
                self._check_edge(f"{path}:{number}", f'include "{spelled}"', path, target)

    def check_links(self, cmake_files):
        targets = {}  # name or alias -> (directory, CMakeLists path)
        links = []  # (cmake path, line, target, linked)
        for cmake in cmake_files:
            here = os.path.dirname(cmake)
            for command, args in _cmake_commands(os.path.join(self.root, cmake)):
                words = [w for w, _ in args]
                if command in ("add_library", "add_executable") and words:
                    name = words[0]
                    if len(words) >= 3 and words[1] == "ALIAS":
                        targets[name] = ("alias", words[2])
                        continue
                    sources = [os.path.normpath(os.path.join(here, w)).replace(os.sep, "/")
                               for w in words[1:]
                               if w not in LIBRARY_KEYWORDS and "${" not in w and "$<" not in w]
                    place = self.layers.targets.get(name)
                    if place is None:
                        place = os.path.commonpath(sources) if sources else here
                    targets[name] = ("target", place)
                elif command == "target_link_libraries" and words:
                    for word, number in args[1:]:
                        if word not in LINK_KEYWORDS:
                            links.append((cmake, number, words[0], word))

        def place_of(name):
            for _ in range(8):  # aliases of aliases
                kind, value = targets.get(name, (None, None))
                if kind != "alias":
                    return value
                name = value
            return None

        for cmake, number, target, linked in links:
            source, dest = place_of(target), place_of(linked)
            if source is None or dest is None:  # a variable or a target from outside
                self.external_links += 1
                continue
            self.links += 1
            self._check_edge(f"{cmake}:{number}", f"link {target} -> {linked}", source, dest)

    def run(self):
        cmake_files = []
        for path, name in _source_files(self.root, self.layers):
            if name.endswith(SOURCE_SUFFIXES):
                self.check_includes(path)
            elif name == "CMakeLists.txt":
                cmake_files.append(path)
        self.check_links(cmake_files)
        for listed in self.layers.paths:
            if not os.path.exists(os.path.join(self.root, listed)):
                self.violations.append(f"layer table: {listed}: no such file or directory")
        for entry in self.allowed.unused():
            self.violations.append(
                f"{entry[2]}: allowed {entry[0]} -> {entry[1]} is no longer used: remove it")


def _cmake_commands(path):
    """Yields (command, [(argument, line)]) of a CMakeLists.txt, comments dropped.

    Enough of CMake's syntax for add_library, add_executable and
    target_link_libraries: quoted and unquoted arguments, nested parentheses.
    """
    with open(path, encoding="utf-8") as cmake:
        text = cmake.read()
    token_re = re.compile(r'#\[\[.*?\]\]|#[^\n]*|"(?:\\.|[^"\\])*"|[()]|[^\s()"#]+|\n', re.S)
    line, command, args, depth, previous = 1, None, [], 0, None
    for match in token_re.finditer(text):
        token = match[0]
        if token == "\n":
            line += 1
            continue
        line_here = line
        line += token.count("\n")
        if token.startswith("#"):
            continue
        if command is None:
            if token == "(" and previous is not None:
                command, args, depth = previous.lower(), [], 1
            previous = token if re.fullmatch(r"[A-Za-z_]\w*", token) else None
            continue
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
            if depth == 0:
                yield command, args
                command, previous = None, None
        else:
            args.append((token.strip('"'), line_here))


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.normpath(os.path.join(here, "..", "..")))
    parser.add_argument("--layers", default=os.path.join(here, "layers.txt"))
    parser.add_argument("--allowed", default=os.path.join(here, "allowed.txt"))
    options = parser.parse_args(argv)
    try:
        layers = Layers(options.layers)
        checker = Checker(options.root, layers, AllowList(options.allowed))
        checker.run()
    except TableError as error:
        print(f"check-layering: {error}", file=sys.stderr)
        return 2
    for line in checker.violations:
        print(line)
    for line in checker.allowed_lines:
        print(f"allowed: {line}")
    print(f"check-layering: {len(checker.directories)} directories in {len(layers.direct)} layers; "
          f"{checker.includes} includes checked ({checker.external_includes} of headers from "
          f"outside not checked), {checker.links} target links checked "
          f"({checker.external_links} to targets from outside not checked); "
          f"{len(checker.violations)} violations, {len(checker.allowed_lines)} allowed")
    return 1 if checker.violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
