"""What the live Python tests share (tests/e2e/live.py and top.py,
host/tests/conntrack_live/live.py): the repository root, loading one of
scripts/'s capture tools as a module, and the `main` that re-runs a test
under `unshare --net` and turns an AssertionError there into `FAIL` and exit 1."""

import importlib.machinery
import importlib.util
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLAG = "--in-namespace"


def load_script(name):
    """scripts/NAME (a Python script without .py) as a module."""
    module_name = name.replace("-", "_")
    loader = importlib.machinery.SourceFileLoader(module_name, os.path.join(REPO, "scripts", name))
    spec = importlib.util.spec_from_loader(module_name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def main(script, doc, in_namespace, timeout):
    """`script PATH/TO/tcpcount`: re-runs `script` as root in a new network
    namespace (at most `timeout` seconds), where `in_namespace(binary)` runs;
    returns the exit code."""
    if len(sys.argv) == 3 and sys.argv[1] == FLAG:
        try:
            in_namespace(os.path.abspath(sys.argv[2]))
        except AssertionError as e:
            print(f"FAIL {e}", flush=True)
            return 1
        return 0
    if len(sys.argv) != 2:
        print(doc)
        return 2
    if os.geteuid() != 0:
        print("needs root (it creates network namespaces)")
        return 1
    cmd = ["unshare", "--net", "--", sys.executable, os.path.abspath(script), FLAG,
           os.path.abspath(sys.argv[1])]
    return subprocess.run(cmd, timeout=timeout).returncode
