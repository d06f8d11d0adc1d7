"""The suggestion worker's child process: ``python -m annotations.suggest.service``.

Reads JSON lines on stdin and answers each on stdout (see
:class:`~annotations.suggest.worker.ProcessWorker`, which starts it):

* the first line sets it up: ``{"db": PATH, "labels": [...], "seed": N, "nice": N}``;
* each next line is a request ``{"id", "annotator", "article_id", "settings",
  "retrain", "owner"}``, answered by the article's suggestions
  (``{"id", "article_id", "text_sha256", "suggestions", "model_note",
  "trained_on"}``) or ``{"id", "error": "one line"}``.

It keeps one :class:`~annotations.suggest.worker.InlineWorker` (a connection of
its own, the model in memory) and ends when stdin closes.  Warnings go
nowhere: the annotator shows only the one-line errors.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from typing import IO, Any

from annotations.suggest.worker import (
    InlineWorker,
    SuggestError,
    labels_from_json,
    result_to_json,
    settings_from_json,
)


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> int:
    first = stdin.readline()
    if not first:
        return 0
    setup = json.loads(first)
    nice = int(setup.get("nice", 0))
    if nice:
        try:
            os.nice(nice)
        except OSError:
            pass
    worker = InlineWorker(setup["db"], labels_from_json(setup["labels"]),
                          seed=int(setup.get("seed", 0)))
    try:
        for line in stdin:
            request = json.loads(line)
            answer: dict[str, Any]
            try:
                result = worker.suggest(str(request["annotator"]), str(request["article_id"]),
                                        settings_from_json(request["settings"]),
                                        retrain=bool(request.get("retrain")),
                                        owner=request.get("owner"))
                answer = result_to_json(result)
            except SuggestError as e:
                answer = {"error": str(e)}
            except Exception as e:  # noqa: BLE001 - one bad request must not end the worker
                answer = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
            answer["id"] = request.get("id")
            stdout.write(json.dumps(answer).encode("utf-8") + b"\n")
            stdout.flush()
    finally:
        worker.close()
    return 0


def main() -> int:
    warnings.simplefilter("ignore")
    return serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    raise SystemExit(main())
