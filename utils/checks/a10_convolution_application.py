"""Public checks of a10 (convolutional networks with Keras): the summary tables of the course.

Both graded functions return a Keras model.  The visible checks compare the model's summary
table, layer by layer, in the original course's format (``[class name, output shape,
parameters, extras...]``, see :func:`dlcourse.utils.conv_application.summary_rows`), and its
parameter totals, with the values the course printed.  A Sequential and a functional model
of the same layers give the same table.

The expected tables below are the course's; the tables of the known mistakes (a layer in the
wrong place, 'valid' padding, a wrong activation, ...) were computed once from the wrong
models and are stored as data.  Nothing here builds a model.
"""
from __future__ import annotations

from dlcourse.autograder.checks import Case, FunctionCheck, public_check
from dlcourse.utils.conv_application import (explain_summary, functional_summary,
                                             sequential_summary)

__all__ = ["check_happyModel", "check_convolutional_model", "HAPPY_MODEL", "CONVOLUTIONAL_MODEL",
           "HAPPY_SUMMARY", "CONV_SUMMARY", "CONV_SUMMARY_2", "CONV_INPUT_SHAPE_2", "NO_INPUT"]

#: a Sequential model without keras.Input cannot say its shapes or count its parameters
NO_INPUT = (r"isn't built|has no defined inputs",
            "the model does not know the shape of its input: start it with keras.Input(shape=...)")

# summary tables hold ints and strings only: they must agree exactly
HAPPY_MODEL = FunctionCheck("happyModel", rtol=0.0, atol=0.0, probe=sequential_summary,
                            explain=explain_summary, error_hints=[NO_INPUT])
CONVOLUTIONAL_MODEL = FunctionCheck("convolutional_model", rtol=0.0, atol=0.0,
                                    probe=functional_summary, explain=explain_summary,
                                    error_hints=[NO_INPUT])

_GLOROT = "GlorotUniform"


def _table(rows: list, trainable: int, non_trainable: int = 0) -> dict:
    """A summary table as the probes return it: ``layer 1``, ``layer 2``, ... then the totals."""
    table: dict = {f"layer {k}": list(row) for k, row in enumerate(rows, 1)}
    table["total params"] = trainable + non_trainable
    table["trainable params"] = trainable
    table["non-trainable params"] = non_trainable
    return table


def _rows(table: dict) -> list:
    return [list(row) for key, row in table.items() if key.startswith("layer ")]


def _with_rows(table: dict, changes: dict, trainable: int | None = None,
               non_trainable: int | None = None) -> dict:
    """``table`` with some rows replaced (``{number: row}``) and, if given, other totals."""
    rows = _rows(table)
    for number, row in changes.items():
        rows[number - 1] = row
    return _table(rows, table["trainable params"] if trainable is None else trainable,
                  table["non-trainable params"] if non_trainable is None else non_trainable)


# --------------------------------------------------------------------------------------------
# happyModel: the course's expected summary (37,633 parameters: 37,569 trainable, 64 not)
# --------------------------------------------------------------------------------------------

_HAPPY_ROWS = [
    ["ZeroPadding2D", (None, 70, 70, 3), 0, ((3, 3), (3, 3))],
    ["Conv2D", (None, 64, 64, 32), 4736, "valid", "linear", _GLOROT],
    ["BatchNormalization", (None, 64, 64, 32), 128],
    ["ReLU", (None, 64, 64, 32), 0],
    ["MaxPooling2D", (None, 32, 32, 32), 0, (2, 2), (2, 2), "valid"],
    ["Flatten", (None, 32768), 0],
    ["Dense", (None, 1), 32769, "sigmoid"],
]
HAPPY_SUMMARY = _table(_HAPPY_ROWS, trainable=37569, non_trainable=64)

