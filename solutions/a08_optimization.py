"""a08 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them.

Adam's epsilon
--------------
The notebook writes the update with epsilon outside the square root,
``theta - lr * v_corrected / (sqrt(s_corrected) + epsilon)``, and that is the reference here; the
course printed the values of ``... / sqrt(s_corrected + epsilon)``.  Both are accepted, by
comparing with *both* results: the hidden cases of ``update_parameters_with_adam`` remember, for
every case they draw, the result of either placement, and the check's ``transform`` maps a
student's result that equals the other placement's result (within the usual tolerance) onto the
reference's result of the same case.  Any other result is left as it is and judged as usual.  The
tolerance is not widened: the cases include tiny gradients, where the two placements differ by
far more than any tolerance.
"""
from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np

from dlcourse.autograder.checks import Case, quiet
from dlcourse.autograder.compare import compare
from dlcourse.utils.checks import a08_optimization as public

__all__ = ["update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
           "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam",
           "update_parameters_with_adam_epsilon_inside", "exponential_lr_decay",
           "scheduled_lr_decay", "FUNCTIONS", "HIDDEN_CHECKS", "SIMULATED_MISTAKES"]


# ============================================================================================
# Reference implementation
# ============================================================================================

def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def initialize_velocity(parameters):
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
    return v


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta * v[key] + (1 - beta) * grads[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key]
    return parameters, v


def initialize_adam(parameters):
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            v["d" + p + str(l)] = np.zeros(parameters[p + str(l)].shape)
            s["d" + p + str(l)] = np.zeros(parameters[p + str(l)].shape)
    return v, s


def _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, inside):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
            v_corrected = v[key] / (1 - beta1 ** t)
            s[key] = beta2 * s[key] + (1 - beta2) * np.square(grads[key])
            s_corrected = s[key] / (1 - beta2 ** t)
            if inside:
                step = v_corrected / np.sqrt(s_corrected + epsilon)
            else:
                step = v_corrected / (np.sqrt(s_corrected) + epsilon)
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * step
    return parameters, v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    """The notebook's version: epsilon outside the square root."""
    return _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, inside=False)


def update_parameters_with_adam_epsilon_inside(parameters, grads, v, s, t, learning_rate=0.01,
                                               beta1=0.9, beta2=0.999, epsilon=1e-8):
    """The placement whose values the course printed: epsilon inside the square root."""
    return _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, inside=True)


def exponential_lr_decay(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 * decay_rate ** epoch_num


def scheduled_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))


#: the reference functions by name, as ``dlcourse.utils.optimization.model`` takes them
FUNCTIONS = {"random_mini_batches": random_mini_batches,
             "update_parameters_with_gd": update_parameters_with_gd,
             "initialize_velocity": initialize_velocity,
             "update_parameters_with_momentum": update_parameters_with_momentum,
             "initialize_adam": initialize_adam,
             "update_parameters_with_adam": update_parameters_with_adam}


# ============================================================================================
# Hidden cases (rng: numpy Generator seeded at grading time)
# ============================================================================================

def _int(rng, low, high):
    """An int in [low, high]."""
    return int(rng.integers(low, high + 1))


def _dims(rng, L):
    return [_int(rng, 1, 5) for _ in range(L + 1)]


def _parameters(rng, dims, prefix="", scale=1.0):
    out = {}
    for l in range(1, len(dims)):
        out[f"{prefix}W{l}"] = rng.normal(size=(dims[l], dims[l - 1])) * scale
        out[f"{prefix}b{l}"] = rng.normal(size=(dims[l], 1)) * scale
    return out


def _shape_text(dims):
    return "layers " + "-".join(str(d) for d in dims)


def _update_parameters_with_gd_cases(rng):
    cases = []
    for L in (1, 2, _int(rng, 3, 4), _int(rng, 2, 4)):
        dims = _dims(rng, L)
        lr = float(10 ** rng.uniform(-3, 0))
        cases.append(Case((_parameters(rng, dims), _parameters(rng, dims, "d"), lr),
                          label=f"{_shape_text(dims)}, learning_rate = {lr:.3g}"))
    return cases


