"""Public checks of a09 (convolution, step by step): test cases and expected values.

Every ``*_test_case()`` rebuilds the inputs of the original course from the same seeds, in
the same draw order (``np.random.RandomState(seed)`` gives the numbers ``np.random.seed(seed)``
+ ``np.random.randn`` give, without touching the global generator).  The expected values are
the course's printed outputs; where a check shows more than the course printed (a slice of
another case, the mean of a gradient) the value was recomputed once and is stored here.

Most results are large arrays, so the checks compare a *summary* of each result -- its
shape, its mean, the slice the course printed, the cache written with names -- computed the
same way from the student's result and from the stored expected values.  The hidden checks
compare whole results.

The input ``dZ`` of the ``conv_backward`` case is the output ``Z`` of the course's
``conv_forward`` case; it is stored below as data, because computing it here would put a
working convolution into the package every student installs.

Nothing here computes a graded function's answer.
"""
from __future__ import annotations

import base64
import dataclasses
import zlib

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check

__all__ = [
    "zero_pad_test_case", "zero_pad_test_case_2", "conv_single_step_test_case",
    "conv_single_step_test_case_2", "conv_forward_test_case", "conv_forward_test_case_2",
    "pool_forward_test_case", "pool_forward_shape_cases", "conv_backward_test_case",
    "create_mask_from_window_test_case", "pool_backward_test_case",
    "check_zero_pad", "check_conv_single_step", "check_conv_forward", "check_pool_forward",
    "check_conv_backward", "check_create_mask_from_window", "check_distribute_value",
    "check_pool_backward", "check_conv_forward_fast", "check_pool_forward_fast",
]


# --------------------------------------------------------------------------------------------
# Test cases (seeds and draw order of the original course)
# --------------------------------------------------------------------------------------------

def zero_pad_test_case() -> tuple[np.ndarray, int]:
    """Seed 1: ``x`` (4, 3, 3, 2), pad 3."""
    return np.random.RandomState(1).randn(4, 3, 3, 2), 3


def zero_pad_test_case_2() -> tuple[np.ndarray, int]:
    """Seed 1: ``x`` (5, 4, 4, 3), pad 2."""
    return np.random.RandomState(1).randn(5, 4, 4, 3), 2


def conv_single_step_test_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seed 1: ``a_slice_prev`` (4, 4, 3), then ``W`` (4, 4, 3), then ``b`` (1, 1, 1)."""
    rng = np.random.RandomState(1)
    return rng.randn(4, 4, 3), rng.randn(4, 4, 3), rng.randn(1, 1, 1)


def conv_single_step_test_case_2() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seed 3: ``a_slice_prev`` (5, 5, 3), then ``W`` (5, 5, 3), then ``b`` (1, 1, 1)."""
    rng = np.random.RandomState(3)
    return rng.randn(5, 5, 3), rng.randn(5, 5, 3), rng.randn(1, 1, 1)


