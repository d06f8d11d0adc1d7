"""Where suggestions are worked out: in a child process (the annotator) or in the caller.

Both kinds answer :meth:`Worker.suggest` with a
:class:`~annotations.suggest.engine.SuggestResult`; the call blocks until
the answer is there, so the annotator makes it from a worker thread, never
from the thread that handles keys.

:class:`ProcessWorker` runs :mod:`annotations.suggest.service` as a child
process (``python -m annotations.suggest.service``, started on the first
request) that keeps the database open on a connection of its own and the
trained model in memory.  Training and predicting (scikit-learn, numpy: CPU
work that holds the GIL and 60 MB of imports) then never slow down the
process that paints and takes keys; the child runs at a lower priority
(``nice``) so it yields the CPU to it.  One JSON request per line on its
stdin, one JSON answer per line on its stdout.  The child ends when its
stdin closes (the annotator exits, or is killed) or :meth:`close` ends it.

:class:`InlineWorker` does the same work in the calling thread, on a
connection of its own (the CLI, and the tests).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from annotations.model import Label
from annotations.store import Store, StoreError
from annotations.suggest.engine import Suggester, Suggestion, SuggestResult
from annotations.suggest.settings import SuggestSettings

#: How much lower than the annotator the child process runs (``nice`` increment).
NICE = 10


class SuggestError(Exception):
    """Suggestions could not be worked out; the message says why (safe to show)."""


def labels_to_json(labels: Sequence[Label]) -> list[dict[str, Any]]:
    return [asdict(lb) | {"cues": list(lb.cues)} for lb in labels]


def labels_from_json(items: Sequence[dict[str, Any]]) -> list[Label]:
    return [Label(str(i["name"]), str(i["key"]), str(i["color"]), str(i["description"]),
                  tuple(str(c) for c in i["cues"])) for i in items]


def settings_from_json(data: dict[str, Any]) -> SuggestSettings:
    return SuggestSettings(cues=bool(data["cues"]), model=bool(data["model"]),
                           threshold=float(data["threshold"]),
                           train_on=tuple(str(n) for n in data["train_on"]),
                           retrain_every=int(data["retrain_every"]))


def result_to_json(result: SuggestResult) -> dict[str, Any]:
    return {"article_id": result.article_id, "text_sha256": result.text_sha256,
            "suggestions": [s.to_list() for s in result.suggestions],
            "model_note": result.model_note, "trained_on": result.trained_on}


def result_from_json(data: dict[str, Any]) -> SuggestResult:
    article_id = str(data["article_id"])
    return SuggestResult(article_id, str(data["text_sha256"]),
                         [Suggestion.from_list(article_id, s) for s in data["suggestions"]],
                         data.get("model_note"), int(data.get("trained_on", 0)))


class Worker:
    """What the annotator and the CLI ask for suggestions (see the module)."""

    def suggest(self, annotator: str, article_id: str, settings: SuggestSettings, *,
                retrain: bool = False, owner: str | None = None) -> SuggestResult:
        raise NotImplementedError

    def close(self) -> None:
        """Stop working (end the child process, close the connection)."""


class InlineWorker(Worker):
    """Works in the calling thread, on its own connection to ``db_path``."""

    def __init__(self, db_path: Path | str, labels: Sequence[Label], *, seed: int = 0) -> None:
        self.db_path = Path(db_path)
        self.labels = list(labels)
        self.seed = seed
        self._store: Store | None = None
        self._suggester: Suggester | None = None
        self._lock = threading.Lock()

    def suggester(self, settings: SuggestSettings) -> Suggester:
        if self._suggester is None:
            self._store = Store.open(self.db_path, create=False)
            self._suggester = Suggester(self._store, self.labels, settings, seed=self.seed)
        self._suggester.settings = settings
        return self._suggester

    def suggest(self, annotator: str, article_id: str, settings: SuggestSettings, *,
                retrain: bool = False, owner: str | None = None) -> SuggestResult:
        with self._lock:
            try:
                return self.suggester(settings).suggest(annotator, article_id,
                                                        retrain=retrain, owner=owner)
            except StoreError as e:
                raise SuggestError(str(e)) from e

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store = self._suggester = None


class ProcessWorker(Worker):
    """Works in a child process that keeps the model (see the module)."""

    def __init__(self, db_path: Path | str, labels: Sequence[Label], *, seed: int = 0) -> None:
        self.db_path = Path(db_path)
        self.labels = list(labels)
        self.seed = seed
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._next_id = 0

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stderr = tempfile.TemporaryFile()
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                   MKL_NUM_THREADS="1")
        process = subprocess.Popen(
            [sys.executable, "-m", "annotations.suggest.service"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env,
            close_fds=True,
        )
        self._process = process
        setup = {"db": str(self.db_path), "labels": labels_to_json(self.labels),
                 "seed": self.seed, "nice": NICE}
        self._send(process, setup)
        return process

    def _send(self, process: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
        assert process.stdin is not None
        process.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
        process.stdin.flush()

    def _failure(self, process: subprocess.Popen[bytes]) -> SuggestError:
        code = process.poll()
        detail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            detail = f": {lines[-1][:200]}" if lines else ""
        state = "stopped" if code is None else f"exited with status {code}"
        return SuggestError(f"the suggestion worker {state}{detail}")

    def suggest(self, annotator: str, article_id: str, settings: SuggestSettings, *,
                retrain: bool = False, owner: str | None = None) -> SuggestResult:
        with self._lock:
            if self._closed:
                raise SuggestError("suggestions are closed")
            process = self._start()
            self._next_id += 1
            request = {"id": self._next_id, "annotator": annotator, "article_id": article_id,
                       "settings": settings.to_dict(), "retrain": retrain, "owner": owner}
            try:
                self._send(process, request)
                assert process.stdout is not None
                line = process.stdout.readline()
            except (OSError, ValueError) as e:
                raise self._failure(process) from e
            if not line:
                raise self._failure(process)
            answer = json.loads(line)
            if "error" in answer:
                raise SuggestError(str(answer["error"]))
            return result_from_json(answer)

    def close(self) -> None:
        """End the child process (it also ends by itself when its stdin closes)."""
        self._closed = True
        process = self._process
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if self._stderr is not None:
            self._stderr.close()
