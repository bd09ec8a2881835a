"""a05 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them.
``HIDDEN_CHECKS`` draws new layer sizes at grading time (networks of 1 to 5
weight layers, consecutive sizes that differ so that a factor built from the
wrong layer shows); the functions seed numpy themselves, so the values follow.
The diagnoses are realistic wrong implementations; when a student's output
matches one, the report names the mistake.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a05_initialization as public

__all__ = ["initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he",
           "HIDDEN_CHECKS", "SIMULATED_MISTAKES"]


# ============================================================================================
# Reference implementation
# ============================================================================================

def initialize_parameters_zeros(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters[f"W{l}"] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return parameters


def _seeded(factor, *, draw="randn", transposed=False, seed_in_loop=False, random_biases=False,
            skip_last=False):
    """``seed(3)``, then for every layer ``W = draw(n_l, n_prev) * factor(layers_dims, l)``.

    The keyword arguments switch on one realistic mistake at a time.
    """
    def initialize(layers_dims):
        np.random.seed(3)
        parameters = {}
        last = len(layers_dims) - (1 if skip_last else 0)
        for l in range(1, last):
            if seed_in_loop:
                np.random.seed(3)
            rows, cols = layers_dims[l], layers_dims[l - 1]
            fn = np.random.randn if draw == "randn" else np.random.rand
            W = fn(cols, rows).T if transposed else fn(rows, cols)
            parameters[f"W{l}"] = W * factor(layers_dims, l)
            parameters[f"b{l}"] = (np.random.randn(rows, 1) * factor(layers_dims, l) if random_biases
                                   else np.zeros((rows, 1)))
        return parameters
    return initialize


def _ten(layers_dims, l):
    return 10


def _he_factor(layers_dims, l):
    return np.sqrt(2 / layers_dims[l - 1])


initialize_parameters_random = _seeded(_ten)
initialize_parameters_random.__name__ = "initialize_parameters_random"
initialize_parameters_he = _seeded(_he_factor)
initialize_parameters_he.__name__ = "initialize_parameters_he"


# ============================================================================================
# Hidden cases (rng: numpy Generator seeded at grading time)
# ============================================================================================

def _int(rng, low, high):
    """An int in [low, high]."""
    return int(rng.integers(low, high + 1))


def _dims(rng, n_layers: int) -> list[int]:
    """``n_layers + 1`` sizes, consecutive ones different (so n_l and n_prev cannot be mixed up)."""
    dims = [_int(rng, 1, 12)]
    for l in range(n_layers):
        high = 12 if l < n_layers - 1 else 3  # the output layer is small
        size = _int(rng, 1, high)
        while size == dims[-1]:
            size = _int(rng, 1, high)
        dims.append(size)
    return dims


def _cases(rng):
    shapes = [_dims(rng, 2), _dims(rng, 3), _dims(rng, _int(rng, 4, 5)), _dims(rng, 1)]
    shapes.append([_int(rng, 2, 6), 10, 5, 1])  # the notebook's network, another input size
    return [Case((dims,), label=f"layers_dims = {dims}") for dims in shapes]


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _zeros_transposed(layers_dims):
    return {k: (v.T if k.startswith("W") else v)
            for k, v in initialize_parameters_zeros(layers_dims).items()}


def _zeros_flat_biases(layers_dims):
    return {k: (v.ravel() if k.startswith("b") else v)
            for k, v in initialize_parameters_zeros(layers_dims).items()}


def _zeros_skip_last(layers_dims):
    return initialize_parameters_zeros(layers_dims[:-1])


def _zeros_from_layer_0(layers_dims):
    parameters = {}
    for l in range(0, len(layers_dims)):
        parameters[f"W{l}"] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return parameters


def _zeros_diagnoses():
    return [(_zeros_transposed, "W{l} must have shape (layers_dims[l], layers_dims[l - 1]): "
                                "rows for the units of layer l, columns for the previous layer"),
            (_zeros_flat_biases, "b{l} must be a column of shape (layers_dims[l], 1), not a flat "
                                 "vector"),
            (_zeros_from_layer_0, "the loop starts at l = 0; layer 0 is the input and has no "
                                  "parameters (start at l = 1)"),
            (_zeros_skip_last, "the last layer is missing: with L = len(layers_dims) - 1 the loop "
                               "is for l in range(1, L + 1)")]


def _seeded_diagnoses(factor):
    """Mistakes that do not depend on the scaling factor, for the two seeded initializations."""
    return [
        (_seeded(factor, transposed=True), "the draw is transposed: np.random.randn(layers_dims[l], "
                                           "layers_dims[l - 1]) gives the numbers in the right order"),
        (_seeded(factor, seed_in_loop=True), "np.random.seed(3) runs inside the loop: every layer "
                                             "restarts the same numbers; seed once, before the loop"),
        (_seeded(factor, draw="rand"), "np.random.rand is uniform on [0, 1); use np.random.randn "
                                       "(standard normal)"),
        (_seeded(factor, random_biases=True), "the biases are random: keep b{l} = np.zeros((n_l, 1)) "
                                              "(random weights alone break the symmetry)"),
        (_seeded(factor, skip_last=True), "the last layer is missing: the loop must reach "
                                          "l = len(layers_dims) - 1"),
    ]


def _scaled(factor_value):
    return _seeded(lambda layers_dims, l: factor_value)


HIDDEN_CHECKS = [
    dataclasses.replace(
        public.INITIALIZE_PARAMETERS_ZEROS, reference=initialize_parameters_zeros, cases=_cases,
        diagnoses=_zeros_diagnoses()),
    dataclasses.replace(
        public.INITIALIZE_PARAMETERS_RANDOM, reference=initialize_parameters_random, cases=_cases,
        diagnoses=[(_scaled(1), "the weights are not multiplied by 10 (this exercise makes them large "
                                "on purpose)"),
                   (_scaled(0.01), "the weights are multiplied by 0.01; this exercise multiplies by 10"),
                   (_seeded(_he_factor), "this is He initialization; here the factor is 10")]
        + _seeded_diagnoses(_ten)),
    dataclasses.replace(
        public.INITIALIZE_PARAMETERS_HE, reference=initialize_parameters_he, cases=_cases,
        diagnoses=[(_scaled(10), "W scaled by 10 instead of sqrt(2 / n_prev)"),
                   (_scaled(1), "the weights are not scaled: multiply by np.sqrt(2 / layers_dims[l - 1])"),
                   (_scaled(0.01), "W scaled by 0.01 instead of sqrt(2 / n_prev)"),
                   (_seeded(lambda d, l: np.sqrt(2 / d[l])),
                    "the factor uses the layer's own size: He scales by sqrt(2 / layers_dims[l - 1]), "
                    "the size of the previous layer"),
                   (_seeded(lambda d, l: np.sqrt(1 / d[l - 1])),
                    "sqrt(1 / n_prev) is Xavier initialization; He uses sqrt(2 / n_prev)"),
                   (_seeded(lambda d, l: 2 / d[l - 1]),
                    "the square root is missing: multiply by np.sqrt(2 / n_prev)"),
                   (_seeded(lambda d, l: np.sqrt(2) / d[l - 1]),
                    "np.sqrt(2) / n_prev: the square root must cover the whole fraction, "
                    "np.sqrt(2 / n_prev)"),
                   (_seeded(lambda d, l: np.sqrt(2 / d[l - 1] / d[l])),
                    "the factor divides by both layer sizes; He uses only the previous one: "
                    "sqrt(2 / layers_dims[l - 1])")]
        + _seeded_diagnoses(_he_factor)),
]

#: what the simulated "partial" student of ``dlcourse demo`` gets wrong: (function, old, new)
SIMULATED_MISTAKES = [
    ("initialize_parameters_he", "np.sqrt(2 / layers_dims[l - 1])", "np.sqrt(2 / layers_dims[l])"),
]
