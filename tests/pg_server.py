"""A throwaway PostgreSQL server for the tests: ``initdb`` + ``pg_ctl start``, one empty database.

    reason = postgres_unavailable()          # None, or why no server can run here
    with postgres_server(tmp_path) as url:   # a fresh, empty database:
        ...      # postgresql+psycopg2://postgres@127.0.0.1:<port>/gradebook
    # here the server is stopped and its files are removed

The server listens on 127.0.0.1 only (a free port, its Unix socket in its own folder), trusts
every connection (superuser ``postgres``, no password) and runs without fsync: a test fixture,
never a place for data that matters.  PostgreSQL refuses to run as root, so under root the
binaries run as the ``postgres`` user and the cluster lives in a fresh folder under the system
temp dir that this user owns (pytest's ``/tmp/pytest-of-root`` is closed to other users); the
server log is copied to ``base_dir/postgres.log`` when the server stops.
"""
from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

__all__ = ["postgres_server", "postgres_unavailable", "find_pg_bin", "query",
           "wait_for_connections_closed"]

POSTGRES_USER = "postgres"  # the Unix user the server runs as under root (Debian's package has it)
_STARTS = 3                 # another process may take the free port between probe and start


def find_pg_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (PATH first, then the newest
    ``/usr/lib/postgresql/<version>/bin``), or None."""
    found = shutil.which("initdb")
    if found:
        folder = Path(os.path.realpath(found)).parent
        if (folder / "pg_ctl").is_file():
            return folder

    def version(path: str) -> tuple:
        part = Path(path).parent.parent.name
        return tuple(int(p) for p in part.split(".") if p.isdigit())

    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True):
        folder = Path(initdb).parent
        if (folder / "pg_ctl").is_file():
            return folder
    return None


def postgres_unavailable() -> str | None:
    """Why a test PostgreSQL server cannot run here (in words for a skip reason), or None."""
    if find_pg_bin() is None:
        return ("PostgreSQL is not installed (no initdb/pg_ctl on PATH or in "
                "/usr/lib/postgresql/*/bin; Debian: apt-get install postgresql)")
    if importlib.util.find_spec("psycopg2") is None:
        return "the PostgreSQL driver psycopg2 is missing (pip install psycopg2-binary)"
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam(POSTGRES_USER)
        except KeyError:
            return (f"running as root, and PostgreSQL refuses root: no {POSTGRES_USER!r} "
                    "user to run it as")
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Cluster:
    """One data folder and the commands on it, run as the ``postgres`` user under root."""

    def __init__(self, folder: Path, bindir: Path):
        self.folder, self.bindir = folder, bindir
        self.data, self.sockets = folder / "data", folder / "sockets"
        self.log = folder / "server.log"
        self.as_postgres = os.geteuid() == 0

    def run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run ``bindir/tool args`` (as ``postgres`` under root); raise with its output on error."""
        user = (dict(user=POSTGRES_USER, group=POSTGRES_USER, extra_groups=[])
                if self.as_postgres else {})
        # pg_ctl hands the server its own log file, so capturing pg_ctl's output cannot hang
        env = dict(os.environ, LC_ALL="C", LANG="C")
        env.pop("PGDATA", None)
        done = subprocess.run([str(self.bindir / tool), *args], cwd=self.folder, env=env,
                              capture_output=True, text=True, timeout=timeout, **user)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} exited {done.returncode}:\n"
                               f"{done.stdout}{done.stderr}{self.log_tail()}")
        return done

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "\nserver log (end):\n" + "\n".join(text) if text else ""

    def init(self, fsync: bool) -> None:
        self.sockets.mkdir()
        if self.as_postgres:
            import pwd

            pw = pwd.getpwnam(POSTGRES_USER)
            for path in (self.folder, self.sockets):
                os.chown(path, pw.pw_uid, pw.pw_gid)
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--no-locale", "--no-sync")
        settings = {"listen_addresses": "'127.0.0.1'",
                    "unix_socket_directories": "'" + str(self.sockets).replace("'", "''") + "'",
                    "fsync": "on" if fsync else "off",
                    "synchronous_commit": "on" if fsync else "off",
                    "full_page_writes": "on" if fsync else "off"}
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# tests/pg_server.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        # connections from this machine only: the socket folder and 127.0.0.1
        (self.data / "pg_hba.conf").write_text("local all all trust\n"
                                               "host  all all 127.0.0.1/32 trust\n")

    def start(self, port: int) -> None:
        self.run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log),
                 "-o", f"-p {port}")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "stop", "-w", "-t", "60", "-D", str(self.data), "-m", "fast")
        except (RuntimeError, subprocess.TimeoutExpired):
            self.run("pg_ctl", "stop", "-w", "-t", "30", "-D", str(self.data), "-m", "immediate")


@contextlib.contextmanager
def postgres_server(base_dir: Path, *, database: str = "gradebook", fsync: bool = False
                    ) -> Iterator[str]:
    """Start a fresh PostgreSQL cluster, create ``database`` in it, yield its SQLAlchemy URL.

    ``postgresql+psycopg2://postgres@127.0.0.1:<port>/<database>``: superuser, no password.
    The server is stopped (``pg_ctl stop -m fast``) when the block ends, also on error, and
    its files are removed; its log is kept as ``base_dir/postgres.log``.  Raises RuntimeError
    (with the tool's output and the server log) when it cannot start -- check
    :func:`postgres_unavailable` first to skip instead.
    """
    reason = postgres_unavailable()
    if reason:
        raise RuntimeError(f"cannot start PostgreSQL: {reason}")
    import psycopg2

    base_dir = Path(base_dir)
    base_dir.mkdir(parents=True, exist_ok=True)
    # under root the server's user must reach the folder: a fresh one it owns, under /tmp
    folder = Path(tempfile.mkdtemp(prefix="dlcourse-pg-",
                                   dir=None if os.geteuid() == 0 else base_dir))
    cluster = _Cluster(folder, find_pg_bin())
    try:
        cluster.init(fsync)
        for attempt in range(_STARTS):
            port = _free_port()
            try:
                cluster.start(port)
                break
            except RuntimeError:
                if cluster.running() or attempt == _STARTS - 1:
                    raise
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{database}"')
        finally:
            conn.close()
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{database}"
    finally:
        try:
            if cluster.running():
                cluster.stop()
        finally:
            with contextlib.suppress(OSError):
                shutil.copyfile(cluster.log, base_dir / "postgres.log")
            shutil.rmtree(folder, ignore_errors=True)


def query(url: str, sql: str, *params) -> list[tuple]:
    """The rows ``sql`` (``%s`` placeholders for ``params``) returns in ``url``'s database,
    on a connection of its own (psycopg2, autocommit)."""
    import psycopg2
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                            dbname=u.database)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def wait_for_connections_closed(url: str, timeout: float = 10.0) -> int:
    """Wait (``timeout`` seconds at most) until no other session is connected to ``url``'s
    database; return how many still are (0: all closed).  For asserting on leaked connections."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    deadline = time.monotonic() + timeout
    while True:
        (others,), = query(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                                "AND pid <> pg_backend_pid()", database)
        if others == 0 or time.monotonic() > deadline:
            return others
        time.sleep(0.1)
