"""a13 -- reference solution and hidden checks (instructors only, never released).

The reference functions carry the notebook's names so tests can import them.  Everything is
judged through the probes of :mod:`dlcourse.utils.transfer`, which turn the returned Keras
objects into plain data (layers in words, flags, compile settings, logits on fixed pictures).

How the hidden cases are drawn (``rng``: a numpy Generator seeded at grading time):

* ``data_augmenter`` takes no argument: its cases differ only in the size of the pictures on
  which the augmenter must leave the pictures unchanged at inference;
* ``alpaca_model``: two image sizes that are multiples of 32 between 96 and 160, the second not
  square (so ``image_shape + (3,)`` is needed, not ``(n, n, 3)``), and an augmentation handed
  in that is *not* the notebook's (another flip mode, another rotation factor), so a model
  that builds its own augmenter instead of using the argument fails;
* ``fine_tune``: new ``fine_tune_at`` values (never the visible 120), base learning rates
  drawn on a log scale, image sizes as above.  The backbone's weights do not matter there,
  so the probe builds it without loading any.

The reference and the diagnoses share one backbone per input shape (``_backbone``) and the
probe loads the pretrained weights into it once: a diagnosis then costs a small head and one
forward pass, not a new MobileNetV2, and grading a wrong submission stays cheap.
"""
from __future__ import annotations

import dataclasses
import functools

from dlcourse.autograder.checks import Case
from dlcourse.utils import transfer
from dlcourse.utils.checks import a13_transfer_learning as public
from dlcourse.utils.tf_runtime import keras, layers

REQUIRES = ["tensorflow"]

__all__ = ["data_augmenter", "alpaca_model", "fine_tune", "HIDDEN_CHECKS", "IMG_SIZE",
           "REQUIRES"]

IMG_SIZE = (160, 160)
#: seconds: a case builds a MobileNetV2 (1-2 s on a quiet machine), loads weights, runs it once
_TIMEOUT = 90.0


# ============================================================================================
# Reference implementation
# ============================================================================================

def data_augmenter():
    return keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.2)])


@functools.lru_cache(maxsize=None)
def _backbone(input_shape):
    return transfer.mobilenet_v2_backbone(input_shape=input_shape)


def _alpaca(image_shape=IMG_SIZE, data_augmentation=None, *, frozen=True, training=False,
            preprocess=True, dropout=0.2, activation=None, augment=True, own_augmenter=False,
            pooling="average", units=1):
    """The model of the notebook, and (through the keywords) the realistic ways to get it wrong."""
    if data_augmentation is None or own_augmenter:
        data_augmentation = data_augmenter()
    input_shape = tuple(image_shape) + (3,)
    base_model = _backbone(input_shape)
    base_model.trainable = not frozen
    inputs = keras.Input(shape=input_shape)
    x = data_augmentation(inputs) if augment else inputs
    if preprocess:
        x = keras.applications.mobilenet_v2.preprocess_input(x)
    x = base_model(x, training=False) if training is False else base_model(x)
    x = layers.GlobalAveragePooling2D()(x) if pooling == "average" else layers.Flatten()(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(units, activation=activation)(x)
    return keras.Model(inputs, outputs)


def alpaca_model(image_shape=IMG_SIZE, data_augmentation=None):
    return _alpaca(image_shape, data_augmentation)


def fine_tune(model, base_learning_rate, fine_tune_at=120):
    base_model = transfer.backbone_of(model)
    base_model.trainable = True
    for layer in base_model.layers[:fine_tune_at]:
        layer.trainable = False
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.Adam(learning_rate=base_learning_rate / 10),
                  metrics=["accuracy"])
    return model


# ============================================================================================
# Diagnoses: realistic wrong implementations
# ============================================================================================

def _augmenter_swapped():
    return keras.Sequential([layers.RandomRotation(0.2), layers.RandomFlip("horizontal")])


def _augmenter_both_flips():  # RandomFlip() without a mode flips both ways
    return keras.Sequential([layers.RandomFlip(), layers.RandomRotation(0.2)])


def _augmenter_vertical():
    return keras.Sequential([layers.RandomFlip("vertical"), layers.RandomRotation(0.2)])


def _augmenter_factor(factor):
    def wrong():
        return keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(factor)])
    return wrong


def _augmenter_flip_only():
    return keras.Sequential([layers.RandomFlip("horizontal")])


def _alpaca_with(**mistake):
    def wrong(image_shape=IMG_SIZE, data_augmentation=None):
        return _alpaca(image_shape, data_augmentation, **mistake)
    return wrong


def _fine_tune_with(*, unfreeze=True, frozen="head", lr_divisor=10.0, optimizer="adam",
                    from_logits=True, fixed_at=None, off_by_one=0, metrics=("accuracy",),
                    compile_model=True, returns=True):
    def wrong(model, base_learning_rate, fine_tune_at=120):
        at = fine_tune_at if fixed_at is None else fixed_at
        base_model = transfer.backbone_of(model)
        if unfreeze:
            base_model.trainable = True
        chosen = base_model.layers[:at + off_by_one] if frozen == "head" else base_model.layers[at:]
        for layer in chosen:
            layer.trainable = False
        rate = base_learning_rate / lr_divisor
        opt = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop,
               "sgd": keras.optimizers.SGD}[optimizer](learning_rate=rate)
        if compile_model:
            model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=from_logits),
                          optimizer=opt, metrics=list(metrics))
        return model if returns else None
    return wrong