_HAPPY_MISTAKES = [
    (_with_rows(HAPPY_SUMMARY, {3: _HAPPY_ROWS[3], 4: _HAPPY_ROWS[2]}),
     "ReLU comes before BatchNormalization: normalize the convolution's output first, then "
     "apply the ReLU"),
    (_with_rows(HAPPY_SUMMARY, {3: ["BatchNormalization", (None, 64, 64, 32), 256]},
                trainable=37633, non_trainable=128),
     "BatchNormalization normalizes axis 1 (the rows of the image): it has 4 x 64 parameters, "
     "one set per row; use axis=3, the 32 channels"),
    (_table(_HAPPY_ROWS[:2] + _HAPPY_ROWS[3:], trainable=37505),
     "BatchNormalization is missing: it comes right after the Conv2D, before the ReLU"),
    (_with_rows(HAPPY_SUMMARY, {7: ["Dense", (None, 1), 32769, "softmax"]}),
     "the last Dense uses softmax: over a single unit softmax is always 1; a yes/no output "
     "needs activation='sigmoid'"),
    (_with_rows(HAPPY_SUMMARY, {7: ["Dense", (None, 1), 32769, "linear"]}),
     "the last Dense has no activation: add activation='sigmoid'"),
    (_table([_HAPPY_ROWS[0],
             ["Conv2D", (None, 68, 68, 32), 896, "valid", "linear", _GLOROT],
             ["BatchNormalization", (None, 68, 68, 32), 128],
             ["ReLU", (None, 68, 68, 32), 0],
             ["MaxPooling2D", (None, 34, 34, 32), 0, (2, 2), (2, 2), "valid"],
             ["Flatten", (None, 36992), 0],
             ["Dense", (None, 1), 36993, "sigmoid"]], trainable=37953, non_trainable=64),
     "the Conv2D filters are 3x3: the notebook asks for 7x7, kernel_size=(7, 7)"),
    (_table([_HAPPY_ROWS[0],
             ["Conv2D", (None, 32, 32, 32), 4736, "valid", "linear", _GLOROT],
             ["BatchNormalization", (None, 32, 32, 32), 128],
             ["ReLU", (None, 32, 32, 32), 0],
             ["MaxPooling2D", (None, 16, 16, 32), 0, (2, 2), (2, 2), "valid"],
             ["Flatten", (None, 8192), 0],
             ["Dense", (None, 1), 8193, "sigmoid"]], trainable=12993, non_trainable=64),
     "the Conv2D moves by 2 pixels: the notebook asks for strides=(1, 1)"),
    (_table([["Conv2D", (None, 58, 58, 32), 4736, "valid", "linear", _GLOROT],
             ["BatchNormalization", (None, 58, 58, 32), 128],
             ["ReLU", (None, 58, 58, 32), 0],
             ["MaxPooling2D", (None, 29, 29, 32), 0, (2, 2), (2, 2), "valid"],
             ["Flatten", (None, 26912), 0],
             ["Dense", (None, 1), 26913, "sigmoid"]], trainable=31713, non_trainable=64),
     "ZeroPadding2D is missing: pad the input by 3 on every side first, "
     "ZeroPadding2D(padding=(3, 3))"),
]


def check_happyModel(fn) -> None:
    """``happyModel()``: the course's summary table, row by row, and its parameter totals."""
    public_check(fn, HAPPY_MODEL, [Case((), expected=HAPPY_SUMMARY, label="happyModel()",
                                        known_mistakes=_HAPPY_MISTAKES)])


# --------------------------------------------------------------------------------------------
# convolutional_model: the course's expected summary for (64, 64, 3) (1,310 parameters) and
# the table for a second input shape, (40, 72, 1) (recomputed)
# --------------------------------------------------------------------------------------------

_CONV_ROWS = [
    ["InputLayer", [(None, 64, 64, 3)], 0],
    ["Conv2D", (None, 64, 64, 8), 392, "same", "linear", _GLOROT],
    ["ReLU", (None, 64, 64, 8), 0],
    ["MaxPooling2D", (None, 8, 8, 8), 0, (8, 8), (8, 8), "same"],
    ["Conv2D", (None, 8, 8, 16), 528, "same", "linear", _GLOROT],
    ["ReLU", (None, 8, 8, 16), 0],
    ["MaxPooling2D", (None, 2, 2, 16), 0, (4, 4), (4, 4), "same"],
    ["Flatten", (None, 64), 0],
    ["Dense", (None, 6), 390, "softmax"],
]
CONV_SUMMARY = _table(_CONV_ROWS, trainable=1310)

CONV_INPUT_SHAPE_2 = (40, 72, 1)
_CONV_ROWS_2 = [
    ["InputLayer", [(None, 40, 72, 1)], 0],
    ["Conv2D", (None, 40, 72, 8), 136, "same", "linear", _GLOROT],
    ["ReLU", (None, 40, 72, 8), 0],
    ["MaxPooling2D", (None, 5, 9, 8), 0, (8, 8), (8, 8), "same"],
    ["Conv2D", (None, 5, 9, 16), 528, "same", "linear", _GLOROT],
    ["ReLU", (None, 5, 9, 16), 0],
    ["MaxPooling2D", (None, 2, 3, 16), 0, (4, 4), (4, 4), "same"],
    ["Flatten", (None, 96), 0],
    ["Dense", (None, 6), 582, "softmax"],
]
CONV_SUMMARY_2 = _table(_CONV_ROWS_2, trainable=1246)

_VALID_CONV = ("a Conv2D uses padding='valid' (the default): both convolutions ask for "
               "padding='same'")
_VALID_POOL = ("a MaxPool2D uses padding='valid' (the default): both pooling layers ask for "
               "padding='same'")
_SIGMOID = ("the last Dense uses sigmoid: six classes of which exactly one is right need "
            "activation='softmax'")
_LINEAR = "the last Dense has no activation: add activation='softmax'"