def _random_mini_batches_cases(rng):
    cases = []
    size = _int(rng, 5, 24)
    m = size * _int(rng, 2, 6) + _int(rng, 1, size - 1)  # a smaller last mini-batch
    n = _int(rng, 1, 4)
    seed = _int(rng, 0, 10_000)
    Y = (rng.random((1, m)) > 0.5).astype(float)
    cases.append(Case((rng.normal(size=(n, m)), Y, size, seed),
                      label=f"X ({n}, {m}), mini_batch_size = {size}, seed = {seed}"))
    size = _int(rng, 4, 16)
    m = size * _int(rng, 2, 6)  # divides exactly: no smaller (and no empty) last mini-batch
    seed = _int(rng, 0, 10_000)
    Y = rng.random((1, m)) > 0.5
    cases.append(Case((rng.normal(size=(_int(rng, 1, 4), m)), Y, size), {"seed": seed},
                      label=f"m = {m} = a multiple of mini_batch_size = {size}, seed = {seed}"))
    m = _int(rng, 3, 12)
    cases.append(Case((rng.normal(size=(2, m)), (rng.random((1, m)) > 0.5).astype(float), 16,
                       _int(rng, 0, 10_000)), label=f"m = {m} < mini_batch_size = 16"))
    m = _int(rng, 70, 200)
    cases.append(Case((rng.normal(size=(2, m)), (rng.random((1, m)) > 0.5).astype(np.int64)),
                      label=f"X (2, {m}), default mini_batch_size and seed"))
    return cases


def _initialize_cases(rng):
    cases = []
    for L in (1, 2, _int(rng, 3, 5)):
        dims = _dims(rng, L)
        cases.append(Case((_parameters(rng, dims),), label=_shape_text(dims)))
    return cases


def _velocity(rng, dims, scale=0.1):
    return _parameters(rng, dims, "d", scale)


def _update_parameters_with_momentum_cases(rng):
    cases = []
    for L, beta in ((2, float(rng.uniform(0.5, 0.99))), (1, 0.9), (_int(rng, 3, 4), 0.0),
                    (_int(rng, 2, 3), float(rng.uniform(0.8, 0.95)))):
        dims = _dims(rng, L)
        lr = float(10 ** rng.uniform(-3, -0.5))
        v = _velocity(rng, dims)
        label = f"{_shape_text(dims)}, beta = {beta:.3g}, learning_rate = {lr:.3g}, v from earlier steps"
        cases.append(Case((_parameters(rng, dims), _parameters(rng, dims, "d"), v, beta, lr),
                          label=label))
    return cases


def _moments(rng, dims, scale=0.1):
    v = _parameters(rng, dims, "d", scale)
    s = {k: np.square(a) * scale for k, a in _parameters(rng, dims, "d").items()}
    return v, s


def _update_parameters_with_adam_cases(rng):
    cases = []
    dims = _dims(rng, 2)
    v, s = _moments(rng, dims)
    t = _int(rng, 2, 20)
    cases.append(Case((_parameters(rng, dims), _parameters(rng, dims, "d"), v, s, t),
                      label=f"{_shape_text(dims)}, t = {t}, default hyperparameters"))
    dims = _dims(rng, _int(rng, 1, 3))
    v, s = _moments(rng, dims)
    t = _int(rng, 1, 50)
    hyper = {"learning_rate": float(10 ** rng.uniform(-3, -1)), "beta1": float(rng.uniform(0.8, 0.95)),
             "beta2": float(rng.uniform(0.99, 0.9999)), "epsilon": float(10 ** rng.uniform(-3, -1))}
    cases.append(Case((_parameters(rng, dims), _parameters(rng, dims, "d"), v, s, t), hyper,
                      label=f"{_shape_text(dims)}, t = {t}, " +
                            ", ".join(f"{k} = {x:.3g}" for k, x in hyper.items())))
    # tiny gradients, first step: here the two placements of epsilon give very different results
    dims = _dims(rng, 2)
    zeros = {k: np.zeros_like(a) for k, a in _parameters(rng, dims, "d").items()}
    cases.append(Case((_parameters(rng, dims), _parameters(rng, dims, "d", 1e-4), zeros,
                       copy.deepcopy(zeros), 1),
                      label=f"{_shape_text(dims)}, t = 1, gradients about 1e-4, v = s = 0"))
    dims = _dims(rng, _int(rng, 3, 4))
    v, s = _moments(rng, dims)
    lr = float(10 ** rng.uniform(-3, -1.5))
    cases.append(Case((_parameters(rng, dims), _parameters(rng, dims, "d"), v, s, 100, lr, 0.85,
                       0.995, 1e-7),
                      label=f"{_shape_text(dims)}, t = 100, learning_rate = {lr:.3g}, "
                            "beta1 = 0.85, beta2 = 0.995, epsilon = 1e-7 (positional)"))
    _remember_both_placements(cases)
    return cases


