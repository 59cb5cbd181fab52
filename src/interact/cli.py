"""The ``interact`` command: one entry point for running, the worker and Django management.

``interact demo`` is what README's first command ends with: migrate, load demo data, then serve
HTTP + websockets (uvicorn) and run the job worker (huey) side by side until interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

USAGE = """usage: interact COMMAND
  demo              migrate, load demo data, serve on http://127.0.0.1:8000 with a job worker
  serve [--port N]  serve HTTP and websockets (uvicorn); production: several processes share Redis
  worker            run the job worker (huey)
  manage ARGS...    any Django management command
"""

DEMO_BANNER = """
  #Interact demo is running on http://127.0.0.1:8000   (Ctrl-C stops it)

  Portal   admin@demo.example       Administrator, Access Owner
           supervisor@demo.example  Supervisor
           agent@demo.example       Agent
           analyst@demo.example     Analyst
  Operator operator@demo.example    http://127.0.0.1:8000/operator/
  Website  a demo shop with the chat widget: http://127.0.0.1:8000/demo/site/
  Password for every demo account:  interact-demo
  E-mails sent by the demo are written to {mail_dir}
"""


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interact.settings")
    import django

    django.setup()


def manage(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interact.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["interact manage", *args])


def _uvicorn_args(port: str, host: str = "127.0.0.1") -> list[str]:
    """Chat frames are small: compressing them cost more CPU than it saved bytes (bench/)."""
    return [sys.executable, "-m", "uvicorn", "interact.asgi:application", "--host", host, "--port", port,
            "--no-access-log", "--ws-max-size", "65536", "--ws-per-message-deflate", "false"]


def demo() -> None:
    os.environ.setdefault("INTERACT_MODE", "embedded")
    _django_setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.PRODUCTION:
        sys.exit("interact demo refuses to run in production mode")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo")
    worker = None
    if settings.REDIS_URL:
        worker = subprocess.Popen([sys.executable, "-m", "interact.cli", "worker"])  # noqa: S603
    else:
        os.environ["INTERACT_INPROCESS_WORKER"] = "1"  # jobs must share the in-memory channel layer
    print(DEMO_BANNER.format(mail_dir=settings.EMAIL_FILE_PATH), flush=True)
    try:
        server = subprocess.Popen(_uvicorn_args("8000"))  # noqa: S603
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (worker, locals().get("server")):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE)
        return
    command, rest = args[0], args[1:]
    if command == "demo":
        demo()
    elif command == "serve":
        port = rest[rest.index("--port") + 1] if "--port" in rest else "8000"
        host = rest[rest.index("--host") + 1] if "--host" in rest else "127.0.0.1"
        os.execv(sys.executable, _uvicorn_args(port, host))  # noqa: S606
    elif command == "worker":
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interact.settings")
        django.setup()
        from interact.core.events import start_background_loop

        start_background_loop()
        manage(["run_huey", "--workers", os.environ.get("INTERACT_WORKER_THREADS", "4"), *rest])
    elif command == "manage":
        manage(rest)
    else:
        print(USAGE)
        sys.exit(2)


if __name__ == "__main__":
    main()
