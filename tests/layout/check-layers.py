#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check the library's layering, file sizes and include graph.

Usage: check-layers.py SOURCE_ROOT

- Each file under lib/ belongs to the layer named by its folder (lib/at/chat.c is in `at`); the
  files at lib/ itself are the handle (`root`). A quoted #include is resolved against lib/ and
  must name a layer that RULES allows for the including layer. <smsctl/...> public headers,
  "config.h" and "i18n.h" are allowed everywhere.
- No cycle between headers.
- No source file in lib/, cli/ or daemon/ over 1,000 lines (generated tables excepted).
- cli/ uses public headers only.
Exit 0 when everything holds, 1 with one line per violation otherwise.
"""
import os
import re
import sys

# layer -> layers (or single header paths) it may include
RULES = {
    'transport': {'transport'},
    'at': {'at', 'transport/transport.h'},
    'parse': {'parse', 'at/codes.h', 'at/result.h'},
    'pdu': {'pdu'},
    'query': {'query', 'at', 'parse', 'modem-internal.h', 'transport/transport.h'},
    'sms': {'sms', 'query', 'pdu', 'parse', 'at', 'modem-internal.h', 'transport/transport.h'},
    'diagnose': {'diagnose', 'query', 'parse', 'at', 'modem-internal.h', 'transport/transport.h',
                 'transport/ports.h'},
    'sim': {'sim', 'pdu', 'transport/transport.h'},
    'root': {'root', 'at', 'transport'},
}
ALWAYS = {'config.h', 'i18n.h'}
LINE_LIMIT = 1000
GENERATED = {'lib/pdu/gsm7-tables.c'}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    """rel is relative to lib/."""
    return rel.split('/', 1)[0] if '/' in rel else 'root'


def allowed(src_layer, target):
    if target in ALWAYS:
        return True
    rule = RULES[src_layer]
    return target in rule or layer_of(target) in rule or (
        layer_of(target) == 'root' and 'root' in rule)


def main():
    top = sys.argv[1]
    lib = os.path.join(top, 'lib')
    errors = []
    graph = {}
    for d, _, names in os.walk(lib):
        for n in sorted(names):
            if not n.endswith(('.c', '.h')):
                continue
            rel = os.path.relpath(os.path.join(d, n), lib)
            text = open(os.path.join(d, n), encoding='utf-8').read()
            src_layer = layer_of(rel)
            if src_layer not in RULES:
                errors.append(f'lib/{rel}: folder {src_layer}/ is not a known layer')
                continue
            graph[rel] = []
            for inc in INCLUDE.findall(text):
                if inc in ALWAYS:
                    continue
                if not os.path.exists(os.path.join(lib, inc)):
                    errors.append(f'lib/{rel}: #include "{inc}" does not name a file under lib/ '
                                  '(write the layer folder: "at/chat.h")')
                    continue
                graph[rel].append(inc)
                if not allowed(src_layer, inc):
                    errors.append(f'lib/{rel}: layer {src_layer} may not include "{inc}"')
    # cycles between headers (and .c -> .h edges cannot close a cycle)
    state = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cyc = stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt]
                errors.append('include cycle: ' + ' -> '.join(cyc))
            elif state.get(nxt) is None:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node, [node])
    # file sizes
    for folder in ('lib', 'cli', 'daemon'):
        base = os.path.join(top, folder)
        for d, _, names in os.walk(base):
            for n in sorted(names):
                if not n.endswith(('.c', '.h')):
                    continue
                path = os.path.join(d, n)
                rel = os.path.relpath(path, top)
                if rel in GENERATED:
                    continue
                with open(path, encoding='utf-8') as f:
                    lines = sum(1 for _ in f)
                if lines > LINE_LIMIT:
                    errors.append(f'{rel}: {lines} lines (limit {LINE_LIMIT})')
    # the CLI uses public headers only
    cli = os.path.join(top, 'cli')
    for d, _, names in os.walk(cli):
        for n in sorted(names):
            if n.endswith(('.c', '.h')):
                text = open(os.path.join(d, n), encoding='utf-8').read()
                for inc in INCLUDE.findall(text):
                    if os.path.exists(os.path.join(lib, inc)) and inc not in ALWAYS:
                        errors.append(f'cli/{n}: includes the library-internal "{inc}"')
    for e in errors:
        print(e)
    if errors:
        print(f'{len(errors)} layout violation(s)', file=sys.stderr)
        return 1
    print('layout ok: layers, include graph and file sizes hold')
    return 0


if __name__ == '__main__':
    sys.exit(main())
