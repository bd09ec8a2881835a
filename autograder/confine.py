"""First program inside the sandbox: set the limits, drop to the sandbox user, exec the real command.

Run by :class:`dlcourse.autograder.sandbox.Sandbox` as::

    python -I -S confine.py '<json settings>' COMMAND [ARG...]

It is a plain script with no imports beyond the standard library (``-S``: no
site-packages, so it starts in a few milliseconds).  The settings are::

    {"limits": {"RLIMIT_AS": bytes, "RLIMIT_NPROC": n, ...},   soft = hard, cannot be raised again
     "uid": 65534, "gid": 65534,                               used only when started as root
     "dirs": ["/tmp/home", ...],                               created after the drop (owned by the user)
     "copy": [["/ro/cache/matplotlib", "/tmp/home/.config/matplotlib"], ...]}

Order matters: the limits are set first (a root process may still lower them),
then the groups, gid and uid are dropped (no way back: the real, effective and
saved ids all change), then the writable folders are made, then ``execv``.
"""
import json
import os
import resource
import shutil
import sys


def main(argv: list[str]) -> None:
    settings = json.loads(argv[1])
    command = argv[2:]
    for name, value in settings.get("limits", {}).items():
        resource.setrlimit(getattr(resource, name), (int(value), int(value)))
    if os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(settings["gid"], settings["gid"], settings["gid"])
        os.setresuid(settings["uid"], settings["uid"], settings["uid"])
        if os.geteuid() == 0 or os.getegid() == 0:
            sys.exit("confine: could not drop root")
    for folder in settings.get("dirs", []):
        os.makedirs(folder, exist_ok=True)
    for src, dst in settings.get("copy", []):
        if os.path.isdir(src):
            shutil.copytree(src, dst, dirs_exist_ok=True)
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