_CONV_MISTAKES = [
    (_with_rows(CONV_SUMMARY, {2: ["Conv2D", (None, 61, 61, 8), 392, "valid", "linear", _GLOROT],
                               3: ["ReLU", (None, 61, 61, 8), 0],
                               5: ["Conv2D", (None, 7, 7, 16), 528, "valid", "linear", _GLOROT],
                               6: ["ReLU", (None, 7, 7, 16), 0]}), _VALID_CONV),
    (_with_rows(CONV_SUMMARY, {4: ["MaxPooling2D", (None, 8, 8, 8), 0, (8, 8), (8, 8), "valid"],
                               7: ["MaxPooling2D", (None, 2, 2, 16), 0, (4, 4), (4, 4), "valid"]}),
     _VALID_POOL),
    (_table([_CONV_ROWS[0],
             ["Conv2D", (None, 61, 61, 8), 392, "valid", "linear", _GLOROT],
             ["ReLU", (None, 61, 61, 8), 0],
             ["MaxPooling2D", (None, 7, 7, 8), 0, (8, 8), (8, 8), "valid"],
             ["Conv2D", (None, 6, 6, 16), 528, "valid", "linear", _GLOROT],
             ["ReLU", (None, 6, 6, 16), 0],
             ["MaxPooling2D", (None, 1, 1, 16), 0, (4, 4), (4, 4), "valid"],
             ["Flatten", (None, 16), 0],
             ["Dense", (None, 6), 102, "softmax"]], trainable=1022),
     "every layer uses padding='valid' (the default): the notebook asks for padding='same' in "
     "all four"),
    (_with_rows(CONV_SUMMARY, {9: ["Dense", (None, 6), 390, "sigmoid"]}), _SIGMOID),
    (_with_rows(CONV_SUMMARY, {9: ["Dense", (None, 6), 390, "linear"]}), _LINEAR),
    (_with_rows(CONV_SUMMARY, {2: ["Conv2D", (None, 64, 64, 8), 104, "same", "linear", _GLOROT],
                               5: ["Conv2D", (None, 8, 8, 16), 2064, "same", "linear", _GLOROT]},
                trainable=2558),
     "the kernel sizes are swapped: the first Conv2D has 4x4 filters, the second 2x2"),
    (_with_rows(CONV_SUMMARY, {4: ["MaxPooling2D", (None, 64, 64, 8), 0, (8, 8), (1, 1), "same"],
                               5: ["Conv2D", (None, 64, 64, 16), 528, "same", "linear", _GLOROT],
                               6: ["ReLU", (None, 64, 64, 16), 0],
                               7: ["MaxPooling2D", (None, 64, 64, 16), 0, (4, 4), (1, 1), "same"],
                               8: ["Flatten", (None, 65536), 0],
                               9: ["Dense", (None, 6), 393222, "softmax"]}, trainable=394142),
     "the MaxPool2D windows move by 1: each pool moves by its own size, strides=(8, 8) then "
     "strides=(4, 4)"),
    (_table([r for r in _CONV_ROWS if r[0] != "ReLU"], trainable=1310),
     "the ReLU layers are missing: one follows each Conv2D"),
]

_CONV_MISTAKES_2 = [
    (CONV_SUMMARY, "the input shape is hard-coded to (64, 64, 3): build the model on the "
                   "argument, keras.Input(shape=input_shape)"),
    (_with_rows(CONV_SUMMARY_2, {4: ["MaxPooling2D", (None, 5, 9, 8), 0, (8, 8), (8, 8), "valid"],
                                 7: ["MaxPooling2D", (None, 1, 2, 16), 0, (4, 4), (4, 4), "valid"],
                                 8: ["Flatten", (None, 32), 0],
                                 9: ["Dense", (None, 6), 198, "softmax"]}, trainable=862),
     _VALID_POOL),
    (_with_rows(CONV_SUMMARY_2, {9: ["Dense", (None, 6), 582, "sigmoid"]}), _SIGMOID),
    (_with_rows(CONV_SUMMARY_2, {9: ["Dense", (None, 6), 582, "linear"]}), _LINEAR),
]


def check_convolutional_model(fn) -> None:
    """``convolutional_model((64, 64, 3))``, the course's table, then ``(40, 72, 1)``: the model
    must be built on the shape it is given."""
    public_check(fn, CONVOLUTIONAL_MODEL, [
        Case(((64, 64, 3),), expected=CONV_SUMMARY, label="convolutional_model((64, 64, 3))",
             known_mistakes=_CONV_MISTAKES),
        Case((CONV_INPUT_SHAPE_2,), expected=CONV_SUMMARY_2,
             label=f"convolutional_model({CONV_INPUT_SHAPE_2}): another input shape",
             known_mistakes=_CONV_MISTAKES_2),
    ])