def conv_forward_test_case() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Seed 1: ``A_prev`` (2, 5, 7, 4), ``W`` (3, 3, 4, 8), ``b`` (1, 1, 1, 8); pad 1, stride 2."""
    rng = np.random.RandomState(1)
    A_prev = rng.randn(2, 5, 7, 4)
    W = rng.randn(3, 3, 4, 8)
    b = rng.randn(1, 1, 1, 8)
    return A_prev, W, b, {"pad": 1, "stride": 2}


def conv_forward_test_case_2() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, dict]]:
    """Seed 3: ``A_prev`` (2, 5, 7, 4), ``W`` (3, 3, 4, 8), ``b`` (1, 1, 1, 8), then a second
    ``W`` (5, 5, 4, 8) and ``b`` (1, 1, 1, 8).  Three layers on the same ``A_prev``: the 3x3
    filters with pad 3, stride 1 and with pad 0, stride 2; the 5x5 filters with pad 6, stride 1."""
    rng = np.random.RandomState(3)
    A_prev = rng.randn(2, 5, 7, 4)
    W, b = rng.randn(3, 3, 4, 8), rng.randn(1, 1, 1, 8)
    W5, b5 = rng.randn(5, 5, 4, 8), rng.randn(1, 1, 1, 8)
    return [(A_prev, W, b, {"pad": 3, "stride": 1}), (A_prev, W, b, {"pad": 0, "stride": 2}),
            (A_prev, W5, b5, {"pad": 6, "stride": 1})]


def pool_forward_test_case() -> np.ndarray:
    """Seed 1: ``A_prev`` (2, 5, 5, 3)."""
    return np.random.RandomState(1).randn(2, 5, 5, 3)


def pool_forward_shape_cases() -> list[tuple[np.ndarray, dict, str]]:
    """Two layers whose output *shape* is checked (the course drew them unseeded; seeds 2 and 3
    here): (2, 5, 7, 3) with f = 2, stride 2, average; (4, 5, 7, 4) with f = 5, stride 1, max."""
    return [(np.random.RandomState(2).randn(2, 5, 7, 3), {"stride": 2, "f": 2}, "average"),
            (np.random.RandomState(3).randn(4, 5, 7, 4), {"stride": 1, "f": 5}, "max")]


def conv_backward_test_case() -> tuple[np.ndarray, tuple]:
    """Seed 1: ``A_prev`` (10, 4, 4, 3), ``W`` (2, 2, 3, 8), ``b`` (1, 1, 1, 8); pad 2, stride 2.

    As in the course, ``dZ`` is the output ``Z`` of ``conv_forward`` on these inputs (stored
    here, shape (10, 4, 4, 8)) and the cache is ``(A_prev, W, b, hparameters)``.
    """
    rng = np.random.RandomState(1)
    A_prev = rng.randn(10, 4, 4, 3)
    W = rng.randn(2, 2, 3, 8)
    b = rng.randn(1, 1, 1, 8)
    dZ = np.frombuffer(zlib.decompress(base64.b64decode("".join(_CONV_BACKWARD_DZ))), dtype="<f8")
    return dZ.reshape(10, 4, 4, 8).astype(np.float64), (A_prev, W, b, {"pad": 2, "stride": 2})


def create_mask_from_window_test_case() -> np.ndarray:
    """Seed 1: ``x`` (2, 3)."""
    return np.random.RandomState(1).randn(2, 3)


def pool_backward_test_case() -> tuple[np.ndarray, tuple]:
    """Seed 1: ``A_prev`` (5, 5, 3, 2), then ``dA`` (5, 4, 2, 2); f = 2, stride 1.

    The cache is ``(A_prev, hparameters)``, what ``pool_forward`` returns; ``dA`` has the shape
    of that layer's output.
    """
    rng = np.random.RandomState(1)
    A_prev = rng.randn(5, 5, 3, 2)
    hparameters = {"stride": 1, "f": 2}
    dA = rng.randn(5, 4, 2, 2)
    return dA, (A_prev, hparameters)


# --------------------------------------------------------------------------------------------
# How results are compared
# --------------------------------------------------------------------------------------------

def _named(*names):
    """A result tuple -> a dict with these names (clearer messages: result['dW'], not result[1])."""
    def named(result):
        if isinstance(result, dict):
            return result
        if not isinstance(result, (tuple, list)) or len(result) != len(names):
            raise ValueError(f"return the {len(names)} values ({', '.join(names)}), in this order")
        return dict(zip(names, result))
    return named


def _layout(value, known) -> str:
    """A cache written with names: ``(A_prev, W, b, hparameters)``.

    An array (or dict) is named after the first entry of ``known`` it equals; any other
    array is written ``array 2x7x9x4``.  Tuples and lists are both written ``( )``.
    """
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_layout(v, known) for v in value) + ")"
    for name, item in known:
        if isinstance(item, dict) and isinstance(value, dict) and value == item:
            return name
        if isinstance(item, np.ndarray) and isinstance(value, np.ndarray) and \
                value.shape == item.shape and value.dtype.kind in "biuf" and \
                np.allclose(value, item, rtol=1e-6, atol=1e-8):
            return name
    if isinstance(value, np.ndarray):
        return "array " + "x".join(str(n) for n in value.shape)
    return type(value).__name__


def _array(value, what: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{what} is {type(value).__name__}, not a numpy array")
    return value


def _shape(array: np.ndarray) -> str:
    """``'(2, 3, 4, 8)'``: a shape as one string (printed and compared as a whole)."""
    return str(tuple(int(n) for n in array.shape))


def _part(array: np.ndarray, index: tuple):
    """``array[index]``, or None when the array is too small for that index."""
    try:
        return np.array(array[index], dtype=float)
    except (IndexError, TypeError, ValueError):
        return None


def _with_part(summary: dict, key: str, array: np.ndarray, index: tuple) -> dict:
    """Add ``key: array[index]`` when that entry exists (for the expected value: when the
    course's output is large enough to have it)."""
    part = _part(array, index)
    if part is not None:
        summary[key] = part
    return summary


ZERO_PAD = FunctionCheck("zero_pad", rtol=1e-7, atol=1e-12)
#: numpy 2 refuses float() of an array with ndim > 0 (the original course used float(b))
_FLOAT_OF_ARRAY = (r"only 0-dimensional arrays can be converted|only length-1 arrays",
                   "float(b) fails on numpy 2 when b has shape (1, 1, 1): use b.item() (or "
                   "np.squeeze(b)) to get the number")
_BIAS_OF_ALL_FILTERS = (r"can only convert an array of size 1",
                        "b.item() got more than one number: pass the bias of filter c alone, "
                        "b[:, :, :, c] (shape (1, 1, 1))")
CONV_SINGLE_STEP = FunctionCheck("conv_single_step", rtol=1e-9, atol=1e-12, error_hints=[_FLOAT_OF_ARRAY])
CONV_FORWARD = FunctionCheck("conv_forward", rtol=1e-6, atol=1e-8, transform=_named("Z", "cache"),
                             error_hints=[_BIAS_OF_ALL_FILTERS, _FLOAT_OF_ARRAY])
POOL_FORWARD = FunctionCheck("pool_forward", rtol=1e-6, atol=1e-8, transform=_named("A", "cache"))
# loose enough for a numerical gradient (hidden cases), tight enough for every real mistake
CONV_BACKWARD = FunctionCheck("conv_backward", rtol=1e-6, atol=1e-8,
                              transform=_named("dA_prev", "dW", "db"))
# True/False, 1/0 and 1.0/0.0 masks are all accepted
CREATE_MASK_FROM_WINDOW = FunctionCheck("create_mask_from_window", rtol=0.0, atol=0.0, labels=True)
DISTRIBUTE_VALUE = FunctionCheck("distribute_value", rtol=1e-9, atol=1e-12)
POOL_BACKWARD = FunctionCheck("pool_backward", rtol=1e-6, atol=1e-7)
CONV_FORWARD_FAST = dataclasses.replace(CONV_FORWARD, name="conv_forward_fast")
POOL_FORWARD_FAST = dataclasses.replace(POOL_FORWARD, name="pool_forward_fast")


# --------------------------------------------------------------------------------------------
# Expected values (the course's printed outputs; values marked "recomputed" computed once)
# --------------------------------------------------------------------------------------------

_X_1_1 = np.array([[0.90085595, -0.68372786], [-0.12289023, -0.93576943], [-0.26788808, 0.53035547]])

_ZERO_PAD = [  # (case, expected summary); the sums of x recomputed
    ((4, 9, 9, 2), np.zeros((9, 2)), 72, 3.117059334766224),
    ((5, 8, 8, 3), np.zeros((8, 3)), 240, 20.795198010301117),
]

_CONV_Z_0_2_1 = np.array([-2.17796037, 8.07171329, -0.5772704, 3.36286738, 4.48113645,
                          -2.89198428, 10.99288867, 3.03171932])
_CONV_CACHE_0_1_2_3 = np.array([-1.1191154, 1.9560789, -0.3264995, -1.34267579])
_CONV_CACHE = "(A_prev, W, b, hparameters)"
#: the same case without the bias, and with windows that move by 1 instead of the stride
_CONV_NO_BIAS = (0.3326523394410661, np.array([-0.77914755, 7.98994547, -0.11732757, 2.71851371,
                                               4.10946616, -4.74499377, 10.8506373, 2.51821384]))
_CONV_STRIDE_IGNORED = (0.5329033220060434, np.array([-0.05723279, 0.03991888, -6.24285862,
                                                      0.53960581, -5.04059676, 6.96991358,
                                                      3.69509379, -0.20955895]))
#: conv_forward_test_case_2: shape, mean(Z) (the first two recomputed), Z[0, 2, 1] (recomputed)
_CONV_2 = [
    ((2, 9, 11, 8), 0.1909318291465633,
     np.array([0.4842195, -0.55363446, -0.55435897, -0.05400453, -0.58176334, 3.72897598,
               -1.11512952, 4.61998094])),
    ((2, 2, 3, 8), 0.20212082120007266, None),
    ((2, 13, 15, 8), -0.5384027772160062,
     np.array([0.56197066, 0.2013918, -0.92737081, 0.08778039, -1.52686333, -0.91820846,
               -0.39510967, -1.62267482])),
]
_CONV_2_CACHE_0_1_2 = np.array([[1.98848968, 1.19505834, -0.0952376, -0.52718778],
                                [-0.32158469, 0.15113037, -0.01862772, 0.48352879],
                                [0.76896516, 1.36624284, 1.14726479, -0.11022916],
                                [0.38825041, -0.38712718, -0.58722031, 1.91082685],
                                [-0.45984615, 1.99073781, -0.34903539, 0.25282509],
                                [1.08940955, 0.02392202, 0.39312528, -0.2413848],
                                [-0.47552486, -0.16577702, -0.64971742, 1.63138295]])

#: pool_forward_test_case: (hparameters, mode) -> (A.shape, A[1, 1])
_POOL = {
    ((3, 1), "max"): ((2, 3, 3, 3), np.array([[1.96710175, 0.84616065, 1.27375593],
                                              [1.96710175, 0.84616065, 1.23616403],
                                              [1.62765075, 1.12141771, 1.2245077]])),
    ((3, 1), "average"): ((2, 3, 3, 3), np.array([[0.44497696, -0.00261695, -0.31040307],
                                                  [0.50811474, -0.23493734, -0.23961183],
                                                  [0.11872677, 0.17255229, -0.22112197]])),
    # the course printed A[0] of this one; A[1, 1] recomputed
    ((3, 2), "max"): ((2, 2, 2, 3), np.array([[1.96710175, 0.86888616, 1.27375593],
                                              [1.62765075, 1.12141771, 0.79280687]])),
    ((3, 2), "average"): ((2, 2, 2, 3), np.array([[0.42944926, 0.08446996, -0.27290905],
                                                  [0.15077452, 0.28911175, 0.00123239]])),
    ((2, 1), "max"): ((2, 4, 4, 3), np.array([[1.19891788, 0.74055645, 0.07734007],
                                              [0.31515939, 0.84616065, 0.07734007],
                                              [0.69803203, 0.84616065, 1.2245077],
                                              [0.69803203, 1.12141771, 1.2245077]])),
    ((2, 1), "average"): ((2, 4, 4, 3), np.array([[0.11583785, 0.34545544, -0.6561907],
                                                  [-0.2334108, 0.3364666, -0.69382351],
                                                  [0.25497093, -0.21741362, -0.07342615],
                                                  [-0.04092568, -0.01110394, 0.12495022]])),
}
#: the course printed A[0] and A[1] of the stride-2 case (shown in the notebook)
_POOL_S2_MAX_A0 = np.array([[[1.74481176, 0.90159072, 1.65980218], [1.74481176, 1.6924546, 1.65980218]],
                            [[1.13162939, 1.51981682, 2.18557541], [1.13162939, 1.6924546, 2.18557541]]])
_POOL_S2_AVERAGE_A1 = np.array([[[-0.17313416, 0.32377198, -0.34317572], [0.02030094, 0.14141479, -0.01231585]],
                                [[0.42944926, 0.08446996, -0.27290905], [0.15077452, 0.28911175, 0.00123239]]])
#: the f = 3, stride 1, max case pooled over all channels of a window at once (a known mistake)
_POOL_OVER_CHANNELS = np.array([[1.96710175, 1.96710175, 1.96710175],
                                [1.96710175, 1.96710175, 1.96710175],
                                [1.62765075, 1.62765075, 1.62765075]])
#: pool_forward_shape_cases: A.shape and A[1, 1] (recomputed; the course checked shapes only)
_POOL_SHAPES = [((2, 2, 3, 3), np.array([[0.57383734, 0.47150797, 0.69375277],
                                         [-0.40770551, -0.28345827, 0.92783245],
                                         [0.23352244, -0.34451494, 0.30984536]])),
                ((4, 1, 3, 4), None)]

_CONV_BACKWARD = {"dA_prev.shape": "(10, 4, 4, 3)", "mean(dA_prev)": 1.45243777754,
                  "dW.shape": "(2, 2, 3, 8)", "mean(dW)": 1.72699145831,
                  "db.shape": "(1, 1, 1, 8)", "mean(db)": 7.83923256462}
#: da_prev_pad overwritten (=) instead of accumulated (+=); recomputed
_CONV_BACKWARD_OVERWRITTEN_DA = 0.07076726849437219
#: mean(dA_prev) when the padding is not cut off again (shape (10, 8, 8, 3)); recomputed
_CONV_BACKWARD_PADDED_DA = 0.4567641427532361

_POOL_BACKWARD = {
    "max": np.array([[0.0, 0.0], [5.05844394, -1.68282702], [0.0, 0.0]]),
    "average": np.array([[0.08485462, 0.2787552], [1.26461098, -0.25749373], [1.17975636, -0.53624893]]),
}
_POOL_BACKWARD_MEAN = 0.07771408145556294  # recomputed; the same for both modes
_POOL_BACKWARD_DA_MEAN = 0.145713902729  # the mean of the input dA (the course printed it)
#: dA_prev overwritten (=) where windows overlap, instead of accumulated (+=); recomputed
_POOL_BACKWARD_OVERWRITTEN = {
    "max": (0.011368144499443416, np.array([[0.0, 0.0], [2.52832571, 0.0], [0.0, 0.0]])),
    "average": (0.029811415558939937, np.array([[-0.16172917, 0.22537172], [0.63208143, -0.06215869],
                                                [0.63208143, -0.06215869]])),
}
#: average mode without the division by f * f; recomputed
_POOL_BACKWARD_NOT_DIVIDED = (0.3108563258222518, np.array([[0.3394185, 1.11502079], [5.05844394, -1.02997491],
                                                            [4.71902544, -2.1449957]]))


# --------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------

def _zero_pad_summary(result):
    if isinstance(result, dict):
        return result
    x_pad = _array(result, "x_pad")
    summary = {"x_pad.shape": _shape(x_pad)}
    _with_part(summary, "x_pad[1, 1]", x_pad, (1, 1))
    summary["non-zero entries"] = int(np.count_nonzero(x_pad))
    summary["sum of the entries"] = float(np.sum(x_pad))
    return summary


def check_zero_pad(fn) -> None:
    """Seed 1, ``x`` (4, 3, 3, 2) with pad 3; then ``x`` (5, 4, 4, 3) with pad 2."""
    cases = []
    for (x, pad), (shape, corner, nonzero, total) in zip((zero_pad_test_case(), zero_pad_test_case_2()),
                                                         _ZERO_PAD):
        expected = {"x_pad.shape": str(shape), "x_pad[1, 1]": corner, "non-zero entries": nonzero,
                    "sum of the entries": total}
        m, n_H, n_W, n_C = x.shape
        every_axis = dict(expected, **{"x_pad.shape": str((m + 2 * pad, n_H + 2 * pad, n_W + 2 * pad,
                                                           n_C + 2 * pad)),
                                       "x_pad[1, 1]": np.zeros((n_W + 2 * pad, n_C + 2 * pad))})
        height_only = dict(expected, **{"x_pad.shape": str((m, n_H + 2 * pad, n_W, n_C)),
                                        "x_pad[1, 1]": np.zeros((n_W, n_C))})
        cases.append(Case((x, pad), expected=expected, label=f"x {x.shape}, pad = {pad}",
                          known_mistakes=[(every_axis, "every axis is padded, the examples and the "
                                                       "channels too: pad only axes 1 and 2"),
                                          (height_only, "only the height is padded: axes 1 and 2 "
                                                        "both get (pad, pad)")]))
    public_check(fn, dataclasses.replace(ZERO_PAD, transform=_zero_pad_summary), cases)


def check_conv_single_step(fn) -> None:
    """Seed 1 with a (4, 4, 3) window, then seed 3 with a (5, 5, 3) window."""
    cases = []
    for make, expected, label in ((conv_single_step_test_case, -6.999089450680221, "(4, 4, 3)"),
                                  (conv_single_step_test_case_2, -3.5443670581382474, "(5, 5, 3)")):
        a, W, b = make()
        b_value = float(b.reshape(()))
        cases.append(Case((a, W, b), expected=expected, label=f"a_slice_prev and W {label}, b (1, 1, 1)",
                          known_mistakes=[(expected - b_value, "the bias is missing: Z = sum(a_slice_prev "
                                                               "* W) + b"),
                                          (np.full((1, 1, 1), expected),
                                           "Z is an array of shape (1, 1, 1) because b is one: add the "
                                           "number b.item()")]))
    public_check(fn, CONV_SINGLE_STEP, cases)


def _conv_cases():
    A_prev, W, b, hp = conv_forward_test_case()
    expected = {"Z.shape": "(2, 3, 4, 8)", "mean(Z)": 0.5511276474566768, "Z[0, 2, 1]": _CONV_Z_0_2_1,
                "cache": _CONV_CACHE}
    no_bias = dict(expected, **{"mean(Z)": _CONV_NO_BIAS[0], "Z[0, 2, 1]": _CONV_NO_BIAS[1]})
    no_stride = dict(expected, **{"mean(Z)": _CONV_STRIDE_IGNORED[0], "Z[0, 2, 1]": _CONV_STRIDE_IGNORED[1]})
    cases = [Case((A_prev, W, b, hp), expected=expected, label="seed 1: A_prev (2, 5, 7, 4), W (3, 3, 4, 8), "
                                                              "pad = 1, stride = 2",
                  known_mistakes=[(no_bias, "the bias is missing: add b[:, :, :, c] (conv_single_step "
                                            "does it)"),
                                  (no_stride, "the stride is ignored: window h starts at row "
                                              "h * stride, not at row h")])]
    for (A_prev, W, b, hp), (shape, mean, part) in zip(conv_forward_test_case_2(), _CONV_2):
        expected = {"Z.shape": str(shape), "mean(Z)": mean, "cache": _CONV_CACHE}
        if part is not None:
            expected["Z[0, 2, 1]"] = part
        cases.append(Case((A_prev, W, b, hp), expected=expected,
                          label=f"seed 3: W {W.shape}, pad = {hp['pad']}, stride = {hp['stride']}"))
    return cases


def _conv_summary(result, cases):
    if isinstance(result, dict) and "Z.shape" in result:
        return result
    parts = _named("Z", "cache")(result)
    Z = _array(parts["Z"], "Z")
    summary = {"Z.shape": _shape(Z), "mean(Z)": float(np.mean(Z))}
    _with_part(summary, "Z[0, 2, 1]", Z, (0, 2, 1))
    cache = parts["cache"]
    # the four cases share A_prev or hparameters, so any of their inputs may be named
    known = []
    for case in cases:
        A_prev, W, b, hp = case.args
        known += [("A_prev", A_prev), ("W", W), ("b", b), ("hparameters", hp)]
    summary["cache"] = _layout(cache, known)
    return summary


def _check_conv(fn, check) -> None:
    cases = _conv_cases()
    public_check(fn, dataclasses.replace(check, transform=lambda r: _conv_summary(r, cases)), cases)


def check_conv_forward(fn) -> None:
    """The course's layer (seed 1, pad 1, stride 2), then three layers on the seed-3 input."""
    _check_conv(fn, CONV_FORWARD)


def check_conv_forward_fast(fn) -> None:
    """The same four layers as ``check_conv_forward``, the same expected values."""
    _check_conv(fn, CONV_FORWARD_FAST)


def _pool_cases():
    A_prev = pool_forward_test_case()
    cases = []
    for (f, stride), mode in _POOL:
        shape, part = _POOL[(f, stride), mode]
        expected = {"A.shape": str(shape), "A[1, 1]": part, "cache": "(A_prev, hparameters)"}
        mistakes = []
        if (f, stride, mode) == (3, 1, "max"):
            mistakes.append((dict(expected, **{"A[1, 1]": _POOL_OVER_CHANNELS}),
                             "the window is pooled over every channel at once: pool each channel c "
                             "on its own, A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]"))
        if mode == "average":
            mistakes.append((dict(expected, **{"A[1, 1]": _POOL[(f, stride), "max"][1]}),
                             'mode = "average" returned the maxima: take the mean (np.mean)'))
        else:
            mistakes.append((dict(expected, **{"A[1, 1]": _POOL[(f, stride), "average"][1]}),
                             'mode = "max" returned the averages: take the maximum (np.max)'))
        cases.append(Case((A_prev, {"stride": stride, "f": f}), {"mode": mode}, expected=expected,
                          label=f'seed 1: A_prev (2, 5, 5, 3), f = {f}, stride = {stride}, mode = "{mode}"',
                          known_mistakes=mistakes))
    for (A_prev, hp, mode), (shape, part) in zip(pool_forward_shape_cases(), _POOL_SHAPES):
        expected = {"A.shape": str(shape), "cache": "(A_prev, hparameters)"}
        if part is not None:
            expected["A[1, 1]"] = part
        cases.append(Case((A_prev, hp), {"mode": mode}, expected=expected,
                          label=f'A_prev {A_prev.shape}, f = {hp["f"]}, stride = {hp["stride"]}, '
                                f'mode = "{mode}"'))
    return cases


def _pool_summary(result, cases):
    if isinstance(result, dict) and "A.shape" in result:
        return result
    parts = _named("A", "cache")(result)
    A = _array(parts["A"], "A")
    summary = {"A.shape": _shape(A)}
    _with_part(summary, "A[1, 1]", A, (1, 1))
    known = [("A_prev", case.args[0]) for case in cases] + [("hparameters", case.args[1]) for case in cases]
    summary["cache"] = _layout(parts["cache"], known)
    return summary


def _check_pool(fn, check) -> None:
    cases = _pool_cases()
    public_check(fn, dataclasses.replace(check, transform=lambda r: _pool_summary(r, cases)), cases)


def check_pool_forward(fn) -> None:
    """Seed 1, ``A_prev`` (2, 5, 5, 3): f = 3 with stride 1 and 2, f = 2 with stride 1, each in
    both modes; then the output shapes of two more layers."""
    _check_pool(fn, POOL_FORWARD)


def check_pool_forward_fast(fn) -> None:
    """The same eight layers as ``check_pool_forward``, the same expected values."""
    _check_pool(fn, POOL_FORWARD_FAST)


def _conv_backward_summary(result):
    if isinstance(result, dict) and "dW.shape" in result:
        return result
    grads = _named("dA_prev", "dW", "db")(result)
    summary = {}
    for name in ("dA_prev", "dW", "db"):
        array = _array(grads[name], name)
        summary[f"{name}.shape"] = _shape(array)
        summary[f"mean({name})"] = float(np.mean(array))
    return summary


def check_conv_backward(fn) -> None:
    """The course's case: seed 1, ``A_prev`` (10, 4, 4, 3), pad 2, stride 2, with ``dZ = Z``."""
    dZ, cache = conv_backward_test_case()
    not_unpadded = dict(_CONV_BACKWARD, **{"dA_prev.shape": "(10, 8, 8, 3)",
                                           "mean(dA_prev)": _CONV_BACKWARD_PADDED_DA})
    overwritten = dict(_CONV_BACKWARD, **{"mean(dA_prev)": _CONV_BACKWARD_OVERWRITTEN_DA})
    no_db = dict(_CONV_BACKWARD, **{"mean(db)": 0.0})
    public_check(fn, dataclasses.replace(CONV_BACKWARD, transform=_conv_backward_summary), [Case(
        (dZ, cache), expected=_CONV_BACKWARD, label="dZ (10, 4, 4, 8), A_prev (10, 4, 4, 3), "
                                                   "W (2, 2, 3, 8), pad = 2, stride = 2",
        known_mistakes=[(not_unpadded, "dA_prev still has the padding: keep rows and columns "
                                       "pad .. pad + n_H_prev - 1 (and likewise for the width)"),
                        (overwritten, "da_prev_pad is overwritten: every filter and every "
                                      "overlapping window adds to it, use +="),
                        (no_db, "db is missing: db[:, :, :, c] += dZ[i, h, w, c]")])])


def check_create_mask_from_window(fn) -> None:
    """Seed 1, ``x`` (2, 3); the course's 3x3 example; a window where two entries tie."""
    tie = np.array([[1.0, 3.0], [3.0, 0.0]])
    public_check(fn, CREATE_MASK_FROM_WINDOW, [
        Case((create_mask_from_window_test_case(),), label="seed 1: x (2, 3)",
             expected=np.array([[True, False, False], [False, False, False]])),
        Case((np.array([[-1, 2, 3], [2, -3, 2], [1, 5, -2]]),), label="x (3, 3), integers",
             expected=np.array([[False, False, False], [False, False, False], [False, True, False]])),
        Case((tie,), label="x (2, 2) with two entries tied for the maximum",
             expected=np.array([[False, True], [True, False]]),
             known_mistakes=[(np.array([[False, True], [False, False]]),
                              "only one entry is True: every entry equal to the maximum is "
                              "(x == np.max(x)); np.argmax picks the first one only")]),
    ])


def check_distribute_value(fn) -> None:
    """``distribute_value(2, (2, 2))``, ``distribute_value(100, (10, 10))``, and a non-square shape."""
    public_check(fn, DISTRIBUTE_VALUE, [
        Case((2, (2, 2)), expected=np.full((2, 2), 0.5), label="dz = 2, shape = (2, 2)",
             known_mistakes=[(np.full((2, 2), 2.0), "dz is copied to every entry: each gets "
                                                    "dz / (n_H * n_W)"),
                             (np.full((2, 2), 1.0), "dz is divided by n_H only: by n_H * n_W")]),
        Case((100, (10, 10)), expected=np.ones((10, 10)), label="dz = 100, shape = (10, 10): the "
                                                               "entries sum to 100"),
        Case((1.2, (2, 3)), expected=np.full((2, 3), 0.2), label="dz = 1.2, shape = (2, 3)",
             known_mistakes=[(np.full((2, 3), 0.6), "dz is divided by n_H only: by n_H * n_W"),
                             (np.full((2, 3), 0.4), "dz is divided by n_W only: by n_H * n_W"),
                             (np.full((2, 3), 0.3), "height and width are mixed up: divide by "
                                                    "n_H * n_W")]),
    ])


def _pool_backward_summary(result):
    if isinstance(result, dict):
        return result
    dA_prev = _array(result, "dA_prev")
    summary = {"dA_prev.shape": _shape(dA_prev), "mean(dA_prev)": float(np.mean(dA_prev))}
    return _with_part(summary, "dA_prev[1, 1]", dA_prev, (1, 1))


def check_pool_backward(fn) -> None:
    """Seed 1: ``A_prev`` (5, 5, 3, 2), f = 2, stride 1, ``dA`` (5, 4, 2, 2); both modes."""
    dA, cache = pool_backward_test_case()
    cases = []
    for mode in ("max", "average"):
        expected = {"dA_prev.shape": "(5, 5, 3, 2)", "mean(dA_prev)": _POOL_BACKWARD_MEAN,
                    "dA_prev[1, 1]": _POOL_BACKWARD[mode]}
        mean, part = _POOL_BACKWARD_OVERWRITTEN[mode]
        other = "average" if mode == "max" else "max"
        mistakes = [(dict(expected, **{"mean(dA_prev)": mean, "dA_prev[1, 1]": part}),
                     "dA_prev is overwritten where windows overlap: add with +="),
                    (dict(expected, **{"dA_prev[1, 1]": _POOL_BACKWARD[other]}),
                     f'mode = "{mode}" went back the {other} way')]
        if mode == "average":
            mean, part = _POOL_BACKWARD_NOT_DIVIDED
            mistakes.append((dict(expected, **{"mean(dA_prev)": mean, "dA_prev[1, 1]": part}),
                             "each entry of a window gets all of dA: it gets dA / (f * f) "
                             "(distribute_value)"))
        cases.append(Case((dA, cache), {"mode": mode}, expected=expected, known_mistakes=mistakes,
                          label=f'dA (5, 4, 2, 2), A_prev (5, 5, 3, 2), f = 2, stride = 1, mode = "{mode}"'))
    public_check(fn, dataclasses.replace(POOL_BACKWARD, transform=_pool_backward_summary), cases)


#: Z of the course's conv_backward case (seed 1, pad 2, stride 2): 10 x 4 x 4 x 8 float64 values,
#: little-endian, zlib-compressed, base64 (the input dZ of check_conv_backward; windows that
#: cover only padding give Z = b, so many values repeat and the data compress well)
_CONV_BACKWARD_DZ = (
    "eNrt1vk/FPgfB/AZZlyDmXFl3EdsSpJsydLnE2rXua0jmXKUEBXKFYmSlSu2aN210bklkcQ4Ph9Lrq+kiMgVCoXQGPf47v/w"
    "/WF++M4f8Pzh/Xh8Xp/Xa9hPwdypqxu4rnJQGbEOVYw0HXkQ3oju54R4luTNAsnS+LCV+XEQOkIqP7ZxFHnsF/bIb59F6VXX"
    "kpv2FqPh/3O/LEE3s74kh/MrtmWt2X5Ffj1PKREeHeAik8iNURXDe3JSl1rKqbDp9JvQfGNF7FwfHVHP+o4oGz5Dwg4ynMm7"
    "PkAvJ0DThJN0KQ8h3Jg6LPSKOoas3DW6Z1SI+K+3gR1jbqI4xrjkzy+/MaC/rr4zc2wdqRdMF1kma0Be318lmXt2zpmDejJ1"
    "631l5XEfO6+j0EIYc9cd9zBbZKH/NpY821gePqgSmwlQl8KJjuIjrNgZVNq2qzorYhx577eOf6QvjjsuL0YfJ5IgvHkiJihX"
    "AqeI7Zb2lBaGmXj1kbCPAISxorlu9ddA5u9NYT/7SWJ1ZrZm+9s5MMx/v3zPQ2901Otz+snnoGA243PhXQL+1cLvEO0uDZv5"
    "5x/UU6TAA7u1e85nfARrKSV1n9NWUXsa19m9VwqP0o0oh85PItzzxEZHi4yLioceqm2nYGbQyaR9GnQ88TWh212UBAntiln6"
    "28VgslmZmIWMNjbbtQ1kXxbBE6xjx6jWdMzr+yf1t55iB0nCck+uAeEBB2Wkdy8kejaA8nuyjQZUcTg9OZXDDlkERt03TPuT"
    "RGB1CPLc+0QGn5tsvyfDKkIVBim71o6Lwpr81Mb7SQT4XD9kXPuJIPQAax0rEsMgcDmy5kFpHXjJVXa/obsKMsxerh1onUft"
    "aho6VWpN/PfL9zz19vqha7/bKcCvzReoXtNC0CM6wkhVchlUBOdOtUwQoXOLPkdFcRYptWx7W4okIaOccvSQAQFOfX3C3l/a"
    "DaLMvb98Y5Dwtn2usZ6KdFjw54tfXMZkYW7ODs6hAAL2kFsVV4saAHolc5kGb8Uhc8J7I1eaDHf+EkHqGmrmef/FWRFl+o9/"
    "AHdRaPOolTD+o/v2Y3U3OcyqzLqnmScLFRqtDW19u0F7XZSZ7AoZt2foFv01KwEd7O6VXfIWxW2kK1tn3LsAZ2vRuIcYGfri"
    "n3+cI8wDVlHkWLrlEqhl7gplW5KgR9ctcoiWHPw+PTsSqywI89kxVnMJ4pD/fvmel95kXI5BH2WD1ezbhmILLxB7p9mqfuck"
    "Ks1LtbgvNwqGu+Ytl10FYIG0UU/rPmmsXZ4kzGasg4dT70dXLHpR3njMy+VoUVzyhRTncrsR9dmdK/T63gHKizmflZ81oJvq"
    "dxbMyCK4/tn+l1dTxaA26fkXaVMG9DIYaKu8N8vz/H/oaLSzLxxB4RdJSo1LCviH2hDzq74kLGDWIpijtArMFm7GbYoWh8co"
    "ps9qFodAs3DQel21DGQ503OyYtWhbmtgAzdkEohGJgSYhlPwuX1COXafxkHaroWzlkdHgVjmicdylhLYO1n2HWWNBh87QF8b"
    "HQEsn52UNHB/mL//+Z6n/kiBRRvXaQb4nbyj8uyaEG6pWPrAKltHDBMFqz3J88A9+fB11a1S0EEjzbPu9DwQibrQqp79EWTY"
    "uZoGpFBhcNyh1k1nBLAj410/V4iICyoS90yXLSInh7Z/XrAUINVP47CxgzqEK4OHuK/JuG30aXhjJw2mipKDX2lQeb7/b92r"
    "SQjfOoWMiEzPbbrK+HlhUXOc9xpi4s9g0ZwC8/p+Eq63mEcyR8kpUjqK8ObBUXnD9HlQqh9ixPyPKAzmbF7xyOQiF/ed77uF"
    "5WDr+Dkpai0BK1VGNAu4dqFLdkW0ky7yMLPCKV7SkYyPF75q7LqiBIdsBUwen6Pw+5/veeo96saaw8/3oi0i2puY34VwKbTS"
    "avWXxiVh8fXVgfLQw+sWlA9vQFVnDMwEmMJQKjTaFeQJ4Y39/pOdql1g0/hDosCfvcArRPqB108LaLi4JJpyZRYMcCp7OJ+/"
    "otiwvim3899R1P75PvhpDIXeqb9/MX0W0UmlIW+y2Dy/n7q9fN/hSRK8vOVg8q2XG7BN+R1PX3sGDt6ucl19RRAmfgPMYfMJ"
    "lG1QsK+sThTPqqrdMNBXxPnLO4o1DgjAewUBAZ2BK+DvpblCZ6oontcq0vJPl8LFNGs/a0USNJ65dleVOY3wqtu7dzgBffMc"
    "Sdt8QAr/nasyCOc+8vuf73nqS7Ibj6xVCeDISNsn4Voq8Nv4q6QUfwYUem/wq3YBHddZkY7eX2cjH2NVTdt2LmgaU7ExXB1F"
    "aaSRxsFnS6i0umBw2OY7ogs7WfaHNAFTm/geub0zIPhSVslujhgk9VfbijH7QJxBmht4SIExJ3QCWR9F4JjyH2vm0cI87/+a"
    "4l+SKUWS0DbeLvrIUzVspJFwMMNDHldusmnLpnJBYaBzz8tEGk4pjV3UvkODT8fAKU+XddSZYNRdyJKDzbXEx6vNYjCPk9Jt"
    "7iEOT5nLOT1OFYRGOfINN8JI2L+68plalxS2G739TK+PBNVTcPNGTQnsTomvPiYuyO9/vuepv+94MGqnjTR2ujkzbjKnCGmM"
    "HWbdX5UgO8Ttzg/tZJhyKV7cOlYVNhwSEbt4hYMeJP2dy3n3GoR9aKyUochgSu10UfS//8ERGq1z3KsJ2S8uZepM9aCGxoER"
    "RuoQyAw+v3kimw2MD5hPBFnR8dzPcqsnTBbR0m+Pxgx7CDzPv/SSdvm3wRGQpvTmrLjaNNCdDzzddlURGrjE6/0lKgfT5zd0"
    "2rkSYB5D12C/BgMqZZO/+nwcBQdzZPJWfWSxmdCXvl+vbMAa6udQ7YgoTp7VNox9rYzxW45P38QgOJ3huOYXJgVV9mnExUdo"
    "4d7GjT5EsAh0Uk2CfCNE+Pnne556teXtxOmpVFT3ssslLUsauwcIfrjRoop9KmzHlIfpMNRhR/wnLRp89bDB+PplKSz78JEZ"
    "Zejf/Wr+hliUJQRZKbllgwrisFnkzQ/28mQolJp+R79aAttrZVmcaVsAUeHnawaaCPB6fWqh9E4tPL22tzYwTAlrBDOoW0Zp"
    "PM9/sE9k+IVFKtxy6krZOiLgI+1vuyQkhpBOb3GMfvEiqHp6ghW6XQ4rGbmxn3PVIOlwVY1VyXdAjfZSkt0gBT0tq7Z86lDG"
    "9mNH5BlRCrBWG144n7sGVlMv3Gjpp+K0q1fVnFxl8JcnPpY7fiLCzc2aiR1J/chVPkg3dlMvf//zPU99Qf2PCpR+CpR9H5Wm"
    "GSuDr315ERCfQsWqerkrtx/RoP0/1jLR3AHgNJeZL+VAg97vT7uXEyfQu2tnjTTpVDiuulnQd0gWDhlFmX44IY1N9LadMzxD"
    "xBuf7u59a6IIg3aIp37TFIC0iW7HxMAa5H1Zbyo2QQZLR2WhIX0Rnudf89SBj5E3ZbG/ipyx4XYhWGpAXqnbQoAXHSgk5rdB"
    "cKxGL03tEQGWRxqQTxNfgz1xjsHcfjq+TSG0pzgIY/ucDawLPqqQWL3OyVdZBi6Js1t+7FwApb1l85dJs6BqwE+MzRoFySOt"
    "n45XkqC54isftf00eHLAc/nD7/z9/7/6/wJii0+d"
)
