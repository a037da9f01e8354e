"""Start one of the stack's programs with the portal's environment, read from a file.

    python deploy/launch.py ENV_FILE -- PROGRAM [ARGS...]

supervisord's own `environment=` cannot carry every character a password may hold (it splits
on commas and quotes without escapes), and would put the secrets in supervisord.conf. The
file holds one KEY=value per line, the value taken literally to the end of the line; it is
written by `python -m deploy.stack up` with mode 0600. Standard library only: this runs before
every start of a worker.
"""

import os
import sys


def read_env(path: str) -> dict[str, str]:
    found = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep:
                found[key] = value
    return found


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--":
        raise SystemExit(__doc__)
    os.environ.update(read_env(argv[0]))
    os.execv(argv[2], argv[2:])  # noqa: S606 - the program supervisord was told to run


if __name__ == "__main__":
    main(sys.argv[1:])
