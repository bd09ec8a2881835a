"""nbgrader's metadata validation with the schema compiled once gives the same verdicts."""
from __future__ import annotations

import copy

import jsonschema
import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator, ValidationError, common

from dlcourse.autograder.fast_metadata import CompiledJsonSchema, install

from .support import ASSIGNMENTS


def _notebook():
    (path,) = sorted((ASSIGNMENTS / "a01_logistic_regression").glob("*.ipynb"))
    return nbformat.read(path, as_version=4)


def test_the_schema_is_checked_once_and_verdicts_do_not_change(monkeypatch):
    install()
    assert isinstance(common.jsonschema, CompiledJsonSchema)
    checked = []
    kind = jsonschema.validators.validator_for(MetadataValidator().schema)
    real = kind.check_schema
    monkeypatch.setattr(kind, "check_schema", classmethod(
        lambda cls, schema, *a, **k: (checked.append(1), real(schema, *a, **k))[1]))
    monkeypatch.setattr(common, "jsonschema", CompiledJsonSchema())
    nb = _notebook()
    for _ in range(3):
        MetadataValidator().validate_nb(nb)  # valid: no error
    assert len(checked) == 1

    broken = copy.deepcopy(nb)
    cell = next(c for c in broken.cells if c.metadata.get("nbgrader", {}).get("grade"))
    cell.metadata.nbgrader["points"] = "three"
    with pytest.raises(ValidationError) as fast:
        MetadataValidator().validate_nb(broken)
    monkeypatch.setattr(common, "jsonschema", jsonschema)
    with pytest.raises(ValidationError) as stock:
        MetadataValidator().validate_nb(broken)
    assert str(fast.value) == str(stock.value)
    assert "three" in str(fast.value)
