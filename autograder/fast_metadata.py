"""nbgrader's cell-metadata validation with its JSON schema compiled once per process.

nbgrader 0.9.6 validates every cell's ``nbgrader`` metadata with ``jsonschema.validate``, which
checks the *schema itself* again on every call: about 0.35 s per notebook, twice per autograde
(``CheckCellMetadata`` runs in the sanitize and the autograde steps) -- a tenth of the time of a
numpy-track submission.  :func:`install` gives nbgrader's validator module a stand-in for
``jsonschema`` whose ``validate`` checks each schema once and then reuses its validator.  The
result is the same: the same schema, the same instance, the same error
(``jsonschema.exceptions.best_match``, as ``jsonschema.validate`` raises).
"""
from __future__ import annotations

import json
import threading

import jsonschema
from jsonschema.exceptions import best_match

__all__ = ["install", "CompiledJsonSchema"]


class CompiledJsonSchema:
    """``jsonschema`` with a caching ``validate``; every other name is the real module's."""

    def __init__(self):
        self._validators: dict[str, object] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(jsonschema, name)

    def validate(self, instance, schema, cls=None, *args, **kwargs):
        if cls is not None or args or kwargs:
            return jsonschema.validate(instance, schema, cls, *args, **kwargs)
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            with self._lock:
                kind = jsonschema.validators.validator_for(schema)
                kind.check_schema(schema)
                validator = self._validators.setdefault(key, kind(schema))
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            raise error


def install() -> None:
    """Make nbgrader's metadata validator use :class:`CompiledJsonSchema` (idempotent)."""
    from nbgrader.nbgraderformat import common

    if not isinstance(common.jsonschema, CompiledJsonSchema):
        common.jsonschema = CompiledJsonSchema()
