"""`skillbridge <command>`: the platform's command line, a thin wrapper over manage.py commands."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillbridge.settings")
    from django.core.management import execute_from_command_line

    argv = sys.argv[:]
    if len(argv) > 1 and argv[1] == "serve":
        # `skillbridge serve [addr:port]` — the development/demo server.
        argv[1:2] = ["runserver", "--noreload"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
