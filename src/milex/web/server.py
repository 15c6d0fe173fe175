"""``milex serve``: the web application on one socket of this machine, with uvicorn.

The socket is bound here, before uvicorn starts, so that a port in use or a host that is not
this machine's is one clear error instead of uvicorn's log lines and exit.
"""

from __future__ import annotations

import ipaddress
import socket
import threading

from milex.errors import InputError, MilexError, shown


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port``; a port in use or a host that is not an
    address of this machine gives a one-line :class:`InputError` with what to do."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(
            f"host {shown(host)} is not a name or address of this machine ({exc}); "
            "use 127.0.0.1 (this machine only, the default) or 0.0.0.0 (every network)"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == 98:  # EADDRINUSE
            raise InputError(
                f"port {port} on {host} is in use by another program: choose another with "
                f"--port, e.g. --port {port + 1 if port < 65535 else 8000}"
            ) from None
        raise InputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; ports below 1024 need "
            "administrator rights, e.g. --port 8000"
        ) from None
    sock.listen(2048)
    return sock


def warm() -> None:
    """Work out the figures of the slowest pages (every year's status, the Russia comparison,
    the default munitions run: ~5 s together) so that the first visitor does not wait; a
    store that cannot be opened is left for the pages to report."""
    from milex.web import views

    try:
        views.statuses()
        views.comparison()
        views.scenario(())
    except MilexError:
        pass


def run(sock: socket.socket) -> None:
    """Serve the milex application on a socket from :func:`bind` until interrupted (Ctrl+C),
    the slowest pages' figures worked out in the background meanwhile (:func:`warm`)."""
    import uvicorn

    from milex.web.app import create_app

    # not a daemon: a DuckDB query cut off by the interpreter's exit aborts the process
    threading.Thread(target=warm, name="milex-warm").start()
    config = uvicorn.Config(create_app(), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
