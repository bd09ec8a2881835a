"""a12 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them.  The graded
functions return Keras tensors and models, so every check has a *probe*
(:mod:`dlcourse.utils.resnet`):

* a block is called twice, on ``tf.constant(X)`` (its output, compared with the reference's
  within ``rtol = atol = 1e-4``) and on a ``keras.Input`` of X's shape, whose graph is traced
  into its *main path*, its *shortcut* and what follows the ``Add``, layer by layer with
  their filters, kernel sizes, strides, paddings and BatchNormalization axes, plus the kernel
  initializer of every Conv2D.  The traced text does not depend on the order in which the
  layers were created, on ``layers.ReLU()`` vs ``Activation("relu")``, on ``Add()`` vs ``+``,
  or on the padding of a 1x1 conv (``same`` and ``valid`` compute the same there);
* ``ResNet50`` is judged on its structure only (stem, the stages and their blocks, head,
  layer and parameter counts, the shapes between the stages): with the blocks fixed, the
  structure fixes everything the model computes, and no forward pass of 23 M weights is
  needed.

How the hidden cases are drawn (``rng``: a numpy Generator seeded at grading time):

* every X is non-square (H != W) with 2-4 examples of random normal values, random kernel
  size f in 2-4 (even sizes test TF's asymmetric 'same' padding) and random filters;
* ``identity_block``: two cases with :func:`~dlcourse.utils.resnet.deterministic_initializer`
  (offset by a random number), one with ``training=True`` and one with ``training=False``,
  and one with the function's own default initializer (``random_uniform(seed=0)``) in
  training mode.  A BatchNormalization called without ``training=training`` fails the
  training cases; an ignored ``initializer`` fails the deterministic ones;
* ``convolutional_block``: strides s = 2 and s = 3 (training and inference, deterministic
  initializers), and one case with the defaults (s = 2, ``glorot_uniform(seed=0)``); the
  output channels F3 always differ from X's channels, so the shortcut's conv matters;
* ``ResNet50``: one case at 64 x 64 x 3 with a number of classes other than 6, one with a
  non-square input (72-128 pixels a side) of 1, 2 or 4 channels.  Each build costs a few
  seconds (23 M weights are created): the timeout is 90 s.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from dlcourse.autograder.checks import Case
from dlcourse.utils import resnet
from dlcourse.utils.checks import a12_residual_networks as public
from dlcourse.utils.tf_runtime import keras

REQUIRES = ["tensorflow"]

__all__ = ["identity_block", "convolutional_block", "ResNet50", "HIDDEN_CHECKS",
           "SIMULATED_MISTAKES", "REQUIRES"]

layers = keras.layers
random_uniform = keras.initializers.random_uniform
glorot_uniform = keras.initializers.glorot_uniform


# ============================================================================================
# Reference implementation
# ============================================================================================

def identity_block(X, f, filters, training=True, initializer=random_uniform):
    F1, F2, F3 = filters
    X_shortcut = X
    X = layers.Conv2D(F1, 1, strides=1, padding="valid", kernel_initializer=initializer(seed=0))(X)
    X = layers.BatchNormalization(axis=3)(X, training=training)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F2, f, strides=1, padding="same", kernel_initializer=initializer(seed=0))(X)
    X = layers.BatchNormalization(axis=3)(X, training=training)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F3, 1, strides=1, padding="valid", kernel_initializer=initializer(seed=0))(X)
    X = layers.BatchNormalization(axis=3)(X, training=training)
    X = layers.Add()([X_shortcut, X])
    return layers.Activation("relu")(X)


def convolutional_block(X, f, filters, s=2, training=True, initializer=glorot_uniform):
    F1, F2, F3 = filters
    X_shortcut = X
    X = layers.Conv2D(F1, 1, strides=s, padding="valid", kernel_initializer=initializer(seed=0))(X)
    X = layers.BatchNormalization(axis=3)(X, training=training)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F2, f, strides=1, padding="same", kernel_initializer=initializer(seed=0))(X)
    X = layers.BatchNormalization(axis=3)(X, training=training)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F3, 1, strides=1, padding="valid", kernel_initializer=initializer(seed=0))(X)
    X = layers.BatchNormalization(axis=3)(X, training=training)
    X_shortcut = layers.Conv2D(F3, 1, strides=s, padding="valid",
                               kernel_initializer=initializer(seed=0))(X_shortcut)
    X_shortcut = layers.BatchNormalization(axis=3)(X_shortcut, training=training)
    X = layers.Add()([X, X_shortcut])
    return layers.Activation("relu")(X)


#: (filters, s, identity blocks) of stages 2-5
STAGES = (([64, 64, 256], 1, 2), ([128, 128, 512], 2, 3), ([256, 256, 1024], 2, 5),
          ([512, 512, 2048], 2, 2))


def _resnet(input_shape, classes, *, pad=True, stages=STAGES, conv_block=None, id_block=None):
    """ResNet50, with the parts a diagnosis changes as arguments."""
    conv_block = conv_block or convolutional_block
    id_block = id_block or identity_block
    X_input = layers.Input(input_shape)
    X = layers.ZeroPadding2D((3, 3))(X_input) if pad else X_input
    X = layers.Conv2D(64, (7, 7), strides=(2, 2), kernel_initializer=glorot_uniform(seed=0))(X)
    X = layers.BatchNormalization(axis=3)(X)
    X = layers.Activation("relu")(X)
    X = layers.MaxPooling2D((3, 3), strides=(2, 2))(X)
    for filters, s, n_identity in stages:
        X = conv_block(X, f=3, filters=filters, s=s)
        for _ in range(n_identity):
            X = id_block(X, 3, filters)
    X = layers.AveragePooling2D((2, 2))(X)
    X = layers.Flatten()(X)
    X = layers.Dense(classes, activation="softmax", kernel_initializer=glorot_uniform(seed=0))(X)
    return keras.Model(inputs=X_input, outputs=X)


def ResNet50(input_shape=(64, 64, 3), classes=6):
    return _resnet(input_shape, classes)


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _block_with(*, kind="identity", stride_on="first", shortcut_stride=True, shortcut_bn=True,
                bn_axis=3, pass_training=True, last_bn=True, add_before_bn=False,
                relu_before_add=False, middle_kernel=None, fixed_init=None):
    """One of the two blocks with one realistic mistake (the defaults give the right answer)."""
    def block(X, f, filters, s=2, training=True, initializer=None):
        default = random_uniform if kind == "identity" else glorot_uniform
        init = fixed_init or initializer or default
        F1, F2, F3 = filters
        step = s if kind == "conv" else 1

        def bn(x):
            layer = layers.BatchNormalization(axis=bn_axis)
            return layer(x, training=training) if pass_training else layer(x)

        X_shortcut = X
        X = layers.Conv2D(F1, 1, strides=step if stride_on == "first" else 1, padding="valid",
                          kernel_initializer=init(seed=0))(X)
        X = layers.Activation("relu")(bn(X))
        X = layers.Conv2D(F2, middle_kernel or f, strides=step if stride_on == "second" else 1,
                          padding="same", kernel_initializer=init(seed=0))(X)
        X = layers.Activation("relu")(bn(X))
        X = layers.Conv2D(F3, 1, strides=1, padding="valid", kernel_initializer=init(seed=0))(X)
        if last_bn and not add_before_bn:
            X = bn(X)
        if relu_before_add:
            X = layers.Activation("relu")(X)
        if kind == "conv":
            X_shortcut = layers.Conv2D(F3, 1, strides=s if shortcut_stride else 1, padding="valid",
                                       kernel_initializer=init(seed=0))(X_shortcut)
            if shortcut_bn:
                X_shortcut = bn(X_shortcut)
        X = layers.Add()([X, X_shortcut])
        if add_before_bn:
            X = bn(X)
        return X if relu_before_add else layers.Activation("relu")(X)

    if kind == "identity":
        def identity(X, f, filters, training=True, initializer=random_uniform):
            return block(X, f, filters, 1, training, initializer)
        return identity
    return block


def _fixed(initializer):
    """An initializer factory that ignores the seed it is given (a hard-coded initializer)."""
    return lambda seed=0: initializer(seed=0)


_ID_DIAGNOSES = [
    (_block_with(pass_training=False),
     "BatchNormalization is called without training=training, so it always normalizes with its "
     "moving averages (inference mode): write BatchNormalization(axis=3)(X, training=training)"),
    (_block_with(add_before_bn=True),
     "the shortcut is added before the last BatchNormalization: normalize the third conv's "
     "output, then Add, then ReLU"),
    (_block_with(relu_before_add=True),
     "ReLU is applied to the main path before the Add instead of to the sum after it"),
    (_block_with(last_bn=False), "the BatchNormalization after the third Conv2D is missing"),
    (_block_with(bn_axis=1),
     "BatchNormalization(axis=1) normalizes over the rows: the channels are axis 3"),
    (_block_with(middle_kernel=1), "the middle Conv2D uses a 1x1 kernel instead of f x f"),
    (_block_with(fixed_init=_fixed(random_uniform)),
     "the `initializer` argument is ignored: pass kernel_initializer=initializer(seed=0) to "
     "every Conv2D"),
]

_CONV_DIAGNOSES = [
    (_block_with(kind="conv", stride_on="second"),
     "the stride s is on the f x f conv of the main path instead of its first 1x1 conv"),
    (_block_with(kind="conv", shortcut_bn=False),
     "the shortcut's BatchNormalization is missing (shortcut: Conv2D then BatchNormalization)"),
    (_block_with(kind="conv", pass_training=False),
     "BatchNormalization is called without training=training, so it always normalizes with its "
     "moving averages (inference mode): write BatchNormalization(axis=3)(X, training=training)"),
    (_block_with(kind="conv", add_before_bn=True),
     "the shortcut is added before the main path's last BatchNormalization"),
    (_block_with(kind="conv", relu_before_add=True),
     "ReLU is applied to the main path before the Add instead of to the sum after it"),
    (_block_with(kind="conv", bn_axis=1),
     "BatchNormalization(axis=1) normalizes over the rows: the channels are axis 3"),
    (_block_with(kind="conv", fixed_init=_fixed(glorot_uniform)),
     "the `initializer` argument is ignored: pass kernel_initializer=initializer(seed=0) to "
     "every Conv2D"),
]


def _resnet_no_padding(input_shape=(64, 64, 3), classes=6):
    return _resnet(input_shape, classes, pad=False)


def _resnet_stage2_default_stride(input_shape=(64, 64, 3), classes=6):
    stages = ((STAGES[0][0], 2, STAGES[0][2]),) + STAGES[1:]
    return _resnet(input_shape, classes, stages=stages)


_RESNET_DIAGNOSES = [
    (_resnet_no_padding, "ZeroPadding2D((3, 3)) is missing before the 7x7 Conv2D"),
    (_resnet_stage2_default_stride,
     "stage 2's convolutional_block is left at its default s=2: it needs s=1 (the max-pool has "
     "already halved the picture)"),
]


# ============================================================================================
# Hidden cases
# ============================================================================================

_BLOCK_TIMEOUT = 30.0
_RESNET_TIMEOUT = 90.0


def _int(rng, low, high):
    """An int in [low, high]."""
    return int(rng.integers(low, high + 1))


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _picture(rng, low, high):
    """(H, W) with H != W, both in [low, high]."""
    H = _int(rng, low, high)
    W = _pick(rng, [w for w in range(low, high + 1) if w != H])
    return H, W


def _block_label(X, f, filters, kwargs):
    parts = [f"X {X.shape}", f"f = {f}", f"filters = {filters}"]
    if "s" in kwargs:
        parts.append(f"s = {kwargs['s']}")
    parts.append(f"training = {kwargs['training']}")
    parts.append(resnet.describe_initializer(kwargs.get("initializer")))
    return ", ".join(parts)


def _identity_cases(rng):
    cases = []
    for training, init in ((True, f"deterministic:{_int(rng, 1, 99)}"),
                           (False, f"deterministic:{_int(rng, 1, 99)}"), (True, None)):
        H, W = _picture(rng, 3, 6)
        C = _int(rng, 2, 5)
        X = rng.normal(size=(_int(rng, 2, 4), H, W, C))
        f, filters = _int(rng, 2, 4), [_int(rng, 2, 5), _int(rng, 2, 5), C]
        kwargs = {"training": training}
        if init is not None:
            kwargs["initializer"] = init
        cases.append(Case((X, f, filters), kwargs, label=_block_label(X, f, filters, kwargs),
                          timeout=_BLOCK_TIMEOUT))
    return cases


def _conv_cases(rng):
    cases = []
    for s, training, init in ((2, True, f"deterministic:{_int(rng, 1, 99)}"),
                              (3, False, f"deterministic:{_int(rng, 1, 99)}"), (None, True, None)):
        H, W = _picture(rng, 4, 8)
        C = _int(rng, 2, 4)
        X = rng.normal(size=(_int(rng, 2, 4), H, W, C))
        F3 = _pick(rng, [c for c in range(2, 7) if c != C])
        f, filters = _int(rng, 2, 4), [_int(rng, 2, 5), _int(rng, 2, 5), F3]
        kwargs = {"training": training}
        if s is not None:
            kwargs["s"] = s
        if init is not None:
            kwargs["initializer"] = init
        label = _block_label(X, f, filters, kwargs) + (", s left at its default" if s is None else "")
        cases.append(Case((X, f, filters), kwargs, label=label, timeout=_BLOCK_TIMEOUT))
    return cases


def _resnet_cases(rng):
    classes = _pick(rng, [c for c in range(2, 13) if c != 6])
    cases = [Case(((64, 64, 3), classes), label=f"input_shape = (64, 64, 3), classes = {classes}",
                  timeout=_RESNET_TIMEOUT)]
    H, W = _picture(rng, 72, 128)
    shape = (H, W, _pick(rng, [1, 2, 4]))
    classes = _pick(rng, [c for c in range(2, 13) if c != 6])
    cases.append(Case((shape, classes), label=f"input_shape = {shape}, classes = {classes}",
                      timeout=_RESNET_TIMEOUT))
    return cases


#: hidden outputs: float32 arithmetic in two processes, within 1e-4 of each other
_HIDDEN_TOLERANCE = dict(rtol=1e-4, atol=1e-4)

HIDDEN_CHECKS = [
    dataclasses.replace(public.IDENTITY_BLOCK, probe=resnet.probe_block, reference=identity_block,
                        cases=_identity_cases, diagnoses=_ID_DIAGNOSES, **_HIDDEN_TOLERANCE),
    dataclasses.replace(public.CONVOLUTIONAL_BLOCK, probe=resnet.probe_block,
                        reference=convolutional_block, cases=_conv_cases,
                        diagnoses=_CONV_DIAGNOSES, **_HIDDEN_TOLERANCE),
    dataclasses.replace(public.RESNET50, probe=resnet.probe_resnet, reference=ResNet50,
                        cases=_resnet_cases, diagnoses=_RESNET_DIAGNOSES),
]

#: a partly right submission for ``dlcourse demo``: (function, old, new) edits of the solution
SIMULATED_MISTAKES = [
    ("convolutional_block", "main = BatchNormalization(axis=3)(X, training=training)",
     "main = BatchNormalization(axis=3)(X)"),
]