# ============================================================================================
# Hidden cases
# ============================================================================================

def _sizes(rng, n):
    """``n`` image sizes, multiples of 32 in 96..160: the first square, the second not."""
    sides = [96, 128, 160]
    out = []
    for k in range(n):
        h = int(rng.choice(sides))
        w = h if k != 1 else int(rng.choice([s for s in sides if s != h]))
        out.append((h, w))
    return out


def _data_augmenter_cases(rng):
    sizes = [int(rng.integers(8, 33)), int(rng.integers(8, 33))]
    return [Case((), {"image_shape": (h, h + 3, 3)}, label=f"pictures {h}x{h + 3}x3",
                 timeout=_TIMEOUT) for h in sizes]


def _alpaca_model_cases(rng):
    cases = []
    for (h, w) in _sizes(rng, 2):
        mode = str(rng.choice(["horizontal", "vertical", "horizontal_and_vertical"]))
        factor = float(rng.choice([0.1, 0.15, 0.25, 0.3]))
        cases.append(Case(((h, w),), {"augmentation": (mode, factor)},
                          label=f"image_shape ({h}, {w}), an augmentation RandomFlip({mode!r}) + "
                                f"RandomRotation({factor:g})", timeout=_TIMEOUT))
    return cases


def _fine_tune_cases(rng):
    cases = []
    ats = rng.choice([a for a in range(40, 151) if a != 120], size=3, replace=False)
    for (h, w), at in zip(_sizes(rng, 3), ats):
        lr = float(10 ** rng.uniform(-4, -2))
        cases.append(Case(((h, w), lr, int(at)), label=f"image_shape ({h}, {w}), "
                          f"base_learning_rate {lr:.3g}, fine_tune_at {int(at)}", timeout=_TIMEOUT))
    return cases


HIDDEN_CHECKS = [
    dataclasses.replace(
        public.DATA_AUGMENTER, reference=data_augmenter, cases=_data_augmenter_cases,
        diagnoses=[(_augmenter_swapped, "the two layers are in the wrong order: RandomFlip first"),
                   (_augmenter_both_flips, "RandomFlip() without a mode flips vertically too: "
                                           "use RandomFlip('horizontal')"),
                   (_augmenter_vertical, "the flip is vertical: use RandomFlip('horizontal')"),
                   (_augmenter_factor(0.1), "the rotation factor is 0.1: use RandomRotation(0.2)"),
                   (_augmenter_factor(0.5), "the rotation factor is 0.5 (half a turn): use "
                                            "RandomRotation(0.2)"),
                   (_augmenter_flip_only, "the RandomRotation layer is missing")]),
    dataclasses.replace(
        public.ALPACA_MODEL, reference=alpaca_model, cases=_alpaca_model_cases,
        diagnoses=[(_alpaca_with(frozen=False), "the backbone is left trainable: set "
                                                "base_model.trainable = False"),
                   (_alpaca_with(activation="sigmoid"), "the Dense layer applies a sigmoid: it "
                                                        "must output logits (no activation)"),
                   (_alpaca_with(training=None), "the backbone is called without "
                                                 "training=False"),
                   (_alpaca_with(preprocess=False), "preprocess_input is missing"),
                   (_alpaca_with(dropout=0.5), "the dropout rate is 0.5: use Dropout(0.2)"),
                   (_alpaca_with(own_augmenter=True), "the model builds its own augmenter "
                                                      "instead of using data_augmentation"),
                   (_alpaca_with(augment=False), "the data augmentation is not applied"),
                   (_alpaca_with(pooling="flatten"), "Flatten instead of GlobalAveragePooling2D")]),
    dataclasses.replace(
        public.FINE_TUNE, reference=fine_tune, cases=_fine_tune_cases,
        diagnoses=[(_fine_tune_with(unfreeze=False), "base_model.trainable = True is missing: "
                                                     "the whole backbone stays frozen"),
                   (_fine_tune_with(frozen="tail"), "the wrong layers are frozen: "
                                                    "layers[fine_tune_at:] instead of "
                                                    "layers[:fine_tune_at]"),
                   (_fine_tune_with(lr_divisor=1.0), "the learning rate is not divided by 10"),
                   (_fine_tune_with(optimizer="rmsprop"), "the optimizer is RMSprop: use Adam"),
                   (_fine_tune_with(optimizer="sgd"), "the optimizer is SGD: use Adam"),
                   (_fine_tune_with(from_logits=False), "from_logits=False: the model outputs "
                                                        "logits"),
                   (_fine_tune_with(fixed_at=120), "fine_tune_at is fixed at 120 instead of "
                                                   "taken from the argument"),
                   (_fine_tune_with(off_by_one=1), "one layer too many is frozen "
                                                   "(layers[:fine_tune_at + 1])"),
                   (_fine_tune_with(compile_model=False), "the model is not compiled again"),
                   (_fine_tune_with(returns=False), "fine_tune returns None: return the model")]),
]
