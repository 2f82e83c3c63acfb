"""Gunicorn serving ``issuer.create_app()`` from the installed package (run by ``issuer serve``).

Gunicorn's own command line puts the current directory first on ``sys.path`` and reads a
``gunicorn.conf.py`` and ``$GUNICORN_CMD_ARGS`` from wherever it is started, so serving from a
checkout could import that checkout's ``issuer/`` instead of the installed one, or pick up
stray settings. This application takes its settings from ``issuer serve`` only, and the
process is started with ``python -P`` (no current directory on ``sys.path``). Gunicorn's
control socket (25.1+: one ``$HOME/.gunicorn/gunicorn.ctl`` that every server of the user
would share) is off.

    python -P -m issuer.cli.serving HOST:PORT WORKERS
"""

from __future__ import annotations

import sys

from gunicorn.app.base import BaseApplication


class IssuerApplication(BaseApplication):
    """The issuer's WSGI app under gunicorn, with exactly the settings given."""

    def __init__(self, settings: dict[str, object]) -> None:
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._settings.items():
            if name in self.cfg.settings:  # control_socket_disable is new in gunicorn 25.1
                self.cfg.set(name, value)

    def load(self):
        from issuer import create_app

        return create_app()


def main(argv: list[str]) -> None:
    bind, workers = argv
    IssuerApplication({"bind": bind, "workers": int(workers), "accesslog": "-",
                       "control_socket_disable": True}).run()


if __name__ == "__main__":
    main(sys.argv[1:])
