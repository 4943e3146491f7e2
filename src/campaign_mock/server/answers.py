"""Answers are computed once and kept as bytes. The world never changes, so the same
request (path, query string, the headers that matter) always gets the same answer: caching
them is what lets the mock keep up with a bare Flask app serving precomputed bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable

from flask import Response

from campaign_mock.server.errors import LevelUpFailure, SpaazaFailure, json_response, levelup_response, spaaza_response


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, response: Response) -> "Answer":
        headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in ("content-length",))
        return cls(response.status_code, response.get_data(), headers)

    def response(self) -> Response:
        return Response(self.body, status=self.status, headers=self.headers)


class AnswerCache:
    """A bounded memo: when full, the oldest entry goes (dicts keep insertion order)."""

    def __init__(self, size: int):
        self.size = size
        self._answers: dict[Hashable, Answer] = {}

    def answer(self, key: Hashable, compute: Callable[[], object]) -> Response:
        hit = self._answers.get(key)
        if hit is None:
            hit = Answer.of(_render(compute))
            if len(self._answers) >= self.size:
                del self._answers[next(iter(self._answers))]
            self._answers[key] = hit
        return hit.response()

    def __len__(self) -> int:
        return len(self._answers)


def _render(compute: Callable[[], object]) -> Response:
    """Run a view body: its JSON result is a 200; a vendor failure is the vendor's error."""
    try:
        body = compute()
    except SpaazaFailure as e:
        return spaaza_response(e.error)
    except LevelUpFailure as e:
        return levelup_response(e.error.key)
    return json_response(body, 200)
