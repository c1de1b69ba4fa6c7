"""The web shell's own overhead: /healthz and the home page through a real uvicorn server,
against a bare Starlette app answering the same route on the same machine (the floor)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.common import summary, timed

BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
app = Starlette(routes=[Route('/healthz', lambda r: PlainTextResponse('ok'))])
"""


def _serve(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def _load(url: str, clients: int = 8, per_client: int = 200) -> tuple[list[float], float]:
    with httpx.Client() as client:

        def run(_: int) -> list[float]:
            return timed(lambda: client.get(url), per_client)

        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            samples = [s for chunk in pool.map(run, range(clients)) for s in chunk]
        return samples, len(samples) / (time.perf_counter() - start)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATI_DATA_DIR": tmp, "DATI_LOG_LEVEL": "warning"}
        subprocess.run(
            [sys.executable, "-c", "from dati.cli import app; app()", "init", "--data-dir", tmp],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [sys.executable, "-c", "from dati.cli import app; app()", "demo", "--data-dir", tmp],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        bare_path = os.path.join(tmp, "bare_app.py")
        with open(bare_path, "w") as fh:
            fh.write(BARE_APP)
        dati = _serve(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "dati.web.asgi:app",
                "--port",
                "8765",
                "--log-level",
                "warning",
            ],
            env,
            8765,
        )
        bare = _serve(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bare_app:app",
                "--app-dir",
                tmp,
                "--port",
                "8766",
                "--log-level",
                "warning",
            ],
            env,
            8766,
        )
        try:
            for label, url in [
                ("dati /healthz", "http://127.0.0.1:8765/healthz"),
                ("bare /healthz", "http://127.0.0.1:8766/healthz"),
                ("dati home page", "http://127.0.0.1:8765/"),
            ]:
                samples, rps = _load(url)
                print(f"{label}: {summary(samples)}, {rps:.0f} req/s at 8 clients")
        finally:
            dati.terminate()
            bare.terminate()