def _exponential_lr_decay_cases(rng):
    cases = []
    for _ in range(2):
        lr0, epoch, rate = float(10 ** rng.uniform(-3, 0)), _int(rng, 1, 5000), float(rng.uniform(0.99, 0.9999))
        cases.append(Case((lr0, epoch, rate), label=f"learning_rate0 = {lr0:.3g}, epoch_num = {epoch}, "
                                                    f"decay_rate = {rate:.5g}"))
    lr0, rate = float(rng.uniform(0.01, 1)), float(rng.uniform(0.5, 0.95))
    epoch = _int(rng, 2, 20)
    cases.append(Case((lr0, epoch, rate), label=f"epoch_num = {epoch}, decay_rate = {rate:.3g}"))
    cases.append(Case((float(rng.uniform(0.01, 1)), 0, float(rng.uniform(0.5, 0.99))),
                      label="epoch_num = 0"))
    return cases


def _scheduled_lr_decay_cases(rng):
    cases = []
    interval, k = _int(rng, 50, 400), _int(rng, 2, 8)
    lr0, rate = float(10 ** rng.uniform(-3, 0)), float(rng.uniform(0.1, 3))
    late = k * interval + _int(rng, interval // 2 + 1, interval - 1)
    cases.append(Case((lr0, late, rate), {"time_interval": interval},
                      label=f"late in an interval of {interval} epochs, decay_rate = {rate:.3g}"))
    early = k * interval + _int(rng, 1, interval // 2 - 1)
    cases.append(Case((lr0, early, rate), {"time_interval": interval},
                      label=f"early in an interval of {interval} epochs"))
    cases.append(Case((lr0, k * interval, rate), {"time_interval": interval},
                      label=f"epoch_num = {k} * time_interval (a step of the schedule)"))
    cases.append(Case((lr0, k * interval - 1, rate, interval),
                      label="one epoch before a step (time_interval positional)"))
    epoch = _int(rng, 1000, 9999)
    cases.append(Case((float(rng.uniform(0.01, 1)), epoch, float(rng.uniform(0.1, 0.9))),
                      label=f"epoch_num = {epoch}, default time_interval"))
    return cases


# ============================================================================================
# Accepting both placements of Adam's epsilon
# ============================================================================================

#: (reference result, result with epsilon inside the root) of every Adam case drawn last
_ADAM_BOTH: list[tuple] = []


def _remember_both_placements(cases):
    _ADAM_BOTH.clear()
    for case in cases:
        with quiet():
            outside = update_parameters_with_adam(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
            inside = update_parameters_with_adam_epsilon_inside(*copy.deepcopy(case.args),
                                                                **copy.deepcopy(case.kwargs))
        _ADAM_BOTH.append((outside, inside))


def _same(a, b) -> bool:
    return not compare(a, b, rtol=_ADAM_RTOL, atol=_ADAM_ATOL)


def _either_epsilon(result):
    """A result equal to the epsilon-inside answer of one of the drawn cases becomes that case's
    reference (epsilon-outside) answer; anything else is returned unchanged."""
    try:
        for outside, inside in _ADAM_BOTH:
            if _same(result, inside) and not _same(result, outside):
                return outside
    except Exception:  # a malformed result: judged (and explained) as it is
        pass
    return result


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _gd_plus(parameters, grads, learning_rate):
    return {k: parameters[k] + learning_rate * grads["d" + k] for k in parameters}


def _gd_weights_only(parameters, grads, learning_rate):
    return {k: parameters[k] - (learning_rate * grads["d" + k] if k[0] == "W" else 0)
            for k in parameters}


def _gd_skips_last_layer(parameters, grads, learning_rate):
    L = len(parameters) // 2
    return {k: parameters[k] - (learning_rate * grads["d" + k] if int(k[1:]) < L else 0)
            for k in parameters}


def _gd_fixed_rate(parameters, grads, learning_rate):
    return update_parameters_with_gd(parameters, grads, 0.01)


def _batches(X, Y, size, order_x, order_y, keep_last=True, empty_last=False):
    m = X.shape[1]
    sx, sy = X[:, order_x], Y[:, order_y].reshape((1, m))
    out = [(sx[:, k:k + size], sy[:, k:k + size]) for k in range(0, m - m % size, size)]
    if (m % size and keep_last) or (empty_last and m % size == 0):
        out.append((sx[:, m - m % size:], sy[:, m - m % size:]))
    return out


def _mb_two_permutations(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    px = np.random.permutation(m)
    py = np.random.permutation(m)
    return _batches(X, Y, mini_batch_size, px, py)


def _mb_no_shuffle(X, Y, mini_batch_size=64, seed=0):
    order = np.arange(X.shape[1])
    return _batches(X, Y, mini_batch_size, order, order)


def _mb_drop_last(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    order = np.random.permutation(X.shape[1])
    return _batches(X, Y, mini_batch_size, order, order, keep_last=False)


def _mb_empty_last(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    order = np.random.permutation(X.shape[1])
    return _batches(X, Y, mini_batch_size, order, order, empty_last=True)


def _mb_seed_ignored(X, Y, mini_batch_size=64, seed=0):
    return random_mini_batches(X, Y, mini_batch_size, 0)


def _mb_size_ignored(X, Y, mini_batch_size=64, seed=0):
    return random_mini_batches(X, Y, 64, seed)


def _velocity_is_parameters(parameters):
    return {"d" + k: np.array(a, dtype=float) for k, a in parameters.items()}


def _adam_init_parameters(parameters):
    return _velocity_is_parameters(parameters), _velocity_is_parameters(parameters)


def _momentum_with(*, one_minus=True, step_with_grad=False, swapped=False, old_v=False, fixed_lr=False):
    def update(parameters, grads, v, beta, learning_rate):
        parameters, v_in = dict(parameters), dict(v)
        new_v = {}
        lr = 0.01 if fixed_lr else learning_rate
        for key in v_in:
            g = grads[key]
            if swapped:
                new_v[key] = (1 - beta) * v_in[key] + beta * g
            elif one_minus:
                new_v[key] = beta * v_in[key] + (1 - beta) * g
            else:
                new_v[key] = beta * v_in[key] + g
            parameters[key[1:]] = parameters[key[1:]] - lr * (g if step_with_grad else new_v[key])
        return parameters, (v_in if old_v else new_v)
    return update


def _adam_with(*, correct=True, t_shift=0, square=True, root=True, corrected_out=False,
               beta1_for_s=False):
    def update(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
        parameters, v, s = dict(parameters), dict(v), dict(s)
        tt = t + t_shift
        out_v, out_s = {}, {}
        for key in v:
            g = grads[key]
            v[key] = beta1 * v[key] + (1 - beta1) * g
            s[key] = beta2 * s[key] + (1 - beta2) * (np.square(g) if square else g)
            vc = v[key] / (1 - beta1 ** tt) if correct else v[key]
            sc = s[key] / (1 - (beta1 if beta1_for_s else beta2) ** tt) if correct else s[key]
            denominator = (np.sqrt(sc) if root else sc) + epsilon
            parameters[key[1:]] = parameters[key[1:]] - learning_rate * vc / denominator
            out_v[key], out_s[key] = (vc, sc) if corrected_out else (v[key], s[key])
        return parameters, out_v, out_s
    return update


def _exp_as_e(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 * np.exp(-decay_rate * epoch_num)


def _exp_inverse_time(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (1 + decay_rate * epoch_num)


def _exp_one_epoch_late(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 * decay_rate ** (epoch_num + 1)


def _exp_linear(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 * decay_rate * epoch_num


def _sched_no_floor(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * epoch_num / time_interval)


def _sched_round(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * round(epoch_num / time_interval))


def _sched_precedence(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * epoch_num // time_interval)


def _sched_interval_ignored(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return scheduled_lr_decay(learning_rate0, epoch_num, decay_rate)


def _sched_exponential(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 * decay_rate ** np.floor(epoch_num / time_interval)


# ============================================================================================

_ADAM_RTOL, _ADAM_ATOL = 1e-7, 1e-14
_UPDATE_TOL = {"rtol": 1e-7, "atol": 1e-14}

HIDDEN_CHECKS = [
    dataclasses.replace(
        public.UPDATE_PARAMETERS_WITH_GD, **_UPDATE_TOL, reference=update_parameters_with_gd,
        cases=_update_parameters_with_gd_cases,
        diagnoses=[(_gd_plus, "the step goes uphill: W = W - learning_rate * dW"),
                   (_gd_weights_only, "the biases b are not updated"),
                   (_gd_skips_last_layer, "the last layer is not updated: loop over l = 1, ..., L"),
                   (_gd_fixed_rate, "the learning_rate argument is ignored")]),
    dataclasses.replace(
        public.RANDOM_MINI_BATCHES, rtol=0.0, atol=0.0, transform=None,
        reference=random_mini_batches, cases=_random_mini_batches_cases,
        diagnoses=[(_mb_two_permutations, "X and Y are shuffled with two different permutations: "
                                          "use the same one for both"),
                   (_mb_no_shuffle, "the examples are not shuffled"),
                   (_mb_drop_last, "the last, smaller mini-batch is missing"),
                   (_mb_empty_last, "when mini_batch_size divides m there is no extra (empty) "
                                    "mini-batch at the end"),
                   (_mb_seed_ignored, "the seed argument is ignored: np.random.seed(seed)"),
                   (_mb_size_ignored, "the mini_batch_size argument is ignored")]),
    dataclasses.replace(
        public.INITIALIZE_VELOCITY, reference=initialize_velocity, cases=_initialize_cases,
        diagnoses=[(_velocity_is_parameters, "v must start at zeros (shaped like the parameters), "
                                             "not at the parameters")]),
    dataclasses.replace(
        public.UPDATE_PARAMETERS_WITH_MOMENTUM, **_UPDATE_TOL,
        reference=update_parameters_with_momentum, cases=_update_parameters_with_momentum_cases,
        diagnoses=[(_momentum_with(one_minus=False), "v = beta * v + grad: the gradient's weight "
                                                     "is (1 - beta)"),
                   (_momentum_with(swapped=True), "beta and 1 - beta are swapped: "
                                                  "v = beta * v + (1 - beta) * grad"),
                   (_momentum_with(step_with_grad=True), "the parameters move along the gradient, "
                                                         "not along the velocity v"),
                   (_momentum_with(old_v=True), "the updated velocities are not returned"),
                   (_momentum_with(fixed_lr=True), "the learning_rate argument is ignored")]),
    dataclasses.replace(
        public.INITIALIZE_ADAM, reference=initialize_adam, cases=_initialize_cases,
        diagnoses=[(_adam_init_parameters, "v and s must start at zeros (shaped like the "
                                           "parameters), not at the parameters")]),
    dataclasses.replace(
        public.UPDATE_PARAMETERS_WITH_ADAM, rtol=_ADAM_RTOL, atol=_ADAM_ATOL,
        transform=_either_epsilon, reference=update_parameters_with_adam,
        cases=_update_parameters_with_adam_cases,
        diagnoses=[(_adam_with(correct=False), "the bias corrections are missing: divide v by "
                                               "(1 - beta1**t) and s by (1 - beta2**t)"),
                   (_adam_with(t_shift=1), "the bias corrections use t + 1; use t"),
                   (_adam_with(square=False), "s averages the gradients, not their squares"),
                   (_adam_with(root=False), "the square root of s_corrected is missing"),
                   (_adam_with(beta1_for_s=True), "s_corrected is divided by (1 - beta1**t); "
                                                  "use beta2"),
                   (_adam_with(corrected_out=True), "return v and s themselves, not their "
                                                    "bias-corrected values")]),
    dataclasses.replace(
        public.EXPONENTIAL_LR_DECAY, reference=exponential_lr_decay,
        cases=_exponential_lr_decay_cases,
        diagnoses=[(_exp_as_e, "exp(-decay_rate * epoch_num) is another base: the rate is "
                               "multiplied by decay_rate once per epoch"),
                   (_exp_inverse_time, "that is the inverse-time decay "
                                       "learning_rate0 / (1 + decay_rate * epoch_num)"),
                   (_exp_one_epoch_late, "off by one epoch: epoch 0 keeps learning_rate0"),
                   (_exp_linear, "decay_rate * epoch_num multiplies; use decay_rate ** epoch_num")]),
    dataclasses.replace(
        public.SCHEDULED_LR_DECAY, reference=scheduled_lr_decay, cases=_scheduled_lr_decay_cases,
        diagnoses=[(_sched_no_floor, "epoch_num / time_interval must be rounded down (np.floor)"),
                   (_sched_round, "epoch_num / time_interval must be rounded down, not to the "
                                  "nearest integer"),
                   (_sched_interval_ignored, "the time_interval argument is ignored"),
                   (_sched_precedence, "decay_rate * epoch_num // time_interval rounds "
                                       "decay_rate * epoch_num: put the floor around "
                                       "epoch_num / time_interval"),
                   (_sched_exponential, "the schedule divides by 1 + decay_rate * (number of "
                                        "intervals); it does not multiply by powers of "
                                        "decay_rate")]),
]

#: what the demo's "partial" student gets wrong: (function, exact text in the solution, replacement)
SIMULATED_MISTAKES = [
    ("update_parameters_with_momentum", "(1 - beta) * grads", "grads"),
    ("scheduled_lr_decay", "np.floor(epoch_num / time_interval)", "epoch_num / time_interval"),
]
